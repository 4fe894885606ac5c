//! Stage: contract — the content hash of an execution: what it asks of the system.
//!
//! A tester's result stays evidence only while the contract it checked is unchanged, and a
//! change to a feature file touches a case only when it changes its contract. The hash
//! covers what a tester reads and does: the Background steps, the case's own steps (their
//! kind, Given / When / Then with `And` and `But` resolved, and their text), their data tables
//! and doc strings, and for an outline the Examples row the result is for. It leaves out what
//! does not change the contract: the title, the description, tags, comments, indentation,
//! runs of spaces, and which of `And` or `Given` a step was written with. Changing another
//! row of an outline's Examples leaves the results of the other rows valid.

use serde::Serialize;
use sha2::Digest as _;

use crate::model::{Case, Execution, Step, StepKind};

/// The hash of what `execution` of `case` asks of a tester: `sha256:` and 64 hex digits.
pub fn case_hash(case: &Case, execution: &Execution) -> String {
    let normalised = Normalised {
        background: case.background.iter().map(step).collect(),
        steps: case.steps.iter().map(step).collect(),
        row: execution
            .row
            .as_ref()
            .map(|row| {
                row.values
                    .iter()
                    .map(|(column, value)| (words(column), words(value)))
                    .collect()
            })
            .unwrap_or_default(),
    };
    // JSON keeps every field apart: no text can pass for another field's.
    let json = serde_json::to_vec(&normalised).expect("plain data serializes");
    let digest = sha2::Sha256::digest(&json);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for byte in digest.iter() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Whether `text` looks like a hash [`case_hash`] writes.
pub fn is_hash(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[derive(Serialize)]
struct Normalised {
    background: Vec<NormalisedStep>,
    steps: Vec<NormalisedStep>,
    row: Vec<(String, String)>,
}

#[derive(Serialize)]
struct NormalisedStep {
    kind: &'static str,
    text: String,
    table: Option<Vec<Vec<String>>>,
    doc_string: Option<String>,
}

fn step(step: &Step) -> NormalisedStep {
    NormalisedStep {
        kind: match step.kind {
            StepKind::Given => "given",
            StepKind::When => "when",
            StepKind::Then => "then",
        },
        text: words(&step.text),
        table: step.table.as_ref().map(|table| {
            table
                .rows
                .iter()
                .map(|row| row.iter().map(|cell| words(cell)).collect())
                .collect()
        }),
        // A doc string's lines matter (a JSON body, a letter), its trailing spaces do not.
        doc_string: step.doc_string.as_ref().map(|text| {
            text.content
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
                .trim_matches('\n')
                .to_owned()
        }),
    }
}

/// Text with every run of whitespace made one space, and none at either end.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {

    use super::*;

    fn hashes(text: &str) -> Vec<String> {
        let suite = crate::suite::suite_from("t.feature", text);
        suite.features[0]
            .cases
            .iter()
            .flat_map(|case| case.executions.iter().map(|e| case_hash(case, e)))
            .collect()
    }

    const CASE: &str = "Feature: F\n  Background:\n    Given a shop\n\n  @A-1 @manual\n  Scenario: one\n    Given a cart\n    And a card\n    When she pays\n    Then it is paid:\n      | total | 3 |\n";

    #[test]
    fn the_same_contract_hashes_the_same_whatever_its_dress() {
        let base = hashes(CASE);
        assert!(is_hash(&base[0]), "{}", base[0]);
        for same in [
            CASE.replace("Scenario: one", "Scenario: a better title"),
            CASE.replace("@A-1 @manual", "@A-1 @manual @smoke @req:X-1"),
            CASE.replace("And a card", "Given   a  card"),
            CASE.replace(
                "    When she pays\n",
                "    # a comment\n        When she pays\n",
            ),
            CASE.replace("| total | 3 |", "|total|  3|"),
        ] {
            assert_eq!(hashes(&same), base, "{same}");
        }
    }

    #[test]
    fn a_changed_step_table_doc_string_or_background_changes_the_hash() {
        let base = hashes(CASE);
        for changed in [
            CASE.replace("When she pays", "When she pays twice"),
            CASE.replace("Then it is paid", "When it is paid"),
            CASE.replace("| total | 3 |", "| total | 4 |"),
            CASE.replace("Given a shop", "Given a closed shop"),
            CASE.replace(
                "      | total | 3 |\n",
                "      \"\"\"\n      total 3\n      \"\"\"\n",
            ),
            CASE.replace("    And a card\n", ""),
        ] {
            assert_ne!(hashes(&changed), base, "{changed}");
        }
    }

    #[test]
    fn each_examples_row_has_its_own_hash() {
        let outline = "Feature: F\n  @A-2\n  Scenario Outline: o\n    Given <n> items\n    Then <n> shown\n\n    Examples:\n      | n |\n      | 1 |\n      | 2 |\n";
        let two = hashes(outline);
        assert_ne!(two[0], two[1]);
        let three = hashes(&format!("{outline}      | 3 |\n"));
        assert_eq!(
            &three[..2],
            &two[..],
            "a new row leaves the others' results valid"
        );
        let changed = hashes(&outline.replace("| 2 |", "| 5 |"));
        assert_eq!(changed[0], two[0]);
        assert_ne!(changed[1], two[1]);
    }
}
