//! A filled CSV checklist, imported against a fixed suite: the contract of `checks::checklist`,
//! under libFuzzer.

#![no_main]

// The stable tests' own contract; each target calls one of its checks.
#[allow(dead_code)]
#[path = "../../tests/fuzz/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::checklist(&String::from_utf8_lossy(data));
});
