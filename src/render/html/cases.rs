//! The features and their cases, as the data the page's script draws from: steps with
//! their status, tables and doc strings (redacted), Examples rows with their outcomes,
//! testers' results, and the scripts (step definitions) each case runs, listed once.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::is_web_link;
use super::page::Css;
use super::requirements::case_anchor;
use crate::model::{Case, Mode, Step};
use crate::record::{ExecutionRecord, StepStatus};
use crate::render::Inputs;
use crate::trace::{Argument, CaseRow, Definition, Outcome, TraceMatrix};

#[derive(Debug, Serialize)]
pub(super) struct FeatureView {
    pub(super) anchor: String,
    pub(super) keyword: String,
    pub(super) name: String,
    pub(super) file: String,
    pub(super) description: String,
    pub(super) tags: Vec<String>,
    pub(super) background: Option<BlockView>,
    /// The Rules, with their Backgrounds.
    pub(super) rules: Vec<BlockView>,
    pub(super) cases: Vec<CaseView>,
}

/// A Background, or a Rule's heading with its Background.
#[derive(Debug, Serialize)]
pub(super) struct BlockView {
    pub(super) keyword: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) steps: Vec<StepView>,
}

#[derive(Debug, Serialize)]
pub(super) struct CaseView {
    pub(super) anchor: String,
    pub(super) id: Option<String>,
    pub(super) keyword: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) line: usize,
    /// The index of its Rule in [`FeatureView::rules`].
    pub(super) rule: Option<usize>,
    pub(super) tags: Vec<String>,
    pub(super) requirements: Vec<String>,
    pub(super) manual: bool,
    /// An automated case in the testers' queue until its script is written.
    pub(super) awaiting: bool,
    pub(super) outcome: &'static str,
    /// Testers' latest results, one per execution that has one.
    pub(super) results: Vec<ManualView>,
    pub(super) steps: Vec<StepView>,
    pub(super) examples: Vec<ExamplesView>,
    /// Indexes in [`Page::scripts`].
    pub(super) scripts: Vec<usize>,
}

/// A tester's latest result of one execution.
#[derive(Debug, Serialize)]
pub(super) struct ManualView {
    /// The Examples row, for an outline.
    pub(super) row: Option<usize>,
    /// `passed`, `failed`, `blocked`, or `stale`: the CSS class and filter value.
    pub(super) outcome: &'static str,
    /// In words, with why it is stale.
    pub(super) label: String,
    pub(super) release: String,
    pub(super) tester: String,
    pub(super) at: String,
    pub(super) actual: String,
    pub(super) defect: Option<String>,
    /// The defect as a link, when it is a web link.
    pub(super) defect_href: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct ScriptView {
    pub(super) pattern: String,
    pub(super) location: Option<String>,
}

/// A step definition and how many cases use it.
#[derive(Debug, Serialize)]
pub(super) struct ScriptRow {
    pub(super) pattern: String,
    pub(super) location: Option<String>,
    /// The file name and line, for the short references under each case.
    pub(super) short: String,
    pub(super) cases: usize,
}

/// A step. Serialized as `[keyword, text, status, table, doc_string]`: a large suite has tens
/// of thousands of steps in the page's data, and repeating five keys for each would be a
/// third of it.
#[derive(Debug)]
pub(super) struct StepView {
    pub(super) keyword: Arc<str>,
    pub(super) text: String,
    pub(super) status: &'static str,
    pub(super) table: Option<Vec<Vec<String>>>,
    pub(super) doc_string: Option<String>,
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
pub(super) struct ExamplesView {
    pub(super) keyword: String,
    pub(super) name: String,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<ExampleRowView>,
}

#[derive(Debug, Serialize)]
pub(super) struct ExampleRowView {
    pub(super) cells: Vec<String>,
    pub(super) outcome: &'static str,
}

/// Every step definition the cases use, once, sorted by pattern (each case then refers
/// to its scripts by index: at ten thousand cases, repeating them under each is most of the
/// page), with the index of each.
pub(super) fn scripts<'a>(
    inputs: &Inputs<'a>,
) -> (Vec<ScriptRow>, BTreeMap<&'a Definition, usize>) {
    let mut uses: BTreeMap<&Definition, usize> = BTreeMap::new();
    for case in &inputs.matrix.cases {
        for script in &case.script {
            *uses.entry(script).or_default() += 1;
        }
    }
    let rows = uses
        .iter()
        .map(|(script, &cases)| ScriptRow {
            pattern: script.pattern.to_string(),
            location: script.location.as_ref().map(ToString::to_string),
            // `file.rs:LINE`
            short: script.location.as_ref().map_or_else(
                || script.pattern.to_string(),
                |l| {
                    let name = l.path.file_name().unwrap_or(l.path.as_os_str());
                    format!("{}:{}", name.to_string_lossy(), l.line)
                },
            ),
            cases,
        })
        .collect();
    let index = uses.into_keys().enumerate().map(|(i, s)| (s, i)).collect();
    (rows, index)
}

/// The features and their cases as the page's data, each feature's view built only as it is
/// serialized: at ten thousand cases, the views of all at once would be most of the memory
/// a report takes.
pub(super) struct Features<'i, 'a> {
    pub(super) inputs: &'i Inputs<'a>,
    /// The index of each script in the page's list.
    pub(super) scripts: &'i BTreeMap<&'a Definition, usize>,
}

impl Serialize for Features<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(features(self.inputs, self.scripts))
    }
}

fn features<'i>(
    inputs: &'i Inputs<'_>,
    scripts: &'i BTreeMap<&Definition, usize>,
) -> impl Iterator<Item = FeatureView> + 'i {
    let mut rows = inputs.matrix.cases.iter().enumerate();
    inputs
        .suite
        .features
        .iter()
        .enumerate()
        .map(move |(index, feature)| {
            let quoted = Quoted {
                matrix: inputs.matrix,
                file: index,
            };
            let cases = feature
                .cases
                .iter()
                .map(|case| {
                    let (row_index, row) = rows.next().expect("the matrix has every case");
                    case_view(inputs, case, row, row_index, scripts, quoted)
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
                        .map(|s| step_view(s, None, "background", quoted))
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
                            .map(|s| step_view(s, None, "background", quoted))
                            .collect(),
                    })
                    .collect(),
                cases,
            }
        })
}

pub(super) fn case_view(
    inputs: &Inputs<'_>,
    case: &Case,
    row: &CaseRow,
    index: usize,
    scripts: &BTreeMap<&Definition, usize>,
    quoted: Quoted<'_>,
) -> CaseView {
    let tags: Vec<String> = case
        .effective_tags
        .iter()
        .map(|t| format!("@{t}"))
        .collect();
    CaseView {
        anchor: case_anchor(row, index),
        id: row.id.clone(),
        keyword: case.keyword.clone(),
        title: case.title.clone(),
        description: case.description.clone(),
        line: case.location.line,
        rule: case.rule,
        tags,
        requirements: row.requirements.clone(),
        manual: case.mode == Mode::Manual,
        awaiting: row.awaiting_automation,
        outcome: row.outcome.css(),
        results: manual_views(row),
        steps: own_steps(inputs, case, row, quoted),
        examples: examples_views(case, row),
        scripts: row.script.iter().map(|s| scripts[s]).collect(),
    }
}

/// A case's own steps as written, each with the status of the execution that tells most.
fn own_steps(inputs: &Inputs<'_>, case: &Case, row: &CaseRow, quoted: Quoted<'_>) -> Vec<StepView> {
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
    case.steps
        .iter()
        .map(|s| step_view(s, Some(own_status(s)), "", quoted))
        .collect()
}

/// An outline's Examples blocks, each row with its execution's outcome.
fn examples_views(case: &Case, row: &CaseRow) -> Vec<ExamplesView> {
    let mut examples_rows = row.executions.iter();
    case.examples
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
        .collect()
}

/// Testers' latest results, one per execution that has one.
fn manual_views(row: &CaseRow) -> Vec<ManualView> {
    row.executions
        .iter()
        .filter_map(|e| {
            let m = e.manual.as_ref()?;
            Some(ManualView {
                row: e.index_in_outline,
                outcome: if m.validity.is_valid() {
                    m.status.as_str()
                } else {
                    "stale"
                },
                label: m.label(),
                release: m.release.clone(),
                tester: m.tester.clone(),
                at: m.at.clone(),
                actual: m.actual.clone(),
                defect: m.defect.clone(),
                defect_href: m.defect.clone().filter(|d| is_web_link(d)),
            })
        })
        .collect()
}

/// The step arguments of one feature file as the matrix quotes them (a spec may quote a
/// password in a doc string or a table, and the report must not).
#[derive(Debug, Clone, Copy)]
pub(super) struct Quoted<'a> {
    matrix: &'a TraceMatrix,
    /// The feature file's number in the suite.
    file: usize,
}

/// A step of the suite as written, with its argument as the matrix quotes it.
pub(super) fn step_view(
    step: &Step,
    status: Option<&'static str>,
    fallback: &'static str,
    quoted: Quoted<'_>,
) -> StepView {
    let argument = quoted
        .matrix
        .arguments
        .get(&(quoted.file, step.location.line));
    let (table, doc_string) = Argument::parts(argument);
    StepView {
        keyword: step.keyword.clone(),
        text: step.text.clone(),
        status: status.unwrap_or(fallback),
        table,
        doc_string: doc_string.map(|(_, content)| content),
    }
}

pub(super) fn step_status(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "passed",
        StepStatus::Failed => "failed",
        StepStatus::Skipped => "skipped",
        StepStatus::Unbound => "unbound",
        StepStatus::Ambiguous => "ambiguous",
    }
}

/// The status every step of a case shows when no execution lists its steps.
pub(super) fn uniform_step_status(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed | Outcome::Flaky => "passed",
        Outcome::Skipped => "skipped",
        _ => "not-run",
    }
}
