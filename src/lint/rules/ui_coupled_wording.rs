//! `ui-coupled-wording`: an automated case that names pixels instead of behaviour.

use std::sync::LazyLock;

use regex::Regex;

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::location::Location;
use crate::model::{Mode, Step};

/// The words when `lint.ui-words` does not set them (matched as whole words, any case).
pub const DEFAULT_WORDS: &[&str] = &[
    "click",
    "clicks",
    "clicked",
    "clicking",
    "button",
    "buttons",
    "tap",
    "taps",
    "tapped",
    "checkbox",
    "dropdown",
    "textbox",
    "textfield",
    "hover",
    "hovers",
    "scroll",
    "scrolls",
    "css",
    "xpath",
    "selector",
    "pixel",
    "pixels",
    "red",
    "green",
    "blue",
    "yellow",
    "orange",
    "purple",
    "grey",
    "gray",
];

/// Reports steps of automated cases whose own words use one from `lint.ui-words` (click,
/// button, colours, …) or a CSS selector, or that quote an XPath. A test case names behaviour
/// ("submits the order"); the step definition maps it to the UI, so a redesign changes one
/// script, not the contract. Quoted values, table cells and doc strings are data (a product
/// named "Green", a file `.htaccess`, a channel `#general`), and are not read for words.
/// Manual cases are left alone: a visual check may have to speak of colours.
pub struct UiCoupledWording;

/// `#id` and `.class` selectors where they start a word, and `//xpath[` ones anywhere (an
/// XPath is a UI detail even as a quoted value).
static SELECTOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[\s(])(#[A-Za-z][\w-]*|\.[A-Za-z][\w-]*(?:[\s)\[>]|$))|(?:^|[\s"'(])(//?[A-Za-z*][\w-]*\[)"#,
    )
    .expect("valid regex")
});

impl Rule for UiCoupledWording {
    fn name(&self) -> &'static str {
        "ui-coupled-wording"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "an automated case names UI details (click, button, colours, selectors) instead of behaviour"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let words = Words::new(&cx.settings.ui_words);
        let mut report = |step: &Step| {
            if let Some((word, column)) = find(step, &words) {
                out.push(
                    Finding::new(
                        Location { column, ..step.location.clone() },
                        format!("step names the UI, not the behaviour: \"{word}\""),
                    )
                    .hint("say what the user achieves (\"submits the order\"); let the step definition find the control"),
                );
            }
        };
        for feature in &cx.suite.features {
            let automated = |rule: Option<usize>| {
                feature
                    .cases
                    .iter()
                    .any(|c| c.mode == Mode::Automated && (rule.is_none() || c.rule == rule))
            };
            // Background steps are shared by many cases: each is checked once, when an
            // automated case runs it.
            if automated(None) {
                feature
                    .background
                    .iter()
                    .flat_map(|bg| &bg.steps)
                    .for_each(&mut report);
            }
            for (index, rule) in feature.rules.iter().enumerate() {
                if automated(Some(index)) {
                    rule.background
                        .iter()
                        .flat_map(|bg| &bg.steps)
                        .for_each(&mut report);
                }
            }
            for case in feature
                .cases
                .iter()
                .filter(|case| case.mode == Mode::Automated)
            {
                case.steps.iter().for_each(&mut report);
            }
        }
    }
}

/// The UI words as one pattern: whole words, in any case.
struct Words(Option<Regex>);

impl Words {
    fn new(words: &[String]) -> Self {
        // An empty word would match between any two words.
        let mut words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|word| !word.is_empty())
            .collect();
        // The longest first, so that of two words starting at one place the longer is
        // found ("drop-down" rather than "drop").
        words.sort_by_key(|word| std::cmp::Reverse(word.len()));
        let alternatives: Vec<String> = words.iter().map(|word| regex::escape(word)).collect();
        let pattern = format!(r"(?i)\b(?:{})\b", alternatives.join("|"));
        Self((!words.is_empty()).then(|| Regex::new(&pattern).expect("escaped words")))
    }
}

/// The first UI word or selector in the step's text, with its column.
fn find(step: &Step, words: &Words) -> Option<(String, usize)> {
    let text = &step.text;
    // The step's own words: quoted values blanked out, their places kept.
    let own = unquoted(text);
    let word = first_word(&own, words).map(|(word, start)| (start, word.to_owned()));
    // Selectors need one of these characters; most steps have none, and of those most
    // (paths, URLs, JSON paths) hold no selector, which a match tells before a capture.
    let has_selector =
        text.bytes().any(|b| matches!(b, b'#' | b'.' | b'/')) && SELECTOR.is_match(text);
    let selector = has_selector
        .then(|| {
            SELECTOR.captures_iter(text).find_map(|c| {
                // A CSS selector counts in the step's own words, an XPath anywhere.
                let css = c
                    .get(1)
                    .filter(|m| own[m.start()..].starts_with(m.as_str()));
                css.or(c.get(2))
            })
        })
        .flatten()
        .map(|m| (m.start(), m.as_str().trim_end().to_owned()));
    let (start, found) = [word, selector]
        .into_iter()
        .flatten()
        .min_by_key(|(start, _)| *start)?;
    let text_column = step.location.column + step.keyword.chars().count() + 1;
    Some((found, text_column + text[..start].chars().count()))
}

/// `text` with every quoted value (`"…"` or `'…'` that opens after a space or at the start)
/// blanked out, byte for byte, so that offsets still point into `text`.
fn unquoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for c in text.chars() {
        match quote {
            Some(open) if c == open => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
            None if (c == '"' || c == '\'') && !previous.is_alphanumeric() => {
                quote = Some(c);
                out.push(c);
            }
            None => out.push(c),
        }
        previous = c;
    }
    out
}

/// The first whole word of `text` that is one of `words` (any case), with its byte offset.
fn first_word<'t>(text: &'t str, words: &Words) -> Option<(&'t str, usize)> {
    let found = words.0.as_ref()?.find(text)?;
    Some((found.as_str(), found.start()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::run;

    #[test]
    fn finds_ui_words_and_selectors_but_not_lookalikes() {
        for (step, expected) in [
            ("When she clicks the Buy button", Some("clicks")),
            ("When she submits the order", None),
            ("Then the payment is captured", None),
            ("Then the banner is red", Some("red")),
            ("When she fills \"#email\" with \"a@b.c\"", None),
            ("When she fills #email with \"a@b.c\"", Some("#email")),
            ("When she clicks \"Save\"", Some("clicks")),
            ("Given a product named \"Green\"", None),
            ("When she uploads \".htaccess\" to 'red'", None),
            ("Then \"#general\" is listed among the channels", None),
            ("Given the customer's red cart", Some("red")),
            ("When she follows \"//a[@href]\"", Some("//a[")),
            (
                "Then the response JSON at \"$.payment_status\" should be \"expired\"",
                None,
            ),
            (
                "When I send a GET request to \"https://shop.example/orders\"",
                None,
            ),
        ] {
            let feature = format!("Feature: F\n  Scenario: a\n    {step}\n");
            let found = run(&UiCoupledWording, &feature, None);
            let word = found
                .first()
                .map(|(_, m)| m.split('"').nth(1).unwrap_or_default().to_owned());
            assert_eq!(word.as_deref(), expected, "{step}");
        }
    }

    #[test]
    fn words_are_found_whole_in_any_case_the_longest_first() {
        let words = Words::new(
            &[
                "Click",
                "clicks",
                "button",
                "red",
                "redo",
                "tap",
                "drop-down",
                "é",
            ]
            .map(str::to_owned),
        );
        for (text, expected) in [
            ("When she clicks the Buy BUTTON", Some(("clicks", 9))),
            ("When she CLICK_ed it", None),
            ("predo red", Some(("red", 6))),
            ("redo", Some(("redo", 0))),
            ("a tap2 taps tap", Some(("tap", 12))),
            ("the drop-down opens", Some(("drop-down", 4))),
            ("I send a GET request to \"/items/605\"", None),
            ("", None),
            ("_red red_", None),
            ("9tap tap9 tap", Some(("tap", 10))),
            ("Ünder the red", Some(("red", 11))),
            ("café é", Some(("é", 6))),
        ] {
            assert_eq!(first_word(text, &words), expected, "{text}");
        }
        assert_eq!(first_word("click", &Words::new(&[])), None);
        assert_eq!(first_word("click", &Words::new(&[String::new()])), None);
    }

    #[test]
    fn points_at_the_word_and_skips_manual_cases() {
        let feature = "Feature: F\n  Scenario: a\n    When she clicks\n  @manual\n  Scenario: b\n    Then the logo is blue\n";
        let conventions = crate::config::TagConventions::default();
        let parsed = crate::parse::parse_str(
            feature,
            std::sync::Arc::from(std::path::Path::new("t.feature")),
        )
        .unwrap();
        let feature = crate::suite::classify(parsed, &conventions);
        let step = &feature.cases[0].steps[0];
        let (word, column) = find(step, &Words::new(&["Clicks".to_owned()])).unwrap();
        assert_eq!((word.as_str(), column), ("clicks", 14));
        let found = run(
            &UiCoupledWording,
            "Feature: F\n  @manual\n  Scenario: b\n    Then the logo is blue\n",
            None,
        );
        assert!(found.is_empty());
    }
}
