//! The lint rules, one file each, all listed in [`ALL`].
//!
//! A rule is a unit struct with a stable name (used in output and in `[lint.rules]`), a
//! default severity, a one-line summary for `--list-rules`, and a check that pushes
//! [`Finding`]s. Rules never stop at the first finding.

mod critical_requirement_not_automated;
mod duplicate_case_id;
mod duplicate_title;
mod empty_feature;
mod invalid_catalog;
mod malformed_case_id;
mod missing_case_id;
mod missing_catalog;
mod missing_outcome;
mod missing_precondition;
mod multiple_case_ids;
mod parse_error;
mod placeholders;
mod steps;
pub(super) mod too_many_steps;
pub(super) mod ui_coupled_wording;
mod uncovered_requirement;
mod unknown_requirement;

use crate::lint::{Context, Finding, Severity};

/// One lint rule.
pub trait Rule: Sync {
    /// The stable name, in kebab-case.
    fn name(&self) -> &'static str;
    /// The severity when `[lint.rules]` does not set one.
    fn severity(&self) -> Severity;
    /// What the rule checks, in one line.
    fn summary(&self) -> &'static str;
    /// Pushes a finding for every problem in `cx`.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Every rule, errors first, in the order the README documents them.
pub static ALL: &[&dyn Rule] = &[
    &parse_error::ParseError,
    &invalid_catalog::InvalidCatalog,
    &missing_case_id::MissingCaseId,
    &multiple_case_ids::MultipleCaseIds,
    &malformed_case_id::MalformedCaseId,
    &duplicate_case_id::DuplicateCaseId,
    &unknown_requirement::UnknownRequirement,
    &critical_requirement_not_automated::CriticalRequirementNotAutomated,
    &missing_catalog::MissingCatalog,
    &uncovered_requirement::UncoveredRequirement,
    &too_many_steps::TooManySteps,
    &missing_precondition::MissingPrecondition,
    &missing_outcome::MissingOutcome,
    &ui_coupled_wording::UiCoupledWording,
    &duplicate_title::DuplicateTitle,
    &placeholders::UndefinedPlaceholder,
    &placeholders::UnusedExamplesColumn,
    &empty_feature::EmptyFeature,
    &steps::UnboundStep,
    &steps::AmbiguousStep,
];

/// The case's display name in messages: its ID when it has one, else its title.
fn case_name(case: &crate::model::Case) -> String {
    match &case.id {
        Some(id) => format!("case {id}"),
        None => format!("case \"{}\"", case.title),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Lints inline Gherkin and catalog text, for the rules' table-driven tests.

    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use crate::catalog;
    use crate::config::TagConventions;
    use crate::lint::{Context, Finding, Settings, rules::Rule};
    use crate::model::Suite;
    use crate::{parse, suite};

    /// Runs `rule` over one feature file and an optional catalog; returns `(line, message)`.
    pub fn run(rule: &dyn Rule, feature: &str, catalog_text: Option<&str>) -> Vec<(usize, String)> {
        let conventions = TagConventions::default();
        let mut suite = Suite::default();
        match parse::parse_str(feature, Arc::from(Path::new("t.feature"))) {
            Ok(f) => suite.features.push(suite::classify(f, &conventions)),
            Err(failure) => suite.failures.push(failure),
        }
        let loaded =
            catalog_text.map(|text| catalog::from_str(text, Arc::from(Path::new("r.toml"))));
        let missing = PathBuf::from("requirements.toml");
        let cx = Context {
            suite: &suite,
            catalog: loaded.as_ref().and_then(|l| l.catalog.as_ref()),
            catalog_problems: loaded.as_ref().map_or(&[], |l| &l.problems),
            missing_catalog: catalog_text.is_none().then_some(&missing),
            conventions: &conventions,
            settings: &Settings::default(),
            bindings: None,
        };
        let mut out: Vec<Finding> = Vec::new();
        rule.check(&cx, &mut out);
        out.into_iter()
            .map(|f| (f.location.line, f.message))
            .collect()
    }

    /// The lines of the findings only.
    pub fn lines(rule: &dyn Rule, feature: &str, catalog_text: Option<&str>) -> Vec<usize> {
        run(rule, feature, catalog_text)
            .into_iter()
            .map(|(line, _)| line)
            .collect()
    }
}
