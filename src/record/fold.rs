//! The fold: what the run saw of each planned execution, its [`Attempt`]s, into the
//! [`RunRecord`].
//!
//! The runner's events arrive interleaved, concurrent scenarios mixed; the run keys each by
//! its planned execution and folds it into that execution's [`Attempt`] ([`Attempt::start`],
//! [`Attempt::report`], [`Attempt::finish`]). [`record`] then walks the plan in suite order,
//! so the record is in suite order whatever finished first, and renderers need no sorting.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::{
    AmbiguousStep, Attachment, ExampleRef, ExecutionRecord, FORMAT_VERSION, Failure, RunCounts,
    RunHookFailure, RunRecord, Selection, Status, StepCounts, StepRecord, StepStatus, UnboundStep,
};
use crate::model::Suite;
use crate::plan::{Plan, Planned};
use crate::registry::{self, Binding, Registry};

/// What a run says of itself besides its executions.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// The release label.
    pub release: Option<String>,
    /// The filters and modes of the run.
    pub selection: Selection,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// The `BeforeAll` and `AfterAll` hooks that failed.
    pub run_hook_failures: Vec<RunHookFailure>,
    /// The signal that ended the run before its end, if one did.
    pub interrupted: Option<String>,
}

/// What happened in the last attempt of one execution.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// How many attempts were made.
    pub count: usize,
    /// Whether any attempt failed.
    pub ever_failed: bool,
    /// The outcome of each step that reported one; emptied when the attempt finished with
    /// every step passed (see `all_passed`).
    steps: Vec<ReportedStep>,
    /// Whether the attempt finished with every step passed and nothing failed before it: its
    /// steps then tell nothing the record keeps, and a run holds an attempt per execution.
    all_passed: bool,
    /// How many steps the execution has.
    planned_steps: usize,
    /// The failure of the last attempt (boxed: most attempts pass).
    pub failure: Option<Box<Failure>>,
    /// Whether the last attempt finished.
    pub finished: bool,
    /// How long the last attempt took.
    pub duration: Duration,
    /// Attachments of the last attempt.
    pub attachments: Vec<Attachment>,
    started: Option<Instant>,
    /// How long each step of the last attempt took, by its line, in microseconds.
    step_durations: Vec<(usize, u32)>,
    /// When the step that runs now started.
    step_started: Option<Instant>,
}

/// A step's outcome in an attempt.
#[derive(Debug, Clone, Copy)]
pub struct ReportedStep {
    /// Its line: a step of a pickle, Background steps included, is known by its line.
    pub line: usize,
    /// Its outcome.
    pub status: StepStatus,
    /// The step definition that ran it (a `Copy` location: formatted only when recorded).
    pub definition: Option<cucumber::step::Location>,
}

impl Attempt {
    /// The attempt of an execution with `planned_steps` steps, before it runs.
    pub fn new(planned_steps: usize) -> Self {
        Self {
            planned_steps,
            ..Self::default()
        }
    }

    /// Another attempt starts: what the last one saw is forgotten, but not that it failed.
    pub fn start(&mut self) {
        self.count += 1;
        self.steps.clear();
        self.all_passed = false;
        self.failure = None;
        self.finished = false;
        self.attachments.clear();
        self.step_durations.clear();
        self.started = Some(Instant::now());
    }

    /// A step of the attempt started.
    pub fn step_started(&mut self) {
        self.step_started = Some(Instant::now());
    }

    /// The attempt finished; whether it failed. An attempt whose every step passed keeps
    /// no steps (see `all_passed`).
    pub fn finish(&mut self) -> bool {
        self.finished = true;
        self.duration = self.started.map_or(Duration::ZERO, |start| start.elapsed());
        let failed = self.failure.is_some();
        if !failed
            && !self.ever_failed
            && self.steps.len() == self.planned_steps
            && self.steps.iter().all(|s| s.status == StepStatus::Passed)
        {
            self.all_passed = true;
            self.steps = Vec::new();
        }
        failed
    }

    /// Whether the execution ran at all.
    pub fn ran(&self) -> bool {
        self.count > 0
    }

    /// The reported outcome of the step at `line`.
    pub fn step(&self, line: usize) -> Option<ReportedStep> {
        if self.all_passed {
            return Some(ReportedStep {
                line,
                status: StepStatus::Passed,
                definition: None,
            });
        }
        self.steps.iter().find(|s| s.line == line).copied()
    }

    /// A step's outcome; a later one for the same line replaces it.
    pub fn report(&mut self, step: ReportedStep) {
        if let Some(started) = self.step_started.take() {
            let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
            self.step_durations.push((step.line, micros));
        }
        match self.steps.iter_mut().find(|s| s.line == step.line) {
            Some(existing) => *existing = step,
            None => self.steps.push(step),
        }
    }
}

/// The record of a run of `plan`: what the run saw of each execution (by plan index, none
/// when nothing ran), and what the run says of itself.
pub fn record(
    suite: &Suite,
    registry: &Registry,
    plan: &Plan<'_>,
    attempts: &[Attempt],
    run: RunInfo,
) -> RunRecord {
    let mut step_counts = StepCounts::default();
    // Each file's path and feature name, shared by the records of its executions.
    let files: Vec<(Arc<str>, Arc<str>)> = plan
        .files
        .iter()
        .zip(&plan.features)
        .map(|(file, feature)| (file.as_str().into(), feature.name.as_str().into()))
        .collect();
    let executions: Vec<ExecutionRecord> = plan
        .executions
        .iter()
        .enumerate()
        .map(|(index, planned)| {
            let attempt = attempts.get(index).filter(|a| a.ran());
            execution_record(
                planned,
                &files[planned.file],
                attempt,
                run.selection.dry_run,
                &mut step_counts,
            )
        })
        .collect();
    let (unbound_steps, ambiguous_steps) = unresolved(plan, registry);
    let mut counts = counts(suite, registry, plan, &executions);
    counts.steps = step_counts;
    RunRecord {
        format_version: FORMAT_VERSION,
        release: run.release,
        commit: None,
        started_at: run.started_at,
        finished_at: now(),
        selection: run.selection,
        counts,
        executions,
        unbound_steps,
        ambiguous_steps,
        unused_definitions: registry::unused(
            registry,
            plan.executions
                .iter()
                .flat_map(|p| p.steps.iter().map(|s| &s.binding)),
        )
        .into_iter()
        .map(|i| registry.definitions()[i].clone())
        .collect(),
        run_hook_failures: run.run_hook_failures,
        interrupted: run.interrupted,
    }
}

/// The record of one planned execution, from its last attempt if it ran.
fn execution_record(
    planned: &Planned<'_>,
    (file, feature): &(Arc<str>, Arc<str>),
    attempt: Option<&Attempt>,
    dry_run: bool,
    step_counts: &mut StepCounts,
) -> ExecutionRecord {
    let (case, execution) = (planned.case, planned.execution);
    let reported: Vec<(StepStatus, Option<ReportedStep>)> = planned
        .steps
        .iter()
        .map(|bound| {
            let reported = attempt.and_then(|a| a.step(bound.line));
            let status = match (&bound.binding, reported) {
                (Binding::Unbound, _) => StepStatus::Unbound,
                (Binding::Ambiguous(_), _) => StepStatus::Ambiguous,
                (_, Some(reported)) => reported.status,
                (_, None) => StepStatus::Skipped,
            };
            (status, reported)
        })
        .collect();
    for (status, _) in &reported {
        step_counts.add(*status);
    }
    let status = if planned.skipped_by_impact {
        Status::Skipped
    } else {
        execution_status(&reported, attempt, dry_run)
    };
    // Steps are listed where they tell something: a passed execution passed every step, a
    // skipped one ran none. On a large suite this is most of the record's size.
    let detailed = matches!(
        status,
        Status::Failed | Status::Unbound | Status::Ambiguous | Status::Flaky
    );
    let steps = if detailed {
        step_records(planned, &reported)
    } else {
        Vec::new()
    };
    ExecutionRecord {
        case_id: case.id.as_ref().map(|id| id.0.clone()),
        title: case.title.clone(),
        feature: feature.clone(),
        file: file.clone(),
        line: case.location.line,
        example: execution.row.as_ref().map(|row| ExampleRef {
            index_in_outline: row.index_in_outline,
            line: row.location.line,
            values: row.values.clone(),
        }),
        requirements: execution.requirements.iter().map(|r| r.0.clone()).collect(),
        status,
        attempts: attempt.map_or(0, |a| a.count),
        duration_ms: attempt.map_or(0, |a| a.duration.as_millis() as u64),
        steps,
        failure: attempt.and_then(|a| a.failure.clone()),
        attachments: attempt.map(|a| a.attachments.clone()).unwrap_or_default(),
        skipped_by_impact: planned.skipped_by_impact,
        step_durations_us: attempt.map_or_else(Vec::new, |a| step_durations(planned, a)),
    }
}

/// How long each step of `planned` took in `attempt`, in its order; 0 for a step that did
/// not run.
fn step_durations(planned: &Planned<'_>, attempt: &Attempt) -> Vec<u32> {
    planned
        .steps
        .iter()
        .map(|step| {
            attempt
                .step_durations
                .iter()
                .find(|(line, _)| *line == step.line)
                .map_or(0, |(_, micros)| *micros)
        })
        .collect()
}

/// An execution's status: unbound or ambiguous before anything ran, else what its last
/// attempt says (flaky when it passed after failing).
fn execution_status(
    reported: &[(StepStatus, Option<ReportedStep>)],
    attempt: Option<&Attempt>,
    dry_run: bool,
) -> Status {
    let any = |wanted: StepStatus| reported.iter().any(|(status, _)| *status == wanted);

    if any(StepStatus::Unbound) {
        Status::Unbound
    } else if any(StepStatus::Ambiguous) {
        Status::Ambiguous
    } else {
        match attempt {
            _ if dry_run => Status::Skipped,
            None => Status::Skipped,
            Some(a) if a.failure.is_some() => Status::Failed,
            Some(a) if reported.iter().all(|(s, _)| *s == StepStatus::Passed) => {
                if a.ever_failed && a.count > 1 {
                    Status::Flaky
                } else {
                    Status::Passed
                }
            }
            Some(_) => Status::Skipped,
        }
    }
}

/// Each step of an execution with its status and the definition that ran it.
fn step_records(
    planned: &Planned<'_>,
    reported: &[(StepStatus, Option<ReportedStep>)],
) -> Vec<StepRecord> {
    planned
        .steps
        .iter()
        .zip(planned.case.all_steps())
        .zip(reported)
        .map(|((bound, step), (status, reported))| StepRecord {
            keyword: step.keyword.to_string(),
            text: bound.text.to_string(),
            line: bound.line,
            background: bound.background,
            status: *status,
            definition: reported
                .and_then(|r| r.definition)
                .map(|at| crate::registry::place(at).to_string()),
        })
        .collect()
}

/// Unbound and ambiguous steps, once per text, with every place they are used.
pub fn unresolved(plan: &Plan<'_>, registry: &Registry) -> (Vec<UnboundStep>, Vec<AmbiguousStep>) {
    let mut unbound: BTreeMap<(String, String), UnboundStep> = BTreeMap::new();
    let mut ambiguous: BTreeMap<String, AmbiguousStep> = BTreeMap::new();
    for planned in &plan.executions {
        for (bound, step) in planned.steps.iter().zip(planned.case.all_steps()) {
            if matches!(bound.binding, Binding::Bound(_)) {
                continue;
            }
            let place = format!("{}:{}", plan.files[planned.file], bound.line);
            match &bound.binding {
                Binding::Bound(_) => {}
                Binding::Unbound => {
                    let entry = unbound
                        .entry((format!("{:?}", bound.kind), bound.text.to_string()))
                        .or_insert_with(|| UnboundStep {
                            kind: bound.kind,
                            text: bound.text.to_string(),
                            places: Vec::new(),
                            snippet: registry::snippet(
                                bound.kind,
                                &bound.text,
                                step.table.is_some(),
                                step.doc_string.is_some(),
                            ),
                        });
                    if !entry.places.contains(&place) {
                        entry.places.push(place);
                    }
                }
                Binding::Ambiguous(definitions) => {
                    let entry =
                        ambiguous
                            .entry(bound.text.to_string())
                            .or_insert_with(|| AmbiguousStep {
                                text: bound.text.to_string(),
                                places: Vec::new(),
                                definitions: definitions
                                    .iter()
                                    .map(|&i| registry.definitions()[i].clone())
                                    .collect(),
                            });
                    if !entry.places.contains(&place) {
                        entry.places.push(place);
                    }
                }
            }
        }
    }
    (
        unbound.into_values().collect(),
        ambiguous.into_values().collect(),
    )
}

/// The counts of a run; `steps` is left for the caller, which counts as it folds.
pub fn counts(
    suite: &Suite,
    registry: &Registry,
    plan: &Plan<'_>,
    executions: &[ExecutionRecord],
) -> RunCounts {
    // A step is counted once per place, however many executions (outline rows) run it.
    let mut steps_by_place: std::collections::HashMap<(usize, usize), &Binding> =
        std::collections::HashMap::new();
    for planned in &plan.executions {
        for bound in &planned.steps {
            steps_by_place
                .entry((planned.file, bound.line))
                .or_insert(&bound.binding);
        }
    }
    let count_binding = |f: fn(&Binding) -> bool| steps_by_place.values().filter(|b| f(b)).count();
    let count_status = |status| executions.iter().filter(|e| e.status == status).count();
    RunCounts {
        cases: suite.cases().count(),
        manual_cases: suite
            .cases()
            .filter(|(_, c)| c.mode == crate::model::Mode::Manual)
            .count(),
        executions: executions.len(),
        definitions: registry.definitions().len(),
        bound_steps: count_binding(|b| matches!(b, Binding::Bound(_))),
        unbound_steps: count_binding(|b| matches!(b, Binding::Unbound)),
        ambiguous_steps: count_binding(|b| matches!(b, Binding::Ambiguous(_))),
        passed: count_status(Status::Passed),
        failed: count_status(Status::Failed),
        skipped: count_status(Status::Skipped),
        skipped_by_impact: executions.iter().filter(|e| e.skipped_by_impact).count(),
        unbound: count_status(Status::Unbound),
        ambiguous: count_status(Status::Ambiguous),
        flaky: count_status(Status::Flaky),
        steps: StepCounts::default(),
    }
}

/// Whether the run passed: every executed case passed (or was flaky), and in strict mode no
/// selected case has an unbound or ambiguous step.
pub fn passed(record: &RunRecord) -> bool {
    let c = &record.counts;
    c.failed == 0
        && record.interrupted.is_none()
        && record.run_hook_failures.is_empty()
        && !(record.selection.strict && (c.unbound > 0 || c.ambiguous > 0))
}

/// Now, as the record writes times.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {

    use super::*;

    use crate::model::StepKind;
    use crate::plan::Filter;
    use crate::registry::Definition;
    use crate::suite;

    const FEATURE: &str = "\
Feature: Accounts

  @ACC-1
  Scenario: Opening an account
    Given an account
    When it is opened
    Then it is open

  @ACC-2
  Scenario: Closing an account
    Given an account
    When it is closed by a clerk
";

    fn suite() -> Suite {
        suite::suite_from("a.feature", FEATURE)
    }

    fn registry() -> Registry {
        let definition = |kind, pattern: &str| Definition {
            kind,
            pattern: pattern.to_owned(),
            location: Some(crate::location::Location::new(
                std::path::Path::new("steps.rs").into(),
                1,
                1,
            )),
        };
        Registry::from_definitions(vec![
            definition(StepKind::Given, "^an account$"),
            definition(StepKind::When, "^it is opened$"),
            definition(StepKind::Then, "^it is open$"),
        ])
        .unwrap()
    }

    fn step(line: usize, status: StepStatus) -> ReportedStep {
        ReportedStep {
            line,
            status,
            definition: None,
        }
    }

    fn failure(line: usize) -> Box<Failure> {
        Box::new(Failure {
            step: "When it is opened".to_owned(),
            line,
            error: "boom".to_owned(),
            definition: None,
            exchange: None,
        })
    }

    /// The record of `attempts` over the two cases: the first bound, the second unbound.
    fn fold(attempts: &[Attempt]) -> RunRecord {
        let (suite, registry) = (suite(), registry());
        let bindings = crate::registry::Bindings::of(&registry, &suite);
        let plan = Plan::new(&suite, &bindings, &Filter::default());
        record(&suite, &registry, &plan, attempts, RunInfo::default())
    }

    fn attempt(steps: &[(usize, StepStatus)], failed_at: Option<usize>) -> Attempt {
        let mut attempt = Attempt::new(3);
        attempt.start();
        for &(line, status) in steps {
            attempt.report(step(line, status));
        }
        if let Some(line) = failed_at {
            attempt.ever_failed = true;
            attempt.failure = Some(failure(line));
        }
        attempt.finish();
        attempt
    }

    #[test]
    fn a_passed_attempt_is_passed_and_keeps_no_steps() {
        let passed = attempt(
            &[
                (5, StepStatus::Passed),
                (6, StepStatus::Passed),
                (7, StepStatus::Passed),
            ],
            None,
        );
        let record = fold(&[passed, Attempt::new(2)]);
        let [opened, closed] = &record.executions[..] else {
            panic!("{:?}", record.executions)
        };
        assert_eq!(opened.status, Status::Passed);
        assert_eq!(opened.attempts, 1);
        assert!(opened.steps.is_empty());
        assert_eq!(closed.status, Status::Unbound);
        assert_eq!(record.counts.passed, 1);
        assert_eq!(record.counts.unbound, 1);
        assert_eq!(record.counts.steps.passed, 3);
        assert_eq!(record.counts.bound_steps, 4, "a step counts once per place");
        assert_eq!(record.counts.unbound_steps, 1);
    }

    #[test]
    fn a_failed_attempt_lists_its_steps_and_the_rest_as_skipped() {
        let failed = attempt(&[(5, StepStatus::Passed), (6, StepStatus::Failed)], Some(6));
        let record = fold(&[failed, Attempt::new(2)]);
        let opened = &record.executions[0];
        assert_eq!(opened.status, Status::Failed);
        let statuses: Vec<(usize, StepStatus)> =
            opened.steps.iter().map(|s| (s.line, s.status)).collect();
        assert_eq!(
            statuses,
            [
                (5, StepStatus::Passed),
                (6, StepStatus::Failed),
                (7, StepStatus::Skipped)
            ]
        );
        assert_eq!(opened.failure.as_ref().unwrap().line, 6);
        assert!(!passed(&record));
    }

    #[test]
    fn passing_after_a_failed_attempt_is_flaky() {
        let mut retried = attempt(&[(5, StepStatus::Failed)], Some(5));
        retried.start();
        for line in [5, 6, 7] {
            retried.report(step(line, StepStatus::Passed));
        }
        assert!(!retried.finish());
        let record = fold(&[retried, Attempt::new(2)]);
        assert_eq!(record.executions[0].status, Status::Flaky);
        assert_eq!(record.executions[0].attempts, 2);
        assert!(
            passed(&record),
            "flaky passes, and unbound only fails a strict run"
        );
    }

    #[test]
    fn unbound_steps_are_listed_once_with_their_places() {
        let record = fold(&[]);
        assert_eq!(record.executions[0].status, Status::Skipped);
        let [unbound] = &record.unbound_steps[..] else {
            panic!("{:?}", record.unbound_steps)
        };
        assert_eq!(unbound.text, "it is closed by a clerk");
        assert_eq!(unbound.places, ["a.feature:12"]);
        assert!(record.unused_definitions.is_empty());
    }
}
