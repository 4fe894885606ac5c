//! Ids of AST nodes and pickles.
//!
//! Messages refer to each other by id: a pickle names the scenario and rows it comes from.
//! The official tools use UUIDs, or a counter from 0 when asked for predictable ids (which is
//! what the conformance test data shows).

/// Makes the ids of AST nodes and pickles, one call per id.
pub trait IdGenerator {
    /// A new id, different from every id made before.
    fn new_id(&mut self) -> String;
}

/// Ids `"0"`, `"1"`, `"2"`, ...: predictable, as the official `--predictable-ids`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncrementingIds {
    next: u64,
}

impl IncrementingIds {
    /// A counter starting at 0.
    pub fn new() -> Self {
        IncrementingIds::default()
    }
}

impl IdGenerator for IncrementingIds {
    fn new_id(&mut self) -> String {
        let id = self.next.to_string();
        self.next += 1;
        id
    }
}

/// Random (version 4) UUIDs, as the official tools make by default.
///
/// The randomness comes from the standard library's per-process random hash keys, mixed
/// with a counter: unique and unpredictable enough for ids, not for secrets.
#[derive(Debug, Clone)]
pub struct UuidIds {
    state: u64,
}

impl Default for UuidIds {
    fn default() -> Self {
        UuidIds::new()
    }
}

impl UuidIds {
    /// A generator seeded from the standard library's random source.
    pub fn new() -> Self {
        use std::hash::{BuildHasher, RandomState};
        UuidIds {
            state: RandomState::new().hash_one(0x5eed_u64),
        }
    }

    /// SplitMix64: a fast generator whose outputs are all distinct over its period.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl IdGenerator for UuidIds {
    fn new_id(&mut self) -> String {
        let high = self.next_u64();
        let low = self.next_u64();
        // Version 4 in the 13th hex digit, variant 10xx in the 17th.
        let high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xFFFF,
            high & 0xFFFF,
            low >> 48,
            low & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_starts_at_zero() {
        let mut ids = IncrementingIds::new();
        assert_eq!([ids.new_id(), ids.new_id(), ids.new_id()], ["0", "1", "2"]);
    }

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let mut ids = UuidIds::new();
        let (a, b) = (ids.new_id(), ids.new_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }
}
