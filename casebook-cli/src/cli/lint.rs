//! `casebook lint`: static checks of the feature files and the requirement catalog.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context as _;

use casebook::config::Config;
use casebook::exit;
use casebook::lint::{format, rules};
use casebook::project::{Project, ReportDir, Steps};

use super::ColorChoice;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Feature files or directories to report on. The whole suite is still read, so that
    /// duplicate IDs across files are found; only findings in these paths are shown.
    /// Default: the features directory and the catalog.
    #[arg(value_name = "PATHS")]
    paths: Vec<PathBuf>,

    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// List every rule with its default severity and exit.
    #[arg(long)]
    list_rules: bool,

    /// Show every finding in the human format, not only the first of each rule.
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Grouped by file, with the source line and a caret.
    Human,
    /// An array of {file, line, column, rule, severity, message} objects.
    Json,
    /// GitHub Actions annotations (::error file=…,line=…,col=…::…).
    Github,
}

pub fn exec(args: &Args, config: Config) -> anyhow::Result<u8> {
    let mut stdout = std::io::stdout().lock();
    if args.list_rules {
        for rule in rules::ALL {
            writeln!(
                stdout,
                "{:<36} {:<8} {}",
                rule.name(),
                rule.severity().to_string(),
                rule.summary()
            )?;
        }
        return Ok(exit::OK);
    }
    for path in &args.paths {
        anyhow::ensure!(
            path.exists(),
            "no such file or directory: `{}`",
            path.display()
        );
    }

    let report_dir = ReportDir::configured(&config);
    let project = Project::load(config, &args.paths, Steps::Saved(&report_dir))
        .context("failed to load the project")?;
    let (diagnostics, summary) = project.lint(&args.paths);

    match args.format {
        Format::Human => {
            let color = args.color.enabled(std::io::stdout().is_terminal());
            let shown = if args.all {
                diagnostics.clone()
            } else {
                format::first_of_each_rule(&diagnostics)
            };
            stdout.write_all(&format::human(&shown, &project.sources(), color))?;
            write!(stdout, "{}", format::overview(&diagnostics, shown.len()))?;
            writeln!(stdout, "{}", format::summary_line(&summary))?;
        }
        Format::Json => {
            stdout.write_all(format::json(&diagnostics).as_bytes())?;
            eprintln!("{}", format::summary_line(&summary));
        }
        Format::Github => {
            stdout.write_all(format::github(&diagnostics).as_bytes())?;
            eprintln!("{}", format::summary_line(&summary));
        }
    }
    stdout.flush()?;
    Ok(if summary.errors > 0 {
        exit::FAILED
    } else {
        exit::OK
    })
}
