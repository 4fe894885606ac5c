//! Escaping helpers for text that goes into another format, shared by the stages that
//! write Markdown (the reports, the testers' checklists), the terminal and spreadsheets.

use std::borrow::Cow;

/// Text as it may stand in a Markdown table cell or list item: HTML entities for what a
/// renderer would take for markup, backslashes before Markdown's own punctuation, and one
/// line.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// Text from outside (a server's body, an error, a file) as a terminal may show it: every
/// control character but a newline and a tab written as an escape (`\u{1b}`), so that none
/// clears the screen, moves the cursor or paints a fake outcome.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\t' => c.to_string(),
                c if c.is_control() => c.escape_default().to_string(),
                c => c.to_string(),
            })
            .collect(),
    )
}

/// The first characters by which a spreadsheet takes a cell for a formula (OWASP's list), and
/// the quote that marks a cell as text.
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r', '\''];

/// A CSV cell a spreadsheet shows as text: one that starts like a formula gets a leading `'`
/// (as does one that starts with `'`, so that [`from_spreadsheet`] gives back exactly what
/// went in).
pub fn to_spreadsheet(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A CSV cell as [`to_spreadsheet`] wrote it, or as a tester typed it: the marking `'`
/// before a formula's first character taken off.
pub fn from_spreadsheet(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_arrives_as_text_on_one_line() {
        assert_eq!(cell("a|b *c*\n<d>"), "a\\|b \\*c\\* &lt;d&gt;");
        assert_eq!(
            cell("\u{1b}[2J24 passed\u{7}\0"),
            "\\u{1b}\\[2J24 passed\\u{7}\\u{0}"
        );
    }

    #[test]
    fn a_terminal_shows_control_characters_and_obeys_none() {
        assert_eq!(terminal("plain\n\ttext"), "plain\n\ttext");
        let shown = terminal("\u{1b}[2J\r24 passed, 0 failed\u{7}\0");
        assert_eq!(shown, "\\u{1b}[2J\\r24 passed, 0 failed\\u{7}\\u{0}");
        assert!(!shown.chars().any(|c| c.is_control()));
    }

    #[test]
    fn spreadsheet_formulas_are_neutralised_and_read_back_unchanged() {
        for formula in [
            "=cmd|' /C calc'!A0",
            "=HYPERLINK(\"http://x\")",
            "+SUM(A1:A9)",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            let cell = to_spreadsheet(formula);
            assert!(
                cell.starts_with('\''),
                "{formula:?} stays a formula: {cell:?}"
            );
            assert_eq!(from_spreadsheet(&cell), formula);
        }
        for text in ["'quoted", "''", "plain", "", "a=b"] {
            assert_eq!(from_spreadsheet(&to_spreadsheet(text)), text, "{text:?}");
        }
        assert_eq!(to_spreadsheet("plain"), "plain");
        // A quote a tester types before text that is no formula is theirs.
        assert_eq!(from_spreadsheet("'hello"), "'hello");
    }
}
