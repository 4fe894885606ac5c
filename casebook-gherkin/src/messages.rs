//! The envelopes the official `gherkin` tool prints, one JSON object per line:
//! `{"source":…}`, `{"gherkinDocument":…}`, `{"pickle":…}` and `{"parseError":…}`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ast::{GherkinDocument, Location};
use crate::pickles::Pickle;

/// One message of the Cucumber Messages protocol, of the kinds a parser produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Envelope {
    /// The text of a source file.
    Source(Source),
    /// The AST of a source file.
    GherkinDocument(GherkinDocument),
    /// A test case compiled from a scenario or an examples row.
    Pickle(Pickle),
    /// A syntax error.
    ParseError(ParseError),
}

impl Envelope {
    /// The envelope as one line of NDJSON, without the line break.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialise to JSON")
    }
}

/// A source file's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The path or URI of the file.
    pub uri: String,
    /// The whole text.
    pub data: String,
    /// Whether it is classic Gherkin or Markdown with Gherkin.
    pub media_type: MediaType,
}

/// The two kinds of Gherkin source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaType {
    /// Classic Gherkin, a `.feature` file.
    #[serde(rename = "text/x.cucumber.gherkin+plain")]
    Plain,
    /// Markdown with Gherkin, a `.feature.md` file.
    #[serde(rename = "text/x.cucumber.gherkin+markdown")]
    Markdown,
}

impl MediaType {
    /// The kind of source a path or URI names: Markdown when it ends in `.md`, else classic.
    pub fn of_uri(uri: &str) -> Self {
        if uri.ends_with(".md") {
            MediaType::Markdown
        } else {
            MediaType::Plain
        }
    }
}

/// A syntax error, with the official parser's message (which starts with `(line:column): `).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParseError {
    /// Where the error is.
    pub source: SourceReference,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source.uri {
            Some(uri) => write!(f, "{uri}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// A place in a source file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceReference {
    /// The file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The line and column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}
