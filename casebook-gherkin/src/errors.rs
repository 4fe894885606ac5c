//! The problems a parse can find, worded exactly as the official parser words them.

use crate::ast::Location;
use crate::token::TokenType;

/// A problem found while parsing: its message, which starts with `(line:column): `, and its
/// location. The parser turns these into `ParseError` messages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    message: String,
    location: Location,
}

impl Problem {
    /// A problem at `line` and, when known, `column`; the message shows a missing column as 0.
    pub fn new(text: &str, line: u32, column: Option<u32>) -> Self {
        Problem {
            message: format!("({line}:{}): {text}", column.unwrap_or(0)),
            location: Location { line, column },
        }
    }

    /// A line that no transition of the parser's state accepts.
    pub fn unexpected_token(expected: &[TokenType], line: u32, column: u32, got: &str) -> Self {
        let text = format!("expected: {}, got '{got}'", expected_list(expected));
        Problem::new(&text, line, Some(column))
    }

    /// The end of the file where the parser's state needs more.
    pub fn unexpected_eof(expected: &[TokenType], line: u32) -> Self {
        let text = format!(
            "unexpected end of file, expected: {}",
            expected_list(expected)
        );
        Problem::new(&text, line, None)
    }

    /// The full message, location prefix included.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the problem is.
    pub fn location(&self) -> Location {
        self.location
    }
}

fn expected_list(expected: &[TokenType]) -> String {
    let names: Vec<String> = expected
        .iter()
        .map(|token| format!("#{}", token.name()))
        .collect();
    names.join(", ")
}
