//! Parsing speed: casebook-gherkin against the `gherkin` crate (0.16, what cucumber-rs uses).
//!
//! `cargo bench -p casebook-gherkin --bench parse [-- RUNS] [NAME...]` (names select parsers,
//! for profiling one of them).
//!
//! The corpus is generated here, deterministically: 500 feature files of 20 executable
//! scenarios each (10,000 pickles), shaped like the project's benchmark corpus
//! (`bench/gen.py`): tagged features, half of them with a background, tagged scenarios of
//! HTTP API checks, some with a data table or a JSON doc string, and scenario outlines with
//! two to four examples rows. Each run parses every file; the table shows the median and
//! the fastest of the runs, and the ratio of each median to the `gherkin` crate's.

use std::hint::black_box;
use std::time::{Duration, Instant};

use casebook_gherkin::{IncrementingIds, compile, parse};

const FEATURES: usize = 500;
const SCENARIOS_PER_FEATURE: usize = 20;
const ITEMS: u64 = 1000;
const USERS: u64 = 200;
const CATEGORIES: [&str; 8] = [
    "books", "tools", "garden", "toys", "music", "food", "sport", "office",
];
const DEFAULT_RUNS: usize = 15;

/// SplitMix64: a small deterministic generator, so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
}

struct Item {
    category: &'static str,
    stock: u64,
    tags: u64,
    owner: u64,
}

fn item(i: u64) -> Item {
    Item {
        category: CATEGORIES[(i % 8) as usize],
        stock: (i * 13) % 97,
        tags: 1 + i % 4,
        owner: (i * 7) % USERS + 1,
    }
}

/// A scenario's steps: each a line, maybe followed by a table or doc string.
type Steps = Vec<String>;

struct Generator {
    rng: Rng,
    case: usize,
}

impl Generator {
    fn item_scenario(&mut self) -> (String, Steps) {
        let i = self.rng.range(1, ITEMS);
        let it = item(i);
        let mut steps = vec![
            format!("When I send a GET request to \"/items/{i}\""),
            "Then the response status should be 200".to_owned(),
        ];
        let checks = [
            "And the response header \"content-type\" should contain \"json\"".to_owned(),
            format!("And the response JSON at \"$.id\" should be {i}"),
            format!("And the response JSON at \"$.name\" should be \"item-{i}\""),
            format!(
                "And the response JSON at \"$.tags\" should have {} items",
                it.tags
            ),
            format!(
                "And the response JSON at \"$.owner.login\" should be \"user-{}\"",
                it.owner
            ),
            format!(
                "And the response JSON at \"$.category\" should be \"{}\"",
                it.category
            ),
            format!(
                "And the response JSON at \"$.stock\" should be {}",
                it.stock
            ),
        ];
        let count = self.rng.range(2, 5) as usize;
        let start = self.rng.range(0, checks.len() as u64 - 1) as usize;
        for k in 0..count {
            steps.push(checks[(start + k) % checks.len()].clone());
        }
        (format!("fetch item {i}"), steps)
    }

    fn user_table_scenario(&mut self) -> (String, Steps) {
        let u = self.rng.range(1, USERS);
        let rows = [
            ("$.login", format!("user-{u}")),
            ("$.id", u.to_string()),
            ("$.name", format!("User {u}")),
            ("$.roles[0]", "reader".to_owned()),
        ];
        let rows = &rows[..self.rng.range(2, 4) as usize];
        let mut table = "      | path       | value      |".to_owned();
        for (path, value) in rows {
            table.push_str(&format!("\n      | {path:<10} | {value:<10} |"));
        }
        let mut steps = vec![
            format!("When I send a GET request to \"/users/user-{u}\""),
            "Then the response status should be 200".to_owned(),
            format!("And the response JSON should contain:\n{table}"),
        ];
        if self.rng.chance(0.5) {
            steps.push(format!(
                "And the response JSON at \"$.roles\" should have {} items",
                1 + u % 4
            ));
        }
        (format!("user {u} profile fields"), steps)
    }

    fn doc_string_scenario(&mut self) -> (String, Steps) {
        let i = self.rng.range(1, ITEMS);
        let it = item(i);
        let fields = [
            format!("\"id\": {i}"),
            format!("\"category\": \"{}\"", it.category),
            format!("\"stock\": {}", it.stock),
            format!(
                "\"owner\": {{\n          \"login\": \"user-{0}\",\n          \"name\": \"User {0}\"\n        }}",
                it.owner
            ),
        ];
        let fields = &fields[..self.rng.range(2, 4) as usize];
        let body = fields
            .iter()
            .map(|field| format!("        {field}"))
            .collect::<Vec<_>>()
            .join(",\n");
        let doc = format!("      \"\"\"\n      {{\n{body}\n      }}\n      \"\"\"");
        let steps = vec![
            format!("When I send a GET request to \"/items/{i}\""),
            "Then the response status should be 200".to_owned(),
            format!("And the response JSON should include:\n{doc}"),
        ];
        (format!("item {i} document subset"), steps)
    }

    fn missing_scenario(&mut self) -> (String, Steps) {
        let i = ITEMS + self.rng.range(1, 100_000);
        let steps = vec![
            format!("When I send a GET request to \"/items/{i}\""),
            "Then the response status should be 404".to_owned(),
            "And the response body should contain \"Not Found\"".to_owned(),
        ];
        (format!("missing item {i}"), steps)
    }

    fn chain_scenario(&mut self) -> (String, Steps) {
        let i = self.rng.range(1, ITEMS);
        let owner = item(i).owner;
        let steps = vec![
            format!("When I send a GET request to \"/items/{i}\""),
            "Then the response status should be 200".to_owned(),
            format!("And the response JSON at \"$.owner.login\" should be \"user-{owner}\""),
            format!("When I send a GET request to \"/users/user-{owner}\""),
            "Then the response status should be 200".to_owned(),
            format!("And the response JSON at \"$.name\" should be \"User {owner}\""),
        ];
        (format!("item {i} owner chain"), steps)
    }

    fn tags(&mut self) -> String {
        self.case += 1;
        let mut tags = format!("@BENCH-{:05}", self.case);
        if self.rng.chance(0.6) {
            tags.push_str(&format!(" @REQ-{:04}", self.rng.range(1, 199)));
        }
        if self.rng.chance(0.2) {
            tags.push_str(" @smoke");
        }
        if self.rng.chance(0.3) {
            tags.push_str(" @regression");
        }
        tags
    }

    /// A scenario outline with `rows` examples rows.
    fn outline(&mut self, lines: &mut Vec<String>, rows: usize) {
        let tags = self.tags();
        let id = tags.split(' ').next().unwrap()[1..].to_owned();
        lines.push(format!("  {tags}"));
        lines.push(format!("  Scenario Outline: {id} item lookup by id <id>"));
        for step in [
            "When I send a GET request to \"/items/<id>\"",
            "Then the response status should be 200",
            "And the response JSON at \"$.id\" should be <id>",
            "And the response JSON at \"$.category\" should be \"<category>\"",
            "And the response JSON at \"$.name\" should be \"<name>\"",
        ] {
            lines.push(format!("    {step}"));
        }
        lines.push(String::new());
        lines.push("    Examples:".to_owned());
        lines.push("      | id   | category | name      |".to_owned());
        for _ in 0..rows {
            let i = self.rng.range(1, ITEMS);
            let name = format!("item-{i}");
            lines.push(format!(
                "      | {i:<4} | {:<8} | {name:<9} |",
                item(i).category
            ));
        }
        lines.push(String::new());
    }

    fn feature(&mut self, number: usize) -> String {
        let mut lines = Vec::new();
        let mut tags = format!("@area-{}", CATEGORIES[number % 8]);
        if self.rng.chance(0.5) {
            tags.push_str(&format!(" @REQ-{:04}", self.rng.range(1, 199)));
        }
        lines.push(tags);
        lines.push(format!("Feature: Benchmark feature {number:04}"));
        lines.push("  Synthetic HTTP API checks, generated for the parser benchmark.".to_owned());
        lines.push(String::new());
        if self.rng.chance(0.5) {
            lines.push("  Background:".to_owned());
            lines.push("    Given the service is up".to_owned());
            lines.push(format!(
                "    And I set the request header \"X-Bench-Feature\" to \"feature-{number:04}\""
            ));
            lines.push(String::new());
        }
        let mut remaining = SCENARIOS_PER_FEATURE;
        while remaining > 0 {
            if remaining >= 2 && self.rng.chance(0.12) {
                let rows = (self.rng.range(2, 4) as usize).min(remaining);
                self.outline(&mut lines, rows);
                remaining -= rows;
                continue;
            }
            let (name, mut steps) = match self.rng.range(0, 5) {
                0 | 1 => self.item_scenario(),
                2 => self.user_table_scenario(),
                3 => self.doc_string_scenario(),
                4 => self.missing_scenario(),
                _ => self.chain_scenario(),
            };
            let tags = self.tags();
            let id = tags.split(' ').next().unwrap()[1..].to_owned();
            if self.rng.chance(0.15) {
                steps.insert(
                    0,
                    format!("Given I set the request header \"X-Bench-Case\" to \"{id}\""),
                );
            }
            lines.push(format!("  {tags}"));
            lines.push(format!("  Scenario: {id} {name}"));
            for step in steps {
                lines.push(format!("    {step}"));
            }
            lines.push(String::new());
            remaining -= 1;
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

fn corpus() -> Vec<(String, String)> {
    let mut generator = Generator {
        rng: Rng(42),
        case: 0,
    };
    (1..=FEATURES)
        .map(|n| {
            (
                format!("features/feature_{n:04}.feature"),
                generator.feature(n),
            )
        })
        .collect()
}

/// The files of the corpus: (uri, text).
type Corpus = [(String, String)];

/// A parser under test: parses the whole corpus and counts what it found.
type Bench = fn(&Corpus) -> usize;

/// Parses and compiles every file; the number of pickles.
fn casebook_parse_and_compile(corpus: &Corpus) -> usize {
    let mut pickles = 0;
    for (uri, text) in corpus {
        let mut ids = IncrementingIds::new();
        let document = parse(text, uri, &mut ids).expect("the corpus parses");
        pickles += black_box(compile(&document, uri, &mut ids)).len();
    }
    pickles
}

/// Parses every file; the number of scenarios and outlines.
fn casebook_parse(corpus: &Corpus) -> usize {
    let mut scenarios = 0;
    for (uri, text) in corpus {
        let document = parse(text, uri, &mut IncrementingIds::new()).expect("the corpus parses");
        scenarios += black_box(document).feature.map_or(0, |f| f.children.len());
    }
    scenarios
}

/// Parses every file with the `gherkin` crate; the number of scenarios and outlines.
fn gherkin_crate_parse(corpus: &Corpus) -> usize {
    let mut scenarios = 0;
    for (_, text) in corpus {
        let feature = gherkin::Feature::parse(text, gherkin::GherkinEnv::default())
            .expect("the corpus parses");
        scenarios += black_box(feature).scenarios.len();
    }
    scenarios
}

/// The median and the fastest of `runs` timed runs, after one warm-up run.
fn measure(runs: usize, corpus: &Corpus, f: Bench) -> (Duration, Duration, usize) {
    let count = f(corpus);
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f(black_box(corpus)));
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[runs / 2], times[0], count)
}

fn main() {
    // Arguments: a number of runs, and words that select parsers by name (for profiling).
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runs = args
        .iter()
        .find_map(|arg| arg.parse::<usize>().ok())
        .unwrap_or(DEFAULT_RUNS)
        .max(1);
    let filters: Vec<&String> = args
        .iter()
        .filter(|a| a.parse::<usize>().is_err())
        .collect();
    let corpus = corpus();
    let lines: usize = corpus.iter().map(|(_, text)| text.lines().count()).sum();
    let bytes: usize = corpus.iter().map(|(_, text)| text.len()).sum();
    let pickles = casebook_parse_and_compile(&corpus);
    assert_eq!(
        pickles,
        FEATURES * SCENARIOS_PER_FEATURE,
        "the corpus has 10,000 pickles"
    );
    println!(
        "corpus: {FEATURES} files, {pickles} pickles, {lines} lines, {} KiB; {runs} runs each",
        bytes / 1024
    );

    let cases: [(&str, Bench); 3] = [
        ("gherkin 0.16 Feature::parse", gherkin_crate_parse),
        ("casebook-gherkin parse", casebook_parse),
        ("casebook-gherkin parse+compile", casebook_parse_and_compile),
    ];
    let selected = cases.iter().filter(|(name, _)| {
        filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
    });
    let results: Vec<(&str, Duration, Duration)> = selected
        .map(|(name, f)| {
            let (median, fastest, _) = measure(runs, &corpus, *f);
            (*name, median, fastest)
        })
        .collect();
    let baseline = results
        .iter()
        .find(|(name, _, _)| name.starts_with("gherkin"))
        .map(|(_, median, _)| median.as_secs_f64());
    println!(
        "{:<32} {:>10} {:>10} {:>14} {:>12}",
        "parser", "median ms", "min ms", "pickles/s", "vs gherkin"
    );
    for (name, median, fastest) in &results {
        let ratio = baseline.map_or("-".to_owned(), |b| {
            format!("{:.2}x", median.as_secs_f64() / b)
        });
        println!(
            "{:<32} {:>10.1} {:>10.1} {:>14.0} {:>12}",
            name,
            median.as_secs_f64() * 1e3,
            fastest.as_secs_f64() * 1e3,
            pickles as f64 / median.as_secs_f64(),
            ratio
        );
    }
}
