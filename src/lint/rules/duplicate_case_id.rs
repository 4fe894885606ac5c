//! `duplicate-case-id`: the same case ID on two cases.

use std::collections::HashMap;

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::location::Location;

/// Reports every use of an ID after its first, naming the first place.
pub struct DuplicateCaseId;

impl Rule for DuplicateCaseId {
    fn name(&self) -> &'static str {
        "duplicate-case-id"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "two cases have the same ID"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut first: HashMap<&str, (&Location, &str)> = HashMap::new();
        for (_, case) in cx.suite.cases() {
            let Some(tag) = case.id_tags.first() else {
                continue;
            };
            match first.get(tag.name.as_str()) {
                Some((place, title)) => out.push(
                    Finding::new(
                        tag.location.clone(),
                        format!(
                            "case ID @{} is already used by \"{title}\" at {place}",
                            tag.name
                        ),
                    )
                    .hint(
                        "give this case an ID of its own; IDs stay with a case for its whole life",
                    ),
                ),
                None => {
                    first.insert(&tag.name, (&tag.location, &case.title));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::run;

    #[test]
    fn names_both_places() {
        let feature =
            "Feature: F\n  @A-1\n  Scenario: a\n    Then x\n  @A-1\n  Scenario: b\n    Then y\n";
        let found = run(&DuplicateCaseId, feature, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 5);
        assert!(
            found[0].1.contains("\"a\" at t.feature:2:3"),
            "{}",
            found[0].1
        );
    }
}
