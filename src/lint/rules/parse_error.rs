//! `parse-error`: a feature file that is not valid Gherkin, or cannot be read.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::model::FailureKind;

/// Reports every syntax error of every file that failed to parse, with the official
/// parser's message and position.
pub struct ParseError;

impl Rule for ParseError {
    fn name(&self) -> &'static str {
        "parse-error"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "a feature file is not valid Gherkin"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for failure in &cx.suite.failures {
            let hint = match failure.kind {
                FailureKind::Syntax => {
                    "fix the syntax here; the other feature files are still checked"
                }
                FailureKind::Unreadable => {
                    "make it readable, or remove it; the other feature files are still checked"
                }
            };
            for error in &failure.errors {
                out.push(Finding::new(error.location.clone(), error.message.clone()).hint(hint));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::run;

    #[test]
    fn a_file_with_two_syntax_errors_gives_two_diagnostics() {
        let findings = run(
            &ParseError,
            "Feature: F\n  Scenario: s\n    Given x\n    Bogus line\n  Scenario: t\n    Given y\n      | a | b |\n      | c |\n",
            None,
        );
        assert_eq!(
            findings,
            [
                (
                    4,
                    "expected: #EOF, #TableRow, #DocStringSeparator, #StepLine, #TagLine, \
                     #ExamplesLine, #ScenarioLine, #RuleLine, #Comment, #Empty, got 'Bogus line'"
                        .to_owned()
                ),
                (8, "inconsistent cell count within the table".to_owned()),
            ]
        );
    }
}
