//! `duplicate-title`: two cases with the same title in one feature.

use std::collections::HashMap;

use crate::lint::{Context, Finding, Severity, rules::Rule};

/// Reports every case whose title an earlier case of the same feature already has: readers
/// and reports tell cases apart by title.
pub struct DuplicateTitle;

impl Rule for DuplicateTitle {
    fn name(&self) -> &'static str {
        "duplicate-title"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "two cases in one feature have the same title"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for feature in &cx.suite.features {
            let mut first = HashMap::new();
            for case in &feature.cases {
                let title = case.title.trim();
                match first.get(title) {
                    Some(line) => out.push(
                        Finding::new(
                            case.location.clone(),
                            format!("the title \"{title}\" is already used on line {line}"),
                        )
                        .hint("give each case a title that says what makes it different"),
                    ),
                    None => {
                        first.insert(title, case.location.line);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::lines;

    #[test]
    fn reports_the_second_case() {
        let feature = "Feature: F\n  Scenario: same\n    Then x\n  Scenario: other\n    Then x\n  Scenario: same\n    Then y\n";
        assert_eq!(lines(&DuplicateTitle, feature, None), [6]);
    }
}
