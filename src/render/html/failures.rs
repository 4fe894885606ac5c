//! The failures section (the step, the error, the screenshot inline, the HTTP transcript)
//! and the specs without scripts (unbound and ambiguous steps).
use base64::Engine as _;
use serde::Serialize;

use super::cases::{ScriptView, StepView, step_status};
use super::requirements::case_anchor;
use crate::record::Exchange;
use crate::record::Status;
use crate::render::Inputs;

#[derive(Debug, Serialize)]
pub(super) struct FailureView {
    pub(super) anchor: String,
    pub(super) case_anchor: String,
    pub(super) label: String,
    pub(super) file: String,
    pub(super) line: usize,
    pub(super) example: Option<String>,
    pub(super) requirements: Vec<String>,
    pub(super) attempts: usize,
    pub(super) step: String,
    pub(super) step_line: usize,
    pub(super) error: String,
    pub(super) definition: Option<String>,
    pub(super) steps: Vec<StepView>,
    pub(super) screenshots: Vec<Screenshot>,
    pub(super) exchanges: Vec<ExchangeView>,
    pub(super) files: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
pub(super) struct Screenshot {
    pub(super) name: String,
    pub(super) data_uri: String,
}

#[derive(Debug, Serialize)]
pub(super) struct ExchangeView {
    pub(super) request: String,
    pub(super) status: String,
    pub(super) request_headers: Vec<(String, String)>,
    pub(super) request_body: Option<String>,
    pub(super) response_headers: Vec<(String, String)>,
    pub(super) response_body: Option<String>,
    pub(super) error: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct UnboundView {
    pub(super) keyword: &'static str,
    pub(super) text: String,
    pub(super) places: Vec<String>,
    pub(super) snippet: String,
}

#[derive(Debug, Serialize)]
pub(super) struct AmbiguousView {
    pub(super) text: String,
    pub(super) places: Vec<String>,
    pub(super) definitions: Vec<ScriptView>,
}

pub(super) fn failures(inputs: &Inputs<'_>) -> Vec<FailureView> {
    let record = inputs.record;
    let matrix = inputs.matrix;
    record
        .executions
        .iter()
        .enumerate()
        .filter(|(_, e)| e.status == Status::Failed)
        .enumerate()
        .map(|(n, (at, e))| {
            let failure = e.failure.as_ref();
            let (screenshots, exchanges, files) = evidence(inputs, e);
            let case_anchor = matrix
                .places
                .get(at)
                .copied()
                .flatten()
                .map_or_else(String::new, |(case, _)| {
                    case_anchor(&matrix.cases[case], case)
                });
            FailureView {
                anchor: format!("failure-{n}"),
                case_anchor,
                label: match &e.case_id {
                    Some(id) => format!("{id}: {}", e.title),
                    None => e.title.clone(),
                },
                file: e.file.to_string(),
                line: e.line,
                example: e.example.as_ref().map(|x| {
                    let values: Vec<String> =
                        x.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    format!(
                        "Examples row {} (line {}): {}",
                        x.index_in_outline,
                        x.line,
                        values.join(", ")
                    )
                }),
                requirements: e.requirements.clone(),
                attempts: e.attempts,
                step: failure.map(|f| f.step.clone()).unwrap_or_default(),
                step_line: failure.map_or(0, |f| f.line),
                error: failure.map(|f| f.error.clone()).unwrap_or_default(),
                definition: failure.and_then(|f| f.definition.clone()),
                steps: e
                    .steps
                    .iter()
                    .map(|s| StepView {
                        keyword: s.keyword.as_str().into(),
                        text: s.text.clone(),
                        status: step_status(s.status),
                        table: None,
                        doc_string: None,
                    })
                    .collect(),
                screenshots,
                exchanges,
                files,
            }
        })
        .collect()
}

/// What a failed execution left to look at: its screenshots, its HTTP exchanges (from the
/// transcript, or the last one kept with the failure), and links to its other files.
fn evidence(
    inputs: &Inputs<'_>,
    execution: &crate::record::ExecutionRecord,
) -> (Vec<Screenshot>, Vec<ExchangeView>, Vec<(String, String)>) {
    let mut exchanges = Vec::new();
    let mut screenshots = Vec::new();
    let mut other = Vec::new();
    for attachment in &execution.attachments {
        let bytes = inputs.attachments.get(&attachment.path);
        match (attachment.media_type.as_str(), bytes) {
            ("image/png", Some(bytes)) => screenshots.push(Screenshot {
                name: attachment.name.clone(),
                data_uri: format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                ),
            }),
            ("application/json", Some(bytes)) => {
                match serde_json::from_slice::<Vec<Exchange>>(bytes) {
                    Ok(transcript) => exchanges.extend(transcript.iter().map(exchange)),
                    Err(_) => other.push(attachment_link(attachment)),
                }
            }
            _ => other.push(attachment_link(attachment)),
        }
    }
    let failure = execution.failure.as_ref();
    if exchanges.is_empty()
        && let Some(last) = failure.and_then(|f| f.exchange.as_ref())
    {
        exchanges.push(exchange(last));
    }
    (screenshots, exchanges, other)
}

pub(super) fn attachment_link(attachment: &crate::record::Attachment) -> (String, String) {
    (
        attachment.name.clone(),
        attachment.path.display().to_string(),
    )
}

pub(super) fn exchange(x: &Exchange) -> ExchangeView {
    ExchangeView {
        request: format!("{} {}", x.method, x.url),
        status: x
            .status
            .map_or_else(|| "no response".to_owned(), |s| s.to_string()),
        request_headers: x.request_headers.clone(),
        request_body: x.request_body.clone(),
        response_headers: x.response_headers.clone(),
        response_body: x.response_body.clone(),
        error: x.error.clone(),
    }
}
