//! The run record: `run.json`, the single source of every report of a run.
//!
//! [`fold`] folds what the run saw into a [`RunRecord`]; renderers read only
//! this (plus the suite and the catalog), so `casebook report` can re-render a saved run and
//! shards can be merged. Executions are kept in suite order (file, then line, then Examples
//! row), whatever order concurrent scenarios finished in, so renderers need no sorting.
//!
//! # Format
//!
//! A JSON object, `format_version` 1:
//! - `release`, `commit`: what was tested (either may be null);
//! - `started_at`, `finished_at`: RFC 3339 timestamps;
//! - `selection`: the filters and modes of the run (`tags`, `name`, `dry_run`, `strict`);
//! - `counts`: cases and executions, step definitions (`scripts`), bound, unbound and
//!   ambiguous steps, executions per status, and `steps` by outcome;
//! - `executions`: one object per execution of an automated case: `case_id`, `title`,
//!   `feature`, `file`, `line`, `example` (row number, line and values, for outlines),
//!   `requirements`, `status` (`passed`, `failed`, `skipped`, `unbound`, `ambiguous`,
//!   `flaky`), `attempts`, `duration_ms`, `steps` (each with its status and step
//!   definition; listed only for `failed`, `unbound`, `ambiguous` and `flaky` executions,
//!   since a passed one passed every step and a skipped one ran none), `failure` (the failing
//!   step, its line, the error, the step definition and the last HTTP exchange), `attachments`;
//! - `unbound_steps`: every distinct unbound step with its places and a Rust snippet;
//! - `ambiguous_steps`: every ambiguous step with the definitions it matches;
//! - `unused_definitions`: step definitions no step uses;
//! - `run_hook_failures` (only when there are any): each `BeforeAll` or `AfterAll` hook that
//!   failed (`hook`, `error`); any of them fails the run.

mod evidence;
pub mod fold;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::registry::Definition;

pub use evidence::{Attachment, Exchange};

/// The version of the format written.
pub const FORMAT_VERSION: u32 = 1;

/// One run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The version of this format.
    pub format_version: u32,
    /// The release label: `--release`, `CASEBOOK_RELEASE`, or `git describe`.
    pub release: Option<String>,
    /// The commit tested, when the project is a git checkout.
    pub commit: Option<String>,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When it ended (RFC 3339).
    pub finished_at: String,
    /// What was selected and how.
    pub selection: Selection,
    /// The totals.
    pub counts: RunCounts,
    /// Every execution, in suite order.
    pub executions: Vec<ExecutionRecord>,
    /// Steps without a definition, once per text.
    pub unbound_steps: Vec<UnboundStep>,
    /// Steps with several definitions, once per text.
    pub ambiguous_steps: Vec<AmbiguousStep>,
    /// Definitions that no step uses.
    pub unused_definitions: Vec<Definition>,
    /// `BeforeAll` and `AfterAll` hooks that failed: any fails the run, and a failed
    /// `BeforeAll` hook runs no execution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_hook_failures: Vec<RunHookFailure>,
    /// The signal (`SIGINT`, `SIGTERM`) that ended the run early: the record holds the
    /// executions that finished, and the others as not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
}

impl RunRecord {
    /// The record in `text`, read from `path` (named in errors). A record of another format
    /// version is refused as such, not as a document whose fields do not fit.
    pub fn from_json(text: &str, path: &std::path::Path) -> Result<Self, ReadError> {
        /// The one field every version has.
        #[derive(Deserialize)]
        struct Versioned {
            format_version: u32,
        }
        let error = |kind| ReadError {
            path: path.to_path_buf(),
            kind,
        };
        let parsed = serde_json::from_str::<RunRecord>(text);
        let version = match &parsed {
            Ok(record) => record.format_version,
            Err(_) => {
                serde_json::from_str::<Versioned>(text)
                    .map_err(|e| error(ReadErrorKind::NotARecord(e)))?
                    .format_version
            }
        };
        if version != FORMAT_VERSION {
            return Err(error(ReadErrorKind::FormatVersion(version)));
        }
        parsed.map_err(|e| error(ReadErrorKind::NotARecord(e)))
    }
}

/// A run record that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("`{}` {kind}", path.display())]
pub struct ReadError {
    /// The file.
    pub path: std::path::PathBuf,
    /// What is wrong.
    pub kind: ReadErrorKind,
}

/// What is wrong with a run record.
#[derive(Debug, thiserror::Error)]
pub enum ReadErrorKind {
    /// It is not a record of any version.
    #[error("is not a casebook run record: {0}")]
    NotARecord(serde_json::Error),
    /// It was written by another version of casebook.
    #[error("has format version {0}, this casebook reads {FORMAT_VERSION}")]
    FormatVersion(u32),
}

/// A `BeforeAll` or `AfterAll` hook that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunHookFailure {
    /// The hook: its kind and name, or its kind and place.
    pub hook: String,
    /// The error, secrets redacted.
    pub error: String,
}

/// The filters and modes of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// The tag expression (`--tags`).
    pub tags: Option<String>,
    /// The name regex (`--name`).
    pub name: Option<String>,
    /// Whether nothing was executed (`--dry-run`).
    pub dry_run: bool,
    /// Whether unbound and ambiguous steps fail the run (`--strict`, or CI=true).
    pub strict: bool,
    /// The change the run was narrowed to (`--since`), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<ImpactSelection>,
}

/// A run narrowed to what a change can break.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactSelection {
    /// The revision, as given (`--since main`).
    pub since: String,
    /// The commit the change is measured from (the merge base).
    pub base: String,
    /// Why every execution was selected, when the change reaches them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub whole_suite: Vec<String>,
}

impl ImpactSelection {
    /// One line on what the selection did, given how many executions it left out.
    pub fn summary(&self, skipped: usize) -> String {
        let since = format!("since {} ({})", self.since, self.short_base());
        match self.whole_suite.first() {
            Some(first) => format!("{since}: every case selected, as {first}"),
            None => format!(
                "{since}: {skipped} execution{} skipped, which the change cannot break; requirements proved only by them show as not run",
                if skipped == 1 { "" } else { "s" }
            ),
        }
    }

    /// What the reports say of an execution it left out.
    pub fn skipped_note(&self) -> String {
        format!(
            "skipped by impact selection: the change since {} ({}) cannot break it",
            self.since,
            self.short_base()
        )
    }

    /// The base commit as people read one: its first 12 hex digits.
    fn short_base(&self) -> &str {
        self.base.get(..12).unwrap_or(&self.base)
    }
}

/// The totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    /// Cases in the suite (automated and manual).
    pub cases: usize,
    /// Manual cases, which the runner does not execute.
    pub manual_cases: usize,
    /// Executions selected for this run.
    pub executions: usize,
    /// Step definitions in the harness, the pieces a case's script is made of (the file's
    /// key is `scripts`, as the format has always named it).
    #[serde(rename = "scripts")]
    pub definitions: usize,
    /// Distinct steps (by place) that have exactly one definition.
    pub bound_steps: usize,
    /// Distinct steps without a definition.
    pub unbound_steps: usize,
    /// Distinct steps with several definitions.
    pub ambiguous_steps: usize,
    /// Executions that passed.
    pub passed: usize,
    /// Executions that failed.
    pub failed: usize,
    /// Executions not run to the end (a step was skipped, or the run was a dry run).
    pub skipped: usize,
    /// Of `skipped`, the executions change-based selection left out (`--since`).
    #[serde(default)]
    pub skipped_by_impact: usize,
    /// Executions not run because a step has no definition.
    pub unbound: usize,
    /// Executions not run because a step has several definitions.
    pub ambiguous: usize,
    /// Executions that failed, then passed on a retry.
    pub flaky: usize,
    /// Steps of the selected executions by outcome (a step of an outline counts once per
    /// row), whether or not the execution lists its steps.
    pub steps: StepCounts,
}

impl RunRecord {
    /// The executions that failed, in suite order.
    pub fn failed(&self) -> impl Iterator<Item = &ExecutionRecord> {
        self.executions
            .iter()
            .filter(|e| e.status == Status::Failed)
    }
}

impl RunCounts {
    /// The executions by outcome in words, `N passed, N failed` first and the other outcomes
    /// only when there are any: the closing line CI reads, and the summary's.
    pub fn outcome_line(&self) -> String {
        let mut parts = vec![
            format!("{} passed", self.passed),
            format!("{} failed", self.failed),
        ];
        for (n, word) in [
            (self.flaky, "flaky"),
            (self.unbound, "unbound"),
            (self.ambiguous, "ambiguous"),
            (self.skipped, "skipped"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        parts.join(", ")
    }
}

/// Steps by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCounts {
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Not run.
    pub skipped: usize,
    /// Without a definition.
    pub unbound: usize,
    /// With several definitions.
    pub ambiguous: usize,
}

impl StepCounts {
    /// Counts one step.
    pub fn add(&mut self, status: StepStatus) {
        match status {
            StepStatus::Passed => self.passed += 1,
            StepStatus::Failed => self.failed += 1,
            StepStatus::Skipped => self.skipped += 1,
            StepStatus::Unbound => self.unbound += 1,
            StepStatus::Ambiguous => self.ambiguous += 1,
        }
    }
}

/// The outcome of one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every step passed on the first attempt.
    Passed,
    /// A step failed on the last attempt.
    Failed,
    /// Not run to the end without failing (a dry run, or a step was skipped).
    Skipped,
    /// A step has no definition: a spec without a script.
    Unbound,
    /// A step has several definitions.
    Ambiguous,
    /// Failed, then passed on a retry.
    Flaky,
}

impl Status {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Unbound => "unbound",
            Status::Ambiguous => "ambiguous",
            Status::Flaky => "flaky",
        }
    }
}

/// One execution of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    /// The case ID, if the case has one.
    pub case_id: Option<String>,
    /// The case's title.
    pub title: String,
    /// The feature's name (shared by the executions of a file).
    pub feature: Arc<str>,
    /// The feature file (shared by the executions of a file).
    pub file: Arc<str>,
    /// The Scenario line.
    pub line: usize,
    /// The Examples row, for an outline.
    pub example: Option<ExampleRef>,
    /// The requirements it covers.
    pub requirements: Vec<String>,
    /// Its outcome.
    pub status: Status,
    /// How many times it ran (more than one with `--retry`).
    pub attempts: usize,
    /// How long the last attempt took.
    pub duration_ms: u64,
    /// Every step with its outcome, for a failed, unbound, ambiguous or flaky execution;
    /// empty otherwise (every step passed, or none ran).
    pub steps: Vec<StepRecord>,
    /// What failed, when it failed (boxed: most executions pass, and a run holds them all).
    pub failure: Option<Box<Failure>>,
    /// Screenshots, transcripts.
    pub attachments: Vec<Attachment>,
    /// Whether change-based selection (`--since`) left it out: it is skipped, not run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped_by_impact: bool,
    /// How long each step took in the last attempt, in microseconds, Background steps first
    /// (0 for a step that did not run); empty when it did not run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_durations_us: Vec<u32>,
}

/// Which Examples row an execution ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleRef {
    /// The 1-based row below the header, counted over all Examples blocks of the outline
    /// ([`ExampleRow::index_in_outline`](crate::model::ExampleRow::index_in_outline)).
    #[serde(rename = "row")]
    pub index_in_outline: usize,
    /// The row's line.
    pub line: usize,
    /// Column name and value pairs.
    pub values: Vec<(String, String)>,
}

/// The outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// It passed.
    Passed,
    /// It failed.
    Failed,
    /// It did not run (an earlier step failed, or the run was dry).
    Skipped,
    /// It has no definition.
    Unbound,
    /// It has several definitions.
    Ambiguous,
}

/// One step of an execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The keyword as written.
    pub keyword: String,
    /// The text, with the Examples row's values in place.
    pub text: String,
    /// Its line in the feature file.
    pub line: usize,
    /// Whether it comes from a Background.
    pub background: bool,
    /// Its outcome.
    pub status: StepStatus,
    /// The definition it ran, `path:line:column`.
    pub definition: Option<String>,
}

/// Why an execution failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The failing step's text (or the hook that failed).
    pub step: String,
    /// The failing step's line.
    pub line: usize,
    /// The error, secrets redacted.
    pub error: String,
    /// The step definition that failed, `path:line:column`.
    pub definition: Option<String>,
    /// The scenario's last HTTP exchange before it failed, secrets redacted, bodies cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Exchange>,
}

/// A step text that no definition matches, with where it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnboundStep {
    /// The keyword kind (`given`, `when`, `then`).
    pub kind: crate::model::StepKind,
    /// The text.
    pub text: String,
    /// Every place it is used, `path:line`.
    pub places: Vec<String>,
    /// A Rust skeleton to start from.
    pub snippet: String,
}

/// A step text that several definitions match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmbiguousStep {
    /// The text.
    pub text: String,
    /// Every place it is used, `path:line`.
    pub places: Vec<String>,
    /// The definitions it matches.
    pub definitions: Vec<Definition>,
}
