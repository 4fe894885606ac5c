//! `parse-error`: a feature file that is not valid Gherkin.

use crate::lint::{Context, Finding, Severity, rules::Rule};

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
        for error in cx.suite.failures.iter().flat_map(|f| &f.errors) {
            out.push(
                Finding::new(error.location.clone(), error.message.clone())
                    .hint("fix the syntax here; the other feature files are still checked"),
            );
        }
    }
}
