//! `casebook lint` as a command: what each output format prints and where, the exit codes
//! (0 no error, 1 errors, 2 bad usage or configuration), PATH arguments, `[lint.rules]`
//! overrides, configuration errors, files saved with a BOM and CRLF line endings, and the
//! project's own feature files.

use serde_json::json;

use crate::support::{
    casebook, copy_of_fixture, findings, fixture, lint_json, lint_json_entries, lint_json_with,
    project, workspace_root, write,
};

/// A clean project's one feature file, with LF endings.
const CLEAN_FEATURE: &str = "\
Feature: Orders
  @LINT-1 @req:REQ-1
  Scenario: Place an order
    Given a cart with 1 item
    When the shopper places the order
    Then an order is created
";

/// A catalog with the one requirement [`CLEAN_FEATURE`] covers.
const CATALOG: &str = "[REQ-1]\ntitle = \"Orders can be placed\"\nrisk = \"normal\"\n";

// --- Output formats --------------------------------------------------------------------

#[test]
fn json_entries_have_exactly_the_documented_keys_and_the_summary_goes_to_stderr() {
    let (output, entries) = lint_json_entries(&fixture("duplicate-case-id"), &[]);
    assert_eq!(
        entries,
        [json!({
            "file": "features/b_refunds.feature",
            "line": 9,
            "column": 10,
            "rule": "duplicate-case-id",
            "severity": "error",
            "message": "case ID @LINT-1 is already used by \"Place an order\" at features/a_orders.feature:2:3",
        })]
    );
    assert_eq!(
        output.stderr,
        "checked 2 files, 3 cases, 1 requirement: 1 error, 0 warnings\n"
    );
    assert_eq!(output.code, 1);
}

#[test]
fn a_duplicate_case_id_names_the_place_of_the_first_use() {
    let (_, entries) = lint_json_entries(&fixture("duplicate-case-id"), &[]);
    let message = entries[0]["message"].as_str().unwrap();
    assert!(
        message.contains("features/a_orders.feature:2:3"),
        "{message}"
    );
}

#[test]
fn a_broken_file_is_reported_and_the_other_files_are_still_linted() {
    let (output, entries) = lint_json_entries(&fixture("parse-error"), &[]);
    let found: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e["rule"].as_str().unwrap(), e["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("parse-error", "features/broken.feature"),
            ("missing-outcome", "features/ok.feature")
        ]
    );
    assert!(
        entries[0]["message"]
            .as_str()
            .unwrap()
            .contains("cell count"),
        "{}",
        entries[0]
    );
    assert_eq!(
        output.stderr,
        "checked 2 files, 1 case, 1 requirement: 1 error, 1 warning\n"
    );
    assert_eq!(output.code, 1);
}

#[test]
fn github_format_prints_one_workflow_command_per_finding() {
    let output = casebook(
        &fixture("duplicate-case-id"),
        &["lint", "--format", "github"],
    );
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{output:#?}");
    let expected = "::error file=features/b_refunds.feature,line=9,col=10,title=duplicate-case-id::\
                    case ID @LINT-1 is already used by \"Place an order\" at features/a_orders.feature:2:3";
    assert!(lines[0].starts_with(expected), "{}", lines[0]);
    assert_eq!(
        output.stderr,
        "checked 2 files, 3 cases, 1 requirement: 1 error, 0 warnings\n"
    );
    assert_eq!(output.code, 1);

    let output = casebook(&fixture("missing-outcome"), &["lint", "--format", "github"]);
    assert!(
        output.stdout.starts_with(
            "::warning file=features/orders.feature,line=9,col=3,title=missing-outcome::case LINT-2 has no expected result"
        ),
        "{output:#?}"
    );
    assert_eq!(
        output.stdout.lines().count(),
        1,
        "the hint is escaped onto the same line: {output:#?}"
    );
    assert_eq!(output.code, 0);
}

#[test]
fn human_format_shows_the_source_line_a_caret_and_the_summary() {
    let output = casebook(&fixture("duplicate-case-id"), &["lint"]);
    let out = &output.stdout;
    assert!(
        out.contains("error[duplicate-case-id]: case ID @LINT-1 is already used by"),
        "{out}"
    );
    assert!(out.contains("features/b_refunds.feature:9:10"), "{out}");

    // The caret underlines the duplicate tag in the line shown above it.
    let lines: Vec<&str> = out.lines().collect();
    let source = lines
        .iter()
        .position(|line| line.ends_with("  @smoke @LINT-1"))
        .expect("the source line");
    let column_of =
        |line: &str, pattern: &str| line.find(pattern).map(|i| line[..i].chars().count());
    assert_eq!(
        column_of(lines[source + 1], "^"),
        column_of(lines[source], "@LINT-1"),
        "{out}"
    );
    assert_eq!(
        lines[source + 1].matches('^').count(),
        "@LINT-1".len(),
        "{out}"
    );

    assert!(
        out.ends_with("checked 2 files, 3 cases, 1 requirement: 1 error, 0 warnings\n"),
        "{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "no colours when NO_COLOR is set: {out:?}"
    );
    assert_eq!(output.stderr, "");
    assert_eq!(output.code, 1);
}

#[test]
fn human_format_is_coloured_only_when_asked_to() {
    let dir = fixture("missing-outcome");
    assert!(
        !casebook(&dir, &["lint", "--color", "never"])
            .stdout
            .contains('\u{1b}')
    );
    assert!(
        casebook(&dir, &["lint", "--color", "always"])
            .stdout
            .contains('\u{1b}')
    );
}

// --- Exit codes -------------------------------------------------------------------------

#[test]
fn the_exit_code_is_0_without_errors_and_1_with_errors_in_every_format() {
    for (name, expected) in [
        ("clean", 0),
        ("missing-outcome", 0),
        ("duplicate-case-id", 1),
    ] {
        for format in ["human", "json", "github"] {
            let output = casebook(&fixture(name), &["lint", "--format", format]);
            assert_eq!(
                output.code, expected,
                "{name} --format {format}: {output:#?}"
            );
        }
    }
}

#[test]
fn an_unknown_key_in_casebook_toml_exits_2_and_names_the_key() {
    let dir = project(&[
        ("casebook.toml", b"[tags]\ncase_id = 'X-1'\n"),
        ("features/orders.feature", CLEAN_FEATURE.as_bytes()),
        ("requirements.toml", CATALOG.as_bytes()),
    ]);
    let output = casebook(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(output.code, 2, "{output:#?}");
    assert!(
        output.stderr.contains("casebook.toml:2:1"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("`case_id`"), "{}", output.stderr);
    assert_eq!(output.stdout, "");
}

#[test]
fn an_unknown_rule_in_lint_rules_exits_2_and_names_it() {
    let dir = project(&[("casebook.toml", b"[lint.rules]\nno-such-rule = 'off'\n")]);
    let output = casebook(dir.path(), &["lint"]);
    assert_eq!(output.code, 2, "{output:#?}");
    assert!(
        output.stderr.contains("unknown lint rule `no-such-rule`"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_bad_regex_exits_2_and_names_the_key() {
    let dir = project(&[
        ("casebook.toml", b"[tags]\ncase-id = '(unclosed'\n"),
        ("features/orders.feature", CLEAN_FEATURE.as_bytes()),
    ]);
    let output = casebook(dir.path(), &["lint"]);
    assert_eq!(output.code, 2, "{output:#?}");
    assert!(
        output.stderr.contains("casebook.toml:2:11"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("invalid regex in `tags.case-id`"),
        "{}",
        output.stderr
    );
    assert_eq!(output.stdout, "");
}

#[test]
fn a_path_that_does_not_exist_exits_2() {
    let output = casebook(&fixture("clean"), &["lint", "features/no-such.feature"]);
    assert_eq!(output.code, 2, "{output:#?}");
    assert!(
        output.stderr.contains("features/no-such.feature"),
        "{}",
        output.stderr
    );
    assert_eq!(output.stdout, "");
}

#[test]
fn an_unknown_format_exits_2() {
    let output = casebook(&fixture("clean"), &["lint", "--format", "xml"]);
    assert_eq!(output.code, 2, "{output:#?}");
    assert!(output.stderr.contains("xml"), "{}", output.stderr);
}

// --- PATH arguments ---------------------------------------------------------------------

#[test]
fn a_path_limits_the_report_but_a_duplicate_of_an_id_used_elsewhere_is_still_found() {
    let dir = fixture("duplicate-case-id");
    // The first use of @LINT-1 is in a_orders.feature, outside the PATH.
    let (code, found) = lint_json_with(&dir, &["features/b_refunds.feature"]);
    assert_eq!(
        found,
        findings(&[(
            "duplicate-case-id",
            "error",
            "features/b_refunds.feature",
            9
        )])
    );
    assert_eq!(code, 1);

    // The first use itself is not a finding.
    let (output, entries) = lint_json_entries(&dir, &["features/a_orders.feature"]);
    assert_eq!(entries, Vec::<serde_json::Value>::new());
    assert_eq!(
        output.stderr,
        "checked 1 file, 1 case, 1 requirement: 0 errors, 0 warnings\n"
    );
    assert_eq!(output.code, 0);
}

#[test]
fn a_path_leaves_out_findings_in_other_files() {
    // The parse error in broken.feature is out of scope, so the exit code is 0.
    let (code, found) = lint_json_with(&fixture("parse-error"), &["features/ok.feature"]);
    assert_eq!(
        found,
        findings(&[("missing-outcome", "warning", "features/ok.feature", 3)])
    );
    assert_eq!(code, 0);

    // A directory: the catalog's finding is outside it.
    let (code, found) = lint_json_with(&fixture("uncovered-requirement"), &["features"]);
    assert_eq!((code, found), (0, vec![]));
}

// --- Configuration ----------------------------------------------------------------------

/// A copy of the fixture `name` with `config` as its casebook.toml.
fn fixture_with_config(name: &str, config: &str) -> tempfile::TempDir {
    let dir = copy_of_fixture(name);
    write(dir.path(), "casebook.toml", config.as_bytes());
    dir
}

#[test]
fn lint_rules_can_raise_a_warning_to_an_error() {
    let dir = fixture_with_config(
        "missing-outcome",
        "[lint.rules]\nmissing-outcome = \"error\"\n",
    );
    let (code, found) = lint_json(dir.path());
    assert_eq!(
        found,
        findings(&[("missing-outcome", "error", "features/orders.feature", 9)])
    );
    assert_eq!(code, 1);
}

#[test]
fn lint_rules_can_turn_a_rule_off() {
    let dir = fixture_with_config(
        "missing-outcome",
        "[lint.rules]\nmissing-outcome = \"off\"\n",
    );
    assert_eq!(lint_json(dir.path()), (0, vec![]));
}

#[test]
fn lint_rules_can_lower_an_error_to_a_warning() {
    let dir = fixture_with_config(
        "duplicate-case-id",
        "[lint.rules]\nduplicate-case-id = \"warning\"\n",
    );
    let (code, found) = lint_json(dir.path());
    assert_eq!(
        found,
        findings(&[(
            "duplicate-case-id",
            "warning",
            "features/b_refunds.feature",
            9
        )])
    );
    assert_eq!(code, 0);
}

#[test]
fn max_steps_moves_the_limit_of_too_many_steps() {
    let dir = fixture_with_config("too-many-steps", "[lint]\nmax-steps = 13\n");
    assert_eq!(lint_json(dir.path()), (0, vec![]));
    let dir = fixture_with_config("too-many-steps", "[lint]\nmax-steps = 11\n");
    let (_, found) = lint_json(dir.path());
    let lines: Vec<usize> = found.iter().map(|(.., line)| *line).collect();
    assert_eq!(lines, [6, 21]);
}

#[test]
fn config_names_a_casebook_toml_elsewhere_and_paths_are_read_from_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop");
    std::fs::create_dir(&project).unwrap();
    for name in [
        "features/orders.feature",
        "requirements.toml",
        "casebook.toml",
    ] {
        let text = std::fs::read(fixture("missing-outcome").join(name)).unwrap();
        write(&project, name, &text);
    }
    let (code, found) = lint_json_with(dir.path(), &["--config", "shop/casebook.toml"]);
    assert_eq!(
        found,
        findings(&[(
            "missing-outcome",
            "warning",
            "shop/features/orders.feature",
            9
        )])
    );
    assert_eq!(code, 0);
}

// --- Encodings --------------------------------------------------------------------------

/// `lines` joined with CRLF, after a UTF-8 byte-order mark, as some Windows editors save.
fn bom_crlf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("\u{feff}");
    for line in lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.into_bytes()
}

const WINDOWS_FEATURE: &[&str] = &[
    "@req:REQ-1",
    "Feature: Saved by an editor on Windows",
    "",
    "  Background:",
    "    Given a signed-in shopper",
    "",
    "  @LINT-1",
    "  Scenario: Place an order",
    "    When the shopper places the order",
    "    Then an order is created",
];

#[test]
fn a_feature_file_with_a_bom_and_crlf_endings_lints_clean() {
    // Written by the test, byte for byte: git may normalise line endings of checked-in files.
    // No casebook.toml: the defaults apply.
    let dir = project(&[
        ("features/windows.feature", &bom_crlf(WINDOWS_FEATURE)),
        (
            "requirements.toml",
            CATALOG.replace('\n', "\r\n").as_bytes(),
        ),
    ]);
    let (output, entries) = lint_json_entries(dir.path(), &[]);
    assert_eq!(entries, Vec::<serde_json::Value>::new());
    assert_eq!(
        output.stderr,
        "checked 1 file, 1 case, 1 requirement: 0 errors, 0 warnings\n"
    );
    assert_eq!(output.code, 0);
}

#[test]
fn findings_in_a_bom_and_crlf_file_have_the_right_lines() {
    let mut lines = WINDOWS_FEATURE.to_vec();
    lines.extend([
        "",
        "  @LINT-2",
        "  Scenario: Place an order and check nothing",
        "    When the shopper places the order",
    ]);
    let dir = project(&[
        ("features/windows.feature", &bom_crlf(&lines)),
        ("requirements.toml", CATALOG.as_bytes()),
    ]);
    let (output, entries) = lint_json_entries(dir.path(), &[]);
    let found: Vec<(&str, u64, u64)> = entries
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("missing-outcome", 13, 3)]);
    assert_eq!(output.code, 0);
}

// --- The project's own suite --------------------------------------------------------------

#[test]
fn the_projects_own_feature_files_lint_without_errors() {
    let (output, entries) = lint_json_entries(&workspace_root(), &[]);
    let errors: Vec<_> = entries
        .iter()
        .filter(|e| e["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(output.code, 0, "{output:#?}");
}

#[test]
fn a_dangling_link_and_a_link_loop_are_findings_and_every_other_file_is_linted() {
    let dir = project(&[
        ("casebook.toml", b""),
        (
            "features/a.feature",
            b"Feature: A\n  @A-1\n  Scenario: a\n    Given x\n    Then y\n",
        ),
        (
            "features/sub/b.feature",
            b"Feature: B\n  @B-1\n  Scenario: b\n    Given x\n    Then y\n",
        ),
    ]);
    let features = dir.path().join("features");
    std::os::unix::fs::symlink("nobody@host.1234", features.join(".#a.feature")).unwrap();
    std::os::unix::fs::symlink("..", features.join("sub/loop")).unwrap();

    let (output, entries) = lint_json_entries(dir.path(), &[]);
    let found: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e["rule"] == "parse-error")
        .map(|e| (e["file"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "features/.#a.feature",
                "cannot read it: it is a symbolic link to `nobody@host.1234`, which does not exist"
            ),
            (
                "features/sub/loop",
                "cannot read it: it is a symbolic link that loops back to `features`"
            ),
        ],
        "{output:#?}"
    );
    assert!(
        output.stderr.starts_with("checked 4 files, 2 cases, "),
        "{}",
        output.stderr
    );
    assert_eq!(output.code, 1);
}

#[test]
fn a_file_that_cannot_be_read_is_named_once_and_not_called_a_syntax_error() {
    let dir = project(&[
        ("casebook.toml", b""),
        (
            "features/a.feature",
            b"Feature: A\n  @A-1\n  Scenario: a\n    Given x\n    Then y\n",
        ),
    ]);
    let features = dir.path().join("features");
    std::os::unix::fs::symlink("nobody@host.1234", features.join(".#a.feature")).unwrap();
    // A finding about a file as a whole names its place once, and says what to do about a
    // file that cannot be read, not about syntax.
    let human = casebook(dir.path(), &["lint"]);
    let place = "features/.#a.feature:1:1";
    assert_eq!(human.stdout.matches(place).count(), 1, "{}", human.stdout);
    assert!(!human.stdout.contains("fix the syntax"), "{}", human.stdout);
    assert!(
        human.stdout.contains(
            "hint: make it readable, or remove it; the other feature files are still checked"
        ),
        "{}",
        human.stdout
    );
}

#[test]
fn a_requirement_defined_twice_is_one_finding_and_the_catalog_is_still_read() {
    let dir = project(&[
        ("casebook.toml", b""),
        (
            "requirements.toml",
            b"[R-1]\ntitle = 'one'\nrisk = 'low'\n\n[R-2]\ntitle = 'two'\nrisk = 'low'\n\n[R-1]\ntitle = 'again'\nrisk = 'low'\n",
        ),
        (
            "features/a.feature",
            b"Feature: A\n  @A-1 @req:R-1\n  Scenario: a\n    Given x\n    Then y\n\n  @A-2 @req:R-2\n  Scenario: b\n    Given x\n    Then y\n",
        ),
    ]);
    let (output, entries) = lint_json_entries(dir.path(), &[]);
    let errors: Vec<(&str, &str, u64, &str)> = entries
        .iter()
        .filter(|e| e["severity"] == "error")
        .map(|e| {
            (
                e["rule"].as_str().unwrap(),
                e["file"].as_str().unwrap(),
                e["line"].as_u64().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [(
            "invalid-catalog",
            "requirements.toml",
            9,
            "requirement `R-1` is defined twice (first at line 1): neither is read"
        )],
        "{output:#?}"
    );
    assert!(
        output.stderr.contains(", 1 requirement: "),
        "{}",
        output.stderr
    );
}

#[test]
fn a_casebook_toml_that_is_a_broken_link_exits_2_and_names_it() {
    let dir = project(&[(
        "features/a.feature",
        b"Feature: A\n  @A-1\n  Scenario: a\n    Given x\n    Then y\n",
    )]);
    std::os::unix::fs::symlink("../shared/casebook.toml", dir.path().join("casebook.toml"))
        .unwrap();
    let output = casebook(dir.path(), &["lint"]);
    assert_eq!(output.code, 2, "{output:#?}");
    assert!(
        output.stderr.contains(
            "casebook.toml: cannot read the file: it is a symbolic link to \
             `../shared/casebook.toml`, which does not exist"
        ),
        "{}",
        output.stderr
    );
}
