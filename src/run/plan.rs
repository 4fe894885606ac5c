//! The plan of a run: which executions are selected, how each step binds, and how the
//! runner's scenarios map back to them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cucumber::tag::Ext as _;
use gherkin::tagexpr::TagOperation;
use regex::Regex;

use crate::model::{Case, Execution, Feature, Mode, Suite};
use crate::registry::{Binding, Registry, StepBinding, bind_execution};

/// One execution the run will report on.
#[derive(Debug)]
pub struct Planned<'s> {
    /// Its feature.
    pub feature: &'s Feature,
    /// Its case.
    pub case: &'s Case,
    /// The execution itself.
    pub execution: &'s Execution,
    /// The binding of each of its steps (Background first).
    pub steps: Vec<StepBinding>,
}

impl Planned<'_> {
    /// Whether every step has exactly one definition, so that the runner can execute it.
    pub fn is_runnable(&self) -> bool {
        self.steps
            .iter()
            .all(|step| matches!(step.binding, Binding::Bound(_)))
    }
}

/// The selected executions of automated cases, in suite order.
#[derive(Debug)]
pub struct Plan<'s> {
    /// The executions.
    pub executions: Vec<Planned<'s>>,
    /// Where each execution appears to the runner: the feature file and the line cucumber-rs
    /// gives its scenario (the Scenario line, or for an outline its Examples row).
    index: HashMap<(PathBuf, usize), usize>,
}

/// What to select.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A tag expression such as `@smoke and not @slow`.
    pub tags: Option<TagOperation>,
    /// A regex the case title must match.
    pub name: Option<Regex>,
    /// Text the case ID or title must contain (what `cargo test NAME` passes).
    pub text: Option<String>,
}

impl Filter {
    fn selects_case(&self, case: &Case) -> bool {
        let by_name = self
            .name
            .as_ref()
            .is_none_or(|name| name.is_match(&case.title));
        let by_text = self.text.as_deref().is_none_or(|text| {
            case.title.contains(text) || case.id.as_ref().is_some_and(|id| id.0.contains(text))
        });
        by_name && by_text
    }
}

impl<'s> Plan<'s> {
    /// Selects the automated executions of `suite` that pass `filter`, and binds their steps.
    pub fn new(suite: &'s Suite, registry: &Registry, filter: &Filter) -> Self {
        let mut executions = Vec::new();
        let mut index = HashMap::new();
        // One absolute path per feature file, not one per execution.
        let mut paths: HashMap<*const Feature, PathBuf> = HashMap::new();
        for (feature, case) in suite
            .cases()
            .filter(|(_, case)| case.mode == Mode::Automated)
        {
            if !filter.selects_case(case) {
                continue;
            }
            for execution in &case.executions {
                if filter
                    .tags
                    .as_ref()
                    .is_some_and(|tags| !tags.eval(execution.tags.iter()))
                {
                    continue;
                }
                let path = paths
                    .entry(std::ptr::from_ref(feature))
                    .or_insert_with(|| absolute(&feature.path))
                    .clone();
                index.insert((path, runner_line(case, execution)), executions.len());
                executions.push(Planned {
                    feature,
                    case,
                    execution,
                    steps: bind_execution(registry, case, execution),
                });
            }
        }
        Self { executions, index }
    }

    /// The execution the runner's scenario at `path` and `line` stands for.
    pub fn find(&self, path: &Path, line: usize) -> Option<usize> {
        self.index.get(&(absolute(path), line)).copied()
    }

    /// The index from (absolute feature path, runner line) to execution, for the recorder.
    pub fn index(&self) -> HashMap<(PathBuf, usize), usize> {
        self.index.clone()
    }
}

/// The line cucumber-rs reports for an execution: an expanded outline's scenario sits two
/// lines below its Examples keyword, plus its row index (it counts rows as if no comment
/// stood between them).
fn runner_line(case: &Case, execution: &Execution) -> usize {
    match &execution.row {
        Some(row) => case.examples[row.examples].location.line + row.row + 1,
        None => case.location.line,
    }
}

/// One spelling per file, however it was reached.
pub(super) fn absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
