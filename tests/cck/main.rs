//! The Cucumber Compatibility Kit: each sample of `samples/` (copied from
//! cucumber/compatibility-kit, MIT, see `LICENSE` and `COMMIT`) runs through casebook with
//! its step definitions ported to Rust (`steps.rs`), writes its message stream to
//! `target/casebook/cck/<sample>.ndjson`, and must give the sample's expected stream.
//!
//! The comparison normalises both streams as the kit's README says: ids renamed in order of
//! first appearance (after every reference was checked to resolve), timestamps and durations
//! zeroed, uris, `meta`, exception messages, stack traces and snippet code blanked. Beyond
//! that, three things differ by nature between a Rust runner and the kit's TypeScript
//! reference and are blanked too: a snippet's language (`rust`, not `typescript`), an
//! exception's type (`panic`, not `Error`), and the line of a step definition in its source
//! file (its `.rs` file, not the `.ts`). Order is compared as the kit allows: envelopes are
//! put in one canonical order first (files by name and their pickles in order, support
//! code, the BeforeAll hooks as they ran, test cases in pickle order, each attempt's
//! messages together with its steps in test-step order, the AfterAll hooks as they ran),
//! which both streams reach if they differ only where the protocol lets them. The order the
//! test cases ran in, which that erases, is compared apart (`--order reverse`).
//!
//! Samples that need what casebook does not have are skipped, each with its reason (see
//! `SKIPPED` and the README).

mod steps;

#[path = "../messages/stream.rs"]
mod stream;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use casebook::config::TagConventions;
use casebook::event::MessageWorld;
use casebook::messages::Sink;
use casebook::registry::Registry;
use casebook::run::Order;
use serde_json::Value;

/// The samples casebook does not run, and why.
pub const SKIPPED: &[(&str, &str)] = &[
    (
        "test-run-exception",
        "`--error`, a contrived failure of the fake runner itself",
    ),
    (
        "parameter-types",
        "custom parameter types are not reported (`parameterType` messages)",
    ),
    (
        "retry-pending",
        "cucumber-rs retries every scenario a step panicked in, and a pending step is a panic with casebook's `pending` payload; Cucumber never retries a pending one",
    ),
    (
        "unknown-parameter-type",
        "a definition with an unknown parameter type does not compile in Rust, so there is nothing to report as `undefinedParameterType`",
    ),
];

/// Runs `sample` with world `W`'s step definitions and hooks, with the options of its
/// `arguments.txt` (`--retry`, `--order`), and compares its stream.
fn check<W: MessageWorld>(sample: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cck/samples")
        .join(sample);
    let arguments =
        std::fs::read_to_string(dir.join(format!("{sample}.arguments.txt"))).unwrap_or_default();
    let suite = casebook::suite::load(std::slice::from_ref(&dir), &TagConventions::default());
    assert!(suite.failures.is_empty(), "{:?}", suite.failures);
    let registry = Registry::collect::<W>();
    let options = casebook::run::Options {
        strict: true,
        run_unresolved: true,
        concurrency: Some(1),
        retry: arguments
            .split_whitespace()
            .skip_while(|a| *a != "--retry")
            .nth(1)
            .and_then(|n| n.parse().ok()),
        order: arguments
            .split_whitespace()
            .skip_while(|a| *a != "--order")
            .nth(1)
            .map_or(Ok(Order::Defined), str::parse)
            .unwrap(),
        ..Default::default()
    };
    let out = output(sample);
    let sink = Sink::new(
        std::fs::File::create(&out).unwrap(),
        casebook_gherkin::IncrementingIds::new(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let success = runtime.block_on(casebook::run::run_messages::<W>(
        &suite, &registry, &options, sink,
    ));
    let actual = std::fs::read_to_string(&out).unwrap();
    let expected = std::fs::read_to_string(dir.join(format!("{sample}.ndjson"))).unwrap();
    let actual_envelopes = stream::check(&actual);
    let expected_envelopes: Vec<Value> = expected
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // The canonical order puts test cases in pickle order; the order they ran in is
    // compared apart (what `--order reverse` changes).
    assert_eq!(
        run_order(&actual_envelopes),
        run_order(&expected_envelopes),
        "{sample}: the order test cases ran in (pickles by their place in their file)"
    );
    let (actual, expected) = (normalize(&actual_envelopes), normalize(&expected_envelopes));
    for (index, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(
            a,
            e,
            "{sample}: envelope {index} differs (left: casebook's, right: the kit's); streams in {}",
            out.display()
        );
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "{sample}: casebook wrote {} envelopes, the kit expects {}",
        actual.len(),
        expected.len()
    );
    let expected_success = expected_envelopes
        .iter()
        .find_map(|e| e.get("testRunFinished"))
        .map(|f| f["success"] == true);
    assert_eq!(
        Some(success),
        expected_success,
        "{sample}: the run's success"
    );
}

/// The pickles of the first attempts in the order they started, each as its file's name
/// and its place in its file.
fn run_order(envelopes: &[Value]) -> Vec<(String, usize)> {
    let text = |value: &Value, key: &str| value[key].as_str().unwrap_or_default().to_owned();
    let find = |kind: &str, id: &str| {
        envelopes
            .iter()
            .find(|e| stream::kind(e) == kind && text(&e[kind], "id") == id)
            .map(|e| &e[kind])
    };
    envelopes
        .iter()
        .filter(|e| stream::kind(e) == "testCaseStarted" && e["testCaseStarted"]["attempt"] == 0)
        .filter_map(|started| {
            let case = find("testCase", &text(&started["testCaseStarted"], "testCaseId"))?;
            let pickle = find("pickle", &text(case, "pickleId"))?;
            let uri = text(pickle, "uri");
            let place = envelopes
                .iter()
                .filter(|e| stream::kind(e) == "pickle" && e["pickle"]["uri"] == uri.as_str())
                .position(|e| e["pickle"]["id"] == pickle["id"])?;
            let name = uri.rsplit('/').next().unwrap_or_default().to_owned();
            Some((name, place))
        })
        .collect()
}

/// Where a sample's stream is written.
fn output(sample: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/casebook/cck");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{sample}.ndjson"))
}

/// The envelopes in canonical order, with ids renamed and what may differ blanked.
fn normalize(envelopes: &[Value]) -> Vec<Value> {
    let mut ordered = canonical_order(envelopes);
    let mut ids: HashMap<String, String> = HashMap::new();
    for envelope in &mut ordered {
        blank(envelope, None);
        rename_ids(envelope, None, &mut ids);
    }
    ordered
}

/// Sorts envelopes into one order every valid stream of the same run reaches.
fn canonical_order(envelopes: &[Value]) -> Vec<Value> {
    let of = |kind: &str| -> Vec<&Value> {
        envelopes
            .iter()
            .filter(|e| stream::kind(e) == kind)
            .collect()
    };
    let text = |value: &Value, key: &str| value[key].as_str().unwrap_or_default().to_owned();
    let mut out: Vec<Value> = Vec::new();
    out.extend(of("meta").into_iter().cloned());
    // Files in the order of their names (a runner writes them as it reaches them, which
    // `--order reverse` changes): each source, then its document, then its pickles.
    let mut sources = of("source");
    sources.sort_by_key(|source| text(&source["source"], "uri"));
    for source in sources {
        let uri = text(&source["source"], "uri");
        out.push(source.clone());
        for kind in ["gherkinDocument", "pickle", "parseError"] {
            out.extend(
                of(kind)
                    .into_iter()
                    .filter(|e| {
                        let body = &e[kind];
                        body["uri"].as_str().or(body["source"]["uri"].as_str()) == Some(&uri)
                    })
                    .cloned(),
            );
        }
    }
    for kind in [
        "parameterType",
        "undefinedParameterType",
        "stepDefinition",
        "hook",
        "testRunStarted",
    ] {
        out.extend(of(kind).into_iter().cloned());
    }
    // The BeforeAll hooks, as they ran, each with what it attached.
    let run_hooks = |out: &mut Vec<Value>, kind: &str| {
        let hook_kind = |hook_id: &str| {
            of("hook")
                .into_iter()
                .find(|h| text(&h["hook"], "id") == hook_id)
                .map(|h| text(&h["hook"], "type"))
        };
        for started in of("testRunHookStarted") {
            let body = &started["testRunHookStarted"];
            if hook_kind(&text(body, "hookId")).as_deref() != Some(kind) {
                continue;
            }
            let id = text(body, "id");
            out.push(started.clone());
            for (kind, key) in [
                ("attachment", "testRunHookStartedId"),
                ("testRunHookFinished", "testRunHookStartedId"),
            ] {
                out.extend(
                    of(kind)
                        .into_iter()
                        .filter(|e| text(&e[kind], key) == id)
                        .cloned(),
                );
            }
        }
    };
    run_hooks(&mut out, "BEFORE_TEST_RUN");
    // Test cases in the order of their pickles.
    let pickle_order: HashMap<String, usize> = out
        .iter()
        .filter(|e| stream::kind(e) == "pickle")
        .enumerate()
        .map(|(i, p)| (text(&p["pickle"], "id"), i))
        .collect();
    let mut cases = of("testCase");
    cases.sort_by_key(|c| pickle_order.get(&text(&c["testCase"], "pickleId")).copied());
    out.extend(cases.iter().map(|c| (*c).clone()));
    // Each attempt, in test case order then attempt order, with its steps.
    let mut attempts = of("testCaseStarted");
    let case_order: HashMap<String, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| (text(&c["testCase"], "id"), i))
        .collect();
    attempts.sort_by_key(|s| {
        (
            case_order
                .get(&text(&s["testCaseStarted"], "testCaseId"))
                .copied(),
            s["testCaseStarted"]["attempt"].as_u64(),
        )
    });
    let step_events = |kind: &str, started: &str, step: &str| -> Vec<Value> {
        of(kind)
            .into_iter()
            .filter(|e| {
                text(&e[kind], "testCaseStartedId") == started
                    && text(&e[kind], "testStepId") == step
            })
            .cloned()
            .collect()
    };
    let mut suggested = std::collections::HashSet::new();
    for started in attempts {
        let started_id = text(&started["testCaseStarted"], "id");
        let case = cases
            .iter()
            .find(|c| text(&c["testCase"], "id") == text(&started["testCaseStarted"], "testCaseId"))
            .unwrap();
        out.push(started.clone());
        for step in case["testCase"]["testSteps"].as_array().unwrap() {
            let step_id = text(step, "id");
            out.extend(step_events("testStepStarted", &started_id, &step_id));
            out.extend(step_events("attachment", &started_id, &step_id));
            // A suggestion names a pickle step: put it with the first attempt's step.
            let pickle_step = text(step, "pickleStepId");
            for suggestion in of("suggestion") {
                let id = text(&suggestion["suggestion"], "id");
                if text(&suggestion["suggestion"], "pickleStepId") == pickle_step
                    && !pickle_step.is_empty()
                    && suggested.insert(id)
                {
                    out.push(suggestion.clone());
                }
            }
            out.extend(step_events("testStepFinished", &started_id, &step_id));
        }
        out.extend(
            of("attachment")
                .into_iter()
                .filter(|a| {
                    text(&a["attachment"], "testCaseStartedId") == started_id
                        && a["attachment"].get("testStepId").is_none()
                })
                .cloned(),
        );
        out.extend(
            of("testCaseFinished")
                .into_iter()
                .filter(|f| text(&f["testCaseFinished"], "testCaseStartedId") == started_id)
                .cloned(),
        );
    }
    run_hooks(&mut out, "AFTER_TEST_RUN");
    out.extend(of("testRunFinished").into_iter().cloned());
    // Anything else, so that nothing goes uncompared.
    for envelope in envelopes {
        if !out.contains(envelope) {
            out.push(envelope.clone());
        }
    }
    out
}

/// Blanks what the comparison ignores (see the module docs).
fn blank(value: &mut Value, key: Option<&str>) {
    match (key, &mut *value) {
        (Some("meta"), _) => *value = Value::Null,
        (Some("timestamp" | "duration"), _) => {
            *value = serde_json::json!({"seconds": 0, "nanos": 0})
        }
        (Some("uri" | "code" | "language" | "stackTrace"), Value::String(text)) => text.clear(),
        (Some("exception"), Value::Object(map)) => {
            for key in ["type", "message", "stackTrace"] {
                if let Some(Value::String(text)) = map.get_mut(key) {
                    text.clear();
                }
            }
        }
        (Some("sourceReference"), Value::Object(map)) => {
            map.remove("location");
            if let Some(Value::String(uri)) = map.get_mut("uri") {
                uri.clear();
            }
        }
        (_, Value::Object(map)) => {
            let in_result = map.contains_key("status") || map.contains_key("success");
            for (key, item) in map.iter_mut() {
                if in_result && key == "message" {
                    if let Value::String(text) = item {
                        text.clear();
                    }
                } else {
                    blank(item, Some(key));
                }
            }
        }
        (_, Value::Array(items)) => items.iter_mut().for_each(|item| blank(item, key)),
        _ => {}
    }
}

/// Renames every id (`id`, `…Id`, `…Ids`) in order of first appearance.
fn rename_ids(value: &mut Value, key: Option<&str>, ids: &mut HashMap<String, String>) {
    let is_id = key.is_some_and(|k| k == "id" || k.ends_with("Id") || k.ends_with("Ids"));
    match value {
        Value::String(id) if is_id => {
            let next = ids.len().to_string();
            *id = ids.entry(id.clone()).or_insert(next).clone();
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_ids(item, key, ids)),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                rename_ids(item, Some(key), ids);
            }
        }
        _ => {}
    }
}

/// One test per sample casebook runs.
macro_rules! samples {
    ($($name:ident => $sample:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check::<steps::$name::World>($sample);
            }
        )*

        /// Every sample of the kit is run or skipped with a reason.
        #[test]
        fn every_sample_is_run_or_skipped() {
            let run = [$($sample),*];
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cck/samples");
            let mut samples: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            samples.sort();
            for sample in &samples {
                let skipped = SKIPPED.iter().any(|(name, _)| name == sample);
                assert!(
                    run.contains(&sample.as_str()) != skipped,
                    "{sample} must be either run or skipped, not both or neither"
                );
            }
            assert_eq!(samples.len(), 46);
        }
    };
}

samples! {
    minimal => "minimal",
    backgrounds => "backgrounds",
    cdata => "cdata",
    data_tables => "data-tables",
    doc_strings => "doc-strings",
    empty => "empty",
    examples_tables => "examples-tables",
    rules => "rules",
    rules_backgrounds => "rules-backgrounds",
    unused_steps => "unused-steps",
    multiple_features => "multiple-features",
    markdown => "markdown",
    undefined => "undefined",
    undefined_multiple => "undefined-multiple",
    ambiguous => "ambiguous",
    skipped => "skipped",
    skipped_exception => "skipped-exception",
    pending => "pending",
    pending_exception => "pending-exception",
    regular_expression => "regular-expression",
    all_statuses => "all-statuses",
    failedish_combinations => "failedish-combinations",
    examples_tables_undefined => "examples-tables-undefined",
    examples_tables_undefined_multiple => "examples-tables-undefined-multiple",
    attachments => "attachments",
    examples_tables_attachment => "examples-tables-attachment",
    stack_traces => "stack-traces",
    retry => "retry",
    retry_ambiguous => "retry-ambiguous",
    retry_undefined => "retry-undefined",
    hooks => "hooks",
    hooks_attachment => "hooks-attachment",
    hooks_conditional => "hooks-conditional",
    hooks_named => "hooks-named",
    hooks_skipped => "hooks-skipped",
    hooks_undefined => "hooks-undefined",
    skipped_failing_hook => "skipped-failing-hook",
    global_hooks => "global-hooks",
    global_hooks_afterall_error => "global-hooks-afterall-error",
    global_hooks_attachments => "global-hooks-attachments",
    global_hooks_beforeall_error => "global-hooks-beforeall-error",
    multiple_features_reversed => "multiple-features-reversed",
}
