//! The `casebook` command: a thin layer of flags and exit codes over the library.

mod cli;

// A run makes and frees many small strings on several threads, which mimalloc does in less
// time and memory than the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, in milliseconds (the same in its versions 2 and 3;
/// the bindings name no constant for it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Freed memory goes back to the system sooner than mimalloc's default: a run frees as
    // much as it keeps (each file's parse, each scenario's world), and the default keeps the
    // peak over the memory the run is held to (bench/RESULTS.md); at once would cost page
    // faults.
    // SAFETY: sets an option of the allocator this binary links, before any thread starts.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 5) };
    let ended = cli::main();
    let code = ended.code;
    // The process ends here: freeing a large suite and its record piece by piece would take
    // longer than writing the reports did.
    std::mem::forget(ended.kept);
    code
}
