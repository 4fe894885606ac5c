//! The project's own executable specifications: `cargo test --test specs`.
//!
//! Today this checks the demo shop's test cases (`features/`) against the requirement
//! catalog with every lint rule, prints the findings, writes them to
//! `target/casebook/lint.json`, and fails on any error. The runner that executes the cases
//! against the embedded demo shop builds on this harness.

use std::path::Path;
use std::process::ExitCode;

use casebook::config::Config;
use casebook::lint::format;
use casebook::project::Project;

fn main() -> ExitCode {
    // `cargo test` passes its own arguments (`--nocapture`, filters, `--test-threads`);
    // nothing here depends on them, so they are accepted and ignored.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = match Config::discover(root) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let report_dir = config.report_dir.clone();
    let project = match Project::load(config, &[]) {
        Ok(project) => project,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let (diagnostics, summary) = project.lint(&[]);
    print!(
        "{}",
        String::from_utf8_lossy(&format::human(&diagnostics, &project.sources(), false))
    );
    if let Err(err) = casebook::output::write_atomic(
        &report_dir.join("lint.json"),
        format::json(&diagnostics).as_bytes(),
    ) {
        eprintln!("error: cannot write the lint report: {err}");
        return ExitCode::from(2);
    }
    println!("{}", format::summary_line(&summary));
    if summary.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
