//! The test harness: what `cargo test --test specs` runs.
//!
//! A project's `tests/specs.rs` is a few lines: it compiles its step definitions and hands
//! over to [`Harness::run`], which reads `casebook.toml`, lints the suite, binds every step,
//! writes `steps.json`, runs the selected automated cases, writes `run.json`, prints the
//! outcome and returns the exit code. Its flags are cucumber's own (`--tags`, `--name`,
//! `--concurrency`, `--retry`, `--fail-fast`) plus casebook's, and it accepts what
//! `cargo test` users habitually pass (`--nocapture`, `--test-threads 1`, a name filter).

use std::future::Future;
use std::io::Write as _;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use std::thread::JoinHandle;

use crate::World;
use crate::config::Config;
use crate::exit;
use crate::impact;
use crate::lint::{Summary, format};
use crate::project::{Project, ReportDir, Steps};
use crate::record::{ImpactSelection, RunRecord};
use crate::registry::{Bindings, Registry};
use crate::release::{self, Revision};
use crate::run::{self, Filter, Options};
use crate::trace::TraceMatrix;
use crate::world::{Browsers, RunContext, WebDriver};

/// How many lint findings a run shows in full before the outcome.
const LINT_SHOWN: usize = 20;

/// A service the harness starts when no base URL is configured; dropping it stops it.
pub type Service = Box<dyn std::any::Any>;

type ServiceFactory =
    Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = anyhow::Result<(String, Service)>>>>>;

/// The flags of a harness run.
#[derive(Debug, Parser)]
#[command(
    name = "specs",
    bin_name = "cargo test --test specs --",
    about = "Run the project's test cases as executable specifications",
    after_help = "Examples:\n  cargo test --test specs                         lint, bind and run every automated case\n  cargo test --test specs -- --dry-run            bind every step and write steps.json; run nothing\n  cargo test --test specs -- PAY-CC-014           run the cases whose ID or title contains PAY-CC-014\n  cargo test --test specs -- PAY-CC-014 --exact   run only the case PAY-CC-014\n  cargo test --test specs -- --tags '@req:PAY-7'  run the cases covering requirement PAY-7"
)]
pub struct Args {
    /// Run only the cases whose ID or title contains this text (what `cargo test NAME` passes).
    #[arg(value_name = "FILTER")]
    filter: Option<String>,
    /// Run only the cases whose ID or title is exactly FILTER.
    #[arg(long)]
    exact: bool,
    /// Run only the scenarios matching this tag expression, e.g. '@smoke and not @slow'.
    #[arg(long, short = 't', value_name = "TAGEXPR")]
    tags: Option<String>,
    /// Run only the scenarios whose title matches this regex.
    #[arg(long, short = 'n', value_name = "REGEX")]
    name: Option<String>,
    /// How many scenarios may run at once.
    #[arg(long, short = 'c', value_name = "N", value_parser = at_least_one)]
    concurrency: Option<usize>,
    /// Retry a failed scenario up to N times; one that passes on a retry is `flaky`.
    #[arg(long, value_name = "N")]
    retry: Option<usize>,
    /// Stop at the first failure.
    #[arg(long, visible_alias = "ff")]
    fail_fast: bool,
    /// The order cases run in: `defined` (files, then scenarios and rows, as written) or
    /// `reverse` (the last file first, in each file the last case first).
    #[arg(long, value_name = "ORDER", default_value = "defined")]
    order: run::Order,
    /// Lint and bind every step, and execute nothing: writes run.json (every case skipped),
    /// steps.json and lint.json to the report directory, and removes the reports of an
    /// earlier run (`casebook report` renders this record's).
    #[arg(long)]
    dry_run: bool,
    /// Fail on unbound or ambiguous steps in automated cases (on by default when CI=true).
    #[arg(long)]
    strict: bool,
    /// Read the cases from this directory instead of the configured one.
    #[arg(long, value_name = "DIR")]
    features: Option<PathBuf>,
    /// The service under test (default: `run.base-url`, CASEBOOK_BASE_URL, or the harness's own).
    #[arg(long, value_name = "URL", env = "CASEBOOK_BASE_URL")]
    base_url: Option<String>,
    /// A WebDriver server to use instead of starting chromedriver.
    #[arg(long, value_name = "URL", env = "CASEBOOK_WEBDRIVER_URL")]
    webdriver_url: Option<String>,
    /// The release the results belong to (default: CASEBOOK_RELEASE, else `git describe`).
    #[arg(long, value_name = "LABEL", env = "CASEBOOK_RELEASE")]
    release: Option<String>,
    /// Where to write run.json and the other reports.
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,
    /// List the selected cases and exit.
    #[arg(long)]
    list: bool,
    /// With --list, libtest's format: `terse` prints `NAME: test` per case, as
    /// `cargo nextest` reads it (each case is a test, run with `NAME --exact`).
    #[arg(long, value_name = "FORMAT", hide = true)]
    format: Option<String>,
    /// Run only the cases a change since this revision can break (`main`, `HEAD~1`), as
    /// `casebook impact --since REV` selects them; every report names the others as skipped
    /// by impact selection.
    #[arg(long, value_name = "REV")]
    since: Option<String>,

    // What `cargo test` passes to every test binary; accepted so that they do not break
    // the run, and meaningless here.
    #[arg(long, hide = true)]
    nocapture: bool,
    #[arg(long, hide = true)]
    show_output: bool,
    #[arg(long, short = 'q', hide = true)]
    quiet: bool,
    #[arg(long, hide = true, value_name = "N")]
    test_threads: Option<usize>,
    #[arg(long, hide = true)]
    ignored: bool,
    #[arg(long, hide = true)]
    include_ignored: bool,
    /// When to colour the outcome: `auto` (a terminal, and NO_COLOR unset), `always` or
    /// `never`; what `cargo test --color` passes too.
    #[arg(long, value_name = "WHEN")]
    color: Option<String>,
}

/// A number of things at once: zero would run nothing and wait forever.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(err) => Err(err.to_string()),
    }
}

/// Why a harness run could not be judged: bad usage or configuration ([`exit::USAGE`]).
#[derive(Debug, thiserror::Error)]
#[error("{kind}")]
pub struct Error {
    kind: ErrorKind,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl<K: Into<ErrorKind>> From<K> for Error {
    fn from(kind: K) -> Self {
        Error { kind: kind.into() }
    }
}

/// The kinds of [`Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The current directory, where `casebook.toml` is looked for, cannot be read.
    #[error("cannot read the current directory: {0}")]
    CurrentDir(std::io::Error),
    /// `casebook.toml` cannot be read, or says something invalid.
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    /// The features or the catalog cannot be read.
    #[error(transparent)]
    Project(#[from] crate::project::Error),
    /// `--tags` is not a tag expression.
    #[error("invalid tag expression `{expression}`: {reason}")]
    Tags {
        /// The expression as typed.
        expression: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `--since` names no change that can be read.
    #[error("--since: {0}")]
    Impact(#[from] crate::impact::Error),
    /// `--name` is not a regex.
    #[error("invalid regex `{pattern}` for --name: {source}")]
    Name {
        /// The pattern as typed.
        pattern: String,
        /// What is wrong with it.
        source: regex::Error,
    },
    /// A file of the report directory cannot be written.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A report cannot be written or removed.
    #[error(transparent)]
    Reports(#[from] crate::render::WriteError),
    /// The findings cannot be shown.
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
    /// The runtime the cases run on cannot start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// No base URL is configured and the harness has no service of its own.
    #[error(
        "no service to test\n(hint: set --base-url, CASEBOOK_BASE_URL or `run.base-url` in casebook.toml)"
    )]
    NoService,
    /// The harness's own service did not start.
    #[error("cannot start the service under test: {0}")]
    Service(String),
    /// The base URL is of a scheme casebook cannot speak.
    #[error(transparent)]
    BaseUrl(#[from] crate::world::http::UnusableBaseUrl),
    /// A `[tls]` file cannot be used.
    #[error(transparent)]
    Tls(#[from] crate::tls::Error),
}

/// The harness of one project.
pub struct Harness {
    root: Option<PathBuf>,
    config_file: Option<PathBuf>,
    service: Option<ServiceFactory>,
    ci: bool,
}

impl Default for Harness {
    fn default() -> Self {
        Self {
            root: None,
            config_file: None,
            service: None,
            ci: std::env::var("CI").is_ok_and(|ci| ci == "true" || ci == "1"),
        }
    }
}

impl Harness {
    /// A harness for the project whose `casebook.toml` is found from the current directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether this is a CI run, which makes it strict; read from `CI=true` by default.
    pub fn ci(mut self, ci: bool) -> Self {
        self.ci = ci;
        self
    }

    /// Looks for `casebook.toml` from `root` (usually `env!("CARGO_MANIFEST_DIR")`).
    pub fn root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// Reads this configuration file instead of looking for `casebook.toml`.
    pub fn config_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.config_file = Some(file.into());
        self
    }

    /// Starts the service under test in-process when no base URL is configured; the future
    /// returns the base URL and a handle that is kept alive until the run ends.
    pub fn default_service<F, Fut, S>(mut self, start: F) -> Self
    where
        F: FnOnce() -> Fut + 'static,
        Fut: Future<Output = anyhow::Result<(String, S)>> + 'static,
        S: 'static,
    {
        self.service = Some(Box::new(move || {
            Box::pin(async move {
                let (url, service) = start().await?;
                Ok((url, Box::new(service) as Service))
            })
        }));
        self
    }

    /// Parses the command line, runs, and returns the exit code: [`exit::OK`] when every
    /// executed case passed and the strict checks hold, [`exit::FAILED`] when not,
    /// [`exit::USAGE`] for bad usage or configuration.
    pub fn run(self) -> ExitCode {
        match self.outcome(Args::parse()) {
            Ok(outcome) => outcome.exit_code(),
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(exit::USAGE)
            }
        }
    }

    /// Runs with parsed flags; whether the run passed.
    pub fn run_with(self, args: Args) -> Result<bool, Error> {
        self.outcome(args).map(|outcome| outcome.passed)
    }

    /// Runs with parsed flags: load → bind → (lint ∥ execute) → finish → print. The
    /// [`Outcome`] keeps what the run made, for a caller that decides how it is freed.
    pub fn outcome(self, args: Args) -> Result<Outcome, Error> {
        let (project, report_dir, revision) = self.load(&args)?;
        let (registry, bindings, steps_unwritten) = bind(&project, &report_dir);
        let (filter, impact) = narrow(filter(&args)?, &args, &project, bindings)?;
        if args.list {
            match args.format.as_deref() {
                // No case is ignored: the list of ignored tests is empty.
                Some("terse") if args.ignored => {}
                Some("terse") => {
                    for name in test_names(&project, bindings, &filter) {
                        println!("{name}: test");
                    }
                }
                _ => list(&project, bindings, &filter),
            }
            return Ok(Outcome {
                passed: true,
                interrupted: None,
                _kept: None,
            });
        }
        let Revision { describe, commit } = revision.join().unwrap_or_default();
        let setup = Setup {
            args: &args,
            project: &project,
            registry,
            bindings,
            report_dir: &report_dir,
            filter,
            impact,
            strict: args.strict || self.ci,
            release: args.release.clone().or(describe),
        };
        let (lint, finished) = setup.lint_beside_execute(self.service, commit)?;
        let Finished {
            record,
            matrix,
            mut unwritten,
        } = finished;
        unwritten.extend(steps_unwritten);
        print(&record, &matrix, &report_dir, colour(args.color.as_deref()));
        // A file that cannot be written (a full disk) fails the run, after its outcome.
        for error in &unwritten {
            eprintln!("error: {error}");
        }
        let nothing = nothing_selected(&record, setup.strict);
        // Lint errors, and a run of nothing, fail a strict run (CI); elsewhere they are shown
        // and the cases still run.
        let passed = run::passed(&record)
            && !(setup.strict && (lint.errors > 0 || nothing))
            && unwritten.is_empty();
        if let Some(signal) = &record.interrupted {
            eprintln!(
                "interrupted by {signal}: the executions that finished are in {}, the others not run; the previous run's reports are removed",
                report_dir.run_json().display()
            );
        }
        Ok(Outcome {
            passed,
            interrupted: record.interrupted.clone(),
            _kept: Some((project, record, matrix)),
        })
    }

    /// Reads the configuration and the project, with the step definitions compiled into
    /// this harness, and asks git what is tested while the suite is read.
    fn load(&self, args: &Args) -> Result<(Project, ReportDir, JoinHandle<Revision>), Error> {
        let root = match &self.root {
            Some(root) => root.clone(),
            None => std::env::current_dir().map_err(ErrorKind::CurrentDir)?,
        };
        let mut config = match &self.config_file {
            Some(file) => Config::load(file)?,
            None => Config::discover(&root)?,
        };
        if let Some(features) = &args.features {
            config.features = features.clone();
        }
        let report_dir = ReportDir::resolve(args.report_dir.as_deref(), &config);
        // cargo nextest runs each case in a process of its own, at once: each keeps its
        // reports apart, in `nextest/<case>` under the report directory.
        let report_dir = match (&args.report_dir, &args.filter) {
            (None, Some(name)) if args.exact && std::env::var_os("NEXTEST_RUN_ID").is_some() => {
                ReportDir::resolve(
                    Some(&report_dir.path().join("nextest").join(file_name(name))),
                    &config,
                )
            }
            _ => report_dir,
        };
        let git_root = config.root.clone();
        let revision = std::thread::spawn(move || Revision::of(&git_root));
        // Lint checks the steps against the definitions of this harness, not against the
        // `steps.json` an earlier build left behind.
        let steps = Steps::Compiled(Box::new(Registry::collect::<World>()));
        let project = Project::load(config, &[], steps)?;
        Ok((project, report_dir, revision))
    }
}

/// What a run leaves behind.
pub struct Outcome {
    passed: bool,
    /// The signal that ended the run early.
    interrupted: Option<String>,
    /// The suite, the record and its matrix, freed or not as the caller decides.
    _kept: Option<(Project, RunRecord, TraceMatrix)>,
}

impl Outcome {
    /// Whether every executed case passed and the strict checks hold.
    pub fn passed(&self) -> bool {
        self.passed
    }

    /// [`exit::OK`] when the run passed, [`exit::interrupted`] when a signal ended it, else
    /// [`exit::FAILED`].
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match (&self.interrupted, self.passed) {
            (Some(signal), _) => exit::interrupted(signal),
            (None, true) => exit::OK,
            (None, false) => exit::FAILED,
        })
    }
}

/// The step definitions of the project, saved to `steps.json` for the commands that need
/// no build, and how the suite's steps bind to them; and the error of saving them, which
/// fails the run at its end rather than keeping it from running.
fn bind<'p>(
    project: &'p Project,
    report_dir: &ReportDir,
) -> (&'p Registry, &'p Bindings, Option<Error>) {
    let (Some(registry), Some(bindings)) = (&project.registry, &project.bindings) else {
        unreachable!("the harness loads the step definitions compiled into it");
    };
    let path = report_dir.steps_json();
    let unwritten = crate::output::write_atomic(&path, registry.to_json().as_bytes())
        .err()
        .map(|source| Error::from(ErrorKind::Write { path, source }));
    (registry, bindings, unwritten)
}

/// A run resolved from the flags and the configuration, before the service is known.
struct Setup<'a> {
    args: &'a Args,
    project: &'a Project,
    registry: &'a Registry,
    bindings: &'a Bindings,
    report_dir: &'a ReportDir,
    filter: Filter,
    impact: Option<ImpactSelection>,
    strict: bool,
    release: Option<String>,
}

impl Setup<'_> {
    /// Lints on another core while the cases run, then finishes the record: the lint
    /// summary, the record and its matrix, and the files that could not be written (the
    /// outcome is shown all the same).
    ///
    /// The findings change nothing of what runs (a strict run fails on lint errors at its
    /// end), and they still show first, since a run's progress line waits for them.
    fn lint_beside_execute(
        &self,
        service: Option<ServiceFactory>,
        commit: Option<String>,
    ) -> Result<(Summary, Finished), Error> {
        let shown = Arc::new(AtomicBool::new(false));
        if self.args.dry_run {
            // A dry run sends nothing, so it needs no service, no world and no runtime; its
            // record is finished beside the lint too.
            let (lint, finished) = beside_lint(self.project, self.report_dir, &shown, || {
                let options = self.options(self.context(String::new())?, None);
                let record =
                    run::dry_run(&self.project.suite, self.registry, self.bindings, &options);
                Ok::<_, Error>(self.finish(record, commit))
            });
            Ok((lint?, finished?))
        } else {
            let (lint, record) = beside_lint(self.project, self.report_dir, &shown, || {
                self.execute(service, shown.clone())
            });
            let (lint, record) = (lint?, record?);
            Ok((lint, self.finish(record, commit)))
        }
    }

    /// How to run, with the settings every world gets.
    fn options(&self, context: RunContext, progress_after: Option<Arc<AtomicBool>>) -> Options {
        Options {
            filter: self.filter.clone(),
            tags_text: self.args.tags.clone(),
            impact: self.impact.clone(),
            dry_run: self.args.dry_run,
            strict: self.strict,
            concurrency: self.args.concurrency,
            retry: self.args.retry,
            fail_fast: self.args.fail_fast,
            release: self.release.clone(),
            context,
            report_dir: self.report_dir.path().to_path_buf(),
            run_unresolved: false,
            progress_after,
            order: self.args.order,
        }
    }

    /// Runs the selected cases and returns their record. The runtime, and with it the HTTP
    /// client's pooled connections and the in-process service, are gone when it returns:
    /// they serve no report.
    fn execute(
        &self,
        service: Option<ServiceFactory>,
        shown: Arc<AtomicBool>,
    ) -> Result<RunRecord, Error> {
        // cucumber-rs spawns nothing: every scenario and step runs in the future this thread
        // blocks on. What is spawned (HTTP connections, the in-process service) runs on the
        // same thread too: a worker of its own would be woken for every request and would
        // wake this thread for every response.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ErrorKind::Runtime)?;
        runtime.block_on(async {
            // Keep the in-process service alive until the record is complete.
            let (base_url, _service) = self.service(service).await?;
            let options = self.options(self.context(base_url)?, Some(shown));
            Ok(run::execute(&self.project.suite, self.registry, self.bindings, &options).await)
        })
    }

    /// The base URL of the service under test: `--base-url`, else `run.base-url`, else the
    /// harness's own service, started here and kept alive by the handle returned.
    async fn service(
        &self,
        service: Option<ServiceFactory>,
    ) -> Result<(String, Option<Service>), Error> {
        let configured = self.configured_base_url();
        match (configured, service) {
            (Some(url), _) => Ok((url, None)),
            (None, Some(start)) => {
                let (url, service) = start()
                    .await
                    .map_err(|err| ErrorKind::Service(format!("{err:#}")))?;
                Ok((url, Some(service)))
            }
            (None, None) => Err(ErrorKind::NoService.into()),
        }
    }

    fn configured_base_url(&self) -> Option<String> {
        let settings = &self.project.config.run;
        self.args.base_url.clone().or(settings.base_url.clone())
    }

    /// The settings every world of the run gets.
    fn context(&self, base_url: String) -> Result<RunContext, Error> {
        // A dry run has no base URL of its own: the configured one is checked all the same.
        for url in self.configured_base_url().iter().chain([&base_url]) {
            if !url.is_empty() {
                crate::world::http::BaseUrl::check(url)?;
            }
        }
        let tls = crate::tls::Tls::load(&self.project.config.tls)?;
        if tls.accept_invalid_certs {
            eprintln!("{}", crate::tls::INSECURE_WARNING);
        }
        let settings = &self.project.config.run;
        let webdriver = match self
            .args
            .webdriver_url
            .clone()
            .or(settings.webdriver_url.clone())
        {
            Some(url) => WebDriver::Remote(url),
            None => WebDriver::Chromedriver(settings.chromedriver.clone()),
        };
        Ok(RunContext {
            base_url: crate::world::http::BaseUrl::new(&base_url),
            timeout: settings.timeout,
            client: crate::world::http::client(settings.timeout, &tls)?,
            redactor: settings.redactor.clone(),
            report_dir: self.report_dir.path().to_path_buf(),
            browsers: Arc::new(
                Browsers::new(webdriver, settings.browsers, settings.timeout)
                    .accept_insecure_certs(tls.accept_invalid_certs),
            ),
            max_body: settings.max_body,
        })
    }

    /// The record with its commit, written to `run.json`, and its matrix; the reports too,
    /// but not a dry run's: it is the quick check of bindings and lint, and no report of an
    /// earlier run may sit beside its record.
    fn finish(&self, mut record: RunRecord, commit: Option<String>) -> Finished {
        record.commit = commit;
        let (project, report_dir) = (self.project, self.report_dir);
        let release = release::counted(None, record.release.as_deref());
        let manual = crate::manual::ledger(&project.config.manual_results, &release);
        // The record is written while the matrix and the reports are made of it.
        let (matrix, unwritten) = std::thread::scope(|scope| {
            let record = &record;
            let writing = scope.spawn(|| write_record(report_dir, record));
            // An interrupted run's reports would show a part of the suite as the whole; the
            // previous run's would show another run beside this record.
            let (matrix, reports) = if record.selection.dry_run || record.interrupted.is_some() {
                (project.matrix(record, &manual), report_dir.remove_reports())
            } else {
                let (matrix, written) = project.write_reports(report_dir, record, &manual);
                (matrix, written.map(drop))
            };
            let written = writing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let unwritten: Vec<Error> = [written.err(), reports.err().map(Error::from)]
                .into_iter()
                .flatten()
                .collect();
            (matrix, unwritten)
        });
        Finished {
            record,
            matrix,
            unwritten,
        }
    }
}

/// A finished run: its record and matrix, and what of them could not be written.
struct Finished {
    record: RunRecord,
    matrix: TraceMatrix,
    unwritten: Vec<Error>,
}

/// Does `work` while the project is linted on another thread ([`lint`]), and sets `shown`
/// once the findings are printed, also when the lint panicked; both outcomes.
fn beside_lint<T>(
    project: &Project,
    report_dir: &ReportDir,
    shown: &AtomicBool,
    work: impl FnOnce() -> T,
) -> (Result<Summary, Error>, T) {
    std::thread::scope(|scope| {
        let linting = scope.spawn(|| {
            let _shown = SetOnDrop(shown);
            lint(project, report_dir)
        });
        let done = work();
        let lint = linting
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (lint, done)
    })
}

/// Sets a flag when dropped: also when what it guards panicked.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Lints the project, shows the first findings in full and writes them all to `lint.json`.
fn lint(project: &Project, report_dir: &ReportDir) -> Result<Summary, Error> {
    let (diagnostics, summary) = project.lint(&[]);
    // A suite with thousands of findings would bury the run's outcome; all are in lint.json.
    let shown = &diagnostics[..diagnostics.len().min(LINT_SHOWN)];
    std::io::stdout()
        .write_all(&format::human(shown, &project.sources(), false))
        .map_err(ErrorKind::Stdout)?;
    let path = report_dir.lint_json();
    crate::output::write_report_with(&path, |out| format::write_json(&diagnostics, out)).map_err(
        |source| ErrorKind::Write {
            path: path.clone(),
            source,
        },
    )?;
    if diagnostics.len() > shown.len() {
        println!(
            "… and {} more findings in {}",
            diagnostics.len() - shown.len(),
            path.display()
        );
    }
    println!("lint: {}", format::summary_line(&summary));
    Ok(summary)
}

/// The selection the flags ask for.
fn filter(args: &Args) -> Result<Filter, Error> {
    let tags = match args.tags.as_deref() {
        Some(expression) => Some(expression.parse().map_err(|err| ErrorKind::Tags {
            expression: expression.to_owned(),
            reason: format!("{err}"),
        })?),
        None => None,
    };
    let name = match args.name.as_deref() {
        Some(pattern) => Some(
            regex::Regex::new(pattern).map_err(|source| ErrorKind::Name {
                pattern: pattern.to_owned(),
                source,
            })?,
        ),
        None => None,
    };
    Ok(Filter {
        tags,
        name,
        text: args.filter.clone(),
        exact: args.exact,
        impact: None,
    })
}

/// `filter` narrowed to the executions a change since `--since` can break, and what the
/// record says of it; as it was without `--since`.
fn narrow(
    mut filter: Filter,
    args: &Args,
    project: &Project,
    bindings: &Bindings,
) -> Result<(Filter, Option<ImpactSelection>), Error> {
    let Some(since) = &args.since else {
        return Ok((filter, None));
    };
    let change = impact::since(&project.config.root, since)?;
    let selected = impact::select(
        &change,
        impact::Project {
            config: &project.config,
            suite: &project.suite,
            bindings: Some(bindings),
            catalog: project.catalog(),
        },
    );
    let base = selected
        .base
        .as_ref()
        .map_or_else(String::new, |b| b.commit.clone());
    let whole_suite: Vec<String> = selected
        .whole_suite
        .iter()
        .map(|reason| match &reason.file {
            Some(file) => format!("{file}: {}", reason.why),
            None => reason.why.clone(),
        })
        .collect();
    match whole_suite.first() {
        Some(first) => println!(
            "impact since {since}: every case can break ({first}{})",
            match whole_suite.len() {
                1 => String::new(),
                n => format!(", and {} more reasons", n - 1),
            }
        ),
        None => {
            println!(
                "impact since {since}: {} executions selected (`casebook impact --since {since}` says why)",
                selected.selected.len()
            );
            filter.impact = Some(Arc::new(selected.selected.keys().copied().collect()));
        }
    }
    let record = ImpactSelection {
        since: since.clone(),
        base,
        whole_suite,
    };
    Ok((filter, Some(record)))
}

/// Prints the selected executions, one line each (`--list`).
fn list(project: &Project, bindings: &Bindings, filter: &Filter) {
    let plan = run::Plan::new(&project.suite, bindings, filter);
    for planned in plan.executions.iter().filter(|p| !p.skipped_by_impact) {
        let id = planned
            .case
            .id
            .as_ref()
            .map_or("(no ID)", |id| id.0.as_str());
        println!(
            "{id}: {} ({}:{})",
            planned.case.title,
            planned.feature.path.display(),
            planned.case.location.line
        );
    }
}

/// The name of each selected automated case as a test: its ID, or its title without one
/// (what `NAME --exact` selects), each once however many Examples rows it has.
fn test_names(project: &Project, bindings: &Bindings, filter: &Filter) -> Vec<String> {
    let plan = run::Plan::new(&project.suite, bindings, filter);
    let mut names: Vec<String> = Vec::new();
    for planned in plan.executions.iter().filter(|p| !p.skipped_by_impact) {
        let case = planned.case;
        let name = case
            .id
            .as_ref()
            .map_or_else(|| case.title.clone(), |id| id.0.clone());
        if names.last() != Some(&name) {
            names.push(name);
        }
    }
    names
}

/// A test's name as a file name: what a path cannot hold written as `_`.
fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Prints the outcome: each failure, the steps without a script, the summary by
/// requirement and the totals, and where the reports are.
fn print(record: &RunRecord, matrix: &TraceMatrix, report_dir: &ReportDir, color: bool) {
    let report = crate::render::terminal::report(record, matrix);
    if color {
        print!("{}", crate::render::terminal::colour(&report));
    } else {
        print!("{report}");
    }
    println!("reports: {}", report_dir.path().display());
}

/// Whether to colour the outcome on standard output: `--color`, then NO_COLOR, then whether
/// it is a terminal, as `casebook lint` decides.
fn colour(choice: Option<&str>) -> bool {
    use std::io::IsTerminal as _;
    match choice {
        Some("always") => true,
        Some("never") => false,
        _ => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    }
}

/// Whether the run selected no execution at all, which proves nothing and so is never a
/// silent pass: it is said on the terminal, as an error when `strict` makes it fail the run.
fn nothing_selected(record: &RunRecord, strict: bool) -> bool {
    let counts = &record.counts;
    if counts.executions > 0 {
        return false;
    }
    let cases = match counts.cases {
        1 => "1 case".to_owned(),
        n => format!("{n} cases"),
    };
    if strict {
        println!(
            "error: the run selected no case, which fails a strict run ({cases} in the suite, {} manual)",
            counts.manual_cases
        );
    } else {
        println!(
            "warning: the run selected no case ({cases} in the suite, {} manual)",
            counts.manual_cases
        );
    }
    true
}

fn write_record(report_dir: &ReportDir, record: &RunRecord) -> Result<(), Error> {
    let path = report_dir.run_json();
    crate::output::write_atomic_with(&path, |out| {
        let mut out = crate::output::buffered(out);
        serde_json::to_writer(&mut out, record).map_err(std::io::Error::other)?;
        out.flush()
    })
    .map_err(|source| ErrorKind::Write { path, source })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(argv: &[&str]) -> Args {
        Args::try_parse_from(argv).expect("the flags parse")
    }

    #[test]
    fn a_bad_selection_is_an_error_that_quotes_it() {
        let zero = Args::try_parse_from(["specs", "--concurrency", "0"]).unwrap_err();
        assert!(zero.to_string().contains("must be at least 1"), "{zero}");
        assert!(Args::try_parse_from(["specs", "-c", "3"]).is_ok());
        let err = filter(&args(&["specs", "--tags", "@a and"])).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Tags { expression, .. } if expression == "@a and"),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("invalid tag expression `@a and`: "),
            "{err}"
        );
        let err = filter(&args(&["specs", "--name", "("])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid regex `(` for --name: "),
            "{err}"
        );
    }

    #[test]
    fn exact_is_passed_on_to_the_selection() {
        let filter = filter(&args(&["specs", "PAY-CC-014", "--exact"])).unwrap();
        assert_eq!(filter.text.as_deref(), Some("PAY-CC-014"));
        assert!(filter.exact);
        assert!(!self::filter(&args(&["specs", "PAY-CC-014"])).unwrap().exact);
    }
}
