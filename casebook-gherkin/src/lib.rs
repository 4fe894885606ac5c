//! A Gherkin parser and pickle compiler that conforms to the official Cucumber parsers.
//!
//! [`parse`] reads a feature file into a [`GherkinDocument`] (or every syntax error in it),
//! [`compile`] turns a document into [`Pickle`]s, the test cases a runner executes, and
//! [`envelopes`] does both and wraps the results in the messages the official `gherkin`
//! tool prints. Classic Gherkin (`.feature`) and Markdown with Gherkin (`.feature.md`) are
//! both read, in every language of `gherkin-languages.json`.
//!
//! The stages, one module each: [`languages`] (keywords), `line` and `token` (lines and
//! tokens), `matcher` (which kind of line a line is, per dialect), `grammar` and `parser`
//! (the grammar's state machine and its error recovery), `builder` (tokens to [`ast`]),
//! [`pickles`] (the compiler), [`ids`] and [`messages`].
//!
//! ```
//! use casebook_gherkin::{IncrementingIds, compile, parse};
//!
//! let source = "Feature: Shop\n  Scenario: Buy\n    Given a cart\n";
//! let mut ids = IncrementingIds::new();
//! let document = parse(source, "shop.feature", &mut ids).unwrap();
//! let pickles = compile(&document, "shop.feature", &mut ids);
//! assert_eq!(pickles[0].name, "Buy");
//! assert_eq!(pickles[0].steps[0].text, "a cart");
//! ```

pub mod ast;
mod builder;
mod errors;
mod grammar;
pub mod ids;
pub mod languages;
mod line;
mod matcher;
pub mod messages;
mod parser;
pub mod pickles;
mod token;

pub use ast::GherkinDocument;
pub use ids::{IdGenerator, IncrementingIds, RunIds, UuidIds};
pub use messages::{Envelope, MediaType, ParseError, Source, SourceReference};
pub use pickles::{Pickle, compile};

use builder::{AstBuilder, Builder, TokenDump};
use errors::Problem;
use matcher::{ClassicMatcher, MarkdownMatcher, TokenMatcher};
use parser::Parser;

/// Parses a feature file. `uri` names it in the document and the errors, and chooses the
/// dialect: Markdown with Gherkin when it ends in `.md`, classic Gherkin otherwise.
///
/// On a syntax error the result is every error of the file (up to eleven), as the official
/// parser reports them. Ids are drawn from `ids` as the official parser draws them, errors
/// or not.
pub fn parse(
    source: &str,
    uri: &str,
    ids: &mut (impl IdGenerator + ?Sized),
) -> Result<GherkinDocument, Vec<ParseError>> {
    let (builder, problems) = run(source, uri, AstBuilder::new(ids));
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|problem| parse_error(problem, uri))
            .collect());
    }
    let mut document = builder.result().unwrap_or(GherkinDocument {
        uri: None,
        feature: None,
        comments: Vec::new(),
    });
    document.uri = Some(uri.to_owned());
    Ok(document)
}

/// Which messages [`envelopes`] produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The `source` message.
    pub source: bool,
    /// The `gherkinDocument` message.
    pub ast: bool,
    /// The `pickle` messages.
    pub pickles: bool,
}

impl Default for Options {
    /// Everything.
    fn default() -> Self {
        Options {
            source: true,
            ast: true,
            pickles: true,
        }
    }
}

/// The messages the official `gherkin` tool prints for a file: its `source`, then its
/// `gherkinDocument` and `pickle`s, or, for a file with syntax errors, a `parseError` each.
pub fn envelopes(
    uri: &str,
    source: &str,
    options: Options,
    ids: &mut (impl IdGenerator + ?Sized),
) -> Vec<Envelope> {
    let mut envelopes = Vec::new();
    if options.source {
        envelopes.push(Envelope::Source(Source {
            uri: uri.to_owned(),
            data: source.to_owned(),
            media_type: MediaType::of_uri(uri),
        }));
    }
    if !options.ast && !options.pickles {
        return envelopes;
    }
    match parse(source, uri, ids) {
        Ok(document) => {
            let pickles = if options.pickles {
                compile(&document, uri, ids)
            } else {
                Vec::new()
            };
            if options.ast {
                envelopes.push(Envelope::GherkinDocument(document));
            }
            envelopes.extend(pickles.into_iter().map(Envelope::Pickle));
        }
        Err(errors) => envelopes.extend(errors.into_iter().map(Envelope::ParseError)),
    }
    envelopes
}

/// The tokens of a good file as the official token dumps print them, one per line: a check
/// of the token matchers against the conformance data, not an API.
#[doc(hidden)]
pub fn tokens(source: &str, uri: &str) -> String {
    let (dump, _problems) = run(source, uri, TokenDump::default());
    dump.result()
}

/// Runs the parser with the matcher of the uri's dialect.
fn run<'a, B: Builder<'a>>(source: &'a str, uri: &str, builder: B) -> (B, Vec<Problem>) {
    let dialect = languages::default_dialect();
    match MediaType::of_uri(uri) {
        MediaType::Plain => with_matcher(source, ClassicMatcher::new(dialect), builder),
        MediaType::Markdown => with_matcher(source, MarkdownMatcher::new(dialect), builder),
    }
}

fn with_matcher<'a, M: TokenMatcher<'a>, B: Builder<'a>>(
    source: &'a str,
    matcher: M,
    builder: B,
) -> (B, Vec<Problem>) {
    Parser::new(source, matcher, builder).parse()
}

fn parse_error(problem: Problem, uri: &str) -> ParseError {
    ParseError {
        source: SourceReference {
            uri: Some(uri.to_owned()),
            location: Some(problem.location()),
        },
        message: problem.message().to_owned(),
    }
}
