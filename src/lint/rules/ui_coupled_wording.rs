//! `ui-coupled-wording`: an automated case that names pixels instead of behaviour.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::location::Location;
use crate::model::{Mode, Step};

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
        let words: Vec<String> = cx
            .settings
            .ui_words
            .iter()
            .map(|w| regex::escape(w))
            .collect();
        let words = (!words.is_empty()).then(|| {
            Regex::new(&format!(r"(?i)\b(?:{})\b", words.join("|")))
                .expect("escaped words form a valid regex")
        });
        // Background steps are shared by many cases: report each step once.
        let mut seen: HashSet<&Location> = HashSet::new();
        for (_, case) in cx
            .suite
            .cases()
            .filter(|(_, case)| case.mode == Mode::Automated)
        {
            for step in case.all_steps().filter(|step| seen.insert(&step.location)) {
                if let Some((word, column)) = find(step, words.as_ref()) {
                    out.push(
                        Finding::new(
                            Location { column, ..step.location.clone() },
                            format!("step names the UI, not the behaviour: \"{word}\""),
                        )
                        .hint("say what the user achieves (\"submits the order\"); let the step definition find the control"),
                    );
                }
            }
        }
    }
}

/// The first UI word or selector in the step, with its column when it is in the step text.
fn find(step: &Step, words: Option<&Regex>) -> Option<(String, usize)> {
    let hit = |text: &str| -> Option<(String, usize)> {
        let word = words
            .and_then(|w| w.find(text))
            .map(|m| (m.as_str().to_owned(), m.start()));
        let selector = SELECTOR
            .captures(text)
            .and_then(|c| c.get(1))
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
        let (word, column) = find(step, Some(&Regex::new(r"(?i)\bclicks\b").unwrap())).unwrap();
        assert_eq!((word.as_str(), column), ("clicks", 14));
        let found = run(
            &UiCoupledWording,
            "Feature: F\n  @manual\n  Scenario: b\n    Then the logo is blue\n",
            None,
        );
        assert!(found.is_empty());
    }
}
