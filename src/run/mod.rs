//! Stage: run — the selected automated executions, executed through cucumber-rs, folded into a
//! [`RunRecord`].
//!
//! Before anything runs, every step is bound against the registry ([`plan`]). Executions
//! with an unbound or ambiguous step are not executed: they cannot pass, and running their
//! first steps would only send requests for nothing. They are recorded as `unbound` or
//! `ambiguous`, never as passed and never silently skipped. The others run in cucumber-rs,
//! whose events the [`recorder`] folds into attempts; [`execute`] turns those into the record.

pub mod plan;
mod recorder;
pub mod terminal;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use cucumber::World as _;

use crate::World;
use crate::model::Suite;
use crate::record::{
    AmbiguousStep, Counts, ExampleRef, ExecutionRecord, FORMAT_VERSION, RunRecord, Selection,
    Status, StepRecord, StepStatus, UnboundStep,
};
use crate::registry::{self, Binding, Registry};
use crate::world::{self, RunContext};

pub use plan::{Filter, Plan};

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Which executions to select.
    pub filter: Filter,
    /// The tag expression as typed, for the record.
    pub tags_text: Option<String>,
    /// Resolve and record only; execute nothing.
    pub dry_run: bool,
    /// Whether unbound and ambiguous steps fail the run.
    pub strict: bool,
    /// How many scenarios may run at once (cucumber's default when `None`).
    pub concurrency: Option<usize>,
    /// How many times a failed scenario is retried.
    pub retry: Option<usize>,
    /// Stop at the first failure.
    pub fail_fast: bool,
    /// The release label for the record.
    pub release: Option<String>,
    /// The settings every world gets.
    pub context: RunContext,
    /// Where `run.json` and attachments go.
    pub report_dir: PathBuf,
}

/// Executes the plan of `suite` and returns its record.
pub async fn execute(
    suite: &Suite,
    features_dir: &Path,
    registry: &Registry,
    options: &Options,
) -> RunRecord {
    crate::steps::link();
    let started_at = now();
    let plan = Plan::new(suite, registry, &options.filter);
    let stems = stems(&plan);

    let runnable: HashSet<(PathBuf, usize)> = plan
        .index()
        .into_iter()
        .filter(|(_, index)| plan.executions[*index].is_runnable())
        .map(|(key, _)| key)
        .collect();
    let attempts = if options.dry_run || runnable.is_empty() {
        Default::default()
    } else {
        let _installed = world::install(options.context.clone());
        let sink = recorder::AttachmentSink {
            report_dir: options.report_dir.clone(),
            stems,
        };
        let recorder = recorder::Recorder::new(&plan, runnable.len(), sink);
        let mut cli = cucumber::cli::Opts::<
            cucumber::parser::basic::Cli,
            cucumber::runner::basic::Cli,
            cucumber::cli::Empty,
            cucumber::cli::Empty,
        >::default();
        cli.runner.concurrency = options.concurrency;
        cli.runner.retry = options.retry;
        cli.runner.fail_fast = options.fail_fast;
        let recorder = World::cucumber()
            .after(|_, _, _, finished, world| {
                let failed = !matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
                Box::pin(async move {
                    if let Some(world) = world {
                        world.finish(failed).await;
                    }
                })
            })
            .with_writer(recorder)
            .with_cli(cli)
            .filter_run(features_dir.to_path_buf(), move |feature, _, scenario| {
                feature.path.as_ref().is_some_and(|path| {
                    runnable.contains(&(plan::absolute(path), scenario.position.line))
                })
            })
            .await;
        options.context.browsers.shutdown().await;
        recorder.attempts
    };

    let executions: Vec<ExecutionRecord> = plan
        .executions
        .iter()
        .enumerate()
        .map(|(index, planned)| execution_record(planned, attempts.get(&index), options.dry_run))
        .collect();
    let (unbound_steps, ambiguous_steps) = unresolved(&plan, registry);
    let counts = counts(suite, registry, &plan, &executions);
    RunRecord {
        format_version: FORMAT_VERSION,
        release: options.release.clone(),
        commit: None,
        started_at,
        finished_at: now(),
        selection: Selection {
            tags: options.tags_text.clone(),
            name: options
                .filter
                .name
                .as_ref()
                .map(|name| name.as_str().to_owned()),
            dry_run: options.dry_run,
            strict: options.strict,
        },
        counts,
        executions,
        unbound_steps,
        ambiguous_steps,
        // The built-in steps are a library: that a suite does not use one is no finding.
        unused_definitions: registry::unused(
            registry,
            plan.executions
                .iter()
                .flat_map(|p| p.steps.iter().map(|s| &s.binding)),
        )
        .into_iter()
        .map(|i| registry.definitions()[i].clone())
        .filter(|d| !d.location.as_deref().is_some_and(crate::steps::is_builtin))
        .collect(),
    }
}

/// Whether the run passed: every executed case passed (or was flaky), and in strict mode no
/// selected case has an unbound or ambiguous step.
pub fn passed(record: &RunRecord) -> bool {
    let c = &record.counts;
    c.failed == 0 && !(record.selection.strict && (c.unbound > 0 || c.ambiguous > 0))
}

fn execution_record(
    planned: &plan::Planned<'_>,
    attempt: Option<&recorder::Attempt>,
    dry_run: bool,
) -> ExecutionRecord {
    let (case, execution) = (planned.case, planned.execution);
    let steps: Vec<StepRecord> = planned
        .steps
        .iter()
        .zip(case.all_steps())
        .map(|(bound, step)| {
            let reported = attempt.and_then(|a| a.steps.get(&(bound.line, bound.background)));
            let status = match (&bound.binding, reported) {
                (Binding::Unbound, _) => StepStatus::Unbound,
                (Binding::Ambiguous(_), _) => StepStatus::Ambiguous,
                (_, Some((status, _))) => *status,
                (_, None) => StepStatus::Skipped,
            };
            StepRecord {
                keyword: step.keyword.clone(),
                text: bound.text.clone(),
                line: bound.line,
                background: bound.background,
                status,
                definition: reported.and_then(|(_, definition)| definition.clone()),
            }
        })
        .collect();

    let status = if steps.iter().any(|s| s.status == StepStatus::Unbound) {
        Status::Unbound
    } else if steps.iter().any(|s| s.status == StepStatus::Ambiguous) {
        Status::Ambiguous
    } else {
        match attempt {
            _ if dry_run => Status::Skipped,
            None => Status::Skipped,
            Some(a) if a.failure.is_some() => Status::Failed,
            Some(a) if steps.iter().all(|s| s.status == StepStatus::Passed) => {
                if a.ever_failed && a.count > 1 {
                    Status::Flaky
                } else {
                    Status::Passed
                }
            }
            Some(_) => Status::Skipped,
        }
    };
    ExecutionRecord {
        case_id: case.id.as_ref().map(|id| id.0.clone()),
        title: case.title.clone(),
        feature: planned.feature.name.clone(),
        file: planned.feature.path.display().to_string(),
        line: case.location.line,
        example: execution.row.as_ref().map(|row| ExampleRef {
            row: case
                .executions
                .iter()
                .position(|e| std::ptr::eq(e, execution))
                .unwrap_or(0)
                + 1,
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
    }
}

/// Unbound and ambiguous steps, once per text, with every place they are used.
fn unresolved(plan: &Plan<'_>, registry: &Registry) -> (Vec<UnboundStep>, Vec<AmbiguousStep>) {
    let mut unbound: BTreeMap<(String, String), UnboundStep> = BTreeMap::new();
    let mut ambiguous: BTreeMap<String, AmbiguousStep> = BTreeMap::new();
    for planned in &plan.executions {
        for (bound, step) in planned.steps.iter().zip(planned.case.all_steps()) {
            let place = format!("{}:{}", planned.feature.path.display(), bound.line);
            match &bound.binding {
                Binding::Bound(_) => {}
                Binding::Unbound => {
                    let entry = unbound
                        .entry((format!("{:?}", bound.kind), bound.text.clone()))
                        .or_insert_with(|| UnboundStep {
                            kind: bound.kind,
                            text: bound.text.clone(),
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
                            .entry(bound.text.clone())
                            .or_insert_with(|| AmbiguousStep {
                                text: bound.text.clone(),
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

fn counts(
    suite: &Suite,
    registry: &Registry,
    plan: &Plan<'_>,
    executions: &[ExecutionRecord],
) -> Counts {
    let mut steps_by_place: BTreeMap<(String, usize), &Binding> = BTreeMap::new();
    for planned in &plan.executions {
        for bound in &planned.steps {
            steps_by_place
                .entry((planned.feature.path.display().to_string(), bound.line))
                .or_insert(&bound.binding);
        }
    }
    let count_binding = |f: fn(&Binding) -> bool| steps_by_place.values().filter(|b| f(b)).count();
    let count_status = |status| executions.iter().filter(|e| e.status == status).count();
    Counts {
        cases: suite.cases().count(),
        manual_cases: suite
            .cases()
            .filter(|(_, c)| c.mode == crate::model::Mode::Manual)
            .count(),
        executions: executions.len(),
        scripts: registry.definitions().len(),
        bound_steps: count_binding(|b| matches!(b, Binding::Bound(_))),
        unbound_steps: count_binding(|b| matches!(b, Binding::Unbound)),
        ambiguous_steps: count_binding(|b| matches!(b, Binding::Ambiguous(_))),
        passed: count_status(Status::Passed),
        failed: count_status(Status::Failed),
        skipped: count_status(Status::Skipped),
        unbound: count_status(Status::Unbound),
        ambiguous: count_status(Status::Ambiguous),
        flaky: count_status(Status::Flaky),
    }
}

/// A file-name stem per execution: the case ID (or file and line), plus the row for outlines.
fn stems(plan: &Plan<'_>) -> Vec<String> {
    plan.executions
        .iter()
        .map(|planned| {
            let base = match &planned.case.id {
                Some(id) => id.0.clone(),
                None => format!(
                    "{}-{}",
                    planned.feature.path.display(),
                    planned.case.location.line
                ),
            };
            let row = planned
                .execution
                .row
                .as_ref()
                .map(|row| format!("-ex{}-row{}", row.examples + 1, row.row))
                .unwrap_or_default();
            format!("{base}{row}")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        })
        .collect()
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
