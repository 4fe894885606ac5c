//! `parse-error`: a feature file that is not valid Gherkin.

use crate::lint::{Context, Finding, Severity, rules::Rule};

/// Reports every file that failed to parse, at the place the parser stopped.
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
            out.push(
                Finding::new(failure.location.clone(), failure.message.clone())
                    .hint("fix the syntax here; the other feature files are still checked"),
            );
        }
    }
}
