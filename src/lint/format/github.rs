//! `--format github`: one workflow command per diagnostic, which GitHub Actions shows as an
//! annotation on the line: `::error file=…,line=…,col=…,title=…::message`.

use std::fmt::Write;

use crate::lint::{Diagnostic, Severity};

/// The diagnostics as workflow commands, one per line.
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message = format!("{message}\n(hint: {hint})");
        }
        writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            property(&d.location.path.display().to_string()),
            d.location.line,
            d.location.column,
            property(d.rule),
            data(&message),
        )
        .expect("writing to a String cannot fail");
    }
    out
}

/// Escapes a command's message, as the Actions runner expects.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, which also may not hold `:` or `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::location::Location;

    #[test]
    fn writes_an_escaped_annotation() {
        let diagnostic = Diagnostic {
            location: Location::new(Arc::from(Path::new("a,b.feature")), 3, 5),
            rule: "too-many-steps",
            severity: Severity::Warning,
            message: "100% long:\nsplit".into(),
            hint: None,
        };
        assert_eq!(
            github(&[diagnostic]),
            "::warning file=a%2Cb.feature,line=3,col=5,title=too-many-steps::100%25 long:%0Asplit\n"
        );
    }
}
