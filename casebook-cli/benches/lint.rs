//! Benchmark: `casebook lint --format json` on a generated suite of 10,000 cases.
//!
//! `cargo bench --bench lint` builds the release binary, writes a deterministic project of
//! 500 feature files × 20 cases (plain scenarios and outlines, Backgrounds, Rules, data
//! tables, case IDs and requirement tags, a 60-requirement catalog with a hierarchy) into a
//! temporary directory, and times the whole command, process start included, over several
//! runs. It prints the median, the fastest and the slowest run, and the count line of the
//! lint so that a broken corpus cannot pass for a fast one.
//!
//! Options: `cargo bench --bench lint -- [FEATURES] [CASES_PER_FEATURE] [RUNS]`.

use std::process::Command;
use std::time::{Duration, Instant};

#[path = "corpus.rs"]
mod corpus;

fn main() {
    let (features, per_feature, runs) = corpus::size(10);

    let dir = tempfile::tempdir().expect("a temporary directory");
    corpus::write_project(dir.path(), features, per_feature);
    let binary = env!("CARGO_BIN_EXE_casebook");

    let mut times = Vec::new();
    let mut summary = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(binary)
            .args(["lint", "--format", "json"])
            .current_dir(dir.path())
            .output()
            .expect("casebook runs");
        times.push(start.elapsed());
        assert!(
            output.status.code().is_some_and(|code| code <= 1),
            "lint failed: {output:?}"
        );
        summary = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("casebook lint --format json, {features} files x {per_feature} cases, {runs} runs");
    println!("  {summary}");
    println!(
        "  wall ms: median {:.1}, min {:.1}, max {:.1}",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}
