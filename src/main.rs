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
    // Memory freed is given back to the system 5 ms later rather than mimalloc's 10: a run
    // frees as much as it keeps (each file's parse, each scenario's world), and on 10,000
    // scenarios 10 ms kept the peak too near the 64 MB it must stay under (63.7 MB, before
    // the LTO build). Giving it back at once cost a tenth more CPU time in page faults
    // (38,000 against 25,000): 1.74 s against 1.55 s in 13 alternating runs of the LTO
    // build, for a peak of 56.6-59.5 MB against 58.4-61.6 MB.
    // SAFETY: sets an option of the allocator this binary links, before any thread starts.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 5) };
    cli::main()
}
