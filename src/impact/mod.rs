//! Stage: impact — from a change (git since a revision, or a unified diff) to the executions
//! it can break, each with the reason it was chosen.
//!
//! Every changed file goes to one tier: feature files are compared case by case
//! ([`features`]), the step crate's Rust item by item ([`source`]), the requirement catalog
//! entry by entry; the configuration, `Cargo.toml`, `Cargo.lock` and any file no tier can
//! read select the whole suite, and the files `[impact] ignore` names select nothing. What
//! a change touches but selects nothing (a title, a tag, a removed case) is noted, so that
//! an empty selection always says why it is empty.

pub mod diff;
mod features;
mod git;
mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cucumber::tag::Ext as _;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::location::{Location, absolute, display_path};
use crate::model::{Case, Mode, Suite};
use crate::registry::Bindings;

use features::ChangedFeature;
use source::SourceFile;

/// Why an execution was selected, or why a change selected nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Reason {
    /// In words.
    pub why: String,
    /// The file it is about, as shown, when there is one.
    pub file: Option<String>,
    /// The line of `file` it is about, when it is about one line.
    pub line: Option<usize>,
}

impl Reason {
    /// A reason about nothing in particular.
    pub fn new(why: String) -> Self {
        Self {
            why,
            file: None,
            line: None,
        }
    }

    /// A reason about a place.
    pub fn at(why: &str, at: &Location) -> Self {
        Self {
            why: why.to_owned(),
            file: Some(at.path.display().to_string()),
            line: Some(at.line),
        }
    }

    /// A reason about a file as a whole.
    pub fn file(why: &str, path: &Path) -> Self {
        Self {
            why: why.to_owned(),
            file: Some(display_path(path).display().to_string()),
            line: None,
        }
    }
}

/// The revision a change is measured from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Base {
    /// As the user named it (`main`, `HEAD~3`).
    pub revision: String,
    /// The commit where the work tree left it (`git merge-base`).
    pub commit: String,
}

/// What a change selects.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    /// The revision, for a change read from git.
    pub base: Option<Base>,
    /// Why every execution is selected; empty when the selection is narrower.
    pub whole_suite: Vec<Reason>,
    /// The selected executions, by case number (in suite order) and execution, with why.
    pub selected: BTreeMap<(usize, usize), Vec<Reason>>,
    /// What changed without selecting anything, and why.
    pub notes: Vec<Reason>,
    /// The files the change touches, relative to the root, as shown.
    pub files: Vec<PathBuf>,
}

impl Impact {
    /// Whether execution `execution` of case number `case` is to run.
    pub fn selects(&self, case: usize, execution: usize) -> bool {
        !self.whole_suite.is_empty() || self.selected.contains_key(&(case, execution))
    }

    /// The reasons execution `execution` of case number `case` was selected for.
    pub fn reasons(&self, case: usize, execution: usize) -> &[Reason] {
        self.selected
            .get(&(case, execution))
            .map_or(&[], Vec::as_slice)
    }

    fn select(&mut self, case: usize, execution: usize, reason: Reason) {
        let reasons = self.selected.entry((case, execution)).or_default();
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }

    fn select_case(&mut self, number: usize, case: &Case, reason: Reason) {
        for execution in 0..case.executions.len() {
            self.select(number, execution, reason.clone());
        }
    }

    fn whole(&mut self, reason: Reason) {
        if !self.whole_suite.contains(&reason) {
            self.whole_suite.push(reason);
        }
    }

    fn note(&mut self, reason: Reason) {
        if !self.notes.contains(&reason) {
            self.notes.push(reason);
        }
    }
}

/// A change that cannot be read, or does not fit the tree.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--since` outside a git work tree.
    #[error(
        "`{}` is not inside a git repository, so there is no history to compare with\n(hint: pass the change as a unified diff with --diff FILE)",
        .0.display()
    )]
    NotARepository(PathBuf),
    /// The revision does not name a commit.
    #[error("unknown revision `{revision}`{}", shallow_hint(*shallow))]
    UnknownRevision {
        /// As given.
        revision: String,
        /// Whether the clone is shallow (the commit may exist, but not here).
        shallow: bool,
    },
    /// The revision and the work tree share no commit.
    #[error("`{revision}` and HEAD share no commit that this clone has{}", shallow_hint(*shallow))]
    NoBase {
        /// As given.
        revision: String,
        /// Whether the clone is shallow.
        shallow: bool,
    },
    /// git cannot be started.
    #[error("cannot run git: {source}")]
    NoGit {
        /// Why.
        source: std::io::Error,
    },
    /// A git command failed.
    #[error("`{command}` failed: {stderr}")]
    Git {
        /// The command.
        command: String,
        /// What it said.
        stderr: String,
    },
    /// The diff file cannot be read.
    #[error("cannot read the diff `{}`: {source}", path.display())]
    ReadDiff {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The diff is not a unified diff.
    #[error("{}:{}: {}", path.display(), source.line, source.message)]
    Diff {
        /// The diff file.
        path: PathBuf,
        /// Where and why.
        source: diff::DiffError,
    },
    /// A file of the diff is not in the tree as the diff expects it.
    #[error("the diff does not apply to this tree: {}:{}: {why} (diff line {diff_line})\n(hint: make the diff against this tree, e.g. `git diff BASE > change.diff`)", file.display(), line)]
    DoesNotApply {
        /// The file of the tree.
        file: PathBuf,
        /// Its line.
        line: usize,
        /// What is wrong.
        why: String,
        /// The line of the diff.
        diff_line: usize,
    },
}

fn shallow_hint(shallow: bool) -> &'static str {
    if shallow {
        "\n(hint: this is a shallow clone, which may not have it: fetch more history with `git fetch --deepen=100` or `git fetch --unshallow`, or in CI check out with full depth)"
    } else {
        "\n(hint: name a branch, a tag or a commit: `main`, `origin/main`, `v1.2`, `HEAD~3`)"
    }
}

/// A change: the files it touches, each before and after.
#[derive(Debug, Default)]
pub struct Change {
    /// The revision, when it comes from git.
    pub base: Option<Base>,
    /// The touched files.
    pub files: Vec<ChangedFile>,
}

/// One touched file.
#[derive(Debug)]
pub struct ChangedFile {
    /// Its path before, absolute; `None` when the change adds it.
    pub old_path: Option<PathBuf>,
    /// Its path now, absolute; `None` when the change deletes it.
    pub new_path: Option<PathBuf>,
    /// Its text before, when it was a text file that existed.
    pub old_text: Option<String>,
}

impl ChangedFile {
    /// Its path now, or before when it is deleted.
    pub fn path(&self) -> &Path {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .expect("a changed file has a path")
    }
}

/// The change git sees in the work tree of `dir` since `revision`: commits since the merge
/// base, staged and unstaged edits, and files git does not track yet.
pub fn since(dir: &Path, revision: &str) -> Result<Change, Error> {
    let root = git::toplevel(dir)?;
    let commit = git::base(&root, revision)?;
    let (text, untracked) = git::changes(&root, &commit)?;
    let origin = PathBuf::from(format!("git diff {commit}"));
    let mut change = apply(&root, &text, &origin)?;
    for path in untracked {
        change.files.push(ChangedFile {
            old_path: None,
            new_path: Some(root.join(path)),
            old_text: None,
        });
    }
    change.base = Some(Base {
        revision: revision.to_owned(),
        commit,
    });
    Ok(change)
}

/// The change a unified diff describes, against the work tree of `dir` (its paths are
/// relative to the repository's top directory, or to `dir` outside a repository). `origin`
/// names the diff in errors.
pub fn from_diff(dir: &Path, text: &str, origin: &Path) -> Result<Change, Error> {
    let root = git::toplevel(dir).unwrap_or_else(|_| dir.to_path_buf());
    apply(&root, text, origin)
}

/// Reads `text` as a diff of the files under `root`, undoing each file's hunks to find its
/// earlier text.
fn apply(root: &Path, text: &str, origin: &Path) -> Result<Change, Error> {
    let files = diff::parse(text).map_err(|source| Error::Diff {
        path: origin.to_path_buf(),
        source,
    })?;
    let mut change = Change::default();
    for file in files {
        let old_path = file.old_path.as_ref().map(|p| absolute(&root.join(p)));
        let new_path = file.new_path.as_ref().map(|p| absolute(&root.join(p)));
        let current = match &new_path {
            Some(path) if !file.binary => match std::fs::read(path) {
                Ok(bytes) => String::from_utf8(bytes).ok(),
                Err(err) => {
                    return Err(Error::DoesNotApply {
                        file: display_path(path).to_path_buf(),
                        line: 1,
                        why: format!("cannot read it ({err})"),
                        diff_line: file.line,
                    });
                }
            },
            _ => None,
        };
        let old_text = if file.binary
            || file.old_path.is_none()
            || (new_path.is_some() && current.is_none())
        {
            None
        } else {
            let undone =
                file.old_text(current.as_deref())
                    .map_err(|mismatch| Error::DoesNotApply {
                        file: display_path(
                            file.new_path
                                .as_deref()
                                .or(file.old_path.as_deref())
                                .unwrap_or(origin),
                        )
                        .to_path_buf(),
                        line: mismatch.line,
                        why: "the file has other lines there than the diff expects".into(),
                        diff_line: mismatch.diff_line,
                    })?;
            Some(undone)
        };
        change.files.push(ChangedFile {
            old_path,
            new_path,
            old_text,
        });
    }
    Ok(change)
}

/// What the selection reads of the project: the suite and catalog as they are now, the
/// bindings of its steps, and the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Project<'p> {
    /// The configuration.
    pub config: &'p Config,
    /// The suite now.
    pub suite: &'p Suite,
    /// How its steps bind, when the step definitions are known.
    pub bindings: Option<&'p Bindings>,
    /// The requirement catalog now.
    pub catalog: Option<&'p Catalog>,
}

/// Which executions of `project` the change can break, and why.
pub fn select(change: &Change, project: Project<'_>) -> Impact {
    let mut impact = Impact {
        base: change.base.clone(),
        ..Impact::default()
    };
    let config = project.config;
    let root = absolute(&config.root);
    let step_dirs = step_dirs(project.bindings);
    let mut feature_files = Vec::new();
    let mut source_changes = Vec::new();
    for file in &change.files {
        let path = file.path();
        let shown = display_path(path).to_path_buf();
        impact.files.push(shown.clone());
        let under = |dir: &Path| path.starts_with(absolute(dir));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let relative = path.strip_prefix(&root).unwrap_or(path);
        if config.file.as_deref().is_some_and(|f| absolute(f) == path)
            || ["Cargo.toml", "Cargo.lock", crate::config::FILE_NAME].contains(&name)
        {
            impact.whole(Reason::file(
                &format!("`{name}` changed: it can change how every case runs"),
                path,
            ));
        } else if under(&config.features) && crate::parse::is_feature_file(path) {
            feature_files.push(ChangedFeature {
                old_path: file
                    .old_path
                    .clone()
                    .filter(|p| crate::parse::is_feature_file(p)),
                old_text: file.old_text.clone(),
                new_path: file.new_path.clone(),
            });
        } else if absolute(&config.requirements) == path {
            requirements(file, project, &mut impact);
        } else if under(&config.manual_results) {
            impact.note(Reason::file(
                "a tester's results: they change no case",
                path,
            ));
        } else if name.ends_with(".rs") && step_dirs.iter().any(|dir| path.starts_with(dir)) {
            source_changes.push(file);
        } else if config.impact.ignore.is_match(relative) {
            impact.note(Reason::file(
                "`[impact] ignore` names it: it changes no case",
                path,
            ));
        } else if name.ends_with(".rs") && step_dirs.is_empty() {
            impact.whole(Reason::file(
                "Rust changed, and no step definitions are known to map it to cases\n(hint: run the harness once, `cargo test --test specs -- --dry-run` is enough, so that steps.json says where they are)",
                path,
            ));
        } else {
            impact.whole(Reason::file(
                "not a feature file, a step definition or the requirement catalog: what it changes cannot be told",
                path,
            ));
        }
    }
    features::compare(&feature_files, project.suite, &config.tags, &mut impact);
    if !source_changes.is_empty()
        && let Some(bindings) = project.bindings
    {
        let files = source_files(&step_dirs, &source_changes);
        source::compare(&files, project.suite, bindings, &mut impact);
    }
    always(project, &mut impact);
    impact
}

/// The directories of the files the step definitions are in, absolute, outermost only.
fn step_dirs(bindings: Option<&Bindings>) -> Vec<PathBuf> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for definition in bindings.map_or(&[][..], Bindings::definitions) {
        if let Some(parent) = definition.location.as_ref().and_then(|l| l.path.parent()) {
            dirs.insert(absolute(parent));
        }
    }
    let all: Vec<PathBuf> = dirs.iter().cloned().collect();
    dirs.into_iter()
        .filter(|dir| {
            !all.iter()
                .any(|other| other != dir && dir.starts_with(other))
        })
        .collect()
}

/// Every Rust file under the step directories, now, and the changed ones before too.
fn source_files(step_dirs: &[PathBuf], changed: &[&ChangedFile]) -> Vec<SourceFile> {
    let mut files: BTreeMap<PathBuf, SourceFile> = BTreeMap::new();
    for dir in step_dirs {
        for entry in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "rs") {
                let path = absolute(path);
                let new = std::fs::read_to_string(&path).ok();
                files.insert(
                    path.clone(),
                    SourceFile {
                        path,
                        new,
                        old: None,
                    },
                );
            }
        }
    }
    for file in changed {
        // The earlier text of a renamed file belongs with its new name.
        let path = file.path().to_path_buf();
        let entry = files.entry(path.clone()).or_insert_with(|| SourceFile {
            path,
            new: None,
            old: None,
        });
        entry.old = Some(file.old_text.clone());
    }
    files.into_values().collect()
}

/// The requirement tier: entries that differ select the cases covering them or a
/// requirement below them.
fn requirements(file: &ChangedFile, project: Project<'_>, impact: &mut Impact) {
    let table = |text: Option<&str>| -> Option<toml::Table> {
        text.map_or(Some(toml::Table::new()), |t| t.parse().ok())
    };
    let now = file
        .new_path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok());
    let shown = display_path(file.path()).to_path_buf();
    let (Some(before), Some(after)) = (table(file.old_text.as_deref()), table(now.as_deref()))
    else {
        impact.whole(Reason::file(
            "the requirement catalog does not parse on one side of the change",
            &shown,
        ));
        return;
    };
    let ids: BTreeSet<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|id| before.get(*id) != after.get(*id))
        .collect();
    if ids.is_empty() {
        impact.note(Reason::file(
            "the requirement catalog changed no entry",
            &shown,
        ));
        return;
    }
    let covers = |id: &str, changed: &str| -> bool {
        let mut at = Some(id.to_owned());
        let mut seen = 0;
        while let Some(current) = at {
            if current == changed {
                return true;
            }
            seen += 1;
            at = project
                .catalog
                .and_then(|c| c.get(&current))
                .and_then(|r| r.parent.as_ref())
                .map(|p| p.0.clone())
                .filter(|_| seen < 64);
        }
        false
    };
    for (number, (_, case)) in project.suite.cases().enumerate() {
        for (index, execution) in case.executions.iter().enumerate() {
            for id in &ids {
                if execution.requirements.iter().any(|r| covers(&r.0, id)) {
                    let at = project
                        .catalog
                        .and_then(|c| c.get(id))
                        .map(|r| &r.location)
                        .unwrap_or(&case.location);
                    impact.select(
                        number,
                        index,
                        Reason::at(&format!("it covers requirement {id}, which changed"), at),
                    );
                }
            }
        }
    }
}

/// The cases `[impact] always` names, in every selection.
fn always(project: Project<'_>, impact: &mut Impact) {
    let Some((text, expression)) = &project.config.impact.always else {
        return;
    };
    for (number, (_, case)) in project.suite.cases().enumerate() {
        for (index, execution) in case.executions.iter().enumerate() {
            if expression.eval(execution.tags.iter()) {
                impact.select(
                    number,
                    index,
                    Reason::at(
                        &format!("`[impact] always = \"{text}\"` names it"),
                        &case.location,
                    ),
                );
            }
        }
    }
}

/// The tag expression that selects the cases of `impact` in the harness (`--tags`): the
/// selected cases' IDs joined by `or`; empty when the whole suite is selected (no filter).
/// A selected case without an ID cannot be named by a tag: it is returned as the error.
pub fn tag_expression<'s>(impact: &Impact, suite: &'s Suite) -> Result<String, &'s Case> {
    if !impact.whole_suite.is_empty() {
        return Ok(String::new());
    }
    let cases: Vec<&Case> = suite.cases().map(|(_, case)| case).collect();
    let mut ids = Vec::new();
    for &(number, _) in impact.selected.keys() {
        let case = cases[number];
        if case.mode == Mode::Manual {
            continue;
        }
        let id = case.id.as_ref().ok_or(case)?;
        let tag = format!("@{}", id.0);
        if ids.last() != Some(&tag) {
            ids.push(tag);
        }
    }
    if ids.is_empty() {
        return Ok(NOTHING.to_owned());
    }
    Ok(ids.join(" or "))
}

/// A tag expression that no case matches: the selection of a change that selects nothing.
pub const NOTHING: &str = "@casebook:none and not @casebook:none";
