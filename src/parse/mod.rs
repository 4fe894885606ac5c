//! Stage 1, parse: feature files → [`Feature`]s of the suite model, or [`ParseFailure`]s.
//!
//! This stage is purely syntactic: it keeps tags as written and leaves case IDs,
//! requirements and modes to [`suite`](crate::suite). The Gherkin parser behind it sits in
//! [`gherkin`] alone, so it can be replaced without touching any later stage.

mod gherkin;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::location::{Location, display_path};
use crate::model::{Feature, ParseFailure};

/// Reads and parses one feature file.
///
/// A UTF-8 byte-order mark is dropped and CRLF line endings are read as LF, so files saved
/// by any editor parse. A file with nothing but comments and blank lines is a feature with
/// no cases, as in the official Gherkin parsers.
pub fn parse_file(path: &Path) -> Result<Feature, ParseFailure> {
    let shown = display_path(path);
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = std::fs::read_to_string(path).map_err(|err| ParseFailure {
        location: Location::file(shown.clone()),
        message: format!("cannot read the file: {err}"),
        source: Arc::from(""),
    })?;
    let text = normalize(&text);
    gherkin::parse(Arc::from(text), shown, &absolute)
}

/// Parses the text of a feature file; `path` is how the file is shown.
pub fn parse_str(text: &str, path: Arc<Path>) -> Result<Feature, ParseFailure> {
    let text = normalize(text);
    let file_path = path.to_path_buf();
    gherkin::parse(Arc::from(text), path, &file_path)
}

/// A feature file in the form the runner executes it: the parser crate's tree, which
/// cucumber-rs takes as it is. Opaque outside the stages that need it (parse and run).
#[derive(Debug, Clone)]
pub struct Runnable(pub(crate) ::gherkin::Feature);

/// Every `.feature` file under `dir` (or `dir` itself when it is a file), sorted by path so
/// that every run sees them in the same order.
pub fn feature_files(dir: &Path) -> Result<Vec<PathBuf>, walkdir::Error> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(true) {
        let entry = entry?;
        let is_feature = entry.path().extension().is_some_and(|ext| ext == "feature");
        if entry.file_type().is_file() && is_feature {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

/// Drops a byte-order mark and turns CRLF and lone CR line endings into LF.
fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
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
        assert_eq!(feature.cases[0].steps[1].keyword, "And");
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
                  """
                  {"a": 1}
                  """
                Then b
                  | x | y |
        "#})
        .unwrap();
        let steps = &feature.cases[0].steps;
        assert_eq!(steps[0].doc_string.as_deref(), Some("{\"a\": 1}"));
        assert_eq!(steps[1].table.as_ref().unwrap().rows, [["x", "y"]]);
    }

    #[test]
    fn a_file_of_comments_only_is_a_feature_without_cases() {
        let feature = parse("# language: en\n# nothing yet\n\n").unwrap();
        assert!(feature.cases.is_empty());
        assert_eq!(feature.keyword, "");
    }

    #[test]
    fn a_syntax_error_has_a_position_and_a_message() {
        let failure =
            parse("Feature: F\n  Scenario: s\n    Given x\n      | a | b |\n      | a |\n")
                .unwrap_err();
        assert_eq!(failure.location.path.as_ref(), Path::new("t.feature"));
        assert!(failure.location.line >= 5, "{failure:?}");
        assert!(failure.message.contains("cell"), "{}", failure.message);
    }

    #[test]
    fn other_languages_parse() {
        let feature =
            parse("# language: fr\nFonctionnalité: F\n  Scénario: s\n    Soit x\n").unwrap();
        assert_eq!(feature.keyword, "Fonctionnalité");
        assert_eq!(feature.cases[0].steps[0].kind, StepKind::Given);
    }
}
