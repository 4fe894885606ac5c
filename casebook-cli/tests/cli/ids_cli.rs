//! `casebook ids assign`: IDs written into a suite that has none, and nothing else changed —
//! byte for byte, and in the official parser's pickles.

use std::path::Path;

use serde_json::Value;

use crate::support::{casebook, write};

const CHECKOUT: &str = "\u{feff}Feature: Checkout\r\n\r\n  Background:\r\n    Given a shop\r\n\r\n  @smoke @req:PAY-1 # the happy path\r\n  Scenario: pays\r\n    When the customer pays\r\n    Then the order is paid\r\n\r\n  Scenario Outline: pays <n> times\r\n    When the customer pays <n> times\r\n\r\n    @req:PAY-2\r\n    Examples:\r\n      | n |\r\n      | 2 |\r\n";

const CART: &str = "Feature: Cart\n\n  Rule: emptying\n\n    @CART-0007\n    Scenario: has an ID\n      Given a cart\n\n    Scenario: has none\n      Given a cart\n";

/// The pickles of `file`, each without its tags, and each one's tag names.
fn pickles(root: &Path, file: &str) -> Vec<(Value, Vec<String>)> {
    let output = casebook(root, &["gherkin", "--predictable-ids", "--no-source", file]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    output
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter_map(|message| message.get("pickle").cloned())
        .map(|mut pickle| {
            let tags = pickle["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect();
            pickle.as_object_mut().unwrap().remove("tags");
            without_ids(&mut pickle);
            (pickle, tags)
        })
        .collect()
}

/// `value` without its `id`, `astNodeIds` and `location` members, at any depth: a new tag
/// takes an id of the counter, and a tag on a line of its own moves the lines below it (the
/// byte-for-byte check covers the rest).
fn without_ids(value: &mut Value) {
    match value {
        Value::Object(members) => {
            members.remove("id");
            members.remove("astNodeIds");
            members.remove("location");
            members.values_mut().for_each(without_ids);
        }
        Value::Array(items) => items.iter_mut().for_each(without_ids),
        _ => {}
    }
}

#[test]
fn every_case_gets_an_id_and_nothing_else_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "features/checkout.feature", CHECKOUT.as_bytes());
    write(root, "features/cart.feature", CART.as_bytes());
    let before = [
        pickles(root, "features/checkout.feature"),
        pickles(root, "features/cart.feature"),
    ];

    let dry = casebook(root, &["ids", "assign", "--prefix", "CART", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("would assign 3 IDs in 2 files"),
        "{}",
        dry.stdout
    );
    assert_eq!(
        std::fs::read_to_string(root.join("features/cart.feature")).unwrap(),
        CART
    );

    let output = casebook(root, &["ids", "assign", "--prefix", "CART"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output
            .stdout
            .contains("features/cart.feature:9: @CART-0008  has none"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("assigned 3 IDs in 2 files"),
        "{}",
        output.stdout
    );

    let checkout = std::fs::read_to_string(root.join("features/checkout.feature")).unwrap();
    let expected = CHECKOUT
        .replace("@smoke @req:PAY-1 #", "@smoke @req:PAY-1 @CART-0009 #")
        .replace(
            "\r\n  Scenario Outline:",
            "\r\n  @CART-0010\r\n  Scenario Outline:",
        );
    assert_eq!(checkout, expected, "byte for byte apart from the new tags");

    let after = [
        pickles(root, "features/checkout.feature"),
        pickles(root, "features/cart.feature"),
    ];
    let new_ids = ["@CART-0009", "@CART-0010", "@CART-0008"];
    let mut new = new_ids.iter();
    for (before, after) in before.iter().flatten().zip(after.iter().flatten()) {
        assert_eq!(
            before.0, after.0,
            "the pickle is the same apart from its tags"
        );
        let added: Vec<&String> = after.1.iter().filter(|t| !before.1.contains(t)).collect();
        if after.1.contains(&"@CART-0007".to_owned()) {
            assert!(added.is_empty(), "a case with an ID keeps it alone");
        } else {
            assert_eq!(added, [&new.next().unwrap().to_string()]);
        }
    }
    assert_eq!(new.next(), None, "every new ID is in a pickle");
    let lint = casebook(root, &["lint", "--format", "json"]);
    assert!(!lint.stdout.contains("missing-case-id"), "{}", lint.stdout);

    let again = casebook(root, &["ids", "assign", "--prefix", "CART"]);
    assert!(
        again.stdout.contains("assigned 0 IDs in 0 files"),
        "{}",
        again.stdout
    );
}

#[test]
fn a_prefix_that_makes_no_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "features/cart.feature", CART.as_bytes());
    let output = casebook(dir.path(), &["ids", "assign", "--prefix", "cart"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("`cart-1` would not be a case ID"),
        "{}",
        output.stderr
    );
}
