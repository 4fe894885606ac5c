//! The plan of a run: which executions are selected, how each step binds, and how the
//! runner's scenarios map back to them.
//!
//! Below the run and the record: the run executes a plan, and the record folds what the
//! run saw of each planned execution ([`record::fold`](crate::record::fold)).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use regex::Regex;

use crate::location::absolute;
use crate::model::{Case, Execution, Feature, Mode, Suite};
use crate::registry::{Binding, Bindings, StepBinding, step_bindings};

/// One execution the run will report on.
#[derive(Debug)]
pub struct Planned<'s> {
    /// Its feature.
    pub feature: &'s Feature,
    /// Its case.
    pub case: &'s Case,
    /// The execution itself.
    pub execution: &'s Execution,
    /// The number of its feature file in [`Plan::files`].
    pub file: usize,
    /// The binding of each of its steps (Background first).
    pub steps: Vec<StepBinding<'s>>,
    /// Whether change-based selection left it out: reported as skipped, never run.
    pub skipped_by_impact: bool,
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
    /// The feature files of the selected executions, as shown to people.
    pub files: Vec<String>,
    /// The features of those files, by the same number.
    pub features: Vec<&'s Feature>,
    /// Which execution a scenario of the runner stands for.
    pub lookup: Lookup,
}

/// Finds the execution a scenario of the runner stands for.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// The number of each feature file, by its absolute path.
    numbers: HashMap<PathBuf, usize>,
    /// The execution by the number of its feature file and the line of its pickle (the
    /// Scenario line, or for an outline its Examples row), where the runner's scenario
    /// sits. Numbers, not paths, and a fast hash: this is looked up for every event of a
    /// run.
    index: foldhash::HashMap<(usize, usize), usize>,
}

impl Lookup {
    /// The number of a feature file, by any spelling of its path.
    pub fn file(&self, path: &Path) -> Option<usize> {
        self.numbers.get(&absolute(path)).copied()
    }

    /// The execution of feature file `file` whose scenario the runner puts at `line`.
    pub fn execution(&self, file: usize, line: usize) -> Option<usize> {
        self.index.get(&(file, line)).copied()
    }

    /// Keeps only the executions `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        self.index.retain(|_, execution| keep(*execution));
    }
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
    /// Whether the case ID or title must equal `text` instead (`--exact`).
    pub exact: bool,
    /// The executions a change can break (`--since`), by case number in suite order and
    /// execution: the others are planned as skipped, so that every report names them.
    pub impact: Option<Arc<HashSet<(usize, usize)>>>,
}

impl Filter {
    fn selects_case(&self, case: &Case) -> bool {
        let by_name = self
            .name
            .as_ref()
            .is_none_or(|name| name.is_match(&case.title));
        let matches = |field: &str, text: &str| {
            if self.exact {
                field == text
            } else {
                field.contains(text)
            }
        };
        let by_text = self.text.as_deref().is_none_or(|text| {
            matches(&case.title, text) || case.id.as_ref().is_some_and(|id| matches(&id.0, text))
        });
        by_name && by_text
    }
}

impl<'s> Plan<'s> {
    /// Selects the automated executions of `suite` that pass `filter`, with their steps'
    /// `bindings`.
    pub fn new(suite: &'s Suite, bindings: &Bindings, filter: &Filter) -> Self {
        let mut plan = Self {
            executions: Vec::new(),
            files: Vec::new(),
            features: Vec::new(),
            lookup: Lookup::default(),
        };
        let mut last: Option<(*const Feature, usize)> = None;
        let automated = suite
            .cases()
            .enumerate()
            .filter(|(_, (_, case))| case.mode == Mode::Automated);
        for (number, (feature, case)) in automated {
            if !filter.selects_case(case) {
                continue;
            }
            for (index, execution) in case.executions.iter().enumerate() {
                if filter
                    .tags
                    .as_ref()
                    .is_some_and(|tags| !tags.eval(execution.tags.iter()))
                {
                    continue;
                }
                // Cases come feature by feature: number each file once.
                let file = match last {
                    Some((seen, file)) if std::ptr::eq(seen, feature) => file,
                    _ => {
                        let file = plan.files.len();
                        plan.files.push(feature.path.display().to_string());
                        plan.features.push(feature);
                        plan.lookup.numbers.insert(absolute(&feature.path), file);
                        last = Some((feature, file));
                        file
                    }
                };
                plan.lookup
                    .index
                    .insert((file, pickle_line(case, execution)), plan.executions.len());
                plan.executions.push(Planned {
                    feature,
                    case,
                    execution,
                    file,
                    steps: step_bindings(case, execution, bindings.of_execution(number, index)),
                    skipped_by_impact: filter
                        .impact
                        .as_ref()
                        .is_some_and(|selected| !selected.contains(&(number, index))),
                });
            }
        }
        plan
    }
}

/// The line of an execution's pickle: its Examples row's, or its Scenario's.
pub fn pickle_line(case: &Case, execution: &Execution) -> usize {
    match &execution.row {
        Some(row) => row.location.line,
        None => case.location.line,
    }
}
