//! `casebook gherkin`: the official `gherkin` executable's contract: NDJSON envelopes on
//! stdout (source, gherkinDocument, pickles; or source and parseErrors), ids from one
//! counter per invocation with `--predictable-ids`, the path as given as uri, exit code 0
//! when every file parsed, 1 when one did not (all files still printed) and 2 when a file
//! cannot be read (every other file still printed).

use serde_json::{Value, json};

use crate::support::{casebook, project};

const GOOD: &str = "\
Feature: Orders
  Scenario: Place an order
    Given a cart with 1 item
";

const BAD: &str = "\
Feature: Refunds
  Scenario: Refund
    Given an order
  not a step
";

fn envelopes(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect()
}

#[test]
fn prints_the_official_envelopes_of_a_good_and_a_bad_file() {
    let dir = project(&[
        ("features/good.feature", GOOD.as_bytes()),
        ("features/bad.feature", BAD.as_bytes()),
    ]);
    let output = casebook(
        dir.path(),
        &[
            "gherkin",
            "--predictable-ids",
            "features/good.feature",
            "features/bad.feature",
        ],
    );
    assert_eq!(output.code, 1, "a parse error: {output:#?}");
    assert_eq!(output.stderr, "");
    let location = |line, column| json!({"line": line, "column": column});
    assert_eq!(
        envelopes(&output.stdout),
        [
            json!({"source": {
                "uri": "features/good.feature",
                "data": GOOD,
                "mediaType": "text/x.cucumber.gherkin+plain",
            }}),
            json!({"gherkinDocument": {
                "uri": "features/good.feature",
                "comments": [],
                "feature": {
                    "location": location(1, 1),
                    "tags": [],
                    "language": "en",
                    "keyword": "Feature",
                    "name": "Orders",
                    "description": "",
                    "children": [{"scenario": {
                        "id": "1",
                        "location": location(2, 3),
                        "tags": [],
                        "keyword": "Scenario",
                        "name": "Place an order",
                        "description": "",
                        "examples": [],
                        "steps": [{
                            "id": "0",
                            "location": location(3, 5),
                            "keyword": "Given ",
                            "keywordType": "Context",
                            "text": "a cart with 1 item",
                        }],
                    }}],
                },
            }}),
            json!({"pickle": {
                "id": "3",
                "uri": "features/good.feature",
                "location": location(2, 3),
                "name": "Place an order",
                "language": "en",
                "steps": [{
                    "id": "2",
                    "astNodeIds": ["0"],
                    "text": "a cart with 1 item",
                    "type": "Context",
                }],
                "tags": [],
                "astNodeIds": ["1"],
            }}),
            json!({"source": {
                "uri": "features/bad.feature",
                "data": BAD,
                "mediaType": "text/x.cucumber.gherkin+plain",
            }}),
            json!({"parseError": {
                "source": {"uri": "features/bad.feature", "location": location(4, 3)},
                "message": "(4:3): expected: #EOF, #TableRow, #DocStringSeparator, #StepLine, \
                    #TagLine, #ExamplesLine, #ScenarioLine, #RuleLine, #Comment, #Empty, \
                    got 'not a step'",
            }}),
        ]
    );
}

#[test]
fn options_leave_messages_out_and_ids_are_uuids_by_default() {
    let dir = project(&[("good.feature", GOOD.as_bytes())]);
    let output = casebook(
        dir.path(),
        &["gherkin", "--no-source", "--no-ast", "good.feature"],
    );
    assert_eq!(output.code, 0, "{output:#?}");
    let messages = envelopes(&output.stdout);
    assert_eq!(messages.len(), 1, "only the pickle: {messages:#?}");
    let id = messages[0]["pickle"]["id"].as_str().expect("a pickle id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(&id[14..15], "4", "a version 4 UUID: {id}");

    let output = casebook(dir.path(), &["gherkin", "--no-pickles", "good.feature"]);
    let kinds: Vec<String> = envelopes(&output.stdout)
        .iter()
        .map(|e| e.as_object().unwrap().keys().next().unwrap().clone())
        .collect();
    assert_eq!(kinds, ["source", "gherkinDocument"]);
}

#[test]
fn an_unreadable_file_is_named_and_every_other_file_is_printed() {
    let dir = project(&[
        ("good.feature", GOOD.as_bytes()),
        ("latin1.feature", b"Feature: caf\xe9\n"),
    ]);
    let output = casebook(
        dir.path(),
        &[
            "gherkin",
            "good.feature",
            "missing.feature",
            "latin1.feature",
        ],
    );
    assert_eq!(output.code, 2, "{output:#?}");
    let printed: Vec<(String, String)> = envelopes(&output.stdout)
        .iter()
        .map(|envelope| {
            let (kind, body) = envelope.as_object().unwrap().iter().next().unwrap();
            let uri = body["uri"].as_str().or(body["source"]["uri"].as_str());
            (kind.clone(), uri.unwrap_or_default().to_owned())
        })
        .collect();
    let good = |kind: &str| (kind.to_owned(), "good.feature".to_owned());
    assert_eq!(
        printed,
        [good("source"), good("gherkinDocument"), good("pickle")],
        "{output:#?}"
    );
    assert!(
        output.stderr.contains("cannot read `missing.feature`"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("cannot read `latin1.feature`: not UTF-8"),
        "{}",
        output.stderr
    );
}
