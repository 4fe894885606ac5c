//! `critical-requirement-not-automated`: a critical requirement that no automated case proves.

use crate::catalog::Risk;
use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::model::Mode;

/// Reports every `critical` requirement without an automated case. Critical requirements
/// (revenue, security, data integrity) must be proven on every run, not only by hand.
pub struct CriticalRequirementNotAutomated;

impl Rule for CriticalRequirementNotAutomated {
    fn name(&self) -> &'static str {
        "critical-requirement-not-automated"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "a critical requirement has no automated case"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(catalog) = cx.catalog else { return };
        for requirement in catalog
            .requirements
            .iter()
            .filter(|r| r.risk == Risk::Critical)
        {
            let covers = super::uncovered_requirement::covering_cases(cx, &requirement.id);
            let manual = covers
                .iter()
                .filter(|case| case.mode == Mode::Manual)
                .count();
            if covers.iter().all(|case| case.mode == Mode::Manual) {
                let message = match manual {
                    0 => format!(
                        "critical requirement `{}` has no case at all",
                        requirement.id
                    ),
                    n => format!(
                        "critical requirement `{}` is proven only by {n} manual case(s)",
                        requirement.id
                    ),
                };
                out.push(
                    Finding::new(requirement.location.clone(), message).hint(format!(
                        "automate a case tagged @req:{} (automation is required for critical risk)",
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

    const CATALOG: &str = "[C-1]\ntitle = 'c'\nrisk = 'critical'\n[C-2]\ntitle = 'c'\nrisk = 'critical'\n[C-3]\ntitle = 'c'\nrisk = 'critical'\n[H-1]\ntitle = 'h'\nrisk = 'high'\n";

    #[test]
    fn reports_critical_requirements_with_no_automated_case() {
        let feature = "Feature: F\n  @A-1 @req:C-1\n  Scenario: a\n    Then x\n  @A-2 @manual @req:C-2\n  Scenario: b\n    Then y\n";
        // C-2 has only a manual case, C-3 none; H-1 is not critical.
        assert_eq!(
            lines(&CriticalRequirementNotAutomated, feature, Some(CATALOG)),
            [4, 7]
        );
    }
}
