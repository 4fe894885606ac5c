//! The end of a run in the terminal: each failure in full, the steps without a script with
//! their snippets, a summary by requirement, and the totals.
//!
//! A pure function of the run record and the traceability matrix, like every other report.

use std::fmt::Write;

use crate::record::{Exchange, ExecutionRecord, RunRecord};
use crate::trace::TraceMatrix;

/// Renders the run's outcome for a person. Everything in it that came from outside (a
/// server's body, an error, a title) shows its control characters rather than obeying them.
pub fn report(record: &RunRecord, matrix: &TraceMatrix) -> String {
    let mut out = String::new();
    failures(record, &mut out);
    unresolved(record, &mut out);
    unused(record, &mut out);
    requirements(matrix, &mut out);
    totals(record, matrix, &mut out);
    crate::text::terminal(&out).into_owned()
}

/// The report with colour for a terminal: the outcome line green when nothing failed and
/// red when something did, section titles bold, errors red, and each requirement's status
/// in the colour of its meaning. For text that [`report`] made: its control characters are
/// already escapes, so the only ones here are the colours'.
pub fn colour(report: &str) -> String {
    const RED: &str = "\x1b[31m";
    const GREEN: &str = "\x1b[32m";
    const YELLOW: &str = "\x1b[33m";
    const BOLD: &str = "\x1b[1m";
    const RESET: &str = "\x1b[0m";
    let outcome = regex::Regex::new(r"^\d+ passed, (\d+) failed").expect("valid regex");
    let mut out = String::with_capacity(report.len() + 256);
    for line in report.split_inclusive('\n') {
        let (text, end) = line.strip_suffix('\n').map_or((line, ""), |t| (t, "\n"));
        let paint = if let Some(failed) = outcome.captures(text) {
            Some(if &failed[1] == "0" { GREEN } else { RED })
        } else if text.ends_with(':') && !text.starts_with(' ') {
            Some(BOLD)
        } else if text.trim_start().starts_with("error:") {
            Some(RED)
        } else {
            None
        };
        match paint {
            Some(paint) => out.push_str(&format!("{paint}{text}{RESET}{end}")),
            None => {
                let coloured = [
                    ("  policy violation ", RED),
                    ("  failing ", RED),
                    ("  passing ", GREEN),
                    ("  partial ", YELLOW),
                    ("  not run ", YELLOW),
                    ("  uncovered ", YELLOW),
                ]
                .into_iter()
                .find(|(status, _)| text.contains(status));
                match coloured {
                    Some((status, paint)) => {
                        let word = status.trim();
                        out.push_str(&text.replacen(word, &format!("{paint}{word}{RESET}"), 1));
                        out.push_str(end);
                    }
                    None => out.push_str(line),
                }
            }
        }
    }
    out
}

fn failures(record: &RunRecord, out: &mut String) {
    // A failed BeforeAll hook ran no case: it comes first, or the run's failure is a riddle.
    if !record.run_hook_failures.is_empty() {
        writeln!(out, "\nhooks of the run that failed:").unwrap();
        for failure in &record.run_hook_failures {
            writeln!(out, "\n  {}", failure.hook).unwrap();
            error_lines(&failure.error, out);
        }
    }
    let failed: Vec<_> = record.failed().collect();
    if failed.is_empty() {
        return;
    }
    writeln!(out, "\nfailures:").unwrap();
    for execution in failed {
        execution_failure(execution, out);
    }
}

/// One failed execution: the case, the failing step and its error, the last HTTP exchange,
/// the attachments and the attempts.
fn execution_failure(execution: &ExecutionRecord, out: &mut String) {
    let id = execution.case_id.as_deref().unwrap_or("(no ID)");
    writeln!(out, "\n  {id} {}", execution.title).unwrap();
    let row = execution
        .example
        .as_ref()
        .map(|e| format!(" (Examples row {}, line {})", e.index_in_outline, e.line))
        .unwrap_or_default();
    writeln!(
        out,
        "    case:    {}:{}{row}",
        execution.file, execution.line
    )
    .unwrap();
    if let Some(failure) = &execution.failure {
        writeln!(
            out,
            "    step:    {} ({}:{})",
            failure.step, execution.file, failure.line
        )
        .unwrap();
        if let Some(definition) = &failure.definition {
            writeln!(out, "    script:  {definition}").unwrap();
        }
        error_lines(&failure.error, out);
        if let Some(exchange) = &failure.exchange {
            exchange_lines(exchange, out);
        }
    }
    for attachment in &execution.attachments {
        writeln!(
            out,
            "    {:<8} {}",
            format!(
                "{}:",
                attachment.name.split(' ').next_back().unwrap_or("file")
            ),
            attachment.path.display()
        )
        .unwrap();
    }
    if execution.attempts > 1 {
        writeln!(out, "    attempts: {}", execution.attempts).unwrap();
    }
}

/// An error, its first line labelled and the others under it.
fn error_lines(error: &str, out: &mut String) {
    for (i, line) in error.lines().enumerate() {
        let label = if i == 0 { "error:   " } else { "         " };
        writeln!(out, "    {label}{line}").unwrap();
    }
}

/// The last HTTP exchange before a failure, and the start of its response body.
fn exchange_lines(exchange: &Exchange, out: &mut String) {
    let outcome = match (exchange.status, &exchange.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".to_owned(),
    };
    writeln!(
        out,
        "    http:    {} {} → {outcome}",
        exchange.method, exchange.url
    )
    .unwrap();
    if let Some(body) = exchange.response_body.as_deref().filter(|b| !b.is_empty()) {
        writeln!(
            out,
            "             {}",
            truncate(&body.replace('\n', " "), 200)
        )
        .unwrap();
    }
}

fn unresolved(record: &RunRecord, out: &mut String) {
    if !record.unbound_steps.is_empty() {
        writeln!(
            out,
            "\nsteps without a step definition (specs without a script):"
        )
        .unwrap();
        for step in &record.unbound_steps {
            writeln!(
                out,
                "\n  {:?} {}\n    used at {}",
                step.kind,
                step.text,
                step.places.join(", ")
            )
            .unwrap();
            for line in step.snippet.lines() {
                writeln!(out, "    | {line}").unwrap();
            }
        }
    }
    if !record.ambiguous_steps.is_empty() {
        writeln!(out, "\nsteps with several step definitions:").unwrap();
        for step in &record.ambiguous_steps {
            writeln!(
                out,
                "\n  {}\n    used at {}",
                step.text,
                step.places.join(", ")
            )
            .unwrap();
            for definition in &step.definitions {
                writeln!(
                    out,
                    "    matches `{}` at {}",
                    definition.display_pattern(),
                    definition.location_text().as_deref().unwrap_or("?")
                )
                .unwrap();
            }
        }
    }
}

fn unused(record: &RunRecord, out: &mut String) {
    if record.unused_definitions.is_empty() {
        return;
    }
    writeln!(out, "\nstep definitions no selected step uses:").unwrap();
    for definition in &record.unused_definitions {
        writeln!(
            out,
            "  {} at {}",
            definition.display_pattern(),
            definition.location_text().as_deref().unwrap_or("?")
        )
        .unwrap();
    }
}

/// The requirements as the traceability matrix sees them, rolled up through `parent`: the
/// same status words as `summary.md` and `casebook trace`.
fn requirements(matrix: &TraceMatrix, out: &mut String) {
    if matrix.requirements.is_empty() {
        return;
    }
    writeln!(out, "\nby requirement:").unwrap();
    let width = matrix
        .requirements
        .iter()
        .map(|r| r.id.len() + 2 * r.depth)
        .max()
        .unwrap_or(0);
    for row in &matrix.requirements {
        let id = format!("{}{}", "  ".repeat(row.depth), row.id);
        let n = &row.counts;
        let mix: Vec<String> = [
            (n.passed, "passed"),
            (n.failed, "failed"),
            (n.unbound, "unbound"),
            (n.not_run, "not run"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, word)| format!("{count} {word}"))
        .collect();
        writeln!(
            out,
            "  {id:<width$}  {:<16} {:<40} {}",
            row.status.label(),
            truncate(&row.title, 40),
            mix.join(", ")
        )
        .unwrap();
    }
}

fn totals(record: &RunRecord, matrix: &TraceMatrix, out: &mut String) {
    let c = &record.counts;
    let mode = if record.selection.dry_run {
        " (dry run: nothing executed)"
    } else {
        ""
    };
    writeln!(
        out,
        "\n{} cases ({} manual, not run here), {} executions selected{}; {} of {} automated cases scripted from {}, {} bound / {} unbound / {} ambiguous steps{mode}",
        c.cases,
        c.manual_cases,
        c.executions - c.skipped_by_impact,
        match c.skipped_by_impact {
            0 => String::new(),
            n => format!(" ({n} more skipped by impact)"),
        },
        matrix.scripted_cases(),
        matrix.totals.counts.automated,
        matrix.totals.definitions_text(),
        c.bound_steps,
        c.unbound_steps,
        c.ambiguous_steps
    )
    .unwrap();
    let m = &matrix.totals.manual;
    if m.executions > 0 {
        writeln!(
            out,
            "manual results{}: {} passed, {} failed, {} blocked, {} stale, {} not run",
            matrix
                .manual_release
                .as_deref()
                .map(|r| format!(" for release {r}"))
                .unwrap_or_default(),
            m.passed,
            m.failed,
            m.blocked,
            m.stale,
            m.not_run
        )
        .unwrap();
    }
    if let Some(impact) = &record.selection.impact {
        writeln!(out, "impact {}", impact.summary(c.skipped_by_impact)).unwrap();
    }
    // The closing line, in the form CI reads: "N passed, N failed".
    writeln!(out, "{}", c.outcome_line()).unwrap();
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(width - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RunHookFailure;

    /// The matrix of `record` over an empty suite.
    fn matrix_of(record: &RunRecord) -> TraceMatrix {
        crate::trace::build(
            &crate::model::Suite::default(),
            None,
            None,
            record,
            None,
            &crate::redact::Redactor::default(),
        )
    }

    #[test]
    fn colour_marks_the_outcome_the_titles_the_errors_and_the_statuses() {
        let report = "\nfailures:\n\n  PAY-1 pays\n    error:   boom\n\nby requirement:\n  PAY-1  failing          Pays   1 failed\n  PAY-2  passing          Pays   1 passed\n3 passed, 1 failed\n";
        let coloured = colour(report);
        assert!(
            coloured.contains("\x1b[1mfailures:\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("\x1b[31m    error:   boom\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("  PAY-1  \x1b[31mfailing\x1b[0m "),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("  PAY-2  \x1b[32mpassing\x1b[0m "),
            "{coloured:?}"
        );
        assert!(
            coloured.ends_with("\x1b[31m3 passed, 1 failed\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(colour("2 passed, 0 failed\n").starts_with("\x1b[32m"));
        // Without the colours, the text is the report's.
        let plain = regex::Regex::new("\x1b\\[[0-9;]*m")
            .unwrap()
            .replace_all(&coloured, "");
        assert_eq!(plain, report);
    }

    #[test]
    fn control_characters_from_outside_are_shown_not_obeyed() {
        // A hostile server's error text: clear the screen, return, and paint a green line.
        let error = "\u{1b}[2J\u{1b}[H\r\u{1b}[32m24 passed, 0 failed\u{7}\0";
        let record = RunRecord {
            run_hook_failures: vec![RunHookFailure {
                hook: "BeforeAll hook `seed`".to_owned(),
                error: error.to_owned(),
            }],
            ..RunRecord::default()
        };
        let text = report(&record, &matrix_of(&record));
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(
            text.contains("\\u{1b}[2J\\u{1b}[H\\r\\u{1b}[32m24 passed"),
            "{text}"
        );
    }

    #[test]
    fn a_failed_hook_of_the_run_is_shown_with_its_error() {
        let record = RunRecord {
            run_hook_failures: vec![RunHookFailure {
                hook: "BeforeAll hook `seed`".to_owned(),
                error: "no database\nat all".to_owned(),
            }],
            ..RunRecord::default()
        };
        let text = report(&record, &matrix_of(&record));
        assert!(
            text.contains(
                "hooks of the run that failed:\n\n  BeforeAll hook `seed`\n    error:   no database\n             at all\n"
            ),
            "{text}"
        );
    }
}
