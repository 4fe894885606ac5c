//! The testers' testcases: one per execution of a manual case (and of a case awaiting
//! automation that a tester answered and the run did not include), with the tester's latest
//! result: passed, failed (a `failure` of type `manual`), or blocked, stale or not run
//! (`skipped` with the reason), and `mode: manual` in `system-out`.

use std::fmt::Write as _;

use std::borrow::Cow;

use super::{Entry, FailureElement, Source, TestCase, row_values};
use crate::config::JunitDialect;
use crate::render::{Inputs, steps};
use crate::trace::Outcome;

impl Entry<'static> {
    /// The testcase of an execution a tester answers for: a manual case's, or one of a case
    /// awaiting automation that a tester answered and the run did not include. It says
    /// `mode: manual` in `system-out`.
    pub(super) fn manual(
        located: steps::Located<'_>,
        inputs: &Inputs<'_>,
        dialect: JunitDialect,
    ) -> Self {
        let (row, outcome) = (located.row, located.outcome);
        let requirements: Vec<&str> = located
            .execution
            .requirements
            .iter()
            .map(|r| r.0.as_str())
            .collect();
        let mut properties = Vec::new();
        if let Some(id) = &row.id {
            properties.push(("test_key", id.clone()));
        }
        if !requirements.is_empty() {
            properties.push(("requirements", requirements.join(",")));
        }
        let mut system_out = String::new();
        if dialect == JunitDialect::Jenkins {
            for (key, value) in &properties {
                writeln!(system_out, "{key}: {value}").unwrap();
            }
        }
        let release = inputs
            .matrix
            .manual_release
            .as_deref()
            .unwrap_or(crate::manual::UNRELEASED);
        manual_story(located, inputs, release, &mut system_out);
        let manual = outcome.manual.as_deref();
        let said = manual.map(crate::trace::ManualOutcome::said);
        let (failure, skipped) = verdict(manual, outcome.outcome, said, release);
        Entry {
            classname: Cow::Owned(located.feature.name.clone()),
            name: manual_name(located),
            line: row.line,
            failed: failure.is_some(),
            skipped: skipped.is_some(),
            millis: 0,
            source: Source::Built(Box::new(TestCase {
                skipped,
                failure,
                earlier: Vec::new(),
                earlier_element: "",
                properties: if dialect == JunitDialect::Surefire {
                    properties
                } else {
                    Vec::new()
                },
                system_out,
            })),
        }
    }
}

/// A tester's testcase's name: the case ID and title, and the Examples row with its values.
fn manual_name(located: steps::Located<'_>) -> String {
    let row = located.row;
    let mut name = match &row.id {
        Some(id) => format!("{id}: {}", row.title),
        None => row.title.clone(),
    };
    if let Some(example) = &located.execution.row {
        write!(
            name,
            " [row {}: {}]",
            example.index_in_outline,
            row_values(&example.values)
        )
        .unwrap();
    }
    name
}

/// Where a tester's case is, its result for `release`, and its steps.
fn manual_story(
    located: steps::Located<'_>,
    inputs: &Inputs<'_>,
    release: &str,
    system_out: &mut String,
) {
    let (row, outcome) = (located.row, located.outcome);
    write!(system_out, "case: {}:{}", row.file, row.line).unwrap();
    if let (Some(n), Some(example)) = (outcome.index_in_outline, &located.execution.row) {
        write!(
            system_out,
            ", Examples row {n} (line {})",
            example.location.line
        )
        .unwrap();
    }
    system_out.push_str("\nmode: manual\n");
    match outcome.manual.as_deref() {
        Some(m) => write!(system_out, "outcome: {}\n{}", m.said(), m.details()).unwrap(),
        None => writeln!(
            system_out,
            "outcome: not run: no result for release {release}"
        )
        .unwrap(),
    }
    system_out.push_str("\nsteps:\n");
    story(&steps::written(located, inputs.matrix), system_out);
}

/// A tester's steps, one line each with its table or doc string below it.
fn story(steps: &[steps::ShownStep], out: &mut String) {
    for step in steps {
        writeln!(out, "  {} {}", step.keyword, step.text).unwrap();
        super::argument_lines(out, step, "      ");
    }
}

/// What a tester's result makes of a testcase: a failure of type `manual`, or why it is
/// skipped (neither, when it passed).
fn verdict(
    manual: Option<&crate::trace::ManualOutcome>,
    outcome: Outcome,
    said: Option<String>,
    release: &str,
) -> (Option<FailureElement>, Option<String>) {
    match (manual, outcome) {
        (Some(m), Outcome::Failed) => (
            Some(FailureElement {
                message: m
                    .actual
                    .lines()
                    .next()
                    .filter(|l| !l.is_empty())
                    .map_or_else(|| format!("failed by {}", m.tester), str::to_owned),
                kind: "manual",
                body: format!(
                    "{}{}{}",
                    said.as_deref().unwrap_or(""),
                    if m.actual.is_empty() {
                        String::new()
                    } else {
                        format!("\nactual result: {}", m.actual)
                    },
                    m.defect
                        .as_ref()
                        .map(|d| format!("\ndefect: {d}"))
                        .unwrap_or_default()
                ),
            }),
            None,
        ),
        (Some(_), Outcome::Passed) => (None, None),
        (Some(_), _) => (None, said.map(|s| format!("manual: {s}"))),
        (None, _) => (
            None,
            Some(format!("manual: not run, no result for release {release}")),
        ),
    }
}
