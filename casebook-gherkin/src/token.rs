//! Tokens: one per line, typed by the matcher that recognised the line, and the scanner
//! that cuts a source into lines.

use std::borrow::Cow;

use crate::ast::{KeywordType, Location};
use crate::line::{Item, Line, js_trim};

/// What a line is, as the grammar sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenType {
    Eof,
    Empty,
    Comment,
    TagLine,
    FeatureLine,
    RuleLine,
    BackgroundLine,
    ScenarioLine,
    ExamplesLine,
    StepLine,
    DocStringSeparator,
    TableRow,
    Language,
    Other,
}

impl TokenType {
    /// The name used in error messages (after a `#`) and in token dumps.
    pub fn name(self) -> &'static str {
        match self {
            TokenType::Eof => "EOF",
            TokenType::Empty => "Empty",
            TokenType::Comment => "Comment",
            TokenType::TagLine => "TagLine",
            TokenType::FeatureLine => "FeatureLine",
            TokenType::RuleLine => "RuleLine",
            TokenType::BackgroundLine => "BackgroundLine",
            TokenType::ScenarioLine => "ScenarioLine",
            TokenType::ExamplesLine => "ExamplesLine",
            TokenType::StepLine => "StepLine",
            TokenType::DocStringSeparator => "DocStringSeparator",
            TokenType::TableRow => "TableRow",
            TokenType::Language => "Language",
            TokenType::Other => "Other",
        }
    }
}

/// A line (or the end of the file) and what the matchers found in it.
///
/// The fields mirror the official parser's token, including its habit of keeping what an
/// earlier, failed match attempt wrote: the Markdown matcher relies on it.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    /// The line; `None` at the end of the file.
    pub line: Option<Line<'a>>,
    /// The line number (for the end of the file, one past the last line).
    pub line_number: u32,
    /// The column the last match attempt set.
    pub column: Option<u32>,
    /// What the line is.
    pub matched_type: Option<TokenType>,
    /// The name after a keyword, a description or doc string line, a comment, a media type.
    pub matched_text: Option<Cow<'a, str>>,
    /// The keyword as written, or a doc string's separator.
    pub matched_keyword: Option<&'a str>,
    /// The kind of a step keyword.
    pub matched_keyword_type: Option<KeywordType>,
    /// A table row's cells or a tag line's tags.
    pub matched_items: Vec<Item<'a>>,
    /// Where the token's content starts (its column is one more).
    pub matched_indent: u32,
    /// The language of the keywords when the token was matched.
    pub dialect: &'static str,
}

impl<'a> Token<'a> {
    fn new(line: Option<Line<'a>>, line_number: u32) -> Self {
        Token {
            line,
            line_number,
            column: None,
            matched_type: None,
            matched_text: None,
            matched_keyword: None,
            matched_keyword_type: None,
            matched_items: Vec::new(),
            matched_indent: 0,
            dialect: "",
        }
    }

    /// Whether this is the end of the file.
    pub fn is_eof(&self) -> bool {
        self.line.is_none()
    }

    /// Where the token is, as the matcher left it.
    pub fn location(&self) -> Location {
        Location {
            line: self.line_number,
            column: self.column,
        }
    }

    /// The matched text, or an empty string.
    pub fn text(&self) -> &str {
        self.matched_text.as_deref().unwrap_or("")
    }

    /// Takes the matched text out of the token.
    pub fn take_text(&mut self) -> String {
        self.matched_text
            .take()
            .map(Cow::into_owned)
            .unwrap_or_default()
    }

    /// The line as an error message quotes it: trimmed.
    pub fn value_for_error(&self) -> &'a str {
        match &self.line {
            Some(line) => js_trim(line.trimmed),
            None => "EOF",
        }
    }

    /// The token as the official token dumps print it:
    /// `(line:column)Type:(KeywordType)Keyword/Text/column:item,...`.
    pub fn dump(&self) -> String {
        if self.is_eof() {
            return "EOF".to_owned();
        }
        let column = self.column.map(|c| c.to_string()).unwrap_or_default();
        let kind = self.matched_type.map_or("undefined", TokenType::name);
        let keyword = match self.matched_keyword {
            Some(keyword) if !keyword.is_empty() => {
                let kind = self
                    .matched_keyword_type
                    .map(|kind| format!("{kind:?}"))
                    .unwrap_or_default();
                format!("({kind}){keyword}")
            }
            _ => String::new(),
        };
        let items: Vec<String> = self
            .matched_items
            .iter()
            .map(|item| format!("{}:{}", item.column, item.text))
            .collect();
        format!(
            "({}:{column}){kind}:{keyword}/{}/{}",
            self.line_number,
            self.text(),
            items.join(",")
        )
    }
}

/// Cuts a source into line tokens, then an end-of-file token.
///
/// Lines end at `\n` or `\r\n`. A blank last line (what follows the final line break) is not
/// a line, as in the official scanner. A byte order mark at the start is skipped.
pub(crate) struct Scanner<'a> {
    rest: Option<&'a str>,
    line_number: u32,
}

impl<'a> Scanner<'a> {
    pub fn new(source: &'a str) -> Self {
        let source = source.strip_prefix('\u{FEFF}').unwrap_or(source);
        Scanner {
            rest: Some(source),
            line_number: 0,
        }
    }

    /// The next token; after the last line, end-of-file tokens.
    pub fn read(&mut self) -> Token<'a> {
        self.line_number += 1;
        let line = self.next_line();
        Token::new(
            line.map(|text| Line::new(text, self.line_number)),
            self.line_number,
        )
    }

    fn next_line(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.find('\n') {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                let line = &rest[..at];
                Some(line.strip_suffix('\r').unwrap_or(line))
            }
            None => {
                self.rest = None;
                // The text after the last line break is a line unless it is blank.
                if js_trim(rest).is_empty() {
                    None
                } else {
                    Some(rest)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(source: &str) -> Vec<String> {
        let mut scanner = Scanner::new(source);
        let mut lines = Vec::new();
        loop {
            let token = scanner.read();
            match token.line {
                Some(line) => lines.push(format!("{}:{}", line.number, line.text)),
                None => {
                    lines.push(format!("{}:EOF", token.line_number));
                    return lines;
                }
            }
        }
    }

    #[test]
    fn a_final_line_break_or_blank_line_is_no_line() {
        assert_eq!(lines("a\nb\n"), ["1:a", "2:b", "3:EOF"]);
        assert_eq!(lines("a\r\nb  "), ["1:a", "2:b  ", "3:EOF"]);
        assert_eq!(lines("a\n  "), ["1:a", "2:EOF"]);
        assert_eq!(lines("a\n\n"), ["1:a", "2:", "3:EOF"]);
        assert_eq!(lines(""), ["1:EOF"]);
        assert_eq!(lines("\u{FEFF}a"), ["1:a", "2:EOF"]);
    }
}
