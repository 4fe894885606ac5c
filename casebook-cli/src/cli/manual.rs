//! `casebook manual`: the testers' commands — the queue, an interactive session, one result
//! from a script, and checklists out to a spreadsheet and back.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;

use casebook::config::Config;
use casebook::exit;
use casebook::manual::{self, Kind, Ledger, ManualResult, Status, Validity, checklist, results};
use casebook::model::Mode;
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
    Record {
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
    },
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

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StatusArg {
    Passed,
    Failed,
    Blocked,
}

impl From<StatusArg> for Status {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Passed => Status::Passed,
            StatusArg::Failed => Status::Failed,
            StatusArg::Blocked => Status::Blocked,
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
    let root = config.root.clone();
    let dir = config.manual_results.clone();
    let report_dir = ReportDir::configured(&config);
    let project = Project::load(config, &[], Steps::Saved(&report_dir))
        .context("failed to load the project")?;
    let release = |common: &Common| release::recording(common.release.as_deref(), &root);
    let ledger = |release: &str| manual::ledger(&dir, release);
    let queue = |select: &Select| -> anyhow::Result<manual::Queue<'_>> {
        let tags = select
            .tags
            .as_deref()
            .map(manual::queue::parse_tags)
            .transpose()?;
        let queue = manual::queue::build(&project.suite, project.registry.as_ref(), tags.as_ref());
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
                report_dir.path().display()
            );
        }
        Ok(queue)
    };

    match &args.command {
        Command::List { select, common } => {
            let release = release(common);
            let ledger = ledger(&release);
            let queue = queue(select)?;
            list(&queue, &ledger)?;
            Ok(exit::OK)
        }
        Command::Run {
            select,
            common,
            tester,
        } => {
            let release = release(common);
            let ledger = ledger(&release);
            let queue = queue(select)?;
            let tester = manual::tester(tester.tester.as_deref(), &root);
            let recorder = manual::session::Recorder {
                dir: &dir,
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
            Ok(exit::OK)
        }
        Command::Record {
            id,
            row,
            status,
            actual,
            defect,
            common,
            tester,
        } => {
            let id = id.strip_prefix('@').unwrap_or(id);
            let (_, case) = project
                .suite
                .cases()
                .find(|(_, case)| case.id.as_ref().is_some_and(|c| c.0 == id))
                .ok_or_else(|| anyhow::anyhow!("no case has the ID `{id}`"))?;
            let rows = case.executions.len();
            let index = match (case.is_outline(), row) {
                (false, None) => 0,
                (false, Some(_)) => anyhow::bail!("case `{id}` is not an outline: leave out --row"),
                (true, None) => anyhow::bail!(
                    "case `{id}` is an outline: --row N says which Examples row (1 to {rows})"
                ),
                (true, Some(row)) if (1..=rows).contains(row) => row - 1,
                (true, Some(row)) => {
                    anyhow::bail!("case `{id}` has no Examples row {row} (it has 1 to {rows})")
                }
            };
            if case.mode == Mode::Automated {
                let awaiting = queue(&Select { tags: None })?
                    .items
                    .iter()
                    .any(|item| item.id == id && item.kind == Kind::AwaitingAutomation);
                if project.registry.is_some() && !awaiting {
                    anyhow::bail!(
                        "case `{id}` is automated and every step has a step definition: the runner records its outcome"
                    );
                }
            }
            let release = release(common);
            let result = ManualResult {
                case: id.to_owned(),
                row: *row,
                status: (*status).into(),
                actual: actual.clone().unwrap_or_default(),
                defect: defect.clone().filter(|d| !d.is_empty()),
                tester: manual::tester(tester.tester.as_deref(), &root),
                at: results::now(),
                case_hash: manual::case_hash(case, &case.executions[index]),
            };
            let file = results::append(&dir, &release, std::slice::from_ref(&result), None)?;
            eprintln!(
                "recorded {id}{}: {} for release {release} in {}",
                row.map(|r| format!(" row {r}")).unwrap_or_default(),
                result.status,
                file.display()
            );
            Ok(exit::OK)
        }
        Command::Export {
            format,
            output,
            select,
            common,
        } => {
            let release = release(common);
            let ledger = ledger(&release);
            let queue = queue(select)?;
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
            Ok(exit::OK)
        }
        Command::Import {
            file,
            common,
            tester,
        } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read `{}`", file.display()))?;
            let release = release(common);
            let ledger = ledger(&release);
            let tester = manual::tester(tester.tester.as_deref(), &root);
            match checklist::import(&text, file, &project.suite, &ledger, &tester) {
                Ok(imported) => {
                    let written = if imported.results.is_empty() {
                        None
                    } else {
                        Some(results::append(&dir, &release, &imported.results, None)?)
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
                    Ok(exit::OK)
                }
                Err(errors) => {
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
            }
        }
    }
}

/// Prints the queue: one line per case, then the counts.
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
    let (mut passed, mut failed, mut blocked, mut stale, mut not_run) = (0, 0, 0, 0, 0);
    for item in &queue.items {
        let latest = ledger.latest(item.id, item.row, &item.hash);
        let state = match latest {
            None => {
                not_run += 1;
                "not run".to_owned()
            }
            Some(l) if l.validity == Validity::Valid => {
                match l.result.status {
                    Status::Passed => passed += 1,
                    Status::Failed => failed += 1,
                    Status::Blocked => blocked += 1,
                }
                format!(
                    "{} by {} at {}",
                    l.result.status, l.result.tester, l.result.at
                )
            }
            Some(l) => {
                stale += 1;
                format!(
                    "{} ({}, release {}, {})",
                    l.result.status,
                    l.validity.label(),
                    l.release,
                    l.result.at
                )
            }
        };
        let kind = match item.kind {
            Kind::Manual => String::new(),
            Kind::AwaitingAutomation => " [awaiting automation]".to_owned(),
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
                writeln!(
                    out,
                    "  {:<width$}    actual: {}",
                    "",
                    one_line(&l.result.actual)
                )?;
            }
            if let Some(defect) = &l.result.defect {
                writeln!(out, "  {:<width$}    defect: {defect}", "")?;
            }
        }
    }
    writeln!(
        out,
        "{passed} passed, {failed} failed, {blocked} blocked, {stale} stale, {not_run} not run"
    )?;
    Ok(())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
