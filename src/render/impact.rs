//! What `casebook impact` prints: the selected cases with the reasons for each, and what the
//! change touched without selecting anything. Pure views of an [`Impact`].

use std::fmt::Write as _;

use serde::Serialize;

use crate::impact::{Base, Impact, Reason};
use crate::location::Location;
use crate::model::{Mode, Suite};

/// One case in the selection, with its selected executions.
#[derive(Debug, Serialize)]
struct SelectedCase<'a> {
    id: Option<&'a str>,
    title: &'a str,
    #[serde(serialize_with = "display")]
    location: &'a Location,
    mode: &'static str,
    /// Whether every execution of it is selected.
    whole: bool,
    executions: Vec<SelectedExecution<'a>>,
}

#[derive(Debug, Serialize)]
struct SelectedExecution<'a> {
    /// Its number in the case (0 for a plain Scenario, the row for an outline).
    index: usize,
    /// Its Examples row's line, for an outline.
    row_line: Option<usize>,
    reasons: &'a [Reason],
}

/// The whole of `casebook impact --format json`.
#[derive(Debug, Serialize)]
struct Json<'a> {
    base: Option<&'a Base>,
    files: Vec<String>,
    /// Why every case is selected; empty when the selection is narrower.
    whole_suite: &'a [Reason],
    cases: Vec<SelectedCase<'a>>,
    notes: &'a [Reason],
    counts: Counts,
}

#[derive(Debug, Serialize)]
struct Counts {
    cases: usize,
    executions: usize,
    selected_cases: usize,
    selected_executions: usize,
}

fn display<S: serde::Serializer>(location: &&Location, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(location)
}

fn selection<'a>(impact: &'a Impact, suite: &'a Suite) -> (Vec<SelectedCase<'a>>, Counts) {
    let mut cases = Vec::new();
    let mut counts = Counts {
        cases: 0,
        executions: 0,
        selected_cases: 0,
        selected_executions: 0,
    };
    for (number, (_, case)) in suite.cases().enumerate() {
        counts.cases += 1;
        counts.executions += case.executions.len();
        let executions: Vec<SelectedExecution<'a>> = case
            .executions
            .iter()
            .enumerate()
            .filter(|(index, _)| impact.selects(number, *index))
            .map(|(index, execution)| SelectedExecution {
                index,
                row_line: execution.row.as_ref().map(|row| row.location.line),
                reasons: impact.reasons(number, index),
            })
            .collect();
        if executions.is_empty() {
            continue;
        }
        counts.selected_cases += 1;
        counts.selected_executions += executions.len();
        cases.push(SelectedCase {
            id: case.id.as_ref().map(|id| id.0.as_str()),
            title: &case.title,
            location: &case.location,
            mode: match case.mode {
                Mode::Automated => "automated",
                Mode::Manual => "manual",
            },
            whole: executions.len() == case.executions.len(),
            executions,
        });
    }
    (cases, counts)
}

/// `--format json`: the selection, each execution with its reasons.
pub fn json(impact: &Impact, suite: &Suite) -> String {
    let (cases, counts) = selection(impact, suite);
    let json = Json {
        base: impact.base.as_ref(),
        files: impact
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect(),
        whole_suite: &impact.whole_suite,
        cases,
        notes: &impact.notes,
        counts,
    };
    let mut out = serde_json::to_string_pretty(&json).expect("plain data serializes");
    out.push('\n');
    out
}

/// How many reasons for selecting every case the human form shows: one is enough to know
/// why, and a branch that touches the service's code has one per file.
const WHOLE_SUITE_SHOWN: usize = 10;

/// The human form: a headline, every selected case with its reasons, then the notes.
pub fn human(impact: &Impact, suite: &Suite) -> String {
    let (cases, counts) = selection(impact, suite);
    let mut out = String::new();
    let since = match &impact.base {
        Some(base) => format!(
            " since {} (merge base {})",
            clean(&base.revision),
            short(&base.commit)
        ),
        None => String::new(),
    };
    let files = impact.files.len();
    let _ = writeln!(
        out,
        "impact{since}: {files} file{} changed; {} of {} cases selected ({} of {} executions)",
        if files == 1 { "" } else { "s" },
        counts.selected_cases,
        counts.cases,
        counts.selected_executions,
        counts.executions,
    );
    if !impact.whole_suite.is_empty() {
        let _ = writeln!(out, "\nEvery case is selected:");
        for reason in impact.whole_suite.iter().take(WHOLE_SUITE_SHOWN) {
            let _ = writeln!(out, "  {}", line(reason));
        }
        if impact.whole_suite.len() > WHOLE_SUITE_SHOWN {
            let _ = writeln!(
                out,
                "  … and {} more (`--format json` lists them all)",
                impact.whole_suite.len() - WHOLE_SUITE_SHOWN
            );
        }
    }
    if impact.whole_suite.is_empty() {
        for case in &cases {
            let id = case.id.unwrap_or("(no ID)");
            let manual = if case.mode == "manual" {
                " [manual]"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "\n{id}  {}{manual}  ({})",
                clean(case.title),
                case.location
            );
            for execution in &case.executions {
                let row = match (case.whole, execution.row_line) {
                    (false, Some(line)) => format!("row at line {line}: "),
                    _ => String::new(),
                };
                for reason in execution.reasons {
                    let _ = writeln!(out, "    {row}{}", line(reason));
                }
                if case.whole && case.executions.len() > 1 {
                    // The rows of a whole outline share their reasons: say them once.
                    break;
                }
            }
        }
    }
    if !impact.notes.is_empty() {
        let _ = writeln!(out, "\nChanged, but selects nothing:");
        for note in &impact.notes {
            let _ = writeln!(out, "  {}", line(note));
        }
    }
    if counts.selected_executions == 0 {
        let _ = writeln!(
            out,
            "\nNo case is selected: nothing this change touches is run by a case."
        );
    }
    out
}

fn line(reason: &Reason) -> String {
    match (&reason.file, reason.line) {
        (Some(file), Some(line)) => format!("{}:{line}: {}", clean(file), clean(&reason.why)),
        (Some(file), None) => format!("{}: {}", clean(file), clean(&reason.why)),
        _ => clean(&reason.why),
    }
}

/// Text from files and git, safe on a terminal (control characters shown, not obeyed), its
/// further lines indented under the first.
fn clean(text: &str) -> String {
    crate::text::terminal(text).replace('\n', "\n      ")
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
