//! `invalid-catalog`: a malformed entry, an unknown key or a missing parent in the catalog.

use crate::lint::{Context, Finding, Severity, rules::Rule};

/// Reports every problem found while reading `requirements.toml`.
pub struct InvalidCatalog;

impl Rule for InvalidCatalog {
    fn name(&self) -> &'static str {
        "invalid-catalog"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "the requirement catalog has a malformed entry, an unknown key or a missing parent"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for problem in cx.catalog_problems {
            out.push(
                Finding::new(problem.location.clone(), problem.message.clone())
                    .hint("each requirement is a table with `title` and `risk` (critical, high, normal, low) and optional `link`, `owner`, `parent`"),
            );
        }
    }
}
