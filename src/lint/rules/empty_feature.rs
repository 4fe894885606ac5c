//! `empty-feature`: a feature file with no case.

use crate::lint::{Context, Finding, Severity, rules::Rule};

/// Reports feature files that hold no Scenario at all.
pub struct EmptyFeature;

impl Rule for EmptyFeature {
    fn name(&self) -> &'static str {
        "empty-feature"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "a feature file has no case"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for feature in cx
            .suite
            .features
            .iter()
            .filter(|feature| feature.cases.is_empty())
        {
            let what = if feature.name.is_empty() {
                "this file".to_owned()
            } else {
                format!("feature \"{}\"", feature.name)
            };
            out.push(
                Finding::new(feature.location.clone(), format!("{what} has no case"))
                    .hint("write its first Scenario, or delete the file"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::lines;

    #[test]
    fn reports_features_without_scenarios() {
        assert_eq!(
            lines(&EmptyFeature, "Feature: F\n  Just a description.\n", None),
            [1]
        );
        assert_eq!(lines(&EmptyFeature, "# nothing\n", None), [1]);
        assert_eq!(
            lines(
                &EmptyFeature,
                "Feature: F\n  Scenario: a\n    Then x\n",
                None
            ),
            Vec::<usize>::new()
        );
    }
}
