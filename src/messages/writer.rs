//! [`MessageWriter`]: the cucumber-rs writer that turns the runner's events into execution
//! messages.
//!
//! Events of concurrent scenarios interleave; each is keyed by its scenario (feature file
//! and pickle line), as the recorder's are, so the order of arrival only decides the order
//! of lines, which every reader of the protocol accepts.

use cucumber::event::{self, Cucumber, Feature as FeatureEvent, Rule as RuleEvent, Scenario};
use cucumber::{Event, gherkin, parser};

use std::time::SystemTime;

use super::Shared;
use super::envelope::TestStepResultStatus;
use crate::event::{MessageWorld, panic_outcome};
use crate::hooks::HookKind;

/// Writes the execution messages of a run into its [`Session`](super::Session).
pub struct MessageWriter<W> {
    session: Shared,
    _world: std::marker::PhantomData<fn() -> W>,
}

impl<W> MessageWriter<W> {
    /// A writer into `session`.
    pub fn new(session: Shared) -> Self {
        MessageWriter {
            session,
            _world: std::marker::PhantomData,
        }
    }
}

impl<W: MessageWorld> MessageWriter<W> {
    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        event: &event::RetryableScenario<W>,
        at: SystemTime,
    ) {
        let mut session = self.session.lock();
        // Looked up by path for every event: a parsed feature's address is no key, since
        // features are built and dropped as the run goes.
        let Some(key) = feature
            .path
            .as_deref()
            .and_then(|path| session.key(path, scenario.position.line))
        else {
            return;
        };
        match &event.event {
            Scenario::Started => session.case_started(key, at),
            Scenario::Step(step, outcome) | Scenario::Background(step, outcome) => {
                let Some(index) = session.step_at(key, step.position.line) else {
                    return;
                };
                match outcome {
                    event::Step::Started => session.step_started(key, index, at),
                    event::Step::Passed(..) => {
                        session.step_finished(key, index, TestStepResultStatus::Passed, None, at)
                    }
                    // cucumber-rs skips a step that no definition matches.
                    event::Step::Skipped => {
                        session.step_finished(key, index, TestStepResultStatus::Undefined, None, at)
                    }
                    event::Step::Failed(_, _, _, error) => {
                        let (status, message) = match error {
                            event::StepError::NotFound => (TestStepResultStatus::Undefined, None),
                            event::StepError::AmbiguousMatch(err) => {
                                (TestStepResultStatus::Ambiguous, Some(err.to_string()))
                            }
                            event::StepError::Panic(info) => {
                                let (status, message) = panic_outcome(info);
                                (status.into(), message)
                            }
                        };
                        session.step_finished(key, index, status, message, at);
                    }
                }
            }
            // The project's hooks ran in cucumber-rs's hook (see `run`), which recorded how
            // each ended: they are reported now, in their place among the steps.
            Scenario::Hook(kind, outcome @ (event::Hook::Passed | event::Hook::Failed(..))) => {
                let kind = match *kind {
                    event::HookType::Before => HookKind::Before,
                    event::HookType::After => HookKind::After,
                };
                let explained = session.report_hooks(key, kind, at);
                // casebook's own set-up and tear-down around a scenario (the world, the
                // browser) are not test steps; if they fail, the scenario's messages say
                // so in an attachment.
                if let event::Hook::Failed(_, info) = outcome
                    && !explained
                {
                    let (_, message) = panic_outcome(info);
                    if let Some(outbox) = session.outbox(key) {
                        outbox.log(format!(
                            "casebook's {kind} hook failed: {}",
                            message.unwrap_or_default()
                        ));
                    }
                }
            }
            Scenario::Hook(..) | Scenario::Log(_) => {}
            Scenario::Finished => {
                let retries_left = event.retries.is_some_and(|retries| retries.left > 0);
                session.case_finished(key, retries_left, at);
                session.sink.flush();
            }
        }
    }
}

impl<W: MessageWorld> cucumber::Writer<W> for MessageWriter<W> {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _: &Self::Cli) {
        self.read(&event);
    }
}

impl<W: MessageWorld> MessageWriter<W> {
    /// Writes what `event` says, without keeping it: beside another writer, the runner's
    /// event need not be copied for this one (see `Both` in `run::cucumber`).
    pub fn read(&mut self, event: &parser::Result<Event<Cucumber<W>>>) {
        let Ok(event) = event else { return };
        let at = event.at;
        match &event.value {
            Cucumber::Feature(feature, FeatureEvent::Scenario(scenario, event)) => {
                self.on_scenario(feature, scenario, event, at);
            }
            Cucumber::Feature(
                feature,
                FeatureEvent::Rule(_, RuleEvent::Scenario(scenario, event)),
            ) => {
                self.on_scenario(feature, scenario, event, at);
            }
            _ => {}
        }
    }
}

// Events are keyed by scenario (see the module docs).
impl<W> cucumber::writer::Normalized for MessageWriter<W> {}
