//! `casebook ids assign`: a case ID tag for every case that has none, written into the files.

use std::io::Write as _;

use anyhow::Context as _;

use casebook::config::Config;
use casebook::exit;
use casebook::project::{Project, ReportDir, Steps};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Give every case without an ID the next free `<PREFIX>-<n>`, written as a tag.
    ///
    /// The tag goes right after the case's last tag, or on a line of its own above the
    /// Scenario line; nothing else in a file changes. Numbers go on after the highest ID the
    /// suite has with the prefix. Exit code 0: written (or, with --dry-run, listed); 2: the
    /// prefix would not make a case ID.
    #[command(after_help = "Examples:\n  \
        casebook ids assign --prefix SHOP --dry-run   list what would be written\n  \
        casebook ids assign --prefix SHOP             write @SHOP-1, @SHOP-2, … into the files")]
    Assign(AssignArgs),
}

#[derive(Debug, clap::Args)]
struct AssignArgs {
    /// The ID prefix: letters, digits and dashes, such as `SHOP` or `PAY-CC`.
    #[arg(long)]
    prefix: String,
    /// List the IDs that would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn exec(args: &Args, config: Config) -> anyhow::Result<u8> {
    let Command::Assign(args) = &args.command;
    let report_dir = ReportDir::configured(&config);
    let project = Project::load(config, &[], Steps::Saved(&report_dir))
        .context("failed to load the project")?;
    let (edits, skipped) =
        casebook::ids::assign(&project.suite, &project.config.tags, &args.prefix)?;
    let mut stdout = std::io::stdout().lock();
    let mut count = 0;
    for edit in &edits {
        if !args.dry_run {
            casebook::output::write_atomic(&edit.path, edit.text.as_bytes())
                .with_context(|| format!("cannot write `{}`", edit.path.display()))?;
        }
        for assignment in &edit.assignments {
            count += 1;
            writeln!(
                stdout,
                "{}:{}: @{}  {}",
                assignment.path.display(),
                assignment.line,
                assignment.id,
                casebook::text::terminal(&assignment.title)
            )?;
        }
    }
    for file in &skipped {
        eprintln!(
            "warning: {} is left as it is: {}",
            file.path.display(),
            file.why
        );
    }
    let verb = if args.dry_run {
        "would assign"
    } else {
        "assigned"
    };
    writeln!(stdout, "{verb} {count} IDs in {} files", edits.len())?;
    Ok(exit::OK)
}
