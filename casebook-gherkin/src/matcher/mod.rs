//! Token matchers: they decide whether a line is a token of a given type and, if so, fill
//! the token in (keyword, text, cells or tags, column).
//!
//! The parser asks in the order its state's transitions say, so a matcher only answers one
//! question at a time. There are two dialects: classic Gherkin (`.feature`) and Markdown
//! with Gherkin (`.feature.md`).

mod classic;
mod markdown;

pub(crate) use classic::ClassicMatcher;
pub(crate) use markdown::MarkdownMatcher;

use crate::errors::Problem;
use crate::token::{Token, TokenType};

/// Recognises the lines of one dialect.
pub(crate) trait TokenMatcher<'a> {
    /// Whether `token` is of type `kind`; if so the token is filled in. A problem (a tag with
    /// whitespace, an unknown language) means no match, and is reported by the parser.
    fn match_token(&mut self, kind: TokenType, token: &mut Token<'a>) -> Result<bool, Problem>;
}
