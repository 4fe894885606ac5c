//! `unbound-step` and `ambiguous-step`: steps of automated cases without exactly one step
//! definition. A harness checks them against its own definitions; `casebook lint` against
//! the `steps.json` the last harness run saved, so no build is needed.

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::location::Location;
use crate::model::Mode;
use crate::registry::{Binding, Bindings};

/// Every (step, binding) of the automated cases, each step place once.
fn automated_steps(
    cx: &Context<'_>,
    bindings: &Bindings,
    keep: fn(&Binding) -> bool,
) -> Vec<(Location, String, Binding)> {
    let mut seen = foldhash::HashSet::default();
    let mut found = Vec::new();
    let automated = cx
        .suite
        .numbered_cases()
        .enumerate()
        .filter(|(_, (_, _, case))| case.mode == Mode::Automated);
    for (case_number, (file, _, case)) in automated {
        let executions = case.executions.iter().zip(bindings.of_case(case_number));
        for (execution, bound) in executions {
            for (step, binding) in case.steps_of(execution).zip(bound) {
                // A step is one place in every execution of its case (and a Background
                // step in every case): one finding each.
                let location = &step.step.location;
                let place = (file, location.line, location.column);
                if keep(binding) && seen.insert(place) {
                    found.push((
                        location.clone(),
                        format!("{} {}", step.step.keyword, step.text()),
                        binding.clone(),
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
        let Some(bindings) = cx.bindings else { return };
        for (location, step, _) in automated_steps(cx, bindings, |b| matches!(b, Binding::Unbound))
        {
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
        let Some(bindings) = cx.bindings else { return };
        for (location, step, binding) in
            automated_steps(cx, bindings, |b| matches!(b, Binding::Ambiguous(_)))
        {
            let Binding::Ambiguous(indexes) = binding else {
                continue;
            };
            let places: Vec<String> = indexes
                .iter()
                .map(|&i| {
                    bindings.definitions()[i]
                        .location_text()
                        .unwrap_or_else(|| bindings.definitions()[i].display_pattern())
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
