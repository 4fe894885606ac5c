//! Conformance with the official Gherkin parsers: every file of their test data (copied into
//! `tests/testdata`) must give exactly the expected messages.
//!
//! Good files: the `source`, `gherkinDocument` and `pickle` envelopes and the token dump.
//! Bad files: the `parseError` envelopes, messages included. Envelopes are compared as JSON
//! values (so key order does not matter), with ids from a counter starting at 0 per file and
//! uris as the upstream test data writes them (`../testdata/good/<file>`).

use std::fs;
use std::path::{Path, PathBuf};

use casebook_gherkin::{Envelope, IncrementingIds, Options, envelopes, tokens};
use serde_json::Value;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata")
}

/// The file names in a test data folder, sorted.
fn names(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(testdata().join(folder))
        .unwrap_or_else(|err| panic!("reading tests/testdata/{folder}: {err}"))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn is_input(name: &str) -> bool {
    name.ends_with(".feature") || name.ends_with(".feature.md")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}

/// The envelopes of an NDJSON file, as JSON values.
fn ndjson(path: &Path) -> Vec<Value> {
    read(path)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("{}: bad JSON: {err}", path.display()))
        })
        .collect()
}

fn to_values<'e>(envelopes: impl Iterator<Item = &'e Envelope>) -> Vec<Value> {
    envelopes
        .map(|envelope| serde_json::to_value(envelope).expect("envelopes serialise"))
        .collect()
}

/// `None` when equal; otherwise where the pretty-printed JSON first differs.
fn difference(expected: &[Value], actual: &[Value]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let pretty = |values: &[Value]| -> Vec<String> {
        values
            .iter()
            .flat_map(|value| {
                serde_json::to_string_pretty(value)
                    .unwrap()
                    .lines()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    Some(first_difference(&pretty(expected), &pretty(actual)))
}

fn first_difference(expected: &[String], actual: &[String]) -> String {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(e, a)| e != a)
        .unwrap_or(expected.len().min(actual.len()));
    let context = at.saturating_sub(3);
    let show = |lines: &[String]| -> String {
        lines
            .iter()
            .enumerate()
            .skip(context)
            .take(at - context + 1)
            .map(|(n, line)| format!("      {:>4} {line}", n + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "first difference at line {} of the pretty JSON\n    expected:\n{}\n    actual:\n{}",
        at + 1,
        show(expected),
        show(actual)
    )
}

fn messages_of(uri: &str, source: &str) -> Vec<Envelope> {
    envelopes(uri, source, Options::default(), &mut IncrementingIds::new())
}

/// Whether an envelope is of one kind.
type IsKind = fn(&Envelope) -> bool;

/// Checks one good file; the failures found.
fn check_good(name: &str) -> Vec<String> {
    let folder = testdata().join("good");
    let source = read(&folder.join(name));
    let uri = format!("../testdata/good/{name}");
    let actual = messages_of(&uri, &source);
    let mut failures = Vec::new();
    let kinds: [(&str, IsKind); 3] = [
        ("source", |e| matches!(e, Envelope::Source(_))),
        ("ast", |e| matches!(e, Envelope::GherkinDocument(_))),
        ("pickles", |e| matches!(e, Envelope::Pickle(_))),
    ];
    for (kind, is_kind) in kinds {
        let expected = ndjson(&folder.join(format!("{name}.{kind}.ndjson")));
        let actual = to_values(actual.iter().filter(|e| is_kind(e)));
        if let Some(diff) = difference(&expected, &actual) {
            failures.push(format!("good/{name}.{kind}.ndjson: {diff}"));
        }
    }
    if let Some(error) = actual.iter().find(|e| matches!(e, Envelope::ParseError(_))) {
        failures.push(format!("good/{name}: unexpected {}", error.to_json()));
    }
    let expected_tokens: Vec<String> = read(&folder.join(format!("{name}.tokens")))
        .lines()
        .map(str::to_owned)
        .collect();
    let actual_tokens: Vec<String> = tokens(&source, &uri).lines().map(str::to_owned).collect();
    if expected_tokens != actual_tokens {
        failures.push(format!(
            "good/{name}.tokens: {}",
            first_difference(&expected_tokens, &actual_tokens)
        ));
    }
    failures
}

/// Checks one bad file; the failures found.
fn check_bad(name: &str) -> Vec<String> {
    let folder = testdata().join("bad");
    let source = read(&folder.join(name));
    let uri = format!("../testdata/bad/{name}");
    let actual = messages_of(&uri, &source);
    let expected = ndjson(&folder.join(format!("{name}.errors.ndjson")));
    let errors = to_values(
        actual
            .iter()
            .filter(|e| matches!(e, Envelope::ParseError(_))),
    );
    let mut failures = Vec::new();
    if let Some(diff) = difference(&expected, &errors) {
        failures.push(format!("bad/{name}.errors.ndjson: {diff}"));
    }
    if actual
        .iter()
        .any(|e| matches!(e, Envelope::GherkinDocument(_) | Envelope::Pickle(_)))
    {
        failures.push(format!("bad/{name}: a document or pickles despite errors"));
    }
    failures
}

/// Runs `check` on every input of a folder; panics with every failure and the count.
fn check_folder(folder: &str, check: fn(&str) -> Vec<String>) {
    let inputs: Vec<String> = names(folder).into_iter().filter(|n| is_input(n)).collect();
    assert!(!inputs.is_empty(), "no input in tests/testdata/{folder}");
    let mut failures = Vec::new();
    let mut passed = 0;
    for name in &inputs {
        let found = check(name);
        if found.is_empty() {
            passed += 1;
        }
        failures.extend(found);
    }
    println!("{folder}: {passed}/{} files conform", inputs.len());
    assert!(
        failures.is_empty(),
        "{folder}: {passed}/{} files conform; failures:\n\n{}",
        inputs.len(),
        failures.join("\n\n")
    );
}

#[test]
fn good_files_give_the_official_source_ast_pickles_and_tokens() {
    check_folder("good", check_good);
}

#[test]
fn bad_files_give_the_official_parse_errors() {
    check_folder("bad", check_bad);
}

/// No input without its expected outputs and no expected output without its input, so that
/// no file is silently left out.
#[test]
fn every_input_has_its_expected_outputs_and_every_output_its_input() {
    let mut problems = Vec::new();
    for (folder, suffixes) in [
        (
            "good",
            &[
                ".ast.ndjson",
                ".pickles.ndjson",
                ".source.ndjson",
                ".tokens",
            ][..],
        ),
        ("bad", &[".errors.ndjson"][..]),
    ] {
        let names = names(folder);
        for name in names.iter().filter(|n| is_input(n)) {
            for suffix in suffixes {
                if !names.contains(&format!("{name}{suffix}")) {
                    problems.push(format!("{folder}/{name} has no {suffix}"));
                }
            }
        }
        for name in names.iter().filter(|n| !is_input(n)) {
            let input = suffixes.iter().find_map(|suffix| name.strip_suffix(suffix));
            match input {
                Some(input) if names.iter().any(|n| n == input) => {}
                _ if name == "README.md" => {}
                _ => problems.push(format!("{folder}/{name} is no expected output of an input")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(names("good").iter().filter(|n| is_input(n)).count(), 55);
    assert_eq!(names("bad").iter().filter(|n| is_input(n)).count(), 12);
}
