//! `--format json`: an array of objects with exactly the keys `file`, `line`, `column`,
//! `rule`, `severity` and `message`, in the order of the diagnostics.

use std::io::Write as _;

use serde::Serialize;

use crate::lint::{Diagnostic, Severity};

/// The wire shape of one diagnostic; serialize-only, so the format stays what it says.
#[derive(Serialize)]
struct Entry<'a> {
    file: String,
    line: usize,
    column: usize,
    rule: &'a str,
    severity: Severity,
    message: &'a str,
}

/// The diagnostics as a pretty-printed JSON array, with a trailing newline.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let mut text =
        serde_json::to_string_pretty(&entries(diagnostics)).expect("plain data serializes");
    text.push('\n');
    text
}

/// The same array, compact, written straight to `out` (for files tools read, such as
/// `lint.json`).
pub fn write_json(diagnostics: &[Diagnostic], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = crate::output::buffered(out);
    serde_json::to_writer(&mut out, &entries(diagnostics)).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn entries(diagnostics: &[Diagnostic]) -> Vec<Entry<'_>> {
    diagnostics
        .iter()
        .map(|d| Entry {
            file: d.location.path.display().to_string(),
            line: d.location.line,
            column: d.location.column,
            rule: d.rule,
            severity: d.severity,
            message: &d.message,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::location::Location;

    #[test]
    fn has_exactly_the_documented_keys() {
        let diagnostic = Diagnostic {
            location: Location::new(Arc::from(Path::new("a.feature")), 3, 5),
            rule: "missing-case-id",
            severity: Severity::Error,
            message: "case \"x\" has no ID tag".into(),
            hint: Some("not in json".into()),
        };
        let value: serde_json::Value = serde_json::from_str(&json(&[diagnostic])).unwrap();
        assert_eq!(
            value,
            serde_json::json!([{
                "file": "a.feature", "line": 3, "column": 5, "rule": "missing-case-id",
                "severity": "error", "message": "case \"x\" has no ID tag"
            }])
        );
    }
}
