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
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use crate::World;
use crate::config::{Config, RunSettings};
use crate::lint::{Summary, format};
use crate::project::Project;
use crate::record::RunRecord;
use crate::registry::Registry;
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
    after_help = "Examples:\n  cargo test --test specs                         lint, bind and run every automated case\n  cargo test --test specs -- --dry-run            bind every step and write steps.json; run nothing\n  cargo test --test specs -- PAY-CC-014           run the cases whose ID or title contains PAY-CC-014\n  cargo test --test specs -- --tags '@req:PAY-7'  run the cases covering requirement PAY-7"
)]
pub struct Args {
    /// Run only the cases whose ID or title contains this text (what `cargo test NAME` passes).
    #[arg(value_name = "FILTER")]
    filter: Option<String>,
    /// Run only the scenarios matching this tag expression, e.g. '@smoke and not @slow'.
    #[arg(long, short = 't', value_name = "TAGEXPR")]
    tags: Option<String>,
    /// Run only the scenarios whose title matches this regex.
    #[arg(long, short = 'n', value_name = "REGEX")]
    name: Option<String>,
    /// How many scenarios may run at once.
    #[arg(long, short = 'c', value_name = "N")]
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
    /// Lint and bind every step, write the reports, and execute nothing.
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
    exact: bool,
    #[arg(long, hide = true)]
    ignored: bool,
    #[arg(long, hide = true)]
    include_ignored: bool,
    #[arg(long, hide = true, value_name = "WHEN")]
    color: Option<String>,
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

    /// Parses the command line, runs, and returns the exit code: 0 when every executed case
    /// passed and the strict checks hold, 1 when not, 2 for bad usage or configuration.
    pub fn run(self) -> ExitCode {
        self.run_to_exit(Args::parse())
    }

    /// Runs with parsed flags for a process that ends right afterwards, and returns its exit
    /// code. The suite and the record are not freed piece by piece: on a large suite that
    /// would take longer than writing the reports, and the process is about to end anyway.
    pub fn run_to_exit(self, args: Args) -> ExitCode {
        match self.outcome(args) {
            Ok(outcome) => {
                let passed = outcome.passed;
                std::mem::forget(outcome);
                if passed {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::from(2)
            }
        }
    }

    /// Runs with parsed flags; whether the run passed.
    pub fn run_with(self, args: Args) -> anyhow::Result<bool> {
        self.outcome(args).map(|outcome| outcome.passed)
    }

    fn outcome(self, args: Args) -> anyhow::Result<Outcome> {
        let root = match &self.root {
            Some(root) => root.clone(),
            None => std::env::current_dir()?,
        };
        let mut config = match &self.config_file {
            Some(file) => Config::load(file)?,
            None => Config::discover(&root)?,
        };
        if let Some(features) = &args.features {
            config.features = features.clone();
        }
        let report_dir = args
            .report_dir
            .clone()
            .unwrap_or_else(|| config.report_dir.clone());
        let strict = args.strict || self.ci;
        // What was tested, asked of git while the suite is read (two processes to wait for).
        let git_root = config.root.clone();
        let revision = std::thread::spawn(move || {
            let describe = git(&git_root, &["describe", "--tags", "--always", "--dirty"]);
            (describe, git(&git_root, &["rev-parse", "HEAD"]))
        });
        let mut project = Project::load(config, &[])?;
        // Lint checks the steps against the definitions of this harness, not against the
        // `steps.json` an earlier build left behind.
        project.registry = Some(Registry::collect::<World>());
        let registry = project.registry.as_ref().expect("set above");
        crate::output::write_atomic(
            &report_dir.join("steps.json"),
            registry.to_json().as_bytes(),
        )?;
        let filter = filter(&args)?;
        if args.list {
            list(&project, registry, &filter);
            return Ok(Outcome {
                passed: true,
                _kept: None,
            });
        }
        let (describe, commit) = revision.join().unwrap_or_default();
        let mut options = Options {
            filter,
            tags_text: args.tags.clone(),
            dry_run: args.dry_run,
            strict,
            concurrency: args.concurrency,
            retry: args.retry,
            fail_fast: args.fail_fast,
            release: args.release.clone().or(describe),
            context: RunContext::default(),
            report_dir: report_dir.clone(),
            run_unresolved: false,
            progress_after: None,
            order: args.order,
        };

        // The record and its reports (a dry run's on demand: it is the quick check of
        // bindings and lint, and no report of an earlier run may sit beside its record).
        let finish = |mut record: RunRecord| -> anyhow::Result<(RunRecord, TraceMatrix)> {
            record.commit = commit.clone();
            let manual = manual_ledger(&project.config, record.release.as_deref());
            // The record is written while the matrix and the reports are made of it.
            let matrix = std::thread::scope(|scope| {
                let record = &record;
                let writing = scope.spawn(|| write_record(&report_dir, record));
                let matrix = if record.selection.dry_run {
                    remove_reports(&report_dir)
                        .map(|()| project.matrix(Some(registry), record, &manual))
                } else {
                    project
                        .write_reports(&report_dir, Some(registry), record, &manual)
                        .map(|(matrix, _)| matrix)
                };
                writing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                anyhow::Ok(matrix?)
            })?;
            Ok((record, matrix))
        };
        // The lint rules run beside the binding or the cases, on another core: their findings
        // change nothing of what runs (a strict run fails on lint errors at its end), and they
        // still show first, since a run's progress line waits for them.
        let shown = Arc::new(AtomicBool::new(false));
        let (lint, (record, matrix)) = if args.dry_run {
            // A dry run sends nothing, so it needs no service, no world and no runtime.
            let (lint, finished) = beside_lint(&project, &report_dir, &shown, || {
                finish(run::dry_run(&project.suite, registry, &options))
            });
            (lint?, finished?)
        } else {
            options.progress_after = Some(shown.clone());
            let (lint, record) = beside_lint(&project, &report_dir, &shown, || {
                run_cases(&project, registry, &args, self.service, options)
            });
            let (lint, record) = (lint?, record?);
            (lint, finish(record)?)
        };
        print!("{}", crate::render::terminal::report(&record, &matrix));
        println!("reports: {}", report_dir.display());
        // Lint errors fail a strict run (CI); elsewhere they are shown and the cases still run.
        let passed = run::passed(&record) && !(strict && lint.errors > 0);
        Ok(Outcome {
            passed,
            _kept: Some((project, record, matrix)),
        })
    }
}

/// Runs the selected cases and returns their record. The runtime, and with it the HTTP
/// client's pooled connections and the in-process service, are gone when it returns: they
/// serve no report.
fn run_cases(
    project: &Project,
    registry: &Registry,
    args: &Args,
    service: Option<ServiceFactory>,
    mut options: Options,
) -> anyhow::Result<RunRecord> {
    // cucumber-rs spawns nothing: every scenario and step runs in the future this thread
    // blocks on. What is spawned (HTTP connections, the in-process service) runs on the
    // same thread: a worker of its own was woken for every request and woke this thread for
    // every response, which cost more than it ran (on 10,000 scenarios against a local
    // server, 9% more CPU time and 6% more wall time).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // Keep the in-process service alive until the record is complete.
        let configured = args.base_url.clone().or(project.config.run.base_url.clone());
        let (base_url, _service) = match (configured, service) {
            (Some(url), _) => (url, None),
            (None, Some(start)) => {
                let (url, service) = start().await?;
                (url, Some(service))
            }
            (None, None) => anyhow::bail!(
                "no service to test: set --base-url, CASEBOOK_BASE_URL or `run.base-url` in casebook.toml"
            ),
        };
        options.context = context(args, &project.config.run, base_url, &options.report_dir)?;
        anyhow::Ok(run::execute(&project.suite, registry, &options).await)
    })
}

/// Does `work` while the project is linted on another thread ([`lint`]), and sets `shown`
/// once the findings are printed, also when the lint panicked; both outcomes.
fn beside_lint<T>(
    project: &Project,
    report_dir: &Path,
    shown: &AtomicBool,
    work: impl FnOnce() -> T,
) -> (anyhow::Result<Summary>, T) {
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
fn lint(project: &Project, report_dir: &Path) -> anyhow::Result<Summary> {
    let (diagnostics, summary) = project.lint(&[]);
    // A suite with thousands of findings would bury the run's outcome; all are in lint.json.
    let shown = &diagnostics[..diagnostics.len().min(LINT_SHOWN)];
    std::io::stdout().write_all(&format::human(shown, &project.sources(), false))?;
    let lint_report = report_dir.join("lint.json");
    crate::output::write_report_with(&lint_report, |out| format::write_json(&diagnostics, out))?;
    if diagnostics.len() > shown.len() {
        println!(
            "… and {} more findings in {}",
            diagnostics.len() - shown.len(),
            lint_report.display()
        );
    }
    println!("lint: {}", format::summary_line(&summary));
    Ok(summary)
}

/// The selection the flags ask for.
fn filter(args: &Args) -> anyhow::Result<Filter> {
    Ok(Filter {
        tags: args
            .tags
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|err| {
                anyhow::anyhow!(
                    "invalid tag expression `{}`: {err}",
                    args.tags.as_deref().unwrap_or("")
                )
            })?,
        name: args.name.as_deref().map(regex::Regex::new).transpose()?,
        text: args.filter.clone(),
    })
}

/// Prints the selected executions, one line each (`--list`).
fn list(project: &Project, registry: &Registry, filter: &Filter) {
    for planned in &run::Plan::new(&project.suite, registry, filter).executions {
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

/// The settings every world of the run gets.
fn context(
    args: &Args,
    settings: &RunSettings,
    base_url: String,
    report_dir: &Path,
) -> anyhow::Result<RunContext> {
    let webdriver = match args
        .webdriver_url
        .clone()
        .or(settings.webdriver_url.clone())
    {
        Some(url) => WebDriver::Remote(url),
        None => WebDriver::Chromedriver(settings.chromedriver.clone()),
    };
    Ok(RunContext {
        base_url,
        timeout: settings.timeout,
        client: crate::world::http::client(settings.timeout),
        redactor: settings.redactor.clone(),
        report_dir: report_dir.to_path_buf(),
        browsers: std::sync::Arc::new(Browsers::new(
            webdriver,
            settings.browsers,
            settings.timeout,
        )),
    })
}

/// What a run leaves behind.
struct Outcome {
    passed: bool,
    /// The suite, the record and its matrix, freed or not as the caller decides.
    _kept: Option<(Project, RunRecord, TraceMatrix)>,
}

/// Removes the reports and messages of an earlier run, which a dry run does not write:
/// they would no longer describe its `run.json`.
fn remove_reports(report_dir: &Path) -> std::io::Result<()> {
    crate::render::remove_all(report_dir)?;
    match std::fs::remove_file(report_dir.join(run::MESSAGES)) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

fn write_record(report_dir: &Path, record: &RunRecord) -> anyhow::Result<()> {
    crate::output::write_atomic_with(&report_dir.join("run.json"), |out| {
        let mut out = crate::output::buffered(out);
        serde_json::to_writer(&mut out, record).map_err(std::io::Error::other)?;
        out.flush()
    })?;
    Ok(())
}

/// The testers' results that count for a run labelled `release`: those of
/// `manual-results/<release>.toml` (see [`crate::manual::results_release`]). A results file
/// that cannot be read is named, and the run goes on without it.
pub fn manual_ledger(config: &Config, release: Option<&str>) -> crate::manual::Ledger {
    let release = crate::manual::results_release(release);
    let ledger = crate::manual::Ledger::load(&config.manual_results, &release);
    for problem in &ledger.problems {
        eprintln!("warning: skipped a manual results file that cannot be read: {problem}");
    }
    ledger
}

/// The trimmed output of a git command in `dir`, if git is there and succeeds.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !text.is_empty()).then_some(text)
}
