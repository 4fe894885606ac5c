//! `junit.xml`: the run as JUnit XML, for Jenkins's test results, Xray's JUnit import and any
//! other tool that reads JUnit.
//!
//! One `testcase` per execution of an automated case: `classname` is the feature's name,
//! `name` is `ID: title` plus the Examples row, unique within its suite. A failed execution
//! has a `failure` with the error; an unbound or ambiguous one a `failure` of type
//! `unbound` or `ambiguous` (it proves nothing, so it never reads as passed); a skipped one a
//! `skipped`; a flaky one (failed, then passed on a retry) passes. `system-out` tells the
//! whole story: every step with its outcome and step definition, the error, the last HTTP
//! exchange (redacted when it was recorded), and the attachments as `[[ATTACHMENT|path]]`
//! lines, which Jenkins's JUnit Attachments plugin picks up. Every execution of a manual
//! case is a `testcase` too, with the tester's latest result (`mode: manual` in `system-out`):
//! passed passes, failed is a `failure` of type `manual` with the actual result, and blocked,
//! stale or not run is `skipped` with the reason. A `BeforeAll` or `AfterAll` hook that
//! failed is a `testcase` of classname `run hooks` (a suite of its own, last), with a
//! `failure` of type `hook`.
//!
//! Neither JUnit schema has a place for everything: Jenkins's has no per-testcase
//! `properties` and no flaky retries; Surefire's has `flakyFailure` but no per-testcase
//! `properties` either, which is where Xray reads the test key and the requirements. The
//! dialect ([`JunitDialect`], `[report] junit` in `casebook.toml`) picks the consumer:
//!
//! - `jenkins` (the default) validates against Jenkins's schema: `testsuites` with one
//!   `testsuite` per feature file; the case ID and requirements are the first lines of
//!   `system-out` (`test_key: …`, `requirements: …`), followed by a flaky case's attempts.
//! - `surefire` validates against Surefire's 3.0.2 schema except for one extension, Xray's
//!   per-testcase `properties` `test_key` and `requirements`: a single `testsuite` (the
//!   only root that schema has), and a `flakyFailure` per failed attempt of a flaky case.
//!
//! The writer is `quick-xml`'s, which escapes every attribute and text; characters XML 1.0
//! cannot carry at all (terminal colour codes in an error message, say) are replaced.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::Buffered;
use super::Inputs;
use super::steps::{self, ShownStep};

mod manual;
use crate::config::JunitDialect;
use crate::record::{ExecutionRecord, RunHookFailure, RunRecord, Status, StepStatus};

/// Renders `junit.xml` in `dialect` into `out`.
///
/// Every suite's totals are written before its testcases, so every testcase's name and
/// tally are worked out first; its body (the story in `system-out`, the failure) only as it
/// is written, since at ten thousand executions the bodies would hold the whole file in
/// memory again.
pub fn junit(inputs: &Inputs<'_>, dialect: JunitDialect, out: &mut dyn Write) -> io::Result<()> {
    let index = steps::Index::new(inputs.suite, inputs.matrix);
    let mut suites = suites(inputs, &index, dialect);
    let write_entry = |w: &mut Writer<&mut Buffered<'_>>, entry: &Entry<'_>| match &entry.source {
        Source::Run(at, execution) => {
            let located = index.find(*at);
            let shown = steps::of(execution, located, inputs.matrix);
            let mut case = TestCase::new(execution, &shown, inputs.record, dialect);
            if let Some(m) = located.and_then(|l| l.tester_result()) {
                write!(case.system_out, "\n{}", m.in_full()).unwrap();
            }
            case.write(w, entry, dialect)
        }
        Source::Built(case) => case.write(w, entry, dialect),
    };
    let mut out = super::buffered(out);
    let mut writer = Writer::new_with_indent(&mut out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    match dialect {
        JunitDialect::Jenkins => {
            for entries in &mut suites {
                unique_names(entries);
            }
            let totals = Totals::of(suites.iter().flatten());
            writer
                .create_element("testsuites")
                .with_attributes([
                    ("name", "casebook"),
                    ("tests", &totals.tests.to_string()),
                    ("failures", &totals.failures.to_string()),
                    ("errors", "0"),
                    ("time", &seconds(totals.millis)),
                ])
                .write_inner_content(|w| {
                    for entries in &suites {
                        let totals = Totals::of(entries);
                        let name = entries.first().map_or("", |e| e.classname.as_ref());
                        w.create_element("testsuite")
                            .with_attributes([
                                ("name", text(name).as_ref()),
                                ("tests", &totals.tests.to_string()),
                                ("failures", &totals.failures.to_string()),
                                ("errors", "0"),
                                ("skipped", &totals.skipped.to_string()),
                                ("time", &seconds(totals.millis)),
                                ("timestamp", text(&inputs.record.started_at).as_ref()),
                            ])
                            .write_inner_content(|w| {
                                entries.iter().try_for_each(|e| write_entry(w, e))
                            })?;
                    }
                    Ok(())
                })?;
        }
        JunitDialect::Surefire => {
            let mut entries: Vec<Entry<'_>> = suites.into_iter().flatten().collect();
            unique_names(&mut entries);
            let totals = Totals::of(&entries);
            writer
                .create_element("testsuite")
                .with_attributes([
                    ("name", "casebook"),
                    ("tests", &totals.tests.to_string()),
                    ("failures", &totals.failures.to_string()),
                    ("errors", "0"),
                    ("skipped", &totals.skipped.to_string()),
                    ("time", &seconds(totals.millis)),
                ])
                .write_inner_content(|w| entries.iter().try_for_each(|e| write_entry(w, e)))?;
        }
    }
    writer.into_inner().write_all(b"\n")?;
    out.flush()
}

/// The testcases, one suite per feature file, in the matrix's (suite) order with the
/// testers' executions in their place; then the record's executions the suite no longer has
/// (a saved run re-rendered after the features changed); then the run hooks that failed, in
/// a suite of their own.
fn suites<'r>(
    inputs: &Inputs<'r>,
    index: &steps::Index<'_>,
    dialect: JunitDialect,
) -> Vec<Vec<Entry<'r>>> {
    let record = inputs.record;
    let entry = |place| match place {
        steps::Place::Run(i) => Entry::run((i, &record.executions[i])),
        steps::Place::Manual(case, at) => Entry::manual(index.at(case, at), inputs, dialect),
    };
    let mut suites: Vec<Vec<Entry<'r>>> = steps::by_file(index, record)
        .into_iter()
        .map(|(_, places)| places.into_iter().map(entry).collect())
        .collect();
    let hooks: Vec<Entry<'r>> = record
        .run_hook_failures
        .iter()
        .map(Entry::run_hook)
        .collect();
    if !hooks.is_empty() {
        suites.push(hooks);
    }
    suites
}

/// The counts of a `testsuite`: unbound and ambiguous executions are failures (they prove
/// nothing), flaky ones passed.
struct Totals {
    tests: usize,
    failures: usize,
    skipped: usize,
    millis: u64,
}

impl Totals {
    fn of<'e, 'r: 'e>(entries: impl IntoIterator<Item = &'e Entry<'r>>) -> Self {
        let mut totals = Totals {
            tests: 0,
            failures: 0,
            skipped: 0,
            millis: 0,
        };
        for entry in entries {
            totals.tests += 1;
            totals.failures += usize::from(entry.failed);
            totals.skipped += usize::from(entry.skipped);
            totals.millis += entry.millis;
        }
        totals
    }
}

/// One `testcase` as its suite needs it before anything is written: its names, its place and
/// its tally; its body comes from [`Source`].
struct Entry<'r> {
    classname: Cow<'r, str>,
    name: String,
    /// The Scenario line, to tell apart cases whose names are the same.
    line: usize,
    /// Whether it has a `failure`.
    failed: bool,
    /// Whether it has a `skipped`.
    skipped: bool,
    millis: u64,
    source: Source<'r>,
}

/// Where a testcase's body comes from.
enum Source<'r> {
    /// An execution of the run and its index in the record: its body is built when written.
    Run(usize, &'r ExecutionRecord),
    /// A body built already: a tester's result, or a run hook's failure (a run has few).
    Built(Box<TestCase>),
}

impl<'r> Entry<'r> {
    fn run((at, execution): (usize, &'r ExecutionRecord)) -> Self {
        let mut name = match &execution.case_id {
            Some(id) => format!("{id}: {}", execution.title),
            None => execution.title.clone(),
        };
        if let Some(example) = &execution.example {
            write!(
                name,
                " [row {}: {}]",
                example.index_in_outline,
                row_values(&example.values)
            )
            .unwrap();
        }
        Entry {
            classname: Cow::Borrowed(&execution.feature),
            name,
            line: execution.line,
            failed: fails(execution.status),
            skipped: execution.status == Status::Skipped,
            millis: execution.duration_ms,
            source: Source::Run(at, execution),
        }
    }
}

impl Entry<'static> {
    /// A `BeforeAll` or `AfterAll` hook that failed, as a failed testcase of the suite
    /// [`RUN_HOOKS`]: a reader of the JUnit file sees why the run failed, even when a failed
    /// `BeforeAll` hook ran no execution at all.
    fn run_hook(failure: &RunHookFailure) -> Self {
        Entry {
            classname: Cow::Borrowed(RUN_HOOKS),
            name: failure.hook.clone(),
            line: 0,
            failed: true,
            skipped: false,
            millis: 0,
            source: Source::Built(Box::new(TestCase {
                skipped: None,
                failure: Some(FailureElement {
                    message: failure.error.lines().next().unwrap_or("").to_owned(),
                    kind: "hook",
                    body: failure.error.clone(),
                }),
                earlier: Vec::new(),
                earlier_element: "",
                properties: Vec::new(),
                system_out: format!("hook: {}\nerror: {}\n", failure.hook, failure.error),
            })),
        }
    }
}

/// The classname and suite of the run hooks that failed.
const RUN_HOOKS: &str = "run hooks";

/// An Examples row's values as a testcase's name shows them.
fn row_values(values: &[(String, String)]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|(column, value)| format!("{column}={value}"))
        .collect();
    values.join(", ")
}

/// Whether an execution's testcase has a `failure`: a failed one, and an unbound or ambiguous
/// one, which proves nothing.
fn fails(status: Status) -> bool {
    matches!(status, Status::Failed | Status::Unbound | Status::Ambiguous)
}

/// The body of one `testcase`: everything it shows below its names.
struct TestCase {
    /// Why it was skipped, when it was (empty: no reason to give).
    skipped: Option<String>,
    failure: Option<FailureElement>,
    /// Surefire's elements for earlier attempts: `flakyFailure` or `rerunFailure`.
    earlier: Vec<FailureElement>,
    earlier_element: &'static str,
    properties: Vec<(&'static str, String)>,
    system_out: String,
}

struct FailureElement {
    message: String,
    kind: &'static str,
    body: String,
}

impl TestCase {
    fn new(
        execution: &ExecutionRecord,
        steps: &[ShownStep],
        record: &RunRecord,
        dialect: JunitDialect,
    ) -> Self {
        let mut properties = Vec::new();
        if let Some(id) = &execution.case_id {
            properties.push(("test_key", id.clone()));
        }
        if !execution.requirements.is_empty() {
            // Xray reads a comma-separated list of issue keys.
            properties.push(("requirements", execution.requirements.join(",")));
        }
        let attempts = execution.attempts;
        let (earlier_element, earlier) = match (dialect, execution.status) {
            (JunitDialect::Surefire, Status::Flaky) => (
                "flakyFailure",
                (1..attempts)
                    .map(|attempt| FailureElement {
                        message: format!(
                            "failed on attempt {attempt} of {attempts}, passed on retry"
                        ),
                        kind: "flaky",
                        body: NOT_RECORDED.to_owned(),
                    })
                    .collect(),
            ),
            (JunitDialect::Surefire, Status::Failed) => (
                "rerunFailure",
                (1..attempts)
                    .map(|attempt| FailureElement {
                        message: format!("failed on attempt {attempt} of {attempts}"),
                        kind: "failed",
                        body: NOT_RECORDED.to_owned(),
                    })
                    .collect(),
            ),
            _ => ("", Vec::new()),
        };
        let mut system_out = String::new();
        if dialect == JunitDialect::Jenkins {
            for (key, value) in &properties {
                writeln!(system_out, "{key}: {value}").unwrap();
            }
        }
        story(&mut system_out, execution, steps);
        Self {
            skipped: (execution.status == Status::Skipped).then(|| {
                match &record.selection.impact {
                    Some(impact) if execution.skipped_by_impact => impact.skipped_note(),
                    _ => String::new(),
                }
            }),
            failure: fails(execution.status).then(|| failure(execution, steps, record)),
            earlier,
            earlier_element,
            properties: if dialect == JunitDialect::Surefire {
                properties
            } else {
                Vec::new()
            },
            system_out,
        }
    }

    /// Writes the testcase `entry` names, with this body.
    fn write<W: Write>(
        &self,
        w: &mut Writer<W>,
        entry: &Entry<'_>,
        dialect: JunitDialect,
    ) -> std::io::Result<()> {
        w.create_element("testcase")
            .with_attributes([
                ("name", text(&entry.name).as_ref()),
                ("classname", text(&entry.classname).as_ref()),
                ("time", &seconds(entry.millis)),
            ])
            .write_inner_content(|w| {
                // Xray's extension: the schemas have no per-testcase properties.
                if !self.properties.is_empty() {
                    w.create_element("properties").write_inner_content(|w| {
                        for (name, value) in &self.properties {
                            w.create_element("property")
                                .with_attributes([("name", *name), ("value", &text(value))])
                                .write_empty()?;
                        }
                        Ok(())
                    })?;
                }
                let skipped = |w: &mut Writer<W>| -> std::io::Result<()> {
                    match (&self.skipped, dialect) {
                        (None, _) => {}
                        (Some(message), _) if message.is_empty() => {
                            w.create_element("skipped").write_empty()?;
                        }
                        // Jenkins's `skipped` is text only; Surefire's has a message.
                        (Some(message), JunitDialect::Jenkins) => {
                            w.create_element("skipped")
                                .write_text_content(content(message))?;
                        }
                        (Some(message), JunitDialect::Surefire) => {
                            w.create_element("skipped")
                                .with_attribute(("message", text(message).as_ref()))
                                .write_empty()?;
                        }
                    }
                    Ok(())
                };
                // The schemas order the elements differently: Jenkins's puts `skipped`
                // first, Surefire's after the failures.
                if dialect == JunitDialect::Jenkins {
                    skipped(w)?;
                }
                if let Some(failure) = &self.failure {
                    failure.write(w, "failure", false)?;
                }
                for earlier in &self.earlier {
                    earlier.write(w, self.earlier_element, true)?;
                }
                if dialect == JunitDialect::Surefire {
                    skipped(w)?;
                }
                w.create_element("system-out")
                    .write_text_content(content(&self.system_out))?;
                Ok(())
            })?;
        Ok(())
    }
}

/// What the record cannot say about an earlier attempt.
const NOT_RECORDED: &str =
    "casebook records the last attempt only: the error of this attempt is not recorded";

impl FailureElement {
    /// `failure` carries its text directly; Surefire's `flakyFailure` and `rerunFailure`
    /// in a `stackTrace`.
    fn write<W: Write>(
        &self,
        w: &mut Writer<W>,
        element: &str,
        stack_trace: bool,
    ) -> std::io::Result<()> {
        let start = w.create_element(element).with_attributes([
            ("message", text(&self.message).as_ref()),
            ("type", self.kind),
        ]);
        if stack_trace {
            start.write_inner_content(|w| {
                w.create_element("stackTrace")
                    .write_text_content(content(&self.body))?;
                Ok(())
            })?;
        } else {
            start.write_text_content(content(&self.body))?;
        }
        Ok(())
    }
}

/// The `failure` of an execution that [`fails`].
fn failure(execution: &ExecutionRecord, steps: &[ShownStep], record: &RunRecord) -> FailureElement {
    let step_with = |status: StepStatus| steps.iter().find(|s| s.status == status);
    match execution.status {
        Status::Failed => match &execution.failure {
            Some(failure) => FailureElement {
                message: failure.error.lines().next().unwrap_or("").to_owned(),
                kind: "failed",
                body: format!(
                    "{} (line {}{})\n{}",
                    failure.step,
                    failure.line,
                    failure
                        .definition
                        .as_ref()
                        .map(|d| format!(", step definition {d}"))
                        .unwrap_or_default(),
                    failure.error
                ),
            },
            None => FailureElement {
                message: "failed".to_owned(),
                kind: "failed",
                body: "the run recorded no error".to_owned(),
            },
        },
        Status::Unbound => unbound_failure(step_with(StepStatus::Unbound), record),
        Status::Ambiguous => ambiguous_failure(step_with(StepStatus::Ambiguous), record),
        Status::Passed | Status::Flaky | Status::Skipped => {
            unreachable!("only an execution that fails has a failure")
        }
    }
}

/// The failure of an execution with a step no definition matches, with a snippet to start
/// its definition from.
fn unbound_failure(step: Option<&ShownStep>, record: &RunRecord) -> FailureElement {
    let snippet = step.and_then(|step| {
        record
            .unbound_steps
            .iter()
            .find(|u| u.text == step.text)
            .map(|u| u.snippet.as_str())
    });
    FailureElement {
        message: match step {
            Some(step) => format!(
                "no step definition matches \"{} {}\" (line {}): a spec without a script",
                step.keyword, step.text, step.line
            ),
            None => "a step has no step definition".to_owned(),
        },
        kind: "unbound",
        body: match snippet {
            Some(snippet) => format!("A step definition to start from:\n\n{snippet}"),
            None => "casebook prints a snippet to start from with the run".to_owned(),
        },
    }
}

/// The failure of an execution with a step several definitions match, naming them.
fn ambiguous_failure(step: Option<&ShownStep>, record: &RunRecord) -> FailureElement {
    let definitions = step
        .and_then(|step| record.ambiguous_steps.iter().find(|a| a.text == step.text))
        .map(|a| a.definitions.as_slice())
        .unwrap_or_default();
    let mut body = String::from("It matches these step definitions:\n");
    for definition in definitions {
        writeln!(
            body,
            "  {}  {}",
            definition.display_pattern(),
            definition
                .location_text()
                .as_deref()
                .unwrap_or("(unknown place)")
        )
        .unwrap();
    }
    FailureElement {
        message: match step {
            Some(step) => format!(
                "\"{} {}\" (line {}) matches {} step definitions",
                step.keyword,
                step.text,
                step.line,
                definitions.len()
            ),
            None => "a step has several step definitions".to_owned(),
        },
        kind: "ambiguous",
        body,
    }
}

/// The execution in words for `system-out`: where the case is, its outcome and attempts,
/// its steps, the error, the last HTTP exchange and the attachments.
fn story(out: &mut String, execution: &ExecutionRecord, steps: &[ShownStep]) {
    write!(out, "case: {}:{}", execution.file, execution.line).unwrap();
    if let Some(example) = &execution.example {
        write!(
            out,
            ", Examples row {} (line {})",
            example.index_in_outline, example.line
        )
        .unwrap();
    }
    out.push('\n');
    let attempts = execution.attempts;
    match execution.status {
        Status::Flaky => {
            writeln!(out, "outcome: flaky, passed on attempt {attempts}").unwrap();
            for attempt in 1..attempts {
                writeln!(
                    out,
                    "  attempt {attempt} of {attempts}: failed (its error is not recorded)"
                )
                .unwrap();
            }
            writeln!(out, "  attempt {attempts} of {attempts}: passed").unwrap();
        }
        Status::Failed if attempts > 1 => {
            writeln!(out, "outcome: failed on each of {attempts} attempts").unwrap();
        }
        Status::Skipped => {
            writeln!(out, "outcome: skipped, not run to the end").unwrap();
        }
        Status::Unbound | Status::Ambiguous => {
            writeln!(
                out,
                "outcome: {}, not run: a step has no single step definition",
                execution.status.as_str()
            )
            .unwrap();
        }
        status => writeln!(out, "outcome: {}", status.as_str()).unwrap(),
    }
    story_steps(out, steps);
    if let Some(failure) = &execution.failure {
        story_failure(out, failure);
    }
    story_attachments(out, &execution.attachments);
}

/// The steps of a story, one line each with its status and definition, its table or doc
/// string below it.
fn story_steps(out: &mut String, steps: &[ShownStep]) {
    if !steps.is_empty() {
        out.push_str("\nsteps:\n");
        for step in steps {
            let status = match step.status {
                StepStatus::Passed => "passed",
                StepStatus::Failed => "failed",
                StepStatus::Skipped => "skipped",
                StepStatus::Unbound => "unbound",
                StepStatus::Ambiguous => "ambiguous",
            };
            // Pieces pushed, not formatted: a run has hundreds of thousands of steps, and
            // the padding `{:<9}` takes the formatter's slow path for each.
            out.push_str("  ");
            out.push_str(status);
            out.push_str(&"         "[status.len().min(9)..]);
            out.push(' ');
            out.push_str(&step.keyword);
            out.push(' ');
            out.push_str(&step.text);
            if let Some(definition) = &step.definition {
                out.push_str("  (");
                out.push_str(definition);
                out.push(')');
            }
            out.push('\n');
            argument_lines(out, step, "              ");
        }
    }
}

/// A step's table or doc string, one line each, indented by `indent`.
fn argument_lines(out: &mut String, step: &ShownStep, indent: &str) {
    for row in step.table.iter().flatten() {
        writeln!(out, "{indent}| {} |", row.join(" | ")).unwrap();
    }
    if let Some((_, doc_string)) = &step.doc_string {
        writeln!(out, "{indent}\"\"\"").unwrap();
        for line in doc_string.lines() {
            writeln!(out, "{indent}{line}").unwrap();
        }
        writeln!(out, "{indent}\"\"\"").unwrap();
    }
}

/// The error of a story's failure, and the last HTTP exchange before it.
fn story_failure(out: &mut String, failure: &crate::record::Failure) {
    write!(out, "\nerror in {} (line {}", failure.step, failure.line).unwrap();
    if let Some(definition) = &failure.definition {
        write!(out, ", {definition}").unwrap();
    }
    writeln!(out, "):\n{}", failure.error.trim_end()).unwrap();
    if let Some(exchange) = &failure.exchange {
        out.push_str("\nlast HTTP exchange:\n");
        writeln!(out, "{} {}", exchange.method, exchange.url).unwrap();
        for (name, value) in &exchange.request_headers {
            writeln!(out, "{name}: {value}").unwrap();
        }
        if let Some(body) = exchange.request_body.as_deref().filter(|b| !b.is_empty()) {
            writeln!(out, "\n{}", body.trim_end()).unwrap();
        }
        match (exchange.status, &exchange.error) {
            (Some(status), _) => {
                writeln!(out, "\n→ {status} ({} ms)", exchange.duration_ms).unwrap()
            }
            (None, Some(error)) => writeln!(out, "\n→ no response: {error}").unwrap(),
            (None, None) => writeln!(out, "\n→ no response").unwrap(),
        }
        for (name, value) in &exchange.response_headers {
            writeln!(out, "{name}: {value}").unwrap();
        }
        if let Some(body) = exchange.response_body.as_deref().filter(|b| !b.is_empty()) {
            writeln!(out, "\n{}", body.trim_end()).unwrap();
        }
    }
}

/// A story's attachments, each with the JUnit Attachments plugin's marker.
fn story_attachments(out: &mut String, attachments: &[crate::record::Attachment]) {
    if !attachments.is_empty() {
        out.push_str("\nattachments (paths relative to the report directory):\n");
        for attachment in attachments {
            writeln!(out, "{} ({})", attachment.name, attachment.media_type).unwrap();
            // The JUnit Attachments plugin reads this marker, alone on its line.
            writeln!(out, "[[ATTACHMENT|{}]]", attachment.path.display()).unwrap();
        }
    }
}

/// Text content, escaped by the crate: `<`, `>` and `&` (quotes need no escaping in text,
/// and left alone they keep `system-out` readable in the file itself).
fn content(s: &str) -> BytesText<'static> {
    BytesText::from_escaped(quick_xml::escape::partial_escape(text(s)).into_owned())
}

/// Milliseconds as JUnit's seconds.
fn seconds(millis: u64) -> String {
    format!("{}.{:03}", millis / 1000, millis % 1000)
}

/// Text as XML 1.0 can carry it: the characters it forbids (most control characters, which
/// an error message may well contain) become U+FFFD; the writer escapes the rest.
fn text(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    // Checked by bytes first: below U+0020 only tab and line ends are allowed, and above it
    // only U+FFFE and U+FFFF, whose encodings start with 0xEF, are not.
    let clean = s
        .bytes()
        .all(|b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r'))
        && (!s.as_bytes().contains(&0xEF) || s.chars().all(allowed));
    if clean {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

/// Makes every (classname, name) pair unique: a repeated name gets its Scenario line, and
/// a name still repeated a counter. Reports key results by that pair, so two cases that
/// share one would merge into one result.
fn unique_names(cases: &mut [Entry<'_>]) {
    let mut count = std::collections::HashMap::<(String, String), usize>::new();
    for case in cases.iter() {
        *count
            .entry((case.classname.to_string(), case.name.clone()))
            .or_default() += 1;
    }
    let mut seen = HashSet::new();
    for case in cases.iter_mut() {
        if count[&(case.classname.to_string(), case.name.clone())] > 1 {
            write!(case.name, " (line {})", case.line).unwrap();
        }
        let base = case.name.clone();
        let mut n = 1;
        while !seen.insert((case.classname.to_string(), case.name.clone())) {
            n += 1;
            case.name = format!("{base} #{n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        assert_eq!(text("plain <b> & \"q\""), "plain <b> & \"q\"");
        assert_eq!(
            text("\u{1b}[31mred\u{1b}[0m\u{0}"),
            "\u{FFFD}[31mred\u{FFFD}[0m\u{FFFD}"
        );
        assert_eq!(text("tab\tline\r\nend\u{7f}"), "tab\tline\r\nend\u{7f}");
        assert_eq!(text("café €5 \u{FFFD} 😀"), "café €5 \u{FFFD} 😀");
        assert_eq!(text("a\u{FFFE}b\u{FFFF}c"), "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn milliseconds_read_as_seconds() {
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(1177), "1.177");
        assert_eq!(seconds(61_005), "61.005");
    }

    fn case(classname: &str, name: &str, line: usize) -> Entry<'static> {
        Entry {
            classname: Cow::Owned(classname.to_owned()),
            name: name.to_owned(),
            line,
            failed: false,
            skipped: false,
            millis: 0,
            source: Source::Built(Box::new(TestCase {
                skipped: None,
                failure: None,
                earlier: Vec::new(),
                earlier_element: "",
                properties: Vec::new(),
                system_out: String::new(),
            })),
        }
    }

    #[test]
    fn repeated_names_are_told_apart() {
        let mut cases = vec![
            case("F", "Checkout", 3),
            case("F", "Checkout", 9),
            case("G", "Checkout", 3),
            case("F", "Pay", 12),
        ];
        unique_names(&mut cases);
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["Checkout (line 3)", "Checkout (line 9)", "Checkout", "Pay"]
        );
    }
}
