//! The command line: the root parser, one subcommand per pipeline stage, and exit codes.
//!
//! This is the only place that knows clap and anyhow; each command's `exec` lives in a file
//! of its own and returns the exit code it means.

mod demo;
mod gherkin;
mod ids;
mod impact;
mod lint;
mod manual;
mod report;
mod trace;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use casebook::config::Config;
use casebook::exit;

/// Gherkin feature files as a traceable library of test cases.
///
/// Every Scenario is a test case with a stable ID tag (@PAY-CC-014) and links to the
/// requirements it proves (@req:PAY-7), kept in a catalog (requirements.toml). casebook
/// checks that every case can be found by its ID, that every requirement is proven, and that
/// every critical requirement is automated.
#[derive(Debug, Parser)]
#[command(name = "casebook", version, propagate_version = true)]
struct Cli {
    /// Read this configuration file instead of looking for casebook.toml in the current
    /// directory and its parents.
    #[arg(long, global = true, value_name = "FILE", env = "CASEBOOK_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check feature files and the requirement catalog, without building or running anything.
    ///
    /// Reports broken syntax, missing or duplicate case IDs, requirement tags that the catalog
    /// does not know, critical requirements without an automated case, and cases that read
    /// badly. Exit code 0: no error; 1: errors found; 2: bad usage or configuration.
    #[command(after_help = "Examples:\n  \
        casebook lint                              check the whole project\n  \
        casebook lint features/checkout.feature    show only this file's findings\n  \
        casebook lint --format github              annotations for GitHub Actions\n  \
        casebook lint --list-rules                 every rule and its severity")]
    Lint(lint::Args),

    /// Run API test cases with the built-in HTTP steps, no Rust to write.
    ///
    /// Lints the suite, binds every step to the built-in steps, runs the automated cases
    /// against --base-url, and writes to the report directory run.json, steps.json,
    /// lint.json, messages.ndjson, summary.md, report.html, junit.xml, cucumber.json and the
    /// attachments of failed cases; prints each failure and a summary by requirement. Cases whose steps need project
    /// code belong in a harness (`cargo test --test specs`). Exit code 0: every executed
    /// case passed (and, with --strict or CI=true, no step is unbound); 1: not; 2: bad
    /// usage or configuration.
    #[command(after_help = "Examples:\n  \
        casebook run --base-url http://127.0.0.1:8080\n  \
        casebook run --features api-cases --base-url http://staging.lab:8080 --tags '@smoke'\n  \
        casebook run --dry-run                        bind every step, run nothing")]
    Run(Box<casebook::harness::Args>),

    /// Render the reports of the last run again from its run.json, running nothing.
    ///
    /// Reads the record, the features, the catalog and steps.json, and writes every report
    /// (report.html, summary.md, …) to the report directory.
    Report(report::Args),

    /// Show the whole chain of a requirement or a case: requirement → cases → scripts → outcomes.
    ///
    /// Reads the features, the catalog, and the last run's `run.json` and `steps.json` from
    /// the report directory, so it needs no build and runs nothing.
    #[command(after_help = "Examples:\n  \
        casebook trace PAY-7         the cases that prove requirement PAY-7, their scripts and outcomes\n  \
        casebook trace PAY-CC-014    the requirements a case proves, its scripts and outcomes")]
    Trace(trace::Args),

    /// The cases a change can break: from a git revision or a diff to cases, with reasons.
    ///
    /// Compares each changed feature file case by case (steps, Background, Examples rows; a
    /// title or a tag alone selects nothing), follows changed step definitions and the
    /// helpers, types and constants they use to the cases whose steps bind to them (from the
    /// last run's steps.json), and maps a changed requirement to the cases covering it. The
    /// configuration, Cargo.toml, Cargo.lock and any file it cannot map select every case,
    /// and say so; `[impact] always` adds cases to every selection and `[impact] ignore`
    /// names files that change no case. Exit code 0: the selection is printed; 2: the change
    /// cannot be read (unknown revision, shallow clone, a diff that does not apply).
    #[command(after_help = "Examples:\n  \
        casebook impact --since main                      the cases this branch can break, and why\n  \
        casebook impact --since HEAD~1 --format json      the same as JSON, for a CI step\n  \
        git diff origin/main | casebook impact --diff -   a diff from anywhere, read from stdin\n  \
        cargo test --test specs -- --tags \"$(casebook impact --since main --format tags)\"\n  \
        cargo test --test specs -- --since main           the harness selects (and reports the rest as skipped)")]
    Impact(impact::Args),

    /// Case IDs for a suite that has none yet: `casebook ids assign --prefix SHOP`.
    Ids(ids::Args),

    /// Manual test cases: the queue, a tester's session, recorded results and checklists.
    ///
    /// Results go to `manual-results/<release>.toml` and count in the traceability matrix
    /// and every report, next to the runner's outcomes.
    #[command(after_help = "Examples:\n  \
        casebook manual list                              the queue and each case's last result\n  \
        casebook manual run --tester alice                answer the cases one by one; run again to resume\n  \
        casebook manual record UX-BR-001 --status failed --actual 'logo blurred' --defect https://bugs.example/42\n  \
        casebook manual export --format csv -o sheet.csv  a checklist to fill in a spreadsheet\n  \
        casebook manual import sheet.csv                  read the filled sheet back")]
    Manual(manual::Args),

    /// Serve the demo shop, the system under test of casebook's own test cases.
    Demo(demo::Args),

    /// Print a completion script for a shell.
    #[command(after_help = "Examples:\n  \
        casebook completions bash > ~/.local/share/bash-completion/completions/casebook\n  \
        casebook completions zsh > \"${fpath[1]}/_casebook\"\n  \
        casebook completions fish > ~/.config/fish/completions/casebook.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the manual page (roff), for `man -l -` or a `man1` directory.
    #[command(after_help = "Examples:\n  \
        casebook man | man -l -\n  \
        casebook man > /usr/local/share/man/man1/casebook.1")]
    Man,

    /// Parse feature files and print their Cucumber messages, as the official `gherkin` tool.
    ///
    /// Prints a `source`, a `gherkinDocument` and `pickle` messages per file (or its
    /// `parseError`s) as NDJSON, one message per line. Exit code 0: every file parsed; 1:
    /// syntax errors; 2: a file could not be read.
    #[command(after_help = "Examples:\n  \
        casebook gherkin features/checkout.feature\n  \
        casebook gherkin --predictable-ids --no-source features/*.feature")]
    Gherkin(gherkin::Args),
}

/// What a command leaves behind when it ends.
pub struct Ended {
    /// The exit code.
    pub code: ExitCode,
    /// What a run made (its suite, record and matrix), for `main` to leave to the system.
    pub kept: Option<casebook::harness::Outcome>,
}

impl From<ExitCode> for Ended {
    fn from(code: ExitCode) -> Self {
        Ended { code, kept: None }
    }
}

/// Runs the command line: its exit code, and what a run made.
pub fn main() -> Ended {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => {
            load_config(cli.config.as_deref()).and_then(|config| lint::exec(&args, config))
        }
        Command::Run(args) => return run(cli.config.as_deref(), *args),
        Command::Report(args) => {
            load_config(cli.config.as_deref()).and_then(|config| report::exec(&args, config))
        }
        Command::Trace(args) => {
            load_config(cli.config.as_deref()).and_then(|config| trace::exec(&args, config))
        }
        Command::Impact(args) => {
            load_config(cli.config.as_deref()).and_then(|config| impact::exec(&args, config))
        }
        Command::Ids(args) => {
            load_config(cli.config.as_deref()).and_then(|config| ids::exec(&args, config))
        }
        Command::Manual(args) => {
            load_config(cli.config.as_deref()).and_then(|config| manual::exec(&args, config))
        }
        Command::Demo(args) => demo::exec(&args),
        Command::Completions { shell } => {
            // `run` shares the harness's flags, named for `cargo test --test specs --`; its
            // completions are the command line's.
            let mut command = <Cli as clap::CommandFactory>::command()
                .mut_subcommand("run", |run| run.bin_name("casebook run"));
            clap_complete::generate(shell, &mut command, "casebook", &mut io::stdout());
            Ok(exit::OK)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command)
                .render(&mut io::stdout())
                .map(|()| exit::OK)
                .map_err(anyhow::Error::from)
        }
        Command::Gherkin(args) => gherkin::exec(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::from(exit::OK),
        Err(err) => {
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::from(exit::USAGE)
        }
    }
    .into()
}

/// `casebook run`: the harness, with its own exit codes, which are the CLI's.
fn run(config: Option<&std::path::Path>, args: casebook::harness::Args) -> Ended {
    let harness = casebook::harness::Harness::new();
    let harness = match config {
        Some(file) => harness.config_file(file),
        None => harness,
    };
    match harness.outcome(args) {
        Ok(outcome) => Ended {
            code: outcome.exit_code(),
            kept: Some(outcome),
        },
        Err(err) => {
            let _ = writeln!(io::stderr(), "error: {err}");
            ExitCode::from(exit::USAGE).into()
        }
    }
}

fn load_config(file: Option<&std::path::Path>) -> anyhow::Result<Config> {
    Ok(match file {
        Some(file) => Config::load(file)?,
        None => Config::discover(&std::env::current_dir()?)?,
    })
}

/// A closed pipe (`casebook lint | head`) is the reader's choice, not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>()
        .is_some_and(|err| err.kind() == io::ErrorKind::BrokenPipe)
}

/// `--format` of the commands that print for people or for scripts.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
enum Format {
    /// For people.
    #[default]
    Human,
    /// For scripts: one JSON document.
    Json,
}

/// Whether to colour output: `--color`, then `NO_COLOR`, then whether it is a terminal.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    fn enabled(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stream_is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        }
    }
}
