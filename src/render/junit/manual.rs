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

/// A testcase for every execution of a manual case, with the tester's latest result, and
/// for every execution of a case awaiting automation that the run did not select but a
/// tester answered. Each says `mode: manual` in `system-out`.
pub(super) fn manual_cases(
    inputs: &Inputs<'_>,
    dialect: JunitDialect,
    redactor: &crate::redact::Redactor,
) -> Vec<Entry<'static>> {
    steps::manual_executions(inputs)
        .map(|(located, row, outcome)| {
            Entry::manual(located, row, outcome, inputs, dialect, redactor)
        })
        .collect()
}

impl Entry<'static> {
    fn manual(
        located: steps::Located<'_>,
        row: &crate::trace::CaseRow,
        outcome: &crate::trace::ExecutionOutcome,
        inputs: &Inputs<'_>,
        dialect: JunitDialect,
        redactor: &crate::redact::Redactor,
    ) -> Self {
        let mut name = match &row.id {
            Some(id) => format!("{id}: {}", row.title),
            None => row.title.clone(),
        };
        if let Some(example) = &located.execution.row {
            write!(
                name,
                " [row {}: {}]",
                outcome.row.unwrap_or(example.row),
                row_values(&example.values)
            )
            .unwrap();
        }
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
        write!(system_out, "case: {}:{}", row.file, row.line).unwrap();
        if let (Some(n), Some(example)) = (outcome.row, &located.execution.row) {
            write!(
                system_out,
                ", Examples row {n} (line {})",
                example.location.line
            )
            .unwrap();
        }
        system_out.push_str("\nmode: manual\n");
        let manual = outcome.manual.as_deref();
        let release = inputs
            .matrix
            .manual_release
            .as_deref()
            .unwrap_or(crate::manual::UNRELEASED);
        let said = manual.map(crate::trace::ManualOutcome::said);
        match manual {
            Some(m) => write!(system_out, "outcome: {}\n{}", m.said(), m.details()).unwrap(),
            None => writeln!(
                system_out,
                "outcome: not run: no result for release {release}"
            )
            .unwrap(),
        }
        system_out.push_str("\nsteps:\n");
        let case = located.case;
        let own = case.steps.iter().map(|s| (s, false));
        for (step, background) in case.background.iter().map(|s| (s, true)).chain(own) {
            let fill = |text: &str| match (&located.execution.row, background) {
                (Some(row), false) => row.substitute(text),
                _ => text.to_owned(),
            };
            writeln!(system_out, "  {} {}", step.keyword, fill(&step.text)).unwrap();
            for cells in step.table.iter().flat_map(|t| &t.rows) {
                let cells: Vec<String> = cells.iter().map(|c| redactor.text(&fill(c))).collect();
                writeln!(system_out, "      | {} |", cells.join(" | ")).unwrap();
            }
            if let Some(doc) = &step.doc_string {
                system_out.push_str("      \"\"\"\n");
                for line in redactor.text(&fill(&doc.content)).lines() {
                    writeln!(system_out, "      {line}").unwrap();
                }
                system_out.push_str("      \"\"\"\n");
            }
        }
        let (failure, skipped) = match (manual, outcome.outcome) {
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
            (Some(_), _) => (None, said.clone().map(|s| format!("manual: {s}"))),
            (None, _) => (
                None,
                Some(format!("manual: not run, no result for release {release}")),
            ),
        };
        Entry {
            classname: Cow::Owned(located.feature.name.clone()),
            name,
            line: row.line,
            file: Cow::Owned(row.file.to_string()),
            order: (row.line, outcome.row.unwrap_or(0)),
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
