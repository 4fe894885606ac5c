//! The steps of one execution as the reports show them, whatever the record kept: a view
//! of the record, the matrix and the suite, which neither binds nor masks anything itself.
//!
//! The record lists the steps of failed, unbound, ambiguous and flaky executions only: a
//! passed execution passed every step and a skipped one ran none. Reports that show every
//! step (`junit.xml`, `cucumber.json`) take those from the execution's pickle steps
//! ([`Case::steps_of`]) instead, so that both kinds of execution read the same. The matrix
//! gives each step's definition and its table or doc string, secrets masked.

use std::sync::Arc;

use crate::model::{Case, ConcreteStep, Execution, Feature, Mode, Suite};
use crate::record::{ExecutionRecord, RunRecord, Status, StepStatus};
use crate::trace::{
    Argument, ArgumentParts, CaseRow, ExecutionOutcome, ManualOutcome, TraceMatrix,
};

/// Where an execution is in the suite and in the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    /// Its feature file.
    pub feature: &'a Feature,
    /// The number of its feature file in [`Suite::features`].
    pub file: usize,
    /// Its case.
    pub case: &'a Case,
    /// Its execution (the Examples row).
    pub execution: &'a Execution,
    /// Its case's row in the matrix.
    pub row: &'a CaseRow,
    /// Its outcome in the matrix, with its steps' definitions and arguments.
    pub outcome: &'a ExecutionOutcome,
}

impl<'a> Located<'a> {
    /// A tester's result of an execution the run has too: a case awaiting automation that
    /// the run included (and recorded as unbound) while a tester checked it by hand. The
    /// reports show both, the run's outcome and the tester's word.
    pub fn tester_result(&self) -> Option<&'a ManualOutcome> {
        let outcome = self.outcome;
        outcome
            .manual
            .as_deref()
            .filter(|_| outcome.record.is_some())
    }
}

/// The suite's cases by their number in the matrix, to find where the matrix put each
/// recorded execution. A saved run re-rendered after the features changed may name a case
/// the suite no longer has: reports then show what the record has.
pub struct Index<'a> {
    cases: Vec<(usize, &'a Feature, &'a Case)>,
    matrix: &'a TraceMatrix,
}

impl<'a> Index<'a> {
    /// Numbers every case of the suite as the matrix does.
    pub fn new(suite: &'a Suite, matrix: &'a TraceMatrix) -> Self {
        Self {
            cases: suite.numbered_cases().collect(),
            matrix,
        }
    }

    /// The number of the feature file of case number `case`.
    pub fn file_of(&self, case: usize) -> usize {
        self.cases[case].0
    }

    /// Where execution `index` of the record is.
    pub fn find(&self, index: usize) -> Option<Located<'a>> {
        let (case, execution) = (*self.matrix.places.get(index)?)?;
        Some(self.at(case, execution))
    }

    /// Execution `execution` of case number `case`.
    pub fn at(&self, case: usize, execution: usize) -> Located<'a> {
        let (file, feature, written) = self.cases[case];
        let row = &self.matrix.cases[case];
        Located {
            feature,
            file,
            case: written,
            execution: &written.executions[execution],
            row,
            outcome: &row.executions[execution],
        }
    }
}

/// Where an entry of a report comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The run, by its index in the record.
    Run(usize),
    /// A tester: (case number, execution index) in the matrix.
    Manual(usize, usize),
}

/// What a report lists, by feature file: the run's and the testers' executions in the
/// matrix's (suite) order, then the record's executions the suite no longer has (a saved run
/// re-rendered after the features changed), grouped by their file. Each group has the number
/// of its feature in the suite, when it has one.
pub fn by_file(index: &Index<'_>, record: &RunRecord) -> Vec<(Option<usize>, Vec<Place>)> {
    let matrix = index.matrix;
    let mut files: Vec<(Option<usize>, Vec<Place>)> = Vec::new();
    for (number, row) in matrix.cases.iter().enumerate() {
        for (at, outcome) in row.executions.iter().enumerate() {
            let place = match outcome.record {
                Some(i) => Place::Run(i),
                None if answered_by_hand(row, outcome) => Place::Manual(number, at),
                None => continue,
            };
            let file = Some(index.file_of(number));
            match files.last_mut() {
                Some((last, places)) if *last == file => places.push(place),
                _ => files.push((file, vec![place])),
            }
        }
    }
    let mut unplaced: Vec<(Option<usize>, Vec<Place>)> = Vec::new();
    for i in (0..record.executions.len()).filter(|&i| index.find(i).is_none()) {
        let file = &record.executions[i].file;
        let same_file = |places: &[Place]| match places.last() {
            Some(Place::Run(last)) => record.executions[*last].file == *file,
            _ => false,
        };
        match unplaced.last_mut() {
            Some((_, places)) if same_file(places) => places.push(Place::Run(i)),
            _ => unplaced.push((None, vec![Place::Run(i)])),
        }
    }
    files.extend(unplaced);
    files
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
    matrix: &TraceMatrix,
) -> Vec<ShownStep> {
    if !execution.steps.is_empty() {
        return execution
            .steps
            .iter()
            .map(|step| {
                let at = located.and_then(|l| {
                    let index = l.case.steps_of(l.execution).position(|s| {
                        s.step.location.line == step.line && s.background == step.background
                    })?;
                    Some((l, index))
                });
                let (table, doc_string) = at
                    .map(|(l, index)| arguments(matrix, l, index, step.line))
                    .unwrap_or_default();
                // The record names the definition of the steps that ran; a step that did
                // not run still has the one it would have run, as Cucumber shows it.
                let would_run = || at.and_then(|(l, index)| definition(matrix, l, index));
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
    located
        .case
        .steps_of(located.execution)
        .enumerate()
        .map(|(index, step)| shown(matrix, located, index, &step, status))
        .collect()
}

/// Every step of a located execution as written for a tester: no status of its own.
pub fn written(located: Located<'_>, matrix: &TraceMatrix) -> Vec<ShownStep> {
    located
        .case
        .steps_of(located.execution)
        .enumerate()
        .map(|(index, step)| shown(matrix, located, index, &step, StepStatus::Skipped))
        .collect()
}

/// Step `index` of a located execution, with `status`.
fn shown(
    matrix: &TraceMatrix,
    located: Located<'_>,
    index: usize,
    step: &ConcreteStep<'_>,
    status: StepStatus,
) -> ShownStep {
    let line = step.step.location.line;
    let (table, doc_string) = arguments(matrix, located, index, line);
    ShownStep {
        keyword: step.step.keyword.clone(),
        text: step.text().into_owned(),
        line,
        background: step.background,
        status,
        definition: definition(matrix, located, index),
        table,
        doc_string,
    }
}

/// The definition step `index` of a located execution binds to.
fn definition(matrix: &TraceMatrix, located: Located<'_>, index: usize) -> Option<String> {
    // A tester's execution (a manual case's, or one the run left out) ran no definition.
    if located.case.mode == Mode::Manual || located.outcome.record.is_none() {
        return None;
    }
    let definition = (*located.outcome.definitions.get(index)?)?;
    matrix.definitions[definition].location_text()
}

/// The argument of step `index` (at `line`) of a located execution, as the matrix keeps it.
fn arguments(
    matrix: &TraceMatrix,
    located: Located<'_>,
    index: usize,
    line: usize,
) -> ArgumentParts {
    let changed = located.outcome.arguments.iter().find(|(i, _)| *i == index);
    let argument = changed
        .map(|(_, argument)| argument)
        .or_else(|| matrix.arguments.get(&(located.file, line)));
    Argument::parts(argument)
}

/// Whether the reports show an execution as a tester's: every execution of a manual case,
/// and one of a case awaiting automation that the run did not include but a tester answered.
pub fn answered_by_hand(row: &CaseRow, outcome: &ExecutionOutcome) -> bool {
    let awaiting = row.awaiting_automation && outcome.record.is_none() && outcome.manual.is_some();
    row.mode == Mode::Manual || awaiting
}
