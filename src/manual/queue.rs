//! The manual queue: every execution a tester runs, in suite order.
//!
//! Manual cases, and automated cases with a step that has no single step definition
//! ("awaiting automation": specified, but nothing checks them until a tester does). An
//! outline is one item per Examples row, each answered on its own. Results are keyed by case
//! ID, so a case without one cannot be recorded: it is counted, and lint names it.

use std::sync::Arc;

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use serde::Serialize;

use crate::model::{Case, Execution, Feature, Mode, StepKind, Suite};
use crate::registry::{Binding, Bindings};

/// Why an execution is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A manual case.
    Manual,
    /// An automated case with a step that has no single step definition.
    AwaitingAutomation,
}

impl Kind {
    /// The words shown.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Manual => "manual",
            Kind::AwaitingAutomation => "awaiting automation",
        }
    }
}

/// One execution a tester runs.
#[derive(Debug, Clone)]
pub struct Item<'s> {
    /// Its feature file.
    pub feature: &'s Feature,
    /// Its case.
    pub case: &'s Case,
    /// The case ID.
    pub id: &'s str,
    /// The execution.
    pub execution: &'s Execution,
    /// The Examples row, 1-based over the outline (as `run.json` numbers them).
    pub row: Option<usize>,
    /// Why it is in the queue.
    pub kind: Kind,
    /// The hash of what it asks of the tester now.
    pub hash: String,
}

impl Item<'_> {
    /// `ID`, or `ID row N` for an outline's row.
    pub fn label(&self) -> String {
        match self.row {
            Some(row) => format!("{} row {row}", self.id),
            None => self.id.to_owned(),
        }
    }

    /// The title, with an outline row's values in place.
    pub fn title(&self) -> String {
        match &self.execution.row {
            Some(row) => row.substitute(&self.case.title),
            None => self.case.title.clone(),
        }
    }

    /// The requirements this execution covers.
    pub fn requirements(&self) -> Vec<&str> {
        self.execution
            .requirements
            .iter()
            .map(|r| r.0.as_str())
            .collect()
    }

    /// `path:line` of the case.
    pub fn place(&self) -> String {
        format!(
            "{}:{}",
            self.feature.path.display(),
            self.case.location.line
        )
    }

    /// Its steps as a tester reads them, in three parts: pre-conditions (the Background's
    /// steps and the Given steps), actions (When), and the expected result (Then); each step
    /// with an outline row's values in place.
    pub fn sections(&self) -> Sections {
        let mut sections = Sections::default();
        for step in self.case.steps_of(self.execution) {
            let shown = TesterStep {
                keyword: step.step.keyword.clone(),
                text: step.text().into_owned(),
                background: step.background,
                table: step.table(),
                doc_string: step.doc_string(),
            };
            match step.step.kind {
                _ if step.background => sections.preconditions.push(shown),
                StepKind::Given => sections.preconditions.push(shown),
                StepKind::When => sections.actions.push(shown),
                StepKind::Then => sections.expected.push(shown),
            }
        }
        sections
    }
}

/// A case's steps as a tester reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sections {
    /// Background and Given steps.
    pub preconditions: Vec<TesterStep>,
    /// When steps.
    pub actions: Vec<TesterStep>,
    /// Then steps.
    pub expected: Vec<TesterStep>,
}

/// One step as shown to a tester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TesterStep {
    /// The keyword as written.
    pub keyword: Arc<str>,
    /// The text, an outline row's values in place.
    pub text: String,
    /// Whether it comes from a Background.
    pub background: bool,
    /// Its data table.
    pub table: Option<Vec<Vec<String>>>,
    /// Its doc string.
    pub doc_string: Option<String>,
}

impl TesterStep {
    /// The step on one line (marked when it comes from a Background), then its table and doc
    /// string indented below it.
    pub fn lines(&self, indent: &str) -> Vec<String> {
        let from = if self.background {
            "  (Background)"
        } else {
            ""
        };
        let mut lines = vec![format!("{indent}{} {}{from}", self.keyword, self.text)];
        if let Some(table) = &self.table {
            let widths: Vec<usize> = (0..table.iter().map(Vec::len).max().unwrap_or(0))
                .map(|i| {
                    table
                        .iter()
                        .filter_map(|r| r.get(i))
                        .map(|c| c.chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for row in table {
                let cells: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .map(|(cell, width)| format!("{cell:<width$}"))
                    .collect();
                lines.push(format!("{indent}    | {} |", cells.join(" | ")));
            }
        }
        if let Some(doc) = &self.doc_string {
            lines.push(format!("{indent}    \"\"\""));
            lines.extend(doc.lines().map(|l| format!("{indent}    {l}")));
            lines.push(format!("{indent}    \"\"\""));
        }
        lines
    }
}

/// The queue, and what kept cases out of it.
#[derive(Debug, Clone, Default)]
pub struct Queue<'s> {
    /// Every execution to run by hand, in suite order.
    pub items: Vec<Item<'s>>,
    /// Manual cases left out for want of a case ID.
    pub without_id: usize,
    /// Whether the step definitions were known, so that cases awaiting automation could be
    /// found (they are read from the last run's `steps.json`).
    pub bindings_known: bool,
}

/// The queue of `suite`: manual executions, and with its `bindings`, the automated
/// executions that have a step without a single definition; only those `tags` selects, when
/// given.
pub fn build<'s>(
    suite: &'s Suite,
    bindings: Option<&Bindings>,
    tags: Option<&TagOperation>,
) -> Queue<'s> {
    let mut queue = Queue {
        bindings_known: bindings.is_some(),
        ..Queue::default()
    };
    for (number, (feature, case)) in suite.cases().enumerate() {
        let mut counted = false;
        for (index, execution) in case.executions.iter().enumerate() {
            if tags.is_some_and(|tags| !tags.eval(execution.tags.iter())) {
                continue;
            }
            let kind = match case.mode {
                Mode::Manual => Kind::Manual,
                Mode::Automated => {
                    let awaiting = bindings.is_some_and(|bindings| {
                        bindings
                            .of_execution(number, index)
                            .iter()
                            .any(|binding| !matches!(binding, Binding::Bound(_)))
                    });
                    if !awaiting {
                        continue;
                    }
                    Kind::AwaitingAutomation
                }
            };
            let Some(id) = &case.id else {
                if !counted && kind == Kind::Manual {
                    queue.without_id += 1;
                    counted = true;
                }
                continue;
            };
            queue.items.push(Item {
                feature,
                case,
                id: &id.0,
                execution,
                row: execution.row.as_ref().map(|row| row.index_in_outline),
                kind,
                hash: super::case_hash(case, execution),
            });
        }
    }
    queue
}

/// Parses a `--tags` expression as the runner does (`@smoke and not @slow`).
pub fn parse_tags(text: &str) -> Result<TagOperation, TagsError> {
    text.parse().map_err(|err| TagsError {
        text: text.to_owned(),
        reason: format!("{err}"),
    })
}

/// A `--tags` expression that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("invalid tag expression `{text}`: {reason}")]
pub struct TagsError {
    /// The expression as typed.
    pub text: String,
    /// Why it does not parse.
    pub reason: String,
}

#[cfg(test)]
mod tests {

    use super::*;

    use crate::registry::Definition;

    const FEATURE: &str = "Feature: F\n  Background:\n    Given a shop\n\n  @A-1 @manual @ux\n  Scenario: looks\n    Given a page\n    When she looks\n    Then it is fine\n\n  @A-2\n  Scenario: scripted\n    Given a shop\n    Then it works\n\n  @A-3\n  Scenario: not scripted yet\n    Given a shop\n    Then it is new\n\n  @manual\n  Scenario: no ID\n    Then nothing\n\n  @A-4 @manual\n  Scenario Outline: pays with <card>\n    When she pays with <card>\n    Then it says \"<word>\"\n      \"\"\"\n      <word>!\n      \"\"\"\n\n    Examples:\n      | card | word |\n      | visa | yes  |\n      | amex | no   |\n";

    fn suite() -> Suite {
        crate::suite::suite_from("t.feature", FEATURE)
    }

    fn registry() -> crate::registry::Registry {
        let d = |kind, pattern: &str| Definition {
            kind,
            pattern: pattern.into(),
            location: None,
        };
        crate::registry::Registry::from_definitions(vec![
            d(StepKind::Given, "^a shop$"),
            d(StepKind::Then, "^it works$"),
        ])
        .unwrap()
    }

    #[test]
    fn manual_cases_and_cases_awaiting_automation_are_queued() {
        let suite = suite();
        let registry = registry();
        let queue = build(&suite, Some(&Bindings::of(&registry, &suite)), None);
        let items: Vec<(String, Kind)> = queue.items.iter().map(|i| (i.label(), i.kind)).collect();
        assert_eq!(
            items,
            [
                ("A-1".to_owned(), Kind::Manual),
                ("A-3".to_owned(), Kind::AwaitingAutomation),
                ("A-4 row 1".to_owned(), Kind::Manual),
                ("A-4 row 2".to_owned(), Kind::Manual),
            ]
        );
        assert_eq!(queue.without_id, 1);
        assert!(queue.bindings_known);

        let unknown = build(&suite, None, None);
        assert!(!unknown.bindings_known);
        assert_eq!(
            unknown.items.len(),
            3,
            "without steps.json no case is known to await"
        );

        let tags = parse_tags("@ux or @A-3").unwrap();
        let labels: Vec<String> =
            build(&suite, Some(&Bindings::of(&registry, &suite)), Some(&tags))
                .items
                .iter()
                .map(Item::label)
                .collect();
        assert_eq!(labels, ["A-1", "A-3"]);
        assert!(parse_tags("@a and").is_err());
    }

    #[test]
    fn a_tester_reads_preconditions_actions_and_expected_results() {
        let suite = suite();
        let queue = build(&suite, None, None);
        let looks = queue.items[0].sections();
        let texts = |steps: &[TesterStep]| -> Vec<String> {
            steps
                .iter()
                .map(|s| format!("{} {}", s.keyword, s.text))
                .collect()
        };
        assert_eq!(
            texts(&looks.preconditions),
            ["Given a shop", "Given a page"]
        );
        assert!(looks.preconditions[0].background);
        assert_eq!(texts(&looks.actions), ["When she looks"]);
        assert_eq!(texts(&looks.expected), ["Then it is fine"]);

        let amex = &queue.items[2];
        assert_eq!(amex.title(), "pays with amex");
        let sections = amex.sections();
        assert_eq!(texts(&sections.expected), ["Then it says \"no\""]);
        assert_eq!(sections.expected[0].doc_string.as_deref(), Some("no!"));
        assert_ne!(queue.items[1].hash, amex.hash);
    }
}
