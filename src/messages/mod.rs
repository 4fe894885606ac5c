//! Cucumber Messages: the NDJSON record of a run (`messages.ndjson`) that Cucumber's own
//! tools read (the HTML formatter, Cucumber Reports) and that shards can concatenate.
//!
//! A [`Session`] writes the stream as the run goes, one envelope per line:
//!
//! 1. at the start, `meta`, a `stepDefinition` per definition of the registry, a `hook` per
//!    hook of the project ([`hooks`](crate::hooks)) and `testRunStarted`
//!    ([`Session::start`]); then each `BeforeAll` hook as the run runs it
//!    ([`Session::test_run_hook`]);
//! 2. per feature file, when the runner asks for it ([`Session::file`]): `source`,
//!    `gherkinDocument`, its `pickle`s, and a `testCase` per pickle the plan selected, each
//!    test step with the definitions it matches and what they capture, between the test
//!    steps of the `Before` and `After` hooks whose tag expressions the pickle's tags match. The same call
//!    builds the `gherkin::Feature` cucumber-rs runs (see [`run::features`](crate::run::features));
//!    a test case that does not run (a dry run, or a step without exactly one definition)
//!    gets its execution messages right away, every step `SKIPPED`, `UNDEFINED` (with a
//!    `suggestion`) or `AMBIGUOUS`;
//! 3. as cucumber-rs reports events ([`MessageWriter`]): `testCaseStarted`,
//!    `testStepStarted`, `attachment`s, `suggestion`s, `testStepFinished`,
//!    `testCaseFinished` with `willBeRetried`. The hooks run in cucumber-rs's before and
//!    after closures, which record how each ended ([`Session::hooks_ran`]); the writer
//!    reports them when the runner's hook events come, in their place among the steps;
//! 4. the `AfterAll` hooks, and `testRunFinished` ([`Session::finish`]).
//!
//! Every id comes from one generator (a run prefix and a counter, or a plain counter for
//! reproducible streams), and a
//! message always comes after the messages it refers to. Lines are flushed after each file
//! and each runner event, so a run that dies leaves every message written before.
//!
//! Step definitions attach text or files through the [`Outbox`] of their world
//! ([`MessageWorld`]); casebook's [`World`](crate::World) forwards what it attaches.

mod arguments;
pub mod envelope;
mod meta;
mod writer;

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use casebook_gherkin::{IdGenerator, Pickle};
use cucumber::gherkin;

use crate::hooks::{self, HookKind, Hooks};
use crate::model::StepKind;
use crate::registry::{Binding, Registry};
use crate::run::features::{self, Nodes};

pub use arguments::Matcher;
pub use envelope::{Envelope, Status, Timestamp};
pub use meta::meta;
pub use writer::{MessageWriter, StepOutcome, panic_outcome, pending, skip};

/// The version of the Cucumber Messages protocol written: the version of the JSON schemas
/// casebook validates its stream against (`tests/messages/schemas/`), which the Cucumber
/// Compatibility Kit's reference streams also declare.
pub const PROTOCOL_VERSION: &str = "33.0.4";

/// Text or bytes a step attaches to its test step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The content.
    pub body: Body,
    /// Its media type, e.g. `text/plain` or `image/png`.
    pub media_type: String,
    /// The file name a reader should save it as, if any.
    pub file_name: Option<String>,
}

/// An attachment's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Text, written as it is.
    Text(String),
    /// Bytes, written in base64.
    Bytes(Vec<u8>),
}

/// Where a world puts what it attaches until the run writes it out, with the step that
/// was running when it was attached. Cloning shares the outbox.
///
/// The runner's events reach the writer after the fact, so an attachment is known by when
/// it was made: it belongs to the step whose event of ending comes first after it.
#[derive(Debug, Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<(SystemTime, Attachment)>>>);

impl Outbox {
    /// Attaches `attachment` to the running step.
    pub fn attach(&self, attachment: Attachment) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((SystemTime::now(), attachment));
    }

    /// Attaches text, as the official `log`.
    pub fn log(&self, text: impl Into<String>) {
        self.attach(Attachment {
            body: Body::Text(text.into()),
            media_type: "text/x.cucumber.log+plain".to_owned(),
            file_name: None,
        });
    }

    /// Everything attached, in order, leaving the outbox empty.
    pub(crate) fn drain(&self) -> Vec<Attachment> {
        self.take(SystemTime::now())
    }

    /// What was attached up to `until`, in order; the rest stays.
    fn take(&self, until: SystemTime) -> Vec<Attachment> {
        let mut all = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut *all)
            .into_iter()
            .partition(|(at, _)| *at <= until);
        *all = kept;
        taken
            .into_iter()
            .map(|(_, attachment)| attachment)
            .collect()
    }
}

/// A world the messages can follow: it gives the run its outbox, and may clean up after a
/// scenario.
pub trait MessageWorld:
    cucumber::World + cucumber::codegen::WorldInventory + std::fmt::Debug
{
    /// The outbox the run gives each scenario's world before its first step.
    fn outbox(&mut self) -> &mut Outbox;

    /// Called after every scenario, `failed` or not (casebook's world hands its browser
    /// back here, with a screenshot on failure).
    fn finish(&mut self, failed: bool) -> impl std::future::Future<Output = ()> {
        let _ = failed;
        async {}
    }
}

/// How a planned test case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Every step, in cucumber-rs.
    All,
    /// The steps before the first one without exactly one definition, in cucumber-rs; that
    /// step and the rest are then reported as Cucumber reports them.
    UntilUnresolved,
    /// None: every step is reported without running (a dry run, or casebook's default for a
    /// case with an undefined or ambiguous step).
    Not,
}

/// A test case of the plan: how each step binds, and how it runs.
#[derive(Debug, Clone)]
pub struct PlannedCase {
    /// The binding of each step of the pickle, Background first.
    pub bindings: Vec<(StepKind, Binding)>,
    /// How it runs.
    pub run: Run,
}

/// A feature file of the run.
#[derive(Debug, Clone)]
pub struct FilePlan {
    /// Its number in the plan (unique within the run).
    pub number: usize,
    /// Its URI in messages: its path as shown to people.
    pub uri: String,
    /// Its absolute path, which the runner's events carry.
    pub path: PathBuf,
    /// Its text.
    pub source: Arc<str>,
    /// The selected test cases by the line of their pickle.
    pub cases: HashMap<usize, PlannedCase>,
    /// Whether its test cases run last pickle first (`--order reverse`).
    pub reverse: bool,
}

/// Where the stream goes and how ids are made.
pub struct Sink {
    out: Box<dyn Write + Send>,
    ids: Box<dyn IdGenerator + Send>,
    /// The first write error; the run goes on without messages.
    error: Option<std::io::Error>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Sink {
    /// A stream to `out`, with ids from `ids`.
    pub fn new(out: impl Write + Send + 'static, ids: impl IdGenerator + Send + 'static) -> Self {
        Sink {
            out: Box::new(std::io::BufWriter::with_capacity(64 * 1024, out)),
            ids: Box::new(ids),
            error: None,
        }
    }

    /// A stream to a new file at `path` (its directory made if need be), with short ids
    /// unique across runs ([`casebook_gherkin::RunIds`]).
    pub fn create(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(Sink::new(
            std::fs::File::create(path)?,
            casebook_gherkin::RunIds::new(),
        ))
    }

    fn id(&mut self) -> String {
        self.ids.new_id()
    }

    fn line(&mut self, json: &[u8]) {
        if self.error.is_none() {
            let written = self
                .out
                .write_all(json)
                .and_then(|()| self.out.write_all(b"\n"));
            self.error = written.err();
        }
    }

    fn emit(&mut self, envelope: &Envelope) {
        let json = serde_json::to_vec(envelope).expect("messages serialise to JSON");
        self.line(&json);
    }

    fn emit_gherkin(&mut self, envelope: &casebook_gherkin::Envelope) {
        let json = serde_json::to_vec(envelope).expect("messages serialise to JSON");
        self.line(&json);
    }

    fn flush(&mut self) {
        if self.error.is_none() {
            self.error = self.out.flush().err();
        }
    }
}

/// A step of a test case: a pickle step, or a `Before` or `After` hook.
#[derive(Debug)]
struct TestStep {
    id: String,
    /// The hook (its index in the session's hooks), for a hook step.
    hook: Option<usize>,
    pickle_step_id: String,
    line: usize,
    kind: StepKind,
    text: String,
    has_table: bool,
    has_doc_string: bool,
    binding: Binding,
}

/// A test case and its current attempt.
#[derive(Debug)]
struct TestCase {
    id: String,
    uri: String,
    steps: Vec<TestStep>,
    outbox: Outbox,
    attempts: usize,
    current: Option<Attempt>,
    /// How the hooks of each phase ended (`Before` or `After`, and each hook's step and
    /// outcome), recorded as the runner runs them and reported when its events of that
    /// phase come: first in, first out, since a retry may run before the writer is done
    /// with the attempt before.
    hook_runs: VecDeque<(HookKind, Vec<(usize, hooks::Outcome)>)>,
}

#[derive(Debug)]
struct Attempt {
    id: String,
    reported: Vec<Option<Status>>,
    running: Option<(usize, SystemTime)>,
}

/// The state of one run's stream, shared by the runner's parser, its writer and its hooks.
#[derive(Debug)]
pub struct Session {
    sink: Sink,
    run_id: String,
    strict: bool,
    success: bool,
    definition_ids: Vec<String>,
    matchers: Vec<Matcher>,
    hooks: Hooks,
    hook_ids: Vec<String>,
    files: HashMap<PathBuf, usize>,
    cases: HashMap<(usize, usize), TestCase>,
    redactor: Option<crate::world::Redactor>,
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
        sink.flush();
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
    fn emit_gherkin(&mut self, envelope: &casebook_gherkin::Envelope, secret: bool) {
        match (&self.redactor, secret) {
            (Some(redactor), true) => {
                let mut value = serde_json::to_value(envelope).expect("messages serialise");
                redact_strings(&mut value, redactor);
                let json = serde_json::to_vec(&value).expect("messages serialise to JSON");
                self.sink.line(&json);
            }
            _ => self.sink.emit_gherkin(envelope),
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
        let secret = self
            .redactor
            .as_ref()
            .is_some_and(|r| r.text(source) != source);
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
            .is_some_and(|redactor| redactor.text(&file.source) != *file.source);
        let source = casebook_gherkin::Envelope::Source(casebook_gherkin::Source {
            uri: file.uri.clone(),
            data: file.source.to_string(),
            media_type: casebook_gherkin::MediaType::of_uri(&file.uri),
        });
        self.emit_gherkin(&source, secret);
        let document = casebook_gherkin::Envelope::GherkinDocument(compiled.document.clone());
        self.emit_gherkin(&document, secret);
        for pickle in &compiled.pickles {
            self.emit_gherkin(&casebook_gherkin::Envelope::Pickle(pickle.clone()), secret);
        }
        self.files.insert(file.path.clone(), file.number);
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

    fn test_case(&mut self, pickle: &Pickle, planned: &PlannedCase, nodes: &Nodes<'_>) -> TestCase {
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
                step_match_arguments_lists: Some(
                    definitions
                        .iter()
                        .map(|&d| self.matchers[d].arguments(&step.text))
                        .collect(),
                ),
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
    fn hook_steps<'t>(
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
    fn report_hooks(&mut self, key: (usize, usize), kind: HookKind, at: SystemTime) -> bool {
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
    fn not_run(&mut self, key: (usize, usize)) {
        let now = SystemTime::now();
        self.case_started(key, now);
        self.case_finished(key, false, now);
    }

    /// The test case the runner's scenario at `line` of the feature at `path` stands for.
    pub fn key(&self, path: &Path, line: usize) -> Option<(usize, usize)> {
        let file = *self.files.get(path)?;
        self.cases
            .contains_key(&(file, line))
            .then_some((file, line))
    }

    /// The outbox of a test case's worlds.
    pub fn outbox(&self, key: (usize, usize)) -> Option<Outbox> {
        self.cases.get(&key).map(|case| case.outbox.clone())
    }

    fn case_started(&mut self, key: (usize, usize), at: SystemTime) {
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
    fn step_at(&self, key: (usize, usize), line: usize) -> Option<usize> {
        let case = self.cases.get(&key)?;
        let attempt = case.current.as_ref()?;
        (0..case.steps.len()).find(|&i| {
            let step = &case.steps[i];
            step.hook.is_none() && step.line == line && attempt.reported[i].is_none()
        })
    }

    fn step_started(&mut self, key: (usize, usize), index: usize, at: SystemTime) {
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
    fn step_finished(
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
    fn report_rest(&mut self, key: (usize, usize), until: usize, at: SystemTime) {
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
    fn case_finished(&mut self, key: (usize, usize), retries_left: bool, at: SystemTime) {
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
        self.sink.flush();
    }

    /// Ends the stream with `testRunFinished`; whether the run succeeded.
    pub fn finish(&mut self) -> bool {
        let envelope = Envelope::TestRunFinished(envelope::TestRunFinished {
            test_run_started_id: self.run_id.clone(),
            timestamp: Timestamp::now(),
            success: self.success,
        });
        self.sink.emit(&envelope);
        self.sink.flush();
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
fn exception(status: Status, message: Option<&str>, place: &str) -> Option<envelope::Exception> {
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

fn redact_attachment(
    mut attachment: Attachment,
    redactor: Option<&crate::world::Redactor>,
) -> Attachment {
    if let (Some(redactor), Body::Text(text)) = (redactor, &attachment.body) {
        attachment.body = Body::Text(redactor.text(text));
    }
    attachment
}

/// Redacts every string of a message.
fn redact_strings(value: &mut serde_json::Value, redactor: &crate::world::Redactor) {
    match value {
        serde_json::Value::String(text) => *text = redactor.text(text),
        serde_json::Value::Array(items) => {
            items
                .iter_mut()
                .for_each(|item| redact_strings(item, redactor));
        }
        serde_json::Value::Object(map) => {
            map.values_mut()
                .for_each(|item| redact_strings(item, redactor));
        }
        _ => {}
    }
}

fn attachment_envelope(
    attachment: Attachment,
    started_id: &str,
    step_id: Option<&str>,
    at: SystemTime,
) -> Envelope {
    use base64::Engine as _;
    let (body, content_encoding) = match attachment.body {
        Body::Text(text) => (text, "IDENTITY"),
        Body::Bytes(bytes) => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            "BASE64",
        ),
    };
    Envelope::Attachment(envelope::Attachment {
        test_case_started_id: Some(started_id.to_owned()),
        test_step_id: step_id.map(str::to_owned),
        test_run_hook_started_id: None,
        body,
        content_encoding,
        media_type: attachment.media_type,
        file_name: attachment.file_name,
        timestamp: at.into(),
    })
}
