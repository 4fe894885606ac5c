//! One line of a feature file and the questions the token matchers ask about it: its
//! indentation, whether it starts with a keyword, its table cells and its tags.
//!
//! The official parser is JavaScript at heart: "whitespace" means JavaScript's `\s` (which
//! includes U+FEFF but not U+0085), `trim` trims that set, and columns count characters. The
//! helpers here follow those definitions so that names, cells and columns come out the same.

use std::borrow::Cow;

use crate::errors::Problem;

/// Whether a character is whitespace for JavaScript's `\s` and `String.prototype.trim`.
pub(crate) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `s` without leading and trailing JavaScript whitespace.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

/// `s` without trailing JavaScript whitespace.
pub(crate) fn js_trim_end(s: &str) -> &str {
    s.trim_end_matches(is_js_whitespace)
}

/// The whitespace a table cell is trimmed of: deliberately not all of `\s`, so that a cell
/// keeps an escaped newline at its edge.
fn is_cell_padding(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}' | '\u{A0}'
    )
}

/// A piece of a line with its column: a table cell or a tag.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item<'a> {
    pub column: u32,
    pub text: Cow<'a, str>,
}

/// A line of the source, as the scanner hands it to the matchers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// The whole line, without its line break.
    pub text: &'a str,
    /// The line without its leading whitespace.
    pub trimmed: &'a str,
    /// How many characters of leading whitespace there are.
    pub indent: u32,
    /// The line number, counting from 1.
    pub number: u32,
}

impl<'a> Line<'a> {
    pub fn new(text: &'a str, number: u32) -> Self {
        // Almost every line is indented with plain spaces: count those bytes first and only
        // look at characters when something else follows.
        let ascii = text.bytes().take_while(|b| *b == b' ').count();
        let mut indent = ascii;
        let mut start = ascii;
        for (at, c) in text[ascii..].char_indices() {
            if !is_js_whitespace(c) {
                start = ascii + at;
                break;
            }
            indent += 1;
            start = ascii + at + c.len_utf8();
        }
        Line {
            text,
            trimmed: &text[start..],
            indent: indent as u32,
            number,
        }
    }

    /// Whether the line is blank.
    pub fn is_empty(&self) -> bool {
        self.trimmed.is_empty()
    }

    /// Whether the line, after its indentation, starts with `prefix`.
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.trimmed.starts_with(prefix)
    }

    /// Whether the line, after its indentation, starts with `keyword` and a colon.
    pub fn starts_with_title_keyword(&self, keyword: &str) -> bool {
        self.trimmed
            .strip_prefix(keyword)
            .is_some_and(|rest| rest.starts_with(':'))
    }

    /// What follows the first `len` bytes of the unindented line, trimmed.
    pub fn rest_trimmed(&self, len: usize) -> &'a str {
        js_trim(&self.trimmed[len..])
    }

    /// The line without `indent_to_remove` characters of indentation; the unindented line
    /// when it is indented less than that (a doc string line left of its separator).
    pub fn text_without_indent(&self, indent_to_remove: u32) -> &'a str {
        if indent_to_remove > self.indent {
            return self.trimmed;
        }
        match self.text.char_indices().nth(indent_to_remove as usize) {
            Some((at, _)) => &self.text[at..],
            None => "",
        }
    }

    /// The cells of a `| a | b |` row: what lies between pipes, trimmed, with `\n`, `\|` and
    /// `\\` unescaped, each with the column where its value starts. Text before the first
    /// pipe and after the last one is not a cell.
    pub fn table_cells(&self) -> Vec<Item<'a>> {
        let mut cells = Vec::new();
        let mut chars = self.trimmed.chars();
        let mut column = 0u32;
        let mut cell_start = 1u32;
        let mut cell = String::new();
        let mut first = true;
        while let Some(c) = chars.next() {
            column += 1;
            match c {
                '|' => {
                    if first {
                        first = false;
                    } else {
                        let value = cell.trim_start_matches(is_cell_padding);
                        let padding = (cell.chars().count() - value.chars().count()) as u32;
                        cells.push(Item {
                            column: self.indent + cell_start + padding,
                            text: Cow::Owned(value.trim_end_matches(is_cell_padding).to_owned()),
                        });
                    }
                    cell.clear();
                    cell_start = column + 1;
                }
                '\\' => {
                    column += 1;
                    match chars.next() {
                        Some('n') => cell.push('\n'),
                        Some(escaped) => {
                            if escaped != '|' && escaped != '\\' {
                                cell.push('\\');
                            }
                            cell.push(escaped);
                        }
                        // A backslash ending the line: the cell is never closed, so dropped.
                        None => cell.push('\\'),
                    }
                }
                _ => cell.push(c),
            }
        }
        cells
    }

    /// The `@tags` of a tag line, each with its column; a comment after whitespace and `#`
    /// ends the tags.
    pub fn tags(&self) -> Result<Vec<Item<'a>>, Problem> {
        let uncommented = match find_comment_start(self.trimmed) {
            Some(at) => &self.trimmed[..at],
            None => self.trimmed,
        };
        let mut tags = Vec::new();
        let mut column = self.indent + 1;
        // Each piece after an `@` is a tag, up to the next `@`. The official parser skips an
        // empty piece (`@@`) without moving its column on; so does this.
        let mut offset = 0;
        for (index, piece) in uncommented.split('@').enumerate() {
            let piece_start = offset;
            offset += piece.len() + 1;
            let tag = js_trim_end(piece);
            if tag.is_empty() {
                continue;
            }
            if tag.contains(is_js_whitespace) {
                return Err(Problem::new(
                    "A tag may not contain whitespace",
                    self.number,
                    Some(column),
                ));
            }
            // Every piece but the first follows an `@`, which is part of the tag's name. The
            // first piece is empty: a tag line starts with `@`.
            debug_assert!(index > 0);
            let at = piece_start - 1;
            tags.push(Item {
                column,
                text: Cow::Borrowed(&uncommented[at..at + 1 + tag.len()]),
            });
            column += piece.chars().count() as u32 + 1;
        }
        Ok(tags)
    }
}

/// Where a comment starts on a tag line: the first whitespace character followed by `#`.
fn find_comment_start(text: &str) -> Option<usize> {
    let mut previous_is_space = false;
    for (at, c) in text.char_indices() {
        if c == '#' && previous_is_space {
            // The comment starts at the whitespace character before the `#`.
            let space = text[..at].chars().next_back().map_or(0, char::len_utf8);
            return Some(at - space);
        }
        previous_is_space = is_js_whitespace(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str) -> Vec<(u32, String)> {
        Line::new(text, 1)
            .table_cells()
            .into_iter()
            .map(|item| (item.column, item.text.into_owned()))
            .collect()
    }

    #[test]
    fn indentation_counts_characters_of_javascript_whitespace() {
        let line = Line::new("\u{3000}\t Feature: x", 1);
        assert_eq!(line.indent, 3);
        assert_eq!(line.trimmed, "Feature: x");
        assert_eq!(Line::new("   ", 1).indent, 3);
        assert!(Line::new("   ", 1).is_empty());
        // U+0085 is not whitespace to JavaScript.
        assert_eq!(Line::new("\u{85}x", 1).indent, 0);
    }

    #[test]
    fn table_cells_are_trimmed_unescaped_and_located() {
        assert_eq!(
            cells("  | a |  b\\|c | d\\\\ |"),
            vec![
                (5, "a".to_owned()),
                (10, "b|c".to_owned()),
                (17, "d\\".to_owned())
            ]
        );
        assert_eq!(
            cells("| x\\ny | \\z |"),
            vec![(3, "x\ny".to_owned()), (10, "\\z".to_owned())]
        );
        // Text after the last pipe is no cell.
        assert_eq!(cells("| a | b"), vec![(3, "a".to_owned())]);
    }

    #[test]
    fn tags_stop_at_a_comment_and_keep_their_columns() {
        let line = Line::new("  @a @bc   @d #comment @e", 7);
        let tags: Vec<(u32, String)> = line
            .tags()
            .unwrap()
            .into_iter()
            .map(|item| (item.column, item.text.into_owned()))
            .collect();
        assert_eq!(
            tags,
            vec![(3, "@a".into()), (6, "@bc".into()), (12, "@d".into())]
        );
    }

    #[test]
    fn a_tag_with_whitespace_is_an_error_at_its_column() {
        let problem = Line::new("@ok @not ok", 3).tags().unwrap_err();
        assert_eq!(problem.message(), "(3:5): A tag may not contain whitespace");
    }

    #[test]
    fn doc_string_indentation_is_removed_up_to_the_separator() {
        let line = Line::new("      text", 1);
        assert_eq!(line.text_without_indent(4), "  text");
        assert_eq!(line.text_without_indent(8), "text");
        assert_eq!(line.text_without_indent(0), "      text");
    }
}
