//! `casebook trace ID`: the chain of a requirement or a case, before any run.

use crate::support::{casebook, fixture};

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
