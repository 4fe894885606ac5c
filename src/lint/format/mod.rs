//! Renders lint diagnostics: [`human`] for terminals, [`json`] for tools, [`github`] for
//! GitHub Actions annotations. Each is a pure function of the diagnostics (and, for people,
//! the source text), so the same findings always print the same way.

mod github;
mod human;
mod json;

pub use github::github;
pub use human::{Sources, human};
pub use json::{json, write_json};

use crate::lint::Summary;

/// The closing line: what was checked and what was found.
pub fn summary_line(summary: &Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "checked {}, {}, {}: {}, {}",
        plural(summary.files, "file"),
        plural(summary.cases, "case"),
        plural(summary.requirements, "requirement"),
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_everything() {
        let summary = Summary {
            files: 1,
            cases: 14,
            requirements: 9,
            errors: 0,
            warnings: 2,
        };
        assert_eq!(
            summary_line(&summary),
            "checked 1 file, 14 cases, 9 requirements: 0 errors, 2 warnings"
        );
    }
}
