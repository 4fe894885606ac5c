//! `casebook impact`: a project in a real git repository, changed one way per test, and the
//! cases the binary selects for the change, with their reasons.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{Output, casebook, write};

const PAY: &str = "\
@req:PAY
Feature: Pay

  Background:
    Given a shop

  @PAY-1 @req:PAY-1
  Scenario: pays by card
    Given a cart with 2 items
    When the customer pays by card
    Then the order is paid

  @PAY-2 @req:PAY-2
  Scenario Outline: pays <amount>
    Given a cart with <items> items
    When the customer pays by card
    Then the order is paid

    Examples:
      | items | amount |
      | 1     | 10     |
      | 3     | 30     |
";

const CART: &str = "\
Feature: Cart

  @CART-1 @req:CART-1
  Scenario: empties the cart
    Given a full cart
    When the customer empties the cart
    Then the cart is empty
";

const REQUIREMENTS: &str = "\
[PAY]
title = \"Payments\"
risk = \"high\"

[PAY-1]
title = \"Cards are charged\"
risk = \"high\"
parent = \"PAY\"

[PAY-2]
title = \"Amounts are right\"
risk = \"normal\"
parent = \"PAY\"

[CART-1]
title = \"A cart can be emptied\"
risk = \"normal\"
";

const PAY_STEPS: &str = "\
use super::shop;

#[given(\"a shop\")]
fn a_shop(_: &mut World) {}

#[given(expr = \"a cart with {int} items\")]
fn cart(_: &mut World, items: u32) {
    let _ = shop::total(items);
}

#[when(\"the customer pays by card\")]
fn pays(_: &mut World) {}

#[then(\"the order is paid\")]
fn paid(_: &mut World) {}
";

const CART_STEPS: &str = "\
#[given(\"a full cart\")]
fn full(_: &mut World) {}

#[when(\"the customer empties the cart\")]
fn empties(_: &mut World) {}

#[then(\"the cart is empty\")]
fn empty(_: &mut World) {}
";

const SHOP_STEPS: &str = "\
/// The price of `items` items.
pub fn total(items: u32) -> u32 {
    items * 10
}

async fn reset(_: &mut World) {}
casebook::before!(reset);
";

/// What the last harness run saved of the step definitions: their patterns and places.
const STEPS_JSON: &str = r#"{"format_version": 1, "definitions": [
  {"kind": "given", "pattern": "^a shop$", "location": "steps/pay.rs:3:1"},
  {"kind": "given", "pattern": "^a cart with (\\d+) items$", "location": "steps/pay.rs:6:1"},
  {"kind": "when", "pattern": "^the customer pays by card$", "location": "steps/pay.rs:11:1"},
  {"kind": "then", "pattern": "^the order is paid$", "location": "steps/pay.rs:14:1"},
  {"kind": "given", "pattern": "^a full cart$", "location": "steps/cart.rs:1:1"},
  {"kind": "when", "pattern": "^the customer empties the cart$", "location": "steps/cart.rs:4:1"},
  {"kind": "then", "pattern": "^the cart is empty$", "location": "steps/cart.rs:7:1"}
]}"#;

/// Runs git in `dir` as a fixed author, whatever the machine's configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git's output is UTF-8")
}

/// The project, committed as the one commit of `main`, with a saved `steps.json`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    write(root, "casebook.toml", b"[impact]\nignore = [\"*.md\"]\n");
    write(root, "requirements.toml", REQUIREMENTS.as_bytes());
    write(root, "features/pay.feature", PAY.as_bytes());
    write(root, "features/cart.feature", CART.as_bytes());
    write(root, "steps/mod.rs", b"mod cart;\nmod pay;\nmod shop;\n");
    write(root, "steps/pay.rs", PAY_STEPS.as_bytes());
    write(root, "steps/cart.rs", CART_STEPS.as_bytes());
    write(root, "steps/shop.rs", SHOP_STEPS.as_bytes());
    write(root, "README.md", b"# The shop\n");
    write(root, ".gitignore", b"target/\n");
    write(root, "target/casebook/steps.json", STEPS_JSON.as_bytes());
    git(root, &["init", "--quiet", "--initial-branch=main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "--quiet", "-m", "the shop"]);
    dir
}

/// Replaces `from` with `to` in the project's file `path`, which must contain it.
fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let file = root.join(path);
    let text = std::fs::read_to_string(&file).expect("the file exists");
    assert!(text.contains(from), "{path} has no `{from}`");
    std::fs::write(&file, text.replacen(from, to, 1)).expect("write the file");
}

/// `casebook impact --since main --format json` in `root`, which must succeed.
fn impact(root: &Path) -> Value {
    let output = casebook(root, &["impact", "--since", "main", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    serde_json::from_str(&output.stdout).expect("the output is JSON")
}

/// The selected cases: each ID with the indexes of its selected executions.
fn selected(json: &Value) -> Vec<(String, Vec<u64>)> {
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            let id = case["id"].as_str().unwrap_or("(no ID)").to_owned();
            let rows = case["executions"]
                .as_array()
                .expect("executions")
                .iter()
                .map(|e| e["index"].as_u64().expect("an index"))
                .collect();
            (id, rows)
        })
        .collect()
}

/// `casebook impact --since main --format tags` in `root`.
fn tags(root: &Path) -> Output {
    casebook(root, &["impact", "--since", "main", "--format", "tags"])
}

/// Every reason of every selected execution, and every note, as one text.
fn reasons(json: &Value) -> String {
    json.to_string()
}

fn ids(cases: &[(&str, &[u64])]) -> Vec<(String, Vec<u64>)> {
    cases
        .iter()
        .map(|(id, rows)| ((*id).to_owned(), rows.to_vec()))
        .collect()
}

#[test]
fn a_changed_step_selects_its_case_alone() {
    let dir = project();
    edit(
        dir.path(),
        "features/pay.feature",
        "Given a cart with 2 items",
        "Given a cart with 5 items",
    );
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[("PAY-1", &[0])]));
    assert!(reasons(&json).contains("its steps changed"), "{json:#}");
    assert_eq!(json["base"]["revision"], "main");
}

#[test]
fn a_changed_examples_row_selects_that_row_alone() {
    let dir = project();
    edit(
        dir.path(),
        "features/pay.feature",
        "| 3     | 30     |",
        "| 4     | 40     |",
    );
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[("PAY-2", &[1])]));
    assert!(
        reasons(&json).contains("its Examples row is new or changed"),
        "{json:#}"
    );
}

#[test]
fn a_changed_background_selects_every_case_below_it() {
    let dir = project();
    edit(
        dir.path(),
        "features/pay.feature",
        "Given a shop",
        "Given a shop that is open",
    );
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[("PAY-1", &[0]), ("PAY-2", &[0, 1])]));
    assert!(
        reasons(&json).contains("its Background changed"),
        "{json:#}"
    );
}

#[test]
fn tags_titles_and_prose_select_nothing_and_say_so() {
    let dir = project();
    edit(
        dir.path(),
        "features/cart.feature",
        "@CART-1 @req:CART-1",
        "@CART-1 @req:CART-1 @smoke",
    );
    edit(
        dir.path(),
        "features/pay.feature",
        "Scenario: pays by card",
        "Scenario: pays with a card",
    );
    edit(dir.path(), "README.md", "# The shop", "# The demo shop");
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[]));
    let notes = json["notes"].to_string();
    assert!(notes.contains("only its tags changed"), "{notes}");
    assert!(
        notes.contains("only its title or description changed"),
        "{notes}"
    );
    assert!(notes.contains("`[impact] ignore` names it"), "{notes}");
    let human = casebook(dir.path(), &["impact", "--since", "main"]);
    assert!(
        human.stdout.contains("No case is selected"),
        "{}",
        human.stdout
    );
    let tags = tags(dir.path());
    assert_eq!(tags.code, 0, "{}", tags.stderr);
    assert_eq!(tags.stdout, "@casebook:none and not @casebook:none\n");
    assert!(tags.stderr.contains("selects no case"), "{}", tags.stderr);
}

#[test]
fn a_case_moved_to_another_file_is_the_same_case() {
    let dir = project();
    let root = dir.path();
    let (kept, moved) = PAY.split_at(PAY.find("  @PAY-2").unwrap());
    std::fs::write(root.join("features/pay.feature"), kept).unwrap();
    write(
        root,
        "features/amounts.feature",
        format!("Feature: Amounts\n\n{moved}").as_bytes(),
    );
    let json = impact(root);
    // Moved without its Background, the outline's steps now run without `a shop`.
    assert_eq!(selected(&json), ids(&[("PAY-2", &[0, 1])]), "{json:#}");
    assert!(
        reasons(&json).contains("its Background changed"),
        "{json:#}"
    );
    assert!(!reasons(&json).contains("case removed"), "{json:#}");
}

#[test]
fn a_changed_step_function_selects_the_cases_bound_to_it() {
    let dir = project();
    edit(
        dir.path(),
        "steps/pay.rs",
        "fn pays(_: &mut World) {}",
        "fn pays(_: &mut World) {\n    todo!()\n}",
    );
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[("PAY-1", &[0]), ("PAY-2", &[0, 1])]));
    assert!(
        reasons(&json).contains(
            "its step `the customer pays by card` runs `fn pays`, which changed (steps/pay.rs:11)"
        ),
        "{json:#}"
    );
}

#[test]
fn a_changed_helper_selects_the_cases_of_the_steps_that_call_it() {
    let dir = project();
    edit(dir.path(), "steps/shop.rs", "items * 10", "items * 11");
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[("PAY-1", &[0]), ("PAY-2", &[0, 1])]));
    assert!(
        reasons(&json).contains(
            "runs `fn cart`, which uses `total`, and `fn total` changed (steps/shop.rs:2)"
        ),
        "{json:#}"
    );
    // A doc comment changes no behaviour.
    let dir = project();
    edit(
        dir.path(),
        "steps/shop.rs",
        "/// The price",
        "/// What it costs: the price",
    );
    assert_eq!(selected(&impact(dir.path())), ids(&[]));
}

#[test]
fn a_changed_hook_configuration_or_unknown_file_selects_everything() {
    let everything = ids(&[("CART-1", &[0]), ("PAY-1", &[0]), ("PAY-2", &[0, 1])]);
    for (path, from, to, why) in [
        (
            "steps/shop.rs",
            "casebook::before!(reset);",
            "casebook::before!(reset, tags = \"@pay\");",
            "a macro at the item level",
        ),
        (
            "casebook.toml",
            "[impact]",
            "# settings\n[impact]",
            "`casebook.toml` changed",
        ),
        (
            ".gitignore",
            "target/",
            "target/\n*.log",
            "what it changes cannot be told",
        ),
    ] {
        let dir = project();
        edit(dir.path(), path, from, to);
        let json = impact(dir.path());
        assert_eq!(selected(&json), everything, "{path}");
        assert!(
            json["whole_suite"].to_string().contains(why),
            "{path}: {json:#}"
        );
        let tags = tags(dir.path());
        assert_eq!(tags.stdout, "\n", "{path}: every case, so no filter");
    }
}

#[test]
fn a_changed_requirement_selects_the_cases_covering_it() {
    let dir = project();
    edit(
        dir.path(),
        "requirements.toml",
        "title = \"A cart can be emptied\"",
        "title = \"A cart can be emptied at once\"",
    );
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[("CART-1", &[0])]));
    assert!(
        reasons(&json).contains("it covers requirement CART-1, which changed"),
        "{json:#}"
    );
    let tags = tags(dir.path());
    assert_eq!(tags.stdout, "@CART-1\n");
}

#[test]
fn always_run_cases_join_every_selection() {
    let dir = project();
    edit(
        dir.path(),
        "casebook.toml",
        "[impact]\n",
        "[impact]\nalways = \"@req:CART-1\"\n",
    );
    git(dir.path(), &["commit", "--quiet", "-am", "always the cart"]);
    edit(
        dir.path(),
        "features/pay.feature",
        "Given a cart with 2 items",
        "Given a cart with 5 items",
    );
    let json = impact(dir.path());
    assert_eq!(selected(&json), ids(&[("CART-1", &[0]), ("PAY-1", &[0])]));
    assert!(
        reasons(&json).contains("`[impact] always = \\\"@req:CART-1\\\"` names it"),
        "{json:#}"
    );
    let tags = tags(dir.path());
    assert_eq!(tags.stdout, "@CART-1 or @PAY-1\n");
}

#[test]
fn a_diff_from_elsewhere_is_read_and_checked_against_the_tree() {
    let dir = project();
    let root = dir.path();
    edit(
        root,
        "features/pay.feature",
        "Given a cart with 2 items",
        "Given a cart with 5 items",
    );
    let diff = git(root, &["diff"]);
    write(root, "change.diff", diff.as_bytes());
    let output = casebook(
        root,
        &["impact", "--diff", "change.diff", "--format", "json"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let json: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(selected(&json), ids(&[("PAY-1", &[0])]));
    // The tree moves on: the diff no longer applies, and says where.
    edit(
        root,
        "features/pay.feature",
        "Given a cart with 5 items",
        "Given a cart with 7 items",
    );
    let stale = casebook(root, &["impact", "--diff", "change.diff"]);
    assert_eq!(stale.code, 2, "{}", stale.stdout);
    assert!(
        stale
            .stderr
            .contains("the diff does not apply to this tree: features/pay.feature:9"),
        "{}",
        stale.stderr
    );
    let garbage = casebook(root, &["impact", "--diff", "README.md"]);
    assert_eq!(garbage.code, 2);
    assert!(
        garbage
            .stderr
            .contains("README.md:1: this is not a unified diff"),
        "{}",
        garbage.stderr
    );
}

#[test]
fn bad_revisions_and_shallow_clones_are_errors_that_say_what_to_do() {
    let dir = project();
    let unknown = casebook(dir.path(), &["impact", "--since", "no-such-branch"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        unknown.stderr
    );

    edit(dir.path(), "README.md", "# The shop", "# The demo shop");
    git(dir.path(), &["commit", "--quiet", "-am", "a second commit"]);
    let clones = tempfile::tempdir().unwrap();
    let origin = format!("file://{}", dir.path().display());
    git(
        clones.path(),
        &["clone", "--quiet", "--depth", "1", &origin, "shallow"],
    );
    let shallow = clones.path().join("shallow");
    std::fs::create_dir_all(shallow.join("target/casebook")).unwrap();
    let output = casebook(&shallow, &["impact", "--since", "HEAD~1"]);
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(output.stderr.contains("shallow clone"), "{}", output.stderr);
    assert!(
        output.stderr.contains("git fetch --unshallow"),
        "{}",
        output.stderr
    );
}

#[test]
fn outside_git_a_diff_works_and_since_explains_why_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "features/cart.feature",
        CART.replace("a full cart", "a cart").as_bytes(),
    );
    let output = casebook(root, &["impact", "--since", "main"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("is not inside a git repository"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("--diff FILE"), "{}", output.stderr);
    let diff = "--- a/features/cart.feature\n+++ b/features/cart.feature\n@@ -5 +5 @@\n-    Given a full cart\n+    Given a cart\n";
    write(root, "change.diff", diff.as_bytes());
    let output = casebook(
        root,
        &["impact", "--diff", "change.diff", "--format", "json"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let json: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(selected(&json), ids(&[("CART-1", &[0])]));
}

#[test]
fn a_selected_case_without_an_id_cannot_become_a_tag_expression() {
    let dir = project();
    edit(
        dir.path(),
        "features/cart.feature",
        "Then the cart is empty",
        "Then the cart is empty\n\n  Scenario: no ID\n    Given a full cart",
    );
    let output: Output = tags(dir.path());
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(
        output
            .stderr
            .contains("the selected case `no ID` has no ID"),
        "{}",
        output.stderr
    );
}
