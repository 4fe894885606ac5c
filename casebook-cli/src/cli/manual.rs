//! `casebook manual`: the testers' commands — the queue, an interactive session, one result
//! from a script, and checklists out to a spreadsheet and back.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use casebook::config::Config;
use casebook::exit;
use casebook::manual::{
    self, Kind, Ledger, ManualResult, ManualStatus, Validity, checklist, results,
};
use casebook::model::{Case, Mode};
use casebook::project::{Project, ReportDir, Steps};
use casebook::release;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

/// What every manual command shares.
#[derive(Debug, clap::Args)]
struct Common {
    /// The release the results belong to (default: CASEBOOK_RELEASE, else `git describe
    /// --tags --always`, else `unreleased`).
    #[arg(long, value_name = "LABEL", env = "CASEBOOK_RELEASE")]
    release: Option<String>,
}

#[derive(Debug, clap::Args)]
struct Tester {
    /// Who runs the cases (default: CASEBOOK_TESTER, else git's user.name, else $USER).
    #[arg(long, value_name = "NAME", env = "CASEBOOK_TESTER")]
    tester: Option<String>,
}

#[derive(Debug, clap::Args)]
struct Select {
    /// Only the cases matching this tag expression, e.g. '@req:UX-1 and not @slow'.
    #[arg(long, short = 't', value_name = "TAGEXPR")]
    tags: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// The manual queue of a release: each case with its last result and whether it still counts.
    List {
        #[command(flatten)]
        select: Select,
        #[command(flatten)]
        common: Common,
        /// `human`, or `json`: one object per execution of the queue, with its latest result.
        #[arg(long, value_enum, default_value = "human")]
        format: super::Format,
    },
    /// Run the queue by hand: each case is shown, you answer, the answer is saved at once.
    ///
    /// Cases that already have a valid result for the release are not asked again, so
    /// running it again resumes where the last session stopped.
    Run {
        #[command(flatten)]
        select: Select,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        tester: Tester,
    },
    /// Record one result without a terminal session, for scripts.
    Record(Record),
    /// Write the queue as a checklist to work from away from the terminal.
    Export {
        /// md (to read), html (to print) or csv (to fill in a spreadsheet and import).
        #[arg(long, value_enum)]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        select: Select,
        #[command(flatten)]
        common: Common,
    },
    /// Read a filled CSV checklist back: every row is checked first, and a sheet with a bad
    /// row records nothing.
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        common: Common,
        /// The tester of rows whose `tester` cell is empty.
        #[command(flatten)]
        tester: Tester,
    },
}

/// `casebook manual record`'s flags.
#[derive(Debug, clap::Args)]
struct Record {
    /// The case ID (`UX-BR-001`, with or without `@`).
    id: String,
    /// For an outline: which Examples row (1-based over the outline, as in run.json).
    #[arg(long, value_name = "N")]
    row: Option<usize>,
    /// What the tester found.
    #[arg(long, value_enum)]
    status: StatusArg,
    /// What actually happened.
    #[arg(long, value_name = "TEXT")]
    actual: Option<String>,
    /// A link to the defect raised.
    #[arg(long, value_name = "URL")]
    defect: Option<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    tester: Tester,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StatusArg {
    Passed,
    Failed,
    Blocked,
}

impl From<StatusArg> for ManualStatus {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Passed => ManualStatus::Passed,
            StatusArg::Failed => ManualStatus::Failed,
            StatusArg::Blocked => ManualStatus::Blocked,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Md,
    Csv,
    Html,
}

pub fn exec(args: &Args, config: Config) -> anyhow::Result<u8> {
    let cx = Context::load(config)?;
    match &args.command {
        Command::List {
            select,
            common,
            format,
        } => {
            let ledger = cx.ledger(common);
            match format {
                super::Format::Human => list(&cx.queue(select)?, &ledger)?,
                super::Format::Json => list_json(&cx.queue(select)?, &ledger)?,
            }
        }
        Command::Run {
            select,
            common,
            tester,
        } => run(&cx, select, common, tester)?,
        Command::Record(record) => self::record(&cx, record)?,
        Command::Export {
            format,
            output,
            select,
            common,
        } => export(&cx, *format, output.as_deref(), select, common)?,
        Command::Import {
            file,
            common,
            tester,
        } => return import(&cx, file, common, tester),
    }
    Ok(exit::OK)
}

/// What every manual command starts from: the project, with the step definitions the last
/// harness run saved, and where its results go.
struct Context {
    project: Project,
    report_dir: ReportDir,
}

impl Context {
    fn load(config: Config) -> anyhow::Result<Self> {
        let report_dir = ReportDir::configured(&config);
        let project = Project::load(config, &[], Steps::Saved(&report_dir))
            .context("failed to load the project")?;
        Ok(Context {
            project,
            report_dir,
        })
    }

    /// The results directory.
    fn dir(&self) -> &Path {
        &self.project.config.manual_results
    }

    fn release(&self, common: &Common) -> String {
        release::recording(common.release.as_deref(), &self.project.config.root)
    }

    /// The results that count for the release of `common`.
    fn ledger(&self, common: &Common) -> Ledger {
        manual::ledger(self.dir(), &self.release(common))
    }

    fn tester(&self, tester: &Tester) -> String {
        manual::tester(tester.tester.as_deref(), &self.project.config.root)
    }

    /// The queue `select` asks for, with a note on what it cannot hold.
    fn queue(&self, select: &Select) -> anyhow::Result<manual::Queue<'_>> {
        let tags = select
            .tags
            .as_deref()
            .map(manual::queue::parse_tags)
            .transpose()?;
        let project = &self.project;
        let queue = manual::queue::build(&project.suite, project.bindings.as_ref(), tags.as_ref());
        if queue.without_id > 0 {
            eprintln!(
                "note: {} manual case{} without a case ID cannot be recorded (casebook lint names them)",
                queue.without_id,
                if queue.without_id == 1 { "" } else { "s" }
            );
        }
        if !queue.bindings_known {
            eprintln!(
                "note: no steps.json in {}: automated cases awaiting automation are not listed (run the harness once)",
                self.report_dir.path().display()
            );
        }
        Ok(queue)
    }
}

/// `casebook manual run`: a tester's session over the queue.
fn run(cx: &Context, select: &Select, common: &Common, tester: &Tester) -> anyhow::Result<()> {
    let release = cx.release(common);
    let ledger = manual::ledger(cx.dir(), &release);
    let queue = cx.queue(select)?;
    let tester = cx.tester(tester);
    let recorder = manual::session::AnswerSink {
        dir: cx.dir(),
        release: &release,
        tester: &tester,
    };
    let stdin = std::io::stdin();
    manual::session::run(
        &queue.items,
        &ledger,
        &recorder,
        &mut stdin.lock(),
        &mut std::io::stdout().lock(),
    )?;
    Ok(())
}

/// `casebook manual record`: one result, from a script.
fn record(cx: &Context, args: &Record) -> anyhow::Result<()> {
    let id = args.id.strip_prefix('@').unwrap_or(&args.id);
    let (_, case) = cx
        .project
        .suite
        .cases()
        .find(|(_, case)| case.id.as_ref().is_some_and(|c| c.0 == id))
        .ok_or_else(|| anyhow::anyhow!("no case has the ID `{id}`"))?;
    let index = row_index(id, case, args.row)?;
    if case.mode == Mode::Automated {
        let awaiting = cx
            .queue(&Select { tags: None })?
            .items
            .iter()
            .any(|item| item.id == id && item.kind == Kind::AwaitingAutomation);
        if cx.project.registry.is_some() && !awaiting {
            anyhow::bail!(
                "case `{id}` is automated and every step has a step definition: the runner records its outcome"
            );
        }
    }
    let release = cx.release(&args.common);
    let result = ManualResult {
        case: id.to_owned(),
        row: args.row,
        status: args.status.into(),
        actual: args.actual.clone().unwrap_or_default(),
        defect: args.defect.clone().filter(|d| !d.is_empty()),
        tester: cx.tester(&args.tester),
        at: results::now(),
        case_hash: manual::case_hash(case, &case.executions[index]),
    };
    let file = results::append(cx.dir(), &release, std::slice::from_ref(&result), None)?;
    eprintln!(
        "recorded {id}{}: {} for release {release} in {}",
        args.row.map(|r| format!(" row {r}")).unwrap_or_default(),
        result.status,
        file.display()
    );
    Ok(())
}

/// The execution `--row` names in case `id`: none for a plain case, one for an outline.
fn row_index(id: &str, case: &Case, row: Option<usize>) -> anyhow::Result<usize> {
    let rows = case.executions.len();
    Ok(match (case.is_outline(), row) {
        (false, None) => 0,
        (false, Some(_)) => anyhow::bail!("case `{id}` is not an outline: leave out --row"),
        (true, None) => anyhow::bail!(
            "case `{id}` is an outline: --row N says which Examples row (1 to {rows})"
        ),
        (true, Some(row)) if (1..=rows).contains(&row) => row - 1,
        (true, Some(row)) => {
            anyhow::bail!("case `{id}` has no Examples row {row} (it has 1 to {rows})")
        }
    })
}

/// `casebook manual export`: the queue as a checklist.
fn export(
    cx: &Context,
    format: Format,
    output: Option<&Path>,
    select: &Select,
    common: &Common,
) -> anyhow::Result<()> {
    let release = cx.release(common);
    let ledger = manual::ledger(cx.dir(), &release);
    let queue = cx.queue(select)?;
    let text = match format {
        Format::Md => checklist::markdown(&queue.items, &ledger),
        Format::Csv => checklist::csv(&queue.items, &ledger),
        Format::Html => checklist::html(&queue.items, &ledger),
    };
    match output {
        Some(file) => {
            casebook::output::write_atomic(file, text.as_bytes())
                .with_context(|| format!("cannot write `{}`", file.display()))?;
            eprintln!(
                "wrote the checklist of {} case{} for release {release} to {}",
                queue.items.len(),
                if queue.items.len() == 1 { "" } else { "s" },
                file.display()
            );
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// `casebook manual import`: a filled checklist back, all of it or nothing.
fn import(cx: &Context, file: &Path, common: &Common, tester: &Tester) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read `{}`", file.display()))?;
    let release = cx.release(common);
    let ledger = manual::ledger(cx.dir(), &release);
    let tester = cx.tester(tester);
    let errors = match checklist::import(&text, file, &cx.project.suite, &ledger, &tester) {
        Ok(imported) => {
            let written = if imported.results.is_empty() {
                None
            } else {
                Some(results::append(
                    cx.dir(),
                    &release,
                    &imported.results,
                    None,
                )?)
            };
            eprintln!(
                "imported {} result{} for release {release}{}; {} unchanged, {} not run",
                imported.results.len(),
                if imported.results.len() == 1 { "" } else { "s" },
                written
                    .map(|f| format!(" into {}", f.display()))
                    .unwrap_or_default(),
                imported.unchanged,
                imported.empty
            );
            return Ok(exit::OK);
        }
        Err(errors) => errors,
    };
    for error in &errors {
        eprintln!("error: {error}");
    }
    eprintln!(
        "nothing imported: {} bad row{} in {}",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        file.display()
    );
    Ok(exit::FAILED)
}

/// Prints the queue: one line per case, then the counts.
/// `manual list --format json`: the release, and each execution of the queue with its state
/// and latest result (`null` when it has none).
fn list_json(queue: &manual::Queue<'_>, ledger: &Ledger) -> std::io::Result<()> {
    let items: Vec<serde_json::Value> = queue
        .items
        .iter()
        .map(|item| {
            let latest = ledger.latest(item.id, item.row, &item.hash);
            let state = match &latest {
                None => "not run".to_owned(),
                Some(l) if l.validity == Validity::Valid => l.result.status.to_string(),
                Some(_) => "stale".to_owned(),
            };
            serde_json::json!({
                "case": item.id,
                "row": item.row,
                "title": item.title(),
                "kind": match item.kind {
                    Kind::Manual => "manual",
                    Kind::AwaitingAutomation => "awaiting-automation",
                },
                "file": item.feature.path.display().to_string(),
                "line": item.case.location.line,
                "case_hash": item.hash,
                "state": state,
                "result": latest.map(|l| serde_json::json!({
                    "status": l.result.status.to_string(),
                    "actual": l.result.actual,
                    "defect": l.result.defect,
                    "tester": l.result.tester,
                    "at": l.result.at,
                    "release": l.release,
                    "counts": l.validity == Validity::Valid,
                })),
            })
        })
        .collect();
    let document = serde_json::json!({ "release": ledger.release, "items": items });
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &document)?;
    writeln!(out)
}

fn list(queue: &manual::Queue<'_>, ledger: &Ledger) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let awaiting = queue
        .items
        .iter()
        .filter(|i| i.kind == Kind::AwaitingAutomation)
        .count();
    writeln!(
        out,
        "manual queue of release {}: {} case{} ({} manual, {} awaiting automation)",
        ledger.release,
        queue.items.len(),
        if queue.items.len() == 1 { "" } else { "s" },
        queue.items.len() - awaiting,
        awaiting
    )?;
    let width = queue
        .items
        .iter()
        .map(|i| i.label().len())
        .max()
        .unwrap_or(0);
    let mut counts = Counts::default();
    for item in &queue.items {
        let latest = ledger.latest(item.id, item.row, &item.hash);
        let state = counts.add(latest);
        let kind = match item.kind {
            Kind::Manual => "",
            Kind::AwaitingAutomation => " [awaiting automation]",
        };
        writeln!(
            out,
            "  {:<width$}  {}{kind}\n  {:<width$}    {state}",
            item.label(),
            item.title(),
            ""
        )?;
        if let Some(l) = latest {
            if !l.result.actual.is_empty() {
                let actual = one_line(&l.result.actual);
                writeln!(out, "  {:<width$}    actual: {actual}", "")?;
            }
            if let Some(defect) = &l.result.defect {
                writeln!(out, "  {:<width$}    defect: {defect}", "")?;
            }
        }
    }
    let Counts {
        passed,
        failed,
        blocked,
        stale,
        not_run,
    } = counts;
    writeln!(
        out,
        "{passed} passed, {failed} failed, {blocked} blocked, {stale} stale, {not_run} not run"
    )
}

/// The queue's cases by the state of their latest result.
#[derive(Debug, Default)]
struct Counts {
    passed: usize,
    failed: usize,
    blocked: usize,
    stale: usize,
    not_run: usize,
}

impl Counts {
    /// Counts a case whose latest result is `latest`; the words its line shows.
    fn add(&mut self, latest: Option<manual::Latest<'_>>) -> String {
        match latest {
            None => {
                self.not_run += 1;
                "not run".to_owned()
            }
            Some(l) if l.validity == Validity::Valid => {
                match l.result.status {
                    ManualStatus::Passed => self.passed += 1,
                    ManualStatus::Failed => self.failed += 1,
                    ManualStatus::Blocked => self.blocked += 1,
                }
                format!(
                    "{} by {} at {}",
                    l.result.status, l.result.tester, l.result.at
                )
            }
            Some(l) => {
                self.stale += 1;
                format!(
                    "{} ({}, release {}, {})",
                    l.result.status,
                    l.validity.label(),
                    l.release,
                    l.result.at
                )
            }
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
