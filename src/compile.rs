//! The features cucumber-rs runs, built from casebook's parser, one file at a time: the
//! bridge from Gherkin to cucumber-rs that the runner and the messages writer share.
//!
//! A run parses each feature file again, with the run's ids, and compiles it into pickles:
//! the test cases exactly as the official Cucumber tools compile them (Background steps
//! first, outline rows expanded, `<placeholders>` filled in text, tables and doc strings,
//! tags inherited). Each pickle the plan runs becomes one scenario of the `gherkin::Feature`
//! handed to cucumber-rs, its steps carrying the pickle's text, doc string content (no
//! media type) and table cells, so a step definition gets exactly what was written.
//!
//! A scenario sits at its pickle's line (an outline row's own line), which is how the plan,
//! the recorder and the messages find it again. Background steps are ordinary steps of the
//! scenario: cucumber-rs then runs exactly the pickle, and a step is known by its line.

use std::path::PathBuf;

use foldhash::{HashMap, HashMapExt as _};

use casebook_gherkin::ast::{self, FeatureChild, GherkinDocument, RuleChild};
use casebook_gherkin::{IdGenerator, Pickle};

use cucumber::gherkin;

use crate::model::StepKind;
use crate::parse::step_kind;

/// A feature's path as the key the runner's events are looked up by: its bytes, since
/// `Path`'s own hash walks its components, and every event of every scenario asks.
pub fn path_key(path: &std::path::Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// One feature file parsed and compiled with the run's ids.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The file's URI in messages: its path as shown to people.
    pub uri: String,
    /// The document.
    pub document: GherkinDocument,
    /// Its pickles, in document order.
    pub pickles: Vec<Pickle>,
}

/// Parses and compiles `source`; the errors when it does not parse (the suite never holds
/// such a file, but its text may have changed on disk since, and a run reads the text it
/// kept, so this is only a guard).
pub fn compile(
    source: &str,
    uri: &str,
    ids: &mut (impl IdGenerator + ?Sized),
) -> Result<Compiled, Vec<casebook_gherkin::ParseError>> {
    let document = casebook_gherkin::parse(source, uri, ids)?;
    let pickles = casebook_gherkin::compile(&document, uri, ids);
    Ok(Compiled {
        uri: uri.to_owned(),
        document,
        pickles,
    })
}

/// The nodes of a document by id, for going from a pickle back to what was written.
pub struct Nodes<'d> {
    scenarios: HashMap<&'d str, &'d ast::Scenario>,
    steps: HashMap<&'d str, &'d ast::Step>,
}

impl<'d> Nodes<'d> {
    /// Indexes every scenario and step of `document`.
    pub fn new(document: &'d GherkinDocument) -> Self {
        let mut nodes = Nodes {
            scenarios: HashMap::new(),
            steps: HashMap::new(),
        };
        let Some(feature) = &document.feature else {
            return nodes;
        };
        let add_steps = |steps: &'d [ast::Step], nodes: &mut Nodes<'d>| {
            for step in steps {
                nodes.steps.insert(&step.id, step);
            }
        };
        for child in &feature.children {
            match child {
                FeatureChild::Background(bg) => add_steps(&bg.steps, &mut nodes),
                FeatureChild::Scenario(scenario) => {
                    add_steps(&scenario.steps, &mut nodes);
                    nodes.scenarios.insert(&scenario.id, scenario);
                }
                FeatureChild::Rule(rule) => {
                    for child in &rule.children {
                        match child {
                            RuleChild::Background(bg) => add_steps(&bg.steps, &mut nodes),
                            RuleChild::Scenario(scenario) => {
                                add_steps(&scenario.steps, &mut nodes);
                                nodes.scenarios.insert(&scenario.id, scenario);
                            }
                        }
                    }
                }
            }
        }
        nodes
    }

    /// The scenario a pickle comes from.
    pub fn scenario(&self, pickle: &Pickle) -> Option<&'d ast::Scenario> {
        pickle
            .ast_node_ids
            .first()
            .and_then(|id| self.scenarios.get(id.as_str()).copied())
    }

    /// The step a pickle step comes from.
    pub fn step(&self, step: &casebook_gherkin::pickles::PickleStep) -> Option<&'d ast::Step> {
        step.ast_node_ids
            .first()
            .and_then(|id| self.steps.get(id.as_str()).copied())
    }
}

/// The kind each step of a pickle binds by, as the suite model gives it (see
/// [`step_kind`]).
pub fn step_kinds(pickle: &Pickle, nodes: &Nodes<'_>) -> Vec<StepKind> {
    let mut before = None;
    pickle
        .steps
        .iter()
        .map(|step| {
            let kind = step_kind(nodes.step(step).and_then(|s| s.keyword_type), before);
            before = Some(kind);
            kind
        })
        .collect()
}

/// The feature cucumber-rs runs: a scenario for each pickle `steps` gives a number of
/// steps to run (its first ones); `None` when it gives none.
pub fn runnable(
    compiled: &Compiled,
    path: PathBuf,
    steps: impl Fn(&Pickle) -> Option<usize>,
) -> Option<gherkin::Feature> {
    let feature = compiled.document.feature.as_ref()?;
    let nodes = Nodes::new(&compiled.document);
    let scenarios: Vec<gherkin::Scenario> = compiled
        .pickles
        .iter()
        .filter_map(|pickle| Some(scenario(pickle, steps(pickle)?, &nodes)))
        .collect();
    if scenarios.is_empty() {
        return None;
    }
    Some(gherkin::Feature {
        keyword: feature.keyword.clone().unwrap_or_default(),
        name: feature.name.clone(),
        description: description(&feature.description),
        background: None,
        scenarios,
        rules: Vec::new(),
        tags: tag_names(feature.tags.iter().map(|tag| tag.name.as_str())),
        span: gherkin::Span::default(),
        position: position(feature.location),
        path: Some(path),
    })
}

fn scenario(pickle: &Pickle, count: usize, nodes: &Nodes<'_>) -> gherkin::Scenario {
    let written = nodes.scenario(pickle);
    let kinds = step_kinds(pickle, nodes);
    let steps = pickle
        .steps
        .iter()
        .zip(kinds)
        .take(count)
        .map(|(step, kind)| {
            let written = nodes.step(step);
            let argument = step.argument.as_ref();
            gherkin::Step {
                keyword: written.map_or_else(String::new, |s| s.keyword.clone()),
                ty: match kind {
                    StepKind::Given => gherkin::StepType::Given,
                    StepKind::When => gherkin::StepType::When,
                    StepKind::Then => gherkin::StepType::Then,
                },
                value: step.text.clone(),
                docstring: argument
                    .and_then(|a| a.doc_string.as_ref())
                    .map(|doc| doc.content.clone()),
                table: argument
                    .and_then(|a| a.data_table.as_ref())
                    .map(|table| gherkin::Table {
                        rows: table
                            .rows
                            .iter()
                            .map(|row| row.cells.iter().map(|c| c.value.clone()).collect())
                            .collect(),
                        span: gherkin::Span::default(),
                        position: written
                            .and_then(|s| s.data_table.as_ref())
                            .map_or_else(Default::default, |t| position(t.location)),
                    }),
                span: gherkin::Span::default(),
                position: written.map_or_else(Default::default, |s| position(s.location)),
            }
        })
        .collect();
    gherkin::Scenario {
        keyword: written.map_or_else(String::new, |s| s.keyword.clone()),
        name: pickle.name.clone(),
        description: written.and_then(|s| description(&s.description)),
        steps,
        examples: Vec::new(),
        tags: tag_names(pickle.tags.iter().map(|tag| tag.name.as_str())),
        span: gherkin::Span::default(),
        position: pickle.location.map_or_else(Default::default, position),
    }
}

fn position(location: ast::Location) -> gherkin::LineCol {
    gherkin::LineCol {
        line: location.line as usize,
        col: location.column.unwrap_or(1) as usize,
    }
}

fn description(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// cucumber-rs keeps tags without their `@` (and reads `@serial`, `@retry` by name).
fn tag_names<'t>(names: impl Iterator<Item = &'t str>) -> Vec<String> {
    names
        .map(|name| name.strip_prefix('@').unwrap_or(name).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use casebook_gherkin::IncrementingIds;

    fn build(source: &str) -> gherkin::Feature {
        let compiled = compile(source, "t.feature", &mut IncrementingIds::new()).unwrap();
        runnable(&compiled, PathBuf::from("/t.feature"), |p| {
            Some(p.steps.len())
        })
        .unwrap()
    }

    #[test]
    fn doc_strings_reach_the_runner_without_their_media_type() {
        let feature = build(indoc::indoc! {r#"
            Feature: F
              Scenario: s
                Given a
                  """json
                  {"a": 1}
                    \"\"\"
                  """
        "#});
        let step = &feature.scenarios[0].steps[0];
        assert_eq!(step.docstring.as_deref(), Some("{\"a\": 1}\n  \"\"\""));
        assert_eq!(step.keyword, "Given ");
    }

    #[test]
    fn outline_rows_are_scenarios_at_their_row_with_values_everywhere() {
        let feature = build(indoc::indoc! {r#"
            @f
            Feature: F
              Background:
                Given the shop

              Scenario Outline: buy <n>
                When I buy <n>
                  | item | <n> \| x |
                  """
                  <n> items
                  """
                Then I have <n>

                @ex
                Examples:
                  | n |
                  # a comment between rows
                  | 1 |
                  | 2 |
        "#});
        let lines: Vec<usize> = feature.scenarios.iter().map(|s| s.position.line).collect();
        assert_eq!(lines, [18, 19]);
        let first = &feature.scenarios[0];
        assert_eq!(first.name, "buy 1");
        assert_eq!(first.tags, ["f", "ex"]);
        let texts: Vec<&str> = first.steps.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(texts, ["the shop", "I buy 1", "I have 1"]);
        let types: Vec<_> = first.steps.iter().map(|s| s.ty).collect();
        use gherkin::StepType::*;
        assert_eq!(types, [Given, When, Then]);
        let when = &first.steps[1];
        assert_eq!(when.table.as_ref().unwrap().rows, [["item", "1 | x"]]);
        assert_eq!(when.docstring.as_deref(), Some("1 items"));
        assert_eq!(first.steps[0].position.line, 4);
    }

    #[test]
    fn only_the_chosen_pickles_and_steps_are_run() {
        let compiled = compile(
            "Feature: F\n  Scenario: a\n    Given x\n  Scenario: b\n    Given y\n",
            "t.feature",
            &mut IncrementingIds::new(),
        )
        .unwrap();
        // `b`, without its step: the steps a scenario runs are the pickle's first ones.
        let feature = runnable(&compiled, PathBuf::from("/t.feature"), |p| {
            (p.name == "b").then_some(0)
        });
        let scenarios = feature.unwrap().scenarios;
        assert_eq!(scenarios.len(), 1);
        assert_eq!(
            (scenarios[0].name.as_str(), scenarios[0].steps.len()),
            ("b", 0)
        );
        assert!(runnable(&compiled, PathBuf::from("/t.feature"), |_| None).is_none());
    }
}
