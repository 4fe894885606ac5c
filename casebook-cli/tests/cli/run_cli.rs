//! `casebook run`: API cases with the built-in steps and no Rust, against the demo shop
//! served on loopback, and its refusals.

use crate::support::{casebook, workspace_root};

/// The runner tests' HTTP fixture, which `casebook run` needs no Rust for.
fn http_fixture() -> std::path::PathBuf {
    workspace_root().join("tests/fixtures/runner/http")
}

/// `casebook run` of the HTTP fixture against `base_url`, reports into `report_dir`.
fn run_http_fixture(base_url: &str, report_dir: &str) -> crate::support::Output {
    casebook(
        &http_fixture(),
        &["run", "--base-url", base_url, "--report-dir", report_dir],
    )
}

#[test]
fn runs_api_cases_with_the_built_in_steps() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(demo_shop::Shop::start()).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let output = run_http_fixture(shop.base_url(), &report_dir);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(
        output.stdout.contains("1 passed, 0 failed"),
        "{}",
        output.stdout
    );
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(record["executions"][0]["status"], "passed");
    assert_eq!(record["executions"][0]["case_id"], "HTTP-1");
    assert!(reports.path().join("steps.json").is_file());
    drop(shop);

    // `casebook report` renders the summary again from the record, running nothing.
    std::fs::remove_file(reports.path().join("summary.md")).unwrap();
    let again = casebook(&http_fixture(), &["report", "--report-dir", &report_dir]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let summary = std::fs::read_to_string(reports.path().join("summary.md")).unwrap();
    assert!(
        summary.starts_with("## ✅ casebook: 1 passed, 0 failed"),
        "{summary}"
    );
}

#[test]
fn a_dry_run_records_and_lints_but_leaves_no_report_of_an_earlier_run() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(demo_shop::Shop::start()).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let rendered = ["report.html", "junit.xml", "cucumber.json", "summary.md"];
    let full = run_http_fixture(shop.base_url(), &report_dir);
    assert_eq!(full.code, 0, "{}{}", full.stdout, full.stderr);
    for name in rendered.iter().chain(&["messages.ndjson"]) {
        assert!(reports.path().join(name).is_file(), "{name} after a run");
    }

    let dry = casebook(
        &http_fixture(),
        &["run", "--dry-run", "--report-dir", &report_dir],
    );
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    for name in rendered.iter().chain(&["messages.ndjson"]) {
        assert!(
            !reports.path().join(name).exists(),
            "{name} after a dry run"
        );
    }
    for name in ["run.json", "lint.json", "steps.json"] {
        assert!(
            reports.path().join(name).is_file(),
            "{name} after a dry run"
        );
    }
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(record["selection"]["dry_run"], true);
    assert_eq!(record["executions"][0]["status"], "skipped");

    // The reports of the dry run's record, on demand.
    let report = casebook(&http_fixture(), &["report", "--report-dir", &report_dir]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    for name in rendered {
        assert!(
            reports.path().join(name).is_file(),
            "{name} after casebook report"
        );
    }
    let summary = std::fs::read_to_string(reports.path().join("summary.md")).unwrap();
    assert!(summary.contains("1 skipped"), "{summary}");
}

#[test]
fn a_run_without_a_service_is_refused_but_a_dry_run_needs_none() {
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let refused = casebook(&http_fixture(), &["run", "--report-dir", &report_dir]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(
            "no service to test\n(hint: set --base-url, CASEBOOK_BASE_URL or `run.base-url`"
        ),
        "{}",
        refused.stderr
    );
    let dry = casebook(
        &http_fixture(),
        &["run", "--dry-run", "--report-dir", &report_dir],
    );
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    assert!(
        dry.stdout.contains("dry run: nothing executed"),
        "{}",
        dry.stdout
    );
}

#[test]
fn a_run_that_selects_no_case_says_so_and_fails_when_strict() {
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let args = [
        "run",
        "--dry-run",
        "--tags",
        "@no-such-tag",
        "--report-dir",
        &report_dir,
    ];
    let lenient = casebook(&http_fixture(), &args);
    assert_eq!(lenient.code, 0, "{}{}", lenient.stdout, lenient.stderr);
    assert!(
        lenient
            .stdout
            .contains("warning: the run selected no case (1 case in the suite, 0 manual)"),
        "{}",
        lenient.stdout
    );

    let strict = casebook(&http_fixture(), &[&args[..], &["--strict"]].concat());
    assert_eq!(strict.code, 1, "{}{}", strict.stdout, strict.stderr);
    assert!(
        strict
            .stdout
            .contains("error: the run selected no case, which fails a strict run"),
        "{}",
        strict.stdout
    );
}
