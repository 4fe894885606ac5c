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

use super::{Item, Ledger, ManualResult, ManualStatus, Validity, results};

/// What stops a tester's session: the terminal, or a results file that cannot be saved.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The terminal cannot be read or written.
    #[error(transparent)]
    Terminal(#[from] std::io::Error),
    /// An answer cannot be saved.
    #[error(transparent)]
    Save(#[from] results::Error),
}

/// Where answers go, and under whose name.
#[derive(Debug, Clone)]
pub struct AnswerSink<'a> {
    /// The results directory.
    pub dir: &'a Path,
    /// The release answers are recorded for.
    pub release: &'a str,
    /// The tester.
    pub tester: &'a str,
}

impl AnswerSink<'_> {
    /// Completes an answer already saved (its actual result, its defect) and saves it again
    /// in its place, so that the file holds the answer once, as complete as it got.
    fn amend(
        &self,
        result: &mut ManualResult,
        change: impl FnOnce(&mut ManualResult),
    ) -> Result<(), SessionError> {
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
    recorder: &AnswerSink<'_>,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> Result<Summary, SessionError> {
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
    writeln!(
        out,
        "casebook manual run: release {}, tester {}; answers go to {}",
        recorder.release,
        recorder.tester,
        results::path(recorder.dir, recorder.release).display()
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
    introduce(queue, first, &summary, recorder, out)?;
    for &index in &todo {
        let item = &queue[index];
        show(item, index, queue.len(), ledger, out)?;
        match ask_status(input, out)? {
            Answer::Quit => break,
            Answer::Skip => {
                summary.skipped += 1;
                writeln!(out, "skipped {}: it stays in the queue", item.label())?;
            }
            Answer::ManualStatus(status) => {
                if record(item, status, recorder, &mut summary, input, out)? == Recorded::InputEnded
                {
                    break;
                }
            }
        }
    }
    conclude(&summary, recorder, out)?;
    Ok(summary)
}

/// Says where the session starts (at the first case, or where the last one stopped) and
/// how to answer.
fn introduce(
    queue: &[Item<'_>],
    first: usize,
    summary: &Summary,
    recorder: &AnswerSink<'_>,
    out: &mut impl Write,
) -> std::io::Result<()> {
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
    )
}

/// What the tester answered when asked for a case's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// A result to record.
    ManualStatus(ManualStatus),
    /// Not now: the case stays in the queue.
    Skip,
    /// `q`, or the end of input: the session ends.
    Quit,
}

/// Asks for a case's result until the tester gives an answer, saying why when a reply is
/// none.
fn ask_status(input: &mut impl BufRead, out: &mut impl Write) -> std::io::Result<Answer> {
    loop {
        let Reply::Line(line) = ask(input, out, "Result [p/f/b/s/q]: ")? else {
            return Ok(Answer::Quit);
        };
        match line.to_lowercase().as_str() {
            "q" | "quit" => return Ok(Answer::Quit),
            "s" | "skip" => return Ok(Answer::Skip),
            other => match ManualStatus::parse(other) {
                Some(status) => return Ok(Answer::ManualStatus(status)),
                None => writeln!(
                    out,
                    "`{line}` is not an answer: type p, f, b, s or q (or the word)"
                )?,
            },
        }
    }
}

/// How recording an answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recorded {
    /// Status, actual result and (unless it passed) defect link: all asked.
    Complete,
    /// The input ended after the status was saved.
    InputEnded,
}

/// Records `status` for `item` at once, then asks for the actual result and, unless it
/// passed, the defect link, completing the saved answer in place with each.
fn record(
    item: &Item<'_>,
    status: ManualStatus,
    recorder: &AnswerSink<'_>,
    summary: &mut Summary,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> Result<Recorded, SessionError> {
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
        ManualStatus::Passed => "Actual result (Enter: as expected): ",
        ManualStatus::Failed | ManualStatus::Blocked => "Actual result: ",
    };
    let Reply::Line(actual) = ask(input, out, prompt)? else {
        return Ok(Recorded::InputEnded);
    };
    if !actual.is_empty() {
        recorder.amend(&mut result, |r| r.actual = actual)?;
    }
    if status != ManualStatus::Passed {
        let Reply::Line(defect) = ask(input, out, "Defect link (Enter: none): ")? else {
            return Ok(Recorded::InputEnded);
        };
        if !defect.is_empty() {
            recorder.amend(&mut result, |r| r.defect = Some(defect))?;
        }
    }
    writeln!(out, "saved {}: {}", item.label(), status)?;
    Ok(Recorded::Complete)
}

/// Sums the session up, and says how to go on when cases are left.
fn conclude(
    summary: &Summary,
    recorder: &AnswerSink<'_>,
    out: &mut impl Write,
) -> std::io::Result<()> {
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
    Ok(())
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
    show_steps(item, out)
}

/// A case's steps under three headings, each step with its table or doc string; a heading
/// without steps is left out.
fn show_steps(item: &Item<'_>, out: &mut impl Write) -> std::io::Result<()> {
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

    use super::*;

    use crate::model;

    const FEATURE: &str = "Feature: F\n  Background:\n    Given a shop\n\n  @A-1 @manual @req:UX-1\n  Scenario: logo\n    When she looks\n    Then the logo is sharp:\n      | size | 32 |\n\n  @A-2 @manual\n  Scenario: colours\n    Then the colours are right\n\n  @A-3 @manual\n  Scenario: layout\n    Then the layout fits\n";

    fn suite() -> model::Suite {
        crate::suite::suite_from("t.feature", FEATURE)
    }

    fn session(dir: &Path, suite: &model::Suite, typed: &str) -> (Summary, String) {
        let queue = super::super::queue::build(suite, None, None);
        let ledger = Ledger::load(dir, "1.0");
        let recorder = AnswerSink {
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
    fn the_status_is_asked_until_the_reply_is_an_answer() {
        let asked = |typed: &str| {
            let mut out = Vec::new();
            let answer = ask_status(&mut typed.as_bytes(), &mut out).unwrap();
            (answer, String::from_utf8(out).unwrap())
        };
        assert_eq!(asked("F\n").0, Answer::ManualStatus(ManualStatus::Failed));
        assert_eq!(
            asked(" blocked \n").0,
            Answer::ManualStatus(ManualStatus::Blocked)
        );
        assert_eq!(asked("Skip\n").0, Answer::Skip);
        assert_eq!(asked("q\n").0, Answer::Quit);
        assert_eq!(
            asked("").0,
            Answer::Quit,
            "the end of input ends the session"
        );
        let (answer, shown) = asked("maybe\n\np\n");
        assert_eq!(answer, Answer::ManualStatus(ManualStatus::Passed));
        assert_eq!(
            shown.matches("Result [p/f/b/s/q]: ").count(),
            3,
            "asked again after each reply that is no answer: {shown}"
        );
        assert!(
            shown.contains("`maybe` is not an answer: type p, f, b, s or q (or the word)\n"),
            "{shown}"
        );
        assert!(shown.contains("`` is not an answer"), "{shown}");
    }

    #[test]
    fn a_session_ended_after_the_status_keeps_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let suite = suite();
        let (summary, shown) = session(dir.path(), &suite, "b\n");
        assert_eq!((summary.answered, summary.done), (1, 1));
        assert!(summary.file.is_some());
        assert!(!shown.contains("saved A-1"), "never completed: {shown}");
        assert!(
            shown.contains("Run `casebook manual run` again to continue with the 2 left."),
            "{shown}"
        );
        let file = Ledger::load(dir.path(), "1.0").current;
        assert_eq!(file.results[0].status, ManualStatus::Blocked);
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
                ManualStatus::Failed,
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
