//! The contract each fuzz target checks, one function per reader of outside text: whatever
//! the text, the reader returns its value or its typed error, never panics, and every place
//! it names (an error's line and column, a requirement's table) lies inside the text.
//!
//! Each returns whether the text was read (a value, not an error), for the run's figures:
//! inputs that all fail at their first byte would test little.
//!
//! The stable tests (`tests/fuzz/main.rs`) and the cargo-fuzz targets (`fuzz/`) both call
//! these functions, so that the two test one contract. A broken contract is a panic, which
//! proptest shrinks and libFuzzer saves as a crash.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use casebook::catalog;
use casebook::config::{Config, TagConventions};
use casebook::manual::Ledger;
use casebook::manual::checklist;
use casebook::manual::results;
use casebook::model::Suite;
use casebook_gherkin::IncrementingIds;

/// The suite a checklist names: manual cases, an outline and an automated case.
const CHECKLIST_FEATURE: &str = include_str!("seeds/checklist.feature");

/// The official parser, on a document read as classic Gherkin and as Markdown: parsed, then
/// compiled to pickles when it parses. Read means read as classic Gherkin: as Markdown,
/// almost any text is a document.
pub fn gherkin(text: &str) -> bool {
    let mut read = false;
    for uri in ["fuzz.feature", "fuzz.feature.md"] {
        let mut ids = IncrementingIds::new();
        match casebook_gherkin::parse(text, uri, &mut ids) {
            Ok(document) => {
                casebook_gherkin::compile(&document, uri, &mut ids);
                read |= uri == "fuzz.feature";
            }
            Err(errors) => {
                assert!(!errors.is_empty(), "a failed parse gave no error");
                for error in errors {
                    let location = error
                        .source
                        .location
                        .unwrap_or_else(|| panic!("`{}` has no location", error.message));
                    let column = location.column.map(|column| column as usize);
                    inside(text, location.line as usize, column, &error.message);
                }
            }
        }
    }
    read
}

/// casebook's parse stage on a feature file's text, then the tag conventions applied.
pub fn feature(text: &str) -> bool {
    let path: Arc<Path> = Arc::from(Path::new("fuzz.feature"));
    match casebook::parse::parse_str(text, path) {
        Ok(feature) => {
            casebook::suite::classify(feature, conventions());
            true
        }
        Err(failure) => {
            assert!(!failure.errors.is_empty(), "a failed parse gave no error");
            // The parser reads the normalised text: its places are in that text.
            let normalised = casebook::parse::normalize(text);
            for error in &failure.errors {
                let at = &error.location;
                inside(&normalised, at.line, Some(at.column), &error.message);
            }
            false
        }
    }
}

/// `casebook.toml`: an error's place, and each lint rule's, inside the text.
pub fn config(text: &str) -> bool {
    match Config::from_str(text, Path::new("casebook.toml"), Path::new("project")) {
        Ok(config) => {
            for rule in &config.lint.rules {
                if let Some((line, column)) = rule.position {
                    inside(text, line, Some(column), &rule.name);
                }
            }
            true
        }
        Err(err) => {
            if let Some((line, column)) = err.position {
                inside(text, line, Some(column), &err);
            }
            false
        }
    }
}

/// `requirements.toml`: every problem's place and every requirement's inside the text. Read
/// means read as TOML, problems or not.
pub fn catalog(text: &str) -> bool {
    let loaded = catalog::from_str(text, Arc::from(Path::new("requirements.toml")));
    for problem in &loaded.problems {
        let at = &problem.location;
        inside(text, at.line, Some(at.column), &problem.message);
    }
    if let Some(catalog) = &loaded.catalog {
        for requirement in &catalog.requirements {
            let at = &requirement.location;
            inside(text, at.line, Some(at.column), &requirement.id);
        }
    } else {
        assert!(
            !loaded.problems.is_empty(),
            "no catalog, and no problem said why"
        );
    }
    loaded.catalog.is_some()
}

/// A manual results file: an error's place inside the text; a file that reads is written
/// back to a file that reads the same.
pub fn results(text: &str) -> bool {
    let path = Path::new("manual-results/1.0.toml");
    match results::parse(text, path) {
        Ok(file) => {
            for result in &file.results {
                result.time();
            }
            let written = results::to_toml(&file);
            let again = results::parse(&written, path)
                .unwrap_or_else(|err| panic!("the file written back does not read: {err}"));
            assert_eq!(again, file, "the file written back reads otherwise");
            true
        }
        Err(err) => {
            if let Some((line, column)) = err.position {
                inside(text, line, Some(column), &err);
            }
            false
        }
    }
}

/// A filled CSV checklist, imported against a fixed suite: each bad row named by a line of
/// the sheet; each answer it reads written to a results file that reads back.
pub fn checklist(text: &str) -> bool {
    let ledger = Ledger::empty("1.0");
    let sheet = Path::new("checklist.csv");
    match checklist::import(text, sheet, suite(), &ledger, "tester") {
        Ok(imported) => {
            let file = results::ResultsFile {
                path: "1.0.toml".into(),
                release: "1.0".to_owned(),
                results: imported.results,
            };
            let written = results::to_toml(&file);
            let again = results::parse(&written, &file.path)
                .unwrap_or_else(|err| panic!("the imported answers do not read back: {err}"));
            assert_eq!(again, file, "the imported answers read back otherwise");
            true
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a failed import gave no error");
            for err in &errors {
                let line = usize::try_from(err.line).unwrap_or(usize::MAX);
                inside(text, line, None, err);
            }
            false
        }
    }
}

/// The default tag conventions, compiled once: their regexes would cost more than a parse.
fn conventions() -> &'static TagConventions {
    static CONVENTIONS: OnceLock<TagConventions> = OnceLock::new();
    CONVENTIONS.get_or_init(TagConventions::default)
}

/// The suite of [`CHECKLIST_FEATURE`], read once.
fn suite() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| {
        let path: Arc<Path> = Arc::from(Path::new("checklist.feature"));
        let feature = casebook::parse::parse_str(CHECKLIST_FEATURE, path)
            .unwrap_or_else(|failure| panic!("the checklist's suite parses: {failure:?}"));
        Suite {
            features: vec![casebook::suite::classify(feature, conventions())],
            failures: Vec::new(),
        }
    })
}

/// Asserts that a 1-based `line` (and `column`, in characters) lies inside `text`. One line
/// past the last is inside too: it is where a reader reports the end of the file.
fn inside(text: &str, line: usize, column: Option<usize>, what: &dyn std::fmt::Display) {
    let lines: Vec<&str> = text.split('\n').collect();
    // `split` gives an empty last piece after a final newline, which is the end's line.
    let last = if text.is_empty() || text.ends_with('\n') {
        lines.len()
    } else {
        lines.len() + 1
    };
    assert!(
        (1..=last).contains(&line),
        "line {line} of `{what}` is outside the text's lines 1 to {last}"
    );
    if let Some(column) = column {
        let width = lines.get(line - 1).map_or(0, |l| l.chars().count());
        assert!(
            (1..=width + 1).contains(&column),
            "column {column} of `{what}` is outside line {line}'s columns 1 to {}",
            width + 1
        );
    }
}
