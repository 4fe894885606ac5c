//! The [`Session`]: what the stream has said so far (test cases, their steps and attempts),
//! and the envelopes of each stage of a run, in the order the protocol needs.

use std::collections::VecDeque;

use foldhash::{HashMap, HashMapExt as _};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use casebook_gherkin::Pickle;
use cucumber::gherkin;

use crate::hooks::{self, HookKind, Hooks};
use crate::model::StepKind;
use crate::registry::{Binding, Registry};
use crate::run::features::{self, Nodes};

use super::attachment::{attachment_envelope, redact_attachment, redact_strings};
use super::envelope::{self, Envelope, Status, Timestamp};
use super::{Attachment, FilePlan, Matcher, Outbox, PlannedCase, Run, Sink};

/// A step of a test case: a pickle step, or a `Before` or `After` hook.
#[derive(Debug)]
pub(super) struct TestStep {
    pub(super) id: String,
    /// The hook (its index in the session's hooks), for a hook step.
    pub(super) hook: Option<usize>,
    pub(super) pickle_step_id: String,
    pub(super) line: usize,
    pub(super) kind: StepKind,
    pub(super) text: String,
    pub(super) has_table: bool,
    pub(super) has_doc_string: bool,
    pub(super) binding: Binding,
}

/// A test case and its current attempt.
#[derive(Debug)]
pub(super) struct TestCase {
    pub(super) id: String,
    pub(super) uri: String,
    pub(super) steps: Vec<TestStep>,
    pub(super) outbox: Outbox,
    pub(super) attempts: usize,
    pub(super) current: Option<Attempt>,
    /// How the hooks of each phase ended (`Before` or `After`, and each hook's step and
    /// outcome), recorded as the runner runs them and reported when its events of that
    /// phase come: first in, first out, since a retry may run before the writer is done
    /// with the attempt before.
    pub(super) hook_runs: VecDeque<(HookKind, Vec<(usize, hooks::Outcome)>)>,
}

#[derive(Debug)]
pub(super) struct Attempt {
    pub(super) id: String,
    pub(super) reported: Vec<Option<Status>>,
    pub(super) running: Option<(usize, SystemTime)>,
}

/// The state of one run's stream, shared by the runner's parser, its writer and its hooks.
#[derive(Debug)]
pub struct Session {
    pub(super) sink: Sink,
    pub(super) run_id: String,
    pub(super) strict: bool,
    pub(super) success: bool,
    pub(super) definition_ids: Vec<String>,
    pub(super) matchers: Vec<Matcher>,
    pub(super) hooks: Hooks,
    pub(super) hook_ids: Vec<String>,
    /// The number of each file the runner was given, by [`features::path_key`].
    pub(super) files: HashMap<Box<[u8]>, usize>,
    pub(super) cases: HashMap<(usize, usize), TestCase>,
    pub(super) redactor: Option<crate::world::Redactor>,
}

/// A session shared between the parts of a run.
pub type Shared = Arc<Mutex<Session>>;

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
            let (uri, line) = match definition.location.as_deref().map(|l| l.rsplitn(3, ':')) {
                Some(mut parts) => {
                    let _column = parts.next();
                    let line = parts.next().and_then(|line| line.parse().ok());
                    (parts.next().map(str::to_owned), line)
                }
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
            sink,
            run_id,
            strict,
            success: true,
            definition_ids,
            matchers,
            hooks: hooks.clone(),
            hook_ids,
            files: HashMap::new(),
            cases: HashMap::new(),
            redactor: None,
        }
    }

    /// Masks secrets as the other reports do: in the text of feature files (a password in a
    /// doc string), failure messages and text attachments.
    pub fn redact(mut self, redactor: crate::world::Redactor) -> Self {
        self.redactor = Some(redactor);
        self
    }

    /// Writes a parser message, its strings redacted when its file has secrets.
    pub(super) fn emit_gherkin(&mut self, envelope: &impl serde::Serialize, secret: bool) {
        match (&self.redactor, secret) {
            (Some(redactor), true) => {
                let mut value = serde_json::to_value(envelope).expect("messages serialise");
                redact_strings(&mut value, redactor);
                let json = serde_json::to_vec(&value).expect("messages serialise to JSON");
                self.sink.line(&json);
            }
            _ => self.sink.serialize(envelope),
        }
    }

    /// A file that does not parse: its `source` and a `parseError` per error. It fails the
    /// run, as in Cucumber.
    pub fn unparsed(&mut self, uri: &str, source: &str) {
        let envelopes = casebook_gherkin::envelopes(
            uri,
            source,
            casebook_gherkin::Options::default(),
            &mut *self.sink.ids,
        );
        let secret = self.redactor.as_ref().is_some_and(|r| r.has_secret(source));
        for envelope in &envelopes {
            self.emit_gherkin(envelope, secret);
        }
        self.success = false;
        self.sink.flush();
    }

    /// Writes a file's `source`, `gherkinDocument`, `pickle`s and `testCase`s, reports the
    /// test cases that do not run, and returns the feature cucumber-rs runs (`None` when
    /// none of its test cases runs there).
    pub fn file(&mut self, file: &FilePlan) -> Option<gherkin::Feature> {
        let compiled = match features::compile(&file.source, &file.uri, &mut *self.sink.ids) {
            Ok(compiled) => compiled,
            Err(_) => {
                self.unparsed(&file.uri, &file.source);
                return None;
            }
        };
        // Only a file whose text has something to mask has its messages walked.
        let secret = self
            .redactor
            .as_ref()
            .is_some_and(|redactor| redactor.has_secret(&file.source));
        let source = Parsed::Source(SourceRef {
            uri: &file.uri,
            data: &file.source,
            media_type: casebook_gherkin::MediaType::of_uri(&file.uri),
        });
        self.emit_gherkin(&source, secret);
        self.emit_gherkin(&Parsed::GherkinDocument(&compiled.document), secret);
        for pickle in &compiled.pickles {
            self.emit_gherkin(&Parsed::Pickle(pickle), secret);
        }
        self.files
            .insert(features::path_key(&file.path).into(), file.number);
        let nodes = Nodes::new(&compiled.document);
        // How many steps of each pickle cucumber-rs runs, by pickle id.
        let mut runs: HashMap<&str, usize> = HashMap::new();
        let mut pickles: Vec<&Pickle> = compiled.pickles.iter().collect();
        if file.reverse {
            pickles.reverse();
        }
        for pickle in pickles {
            let Some(line) = pickle.location.map(|l| l.line as usize) else {
                continue;
            };
            let Some(planned) = file.cases.get(&line) else {
                continue;
            };
            let case = self.test_case(pickle, planned, &nodes);
            let resolved = case
                .steps
                .iter()
                .filter(|step| step.hook.is_none())
                .take_while(|step| matches!(step.binding, Binding::Bound(_)))
                .count();
            let key = (file.number, line);
            if planned.run != Run::Not {
                runs.insert(&pickle.id, resolved);
            }
            self.cases.insert(key, case);
            if planned.run == Run::Not {
                self.not_run(key);
            }
        }
        self.sink.flush();
        let feature = features::runnable(&compiled, file.path.clone(), |pickle| {
            runs.get(pickle.id.as_str()).copied()
        });
        feature.map(|mut feature| {
            if file.reverse {
                feature.scenarios.reverse();
            }
            feature
        })
    }

    pub(super) fn test_case(
        &mut self,
        pickle: &Pickle,
        planned: &PlannedCase,
        nodes: &Nodes<'_>,
    ) -> TestCase {
        let kinds = features::step_kinds(pickle, nodes);
        let aligned = planned.bindings.len() == pickle.steps.len();
        let mut steps = Vec::with_capacity(pickle.steps.len());
        let mut test_steps = Vec::with_capacity(pickle.steps.len());
        let tags = || pickle.tags.iter().map(|tag| tag.name.as_str());
        let line = pickle.location.map_or(0, |l| l.line as usize);
        self.hook_steps(HookKind::Before, tags(), line, &mut steps, &mut test_steps);
        for (index, (step, kind)) in pickle.steps.iter().zip(kinds).enumerate() {
            // The plan bound the same steps; its bindings are reused rather than computed
            // a second time, unless the file changed under the run.
            let binding = if aligned && planned.bindings[index].0 == kind {
                planned.bindings[index].1.clone()
            } else {
                Binding::Unbound
            };
            let definitions: Vec<usize> = match &binding {
                Binding::Bound(one) => vec![*one],
                Binding::Ambiguous(all) => all.clone(),
                Binding::Unbound => Vec::new(),
            };
            let arguments = definitions
                .iter()
                .map(|&d| self.matchers[d].remembered(&step.text))
                .collect();
            let id = self.sink.id();
            test_steps.push(envelope::TestStep {
                id: id.clone(),
                pickle_step_id: Some(step.id.clone()),
                hook_id: None,
                step_definition_ids: Some(
                    definitions
                        .iter()
                        .map(|&d| self.definition_ids[d].clone())
                        .collect(),
                ),
                step_match_arguments_lists: Some(arguments),
            });
            let written = nodes.step(step);
            let argument = step.argument.as_ref();
            steps.push(TestStep {
                id,
                hook: None,
                pickle_step_id: step.id.clone(),
                line: written.map_or(0, |s| s.location.line as usize),
                kind,
                text: step.text.clone(),
                has_table: argument.is_some_and(|a| a.data_table.is_some()),
                has_doc_string: argument.is_some_and(|a| a.doc_string.is_some()),
                binding,
            });
        }
        self.hook_steps(HookKind::After, tags(), line, &mut steps, &mut test_steps);
        let id = self.sink.id();
        self.sink.emit(&Envelope::TestCase(envelope::TestCase {
            id: id.clone(),
            pickle_id: pickle.id.clone(),
            test_steps,
            test_run_started_id: self.run_id.clone(),
        }));
        TestCase {
            id,
            uri: pickle.uri.clone(),
            steps,
            outbox: Outbox::default(),
            attempts: 0,
            current: None,
            hook_runs: VecDeque::new(),
        }
    }

    /// Adds a test step for each hook of `kind` that runs in a test case with `tags`, in
    /// the order they run. A hook step's line is the scenario's, which is where Cucumber's
    /// stack trace points for a hook.
    pub(super) fn hook_steps<'t>(
        &mut self,
        kind: HookKind,
        tags: impl IntoIterator<Item = &'t str> + Clone,
        line: usize,
        steps: &mut Vec<TestStep>,
        test_steps: &mut Vec<envelope::TestStep>,
    ) {
        for hook in self.hooks.running(kind, tags) {
            let id = self.sink.id();
            test_steps.push(envelope::TestStep {
                id: id.clone(),
                pickle_step_id: None,
                hook_id: Some(self.hook_ids[hook].clone()),
                step_definition_ids: None,
                step_match_arguments_lists: None,
            });
            steps.push(TestStep {
                id,
                hook: Some(hook),
                pickle_step_id: String::new(),
                line,
                kind: StepKind::Given,
                text: String::new(),
                has_table: false,
                has_doc_string: false,
                binding: Binding::Unbound,
            });
        }
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
                let hook = &self.hooks.all()[step.hook?];
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
        outcomes: Vec<(usize, hooks::Outcome)>,
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
                .position(|step| step.hook.is_some_and(|h| self.hooks.all()[h].kind == kind))
                .unwrap_or(case.steps.len());
            self.report_rest(key, first_after, at);
        }
        let mut explained = false;
        for (index, outcome) in outcomes {
            explained |= outcome.status != Status::Passed;
            self.step_started(key, index, outcome.started);
            self.step_finished(
                key,
                index,
                outcome.status,
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
        let file = *self.files.get(features::path_key(path))?;
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
        status: Status,
        message: Option<String>,
        at: SystemTime,
    ) {
        let Some(case) = self.cases.get_mut(&key) else {
            return;
        };
        let Some(attempt) = case.current.as_mut() else {
            return;
        };
        let duration = match attempt.running.take() {
            Some((running, since)) if running == index => {
                at.duration_since(since).unwrap_or_default()
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
                std::time::Duration::ZERO
            }
        };
        attempt.reported[index] = Some(status);
        let message = message.map(|message| match &self.redactor {
            Some(redactor) => redactor.text(&message),
            None => message,
        });
        let started_id = attempt.id.clone();
        let step = &case.steps[index];
        for attachment in case.outbox.take(at) {
            let attachment = redact_attachment(attachment, self.redactor.as_ref());
            self.sink.emit(&attachment_envelope(
                attachment,
                &started_id,
                Some(&step.id),
                at,
            ));
        }
        if status == Status::Undefined {
            let snippets = crate::registry::snippets(
                step.kind,
                &step.text,
                step.has_table,
                step.has_doc_string,
            )
            .into_iter()
            .map(|code| envelope::Snippet {
                language: "rust",
                code,
            })
            .collect();
            let suggestion = Envelope::Suggestion(envelope::Suggestion {
                id: self.sink.id(),
                pickle_step_id: step.pickle_step_id.clone(),
                snippets,
            });
            self.sink.emit(&suggestion);
        }
        let exception = exception(
            status,
            message.as_deref(),
            &format!("{}:{}", case.uri, step.line),
        );
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
        let unreported: Vec<(usize, Status)> = {
            // After a step or hook that skipped itself, the rest is skipped without being
            // looked at.
            let mut skipping = false;
            let mut out = Vec::new();
            for (index, step) in case.steps.iter().enumerate().take(until) {
                match attempt.reported[index] {
                    Some(status) => skipping |= status == Status::Skipped,
                    None => {
                        let status = match &step.binding {
                            _ if skipping || step.hook.is_some() => Status::Skipped,
                            Binding::Unbound => Status::Undefined,
                            Binding::Ambiguous(_) => Status::Ambiguous,
                            Binding::Bound(_) => Status::Skipped,
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
        for attachment in case.outbox.take(at) {
            let attachment = redact_attachment(attachment, self.redactor.as_ref());
            self.sink
                .emit(&attachment_envelope(attachment, &attempt.id, None, at));
        }
        let failed = attempt
            .reported
            .iter()
            .flatten()
            .any(|s| *s == Status::Failed);
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
        &self.hooks
    }

    /// Reports a `BeforeAll` or `AfterAll` hook (its index in [`Self::hooks`]) that ended
    /// as `outcome` after attaching `attachments`: `testRunHookStarted`, the attachments,
    /// `testRunHookFinished`. A hook that fails (see [`Status::fails`]) fails the run.
    pub fn test_run_hook(
        &mut self,
        hook: usize,
        outcome: &hooks::Outcome,
        attachments: Vec<Attachment>,
    ) {
        let id = self.sink.id();
        self.sink.emit(&Envelope::TestRunHookStarted(
            envelope::TestRunHookStarted {
                id: id.clone(),
                test_run_started_id: self.run_id.clone(),
                hook_id: self.hook_ids[hook].clone(),
                timestamp: outcome.started.into(),
            },
        ));
        for attachment in attachments {
            let attachment = redact_attachment(attachment, self.redactor.as_ref());
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
            .map(|message| match &self.redactor {
                Some(redactor) => redactor.text(message),
                None => message.clone(),
            });
        // Cucumber's stack trace of a run hook points at the hook's own line.
        let (file, line) = self.hooks.all()[hook].file_and_line();
        let place = format!("{file}:{}", line.unwrap_or(0));
        let exception = exception(outcome.status, message.as_deref(), &place);
        self.success &= !outcome.status.fails(self.strict);
        self.sink.emit(&Envelope::TestRunHookFinished(
            envelope::TestRunHookFinished {
                test_run_hook_started_id: id,
                result: envelope::TestStepResult {
                    status: outcome.status,
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
            test_run_started_id: self.run_id.clone(),
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
    status: Status,
    message: Option<&str>,
    place: &str,
) -> Option<envelope::Exception> {
    let kind = match status {
        Status::Failed => "panic",
        Status::Pending if message.is_some() => "pending",
        Status::Skipped if message.is_some() => "skipped",
        _ => return None,
    };
    Some(envelope::Exception {
        kind: kind.to_owned(),
        message: message.map(str::to_owned),
        stack_trace: Some(format!("{kind}: {}\n{place}", message.unwrap_or_default())),
    })
}

/// What the parser makes of a file, borrowed: serialised exactly as
/// [`casebook_gherkin::Envelope`] is, without copying a file's text, document or pickles to
/// wrap them.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
enum Parsed<'a> {
    Source(SourceRef<'a>),
    GherkinDocument(&'a casebook_gherkin::GherkinDocument),
    Pickle(&'a Pickle),
}

/// A [`casebook_gherkin::Source`], borrowed.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SourceRef<'a> {
    uri: &'a str,
    data: &'a str,
    media_type: casebook_gherkin::MediaType,
}
