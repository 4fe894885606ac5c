//! `missing-case-id`: a case with no ID tag.

use crate::lint::{Context, Finding, Severity, rules::Rule};

/// Reports every case that has no tag matching the case-ID pattern (and no tag that looks
/// like a mistyped ID, which `malformed-case-id` reports instead).
pub struct MissingCaseId;

impl Rule for MissingCaseId {
    fn name(&self) -> &'static str {
        "missing-case-id"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "a case has no ID tag"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, case) in cx.suite.cases() {
            let mistyped = case
                .tags
                .iter()
                .any(|tag| super::malformed_case_id::looks_like_id(&tag.name, cx.conventions));
            if case.id.is_none() && !mistyped {
                out.push(
                    Finding::new(
                        case.location.clone(),
                        format!("case \"{}\" has no ID tag", case.title),
                    )
                    .hint(format!(
                        "tag it with a unique ID matching `{}`, e.g. @PAY-CC-015 (`casebook ids assign --prefix PAY` tags every case without one)",
                        pattern(cx)
                    )),
                );
            }
        }
    }
}

/// The configured case-ID pattern without the anchoring casebook adds.
pub(super) fn pattern(cx: &Context<'_>) -> String {
    let anchored = cx.conventions.case_id.as_str();
    anchored
        .strip_prefix("^(?:")
        .and_then(|p| p.strip_suffix(")$"))
        .unwrap_or(anchored)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::lines;

    #[test]
    fn reports_cases_without_an_id() {
        let feature =
            "Feature: F\n  @PAY-1\n  Scenario: a\n    Then x\n  @wip\n  Scenario: b\n    Then y\n";
        assert_eq!(lines(&MissingCaseId, feature, None), [6]);
    }
}
