//! The matcher of classic Gherkin: keywords at the start of a line, `|` tables, `"""` and
//! ```` ``` ```` doc strings, `@` tags, `#` comments and the `# language:` header.

use std::borrow::Cow;

use super::TokenMatcher;
use crate::ast::KeywordType;
use crate::errors::Problem;
use crate::languages::{self, Dialect};
use crate::line::{Item, Line, is_js_whitespace};
use crate::token::{Token, TokenType};

const QUOTES: &str = "\"\"\"";
const BACKTICKS: &str = "```";

/// Matches the lines of a `.feature` file.
pub(crate) struct ClassicMatcher {
    dialect: &'static Dialect,
    /// The separator of the doc string being read, if any.
    doc_string_separator: Option<&'static str>,
    /// The indentation of that doc string's opening separator, removed from its lines.
    indent_to_remove: u32,
}

/// What a successful match writes into the token.
struct Matched<'a> {
    kind: TokenType,
    text: Option<Cow<'a, str>>,
    keyword: Option<&'a str>,
    keyword_type: Option<KeywordType>,
    /// `None`: the line's own indentation.
    indent: Option<u32>,
    items: Vec<Item<'a>>,
}

impl<'a> Matched<'a> {
    fn new(kind: TokenType) -> Self {
        Matched {
            kind,
            text: None,
            keyword: None,
            keyword_type: None,
            indent: None,
            items: Vec::new(),
        }
    }
}

impl ClassicMatcher {
    /// A matcher for documents in `dialect` until a `# language:` header says otherwise.
    pub fn new(dialect: &'static Dialect) -> Self {
        ClassicMatcher {
            dialect,
            doc_string_separator: None,
            indent_to_remove: 0,
        }
    }

    fn set<'a>(&self, token: &mut Token<'a>, matched: Matched<'a>) {
        let indent = matched
            .indent
            .unwrap_or_else(|| token.line.as_ref().map_or(0, |line| line.indent));
        token.matched_type = Some(matched.kind);
        token.matched_text = matched.text;
        token.matched_keyword = matched.keyword;
        token.matched_keyword_type = matched.keyword_type;
        token.matched_indent = indent;
        token.matched_items = matched.items;
        token.column = Some(indent + 1);
        token.dialect = &self.dialect.code;
    }

    fn title_line<'a>(
        &self,
        token: &mut Token<'a>,
        kind: TokenType,
        keywords: &'static [String],
    ) -> bool {
        let Some(line) = token.line else { return false };
        for keyword in keywords {
            if line.starts_with_title_keyword(keyword) {
                let mut matched = Matched::new(kind);
                matched.text = Some(Cow::Borrowed(line.rest_trimmed(keyword.len() + 1)));
                matched.keyword = Some(keyword);
                self.set(token, matched);
                return true;
            }
        }
        false
    }

    fn step_line(&self, token: &mut Token<'_>) -> bool {
        let Some(line) = token.line else { return false };
        for step in self.dialect.step_keywords() {
            if line.starts_with(&step.keyword) {
                let mut matched = Matched::new(TokenType::StepLine);
                matched.text = Some(Cow::Borrowed(line.rest_trimmed(step.keyword.len())));
                matched.keyword = Some(&step.keyword);
                matched.keyword_type = Some(step.keyword_type);
                self.set(token, matched);
                return true;
            }
        }
        false
    }

    fn doc_string_separator(&mut self, token: &mut Token<'_>) -> bool {
        match self.doc_string_separator {
            None => self.separator(token, QUOTES, true) || self.separator(token, BACKTICKS, true),
            Some(open) => self.separator(token, open, false),
        }
    }

    fn separator(&mut self, token: &mut Token<'_>, separator: &'static str, open: bool) -> bool {
        let Some(line) = token.line else { return false };
        if !line.starts_with(separator) {
            return false;
        }
        let mut matched = Matched::new(TokenType::DocStringSeparator);
        if open {
            // What follows the opening separator is the media type.
            matched.text = Some(Cow::Borrowed(line.rest_trimmed(separator.len())));
            self.doc_string_separator = Some(separator);
            self.indent_to_remove = line.indent;
        } else {
            self.doc_string_separator = None;
            self.indent_to_remove = 0;
        }
        matched.keyword = Some(separator);
        self.set(token, matched);
        true
    }

    fn other<'a>(&self, token: &mut Token<'a>) -> bool {
        let Some(line) = token.line else { return false };
        let text = line.text_without_indent(self.indent_to_remove);
        let mut matched = Matched::new(TokenType::Other);
        matched.text = Some(self.unescape_doc_string(text));
        matched.indent = Some(0);
        self.set(token, matched);
        true
    }

    /// Inside a doc string, an escaped separator (`\"\"\"`) stands for the separator itself.
    /// Like the official parser, only the first one on a line is unescaped.
    fn unescape_doc_string<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let (escaped, separator) = match self.doc_string_separator {
            Some(QUOTES) => ("\\\"\\\"\\\"", QUOTES),
            Some(BACKTICKS) => ("\\`\\`\\`", BACKTICKS),
            _ => return Cow::Borrowed(text),
        };
        if text.contains(escaped) {
            Cow::Owned(text.replacen(escaped, separator, 1))
        } else {
            Cow::Borrowed(text)
        }
    }

    fn language(&mut self, token: &mut Token<'_>) -> Result<bool, Problem> {
        let Some(line) = token.line else {
            return Ok(false);
        };
        let Some(code) = language_header(line.trimmed) else {
            return Ok(false);
        };
        let mut matched = Matched::new(TokenType::Language);
        matched.text = Some(Cow::Borrowed(code));
        self.set(token, matched);
        match languages::dialect(code) {
            Some(dialect) => {
                self.dialect = dialect;
                Ok(true)
            }
            None => Err(Problem::new(
                &format!("Language not supported: {code}"),
                token.line_number,
                token.column,
            )),
        }
    }

    fn tag_line(&self, token: &mut Token<'_>) -> Result<bool, Problem> {
        let Some(line) = token.line else {
            return Ok(false);
        };
        if !line.starts_with("@") {
            return Ok(false);
        }
        let mut matched = Matched::new(TokenType::TagLine);
        matched.items = line.tags()?;
        self.set(token, matched);
        Ok(true)
    }

    fn simple(&self, token: &mut Token<'_>, kind: TokenType, test: impl Fn(&Line) -> bool) -> bool {
        let Some(line) = token.line else { return false };
        if !test(&line) {
            return false;
        }
        let mut matched = Matched::new(kind);
        match kind {
            TokenType::Comment => {
                // A comment is the whole line, indentation included, at column 1.
                matched.text = Some(Cow::Borrowed(line.text));
                matched.indent = Some(0);
            }
            TokenType::Empty => matched.indent = Some(0),
            TokenType::TableRow => matched.items = line.table_cells(),
            _ => {}
        }
        self.set(token, matched);
        true
    }
}

impl<'a> TokenMatcher<'a> for ClassicMatcher {
    fn match_token(&mut self, kind: TokenType, token: &mut Token<'a>) -> Result<bool, Problem> {
        let dialect = self.dialect;
        Ok(match kind {
            TokenType::Eof => {
                if !token.is_eof() {
                    return Ok(false);
                }
                self.set(token, Matched::new(TokenType::Eof));
                true
            }
            TokenType::Empty => self.simple(token, kind, |line| line.is_empty()),
            TokenType::Comment => self.simple(token, kind, |line| line.starts_with("#")),
            TokenType::TableRow => self.simple(token, kind, |line| line.starts_with("|")),
            TokenType::TagLine => return self.tag_line(token),
            TokenType::Language => return self.language(token),
            TokenType::FeatureLine => self.title_line(token, kind, &dialect.feature),
            TokenType::RuleLine => self.title_line(token, kind, &dialect.rule),
            TokenType::BackgroundLine => self.title_line(token, kind, &dialect.background),
            TokenType::ScenarioLine => {
                self.title_line(token, kind, &dialect.scenario)
                    || self.title_line(token, kind, &dialect.scenario_outline)
            }
            TokenType::ExamplesLine => self.title_line(token, kind, &dialect.examples),
            TokenType::StepLine => self.step_line(token),
            TokenType::DocStringSeparator => self.doc_string_separator(token),
            TokenType::Other => self.other(token),
        })
    }
}

fn skip_space(s: &str) -> &str {
    s.trim_start_matches(is_js_whitespace)
}

/// The language code of a `# language: xx` header line (given without its indentation).
fn language_header(text: &str) -> Option<&str> {
    let rest = skip_space(text).strip_prefix('#')?;
    let rest = skip_space(rest).strip_prefix("language")?;
    let rest = skip_space(rest).strip_prefix(':')?;
    let rest = skip_space(rest);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (code, tail) = rest.split_at(end);
    (!code.is_empty() && skip_space(tail).is_empty()).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_headers() {
        assert_eq!(language_header("# language: fr"), Some("fr"));
        assert_eq!(language_header("#language:en-old  "), Some("en-old"));
        assert_eq!(language_header("# language : no_such"), Some("no_such"));
        assert_eq!(language_header("# language: fr # comment"), None);
        assert_eq!(language_header("# language:"), None);
        assert_eq!(language_header("# lang: fr"), None);
    }
}
