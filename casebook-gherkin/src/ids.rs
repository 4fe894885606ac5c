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

/// Short ids unique across runs: a random prefix drawn once per generator, then a counter
/// (`"3f9c2a71.0"`, `"3f9c2a71.1"`, …, the counter in base 36).
///
/// The protocol needs ids only to be distinct; UUIDs make them so across the shards of a
/// run whose streams are concatenated, at 36 characters each. A run of ten thousand test
/// cases writes about a million ids, so the prefix (32 random bits, as likely to collide
/// between two shards as two UUID prefixes of the same length) and a counter keep them
/// distinct at a third of the size.
#[derive(Debug, Clone)]
pub struct RunIds {
    prefix: String,
    next: u64,
}

impl Default for RunIds {
    fn default() -> Self {
        RunIds::new()
    }
}

impl RunIds {
    /// A generator with a fresh random prefix.
    pub fn new() -> Self {
        let random = UuidIds::new().next_u64();
        RunIds {
            prefix: format!("{:08x}.", random >> 32),
            next: 0,
        }
    }
}

impl IdGenerator for RunIds {
    fn new_id(&mut self) -> String {
        let mut id = String::with_capacity(self.prefix.len() + 6);
        id.push_str(&self.prefix);
        // Base 36, most significant digit first.
        let mut digits = [0u8; 13];
        let mut n = self.next;
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize];
            n /= 36;
            if n == 0 {
                break;
            }
        }
        id.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
        self.next += 1;
        id
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

    #[test]
    fn run_ids_share_a_prefix_and_count_in_base_36() {
        let mut ids = RunIds::new();
        let made: Vec<String> = (0..40).map(|_| ids.new_id()).collect();
        let prefix = &made[0][..9];
        assert!(prefix.ends_with('.') && made.iter().all(|id| id.starts_with(prefix)));
        assert_eq!(&made[0][9..], "0");
        assert_eq!(&made[35][9..], "z");
        assert_eq!(&made[36][9..], "10");
        let distinct: std::collections::HashSet<&String> = made.iter().collect();
        assert_eq!(distinct.len(), made.len());
        assert_ne!(
            RunIds::new().new_id()[..9],
            *prefix,
            "each generator draws its prefix"
        );
    }
}
