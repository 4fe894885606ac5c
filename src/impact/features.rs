//! The feature tier: which executions a change to feature files asks to run again.
//!
//! Both versions of each changed file are read as the suite reads them, and each case is
//! compared with its earlier self (found by its ID in any changed file, so a case that moved
//! to another file is the same case; without an ID, by file and title). What an execution
//! runs is its Background, its steps and its Examples row; tags, titles and descriptions
//! change no behaviour, and are noted rather than selected.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::TagConventions;
use crate::location::{absolute, display_path};
use crate::model::{Case, Mode, Step, Suite};
use crate::{parse, suite};

use super::{Impact, Reason};

/// One changed feature file: its earlier path and text (`None` when the change adds it) and
/// its path now, absolute (`None` when the change deletes it).
#[derive(Debug)]
pub struct ChangedFeature {
    /// The path before the change, absolute.
    pub old_path: Option<PathBuf>,
    /// The text before the change.
    pub old_text: Option<String>,
    /// The path now, absolute.
    pub new_path: Option<PathBuf>,
}

/// How a case is found in the other version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Id(String),
    Title(PathBuf, String),
}

/// Adds to `impact` what the changes in `files` select in `suite` (the suite as it is now).
pub fn compare(
    files: &[ChangedFeature],
    suite: &Suite,
    conventions: &TagConventions,
    impact: &mut Impact,
) {
    let mut before: HashMap<Key, Case> = HashMap::new();
    for file in files {
        let (Some(path), Some(text)) = (&file.old_path, &file.old_text) else {
            continue;
        };
        let shown: Arc<Path> = display_path(path);
        match parse::parse_str(text, shown.clone()) {
            Ok(feature) => {
                for case in suite::classify(feature, conventions).cases {
                    before.insert(key(&case, path), case);
                }
            }
            Err(_) => impact.note(Reason::file(
                "did not parse before the change: every case of it is new",
                &shown,
            )),
        }
    }
    let changed_now: Vec<&PathBuf> = files.iter().filter_map(|f| f.new_path.as_ref()).collect();
    for (number, (feature, case)) in suite.cases().enumerate() {
        let path = absolute(&feature.path);
        if !changed_now.contains(&&path) {
            continue;
        }
        match before.remove(&key(case, &path)) {
            None => impact.select_case(number, case, Reason::at("a new case", &case.location)),
            Some(old) => compare_case(number, &old, case, impact),
        }
    }
    for path in changed_now {
        if let Some(failure) = suite.failures.iter().find(|f| absolute(&f.path) == *path) {
            impact.note(Reason::file(
                "does not parse: its cases cannot run (`casebook lint` shows why)",
                &failure.path,
            ));
        }
    }
    let mut removed: Vec<Case> = before.into_values().collect();
    removed.sort_by(|a, b| a.location.cmp(&b.location));
    for case in removed {
        let name = case
            .id
            .as_ref()
            .map_or(case.title.clone(), |id| format!("{id} {}", case.title));
        impact.note(Reason::at(&format!("case removed: {name}"), &case.location));
    }
}

/// Selects the executions of `new` that run differently from `old`'s.
fn compare_case(number: usize, old: &Case, new: &Case, impact: &mut Impact) {
    let background = !same_steps(&old.background, &new.background);
    let steps = !same_steps(&old.steps, &new.steps);
    let automated = old.mode == Mode::Manual && new.mode == Mode::Automated;
    let old_rows: Vec<_> = old
        .executions
        .iter()
        .map(|e| e.row.as_ref().map(|r| &r.values))
        .collect();
    let mut selected = false;
    for (index, execution) in new.executions.iter().enumerate() {
        let why = if background {
            let line = new
                .background
                .first()
                .map_or(&new.location, |step| &step.location);
            Reason::at("its Background changed", line)
        } else if steps {
            let line =
                first_changed(&old.steps, &new.steps).map_or(&new.location, |step| &step.location);
            Reason::at("its steps changed", line)
        } else if automated {
            Reason::at("it is automated now (it was manual)", &new.location)
        } else if !old_rows.contains(&execution.row.as_ref().map(|r| &r.values)) {
            let line = execution
                .row
                .as_ref()
                .map_or(&new.location, |row| &row.location);
            Reason::at("its Examples row is new or changed", line)
        } else {
            continue;
        };
        selected = true;
        impact.select(number, index, why);
    }
    let retitled = old.title != new.title || old.description != new.description;
    let retagged = old.effective_tags != new.effective_tags || old.mode != new.mode;
    if !selected && (retitled || retagged) {
        let what = match (retitled, retagged) {
            (true, true) => "title and tags",
            (true, false) => "title or description",
            _ => "tags",
        };
        impact.note(Reason::at(
            &format!("only its {what} changed, which changes no behaviour: not selected"),
            &new.location,
        ));
    }
}

/// Whether two step lists run the same: kind, text, data table and doc string, whatever
/// keyword (`And`, `Given`) they are written with.
fn same_steps(old: &[Step], new: &[Step]) -> bool {
    old.len() == new.len() && first_changed(old, new).is_none()
}

/// The first step of `new` that differs from the step at its place in `old`.
fn first_changed<'n>(old: &[Step], new: &'n [Step]) -> Option<&'n Step> {
    let differs = |a: &Step, b: &Step| {
        a.kind != b.kind
            || a.text != b.text
            || a.table.as_ref().map(|t| &t.rows) != b.table.as_ref().map(|t| &t.rows)
            || a.doc_string.as_ref().map(|d| (&d.content, &d.media_type))
                != b.doc_string.as_ref().map(|d| (&d.content, &d.media_type))
    };
    new.iter()
        .enumerate()
        .find(|(index, step)| old.get(*index).is_none_or(|before| differs(before, step)))
        .map(|(_, step)| step)
        .or_else(|| (old.len() > new.len()).then(|| new.last()).flatten())
}

fn key(case: &Case, path: &Path) -> Key {
    match &case.id {
        Some(id) => Key::Id(id.0.clone()),
        None => Key::Title(path.to_path_buf(), case.title.clone()),
    }
}
