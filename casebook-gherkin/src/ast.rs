//! The Gherkin document as the Cucumber Messages protocol describes it (`GherkinDocument` and
//! everything in it).
//!
//! Field names and optional fields follow the messages JSON schema, so that serialising a
//! document gives, key for key, what the official parsers print: camelCase names, and an
//! optional field left out rather than written as `null`.

use serde::{Deserialize, Serialize};

/// A position in a source file: 1-based line and, when known, 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The line, counting from 1.
    pub line: u32,
    /// The column, counting from 1; absent where the parser has none (the end of the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Location {
    /// A location with both a line and a column.
    pub fn new(line: u32, column: u32) -> Self {
        Location {
            line,
            column: Some(column),
        }
    }
}

/// A parsed feature file: its feature (none for a file without one) and every comment in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GherkinDocument {
    /// The path or URI the document was parsed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The feature; absent for an empty file or one with only comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<Feature>,
    /// Every comment line of the file, in order.
    pub comments: Vec<Comment>,
}

/// A `# ...` comment line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// Where the comment is; its column is always 1, since the text keeps the indentation.
    pub location: Location,
    /// The whole line, leading whitespace included.
    pub text: String,
}

/// A `Feature:` with its tags, description and children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Feature {
    /// Where the `Feature:` keyword is.
    pub location: Location,
    /// The tags above the keyword.
    pub tags: Vec<Tag>,
    /// The language code of the keywords (`en`, `fr`, ...).
    pub language: String,
    /// The keyword as written (`Feature`, `Fonctionnalité`, ...). Markdown lets a document
    /// start without a `# Feature:` header; its first line is then the feature's name, and
    /// the feature has no keyword, which the official parser leaves out of the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// The text after the keyword and its colon, trimmed.
    pub name: String,
    /// The free text under the keyword line, up to the first child.
    pub description: String,
    /// The background, scenarios and rules, in order.
    pub children: Vec<FeatureChild>,
}

/// A child of a feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FeatureChild {
    /// A `Rule:` with its own children.
    Rule(Rule),
    /// The feature's `Background:`.
    Background(Background),
    /// A `Scenario:` or `Scenario Outline:`.
    Scenario(Scenario),
}

/// A `Rule:` with its tags, description and children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Where the `Rule:` keyword is.
    pub location: Location,
    /// The tags above the keyword.
    pub tags: Vec<Tag>,
    /// The keyword as written.
    pub keyword: String,
    /// The text after the keyword and its colon, trimmed.
    pub name: String,
    /// The free text under the keyword line.
    pub description: String,
    /// The rule's background and scenarios, in order.
    pub children: Vec<RuleChild>,
    /// The node's id.
    pub id: String,
}

/// A child of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleChild {
    /// The rule's `Background:`.
    Background(Background),
    /// A `Scenario:` or `Scenario Outline:`.
    Scenario(Scenario),
}

/// A `Background:`: steps run before every scenario of its feature or rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Background {
    /// Where the keyword is.
    pub location: Location,
    /// The keyword as written.
    pub keyword: String,
    /// The text after the keyword and its colon, trimmed.
    pub name: String,
    /// The free text under the keyword line.
    pub description: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// The node's id.
    pub id: String,
}

/// A `Scenario:` or, with examples, a `Scenario Outline:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Where the keyword is.
    pub location: Location,
    /// The tags above the keyword.
    pub tags: Vec<Tag>,
    /// The keyword as written (`Scenario`, `Scenario Outline`, `Example`, ...).
    pub keyword: String,
    /// The text after the keyword and its colon, trimmed.
    pub name: String,
    /// The free text under the keyword line.
    pub description: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// The `Examples:` blocks; a scenario with any is an outline.
    pub examples: Vec<Examples>,
    /// The node's id.
    pub id: String,
}

/// An `Examples:` block of a scenario outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Examples {
    /// Where the keyword is.
    pub location: Location,
    /// The tags above the keyword.
    pub tags: Vec<Tag>,
    /// The keyword as written.
    pub keyword: String,
    /// The text after the keyword and its colon, trimmed.
    pub name: String,
    /// The free text under the keyword line.
    pub description: String,
    /// The first row of the table: the names of the outline's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_header: Option<TableRow>,
    /// The other rows: one pickle each.
    pub table_body: Vec<TableRow>,
    /// The node's id.
    pub id: String,
}

/// A step: keyword and text, with an optional doc string or data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Where the keyword is.
    pub location: Location,
    /// The keyword as written, trailing space included (`Given `, `* `, ...).
    pub keyword: String,
    /// What kind of keyword it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword_type: Option<KeywordType>,
    /// The text after the keyword.
    pub text: String,
    /// The doc string under the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_string: Option<DocString>,
    /// The data table under the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_table: Option<DataTable>,
    /// The node's id.
    pub id: String,
}

/// The kind of a step keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeywordType {
    /// A keyword that is more than one kind at once, like `* `.
    Unknown,
    /// `Given`.
    Context,
    /// `When`.
    Action,
    /// `Then`.
    Outcome,
    /// `And`, `But`: the kind of the step before.
    Conjunction,
}

/// A doc string: the lines between two `"""` or two ```` ``` ```` separators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocString {
    /// Where the opening separator is.
    pub location: Location,
    /// The text after the opening separator (`json`, `xml`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The lines, without the separator's indentation, joined with `\n`.
    pub content: String,
    /// The separator as written (`"""` or ```` ``` ````).
    pub delimiter: String,
}

/// A data table under a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataTable {
    /// Where the first row is.
    pub location: Location,
    /// The rows; every row has as many cells as the first.
    pub rows: Vec<TableRow>,
}

/// A `| ... |` row of a data table or an examples table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// Where the row's first `|` is.
    pub location: Location,
    /// The cells.
    pub cells: Vec<TableCell>,
    /// The node's id.
    pub id: String,
}

/// A cell of a table row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableCell {
    /// Where the cell's value starts.
    pub location: Location,
    /// The value, trimmed, with `\n`, `\|` and `\\` unescaped.
    pub value: String,
}

/// A `@tag`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// Where the `@` is.
    pub location: Location,
    /// The tag, `@` included.
    pub name: String,
    /// The node's id.
    pub id: String,
}
