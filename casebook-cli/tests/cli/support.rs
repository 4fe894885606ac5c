//! Helpers shared by the CLI tests: run the real `casebook` binary in a project directory,
//! read its `--format json` output, and build throwaway projects in temporary directories.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One finding reduced to what the rule tests compare: `(rule, severity, file, line)`.
pub type Finding = (String, String, String, usize);

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Output {
    /// The exit code.
    pub code: i32,
    /// Standard output, as text.
    pub stdout: String,
    /// Standard error, as text.
    pub stderr: String,
}

/// The workspace's root: the project's own suite and the fixtures the CLI shares with the
/// library's tests (`tests/fixtures/runner/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("casebook-cli sits in the workspace")
        .to_path_buf()
}

/// The root of the lint fixtures: `tests/fixtures/lint`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint")
}

/// The fixture project `tests/fixtures/lint/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    let dir = fixtures_dir().join(name);
    assert!(dir.is_dir(), "no fixture directory {}", dir.display());
    dir
}

/// Runs `casebook <args>` with `dir` as the current directory, without colours and without
/// a `CASEBOOK_CONFIG` inherited from the developer's shell.
pub fn casebook(dir: &Path, args: &[&str]) -> Output {
    casebook_with_env(dir, args, &[])
}

/// [`casebook`] with environment variables set for it.
pub fn casebook_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    if !args.contains(&"--config") {
        refuse_a_foreign_config(dir);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CASEBOOK_CONFIG")
        .env_remove("CASEBOOK_BASE_URL")
        .env_remove("CI")
        .env_remove("CASEBOOK_WEBDRIVER_URL")
        .env_remove("CASEBOOK_RELEASE")
        .env_remove("CASEBOOK_TESTER")
        .output()
        .expect("the casebook binary runs");
    Output {
        code: output
            .status
            .code()
            .expect("casebook exited with a code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `casebook lint --format json` in `dir`: the exit code and every finding.
pub fn lint_json(dir: &Path) -> (i32, Vec<Finding>) {
    lint_json_with(dir, &[])
}

/// `casebook lint --format json <args>` in `dir`: the exit code and every finding.
pub fn lint_json_with(dir: &Path, args: &[&str]) -> (i32, Vec<Finding>) {
    let (output, entries) = lint_json_entries(dir, args);
    let findings = entries
        .iter()
        .map(|entry| {
            let text = |key: &str| entry[key].as_str().expect("a string").to_owned();
            let line = entry["line"].as_u64().expect("a number") as usize;
            (text("rule"), text("severity"), text("file"), line)
        })
        .collect();
    (output.code, findings)
}

/// `casebook lint --format json <args>` in `dir`: the whole output and the parsed entries,
/// each checked to have exactly the documented keys with values of the right types.
pub fn lint_json_entries(dir: &Path, args: &[&str]) -> (Output, Vec<Value>) {
    let mut full = vec!["lint", "--format", "json"];
    full.extend_from_slice(args);
    let output = casebook(dir, &full);
    let value: Value = serde_json::from_str(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not JSON ({err}) in {}:\n{output:#?}",
            dir.display()
        )
    });
    let entries = value.as_array().expect("a JSON array").clone();
    for entry in &entries {
        let object = entry.as_object().expect("each entry is an object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["column", "file", "line", "message", "rule", "severity"],
            "{entry}"
        );
        for key in ["file", "rule", "severity", "message"] {
            assert!(
                entry[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {entry}"
            );
        }
        for key in ["line", "column"] {
            assert!(
                entry[key].as_u64().is_some_and(|n| n >= 1),
                "{key} in {entry}"
            );
        }
    }
    (output, entries)
}

/// Owned findings from a table of string slices, for comparing with [`lint_json`].
pub fn findings(expected: &[(&str, &str, &str, usize)]) -> Vec<Finding> {
    expected
        .iter()
        .map(|&(rule, severity, file, line)| (rule.into(), severity.into(), file.into(), line))
        .collect()
}

/// A temporary project holding `files` (paths relative to its root, any bytes).
pub fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, bytes) in files {
        write(dir.path(), path, bytes);
    }
    dir
}

/// A temporary copy of the fixture `name`, to change its configuration without touching it.
pub fn copy_of_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_dir(&fixture(name), dir.path());
    dir
}

/// A temporary copy of the manual commands' fixture `tests/fixtures/manual/<name>`, which
/// the commands write their results into.
pub fn copy_of_manual_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/manual")
            .join(name),
        dir.path(),
    );
    dir
}

/// Writes `bytes` to `root/path`, creating its directories.
pub fn write(root: &Path, path: &str, bytes: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the directories");
    std::fs::write(&path, bytes).expect("write the file");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the directory");
    for entry in std::fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy the file");
        }
    }
}

/// casebook looks for `casebook.toml` in the current directory and then its parents. A
/// project without one of its own would silently run with somebody else's (the
/// repository's, or a stray one above the temporary directory): fail loudly instead.
fn refuse_a_foreign_config(dir: &Path) {
    if dir.join("casebook.toml").is_file() {
        return;
    }
    if let Some(found) = dir
        .ancestors()
        .skip(1)
        .map(|d| d.join("casebook.toml"))
        .find(|f| f.is_file())
    {
        panic!(
            "{} has no casebook.toml, so casebook would use {}; give the project its own",
            dir.display(),
            found.display()
        );
    }
}
