//! The suite model: test cases as plain data, independent of any Gherkin parser.
//!
//! [`parse`](crate::parse) turns feature files into [`Feature`]s with raw [`Tag`]s;
//! [`suite`](crate::suite) applies the tag conventions and fills in each [`Case`]'s ID,
//! requirements and [`Mode`]. Later stages (lint, run, trace, render) only borrow these types.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::location::Location;

/// A test-case ID such as `PAY-CC-014`, taken from a tag without its `@`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CaseId(pub String);

/// A requirement ID such as `PAY-7`, as written in the catalog and in `@req:` tags.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RequirementId(pub String);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RequirementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every feature file of a project, read and classified.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Suite {
    /// The files that parsed, in path order.
    pub features: Vec<Feature>,
    /// The files that did not parse; the rest of the suite is still there.
    pub failures: Vec<ParseFailure>,
}

impl Suite {
    /// Every case of every feature, in file order.
    pub fn cases(&self) -> impl Iterator<Item = (&Feature, &Case)> {
        self.features
            .iter()
            .flat_map(|feature| feature.cases.iter().map(move |case| (feature, case)))
    }

    /// Every case with its feature and the feature's number (its index in `features`): a
    /// place keyed by (number, line) is cheaper to hash and compare than one by path.
    pub fn numbered_cases(&self) -> impl Iterator<Item = (usize, &Feature, &Case)> {
        self.features
            .iter()
            .enumerate()
            .flat_map(|(number, feature)| {
                feature
                    .cases
                    .iter()
                    .map(move |case| (number, feature, case))
            })
    }

    /// How many files were read, parsed or not.
    pub fn file_count(&self) -> usize {
        self.features.len() + self.failures.len()
    }
}

/// A feature file that could not be parsed: every syntax error in it, or why it could not
/// be read.
#[derive(Debug, Clone, Serialize)]
pub struct ParseFailure {
    /// The file, as shown to people.
    pub path: Arc<Path>,
    /// What is wrong and where, in file order; never empty.
    pub errors: Vec<SyntaxError>,
    /// The file's text, for showing the failing lines (empty when it could not be read).
    #[serde(skip)]
    pub source: Arc<str>,
    /// Whether the file was read and is not valid Gherkin, or could not be read at all.
    pub kind: FailureKind,
}

/// Why a feature file is not in the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// The file was read, and has syntax errors.
    Syntax,
    /// The file or directory could not be read: a dangling link, a link loop, no
    /// permission, not UTF-8.
    Unreadable,
}

impl ParseFailure {
    /// An entry of the features directory that could not be read, and why: one problem, at
    /// the start of the file.
    pub fn unreadable(path: Arc<Path>, why: impl Into<String>) -> Self {
        Self {
            errors: vec![SyntaxError {
                location: Location::file(path.clone()),
                message: why.into(),
            }],
            path,
            source: Arc::from(""),
            kind: FailureKind::Unreadable,
        }
    }
}

/// One syntax error: where it is and the parser's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    /// Where the parser found it (line 1, column 1 when the file could not be read).
    pub location: Location,
    /// What is wrong, in the official Gherkin parser's words.
    pub message: String,
}

/// One feature file: a Feature with its Background, Rules and cases.
#[derive(Debug, Clone, Serialize)]
pub struct Feature {
    /// The file it was read from.
    pub path: Arc<Path>,
    /// The file's text (BOM removed, line endings kept as `\n`), for excerpts in diagnostics.
    #[serde(skip)]
    pub source: Arc<str>,
    /// `Feature`, or its translation in the file's language; empty for a file with no Feature.
    pub keyword: String,
    /// The feature's name.
    pub name: String,
    /// The free text under the Feature line.
    pub description: String,
    /// Where the Feature line is.
    pub location: Location,
    /// The tags written on the Feature.
    pub tags: Vec<Tag>,
    /// The Background of the feature, if any.
    pub background: Option<Background>,
    /// The Rules of the feature, in file order.
    pub rules: Vec<Rule>,
    /// Every case of the feature, those inside Rules included, in file order.
    pub cases: Vec<Case>,
}

/// A Rule inside a feature.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// `Rule`, or its translation.
    pub keyword: String,
    /// The rule's name.
    pub name: String,
    /// The free text under the Rule line.
    pub description: String,
    /// Where the Rule line is.
    pub location: Location,
    /// The tags written on the Rule.
    pub tags: Vec<Tag>,
    /// The Background of the rule, if any.
    pub background: Option<Background>,
}

/// The shared pre-conditions of a feature or rule.
#[derive(Debug, Clone, Serialize)]
pub struct Background {
    /// `Background`, or its translation.
    pub keyword: String,
    /// Where the Background line is.
    pub location: Location,
    /// Its steps.
    pub steps: Vec<Step>,
}

/// A tag as written, without its `@`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    /// The tag's name, e.g. `PAY-CC-014` or `req:PAY-7`.
    pub name: String,
    /// Where its `@` is.
    pub location: Location,
}

/// Whether a tester or the runner executes a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Executed by the runner through its step definitions.
    Automated,
    /// Executed by a tester, who records the result.
    Manual,
}

/// A requirement named by a tag that applies to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementRef {
    /// The requirement's ID.
    pub id: RequirementId,
    /// The tag that names it (on the Feature, Rule, Scenario or Examples).
    pub location: Location,
}

/// A test case: one Scenario or Scenario Outline.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// The case ID, from the first of the case's own tags that matches the ID pattern.
    pub id: Option<CaseId>,
    /// Every tag of the case's own that matches the ID pattern (more than one is an error).
    pub id_tags: Vec<Tag>,
    /// The scenario's title.
    pub title: String,
    /// `Scenario`, `Scenario Outline`, `Example`, or their translations.
    pub keyword: String,
    /// The free text under the Scenario line.
    pub description: String,
    /// Where the Scenario line is.
    pub location: Location,
    /// The index of the enclosing Rule in [`Feature::rules`].
    pub rule: Option<usize>,
    /// The tags written on the Scenario itself.
    pub tags: Vec<Tag>,
    /// Tags that apply through inheritance: the Feature's, then the Rule's, then its own.
    pub effective_tags: Arc<[String]>,
    /// Requirements it covers, from tags on the Feature, Rule, Scenario and any Examples.
    pub requirements: Vec<RequirementRef>,
    /// Who executes it.
    pub mode: Mode,
    /// The pre-conditions shared through Backgrounds: the Feature's, then the Rule's (one
    /// list shared by every case below the same Backgrounds). Empty for a case without
    /// steps of its own, which Gherkin runs as nothing at all.
    pub background: Arc<[Step]>,
    /// The case's own steps.
    pub steps: Vec<Step>,
    /// The Examples blocks of an outline.
    pub examples: Vec<Examples>,
    /// One execution per Examples row, or a single one for a plain Scenario.
    pub executions: Vec<Execution>,
}

impl Case {
    /// Every step a tester or the runner goes through: Background steps, then the case's own.
    pub fn all_steps(&self) -> impl Iterator<Item = &Step> {
        self.background.iter().chain(&self.steps)
    }

    /// Whether this is an outline (it has Examples).
    pub fn is_outline(&self) -> bool {
        !self.examples.is_empty()
    }

    /// The steps of one of its executions as they run: the steps of its pickle, Background
    /// steps first, each with its Examples row's values in place.
    pub fn steps_of<'a>(
        &'a self,
        execution: &'a Execution,
    ) -> impl Iterator<Item = ConcreteStep<'a>> {
        let background = self.background.iter().map(|step| (step, true));
        let own = self.steps.iter().map(|step| (step, false));
        let row = execution.row.as_ref();
        background
            .chain(own)
            .map(move |(step, background)| ConcreteStep {
                step,
                background,
                // Gherkin fills placeholders in the scenario's own steps only.
                row: row.filter(|_| !background),
            })
    }
}

/// One step of one execution: the step as written, and the Examples row whose values fill
/// its placeholders (text, data table and doc string), as Gherkin's pickles have them.
#[derive(Debug, Clone, Copy)]
pub struct ConcreteStep<'a> {
    /// The step as written.
    pub step: &'a Step,
    /// Whether it comes from a Background.
    pub background: bool,
    /// The row that fills it: `None` for a plain scenario's step and a Background step.
    row: Option<&'a ExampleRow>,
}

impl<'a> ConcreteStep<'a> {
    /// A step as written, placeholders and all: how an outline's page shows it.
    pub fn as_written(step: &'a Step, background: bool) -> Self {
        Self {
            step,
            background,
            row: None,
        }
    }

    /// Whether an Examples row fills it.
    pub fn is_filled(&self) -> bool {
        self.row.is_some()
    }

    /// `text` with the row's values in place (borrowed when there is no row).
    fn fill<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        match self.row {
            Some(row) => std::borrow::Cow::Owned(row.substitute(text)),
            None => std::borrow::Cow::Borrowed(text),
        }
    }

    /// The step's text, the row's values in place.
    pub fn text(&self) -> std::borrow::Cow<'a, str> {
        self.fill(&self.step.text)
    }

    /// The step's data table, cell by cell, the row's values in place.
    pub fn table(&self) -> Option<Vec<Vec<String>>> {
        let table = self.step.table.as_ref()?;
        Some(
            table
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|cell| self.fill(cell).into_owned())
                        .collect()
                })
                .collect(),
        )
    }

    /// The step's doc string content, the row's values in place.
    pub fn doc_string(&self) -> Option<String> {
        let doc = self.step.doc_string.as_ref()?;
        Some(self.fill(&doc.content).into_owned())
    }
}

/// The kind of a step, with `And` and `But` resolved to the step before them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// A pre-condition.
    Given = 0,
    /// An action.
    When,
    /// An expected result.
    Then,
}

/// One step of a case or Background.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The keyword as written, without trailing space (`Given`, `And`, `*`, …); shared by
    /// the steps of a file that spell it alike.
    pub keyword: Arc<str>,
    /// Given, When or Then.
    pub kind: StepKind,
    /// The text after the keyword.
    pub text: String,
    /// Where the keyword is.
    pub location: Location,
    /// A data table under the step (boxed, like the doc string: most steps have neither,
    /// and a suite holds every step of every file).
    pub table: Option<Box<Table>>,
    /// A doc string under the step.
    pub doc_string: Option<Box<DocString>>,
}

/// A doc string: its content exactly as Gherkin defines it, and its media type apart.
#[derive(Debug, Clone, Serialize)]
pub struct DocString {
    /// The lines between the delimiters, without the delimiters' indentation, escaped
    /// delimiters unescaped, joined with `\n`.
    pub content: String,
    /// What follows the opening delimiter (`json` in `"""json`), if anything.
    pub media_type: Option<String>,
    /// Where the opening delimiter is.
    pub location: Location,
}

/// A data table, or the table of an Examples block.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Where its first row is.
    pub location: Location,
    /// The cells, row by row (the first row is the header where there is one).
    pub rows: Vec<Vec<String>>,
    /// The 1-based line of each row (comment lines may sit between rows).
    pub lines: Vec<usize>,
}

/// An Examples block of a Scenario Outline.
#[derive(Debug, Clone, Serialize)]
pub struct Examples {
    /// `Examples`, `Scenarios`, or a translation.
    pub keyword: String,
    /// The block's name.
    pub name: String,
    /// Where the Examples line is.
    pub location: Location,
    /// The tags written on the block.
    pub tags: Vec<Tag>,
    /// The header and the rows; `None` for a block with no table.
    pub table: Option<Table>,
}

impl Examples {
    /// The column names: the table's first row.
    pub fn header(&self) -> &[String] {
        self.table
            .as_ref()
            .and_then(|table| table.rows.first())
            .map_or(&[], Vec::as_slice)
    }
}

/// One execution of a case: a plain scenario once, an outline once per Examples row.
#[derive(Debug, Clone, Serialize)]
pub struct Execution {
    /// The Examples row this execution comes from, if the case is an outline.
    pub row: Option<ExampleRow>,
    /// The tags that apply to it: the case's effective tags, then its Examples block's
    /// (shared with the case, or with the other rows of the block).
    pub tags: Arc<[String]>,
    /// Requirements this execution covers (the case's, plus those tagged on its Examples;
    /// shared with the other rows of the block).
    pub requirements: Arc<[RequirementId]>,
}

/// Which Examples row an execution takes its values from.
///
/// A row has two numbers, and each has one name: [`row_in_block`](Self::row_in_block)
/// counts within its own Examples table (what Cucumber's ids and a reader of the file use),
/// [`index_in_outline`](Self::index_in_outline) counts over every block of the outline (what
/// the run record, the matrix and testers' results key an execution by).
#[derive(Debug, Clone, Serialize)]
pub struct ExampleRow {
    /// The index of the block in [`Case::examples`].
    pub block: usize,
    /// The 1-based row number below its block's header.
    pub row_in_block: usize,
    /// The 1-based number of the row over every Examples block of the outline, in file order:
    /// its execution's place in [`Case::executions`] plus one.
    pub index_in_outline: usize,
    /// Where the row is.
    pub location: Location,
    /// Column name and value pairs.
    pub values: Vec<(String, String)>,
}

impl ExampleRow {
    /// Replaces every `<column>` in `text` with this row's value.
    ///
    /// Columns are replaced one after the other, as Gherkin's compiler does (a value that
    /// spells a later column's `<name>` is replaced in turn); the text is copied only for a
    /// column it names.
    pub fn substitute(&self, text: &str) -> String {
        let mut text = std::borrow::Cow::Borrowed(text);
        for (name, value) in &self.values {
            if let Some(replaced) = replace_placeholder(&text, name, value) {
                text = std::borrow::Cow::Owned(replaced);
            }
        }
        text.into_owned()
    }
}

/// `text` with every `<name>` replaced by `value`, left to right as [`str::replace`] does;
/// `None` when it has none.
fn replace_placeholder(text: &str, name: &str, value: &str) -> Option<String> {
    // Every index below is the place of an ASCII `<` found in `text`, one past it, or one
    // past a whole `<name>` matched there: each is a character boundary, so no slice can
    // split a character of the row's values or the step's text.
    let is_placeholder_at = |at: usize| {
        text[at + 1..]
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('>'))
    };
    let first = text
        .match_indices('<')
        .map(|(at, _)| at)
        .find(|&at| is_placeholder_at(at))?;
    let placeholder = name.len() + 2;
    let mut replaced = String::with_capacity(text.len() + value.len());
    replaced.push_str(&text[..first]);
    replaced.push_str(value);
    let mut rest = first + placeholder;
    while let Some(offset) = text[rest..].find('<') {
        let at = rest + offset;
        if is_placeholder_at(at) {
            replaced.push_str(&text[rest..at]);
            replaced.push_str(value);
            rest = at + placeholder;
        } else {
            replaced.push_str(&text[rest..=at]);
            rest = at + 1;
        }
    }
    replaced.push_str(&text[rest..]);
    Some(replaced)
}

#[cfg(test)]
mod tests {
    use super::ExampleRow;

    fn row(values: &[(&str, &str)]) -> ExampleRow {
        ExampleRow {
            block: 0,
            row_in_block: 1,
            index_in_outline: 1,
            location: crate::location::Location {
                path: std::path::Path::new("outline.feature").into(),
                line: 9,
                column: 5,
            },
            values: values
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn substitution_replaces_columns_one_after_the_other_as_str_replace_would() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("a", "1")], "no placeholder"),
            (&[("a", "1")], "<a> and <a>, <b>"),
            (&[("a", "<b>"), ("b", "2")], "<a> then <b>"),
            (&[("b", "2"), ("a", "<b>")], "<a> then <b>"),
            (&[("a", "x")], "<<a>> <a <a>"),
            (&[("x<y", "v")], "<x<y> <x<y>>"),
            (&[("", "empty")], "<> <a>"),
            (&[("é", "ü")], "<é>€<é>"),
        ];
        for (values, text) in cases {
            let expected = values
                .iter()
                .fold((*text).to_owned(), |text, (name, value)| {
                    text.replace(&format!("<{name}>"), value)
                });
            assert_eq!(
                row(values).substitute(text),
                expected,
                "{text} with {values:?}"
            );
        }
    }
}
