//! `--format human`: rustc-style diagnostics grouped by file, each with its source line and a
//! caret, in colour when asked to.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};

use crate::lint::{Diagnostic, Severity};

/// The text of each file that diagnostics may point into.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    texts: HashMap<Arc<Path>, Arc<str>>,
}

impl Sources {
    /// Registers the text of `path`.
    pub fn add(&mut self, path: Arc<Path>, text: Arc<str>) {
        self.texts.insert(path, text);
    }
}

/// Renders the diagnostics for a person; `color` adds ANSI colours.
pub fn human(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> Vec<u8> {
    let mut files = SimpleFiles::new();
    let mut ids = HashMap::new();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = term::Config::default();
    for d in diagnostics {
        let report = match d.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        }
        .with_code(d.rule)
        .with_message(&d.message);
        let source = sources
            .texts
            .get(&d.location.path)
            .filter(|text| !text.is_empty());
        // The notes are gathered first and set once: `with_notes` adds to the notes already
        // there, so setting them twice would show the place of a file-level finding twice.
        let mut notes = Vec::new();
        let report = match source {
            Some(text) => {
                let id = *ids.entry(d.location.path.clone()).or_insert_with(|| {
                    files.add(d.location.path.display().to_string(), text.clone())
                });
                report.with_labels(vec![Label::primary(
                    id,
                    span(text, d.location.line, d.location.column),
                )])
            }
            None => {
                notes.push(format!("at {}", d.location));
                report
            }
        };
        if let Some(hint) = &d.hint {
            notes.push(format!("hint: {hint}"));
        }
        let report = report.with_notes(notes);
        term::emit_to_write_style(&mut buffer, &config, &files, &report)
            .expect("every label points into a registered file");
    }
    buffer.into_inner()
}

/// The byte range of the token at a 1-based line and column: up to the next space, so the
/// caret underlines a tag, a keyword or a word.
fn span(text: &str, line: usize, column: usize) -> std::ops::Range<usize> {
    // Every index below comes from `split_inclusive` lengths or `char_indices`, so each is a
    // character boundary; a line or column of 0 (none is made, but a `Location` allows it)
    // counts as the first.
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    let start = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    let len = line_text[start..]
        .find(char::is_whitespace)
        .unwrap_or(line_text.len() - start);
    line_start + start..line_start + start + len.max(usize::from(start < line_text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Location;

    #[test]
    fn shows_the_line_with_a_caret_and_the_hint() {
        let path: Arc<Path> = Arc::from(Path::new("features/a.feature"));
        let mut sources = Sources::default();
        sources.add(
            path.clone(),
            Arc::from("Feature: F\n  Scenario: no id\n    Then x\n"),
        );
        let diagnostic = Diagnostic {
            location: Location::new(path, 2, 3),
            rule: "missing-case-id",
            severity: Severity::Error,
            message: "case \"no id\" has no ID tag".into(),
            hint: Some("tag it".into()),
        };
        let text = String::from_utf8(human(&[diagnostic], &sources, false)).unwrap();
        assert!(
            text.contains("error[missing-case-id]: case \"no id\" has no ID tag"),
            "{text}"
        );
        assert!(text.contains("features/a.feature:2:3"), "{text}");
        assert!(text.contains("  Scenario: no id"), "{text}");
        assert!(text.contains("^^^^^^^^^"), "{text}");
        assert!(text.contains("= hint: tag it"), "{text}");
    }

    #[test]
    fn a_finding_about_a_whole_file_names_its_place_once() {
        let path: Arc<Path> = Arc::from(Path::new("features/.#a.feature"));
        let diagnostic = Diagnostic {
            location: Location::file(path),
            rule: "parse-error",
            severity: Severity::Error,
            message: "cannot read it".into(),
            hint: Some("remove it".into()),
        };
        let text = String::from_utf8(human(&[diagnostic], &Sources::default(), false)).unwrap();
        assert_eq!(
            text.matches("features/.#a.feature:1:1").count(),
            1,
            "{text}"
        );
        assert!(text.contains("= hint: remove it"), "{text}");
    }

    #[test]
    fn span_stops_at_the_end_of_the_token() {
        let text = "a\n  @tag other\n";
        assert_eq!(&text[span(text, 2, 3)], "@tag");
    }
}
