//! `summary.md`: the outcome of a run in Markdown, fit for `$GITHUB_STEP_SUMMARY` or a
//! pull-request comment: the totals, a table by requirement, the failures with their case
//! IDs, and the steps without a script.
//!
//! Everything taken from the suite (titles, step texts, error messages) is escaped: Markdown
//! renderers also render HTML, so a `<script>` in a title must arrive as text.

use std::fmt::Write;

use crate::record::RunRecord;
use crate::trace::TraceMatrix;

/// Renders the summary.
pub fn summary(record: &RunRecord, matrix: &TraceMatrix) -> String {
    let mut out = String::new();
    let c = &record.counts;
    let verdict = if c.failed > 0 || !record.run_hook_failures.is_empty() {
        "❌"
    } else if c.unbound + c.ambiguous > 0 {
        "⚠️"
    } else {
        "✅"
    };
    writeln!(
        out,
        "## {verdict} casebook: {} passed, {} failed\n",
        c.passed + c.flaky,
        c.failed
    )
    .unwrap();

    let t = &matrix.totals;
    writeln!(out, "| | |\n|---|---|").unwrap();
    if let Some(release) = &record.release {
        writeln!(out, "| Release | {} |", cell(release)).unwrap();
    }
    writeln!(
        out,
        "| Cases | {} ({} automated, {} manual) |",
        t.counts.cases, t.counts.automated, t.counts.manual
    )
    .unwrap();
    writeln!(
        out,
        "| Executions | {}: {} |",
        c.executions,
        c.outcome_line()
    )
    .unwrap();
    if let Some(impact) = &record.selection.impact {
        writeln!(
            out,
            "| Impact selection | {} |",
            cell(&impact.summary(c.skipped_by_impact))
        )
        .unwrap();
    }
    manual_row(matrix, &mut out);
    writeln!(
        out,
        "| Requirements covered | {} of {} ({}%) |",
        t.covered, t.requirements, t.covered_percent
    )
    .unwrap();
    writeln!(
        out,
        "| Scripts | {} of {} automated cases; {}; {} bound, {} unbound steps |",
        matrix.scripted_cases(),
        t.counts.automated,
        t.definitions_text(),
        t.bound_steps,
        t.unbound_steps
    )
    .unwrap();

    requirements(matrix, &mut out);
    failures(record, &mut out);
    manual(matrix, &mut out);
    unbound(record, &mut out);
    skipped_by_impact(record, &mut out);
    out
}

/// The cases change-based selection left out, so that no reader takes them for run.
fn skipped_by_impact(record: &RunRecord, out: &mut String) {
    let skipped: Vec<_> = record
        .executions
        .iter()
        .filter(|e| e.skipped_by_impact)
        .collect();
    if skipped.is_empty() {
        return;
    }
    writeln!(
        out,
        "\n<details><summary>Skipped by impact selection: {} executions</summary>\n\n| Case | Title | Where |\n|---|---|---|",
        skipped.len()
    )
    .unwrap();
    for execution in skipped {
        let row = execution
            .example
            .as_ref()
            .map_or(execution.line, |example| example.line);
        writeln!(
            out,
            "| {} | {} | {}:{row} |",
            cell(execution.case_id.as_deref().unwrap_or("(no ID)")),
            cell(&execution.title),
            cell(&execution.file)
        )
        .unwrap();
    }
    writeln!(out, "\n</details>").unwrap();
}

/// The row of testers' results, when there are manual cases.
fn manual_row(matrix: &TraceMatrix, out: &mut String) {
    let m = &matrix.totals.manual;
    if m.executions > 0 {
        writeln!(
            out,
            "| Manual results | {}{} passed, {} failed, {} blocked, {} stale, {} not run ({} manual, {} awaiting automation) |",
            matrix
                .manual_release
                .as_deref()
                .map(|r| format!("release {}: ", cell(r)))
                .unwrap_or_default(),
            m.passed,
            m.failed,
            m.blocked,
            m.stale,
            m.not_run,
            m.executions - m.awaiting_automation,
            m.awaiting_automation
        )
        .unwrap();
    }
}

/// The manual results that need someone's attention: failed, blocked, and stale ones.
fn manual(matrix: &TraceMatrix, out: &mut String) {
    let mut lines = Vec::new();
    for case in &matrix.cases {
        for execution in &case.executions {
            let Some(m) = &execution.manual else { continue };
            if m.validity.is_valid() && m.status == crate::manual::ManualStatus::Passed {
                continue;
            }
            let id = case.id.as_deref().unwrap_or("(no ID)");
            let row = execution
                .index_in_outline
                .map(|r| format!(", Examples row {r}"))
                .unwrap_or_default();
            let mut line = format!(
                "- **{}** {} ({}:{}{row}): {} by {} at {} (release {})",
                cell(id),
                cell(&case.title),
                cell(&case.file),
                case.line,
                cell(&m.label()),
                cell(&m.tester),
                cell(&m.at),
                cell(&m.release)
            );
            if !m.actual.is_empty() {
                write!(line, "\n  - actual: {}", cell(&m.actual)).unwrap();
            }
            if let Some(defect) = &m.defect {
                write!(line, "\n  - defect: {}", cell(defect)).unwrap();
            }
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return;
    }
    writeln!(out, "\n### Manual results needing attention\n").unwrap();
    for line in lines {
        writeln!(out, "{line}").unwrap();
    }
}

fn requirements(matrix: &TraceMatrix, out: &mut String) {
    if matrix.requirements.is_empty() {
        return;
    }
    writeln!(out, "\n### Requirements\n").unwrap();
    writeln!(
        out,
        "| Requirement | Title | Risk | Status | Cases | Passed | Failed | Unbound | Not run |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|---:|---:|---:|---:|---:|").unwrap();
    for row in &matrix.requirements {
        let indent = "&nbsp;&nbsp;".repeat(row.depth);
        let title = if row.in_catalog {
            cell(&row.title)
        } else {
            "*(not in the catalog)*".to_owned()
        };
        let risk = row.risk.map_or(String::new(), |r| r.to_string());
        let n = &row.counts;
        writeln!(
            out,
            "| {indent}{} | {title} | {risk} | {} | {} | {} | {} | {} | {} |",
            cell(&row.id),
            row.status.label(),
            n.cases,
            n.passed,
            n.failed,
            n.unbound,
            n.not_run
        )
        .unwrap();
    }
}

fn failures(record: &RunRecord, out: &mut String) {
    if !record.run_hook_failures.is_empty() {
        writeln!(out, "\n### Run hooks that failed\n").unwrap();
        for failure in &record.run_hook_failures {
            writeln!(out, "- {}: {}", cell(&failure.hook), cell(&failure.error)).unwrap();
        }
    }
    let failed: Vec<_> = record.failed().collect();
    if failed.is_empty() {
        return;
    }
    writeln!(out, "\n### Failures\n").unwrap();
    for execution in failed {
        let id = execution.case_id.as_deref().unwrap_or("(no ID)");
        let row = execution
            .example
            .as_ref()
            .map(|e| format!(", Examples row {}", e.index_in_outline))
            .unwrap_or_default();
        writeln!(
            out,
            "- **{}** {} ({}:{}{row})",
            cell(id),
            cell(&execution.title),
            cell(&execution.file),
            execution.line
        )
        .unwrap();
        if let Some(failure) = &execution.failure {
            let first_line = failure.error.lines().next().unwrap_or("");
            writeln!(
                out,
                "  - step: {} (line {})",
                cell(&failure.step),
                failure.line
            )
            .unwrap();
            writeln!(out, "  - error: {}", cell(first_line)).unwrap();
        }
    }
}

fn unbound(record: &RunRecord, out: &mut String) {
    if record.unbound_steps.is_empty() && record.ambiguous_steps.is_empty() {
        return;
    }
    writeln!(out, "\n### Steps without exactly one script\n").unwrap();
    for step in &record.unbound_steps {
        writeln!(
            out,
            "- unbound: {} ({})",
            cell(&step.text),
            cell(&step.places.join(", "))
        )
        .unwrap();
    }
    for step in &record.ambiguous_steps {
        writeln!(
            out,
            "- ambiguous ({} definitions): {} ({})",
            step.definitions.len(),
            cell(&step.text),
            cell(&step.places.join(", "))
        )
        .unwrap();
    }
}

use crate::text::cell;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ExecutionRecord, Failure, Status};

    #[test]
    fn cells_arrive_as_text() {
        assert_eq!(
            cell("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(
            cell("*bold* [link](x) `code`"),
            "\\*bold\\* \\[link\\](x) \\`code\\`"
        );
        assert_eq!(cell("two\nlines"), "two lines");
        assert_eq!(cell("\u{1b}[2Jfake"), "\\u{1b}\\[2Jfake");
    }

    #[test]
    fn a_failure_is_listed_with_its_case_id_step_and_error() {
        let execution = ExecutionRecord {
            case_id: Some("PAY-CC-015".into()),
            title: "Declined <img src=x onerror=alert(1)>".into(),
            feature: "Checkout".into(),
            file: "features/checkout.feature".into(),
            line: 29,
            example: None,
            requirements: vec!["PAY-8".into()],
            status: Status::Failed,
            attempts: 1,
            duration_ms: 3,
            steps: Vec::new(),
            failure: Some(Box::new(Failure {
                step: "Then the customer is told \"declined\"".into(),
                line: 34,
                error: "expected \"declined\"\nsecond line".into(),
                definition: None,
                exchange: None,
            })),
            attachments: Vec::new(),
            skipped_by_impact: false,
            step_durations_us: Vec::new(),
        };
        let mut record = RunRecord {
            executions: vec![execution],
            ..RunRecord::default()
        };
        record.counts.failed = 1;
        record.counts.executions = 1;
        let matrix = crate::trace::build(
            &crate::model::Suite::default(),
            None,
            None,
            &record,
            None,
            &crate::redact::Redactor::default(),
        );
        let text = summary(&record, &matrix);
        assert!(
            text.starts_with("## ❌ casebook: 0 passed, 1 failed"),
            "{text}"
        );
        assert!(
            text.contains("| Executions | 1: 0 passed, 1 failed |"),
            "{text}"
        );
        assert!(
            text.contains("- **PAY-CC-015** Declined &lt;img src=x onerror=alert(1)&gt; (features/checkout.feature:29)"),
            "{text}"
        );
        assert!(
            text.contains("  - error: expected \"declined\"\n"),
            "{text}"
        );
        assert!(!text.contains("<img"), "{text}");
    }
}
