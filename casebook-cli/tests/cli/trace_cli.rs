//! `casebook trace ID`: the chain of a requirement or a case, before any run.

use crate::support::{casebook, copy_of_fixture, fixture, write};

#[test]
fn traces_a_requirement_and_a_case_before_any_run() {
    let requirement = casebook(&fixture("clean"), &["trace", "SHOP-1"]);
    assert_eq!(requirement.code, 0, "{}", requirement.stderr);
    assert!(
        requirement
            .stdout
            .starts_with("requirement SHOP-1  A cart total is the sum of its lines\n"),
        "{}",
        requirement.stdout
    );
    assert!(
        requirement.stdout.contains("  parent SHOP  Shopping\n"),
        "{}",
        requirement.stdout
    );
    assert!(
        requirement.stdout.contains("  case CART-1 "),
        "{}",
        requirement.stdout
    );
    assert!(
        requirement.stdout.contains(", automated, not run\n"),
        "{}",
        requirement.stdout
    );
    assert!(
        requirement.stderr.contains("no run yet"),
        "{}",
        requirement.stderr
    );

    let case = casebook(&fixture("clean"), &["trace", "@CART-3"]);
    assert_eq!(case.code, 0, "{}", case.stderr);
    assert!(
        case.stdout.contains(", manual, not run\n"),
        "{}",
        case.stdout
    );
    assert!(case.stdout.contains("  proves SHOP-3 "), "{}", case.stdout);
}

#[test]
fn an_unknown_id_is_a_usage_error() {
    let output = casebook(&fixture("clean"), &["trace", "NOPE-9"]);
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("no requirement or case has the ID `NOPE-9`"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_run_record_of_another_format_version_is_refused_by_name() {
    let project = copy_of_fixture("clean");
    // A later format whose fields this casebook does not know.
    write(
        project.path(),
        "target/casebook/run.json",
        br#"{"format_version": 2, "runs": []}"#,
    );
    for args in [&["trace", "SHOP-1"][..], &["report"]] {
        let output = casebook(project.path(), args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(
            output
                .stderr
                .contains("run.json` has format version 2, this casebook reads 1"),
            "{args:?}: {}",
            output.stderr
        );
    }
}

#[test]
fn a_chain_as_json_holds_the_rows_of_the_matrix() {
    let requirement = casebook(&fixture("clean"), &["trace", "SHOP-1", "--format", "json"]);
    assert_eq!(requirement.code, 0, "{}", requirement.stderr);
    let json: serde_json::Value = serde_json::from_str(&requirement.stdout).unwrap();
    assert_eq!(json["kind"], "requirement");
    assert_eq!(json["requirement"]["id"], "SHOP-1");
    let cases = json["cases"].as_array().unwrap();
    assert!(cases.iter().any(|c| c["id"] == "CART-1"), "{json:#}");
    assert_eq!(json["requirement"]["status"], "not-run", "{json:#}");

    let case = casebook(&fixture("clean"), &["trace", "@CART-3", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&case.stdout).unwrap();
    assert_eq!(json["kind"], "case");
    assert_eq!(json["case"]["id"], "CART-3");
    assert!(
        json["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "SHOP-3")
    );
}
