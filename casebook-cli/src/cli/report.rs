//! `casebook report`: renders the reports of the last run again from its `run.json`, without
//! running anything.

use anyhow::Context as _;

use casebook::config::Config;
use casebook::exit;
use casebook::project::{Project, ReportDir, Steps};
use casebook::record::RunRecord;
use casebook::{manual, release};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report directory to read `run.json` from and write to (default: `report-dir`).
    #[arg(long, value_name = "DIR")]
    report_dir: Option<std::path::PathBuf>,
    /// The run record to render (default: `run.json` in the report directory).
    #[arg(long, value_name = "FILE")]
    run: Option<std::path::PathBuf>,
    /// The directory of the feature files the run executed (default: `features`).
    #[arg(long, value_name = "DIR")]
    features: Option<std::path::PathBuf>,
    /// The release whose manual results the reports count (default: the run's release).
    #[arg(long, value_name = "LABEL", env = "CASEBOOK_RELEASE")]
    release: Option<String>,
}

pub fn exec(args: &Args, config: Config) -> anyhow::Result<u8> {
    let report_dir = ReportDir::resolve(args.report_dir.as_deref(), &config);
    let run_json = args.run.clone().unwrap_or_else(|| report_dir.run_json());
    let text = std::fs::read_to_string(&run_json).with_context(|| {
        format!("cannot read the run record `{}`\n(hint: run the cases first, or name a record with --run)", run_json.display())
    })?;
    let record = RunRecord::from_json(&text, &run_json)?;
    let mut config = config;
    if let Some(features) = &args.features {
        config.features = features.clone();
    }
    // The step definitions of that run, when they were saved beside it.
    let project = Project::load(config, &[], Steps::Saved(&report_dir))
        .context("failed to load the project")?;
    let manual = manual::ledger(
        &project.config.manual_results,
        &release::counted(args.release.as_deref(), record.release.as_deref()),
    );
    let (_, written) = project.write_reports(&report_dir, &record, &manual);
    let written = written?;
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(exit::OK)
}
