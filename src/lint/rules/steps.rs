//! `unbound-step` and `ambiguous-step`: steps of automated cases without exactly one step
//! definition. A harness checks them against its own definitions; `casebook lint` against
//! the `steps.json` the last harness run saved, so no build is needed.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::location::Location;
use crate::model::Mode;
use crate::registry::{Binding, Registry, bind_execution};

/// Every (step, binding) of the automated cases, each step place once.
fn bindings<'a>(
    cx: &Context<'a>,
    registry: &Registry,
    keep: fn(&Binding) -> bool,
) -> Vec<(Location, String, Binding)> {
    let mut seen = foldhash::HashSet::default();
    let mut found = Vec::new();
    let automated = cx
        .suite
        .numbered_cases()
        .filter(|(_, _, case)| case.mode == Mode::Automated);
    for (number, _, case) in automated {
        for execution in &case.executions {
            for (bound, step) in bind_execution(registry, case, execution)
                .into_iter()
                .zip(case.all_steps())
            {
                // A step is one place in every execution of its case (and a Background
                // step in every case): one finding each.
                let place = (number, step.location.line, step.location.column);
                if keep(&bound.binding) && seen.insert(place) {
                    found.push((
                        step.location.clone(),
                        format!("{} {}", step.keyword, bound.text),
                        bound.binding,
                    ));
                }
            }
        }
    }
    found
}

/// Reports steps that no definition matches: specs without a script.
pub struct UnboundStep;

impl Rule for UnboundStep {
    fn name(&self) -> &'static str {
        "unbound-step"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "a step of an automated case has no step definition (as of the last run's steps.json)"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(registry) = cx.registry else { return };
        for (location, step, _) in bindings(cx, registry, |b| matches!(b, Binding::Unbound)) {
            out.push(
                Finding::new(location, format!("no step definition matches `{step}`")).hint(
                    "write one (the harness prints a snippet for it), or tag the case @manual",
                ),
            );
        }
    }
}

/// Reports steps that several definitions match: cucumber cannot tell which to run.
pub struct AmbiguousStep;

impl Rule for AmbiguousStep {
    fn name(&self) -> &'static str {
        "ambiguous-step"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn summary(&self) -> &'static str {
        "a step of an automated case matches several step definitions (as of the last run's steps.json)"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(registry) = cx.registry else { return };
        for (location, step, binding) in
            bindings(cx, registry, |b| matches!(b, Binding::Ambiguous(_)))
        {
            let Binding::Ambiguous(indexes) = binding else {
                continue;
            };
            let places: Vec<String> = indexes
                .iter()
                .map(|&i| {
                    registry.definitions()[i]
                        .location
                        .clone()
                        .unwrap_or_else(|| registry.definitions()[i].display_pattern())
                })
                .collect();
            out.push(
                Finding::new(
                    location,
                    format!(
                        "`{step}` matches {} step definitions: {}",
                        places.len(),
                        places.join(", ")
                    ),
                )
                .hint("make the patterns exclusive, or reword one of the steps"),
            );
        }
    }
}
