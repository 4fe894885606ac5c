//! [`execute`]: runs the plan of a suite with casebook's [`World`], writing its messages as
//! it goes, and folds what it saw into the [`RunRecord`]; [`dry_run`] records without
//! running.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::cucumber::cucumber_run;
use super::hooks::run_hooks;
use super::recorder::{self, Finished};
use super::stream::{file_plans, finish_messages, report_without_running, start_messages};
use crate::World;
use crate::hooks::{HookKind, Hooks};
use crate::messages::{self, FilePlan, Sink};
use crate::model::Suite;
use crate::plan::{Filter, Plan};
use crate::record::fold::{self, Attempt, RunInfo};
use crate::record::{ImpactSelection, RunHookFailure, RunRecord, Selection};
use crate::registry::{Bindings, Registry};
use crate::world::{self, RunContext};

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Which executions to select.
    pub filter: Filter,
    /// The tag expression as typed, for the record.
    pub tags_text: Option<String>,
    /// The change the run is narrowed to (`--since`), for the record.
    pub impact: Option<ImpactSelection>,
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
    /// Where `run.json`, `messages.ndjson` and attachments go.
    pub report_dir: PathBuf,
    /// Run the steps of a case with an undefined or ambiguous step up to that step, as
    /// Cucumber does, rather than not at all (casebook's default: they cannot pass, and
    /// their first steps would only send requests for nothing).
    pub run_unresolved: bool,
    /// The order test cases run in.
    pub order: Order,
    /// Set once what the terminal shows before the run (the lint findings, made while the
    /// first cases run) has been printed: until then the progress line waits.
    pub progress_after: Option<Arc<AtomicBool>>,
}

/// The order test cases run in (`--order`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Files in the suite's order, and in each file its scenarios and rows as written.
    #[default]
    Defined,
    /// The last file first, and in each file the last scenario or row first: what
    /// `--order reverse` shows of cases that depend on the ones before them.
    Reverse,
}

impl std::str::FromStr for Order {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "defined" => Ok(Order::Defined),
            "reverse" => Ok(Order::Reverse),
            other => Err(format!("unknown order `{other}`: `defined` or `reverse`")),
        }
    }
}

/// The name of the Cucumber Messages stream in the report directory.
pub const MESSAGES: &str = "messages.ndjson";

/// Executes the plan of `suite` (whose steps bind to `registry` as `bindings` say) and
/// returns its record.
pub async fn execute(
    suite: &Suite,
    registry: &Registry,
    bindings: &Bindings,
    options: &Options,
) -> RunRecord {
    if options.dry_run {
        return dry_run(suite, registry, bindings, options);
    }
    crate::steps::link();
    let started_at = fold::now();
    let plan = Plan::new(suite, bindings, &options.filter);
    let finished: Finished = std::rc::Rc::new(std::cell::RefCell::new(
        plan.executions
            .iter()
            .map(|planned| Attempt::new(planned.steps.len()))
            .collect(),
    ));
    // A signal ends the run where it is: what finished is recorded, the rest is not run.
    let (attempts, run_hook_failures, interrupted) = tokio::select! {
        (attempts, failures) = run_with_messages(suite, registry, &plan, options, finished.clone()) => {
            (attempts, failures, None)
        }
        signal = interruption() => (finished.take(), Vec::new(), Some(signal.to_owned())),
    };
    let mut info = run_info(options, started_at, run_hook_failures);
    info.interrupted = interrupted;
    library_is_no_finding(fold::record(suite, registry, &plan, &attempts, info))
}

/// Binds and records the selected executions without executing any (`--dry-run`): no
/// hook, no world, no messages, since nothing happens to tell of.
pub fn dry_run(
    suite: &Suite,
    registry: &Registry,
    bindings: &Bindings,
    options: &Options,
) -> RunRecord {
    let started_at = fold::now();
    let plan = Plan::new(suite, bindings, &options.filter);
    let info = run_info(options, started_at, Vec::new());
    library_is_no_finding(fold::record(suite, registry, &plan, &[], info))
}

/// The first SIGINT or SIGTERM the process gets, by name. After it the signals have their
/// default effect again: a second Ctrl-C ends the process at once, as it would without
/// casebook, if ending the interrupted run takes too long.
async fn interruption() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    let name = tokio::select! {
        _ = interrupt.recv() => "SIGINT",
        _ = terminate.recv() => "SIGTERM",
    };
    // SAFETY: restoring the default disposition of two signals, with no handler to race.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::signal(libc::SIGTERM, libc::SIG_DFL);
    }
    name
}

/// What the record says of a run with `options`.
fn run_info(
    options: &Options,
    started_at: String,
    run_hook_failures: Vec<RunHookFailure>,
) -> RunInfo {
    RunInfo {
        release: options.release.clone(),
        selection: Selection {
            tags: options.tags_text.clone(),
            name: options
                .filter
                .name
                .as_ref()
                .map(|name| name.as_str().to_owned()),
            dry_run: options.dry_run,
            strict: options.strict,
            impact: options.impact.clone(),
        },
        started_at,
        run_hook_failures,
        interrupted: None,
    }
}

/// The built-in steps are a library: that a suite does not use one is no finding.
fn library_is_no_finding(mut record: RunRecord) -> RunRecord {
    record
        .unused_definitions
        .retain(|d| !d.location.as_ref().is_some_and(crate::steps::is_builtin));
    record
}

/// Runs the executions of `plan` with their hooks, writing `messages.ndjson` as they go;
/// what the recorder saw of each execution (by plan index), and the run hooks that failed.
async fn run_with_messages(
    suite: &Suite,
    registry: &Registry,
    plan: &Plan<'_>,
    options: &Options,
    finished: Finished,
) -> (Vec<Attempt>, Vec<RunHookFailure>) {
    let path = options.report_dir.join(MESSAGES);
    let sink = Sink::create(&path).unwrap_or_else(|err| {
        eprintln!("warning: cannot write `{}`: {err}", path.display());
        Sink::new(std::io::sink(), casebook_gherkin::RunIds::new())
    });
    let hooks = Hooks::collect::<World>();
    let session = start_messages(
        suite,
        registry,
        &hooks,
        options,
        sink,
        Some(options.context.redactor.clone()),
    );
    let mut files = file_plans(suite, plan, options);
    let mut run_hook_failures = run_hooks::<World>(&session, HookKind::BeforeAll, options).await;
    if !run_hook_failures.is_empty() {
        // Cucumber runs no test case after a failed `BeforeAll` hook, nor makes one.
        files.iter_mut().for_each(|file| file.cases.clear());
    }
    let attempts = if files
        .iter()
        .all(|f| f.cases.values().all(|c| c.run == messages::Run::Not))
    {
        report_without_running(&session, &files);
        Vec::new()
    } else {
        run_in_cucumber(plan, files, session.clone(), stems(plan), options, finished).await
    };
    run_hook_failures.extend(run_hooks::<World>(&session, HookKind::AfterAll, options).await);
    finish_messages(&session, &path);
    (attempts, run_hook_failures)
}

/// Runs the executions of `plan` that run in cucumber-rs (see [`messages::Run`]), and
/// returns what the recorder saw of each (by plan index).
async fn run_in_cucumber(
    plan: &Plan<'_>,
    files: Vec<FilePlan>,
    session: messages::Shared,
    stems: Vec<String>,
    options: &Options,
    finished: Finished,
) -> Vec<Attempt> {
    let _installed = world::install(options.context.clone());
    let running = files
        .iter()
        .flat_map(|f| f.cases.values())
        .filter(|c| c.run != messages::Run::Not)
        .count();
    let sink = recorder::AttachmentSink {
        report_dir: options.report_dir.clone(),
        stems,
    };
    let recorder = recorder::Recorder::new(
        plan,
        running,
        sink,
        options.context.redactor.clone(),
        options.progress_after.clone(),
        finished.clone(),
    );
    let recorder = cucumber_run::<World, _>(files, session, recorder, options).await;
    options.context.browsers.shutdown().await;
    // The finished attempts, and any the runner left unfinished.
    let mut attempts = finished.take();
    for (slot, left) in attempts.iter_mut().zip(recorder.attempts) {
        if left.count > 0 {
            *slot = left;
        }
    }
    attempts
}

/// A file-name stem per execution: the case ID (or file and line), plus the row for outlines.
/// Distinct executions get distinct stems: every byte of the name other than a letter, a
/// digit or `-` is written `_` and two hex digits (`X.1` → `X_2e1`, `X_1` → `X_5f1`), and the
/// row follows as `_ex1_row2`, which no escape reads as.
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
            let mut stem = String::with_capacity(base.len() + 12);
            for byte in base.bytes() {
                if byte.is_ascii_alphanumeric() || byte == b'-' {
                    stem.push(char::from(byte));
                } else {
                    stem.push_str(&format!("_{byte:02x}"));
                }
            }
            if let Some(row) = &planned.execution.row {
                stem.push_str(&format!("_ex{}_row{}", row.block + 1, row.row_in_block));
            }
            stem
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn executions_whose_ids_differ_never_share_an_attachment_name() {
        let conventions = crate::config::TagConventions {
            case_id: regex::Regex::new("^X.*$").unwrap(),
            ..Default::default()
        };
        let text = "Feature: F\n  @X.1\n  Scenario: a\n    Given a\n\n  @X_1\n  Scenario: b\n    Given b\n\n  \
                    @X-1\n  Scenario Outline: c <n>\n    Given c\n\n    Examples:\n      | n |\n      | 1 |\n      | 2 |\n";
        let feature = crate::parse::parse_str(text, Path::new("f.feature").into()).unwrap();
        let suite = Suite {
            features: vec![crate::suite::classify(feature, &conventions)],
            failures: Vec::new(),
        };
        let bindings = Bindings::of(&Registry::default(), &suite);
        let plan = Plan::new(&suite, &bindings, &Filter::default());
        assert_eq!(
            stems(&plan),
            ["X_2e1", "X_5f1", "X-1_ex1_row1", "X-1_ex1_row2"]
        );
    }
}
