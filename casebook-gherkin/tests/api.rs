//! The public API on cases the official test data does not cover: error limits, ids across
//! files, options, byte order marks and line endings, languages, Markdown and UUIDs.

use casebook_gherkin::ast::{FeatureChild, KeywordType};
use casebook_gherkin::pickles::PickleStepType;
use casebook_gherkin::{
    Envelope, IdGenerator, IncrementingIds, MediaType, Options, UuidIds, compile, envelopes, parse,
};

fn errors(source: &str) -> Vec<String> {
    parse(source, "x.feature", &mut IncrementingIds::new())
        .expect_err("the source has errors")
        .into_iter()
        .map(|error| error.message)
        .collect()
}

#[test]
fn every_error_is_reported_once_and_the_parser_gives_up_after_eleven() {
    let mut source = String::from("Feature: many errors\n  Scenario: s\n    Given a step\n");
    for n in 0..15 {
        source.push_str(&format!("  oops {n}\n"));
    }
    let messages = errors(&source);
    assert_eq!(messages.len(), 11, "{messages:#?}");
    assert!(
        messages[0].starts_with("(4:3): expected: #EOF, #TableRow"),
        "{}",
        messages[0]
    );
    assert!(messages[0].ends_with("got 'oops 0'"), "{}", messages[0]);
    assert!(messages[10].ends_with("got 'oops 10'"), "{}", messages[10]);

    // The tag line is tried three times in that state (as an examples', a scenario's and a
    // rule's tags): the same error each time, reported once; then no transition takes it.
    let twice = "Feature: f\n  Scenario: s\n    Given a\n  @bad tag\n  Scenario: t\n";
    let messages = errors(twice);
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(messages[0], "(4:3): A tag may not contain whitespace");
    assert!(messages[1].ends_with("got '@bad tag'"), "{}", messages[1]);
}

#[test]
fn an_unknown_language_is_an_error_and_the_line_a_comment() {
    assert_eq!(
        errors("# language: xx-nope\nFeature: f\n"),
        ["(1:1): Language not supported: xx-nope"]
    );
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_change_nothing() {
    let plain = "Feature: f\n  Scenario: s\n    Given a\n";
    let bom_crlf = "\u{FEFF}Feature: f\r\n  Scenario: s\r\n    Given a\r\n";
    let a = parse(plain, "x.feature", &mut IncrementingIds::new()).unwrap();
    let b = parse(bom_crlf, "x.feature", &mut IncrementingIds::new()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn keywords_follow_the_language_header() {
    let source = "# language: fr\nFonctionnalité: f\n  Scénario: s\n    Soit un pas\n    Et un autre\n    Alors fini\n";
    let mut ids = IncrementingIds::new();
    let document = parse(source, "x.feature", &mut ids).unwrap();
    let feature = document.feature.as_ref().unwrap();
    assert_eq!(feature.language, "fr");
    let FeatureChild::Scenario(scenario) = &feature.children[0] else {
        panic!("a scenario")
    };
    let kinds: Vec<_> = scenario.steps.iter().map(|s| s.keyword_type).collect();
    assert_eq!(
        kinds,
        [
            Some(KeywordType::Context),
            Some(KeywordType::Conjunction),
            Some(KeywordType::Outcome)
        ]
    );
    let pickles = compile(&document, "x.feature", &mut ids);
    let types: Vec<_> = pickles[0].steps.iter().map(|s| s.step_type).collect();
    assert_eq!(
        types,
        [
            Some(PickleStepType::Context),
            Some(PickleStepType::Context),
            Some(PickleStepType::Outcome)
        ]
    );
}

#[test]
fn ids_continue_across_files_as_with_one_counter_per_invocation() {
    let source = "Feature: f\n  Scenario: s\n    Given a\n";
    let mut ids = IncrementingIds::new();
    let first = envelopes("a.feature", source, Options::default(), &mut ids);
    let second = envelopes("b.feature", source, Options::default(), &mut ids);
    let pickle_id = |envelopes: &[Envelope]| match envelopes.last() {
        Some(Envelope::Pickle(pickle)) => pickle.id.clone(),
        other => panic!("a pickle last, not {other:?}"),
    };
    // Step "0", scenario "1", pickle step "2", pickle "3"; then the same four again.
    assert_eq!(pickle_id(&first), "3");
    assert_eq!(pickle_id(&second), "7");
}

#[test]
fn options_choose_the_messages() {
    let source = "Feature: f\n  Scenario: s\n    Given a\n";
    let kinds = |options: Options| -> Vec<&'static str> {
        envelopes("a.feature", source, options, &mut IncrementingIds::new())
            .iter()
            .map(|envelope| match envelope {
                Envelope::Source(_) => "source",
                Envelope::GherkinDocument(_) => "gherkinDocument",
                Envelope::Pickle(_) => "pickle",
                Envelope::ParseError(_) => "parseError",
            })
            .collect()
    };
    assert_eq!(
        kinds(Options::default()),
        ["source", "gherkinDocument", "pickle"]
    );
    let only = |source, ast, pickles| Options {
        source,
        ast,
        pickles,
    };
    assert_eq!(kinds(only(false, true, false)), ["gherkinDocument"]);
    assert_eq!(kinds(only(false, false, true)), ["pickle"]);
    assert_eq!(kinds(only(true, false, false)), ["source"]);
    let bad = envelopes(
        "a.feature",
        "nonsense\n",
        Options::default(),
        &mut IncrementingIds::new(),
    );
    assert!(matches!(bad[0], Envelope::Source(_)));
    assert!(matches!(bad[1], Envelope::ParseError(_)));
    assert_eq!(
        bad[1].to_json(),
        r#"{"parseError":{"source":{"uri":"a.feature","location":{"line":1,"column":1}},"message":"(1:1): expected: #EOF, #Language, #TagLine, #FeatureLine, #Comment, #Empty, got 'nonsense'"}}"#
    );
}

#[test]
fn the_uri_chooses_markdown() {
    assert_eq!(MediaType::of_uri("a/b.feature.md"), MediaType::Markdown);
    assert_eq!(MediaType::of_uri("a/b.feature"), MediaType::Plain);
    let source = "# Feature: f\n\n## Scenario: s\n* Given a\n";
    let document = parse(source, "x.feature.md", &mut IncrementingIds::new()).unwrap();
    assert_eq!(document.feature.unwrap().name, "f");
    // The same text is no classic Gherkin: `# Feature: f` is a comment there.
    assert!(parse(source, "x.feature", &mut IncrementingIds::new()).is_err());
}

#[test]
fn outline_values_replace_names_one_after_the_other() {
    let source = "Feature: f\n  Scenario Outline: <a>\n    Given <a> and <b>\n\n    Examples:\n      | a   | b |\n      | <b> | 2 |\n";
    let mut ids = IncrementingIds::new();
    let document = parse(source, "x.feature", &mut ids).unwrap();
    let pickles = compile(&document, "x.feature", &mut ids);
    // `<a>` becomes `<b>`, which the next name then replaces, as the official compiler does.
    assert_eq!(pickles[0].name, "2");
    assert_eq!(pickles[0].steps[0].text, "2 and 2");
}

#[test]
fn uuids_are_used_when_asked() {
    let mut ids = UuidIds::new();
    let document = parse("Feature: f\n  Scenario: s\n", "x.feature", &mut ids).unwrap();
    let FeatureChild::Scenario(scenario) = &document.feature.unwrap().children[0] else {
        panic!("a scenario")
    };
    assert_eq!(scenario.id.len(), 36);
    assert_ne!(scenario.id, ids.new_id());
}

#[test]
fn a_parse_error_displays_with_its_file() {
    let error = parse("nonsense\n", "dir/x.feature", &mut IncrementingIds::new()).unwrap_err();
    assert_eq!(
        error[0].to_string(),
        "dir/x.feature: (1:1): expected: #EOF, #Language, #TagLine, #FeatureLine, #Comment, #Empty, got 'nonsense'"
    );
}
