//! Escaping helpers for text that goes into another format, shared by the stages that
//! write Markdown (the reports, the testers' checklists).

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
            '\n' | '\r' => out.push(' '),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_arrives_as_text_on_one_line() {
        assert_eq!(cell("a|b *c*\n<d>"), "a\\|b \\*c\\* &lt;d&gt;");
    }
}
