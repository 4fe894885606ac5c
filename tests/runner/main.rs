//! The runner end to end: the harness runs the fixture projects of `tests/fixtures/runner/`
//! in-process against real services on loopback (the demo shop, a silent listener, a closed
//! port) and real headless Chromium, and the tests read the `run.json` it writes.
//!
//! Runs are serialised: a run installs its settings for the worlds it creates, process-wide.
//! A test that opens a browser is skipped, and says so, on a machine without Chromium.

#[path = "../reports/browser.rs"]
mod browser;
mod steps;

use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use casebook::harness::{Args, Harness};
use casebook::record::{RunRecord, Status};
use clap::Parser as _;

static SERIAL: Mutex<()> = Mutex::new(());

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runner")
        .join(name)
}

/// What one run returned and wrote.
struct Run {
    passed: bool,
    record: RunRecord,
    report_dir: tempfile::TempDir,
}

/// Runs the harness on a fixture project with `flags`, the demo shop as the default service.
fn run(project: &Path, flags: &[&str]) -> Run {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    run_serialised(project, flags)
}

/// [`run`], for a caller that holds `SERIAL` (to set up what the run's hooks read).
fn run_serialised(project: &Path, flags: &[&str]) -> Run {
    let report_dir = tempfile::tempdir().unwrap();
    let report_flag = report_dir.path().display().to_string();
    let mut argv = vec!["specs", "--report-dir", &report_flag];
    argv.extend(flags);
    let args = Args::try_parse_from(&argv).expect("the flags parse");
    // Strictness comes from the flags alone, whether or not the tests run in CI.
    let passed = Harness::new()
        .ci(false)
        .root(project)
        .default_service(|| async {
            let shop = demo_shop::Shop::start().await?;
            Ok((shop.base_url().to_owned(), shop))
        })
        .run_with(args)
        .expect("the run completes");
    let text =
        std::fs::read_to_string(report_dir.path().join("run.json")).expect("run.json is written");
    assert_no_chromedriver_left();
    Run {
        passed,
        record: serde_json::from_str(&text).expect("run.json parses"),
        report_dir,
    }
}

/// No chromedriver started by this process is still alive (a zombie is dead).
fn assert_no_chromedriver_left() {
    let me = std::process::id().to_string();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some((comm, rest)) = stat.split_once(") ") else {
            continue;
        };
        let fields: Vec<&str> = rest.split(' ').collect();
        if comm.ends_with("(chromedriver") && fields[0] != "Z" && fields[1] == me {
            panic!("a chromedriver is still running: {stat}");
        }
    }
}

/// A loopback listener that counts connections and never answers.
fn silent_listener() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            // Keep the connection open and silent.
            let mut stream = stream;
            let mut buffer = [0; 1024];
            let _ = stream.set_nonblocking(true);
            let _ = stream.read(&mut buffer);
            open.push(stream);
        }
    });
    (url, count)
}

/// A loopback URL where nothing listens.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[test]
fn the_demo_shop_passes_an_http_case() {
    let run = run(&fixture("http"), &[]);
    assert!(run.passed);
    let execution = &run.record.executions[0];
    assert_eq!(execution.status, Status::Passed, "{execution:?}");
    assert_eq!(execution.case_id.as_deref(), Some("HTTP-1"));
    assert_eq!(run.record.counts.passed, 1);
    assert_eq!(run.record.counts.steps.passed, 3);
    let summary = std::fs::read_to_string(run.report_dir.path().join("summary.md")).unwrap();
    assert!(
        summary.starts_with("## ✅ casebook: 1 passed, 0 failed"),
        "{summary}"
    );
}

#[test]
fn a_failing_browser_step_is_failed_with_a_screenshot() {
    if !browser::available() {
        return;
    }
    let run = run(&fixture("browser"), &[]);
    assert!(!run.passed);
    let execution = &run.record.executions[0];
    assert_eq!(execution.status, Status::Failed);
    let failure = execution.failure.as_ref().unwrap();
    assert_eq!(failure.line, 6);
    assert!(failure.error.contains("does not say"), "{failure:?}");
    assert!(
        failure
            .definition
            .as_deref()
            .unwrap()
            .contains("tests/runner/steps.rs"),
        "{failure:?}"
    );
    let screenshot = execution
        .attachments
        .iter()
        .find(|a| a.media_type == "image/png")
        .expect("a screenshot is attached");
    assert!(
        screenshot.name.contains("http://127.0.0.1:"),
        "the page URL is named: {screenshot:?}"
    );
    let png = std::fs::read(run.report_dir.path().join(&screenshot.path))
        .expect("the screenshot file exists");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "it is a PNG");

    // In the messages the screenshot belongs to the step that failed, as in cucumber.json,
    // not to the skipped step after it, which ran nothing.
    let messages = messages(&run);
    let steps = test_steps(
        &messages,
        "The home page promises something it does not say",
    );
    let shown: Vec<(&str, usize)> = steps
        .iter()
        .map(|(_, status, attached)| (status.as_str(), attached.len()))
        .collect();
    assert_eq!(shown, [("PASSED", 0), ("FAILED", 1), ("SKIPPED", 0)]);
    let attachment = of(&messages, "attachment")
        .into_iter()
        .find(|a| a["mediaType"] == "image/png")
        .expect("the screenshot is in the messages");
    let failed = of(&messages, "testStepFinished")
        .into_iter()
        .find(|f| f["testStepResult"]["status"] == "FAILED")
        .unwrap();
    assert_eq!(attachment["testStepId"], failed["testStepId"]);
}

#[test]
fn an_unbound_step_is_unbound_with_a_snippet_and_fails_only_under_strict() {
    let run1 = run(&fixture("unbound"), &[]);
    assert!(
        run1.passed,
        "unbound cases do not fail a run that is not strict"
    );
    let statuses: Vec<Status> = run1.record.executions.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Status::Unbound, Status::Passed]);
    assert_eq!(run1.record.counts.unbound, 1);
    assert_eq!(run1.record.counts.unbound_steps, 2);
    let steps = run1.record.counts.steps;
    assert_eq!(
        (steps.passed, steps.unbound, steps.skipped),
        (2, 2, 1),
        "{steps:?}"
    );
    let first = &run1.record.unbound_steps[0];
    assert_eq!(
        first.text,
        r#"a customer with 2 gift cards worth 12.50 "EUR""#
    );
    assert_eq!(
        first.places,
        ["tests/fixtures/runner/unbound/features/unbound.feature:5"]
    );
    assert!(
        first.snippet.starts_with(
            "#[given(expr = \"a customer with {int} gift cards worth {float} {string}\")]"
        ),
        "{}",
        first.snippet
    );
    // Lint checks the steps against this harness's definitions, with no `steps.json` from
    // an earlier run in the report directory.
    let lint: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run1.report_dir.path().join("lint.json")).unwrap(),
    )
    .unwrap();
    let unbound_lines: Vec<u64> = lint
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "unbound-step")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(unbound_lines, [5, 6], "{lint:#}");
    let strict = run(&fixture("unbound"), &["--strict"]);
    assert!(!strict.passed, "--strict fails on an unbound step");
}

#[test]
fn an_ambiguous_step_lists_both_definitions() {
    let run = run(&fixture("ambiguous"), &[]);
    assert_eq!(run.record.executions[0].status, Status::Ambiguous);
    let ambiguous = &run.record.ambiguous_steps[0];
    assert_eq!(ambiguous.text, "an ambiguous step");
    let places: Vec<String> = ambiguous
        .definitions
        .iter()
        .map(|d| d.location_text().unwrap())
        .collect();
    assert_eq!(places.len(), 2, "{places:?}");
    assert!(
        places.iter().all(|p| p.contains("tests/runner/steps.rs")),
        "{places:?}"
    );
    assert!(!self::run(&fixture("ambiguous"), &["--strict"]).passed);
}

/// A project of `files` feature files with `rows` Examples rows each, every step bound.
fn large_project(files: usize, rows: usize) -> tempfile::TempDir {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("casebook.toml"), "").unwrap();
    std::fs::create_dir(project.path().join("features")).unwrap();
    for file in 0..files {
        let mut text = format!(
            "Feature: Part {file}\n\n  @BIG-{file}\n  Scenario Outline: Row <n>\n    \
             Given a step that always passes\n    Then the case passes\n\n    \
             Examples:\n      | n |\n"
        );
        for row in 0..rows {
            text.push_str(&format!("      | {row} |\n"));
        }
        std::fs::write(
            project.path().join(format!("features/part{file}.feature")),
            text,
        )
        .unwrap();
    }
    project
}

#[test]
fn a_suite_larger_than_the_runner_s_window_runs_every_case_once() {
    // The runner is handed features a window at a time (a few hundred scenarios ahead of
    // the ones it starts); 900 scenarios in 3 files need it to refill across files, one
    // scenario at a time too.
    let project = large_project(3, 300);
    for flags in [&[][..], &["--concurrency", "1"][..]] {
        // A runner starved of scenarios spins rather than fails: give it a deadline.
        let (done, finished) = std::sync::mpsc::channel();
        let path = project.path().to_path_buf();
        std::thread::spawn(move || {
            // After the deadline, nobody listens: the test has already failed.
            let _ = done.send(run(&path, flags));
        });
        let run = finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("the run with {flags:?} did not finish in 2 minutes"));
        assert!(run.passed, "{flags:?}");
        assert_eq!(run.record.executions.len(), 900, "{flags:?}");
        assert!(
            run.record
                .executions
                .iter()
                .all(|e| e.status == Status::Passed && e.attempts == 1),
            "{flags:?}"
        );
        let messages =
            std::fs::read_to_string(run.report_dir.path().join("messages.ndjson")).unwrap();
        let finished = messages
            .lines()
            .filter(|line| line.starts_with("{\"testCaseFinished\""))
            .count();
        assert_eq!(finished, 900, "{flags:?}");
    }
}

#[test]
fn a_case_that_fails_once_is_flaky_under_retry() {
    steps::reset_flaky();
    let retried = run(&fixture("flaky"), &["--retry", "1"]);
    let execution = &retried.record.executions[0];
    assert_eq!(
        (execution.status, execution.attempts),
        (Status::Flaky, 2),
        "{execution:?}"
    );
    assert!(retried.passed, "a flaky case does not fail the run");
    steps::reset_flaky();
    let once = run(&fixture("flaky"), &[]);
    assert_eq!(once.record.executions[0].status, Status::Failed);
    assert!(!once.passed);
}

#[test]
fn doc_strings_and_table_cells_reach_the_steps_exactly_as_written() {
    steps::RECEIVED.lock().unwrap().clear();
    let run = run(&fixture("arguments"), &[]);
    assert!(run.passed, "{:?}", run.record.executions);
    let received = steps::RECEIVED.lock().unwrap().clone();
    assert_eq!(
        received,
        [
            // No `json` line: the media type is not content. The delimiter's indentation
            // is removed, the rest kept, and an escaped delimiter unescaped.
            steps::Received::DocString(
                "{\"note\": \"an escaped \"\"\" delimiter\"}\n  two more spaces".to_owned(),
            ),
            // `\|`, `\n` and `\\` are unescaped, in the Examples value too.
            steps::Received::Table(vec![vec![
                "a | pipe".to_owned(),
                "a \n line break".to_owned(),
                "a \\ backslash".to_owned(),
                "|<>|".to_owned(),
            ]]),
        ]
    );
}

#[test]
fn a_dry_run_makes_no_http_request() {
    let (url, connections) = silent_listener();
    let run = run(&fixture("http"), &["--dry-run", "--base-url", &url]);
    assert!(run.passed);
    assert!(run.record.selection.dry_run);
    assert_eq!(run.record.executions[0].status, Status::Skipped);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "no connection reached the service"
    );
}

#[test]
fn an_unreachable_base_url_fails_with_a_clear_message() {
    let url = closed_port();
    let run = run(&fixture("http"), &["--base-url", &url]);
    assert!(!run.passed);
    let failure = run.record.executions[0].failure.as_ref().unwrap();
    assert!(
        failure.error.contains(&format!("GET {url}/health failed")),
        "{}",
        failure.error
    );
    assert!(
        failure
            .error
            .contains("hint: is the service running at the base URL?"),
        "{}",
        failure.error
    );
}

#[test]
fn a_silent_service_times_out_with_the_configured_timeout() {
    let (url, connections) = silent_listener();
    let project = tempfile::tempdir().unwrap();
    copy(&fixture("http"), project.path());
    std::fs::write(
        project.path().join("casebook.toml"),
        "[run]\ntimeout = \"1s\"\n",
    )
    .unwrap();
    let run = run(project.path(), &["--base-url", &url]);
    let failure = run.record.executions[0].failure.as_ref().unwrap();
    assert!(
        failure.error.contains("failed: timed out"),
        "{}",
        failure.error
    );
    assert!(connections.load(Ordering::SeqCst) >= 1);
}

#[test]
fn an_unreachable_webdriver_fails_with_a_clear_message() {
    let url = closed_port();
    let run = run(&fixture("browser"), &["--webdriver-url", &url]);
    let failure = run.record.executions[0].failure.as_ref().unwrap();
    assert!(
        failure
            .error
            .contains(&format!("cannot open a browser session at {url}")),
        "{}",
        failure.error
    );
}

#[test]
fn without_chromedriver_a_browser_case_fails_and_says_how_to_install_one() {
    let project = tempfile::tempdir().unwrap();
    copy(&fixture("browser"), project.path());
    std::fs::write(
        project.path().join("casebook.toml"),
        "[run]\nchromedriver = \"/nonexistent/chromedriver\"\n",
    )
    .unwrap();
    let run = run(project.path(), &[]);
    let execution = &run.record.executions[0];
    assert_eq!(execution.status, Status::Failed, "never silently skipped");
    let error = &execution.failure.as_ref().unwrap().error;
    assert!(
        error.contains("install Debian's `chromium` and `chromium-driver`"),
        "{error}"
    );
}

#[test]
fn the_flags_cargo_test_users_pass_are_accepted() {
    for argv in [
        &["specs", "--nocapture"][..],
        &["specs", "--test-threads", "1", "--quiet"],
        &["specs", "some_test_name", "--exact"],
        &[
            "specs",
            "--show-output",
            "--include-ignored",
            "--color",
            "never",
        ],
    ] {
        Args::try_parse_from(argv).unwrap_or_else(|err| panic!("{argv:?}: {err}"));
    }
}

fn copy(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_bare_word_selects_cases_by_id_or_title() {
    let by_id = run(&fixture("unbound"), &["UNB-2"]);
    let ids: Vec<_> = by_id
        .record
        .executions
        .iter()
        .map(|e| e.case_id.as_deref())
        .collect();
    assert_eq!(ids, [Some("UNB-2")]);
    let by_title = run(&fixture("unbound"), &["gift wrap"]);
    let ids: Vec<_> = by_title
        .record
        .executions
        .iter()
        .map(|e| e.case_id.as_deref())
        .collect();
    assert_eq!(ids, [Some("UNB-1")]);
}

#[test]
fn with_exact_a_bare_word_selects_only_the_case_it_names() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("casebook.toml"), "").unwrap();
    std::fs::create_dir(project.path().join("features")).unwrap();
    let mut text = String::from("Feature: Payments\n");
    for (id, title) in [("EX-1", "Pay"), ("EX-10", "Pay twice"), ("EX-2", "Refund")] {
        text.push_str(&format!(
            "\n  @{id}\n  Scenario: {title}\n    Given a step that always passes\n    Then the case passes\n"
        ));
    }
    std::fs::write(project.path().join("features/pay.feature"), text).unwrap();
    let selected = |flags: &[&str]| -> Vec<String> {
        let run = run(project.path(), flags);
        let ids = run.record.executions.iter();
        ids.map(|e| e.case_id.clone().unwrap_or_default()).collect()
    };
    assert_eq!(
        selected(&["EX-1"]),
        ["EX-1", "EX-10"],
        "a substring without --exact"
    );
    assert_eq!(selected(&["EX-1", "--exact"]), ["EX-1"]);
    assert_eq!(
        selected(&["--exact", "Pay"]),
        ["EX-1"],
        "or the whole title"
    );
    assert_eq!(selected(&["Pay"]), ["EX-1", "EX-10"]);
    assert!(selected(&["EX-", "--exact"]).is_empty());
}

#[test]
fn a_feature_file_with_a_byte_order_mark_and_crlf_endings_runs() {
    // The runner executes the suite's own parse, so what lint reads is what runs.
    let project = tempfile::tempdir().unwrap();
    copy(&fixture("http"), project.path());
    let text = std::fs::read_to_string(project.path().join("features/http.feature")).unwrap();
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    std::fs::write(project.path().join("features/http.feature"), windows).unwrap();
    let run = run(project.path(), &[]);
    assert_eq!(run.record.executions.len(), 1);
    assert_eq!(
        run.record.executions[0].status,
        Status::Passed,
        "{:?}",
        run.record.executions[0]
    );
}

#[test]
fn secrets_never_reach_the_record_or_the_transcript() {
    let run = run(&fixture("secret"), &[]);
    let execution = &run.record.executions[0];
    assert_eq!(execution.status, Status::Failed);
    let exchange = execution
        .failure
        .as_ref()
        .unwrap()
        .exchange
        .as_ref()
        .expect("the last exchange is kept");
    assert_eq!(exchange.status, Some(401));
    assert!(
        exchange
            .request_body
            .as_deref()
            .unwrap()
            .contains(r#""password":"[REDACTED]""#),
        "{exchange:?}"
    );
    let transcript = execution
        .attachments
        .iter()
        .find(|a| a.name == "http transcript")
        .unwrap();
    let reports = [
        std::fs::read_to_string(run.report_dir.path().join(&transcript.path)).unwrap(),
        std::fs::read_to_string(run.report_dir.path().join("run.json")).unwrap(),
    ];
    // The header's value comes from the environment (`${env:PATH}` stands in for a token).
    let token = std::env::var("PATH").unwrap();
    for text in reports {
        assert!(
            !text.contains("hunter2") && !text.contains(&token),
            "a secret leaked: {text}"
        );
    }
}

#[test]
fn a_broken_feature_file_is_reported_and_the_others_still_run() {
    let project = tempfile::tempdir().unwrap();
    copy(&fixture("http"), project.path());
    std::fs::write(
        project.path().join("features/broken.feature"),
        "Feature: Broken\n  Scenario: s\n    Given x\n  Bogus line\n",
    )
    .unwrap();
    let run = run(project.path(), &[]);
    assert_eq!(run.record.executions.len(), 1);
    assert_eq!(run.record.executions[0].status, Status::Passed);
    let lint = std::fs::read_to_string(run.report_dir.path().join("lint.json")).unwrap();
    assert!(
        lint.contains(r#""rule":"parse-error""#) && lint.contains(r#""line":4"#),
        "{lint}"
    );
    assert!(run.passed, "a lint error fails only a strict run");
    let strict = self::run(project.path(), &["--strict"]);
    assert!(
        !strict.passed,
        "in a strict run the broken file fails the run"
    );
    assert_eq!(
        strict.record.executions[0].status,
        Status::Passed,
        "but the other cases still ran"
    );
}

/// The messages a run wrote.
fn messages(run: &Run) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.report_dir.path().join("messages.ndjson"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The envelopes of one kind.
fn of<'m>(messages: &'m [serde_json::Value], kind: &str) -> Vec<&'m serde_json::Value> {
    messages.iter().filter_map(|m| m.get(kind)).collect()
}

/// Each test step of the first attempt of the test case of the pickle named `name`, in
/// order: the hook's name or id for a hook step (`step` for a pickle step), its status, and
/// the bodies attached in it.
fn test_steps(messages: &[serde_json::Value], name: &str) -> Vec<(String, String, Vec<String>)> {
    let pickle = of(messages, "pickle")
        .into_iter()
        .find(|p| p["name"] == name)
        .unwrap();
    let case = of(messages, "testCase")
        .into_iter()
        .find(|c| c["pickleId"] == pickle["id"])
        .unwrap();
    let started = of(messages, "testCaseStarted")
        .into_iter()
        .find(|s| s["testCaseId"] == case["id"] && s["attempt"] == 0)
        .unwrap();
    case["testSteps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            let what = match step.get("hookId") {
                Some(id) => {
                    let hook = of(messages, "hook")
                        .into_iter()
                        .find(|h| h["id"] == *id)
                        .unwrap();
                    hook["name"].as_str().unwrap_or("unnamed").to_owned()
                }
                None => "step".to_owned(),
            };
            let in_step = |e: &&serde_json::Value| {
                e["testCaseStartedId"] == started["id"] && e["testStepId"] == step["id"]
            };
            let status = of(messages, "testStepFinished")
                .into_iter()
                .find(in_step)
                .map(|f| f["testStepResult"]["status"].as_str().unwrap().to_owned())
                .unwrap();
            let attached = of(messages, "attachment")
                .into_iter()
                .filter(in_step)
                .map(|a| a["body"].as_str().unwrap().to_owned())
                .collect();
            (what, status, attached)
        })
        .collect()
}

fn take_hooks_ran() -> Vec<String> {
    std::mem::take(&mut *steps::HOOKS_RAN.lock().unwrap_or_else(|p| p.into_inner()))
}

#[test]
fn hooks_run_around_each_case_as_test_steps_and_their_failures_fail_it() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    take_hooks_ran();
    let run = run_serialised(&fixture("hooks"), &["--concurrency", "1"]);
    assert_eq!(
        take_hooks_ran(),
        [
            "set up the run",
            "open the account",
            "close the account",
            "open the account",
            "refuse",
            "close the account",
            // After hooks run last registered first.
            "open the account",
            "break",
            "close the account",
            "tear down the run",
        ]
    );
    let outcome: Vec<(Status, Option<String>)> = run
        .record
        .executions
        .iter()
        .map(|e| {
            (
                e.status,
                e.failure
                    .as_ref()
                    .map(|f| format!("{}: {}", f.step, f.error)),
            )
        })
        .collect();
    assert_eq!(outcome[0], (Status::Passed, None));
    assert_eq!(outcome[1].0, Status::Failed);
    let before = outcome[1].1.as_deref().unwrap();
    assert!(
        before.starts_with("Before hook: Before hook at "),
        "{before}"
    );
    assert!(before.ends_with(": the Before hook refuses"), "{before}");
    assert_eq!(
        outcome[2],
        (
            Status::Failed,
            Some("After hook: After hook `break`: the After hook breaks".to_owned())
        )
    );
    assert!(!run.passed);

    let messages = messages(&run);
    let step = |what: &str, status: &str, attached: &[&str]| {
        (
            what.to_owned(),
            status.to_owned(),
            attached.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>(),
        )
    };
    let opened = ["the account is open"];
    assert_eq!(
        test_steps(&messages, "The hooks pass and log"),
        [
            step("open the account", "PASSED", &opened),
            step("step", "PASSED", &[]),
            step("step", "PASSED", &[]),
            step("unnamed", "PASSED", &[]),
        ]
    );
    assert_eq!(
        test_steps(&messages, "A Before hook fails"),
        [
            step("open the account", "PASSED", &opened),
            step("unnamed", "FAILED", &[]),
            step("unnamed", "SKIPPED", &[]),
            step("step", "SKIPPED", &[]),
            step("step", "SKIPPED", &[]),
            step("unnamed", "PASSED", &[]),
        ]
    );
    assert_eq!(
        test_steps(&messages, "An After hook fails"),
        [
            step("open the account", "PASSED", &opened),
            step("step", "PASSED", &[]),
            step("step", "PASSED", &[]),
            step("break", "FAILED", &[]),
            step("unnamed", "PASSED", &[]),
        ]
    );
    let run_hooks: Vec<&str> = of(&messages, "testRunHookFinished")
        .iter()
        .map(|f| f["result"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(run_hooks, ["PASSED", "PASSED"]);
    let torn_down = of(&messages, "attachment")
        .into_iter()
        .find(|a| a["body"] == "torn down")
        .unwrap();
    assert!(torn_down.get("testRunHookStartedId").is_some());
    assert_eq!(of(&messages, "testRunFinished")[0]["success"], false);
}

#[test]
fn a_failing_before_all_hook_runs_no_case_and_fails_the_run() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    take_hooks_ran();
    steps::FAIL_BEFORE_ALL.store(true, Ordering::SeqCst);
    let run = run_serialised(&fixture("hooks"), &[]);
    steps::FAIL_BEFORE_ALL.store(false, Ordering::SeqCst);
    // The AfterAll hooks still run, to clean up.
    assert_eq!(take_hooks_ran(), ["set up the run", "tear down the run"]);
    assert!(!run.passed);
    let failures = &run.record.run_hook_failures;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].hook, "BeforeAll hook `set up the run`");
    assert_eq!(failures[0].error, "the BeforeAll hook fails on purpose");
    assert!(
        run.record
            .executions
            .iter()
            .all(|e| e.status == Status::Skipped && e.attempts == 0)
    );
    let messages = messages(&run);
    assert!(of(&messages, "testCase").is_empty());
    assert_eq!(of(&messages, "pickle").len(), 3);
    assert_eq!(of(&messages, "testRunFinished")[0]["success"], false);
    // The reports people read say so too.
    let read = |name: &str| std::fs::read_to_string(run.report_dir.path().join(name)).unwrap();
    let summary = read("summary.md");
    assert!(summary.starts_with("## ❌"), "{summary}");
    assert!(
        summary.contains("### Run hooks that failed\n\n- BeforeAll hook \\`set up the run\\`: the BeforeAll hook fails on purpose\n"),
        "{summary}"
    );
    let html = read("report.html");
    assert!(
        html.contains("<h3>BeforeAll hook `set up the run`</h3>\n<pre class=\"error\">the BeforeAll hook fails on purpose</pre>"),
        "the failures section of report.html names the hook"
    );
    let junit = read("junit.xml");
    assert!(
        junit.contains("<testsuite name=\"run hooks\" tests=\"1\" failures=\"1\""),
        "{junit}"
    );
    assert!(
        junit.contains("<testcase name=\"BeforeAll hook `set up the run`\" classname=\"run hooks\" time=\"0.000\">\n      <failure message=\"the BeforeAll hook fails on purpose\" type=\"hook\">the BeforeAll hook fails on purpose</failure>"),
        "{junit}"
    );
}

#[test]
fn order_reverse_runs_the_last_case_first() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    take_hooks_ran();
    run_serialised(
        &fixture("hooks"),
        &["--order", "reverse", "--concurrency", "1"],
    );
    let opened_then: Vec<String> = take_hooks_ran()
        .windows(2)
        .filter(|pair| pair[0] == "open the account")
        .map(|pair| pair[1].clone())
        .collect();
    assert_eq!(opened_then, ["break", "refuse", "close the account"]);
    assert!(Args::try_parse_from(["specs", "--order", "random"]).is_err());
}

/// Runs git in `dir` as a fixed author, whatever the machine's configuration.
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[test]
fn since_runs_what_the_change_can_break_and_reports_the_rest_as_skipped() {
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    std::fs::write(root.join("casebook.toml"), "").unwrap();
    std::fs::write(root.join("requirements.toml"), "[API-1]\ntitle = \"The catalogue answers\"\nrisk = \"normal\"\n\n[API-2]\ntitle = \"Unknown pages are not found\"\nrisk = \"normal\"\n").unwrap();
    std::fs::create_dir(root.join("features")).unwrap();
    let feature = "Feature: The shop's API\n\n  @HTTP-1 @req:API-1\n  Scenario: The catalogue answers\n    \
        When I send a GET request to \"/api/products\"\n    Then the response status should be 200\n\n  \
        @HTTP-2 @req:API-2\n  Scenario: An unknown page is not found\n    \
        When I send a GET request to \"/nowhere\"\n    Then the response status should be 404\n";
    std::fs::write(root.join("features/api.feature"), feature).unwrap();
    git(root, &["init", "--quiet"]);
    git(root, &["add", "."]);
    git(root, &["commit", "--quiet", "-m", "the API cases"]);
    let changed = feature.replace("\"/nowhere\"", "\"/nowhere/at/all\"");
    std::fs::write(root.join("features/api.feature"), changed).unwrap();

    let run = run(root, &["--since", "HEAD"]);
    assert!(run.passed);
    let impact = run
        .record
        .selection
        .impact
        .as_ref()
        .expect("the record names the change");
    assert_eq!(impact.since, "HEAD");
    assert!(impact.whole_suite.is_empty(), "{impact:?}");
    let [first, second] = &run.record.executions[..] else {
        panic!("both cases are in the record: {:?}", run.record.executions);
    };
    assert_eq!(
        (first.status, first.skipped_by_impact),
        (Status::Skipped, true)
    );
    assert_eq!(
        (second.status, second.skipped_by_impact),
        (Status::Passed, false)
    );
    assert_eq!(run.record.counts.skipped_by_impact, 1);

    let junit = std::fs::read_to_string(run.report_dir.path().join("junit.xml")).unwrap();
    assert!(
        junit.contains("skipped by impact selection: the change since HEAD"),
        "{junit}"
    );
    let summary = std::fs::read_to_string(run.report_dir.path().join("summary.md")).unwrap();
    assert!(
        summary.contains("| Impact selection | since HEAD ("),
        "{summary}"
    );
    assert!(
        summary.contains("| HTTP-1 | The catalogue answers | ")
            && summary.contains("features/api.feature:4 |"),
        "{summary}"
    );
    // The requirement of the skipped case is not run in this run, never passing.
    assert!(
        summary.contains("| API-1 | The catalogue answers | normal | not run |"),
        "{summary}"
    );
    assert!(
        summary.contains("| API-2 | Unknown pages are not found | normal | passing |"),
        "{summary}"
    );
}
