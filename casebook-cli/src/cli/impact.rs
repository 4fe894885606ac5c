//! `casebook impact`: the cases a change can break, each with the reason it was chosen.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use casebook::config::Config;
use casebook::exit;
use casebook::impact::{self, Change};
use casebook::project::{Project, ReportDir, Steps};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("change").required(true).args(["since", "diff"])))]
pub struct Args {
    /// The change is everything since this revision: commits since the merge base with it,
    /// staged and unstaged edits, and new files (`main`, `origin/main`, `v1.2`, `HEAD~3`).
    #[arg(long, value_name = "REV")]
    since: Option<String>,
    /// The change is this unified diff (`git diff`, `diff -u`, a review tool's export), made
    /// against the tree as it is now; `-` reads it from standard input.
    #[arg(long, value_name = "FILE")]
    diff: Option<PathBuf>,
    /// What to print: `human` (each case with its reasons), `json`, or `tags` (a tag
    /// expression for the harness's `--tags`; empty when every case is selected).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Tags,
}

pub fn exec(args: &Args, config: Config) -> anyhow::Result<u8> {
    let dir = config.root.clone();
    let change = match (&args.since, &args.diff) {
        (Some(revision), _) => impact::since(&dir, revision)?,
        (None, Some(file)) => read_diff(&dir, file)?,
        (None, None) => unreachable!("clap requires --since or --diff"),
    };
    let report_dir = ReportDir::configured(&config);
    let steps_json = report_dir.steps_json();
    let project = Project::load(config, &[], Steps::Saved(&report_dir))
        .context("failed to load the project")?;
    if project.bindings.is_none() {
        eprintln!(
            "note: no step definitions are known ({} is missing), so a change to Rust selects every case\n(hint: run the harness once; `cargo test --test specs -- --dry-run` is enough)",
            steps_json.display()
        );
    }
    let selected = impact::select(
        &change,
        impact::Project {
            config: &project.config,
            suite: &project.suite,
            bindings: project.bindings.as_ref(),
            catalog: project.catalog(),
        },
    );
    let text = match args.format {
        Format::Human => casebook::render::impact::human(&selected, &project.suite),
        Format::Json => casebook::render::impact::json(&selected, &project.suite),
        Format::Tags => match impact::tag_expression(&selected, &project.suite) {
            Ok(expression) => {
                if expression == impact::NOTHING {
                    eprintln!("note: the change selects no case; the expression matches none");
                } else if expression.is_empty() {
                    eprintln!(
                        "note: the change selects every case; the empty expression filters nothing"
                    );
                }
                format!("{expression}\n")
            }
            Err(case) => anyhow::bail!(
                "{}: the selected case `{}` has no ID, so no tag expression can name it\n(hint: give every case an ID tag, or run the selection with the harness's own `--since`)",
                case.location,
                case.title
            ),
        },
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(exit::OK)
}

/// Reads `--diff FILE` (or standard input for `-`) against the tree in `dir`.
fn read_diff(dir: &Path, file: &Path) -> anyhow::Result<Change> {
    let read_error = |source| impact::Error::ReadDiff {
        path: file.to_path_buf(),
        source,
    };
    let text = if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(read_error)?;
        text
    } else {
        std::fs::read_to_string(file).map_err(read_error)?
    };
    Ok(impact::from_diff(dir, &text, file)?)
}
