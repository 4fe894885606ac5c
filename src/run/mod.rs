//! Stage: run — the selected automated executions, executed through cucumber-rs, folded into a
//! [`RunRecord`].
//!
//! Before anything runs, every step is bound against the registry ([`plan`]). Executions
//! with an unbound or ambiguous step are not executed: they cannot pass, and running their
//! first steps would only send requests for nothing. They are recorded as `unbound` or
//! `ambiguous`, never as passed and never silently skipped. The others run in cucumber-rs,
//! whose events the [`recorder`] folds into attempts; [`execute`] turns those into the record.

pub mod features;
pub mod plan;
mod recorder;
pub mod terminal;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use cucumber::World as _;
use cucumber::gherkin;

use crate::World;
use crate::model::Suite;
use crate::record::{
    AmbiguousStep, Counts, ExampleRef, ExecutionRecord, FORMAT_VERSION, RunRecord, Selection,
    Status, StepCounts, StepRecord, StepStatus, UnboundStep,
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
pub async fn execute(suite: &Suite, registry: &Registry, options: &Options) -> RunRecord {
    crate::steps::link();
    let started_at = now();
    let plan = Plan::new(suite, registry, &options.filter);
    let stems = stems(&plan);

    let attempts = if options.dry_run || !plan.executions.iter().any(|p| p.is_runnable()) {
        Vec::new()
    } else {
        run_in_cucumber(&plan, stems, options).await
    };
    let mut step_counts = StepCounts::default();
    let executions: Vec<ExecutionRecord> = plan
        .executions
        .iter()
        .enumerate()
        .map(|(index, planned)| {
            let attempt = attempts.get(index).filter(|a| a.ran());
            execution_record(
                planned,
                &plan.files[planned.file],
                attempt,
                options.dry_run,
                &mut step_counts,
            )
        })
        .collect();
    let (unbound_steps, ambiguous_steps) = unresolved(&plan, registry);
    let mut counts = counts(suite, registry, &plan, &executions);
    counts.steps = step_counts;
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

/// Runs the executions of `plan` whose steps are all bound, and returns what the recorder
/// saw of each (by plan index).
async fn run_in_cucumber(
    plan: &Plan<'_>,
    stems: Vec<String>,
    options: &Options,
) -> Vec<recorder::Attempt> {
    let _installed = world::install(options.context.clone());
    let runnable_count = plan.executions.iter().filter(|p| p.is_runnable()).count();
    let sink = recorder::AttachmentSink {
        report_dir: options.report_dir.clone(),
        stems,
    };
    let recorder =
        recorder::Recorder::new(plan, runnable_count, sink, options.context.redactor.clone());
    let mut cli = cucumber::cli::Opts::<
        cucumber::cli::Empty,
        cucumber::runner::basic::Cli,
        cucumber::cli::Empty,
        cucumber::cli::Empty,
    >::default();
    cli.runner.concurrency = options.concurrency;
    cli.runner.retry = options.retry;
    cli.runner.fail_fast = options.fail_fast;
    let recorder = cucumber::Cucumber::<World, _, (), _, _, cucumber::cli::Empty>::custom(
        Parsed::new(plan),
        cucumber::runner::Basic::default(),
        recorder,
    )
    .steps(World::collection())
    .after(|_, _, _, finished, world| {
        let failed = !matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
        Box::pin(async move {
            if let Some(world) = world {
                world.finish(failed).await;
            }
        })
    })
    .with_cli(cli)
    .run(())
    .await;
    options.context.browsers.shutdown().await;
    recorder.attempts
}

/// Hands the runner the features of the plan, each built when the runner asks for it (see
/// [`features`]): only one file's document is in memory at a time.
struct Parsed {
    files: Vec<File>,
}

/// A feature file of the plan, as the runner needs it.
struct File {
    uri: String,
    path: PathBuf,
    source: std::sync::Arc<str>,
    /// The pickle lines of its executions that run.
    lines: std::collections::HashSet<usize>,
}

impl Parsed {
    fn new(plan: &Plan<'_>) -> Self {
        let mut files: Vec<File> = plan
            .features
            .iter()
            .map(|feature| File {
                uri: feature.path.to_string_lossy().into_owned(),
                path: std::path::absolute(&feature.path)
                    .unwrap_or_else(|_| feature.path.to_path_buf()),
                source: feature.source.clone(),
                lines: Default::default(),
            })
            .collect();
        for planned in plan.executions.iter().filter(|p| p.is_runnable()) {
            files[planned.file]
                .lines
                .insert(plan::pickle_line(planned.case, planned.execution));
        }
        files.retain(|file| !file.lines.is_empty());
        Self { files }
    }
}

impl<I> cucumber::Parser<I> for Parsed {
    type Cli = cucumber::cli::Empty;
    type Output = futures::stream::Iter<
        Box<dyn Iterator<Item = cucumber::parser::Result<gherkin::Feature>> + Send>,
    >;

    fn parse(self, _: I, _: Self::Cli) -> Self::Output {
        let mut ids = casebook_gherkin::IncrementingIds::new();
        let features = self.files.into_iter().filter_map(move |file| {
            let compiled = match features::compile(&file.source, &file.uri, &mut ids) {
                Ok(compiled) => compiled,
                // Every file of the suite parsed; lint has reported any that did not.
                Err(_) => return None,
            };
            features::runnable(&compiled, file.path, |pickle| {
                pickle
                    .location
                    .is_some_and(|at| file.lines.contains(&(at.line as usize)))
            })
            .map(Ok)
        });
        let features: Box<dyn Iterator<Item = _> + Send> = Box::new(features);
        futures::stream::iter(features)
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
    file: &str,
    attempt: Option<&recorder::Attempt>,
    dry_run: bool,
    step_counts: &mut StepCounts,
) -> ExecutionRecord {
    let (case, execution) = (planned.case, planned.execution);
    let reported: Vec<(StepStatus, Option<&recorder::ReportedStep>)> = planned
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
    let any = |wanted: StepStatus| reported.iter().any(|(status, _)| *status == wanted);

    let status = if any(StepStatus::Unbound) {
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
    };
    // Steps are listed where they tell something: a passed execution passed every step, a
    // skipped one ran none. On a large suite this is most of the record's size.
    let detailed = matches!(
        status,
        Status::Failed | Status::Unbound | Status::Ambiguous | Status::Flaky
    );
    let steps: Vec<StepRecord> = if detailed {
        planned
            .steps
            .iter()
            .zip(case.all_steps())
            .zip(&reported)
            .map(|((bound, step), (status, reported))| StepRecord {
                keyword: step.keyword.clone(),
                text: bound.text.to_string(),
                line: bound.line,
                background: bound.background,
                status: *status,
                definition: reported
                    .and_then(|r| r.definition)
                    .map(crate::registry::place),
            })
            .collect()
    } else {
        Vec::new()
    };
    ExecutionRecord {
        case_id: case.id.as_ref().map(|id| id.0.clone()),
        title: case.title.clone(),
        feature: planned.feature.name.clone(),
        file: file.to_owned(),
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

fn counts(
    suite: &Suite,
    registry: &Registry,
    plan: &Plan<'_>,
    executions: &[ExecutionRecord],
) -> Counts {
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
        steps: StepCounts::default(),
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
