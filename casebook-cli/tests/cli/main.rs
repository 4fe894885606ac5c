//! Integration tests of the `casebook` binary, run as a user runs it: a real process in a
//! project directory, judged by its exit code, stdout and stderr.
//!
//! - [`gherkin_cli`]: `casebook gherkin`, the official `gherkin` executable's contract.
//! - [`ids_cli`]: `casebook ids assign`, byte for byte and pickle for pickle.
//! - [`impact_cli`]: `casebook impact` in a real git repository, one change per test.
//! - [`lint_rules`]: one fixture project per lint rule under `tests/fixtures/lint/<rule>/`,
//!   each planting exactly that rule's problem, plus a `clean` one that yields nothing.
//! - [`lint_cli`]: the command line around the rules: output formats, exit codes, PATH
//!   arguments, configuration errors and overrides, encodings, and the project's own suite.
//! - [`run_cli`]: `casebook run` with the built-in steps against the demo shop, on the
//!   workspace's `tests/fixtures/runner/http`.
//! - [`trace_cli`]: `casebook trace` on a fixture project.
//! - [`manual_cli`]: `casebook manual list`, `record`, `export` and `import`, staleness, and
//!   the results in `casebook trace`, on `tests/fixtures/manual/shop`.
//! - [`manual_pty`]: `casebook manual run` driven through a pseudo-terminal, killed midway
//!   and resumed.
//! - [`shell_cli`]: `casebook completions` and `casebook man`.
//! - [`support`]: running the binary and reading its JSON output.

mod gherkin_cli;
mod ids_cli;
mod impact_cli;
mod lint_cli;
mod lint_rules;
mod manual_cli;
mod manual_pty;
mod run_cli;
mod shell_cli;
mod support;
mod trace_cli;
