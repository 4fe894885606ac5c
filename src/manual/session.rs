//! `casebook manual run`: a tester's session, plain line-oriented prompts that work in any
//! terminal, through a pseudo-terminal, or from a pipe.
//!
//! Each case is shown whole (ID, title, requirements, pre-conditions, actions, expected
//! result, data tables and doc strings, and its last result), then the tester answers with a
//! word or its first letter. The answer is written to the results file the moment it is
//! given, durably, and completed in place when the actual result and the defect link follow:
//! a terminal closed or a process killed between two prompts loses nothing that was typed.
//! Cases that already have a valid result for the release are not asked again, so running
//! the command again resumes where the last session stopped.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use super::{Item, Ledger, ManualResult, Status, Validity, results};

/// Where answers go, and under whose name.
#[derive(Debug, Clone)]
pub struct Recorder<'a> {
    /// The results directory.
    pub dir: &'a Path,
    /// The release answers are recorded for.
    pub release: &'a str,
    /// The tester.
    pub tester: &'a str,
}

impl Recorder<'_> {
    /// Completes an answer already saved (its actual result, its defect) and saves it again
    /// in its place, so that the file holds the answer once, as complete as it got.
    fn amend(
        &self,
        result: &mut ManualResult,
        change: impl FnOnce(&mut ManualResult),
    ) -> anyhow::Result<()> {
        let before = result.clone();
        change(result);
        results::append(
            self.dir,
            self.release,
            std::slice::from_ref(result),
            Some(&before),
        )?;
        Ok(())
    }
}

/// How a session ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Answers saved in this session.
    pub answered: usize,
    /// Cases skipped in this session.
    pub skipped: usize,
    /// Items of the queue with a valid result for the release when the session ended.
    pub done: usize,
    /// Items in the queue.
    pub total: usize,
    /// The results file, once something was written to it.
    pub file: Option<PathBuf>,
}

/// What the tester typed at a prompt.
enum Reply {
    Line(String),
    /// End of input: Ctrl-D, or a closed pipe.
    End,
}

fn ask(input: &mut impl BufRead, out: &mut impl Write, prompt: &str) -> std::io::Result<Reply> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        writeln!(out)?;
        return Ok(Reply::End);
    }
    Ok(Reply::Line(line.trim().to_owned()))
}

/// Runs a session over `queue`: asks every item without a valid result in `ledger`, in
/// order, and records each answer as it is given.
pub fn run(
    queue: &[Item<'_>],
    ledger: &Ledger,
    recorder: &Recorder<'_>,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<Summary> {
    let valid = |item: &Item<'_>| {
        ledger
            .latest(item.id, item.row, &item.hash)
            .is_some_and(|l| l.validity.is_valid())
    };
    let todo: Vec<usize> = (0..queue.len()).filter(|&i| !valid(&queue[i])).collect();
    let mut summary = Summary {
        total: queue.len(),
        done: queue.len() - todo.len(),
        ..Summary::default()
    };
    let file = results::path(recorder.dir, recorder.release);
    writeln!(
        out,
        "casebook manual run: release {}, tester {}; answers go to {}",
        recorder.release,
        recorder.tester,
        file.display()
    )?;
    let Some(&first) = todo.first() else {
        writeln!(
            out,
            "All {} cases of the queue have a valid result for release {}: nothing to run.",
            queue.len(),
            recorder.release
        )?;
        return Ok(summary);
    };
    if summary.done > 0 {
        writeln!(
            out,
            "{} of {} already recorded for release {}; resuming at {} (case {} of {}).",
            summary.done,
            queue.len(),
            recorder.release,
            queue[first].label(),
            first + 1,
            queue.len()
        )?;
    } else {
        writeln!(out, "{} cases to run.", queue.len())?;
    }
    writeln!(
        out,
        "Answer each with p (passed), f (failed), b (blocked), s (skip for now) or q (quit);\n\
         every answer is saved at once. Ctrl-D also ends the session."
    )?;

    'cases: for &index in &todo {
        let item = &queue[index];
        show(item, index, queue.len(), ledger, out)?;
        let status = loop {
            match ask(input, out, "Result [p/f/b/s/q]: ")? {
                Reply::End => break 'cases,
                Reply::Line(line) => match line.to_lowercase().as_str() {
                    "q" | "quit" => break 'cases,
                    "s" | "skip" => {
                        summary.skipped += 1;
                        writeln!(out, "skipped {}: it stays in the queue", item.label())?;
                        continue 'cases;
                    }
                    other => match Status::parse(other) {
                        Some(status) => break status,
                        None => writeln!(
                            out,
                            "`{line}` is not an answer: type p, f, b, s or q (or the word)"
                        )?,
                    },
                },
            }
        };
        let mut result = ManualResult {
            case: item.id.to_owned(),
            row: item.row,
            status,
            actual: String::new(),
            defect: None,
            tester: recorder.tester.to_owned(),
            at: results::now(),
            case_hash: item.hash.clone(),
        };
        // Saved before anything else is asked: the status is the answer that counts.
        summary.file = Some(results::append(
            recorder.dir,
            recorder.release,
            std::slice::from_ref(&result),
            None,
        )?);
        summary.answered += 1;
        summary.done += 1;
        let prompt = match status {
            Status::Passed => "Actual result (Enter: as expected): ",
            Status::Failed | Status::Blocked => "Actual result: ",
        };
        let Reply::Line(actual) = ask(input, out, prompt)? else {
            break 'cases;
        };
        if !actual.is_empty() {
            recorder.amend(&mut result, |r| r.actual = actual)?;
        }
        if status != Status::Passed {
            let Reply::Line(defect) = ask(input, out, "Defect link (Enter: none): ")? else {
                break 'cases;
            };
            if !defect.is_empty() {
                recorder.amend(&mut result, |r| r.defect = Some(defect))?;
            }
        }
        writeln!(out, "saved {}: {}", item.label(), status)?;
    }

    writeln!(
        out,
        "\nSession ended: {} answer{} saved, {} skipped; {} of {} cases have a valid result for release {}.",
        summary.answered,
        if summary.answered == 1 { "" } else { "s" },
        summary.skipped,
        summary.done,
        summary.total,
        recorder.release
    )?;
    if summary.done < summary.total {
        writeln!(
            out,
            "Run `casebook manual run` again to continue with the {} left.",
            summary.total - summary.done
        )?;
    }
    Ok(summary)
}

/// Shows one case as a tester needs it.
fn show(
    item: &Item<'_>,
    index: usize,
    total: usize,
    ledger: &Ledger,
    out: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(out, "\n{}", "─".repeat(72))?;
    writeln!(
        out,
        "case {} of {total}: {}  {}",
        index + 1,
        item.label(),
        item.title()
    )?;
    let requirements = item.requirements();
    writeln!(
        out,
        "  {} · {} · requirements: {}",
        item.place(),
        item.kind.label(),
        if requirements.is_empty() {
            "none".to_owned()
        } else {
            requirements.join(", ")
        }
    )?;
    if let Some(row) = &item.execution.row {
        let values: Vec<String> = row
            .values
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        writeln!(
            out,
            "  Examples row {}: {}",
            item.row.unwrap_or(row.index_in_outline),
            values.join(", ")
        )?;
    }
    if let Some(latest) = ledger.latest(item.id, item.row, &item.hash) {
        let why = match latest.validity {
            Validity::Valid => String::new(),
            other => format!(", {}", other.label()),
        };
        writeln!(
            out,
            "  last result: {} by {} at {} (release {}{why})",
            latest.result.status, latest.result.tester, latest.result.at, latest.release
        )?;
    }
    if !item.case.description.trim().is_empty() {
        for line in item.case.description.trim().lines() {
            writeln!(out, "  {}", line.trim())?;
        }
    }
    let sections = item.sections();
    for (heading, steps) in [
        ("Pre-conditions", &sections.preconditions),
        ("Steps", &sections.actions),
        ("Expected result", &sections.expected),
    ] {
        if steps.is_empty() {
            continue;
        }
        writeln!(out, "{heading}:")?;
        for step in steps {
            for line in step.lines("  ") {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::TagConventions;
    use crate::{model, parse, suite};

    const FEATURE: &str = "Feature: F\n  Background:\n    Given a shop\n\n  @A-1 @manual @req:UX-1\n  Scenario: logo\n    When she looks\n    Then the logo is sharp:\n      | size | 32 |\n\n  @A-2 @manual\n  Scenario: colours\n    Then the colours are right\n\n  @A-3 @manual\n  Scenario: layout\n    Then the layout fits\n";

    fn suite() -> model::Suite {
        let feature = parse::parse_str(FEATURE, Arc::from(Path::new("t.feature"))).unwrap();
        model::Suite {
            features: vec![suite::classify(feature, &TagConventions::default())],
            failures: Vec::new(),
        }
    }

    fn session(dir: &Path, suite: &model::Suite, typed: &str) -> (Summary, String) {
        let queue = super::super::queue::build(suite, None, None);
        let ledger = Ledger::load(dir, "1.0");
        let recorder = Recorder {
            dir,
            release: "1.0",
            tester: "alice",
        };
        let mut out = Vec::new();
        let summary = run(
            &queue.items,
            &ledger,
            &recorder,
            &mut typed.as_bytes(),
            &mut out,
        )
        .unwrap();
        (summary, String::from_utf8(out).unwrap())
    }

    #[test]
    fn answers_are_saved_and_the_next_session_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let suite = suite();
        let (summary, shown) = session(
            dir.path(),
            &suite,
            "maybe\nf\nthe logo is blurred\nhttps://bugs.example/1\ns\n",
        );
        assert_eq!((summary.answered, summary.skipped, summary.done), (1, 1, 1));
        assert!(shown.contains("case 1 of 3: A-1  logo\n"), "{shown}");
        assert!(shown.contains("requirements: UX-1"), "{shown}");
        assert!(
            shown.contains("Pre-conditions:\n  Given a shop  (Background)\nSteps:\n  When she looks\nExpected result:\n  Then the logo is sharp:\n      | size | 32 |\n"),
            "{shown}"
        );
        assert!(shown.contains("`maybe` is not an answer"), "{shown}");
        let file = Ledger::load(dir.path(), "1.0").current;
        assert_eq!(file.results.len(), 1, "the answer was completed in place");
        let result = &file.results[0];
        assert_eq!(
            (
                result.status,
                result.actual.as_str(),
                result.defect.as_deref(),
                result.tester.as_str()
            ),
            (
                Status::Failed,
                "the logo is blurred",
                Some("https://bugs.example/1"),
                "alice"
            )
        );

        // The input ended after the skip: the next session starts at the skipped case.
        let (summary, shown) = session(dir.path(), &suite, "p\n\nb\nno environment\n\n");
        assert!(
            shown.contains(
                "1 of 3 already recorded for release 1.0; resuming at A-2 (case 2 of 3)."
            ),
            "{shown}"
        );
        assert!(!shown.contains("case 1 of 3"), "{shown}");
        assert_eq!((summary.answered, summary.done), (2, 3));
        let (_, shown) = session(dir.path(), &suite, "");
        assert!(
            shown.contains("All 3 cases of the queue have a valid result"),
            "{shown}"
        );
    }
}
