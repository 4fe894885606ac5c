//! `cucumber.json` of the fixture run: valid against Cucumber's canonical JSON schema plus
//! what every Cucumber writes beyond it, every step of every execution with its outcome
//! (unbound steps `undefined`), the attachments embedded, and the fixture's payloads as
//! plain strings with no password anywhere.

use std::path::Path;

use base64::Engine as _;
use casebook::config::Config;
use casebook::project::{Project, ReportDir, Steps};
use casebook::record::{Status, StepStatus};
use serde_json::{Value, json};

use super::{RUN, fixture, normalize};

fn document() -> Value {
    serde_json::from_str(&RUN.read("cucumber.json")).expect("cucumber.json is JSON")
}

/// The scenario elements of the run, one per execution, in the record's order.
fn scenarios(document: &Value) -> Vec<&Value> {
    document
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|feature| feature["elements"].as_array().unwrap())
        .filter(|element| element["type"] == "scenario" && !is_manual(element))
        .collect()
}

/// Whether a scenario element is a tester's: the fixture tags its manual cases `@manual`.
fn is_manual(element: &Value) -> bool {
    element["tags"]
        .as_array()
        .is_some_and(|tags| tags.iter().any(|t| t["name"] == "@manual"))
}

/// Every step of the execution whose scenario element is `index`-th: its Background's
/// (the element just before, when it is one) and its own.
fn steps_of(document: &Value, index: usize) -> Vec<&Value> {
    let elements: Vec<&Value> = document
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|feature| feature["elements"].as_array().unwrap())
        .collect();
    let at = elements
        .iter()
        .enumerate()
        .filter(|(_, e)| e["type"] == "scenario" && !is_manual(e))
        .nth(index)
        .unwrap()
        .0;
    let mut steps = Vec::new();
    if at > 0 && elements[at - 1]["type"] == "background" {
        steps.extend(elements[at - 1]["steps"].as_array().unwrap());
    }
    steps.extend(elements[at]["steps"].as_array().unwrap());
    steps
}

fn base64(data: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(data.as_str().unwrap())
        .expect("embeddings are base64")
}

#[test]
fn cucumber_json_validates_against_the_canonical_schema_with_what_every_cucumber_adds() {
    require_browser!();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reports/schemas/cucumber-json.canonical.schema.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The canonical schema describes what cucumber/cucumber-json-converter normalises
    // documents to. What Cucumber-JVM, cucumber-js and cucumber-rs write, and Xray and
    // Jenkins read, has three things more, allowed here and nothing else:
    // 1. embeddings on steps (attachments, base64);
    schema["definitions"]["Step"]["properties"]["embeddings"] = json!({
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["data", "mime_type"],
            "properties": {
                "data": {"type": "string", "contentEncoding": "base64"},
                "mime_type": {"type": "string"},
                "name": {"type": "string"}
            }
        }
    });
    // 2. the `ambiguous` status;
    schema["definitions"]["Status"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("ambiguous"));
    // 3. a bare array of features at the top, where the converter's output wraps them.
    let wrapped = json!({"implementation": "casebook", "features": document()});

    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&wrapped)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // And the extensions are there to be allowed: the document is not trivially valid.
    let plain = jsonschema::validator_for(
        &serde_json::from_str::<Value>(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/reports/schemas/cucumber-json.canonical.schema.json"),
            )
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        !plain.is_valid(&wrapped),
        "embeddings and ambiguous need the extensions"
    );
}

#[test]
fn every_step_of_every_execution_is_there_with_its_outcome() {
    require_browser!();
    let mut config = Config::load(&fixture().join("casebook.toml")).unwrap();
    config.report_dir = RUN.dir.path().to_path_buf();
    let report_dir = ReportDir::configured(&config);
    let project = Project::load(config, &[], Steps::Saved(&report_dir)).unwrap();
    let document = document();
    let scenarios = scenarios(&document);
    assert_eq!(scenarios.len(), RUN.record.executions.len());

    for (index, execution) in RUN.record.executions.iter().enumerate() {
        let steps = steps_of(&document, index);
        let case = project
            .suite
            .cases()
            .find(|(_, c)| c.id.as_ref().map(|id| id.0.as_str()) == execution.case_id.as_deref())
            .unwrap()
            .1;
        assert_eq!(
            steps.len(),
            case.all_steps().count(),
            "{:?}: no step is dropped",
            execution.case_id
        );
        let statuses: Vec<&str> = steps
            .iter()
            .map(|s| s["result"]["status"].as_str().unwrap())
            .collect();
        if execution.steps.is_empty() {
            // Passed and skipped executions: the steps come from the feature file.
            let expected = if execution.status == Status::Passed {
                "passed"
            } else {
                "skipped"
            };
            assert!(statuses.iter().all(|s| *s == expected), "{statuses:?}");
        } else {
            let expected: Vec<&str> = execution
                .steps
                .iter()
                .map(|s| match s.status {
                    StepStatus::Passed => "passed",
                    StepStatus::Failed => "failed",
                    StepStatus::Skipped => "skipped",
                    StepStatus::Unbound => "undefined",
                    StepStatus::Ambiguous => "ambiguous",
                })
                .collect();
            assert_eq!(statuses, expected, "{:?}", execution.case_id);
        }
        for (step, json) in case.all_steps().zip(&steps) {
            assert_eq!(json["line"], step.location.line);
            assert_eq!(json["keyword"], format!("{} ", step.keyword));
        }
    }
}

#[test]
fn unbound_steps_are_undefined_and_ambiguous_ones_name_their_definitions() {
    require_browser!();
    let document = document();
    let all: Vec<&Value> = (0..RUN.record.executions.len())
        .flat_map(|i| steps_of(&document, i))
        .collect();
    let unbound = &RUN.record.unbound_steps[0];
    let step = all
        .iter()
        .find(|s| s["name"] == unbound.text.as_str())
        .unwrap();
    assert_eq!(step["result"]["status"], "undefined");
    assert!(step.get("match").is_none(), "no definition to point to");

    let ambiguous = &RUN.record.ambiguous_steps[0];
    let step = all
        .iter()
        .find(|s| s["name"] == ambiguous.text.as_str())
        .unwrap();
    assert_eq!(step["result"]["status"], "ambiguous");
    let message = step["result"]["error_message"].as_str().unwrap();
    for definition in &ambiguous.definitions {
        assert!(
            message.contains(&definition.location_text().unwrap()),
            "{message}"
        );
    }
}

#[test]
fn a_passed_case_has_its_steps_definitions_table_and_doc_string() {
    require_browser!();
    let document = document();
    let index = RUN
        .record
        .executions
        .iter()
        .position(|e| e.case_id.as_deref() == Some("RPT-001"))
        .unwrap();
    let scenario = scenarios(&document)[index];
    assert_eq!(
        scenario["id"],
        "outcomes-that-end-before-any-failure;a-passing-case-with-a-table-and-a-doc-string"
    );
    let tags: Vec<&str> = scenario["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["@req:RPT-1", "@RPT-001"]);
    let steps = steps_of(&document, index);
    assert!(
        steps.iter().all(|s| s["match"]["location"]
            .as_str()
            .is_some_and(|l| l.starts_with("tests/reports/steps.rs:"))),
        "{steps:#?}"
    );
    let table = steps.iter().find_map(|s| s.get("rows")).unwrap();
    assert_eq!(table[0]["cells"], json!(["item", "price"]));
    let doc_string = steps.iter().find_map(|s| s.get("doc_string")).unwrap();
    assert_eq!(doc_string["line"], 16, "the opening delimiter's line");
}

#[test]
fn an_outline_row_is_named_with_its_values_and_identified_by_its_row() {
    require_browser!();
    let document = document();
    let names: Vec<(&str, &str, u64)> = scenarios(&document)
        .iter()
        .filter(|s| {
            s["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == "@RPT-010")
        })
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["id"].as_str().unwrap(),
                s["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "The shop greets alice",
                "a-failure-with-everything-attached;the-shop-greets-<who>;;2",
                16
            ),
            (
                r#"The shop greets <img src=x onerror="window.pwned = 1">"#,
                "a-failure-with-everything-attached;the-shop-greets-<who>;;3",
                17
            ),
        ]
    );
}

#[test]
fn attachments_are_embedded_in_the_failing_step() {
    require_browser!();
    let document = document();
    let (index, failed) = RUN
        .record
        .executions
        .iter()
        .enumerate()
        .find(|(_, e)| e.status == Status::Failed)
        .unwrap();
    let steps = steps_of(&document, index);
    let with: Vec<&&Value> = steps
        .iter()
        .filter(|s| s.get("embeddings").is_some())
        .collect();
    assert_eq!(with.len(), 1);
    assert_eq!(with[0]["result"]["status"], "failed");
    let embeddings = with[0]["embeddings"].as_array().unwrap();
    assert_eq!(embeddings.len(), failed.attachments.len());
    for (embedding, attachment) in embeddings.iter().zip(&failed.attachments) {
        assert_eq!(embedding["mime_type"], attachment.media_type.as_str());
        assert_eq!(embedding["name"], attachment.name.as_str());
        let file = std::fs::read(RUN.path(&attachment.path.display().to_string())).unwrap();
        assert_eq!(base64(&embedding["data"]), file);
    }
}

#[test]
fn payloads_are_plain_strings_and_the_password_never_appears() {
    require_browser!();
    let text = RUN.read("cucumber.json");
    assert!(!text.contains("hunter2"));
    let document = document();
    let mut embedded = Vec::new();
    let mut strings = Vec::new();
    fn walk<'v>(value: &'v Value, strings: &mut Vec<&'v str>, embedded: &mut Vec<Vec<u8>>) {
        match value {
            Value::String(s) => strings.push(s),
            Value::Array(items) => items.iter().for_each(|v| walk(v, strings, embedded)),
            Value::Object(map) => {
                if let (Some(data), Some(_)) = (map.get("data"), map.get("mime_type")) {
                    embedded.push(base64(data));
                }
                map.values().for_each(|v| walk(v, strings, embedded));
            }
            _ => {}
        }
    }
    walk(&document, &mut strings, &mut embedded);
    assert!(strings.contains(&r#"Titles <script>window.pwned = "title"</script> stay text"#));
    assert!(strings.contains(&r#"<script>window.pwned = "table"</script>"#));
    assert!(!embedded.is_empty());
    for bytes in &embedded {
        assert!(
            !String::from_utf8_lossy(bytes).contains("hunter2"),
            "an embedded attachment has the password"
        );
    }
    // Nor does any other file the run wrote.
    for entry in walkdir::WalkDir::new(RUN.dir.path()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("hunter2"),
                "{} has the password",
                entry.path().display()
            );
        }
    }
}

#[test]
fn cucumber_json_of_the_fixture_run() {
    require_browser!();
    // The embedded bytes (a screenshot, a transcript with the port and dates) vary from run
    // to run; `attachments_are_embedded_in_the_failing_step` checks them.
    let data = regex::Regex::new(r#""data": "[A-Za-z0-9+/=]*""#).unwrap();
    // The file is compact; the snapshot is indented, to be read in review.
    let document: Value = serde_json::from_str(&RUN.read("cucumber.json")).unwrap();
    let text = serde_json::to_string_pretty(&document).unwrap();
    // So do the steps' durations; `every_step_that_ran_has_its_duration` checks them.
    let duration = regex::Regex::new(r#""duration": \d+"#).unwrap();
    let text = duration.replace_all(&text, r#""duration": "[ns]""#);
    insta::assert_snapshot!(
        "cucumber",
        normalize(&data.replace_all(&text, r#""data": "[base64]""#))
    );
}

#[test]
fn every_step_that_ran_has_its_duration() {
    require_browser!();
    let document = document();
    // The steps of the runner's scenarios, their Background's included; a tester's result
    // has no step durations, and a manual scenario's Background comes right before it.
    let mut steps: Vec<&Value> = Vec::new();
    for feature in document.as_array().unwrap() {
        let elements = feature["elements"].as_array().unwrap();
        for (index, element) in elements.iter().enumerate() {
            let scenario = if element["type"] == "background" {
                &elements[index + 1]
            } else {
                element
            };
            if !is_manual(scenario) {
                steps.extend(element["steps"].as_array().unwrap());
            }
        }
    }
    let ran: Vec<&&Value> = steps
        .iter()
        .filter(|step| matches!(step["result"]["status"].as_str(), Some("passed" | "failed")))
        .collect();
    assert!(ran.len() > 10, "{} steps ran", ran.len());
    for step in &ran {
        assert!(step["result"]["duration"].is_u64(), "{step:#}");
    }
    let total: u64 = ran
        .iter()
        .map(|s| s["result"]["duration"].as_u64().unwrap())
        .sum();
    assert!(total > 0, "the steps took some time");
    for step in steps.iter().filter(|s| s["result"]["status"] == "skipped") {
        assert!(step["result"].get("duration").is_none(), "{step:#}");
    }
}

#[test]
fn manual_results_are_scenarios_marked_manual() {
    require_browser!();
    let document = document();
    let manual: Vec<&Value> = document
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|feature| feature["elements"].as_array().unwrap())
        .filter(|element| element["type"] == "scenario" && is_manual(element))
        .collect();
    let statuses: Vec<(String, Vec<&str>)> = manual
        .iter()
        .map(|scenario| {
            let steps = scenario["steps"].as_array().unwrap();
            (
                scenario["name"].as_str().unwrap().to_owned(),
                steps
                    .iter()
                    .map(|s| s["result"]["status"].as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    // The Background's step is in the element before each scenario; these are its own.
    assert_eq!(
        statuses,
        [
            (
                "A receipt a tester reads".to_owned(),
                vec!["passed", "passed"]
            ),
            (
                "A receipt a tester finds wrong".to_owned(),
                vec!["passed", "failed"]
            ),
            (
                "A receipt a tester cannot print".to_owned(),
                vec!["skipped", "skipped"]
            ),
            (
                "A receipt whose check changed since it was run".to_owned(),
                vec!["skipped", "skipped"]
            ),
        ]
    );
    let failed = &manual[1]["steps"][1]["result"]["error_message"];
    assert!(
        failed.as_str().unwrap().contains("The VAT line is missing"),
        "{failed}"
    );
    let stale = manual[3]["description"].as_str().unwrap();
    assert!(
        stale.contains("manual result: passed (stale: case changed) by tess"),
        "{stale}"
    );
    assert!(
        manual.iter().all(|s| s["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|step| step.get("match").is_none())),
        "no step definition runs a manual step"
    );
}

/// RPT-004 awaits automation: its scenario has the run's undefined step and the tester's word.
#[test]
fn an_unbound_case_a_tester_checked_shows_both() {
    require_browser!();
    let document: Value = serde_json::from_str(&RUN.read("cucumber.json")).unwrap();
    let scenario = scenarios(&document)
        .into_iter()
        .find(|s| s["name"].as_str().unwrap().contains("not written yet"))
        .expect("RPT-004's scenario");
    let statuses: Vec<&str> = scenario["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["result"]["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"undefined"), "{statuses:?}");
    let description = scenario["description"].as_str().unwrap();
    assert!(
        description.contains("manual result: passed by tess at ")
            && description.ends_with("actual result: The step nobody has written, checked by hand"),
        "{description}"
    );
}
