//! The exit codes of the `casebook` command and of a project's harness
//! (`cargo test --test specs`), the same for both.

/// Everything checked out: every executed case passed, or no lint error was found.
pub const OK: u8 = 0;

/// Failed cases or lint errors.
pub const FAILED: u8 = 1;

/// Bad usage or configuration: nothing was judged.
pub const USAGE: u8 = 2;

/// A run ended by a signal: 128 plus the signal's number, as a shell reports a process the
/// signal killed (130 for SIGINT, 143 for SIGTERM).
pub fn interrupted(signal: &str) -> u8 {
    match signal {
        "SIGINT" => 130,
        "SIGTERM" => 143,
        _ => FAILED,
    }
}
