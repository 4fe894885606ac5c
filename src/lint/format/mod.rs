//! Renders lint diagnostics: [`human`] for terminals, [`json`] for tools, [`github`] for
//! GitHub Actions annotations. Each is a pure function of the diagnostics (and, for people,
//! the source text), so the same findings always print the same way.

mod github;
mod human;
mod json;

pub use github::github;
pub use human::{Sources, human};
pub use json::{json, write_json};

use std::fmt::Write as _;

use crate::lint::{Diagnostic, Severity, Summary};

/// How many findings of one rule the human output shows in full. A suite new to casebook has
/// thousands of the same finding; the overview counts them all, and `--format json` and
/// `--all` show every one.
pub const SHOWN_PER_RULE: usize = 20;

/// The first [`SHOWN_PER_RULE`] findings of each rule, in their order.
pub fn first_of_each_rule(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    diagnostics
        .iter()
        .filter(|d| {
            let count = seen.entry(d.rule).or_default();
            *count += 1;
            *count <= SHOWN_PER_RULE
        })
        .cloned()
        .collect()
}

/// One line per rule that found something: how many, how many of them are shown, and the
/// setting that adapts or silences it.
pub fn overview(diagnostics: &[Diagnostic], shown: usize) -> String {
    let mut rules: Vec<(&str, Severity, usize)> = Vec::new();
    for d in diagnostics {
        match rules.iter_mut().find(|(rule, ..)| *rule == d.rule) {
            Some((_, _, count)) => *count += 1,
            None => rules.push((d.rule, d.severity, 1)),
        }
    }
    if rules.is_empty() {
        return String::new();
    }
    rules.sort_by_key(|(rule, severity, count)| {
        (
            *severity != Severity::Error,
            std::cmp::Reverse(*count),
            *rule,
        )
    });
    let width = rules.iter().map(|(rule, ..)| rule.len()).max().unwrap_or(0);
    let mut out = String::from("\nby rule:\n");
    for (rule, severity, count) in rules {
        let noun = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let what = format!("{count} {noun}{}", if count == 1 { "" } else { "s" });
        let hidden = if shown < diagnostics.len() && count > SHOWN_PER_RULE {
            format!(" ({SHOWN_PER_RULE} shown)")
        } else {
            String::new()
        };
        let quieter = match severity {
            Severity::Error => "\"warning\" or \"off\"",
            Severity::Warning => "\"off\"",
        };
        let adapt = adapt(rule)
            .map(|how| format!("{how}; "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {rule:<width$}  {what}{hidden}: {adapt}[lint.rules] {rule} = {quieter} in casebook.toml"
        );
    }
    out
}

/// The setting or command that fits a rule to a suite, where there is one.
fn adapt(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "missing-case-id" => {
            "`casebook ids assign --prefix P` gives every case one, `[tags] case-id` is the pattern"
        }
        "malformed-case-id" | "multiple-case-ids" | "duplicate-case-id" => {
            "`[tags] case-id` is the pattern"
        }
        "unknown-requirement" => "add them to the catalog, or fit `[tags] requirement`",
        "uncovered-requirement"
        | "critical-requirement-not-automated"
        | "invalid-catalog"
        | "missing-catalog" => "the catalog is `requirements` in casebook.toml",
        "too-many-steps" => "`[lint] max-steps` is the limit",
        "ui-coupled-wording" => "`[lint] ui-words` are the words",
        _ => return None,
    })
}

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
    use crate::location::Location;

    fn finding(rule: &'static str, severity: Severity, line: usize) -> Diagnostic {
        Diagnostic {
            location: Location::new(std::path::Path::new("f.feature").into(), line, 1),
            rule,
            severity,
            message: String::new(),
            hint: None,
        }
    }

    #[test]
    fn many_findings_of_a_rule_are_shown_in_part_and_counted_in_the_overview() {
        let mut all: Vec<Diagnostic> = (1..=45)
            .map(|line| finding("missing-case-id", Severity::Error, line))
            .collect();
        all.push(finding("ui-coupled-wording", Severity::Warning, 50));
        let shown = first_of_each_rule(&all);
        assert_eq!(shown.len(), SHOWN_PER_RULE + 1);
        assert_eq!(shown.last().unwrap().rule, "ui-coupled-wording");
        let text = overview(&all, shown.len());
        assert!(text.starts_with("\nby rule:\n"), "{text}");
        assert!(text.contains("  missing-case-id     45 errors (20 shown): `casebook ids assign --prefix P` gives every case one, `[tags] case-id` is the pattern; [lint.rules] missing-case-id = \"warning\" or \"off\" in casebook.toml\n"), "{text}");
        assert!(text.contains("  ui-coupled-wording  1 warning: `[lint] ui-words` are the words; [lint.rules] ui-coupled-wording = \"off\" in casebook.toml\n"), "{text}");
        assert_eq!(overview(&[], 0), "");
    }

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
