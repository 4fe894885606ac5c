//! Fuzzing on the stable toolchain: each reader of outside text (the Gherkin parser,
//! casebook's parse stage, `casebook.toml`, `requirements.toml`, the manual results and the
//! CSV checklist import) is fed generated inputs, and [`checks`] says what must hold.
//!
//! A plain `cargo test` tries [`QUICK_CASES`] inputs per target; `CASEBOOK_FUZZ_CASES`
//! sets another count, for the long run `docs/fuzzing.md` describes. Inputs start from seed
//! files of the repository ([`mutate`] says how they are changed). A failure is shrunk by
//! proptest and shown; its input belongs in a regression test next to the code it broke.

mod checks;
mod mutate;

use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use proptest::test_runner::{Config, TestRunner};

/// Inputs per target in a plain `cargo test`: enough to catch a reader that breaks on
/// ordinary damage, few enough to keep the suite quick.
const QUICK_CASES: u32 = 256;

/// What a target checks of one input: whether it read, or a panic.
type Check = fn(&str) -> bool;

/// The seeds of the targets other than the parsers', relative to the repository: its own
/// files, and samples that use every key and column.
const CONFIG_SEEDS: &[&str] = &["casebook.toml", "tests/fuzz/seeds/casebook.toml"];
const CATALOG_SEEDS: &[&str] = &["requirements.toml", "tests/fuzz/seeds/requirements.toml"];
const RESULTS_SEEDS: &[&str] = &["tests/fuzz/seeds/results.toml"];
const CHECKLIST_SEEDS: &[&str] = &[
    "tests/fuzz/seeds/checklist.csv",
    "tests/fuzz/seeds/checklist-semicolons.csv",
];

/// The words of Gherkin: keywords (English and French), tags, tables, doc strings,
/// comments and a language header, good and bad.
#[rustfmt::skip]
const GHERKIN_WORDS: &[&str] = &[
    "Feature:", "Scenario:", "Scenario Outline:", "Scenario Template:", "Example:",
    "Examples:", "Scenarios:", "Background:", "Rule:", "Given ", "When ", "Then ", "And ",
    "But ", "* ", "@", "@tag", "@req:PAY-7", "@SHOP-1", "@manual", "@ bad tag", "|", "| a |",
    "| a | b |", "\\|", "\\n", "\\", "\"\"\"", "```", "~~~", "# ", "# language: fr",
    "# language: xx", "#language:no", "Fonctionnalité:", "Scénario:", "Soit ", "Exemples:",
    "<name>", "<", ">", "  ", "\n", ":", "- ", "## ", "    ",
];

/// The words of `casebook.toml`: its tables and keys, and values good and bad.
#[rustfmt::skip]
const CONFIG_WORDS: &[&str] = &[
    "[tags]", "[run]", "[report]", "[impact]", "[lint]", "[lint.rules]", "features = ",
    "case-id = ", "requirement = ", "manual = ", "automation = ", "timeout = ",
    "max-body = ", "browsers = ", "junit = ", "always = ", "ignore = ", "max-steps = ",
    "redact-fields = ", "redact-headers = ", "chromedriver = ", "'('", "'(a)(b)'", "'.*'",
    "\"10s\"", "\"1m 30s\"", "\"forever\"", "\"0 B\"", "\"8 MiB\"", "\"surefire\"",
    "\"@a and\"", "[\"[\"]", "[\"**/*.md\"]", "= \"error\"", "= \"loud\"", "=", "\"", "'",
    "'''", "\"\"\"", "[", "]", "{", "}", ",", "0", "-1", "18446744073709551616", "true",
    "1979-05-27T07:32:00Z", "\n",
];

/// The words of `requirements.toml`.
#[rustfmt::skip]
const CATALOG_WORDS: &[&str] = &[
    "[PAY-7]", "[PAY]", "[[PAY]]", "[\"é\"]", "[a.b]", "title = ", "risk = ", "link = ",
    "owner = ", "parent = ", "\"critical\"", "\"high\"", "\"normal\"", "\"low\"",
    "\"severe\"", "\"PAY\"", "\"PAY-7\"", "\"\"", "=", "\"", "'", "'''", "[", "]", "{", "}",
    ",", "1", "true", "\n",
];

/// The words of a manual results file, times at the edges of what reads included.
#[rustfmt::skip]
const RESULTS_WORDS: &[&str] = &[
    "[[result]]", "[result]", "format-version = ", "release = ", "case = ", "row = ",
    "status = ", "actual = ", "defect = ", "tester = ", "at = ", "case-hash = ", "1", "2",
    "0", "-1", "\"passed\"", "\"failed\"", "\"blocked\"", "\"skipped\"", "\"1.0\"",
    "\"1.0\\n\"", "\"2024-05-01T09:30:00Z\"", "\"1970-01-01T00:00:00+01:00\"",
    "\"9999-12-31T23:59:59-01:00\"", "\"2024-05-01 09:30\"", "\"2024-05-01\"", "+23:59",
    "-23:59", "\"sha256:", "0123456789abcdef", "\"\"", "=", "\"", "'", "'''", "\"\"\"", "[",
    "]", "\n",
];

/// The words of a filled CSV checklist, times at the edges of what reads included.
#[rustfmt::skip]
const CHECKLIST_WORDS: &[&str] = &[
    ",", ";", "\"", "\"\"", "\n", "\r\n", "case", "status", "row", "at", "case-hash",
    "actual", "defect", "tester", "SHOP-1", "SHOP-2", "SHOP-3", "SHOP-9", "passed", "FAILED",
    "blocked", "fine", "0", "1", "2", "3", "-1", "2024-05-01T09:30:00Z", "2024-05-01",
    "1970-01-01T00:00:00+01:00", "1970-01-01 00:00+00:01", "9999-12-31T23:59:59-01:00",
    "9999-12-31", "+23:59", "-23:59", "sha256:", "0123456789abcdef", "'=SUM(1;2)", "=cmd",
];

#[test]
fn the_gherkin_parser_never_panics_and_places_its_errors_in_the_text() {
    let seeds = gherkin_seeds();
    fuzz("gherkin", seeds, GHERKIN_WORDS, checks::gherkin);
}

#[test]
fn the_parse_stage_never_panics_and_places_its_errors_in_the_text() {
    let seeds = gherkin_seeds();
    fuzz("feature", seeds, GHERKIN_WORDS, checks::feature);
}

#[test]
fn the_config_never_panics_and_places_its_errors_in_the_text() {
    let seeds = read(CONFIG_SEEDS);
    fuzz("config", seeds, CONFIG_WORDS, checks::config);
}

#[test]
fn the_catalog_never_panics_and_places_its_problems_in_the_text() {
    let seeds = read(CATALOG_SEEDS);
    fuzz("catalog", seeds, CATALOG_WORDS, checks::catalog);
}

#[test]
fn manual_results_never_panic_and_read_back_as_written() {
    let seeds = read(RESULTS_SEEDS);
    fuzz("results", seeds, RESULTS_WORDS, checks::results);
}

#[test]
fn the_checklist_import_never_panics_and_names_lines_of_the_sheet() {
    let seeds = read(CHECKLIST_SEEDS);
    fuzz("checklist", seeds, CHECKLIST_WORDS, checks::checklist);
}

#[test]
fn every_seed_reads() {
    let targets: [(&[&str], Check); 4] = [
        (CONFIG_SEEDS, checks::config),
        (CATALOG_SEEDS, checks::catalog),
        (RESULTS_SEEDS, checks::results),
        (CHECKLIST_SEEDS, checks::checklist),
    ];
    for (paths, check) in targets {
        for (path, text) in paths.iter().zip(read(paths)) {
            assert!(check(&text), "{path} does not read");
        }
    }
}

/// Feeds `check` the inputs of [`mutate::input`] and fails with the smallest input that
/// breaks it; prints how many inputs it ran, how many of them read, and how long it took.
fn fuzz(target: &str, seeds: Vec<String>, words: &'static [&'static str], check: Check) {
    let cases = cases();
    let config = Config {
        cases,
        // A failure becomes a regression test next to the code, not a file of proptest's.
        failure_persistence: None,
        ..Config::default()
    };
    let strategy = mutate::input(Arc::new(seeds), words);
    // Counted as run: a failure stops the run early, and its shrinking runs inputs too.
    let (tried, read) = (Cell::new(0u64), Cell::new(0u64));
    let started = Instant::now();
    let result = TestRunner::new(config).run(&strategy, |text| {
        tried.set(tried.get() + 1);
        read.set(read.get() + u64::from(check(&text)));
        Ok(())
    });
    eprintln!(
        "fuzz {target}: {} inputs, {} read without an error, in {:.1?}",
        tried.get(),
        read.get(),
        started.elapsed()
    );
    if let Err(err) = result {
        panic!("fuzz {target}: {err}");
    }
}

/// Inputs per target: `CASEBOOK_FUZZ_CASES`, or [`QUICK_CASES`].
fn cases() -> u32 {
    match std::env::var("CASEBOOK_FUZZ_CASES") {
        Ok(count) => count
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CASEBOOK_FUZZ_CASES=`{count}` is not a count")),
        Err(_) => QUICK_CASES,
    }
}

/// The official Gherkin test data, good and bad, and this repository's own features.
fn gherkin_seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "casebook-gherkin/tests/testdata/good",
        "casebook-gherkin/tests/testdata/bad",
        "features",
        "tests/fuzz/seeds",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if name.ends_with(".feature") || name.ends_with(".feature.md") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "the Gherkin seeds are missing");
    files
        .iter()
        .map(|file| std::fs::read_to_string(file).unwrap())
        .collect()
}

/// The seed files at `paths`, relative to the repository.
fn read(paths: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    paths
        .iter()
        .map(|path| std::fs::read_to_string(root.join(path)).unwrap())
        .collect()
}
