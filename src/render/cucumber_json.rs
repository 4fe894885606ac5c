//! `cucumber.json`: the run in the Cucumber JSON format that Cucumber-JVM, cucumber-js and
//! cucumber-rs write, for Xray's Cucumber import, Jenkins's Cucumber reports and the other
//! tools that read it.
//!
//! An array of features (one per feature file with executions, its `uri`, `id`, keyword,
//! name, description, line and tags), each with its elements as Cucumber writes them: for
//! every execution, a `background` element with the Background steps (when there are any),
//! then a `scenario` element (id `feature-id;scenario-id`, with the Examples block and row for
//! an outline; the name with the row's values in place; every tag that applies, with its
//! line) with the case's own steps. A step has its keyword with the trailing space Cucumber
//! keeps, its text, line, `match.location` (the step definition's `path:line:column`, where
//! known), `result.status` (`passed`, `failed`, `skipped`, `undefined` for a step without a
//! definition, `ambiguous`), `result.error_message` for the failing or ambiguous step, its
//! `rows` or `doc_string`, and `embeddings`: the execution's attachments, base64, on its
//! failing step.
//!
//! A step that ran carries its `result.duration` in nanoseconds, from the record's step
//! durations (microseconds), as Cucumber's report tools read it. A passed execution lists no steps in the record: they come
//! from the suite, passed; a skipped one's are skipped. Manual cases are there too, as
//! scenarios with the tester's latest result (see `manual_features`).
//!
//! Beyond the canonical schema of cucumber/cucumber-json-schema, which describes what its
//! converter normalises documents to rather than what any Cucumber writes, the document has
//! what every major implementation writes: a bare array at the top, `embeddings` on steps, and
//! the `ambiguous` status.

use std::io::{self, Write};

use base64::Engine as _;
use serde::Serialize;
use serde::Serializer as _;

use super::steps::{self, Located, Place, ShownStep};
use super::{AttachmentFiles, Inputs};
use crate::model::Tag as ModelTag;
use crate::record::{ExecutionRecord, RunRecord, StepStatus};

/// Renders `cucumber.json` into `out`, embedding the attachments [`Inputs::attachments`]
/// holds; one that is missing is left out. Each feature is built as it is written, so a run
/// of ten thousand cases never holds the whole document in memory.
pub fn cucumber_json(inputs: &Inputs<'_>, out: &mut dyn Write) -> io::Result<()> {
    let index = steps::Index::new(inputs.suite, inputs.matrix);
    let files = files(inputs, &index);
    let features = files.iter().map(|file| feature(inputs, &index, file));
    // Compact: the readers are tools, and indentation would be half of a large file.
    let mut out = super::buffered(out);
    let mut serializer = serde_json::Serializer::new(&mut out);
    serializer.collect_seq(features)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The executions of one feature file, in the matrix's (suite) order.
struct File<'a> {
    /// The feature, when the suite still has the file.
    feature: Option<&'a crate::model::Feature>,
    executions: Vec<Place>,
}

/// Every feature file with executions ([`steps::by_file`]).
fn files<'a>(inputs: &Inputs<'a>, index: &steps::Index<'a>) -> Vec<File<'a>> {
    steps::by_file(index, inputs.record)
        .into_iter()
        .map(|(file, executions)| File {
            feature: file.map(|number| &inputs.suite.features[number]),
            executions,
        })
        .collect()
}

/// One feature of the document, with its executions' elements.
fn feature(inputs: &Inputs<'_>, index: &steps::Index<'_>, file: &File<'_>) -> Feature {
    let record = inputs.record;
    let first = file.executions.iter().find_map(|place| match place {
        Place::Run(i) => Some(&record.executions[*i]),
        Place::Manual(..) => None,
    });
    let name = file.feature.map_or_else(
        || first.map_or("", |e| &*e.feature).to_owned(),
        |f| f.name.clone(),
    );
    let uri = file.feature.map_or_else(
        || first.map_or(String::new(), |e| e.file.to_string()),
        |f| f.path.display().to_string(),
    );
    let id = slug(&name);
    let mut elements = Vec::new();
    for place in &file.executions {
        match *place {
            Place::Run(i) => elements.extend(run_elements(inputs, index, &id, i)),
            Place::Manual(case, at) => {
                elements.extend(manual_elements(inputs, index.at(case, at), &id));
            }
        }
    }
    let feature = file.feature;
    Feature {
        uri,
        id,
        keyword: feature.map_or("Feature", |f| f.keyword.as_str()).to_owned(),
        name,
        description: feature.map_or(String::new(), |f| f.description.clone()),
        line: feature.map_or(1, |f| f.location.line),
        tags: feature.map_or_else(Vec::new, |f| tags(&f.tags)),
        elements,
    }
}

/// The elements of execution `at` of the run, with a tester's result when there is one.
fn run_elements(
    inputs: &Inputs<'_>,
    index: &steps::Index<'_>,
    feature_id: &str,
    at: usize,
) -> Vec<Element> {
    let execution = &inputs.record.executions[at];
    let located = index.find(at);
    let shown = steps::of(execution, located, inputs.matrix);
    let mut elements = self::elements(
        feature_id,
        execution,
        located,
        shown,
        inputs.record,
        inputs.attachments,
    );
    let tester = located.and_then(|l| l.tester_result());
    let said = match (&inputs.record.selection.impact, tester) {
        (Some(impact), _) if execution.skipped_by_impact => Some(impact.skipped_note()),
        (_, Some(m)) => Some(m.in_full().trim_end().to_owned()),
        _ => None,
    };
    if let (Some(said), Some(scenario)) = (said, elements.last_mut()) {
        if !scenario.description.is_empty() {
            scenario.description.push_str("\n\n");
        }
        scenario.description.push_str(&said);
    }
    elements
}

/// The elements of an execution a tester answers for, as a Cucumber would have written it
/// had it run: passed, every step passed; failed, the steps passed up to the first expected
/// result, which failed with the tester's actual result; blocked, stale or not run, every
/// step skipped. Each carries the manual tag, and its description ends with the result.
fn manual_elements(inputs: &Inputs<'_>, located: Located<'_>, feature_id: &str) -> Vec<Element> {
    let record = manual_record(located);
    let shown = steps::of(&record, Some(located), inputs.matrix);
    let mut elements = self::elements(
        feature_id,
        &record,
        Some(located),
        shown,
        inputs.record,
        inputs.attachments,
    );
    let manual_tag = format!("@{}", inputs.config.tags.manual);
    if let Some(scenario) = elements.last_mut() {
        if !scenario.tags.iter().any(|t| t.name == manual_tag) {
            scenario.tags.push(Tag {
                name: manual_tag,
                line: located.case.location.line,
            });
        }
        let said = match &located.outcome.manual {
            Some(m) => m.in_full().trim_end().to_owned(),
            None => format!(
                "manual result: not run for release {}",
                inputs
                    .matrix
                    .manual_release
                    .as_deref()
                    .unwrap_or(crate::manual::UNRELEASED)
            ),
        };
        if !scenario.description.is_empty() {
            scenario.description.push_str("\n\n");
        }
        scenario.description.push_str(&said);
    }
    elements
}

/// A manual execution in the form of the run's records, so that it renders as they do.
fn manual_record(located: Located<'_>) -> ExecutionRecord {
    let (feature, case, execution) = (located.feature, located.case, located.execution);
    let row = located.row;
    let outcome = located.outcome;
    use crate::record::{ExampleRef, Failure, Status, StepRecord};
    use crate::trace::Outcome;
    let status = match outcome.outcome {
        Outcome::Passed => Status::Passed,
        Outcome::Failed => Status::Failed,
        _ => Status::Skipped,
    };
    let mut steps = Vec::new();
    let mut failure = None;
    if status == Status::Failed {
        let all: Vec<_> = case.steps_of(execution).collect();
        let failing = all
            .iter()
            .position(|s| !s.background && s.step.kind == crate::model::StepKind::Then)
            .unwrap_or(all.len().saturating_sub(1));
        for (i, concrete) in all.iter().enumerate() {
            let (step, background) = (concrete.step, &concrete.background);
            let text = concrete.text().into_owned();
            let step_status = match i.cmp(&failing) {
                std::cmp::Ordering::Less => StepStatus::Passed,
                std::cmp::Ordering::Equal => StepStatus::Failed,
                std::cmp::Ordering::Greater => StepStatus::Skipped,
            };
            if step_status == StepStatus::Failed {
                let m = outcome.manual.as_ref();
                failure = Some(Box::new(Failure {
                    step: format!("{} {text}", step.keyword),
                    line: step.location.line,
                    error: format!(
                        "failed by hand{}{}",
                        m.map(|m| format!(" ({}, {})", m.tester, m.at))
                            .unwrap_or_default(),
                        m.filter(|m| !m.actual.is_empty())
                            .map(|m| format!(": {}", m.actual))
                            .unwrap_or_default()
                    ),
                    definition: None,
                    exchange: None,
                }));
            }
            steps.push(StepRecord {
                keyword: step.keyword.to_string(),
                text,
                line: step.location.line,
                background: *background,
                status: step_status,
                definition: None,
            });
        }
    }
    ExecutionRecord {
        case_id: row.id.clone(),
        title: row.title.clone(),
        feature: feature.name.as_str().into(),
        file: row.file.clone(),
        line: row.line,
        example: execution.row.as_ref().map(|r| ExampleRef {
            index_in_outline: r.index_in_outline,
            line: r.location.line,
            values: r.values.clone(),
        }),
        requirements: execution.requirements.iter().map(|r| r.0.clone()).collect(),
        status,
        attempts: 0,
        duration_ms: 0,
        steps,
        failure,
        attachments: Vec::new(),
        skipped_by_impact: false,
        step_durations_us: Vec::new(),
    }
}

#[derive(Debug, Serialize)]
struct Feature {
    uri: String,
    id: String,
    keyword: String,
    name: String,
    description: String,
    line: usize,
    tags: Vec<Tag>,
    elements: Vec<Element>,
}

#[derive(Debug, Serialize)]
struct Tag {
    name: String,
    line: usize,
}

#[derive(Debug, Serialize)]
struct Element {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    keyword: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    description: String,
    line: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Tag>,
    steps: Vec<Step>,
}

#[derive(Debug, Serialize)]
struct Step {
    keyword: String,
    name: String,
    line: usize,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    matched: Option<Match>,
    result: StepResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<Vec<Row>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    doc_string: Option<DocString>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    embeddings: Vec<Embedding>,
}

#[derive(Debug, Serialize)]
struct Match {
    location: String,
}

#[derive(Debug, Serialize)]
struct StepResult {
    status: &'static str,
    /// Nanoseconds, as Cucumber writes it; absent for a step that did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

#[derive(Debug, Serialize)]
struct Row {
    cells: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DocString {
    value: String,
    line: usize,
}

#[derive(Debug, Serialize)]
struct Embedding {
    data: String,
    mime_type: String,
    name: String,
}

/// The elements of one execution: its Background's, then its scenario's.
fn elements(
    feature_id: &str,
    execution: &ExecutionRecord,
    located: Option<Located<'_>>,
    shown: Vec<ShownStep>,
    record: &RunRecord,
    attachments: &AttachmentFiles,
) -> Vec<Element> {
    let mut steps: Vec<(bool, Step)> = shown
        .into_iter()
        .enumerate()
        .map(|(index, step)| {
            let duration = execution.step_durations_us.get(index).copied();
            (
                step.background,
                self::step(step, duration, execution, record),
            )
        })
        .collect();
    embed(&mut steps, execution, attachments);
    let (background, own): (Vec<_>, Vec<_>) = steps.into_iter().partition(|(bg, _)| *bg);
    let mut elements = Vec::new();
    if !background.is_empty() {
        let steps = background.into_iter().map(|(_, step)| step).collect();
        elements.push(background_element(located, steps));
    }
    let (id, name) = scenario_id_and_name(feature_id, execution, located);
    elements.push(Element {
        id: Some(id),
        keyword: located
            .map_or("Scenario", |l| l.case.keyword.as_str())
            .to_owned(),
        kind: "scenario",
        name,
        description: located.map_or(String::new(), |l| l.case.description.clone()),
        // Cucumber places an outline's scenario at its Examples row.
        line: execution
            .example
            .as_ref()
            .map_or(execution.line, |e| e.line),
        tags: located.map_or_else(Vec::new, scenario_tags),
        steps: own.into_iter().map(|(_, step)| step).collect(),
    });
    elements
}

/// Embeds an execution's attachments in its steps.
fn embed(steps: &mut [(bool, Step)], execution: &ExecutionRecord, attachments: &AttachmentFiles) {
    // Cucumber embeds an attachment in the step that was running when it was made; the
    // record keeps them by execution, made when it failed: they go to the failing step.
    let embeddings: Vec<Embedding> = execution
        .attachments
        .iter()
        .filter_map(|attachment| {
            let bytes = attachments.get(&attachment.path)?;
            Some(Embedding {
                data: base64::engine::general_purpose::STANDARD.encode(bytes),
                mime_type: attachment.media_type.clone(),
                name: attachment.name.clone(),
            })
        })
        .collect();
    if !embeddings.is_empty() {
        let target = steps
            .iter()
            .rposition(|(_, s)| s.result.status == "failed")
            .or(steps.len().checked_sub(1));
        if let Some(i) = target {
            steps[i].1.embeddings = embeddings;
        }
    }
}

/// The `background` element of an execution's Background steps: the Feature's Background,
/// or the Rule's when the Feature has none.
fn background_element(located: Option<Located<'_>>, steps: Vec<Step>) -> Element {
    let written = located.and_then(|l| {
        l.feature.background.as_ref().or_else(|| {
            l.case
                .rule
                .and_then(|r| l.feature.rules.get(r))
                .and_then(|rule| rule.background.as_ref())
        })
    });
    Element {
        id: None,
        keyword: written
            .map_or("Background", |b| b.keyword.as_str())
            .to_owned(),
        kind: "background",
        name: String::new(),
        description: String::new(),
        line: written.map_or(steps[0].line, |b| b.location.line),
        tags: Vec::new(),
        steps,
    }
}

/// A scenario element's id and name: Cucumber names an outline's scenario with the row's
/// values in place, and identifies it by its Examples block and its row in that table (the
/// header being row 1).
fn scenario_id_and_name(
    feature_id: &str,
    execution: &ExecutionRecord,
    located: Option<Located<'_>>,
) -> (String, String) {
    let mut id = format!("{feature_id};{}", slug(&execution.title));
    let mut name = execution.title.clone();
    if let Some(l) = located {
        if let Some(row) = &l.execution.row {
            name = row.substitute(&l.case.title);
            let examples = &l.case.examples[row.block];
            id = format!("{id};{};{}", slug(&examples.name), row.row_in_block + 1);
        }
    } else if let Some(example) = &execution.example {
        id = format!("{id};;{}", example.index_in_outline + 1);
    }
    (id, name)
}

/// A step of the document; `duration` is its time in microseconds, when the record has it.
fn step(
    step: ShownStep,
    duration: Option<u32>,
    execution: &ExecutionRecord,
    record: &RunRecord,
) -> Step {
    let (status, error_message) = match step.status {
        StepStatus::Passed => ("passed", None),
        StepStatus::Skipped => ("skipped", None),
        StepStatus::Failed => (
            "failed",
            Some(
                execution
                    .failure
                    .as_ref()
                    .filter(|f| f.line == step.line)
                    .map_or_else(|| "failed".to_owned(), |f| f.error.clone()),
            ),
        ),
        // Cucumber's word for a step without a definition.
        StepStatus::Unbound => ("undefined", None),
        StepStatus::Ambiguous => {
            let definitions: Vec<String> = record
                .ambiguous_steps
                .iter()
                .find(|a| a.text == step.text)
                .map(|a| {
                    a.definitions
                        .iter()
                        .map(|d| {
                            format!(
                                "{} ({})",
                                d.display_pattern(),
                                d.location_text().as_deref().unwrap_or("unknown place")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                "ambiguous",
                Some(format!(
                    "several step definitions match: {}",
                    definitions.join(", ")
                )),
            )
        }
    };
    Step {
        // Cucumber keeps the keyword's trailing space: `"Given "`.
        keyword: format!("{} ", step.keyword),
        name: step.text,
        line: step.line,
        matched: step.definition.map(|location| Match { location }),
        result: StepResult {
            status,
            duration: duration
                .filter(|_| matches!(step.status, StepStatus::Passed | StepStatus::Failed))
                .map(|micros| u64::from(micros) * 1000),
            error_message,
        },
        rows: step.table.map(|rows| {
            rows.into_iter()
                .map(|cells| Row { cells })
                .collect::<Vec<_>>()
        }),
        doc_string: step
            .doc_string
            .map(|(line, value)| DocString { value, line }),
        embeddings: Vec::new(),
    }
}

/// Every tag that applies to an execution, with the line it is written on: the Feature's,
/// the Rule's, the Scenario's and its Examples block's, as Cucumber lists a scenario's tags.
fn scenario_tags(located: Located<'_>) -> Vec<Tag> {
    let l = located;
    let rule = l.case.rule.and_then(|r| l.feature.rules.get(r));
    let examples = l
        .execution
        .row
        .as_ref()
        .and_then(|row| l.case.examples.get(row.block));
    let mut all = tags(&l.feature.tags);
    all.extend(rule.map_or_else(Vec::new, |r| tags(&r.tags)));
    all.extend(tags(&l.case.tags));
    all.extend(examples.map_or_else(Vec::new, |e| tags(&e.tags)));
    all
}

fn tags(tags: &[ModelTag]) -> Vec<Tag> {
    tags.iter()
        .map(|tag| Tag {
            name: format!("@{}", tag.name),
            line: tag.location.line,
        })
        .collect()
}

/// A name as Cucumber turns it into an id: lower case, each run of white space a `-`.
fn slug(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lower_case_with_dashes() {
        assert_eq!(
            slug("A failure  with\teverything"),
            "a-failure-with-everything"
        );
    }
}
