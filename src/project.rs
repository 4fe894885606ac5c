//! A [`Project`]: the suite and the catalog of one project, loaded as its config says.
//!
//! This is where the stages meet for the commands and the test harness: it reads the
//! feature files (parse + suite), reads the catalog, and hands both to lint, and to trace
//! and render once there is a run.

use std::path::{Path, PathBuf};

use crate::catalog::{self, Catalog};
use crate::config::Config;
use crate::lint::{self, Context, Diagnostic, Severity, Summary, format::Sources};
use crate::manual::Ledger;
use crate::model::Suite;
use crate::record::RunRecord;
use crate::registry::{Bindings, Registry};
use crate::render::WriteError;
use crate::suite;
use crate::trace::TraceMatrix;

/// A project's suite and catalog.
#[derive(Debug)]
pub struct Project {
    /// The configuration it was loaded with.
    pub config: Config,
    /// Every feature file, read and classified.
    pub suite: Suite,
    /// The catalog as read, with its problems; `None` when the file does not exist.
    pub catalog: Option<catalog::Loaded>,
    /// The step definitions, from where [`Project::load`] was told ([`Steps`]); `None` when
    /// there are none to read.
    pub registry: Option<Registry>,
    /// How every step of the suite binds to `registry`: made once, when the registry is
    /// known, and read by lint, the run, the manual queue and the matrix.
    pub bindings: Option<Bindings>,
    /// The lint settings of the configuration, checked against the rules.
    pub lint: lint::Settings,
}

/// Where a project's step definitions come from.
#[derive(Debug)]
pub enum Steps<'a> {
    /// The `steps.json` that the last harness run saved in this report directory: the
    /// commands need no build. A missing or unreadable file means no definitions, and the
    /// step checks are skipped.
    Saved(&'a ReportDir),
    /// The definitions compiled into this process (the harness's).
    Compiled(Box<Registry>),
}

/// The report directory in use, resolved once (`--report-dir`, else `report-dir` in
/// `casebook.toml`), and the names of the files casebook keeps in it besides the reports
/// that [`render`](crate::render) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDir(PathBuf);

impl ReportDir {
    /// `explicit` (`--report-dir`) when given, else the configured one.
    pub fn resolve(explicit: Option<&Path>, config: &Config) -> Self {
        ReportDir(explicit.map_or_else(|| config.report_dir.clone(), Path::to_path_buf))
    }

    /// The one `casebook.toml` names.
    pub fn configured(config: &Config) -> Self {
        Self::resolve(None, config)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The run's record.
    pub fn run_json(&self) -> PathBuf {
        self.0.join("run.json")
    }

    /// The step definitions of the last harness run.
    pub fn steps_json(&self) -> PathBuf {
        self.0.join("steps.json")
    }

    /// Every lint finding of the last harness run.
    pub fn lint_json(&self) -> PathBuf {
        self.0.join("lint.json")
    }

    /// The run's Cucumber Messages stream.
    pub fn messages(&self) -> PathBuf {
        self.0.join(crate::run::MESSAGES)
    }

    /// Removes the reports and messages of an earlier run, which a dry run does not write:
    /// they would no longer describe its `run.json`. Only the files the list of outputs
    /// names go, and only report names: the directory may be the user's own (`--report-dir
    /// .`), with a `summary.md` casebook never wrote.
    pub fn remove_reports(&self) -> Result<(), WriteError> {
        let list = self.0.join(OUTPUTS);
        let text = match std::fs::read_to_string(&list) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => return Err(WriteError { path: list, source }),
        };
        let ours: Vec<&str> = crate::render::names()
            .chain([crate::run::MESSAGES])
            .collect();
        for name in text.lines().filter(|name| ours.contains(name)) {
            remove(&self.0.join(name))?;
        }
        remove(&list)
    }

    /// Notes the report files casebook wrote (`written`, and the messages when the run wrote
    /// them), so that [`remove_reports`](Self::remove_reports) removes those and no other.
    pub fn record_outputs(&self, written: &[PathBuf]) -> Result<(), WriteError> {
        let mut text = String::new();
        let messages = self.messages();
        let files = written
            .iter()
            .chain(messages.is_file().then_some(&messages));
        for name in files.filter_map(|path| path.file_name()?.to_str()) {
            text.push_str(name);
            text.push('\n');
        }
        let path = self.0.join(OUTPUTS);
        crate::output::write_atomic(&path, text.as_bytes())
            .map_err(|source| WriteError { path, source })
    }
}

/// The list of the report files casebook wrote into a report directory.
const OUTPUTS: &str = ".casebook-outputs";

/// Removes `path`, which may be gone already.
fn remove(path: &Path) -> Result<(), WriteError> {
    match std::fs::remove_file(path) {
        Err(source) if source.kind() != std::io::ErrorKind::NotFound => Err(WriteError {
            path: path.to_path_buf(),
            source,
        }),
        _ => Ok(()),
    }
}

/// A project that cannot be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The features directory does not exist and no other feature path was given.
    #[error(
        "there is no features directory `{}`\n(hint: run casebook in the project's root, set `features` in casebook.toml, or name feature files)",
        .0.display()
    )]
    NoFeatures(PathBuf),
    /// `requirements` is set in `casebook.toml` but the file cannot be read.
    #[error("cannot read the requirement catalog `{}`: {source}", path.display())]
    Catalog {
        /// The catalog's path.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// `[lint]` in `casebook.toml` names a rule that does not exist.
    #[error(transparent)]
    Lint(crate::config::Error),
}

impl Project {
    /// Reads the features directory and the catalog of `config`, plus any `extra` feature
    /// files or directories, and the step definitions from `steps`.
    pub fn load(config: Config, extra: &[PathBuf], steps: Steps<'_>) -> Result<Self, Error> {
        let lint = lint::Settings::resolve(&config.lint, lint::rules::ALL).map_err(Error::Lint)?;
        let mut roots = vec![config.features.clone()];
        roots.extend(extra.iter().cloned());
        if !config.features.exists() {
            // `casebook lint PATH` must work in a project that keeps its cases elsewhere;
            // with no path at all, an empty pass would only hide a wrong directory.
            if extra.is_empty() {
                return Err(Error::NoFeatures(
                    crate::location::display_path(&config.features).to_path_buf(),
                ));
            }
            roots.remove(0);
        }
        let suite = suite::load(&roots, &config.tags);
        let catalog = match catalog::load(&config.requirements) {
            Ok(loaded) => Some(loaded),
            Err(err)
                if err.kind() == std::io::ErrorKind::NotFound && !config.requirements_explicit =>
            {
                None
            }
            Err(source) => {
                return Err(Error::Catalog {
                    path: config.requirements.clone(),
                    source,
                });
            }
        };
        let registry = match steps {
            // A missing or unreadable steps.json only means the step checks are skipped: lint
            // must work before the first harness run, and never needs a build.
            Steps::Saved(dir) => {
                let saved = dir.steps_json();
                saved
                    .is_file()
                    .then(|| Registry::load(&saved).ok())
                    .flatten()
            }
            Steps::Compiled(registry) => Some(*registry),
        };
        let bindings = registry
            .as_ref()
            .map(|registry| Bindings::of(registry, &suite));
        Ok(Self {
            config,
            suite,
            catalog,
            registry,
            bindings,
            lint,
        })
    }

    /// The catalog, when there is a readable one.
    pub fn catalog(&self) -> Option<&Catalog> {
        self.catalog
            .as_ref()
            .and_then(|loaded| loaded.catalog.as_ref())
    }

    /// What the lint rules look at.
    pub fn lint_context(&self) -> Context<'_> {
        Context {
            suite: &self.suite,
            catalog: self.catalog(),
            catalog_problems: self.catalog.as_ref().map_or(&[], |loaded| &loaded.problems),
            missing_catalog: self.catalog.is_none().then_some(&self.config.requirements),
            conventions: &self.config.tags,
            settings: &self.lint,
            bindings: self.bindings.as_ref(),
        }
    }

    /// Runs every lint rule over the whole project; returns the findings inside `scope`
    /// (files or directories; empty means everything) and their counts.
    ///
    /// The whole suite is always checked, so that a case ID in scope that repeats one
    /// outside it is still found.
    pub fn lint(&self, scope: &[PathBuf]) -> (Vec<Diagnostic>, Summary) {
        let cx = self.lint_context();
        let scope = Scope::new(scope);
        let in_scope = |path: &Path| scope.contains(path);
        let mut diagnostics = lint::check(&cx);
        diagnostics.retain(|d| in_scope(&d.location.path));
        let count = |severity| {
            diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .count()
        };
        let summary = Summary {
            files: self
                .suite
                .features
                .iter()
                .filter(|f| in_scope(&f.path))
                .count()
                + self
                    .suite
                    .failures
                    .iter()
                    .filter(|f| in_scope(&f.path))
                    .count(),
            cases: self
                .suite
                .cases()
                .filter(|(f, _)| in_scope(&f.path))
                .count(),
            requirements: self.catalog().map_or(0, |c| c.requirements.len()),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
        };
        (diagnostics, summary)
    }

    /// The traceability matrix of `record`, with the testers' results in `manual`.
    pub fn matrix(&self, record: &RunRecord, manual: &Ledger) -> TraceMatrix {
        crate::trace::build(
            &self.suite,
            self.catalog(),
            self.bindings.as_ref(),
            record,
            Some(manual),
            &self.config.run.redactor,
        )
    }

    /// Builds the traceability matrix of `record` (with the testers' results in `manual`)
    /// and writes every report into `dir`, the report directory the record's attachments
    /// are in. Returns the matrix, which the terminal shows too, and the files written (or
    /// the one that could not be: the matrix is there to show all the same).
    pub fn write_reports(
        &self,
        report_dir: &ReportDir,
        record: &RunRecord,
        manual: &Ledger,
    ) -> (TraceMatrix, Result<Vec<PathBuf>, WriteError>) {
        let matrix = self.matrix(record, manual);
        let dir = report_dir.path();
        let attachments = crate::render::AttachmentFiles::read(dir, record);
        let inputs = crate::render::Inputs {
            suite: &self.suite,
            catalog: self.catalog(),
            record,
            matrix: &matrix,
            attachments: &attachments,
            config: &self.config,
        };
        let written = crate::render::write_all(dir, &inputs)
            .and_then(|written| report_dir.record_outputs(&written).map(|()| written));
        (matrix, written)
    }

    /// The text of every file a diagnostic may point into.
    pub fn sources(&self) -> Sources {
        let mut sources = Sources::default();
        for feature in &self.suite.features {
            sources.add(feature.path.clone(), feature.source.clone());
        }
        for failure in &self.suite.failures {
            sources.add(failure.path.clone(), failure.source.clone());
        }
        if let Some(catalog) = self.catalog() {
            sources.add(catalog.path.clone(), catalog.source.clone());
        }
        sources
    }
}

/// Files or directories to report on (empty: everything), resolved against the current
/// directory read once: the lint asks for every finding, case and file.
struct Scope {
    /// The directory relative paths start from.
    cwd: PathBuf,
    /// The roots, absolute.
    roots: Vec<PathBuf>,
}

impl Scope {
    fn new(roots: &[PathBuf]) -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        let roots = roots
            .iter()
            .map(|root| crate::location::normalize(&cwd.join(root)))
            .collect();
        Scope { cwd, roots }
    }

    /// Whether `path` lies inside any root.
    fn contains(&self, path: &Path) -> bool {
        if self.roots.is_empty() {
            return true;
        }
        let absolute = crate::location::normalize(&self.cwd.join(path));
        self.roots.iter().any(|root| absolute.starts_with(root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_steps_are_read_from_the_report_directory_in_use() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("casebook.toml"), "").unwrap();
        std::fs::create_dir(root.path().join("features")).unwrap();
        let config = Config::discover(root.path()).unwrap();
        let elsewhere = root.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let registry = Registry::collect::<crate::World>();
        assert!(!registry.definitions().is_empty());
        std::fs::write(elsewhere.join("steps.json"), registry.to_json()).unwrap();

        let configured = ReportDir::configured(&config);
        let given = ReportDir::resolve(Some(&elsewhere), &config);
        assert_eq!(configured.path(), config.report_dir);
        assert_eq!(given.steps_json(), elsewhere.join("steps.json"));
        let load = |dir| Project::load(config.clone(), &[], Steps::Saved(dir)).unwrap();
        assert!(
            load(&configured).registry.is_none(),
            "the configured directory holds no steps.json"
        );
        let read = load(&given)
            .registry
            .expect("the given directory's steps.json");
        assert_eq!(read.definitions().len(), registry.definitions().len());
    }
}
