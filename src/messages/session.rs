//! The [`Session`]: what the stream has said so far (test cases, their steps and attempts),
//! and the envelopes of each stage of a run, in the order the protocol needs.

use foldhash::{HashMap, HashMapExt as _};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use cucumber::gherkin;

use crate::compile;
use crate::hooks::{self, HookKind, Hooks};
use crate::registry::{Binding, Registry};

use super::attachment::{attachment_envelope, redact_attachment};
use super::envelope::{self, Envelope, TestStepResultStatus, Timestamp};
use super::model::{Attempt, TestCase, TestStep};
use super::prepare::{Prepared, Preparer, Producer};
use super::sink::Lines;
use super::{FilePlan, Matcher, Sink};
use crate::event::{Attachment, Outbox};

/// The state of one run's stream, shared by the runner's parser, its writer and its hooks.
#[derive(Debug)]
pub struct Session {
    pub(super) sink: Sink,
    pub(super) strict: bool,
    pub(super) success: bool,
    /// What the files' messages are made from, shared with the thread that makes them.
    pub(super) prepare: Arc<Preparer>,
    /// The number of each file the runner was given, by [`compile::path_key`].
    pub(super) files: HashMap<Box<[u8]>, usize>,
    pub(super) cases: HashMap<(usize, usize), TestCase>,
}

/// A session shared between the parts of a run: the runner's parser, its writer and the
/// hooks around each scenario.
#[derive(Debug, Clone)]
pub struct Shared(Arc<Mutex<Session>>);

impl Shared {
    /// Shares `session`.
    pub fn new(session: Session) -> Self {
        Self(Arc::new(Mutex::new(session)))
    }

    /// The session, for as long as the guard lives. A panic while it was held (never a
    /// step's: steps run outside the lock) left its state whole at a message's boundary,
    /// so the stream goes on rather than losing the rest of the run.
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Session {
    /// Starts the stream: `meta`, the step definitions of `registry` (their source read
    /// under `root`), the `hooks`, `testRunStarted`. Under `strict`, undefined, ambiguous
    /// and pending steps fail the run as failed ones do.
    pub fn start(
        mut sink: Sink,
        meta: envelope::Meta,
        registry: &Registry,
        hooks: &Hooks,
        root: &Path,
        strict: bool,
    ) -> Self {
        sink.emit(&Envelope::Meta(meta));
        let mut definition_ids = Vec::new();
        let mut matchers = Vec::new();
        for definition in registry.definitions() {
            let matcher = Matcher::new(definition, root);
            let id = sink.id();
            let (uri, line) = match &definition.location {
                Some(at) => (Some(at.path.display().to_string()), Some(at.line)),
                None => (None, None),
            };
            sink.emit(&Envelope::StepDefinition(envelope::StepDefinition {
                id: id.clone(),
                pattern: matcher.pattern.clone(),
                source_reference: envelope::SourceReference {
                    uri,
                    location: line.map(|line| envelope::Location { line, column: None }),
                },
            }));
            definition_ids.push(id);
            matchers.push(matcher);
        }
        let mut hook_ids = Vec::new();
        for hook in hooks.all() {
            let id = sink.id();
            let (uri, line) = hook.file_and_line();
            sink.emit(&Envelope::Hook(envelope::Hook {
                id: id.clone(),
                name: hook.name.clone(),
                tag_expression: hook.tags.clone(),
                source_reference: envelope::SourceReference {
                    uri: Some(uri.to_owned()),
                    location: line.map(|line| envelope::Location { line, column: None }),
                },
                kind: match hook.kind {
                    HookKind::Before => envelope::HookType::BeforeTestCase,
                    HookKind::After => envelope::HookType::AfterTestCase,
                    HookKind::BeforeAll => envelope::HookType::BeforeTestRun,
                    HookKind::AfterAll => envelope::HookType::AfterTestRun,
                },
            }));
            hook_ids.push(id);
        }
        let run_id = sink.id();
        sink.emit(&Envelope::TestRunStarted(envelope::TestRunStarted {
            id: run_id.clone(),
            timestamp: Timestamp::now(),
        }));
        sink.flush_now();
        Session {
            prepare: Arc::new(Preparer {
                ids: sink.ids.clone(),
                run_id,
                definition_ids,
                matchers: Mutex::new(matchers),
                hooks: hooks.clone(),
                hook_ids,
                redactor: None,
            }),
            sink,
            strict,
            success: true,
            files: HashMap::new(),
            cases: HashMap::new(),
        }
    }

    /// Masks secrets as the other reports do: in the text of feature files (a password in a
    /// doc string), failure messages and text attachments.
    pub fn redact(mut self, redactor: crate::redact::Redactor) -> Self {
        Arc::get_mut(&mut self.prepare)
            .expect("a session is told to redact before it is shared")
            .redactor = Some(redactor);
        self
    }

    /// The redactor of failure messages and attachments, if any.
    fn redactor(&self) -> Option<&crate::redact::Redactor> {
        self.prepare.redactor.as_ref()
    }

    /// A file that does not parse: its `source` and a `parseError` per error. It fails the
    /// run, as in Cucumber.
    pub fn unparsed(&mut self, uri: &str, source: &str) {
        let mut lines = Lines::default();
        self.prepare.unparsed(uri, source, &mut lines);
        self.sink.lines(&lines);
        self.success = false;
        self.sink.flush();
    }

    /// Writes a file's `source`, `gherkinDocument`, `pickle`s and `testCase`s, reports the
    /// test cases that do not run, and returns the feature cucumber-rs runs (`None` when
    /// none of its test cases runs there).
    pub fn file(&mut self, file: &FilePlan) -> Option<gherkin::Feature> {
        let prepared = self.prepare.prepare(file);
        self.add(prepared)
    }

    /// Makes the messages of `files` on a thread of their own, at most `ahead` files before
    /// they are [added](Self::add).
    pub fn produce(&self, files: Vec<FilePlan>, ahead: usize) -> Producer {
        Producer::start(self.prepare.clone(), files, ahead)
    }

    /// Writes a prepared file's messages and keeps its test cases (see [`Self::file`]).
    pub fn add(&mut self, prepared: Prepared) -> Option<gherkin::Feature> {
        self.sink.lines(&prepared.lines);
        if prepared.parsed {
            self.files
                .insert(compile::path_key(&prepared.path).into(), prepared.number);
        } else {
            self.success = false;
        }
        for (key, case, runs) in prepared.cases {
            self.cases.insert(key, case);
            if !runs {
                self.not_run(key);
            }
        }
        self.sink.flush();
        prepared.feature
    }

    /// The hooks of `kind` a test case runs, in order, each with its test step's index.
    pub fn scenario_hooks(&self, key: (usize, usize), kind: HookKind) -> Vec<(usize, hooks::Hook)> {
        let Some(case) = self.cases.get(&key) else {
            return Vec::new();
        };
        case.steps
            .iter()
            .enumerate()
            .filter_map(|(index, step)| {
                let hook = &self.prepare.hooks.all()[step.hook?];
                (hook.kind == kind).then(|| (index, hook.clone()))
            })
            .collect()
    }

    /// Records how the hooks of `kind` of a test case's attempt ended, for the writer to
    /// report when the runner's events reach that phase.
    pub fn hooks_ran(
        &mut self,
        key: (usize, usize),
        kind: HookKind,
        outcomes: Vec<(usize, hooks::HookOutcome)>,
    ) {
        if let Some(case) = self.cases.get_mut(&key) {
            case.hook_runs.push_back((kind, outcomes));
        }
    }

    /// Reports the hooks of `kind` of the current attempt as they ended (the steps before
    /// them first, for `After`); whether one of them did not pass, which explains the
    /// runner's hook failure.
    pub(super) fn report_hooks(
        &mut self,
        key: (usize, usize),
        kind: HookKind,
        at: SystemTime,
    ) -> bool {
        let Some(case) = self.cases.get_mut(&key) else {
            return false;
        };
        let outcomes = match case.hook_runs.front() {
            Some((ran, _)) if *ran == kind => case.hook_runs.pop_front().map(|(_, o)| o),
            _ => None,
        }
        .unwrap_or_default();
        if kind == HookKind::After {
            let first_after = case
                .steps
                .iter()
                .position(|step| {
                    step.hook
                        .is_some_and(|h| self.prepare.hooks.all()[h].kind == kind)
                })
                .unwrap_or(case.steps.len());
            self.report_rest(key, first_after, at);
        }
        let mut explained = false;
        for (index, outcome) in outcomes {
            explained |= outcome.status != crate::event::StepEnd::Passed;
            self.step_started(key, index, outcome.started);
            self.step_finished(
                key,
                index,
                outcome.status.into(),
                outcome.message,
                outcome.finished,
            );
        }
        explained
    }

    /// Reports a test case that does not run: one attempt, no step executed.
    pub(super) fn not_run(&mut self, key: (usize, usize)) {
        let now = SystemTime::now();
        self.case_started(key, now);
        self.case_finished(key, false, now);
    }

    /// The test case the runner's scenario at `line` of the feature at `path` stands for.
    pub fn key(&self, path: &Path, line: usize) -> Option<(usize, usize)> {
        let file = *self.files.get(compile::path_key(path))?;
        self.cases
            .contains_key(&(file, line))
            .then_some((file, line))
    }

    /// The outbox of a test case's worlds.
    pub fn outbox(&self, key: (usize, usize)) -> Option<Outbox> {
        self.cases.get(&key).map(|case| case.outbox.clone())
    }

    pub(super) fn case_started(&mut self, key: (usize, usize), at: SystemTime) {
        let id = self.sink.id();
        let Some(case) = self.cases.get_mut(&key) else {
            return;
        };
        let attempt = case.attempts;
        case.attempts += 1;
        case.current = Some(Attempt {
            id: id.clone(),
            reported: vec![None; case.steps.len()],
            running: None,
        });
        let test_case_id = case.id.clone();
        self.sink
            .emit(&Envelope::TestCaseStarted(envelope::TestCaseStarted {
                id,
                test_case_id,
                attempt,
                timestamp: at.into(),
            }));
    }

    /// The index of the step at `line` in the current attempt of a test case, if it has
    /// not been reported yet.
    pub(super) fn step_at(&self, key: (usize, usize), line: usize) -> Option<usize> {
        let case = self.cases.get(&key)?;
        let attempt = case.current.as_ref()?;
        (0..case.steps.len()).find(|&i| {
            let step = &case.steps[i];
            step.hook.is_none() && step.line == line && attempt.reported[i].is_none()
        })
    }

    pub(super) fn step_started(&mut self, key: (usize, usize), index: usize, at: SystemTime) {
        let Some(case) = self.cases.get_mut(&key) else {
            return;
        };
        let Some(attempt) = case.current.as_mut() else {
            return;
        };
        attempt.running = Some((index, at));
        let envelope = Envelope::TestStepStarted(envelope::TestStepStarted {
            test_case_started_id: attempt.id.clone(),
            test_step_id: case.steps[index].id.clone(),
            timestamp: at.into(),
        });
        self.sink.emit(&envelope);
    }

    /// Ends a step: what it attached, its suggestion if undefined, its result.
    pub(super) fn step_finished(
        &mut self,
        key: (usize, usize),
        index: usize,
        status: TestStepResultStatus,
        message: Option<String>,
        at: SystemTime,
    ) {
        let Some(case) = self.cases.get_mut(&key) else {
            return;
        };
        let Some(attempt) = case.current.as_mut() else {
            return;
        };
        let (duration, ran) = match attempt.running.take() {
            Some((running, since)) if running == index => {
                (at.duration_since(since).unwrap_or_default(), true)
            }
            other => {
                // Never started (not run): started and finished at once.
                attempt.running = other;
                let envelope = Envelope::TestStepStarted(envelope::TestStepStarted {
                    test_case_started_id: attempt.id.clone(),
                    test_step_id: case.steps[index].id.clone(),
                    timestamp: at.into(),
                });
                self.sink.emit(&envelope);
                (std::time::Duration::ZERO, false)
            }
        };
        attempt.reported[index] = Some(status);
        let redactor = self.prepare.redactor.as_ref();
        let message = message.map(|message| match redactor {
            Some(redactor) => redactor.text(&message),
            None => message,
        });
        let started_id = attempt.id.clone();
        let step = &case.steps[index];
        // A step that did not run attached nothing. A step reported as not run after the
        // fact (skipped after a failure, when the runner's next event comes) would otherwise
        // take what was attached after the last step that ran, such as the screenshot of a
        // failed browser step: that waits for the end of the attempt (`case_finished`).
        if ran {
            for attachment in case.outbox.take(at) {
                let attachment = redact_attachment(attachment, redactor);
                self.sink.emit(&attachment_envelope(
                    attachment,
                    &started_id,
                    Some(&step.id),
                    at,
                ));
            }
        }
        if status == TestStepResultStatus::Undefined {
            let suggestion = suggestion(step, self.sink.id());
            self.sink.emit(&suggestion);
        }
        // The place is written out only for the exception of a step that did not pass.
        let place = format_args!("{}:{}", case.uri, step.line);
        let exception = exception(status, message.as_deref(), place);
        let step_id = case.steps[index].id.clone();
        self.sink
            .emit(&Envelope::TestStepFinished(envelope::TestStepFinished {
                test_case_started_id: started_id,
                test_step_id: step_id,
                test_step_result: envelope::TestStepResult {
                    status,
                    duration: duration.into(),
                    message,
                    exception,
                },
                timestamp: at.into(),
            }));
    }

    /// Reports the steps before `until` that the runner did not: skipped, or undefined and
    /// ambiguous as they are; a hook the runner did not reach, skipped.
    pub(super) fn report_rest(&mut self, key: (usize, usize), until: usize, at: SystemTime) {
        let Some(case) = self.cases.get(&key) else {
            return;
        };
        let Some(attempt) = case.current.as_ref() else {
            return;
        };
        let unreported: Vec<(usize, TestStepResultStatus)> = {
            // After a step or hook that skipped itself, the rest is skipped without being
            // looked at.
            let mut skipping = false;
            let mut out = Vec::new();
            for (index, step) in case.steps.iter().enumerate().take(until) {
                match attempt.reported[index] {
                    Some(status) => skipping |= status == TestStepResultStatus::Skipped,
                    None => {
                        let status = match &step.binding {
                            _ if skipping || step.hook.is_some() => TestStepResultStatus::Skipped,
                            Binding::Unbound => TestStepResultStatus::Undefined,
                            Binding::Ambiguous(_) => TestStepResultStatus::Ambiguous,
                            Binding::Bound(_) => TestStepResultStatus::Skipped,
                        };
                        out.push((index, status));
                    }
                }
            }
            out
        };
        for (index, status) in unreported {
            self.step_finished(key, index, status, None, at);
        }
    }

    /// Ends an attempt: reports the steps the runner did not (see [`Self::report_rest`]),
    /// what was attached after the last step, and whether another attempt follows (only
    /// when a step or hook failed and retries are left).
    pub(super) fn case_finished(
        &mut self,
        key: (usize, usize),
        retries_left: bool,
        at: SystemTime,
    ) {
        let Some(case) = self.cases.get(&key) else {
            return;
        };
        if case.current.is_none() {
            return;
        }
        let count = case.steps.len();
        self.report_rest(key, count, at);
        let case = self.cases.get_mut(&key).expect("looked up above");
        let attempt = case.current.take().expect("looked up above");
        // What was attached after the last step that ran is casebook's own evidence of a
        // failure (the world's screenshot on failure): it belongs to the step that failed,
        // as in cucumber.json; without one, to the test case.
        let failed_step = attempt
            .reported
            .iter()
            .position(|status| *status == Some(TestStepResultStatus::Failed))
            .map(|index| case.steps[index].id.clone());
        for attachment in case.outbox.take(at) {
            let attachment = redact_attachment(attachment, self.redactor());
            self.sink.emit(&attachment_envelope(
                attachment,
                &attempt.id,
                failed_step.as_deref(),
                at,
            ));
        }
        let failed = attempt
            .reported
            .iter()
            .flatten()
            .any(|s| *s == TestStepResultStatus::Failed);
        let will_be_retried = failed && retries_left;
        if !will_be_retried {
            let strict = self.strict;
            self.success &= !attempt.reported.iter().flatten().any(|s| s.fails(strict));
        }
        self.sink
            .emit(&Envelope::TestCaseFinished(envelope::TestCaseFinished {
                test_case_started_id: attempt.id,
                timestamp: at.into(),
                will_be_retried,
            }));
        if !will_be_retried {
            // Nothing more comes of a test case after its last attempt: a large run keeps
            // only the ones still running.
            self.cases.remove(&key);
        }
    }

    /// The hooks of the run.
    pub fn hooks(&self) -> &Hooks {
        &self.prepare.hooks
    }

    /// Reports a `BeforeAll` or `AfterAll` hook (its index in [`Self::hooks`]) that ended
    /// as `outcome` after attaching `attachments`: `testRunHookStarted`, the attachments,
    /// `testRunHookFinished`. A hook that fails (see [`TestStepResultStatus::fails`]) fails the run.
    pub fn test_run_hook(
        &mut self,
        hook: usize,
        outcome: &hooks::HookOutcome,
        attachments: Vec<Attachment>,
    ) {
        let id = self.sink.id();
        self.sink.emit(&Envelope::TestRunHookStarted(
            envelope::TestRunHookStarted {
                id: id.clone(),
                test_run_started_id: self.prepare.run_id.clone(),
                hook_id: self.prepare.hook_ids[hook].clone(),
                timestamp: outcome.started.into(),
            },
        ));
        for attachment in attachments {
            let attachment = redact_attachment(attachment, self.redactor());
            let Envelope::Attachment(mut envelope) =
                attachment_envelope(attachment, "", None, outcome.finished)
            else {
                unreachable!("an attachment's envelope is an attachment")
            };
            envelope.test_case_started_id = None;
            envelope.test_run_hook_started_id = Some(id.clone());
            self.sink.emit(&Envelope::Attachment(envelope));
        }
        let message = outcome
            .message
            .as_ref()
            .map(|message| match self.redactor() {
                Some(redactor) => redactor.text(message),
                None => message.clone(),
            });
        // Cucumber's stack trace of a run hook points at the hook's own line.
        let (file, line) = self.prepare.hooks.all()[hook].file_and_line();
        let place = format_args!("{file}:{}", line.unwrap_or(0));
        let exception = exception(outcome.status.into(), message.as_deref(), place);
        self.success &= !outcome.status.fails(self.strict);
        self.sink.emit(&Envelope::TestRunHookFinished(
            envelope::TestRunHookFinished {
                test_run_hook_started_id: id,
                result: envelope::TestStepResult {
                    status: outcome.status.into(),
                    duration: outcome
                        .finished
                        .duration_since(outcome.started)
                        .unwrap_or_default()
                        .into(),
                    message,
                    exception,
                },
                timestamp: outcome.finished.into(),
            },
        ));
        self.sink.flush_now();
    }

    /// Ends the stream with `testRunFinished`; whether the run succeeded.
    pub fn finish(&mut self) -> bool {
        let envelope = Envelope::TestRunFinished(envelope::TestRunFinished {
            test_run_started_id: self.prepare.run_id.clone(),
            timestamp: Timestamp::now(),
            success: self.success,
        });
        self.sink.emit(&envelope);
        self.sink.flush_now();
        self.success
    }

    /// The first error writing the stream, if any.
    pub fn error(&self) -> Option<&std::io::Error> {
        self.sink.error.as_ref()
    }
}

/// The exception of a step or hook that ended itself (failed, pending, skipped) with a
/// message, as a thrown error or `PendingException` has in Cucumber, with its stack trace
/// pointing at `place`.
pub(super) fn exception(
    status: TestStepResultStatus,
    message: Option<&str>,
    place: impl std::fmt::Display,
) -> Option<envelope::Exception> {
    let kind = match status {
        TestStepResultStatus::Failed => "panic",
        TestStepResultStatus::Pending if message.is_some() => "pending",
        TestStepResultStatus::Skipped if message.is_some() => "skipped",
        _ => return None,
    };
    Some(envelope::Exception {
        kind: kind.to_owned(),
        message: message.map(str::to_owned),
        stack_trace: Some(format!("{kind}: {}\n{place}", message.unwrap_or_default())),
    })
}

/// The `suggestion` for an undefined step: a snippet of a definition for each step kind
/// that could match it.
fn suggestion(step: &TestStep, id: String) -> Envelope {
    let snippets =
        crate::registry::snippets(step.kind, &step.text, step.has_table, step.has_doc_string)
            .into_iter()
            .map(|code| envelope::Snippet {
                language: "rust",
                code,
            })
            .collect();
    Envelope::Suggestion(envelope::Suggestion {
        id,
        pickle_step_id: step.pickle_step_id.clone(),
        snippets,
    })
}
