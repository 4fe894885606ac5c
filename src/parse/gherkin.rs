//! The bridge to the `gherkin` crate: its AST in, the suite model out.
//!
//! The crate gives no positions for tags or table rows, so they are read back from the
//! source text here; and it reports errors only through `Display`, so the position is read
//! back from that text too. Both workarounds end with casebook's own parser.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::location::Location;
use crate::model::{
    Background, Case, Examples, Feature, Mode, ParseFailure, Rule, Step, StepKind, Table, Tag,
};

/// Parses normalised text (no BOM, LF endings) into the model, and keeps the crate's own
/// tree for the runner (cucumber-rs executes `gherkin::Feature`s), so a file is parsed once.
pub(super) fn parse(
    source: Arc<str>,
    path: Arc<Path>,
    file_path: &Path,
) -> Result<Feature, ParseFailure> {
    let file = File {
        lines: source.lines().collect(),
        path: &path,
    };
    if file.lines.iter().all(|line| is_blank_or_comment(line)) {
        return Ok(file.empty_feature(source.clone()));
    }
    let env = ::gherkin::GherkinEnv::default();
    match ::gherkin::Feature::parse(&*source, env) {
        Ok(mut parsed) => {
            let mut feature = file.feature(&parsed, source.clone());
            parsed.path = Some(file_path.to_path_buf());
            feature.runnable = Some(super::Runnable(parsed));
            Ok(feature)
        }
        Err(err) => Err(file.failure(&err.to_string(), source.clone())),
    }
}

fn is_blank_or_comment(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with('#')
}

struct File<'a> {
    lines: Vec<&'a str>,
    path: &'a Arc<Path>,
}

impl File<'_> {
    fn at(&self, position: ::gherkin::LineCol) -> Location {
        Location::new(self.path.clone(), position.line, position.col)
    }

    fn empty_feature(&self, source: Arc<str>) -> Feature {
        Feature {
            path: self.path.clone(),
            source,
            keyword: String::new(),
            name: String::new(),
            description: String::new(),
            location: Location::file(self.path.clone()),
            tags: Vec::new(),
            background: None,
            rules: Vec::new(),
            cases: Vec::new(),
            runnable: None,
        }
    }

    fn failure(&self, message: &str, source: Arc<str>) -> ParseFailure {
        let (line, column, expected) = position(message);
        // The crate may point one past the last line; keep the position inside the file.
        let line = line.clamp(1, self.lines.len().max(1));
        let (line, column) = match self.first_bad_line(line) {
            Some(bad) => {
                let text = self.lines[bad - 1];
                (
                    bad,
                    text.chars().take_while(|c| c.is_whitespace()).count() + 1,
                )
            }
            None => (line, column),
        };
        ParseFailure {
            location: Location::new(self.path.clone(), line, column),
            message: explain(&expected),
            source,
        }
    }

    /// The line that made the file invalid, at or before `reported`.
    ///
    /// The crate reports where it gave up, which is often the line after the mistake. The
    /// longest prefix of the file that still parses ends right before the line that broke
    /// it; looking back from the reported line finds it in a parse or two. Prefixes that
    /// end inside a doc string do not parse either, so a bad line after a closed doc string
    /// is still found, and an unclosed one is reported at its opening delimiter.
    fn first_bad_line(&self, reported: usize) -> Option<usize> {
        const LOOK_BACK: usize = 50;
        (reported.saturating_sub(LOOK_BACK)..reported)
            .rev()
            .find(|&length| {
                let prefix = self.lines[..length].join("\n");
                let prefix_is_blank = self.lines[..length].iter().all(|l| is_blank_or_comment(l));
                prefix_is_blank
                    || ::gherkin::Feature::parse(&prefix, ::gherkin::GherkinEnv::default()).is_ok()
            })
            // The line after the longest valid prefix, skipping blank lines and comments.
            .and_then(|valid| {
                (valid + 1..=reported).find(|&line| !is_blank_or_comment(self.lines[line - 1]))
            })
    }

    fn feature(&self, feature: &::gherkin::Feature, source: Arc<str>) -> Feature {
        let background = feature.background.as_ref().map(|bg| self.background(bg));
        let mut cases = Vec::new();
        // One shared list per Background: every case below it points at the same steps.
        let preconditions: Arc<[Step]> =
            background.iter().flat_map(|bg| bg.steps.clone()).collect();
        for scenario in &feature.scenarios {
            cases.push(self.case(scenario, None, preconditions.clone()));
        }
        let mut rules = Vec::new();
        for (index, rule) in feature.rules.iter().enumerate() {
            let rule_background = rule.background.as_ref().map(|bg| self.background(bg));
            let rule_preconditions: Arc<[Step]> = if rule_background.is_some() {
                preconditions
                    .iter()
                    .cloned()
                    .chain(rule_background.iter().flat_map(|bg| bg.steps.clone()))
                    .collect()
            } else {
                preconditions.clone()
            };
            for scenario in &rule.scenarios {
                cases.push(self.case(scenario, Some(index), rule_preconditions.clone()));
            }
            rules.push(Rule {
                keyword: rule.keyword.clone(),
                name: rule.name.clone(),
                description: rule.description.clone().unwrap_or_default(),
                location: self.at(rule.position),
                tags: self.tags(&rule.tags, rule.position.line),
                background: rule_background,
            });
        }
        // Scenarios before the first Rule come first in the file, as they must in Gherkin,
        // but keep file order explicit for files the parser accepts out of order.
        cases.sort_by_key(|case: &Case| case.location.line);
        Feature {
            path: self.path.clone(),
            source,
            keyword: feature.keyword.clone(),
            name: feature.name.clone(),
            description: feature.description.clone().unwrap_or_default(),
            location: self.at(feature.position),
            tags: self.tags(&feature.tags, feature.position.line),
            background,
            rules,
            cases,
            runnable: None,
        }
    }

    fn background(&self, background: &::gherkin::Background) -> Background {
        Background {
            keyword: background.keyword.clone(),
            location: self.at(background.position),
            steps: background
                .steps
                .iter()
                .map(|step| self.step(step))
                .collect(),
        }
    }

    fn case(
        &self,
        scenario: &::gherkin::Scenario,
        rule: Option<usize>,
        background: Arc<[Step]>,
    ) -> Case {
        Case {
            id: None,
            id_tags: Vec::new(),
            title: scenario.name.clone(),
            keyword: scenario.keyword.clone(),
            description: scenario.description.clone().unwrap_or_default(),
            location: self.at(scenario.position),
            rule,
            tags: self.tags(&scenario.tags, scenario.position.line),
            effective_tags: Vec::new(),
            requirements: Vec::new(),
            mode: Mode::Automated,
            background,
            steps: scenario.steps.iter().map(|step| self.step(step)).collect(),
            examples: scenario
                .examples
                .iter()
                .map(|examples| self.examples(examples))
                .collect(),
            executions: Vec::new(),
        }
    }

    fn examples(&self, examples: &::gherkin::Examples) -> Examples {
        Examples {
            keyword: examples.keyword.clone(),
            name: examples.name.clone().unwrap_or_default(),
            location: self.at(examples.position),
            tags: self.tags(&examples.tags, examples.position.line),
            table: examples.table.as_ref().map(|table| self.table(table)),
        }
    }

    fn step(&self, step: &::gherkin::Step) -> Step {
        Step {
            keyword: step.keyword.trim_end().to_owned(),
            kind: match step.ty {
                ::gherkin::StepType::Given => StepKind::Given,
                ::gherkin::StepType::When => StepKind::When,
                ::gherkin::StepType::Then => StepKind::Then,
            },
            text: step.value.clone(),
            location: self.at(step.position),
            table: step.table.as_ref().map(|table| self.table(table)),
            // The crate keeps the line breaks after the opening and before the closing
            // delimiter; Gherkin's doc string content has neither.
            doc_string: step.docstring.as_ref().map(|text| {
                let text = text.strip_prefix('\n').unwrap_or(text);
                text.strip_suffix('\n').unwrap_or(text).to_owned()
            }),
        }
    }

    fn table(&self, table: &::gherkin::Table) -> Table {
        let location = self.at(table.position);
        let lines = self.row_lines(location.line, table.rows.len());
        Table {
            location,
            rows: table.rows.clone(),
            lines,
        }
    }

    /// The 1-based line of each of `count` table rows from `first` on; comment lines between
    /// rows are skipped, as Gherkin does.
    fn row_lines(&self, first: usize, count: usize) -> Vec<usize> {
        self.lines
            .iter()
            .enumerate()
            .skip(first.saturating_sub(1))
            .filter(|(_, line)| !is_blank_or_comment(line))
            .take_while(|(_, line)| line.trim_start().starts_with('|'))
            .map(|(index, _)| index + 1)
            .take(count)
            .collect()
    }

    /// Pairs the tag names the parser found with their places in the source: the tag lines
    /// right above `keyword_line` (comments and blank lines may sit between them).
    fn tags(&self, names: &[String], keyword_line: usize) -> Vec<Tag> {
        let mut found = Vec::new();
        for index in (0..keyword_line.saturating_sub(1)).rev() {
            let line = self.lines[index];
            let trimmed = line.trim_start();
            if trimmed.starts_with('@') {
                let mut on_line = tags_on_line(line, index + 1);
                on_line.append(&mut found);
                found = on_line;
            } else if !is_blank_or_comment(line) {
                break;
            }
        }
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (line, column) = found
                    .iter()
                    .filter(|(found_name, ..)| found_name == name)
                    .map(|(_, line, column)| (*line, *column))
                    .nth(names[..i].iter().filter(|n| *n == name).count())
                    .unwrap_or((keyword_line, 1));
                Tag {
                    name: name.clone(),
                    location: Location::new(self.path.clone(), line, column),
                }
            })
            .collect()
    }
}

/// Reads the line, column and expected tokens out of the crate's error text:
/// `Error at LINE:COL: {tokens}`.
fn position(message: &str) -> (usize, usize, String) {
    static POSITION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^Error at (\d+):(\d+): (.*)$").expect("valid regex"));
    match POSITION.captures(message) {
        Some(c) => (
            c[1].parse().unwrap_or(1),
            c[2].parse().unwrap_or(1),
            c[3].to_owned(),
        ),
        None => (1, 1, message.to_owned()),
    }
}

/// The `@tags` on one source line with their 1-based columns; a `#` after a space starts a
/// comment.
fn tags_on_line(line: &str, line_number: usize) -> Vec<(String, usize, usize)> {
    let mut tags = Vec::new();
    let mut column = 0;
    let mut rest = line;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        column += rest[..start].chars().count();
        rest = &rest[start..];
        if rest.starts_with('#') {
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        if let Some(name) = token.strip_prefix('@') {
            tags.push((name.to_owned(), line_number, column + 1));
        }
        column += token.chars().count();
        rest = &rest[end..];
    }
    tags
}

/// Turns the parser's set of expected tokens into a sentence.
fn explain(expected: &str) -> String {
    if expected.contains("inconsistent table row sizes") {
        "inconsistent cell count: every row of a table needs as many cells as its first row"
            .to_owned()
    } else if expected.contains("unknown keyword") {
        "unexpected text: expected a Gherkin keyword, a step, a table row, a doc string, a tag or a comment".to_owned()
    } else {
        static QUOTED: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r#""((?:[^"\\]|\\.)*)""#).expect("valid regex"));
        // Only quoted keywords (`"Scenario"`) help a reader; the crate's other tokens are
        // grammar internals such as `_` or `' ' | '\t'`.
        let keywords: Vec<String> = QUOTED
            .captures_iter(expected)
            .map(|c| c[1].replace("\\\"", "\"").replace("\\\\", "\\"))
            .filter(|token| token.starts_with('"') && token.len() > 2)
            .collect();
        if keywords.is_empty() {
            "this line is not valid Gherkin here: a second Feature, an unclosed doc string, or text where a step or keyword belongs".to_owned()
        } else {
            format!("unexpected input; expected one of: {}", keywords.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_on_a_line_with_columns_and_a_comment() {
        let tags = tags_on_line("  @a @b-1  # @not-a-tag", 7);
        assert_eq!(tags, [("a".to_owned(), 7, 3), ("b-1".to_owned(), 7, 6)]);
    }

    fn failure_at(text: &str) -> (usize, usize) {
        let path: Arc<Path> = Arc::from(Path::new("t.feature"));
        let failure = parse(Arc::from(text), path, Path::new("t.feature")).unwrap_err();
        (failure.location.line, failure.location.column)
    }

    #[test]
    fn a_syntax_error_is_reported_at_the_line_that_broke_the_file() {
        let stray = "Feature: F\n  @A-1\n  Scenario: s\n    Given x\n    Bogus line\n    Then y\n";
        assert_eq!(failure_at(stray), (5, 5));
        let short_row = "Feature: F\n  Scenario: s\n    Given x\n      | a | b |\n      | 1 | 2 |\n      | 3 |\n      | 4 | 5 |\n    Then y\n";
        assert_eq!(failure_at(short_row), (6, 7));
        let unclosed =
            "Feature: F\n  Scenario: s\n    Given x\n      \"\"\"\n      text\n    Then y\n";
        assert_eq!(failure_at(unclosed), (4, 7));
        let after_doc_string = "Feature: F\n  Scenario: s\n    Given x\n      \"\"\"\n      text\n      \"\"\"\n    Then y\n    Bogus\n    And z\n";
        assert_eq!(failure_at(after_doc_string), (8, 5));
    }

    #[test]
    fn explains_the_parsers_token_sets() {
        assert!(explain(r#"{"unknown keyword"}"#).starts_with("unexpected text"));
        assert_eq!(
            explain(r#"{"\"Scenario\""}"#),
            "unexpected input; expected one of: \"Scenario\""
        );
        assert!(explain(r#"{"_", "no match"}"#).starts_with("this line is not valid Gherkin here"));
    }
}
