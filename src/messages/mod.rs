//! Cucumber Messages: the NDJSON record of a run (`messages.ndjson`) that Cucumber's own
//! tools read (the HTML formatter, Cucumber Reports) and that shards can concatenate.
//!
//! A [`Session`] writes the stream as the run goes, one envelope per line:
//!
//! 1. at the start, `meta`, a `stepDefinition` per definition of the registry, a `hook` per
//!    hook of the project ([`hooks`](crate::hooks)) and `testRunStarted`
//!    ([`Session::start`]); then each `BeforeAll` hook as the run runs it
//!    ([`Session::test_run_hook`]);
//! 2. per feature file, as the runner takes it: `source`,
//!    `gherkinDocument`, its `pickle`s, and a `testCase` per pickle the plan selected, each
//!    test step with the definitions it matches and what they capture, between the test
//!    steps of the `Before` and `After` hooks whose tag expressions the pickle's tags match,
//!    made a few files ahead on a thread of their own ([`Session::produce`]);
//!    the same work builds the `gherkin::Feature` cucumber-rs runs (see
//!    [`compile`](crate::compile));
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
//! Step definitions attach text or files through the [`Outbox`](crate::event::Outbox) of
//! their world ([`MessageWorld`](crate::event::MessageWorld)); casebook's
//! [`World`](crate::World) forwards what it attaches. Those types, and the statuses the
//! hooks report, are the run's own ([`event`](crate::event)): this module is their consumer
//! and turns them into its wire types ([`envelope`]).

mod arguments;
mod attachment;
pub mod envelope;
mod json;
mod meta;
mod model;
mod prepare;
mod session;
mod sink;
mod writer;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::model::StepKind;
use crate::registry::Binding;

pub use arguments::Matcher;
pub use envelope::{Envelope, TestStepResultStatus, Timestamp};
pub use meta::meta;
pub use prepare::{Prepared, Producer};
pub use session::{Session, Shared};
pub use sink::Sink;
pub use writer::MessageWriter;

/// The version of the Cucumber Messages protocol written: the version of the JSON schemas
/// casebook validates its stream against (`tests/messages/schemas/`), which the Cucumber
/// Compatibility Kit's reference streams also declare.
pub const PROTOCOL_VERSION: &str = "33.0.4";

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
