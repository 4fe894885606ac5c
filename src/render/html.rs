//! `report.html`: the living documentation, one self-contained file a product owner opens
//! by double-click.
//!
//! The page is built in two steps: [`page`] turns the [`Inputs`] into a view model (plain
//! serializable data, one struct per part of the page), and a minijinja template renders it
//! with HTML auto-escaping, so every text from the suite, the run or a service arrives as
//! text. The style sheet and the script are inlined and the page's Content-Security-Policy
//! allows exactly those two (by SHA-256 hash) and `data:` images: nothing else can run, even
//! if escaping were ever missed. The script only filters what the server-side HTML already
//! shows, so the page reads the same without it.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use serde::Serialize;
use sha2::Digest as _;

use super::Inputs;
use crate::model::{Case, Mode, Step};
use crate::record::{ExecutionRecord, Status, StepStatus};
use crate::trace::{CaseRow, Outcome, RequirementStatus, Script};
use crate::world::Exchange;
use crate::world::redact::Redactor;

const TEMPLATE: &str = include_str!("html/report.html.j2");
const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Renders `report.html`.
pub fn report(inputs: &Inputs<'_>) -> String {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)
        .expect("the report template parses");
    let page = page(inputs);
    env.get_template("report.html")
        .and_then(|t| {
            t.render(minijinja::context! {
                page => page,
                style => STYLE,
                script => SCRIPT,
                csp => content_security_policy(),
            })
        })
        .expect("the report template renders")
}

/// Allows the page's own style sheet and script, and images inlined as `data:` URIs; nothing
/// else (no network, no other script, no plug-in, no form target).
fn content_security_policy() -> String {
    let hash = |text: &str| {
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    };
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data:; \
         base-uri 'none'; form-action 'none'",
        hash(SCRIPT),
        hash(STYLE)
    )
}

/// Everything the page shows.
#[derive(Debug, Serialize)]
struct Page {
    title: String,
    release: Option<String>,
    commit: Option<String>,
    started_at: String,
    finished_at: String,
    selection: Vec<(String, String)>,
    numbers: Vec<Number>,
    outcome_mix: Vec<Bar>,
    coverage: Vec<Bar>,
    requirements: Vec<RequirementView>,
    scripts: Vec<ScriptRow>,
    /// The features and their cases as JSON, safe inside a `<script>` element: the page's
    /// script renders the cases that match the filters from it. At ten thousand cases, the
    /// same as HTML would take Chromium seconds to parse and lay out.
    case_data: String,
    failures: Vec<FailureView>,
    unbound: Vec<UnboundView>,
    ambiguous: Vec<AmbiguousView>,
    filters: Filters,
}

/// A headline figure of the dashboard.
#[derive(Debug, Serialize)]
struct Number {
    key: &'static str,
    label: &'static str,
    value: String,
    detail: String,
}

/// A segment of a stacked bar: a share of a whole, in percent of the bar's width.
#[derive(Debug, Serialize)]
struct Bar {
    label: &'static str,
    class: &'static str,
    count: usize,
    x: f64,
    width: f64,
}

#[derive(Debug, Serialize)]
struct RequirementView {
    id: String,
    title: String,
    risk: Option<String>,
    link: Option<String>,
    owner: Option<String>,
    depth: usize,
    in_catalog: bool,
    status: &'static str,
    status_label: &'static str,
    counts: crate::trace::Counts,
    rolled_up: usize,
    cases: Vec<CaseLink>,
}

#[derive(Debug, Serialize)]
struct CaseLink {
    anchor: String,
    label: String,
    outcome: &'static str,
}

#[derive(Debug, Serialize)]
struct FeatureView {
    anchor: String,
    keyword: String,
    name: String,
    file: String,
    description: String,
    tags: Vec<String>,
    background: Option<BlockView>,
    /// The Rules, with their Backgrounds.
    rules: Vec<BlockView>,
    cases: Vec<CaseView>,
}

/// A Background, or a Rule's heading with its Background.
#[derive(Debug, Serialize)]
struct BlockView {
    keyword: String,
    name: String,
    description: String,
    steps: Vec<StepView>,
}

#[derive(Debug, Serialize)]
struct CaseView {
    anchor: String,
    id: Option<String>,
    keyword: String,
    title: String,
    description: String,
    line: usize,
    /// The index of its Rule in [`FeatureView::rules`].
    rule: Option<usize>,
    tags: Vec<String>,
    requirements: Vec<String>,
    manual: bool,
    outcome: &'static str,
    steps: Vec<StepView>,
    examples: Vec<ExamplesView>,
    /// Indexes in [`Page::scripts`].
    scripts: Vec<usize>,
}

#[derive(Debug, Serialize)]
struct ScriptView {
    pattern: String,
    location: Option<String>,
}

/// A step definition and how many cases use it.
#[derive(Debug, Serialize)]
struct ScriptRow {
    pattern: String,
    location: Option<String>,
    /// The file name and line, for the short references under each case.
    short: String,
    cases: usize,
}

/// A step. Serialized as `[keyword, text, status, table, doc_string]`: a large suite has tens
/// of thousands of steps in the page's data, and repeating five keys for each would be a
/// third of it.
#[derive(Debug)]
struct StepView {
    keyword: String,
    text: String,
    status: &'static str,
    table: Option<Vec<Vec<String>>>,
    doc_string: Option<String>,
}

impl Serialize for StepView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (
            &self.keyword,
            &self.text,
            self.status,
            &self.table,
            &self.doc_string,
        )
            .serialize(serializer)
    }
}

#[derive(Debug, Serialize)]
struct ExamplesView {
    keyword: String,
    name: String,
    header: Vec<String>,
    rows: Vec<ExampleRowView>,
}

#[derive(Debug, Serialize)]
struct ExampleRowView {
    cells: Vec<String>,
    outcome: &'static str,
}

#[derive(Debug, Serialize)]
struct FailureView {
    anchor: String,
    case_anchor: String,
    label: String,
    file: String,
    line: usize,
    example: Option<String>,
    requirements: Vec<String>,
    attempts: usize,
    step: String,
    step_line: usize,
    error: String,
    definition: Option<String>,
    steps: Vec<StepView>,
    screenshots: Vec<Screenshot>,
    exchanges: Vec<ExchangeView>,
    files: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
struct Screenshot {
    name: String,
    data_uri: String,
}

#[derive(Debug, Serialize)]
struct ExchangeView {
    request: String,
    status: String,
    request_headers: Vec<(String, String)>,
    request_body: Option<String>,
    response_headers: Vec<(String, String)>,
    response_body: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct UnboundView {
    keyword: &'static str,
    text: String,
    places: Vec<String>,
    snippet: String,
}

#[derive(Debug, Serialize)]
struct AmbiguousView {
    text: String,
    places: Vec<String>,
    definitions: Vec<ScriptView>,
}

/// The choices of the filter bar.
#[derive(Debug, Serialize)]
struct Filters {
    outcomes: Vec<(&'static str, &'static str)>,
    tags: Vec<String>,
    requirements: Vec<String>,
}

fn page(inputs: &Inputs<'_>) -> Page {
    let (record, matrix) = (inputs.record, inputs.matrix);
    let title = match &record.release {
        Some(release) => format!("casebook report — {release}"),
        None => "casebook report".to_owned(),
    };
    let (scripts, script_index) = scripts(inputs);
    let features = features(inputs, &script_index);
    let filters = Filters {
        outcomes: OUTCOMES.iter().map(|o| (o.css(), o.label())).collect(),
        tags: features
            .iter()
            .flat_map(|f| f.cases.iter().flat_map(|c| c.tags.iter().cloned()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        requirements: matrix.requirements.iter().map(|r| r.id.clone()).collect(),
    };
    let mut selection = Vec::new();
    let s = &record.selection;
    if let Some(tags) = &s.tags {
        selection.push(("tags".to_owned(), tags.clone()));
    }
    if let Some(name) = &s.name {
        selection.push(("name".to_owned(), name.clone()));
    }
    if s.dry_run {
        selection.push(("dry run".to_owned(), "nothing was executed".to_owned()));
    }
    selection.push((
        "strict".to_owned(),
        if s.strict { "yes" } else { "no" }.to_owned(),
    ));
    Page {
        title,
        release: record.release.clone(),
        commit: record.commit.clone(),
        started_at: record.started_at.clone(),
        finished_at: record.finished_at.clone(),
        selection,
        numbers: numbers(inputs),
        outcome_mix: outcome_mix(inputs),
        coverage: coverage(inputs),
        requirements: requirements(inputs),
        scripts,
        case_data: script_json(&features),
        failures: failures(inputs),
        unbound: record
            .unbound_steps
            .iter()
            .map(|u| UnboundView {
                keyword: kind_word(u.kind),
                text: u.text.clone(),
                places: u.places.clone(),
                snippet: u.snippet.clone(),
            })
            .collect(),
        ambiguous: record
            .ambiguous_steps
            .iter()
            .map(|a| AmbiguousView {
                text: a.text.clone(),
                places: a.places.clone(),
                definitions: a
                    .definitions
                    .iter()
                    .map(|d| ScriptView {
                        pattern: d.display_pattern(),
                        location: d.location.clone(),
                    })
                    .collect(),
            })
            .collect(),
        filters,
    }
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` are written as `\u` escapes,
/// so no `</script>` or `<!--` in a title can end the element early.
fn script_json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).expect("plain data serializes");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

fn kind_word(kind: crate::model::StepKind) -> &'static str {
    match kind {
        crate::model::StepKind::Given => "Given",
        crate::model::StepKind::When => "When",
        crate::model::StepKind::Then => "Then",
    }
}

/// Every outcome a case can show, worst first: the order of the legend and the filter.
const OUTCOMES: [Outcome; 7] = [
    Outcome::Failed,
    Outcome::Ambiguous,
    Outcome::Unbound,
    Outcome::Skipped,
    Outcome::NotRun,
    Outcome::Flaky,
    Outcome::Passed,
];

/// The CSS class and filter value of an outcome.
trait Css {
    fn css(self) -> &'static str;
}

impl Css for Outcome {
    fn css(self) -> &'static str {
        match self {
            Outcome::NotRun => "not-run",
            other => other.label(),
        }
    }
}

impl Css for RequirementStatus {
    fn css(self) -> &'static str {
        match self {
            RequirementStatus::PolicyViolation => "policy-violation",
            other => other.label(),
        }
    }
}

fn numbers(inputs: &Inputs<'_>) -> Vec<Number> {
    let t = &inputs.matrix.totals;
    let c = &inputs.record.counts;
    vec![
        Number {
            key: "requirements-covered",
            label: "Requirements covered",
            value: format!("{} of {}", t.covered, t.requirements),
            detail: format!("{}%", t.covered_percent),
        },
        Number {
            key: "cases",
            label: "Test cases",
            value: t.counts.cases.to_string(),
            detail: format!(
                "{} automated, {} manual",
                t.counts.automated, t.counts.manual
            ),
        },
        Number {
            key: "scripts",
            label: "Test scripts",
            value: t.scripts.to_string(),
            detail: "step definitions".to_owned(),
        },
        Number {
            key: "steps",
            label: "Steps bound",
            value: format!("{} of {}", t.bound_steps, t.bound_steps + t.unbound_steps),
            detail: format!("{} without a script", t.unbound_steps),
        },
        Number {
            key: "executions",
            label: "Executions",
            value: c.executions.to_string(),
            detail: c.outcome_line(),
        },
    ]
}

/// The cases by outcome, as one stacked bar.
fn outcome_mix(inputs: &Inputs<'_>) -> Vec<Bar> {
    let cases = &inputs.matrix.cases;
    bars(
        cases.len(),
        OUTCOMES.iter().map(|&outcome| {
            (
                outcome.label(),
                outcome.css(),
                cases.iter().filter(|c| c.outcome == outcome).count(),
            )
        }),
    )
}

/// The catalog's requirements by status, as one stacked bar.
fn coverage(inputs: &Inputs<'_>) -> Vec<Bar> {
    let t = &inputs.matrix.totals;
    bars(
        t.requirements,
        t.by_status
            .iter()
            .map(|(status, count)| (status.label(), status.css(), *count)),
    )
}

fn bars<'a>(
    total: usize,
    parts: impl Iterator<Item = (&'static str, &'static str, usize)> + 'a,
) -> Vec<Bar> {
    let mut x = 0.0;
    parts
        .filter(|(_, _, count)| *count > 0)
        .map(|(label, class, count)| {
            let width = 100.0 * count as f64 / total.max(1) as f64;
            let bar = Bar {
                label,
                class,
                count,
                x,
                width,
            };
            x += width;
            bar
        })
        .collect()
}

fn case_anchor(row: &CaseRow, index: usize) -> String {
    match &row.id {
        Some(id) => format!("case-{id}"),
        None => format!("case-{index}"),
    }
}

fn case_label(row: &CaseRow) -> String {
    match &row.id {
        Some(id) => format!("{id}: {}", row.title),
        None => row.title.clone(),
    }
}

fn requirements(inputs: &Inputs<'_>) -> Vec<RequirementView> {
    let cases = &inputs.matrix.cases;
    inputs
        .matrix
        .requirements
        .iter()
        .map(|r| RequirementView {
            id: r.id.clone(),
            title: r.title.clone(),
            risk: r.risk.map(|risk| risk.to_string()),
            link: r.link.clone().filter(|link| is_web_link(link)),
            owner: r.owner.clone(),
            depth: r.depth.min(6),
            in_catalog: r.in_catalog,
            status: r.status.css(),
            status_label: r.status.label(),
            counts: r.counts,
            rolled_up: r.cases.len() - r.direct_cases.len(),
            // A parent lists the cases tagged with it; its children list the rest.
            cases: r
                .direct_cases
                .iter()
                .map(|&i| CaseLink {
                    anchor: case_anchor(&cases[i], i),
                    label: case_label(&cases[i]),
                    outcome: cases[i].outcome.css(),
                })
                .collect(),
        })
        .collect()
}

/// Only web links become `href`s: a `javascript:` link in the catalog must not run.
fn is_web_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Every step definition the cases use, once, in file and line order (each case then refers
/// to its scripts by index: at ten thousand cases, repeating them under each is most of the
/// page), with the index of each.
fn scripts<'a>(inputs: &Inputs<'a>) -> (Vec<ScriptRow>, BTreeMap<&'a Script, usize>) {
    let mut uses: BTreeMap<&Script, usize> = BTreeMap::new();
    for case in &inputs.matrix.cases {
        for script in &case.scripts {
            *uses.entry(script).or_default() += 1;
        }
    }
    let rows = uses
        .iter()
        .map(|(script, &cases)| ScriptRow {
            pattern: script.pattern.clone(),
            location: script.location.clone(),
            short: script.location.as_deref().map_or_else(
                || script.pattern.clone(),
                |l| {
                    let name = l.rsplit('/').next().unwrap_or(l);
                    // `file.rs:LINE:COLUMN` → `file.rs:LINE`
                    name.rsplit_once(':')
                        .map_or(name, |(rest, _)| rest)
                        .to_owned()
                },
            ),
            cases,
        })
        .collect();
    let index = uses.into_keys().enumerate().map(|(i, s)| (s, i)).collect();
    (rows, index)
}

fn features(inputs: &Inputs<'_>, scripts: &BTreeMap<&Script, usize>) -> Vec<FeatureView> {
    let redactor = &super::steps::redactor(inputs.config);
    let mut rows = inputs.matrix.cases.iter().enumerate();
    inputs
        .suite
        .features
        .iter()
        .enumerate()
        .map(|(index, feature)| {
            let cases = feature
                .cases
                .iter()
                .map(|case| {
                    let (row_index, row) = rows.next().expect("the matrix has every case");
                    case_view(inputs, case, row, row_index, scripts, redactor)
                })
                .collect();
            FeatureView {
                anchor: format!("feature-{index}"),
                keyword: feature.keyword.clone(),
                name: feature.name.clone(),
                file: feature.path.display().to_string(),
                description: feature.description.clone(),
                tags: feature
                    .tags
                    .iter()
                    .map(|t| format!("@{}", t.name))
                    .collect(),
                background: feature.background.as_ref().map(|b| BlockView {
                    keyword: b.keyword.clone(),
                    name: String::new(),
                    description: String::new(),
                    steps: b
                        .steps
                        .iter()
                        .map(|s| step_view(s, None, "background", redactor))
                        .collect(),
                }),
                rules: feature
                    .rules
                    .iter()
                    .map(|rule| BlockView {
                        keyword: rule.keyword.clone(),
                        name: rule.name.clone(),
                        description: rule.description.clone(),
                        steps: rule
                            .background
                            .iter()
                            .flat_map(|b| &b.steps)
                            .map(|s| step_view(s, None, "background", redactor))
                            .collect(),
                    })
                    .collect(),
                cases,
            }
        })
        .collect()
}

fn case_view(
    inputs: &Inputs<'_>,
    case: &Case,
    row: &CaseRow,
    index: usize,
    scripts: &BTreeMap<&Script, usize>,
    redactor: &Redactor,
) -> CaseView {
    let record = inputs.record;
    let executions: Vec<Option<&ExecutionRecord>> = row
        .executions
        .iter()
        .map(|e| e.record.map(|i| &record.executions[i]))
        .collect();
    // The steps show the execution that tells most: the first one that lists its steps
    // (a failed, unbound, ambiguous or flaky one), else the case's outcome for every step.
    let detailed = executions.iter().flatten().find(|e| !e.steps.is_empty());
    let own_status = |step: &Step| -> &'static str {
        match detailed {
            Some(e) => e
                .steps
                .iter()
                .find(|s| s.line == step.location.line && !s.background)
                .map_or("skipped", |s| step_status(s.status)),
            None => uniform_step_status(row.outcome),
        }
    };
    let steps = case
        .steps
        .iter()
        .map(|s| step_view(s, Some(own_status(s)), "", redactor))
        .collect();
    let mut examples_rows = row.executions.iter();
    let examples = case
        .examples
        .iter()
        .map(|block| ExamplesView {
            keyword: block.keyword.clone(),
            name: block.name.clone(),
            header: block.header().to_vec(),
            rows: block
                .table
                .iter()
                .flat_map(|t| t.rows.iter().skip(1))
                .map(|cells| {
                    let outcome = examples_rows.next().map_or(Outcome::NotRun, |e| e.outcome);
                    ExampleRowView {
                        cells: cells.clone(),
                        outcome: outcome.css(),
                    }
                })
                .collect(),
        })
        .collect();
    let tags: Vec<String> = case
        .effective_tags
        .iter()
        .map(|t| format!("@{t}"))
        .collect();
    let requirements = row.requirements.clone();
    CaseView {
        anchor: case_anchor(row, index),
        id: row.id.clone(),
        keyword: case.keyword.clone(),
        title: case.title.clone(),
        description: case.description.clone(),
        line: case.location.line,
        rule: case.rule,
        tags,
        requirements,
        manual: case.mode == Mode::Manual,
        outcome: row.outcome.css(),
        steps,
        examples,
        scripts: row.scripts.iter().map(|s| scripts[s]).collect(),
    }
}

/// A step of the suite. Its arguments go through the redactor: a spec may quote a password
/// in a doc string or a table, and the report must not.
fn step_view(
    step: &Step,
    status: Option<&'static str>,
    fallback: &'static str,
    redactor: &Redactor,
) -> StepView {
    StepView {
        keyword: step.keyword.clone(),
        text: step.text.clone(),
        status: status.unwrap_or(fallback),
        table: step.table.as_ref().map(|t| {
            t.rows
                .iter()
                .map(|row| row.iter().map(|cell| redactor.text(cell)).collect())
                .collect()
        }),
        doc_string: step.doc_string.as_ref().map(|d| redactor.text(&d.content)),
    }
}

fn step_status(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "passed",
        StepStatus::Failed => "failed",
        StepStatus::Skipped => "skipped",
        StepStatus::Unbound => "unbound",
        StepStatus::Ambiguous => "ambiguous",
    }
}

/// The status every step of a case shows when no execution lists its steps.
fn uniform_step_status(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed | Outcome::Flaky => "passed",
        Outcome::Skipped => "skipped",
        _ => "not-run",
    }
}

fn failures(inputs: &Inputs<'_>) -> Vec<FailureView> {
    let record = inputs.record;
    let anchors: BTreeMap<(&str, usize), String> = inputs
        .matrix
        .cases
        .iter()
        .enumerate()
        .map(|(i, row)| ((row.file.as_str(), row.line), case_anchor(row, i)))
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
                    .get(&(e.file.as_str(), e.line))
                    .cloned()
                    .unwrap_or_default(),
                label: match &e.case_id {
                    Some(id) => format!("{id}: {}", e.title),
                    None => e.title.clone(),
                },
                file: e.file.clone(),
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
                        keyword: s.keyword.clone(),
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

fn attachment_link(attachment: &crate::world::Attachment) -> (String, String) {
    (
        attachment.name.clone(),
        attachment.path.display().to_string(),
    )
}

fn exchange(x: &Exchange) -> ExchangeView {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let json = script_json(&["</script><!-- & -->"]);
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ["</script><!-- & -->"]);
    }

    #[test]
    fn only_web_links_become_links() {
        assert!(is_web_link("https://tracker.example/PAY-7"));
        assert!(is_web_link("HTTP://tracker.example/PAY-7"));
        assert!(!is_web_link("javascript:alert(1)"));
        assert!(!is_web_link("data:text/html,<script>"));
    }

    #[test]
    fn the_policy_allows_exactly_the_page_s_own_style_and_script() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; script-src 'sha256-"));
        assert_eq!(csp.matches("'sha256-").count(), 2);
        assert!(!csp.contains("unsafe"));
    }
}
