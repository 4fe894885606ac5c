//! `too-many-steps`: a case longer than `lint.max-steps`.

use crate::lint::{Context, Finding, Severity, rules::Rule};

/// The step limit when `lint.max-steps` does not set one.
pub const DEFAULT_MAX_STEPS: usize = 12;

/// Reports cases with more steps of their own than `lint.max-steps` (12 by default).
/// Background steps are not counted: they are written once for the whole feature.
pub struct TooManySteps;

impl Rule for TooManySteps {
    fn name(&self) -> &'static str {
        "too-many-steps"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "a case has more steps than `lint.max-steps`"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let max = cx.settings.max_steps;
        for (_, case) in cx.suite.cases().filter(|(_, case)| case.steps.len() > max) {
            out.push(
                Finding::new(case.location.clone(), format!("{} has {} steps, more than {max}", super::case_name(case), case.steps.len()))
                    .hint("split it into cases that each prove one behaviour, or move shared set-up into a Background"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::lines;

    #[test]
    fn counts_the_cases_own_steps() {
        let steps = |n: usize| "    Then x\n".repeat(n);
        let at_limit = format!(
            "Feature: F\n  Background:\n    Given y\n  Scenario: a\n{}",
            steps(12)
        );
        assert_eq!(lines(&TooManySteps, &at_limit, None), Vec::<usize>::new());
        let over = format!("Feature: F\n  Scenario: a\n{}", steps(13));
        assert_eq!(lines(&TooManySteps, &over, None), [2]);
    }
}
