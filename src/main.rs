//! The `casebook` command: a thin layer of flags and exit codes over the library.

mod cli;

/// A run makes and frees millions of small strings on several threads (parsing, binding,
/// the runner, the reports): mimalloc does that in less time and keeps less memory than
/// the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same in its versions 2 and 3; the bindings name
/// no constant for it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Memory freed is given back to the system at once rather than 10 ms later: a run
    // frees as much as it keeps (each file's parse, each scenario's world), and on 10,000
    // scenarios a delay kept the peak too near the 64 MB it must stay under (up to 63.7 MB
    // with 10 ms, 62.6 MB with 5 ms, against 59-60 MB). The price is page faults: 37,000
    // against 25,000 with 5 ms.
    // SAFETY: sets an option of the allocator this binary links, before any thread starts.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    cli::main()
}
