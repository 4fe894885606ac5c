//! The glue to cucumber-rs: [`cucumber_run`] runs the planned test cases with a world's
//! step definitions, the project's scenario hooks in cucumber-rs's `Before` and `After`
//! ([`before_scenario`], [`after_scenario`]), and a parser ([`Parsed`]) that hands the
//! runner its features no faster than the back-pressure [`Window`] lets it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cucumber::gherkin;

use super::Options;
use crate::event::{self, MessageWorld};
use crate::hooks::{self, HookKind};
use crate::messages::{self, FilePlan};

/// Runs the test cases of `files` in cucumber-rs with the step definitions of world `W`,
/// writing their messages into `session` and handing every event to `writer` as well;
/// returns `writer`.
pub(super) async fn cucumber_run<W, X>(
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
    .before(move |feature, _, scenario, world| {
        if let Some(window) = &started {
            window.started();
        }
        Box::pin(before_scenario(before.clone(), feature, scenario, world))
    })
    .after(move |feature, _, scenario, finished, world| {
        let failed = !matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
        Box::pin(after_scenario(
            after.clone(),
            feature,
            scenario,
            failed,
            world,
        ))
    })
    .with_cli(cli)
    .run(())
    .await;
    writers.1
}

/// cucumber-rs's `Before` hook: the world of each attempt gets the outbox of its test case,
/// so what a step or hook attaches goes into that test case's messages; then the project's
/// `Before` hooks run. After a hook that did not pass, the later ones are skipped, as steps
/// are, and failing cucumber-rs's hook is how the steps are skipped.
async fn before_scenario<W: MessageWorld>(
    session: messages::Shared,
    feature: &gherkin::Feature,
    scenario: &gherkin::Scenario,
    world: &mut W,
) {
    let (key, running) = {
        let session = session.lock();
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
    let Some(key) = key else { return };
    let mut outcomes = Vec::with_capacity(running.len());
    let mut stopped: Option<(hooks::HookOutcome, hooks::Hook)> = None;
    for (index, hook) in running {
        let outcome = match stopped {
            Some(_) => hooks::HookOutcome::not_run(),
            None => hooks::run(&hook, world).await,
        };
        if stopped.is_none() && outcome.status != event::StepEnd::Passed {
            stopped = Some((outcome.clone(), hook));
        }
        outcomes.push((index, outcome));
    }
    session.lock().hooks_ran(key, HookKind::Before, outcomes);
    if let Some((outcome, hook)) = stopped {
        outcome.resume(&hook);
    }
}

/// cucumber-rs's `After` hook: every project `After` hook runs, whatever happened before;
/// then casebook's own tear-down ([`MessageWorld::finish`]). A skipped `After` hook fails
/// nothing; a failed or pending one fails the scenario, as a step does.
async fn after_scenario<W: MessageWorld>(
    session: messages::Shared,
    feature: &gherkin::Feature,
    scenario: &gherkin::Scenario,
    mut failed: bool,
    mut world: Option<&mut W>,
) {
    let (key, running) = {
        let session = session.lock();
        let key = feature
            .path
            .as_deref()
            .and_then(|path| session.key(path, scenario.position.line));
        let running = key.map_or_else(Vec::new, |key| session.scenario_hooks(key, HookKind::After));
        (key, running)
    };
    let mut outcomes = Vec::with_capacity(running.len());
    let mut failure: Option<(hooks::HookOutcome, hooks::Hook)> = None;
    for (index, hook) in running {
        let outcome = match world.as_deref_mut() {
            Some(world) => hooks::run(&hook, world).await,
            // No world (it could not be made): nothing to run a hook on.
            None => hooks::HookOutcome::not_run(),
        };
        if failure.is_none()
            && matches!(
                outcome.status,
                event::StepEnd::Failed | event::StepEnd::Pending
            )
        {
            failure = Some((outcome.clone(), hook));
        }
        outcomes.push((index, outcome));
    }
    if let Some(key) = key {
        session.lock().hooks_ran(key, HookKind::After, outcomes);
    }
    failed |= failure.is_some();
    if let Some(world) = world {
        world.finish(failed).await;
    }
    if let Some((outcome, hook)) = failure {
        outcome.resume(&hook);
    }
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
pub(super) struct Discard;

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
        let producer = self.session.lock().produce(self.files, PREPARED_AHEAD);
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
            let mut session = this.session.lock();
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
