//! The keywords of every Gherkin language, from the official `gherkin-languages.json`.
//!
//! The table is embedded in the library and parsed once, the first time a language is looked
//! up. Each language also gets its step keywords sorted the way the official parser tries
//! them (longest first), so that matching a step line is a plain scan.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::ast::KeywordType;

/// The language of a document without a `# language:` header.
pub const DEFAULT_LANGUAGE: &str = "en";

static LANGUAGES_JSON: &str = include_str!("../data/gherkin-languages.json");

static LANGUAGES: LazyLock<HashMap<String, Dialect>> = LazyLock::new(|| {
    let raw: HashMap<String, RawDialect> =
        serde_json::from_str(LANGUAGES_JSON).expect("the embedded gherkin-languages.json is valid");
    raw.into_iter()
        .map(|(code, raw)| {
            let dialect = Dialect::new(code.clone(), raw);
            (code, dialect)
        })
        .collect()
});

/// The keywords of one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialect {
    /// The language code (`en`, `fr`, `en-old`, ...).
    pub code: String,
    /// The language's name in English.
    pub name: String,
    /// The language's name in the language itself.
    pub native: String,
    /// `Feature` keywords.
    pub feature: Vec<String>,
    /// `Rule` keywords.
    pub rule: Vec<String>,
    /// `Background` keywords.
    pub background: Vec<String>,
    /// `Scenario` keywords.
    pub scenario: Vec<String>,
    /// `Scenario Outline` keywords.
    pub scenario_outline: Vec<String>,
    /// `Examples` keywords.
    pub examples: Vec<String>,
    /// `Given` keywords, trailing space included.
    pub given: Vec<String>,
    /// `When` keywords.
    pub when: Vec<String>,
    /// `Then` keywords.
    pub then: Vec<String>,
    /// `And` keywords.
    pub and: Vec<String>,
    /// `But` keywords.
    pub but: Vec<String>,
    /// Every step keyword once, longest first, with its kind.
    step_keywords: Vec<StepKeyword>,
}

/// A step keyword and its kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StepKeyword {
    pub keyword: String,
    pub keyword_type: KeywordType,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDialect {
    name: String,
    native: String,
    feature: Vec<String>,
    rule: Vec<String>,
    background: Vec<String>,
    scenario: Vec<String>,
    scenario_outline: Vec<String>,
    examples: Vec<String>,
    given: Vec<String>,
    when: Vec<String>,
    then: Vec<String>,
    and: Vec<String>,
    but: Vec<String>,
}

impl Dialect {
    fn new(code: String, raw: RawDialect) -> Self {
        let step_keywords = step_keywords(&raw);
        Dialect {
            code,
            name: raw.name,
            native: raw.native,
            feature: raw.feature,
            rule: raw.rule,
            background: raw.background,
            scenario: raw.scenario,
            scenario_outline: raw.scenario_outline,
            examples: raw.examples,
            given: raw.given,
            when: raw.when,
            then: raw.then,
            and: raw.and,
            but: raw.but,
            step_keywords,
        }
    }

    /// Every step keyword once, in the order the official parser tries them: longest first
    /// (in UTF-16 code units, as it measures), ties in the order given, when, then, and, but.
    pub(crate) fn step_keywords(&self) -> &[StepKeyword] {
        &self.step_keywords
    }

    /// The kind of a step keyword of this language: `Unknown` when the keyword is listed
    /// more than once (`* ` is a given, a when, a then, an and and a but).
    pub fn keyword_type(&self, keyword: &str) -> Option<KeywordType> {
        self.step_keywords
            .iter()
            .find(|step| step.keyword == keyword)
            .map(|step| step.keyword_type)
    }
}

fn step_keywords(raw: &RawDialect) -> Vec<StepKeyword> {
    let lists = [
        (&raw.given, KeywordType::Context),
        (&raw.when, KeywordType::Action),
        (&raw.then, KeywordType::Outcome),
        (&raw.and, KeywordType::Conjunction),
        (&raw.but, KeywordType::Conjunction),
    ];
    // The official matcher maps every keyword to the list of kinds it is listed under and
    // calls it Unknown when that list has more than one entry, even if the entries agree.
    let mut kinds: HashMap<&str, (KeywordType, usize)> = HashMap::new();
    for (keywords, kind) in lists {
        for keyword in keywords {
            kinds.entry(keyword).or_insert((kind, 0)).1 += 1;
        }
    }
    let mut ordered: Vec<StepKeyword> = Vec::new();
    for (keywords, _) in lists {
        for keyword in keywords {
            if ordered.iter().any(|step| &step.keyword == keyword) {
                continue;
            }
            let (kind, count) = kinds[keyword.as_str()];
            ordered.push(StepKeyword {
                keyword: keyword.clone(),
                keyword_type: if count > 1 {
                    KeywordType::Unknown
                } else {
                    kind
                },
            });
        }
    }
    // A stable sort, as JavaScript's, so that equally long keywords keep their order.
    ordered.sort_by_key(|step| std::cmp::Reverse(step.keyword.encode_utf16().count()));
    ordered
}

/// The keywords of the language with this code, if Gherkin knows it.
pub fn dialect(code: &str) -> Option<&'static Dialect> {
    LANGUAGES.get(code)
}

/// The keywords of the default language, English.
pub fn default_dialect() -> &'static Dialect {
    dialect(DEFAULT_LANGUAGE).expect("gherkin-languages.json has English")
}

/// The codes of every language Gherkin knows, sorted.
pub fn language_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = LANGUAGES.keys().map(String::as_str).collect();
    codes.sort_unstable();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_step_keywords_are_longest_first_and_star_is_unknown() {
        let en = default_dialect();
        let keywords: Vec<&str> = en
            .step_keywords()
            .iter()
            .map(|step| step.keyword.as_str())
            .collect();
        assert_eq!(keywords.first(), Some(&"Given "));
        assert_eq!(keywords.last(), Some(&"* "));
        assert_eq!(keywords.iter().filter(|k| **k == "* ").count(), 1);
        assert_eq!(en.keyword_type("* "), Some(KeywordType::Unknown));
        assert_eq!(en.keyword_type("Given "), Some(KeywordType::Context));
        assert_eq!(en.keyword_type("But "), Some(KeywordType::Conjunction));
        assert_eq!(en.keyword_type("Nope "), None);
    }

    #[test]
    fn every_language_is_loaded() {
        assert!(language_codes().len() > 70);
        assert_eq!(dialect("fr").map(|d| d.name.as_str()), Some("French"));
        assert!(dialect("no-such").is_none());
    }
}
