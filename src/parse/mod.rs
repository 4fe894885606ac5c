//! Stage 1, parse: feature files → [`Feature`]s of the suite model, or [`ParseFailure`]s.
//!
//! This stage is purely syntactic: it keeps tags as written and leaves case IDs,
//! requirements and modes to [`suite`](crate::suite). The parser is casebook's own,
//! [`casebook_gherkin`], which gives what the official Cucumber parsers give (messages,
//! positions and errors included); `document` turns its output into the model.
//!
//! Classic Gherkin (`.feature`) and Markdown with Gherkin (`.feature.md`) are both read,
//! as the official tools read them.

mod document;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use casebook_gherkin::IdGenerator;

use crate::location::{Location, display_path, line_col};
use crate::model::{FailureKind, Feature, ParseFailure};

pub use document::step_kind;

/// Reads and parses one feature file.
///
/// A UTF-8 byte-order mark is dropped and CRLF line endings are read as LF, so files saved
/// by any editor parse. A file with nothing but comments and blank lines is a feature with
/// no cases, as in the official Gherkin parsers. A file with syntax errors gives them all; a
/// file that cannot be read, or is not UTF-8, gives why.
pub fn parse_file(path: &Path) -> Result<Feature, ParseFailure> {
    let shown = display_path(path);
    let unreadable = |kind: ReadErrorKind, at: Option<(usize, usize)>| {
        let mut failure = ParseFailure::unreadable(shown.clone(), kind.to_string());
        if let Some((line, column)) = at {
            failure.errors[0].location = Location::new(shown.clone(), line, column);
        }
        failure
    };
    let bytes = std::fs::read(path).map_err(|err| unreadable(ReadErrorKind::Io(err), None))?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let bytes = err.as_bytes();
        let valid = err.utf8_error().valid_up_to();
        // The prefix up to `valid_up_to` is UTF-8 by the error's own definition.
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let (line, column) = line_col(before, before.len());
        unreadable(
            ReadErrorKind::NotUtf8 { line, column },
            Some((line, column)),
        )
    })?;
    parse_str(&text, shown)
}

/// Parses the text of a feature file; `path` is how the file is shown, and its ending
/// (`.md` or not) chooses the dialect.
pub fn parse_str(text: &str, path: Arc<Path>) -> Result<Feature, ParseFailure> {
    let source: Arc<str> = Arc::from(normalize(text));
    let uri = path.to_string_lossy();
    // The model refers to nodes by position, not by id: no ids are made here. The runner
    // parses again with the run's ids, for its messages.
    match casebook_gherkin::parse(&source, &uri, &mut NoIds) {
        Ok(parsed) => Ok(document::feature(&parsed, path, source)),
        Err(errors) => Err(ParseFailure {
            errors: document::errors(&errors, &path),
            path,
            source,
            kind: FailureKind::Syntax,
        }),
    }
}

/// The normalised text of a feature file, as [`parse_str`] parses it.
pub fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

/// Empty ids: parsing for the model needs none, and making them would cost an allocation
/// per node of a large suite.
struct NoIds;

impl IdGenerator for NoIds {
    fn new_id(&mut self) -> String {
        String::new()
    }
}

/// Whether a path names a feature file: `.feature`, or `.feature.md` (Markdown with
/// Gherkin).
pub fn is_feature_file(path: &Path) -> bool {
    let name = path.file_name().map(|name| name.to_string_lossy());
    name.is_some_and(|name| name.ends_with(".feature") || name.ends_with(".feature.md"))
}

/// Every feature file under `dir` (or `dir` itself when it is a file), sorted by path so
/// that every run sees them in the same order, and every entry that could not be read.
///
/// An entry that cannot be read (a dangling link such as an editor's lock file, a link loop,
/// a directory without permission) is reported and skipped: the walk goes on, so one stray
/// entry never hides the rest of the suite.
pub fn feature_files(dir: &Path) -> Walk {
    let mut walk = Walk::default();
    for entry in walkdir::WalkDir::new(dir).follow_links(true) {
        match entry {
            Ok(entry) if entry.file_type().is_file() && is_feature_file(entry.path()) => {
                walk.files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(err) => walk.unreadable.push(ReadError::of_walk(dir, err)),
        }
    }
    walk.files.sort();
    walk
}

/// What [`feature_files`] found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The feature files, sorted.
    pub files: Vec<PathBuf>,
    /// The entries that could not be read, in the order they were met.
    pub unreadable: Vec<ReadError>,
}

/// An entry of the features directory that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("`{}`: {kind}", path.display())]
pub struct ReadError {
    /// The entry, as shown to people.
    pub path: Arc<Path>,
    /// Why it could not be read.
    pub kind: ReadErrorKind,
}

/// Why an entry could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadErrorKind {
    /// A symbolic link whose target does not exist.
    #[error("cannot read it: it is a symbolic link to `{}`, which does not exist", target.display())]
    DanglingLink {
        /// The target, as the link names it.
        target: PathBuf,
    },
    /// A symbolic link to a directory that contains it.
    #[error("cannot read it: it is a symbolic link that loops back to `{}`", ancestor.display())]
    Loop {
        /// The directory it leads back to, as shown to people.
        ancestor: Arc<Path>,
    },
    /// The bytes are not UTF-8 text.
    #[error(
        "cannot read it: it is not UTF-8 text (the first bad byte is at line {line}, column {column})"
    )]
    NotUtf8 {
        /// The line of the first byte that is not UTF-8.
        line: usize,
        /// Its column, in characters.
        column: usize,
    },
    /// Any other failure of the file system: no permission, a device error.
    #[error("cannot read it: {0}")]
    Io(std::io::Error),
}

impl ReadError {
    /// The error of the walk of `dir` as one of an entry: a walk error without a path is
    /// the root's own.
    fn of_walk(dir: &Path, err: walkdir::Error) -> Self {
        let path = err.path().unwrap_or(dir).to_path_buf();
        let kind = if let Some(ancestor) = err.loop_ancestor() {
            ReadErrorKind::Loop {
                ancestor: display_path(ancestor),
            }
        } else {
            let target = std::fs::read_link(&path).ok();
            match (target, err.into_io_error()) {
                (Some(target), Some(io)) if io.kind() == std::io::ErrorKind::NotFound => {
                    ReadErrorKind::DanglingLink { target }
                }
                (_, Some(io)) => ReadErrorKind::Io(io),
                (_, None) => ReadErrorKind::Io(std::io::Error::other("the walk failed")),
            }
        };
        Self {
            path: display_path(&path),
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StepKind;

    fn parse(text: &str) -> Result<Feature, ParseFailure> {
        parse_str(text, Arc::from(Path::new("t.feature")))
    }

    #[test]
    fn a_byte_order_mark_and_crlf_endings_parse() {
        let feature =
            parse("\u{feff}@f\r\nFeature: BOM\r\n  Scenario: s\r\n    Given x\r\n").unwrap();
        assert_eq!(feature.name, "BOM");
        assert_eq!(feature.tags[0].name, "f");
        assert_eq!(feature.cases[0].location.line, 3);
        assert_eq!(feature.cases[0].steps[0].text, "x");
    }

    #[test]
    fn positions_of_cases_steps_tags_and_rows() {
        let feature = parse(indoc::indoc! {"
            @req:A-1
            Feature: F

              @ID-1 @wip
              Scenario Outline: o <x>
                Given a <x>
                  | h | <x> |
                Then b

                @req:B-2
                Examples:
                  | x |
                  # a comment between rows
                  | 1 |
                  | 2 |
        "})
        .unwrap();
        assert_eq!(feature.tags[0].location.to_string(), "t.feature:1:1");
        let case = &feature.cases[0];
        assert_eq!(case.location.to_string(), "t.feature:5:3");
        let tags: Vec<_> = case
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.location.column))
            .collect();
        assert_eq!(tags, [("ID-1", 3), ("wip", 9)]);
        assert_eq!(case.tags[0].location.line, 4);
        assert_eq!(case.steps[0].location.to_string(), "t.feature:6:5");
        assert_eq!(case.steps[1].kind, StepKind::Then);
        let examples = &case.examples[0];
        assert_eq!(examples.tags[0].location.line, 10);
        assert_eq!(examples.table.as_ref().unwrap().rows.len(), 3);
        assert_eq!(examples.table.as_ref().unwrap().lines, [12, 14, 15]);
    }

    #[test]
    fn and_and_but_take_the_kind_before_them() {
        let feature = parse(
            "Feature: F\n  Scenario: s\n    Given a\n    And b\n    When c\n    But d\n    Then e\n    And f\n",
        )
        .unwrap();
        let kinds: Vec<_> = feature.cases[0].steps.iter().map(|s| s.kind).collect();
        use StepKind::*;
        assert_eq!(kinds, [Given, Given, When, When, Then, Then]);
        assert_eq!(feature.cases[0].steps[1].keyword.as_ref(), "And");
    }

    #[test]
    fn backgrounds_of_feature_and_rule_become_preconditions() {
        let feature = parse(indoc::indoc! {"
            Feature: F
              Background:
                Given a
              Rule: R
                Background:
                  Given b
                Scenario: in rule
                  Then c
              Rule: S
                Scenario: other rule
                  Then d
        "})
        .unwrap();
        let texts = |i: usize| -> Vec<String> {
            feature.cases[i]
                .background
                .iter()
                .map(|s| s.text.clone())
                .collect()
        };
        assert_eq!(texts(0), ["a", "b"]);
        assert_eq!(texts(1), ["a"]);
        assert_eq!(feature.cases[0].rule, Some(0));
        assert_eq!(feature.rules[1].name, "S");
    }

    #[test]
    fn doc_strings_and_tables_reach_the_step() {
        let feature = parse(indoc::indoc! {r#"
            Feature: F
              Scenario: s
                Given a
                  """json
                  {"a": 1}
                    indented \"\"\"
                  """
                Then b
                  | x | y |
        "#})
        .unwrap();
        let steps = &feature.cases[0].steps;
        let doc = steps[0].doc_string.as_ref().unwrap();
        assert_eq!(doc.content, "{\"a\": 1}\n  indented \"\"\"");
        assert_eq!(doc.media_type.as_deref(), Some("json"));
        assert_eq!(doc.location.to_string(), "t.feature:4:7");
        assert_eq!(steps[1].table.as_ref().unwrap().rows, [["x", "y"]]);
    }

    #[test]
    fn table_cells_are_unescaped_as_gherkin_says() {
        let feature = parse(indoc::indoc! {r"
            Feature: F
              Scenario: s
                Given a
                  | a \| b | line\nbreak | back\\slash | \x |
        "})
        .unwrap();
        let rows = &feature.cases[0].steps[0].table.as_ref().unwrap().rows;
        assert_eq!(rows[0], ["a | b", "line\nbreak", "back\\slash", "\\x"]);
    }

    #[test]
    fn tags_on_rules_examples_and_odd_names_keep_their_places() {
        let feature = parse(indoc::indoc! {"
            Feature: F
              @@double @😀
              Rule: R
                A description
                of the rule.

                Scenario: s
                  Given a
        "})
        .unwrap();
        let rule = &feature.rules[0];
        let tags: Vec<_> = rule
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.location.column))
            .collect();
        // As the official parser reads them: `@@double` is the tag `@double`, at the first
        // `@`, and the columns after it count one `@` less.
        assert_eq!(tags, [("double", 3), ("😀", 11)]);
        assert_eq!(rule.description, "    A description\n    of the rule.");
    }

    #[test]
    fn a_file_of_comments_only_is_a_feature_without_cases() {
        let feature = parse("# nothing yet\n\n# nor here\n").unwrap();
        assert!(feature.cases.is_empty());
        assert_eq!(feature.keyword, "");
        // A language header opens a feature, which must then follow.
        let failure = parse("# language: fr\n").unwrap_err();
        assert!(
            failure.errors[0]
                .message
                .starts_with("unexpected end of file")
        );
    }

    #[test]
    fn a_syntax_error_has_the_official_position_and_message() {
        let failure =
            parse("Feature: F\n  Scenario: s\n    Given x\n      | a | b |\n      | a |\n")
                .unwrap_err();
        assert_eq!(failure.path.as_ref(), Path::new("t.feature"));
        let [error] = &failure.errors[..] else {
            panic!("one error: {failure:?}")
        };
        assert_eq!(error.location.to_string(), "t.feature:5:7");
        assert_eq!(error.message, "inconsistent cell count within the table");
    }

    #[test]
    fn every_syntax_error_of_a_file_is_reported() {
        let failure = parse(indoc::indoc! {"
            Feature: F
              Scenario: s
                Given x
                Bogus line
              Scenario: t
                Given y
                  | a | b |
                  | c |
        "})
        .unwrap_err();
        let errors: Vec<(String, &str)> = failure
            .errors
            .iter()
            .map(|e| (e.location.to_string(), e.message.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (
                    "t.feature:4:5".to_owned(),
                    "expected: #EOF, #TableRow, #DocStringSeparator, #StepLine, #TagLine, \
                     #ExamplesLine, #ScenarioLine, #RuleLine, #Comment, #Empty, got 'Bogus line'"
                ),
                (
                    "t.feature:8:7".to_owned(),
                    "inconsistent cell count within the table"
                ),
            ]
        );
    }

    #[test]
    fn markdown_feature_files_are_feature_files() {
        assert!(is_feature_file(Path::new("a/b.feature")));
        assert!(is_feature_file(Path::new("b.feature.md")));
        assert!(!is_feature_file(Path::new("README.md")));
        assert!(!is_feature_file(Path::new("b.features")));
        let feature = parse_str(
            "# Feature: Markdown\n\n## Scenario: s\n\n* Given a step\n",
            Arc::from(Path::new("t.feature.md")),
        )
        .unwrap();
        assert_eq!(feature.name, "Markdown");
        assert_eq!(feature.cases[0].steps[0].text, "a step");
    }

    #[test]
    fn a_file_that_is_not_utf8_cannot_be_read_and_says_where_the_bad_byte_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.feature");
        std::fs::write(&path, b"Feature: F\n  Scenario: caf\xe9\n").unwrap();
        let failure = parse_file(&path).unwrap_err();
        assert_eq!(failure.kind, FailureKind::Unreadable);
        let [error] = &failure.errors[..] else {
            panic!("one error: {failure:?}")
        };
        assert_eq!((error.location.line, error.location.column), (2, 16));
        assert_eq!(
            error.message,
            "cannot read it: it is not UTF-8 text (the first bad byte is at line 2, column 16)"
        );
    }

    #[test]
    fn other_languages_parse() {
        let feature =
            parse("# language: fr\nFonctionnalité: F\n  Scénario: s\n    Soit x\n").unwrap();
        assert_eq!(feature.keyword, "Fonctionnalité");
        assert_eq!(feature.cases[0].steps[0].kind, StepKind::Given);
    }
}
