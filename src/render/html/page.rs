//! The page as a whole: its view model ([`Page`]), assembled from the parts the sibling
//! modules build, and the outcome vocabulary they share (order, CSS classes).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::cases::{ScriptRow, ScriptView, scripts};
use super::dashboard::{Bar, Number, coverage, numbers, outcome_mix};
use super::failures::{AmbiguousView, FailureView, UnboundView, failures};
use super::requirements::{RequirementView, requirements};
use crate::model::Suite;
use crate::render::Inputs;
use crate::trace::{Definition, Outcome, RequirementStatus};

/// Everything the page shows.
#[derive(Debug, Serialize)]
pub(super) struct Page<'a> {
    pub(super) title: String,
    pub(super) release: Option<String>,
    pub(super) commit: Option<String>,
    pub(super) started_at: String,
    pub(super) finished_at: String,
    pub(super) selection: Vec<(String, String)>,
    pub(super) numbers: Vec<Number>,
    pub(super) outcome_mix: Vec<Bar>,
    pub(super) coverage: Vec<Bar>,
    pub(super) requirements: Vec<RequirementView>,
    pub(super) scripts: Vec<ScriptRow>,
    /// The index of each script in `scripts`, by which the cases name theirs.
    #[serde(skip)]
    pub(super) script_index: BTreeMap<&'a Definition, usize>,
    /// `BeforeAll` and `AfterAll` hooks that failed: hook and error.
    pub(super) run_hook_failures: Vec<(String, String)>,
    pub(super) failures: Vec<FailureView>,
    pub(super) unbound: Vec<UnboundView>,
    pub(super) ambiguous: Vec<AmbiguousView>,
    pub(super) filters: Filters,
}

/// The choices of the filter bar.
#[derive(Debug, Serialize)]
pub(super) struct Filters {
    pub(super) outcomes: Vec<(&'static str, &'static str)>,
    pub(super) tags: Vec<String>,
    pub(super) requirements: Vec<String>,
}

pub(super) fn page<'a>(inputs: &Inputs<'a>) -> Page<'a> {
    let (record, matrix) = (inputs.record, inputs.matrix);
    let title = match &record.release {
        Some(release) => format!("casebook report — {release}"),
        None => "casebook report".to_owned(),
    };
    let (scripts, script_index) = scripts(inputs);
    let filters = Filters {
        outcomes: OUTCOMES.iter().map(|o| (o.css(), o.label())).collect(),
        // The tags the cases show.
        tags: inputs
            .suite
            .cases()
            .flat_map(|(_, case)| case.effective_tags.iter())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|tag| format!("@{tag}"))
            .collect(),
        requirements: matrix.requirements.iter().map(|r| r.id.clone()).collect(),
    };
    Page {
        title,
        release: record.release.clone(),
        commit: record.commit.clone(),
        started_at: record.started_at.clone(),
        finished_at: record.finished_at.clone(),
        selection: selection(record),
        numbers: numbers(inputs),
        outcome_mix: outcome_mix(inputs),
        coverage: coverage(inputs),
        requirements: requirements(inputs),
        scripts,
        script_index,
        run_hook_failures: record
            .run_hook_failures
            .iter()
            .map(|f| (f.hook.clone(), f.error.clone()))
            .collect(),
        failures: failures(inputs),
        unbound: unbound(record, inputs.suite),
        ambiguous: ambiguous(record, inputs.suite),
        filters,
    }
}

/// What the run selected, in words.
fn selection(record: &crate::record::RunRecord) -> Vec<(String, String)> {
    let s = &record.selection;
    let mut selection = Vec::new();
    if let Some(impact) = &s.impact {
        selection.push((
            "impact".to_owned(),
            impact.summary(record.counts.skipped_by_impact),
        ));
    }
    if let Some(tags) = &s.tags {
        selection.push(("tags".to_owned(), tags.clone()));
    }
    if let Some(name) = &s.name {
        selection.push(("name".to_owned(), name.clone()));
    }
    if s.dry_run {
        selection.push(("dry run".to_owned(), "nothing was executed".to_owned()));
    }
    selection.push((
        "strict".to_owned(),
        if s.strict { "yes" } else { "no" }.to_owned(),
    ));
    selection
}

/// The steps no definition matches: specs without a script.
fn unbound(record: &crate::record::RunRecord, suite: &Suite) -> Vec<UnboundView> {
    record
        .unbound_steps
        .iter()
        .map(|u| UnboundView {
            keyword: kind_word(u.kind),
            text: u.text.clone(),
            places: u.places.iter().map(|p| with_cases(p, suite)).collect(),
            snippet: u.snippet.clone(),
        })
        .collect()
}

/// A step's place (`path:line`) with the IDs of the cases that run it: a reader of the
/// page knows cases by their IDs.
fn with_cases(place: &str, suite: &Suite) -> String {
    let Some((path, line)) = place.rsplit_once(':') else {
        return place.to_owned();
    };
    let Ok(line) = line.parse::<usize>() else {
        return place.to_owned();
    };
    let ids: Vec<&str> = suite
        .cases()
        .filter(|(feature, _)| feature.path.as_ref() == std::path::Path::new(path))
        .filter(|(_, case)| case.all_steps().any(|step| step.location.line == line))
        .filter_map(|(_, case)| case.id.as_ref().map(|id| id.0.as_str()))
        .collect();
    match ids.as_slice() {
        [] => place.to_owned(),
        ids => format!("{place} ({})", ids.join(", ")),
    }
}

/// The steps several definitions match.
fn ambiguous(record: &crate::record::RunRecord, suite: &Suite) -> Vec<AmbiguousView> {
    record
        .ambiguous_steps
        .iter()
        .map(|a| AmbiguousView {
            text: a.text.clone(),
            places: a.places.iter().map(|p| with_cases(p, suite)).collect(),
            definitions: a
                .definitions
                .iter()
                .map(|d| ScriptView {
                    pattern: d.display_pattern(),
                    location: d.location_text(),
                })
                .collect(),
        })
        .collect()
}

pub(super) fn kind_word(kind: crate::model::StepKind) -> &'static str {
    match kind {
        crate::model::StepKind::Given => "Given",
        crate::model::StepKind::When => "When",
        crate::model::StepKind::Then => "Then",
    }
}

/// Every outcome a case can show, worst first: the order of the legend and the filter.
pub(super) const OUTCOMES: [Outcome; 9] = [
    Outcome::Failed,
    Outcome::Ambiguous,
    Outcome::Unbound,
    Outcome::Blocked,
    Outcome::Skipped,
    Outcome::Stale,
    Outcome::NotRun,
    Outcome::Flaky,
    Outcome::Passed,
];

/// The CSS class and filter value of an outcome.
pub(super) trait Css {
    fn css(self) -> &'static str;
}

impl Css for Outcome {
    fn css(self) -> &'static str {
        match self {
            Outcome::NotRun => "not-run",
            other => other.label(),
        }
    }
}

impl Css for RequirementStatus {
    fn css(self) -> &'static str {
        match self {
            RequirementStatus::PolicyViolation => "policy-violation",
            RequirementStatus::NotRun => "not-run",
            other => other.label(),
        }
    }
}
