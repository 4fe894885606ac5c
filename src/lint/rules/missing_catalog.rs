//! `missing-catalog`: requirement tags are used but there is no catalog to check them against.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::location::display_path;

/// Warns once when cases name requirements and the default catalog file does not exist.
pub struct MissingCatalog;

impl Rule for MissingCatalog {
    fn name(&self) -> &'static str {
        "missing-catalog"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "cases name requirements but there is no requirement catalog"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(path) = cx.missing_catalog else {
            return;
        };
        let Some(first) = cx
            .suite
            .cases()
            .flat_map(|(_, case)| &case.requirements)
            .next()
        else {
            return;
        };
        let shown = display_path(path);
        out.push(
            Finding::new(
                first.location.clone(),
                format!("requirement `{}` cannot be checked: there is no catalog at `{}`", first.id, shown.display()),
            )
            .hint("create requirements.toml with one table per requirement, or set `requirements` in casebook.toml"),
        );
    }
}
