//! `malformed-case-id`: a case whose only ID-like tag does not match the case-ID pattern.

use std::sync::LazyLock;

use regex::Regex;

use crate::config::TagConventions;
use crate::lint::{Context, Finding, Severity, rules::Rule};

/// Reports tags shaped like an ID (letters, a `-` or `_`, digits at the end: `pay-cc-14`,
/// `PAY_CC_014`) on cases that have no valid ID. On a case that has a valid ID such a tag is
/// taken for an ordinary tag, and so is one that several cases carry (`@issue-34679`): an
/// ID names one case, and the hint to rewrite it as one would make duplicate IDs.
pub struct MalformedCaseId;

/// Whether `tag` is shaped like a case ID without being one.
pub(super) fn looks_like_id(tag: &str, conventions: &TagConventions) -> bool {
    static SHAPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[A-Za-z][A-Za-z0-9]*([-_][A-Za-z0-9]+)*[-_][0-9]+$").expect("valid regex")
    });
    SHAPE.is_match(tag) && !conventions.is_case_id(tag) && conventions.requirement_id(tag).is_none()
}

impl Rule for MalformedCaseId {
    fn name(&self) -> &'static str {
        "malformed-case-id"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "a case's ID tag does not match the case-ID pattern"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut carriers: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (_, case) in cx.suite.cases() {
            for tag in &case.tags {
                *carriers.entry(tag.name.as_str()).or_default() += 1;
            }
        }
        for (_, case) in cx.suite.cases().filter(|(_, case)| case.id.is_none()) {
            for tag in case.tags.iter().filter(|tag| {
                looks_like_id(&tag.name, cx.conventions) && carriers[tag.name.as_str()] == 1
            }) {
                out.push(
                    Finding::new(
                        tag.location.clone(),
                        format!(
                            "@{} looks like a case ID but does not match `{}`",
                            tag.name,
                            super::missing_case_id::pattern(cx)
                        ),
                    )
                    .hint(format!(
                        "write it as @{} or change `tags.case-id` in casebook.toml",
                        tag.name.to_uppercase().replace('_', "-")
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
    fn reports_id_shaped_tags_on_cases_without_an_id() {
        for (tags, expected) in [
            ("@pay-cc-014", vec![2]),
            ("@PAY_CC_014", vec![2]),
            ("@PAY-CC-014", vec![]),
            ("@PAY-CC-014 @ie-11", vec![]),
            ("@smoke @v2", vec![]),
            ("@req:PAY-7", vec![]),
        ] {
            let feature = format!("Feature: F\n  {tags}\n  Scenario: a\n    Then x\n");
            assert_eq!(lines(&MalformedCaseId, &feature, None), expected, "{tags}");
        }
    }

    #[test]
    fn a_tag_several_cases_share_is_a_label_not_a_malformed_id() {
        let feature = "Feature: F\n  @issue-34679\n  Scenario: a\n    Then x\n\n  @issue-34679\n  Scenario: b\n    Then y\n\n  @issue-1\n  Scenario: c\n    Then z\n";
        assert_eq!(lines(&MalformedCaseId, feature, None), vec![10]);
    }
}
