//! The bridge from casebook's Gherkin parser ([`casebook_gherkin`]) to the suite model: a
//! `GherkinDocument` in, a [`Feature`] out, and the parser's errors as [`SyntaxError`]s.
//!
//! The document already holds everything the model needs, positions of tags, rows and doc
//! strings included, so this is a plain translation. Two things are decided here: a
//! step's kind ([`StepKind`]), which the registry binds by, and which Background steps a
//! case has (none when it has no steps of its own, as in Gherkin's pickles).

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use casebook_gherkin::ast::{self, FeatureChild, KeywordType, RuleChild};

use crate::location::Location;
use crate::model::{
    Background, Case, DocString, Examples, Feature, Mode, Rule, Step, StepKind, SyntaxError, Table,
    Tag,
};

/// The model of a parsed document; `source` is the file's text, kept for excerpts.
pub(super) fn feature(
    document: &ast::GherkinDocument,
    path: Arc<Path>,
    source: Arc<str>,
) -> Feature {
    let builder = Builder {
        path: &path,
        keywords: RefCell::default(),
    };
    let Some(feature) = &document.feature else {
        return without_feature(path, source);
    };
    let Body {
        background,
        rules,
        cases,
    } = builder.body(feature);
    Feature {
        path: path.clone(),
        source,
        keyword: feature.keyword.clone().unwrap_or_default(),
        name: feature.name.clone(),
        description: feature.description.clone(),
        location: builder.at(feature.location),
        tags: builder.tags(&feature.tags),
        background,
        rules,
        cases,
    }
}

/// A file of comments and blank lines: a feature with no cases, as in the official parsers.
fn without_feature(path: Arc<Path>, source: Arc<str>) -> Feature {
    Feature {
        path: path.clone(),
        source,
        keyword: String::new(),
        name: String::new(),
        description: String::new(),
        location: Location::file(path),
        tags: Vec::new(),
        background: None,
        rules: Vec::new(),
        cases: Vec::new(),
    }
}

/// The parser's errors as the model's: the official message, without the `(line:column): `
/// it starts with, since every diagnostic shows its position already.
pub(super) fn errors(
    errors: &[casebook_gherkin::ParseError],
    path: &Arc<Path>,
) -> Vec<SyntaxError> {
    errors
        .iter()
        .map(|error| {
            let location = error.source.location.unwrap_or(ast::Location::new(1, 1));
            let message = match error.message.split_once("): ") {
                Some((position, rest)) if position.starts_with('(') => rest,
                _ => &error.message,
            };
            SyntaxError {
                location: Location::new(
                    path.clone(),
                    location.line as usize,
                    location.column.unwrap_or(1).max(1) as usize,
                ),
                message: message.to_owned(),
            }
        })
        .collect()
}

/// The kind a step binds by: its keyword's, or for `And`, `But` and `*` the kind of the
/// step before it (`Given` when none). The runner gives cucumber-rs the same kind.
pub fn step_kind(keyword: Option<KeywordType>, before: Option<StepKind>) -> StepKind {
    match keyword {
        Some(KeywordType::Context) => StepKind::Given,
        Some(KeywordType::Action) => StepKind::When,
        Some(KeywordType::Outcome) => StepKind::Then,
        _ => before.unwrap_or(StepKind::Given),
    }
}

fn last_kind(steps: &[Step]) -> Option<StepKind> {
    steps.last().map(|step| step.kind)
}

/// What a feature holds below its own lines: its Background, its rules, and every case in
/// file order, those of rules included.
#[derive(Default)]
struct Body {
    background: Option<Background>,
    rules: Vec<Rule>,
    cases: Vec<Case>,
}

/// The Background steps a case runs first, one shared list per Background (every case
/// below it points at the same steps), and the kind of the last of them, which an `And`
/// that starts the case continues.
type Preconditions = (Arc<[Step]>, Option<StepKind>);

struct Builder<'a> {
    path: &'a Arc<Path>,
    /// The step keywords met so far: a file spells them a handful of ways, and a suite holds
    /// every one of its steps.
    keywords: RefCell<Vec<Arc<str>>>,
}

impl Builder<'_> {
    /// `keyword`, shared with the steps before that spell it alike.
    fn keyword(&self, keyword: &str) -> Arc<str> {
        let mut keywords = self.keywords.borrow_mut();
        if let Some(known) = keywords.iter().find(|known| ***known == *keyword) {
            return known.clone();
        }
        let keyword: Arc<str> = keyword.into();
        keywords.push(keyword.clone());
        keyword
    }

    fn at(&self, location: ast::Location) -> Location {
        Location::new(
            self.path.clone(),
            location.line as usize,
            location.column.unwrap_or(1) as usize,
        )
    }

    /// The feature's Background, rules and cases.
    fn body(&self, feature: &ast::Feature) -> Body {
        let mut body = Body::default();
        let mut preconditions: Preconditions = (Arc::from([]), None);
        for child in &feature.children {
            match child {
                FeatureChild::Background(bg) => {
                    let built = self.background(bg, None);
                    preconditions = (built.steps.clone().into(), last_kind(&built.steps));
                    body.background = Some(built);
                }
                FeatureChild::Scenario(scenario) => {
                    body.cases.push(self.case(scenario, None, &preconditions));
                }
                FeatureChild::Rule(rule) => {
                    let index = body.rules.len();
                    let rule = self.rule(rule, index, &preconditions, &mut body.cases);
                    body.rules.push(rule);
                }
            }
        }
        // Pushed one by one: without this, a suite would hold up to twice the room its cases
        // take.
        body.cases.shrink_to_fit();
        body
    }

    /// Rule number `index` of the feature, its cases added to `cases`: they run the
    /// feature's Background steps (`outer`), then the rule's.
    fn rule(
        &self,
        rule: &ast::Rule,
        index: usize,
        outer: &Preconditions,
        cases: &mut Vec<Case>,
    ) -> Rule {
        let mut preconditions = outer.clone();
        let mut background = None;
        for child in &rule.children {
            match child {
                RuleChild::Background(bg) => {
                    let built = self.background(bg, outer.1);
                    preconditions = (
                        outer.0.iter().chain(&built.steps).cloned().collect(),
                        last_kind(&built.steps).or(outer.1),
                    );
                    background = Some(built);
                }
                RuleChild::Scenario(scenario) => {
                    cases.push(self.case(scenario, Some(index), &preconditions));
                }
            }
        }
        Rule {
            keyword: rule.keyword.clone(),
            name: rule.name.clone(),
            description: rule.description.clone(),
            location: self.at(rule.location),
            tags: self.tags(&rule.tags),
            background,
        }
    }

    fn background(&self, background: &ast::Background, before: Option<StepKind>) -> Background {
        Background {
            keyword: background.keyword.clone(),
            location: self.at(background.location),
            steps: self.steps(&background.steps, before),
        }
    }

    fn case(
        &self,
        scenario: &ast::Scenario,
        rule: Option<usize>,
        (background, before): &Preconditions,
    ) -> Case {
        let steps = self.steps(&scenario.steps, *before);
        Case {
            id: None,
            id_tags: Vec::new(),
            title: scenario.name.clone(),
            keyword: scenario.keyword.clone(),
            description: scenario.description.clone(),
            location: self.at(scenario.location),
            rule,
            tags: self.tags(&scenario.tags),
            effective_tags: Arc::from([]),
            requirements: Vec::new(),
            mode: Mode::Automated,
            // A scenario without steps is run as nothing: Gherkin gives its pickle no
            // Background steps either.
            background: if steps.is_empty() {
                Arc::from([])
            } else {
                background.clone()
            },
            steps,
            examples: scenario
                .examples
                .iter()
                .map(|examples| self.examples(examples))
                .collect(),
            executions: Vec::new(),
        }
    }

    fn examples(&self, examples: &ast::Examples) -> Examples {
        Examples {
            keyword: examples.keyword.clone(),
            name: examples.name.clone(),
            location: self.at(examples.location),
            tags: self.tags(&examples.tags),
            table: examples
                .table_header
                .as_ref()
                .map(|header| self.table(std::iter::once(header).chain(&examples.table_body))),
        }
    }

    fn steps(&self, steps: &[ast::Step], mut before: Option<StepKind>) -> Vec<Step> {
        steps
            .iter()
            .map(|step| {
                let kind = step_kind(step.keyword_type, before);
                before = Some(kind);
                Step {
                    keyword: self.keyword(step.keyword.trim_end()),
                    kind,
                    text: step.text.clone(),
                    location: self.at(step.location),
                    table: step
                        .data_table
                        .as_ref()
                        .map(|table| Box::new(self.table(table.rows.iter()))),
                    doc_string: step.doc_string.as_ref().map(|doc| {
                        Box::new(DocString {
                            content: doc.content.clone(),
                            media_type: doc.media_type.clone(),
                            location: self.at(doc.location),
                        })
                    }),
                }
            })
            .collect()
    }

    fn table<'r>(&self, rows: impl Iterator<Item = &'r ast::TableRow>) -> Table {
        let mut table = Table {
            location: Location::file(self.path.clone()),
            rows: Vec::new(),
            lines: Vec::new(),
        };
        for (index, row) in rows.enumerate() {
            if index == 0 {
                table.location = self.at(row.location);
            }
            table.lines.push(row.location.line as usize);
            table
                .rows
                .push(row.cells.iter().map(|cell| cell.value.clone()).collect());
        }
        table
    }

    /// Tags without their `@` (the model's convention: `@req:A-1` is `req:A-1`).
    fn tags(&self, tags: &[ast::Tag]) -> Vec<Tag> {
        tags.iter()
            .map(|tag| Tag {
                name: tag.name.strip_prefix('@').unwrap_or(&tag.name).to_owned(),
                location: self.at(tag.location),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Feature {
        super::super::parse_str(text, Arc::from(Path::new("t.feature"))).unwrap()
    }

    #[test]
    fn an_and_continues_the_kind_of_the_backgrounds_above_it() {
        let feature = parse(indoc::indoc! {"
            Feature: F
              Background:
                When a
              Scenario: s
                And b
              Rule: R
                Background:
                  And c
                Scenario: in rule
                  And d
        "});
        let kinds = |steps: &[Step]| steps.iter().map(|s| s.kind).collect::<Vec<_>>();
        assert_eq!(kinds(&feature.cases[0].steps), [StepKind::When]);
        let rule = feature.rules[0].background.as_ref().unwrap();
        assert_eq!(kinds(&rule.steps), [StepKind::When]);
        assert_eq!(kinds(&feature.cases[1].steps), [StepKind::When]);
    }

    #[test]
    fn cases_below_one_background_share_its_steps() {
        let feature = parse(indoc::indoc! {"
            Feature: F
              Background:
                Given a
              Scenario: one
                Then b
              Scenario: two
                Then c
              Rule: R
                Scenario: three
                  Then d
                Scenario: four
                  Then e
        "});
        let background = |i: usize| &feature.cases[i].background;
        assert!(Arc::ptr_eq(background(0), background(1)));
        // A rule without a Background of its own runs the feature's, the same list.
        assert!(Arc::ptr_eq(background(0), background(3)));
    }
}
