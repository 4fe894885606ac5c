//! Checks of a Cucumber Messages stream, shared by the test targets that read one: every
//! line valid against the protocol's JSON schemas (`schemas/`), every id unique and every
//! reference to an id made before it, every attempt and step started before it finishes.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

/// Reads the schemas of `https://cucumber.io/schema/` from `tests/messages/schemas/`.
struct Schemas;

impl jsonschema::Retrieve for Schemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/messages/schemas")
            .join(name);
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

/// The validator of one envelope.
pub fn validator() -> jsonschema::Validator {
    let envelope = Schemas
        .retrieve(
            &jsonschema::uri::from_str("https://cucumber.io/schema/Envelope.schema.json").unwrap(),
        )
        .unwrap();
    jsonschema::options()
        .with_retriever(Schemas)
        .build(&envelope)
        .expect("the schemas compile")
}

use jsonschema::Retrieve as _;

/// The envelopes of `stream`, after checking each against the schemas and the stream's
/// references and order; panics with every problem found.
pub fn check(stream: &str) -> Vec<Value> {
    let validator = validator();
    let mut problems = Vec::new();
    let mut envelopes = Vec::new();
    for (number, line) in stream.lines().enumerate() {
        let envelope: Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(err) => {
                problems.push(format!("line {}: not JSON: {err}", number + 1));
                continue;
            }
        };
        for error in validator.iter_errors(&envelope) {
            problems.push(format!(
                "line {}: {error} at {}",
                number + 1,
                error.instance_path()
            ));
        }
        envelopes.push(envelope);
    }
    problems.extend(references(&envelopes));
    assert!(problems.is_empty(), "{problems:#?}");
    envelopes
}

/// The kind of an envelope: its one key.
pub fn kind(envelope: &Value) -> &str {
    envelope
        .as_object()
        .and_then(|map| map.keys().next())
        .map_or("", String::as_str)
}

/// Ids made once, references made after what they refer to, and every started attempt and
/// step finished once, after it started.
fn references(envelopes: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut made: HashSet<String> = HashSet::new();
    let mut open_steps: HashMap<(String, String), usize> = HashMap::new();
    let mut open_cases: HashSet<String> = HashSet::new();
    for (number, envelope) in envelopes.iter().enumerate() {
        let kind = kind(envelope);
        let body = &envelope[kind];
        // What this envelope refers to, found anywhere in it.
        let mut refs = Vec::new();
        collect_refs(body, &mut refs);
        for (key, id) in refs {
            if !made.contains(&id) {
                problems.push(format!(
                    "envelope {} ({kind}): `{key}` {id} refers to nothing made before",
                    number + 1
                ));
            }
        }
        let mut ids = Vec::new();
        collect_ids(body, &mut ids);
        for id in ids {
            if !made.insert(id.clone()) {
                problems.push(format!(
                    "envelope {} ({kind}): id {id} made twice",
                    number + 1
                ));
            }
        }
        let text = |key: &str| body[key].as_str().unwrap_or_default().to_owned();
        match kind {
            "testCaseStarted" => {
                open_cases.insert(text("id"));
            }
            "testCaseFinished" if !open_cases.remove(&text("testCaseStartedId")) => {
                problems.push(format!(
                    "envelope {}: a test case finished twice or never started",
                    number + 1
                ));
            }
            "testStepStarted" => {
                open_steps.insert((text("testCaseStartedId"), text("testStepId")), number);
            }
            "testStepFinished"
                if open_steps
                    .remove(&(text("testCaseStartedId"), text("testStepId")))
                    .is_none() =>
            {
                problems.push(format!(
                    "envelope {}: a step finished that never started",
                    number + 1
                ));
            }
            _ => {}
        }
    }
    if !open_cases.is_empty() || !open_steps.is_empty() {
        problems.push(format!(
            "never finished: {} test cases, {} steps",
            open_cases.len(),
            open_steps.len()
        ));
    }
    problems
}

/// Every key ending in `Id` or `Ids` (but `id` itself and `workerId`), with its ids.
fn collect_refs(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let is_ref = (key.ends_with("Id") || key.ends_with("Ids")) && key != "workerId";
                match item {
                    Value::String(id) if is_ref => out.push((key.clone(), id.clone())),
                    Value::Array(ids) if is_ref => out.extend(
                        ids.iter()
                            .filter_map(Value::as_str)
                            .map(|id| (key.clone(), id.to_owned())),
                    ),
                    _ => collect_refs(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// The ids an envelope makes: its own `id` and those of the nodes inside (AST nodes, pickle
/// steps, test steps).
fn collect_ids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match item {
                    Value::String(id) if key == "id" => out.push(id.clone()),
                    _ => collect_ids(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_ids(item, out)),
        _ => {}
    }
}
