//! The `casebook` command: a thin layer of flags and exit codes over the library.

mod cli;

/// A run makes and frees millions of small strings on several threads (parsing, binding,
/// the runner, the reports): mimalloc does that in less time and keeps less memory than
/// the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
