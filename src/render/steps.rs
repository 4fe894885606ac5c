//! The steps of one execution as the reports show them, whatever the record kept.
//!
//! The record lists the steps of failed, unbound, ambiguous and flaky executions only: a
//! passed execution passed every step and a skipped one ran none. Reports that show every
//! step (`junit.xml`, `cucumber.json`) take those from the suite model instead, with the
//! Examples row's values in place, so that both kinds of execution read the same. The model
//! also gives what the record does not keep: data tables, doc strings, tags, Backgrounds.
//!
//! Tables and doc strings are quoted as written but for what looks like a secret (a
//! `"password": "…"` member, a `token=…` pair), masked as the run masks error messages: the
//! reports travel further than the feature files, to CI servers and test managers.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Case, Execution, Feature, Suite};
use crate::record::{ExecutionRecord, RunRecord, Status, StepStatus};
use crate::redact::Redactor;
use crate::registry::{Binding, Registry, bind_execution};
use crate::trace::ManualOutcome;

/// Where a recorded execution is in the suite.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    /// Its feature file.
    pub feature: &'a Feature,
    /// Its case.
    pub case: &'a Case,
    /// Its execution (the Examples row).
    pub execution: &'a Execution,
}

/// Finds the suite's case of each recorded execution by file, line and Examples row, as
/// the trace matrix does. A saved run re-rendered after the features changed may name a
/// case the suite no longer has: reports then show what the record has.
pub struct Index<'a> {
    /// By file, then by Scenario line and Examples row: a lookup by the record's file name
    /// needs no copy of it.
    by_file: foldhash::HashMap<String, foldhash::HashMap<(usize, Option<usize>), Located<'a>>>,
}

impl<'a> Index<'a> {
    /// Indexes every execution of the suite.
    pub fn new(suite: &'a Suite) -> Self {
        let mut by_file: foldhash::HashMap<String, foldhash::HashMap<_, _>> =
            foldhash::HashMap::default();
        for feature in &suite.features {
            let places = by_file
                .entry(feature.path.display().to_string())
                .or_default();
            for case in &feature.cases {
                for execution in &case.executions {
                    let row = execution.row.as_ref().map(|row| row.row);
                    places.insert(
                        (case.location.line, row),
                        Located {
                            feature,
                            case,
                            execution,
                        },
                    );
                }
            }
        }
        Self { by_file }
    }

    /// The suite's place of a recorded execution.
    pub fn find(&self, execution: &ExecutionRecord) -> Option<Located<'a>> {
        let row = execution.example.as_ref().map(|e| e.row);
        self.by_file
            .get(&*execution.file)?
            .get(&(execution.line, row))
            .copied()
    }
}

/// The record's executions grouped by feature file, in the record's (suite) order.
pub fn by_file(record: &RunRecord) -> Vec<&[ExecutionRecord]> {
    record
        .executions
        .chunk_by(|a, b| a.file == b.file)
        .collect()
}

/// One step as a report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownStep {
    /// The keyword as written, without trailing space.
    pub keyword: Arc<str>,
    /// The text, with the Examples row's values in place.
    pub text: String,
    /// Its line in the feature file.
    pub line: usize,
    /// Whether it comes from a Background.
    pub background: bool,
    /// Its outcome.
    pub status: StepStatus,
    /// The step definition it runs, `path:line:column`, where known.
    pub definition: Option<String>,
    /// Its data table, the Examples row's values in place.
    pub table: Option<Vec<Vec<String>>>,
    /// Its doc string and the line of its opening delimiter, the row's values in place.
    pub doc_string: Option<(usize, String)>,
}

/// Every step of `execution`: the record's when it lists them, else the suite's, passed
/// for a passed execution and skipped for any other. Without the case in the suite and
/// without steps in the record, there is nothing to show.
pub fn of(
    execution: &ExecutionRecord,
    located: Option<Located<'_>>,
    registry: Option<&Registry>,
    redactor: &Redactor,
) -> Vec<ShownStep> {
    let written = |line: usize| {
        located.and_then(|l| {
            l.case
                .all_steps()
                .find(|step| step.location.line == line)
                .map(|step| (l, step))
        })
    };
    if !execution.steps.is_empty() {
        return execution
            .steps
            .iter()
            .map(|step| {
                let written = written(step.line);
                let (table, doc_string) = written
                    .map(|(l, written)| arguments(l, written, step.background, redactor))
                    .unwrap_or_default();
                // The record names the definition of the steps that ran; a step that did
                // not run still has the one it would have run, as Cucumber shows it.
                let would_run = || {
                    let kind = written?.1.kind;
                    match registry?.bind(kind, &step.text) {
                        Binding::Bound(d) => registry?.definitions()[d].location.clone(),
                        Binding::Unbound | Binding::Ambiguous(_) => None,
                    }
                };
                ShownStep {
                    keyword: step.keyword.as_str().into(),
                    text: step.text.clone(),
                    line: step.line,
                    background: step.background,
                    status: step.status,
                    definition: step.definition.clone().or_else(would_run),
                    table,
                    doc_string,
                }
            })
            .collect();
    }
    let Some(located) = located else {
        return Vec::new();
    };
    let status = match execution.status {
        Status::Passed | Status::Flaky => StepStatus::Passed,
        _ => StepStatus::Skipped,
    };
    let case = located.case;
    let background = case.background.iter().map(|step| (step, true));
    let own = case.steps.iter().map(|step| (step, false));
    let bindings = registry.map(|registry| bind_execution(registry, case, located.execution));
    background
        .chain(own)
        .enumerate()
        .map(|(i, (step, background))| {
            let definition =
                registry
                    .zip(bindings.as_ref())
                    .and_then(|(registry, b)| match &b[i].binding {
                        Binding::Bound(d) => registry.definitions()[*d].location.clone(),
                        Binding::Unbound | Binding::Ambiguous(_) => None,
                    });
            let (table, doc_string) = arguments(located, step, background, redactor);
            ShownStep {
                keyword: step.keyword.clone(),
                text: substitute(located, &step.text, background),
                line: step.location.line,
                background,
                status,
                definition,
                table,
                doc_string,
            }
        })
        .collect()
}

/// The redactor of the configuration the reports are rendered with.
pub fn redactor(config: &crate::config::Config) -> Redactor {
    // Compiled once, when the configuration was read; a clone shares its regexes.
    config.run.redactor.clone()
}

/// Gherkin fills an outline's placeholders in the scenario's own steps, their tables and
/// doc strings included; Background steps are taken as written.
fn substitute(located: Located<'_>, text: &str, background: bool) -> String {
    match (&located.execution.row, background) {
        (Some(row), false) => row.substitute(text),
        _ => text.to_owned(),
    }
}

type Arguments = (Option<Vec<Vec<String>>>, Option<(usize, String)>);

fn arguments(
    located: Located<'_>,
    step: &crate::model::Step,
    background: bool,
    redactor: &Redactor,
) -> Arguments {
    let table = step.table.as_ref().map(|table| {
        table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| redactor.text(&substitute(located, cell, background)))
                    .collect()
            })
            .collect()
    });
    let doc_string = step.doc_string.as_ref().map(|doc| {
        (
            doc.location.line,
            redactor.text(&substitute(located, &doc.content, background)),
        )
    });
    (table, doc_string)
}

/// An execution a tester answers for, in the reports: every execution of a manual case, and
/// every execution of a case awaiting automation that the run did not include but a tester
/// answered. With where it is in the suite, its matrix row and its outcome, in suite order.
pub fn manual_executions<'a>(
    inputs: &'a super::Inputs<'a>,
) -> impl Iterator<
    Item = (
        Located<'a>,
        &'a crate::trace::CaseRow,
        &'a crate::trace::ExecutionOutcome,
    ),
> + 'a {
    inputs
        .suite
        .cases()
        .zip(&inputs.matrix.cases)
        .flat_map(|((feature, case), row)| {
            case.executions
                .iter()
                .zip(&row.executions)
                .filter(move |(_, outcome)| {
                    let answered_by_hand = row.awaiting_automation
                        && outcome.record.is_none()
                        && outcome.manual.is_some();
                    case.mode == crate::model::Mode::Manual || answered_by_hand
                })
                .map(move |(execution, outcome)| {
                    let located = Located {
                        feature,
                        case,
                        execution,
                    };
                    (located, row, outcome)
                })
        })
}

/// Testers' results of executions the run has too: a case awaiting automation that the run
/// included (and recorded as unbound) while a tester checked it by hand. The reports show
/// both, the run's outcome and the tester's word.
pub struct TesterResults<'a>(HashMap<(&'a str, usize, Option<usize>), &'a ManualOutcome>);

impl<'a> TesterResults<'a> {
    /// Collects them from the matrix.
    pub fn new(matrix: &'a crate::trace::TraceMatrix) -> Self {
        let results = matrix
            .cases
            .iter()
            .flat_map(|case| {
                case.executions.iter().filter_map(move |e| {
                    let manual = e.manual.as_deref().filter(|_| e.record.is_some())?;
                    Some(((&*case.file, case.line, e.row), manual))
                })
            })
            .collect();
        Self(results)
    }

    /// The tester's result of a recorded execution, if there is one.
    pub fn of(&self, execution: &ExecutionRecord) -> Option<&'a ManualOutcome> {
        let row = execution.example.as_ref().map(|x| x.row);
        self.0
            .get(&(&*execution.file, execution.line, row))
            .copied()
    }
}
