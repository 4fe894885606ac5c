//! The matcher of Markdown with Gherkin (`.feature.md`): keywords in `#` headers, steps in
//! `*`/`-`/`+` list items, GFM tables indented 2 to 5 spaces, fenced code blocks as doc
//! strings and `` `@tags` `` in backticks. Every other line is prose, read as a blank line.
//!
//! This follows the official JavaScript matcher closely, quirks included, because the
//! official output depends on them: matching a blank line first tries every other kind of
//! line (and so can open or close a doc string), a table's separator row (`| --- |`) counts
//! as a comment that is not recorded, and a document without a `# Feature:` header takes
//! its first line as the feature's name. Where the JavaScript matcher leaves a token's type
//! or column unset (separator rows, tag lines), this one sets them as the official token
//! dumps show, which changes nothing in the document.

use std::borrow::Cow;

use super::TokenMatcher;
use crate::errors::Problem;
use crate::languages::Dialect;
use crate::line::{Item, Line, is_js_whitespace, js_trim};
use crate::token::{Token, TokenType};

/// What must come before a keyword.
#[derive(Clone, Copy)]
enum Prefix {
    /// A Markdown header: one to six `#` and a whitespace character.
    Header,
    /// A list item: `*`, `+` or `-`, then any whitespace.
    Bullet,
}

/// Matches the lines of a `.feature.md` file. Markdown documents have no `# language:`
/// header: they are in the default language.
pub(crate) struct MarkdownMatcher<'a> {
    dialect: &'static Dialect,
    /// The step keywords but `* ` (a bullet already), longest first.
    step_keywords: Vec<&'static str>,
    /// The fence of the doc string being read, if any, as written on its opening line.
    doc_string_fence: Option<&'a str>,
    indent_to_remove: u32,
    matched_feature_line: bool,
}

impl<'a> MarkdownMatcher<'a> {
    /// A matcher for Markdown documents in `dialect`.
    pub fn new(dialect: &'static Dialect) -> Self {
        let step_keywords = dialect
            .step_keywords()
            .iter()
            .map(|step| step.keyword.as_str())
            .filter(|keyword| *keyword != "* ")
            .collect();
        MarkdownMatcher {
            dialect,
            step_keywords,
            doc_string_fence: None,
            indent_to_remove: 0,
            matched_feature_line: false,
        }
    }

    /// Records the column (and language) of an attempt, matched or not, as the official
    /// matcher does; returns `matched`.
    fn set_matched(&self, token: &mut Token<'a>, indent: Option<u32>, matched: bool) -> bool {
        token.dialect = &self.dialect.code;
        token.matched_indent =
            indent.unwrap_or_else(|| token.line.as_ref().map_or(0, |line| line.indent));
        token.column = Some(token.matched_indent + 1);
        matched
    }

    fn title_line(
        &self,
        token: &mut Token<'a>,
        prefix: Prefix,
        keywords: &[&'static str],
        colon: bool,
        kind: TokenType,
    ) -> bool {
        let Some(line) = token.line else { return false };
        let mut indent = line.indent;
        let mut result = false;
        if let Some((prefix_len, keyword, rest)) = title(line.trimmed, prefix, keywords, colon) {
            token.matched_type = Some(kind);
            token.matched_keyword = Some(keyword);
            if let Some(kind) = self.dialect.keyword_type(keyword) {
                token.matched_keyword_type = Some(kind);
            }
            token.matched_text = Some(Cow::Borrowed(js_trim(rest)));
            indent += prefix_len;
            result = true;
        }
        self.set_matched(token, Some(indent), result)
    }

    fn keywords(list: &'static [String]) -> Vec<&'static str> {
        list.iter().map(String::as_str).collect()
    }

    fn feature_line(&mut self, token: &mut Token<'a>) -> bool {
        if self.matched_feature_line {
            return self.set_matched(token, None, false);
        }
        let keywords = Self::keywords(&self.dialect.feature);
        let mut result = self.title_line(
            token,
            Prefix::Header,
            &keywords,
            true,
            TokenType::FeatureLine,
        );
        if !result {
            // Without a `# Feature:` header, the first line names the feature.
            let Some(line) = token.line else { return false };
            token.matched_type = Some(TokenType::FeatureLine);
            token.matched_text = Some(Cow::Borrowed(line.trimmed));
            result = self.set_matched(token, None, true);
        }
        self.matched_feature_line = result;
        result
    }

    fn scenario_line(&self, token: &mut Token<'a>) -> bool {
        let scenario = Self::keywords(&self.dialect.scenario);
        let outline = Self::keywords(&self.dialect.scenario_outline);
        self.title_line(
            token,
            Prefix::Header,
            &scenario,
            true,
            TokenType::ScenarioLine,
        ) || self.title_line(
            token,
            Prefix::Header,
            &outline,
            true,
            TokenType::ScenarioLine,
        )
    }

    fn header_line(&self, token: &mut Token<'a>, kind: TokenType, list: &'static [String]) -> bool {
        let keywords = Self::keywords(list);
        self.title_line(token, Prefix::Header, &keywords, true, kind)
    }

    fn step_line(&self, token: &mut Token<'a>) -> bool {
        self.title_line(
            token,
            Prefix::Bullet,
            &self.step_keywords,
            false,
            TokenType::StepLine,
        )
    }

    fn table_row(&self, token: &mut Token<'a>) -> bool {
        let Some(line) = token.line else { return false };
        // Tables must be indented 2 to 5 spaces, to tell them from tables of the prose.
        if !(2..=5).contains(&line.indent) || !line.starts_with("|") {
            return false;
        }
        let cells = line.table_cells();
        if is_gfm_separator(&cells) {
            return false;
        }
        token.matched_keyword = Some("|");
        token.matched_type = Some(TokenType::TableRow);
        token.matched_items = cells;
        true
    }

    /// A table's separator row: the parser takes it as a comment, which is not recorded in
    /// the document (the token says it is blank).
    fn comment(&self, token: &mut Token<'a>) -> bool {
        let Some(line) = token.line else { return false };
        if line.starts_with("|") && is_gfm_separator(&line.table_cells()) {
            token.matched_type = Some(TokenType::Empty);
            return self.set_matched(token, Some(0), true);
        }
        self.set_matched(token, None, false)
    }

    fn doc_string_separator(&mut self, token: &mut Token<'a>) -> bool {
        let Some(line) = token.line else { return false };
        let found = match self.doc_string_fence {
            None => opening_fence(line.trimmed),
            Some(fence) => (line.trimmed == fence).then_some((fence, "")),
        };
        let mut result = false;
        if let Some((fence, media_type)) = found {
            if self.doc_string_fence.is_none() {
                self.doc_string_fence = Some(fence);
                self.indent_to_remove = line.indent;
            } else {
                // The official matcher keeps the indentation to remove after closing.
                self.doc_string_fence = None;
            }
            token.matched_keyword = Some(fence);
            token.matched_type = Some(TokenType::DocStringSeparator);
            token.matched_text = Some(Cow::Borrowed(media_type));
            result = true;
        }
        self.set_matched(token, None, result)
    }

    fn eof(&self, token: &mut Token<'a>) -> bool {
        let result = token.is_eof();
        if result {
            token.matched_type = Some(TokenType::Eof);
        }
        self.set_matched(token, None, result)
    }

    fn tag_line(&self, token: &mut Token<'a>) -> bool {
        let Some(line) = token.line else { return false };
        let tags = backticked_tags(&line);
        if tags.is_empty() {
            return false;
        }
        token.matched_type = Some(TokenType::TagLine);
        token.matched_items = tags;
        self.set_matched(token, None, true)
    }

    /// Prose, blank lines and everything no other matcher takes. Asking first tries every
    /// other kind of line, with their side effects.
    fn empty(&mut self, token: &mut Token<'a>) -> bool {
        let Some(line) = token.line else { return false };
        let dialect = self.dialect;
        let mut result = line.is_empty();
        let something_else = self.tag_line(token)
            || self.feature_line(token)
            || self.scenario_line(token)
            || self.header_line(token, TokenType::BackgroundLine, &dialect.background)
            || self.header_line(token, TokenType::ExamplesLine, &dialect.examples)
            || self.header_line(token, TokenType::RuleLine, &dialect.rule)
            || self.table_row(token)
            || self.comment(token)
            || self.doc_string_separator(token)
            || self.eof(token)
            || self.step_line(token);
        if !something_else {
            result = true;
        }
        if result {
            // A blank line's column is 1, as in the official token dumps.
            token.matched_type = Some(TokenType::Empty);
            return self.set_matched(token, Some(0), true);
        }
        self.set_matched(token, None, false)
    }

    fn other(&self, token: &mut Token<'a>) -> bool {
        let Some(line) = token.line else { return false };
        token.matched_type = Some(TokenType::Other);
        token.matched_text = Some(Cow::Borrowed(
            line.text_without_indent(self.indent_to_remove),
        ));
        self.set_matched(token, None, true)
    }
}

impl<'a> TokenMatcher<'a> for MarkdownMatcher<'a> {
    fn match_token(&mut self, kind: TokenType, token: &mut Token<'a>) -> Result<bool, Problem> {
        let dialect = self.dialect;
        Ok(match kind {
            TokenType::Eof => self.eof(token),
            TokenType::Empty => self.empty(token),
            TokenType::Comment => self.comment(token),
            TokenType::TagLine => self.tag_line(token),
            TokenType::FeatureLine => self.feature_line(token),
            TokenType::RuleLine => self.header_line(token, kind, &dialect.rule),
            TokenType::BackgroundLine => self.header_line(token, kind, &dialect.background),
            TokenType::ScenarioLine => self.scenario_line(token),
            TokenType::ExamplesLine => self.header_line(token, kind, &dialect.examples),
            TokenType::StepLine => self.step_line(token),
            TokenType::DocStringSeparator => self.doc_string_separator(token),
            TokenType::TableRow => self.table_row(token),
            // Markdown documents have no language header.
            TokenType::Language => false,
            TokenType::Other => self.other(token),
        })
    }
}

/// Matches `prefix keyword [:] rest` at the start of `text`: the prefix's length in
/// characters, the keyword and the rest (up to a line terminator, as a regex `.` would).
fn title<'a>(
    text: &'a str,
    prefix: Prefix,
    keywords: &[&'static str],
    colon: bool,
) -> Option<(u32, &'static str, &'a str)> {
    let prefix_bytes = match prefix {
        Prefix::Header => {
            let hashes = text.bytes().take_while(|b| *b == b'#').count();
            if !(1..=6).contains(&hashes) {
                return None;
            }
            let space = text[hashes..]
                .chars()
                .next()
                .filter(|c| is_js_whitespace(*c))?;
            hashes + space.len_utf8()
        }
        Prefix::Bullet => {
            let bullet = text
                .chars()
                .next()
                .filter(|c| matches!(c, '*' | '+' | '-'))?;
            let after = &text[bullet.len_utf8()..];
            bullet.len_utf8() + (after.len() - after.trim_start_matches(is_js_whitespace).len())
        }
    };
    let after_prefix = &text[prefix_bytes..];
    for keyword in keywords {
        let Some(rest) = after_prefix.strip_prefix(keyword) else {
            continue;
        };
        let rest = if colon {
            match rest.strip_prefix(':') {
                Some(rest) => rest,
                None => continue,
            }
        } else {
            rest
        };
        let end = rest
            .find(['\n', '\r', '\u{2028}', '\u{2029}'])
            .unwrap_or(rest.len());
        let prefix_chars = text[..prefix_bytes].chars().count() as u32;
        return Some((prefix_chars, keyword, &rest[..end]));
    }
    None
}

/// An opening fence: three or more backticks, and the media type after them.
fn opening_fence(text: &str) -> Option<(&str, &str)> {
    let ticks = text.bytes().take_while(|b| *b == b'`').count();
    if ticks < 3 {
        return None;
    }
    let rest = &text[ticks..];
    let end = rest
        .find(['\n', '\r', '\u{2028}', '\u{2029}'])
        .unwrap_or(rest.len());
    Some((&text[..ticks], &rest[..end]))
}

/// Whether a row is a GFM table's separator row (`| --- | :-: |`).
fn is_gfm_separator(cells: &[Item<'_>]) -> bool {
    cells.iter().any(|cell| {
        let text = cell.text.as_ref();
        let text = text.strip_prefix(':').unwrap_or(text);
        let text = text.strip_suffix(':').unwrap_or(text);
        !text.is_empty() && text.bytes().all(|b| b == b'-')
    })
}

/// The `` `@tag` `` spans of a line, each with the column of its `@`.
fn backticked_tags<'a>(line: &Line<'a>) -> Vec<Item<'a>> {
    let text = line.trimmed;
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("`@") {
        let open = from + found;
        let body = open + 1;
        // The tag is `@` and at least one more character, up to the closing backtick.
        match text[body + 1..].find('`') {
            Some(length) if length > 0 => {
                let close = body + 1 + length;
                let column = line.indent + text[..open].chars().count() as u32 + 2;
                tags.push(Item {
                    column,
                    text: Cow::Borrowed(&text[body..close]),
                });
                from = close + 1;
            }
            _ => from = open + 1,
        }
    }
    tags
}
