//! Stage: trace — suite + catalog + bindings + run record + manual results → the
//! [`TraceMatrix`].
//!
//! Pure data: requirement → cases → scripts (the step definitions each case uses) → the
//! latest outcome of every execution (the runner's, or a tester's for manual cases and for
//! automated cases awaiting automation), with counts per requirement rolled up through the
//! `parent` hierarchy and a status that answers the three questions of a release review:
//! which requirements are covered, which cases are automated and which manual, which failed.
//! Every report is a view of this matrix and the run record.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::catalog::{Catalog, Risk};
use crate::manual::{self, Ledger, Validity};
use crate::model::{Case, ConcreteStep, Execution, Feature, Mode, Suite};
use crate::record::{RunRecord, Status};
use crate::redact::Redactor;
use crate::registry::{Binding, Bindings};

/// The version of the matrix's serialized form.
pub const FORMAT_VERSION: u32 = 1;

/// The traceability matrix of one run.
#[derive(Debug, Clone, Serialize)]
pub struct TraceMatrix {
    /// The version of this format.
    pub format_version: u32,
    /// Every catalog requirement in catalog order, then requirement IDs tagged on cases but
    /// missing from the catalog.
    pub requirements: Vec<RequirementRow>,
    /// Every case of the suite, in suite order.
    pub cases: Vec<CaseRow>,
    /// The suite's totals.
    pub totals: Totals,
    /// The release whose manual results count (`None` when none were read).
    pub manual_release: Option<String>,
    /// Every step definition as cases show it; executions name them by index.
    #[serde(skip)]
    pub definitions: Vec<Definition>,
    /// The data table or doc string of every step of the suite that has one, as written
    /// (placeholders and all) but masked, by its feature file's number and its line.
    #[serde(skip)]
    pub arguments: foldhash::HashMap<(usize, usize), Argument>,
    /// Where each execution of the record is: (index in `cases`, index in its executions).
    #[serde(skip)]
    pub places: Vec<Option<(usize, usize)>>,
}

/// A step's data table or doc string as reports quote it: an outline's Examples row values
/// in place, and what looks like a secret (a `"password": "…"` member, a `token=…` pair)
/// masked as the run masks error messages, since reports travel further than the feature
/// files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Argument {
    /// A data table, cell by cell.
    Table(Vec<Vec<String>>),
    /// A doc string and the line of its opening delimiter.
    DocString(usize, String),
}

/// A step's table (cells by row) and doc string (its line and content), as reports keep
/// them: one of the two, or neither.
pub type ArgumentParts = (Option<Vec<Vec<String>>>, Option<(usize, String)>);

impl Argument {
    /// The table and the doc string (line and content), one of them `None`: as reports
    /// keep a step's arguments.
    pub fn parts(argument: Option<&Self>) -> ArgumentParts {
        match argument {
            Some(Argument::Table(rows)) => (Some(rows.clone()), None),
            Some(Argument::DocString(line, content)) => (None, Some((*line, content.clone()))),
            None => (None, None),
        }
    }

    /// The argument of `step` (none, when it has neither), masked by `redactor`.
    fn of(step: &ConcreteStep<'_>, redactor: &Redactor) -> Option<Self> {
        if let Some(table) = step.table() {
            let masked = table
                .iter()
                .map(|row| row.iter().map(|cell| redactor.text(cell)).collect())
                .collect();
            return Some(Argument::Table(masked));
        }
        let doc = step.step.doc_string.as_ref()?;
        let content = step.doc_string()?;
        Some(Argument::DocString(
            doc.location.line,
            redactor.text(&content),
        ))
    }
}

/// How a requirement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementStatus {
    /// A critical requirement has no automated case.
    PolicyViolation,
    /// A case covering it failed, or has a step without exactly one definition.
    Failing,
    /// No case covers it.
    Uncovered,
    /// Some covering executions were not run (manual, not selected, skipped).
    Partial,
    /// No covering execution ran or has a result in this run (all manual without one, not
    /// selected, or skipped, as change-based selection skips): never passing.
    NotRun,
    /// Every covering execution passed.
    Passing,
}

impl RequirementStatus {
    /// The words reports show.
    pub fn label(self) -> &'static str {
        match self {
            RequirementStatus::PolicyViolation => "policy violation",
            RequirementStatus::Failing => "failing",
            RequirementStatus::Uncovered => "uncovered",
            RequirementStatus::Partial => "partial",
            RequirementStatus::NotRun => "not run",
            RequirementStatus::Passing => "passing",
        }
    }
}

/// Counts over the cases covering a requirement (or over the suite).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cases.
    pub cases: usize,
    /// Automated cases.
    pub automated: usize,
    /// Manual cases.
    pub manual: usize,
    /// Executions that passed (flaky ones included).
    pub passed: usize,
    /// Executions that failed.
    pub failed: usize,
    /// Executions with an unbound or ambiguous step.
    pub unbound: usize,
    /// Executions not run: manual without a valid result, not selected, or skipped.
    pub not_run: usize,
    /// Of `not_run`, manual executions a tester found blocked.
    pub blocked: usize,
    /// Of `not_run`, manual executions whose result is stale (another release, or the case
    /// changed since).
    pub stale: usize,
}

impl Counts {
    /// Counts a case and every execution of it.
    fn add_case(&mut self, case: &CaseRow) {
        self.add(case, case.executions.iter());
    }

    /// Counts a case and those of its executions that `executions` names: a requirement
    /// tagged on one Examples block is proved by that block's rows only.
    fn add<'r>(&mut self, case: &CaseRow, executions: impl Iterator<Item = &'r ExecutionOutcome>) {
        self.cases += 1;
        match case.mode {
            Mode::Automated => self.automated += 1,
            Mode::Manual => self.manual += 1,
        }
        for execution in executions {
            match execution.outcome {
                Outcome::Passed | Outcome::Flaky => self.passed += 1,
                Outcome::Failed => self.failed += 1,
                Outcome::Unbound | Outcome::Ambiguous => self.unbound += 1,
                Outcome::Skipped | Outcome::NotRun => self.not_run += 1,
                Outcome::Blocked => {
                    self.not_run += 1;
                    self.blocked += 1;
                }
                Outcome::Stale => {
                    self.not_run += 1;
                    self.stale += 1;
                }
            }
        }
    }
}

/// One requirement and what proves it.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementRow {
    /// Its ID.
    pub id: String,
    /// Its title (empty for an ID that is not in the catalog).
    pub title: String,
    /// Its risk (`None` for an ID that is not in the catalog).
    pub risk: Option<Risk>,
    /// Where it is tracked.
    pub link: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// Its parent requirement.
    pub parent: Option<String>,
    /// How deep it sits in the hierarchy (0 for a top-level requirement).
    pub depth: usize,
    /// Whether the catalog has it.
    pub in_catalog: bool,
    /// Indexes in [`TraceMatrix::cases`] of the cases tagged with it directly.
    pub direct_cases: Vec<usize>,
    /// Indexes of the cases that cover it or any requirement below it.
    pub cases: Vec<usize>,
    /// The executions that prove it or a requirement below it, as (index in
    /// [`TraceMatrix::cases`], index in that case's executions): those whose own
    /// requirements, Examples tags included, name it or a descendant.
    pub executions: Vec<(usize, usize)>,
    /// Counts over `cases`, of the executions in `executions`.
    pub counts: Counts,
    /// Its status.
    pub status: RequirementStatus,
}

impl TraceMatrix {
    /// How many automated cases have a whole script: every step bound to exactly one
    /// definition.
    pub fn scripted_cases(&self) -> usize {
        self.cases
            .iter()
            .filter(|case| case.mode == Mode::Automated && !case.unbound)
            .count()
    }
}

impl RequirementRow {
    /// How the case at `index` in `cases` stands for this requirement: the worst outcome of
    /// its executions that prove it.
    pub fn outcome_of(&self, cases: &[CaseRow], index: usize) -> Outcome {
        worst(
            self.executions
                .iter()
                .filter(|&&(case, _)| case == index)
                .map(|&(case, execution)| cases[case].executions[execution].outcome),
        )
    }
}

/// The outcome of one execution, in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Passed.
    Passed,
    /// Failed, then passed on a retry.
    Flaky,
    /// Failed.
    Failed,
    /// A step has no definition.
    Unbound,
    /// A step has several definitions.
    Ambiguous,
    /// Selected but not run to the end (a dry run, a skipped step).
    Skipped,
    /// A tester could not run it.
    Blocked,
    /// A tester's result that no longer counts: recorded for another release, or before the
    /// case's steps changed.
    Stale,
    /// Not part of the run: manual without a result, or not selected.
    NotRun,
}

impl From<Status> for Outcome {
    fn from(status: Status) -> Self {
        match status {
            Status::Passed => Outcome::Passed,
            Status::Flaky => Outcome::Flaky,
            Status::Failed => Outcome::Failed,
            Status::Unbound => Outcome::Unbound,
            Status::Ambiguous => Outcome::Ambiguous,
            Status::Skipped => Outcome::Skipped,
        }
    }
}

impl Outcome {
    /// The word reports show.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Flaky => "flaky",
            Outcome::Failed => "failed",
            Outcome::Unbound => "unbound",
            Outcome::Ambiguous => "ambiguous",
            Outcome::Skipped => "skipped",
            Outcome::Blocked => "blocked",
            Outcome::Stale => "stale",
            Outcome::NotRun => "not run",
        }
    }
}

/// One case and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    /// Its ID.
    pub id: Option<String>,
    /// Its title.
    pub title: String,
    /// Its feature's name (shared by the cases of a file).
    pub feature: Arc<str>,
    /// Its feature file (shared by the cases of a file).
    pub file: Arc<str>,
    /// The Scenario line.
    pub line: usize,
    /// Who executes it.
    pub mode: Mode,
    /// The requirements it covers.
    pub requirements: Vec<String>,
    /// Its test script: the step definitions its steps bind to, sorted by pattern.
    pub script: Vec<Definition>,
    /// Whether a step of it has no definition.
    pub unbound: bool,
    /// An automated case with a step that has no single definition: it is in the testers'
    /// queue until its script is written.
    pub awaiting_automation: bool,
    /// Every execution with its latest outcome.
    pub executions: Vec<ExecutionOutcome>,
    /// The case's outcome: the worst of its executions.
    pub outcome: Outcome,
}

/// A step definition a case uses: one piece of its test script. Shared text: the few
/// definitions of a suite are listed under each of its thousands of cases.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Definition {
    /// The pattern, as written (`{string}` for cucumber expressions).
    pub pattern: Arc<str>,
    /// Where it is.
    #[serde(with = "crate::location::as_text")]
    pub location: Option<crate::location::Location>,
}

impl Definition {
    /// Where it is, `path:line:column`, when known.
    pub fn location_text(&self) -> Option<String> {
        self.location.as_ref().map(ToString::to_string)
    }
}

/// One execution's latest outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ExecutionOutcome {
    /// The Examples row, 1-based over the outline
    /// ([`ExampleRow::index_in_outline`](crate::model::ExampleRow::index_in_outline)).
    #[serde(rename = "row")]
    pub index_in_outline: Option<usize>,
    /// The outcome.
    pub outcome: Outcome,
    /// The requirements it proves: its case's, and its Examples block's (shared with the
    /// other rows of the block).
    pub requirements: Arc<[crate::model::RequirementId]>,
    /// The index in [`RunRecord::executions`], when the run has it.
    pub record: Option<usize>,
    /// For each of its steps, in order (Background steps first), the index in
    /// [`TraceMatrix::definitions`] of the one definition it binds to; empty when the
    /// bindings are not known.
    #[serde(skip)]
    pub definitions: Vec<Option<usize>>,
    /// The arguments of its steps that its Examples row changes, by the step's index: the
    /// others are as written ([`TraceMatrix::arguments`]).
    #[serde(skip)]
    pub arguments: Vec<(usize, Argument)>,
    /// A tester's latest result, for a manual case or one awaiting automation (boxed: most
    /// executions have none).
    pub manual: Option<Box<ManualOutcome>>,
}

/// A tester's latest result of one execution, and what it is worth for the release reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManualOutcome {
    /// What the tester found.
    pub status: manual::ManualStatus,
    /// Whether it counts: valid, or stale and why.
    pub validity: Validity,
    /// The release it was recorded for.
    pub release: String,
    /// Who ran it.
    pub tester: String,
    /// When (RFC 3339).
    pub at: String,
    /// What actually happened.
    pub actual: String,
    /// The defect raised.
    pub defect: Option<String>,
}

impl ManualOutcome {
    /// A tester's latest result as the matrix keeps it.
    fn of(latest: &manual::Latest<'_>) -> Self {
        Self {
            status: latest.result.status,
            validity: latest.validity,
            release: latest.release.to_owned(),
            tester: latest.result.tester.clone(),
            at: latest.result.at.clone(),
            actual: latest.result.actual.clone(),
            defect: latest.result.defect.clone(),
        }
    }

    /// Who found what, when and for which release: `passed by tess at 2026-05-01T09:30:00Z
    /// (release 1.4.0)`.
    pub fn said(&self) -> String {
        format!(
            "{} by {} at {} (release {})",
            self.label(),
            self.tester,
            self.at,
            self.release
        )
    }

    /// The result as reports append it to a case: `manual result: …`, then the tester's
    /// own words, each line ending in a newline.
    pub fn in_full(&self) -> String {
        format!("manual result: {}\n{}", self.said(), self.details())
    }

    /// The tester's own words, one `actual result:` and one `defect:` line where there are
    /// any, each ending in a newline.
    pub fn details(&self) -> String {
        let mut out = String::new();
        if !self.actual.is_empty() {
            out.push_str(&format!("actual result: {}\n", self.actual));
        }
        if let Some(defect) = &self.defect {
            out.push_str(&format!("defect: {defect}\n"));
        }
        out
    }

    /// The words reports show: `passed`, or `failed (stale: case changed)`.
    pub fn label(&self) -> String {
        match self.validity {
            Validity::Valid => self.status.as_str().to_owned(),
            other => format!("{} ({})", self.status, other.label()),
        }
    }
}

/// The testers' side of the suite: every execution of the manual queue (manual cases and
/// automated ones awaiting automation) by its manual outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ManualCounts {
    /// Executions in the queue.
    pub executions: usize,
    /// Of `executions`, those of automated cases awaiting automation.
    pub awaiting_automation: usize,
    /// With a valid passed result.
    pub passed: usize,
    /// With a valid failed result.
    pub failed: usize,
    /// With a valid blocked result.
    pub blocked: usize,
    /// With a stale result only.
    pub stale: usize,
    /// With no result.
    pub not_run: usize,
}

/// The suite's totals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Totals {
    /// Requirements in the catalog.
    pub requirements: usize,
    /// Catalog requirements covered by at least one case (directly or through a child).
    pub covered: usize,
    /// `covered` as a percentage of `requirements`.
    pub covered_percent: f64,
    /// Counts over every case.
    pub counts: Counts,
    /// The project's own step definitions in the harness: the pieces scripts are made of.
    pub definitions: usize,
    /// casebook's built-in steps in the harness, counted apart from the project's own.
    pub builtin_definitions: usize,
    /// Distinct steps with exactly one definition.
    pub bound_steps: usize,
    /// Distinct steps without one.
    pub unbound_steps: usize,
    /// Catalog requirements per status.
    pub by_status: [(RequirementStatus, usize); 6],
    /// The manual queue by outcome.
    pub manual: ManualCounts,
}

impl Totals {
    /// What the scripts are made of, in words: `38 step definitions and 11 built-in steps`.
    pub fn definitions_text(&self) -> String {
        match self.builtin_definitions {
            0 => format!("{} step definitions", self.definitions),
            n => format!(
                "{} step definitions and {n} built-in steps",
                self.definitions
            ),
        }
    }
}

/// Builds the matrix: the one join of the suite, its bindings, the run record and the
/// testers' results. `bindings` give the script of every case, run or not; without them,
/// only the step definitions the run reported are known. `manual` gives the testers'
/// results: a valid one is the outcome of a manual execution, and of an automated one that
/// could not run for want of a single step definition (its steps still count as unbound).
pub fn build(
    suite: &Suite,
    catalog: Option<&Catalog>,
    bindings: Option<&Bindings>,
    record: &RunRecord,
    manual: Option<&Ledger>,
    redactor: &Redactor,
) -> TraceMatrix {
    let mut join = Join::new(bindings, record, manual, redactor);
    join.arguments = written_arguments(suite, redactor);
    let cases: Vec<CaseRow> = suite
        .numbered_cases()
        .enumerate()
        .map(|(number, (file, feature, case))| join.case_row(number, file, feature, case))
        .collect();
    let requirements = requirement_rows(catalog, &cases);
    let totals = join.totals(&requirements, &cases);
    let mut places = vec![None; record.executions.len()];
    for (number, case) in cases.iter().enumerate() {
        for (index, execution) in case.executions.iter().enumerate() {
            if let Some(place) = execution.record.and_then(|i| places.get_mut(i)) {
                *place = Some((number, index));
            }
        }
    }
    TraceMatrix {
        format_version: FORMAT_VERSION,
        requirements,
        cases,
        totals,
        manual_release: manual.map(|ledger| ledger.release.clone()),
        definitions: join.definitions,
        arguments: join.arguments,
        places,
    }
}

/// What [`build`] joins, and what it counts on the way.
struct Join<'a> {
    bindings: Option<&'a Bindings>,
    record: &'a RunRecord,
    manual: Option<&'a Ledger>,
    redactor: &'a Redactor,
    /// The arguments of the steps joined so far, as written, by file number and line.
    arguments: foldhash::HashMap<(usize, usize), Argument>,
    /// The record's executions by file, Scenario line and Examples row.
    in_record: foldhash::HashMap<(&'a str, usize, Option<usize>), usize>,
    /// Every definition as cases show it: its pattern shown as written takes a few regex
    /// replacements, done once per definition rather than once per case that uses it.
    definitions: Vec<Definition>,
    /// The (file, line) of every distinct step of an automated case with exactly one
    /// definition, and without. Only counted, so hash sets.
    bound_places: foldhash::HashSet<(usize, usize)>,
    unbound_places: foldhash::HashSet<(usize, usize)>,
    manual_counts: ManualCounts,
    /// The path and name of the feature file being joined, shared by its cases.
    file: Option<(usize, Arc<str>, Arc<str>)>,
}

impl<'a> Join<'a> {
    fn new(
        bindings: Option<&'a Bindings>,
        record: &'a RunRecord,
        manual: Option<&'a Ledger>,
        redactor: &'a Redactor,
    ) -> Self {
        let in_record = record
            .executions
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let row = e.example.as_ref().map(|x| x.index_in_outline);
                ((&*e.file, e.line, row), i)
            })
            .collect();
        let definitions = bindings.map_or_else(Vec::new, |bindings| {
            bindings
                .definitions()
                .iter()
                .map(|definition| Definition {
                    pattern: definition.display_pattern().into(),
                    location: definition.location.clone(),
                })
                .collect()
        });
        Self {
            bindings,
            record,
            manual,
            redactor,
            arguments: foldhash::HashMap::default(),
            in_record,
            definitions,
            bound_places: foldhash::HashSet::default(),
            unbound_places: foldhash::HashSet::default(),
            manual_counts: ManualCounts::default(),
            file: None,
        }
    }

    /// The row of case number `number` (in suite order) of feature file `file`.
    fn case_row(&mut self, number: usize, file: usize, feature: &Feature, case: &Case) -> CaseRow {
        if self.file.as_ref().is_none_or(|(seen, ..)| *seen != file) {
            let path = feature.path.display().to_string();
            self.file = Some((file, path.into(), feature.name.as_str().into()));
        }
        let (_, path, feature_name) = self.file.clone().expect("set for this file above");
        let mut script = BTreeSet::new();
        let mut unbound = false;
        let mut awaiting_automation = false;
        let mut executions = Vec::with_capacity(case.executions.len());
        for (index, execution) in case.executions.iter().enumerate() {
            let row = execution.row.as_ref().map(|row| row.index_in_outline);
            let record_index = self
                .in_record
                .get(&(&*path, case.location.line, row))
                .copied();
            let (definitions, execution_unbound) = match self.bindings {
                Some(bindings) => {
                    let bound = bindings.of_execution(number, index);
                    self.count_steps(file, case, execution, bound, &mut script)
                }
                None => {
                    // Without bindings, what the run recorded tells a step without one.
                    self.reported_script(record_index, &mut script);
                    let status = record_index.map(|i| self.record.executions[i].status);
                    let unresolved = matches!(status, Some(Status::Unbound | Status::Ambiguous));
                    (Vec::new(), unresolved)
                }
            };
            unbound |= execution_unbound;
            let (mut outcome, awaiting) =
                self.execution_outcome(case, execution, row, record_index, execution_unbound);
            outcome.definitions = definitions;
            outcome.arguments = self.arguments_of(file, case, execution);
            awaiting_automation |= awaiting;
            executions.push(outcome);
        }
        let outcome = worst(executions.iter().map(|e| e.outcome));
        CaseRow {
            id: case.id.as_ref().map(|id| id.0.clone()),
            title: case.title.clone(),
            feature: feature_name,
            file: path,
            line: case.location.line,
            mode: case.mode,
            requirements: case.requirements.iter().map(|r| r.id.0.clone()).collect(),
            script: script.into_iter().collect(),
            unbound,
            awaiting_automation,
            executions,
            outcome,
        }
    }

    /// Counts the step places of one execution by binding, and adds the definitions they
    /// bind to `script`; the definition of each step, and whether a step has no single
    /// definition.
    fn count_steps(
        &mut self,
        file: usize,
        case: &Case,
        execution: &Execution,
        bound: &[Binding],
        script: &mut BTreeSet<Definition>,
    ) -> (Vec<Option<usize>>, bool) {
        let mut unbound = false;
        let mut definitions = Vec::with_capacity(bound.len());
        for (step, binding) in case.steps_of(execution).zip(bound) {
            let place = (file, step.step.location.line);
            let automated = case.mode == Mode::Automated;
            match binding {
                Binding::Bound(i) => {
                    script.insert(self.definitions[*i].clone());
                    definitions.push(Some(*i));
                    if automated {
                        self.bound_places.insert(place);
                    }
                }
                Binding::Unbound | Binding::Ambiguous(_) => {
                    unbound = true;
                    definitions.push(None);
                    if automated {
                        self.unbound_places.insert(place);
                    }
                }
            }
        }
        (definitions, unbound)
    }

    /// The arguments of an execution's steps that its Examples row changes.
    fn arguments_of(
        &self,
        file: usize,
        case: &Case,
        execution: &Execution,
    ) -> Vec<(usize, Argument)> {
        let mut changed = Vec::new();
        let filled = case
            .steps_of(execution)
            .enumerate()
            .filter(|(_, step)| step.is_filled());
        for (index, step) in filled {
            let Some(filled) = Argument::of(&step, self.redactor) else {
                continue;
            };
            if self.arguments.get(&(file, step.step.location.line)) != Some(&filled) {
                changed.push((index, filled));
            }
        }
        changed
    }

    /// Without bindings, a case's script is what the run reported of its steps.
    fn reported_script(&self, record_index: Option<usize>, script: &mut BTreeSet<Definition>) {
        let Some(i) = record_index else { return };
        for step in &self.record.executions[i].steps {
            if let Some(location) = &step.definition {
                script.insert(Definition {
                    pattern: step.text.as_str().into(),
                    // The record keeps the place as its text.
                    location: location.parse().ok(),
                });
            }
        }
    }

    /// One execution's latest outcome, the run's or a tester's, counted in the manual queue
    /// when it is in it; and whether it awaits automation.
    fn execution_outcome(
        &mut self,
        case: &Case,
        execution: &Execution,
        row: Option<usize>,
        record_index: Option<usize>,
        unbound: bool,
    ) -> (ExecutionOutcome, bool) {
        let run_outcome = match (case.mode, record_index) {
            (Mode::Manual, _) | (_, None) => Outcome::NotRun,
            (Mode::Automated, Some(i)) => self.record.executions[i].status.into(),
        };
        let awaiting = case.mode == Mode::Automated
            && (unbound || matches!(run_outcome, Outcome::Unbound | Outcome::Ambiguous));
        let in_queue = case.mode == Mode::Manual || awaiting;
        let manual_outcome = match (self.manual, &case.id) {
            (Some(ledger), Some(id)) if in_queue => ledger
                .latest(&id.0, row, &manual::case_hash(case, execution))
                .map(|latest| Box::new(ManualOutcome::of(&latest))),
            _ => None,
        };
        let outcome = match &manual_outcome {
            Some(m) if m.validity.is_valid() => match m.status {
                manual::ManualStatus::Passed => Outcome::Passed,
                manual::ManualStatus::Failed => Outcome::Failed,
                manual::ManualStatus::Blocked => Outcome::Blocked,
            },
            // A stale result proves nothing; a case awaiting automation keeps what the run
            // said of it.
            Some(_) if case.mode == Mode::Manual => Outcome::Stale,
            _ => run_outcome,
        };
        if in_queue {
            self.manual_counts
                .add(manual_outcome.as_deref(), outcome, awaiting);
        }
        let execution = ExecutionOutcome {
            index_in_outline: row,
            outcome,
            requirements: execution.requirements.clone(),
            record: record_index,
            definitions: Vec::new(),
            arguments: Vec::new(),
            manual: manual_outcome,
        };
        (execution, awaiting)
    }

    /// The suite's totals.
    fn totals(&self, requirements: &[RequirementRow], cases: &[CaseRow]) -> Totals {
        let catalog_rows: Vec<&RequirementRow> =
            requirements.iter().filter(|r| r.in_catalog).collect();
        // Covered: some execution proves it (a tag on an Examples block without rows proves
        // nothing).
        let covered = catalog_rows
            .iter()
            .filter(|r| !r.executions.is_empty())
            .count();
        let mut counts = Counts::default();
        for case in cases {
            counts.add_case(case);
        }
        let statuses = [
            RequirementStatus::PolicyViolation,
            RequirementStatus::Failing,
            RequirementStatus::Uncovered,
            RequirementStatus::Partial,
            RequirementStatus::NotRun,
            RequirementStatus::Passing,
        ];
        let known = self.bindings.is_some();
        Totals {
            requirements: catalog_rows.len(),
            covered,
            covered_percent: if catalog_rows.is_empty() {
                0.0
            } else {
                (covered as f64 * 1000.0 / catalog_rows.len() as f64).round() / 10.0
            },
            counts,
            definitions: self.bindings.map_or(self.record.counts.definitions, |b| {
                b.definitions().len() - builtin(b.definitions())
            }),
            builtin_definitions: self.bindings.map_or(0, |b| builtin(b.definitions())),
            bound_steps: if known {
                self.bound_places.len()
            } else {
                self.record.counts.bound_steps
            },
            unbound_steps: if known {
                self.unbound_places.len()
            } else {
                self.record.counts.unbound_steps
            },
            by_status: statuses.map(|status| {
                let count = catalog_rows.iter().filter(|r| r.status == status).count();
                (status, count)
            }),
            manual: self.manual_counts,
        }
    }
}

impl ManualCounts {
    /// Counts one execution of the queue by its tester's result and its outcome.
    fn add(&mut self, result: Option<&ManualOutcome>, outcome: Outcome, awaiting: bool) {
        self.executions += 1;
        if awaiting {
            self.awaiting_automation += 1;
        }
        match (result, outcome) {
            (Some(m), _) if !m.validity.is_valid() => self.stale += 1,
            (Some(_), Outcome::Passed) => self.passed += 1,
            (Some(_), Outcome::Failed) => self.failed += 1,
            (Some(_), Outcome::Blocked) => self.blocked += 1,
            _ => self.not_run += 1,
        }
    }
}

/// The worst outcome first: what a case or a requirement reports.
fn worst(outcomes: impl Iterator<Item = Outcome>) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Failed => 0,
        Outcome::Ambiguous => 1,
        Outcome::Unbound => 2,
        Outcome::Blocked => 3,
        Outcome::Skipped => 4,
        Outcome::Stale => 5,
        Outcome::NotRun => 6,
        Outcome::Flaky => 7,
        Outcome::Passed => 8,
    };
    outcomes.min_by_key(|o| rank(*o)).unwrap_or(Outcome::NotRun)
}

fn requirement_rows(catalog: Option<&Catalog>, cases: &[CaseRow]) -> Vec<RequirementRow> {
    let mut direct: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, case) in cases.iter().enumerate() {
        for requirement in &case.requirements {
            direct.entry(requirement).or_default().push(index);
        }
    }
    let catalog_requirements = catalog.map_or(&[][..], |c| &c.requirements[..]);
    let mut rows = Vec::new();
    for requirement in catalog_requirements {
        let id = requirement.id.0.as_str();
        let (covering, seen) = covering(catalog_requirements, &direct, id);
        let (executions, counts) = proving(cases, &covering, |id| seen.contains(id));
        let status = status(requirement.risk, &counts);
        rows.push(RequirementRow {
            id: id.to_owned(),
            title: requirement.title.clone(),
            risk: Some(requirement.risk),
            link: requirement.link.clone(),
            owner: requirement.owner.clone(),
            parent: requirement.parent.as_ref().map(|p| p.0.clone()),
            depth: depth(catalog_requirements, id),
            in_catalog: true,
            direct_cases: direct.get(id).cloned().unwrap_or_default(),
            cases: covering,
            executions,
            counts,
            status,
        });
    }
    // Tags naming requirements the catalog lacks: shown, so that nothing is silently lost.
    for (id, indexes) in &direct {
        if catalog.is_some_and(|c| c.get(id).is_some()) {
            continue;
        }
        let (executions, counts) = proving(cases, indexes, |other| other == *id);
        rows.push(RequirementRow {
            id: (*id).to_owned(),
            title: String::new(),
            risk: None,
            link: None,
            owner: None,
            parent: None,
            depth: 0,
            in_catalog: false,
            direct_cases: indexes.clone(),
            cases: indexes.clone(),
            executions,
            counts,
            status: status(Risk::Normal, &counts),
        });
    }
    rows
}

/// The cases below requirement `id` in the hierarchy (it included), by their index, and the
/// requirements visited on the way: `id` and its descendants.
fn covering<'c>(
    catalog: &'c [crate::catalog::Requirement],
    direct: &BTreeMap<&str, Vec<usize>>,
    id: &'c str,
) -> (Vec<usize>, BTreeSet<&'c str>) {
    let mut covering = BTreeSet::new();
    let mut queue = vec![id];
    let mut seen = BTreeSet::new();
    while let Some(next) = queue.pop() {
        if !seen.insert(next) {
            continue;
        }
        covering.extend(direct.get(next).into_iter().flatten().copied());
        let children = catalog
            .iter()
            .filter(|r| r.parent.as_ref().is_some_and(|p| p.0 == next));
        queue.extend(children.map(|r| r.id.0.as_str()));
    }
    (covering.into_iter().collect(), seen)
}

/// How deep requirement `id` sits below the top of the hierarchy.
fn depth(catalog: &[crate::catalog::Requirement], id: &str) -> usize {
    let parent_of = |id: &str| {
        catalog
            .iter()
            .find(|r| r.id.0 == id)
            .and_then(|r| r.parent.as_ref())
    };
    let mut depth = 0;
    let mut current = parent_of(id);
    // The catalog stage rejects cycles; the bound only guards against a malformed file.
    while let Some(parent) = current.filter(|_| depth < catalog.len()) {
        depth += 1;
        current = parent_of(&parent.0);
    }
    depth
}

/// The data table or doc string of every step of the suite as written, masked, by its feature
/// file's number and line: the Backgrounds', the Rules' and every case's, run or not.
fn written_arguments(
    suite: &Suite,
    redactor: &Redactor,
) -> foldhash::HashMap<(usize, usize), Argument> {
    let mut arguments = foldhash::HashMap::default();
    for (file, feature) in suite.features.iter().enumerate() {
        let backgrounds = feature
            .background
            .iter()
            .chain(
                feature
                    .rules
                    .iter()
                    .filter_map(|rule| rule.background.as_ref()),
            )
            .flat_map(|background| background.steps.iter().map(|step| (step, true)));
        let own = feature
            .cases
            .iter()
            .flat_map(|case| case.steps.iter().map(|step| (step, false)));
        for (step, background) in backgrounds.chain(own) {
            if let Some(argument) =
                Argument::of(&ConcreteStep::as_written(step, background), redactor)
            {
                arguments.insert((file, step.location.line), argument);
            }
        }
    }
    arguments
}

/// The executions of `covering` cases that prove a requirement (those whose own requirements
/// `proves` accepts), and the counts over them.
fn proving(
    cases: &[CaseRow],
    covering: &[usize],
    proves: impl Fn(&str) -> bool,
) -> (Vec<(usize, usize)>, Counts) {
    let mut executions = Vec::new();
    let mut counts = Counts::default();
    for &index in covering {
        let case = &cases[index];
        let first = executions.len();
        executions.extend(
            case.executions
                .iter()
                .enumerate()
                .filter(|(_, e)| e.requirements.iter().any(|r| proves(&r.0)))
                .map(|(execution, _)| (index, execution)),
        );
        counts.add(
            case,
            executions[first..]
                .iter()
                .map(|&(_, execution)| &case.executions[execution]),
        );
    }
    (executions, counts)
}

/// How many of `definitions` are casebook's built-in steps.
fn builtin(definitions: &[crate::registry::Definition]) -> usize {
    definitions
        .iter()
        .filter(|d| d.location.as_ref().is_some_and(crate::steps::is_builtin))
        .count()
}

fn status(risk: Risk, counts: &Counts) -> RequirementStatus {
    if risk == Risk::Critical && counts.automated == 0 {
        RequirementStatus::PolicyViolation
    } else if counts.cases == 0 {
        RequirementStatus::Uncovered
    } else if counts.failed > 0 || counts.unbound > 0 {
        RequirementStatus::Failing
    } else if counts.not_run > 0 && counts.passed == 0 {
        RequirementStatus::NotRun
    } else if counts.not_run > 0 {
        RequirementStatus::Partial
    } else {
        RequirementStatus::Passing
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;

    use crate::record::{ExampleRef, ExecutionRecord, Status};
    use crate::{catalog, suite};

    const FEATURE: &str = indoc::indoc! {"
        @req:SHOP
        Feature: Shop
          @A-1 @req:PAY-1
          Scenario: pays
            Given a cart
            Then it is paid

          @A-2 @req:PAY-2
          Scenario: refuses
            Given a cart
            Then it is refused

          @A-3 @manual @req:UX-1
          Scenario: looks right
            Given a page
            Then it looks right

          @A-4 @req:PAY-1
          Scenario Outline: pays with <card>
            Given a <card>
            Then it is paid

            Examples:
              | card |
              | visa |
              | amex |
    "};

    const CATALOG: &str = indoc::indoc! {r#"
        [SHOP]
        title = "Shop"
        risk = "high"
        [PAY-1]
        title = "Pay"
        risk = "critical"
        parent = "SHOP"
        [PAY-2]
        title = "Refuse"
        risk = "high"
        parent = "SHOP"
        [UX-1]
        title = "Looks"
        risk = "critical"
        [LOST-1]
        title = "Nobody"
        risk = "low"
    "#};

    fn execution(line: usize, row: Option<usize>, status: Status) -> ExecutionRecord {
        ExecutionRecord {
            case_id: None,
            title: String::new(),
            feature: "Shop".into(),
            file: "t.feature".into(),
            line,
            example: row.map(|row| ExampleRef {
                index_in_outline: row,
                line: 0,
                values: Vec::new(),
            }),
            requirements: Vec::new(),
            status,
            attempts: 1,
            duration_ms: 0,
            steps: Vec::new(),
            failure: None,
            attachments: Vec::new(),
            skipped_by_impact: false,
            step_durations_us: Vec::new(),
        }
    }

    /// The suite of one feature file `t.feature` with `text`.
    fn suite_of(text: &str) -> crate::model::Suite {
        suite::suite_from("t.feature", text)
    }

    /// The catalog of [`CATALOG`].
    fn test_catalog() -> Catalog {
        catalog::from_str(CATALOG, Arc::from(Path::new("r.toml")))
            .catalog
            .unwrap()
    }

    fn matrix() -> TraceMatrix {
        let suite = suite_of(FEATURE);
        let catalog = test_catalog();
        let record = RunRecord {
            executions: vec![
                execution(4, None, Status::Passed),
                execution(9, None, Status::Failed),
                execution(19, Some(1), Status::Passed),
                execution(19, Some(2), Status::Flaky),
            ],
            ..RunRecord::default()
        };
        build(
            &suite,
            Some(&catalog),
            None,
            &record,
            None,
            &crate::redact::Redactor::default(),
        )
    }

    fn row<'m>(matrix: &'m TraceMatrix, id: &str) -> &'m RequirementRow {
        matrix.requirements.iter().find(|r| r.id == id).unwrap()
    }

    #[test]
    fn each_requirement_gets_its_status() {
        let matrix = matrix();
        let status = |id| row(&matrix, id).status;
        assert_eq!(
            status("PAY-1"),
            RequirementStatus::Passing,
            "passed and flaky executions pass"
        );
        assert_eq!(status("PAY-2"), RequirementStatus::Failing);
        assert_eq!(
            status("UX-1"),
            RequirementStatus::PolicyViolation,
            "critical, proven only by hand"
        );
        assert_eq!(status("LOST-1"), RequirementStatus::Uncovered);
        assert_eq!(
            status("SHOP"),
            RequirementStatus::Failing,
            "the epic rolls up its stories"
        );
    }

    #[test]
    fn steps_no_execution_runs_still_have_their_arguments_masked() {
        let suite = suite_of(indoc::indoc! {r#"
            Feature: Sign-in
              Background:
                Given these users:
                  | name  | password |
                  | alice | hunter2  |

              @A-1
              Scenario Outline: as <name>
                When the form says:
                  """
                  {"password": "<secret>"}
                  """

                Examples:
                  | name | secret |
        "#});
        let redactor = Redactor::default();
        let matrix = build(&suite, None, None, &RunRecord::default(), None, &redactor);
        assert!(
            matrix.cases[0].executions.is_empty(),
            "a block without rows"
        );
        // By the line of their step: the Background's table, the outline's doc string.
        assert!(matches!(
            matrix.arguments.get(&(0, 3)),
            Some(Argument::Table(_))
        ));
        let Some(Argument::DocString(10, doc)) = matrix.arguments.get(&(0, 9)) else {
            panic!("the outline's doc string: {:?}", matrix.arguments);
        };
        assert_eq!(doc, r#"{"password": "[REDACTED]"}"#);
    }

    #[test]
    fn a_requirement_on_one_examples_block_counts_only_that_block_s_rows() {
        let suite = suite_of(indoc::indoc! {"
            Feature: Access
              @A-1
              Scenario Outline: opens as <user>
                Given <user> signs in

                @req:PAY-1
                Examples: Customers
                  | user  |
                  | alice |
                  | bob   |

                @req:PAY-2
                Examples: Administrators
                  | user  |
                  | carol |
        "});
        let record = RunRecord {
            executions: vec![
                execution(3, Some(1), Status::Passed),
                execution(3, Some(2), Status::Passed),
                execution(3, Some(3), Status::Failed),
            ],
            ..RunRecord::default()
        };
        let matrix = build(
            &suite,
            Some(&test_catalog()),
            None,
            &record,
            None,
            &crate::redact::Redactor::default(),
        );
        let customers = row(&matrix, "PAY-1");
        assert_eq!(customers.executions, [(0, 0), (0, 1)]);
        assert_eq!((customers.counts.passed, customers.counts.failed), (2, 0));
        assert_eq!(customers.status, RequirementStatus::Passing);
        assert_eq!(customers.outcome_of(&matrix.cases, 0), Outcome::Passed);
        let admins = row(&matrix, "PAY-2");
        assert_eq!(admins.executions, [(0, 2)]);
        assert_eq!((admins.counts.passed, admins.counts.failed), (0, 1));
        assert_eq!(admins.status, RequirementStatus::Failing);
        let shop = row(&matrix, "SHOP");
        assert_eq!(
            shop.executions.len(),
            3,
            "the parent counts both blocks once"
        );
    }

    #[test]
    fn counts_roll_up_through_the_hierarchy() {
        let matrix = matrix();
        let shop = row(&matrix, "SHOP");
        // Every case is tagged @req:SHOP through the Feature; the stories add none.
        assert_eq!(
            shop.counts,
            Counts {
                cases: 4,
                automated: 3,
                manual: 1,
                passed: 3,
                failed: 1,
                unbound: 0,
                not_run: 1,
                blocked: 0,
                stale: 0,
            }
        );
        assert_eq!(row(&matrix, "PAY-1").depth, 1);
        assert_eq!(row(&matrix, "PAY-1").direct_cases, [0, 3]);
    }

    #[test]
    fn cases_carry_their_outcomes_and_the_suite_its_totals() {
        let matrix = matrix();
        let outcomes: Vec<Outcome> = matrix.cases.iter().map(|c| c.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Passed,
                Outcome::Failed,
                Outcome::NotRun,
                Outcome::Flaky
            ]
        );
        assert_eq!(matrix.cases[3].executions.len(), 2);
        let totals = matrix.totals;
        assert_eq!((totals.requirements, totals.covered), (5, 4));
        assert_eq!(totals.covered_percent, 80.0);
        assert_eq!((totals.counts.automated, totals.counts.manual), (3, 1));
    }

    /// The matrix of [`FEATURE`] with testers' results for release 2.0: `answers` are
    /// (case, row, status, release, whether recorded against the case's current steps).
    fn with_manual(
        text: &str,
        answers: &[(&str, Option<usize>, manual::ManualStatus, &str, bool)],
    ) -> TraceMatrix {
        let suite = suite_of(text);
        let catalog = test_catalog();
        let hash = |id: &str, row: Option<usize>| {
            let case = suite
                .cases()
                .map(|(_, c)| c)
                .find(|c| c.id.as_ref().is_some_and(|i| i.0 == id))
                .unwrap();
            manual::case_hash(case, &case.executions[row.map_or(0, |r| r - 1)])
        };
        let mut ledger = Ledger::empty("2.0");
        ledger.current.release = "2.0".into();
        let mut other = manual::ResultsFile {
            release: "1.0".into(),
            ..Default::default()
        };
        for &(case, row, status, release, current) in answers {
            let result = manual::ManualResult {
                case: case.into(),
                row,
                status,
                actual: String::new(),
                defect: None,
                tester: "tess".into(),
                at: "2024-05-01T09:30:00Z".into(),
                case_hash: if current {
                    hash(case, row)
                } else {
                    format!("sha256:{}", "0".repeat(64))
                },
            };
            if release == "2.0" {
                ledger.current.results.push(result);
            } else {
                other.results.push(result);
            }
        }
        ledger.others.push(other);
        let record = RunRecord {
            executions: vec![
                execution(4, None, Status::Passed),
                execution(9, None, Status::Failed),
                execution(19, Some(1), Status::Passed),
                execution(19, Some(2), Status::Flaky),
            ],
            ..RunRecord::default()
        };
        build(
            &suite,
            Some(&catalog),
            None,
            &record,
            Some(&ledger),
            &crate::redact::Redactor::default(),
        )
    }

    #[test]
    fn manual_results_count_in_the_matrix() {
        use manual::ManualStatus::{Blocked, Failed, Passed};
        // A-3 is the manual case, covering UX-1 (critical) and the epic SHOP.
        let passed = with_manual(FEATURE, &[("A-3", None, Passed, "2.0", true)]);
        let case = &passed.cases[2];
        assert_eq!(case.outcome, Outcome::Passed);
        let manual = case.executions[0].manual.as_ref().unwrap();
        assert_eq!(
            (manual.tester.as_str(), manual.label()),
            ("tess", "passed".to_owned())
        );
        assert_eq!(
            row(&passed, "SHOP").counts,
            Counts {
                cases: 4,
                automated: 3,
                manual: 1,
                passed: 4,
                failed: 1,
                unbound: 0,
                not_run: 0,
                blocked: 0,
                stale: 0,
            },
            "the tester's pass counts next to the runner's"
        );
        assert_eq!(
            row(&passed, "UX-1").status,
            RequirementStatus::PolicyViolation,
            "a critical requirement still needs an automated case"
        );
        assert_eq!(
            passed.totals.manual,
            ManualCounts {
                executions: 1,
                passed: 1,
                ..ManualCounts::default()
            }
        );

        // Without the policy, a requirement proven by hand only is passing.
        let normal = FEATURE.replace("@A-3 @manual @req:UX-1", "@A-3 @manual @req:PAY-2");
        let normal = with_manual(&normal, &[("A-3", None, Passed, "2.0", true)]);
        assert_eq!(row(&normal, "PAY-2").counts.passed, 1);
        let only_manual = FEATURE
            .replace("@A-2 @req:PAY-2", "@A-2")
            .replace("@A-3 @manual @req:UX-1", "@A-3 @manual @req:PAY-2");
        let only_manual = with_manual(&only_manual, &[("A-3", None, Passed, "2.0", true)]);
        assert_eq!(
            row(&only_manual, "PAY-2").status,
            RequirementStatus::Passing
        );
        let failed = with_manual(&only_manual_text(), &[("A-3", None, Failed, "2.0", true)]);
        assert_eq!(row(&failed, "PAY-2").status, RequirementStatus::Failing);

        let blocked = with_manual(FEATURE, &[("A-3", None, Blocked, "2.0", true)]);
        assert_eq!(blocked.cases[2].outcome, Outcome::Blocked);
        let shop = row(&blocked, "SHOP").counts;
        assert_eq!((shop.passed, shop.not_run, shop.blocked), (3, 1, 1));
    }

    fn only_manual_text() -> String {
        FEATURE
            .replace("@A-2 @req:PAY-2", "@A-2")
            .replace("@A-3 @manual @req:UX-1", "@A-3 @manual @req:PAY-2")
    }

    #[test]
    fn a_stale_result_counts_as_not_run_and_shows_why() {
        use manual::ManualStatus::{Failed, Passed};
        let changed = with_manual(FEATURE, &[("A-3", None, Passed, "2.0", false)]);
        let case = &changed.cases[2];
        assert_eq!(case.outcome, Outcome::Stale);
        assert_eq!(
            case.executions[0].manual.as_ref().unwrap().label(),
            "passed (stale: case changed)"
        );
        let shop = row(&changed, "SHOP").counts;
        assert_eq!((shop.passed, shop.not_run, shop.stale), (3, 1, 1));
        assert_eq!(changed.totals.manual.stale, 1);

        let other = with_manual(FEATURE, &[("A-3", None, Failed, "1.0", true)]);
        assert_eq!(other.cases[2].outcome, Outcome::Stale);
        let manual = other.cases[2].executions[0].manual.as_ref().unwrap();
        assert_eq!(
            (manual.release.as_str(), manual.label()),
            ("1.0", "failed (stale: other release)".to_owned())
        );
        assert_eq!(
            row(&other, "SHOP").counts.failed,
            1,
            "only the runner's failure"
        );

        let none = with_manual(FEATURE, &[]);
        assert_eq!(none.cases[2].outcome, Outcome::NotRun);
        assert_eq!(none.totals.manual.not_run, 1);
    }

    #[test]
    fn a_case_awaiting_automation_counts_a_tester_s_result() {
        use manual::ManualStatus::Passed;
        let definitions = |kind, pattern: &str| crate::registry::Definition {
            kind,
            pattern: pattern.into(),
            location: None,
        };
        let registry = crate::registry::Registry::from_definitions(vec![
            definitions(crate::model::StepKind::Given, "^a cart$"),
            definitions(crate::model::StepKind::Given, "^a (visa|amex)$"),
            definitions(crate::model::StepKind::Then, "^it is paid$"),
        ])
        .unwrap();
        let suite = suite_of(FEATURE);
        let refuses = suite.features[0].cases[1].clone();
        let mut ledger = Ledger::empty("2.0");
        ledger.current.results.push(manual::ManualResult {
            case: "A-2".into(),
            row: None,
            status: Passed,
            actual: String::new(),
            defect: None,
            tester: "tess".into(),
            at: "2024-05-01T09:30:00Z".into(),
            case_hash: manual::case_hash(&refuses, &refuses.executions[0]),
        });
        // "it is refused" has no definition: A-2 waits for its script; nothing ran it.
        let matrix = build(
            &suite,
            None,
            Some(&crate::registry::Bindings::of(&registry, &suite)),
            &RunRecord::default(),
            Some(&ledger),
            &crate::redact::Redactor::default(),
        );
        let case = &matrix.cases[1];
        assert!(case.awaiting_automation && case.unbound);
        assert_eq!(case.outcome, Outcome::Passed);
        assert_eq!(
            matrix.totals.unbound_steps, 1,
            "its step still has no script"
        );
        assert_eq!(
            (
                matrix.totals.manual.executions,
                matrix.totals.manual.awaiting_automation
            ),
            (2, 1)
        );
        assert!(!matrix.cases[0].awaiting_automation);
    }
}
