//! `missing-outcome`: a case with no `Then` step.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::model::StepKind;

/// Reports cases that check nothing: without a `Then` there is no expected result.
pub struct MissingOutcome;

impl Rule for MissingOutcome {
    fn name(&self) -> &'static str {
        "missing-outcome"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "a case has no Then step, so no expected result"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, case) in cx.suite.cases() {
            if !case.steps.iter().any(|step| step.kind == StepKind::Then) {
                out.push(
                    Finding::new(
                        case.location.clone(),
                        format!("{} has no expected result", super::case_name(case)),
                    )
                    .hint("end it with a Then step that says what must be true afterwards"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::lines;

    #[test]
    fn reports_cases_without_then() {
        let feature = "Feature: F\n  Scenario: a\n    Given x\n    When y\n  Scenario: b\n    Given x\n    And z\n    Then w\n";
        assert_eq!(lines(&MissingOutcome, feature, None), [2]);
    }
}
