//! The dashboard: the headline figures and the two stacked bars (requirements by status,
//! cases by outcome), drawn as SVG so that the page needs no script for them.

use serde::Serialize;

use super::page::{Css, OUTCOMES};
use crate::render::Inputs;

/// A headline figure of the dashboard.
#[derive(Debug, Serialize)]
pub(super) struct Number {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) value: String,
    pub(super) detail: String,
}

/// A segment of a stacked bar: a share of a whole, in percent of the bar's width.
#[derive(Debug, Serialize)]
pub(super) struct Bar {
    pub(super) label: &'static str,
    pub(super) class: &'static str,
    pub(super) count: usize,
    pub(super) x: f64,
    pub(super) width: f64,
}

pub(super) fn numbers(inputs: &Inputs<'_>) -> Vec<Number> {
    let t = &inputs.matrix.totals;
    let c = &inputs.record.counts;
    vec![
        Number {
            key: "requirements-covered",
            label: "Requirements covered",
            value: format!("{} of {}", t.covered, t.requirements),
            detail: format!("{}%", t.covered_percent),
        },
        Number {
            key: "cases",
            label: "Test cases",
            value: t.counts.cases.to_string(),
            detail: format!(
                "{} automated, {} manual",
                t.counts.automated, t.counts.manual
            ),
        },
        Number {
            key: "scripts",
            label: "Test scripts",
            value: inputs.matrix.scripted_cases().to_string(),
            detail: format!(
                "of {} automated cases, from {}",
                t.counts.automated,
                t.definitions_text()
            ),
        },
        Number {
            key: "steps",
            label: "Steps bound",
            value: format!("{} of {}", t.bound_steps, t.bound_steps + t.unbound_steps),
            detail: format!("{} without a script", t.unbound_steps),
        },
        Number {
            key: "manual",
            label: "Manual results",
            value: format!(
                "{} of {}",
                t.manual.passed + t.manual.failed + t.manual.blocked,
                t.manual.executions
            ),
            detail: format!(
                "{}{} passed, {} failed, {} blocked, {} stale; {} awaiting automation",
                inputs
                    .matrix
                    .manual_release
                    .as_deref()
                    .map(|r| format!("release {r}: "))
                    .unwrap_or_default(),
                t.manual.passed,
                t.manual.failed,
                t.manual.blocked,
                t.manual.stale,
                t.manual.awaiting_automation
            ),
        },
        Number {
            key: "executions",
            label: "Executions",
            value: c.executions.to_string(),
            detail: c.outcome_line(),
        },
    ]
}

/// The cases by outcome, as one stacked bar.
pub(super) fn outcome_mix(inputs: &Inputs<'_>) -> Vec<Bar> {
    let cases = &inputs.matrix.cases;
    bars(
        cases.len(),
        OUTCOMES.iter().map(|&outcome| {
            (
                outcome.label(),
                outcome.css(),
                cases.iter().filter(|c| c.outcome == outcome).count(),
            )
        }),
    )
}

/// The catalog's requirements by status, as one stacked bar.
pub(super) fn coverage(inputs: &Inputs<'_>) -> Vec<Bar> {
    let t = &inputs.matrix.totals;
    bars(
        t.requirements,
        t.by_status
            .iter()
            .map(|(status, count)| (status.label(), status.css(), *count)),
    )
}

pub(super) fn bars<'a>(
    total: usize,
    parts: impl Iterator<Item = (&'static str, &'static str, usize)> + 'a,
) -> Vec<Bar> {
    let mut x = 0.0;
    parts
        .filter(|(_, _, count)| *count > 0)
        .map(|(label, class, count)| {
            let width = 100.0 * count as f64 / total.max(1) as f64;
            let bar = Bar {
                label,
                class,
                count,
                x,
                width,
            };
            x += width;
            bar
        })
        .collect()
}
