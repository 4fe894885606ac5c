//! `messages.ndjson`: the fixture run's Cucumber Messages, valid against the protocol's
//! schemas, with every outcome of the run in the protocol's terms.

use serde_json::Value;

use super::RUN;

#[path = "../messages/stream.rs"]
mod stream;

fn envelopes() -> Vec<Value> {
    stream::check(&RUN.read("messages.ndjson"))
}

fn of<'e>(envelopes: &'e [Value], kind: &str) -> Vec<&'e Value> {
    envelopes
        .iter()
        .filter(|e| stream::kind(e) == kind)
        .map(|e| &e[kind])
        .collect()
}

#[test]
fn every_message_is_valid_and_refers_only_to_messages_before_it() {
    require_browser!();
    let envelopes = envelopes();
    let kinds: Vec<&str> = envelopes.iter().map(stream::kind).collect();
    assert_eq!(kinds.first(), Some(&"meta"));
    assert_eq!(kinds.last(), Some(&"testRunFinished"));
    for kind in [
        "source",
        "gherkinDocument",
        "pickle",
        "stepDefinition",
        "testRunStarted",
        "testCase",
        "testCaseStarted",
        "testStepStarted",
        "testStepFinished",
        "attachment",
        "suggestion",
        "testCaseFinished",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    let meta = &envelopes[0]["meta"];
    assert_eq!(meta["implementation"]["name"], "casebook");
    assert_eq!(meta["protocolVersion"], "33.0.4");
}

#[test]
fn statuses_say_what_the_run_record_says() {
    require_browser!();
    let envelopes = envelopes();
    let statuses: std::collections::BTreeSet<&str> = of(&envelopes, "testStepFinished")
        .iter()
        .map(|f| f["testStepResult"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["AMBIGUOUS", "FAILED", "PASSED", "SKIPPED", "UNDEFINED"]
    );
    // Three files, one test case per automated execution of the record.
    assert_eq!(of(&envelopes, "source").len(), 3);
    assert_eq!(
        of(&envelopes, "testCase").len(),
        RUN.record.executions.len()
    );
    // Every attempt but the last of each execution will be retried (the flaky case's
    // first, the failing row's first), and no other.
    let finished = of(&envelopes, "testCaseFinished");
    let retried: usize = RUN
        .record
        .executions
        .iter()
        .map(|e| e.attempts.saturating_sub(1))
        .sum();
    assert_eq!(retried, 2);
    assert_eq!(
        finished
            .iter()
            .filter(|f| f["willBeRetried"] == true)
            .count(),
        retried
    );
    let attempts: Vec<u64> = of(&envelopes, "testCaseStarted")
        .iter()
        .map(|s| s["attempt"].as_u64().unwrap())
        .collect();
    assert!(attempts.contains(&1), "{attempts:?}");
    let failed = of(&envelopes, "testStepFinished")
        .into_iter()
        .find(|f| {
            f["testStepResult"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("the page does not say"))
        })
        .expect("the failing browser step's message");
    assert_eq!(failed["testStepResult"]["status"], "FAILED");
    assert_eq!(failed["testStepResult"]["exception"]["type"], "panic");
    assert_eq!(of(&envelopes, "testRunFinished")[0]["success"], false);
}

#[test]
fn an_undefined_step_has_a_suggestion_and_a_doc_string_keeps_its_media_type_apart() {
    require_browser!();
    let envelopes = envelopes();
    let suggestions = of(&envelopes, "suggestion");
    assert_eq!(suggestions.len(), 1);
    let code = suggestions[0]["snippets"][0]["code"].as_str().unwrap();
    assert!(code.contains("a step nobody has written"), "{code}");
    let doc_string = of(&envelopes, "pickle")
        .into_iter()
        .flat_map(|p| p["steps"].as_array().unwrap())
        .find_map(|s| s["argument"].get("docString"))
        .unwrap();
    assert_eq!(doc_string["mediaType"], "text");
    assert_eq!(
        doc_string["content"],
        r#"<img src=x onerror="window.pwned = 'doc string'">"#
    );
}

#[test]
fn the_failing_steps_attachments_are_in_the_stream() {
    require_browser!();
    let envelopes = envelopes();
    let media_types: Vec<&str> = of(&envelopes, "attachment")
        .iter()
        .map(|a| a["mediaType"].as_str().unwrap())
        .collect();
    assert!(media_types.contains(&"image/png"), "{media_types:?}");
    let transcripts: Vec<&Value> = of(&envelopes, "attachment")
        .into_iter()
        .filter(|a| a["fileName"] == "http-transcript.json")
        .collect();
    assert!(
        !transcripts.is_empty(),
        "the failed HTTP case's transcript is attached"
    );
    for transcript in transcripts {
        assert_eq!(transcript["mediaType"], "application/json");
        assert_eq!(transcript["contentEncoding"], "IDENTITY");
        let exchanges: Value = serde_json::from_str(transcript["body"].as_str().unwrap()).unwrap();
        assert!(exchanges[0]["method"].is_string(), "{exchanges:#}");
    }
}
