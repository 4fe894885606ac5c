//! `casebook trace ID`: a requirement's or a case's whole chain, from the last run's record.

use std::io::Write;

use anyhow::Context as _;

use casebook::config::Config;
use casebook::exit;
use casebook::project::{Project, ReportDir, Steps};
use casebook::record::RunRecord;
use casebook::{manual, release};

use super::Format;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A requirement ID (`PAY-7`) or a case ID (`PAY-CC-014`, with or without `@`).
    id: String,
    /// The release whose manual results count (default: the last run's, else `git describe`).
    #[arg(long, value_name = "LABEL", env = "CASEBOOK_RELEASE")]
    release: Option<String>,
    /// `human`, or `json`: the requirement or case row with its cases or requirements, as
    /// the traceability matrix has them.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn exec(args: &Args, config: Config) -> anyhow::Result<u8> {
    let report_dir = ReportDir::configured(&config);
    let run_json = report_dir.run_json();
    let root = config.root.clone();
    let project = Project::load(config, &[], Steps::Saved(&report_dir))
        .context("failed to load the project")?;
    // Without a run yet, the chain is still there; every outcome is "not run".
    let record = match std::fs::read_to_string(&run_json) {
        Ok(text) => RunRecord::from_json(&text, &run_json)?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "note: no run yet ({} is missing): every outcome shows as not run",
                run_json.display()
            );
            RunRecord::default()
        }
        Err(err) => {
            return Err(err).with_context(|| format!("cannot read `{}`", run_json.display()));
        }
    };
    let release =
        release::counted_or_recording(args.release.as_deref(), record.release.as_deref(), &root);
    let manual = manual::ledger(&project.config.manual_results, &release);
    let matrix = project.matrix(&record, &manual);
    let chain = match args.format {
        Format::Human => casebook::render::trace::chain(&matrix, &args.id),
        Format::Json => casebook::render::trace::chain_json(&matrix, &args.id),
    };
    match chain {
        Some(text) => {
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(exit::OK)
        }
        None => anyhow::bail!(
            "no requirement or case has the ID `{}`\n(hint: requirement IDs are the tables of the catalog, case IDs the tags of the scenarios)",
            args.id
        ),
    }
}
