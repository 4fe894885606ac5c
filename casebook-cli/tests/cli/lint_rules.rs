//! One fixture project per lint rule: `tests/fixtures/lint/<rule>/` plants exactly that
//! rule's problem in an otherwise clean project (cases have IDs, a Given and a Then, every
//! requirement is covered), and `casebook lint --format json` must report exactly the
//! expected findings, no more and no fewer. `tests/fixtures/lint/clean/` reports nothing.
//!
//! A rule cannot ship without a fixture: the rules that `casebook lint --list-rules` prints,
//! the fixture directories and the table below must name the same rules.

use std::collections::BTreeSet;

use crate::support::{casebook, findings, fixture, fixtures_dir, lint_json};

/// One expected finding: `(rule, severity, file, line)`.
type Planted = (&'static str, &'static str, &'static str, usize);

/// Per fixture, every finding expected, in output order.
const EXPECTED: &[(&str, &[Planted])] = &[
    (
        // The short table row sits mid-file, with rows and a step after it: the finding
        // points at the row that broke the file, not where the parser gave up. The other
        // file is still read and linted.
        "parse-error",
        &[
            ("parse-error", "error", "features/broken.feature", 6),
            ("missing-outcome", "warning", "features/ok.feature", 3),
        ],
    ),
    // `ownr = "shop"`, a typo of `owner`.
    (
        "invalid-catalog",
        &[("invalid-catalog", "error", "requirements.toml", 8)],
    ),
    // Reported at the Scenario line.
    (
        "missing-case-id",
        &[("missing-case-id", "error", "features/orders.feature", 9)],
    ),
    // The second ID tag, on the line below the first.
    (
        "multiple-case-ids",
        &[("multiple-case-ids", "error", "features/orders.feature", 9)],
    ),
    // `@lint-2`: no `missing-case-id` on top, the tag is taken for a mistyped ID.
    (
        "malformed-case-id",
        &[("malformed-case-id", "error", "features/orders.feature", 8)],
    ),
    // The second use, in the second file (the files are read in path order).
    (
        "duplicate-case-id",
        &[(
            "duplicate-case-id",
            "error",
            "features/b_refunds.feature",
            9,
        )],
    ),
    (
        "unknown-requirement",
        &[("unknown-requirement", "error", "features/orders.feature", 8)],
    ),
    // At the requirement's table; its only case is @manual.
    (
        "critical-requirement-not-automated",
        &[(
            "critical-requirement-not-automated",
            "error",
            "requirements.toml",
            5,
        )],
    ),
    // No requirements.toml: reported once, at the first requirement tag.
    (
        "missing-catalog",
        &[("missing-catalog", "warning", "features/orders.feature", 8)],
    ),
    (
        "uncovered-requirement",
        &[("uncovered-requirement", "warning", "requirements.toml", 5)],
    ),
    // 12 own steps plus a Background step pass; 13 own steps do not.
    (
        "too-many-steps",
        &[("too-many-steps", "warning", "features/orders.feature", 21)],
    ),
    (
        "missing-precondition",
        &[(
            "missing-precondition",
            "warning",
            "features/orders.feature",
            9,
        )],
    ),
    (
        "missing-outcome",
        &[("missing-outcome", "warning", "features/orders.feature", 9)],
    ),
    // "clicks" in an automated case; the manual case's "green" banner is left alone.
    (
        "ui-coupled-wording",
        &[(
            "ui-coupled-wording",
            "warning",
            "features/orders.feature",
            5,
        )],
    ),
    (
        "duplicate-title",
        &[("duplicate-title", "warning", "features/orders.feature", 9)],
    ),
    // At the step that uses <total>.
    (
        "undefined-placeholder",
        &[(
            "undefined-placeholder",
            "warning",
            "features/orders.feature",
            6,
        )],
    ),
    // At the Examples header row.
    (
        "unused-examples-column",
        &[(
            "unused-examples-column",
            "warning",
            "features/orders.feature",
            9,
        )],
    ),
    (
        "empty-feature",
        &[("empty-feature", "warning", "features/returns.feature", 1)],
    ),
    // Checked against reports/steps.json; the manual case's steps are not.
    (
        "unbound-step",
        &[("unbound-step", "warning", "features/orders.feature", 11)],
    ),
    (
        "ambiguous-step",
        &[("ambiguous-step", "error", "features/orders.feature", 4)],
    ),
];

/// `casebook lint --list-rules`: every rule's name and default severity.
fn listed_rules() -> Vec<(String, String)> {
    let output = casebook(&fixture("clean"), &["lint", "--list-rules"]);
    assert_eq!(output.code, 0, "{output:#?}");
    output
        .stdout
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next().expect("a rule name").to_owned();
            let severity = words.next().expect("a severity").to_owned();
            (name, severity)
        })
        .collect()
}

#[test]
fn each_rule_fixture_reports_exactly_its_planted_findings() {
    let mut failures = Vec::new();
    for &(name, expected) in EXPECTED {
        assert!(
            expected.iter().any(|&(rule, ..)| rule == name),
            "the table entry of {name} does not expect its own rule"
        );
        let expected_code = if expected
            .iter()
            .any(|&(_, severity, ..)| severity == "error")
        {
            1
        } else {
            0
        };
        let (code, found) = lint_json(&fixture(name));
        let expected = findings(expected);
        if found != expected || code != expected_code {
            failures.push(format!(
                "{name}:\n  expected exit {expected_code} and {expected:#?}\n  found exit {code} and {found:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_clean_fixture_reports_nothing() {
    // A Scenario Outline with a tagged Examples block, a Rule with its own Background, a
    // feature Background, a manual case and a catalog with an epic above its stories.
    let (code, found) = lint_json(&fixture("clean"));
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn every_rule_has_a_fixture_and_every_fixture_is_a_rule() {
    let listed = listed_rules();
    let rules: BTreeSet<&str> = listed.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        rules.len(),
        listed.len(),
        "a rule is listed twice: {listed:?}"
    );

    let dirs: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
        .expect("the fixtures directory")
        .map(|entry| entry.expect("an entry"))
        .filter(|entry| entry.file_type().expect("a file type").is_dir())
        .map(|entry| entry.file_name().into_string().expect("a UTF-8 name"))
        .collect();
    let mut wanted: BTreeSet<String> = rules.iter().map(|rule| (*rule).to_owned()).collect();
    wanted.insert("clean".to_owned());
    assert_eq!(
        dirs, wanted,
        "tests/fixtures/lint/ must hold one directory per rule, plus `clean`"
    );

    let table: BTreeSet<&str> = EXPECTED.iter().map(|&(name, _)| name).collect();
    assert_eq!(
        table, rules,
        "the EXPECTED table must have one entry per rule"
    );

    for dir in &dirs {
        assert!(
            fixtures_dir().join(dir).join("casebook.toml").is_file(),
            "{dir} needs a casebook.toml of its own, or casebook uses the repository's"
        );
    }
}

#[test]
fn each_fixture_reports_its_rule_at_the_listed_default_severity() {
    for (rule, severity) in listed_rules() {
        assert!(
            severity == "error" || severity == "warning",
            "{rule}: {severity}"
        );
        let (_, expected) = EXPECTED
            .iter()
            .find(|&&(name, _)| name == rule)
            .expect("a table entry");
        for &(_, expected_severity, ..) in expected.iter().filter(|&&(r, ..)| r == rule) {
            assert_eq!(expected_severity, severity, "{rule}");
        }
    }
}
