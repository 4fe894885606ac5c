//! `missing-precondition`: a case with no `Given` step and no Background.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::model::StepKind;

/// Reports cases that state no pre-condition: a case that starts from nothing cannot be
/// reproduced by a tester or a script.
pub struct MissingPrecondition;

impl Rule for MissingPrecondition {
    fn name(&self) -> &'static str {
        "missing-precondition"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "a case has no pre-condition: no Given step and no Background"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, case) in cx.suite.cases() {
            if !case.all_steps().any(|step| step.kind == StepKind::Given) {
                out.push(
                    Finding::new(case.location.clone(), format!("{} states no pre-condition", super::case_name(case)))
                        .hint("start with a Given step that sets up the state the case needs, or add a Background"),
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
    fn a_given_or_a_background_is_enough() {
        for (feature, expected) in [
            (
                "Feature: F\n  Scenario: a\n    When x\n    Then y\n",
                vec![2],
            ),
            (
                "Feature: F\n  Scenario: a\n    Given x\n    Then y\n",
                vec![],
            ),
            (
                "Feature: F\n  Background:\n    Given x\n  Scenario: a\n    Then y\n",
                vec![],
            ),
        ] {
            assert_eq!(
                lines(&MissingPrecondition, feature, None),
                expected,
                "{feature}"
            );
        }
    }
}
