//! Runs every enabled rule over the suite and the catalog and collects their findings.

use std::path::PathBuf;

use crate::catalog::{Catalog, Problem};
use crate::config::TagConventions;
use crate::lint::diagnostic::{Diagnostic, Severity};
use crate::lint::{Settings, rules};
use crate::model::Suite;
use crate::registry::Bindings;

/// Everything a rule may look at.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The parsed and classified suite.
    pub suite: &'a Suite,
    /// The requirement catalog, when there is a readable one.
    pub catalog: Option<&'a Catalog>,
    /// Problems found while reading the catalog.
    pub catalog_problems: &'a [Problem],
    /// The catalog's path when the file does not exist.
    pub missing_catalog: Option<&'a PathBuf>,
    /// How tags are read.
    pub conventions: &'a TagConventions,
    /// The lint settings.
    pub settings: &'a Settings,
    /// How the suite's steps bind to the step definitions of this harness, or of the ones
    /// the last harness run saved (`steps.json`), if there are any.
    pub bindings: Option<&'a Bindings>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Feature files read.
    pub files: usize,
    /// Cases in them.
    pub cases: usize,
    /// Requirements in the catalog.
    pub requirements: usize,
    /// Findings of error severity.
    pub errors: usize,
    /// Findings of warning severity.
    pub warnings: usize,
}

/// Runs every rule that is not turned off and returns the findings sorted by file, line,
/// column and rule, so that output is the same from run to run.
pub fn check(cx: &Context<'_>) -> Vec<Diagnostic> {
    let enabled: Vec<(&dyn rules::Rule, Severity)> = rules::ALL
        .iter()
        .filter_map(|&rule| match cx.settings.rules.get(rule.name()) {
            Some(Some(severity)) => Some((rule, *severity)),
            Some(None) => None,
            None => Some((rule, rule.severity())),
        })
        .collect();
    // The rules read the same suite and nothing else: they run on every core, every
    // thread taking every n-th rule so that the slow ones spread out.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut diagnostics: Vec<Diagnostic> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                let enabled = &enabled;
                scope.spawn(move || {
                    let mut diagnostics = Vec::new();
                    for &(rule, severity) in enabled.iter().skip(first).step_by(threads) {
                        let mut findings = Vec::new();
                        rule.check(cx, &mut findings);
                        diagnostics.extend(findings.into_iter().map(|finding| Diagnostic {
                            location: finding.location,
                            rule: rule.name(),
                            severity,
                            message: finding.message,
                            hint: finding.hint,
                        }));
                    }
                    diagnostics
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    diagnostics.sort_by(|a, b| (&a.location, a.rule).cmp(&(&b.location, b.rule)));
    diagnostics
}
