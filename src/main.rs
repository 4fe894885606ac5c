//! The `casebook` command: a thin layer of flags and exit codes over the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
