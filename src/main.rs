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
    // Memory freed is given back to the system after 5 ms rather than 10: a run frees as
    // much as it keeps (each file's parse, each scenario's world), and on 10,000 scenarios
    // the default delay kept its peak within 1 MB of the 64 MB it must stay under. Giving
    // it back at once (0) saved another megabyte, but the pages then came back as 12,000
    // more page faults (37,000 against 25,000), in the runner's thread among others.
    // SAFETY: sets an option of the allocator this binary links, before any thread starts.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 5) };
    cli::main()
}
