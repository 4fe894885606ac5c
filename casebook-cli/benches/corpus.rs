//! The generated project both benchmarks read: N feature files × M cases, deterministic,
//! written with the built-in HTTP steps against the demo shop's `/health` and
//! `/api/products`, so that the same project lints and runs.
//!
//! It has what a real suite has: a requirement catalog with a hierarchy, Backgrounds,
//! Rules, outlines, data tables, case IDs and requirement tags. One case in 500 expects the
//! wrong status (a failure with an HTTP transcript) and one in 250 has a step no definition
//! matches (a spec without a script), so reports show every section at scale.

use std::fmt::Write as _;
use std::path::Path;

/// Writes `features/` and `requirements.toml` into `dir`.
pub fn write_project(dir: &Path, features: usize, per_feature: usize) {
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
    let mut n = 0;
    for f in 0..features {
        let area = areas[f % areas.len()];
        let mut text = format!(
            "@req:{area}\nFeature: Area {area} number {f}\n  Cases of feature {f}, generated for the benchmark.\n\n  Background:\n    Given the service is up\n\n  Rule: Rule of feature {f}\n\n"
        );
        for c in 0..per_feature {
            n += 1;
            let story = (f + c) % 9 + 1;
            let id = format!("{area}-F{f}-{c}");
            if c % 5 == 4 {
                write!(
                    text,
                    "    @{id} @req:{area}-{story}\n    Scenario Outline: Case {c} of feature {f} reads <path>\n      When I send a GET request to \"<path>\"\n      Then the response status should be <status>\n\n      Examples:\n        | path          | status |\n        | /health       | 200    |\n        | /missing/{c}  | 404    |\n\n"
                )
                .unwrap();
            } else {
                let status = if n % 500 == 1 { 418 } else { 200 };
                let unbound = if n % 250 == 7 {
                    "      And the shop's stock is counted by hand\n"
                } else {
                    ""
                };
                write!(
                    text,
                    "    @{id} @req:{area}-{story}\n    Scenario: Case {c} of feature {f}\n      Given I set the request header \"Accept\" to \"application/json\"\n      When I send a GET request to \"/health\"\n      Then the response status should be {status}\n{unbound}      And the response JSON should contain:\n        | path     | value |\n        | $.status | ok    |\n\n"
                )
                .unwrap();
            }
        }
        std::fs::write(features_dir.join(format!("feature_{f:04}.feature")), text).unwrap();
    }
}

/// The benchmark's size from its command line: `[FEATURES] [CASES_PER_FEATURE] [RUNS]`
/// (`cargo bench` passes `--bench`; only the numbers count), each with its default.
pub fn size(runs: usize) -> (usize, usize, usize) {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    (
        numbers.first().copied().unwrap_or(500),
        numbers.get(1).copied().unwrap_or(20),
        numbers.get(2).copied().unwrap_or(runs),
    )
}
