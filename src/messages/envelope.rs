//! The envelopes of a run that the parser does not make: support code, test cases and their
//! execution, as the Cucumber Messages JSON schemas name them (camelCase keys, optional
//! fields left out, enums in upper case).

use serde::Serialize;

/// One message of a run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Envelope {
    /// What produced the stream.
    Meta(Meta),
    /// A step definition.
    StepDefinition(StepDefinition),
    /// A hook.
    Hook(Hook),
    /// The run began.
    TestRunStarted(TestRunStarted),
    /// A `BeforeAll` or `AfterAll` hook began.
    TestRunHookStarted(TestRunHookStarted),
    /// A `BeforeAll` or `AfterAll` hook ended.
    TestRunHookFinished(TestRunHookFinished),
    /// A pickle as it will run: its steps and what each binds to.
    TestCase(TestCase),
    /// An attempt of a test case began.
    TestCaseStarted(TestCaseStarted),
    /// A step of an attempt began.
    TestStepStarted(TestStepStarted),
    /// A step of an attempt ended.
    TestStepFinished(TestStepFinished),
    /// Something attached to a step or a test case.
    Attachment(Attachment),
    /// Code to start from for an undefined step.
    Suggestion(Suggestion),
    /// An attempt of a test case ended.
    TestCaseFinished(TestCaseFinished),
    /// The run ended.
    TestRunFinished(TestRunFinished),
}

/// A point in time: seconds and nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Timestamp {
    /// Whole seconds.
    pub seconds: u64,
    /// The rest, in nanoseconds.
    pub nanos: u32,
}

/// A length of time, in the same two parts as a [`Timestamp`].
pub type Duration = Timestamp;

impl Timestamp {
    /// Now.
    pub fn now() -> Self {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self::from(since)
    }
}

impl From<std::time::SystemTime> for Timestamp {
    fn from(time: std::time::SystemTime) -> Self {
        Self::from(
            time.duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default(),
        )
    }
}

impl From<std::time::Duration> for Timestamp {
    fn from(duration: std::time::Duration) -> Self {
        Timestamp {
            seconds: duration.as_secs(),
            nanos: duration.subsec_nanos(),
        }
    }
}

/// `meta`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The version of the protocol.
    pub protocol_version: &'static str,
    /// casebook and its version.
    pub implementation: Product,
    /// What runs it.
    pub runtime: Product,
    /// The operating system.
    pub os: Product,
    /// The processor architecture.
    pub cpu: Product,
    /// The CI build, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<Ci>,
}

/// A name and, when known, a version.
#[derive(Debug, Clone, Serialize)]
pub struct Product {
    /// The name.
    pub name: String,
    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A CI build.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ci {
    /// The CI system.
    pub name: String,
    /// The build's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The build's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_number: Option<String>,
    /// What was built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<Git>,
}

/// The commit a CI build built.
#[derive(Debug, Clone, Serialize)]
pub struct Git {
    /// The repository.
    pub remote: String,
    /// The commit.
    pub revision: String,
    /// The branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// A file and line of source code.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReference {
    /// The file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The line (and column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// A line and, when known, a column.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Location {
    /// 1-based.
    pub line: usize,
    /// 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// `stepDefinition`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepDefinition {
    /// Its id.
    pub id: String,
    /// Its expression.
    pub pattern: Pattern,
    /// Where it is.
    pub source_reference: SourceReference,
}

/// A step definition's expression, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pattern {
    /// The expression.
    pub source: String,
    /// What kind it is.
    #[serde(rename = "type")]
    pub kind: PatternType,
}

/// A Cucumber Expression or a regular expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PatternType {
    /// `{int} cukes`.
    CucumberExpression,
    /// `^(\d+) cukes$`.
    RegularExpression,
}

/// `hook`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The tags a test case must have for it to run there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_expression: Option<String>,
    /// Where it is.
    pub source_reference: SourceReference,
    /// When it runs.
    #[serde(rename = "type")]
    pub kind: HookType,
}

/// When a hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HookType {
    /// Before each test case.
    BeforeTestCase,
    /// After each test case.
    AfterTestCase,
    /// Once, before every test case.
    BeforeTestRun,
    /// Once, after every test case.
    AfterTestRun,
}

/// `testRunHookStarted`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestRunHookStarted {
    /// Its id.
    pub id: String,
    /// The run.
    pub test_run_started_id: String,
    /// The hook.
    pub hook_id: String,
    /// When.
    pub timestamp: Timestamp,
}

/// `testRunHookFinished`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestRunHookFinished {
    /// The hook's run.
    pub test_run_hook_started_id: String,
    /// How it ended.
    pub result: TestStepResult,
    /// When.
    pub timestamp: Timestamp,
}

/// `testRunStarted`.
#[derive(Debug, Clone, Serialize)]
pub struct TestRunStarted {
    /// Its id.
    pub id: String,
    /// When.
    pub timestamp: Timestamp,
}

/// `testCase`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestCase {
    /// Its id.
    pub id: String,
    /// The pickle it runs.
    pub pickle_id: String,
    /// Its steps.
    pub test_steps: Vec<TestStep>,
    /// The run.
    pub test_run_started_id: String,
}

/// A step of a test case: a pickle step and the definitions it matches.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestStep {
    /// Its id.
    pub id: String,
    /// The pickle step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickle_step_id: Option<String>,
    /// The hook, for a hook step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hook_id: Option<String>,
    /// Every definition the step matches: none (undefined), one, or several (ambiguous).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_definition_ids: Option<Vec<String>>,
    /// What each definition captures from the step's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_match_arguments_lists: Option<Vec<StepMatchArgumentsList>>,
}

/// What one definition captures.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepMatchArgumentsList {
    /// One per parameter or regex group.
    pub step_match_arguments: Vec<StepMatchArgument>,
}

/// One captured argument.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepMatchArgument {
    /// Where and what it matched.
    pub group: Group,
    /// The parameter type (`int`, `string`, …), for a Cucumber Expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_type_name: Option<String>,
}

/// A capture group: where it matched (nothing when it took no part in the match) and the
/// groups inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Where the match starts, in UTF-16 code units as the protocol counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// What it matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The groups inside.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Group>,
}

/// `testCaseStarted`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestCaseStarted {
    /// Its id.
    pub id: String,
    /// The test case.
    pub test_case_id: String,
    /// Which attempt, from 0.
    pub attempt: usize,
    /// When.
    pub timestamp: Timestamp,
}

/// `testStepStarted`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestStepStarted {
    /// The attempt.
    pub test_case_started_id: String,
    /// The step.
    pub test_step_id: String,
    /// When.
    pub timestamp: Timestamp,
}

/// `testStepFinished`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestStepFinished {
    /// The attempt.
    pub test_case_started_id: String,
    /// The step.
    pub test_step_id: String,
    /// How it ended.
    pub test_step_result: TestStepResult,
    /// When.
    pub timestamp: Timestamp,
}

/// How a step ended.
#[derive(Debug, Clone, Serialize)]
pub struct TestStepResult {
    /// Its status.
    pub status: TestStepResultStatus,
    /// How long it ran.
    pub duration: Duration,
    /// Why it failed, was pending or skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The error, for a step that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<Exception>,
}

/// The status of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestStepResultStatus {
    /// It passed.
    Passed,
    /// It did not run.
    Skipped,
    /// It is not written yet.
    Pending,
    /// No definition matches it.
    Undefined,
    /// Several definitions match it.
    Ambiguous,
    /// It failed.
    Failed,
}

impl TestStepResultStatus {
    /// Its name in the messages, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TestStepResultStatus::Passed => "PASSED",
            TestStepResultStatus::Skipped => "SKIPPED",
            TestStepResultStatus::Pending => "PENDING",
            TestStepResultStatus::Undefined => "UNDEFINED",
            TestStepResultStatus::Ambiguous => "AMBIGUOUS",
            TestStepResultStatus::Failed => "FAILED",
        }
    }
}

impl TestStepResultStatus {
    /// Whether a test case with a step in this status did not pass (see
    /// [`event::StepEnd::fails`](crate::event::StepEnd::fails)).
    pub fn fails(self, strict: bool) -> bool {
        crate::event::StepEnd::from(self).fails(strict)
    }
}

impl From<crate::event::StepEnd> for TestStepResultStatus {
    fn from(status: crate::event::StepEnd) -> Self {
        use crate::event::StepEnd as Run;
        match status {
            Run::Passed => TestStepResultStatus::Passed,
            Run::Skipped => TestStepResultStatus::Skipped,
            Run::Pending => TestStepResultStatus::Pending,
            Run::Undefined => TestStepResultStatus::Undefined,
            Run::Ambiguous => TestStepResultStatus::Ambiguous,
            Run::Failed => TestStepResultStatus::Failed,
        }
    }
}

impl From<TestStepResultStatus> for crate::event::StepEnd {
    fn from(status: TestStepResultStatus) -> Self {
        use crate::event::StepEnd as Run;
        match status {
            TestStepResultStatus::Passed => Run::Passed,
            TestStepResultStatus::Skipped => Run::Skipped,
            TestStepResultStatus::Pending => Run::Pending,
            TestStepResultStatus::Undefined => Run::Undefined,
            TestStepResultStatus::Ambiguous => Run::Ambiguous,
            TestStepResultStatus::Failed => Run::Failed,
        }
    }
}

/// An error, as the protocol describes one.
#[derive(Debug, Clone, Serialize)]
pub struct Exception {
    /// What kind: `panic` for a Rust step that panicked or returned an error.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where it happened, as Cucumber writes it: `<type>: <message>` and the step's
    /// `<uri>:<line>` in the feature file.
    #[serde(rename = "stackTrace", skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<String>,
}

/// `attachment`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_case_started_id: Option<String>,
    /// The step it was attached in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_step_id: Option<String>,
    /// The `BeforeAll` or `AfterAll` hook it was attached in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_run_hook_started_id: Option<String>,
    /// The content: text as it is, bytes in base64.
    pub body: String,
    /// `IDENTITY` or `BASE64`.
    pub content_encoding: &'static str,
    /// Its media type.
    pub media_type: String,
    /// Its file name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// When.
    pub timestamp: Timestamp,
}

/// `suggestion`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// Its id.
    pub id: String,
    /// The undefined pickle step.
    pub pickle_step_id: String,
    /// Definitions to start from.
    pub snippets: Vec<Snippet>,
}

/// Code for a step definition.
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    /// Its language.
    pub language: &'static str,
    /// The code.
    pub code: String,
}

/// `testCaseFinished`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestCaseFinished {
    /// The attempt.
    pub test_case_started_id: String,
    /// When.
    pub timestamp: Timestamp,
    /// Whether another attempt follows.
    pub will_be_retried: bool,
}

/// `testRunFinished`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestRunFinished {
    /// The run.
    pub test_run_started_id: String,
    /// When.
    pub timestamp: Timestamp,
    /// Whether every test case passed (see [`TestStepResultStatus::fails`]).
    pub success: bool,
}
