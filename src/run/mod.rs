//! Stage: run — the selected automated executions, executed through cucumber-rs, folded into a
//! [`RunRecord`].
//!
//! Before anything runs, every step is bound against the registry ([`plan`]). Executions
//! with an unbound or ambiguous step are not executed: they cannot pass, and running their
//! first steps would only send requests for nothing. They are recorded as `unbound` or
//! `ambiguous`, never as passed and never silently skipped. The others run in cucumber-rs,
//! whose events the `recorder` folds into attempts; [`execute`] turns those into the record.

mod recorder;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cucumber::gherkin;

use crate::World;
use crate::event::{self, MessageWorld};
use crate::hooks::{self, HookKind, Hooks};
use crate::messages::{self, FilePlan, PlannedCase, Session, Sink};
use crate::model::{Feature, Suite};
use crate::plan;
use crate::record::fold::{self, Attempt, RunInfo};
use crate::record::{RunHookFailure, RunRecord, Selection};
use crate::registry::Registry;
use crate::world::{self, RunContext};

pub use crate::plan::{Filter, Plan};
pub use crate::record::fold::passed;

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

/// Executes the plan of `suite` and returns its record.
pub async fn execute(suite: &Suite, registry: &Registry, options: &Options) -> RunRecord {
    if options.dry_run {
        return dry_run(suite, registry, options);
    }
    crate::steps::link();
    let started_at = fold::now();
    let plan = Plan::new(suite, registry, &options.filter);
    let (attempts, run_hook_failures) = run_with_messages(suite, registry, &plan, options).await;
    let info = run_info(options, started_at, run_hook_failures);
    library_is_no_finding(fold::record(suite, registry, &plan, &attempts, info))
}

/// Binds and records the selected executions without executing any (`--dry-run`): no
/// hook, no world, no messages, since nothing happens to tell of.
pub fn dry_run(suite: &Suite, registry: &Registry, options: &Options) -> RunRecord {
    let started_at = fold::now();
    let plan = Plan::new(suite, registry, &options.filter);
    let info = run_info(options, started_at, Vec::new());
    library_is_no_finding(fold::record(suite, registry, &plan, &[], info))
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
        },
        started_at,
        run_hook_failures,
    }
}

/// The built-in steps are a library: that a suite does not use one is no finding.
fn library_is_no_finding(mut record: RunRecord) -> RunRecord {
    record
        .unused_definitions
        .retain(|d| !d.location.as_deref().is_some_and(crate::steps::is_builtin));
    record
}

/// Runs the executions of `plan` with their hooks, writing `messages.ndjson` as they go;
/// what the recorder saw of each execution (by plan index), and the run hooks that failed.
async fn run_with_messages(
    suite: &Suite,
    registry: &Registry,
    plan: &Plan<'_>,
    options: &Options,
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
        run_in_cucumber(plan, files, session.clone(), stems(plan), options).await
    };
    run_hook_failures.extend(run_hooks::<World>(&session, HookKind::AfterAll, options).await);
    finish_messages(&session, &path);
    (attempts, run_hook_failures)
}

/// Runs the `BeforeAll` or `AfterAll` hooks of world `W`, reporting each in the messages;
/// the ones that failed (failed, or pending in a strict run). Every one runs, even after
/// one failed: a later hook may have something to set up or clean up of its own.
async fn run_hooks<W: 'static>(
    session: &messages::Shared,
    kind: HookKind,
    options: &Options,
) -> Vec<RunHookFailure> {
    let running: Vec<(usize, hooks::Hook)> = {
        let session = session.lock().unwrap_or_else(|p| p.into_inner());
        let all = session.hooks();
        all.running(kind, std::iter::empty())
            .into_iter()
            .map(|index| (index, all.all()[index].clone()))
            .collect()
    };
    let mut failures = Vec::new();
    for (index, hook) in running {
        let outbox = event::Outbox::default();
        let outcome = hooks::run_for_test_run::<W>(&hook, outbox.clone()).await;
        let mut session = session.lock().unwrap_or_else(|p| p.into_inner());
        session.test_run_hook(index, &outcome, outbox.drain());
        if outcome.status.fails(options.strict) {
            failures.push(RunHookFailure {
                hook: hook.label(),
                error: options
                    .context
                    .redactor
                    .text(outcome.message.as_deref().unwrap_or("pending")),
            });
        }
    }
    failures
}

/// Starts the messages of a run: `meta`, the step definitions, `testRunStarted`, and the
/// files that did not parse.
fn start_messages(
    suite: &Suite,
    registry: &Registry,
    hooks: &Hooks,
    options: &Options,
    sink: Sink,
    redactor: Option<crate::redact::Redactor>,
) -> messages::Shared {
    // Step definitions name their files relative to the package they are compiled in,
    // which is where `cargo test` runs a test binary.
    let root = std::env::current_dir().unwrap_or_default();
    let mut session = Session::start(
        sink,
        messages::meta(),
        registry,
        hooks,
        &root,
        options.strict,
    );
    if let Some(redactor) = redactor {
        session = session.redact(redactor);
    }
    for failure in &suite.failures {
        if !failure.source.is_empty() {
            session.unparsed(&failure.path.to_string_lossy(), &failure.source);
        }
    }
    Arc::new(Mutex::new(session))
}

/// Ends the messages of a run with `testRunFinished`, and says if they could not be written.
fn finish_messages(session: &messages::Shared, path: &Path) {
    let mut session = session.lock().unwrap_or_else(|p| p.into_inner());
    session.finish();
    if let Some(err) = session.error() {
        eprintln!("warning: `{}` is incomplete: {err}", path.display());
    }
}

/// Every feature file of the suite with the test cases the plan selected in it, and how each
/// runs.
fn file_plans(suite: &Suite, plan: &Plan<'_>, options: &Options) -> Vec<FilePlan> {
    let mut files: Vec<FilePlan> = suite
        .features
        .iter()
        .enumerate()
        .map(|(number, feature)| FilePlan {
            number,
            uri: feature.path.to_string_lossy().into_owned(),
            path: absolute(&feature.path),
            source: feature.source.clone(),
            cases: HashMap::new(),
            reverse: options.order == Order::Reverse,
        })
        .collect();
    let numbers: HashMap<*const Feature, usize> = suite
        .features
        .iter()
        .enumerate()
        .map(|(number, feature)| (std::ptr::from_ref(feature), number))
        .collect();
    for planned in &plan.executions {
        let Some(&number) = numbers.get(&std::ptr::from_ref(planned.feature)) else {
            continue;
        };
        let run = if options.dry_run {
            messages::Run::Not
        } else if planned.is_runnable() {
            messages::Run::All
        } else if options.run_unresolved {
            messages::Run::UntilUnresolved
        } else {
            messages::Run::Not
        };
        files[number].cases.insert(
            plan::pickle_line(planned.case, planned.execution),
            PlannedCase {
                bindings: planned
                    .steps
                    .iter()
                    .map(|step| (step.kind, step.binding.clone()))
                    .collect(),
                run,
            },
        );
    }
    if options.order == Order::Reverse {
        files.reverse();
    }
    files
}

/// One spelling of a path, the one the runner's features carry.
fn absolute(path: &Path) -> PathBuf {
    crate::location::normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Writes the messages of a run in which nothing executes.
fn report_without_running(session: &messages::Shared, files: &[FilePlan]) {
    let mut session = session.lock().unwrap_or_else(|p| p.into_inner());
    for file in files {
        session.file(file);
    }
}

/// Runs the executions of `plan` that run in cucumber-rs (see [`messages::Run`]), and
/// returns what the recorder saw of each (by plan index).
async fn run_in_cucumber(
    plan: &Plan<'_>,
    files: Vec<FilePlan>,
    session: messages::Shared,
    stems: Vec<String>,
    options: &Options,
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
    );
    let recorder = cucumber_run::<World, _>(files, session, recorder, options).await;
    options.context.browsers.shutdown().await;
    recorder.attempts
}

/// Runs the test cases of `files` in cucumber-rs with the step definitions of world `W`,
/// writing their messages into `session` and handing every event to `writer` as well;
/// returns `writer`.
async fn cucumber_run<W, X>(
    files: Vec<FilePlan>,
    session: messages::Shared,
    writer: X,
    options: &Options,
) -> X
where
    W: MessageWorld,
    X: cucumber::Writer<W, Cli = cucumber::cli::Empty> + cucumber::writer::Normalized,
{
    let mut cli = cucumber::cli::Opts::<
        cucumber::cli::Empty,
        cucumber::runner::basic::Cli,
        cucumber::cli::Empty,
        cucumber::cli::Empty,
    >::default();
    cli.runner.concurrency = options.concurrency;
    cli.runner.retry = options.retry;
    cli.runner.fail_fast = options.fail_fast;
    let (before, after) = (session.clone(), session.clone());
    // After a failure under --fail-fast, cucumber-rs starts nothing more and waits for the
    // parser to end: it gets every feature at once.
    let window = (!options.fail_fast).then(|| Arc::new(Window::new(options.concurrency)));
    let started = window.clone();
    let writers = Both(messages::MessageWriter::<W>::new(session.clone()), writer);
    let writers = cucumber::Cucumber::<W, _, (), _, _, cucumber::cli::Empty>::custom(
        Parsed {
            files,
            session,
            window,
        },
        cucumber::runner::Basic::default(),
        writers,
    )
    .steps(W::collection())
    // The world of each attempt gets the outbox of its test case: what a step or hook
    // attaches goes into that test case's messages. Then the project's `Before` hooks run.
    .before(move |feature, _, scenario, world| {
        if let Some(window) = &started {
            window.started();
        }
        let (key, running) = {
            let session = before.lock().unwrap_or_else(|p| p.into_inner());
            let key = feature
                .path
                .as_deref()
                .and_then(|path| session.key(path, scenario.position.line));
            if let Some(outbox) = key.and_then(|key| session.outbox(key)) {
                *world.outbox() = outbox;
            }
            let running = key.map_or_else(Vec::new, |key| {
                session.scenario_hooks(key, HookKind::Before)
            });
            (key, running)
        };
        let session = before.clone();
        Box::pin(async move {
            let Some(key) = key else { return };
            // After a hook that did not pass, the later ones are skipped, as steps are.
            let mut outcomes = Vec::with_capacity(running.len());
            let mut stopped: Option<(hooks::Outcome, hooks::Hook)> = None;
            for (index, hook) in running {
                let outcome = match stopped {
                    Some(_) => hooks::Outcome::not_run(),
                    None => hooks::run(&hook, world).await,
                };
                if stopped.is_none() && outcome.status != event::Status::Passed {
                    stopped = Some((outcome.clone(), hook));
                }
                outcomes.push((index, outcome));
            }
            session.lock().unwrap_or_else(|p| p.into_inner()).hooks_ran(
                key,
                HookKind::Before,
                outcomes,
            );
            // Failing cucumber-rs's hook is how the steps are skipped.
            if let Some((outcome, hook)) = stopped {
                outcome.resume(&hook);
            }
        })
    })
    // Every `After` hook runs, whatever happened before; then casebook's own tear-down.
    .after(move |feature, _, scenario, finished, world| {
        let (key, running) = {
            let session = after.lock().unwrap_or_else(|p| p.into_inner());
            let key = feature
                .path
                .as_deref()
                .and_then(|path| session.key(path, scenario.position.line));
            let running =
                key.map_or_else(Vec::new, |key| session.scenario_hooks(key, HookKind::After));
            (key, running)
        };
        let session = after.clone();
        let mut failed = !matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
        Box::pin(async move {
            let mut world = world;
            let mut outcomes = Vec::with_capacity(running.len());
            let mut failure: Option<(hooks::Outcome, hooks::Hook)> = None;
            for (index, hook) in running {
                let outcome = match world.as_deref_mut() {
                    Some(world) => hooks::run(&hook, world).await,
                    // No world (it could not be made): nothing to run a hook on.
                    None => hooks::Outcome::not_run(),
                };
                // A skipped `After` hook fails nothing; a failed or pending one fails the
                // scenario, as a step does.
                if failure.is_none()
                    && matches!(
                        outcome.status,
                        event::Status::Failed | event::Status::Pending
                    )
                {
                    failure = Some((outcome.clone(), hook));
                }
                outcomes.push((index, outcome));
            }
            if let Some(key) = key {
                session.lock().unwrap_or_else(|p| p.into_inner()).hooks_ran(
                    key,
                    HookKind::After,
                    outcomes,
                );
            }
            failed |= failure.is_some();
            if let Some(world) = world {
                world.finish(failed).await;
            }
            if let Some((outcome, hook)) = failure {
                outcome.resume(&hook);
            }
        })
    })
    .with_cli(cli)
    .run(())
    .await;
    writers.1
}

/// Runs `suite` with the step definitions of world `W` (any world, not only casebook's),
/// writing only Cucumber Messages to `sink`; whether the run succeeded, as its
/// `testRunFinished` says. This is how the Cucumber Compatibility Kit's samples run.
pub async fn run_messages<W: MessageWorld>(
    suite: &Suite,
    registry: &Registry,
    options: &Options,
    sink: Sink,
) -> bool {
    let plan = Plan::new(suite, registry, &options.filter);
    let hooks = Hooks::collect::<W>();
    let session = start_messages(suite, registry, &hooks, options, sink, None);
    let mut files = file_plans(suite, &plan, options);
    let before_all = if options.dry_run {
        Vec::new()
    } else {
        run_hooks::<W>(&session, HookKind::BeforeAll, options).await
    };
    if !before_all.is_empty() {
        // Cucumber runs no test case after a failed `BeforeAll` hook, nor makes one.
        files.iter_mut().for_each(|file| file.cases.clear());
    }
    if files
        .iter()
        .all(|f| f.cases.values().all(|c| c.run == messages::Run::Not))
    {
        report_without_running(&session, &files);
    } else {
        cucumber_run::<W, _>(files, session.clone(), Discard, options).await;
    }
    if !options.dry_run {
        run_hooks::<W>(&session, HookKind::AfterAll, options).await;
    }
    let mut session = session.lock().unwrap_or_else(|p| p.into_inner());
    session.finish()
}

/// Hands every event to the message writer, then to another writer: the first only reads
/// it, so the runner's event is not copied for it (as a tee of two writers would).
struct Both<W, B>(messages::MessageWriter<W>, B);

impl<W, B> cucumber::Writer<W> for Both<W, B>
where
    W: MessageWorld,
    B: cucumber::Writer<W, Cli = cucumber::cli::Empty>,
{
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: cucumber::parser::Result<cucumber::Event<cucumber::event::Cucumber<W>>>,
        cli: &Self::Cli,
    ) {
        self.0.read(&event);
        self.1.handle_event(event, cli).await;
    }
}

impl<W, B> cucumber::writer::Normalized for Both<W, B> {}

/// A writer that does nothing.
struct Discard;

impl<W: cucumber::World> cucumber::Writer<W> for Discard {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        _: cucumber::parser::Result<cucumber::Event<cucumber::event::Cucumber<W>>>,
        _: &Self::Cli,
    ) {
    }
}

impl cucumber::writer::Normalized for Discard {}

/// Hands the runner the features of the run, each made with its messages on a thread of
/// their own ([`Session::produce`]) and written into the stream as the runner takes it, no
/// more than the [`Window`] lets run ahead.
struct Parsed {
    files: Vec<FilePlan>,
    session: messages::Shared,
    window: Option<Arc<Window>>,
}

impl<I> cucumber::Parser<I> for Parsed {
    type Cli = cucumber::cli::Empty;
    type Output = Features;

    fn parse(self, _: I, _: Self::Cli) -> Self::Output {
        let producer = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .produce(self.files, PREPARED_AHEAD);
        Features {
            producer,
            session: self.session,
            window: self.window,
        }
    }
}

/// How many files' messages may be made before the runner takes them: enough that it never
/// waits for the next, few enough to hold little.
const PREPARED_AHEAD: usize = 4;

/// The stream of [`Parsed`]'s features.
struct Features {
    producer: messages::Producer,
    session: messages::Shared,
    window: Option<Arc<Window>>,
}

impl futures::Stream for Features {
    type Item = cucumber::parser::Result<gherkin::Feature>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(window) = &this.window
            && window.is_full(cx.waker())
        {
            return std::task::Poll::Pending;
        }
        loop {
            let runner_busy = this.window.as_ref().is_some_and(|w| w.waiting() > 0);
            let Some(prepared) = std::task::ready!(this.producer.poll_next(cx, runner_busy)) else {
                break;
            };
            let mut session = this.session.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(feature) = session.add(prepared) {
                if let Some(window) = &this.window {
                    window.produced(feature.scenarios.len());
                }
                return std::task::Poll::Ready(Some(Ok(feature)));
            }
        }
        std::task::Poll::Ready(None)
    }
}

/// How many scenarios the runner may have been given and not yet started.
///
/// cucumber-rs takes every feature its parser offers before it starts a scenario, and scans
/// all the scenarios it holds each time it starts more: on a large suite, every feature and
/// test case would be built at once, and each start would cost a pass over ten thousand
/// scenarios. The parser holds back while enough are waiting: several times what the runner
/// starts at once, so that it never waits for the parser while scenarios could run.
struct Window {
    /// Scenarios handed to the runner.
    produced: AtomicUsize,
    /// Scenarios the runner started (retries included, which only makes the window larger).
    started: AtomicUsize,
    /// The most that may wait.
    ahead: usize,
    /// The parser's task, to wake when the window has room again.
    waker: Mutex<Option<std::task::Waker>>,
}

impl Window {
    /// A window for a runner that starts up to `concurrency` scenarios at once (cucumber-rs's
    /// default: 64).
    fn new(concurrency: Option<usize>) -> Self {
        Self {
            produced: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
            ahead: 4 * concurrency.unwrap_or(64).max(64),
            waker: Mutex::new(None),
        }
    }

    fn waiting(&self) -> usize {
        let started = self.started.load(Ordering::SeqCst);
        self.produced.load(Ordering::SeqCst).saturating_sub(started)
    }

    /// Whether enough scenarios wait; if so, `waker` is woken when that is no longer true.
    fn is_full(&self, waker: &std::task::Waker) -> bool {
        let mut slot = self.waker.lock().unwrap_or_else(|p| p.into_inner());
        let full = self.waiting() >= self.ahead;
        *slot = full.then(|| waker.clone());
        full
    }

    fn produced(&self, scenarios: usize) {
        self.produced.fetch_add(scenarios, Ordering::SeqCst);
    }

    /// A scenario started: wakes the parser if the window has room again.
    fn started(&self) {
        self.started.fetch_add(1, Ordering::SeqCst);
        if self.waiting() < self.ahead {
            let waker = self.waker.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
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
