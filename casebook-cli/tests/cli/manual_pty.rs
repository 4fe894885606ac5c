//! `casebook manual run` as a tester meets it: a real pseudo-terminal, answers typed at its
//! prompts, the process killed (SIGKILL) in the middle of a case, and a second session that
//! resumes where the first stopped, having lost nothing that was typed.

use std::path::Path;
use std::process::Command;

use rexpect::process::Signal;
use rexpect::session::{PtySession, spawn_command};

use crate::support::copy_of_manual_fixture;

/// `casebook manual run` in `dir` on a pseudo-terminal; every wait times out after 20 s.
fn session(dir: &Path) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casebook"));
    command
        .args(["manual", "run", "--release", "1.0", "--tester", "pat"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CASEBOOK_CONFIG")
        .env_remove("CASEBOOK_RELEASE")
        .env_remove("CASEBOOK_TESTER");
    spawn_command(command, Some(20_000)).expect("the session starts on a pseudo-terminal")
}

const RESULT: &str = "Result [p/f/b/s/q]: ";

/// What a saved answer says: case, row, status, actual result, defect, tester.
type Answer<'a> = (
    &'a str,
    Option<usize>,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
);

fn results(dir: &Path) -> casebook::manual::ResultsFile {
    let file = dir.join("manual-results/1.0.toml");
    casebook::manual::results::load(&file, "1.0").expect("the results file reads")
}

#[test]
fn answers_survive_a_kill_and_the_next_session_resumes_at_the_next_case() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    let mut p = session(dir);

    p.exp_string("5 cases to run.").unwrap();
    p.exp_string("case 1 of 5: MAN-001  The logo is sharp")
        .unwrap();
    p.exp_string("Given the demo shop is open  (Background)")
        .unwrap();
    p.exp_string("Expected result:\r\n  Then the logo is sharp")
        .unwrap();
    p.exp_string(RESULT).unwrap();
    p.send_line("p").unwrap();
    p.exp_string("Actual result (Enter: as expected): ")
        .unwrap();
    p.send_line("").unwrap();
    p.exp_string("saved MAN-001: passed").unwrap();

    p.exp_string("case 2 of 5: MAN-002  Prices read naturally")
        .unwrap();
    // rexpect reads bytes as characters: match ASCII only.
    p.exp_string("| cart | 1.234,50 ").unwrap();
    p.exp_string(RESULT).unwrap();
    p.send_line("nope").unwrap();
    p.exp_string("`nope` is not an answer").unwrap();
    p.exp_string(RESULT).unwrap();
    p.send_line("f").unwrap();
    p.exp_string("Actual result: ").unwrap();
    p.send_line("The cart shows 1234.50 EUR").unwrap();
    p.exp_string("Defect link (Enter: none): ").unwrap();
    p.send_line("https://bugs.example/12").unwrap();
    p.exp_string("saved MAN-002: failed").unwrap();

    p.exp_string("case 3 of 5: MAN-003 row 1  Paying with visa works")
        .unwrap();
    p.exp_string("Examples row 1: card = visa, word = paid")
        .unwrap();
    p.exp_string("Thank you: paid").unwrap();
    p.exp_string(RESULT).unwrap();
    p.send_line("blocked").unwrap();
    p.exp_string("Actual result: ").unwrap();
    p.send_line("The card terminal is down").unwrap();
    // Killed while the tester is thinking about the defect link: what was typed is saved.
    p.exp_string("Defect link (Enter: none): ").unwrap();
    p.process_mut().kill(Signal::SIGKILL).unwrap();
    drop(p);

    let saved = results(dir);
    let answers: Vec<Answer<'_>> = saved
        .results
        .iter()
        .map(|r| {
            (
                r.case.as_str(),
                r.row,
                r.status.as_str(),
                r.actual.as_str(),
                r.defect.as_deref(),
                r.tester.as_str(),
            )
        })
        .collect();
    assert_eq!(
        answers,
        [
            ("MAN-001", None, "passed", "", None, "pat"),
            (
                "MAN-002",
                None,
                "failed",
                "The cart shows 1234.50 EUR",
                Some("https://bugs.example/12"),
                "pat"
            ),
            (
                "MAN-003",
                Some(1),
                "blocked",
                "The card terminal is down",
                None,
                "pat"
            ),
        ]
    );
    assert!(
        saved
            .results
            .iter()
            .all(|r| r.case_hash.starts_with("sha256:"))
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("manual-results"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["1.0.toml"], "no temporary file is left behind");

    let mut p = session(dir);
    p.exp_string(
        "3 of 5 already recorded for release 1.0; resuming at MAN-003 row 2 (case 4 of 5).",
    )
    .unwrap();
    p.exp_string("case 4 of 5: MAN-003 row 2  Paying with amex works")
        .unwrap();
    p.exp_string(RESULT).unwrap();
    p.send_line("s").unwrap();
    p.exp_string("skipped MAN-003 row 2: it stays in the queue")
        .unwrap();
    p.exp_string("case 5 of 5: MAN-011  An automated case awaiting its script")
        .unwrap();
    p.exp_string("awaiting automation").unwrap();
    p.exp_string(RESULT).unwrap();
    p.send_line("p").unwrap();
    p.exp_string("Actual result (Enter: as expected): ")
        .unwrap();
    p.send_line("Refunded once").unwrap();
    p.exp_string("Session ended: 1 answer saved, 1 skipped; 4 of 5 cases have a valid result for release 1.0.")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(results(dir).results.len(), 4);

    // Ctrl-D at the first prompt ends the session cleanly, at the case skipped before.
    let mut p = session(dir);
    p.exp_string("resuming at MAN-003 row 2 (case 4 of 5).")
        .unwrap();
    p.exp_string(RESULT).unwrap();
    p.send_control('d').unwrap();
    p.exp_string("Session ended: 0 answers saved, 0 skipped; 4 of 5")
        .unwrap();
    p.exp_eof().unwrap();
}
