//! Every report tells the same story of every execution.
//!
//! The harness runs `tests/fixtures/consistency` (outlines with two and three Examples
//! blocks tagged apart, a manual outline, Rules with Backgrounds of their own, data tables
//! and doc strings with placeholders; two rows fail) once per JUnit dialect, then each test
//! holds what a report shows to the official pickles of the fixture's files, compiled here
//! by `casebook-gherkin`: for every execution, the steps a report shows are exactly its
//! pickle's, every execution appears exactly once, and every requirement counts exactly the
//! executions whose own tags (their Examples block's included) name it or a requirement
//! below it.

mod expected;
mod reports;
mod steps;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use casebook::harness::{Args, Harness};
use clap::Parser as _;

use expected::{Execution, Shown};

/// What one run wrote.
struct Run {
    dir: PathBuf,
}

impl Run {
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/consistency")
}

/// Runs the fixture with `config`, its reports in a folder of the test's own.
fn run(name: &str, config: &str) -> Run {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config_file = dir.join("casebook.toml");
    let settings = format!(
        "features = {:?}\nrequirements = {:?}\n[run]\nbase-url = \"http://127.0.0.1:9\"\n{config}",
        fixture().join("features"),
        fixture().join("requirements.toml"),
    );
    std::fs::write(&config_file, settings).unwrap();
    let report_dir = dir.join("reports").display().to_string();
    let argv = ["specs", "--report-dir", &report_dir, "--release", "1.0.0"];
    let args = Args::try_parse_from(argv).expect("the flags parse");
    let passed = Harness::new()
        .ci(false)
        .root(fixture())
        .config_file(&config_file)
        .run_with(args)
        .expect("the run completes");
    assert!(!passed, "two rows of the fixture fail");
    Run {
        dir: dir.join("reports"),
    }
}

static JENKINS: LazyLock<Run> = LazyLock::new(|| run("consistency-jenkins", ""));
static SUREFIRE: LazyLock<Run> =
    LazyLock::new(|| run("consistency-surefire", "[report]\njunit = \"surefire\"\n"));

/// The executions of the fixture, from its official pickles, by their line.
static EXPECTED: LazyLock<BTreeMap<usize, Execution>> =
    LazyLock::new(|| expected::executions(&fixture()));

/// Holds `shown` (by execution line) to the expected executions: each once, each with its
/// pickle's steps.
fn assert_every_execution_once(
    format: &str,
    shown: Vec<(usize, Shown)>,
    which: impl Fn(&Execution) -> bool,
) {
    let mut seen = BTreeMap::new();
    for (line, steps) in shown {
        let expected = EXPECTED
            .get(&line)
            .unwrap_or_else(|| panic!("{format}: an execution at line {line} the fixture lacks"));
        assert!(
            seen.insert(line, ()).is_none(),
            "{format}: the execution at line {line} appears twice"
        );
        assert_eq!(
            steps, expected.steps,
            "{format}: the steps of the execution at line {line} ({})",
            expected.name
        );
    }
    let missing: Vec<_> = EXPECTED
        .iter()
        .filter(|(line, e)| which(e) && !seen.contains_key(line))
        .map(|(_, e)| e.name.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "{format}: executions missing: {missing:?}"
    );
}

#[test]
fn the_fixture_has_outlines_of_two_and_three_blocks() {
    let blocks: BTreeMap<&str, usize> = EXPECTED
        .values()
        .filter_map(|e| Some((e.case_id.as_str(), e.block?)))
        .fold(BTreeMap::new(), |mut blocks, (case, block)| {
            let most = blocks.entry(case).or_insert(0);
            *most = (*most).max(block + 1);
            blocks
        });
    assert_eq!(blocks.get("CON-001"), Some(&2));
    assert_eq!(blocks.get("CON-002"), Some(&3));
    assert_eq!(EXPECTED.len(), 14);
}

#[test]
fn junit_xml_shows_each_execution_once_with_its_own_steps_in_both_dialects() {
    for (dialect, run) in [("jenkins", &*JENKINS), ("surefire", &*SUREFIRE)] {
        let shown = reports::junit(&run.read("junit.xml"), &EXPECTED);
        assert_every_execution_once(&format!("junit.xml ({dialect})"), shown, |_| true);
    }
}

#[test]
fn cucumber_json_shows_each_execution_once_with_its_own_steps() {
    let shown = reports::cucumber_json(&JENKINS.read("cucumber.json"));
    assert_every_execution_once("cucumber.json", shown, |_| true);
}

#[test]
fn report_html_case_data_gives_each_row_its_own_values() {
    let shown = reports::html_cases(&JENKINS.read("report.html"), &EXPECTED);
    assert_every_execution_once("report.html", shown, |_| true);
}

#[test]
fn messages_give_each_run_execution_one_test_case_of_its_pickle_steps() {
    let shown = reports::messages(&JENKINS.read("messages.ndjson"));
    assert_every_execution_once("messages.ndjson", shown, |e| !e.manual);
}

#[test]
fn run_json_and_summary_md_name_each_failure_at_its_own_step() {
    let record = reports::record(&JENKINS.read("run.json"));
    assert_every_execution_once("run.json (failed executions)", record.failed_steps, |e| {
        e.failing_step.is_some()
    });
    let failures = reports::summary_failures(&JENKINS.read("summary.md"), &EXPECTED);
    let expected: Vec<(usize, String)> = EXPECTED
        .iter()
        .filter_map(|(line, e)| Some((*line, e.failing_step.clone()?)))
        .collect();
    assert_eq!(failures, expected, "summary.md's failures");
}

#[test]
fn every_requirement_counts_exactly_the_executions_that_prove_it() {
    let record = reports::record(&JENKINS.read("run.json"));
    let catalog = expected::parents(&fixture().join("requirements.toml"));
    let expected: BTreeMap<String, reports::Row> = catalog
        .keys()
        .map(|id| {
            let counts = EXPECTED
                .iter()
                .filter(|(_, e)| {
                    e.requirements
                        .iter()
                        .any(|r| expected::is_within(r, id, &catalog))
                })
                .fold(expected::Counts::default(), |mut counts, (line, e)| {
                    counts.add(e, record.status.get(line).map(String::as_str));
                    counts
                });
            (id.clone(), counts.row())
        })
        .collect();
    for (format, shown) in [
        (
            "summary.md",
            reports::summary_requirements(&JENKINS.read("summary.md")),
        ),
        (
            "report.html",
            reports::html_requirements(&JENKINS.read("report.html")),
        ),
    ] {
        assert_eq!(shown, expected, "{format}: the counts by requirement");
    }
}

/// The attachment each failing row makes during its failing step: its line, that step's
/// text, and the file.
fn attachments_expected() -> Vec<(usize, String, String)> {
    EXPECTED
        .iter()
        .filter_map(|(line, e)| {
            let step = e.failing_step.as_ref()?;
            // `Then the count 5 is even (line 33)`
            let count = step.split(' ').nth(3)?;
            let text = format!("the count {count} is even");
            Some((*line, text, format!("attachments/odd-{count}.txt")))
        })
        .collect()
}

#[test]
fn every_attachment_sits_on_the_step_during_which_it_was_made_in_every_format() {
    let expected = attachments_expected();
    assert_eq!(expected.len(), 2, "two rows fail, each with a note");
    let with = |file: &str| {
        expected
            .iter()
            .map(|(line, step, path)| (*line, step.clone(), format!("{file}:{path}")))
            .collect::<Vec<_>>()
    };
    let record = reports::record_attachments(&JENKINS.read("run.json"));
    let paths: Vec<(usize, String)> = expected.iter().map(|(l, _, p)| (*l, p.clone())).collect();
    assert_eq!(record, paths, "run.json: attachments by execution");
    assert_eq!(
        reports::messages_attachments(&JENKINS.read("messages.ndjson")),
        with("messages.ndjson"),
        "messages.ndjson: each attachment's test step"
    );
    assert_eq!(
        reports::cucumber_json_embeddings(&JENKINS.read("cucumber.json")),
        with("cucumber.json"),
        "cucumber.json: each embedding's step"
    );
    for (dialect, run) in [("jenkins", &*JENKINS), ("surefire", &*SUREFIRE)] {
        assert_eq!(
            reports::junit_attachments(&run.read("junit.xml")),
            paths,
            "junit.xml ({dialect}): attachments by testcase"
        );
    }
    let html = JENKINS.read("report.html");
    for (line, _, path) in &expected {
        let failure = reports::html_failure(&html, *line);
        // The page escapes `/` in text, as minijinja's HTML escaping does.
        assert!(
            failure.contains(&path.replace('/', "&#x2f;")),
            "report.html: the failure at line {line} links {path}"
        );
    }
}
