//! The built-in HTTP steps (see the [module docs](super)).

use anyhow::{Context as _, bail, ensure};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::World;

/// Referenced from the runner: a call into this module keeps its object file, and with it
/// the step registrations, in the final binary.
#[inline(never)]
pub(super) fn link() {
    std::hint::black_box(());
}

#[given("the service is up")]
async fn service_is_up(world: &mut World) -> anyhow::Result<()> {
    let status = world.http.send("GET", "/health", None).await?.status;
    ensure!(
        status == 200,
        "the service is not up: GET /health answered {status}"
    );
    Ok(())
}

#[given(expr = "I set the request header {string} to {string}")]
async fn set_header(world: &mut World, name: String, value: String) {
    let value = world.expand(&value);
    world.http.set_header(&name, &value);
}

#[when(regex = r#"^I send a (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) request to "([^"]*)"$"#)]
async fn send(world: &mut World, step: &Step, method: String, path: String) -> anyhow::Result<()> {
    let path = world.expand(&path);
    let body = step.docstring.as_deref().map(|body| world.expand(body));
    world.http.send(&method, &path, body.as_deref()).await?;
    Ok(())
}

#[then(expr = "the response status should be {int}")]
async fn status_is(world: &mut World, expected: u16) -> anyhow::Result<()> {
    let response = world.http.last()?;
    ensure!(
        response.status == expected,
        "expected status {expected}, got {}; body: {}",
        response.status,
        crate::world::http::truncate(&world.context().redactor.body(&response.body), 300)
    );
    Ok(())
}

#[then(expr = "the response header {string} should contain {string}")]
async fn header_contains(world: &mut World, name: String, text: String) -> anyhow::Result<()> {
    let value = world.http.last()?.header(&name);
    // The value is quoted as the transcript shows it: a cookie's or a token's masked.
    let redactor = &world.context().redactor;
    ensure!(
        value.is_some_and(|value| value.contains(&text)),
        "expected header `{name}` to contain {text:?}, got {}",
        value.map_or("no such header".to_owned(), |v| format!(
            "{:?}",
            redactor.header(&name, v)
        ))
    );
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" should be (-?\d+)$"#)]
async fn json_int(world: &mut World, path: String, expected: i64) -> anyhow::Result<()> {
    let value = json_at(world, &path)?;
    ensure!(
        value.as_i64() == Some(expected),
        "expected {path} to be {expected}, got {value}"
    );
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" should be "([^"]*)"$"#)]
async fn json_string(world: &mut World, path: String, expected: String) -> anyhow::Result<()> {
    let expected = world.expand(&expected);
    let value = json_at(world, &path)?;
    ensure!(
        value.as_str() == Some(expected.as_str()),
        "expected {path} to be {expected:?}, got {value}"
    );
    Ok(())
}

#[then(expr = "the response JSON at {string} should have {int} items")]
async fn json_items(world: &mut World, path: String, expected: usize) -> anyhow::Result<()> {
    let value = json_at(world, &path)?;
    let Some(items) = value.as_array() else {
        bail!("expected {path} to be an array, got {value}")
    };
    ensure!(
        items.len() == expected,
        "expected {path} to have {expected} items, got {}",
        items.len()
    );
    Ok(())
}

#[then(expr = "the response body should contain {string}")]
async fn body_contains(world: &mut World, text: String) -> anyhow::Result<()> {
    let text = world.expand(&text);
    let response = world.http.last()?;
    ensure!(
        response.body.contains(&text),
        "expected the response body to contain {text:?}"
    );
    Ok(())
}

#[then("the response JSON should contain:")]
async fn json_contains_table(world: &mut World, step: &Step) -> anyhow::Result<()> {
    let table = step
        .table
        .as_ref()
        .context("this step needs a data table with `path` and `value` columns")?;
    let header = table.rows.first().context("the data table is empty")?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("the data table has no `{name}` column"))
    };
    let (path_column, value_column) = (column("path")?, column("value")?);
    let document = world.http.last()?.json()?;
    let mut mismatches = Vec::new();
    for row in &table.rows[1..] {
        let (path, expected) = (&row[path_column], world.expand(&row[value_column]));
        match query(document, path) {
            Ok(value) => {
                // A string compares with its content, anything else with its JSON text.
                let actual = match &value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                if actual != expected {
                    mismatches.push(format!("{path}: expected {expected:?}, got {actual:?}"));
                }
            }
            Err(err) => mismatches.push(err.to_string()),
        }
    }
    ensure!(
        mismatches.is_empty(),
        "the response JSON differs:\n  {}",
        mismatches.join("\n  ")
    );
    Ok(())
}

#[then("the response JSON should include:")]
async fn json_includes(world: &mut World, step: &Step) -> anyhow::Result<()> {
    let text = step
        .docstring
        .as_deref()
        .context("this step needs a doc string with the expected JSON")?;
    let expected: Value = serde_json::from_str(text).context("the doc string is not JSON")?;
    let document = world.http.last()?.json()?;
    let mut mismatches = Vec::new();
    subset(&expected, document, "$", &mut mismatches);
    ensure!(
        mismatches.is_empty(),
        "the response JSON does not include the expected values:\n  {}",
        mismatches.join("\n  ")
    );
    Ok(())
}

fn json_at(world: &World, path: &str) -> anyhow::Result<Value> {
    query(world.http.last()?.json()?, path)
}

/// The one value at an RFC 9535 JSON path.
fn query(document: &Value, path: &str) -> anyhow::Result<Value> {
    let parsed = JsonPath::parse(path).with_context(|| {
        format!("`{path}` is not a JSON path (RFC 9535, e.g. `$.items[0].name`)")
    })?;
    let nodes = parsed.query(document).all();
    match nodes.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!("{path}: nothing there"),
        many => bail!("{path}: {} values match, expected one", many.len()),
    }
}

/// Pushes a line for every value of `expected` that `actual` lacks or differs in. Objects
/// match when every expected key matches; arrays and scalars must be equal.
fn subset(expected: &Value, actual: &Value, path: &str, mismatches: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                let here = format!("{path}.{key}");
                match actual.get(key) {
                    Some(found) => subset(value, found, &here, mismatches),
                    None => mismatches.push(format!("{here}: missing")),
                }
            }
        }
        _ if expected == actual => {}
        _ => mismatches.push(format!("{path}: expected {expected}, got {actual}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn queries_rfc_9535_paths() {
        let doc = json!({"items": [{"name": "tea"}, {"name": "milk"}], "id": 7});
        assert_eq!(query(&doc, "$.items[1].name").unwrap(), json!("milk"));
        assert_eq!(query(&doc, "$['id']").unwrap(), json!(7));
        assert!(
            query(&doc, "$.nope")
                .unwrap_err()
                .to_string()
                .contains("nothing there")
        );
        assert!(
            query(&doc, "$.items[*].name")
                .unwrap_err()
                .to_string()
                .contains("2 values")
        );
        assert!(query(&doc, "items").is_err());
    }

    #[test]
    fn subset_match_reports_every_difference() {
        let actual = json!({"a": 1, "b": {"c": "x", "d": [1, 2]}, "e": true});
        let mut mismatches = Vec::new();
        subset(
            &json!({"a": 1, "b": {"c": "x"}}),
            &actual,
            "$",
            &mut mismatches,
        );
        assert!(mismatches.is_empty());
        subset(
            &json!({"a": 2, "b": {"d": [1]}, "z": null}),
            &actual,
            "$",
            &mut mismatches,
        );
        assert_eq!(
            mismatches,
            [
                "$.a: expected 2, got 1",
                "$.b.d: expected [1], got [1,2]",
                "$.z: missing"
            ]
        );
    }
}
