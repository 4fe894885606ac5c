//! `uncovered-requirement`: a requirement that no case covers.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::model::{Case, RequirementId};

/// Reports every catalog requirement that no case covers, directly or through one of its
/// children (an epic is covered when one of its stories is).
pub struct UncoveredRequirement;

/// The cases that cover `id` or any requirement below it in the `parent` hierarchy.
pub(super) fn covering_cases<'a>(cx: &Context<'a>, id: &RequirementId) -> Vec<&'a Case> {
    let Some(catalog) = cx.catalog else {
        return Vec::new();
    };
    let mut ids = vec![id];
    let mut index = 0;
    // Breadth-first over children; the catalog stage rejects cycles, and `ids` never holds
    // more than the catalog's requirements, so this ends.
    while index < ids.len() && ids.len() <= catalog.requirements.len() {
        let parent = ids[index];
        ids.extend(
            catalog
                .requirements
                .iter()
                .filter(|r| r.parent.as_ref() == Some(parent))
                .map(|r| &r.id),
        );
        index += 1;
    }
    cx.suite
        .cases()
        .map(|(_, case)| case)
        .filter(|case| case.requirements.iter().any(|r| ids.contains(&&r.id)))
        .collect()
}

impl Rule for UncoveredRequirement {
    fn name(&self) -> &'static str {
        "uncovered-requirement"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "a requirement in the catalog is covered by no case"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(catalog) = cx.catalog else { return };
        for requirement in &catalog.requirements {
            if covering_cases(cx, &requirement.id).is_empty() {
                out.push(
                    Finding::new(
                        requirement.location.clone(),
                        format!("requirement `{}` is covered by no case", requirement.id),
                    )
                    .hint(format!(
                        "tag the cases that prove it with @req:{}",
                        requirement.id
                    )),
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
    fn an_epic_is_covered_through_its_stories() {
        let catalog = "[EPIC]\ntitle = 'e'\nrisk = 'low'\n[STORY-1]\ntitle = 's'\nrisk = 'low'\nparent = 'EPIC'\n[LONELY-1]\ntitle = 'l'\nrisk = 'low'\n";
        let feature = "Feature: F\n  @A-1 @req:STORY-1\n  Scenario: a\n    Then x\n";
        assert_eq!(lines(&UncoveredRequirement, feature, Some(catalog)), [8]);
    }
}
