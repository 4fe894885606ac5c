//! `ui-coupled-wording`: an automated case that names pixels instead of behaviour.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
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

/// Reports steps of automated cases whose text or table cells use a word from
/// `lint.ui-words` (click, button, colours, …) or a CSS or XPath selector. A test case names
/// behaviour ("submits the order"); the step definition maps it to the UI, so a redesign
/// changes one script, not the contract. Manual cases are left alone: a visual check may
/// have to speak of colours.
pub struct UiCoupledWording;

/// `#id`, `.class` and `//xpath[` selectors, where they start a word or a quoted value.
static SELECTOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[\s"'(])(#[A-Za-z][\w-]*|\.[A-Za-z][\w-]*(?:[\s"')\[>]|$)|//?[A-Za-z*][\w-]*\[)"#,
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

/// The UI words, lowercased once: the rule looks at every word of every step.
struct Words {
    set: foldhash::HashSet<String>,
    longest: usize,
    /// The words an ASCII text can hold (ASCII letters, digits and `_`), found in one pass
    /// over it in any case, rather than by a lookup of each of its words (a tenth of the
    /// lint's time on 50,000 steps).
    in_ascii: AhoCorasick,
}

impl Words {
    fn new(words: &[String]) -> Self {
        let set: foldhash::HashSet<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let longest = set.iter().map(String::len).max().unwrap_or(0);
        let in_ascii = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(set.iter().filter(|word| word.bytes().all(is_word_byte)))
            .expect("a few words make an automaton");
        Self {
            set,
            longest,
            in_ascii,
        }
    }

    fn contains(&self, token: &str) -> bool {
        if token.len() > self.longest {
            return false;
        }
        // Most words of a step are lowercase already: looked up without a copy.
        if token.is_ascii() && !token.bytes().any(|b| b.is_ascii_uppercase()) {
            self.set.contains(token)
        } else {
            self.set.contains(&token.to_lowercase())
        }
    }
}

/// The first UI word or selector in the step, with its column when it is in the step text.
fn find(step: &Step, words: &Words) -> Option<(String, usize)> {
    let hit = |text: &str| -> Option<(String, usize)> {
        let word = first_word(text, words).map(|(word, start)| (word.to_owned(), start));
        // Selectors need one of these characters; most steps have none, and of those most
        // (paths, URLs, JSON paths) hold no selector, which a match tells before a capture.
        let has_selector =
            text.bytes().any(|b| matches!(b, b'#' | b'.' | b'/')) && SELECTOR.is_match(text);
        let selector = has_selector
            .then(|| SELECTOR.captures(text).and_then(|c| c.get(1)))
            .flatten()
            .map(|m| (m.as_str().trim_end().to_owned(), m.start()));
        [word, selector]
            .into_iter()
            .flatten()
            .min_by_key(|(_, start)| *start)
    };
    if let Some((word, start)) = hit(&step.text) {
        let text_column = step.location.column + step.keyword.chars().count() + 1;
        return Some((word, text_column + step.text[..start].chars().count()));
    }
    let cells = step
        .table
        .iter()
        .flat_map(|table| table.rows.iter().flatten());
    cells
        .filter_map(|cell| hit(cell))
        .next()
        .map(|(word, _)| (word, step.location.column))
}

/// The first whole word of `text` that is one of `words` (any case), with its byte offset.
/// A word is a run of letters and digits, as `\b` would delimit it.
fn first_word<'t>(text: &'t str, words: &Words) -> Option<(&'t str, usize)> {
    if !text.is_ascii() {
        return first_word_by_word(text, words);
    }
    // A match inside a longer word is no word; the longest at each start is taken, and a
    // word further on cannot start inside a match, which holds no separator.
    let bytes = text.as_bytes();
    words
        .in_ascii
        .find_iter(text)
        .find(|m| {
            (m.start() == 0 || !is_word_byte(bytes[m.start() - 1]))
                && bytes.get(m.end()).is_none_or(|&b| !is_word_byte(b))
        })
        .map(|m| (&text[m.range()], m.start()))
}

/// Whether `byte` is an ASCII letter, digit or `_`: part of a word.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// [`first_word`], word by word: for any text (a non-ASCII one's lowercase is Unicode's).
fn first_word_by_word<'t>(text: &'t str, words: &Words) -> Option<(&'t str, usize)> {
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphanumeric() || c == '_' {
            start.get_or_insert(i);
        } else if let Some(s) = start.take()
            && words.contains(&text[s..i])
        {
            return Some((&text[s..i], s));
        }
    }
    None
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
            ("When she fills \"#email\" with \"a@b.c\"", Some("#email")),
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
    fn ascii_texts_find_the_words_that_word_by_word_finds() {
        let words = Words::new(
            &[
                "Click",
                "clicks",
                "button",
                "red",
                "redo",
                "tap",
                "drop-down",
                "K",
                "é",
            ]
            .map(str::to_owned),
        );
        for text in [
            "When she clicks the Buy BUTTON",
            "When she CLICK_ed it",
            "predo red",
            "redo",
            "a tap2 taps tap",
            "the drop-down opens",
            "k",
            "I send a GET request to \"/items/605\"",
            "the response JSON at \"$.red\" should be \"tap\"",
            "",
            "_red",
            "red_",
            "9tap tap9 tap",
        ] {
            assert_eq!(
                first_word(text, &words),
                first_word_by_word(text, &words),
                "{text}"
            );
        }
        assert_eq!(first_word("a Button", &words), Some(("Button", 2)));
        assert_eq!(first_word("clicks", &words), Some(("clicks", 0)));
        assert_eq!(first_word("Ünder the red", &words), Some(("red", 11)));
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
