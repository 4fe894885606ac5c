//! Whether this machine can drive headless Chromium, for the tests that need it: a laptop
//! without it skips them and says why, CI (`CI=true`) fails them, since it runs them all.
//!
//! The run finds chromedriver on PATH, as the world does (`world::browser`), and chromedriver
//! starts Chromium; `.ci/setup` installs both when either is missing from PATH, and so this
//! looks for both.

use std::io::Write as _;
use std::path::Path;
use std::sync::{Once, OnceLock};

/// The programs the browser tests need on PATH.
const PROGRAMS: [&str; 2] = ["chromedriver", "chromium"];

/// Whether chromedriver and Chromium are on PATH. When they are not, the first call prints
/// why the browser tests are skipped and how to install them, and every call returns
/// `false`; with `CI=true` every call panics instead.
pub(crate) fn available() -> bool {
    static MISSING: OnceLock<Vec<&str>> = OnceLock::new();
    static TOLD: Once = Once::new();
    let missing = MISSING.get_or_init(|| {
        PROGRAMS
            .into_iter()
            .filter(|program| !on_path(program))
            .collect()
    });
    if missing.is_empty() {
        return true;
    }
    let names: Vec<String> = missing
        .iter()
        .map(|program| format!("`{program}`"))
        .collect();
    let why = format!(
        "{} {} not on PATH\n(hint: install Chromium and chromedriver with `bash .ci/setup`)",
        names.join(" and "),
        if missing.len() == 1 { "is" } else { "are" },
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "this test drives headless Chromium, which CI=true requires: {why}"
    );
    // Straight to the process's stderr: the test harness keeps what a passing test prints
    // with `eprintln!` to itself, and a skip that says nothing reads as a pass.
    TOLD.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "skipping the tests that drive headless Chromium: {why}"
        );
    });
    false
}

/// Whether `program` is a file in a directory of PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| Path::new(&dir).join(program).is_file())
    })
}
