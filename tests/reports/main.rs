//! The reports of one real run: the harness runs `tests/fixtures/reports/every-outcome`
//! in-process against the demo shop and headless Chromium, once per test process, and each
//! test reads the files it wrote.
//!
//! The run is `--concurrency 1 --fail-fast --retry 1`, so it ends in every outcome: the
//! first file passes, retries a flaky case and meets an unbound, an ambiguous and a manual
//! case; the second fails (with an HTTP exchange and a screenshot); the third is never
//! reached, so its case is skipped.
//!
//! The screenshot needs headless Chromium: on a machine without it every test here is
//! skipped, and says so (see [`browser`]).

/// Returns from the test when this machine cannot drive headless Chromium, which the
/// fixture run needs (see [`browser::available`]).
macro_rules! require_browser {
    () => {
        if !crate::browser::available() {
            return;
        }
    };
}

mod browser;
mod cucumber_json;
mod html;
mod junit;
mod messages;
mod steps;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use casebook::harness::{Args, Harness};
use casebook::record::{RunRecord, Status};
use clap::Parser as _;

/// What the run wrote.
pub(crate) struct Run {
    pub(crate) record: RunRecord,
    dir: tempfile::TempDir,
}

impl Run {
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// A report with what varies from run to run replaced: timestamps, durations, the loopback
/// port, the report directory, dates in HTTP headers.
fn normalize(report: &str) -> String {
    let replacements = [
        (
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
            "[timestamp]",
        ),
        (r#"time="[0-9.]+""#, r#"time="[seconds]""#),
        (r"\(\d+ ms\)", "([n] ms)"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"(?m)^(\s*)date: .*$", "${1}date: [date]"),
    ];
    let dir = RUN.dir.path().display().to_string();
    let mut text = report.replace(&dir, "[report-dir]");
    for (pattern, with) in replacements {
        text = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&text, with)
            .into_owned();
    }
    text
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports/every-outcome")
}

pub(crate) static RUN: LazyLock<Run> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let report_dir = dir.path().display().to_string();
    let argv = [
        "specs",
        "--report-dir",
        &report_dir,
        "--concurrency",
        "1",
        "--fail-fast",
        "--retry",
        "1",
        "--release",
        "1.0.0-fixture",
    ];
    let args = Args::try_parse_from(argv).expect("the flags parse");
    let passed = Harness::new()
        .ci(false)
        .root(fixture())
        .default_service(|| async {
            let shop = demo_shop::Shop::start().await?;
            Ok((shop.base_url().to_owned(), shop))
        })
        .run_with(args)
        .expect("the run completes");
    assert!(!passed, "the fixture run fails");
    let text = std::fs::read_to_string(dir.path().join("run.json")).expect("run.json");
    Run {
        record: serde_json::from_str(&text).expect("run.json parses"),
        dir,
    }
});

#[test]
fn the_fixture_run_ends_in_every_outcome() {
    require_browser!();
    let outcomes: Vec<(Option<&str>, Status)> = RUN
        .record
        .executions
        .iter()
        .map(|e| (e.case_id.as_deref(), e.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Some("RPT-001"), Status::Passed),
            (Some("RPT-002"), Status::Passed),
            (Some("RPT-003"), Status::Flaky),
            (Some("RPT-004"), Status::Unbound),
            (Some("RPT-005"), Status::Ambiguous),
            (Some("RPT-010"), Status::Passed),
            (Some("RPT-010"), Status::Failed),
            (Some("RPT-020"), Status::Skipped),
        ]
    );
    let failed = &RUN.record.executions[6];
    let failure = failed.failure.as_ref().expect("the failure is recorded");
    assert!(failure.exchange.is_some(), "the last HTTP exchange is kept");
    assert!(
        failed
            .attachments
            .iter()
            .any(|a| a.media_type == "image/png"),
        "a screenshot is attached: {:?}",
        failed.attachments
    );
}

#[test]
fn summary_md_of_the_fixture_run() {
    require_browser!();
    insta::assert_snapshot!("summary", normalize(&RUN.read("summary.md")));
}
