//! What every report must show: the fixture's executions as the official pickles say, and
//! its requirement hierarchy.

use std::collections::BTreeMap;
use std::path::Path;

use casebook_gherkin::pickles::PickleStepArgument;
use casebook_gherkin::{IncrementingIds, compile, parse};

/// One step as a report shows it: its line, its text with the row's values, and its
/// argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub line: usize,
    pub text: String,
    pub argument: Argument,
}

/// A step's data table (cells by row) or doc string, the row's values in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Argument {
    None,
    Table(Vec<Vec<String>>),
    DocString(String),
}

/// The steps one execution shows, in order.
pub type Shown = Vec<Step>;

/// One execution of the fixture.
#[derive(Debug)]
pub struct Execution {
    pub case_id: String,
    pub name: String,
    /// The index of its Examples block, for an outline.
    pub block: Option<usize>,
    pub manual: bool,
    /// The requirement IDs its tags name, its Examples block's included.
    pub requirements: Vec<String>,
    pub steps: Shown,
    /// The step that fails (text and line): the fixture's odd counts.
    pub failing_step: Option<String>,
}

/// Every execution of the fixture's feature files by its line: the Examples row's, or the
/// Scenario's.
pub fn executions(fixture: &Path) -> BTreeMap<usize, Execution> {
    let path = fixture.join("features/baskets.feature");
    let source = std::fs::read_to_string(&path).unwrap();
    let mut ids = IncrementingIds::new();
    let document = parse(&source, "baskets.feature", &mut ids).expect("the fixture parses");
    let lines = node_lines(&serde_json::to_value(&document).unwrap());
    let examples_of_row = examples_blocks(&document);
    compile(&document, "baskets.feature", &mut ids)
        .into_iter()
        .map(|pickle| {
            let line = pickle.location.as_ref().unwrap().line as usize;
            let tags: Vec<&str> = pickle.tags.iter().map(|t| t.name.as_str()).collect();
            let steps: Shown = pickle
                .steps
                .iter()
                .map(|step| Step {
                    line: lines[&step.ast_node_ids[0]],
                    text: step.text.clone(),
                    argument: argument(step.argument.as_ref()),
                })
                .collect();
            let failing_step = steps
                .iter()
                .find(|s| {
                    s.text
                        .strip_prefix("the count ")
                        .and_then(|rest| rest.strip_suffix(" is even"))
                        .and_then(|n| n.parse::<u32>().ok())
                        .is_some_and(|n| !n.is_multiple_of(2))
                })
                .map(|s| format!("Then {} (line {})", s.text, s.line));
            let execution = Execution {
                case_id: tags
                    .iter()
                    .find(|t| t.starts_with("@CON-"))
                    .unwrap()
                    .trim_start_matches('@')
                    .to_owned(),
                name: pickle.name.clone(),
                block: pickle.ast_node_ids.get(1).map(|row| examples_of_row[row]),
                manual: tags.contains(&"@manual"),
                requirements: tags
                    .iter()
                    .filter_map(|t| t.strip_prefix("@req:"))
                    .map(str::to_owned)
                    .collect(),
                steps,
                failing_step,
            };
            (line, execution)
        })
        .collect()
}

fn argument(argument: Option<&PickleStepArgument>) -> Argument {
    match argument {
        Some(PickleStepArgument {
            data_table: Some(table),
            ..
        }) => Argument::Table(
            table
                .rows
                .iter()
                .map(|row| row.cells.iter().map(|c| c.value.clone()).collect())
                .collect(),
        ),
        Some(PickleStepArgument {
            doc_string: Some(doc),
            ..
        }) => Argument::DocString(doc.content.clone()),
        _ => Argument::None,
    }
}

/// The line of every node of a document that has an id and a location.
pub fn node_lines(value: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::Object(object) => {
                if let (Some(id), Some(line)) = (
                    object.get("id").and_then(|id| id.as_str()),
                    object
                        .get("location")
                        .and_then(|l| l.get("line"))
                        .and_then(|l| l.as_u64()),
                ) {
                    lines.insert(id.to_owned(), line as usize);
                }
                stack.extend(object.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    lines
}

/// The index of its Examples block in its outline, by Examples row id.
fn examples_blocks(document: &casebook_gherkin::GherkinDocument) -> BTreeMap<String, usize> {
    let value = serde_json::to_value(document).unwrap();
    let mut blocks = BTreeMap::new();
    let mut stack = vec![&value];
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::Object(object) => {
                if let Some(examples) = object.get("examples").and_then(|e| e.as_array()) {
                    for (index, block) in examples.iter().enumerate() {
                        for row in block["tableBody"].as_array().into_iter().flatten() {
                            blocks.insert(row["id"].as_str().unwrap().to_owned(), index);
                        }
                    }
                }
                stack.extend(object.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    blocks
}

/// Each requirement of the catalog with its parent.
pub fn parents(catalog: &Path) -> BTreeMap<String, Option<String>> {
    let table: toml::Table = std::fs::read_to_string(catalog).unwrap().parse().unwrap();
    table
        .into_iter()
        .map(|(id, fields)| {
            let parent = fields
                .get("parent")
                .and_then(|p| p.as_str())
                .map(str::to_owned);
            (id, parent)
        })
        .collect()
}

/// Whether `requirement` is `ancestor` or below it.
pub fn is_within(
    requirement: &str,
    ancestor: &str,
    parents: &BTreeMap<String, Option<String>>,
) -> bool {
    let mut current = Some(requirement);
    while let Some(id) = current {
        if id == ancestor {
            return true;
        }
        current = parents.get(id).and_then(|p| p.as_deref());
    }
    false
}

/// The counts of a requirement row: cases, passed, failed, not run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub cases: std::collections::BTreeSet<String>,
    pub passed: usize,
    pub failed: usize,
    pub not_run: usize,
}

impl Counts {
    /// Counts an execution with its status in the run (`None`: not run).
    pub fn add(&mut self, execution: &Execution, status: Option<&str>) {
        self.cases.insert(execution.case_id.clone());
        match status {
            Some("passed") => self.passed += 1,
            Some("failed") => self.failed += 1,
            _ => self.not_run += 1,
        }
    }
}
