//! The `casebook` command: a thin layer of flags and exit codes over the library.

mod cli;

// A run makes and frees many small strings on several threads, which mimalloc does in less
// time and memory than the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let ended = cli::main();
    let code = ended.code;
    // The process ends here: freeing a large suite and its record piece by piece would take
    // longer than writing the reports did.
    std::mem::forget(ended.kept);
    code
}
