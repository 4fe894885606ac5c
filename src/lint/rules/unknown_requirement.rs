//! `unknown-requirement`: a requirement tag naming a requirement that is not in the catalog.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::model::Tag;

/// Reports every requirement tag (on a Feature, Rule, Scenario or Examples) whose ID the
/// catalog does not have. Each tag is reported once, however many cases inherit it.
pub struct UnknownRequirement;

impl Rule for UnknownRequirement {
    fn name(&self) -> &'static str {
        "unknown-requirement"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "a requirement tag names a requirement that is not in the catalog"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(catalog) = cx.catalog else { return };
        for feature in &cx.suite.features {
            let rule_tags = feature.rules.iter().flat_map(|rule| &rule.tags);
            let case_tags = feature.cases.iter().flat_map(|case| {
                case.tags
                    .iter()
                    .chain(case.examples.iter().flat_map(|examples| &examples.tags))
            });
            let tags: Vec<&Tag> = feature
                .tags
                .iter()
                .chain(rule_tags)
                .chain(case_tags)
                .collect();
            for tag in tags {
                let Some(id) = cx.conventions.requirement_id(&tag.name) else {
                    continue;
                };
                if !catalog.knows(id) {
                    out.push(
                        Finding::new(
                            tag.location.clone(),
                            format!("requirement `{id}` is not in the catalog"),
                        )
                        .hint(format!(
                            "add a `[{id}]` table to {}, or fix the tag",
                            catalog.path.display()
                        )),
                    );
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
    fn reports_each_unknown_tag_once() {
        let feature = "@req:NOPE\nFeature: F\n  @A-1 @req:OK\n  Scenario: a\n    Then x\n  @A-2\n  Scenario Outline: b\n    Then <y>\n    @req:GONE\n    Examples:\n      | y |\n      | 1 |\n";
        let catalog = "[OK]\ntitle = 'ok'\nrisk = 'low'\n";
        assert_eq!(lines(&UnknownRequirement, feature, Some(catalog)), [1, 9]);
    }
}
