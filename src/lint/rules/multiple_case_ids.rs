//! `multiple-case-ids`: a case with two or more ID tags.

use crate::lint::{Context, Finding, Severity, rules::Rule};

/// Reports each ID tag after the first on a case.
pub struct MultipleCaseIds;

impl Rule for MultipleCaseIds {
    fn name(&self) -> &'static str {
        "multiple-case-ids"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "a case has more than one ID tag"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, case) in cx.suite.cases() {
            let Some((first, others)) = case.id_tags.split_first() else {
                continue;
            };
            for tag in others {
                out.push(
                    Finding::new(
                        tag.location.clone(),
                        format!(
                            "case \"{}\" has a second ID tag @{} besides @{}",
                            case.title, tag.name, first.name
                        ),
                    )
                    .hint("a case has exactly one ID; split the scenario or remove one tag"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::run;

    #[test]
    fn reports_the_second_id_at_its_tag() {
        let feature = "Feature: F\n  @A-1 @wip\n  @A-2\n  Scenario: a\n    Then x\n";
        let found = run(&MultipleCaseIds, feature, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 3);
        assert!(found[0].1.contains("@A-2 besides @A-1"));
    }
}
