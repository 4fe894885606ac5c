//! [`Preparer`]: a feature file's parser messages and test cases, made apart from the
//! [`Session`](super::Session), so that a thread of their own can make them ahead of the
//! runner.
//!
//! Compiling a file into pickles, matching each step's arguments and serialising the
//! `source`, `gherkinDocument`, `pickle` and `testCase` messages is most of what the stream
//! costs; the runner's thread, which also runs every scenario, then only writes the
//! [`Prepared`] lines into the stream and keeps its test cases. Nothing here needs the
//! session's state but its ids, which the stream's generator makes for every thread.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use casebook_gherkin::Pickle;
use cucumber::gherkin;
use foldhash::HashMap;

use crate::compile::{self, Nodes};
use crate::hooks::{HookKind, Hooks};
use crate::model::StepKind;
use crate::redact::Redactor;
use crate::registry::Binding;

use super::attachment::redact_strings;
use super::envelope::{self, Envelope};
use super::model::{TestCase, TestStep};
use super::sink::{Ids, Lines};
use super::{FilePlan, Matcher, PlannedCase, Run};
use crate::event::Outbox;

/// What a file's messages are made from: the run's step definitions and hooks, with the
/// ids the stream gave them.
#[derive(Debug)]
pub(super) struct Preparer {
    pub(super) ids: Ids,
    pub(super) run_id: String,
    pub(super) definition_ids: Vec<String>,
    /// Locked by one test case at a time: each remembers the arguments of texts it met.
    pub(super) matchers: std::sync::Mutex<Vec<Matcher>>,
    pub(super) hooks: Hooks,
    pub(super) hook_ids: Vec<String>,
    pub(super) redactor: Option<Redactor>,
}

/// One file's messages and test cases, ready for the stream.
pub struct Prepared {
    /// The file's number in the plan.
    pub(super) number: usize,
    /// Its absolute path, which the runner's events carry.
    pub(super) path: PathBuf,
    /// Whether it parsed (a file that does not fails the run).
    pub(super) parsed: bool,
    /// Its `source`, `gherkinDocument`, `pickle` and `testCase` messages, or its `source`
    /// and `parseError`s.
    pub(super) lines: Lines,
    /// Its selected test cases by (file, pickle line), and whether each runs.
    pub(super) cases: Vec<((usize, usize), TestCase, bool)>,
    /// The feature cucumber-rs runs (`None` when none of its test cases runs there).
    pub(super) feature: Option<gherkin::Feature>,
}

impl Preparer {
    /// The messages and test cases of `file`.
    pub(super) fn prepare(&self, file: &FilePlan) -> Prepared {
        let mut prepared = Prepared {
            number: file.number,
            path: file.path.clone(),
            parsed: true,
            lines: Lines::default(),
            cases: Vec::new(),
            feature: None,
        };
        let compiled = match compile::compile(&file.source, &file.uri, &mut self.ids.clone()) {
            Ok(compiled) => compiled,
            Err(_) => {
                prepared.parsed = false;
                self.unparsed(&file.uri, &file.source, &mut prepared.lines);
                return prepared;
            }
        };
        let secret = self.is_secret(&file.source);
        let lines = &mut prepared.lines;
        let source = Parsed::Source(SourceRef {
            uri: &file.uri,
            data: &file.source,
            media_type: casebook_gherkin::MediaType::of_uri(&file.uri),
        });
        self.gherkin(lines, &source, secret);
        self.gherkin(lines, &Parsed::GherkinDocument(&compiled.document), secret);
        for pickle in &compiled.pickles {
            self.gherkin(lines, &Parsed::Pickle(pickle), secret);
        }
        let nodes = Nodes::new(&compiled.document);
        // How many steps of each pickle cucumber-rs runs, by pickle id.
        let mut runs: HashMap<&str, usize> = HashMap::default();
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
            let case = self.test_case(pickle, planned, &nodes, lines);
            let resolved = case
                .steps
                .iter()
                .filter(|step| step.hook.is_none())
                .take_while(|step| matches!(step.binding, Binding::Bound(_)))
                .count();
            let runs_here = planned.run != Run::Not;
            if runs_here {
                runs.insert(&pickle.id, resolved);
            }
            prepared.cases.push(((file.number, line), case, runs_here));
        }
        prepared.feature = compile::runnable(&compiled, file.path.clone(), |pickle| {
            runs.get(pickle.id.as_str()).copied()
        })
        .map(|mut feature| {
            if file.reverse {
                feature.scenarios.reverse();
            }
            feature
        });
        prepared
    }

    /// A file that does not parse: its `source` and a `parseError` per error.
    pub(super) fn unparsed(&self, uri: &str, source: &str, lines: &mut Lines) {
        let envelopes = casebook_gherkin::envelopes(
            uri,
            source,
            casebook_gherkin::Options::default(),
            &mut self.ids.clone(),
        );
        let secret = self.is_secret(source);
        for envelope in &envelopes {
            self.gherkin(lines, envelope, secret);
        }
    }

    /// Whether a file's text has something to mask: only then are its messages walked.
    fn is_secret(&self, source: &str) -> bool {
        self.redactor
            .as_ref()
            .is_some_and(|redactor| redactor.has_secret(source))
    }

    /// A parser message, its strings redacted when its file has secrets.
    fn gherkin(&self, lines: &mut Lines, envelope: &impl serde::Serialize, secret: bool) {
        match (&self.redactor, secret) {
            (Some(redactor), true) => {
                let mut value = serde_json::to_value(envelope).expect("messages serialise");
                redact_strings(&mut value, redactor);
                let json = serde_json::to_vec(&value).expect("messages serialise to JSON");
                lines.line(&json);
            }
            _ => lines.serialize(envelope),
        }
    }

    /// The test case of `pickle`, and its `testCase` message.
    fn test_case(
        &self,
        pickle: &Pickle,
        planned: &PlannedCase,
        nodes: &Nodes<'_>,
        lines: &mut Lines,
    ) -> TestCase {
        let kinds = compile::step_kinds(pickle, nodes);
        let aligned = planned.bindings.len() == pickle.steps.len();
        let mut steps = Vec::with_capacity(pickle.steps.len());
        let mut test_steps = Vec::with_capacity(pickle.steps.len());
        let tags = || pickle.tags.iter().map(|tag| tag.name.as_str());
        let line = pickle.location.map_or(0, |l| l.line as usize);
        self.hook_steps(HookKind::Before, tags(), line, &mut steps, &mut test_steps);
        let mut matchers = self.matchers.lock().unwrap_or_else(|p| p.into_inner());
        for (index, (step, kind)) in pickle.steps.iter().zip(kinds).enumerate() {
            // The plan bound the same steps; its bindings are reused rather than computed
            // a second time, unless the file changed under the run.
            let binding = if aligned && planned.bindings[index].0 == kind {
                planned.bindings[index].1.clone()
            } else {
                Binding::Unbound
            };
            let definitions: &[usize] = match &binding {
                Binding::Bound(one) => std::slice::from_ref(one),
                Binding::Ambiguous(all) => all,
                Binding::Unbound => &[],
            };
            let id = self.ids.next();
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
                        .map(|&d| matchers[d].remembered(&step.text))
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
        let id = self.ids.next();
        lines.envelope(&Envelope::TestCase(envelope::TestCase {
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
        &self,
        kind: HookKind,
        tags: impl IntoIterator<Item = &'t str> + Clone,
        line: usize,
        steps: &mut Vec<TestStep>,
        test_steps: &mut Vec<envelope::TestStep>,
    ) {
        for hook in self.hooks.running(kind, tags) {
            let id = self.ids.next();
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
}

/// Makes every file's [`Prepared`] on a thread of its own, at most `ahead` files before the
/// runner takes them.
pub struct Producer {
    prepared: std::sync::mpsc::Receiver<Prepared>,
    /// The runner's task, woken when a file is ready.
    ready: Arc<futures::task::AtomicWaker>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Producer {
    /// Starts preparing `files`, in order.
    pub(super) fn start(preparer: Arc<Preparer>, files: Vec<FilePlan>, ahead: usize) -> Self {
        let (sender, prepared) = std::sync::mpsc::sync_channel(ahead.max(1));
        let ready = Arc::new(futures::task::AtomicWaker::new());
        let wake = ready.clone();
        let thread = std::thread::Builder::new()
            .name("casebook-messages".to_owned())
            .spawn(move || {
                for file in &files {
                    // The runner stopped taking files (after a failure under --fail-fast).
                    if sender.send(preparer.prepare(file)).is_err() {
                        break;
                    }
                    wake.wake();
                }
                drop(sender);
                wake.wake();
            })
            .expect("a thread can be started");
        Producer {
            prepared,
            ready,
            thread: Some(thread),
        }
    }

    /// The next file; `None` after the last. While the runner has scenarios waiting to start
    /// (`runner_busy`), a file not yet ready is waited for as a task; otherwise the thread
    /// blocks for it, because cucumber-rs's runner polls its features again at once when it
    /// has nothing to run, and would spin rather than sleep until the file is ready.
    ///
    /// A panic while preparing is the runner's: it would otherwise end the files early, as
    /// if there were no more.
    pub fn poll_next(
        &mut self,
        cx: &mut std::task::Context<'_>,
        runner_busy: bool,
    ) -> std::task::Poll<Option<Prepared>> {
        use std::sync::mpsc::TryRecvError;
        let next = match self.prepared.try_recv() {
            Ok(prepared) => Ok(prepared),
            Err(TryRecvError::Empty) if runner_busy => {
                self.ready.register(cx.waker());
                // Ready between the first look and the registration: no wake would come.
                match self.prepared.try_recv() {
                    Ok(prepared) => Ok(prepared),
                    Err(TryRecvError::Empty) => return std::task::Poll::Pending,
                    Err(TryRecvError::Disconnected) => Err(()),
                }
            }
            Err(TryRecvError::Empty) => self.prepared.recv().map_err(|_| ()),
            Err(TryRecvError::Disconnected) => Err(()),
        };
        match next {
            Ok(prepared) => std::task::Poll::Ready(Some(prepared)),
            Err(()) => {
                if let Some(thread) = self.thread.take()
                    && let Err(panic) = thread.join()
                {
                    std::panic::resume_unwind(panic);
                }
                std::task::Poll::Ready(None)
            }
        }
    }
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
