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

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    // `cargo bench` passes `--bench`; keep only the numbers.
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let features = numbers.first().copied().unwrap_or(500);
    let per_feature = numbers.get(1).copied().unwrap_or(20);
    let runs = numbers.get(2).copied().unwrap_or(10);

    let dir = tempfile::tempdir().expect("a temporary directory");
    write_project(dir.path(), features, per_feature);
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

/// Writes `casebook.toml`-less project: `features/` and `requirements.toml`.
fn write_project(dir: &Path, features: usize, per_feature: usize) {
    let areas = ["PAY", "AUTH", "ACC", "ACL", "CART", "SHIP"];
    let mut catalog = String::new();
    for area in areas {
        writeln!(
            catalog,
            "[{area}]\ntitle = \"{area} epic\"\nrisk = \"high\"\n"
        )
        .unwrap();
        for story in 1..=9 {
            let risk = ["critical", "high", "normal", "low"][story % 4];
            writeln!(catalog, "[{area}-{story}]\ntitle = \"{area} story {story}\"\nrisk = \"{risk}\"\nparent = \"{area}\"\n")
                .unwrap();
        }
    }
    std::fs::write(dir.join("requirements.toml"), catalog).unwrap();

    let features_dir = dir.join("features");
    std::fs::create_dir_all(&features_dir).unwrap();
    for f in 0..features {
        let area = areas[f % areas.len()];
        let mut text = format!(
            "@req:{area}\nFeature: Area {area} number {f}\n  Cases of feature {f}, generated for the benchmark.\n\n  Background:\n    Given the service is up\n\n  Rule: Rule of feature {f}\n\n"
        );
        for c in 0..per_feature {
            let story = (f + c) % 9 + 1;
            let id = format!("{area}-F{f}-{c}");
            if c % 5 == 4 {
                write!(
                    text,
                    "    @{id} @req:{area}-{story}\n    Scenario Outline: Case {c} of feature {f} reads <path>\n      When I send a GET request to \"<path>\"\n      Then the response status should be <status>\n\n      Examples:\n        | path        | status |\n        | /items/{c}  | 200    |\n        | /missing/{c} | 404   |\n\n"
                )
                .unwrap();
            } else {
                write!(
                    text,
                    "    @{id} @req:{area}-{story}\n    Scenario: Case {c} of feature {f}\n      Given I set the request header \"Accept\" to \"application/json\"\n      When I send a GET request to \"/items/{c}\"\n      Then the response status should be 200\n      And the response JSON should contain:\n        | path   | value |\n        | $.id   | {c}   |\n\n"
                )
                .unwrap();
            }
        }
        std::fs::write(features_dir.join(format!("feature_{f:04}.feature")), text).unwrap();
    }
}
