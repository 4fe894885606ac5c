//! `junit.xml` of the fixture run: valid against the JUnit schemas (Jenkins's, which the run
//! writes, and Surefire's, the other dialect rendered from the same record), counts that
//! match the record, one testcase per execution under a unique name, and everything the
//! fixture's titles, tables, doc strings and HTTP bodies carry escaped.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

use casebook::config::{Config, JunitDialect};
use casebook::project::{Project, ReportDir, Steps};
use casebook::record::Status;
use quick_xml::events::Event;

use super::{RUN, fixture, normalize};

/// An element of a parsed document: enough of a DOM for assertions.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn parse(xml: &str) -> Element {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack = vec![Element::default()];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(start) => stack.push(Self::open(&start)),
                Event::Empty(start) => {
                    let element = Self::open(&start);
                    stack.last_mut().unwrap().children.push(element);
                }
                Event::End(_) => {
                    let element = stack.pop().unwrap();
                    stack.last_mut().unwrap().children.push(element);
                }
                Event::Text(text) => {
                    let text = text.xml10_content();
                    stack.last_mut().unwrap().text.push_str(&text);
                }
                // Text comes in pieces around each `&…;` reference.
                Event::GeneralRef(reference) => {
                    let text = match reference.resolve_char_ref().unwrap() {
                        Some(c) => c.to_string(),
                        None => {
                            let name = reference.xml10_content();
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .expect("only XML's own entities")
                                .to_owned()
                        }
                    };
                    stack.last_mut().unwrap().text.push_str(&text);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        stack.pop().unwrap().children.pop().expect("a root element")
    }

    fn open(start: &quick_xml::events::BytesStart<'_>) -> Element {
        Element {
            name: start.name().as_ref().to_owned(),
            attributes: start
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        a.key.as_ref().to_owned(),
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned(),
                    )
                })
                .collect(),
            ..Element::default()
        }
    }

    fn all<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attr(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }

    fn count(&self, name: &str) -> usize {
        self.attr(name).parse().unwrap()
    }

    /// Whether this testcase is a tester's (its `system-out` says `mode: manual`).
    fn is_manual(&self) -> bool {
        self.child("system-out")
            .is_some_and(|out| out.text.lines().any(|l| l == "mode: manual"))
    }
}

/// The fixture's manual cases (RPT-006 to RPT-009), by their results in
/// `manual-results/1.0.0-fixture.toml`: one passed, one failed, one blocked, one stale.
const MANUAL: usize = 4;

/// The surefire dialect of the same run, rendered as `casebook report` renders a saved run
/// with `[report] junit = "surefire"`: the record read back from `run.json`, the suite and
/// the step definitions (`steps.json`) loaded, every report written to a directory of its own.
fn surefire() -> String {
    let mut config = Config::load(&fixture().join("casebook.toml")).unwrap();
    config.report_dir = RUN.dir.path().to_path_buf();
    config.report.junit = JunitDialect::Surefire;
    let report_dir = ReportDir::configured(&config);
    let project = Project::load(config, &[], Steps::Saved(&report_dir)).unwrap();
    assert!(project.registry.is_some(), "steps.json is read");
    let release = casebook::release::counted(None, RUN.record.release.as_deref());
    let manual = casebook::manual::ledger(&project.config.manual_results, &release);
    let matrix = project.matrix(&RUN.record, &manual);
    let inputs = casebook::render::Inputs {
        suite: &project.suite,
        catalog: project.catalog(),
        record: &RUN.record,
        matrix: &matrix,
        config: &project.config,
        attachments: &casebook::render::AttachmentFiles::read(RUN.dir.path(), &RUN.record),
    };
    let out = tempfile::tempdir().unwrap();
    casebook::render::write_all(out.path(), &inputs).unwrap();
    std::fs::read_to_string(out.path().join("junit.xml")).unwrap()
}

/// Validates `xml` against `schema` (in `tests/reports/schemas/`) with xmllint.
fn validate(xml: &str, schema: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reports/schemas")
        .join(schema);
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint runs (Debian: libxml2-utils; `bash .ci/setup` installs it)");
    assert!(
        output.status.success(),
        "{} does not validate:\n{}\n{xml}",
        schema.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The document without Xray's per-testcase `properties`, the one element the surefire
/// dialect adds to Surefire's schema.
fn without_testcase_properties(xml: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut writer = quick_xml::Writer::new(Vec::new());
    let mut open: Vec<String> = Vec::new();
    let mut skipping = 0usize;
    loop {
        let event = reader.read_event().unwrap();
        match &event {
            Event::Eof => break,
            Event::Start(start) => {
                let inside_testcase = open.last().is_some_and(|n| n == "testcase");
                if skipping > 0 || (inside_testcase && start.name().as_ref() == "properties") {
                    skipping += 1;
                }
                open.push(start.name().as_ref().to_owned());
            }
            Event::End(_) => {
                open.pop();
                if skipping > 0 {
                    skipping -= 1;
                    continue;
                }
            }
            _ => {}
        }
        if skipping == 0 {
            writer.write_event(event).unwrap();
        }
    }
    String::from_utf8(writer.into_inner()).unwrap()
}

#[test]
fn junit_xml_validates_against_the_jenkins_schema() {
    require_browser!();
    validate(&RUN.read("junit.xml"), "jenkins-junit.xsd");
}

#[test]
fn the_surefire_dialect_validates_against_surefire_s_schema_plus_xray_s_properties() {
    require_browser!();
    let xml = surefire();
    let root = Element::parse(&xml);
    let with_properties = root
        .all("testcase")
        .filter(|case| case.child("properties").is_some())
        .count();
    assert_eq!(
        with_properties,
        RUN.record.executions.len() + MANUAL,
        "every execution has a case ID, hence a test_key"
    );
    let stripped = without_testcase_properties(&xml);
    assert!(!stripped.contains("test_key"), "{stripped}");
    validate(&stripped, "surefire-test-report-3.0.2.xsd");
}

#[test]
fn the_surefire_dialect_carries_the_test_key_and_requirements_xray_reads() {
    require_browser!();
    let root = Element::parse(&surefire());
    let run = root.all("testcase").filter(|case| !case.is_manual());
    for (case, execution) in run.zip(&RUN.record.executions) {
        let properties: BTreeMap<&str, &str> = case
            .child("properties")
            .unwrap()
            .all("property")
            .map(|p| (p.attr("name"), p.attr("value")))
            .collect();
        assert_eq!(
            properties.get("test_key").copied(),
            execution.case_id.as_deref()
        );
        assert_eq!(properties["requirements"], execution.requirements.join(","));
    }
}

#[test]
fn the_testsuite_counts_match_the_record() {
    require_browser!();
    let root = Element::parse(&RUN.read("junit.xml"));
    assert_eq!(root.name, "testsuites");
    let counts = &RUN.record.counts;
    // The tester's failed case fails; the blocked and the stale one are skipped.
    let not_proven = counts.failed + counts.unbound + counts.ambiguous + 1;
    let skipped = counts.skipped + 2;
    let tests = counts.executions + MANUAL;
    assert_eq!(root.count("tests"), tests);
    assert_eq!(root.count("failures"), not_proven);

    let suites: Vec<&Element> = root.all("testsuite").collect();
    let files: HashSet<&str> = RUN.record.executions.iter().map(|e| &*e.file).collect();
    assert_eq!(suites.len(), files.len(), "one testsuite per feature file");
    let mut totals = (0, 0, 0, 0);
    for suite in &suites {
        let cases: Vec<&Element> = suite.all("testcase").collect();
        assert_eq!(suite.count("tests"), cases.len());
        assert_eq!(
            suite.count("failures"),
            cases
                .iter()
                .filter(|c| c.child("failure").is_some())
                .count()
        );
        assert_eq!(
            suite.count("skipped"),
            cases
                .iter()
                .filter(|c| c.child("skipped").is_some())
                .count()
        );
        assert_eq!(suite.attr("timestamp"), RUN.record.started_at);
        totals.0 += suite.count("tests");
        totals.1 += suite.count("failures");
        totals.2 += suite.count("errors");
        totals.3 += suite.count("skipped");
    }
    assert_eq!(totals, (tests, not_proven, 0, skipped));

    let surefire = Element::parse(&surefire());
    assert_eq!(surefire.name, "testsuite");
    assert_eq!(surefire.count("tests"), tests);
    assert_eq!(surefire.count("failures"), not_proven);
    assert_eq!(surefire.count("skipped"), skipped);
}

#[test]
fn manual_results_are_testcases_with_their_status() {
    require_browser!();
    for (xml, dialect) in [(RUN.read("junit.xml"), "jenkins"), (surefire(), "surefire")] {
        let root = Element::parse(&xml);
        let suites: Vec<&Element> = if dialect == "jenkins" {
            root.all("testsuite").collect()
        } else {
            vec![&root]
        };
        let manual: Vec<&Element> = suites
            .iter()
            .flat_map(|s| s.all("testcase"))
            .filter(|c| c.is_manual())
            .collect();
        let names: Vec<&str> = manual.iter().map(|c| c.attr("name")).collect();
        assert_eq!(
            names,
            [
                "RPT-006: A receipt a tester reads",
                "RPT-007: A receipt a tester finds wrong",
                "RPT-008: A receipt a tester cannot print",
                "RPT-009: A receipt whose check changed since it was run",
            ],
            "{dialect}"
        );
        let [passed, failed, blocked, stale] = &manual[..] else {
            unreachable!()
        };
        assert!(passed.child("failure").is_none() && passed.child("skipped").is_none());
        let failure = failed.child("failure").expect("a failed manual case fails");
        assert_eq!(failure.attr("type"), "manual");
        assert!(
            failure.attr("message").contains("The VAT line is missing"),
            "{failure:?}"
        );
        assert!(
            failure
                .text
                .contains("defect: https://tracker.example/BUG-7"),
            "{failure:?}"
        );
        let system_out = &failed.child("system-out").unwrap().text;
        assert!(
            system_out.contains(
                "outcome: failed by tess at 2024-05-01T09:30:00Z (release 1.0.0-fixture)"
            ),
            "{system_out}"
        );
        for (case, why) in [
            (blocked, "blocked by tess"),
            (stale, "passed (stale: case changed)"),
        ] {
            let skipped = case.child("skipped").expect("skipped");
            let message = match dialect {
                "jenkins" => skipped.text.clone(),
                _ => skipped.attr("message").to_owned(),
            };
            assert!(message.starts_with(&format!("manual: {why}")), "{message}");
        }
    }
}

#[test]
fn testcase_names_are_unique_within_each_suite_and_name_the_examples_row() {
    require_browser!();
    let root = Element::parse(&RUN.read("junit.xml"));
    for suite in root.all("testsuite") {
        let names: Vec<&str> = suite.all("testcase").map(|c| c.attr("name")).collect();
        let unique: HashSet<&&str> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        for case in suite.all("testcase") {
            assert_eq!(case.attr("classname"), suite.attr("name"));
        }
    }
    let names: Vec<&str> = root
        .all("testsuite")
        .flat_map(|s| s.all("testcase"))
        .map(|c| c.attr("name"))
        .collect();
    assert!(
        names.contains(&"RPT-010: The shop greets <who> [row 1: who=alice, greeting=Coffee]"),
        "{names:?}"
    );
    assert!(
        names.contains(
            &r#"RPT-010: The shop greets <who> [row 2: who=<img src=x onerror="window.pwned = 1">, greeting=Goodbye]"#
        ),
        "{names:?}"
    );
}

/// The testcase of the first execution of a case.
fn testcase<'e>(root: &'e Element, id: &str) -> &'e Element {
    root.all("testsuite")
        .flat_map(|s| s.all("testcase"))
        .chain(root.all("testcase"))
        .find(|c| c.attr("name").starts_with(&format!("{id}: ")))
        .unwrap_or_else(|| panic!("no testcase for {id}"))
}

#[test]
fn a_flaky_case_passes_and_says_so() {
    require_browser!();
    let flaky = RUN
        .record
        .executions
        .iter()
        .find(|e| e.status == Status::Flaky)
        .unwrap();
    let id = flaky.case_id.as_deref().unwrap();

    let root = Element::parse(&RUN.read("junit.xml"));
    let case = testcase(&root, id);
    let children: Vec<&str> = case.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(children, ["system-out"], "a passed testcase");
    let out = &case.child("system-out").unwrap().text;
    assert!(
        out.starts_with(&format!("test_key: {id}\nrequirements: ")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "attempt 1 of {}: failed (its error is not recorded)",
            flaky.attempts
        )),
        "{out}"
    );

    let surefire = Element::parse(&surefire());
    let case = testcase(&surefire, id);
    assert!(case.child("failure").is_none());
    let flaky_failures: Vec<&Element> = case.all("flakyFailure").collect();
    assert_eq!(flaky_failures.len(), flaky.attempts - 1);
    assert_eq!(
        flaky_failures[0].attr("message"),
        format!("failed on attempt 1 of {}, passed on retry", flaky.attempts)
    );
    assert!(flaky_failures[0].child("stackTrace").is_some());
}

#[test]
fn failed_unbound_and_ambiguous_executions_are_failures_that_say_why() {
    require_browser!();
    let root = Element::parse(&RUN.read("junit.xml"));
    for execution in &RUN.record.executions {
        let id = execution.case_id.as_deref().unwrap();
        let name_start = format!("{id}: ");
        let case = root
            .all("testsuite")
            .flat_map(|s| s.all("testcase"))
            .filter(|c| c.attr("name").starts_with(&name_start))
            .nth(
                execution
                    .example
                    .as_ref()
                    .map_or(0, |e| e.index_in_outline - 1),
            )
            .unwrap();
        let failure = case.child("failure");
        match execution.status {
            Status::Passed | Status::Flaky | Status::Skipped => assert!(failure.is_none()),
            Status::Failed => {
                let failure = failure.unwrap();
                let error = &execution.failure.as_ref().unwrap().error;
                assert_eq!(failure.attr("type"), "failed");
                assert_eq!(failure.attr("message"), error.lines().next().unwrap());
                assert!(failure.text.contains(error.as_str()), "{}", failure.text);
            }
            Status::Unbound => {
                let failure = failure.unwrap();
                assert_eq!(failure.attr("type"), "unbound");
                let unbound = &RUN.record.unbound_steps[0];
                assert!(
                    failure.attr("message").contains(&unbound.text),
                    "{:?}",
                    failure.attributes
                );
                assert!(failure.text.contains(&unbound.snippet), "{}", failure.text);
            }
            Status::Ambiguous => {
                let failure = failure.unwrap();
                assert_eq!(failure.attr("type"), "ambiguous");
                let ambiguous = &RUN.record.ambiguous_steps[0];
                assert!(failure.attr("message").contains(&ambiguous.text));
                for definition in &ambiguous.definitions {
                    let place = definition.location_text().unwrap();
                    assert!(failure.text.contains(&place), "{}", failure.text);
                }
            }
        }
        assert_eq!(
            case.child("skipped").is_some(),
            execution.status == Status::Skipped
        );
    }
}

#[test]
fn system_out_has_the_steps_the_exchange_and_the_attachments() {
    require_browser!();
    let failed = RUN
        .record
        .executions
        .iter()
        .find(|e| e.status == Status::Failed)
        .unwrap();
    let root = Element::parse(&RUN.read("junit.xml"));
    let case = root
        .all("testsuite")
        .flat_map(|s| s.all("testcase"))
        .find(|c| {
            c.child("failure")
                .is_some_and(|f| f.attr("type") == "failed")
        })
        .unwrap();
    let out = &case.child("system-out").unwrap().text;
    for step in &failed.steps {
        assert!(
            out.contains(&format!("{} {}", step.keyword, step.text)),
            "{out}"
        );
    }
    let exchange = failed.failure.as_ref().unwrap().exchange.as_ref().unwrap();
    assert!(
        out.contains(&format!("{} {}", exchange.method, exchange.url)),
        "{out}"
    );
    for attachment in &failed.attachments {
        let line = format!("[[ATTACHMENT|{}]]", attachment.path.display());
        assert!(out.lines().any(|l| l == line), "{out}");
        assert!(
            RUN.path(&attachment.path.display().to_string()).is_file(),
            "the path is relative to the report directory"
        );
    }

    // A passed case shows its steps too, from the feature file.
    let passed = testcase(&root, "RPT-001");
    let out = &passed.child("system-out").unwrap().text;
    assert!(
        out.contains("passed    Given these items are in the cart:"),
        "{out}"
    );
}

#[test]
fn what_the_fixture_smuggles_in_is_escaped_and_the_password_never_appears() {
    require_browser!();
    for xml in [RUN.read("junit.xml"), surefire()] {
        for raw in ["<script", "<img", "hunter2"] {
            assert!(!xml.contains(raw), "{raw} in\n{xml}");
        }
        // In attributes (the testcase names) and in text (system-out).
        assert!(xml.contains("&lt;script&gt;window.pwned = &quot;title&quot;&lt;/script&gt;"));
        assert!(xml.contains(r#"&lt;script&gt;window.pwned = "table"&lt;/script&gt;"#));
        assert!(xml.contains("&lt;img src=x onerror=&quot;window.pwned = 1&quot;&gt;"));
        assert!(xml.contains(r#"&lt;img src=x onerror="window.pwned = 1"&gt;"#));
        // Parsed, the payloads are text again, and still no password.
        let root = Element::parse(&xml);
        let mut texts = String::new();
        fn collect(e: &Element, out: &mut String) {
            out.push_str(&e.text);
            for value in e.attributes.values() {
                out.push_str(value);
            }
            for child in &e.children {
                collect(child, out);
            }
        }
        collect(&root, &mut texts);
        assert!(texts.contains(r#"<script>window.pwned = "title"</script>"#));
        assert!(
            texts.contains("[REDACTED]"),
            "the exchange is shown, redacted"
        );
        assert!(!texts.contains("hunter2"));
    }
}

#[test]
fn junit_xml_of_the_fixture_run() {
    require_browser!();
    insta::assert_snapshot!("jenkins", normalize(&RUN.read("junit.xml")));
}

#[test]
fn surefire_junit_xml_of_the_fixture_run() {
    require_browser!();
    insta::assert_snapshot!("surefire", normalize(&surefire()));
}

/// RPT-004 awaits automation (a step has no definition): the run reports it unbound, and a
/// tester checked it by hand. Its testcase keeps the run's failure and adds the tester's word.
#[test]
fn an_unbound_case_a_tester_checked_shows_both() {
    require_browser!();
    let root = Element::parse(&RUN.read("junit.xml"));
    let case = testcase(&root, "RPT-004");
    assert_eq!(case.child("failure").unwrap().attr("type"), "unbound");
    let out = &case.child("system-out").unwrap().text;
    assert!(
        out.contains("\nmanual result: passed by tess at ")
            && out.contains("(release 1.0.0-fixture)\nactual result: The step nobody has written, checked by hand\n"),
        "{out}"
    );
}
