//! The pickle compiler: turns a document's scenarios into pickles, the test cases a runner
//! executes.
//!
//! A scenario is one pickle; a scenario outline is one pickle per row of its examples, with
//! `<name>` replaced by the row's value in the name, the step texts, the tables and the doc
//! strings. A pickle's steps are its background's (the feature's, then the rule's) followed
//! by its own, and its tags are the feature's, the rule's, the scenario's and the examples'.

use serde::{Deserialize, Serialize};

use crate::ast::{
    Background, Examples, Feature, FeatureChild, GherkinDocument, KeywordType, Location, Rule,
    RuleChild, Scenario, Step, TableCell, TableRow, Tag,
};
use crate::ids::IdGenerator;

/// A test case: a scenario, or a scenario outline with one row of its examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pickle {
    /// The pickle's id.
    pub id: String,
    /// The file it comes from.
    pub uri: String,
    /// Where the scenario is, or, for an outline, the examples row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The scenario's name, with the row's values for an outline.
    pub name: String,
    /// The language of the document.
    pub language: String,
    /// The background's steps, then the scenario's.
    pub steps: Vec<PickleStep>,
    /// The feature's, rule's, scenario's and examples' tags.
    pub tags: Vec<PickleTag>,
    /// The scenario's id and, for an outline, the examples row's id.
    pub ast_node_ids: Vec<String>,
}

/// A step of a pickle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleStep {
    /// The doc string or data table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argument: Option<PickleStepArgument>,
    /// The step's id and, for an outline, the examples row's id.
    pub ast_node_ids: Vec<String>,
    /// The pickle step's id.
    pub id: String,
    /// What the step does, from its keyword (`And` and `But` take the kind of the step
    /// before).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub step_type: Option<PickleStepType>,
    /// The step's text, with the row's values for an outline.
    pub text: String,
}

/// The kind of a pickle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PickleStepType {
    /// No `Given`, `When` or `Then` before it (`* ` steps only).
    Unknown,
    /// A `Given`.
    Context,
    /// A `When`.
    Action,
    /// A `Then`.
    Outcome,
}

/// A step's doc string or data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleStepArgument {
    /// The doc string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_string: Option<PickleDocString>,
    /// The data table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_table: Option<PickleTable>,
}

/// A pickle step's doc string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleDocString {
    /// With a data table too: 1 if the doc string comes first, 2 if it comes second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argument_index: Option<u8>,
    /// The media type, with the row's values for an outline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The content, with the row's values for an outline.
    pub content: String,
}

/// A pickle step's data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleTable {
    /// With a doc string too: 1 if the table comes first, 2 if it comes second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argument_index: Option<u8>,
    /// The rows.
    pub rows: Vec<PickleTableRow>,
}

/// A row of a pickle step's data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickleTableRow {
    /// The cells.
    pub cells: Vec<PickleTableCell>,
}

/// A cell of a pickle step's data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickleTableCell {
    /// The value, with the row's values for an outline.
    pub value: String,
}

/// A tag of a pickle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleTag {
    /// The tag, `@` included.
    pub name: String,
    /// The id of the tag in the document.
    pub ast_node_id: String,
}

/// Compiles a parsed document into its pickles, in document order.
pub fn compile(
    document: &GherkinDocument,
    uri: &str,
    ids: &mut (impl IdGenerator + ?Sized),
) -> Vec<Pickle> {
    let mut pickles = Vec::new();
    if let Some(feature) = &document.feature {
        Compiler {
            uri,
            language: &feature.language,
            ids,
            pickles: &mut pickles,
        }
        .feature(feature);
    }
    pickles
}

/// The values of an examples row, by parameter name.
struct Row<'d> {
    header: &'d [TableCell],
    row: &'d TableRow,
}

struct Compiler<'d, 'p, I: IdGenerator + ?Sized> {
    uri: &'d str,
    language: &'d str,
    ids: &'p mut I,
    pickles: &'p mut Vec<Pickle>,
}

impl<'d, I: IdGenerator + ?Sized> Compiler<'d, '_, I> {
    fn feature(&mut self, feature: &'d Feature) {
        let tags: Vec<&Tag> = feature.tags.iter().collect();
        let mut background: Vec<&Step> = Vec::new();
        for child in &feature.children {
            match child {
                FeatureChild::Background(Background { steps, .. }) => {
                    background = steps.iter().collect();
                }
                FeatureChild::Rule(rule) => self.rule(&tags, &background, rule),
                FeatureChild::Scenario(scenario) => self.scenario(&tags, &background, scenario),
            }
        }
    }

    fn rule(&mut self, feature_tags: &[&'d Tag], feature_background: &[&'d Step], rule: &'d Rule) {
        let mut tags = feature_tags.to_vec();
        tags.extend(&rule.tags);
        let mut background = feature_background.to_vec();
        for child in &rule.children {
            match child {
                RuleChild::Background(Background { steps, .. }) => background.extend(steps),
                RuleChild::Scenario(scenario) => self.scenario(&tags, &background, scenario),
            }
        }
    }

    fn scenario(&mut self, tags: &[&'d Tag], background: &[&'d Step], scenario: &'d Scenario) {
        if scenario.examples.is_empty() {
            self.plain_scenario(tags, background, scenario);
        } else {
            for examples in &scenario.examples {
                self.examples(tags, background, scenario, examples);
            }
        }
    }

    fn plain_scenario(
        &mut self,
        tags: &[&'d Tag],
        background: &[&'d Step],
        scenario: &'d Scenario,
    ) {
        let steps = self.steps(background, scenario, None);
        let tags = tags.iter().copied().chain(&scenario.tags);
        self.pickles.push(Pickle {
            id: self.ids.new_id(),
            uri: self.uri.to_owned(),
            location: Some(scenario.location),
            name: scenario.name.clone(),
            language: self.language.to_owned(),
            steps,
            tags: tags.map(pickle_tag).collect(),
            ast_node_ids: vec![scenario.id.clone()],
        });
    }

    /// One pickle per row of an examples block; a block without a table has none.
    fn examples(
        &mut self,
        tags: &[&'d Tag],
        background: &[&'d Step],
        scenario: &'d Scenario,
        examples: &'d Examples,
    ) {
        let Some(header) = &examples.table_header else {
            return;
        };
        for row in &examples.table_body {
            let values = Row {
                header: &header.cells,
                row,
            };
            let steps = self.steps(background, scenario, Some(&values));
            let id = self.ids.new_id();
            let tags = tags
                .iter()
                .copied()
                .chain(&scenario.tags)
                .chain(&examples.tags);
            self.pickles.push(Pickle {
                id,
                uri: self.uri.to_owned(),
                location: Some(row.location),
                name: interpolate(&scenario.name, Some(&values)),
                language: self.language.to_owned(),
                steps,
                tags: tags.map(pickle_tag).collect(),
                ast_node_ids: vec![scenario.id.clone(), row.id.clone()],
            });
        }
    }

    /// The background's steps (only if the scenario has steps of its own), then the
    /// scenario's; each conjunction takes the kind of the step before.
    fn steps(
        &mut self,
        background: &[&'d Step],
        scenario: &'d Scenario,
        values: Option<&Row<'d>>,
    ) -> Vec<PickleStep> {
        let mut steps = Vec::with_capacity(background.len() + scenario.steps.len());
        let mut last = Some(KeywordType::Unknown);
        if !scenario.steps.is_empty() {
            for step in background {
                steps.push(self.step(step, None, &mut last));
            }
        }
        for step in &scenario.steps {
            steps.push(self.step(step, values, &mut last));
        }
        steps
    }

    fn step(
        &mut self,
        step: &Step,
        values: Option<&Row<'_>>,
        last: &mut Option<KeywordType>,
    ) -> PickleStep {
        // A step without a kind (not made by this parser) leaves its pickle step without one.
        if step.keyword_type != Some(KeywordType::Conjunction) {
            *last = step.keyword_type;
        }
        let mut ast_node_ids = vec![step.id.clone()];
        if let Some(values) = values {
            ast_node_ids.push(values.row.id.clone());
        }
        PickleStep {
            id: self.ids.new_id(),
            text: interpolate(&step.text, values),
            step_type: last.map(pickle_step_type),
            argument: argument(step, values),
            ast_node_ids,
        }
    }
}

fn pickle_step_type(kind: KeywordType) -> PickleStepType {
    match kind {
        KeywordType::Context => PickleStepType::Context,
        KeywordType::Action => PickleStepType::Action,
        KeywordType::Outcome => PickleStepType::Outcome,
        // A conjunction never becomes the last kind: it stays Unknown until a real one.
        KeywordType::Unknown | KeywordType::Conjunction => PickleStepType::Unknown,
    }
}

/// A step's doc string and data table; a step may have both, in either order, and then
/// each says whether it comes first or second.
fn argument(step: &Step, values: Option<&Row<'_>>) -> Option<PickleStepArgument> {
    if step.data_table.is_none() && step.doc_string.is_none() {
        return None;
    }
    let (table_index, doc_index) = match (&step.data_table, &step.doc_string) {
        (Some(table), Some(doc)) if table.location.line < doc.location.line => (Some(1), Some(2)),
        (Some(_), Some(_)) => (Some(2), Some(1)),
        _ => (None, None),
    };
    let data_table = step.data_table.as_ref().map(|table| PickleTable {
        argument_index: table_index,
        rows: table
            .rows
            .iter()
            .map(|row| PickleTableRow {
                cells: row
                    .cells
                    .iter()
                    .map(|cell| PickleTableCell {
                        value: interpolate(&cell.value, values),
                    })
                    .collect(),
            })
            .collect(),
    });
    let doc_string = step.doc_string.as_ref().map(|doc| PickleDocString {
        argument_index: doc_index,
        media_type: doc
            .media_type
            .as_deref()
            .map(|media_type| interpolate(media_type, values)),
        content: interpolate(&doc.content, values),
    });
    Some(PickleStepArgument {
        doc_string,
        data_table,
    })
}

/// `text` with every `<name>` of the examples header replaced by the row's value, one name
/// after the other (so a value may itself contain a later `<name>`).
fn interpolate(text: &str, values: Option<&Row<'_>>) -> String {
    let Some(values) = values else {
        return text.to_owned();
    };
    if !text.contains('<') {
        return text.to_owned();
    }
    let mut result = text.to_owned();
    for (name, value) in values.header.iter().zip(&values.row.cells) {
        let pattern = format!("<{}>", name.value);
        if result.contains(&pattern) {
            result = result.replace(&pattern, &value.value);
        }
    }
    result
}

fn pickle_tag(tag: &Tag) -> PickleTag {
    PickleTag {
        name: tag.name.clone(),
        ast_node_id: tag.id.clone(),
    }
}
