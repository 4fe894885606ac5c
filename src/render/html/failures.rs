//! The failures section (the step, the error, the screenshot inline, the HTTP transcript)
//! and the specs without scripts (unbound and ambiguous steps).

use std::collections::BTreeMap;

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
    let anchors: BTreeMap<(&str, usize), String> = inputs
        .matrix
        .cases
        .iter()
        .enumerate()
        .map(|(i, row)| ((&*row.file, row.line), case_anchor(row, i)))
        .collect();
    record
        .executions
        .iter()
        .filter(|e| e.status == Status::Failed)
        .enumerate()
        .map(|(n, e)| {
            let failure = e.failure.as_ref();
            let mut exchanges = Vec::new();
            let mut screenshots = Vec::new();
            let mut other = Vec::new();
            for attachment in &e.attachments {
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
            // Without the transcript file, the last exchange kept with the failure.
            if exchanges.is_empty()
                && let Some(last) = failure.and_then(|f| f.exchange.as_ref())
            {
                exchanges.push(exchange(last));
            }
            FailureView {
                anchor: format!("failure-{n}"),
                case_anchor: anchors
                    .get(&(&*e.file, e.line))
                    .cloned()
                    .unwrap_or_default(),
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
                        x.row,
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
                files: other,
            }
        })
        .collect()
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
