//! Session tokens, verification tokens and password digests, without a dependency.
//!
//! Everything is SipHash keyed with a secret random key per shop ([`RandomState`] draws it
//! from the operating system). Unguessable enough for a demo running on loopback; a real shop
//! would use a CSPRNG for tokens and a slow password hash such as Argon2.

use std::hash::{BuildHasher, RandomState};

/// Makes unguessable tokens and keyed digests for one shop.
#[derive(Debug)]
pub struct TokenSource {
    keys: RandomState,
    counter: u64,
}

impl Default for TokenSource {
    fn default() -> Self {
        TokenSource::new()
    }
}

impl TokenSource {
    /// A source with fresh secret keys.
    pub fn new() -> Self {
        TokenSource {
            keys: RandomState::new(),
            counter: 0,
        }
    }

    /// A new token: 32 lowercase hex digits, never repeated within this source.
    pub fn token(&mut self) -> String {
        self.counter += 1;
        let a = self.keys.hash_one((self.counter, 0u8));
        let b = self.keys.hash_one((self.counter, 1u8));
        format!("{a:016x}{b:016x}")
    }

    /// A keyed digest of `secret` salted with `salt`, so that passwords are not kept in clear.
    pub fn digest(&self, salt: &str, secret: &str) -> [u64; 2] {
        [
            self.keys.hash_one(("password", salt, secret)),
            self.keys.hash_one(("password-2", salt, secret)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hex_and_distinct() {
        let mut source = TokenSource::new();
        let a = source.token();
        let b = source.token();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn digests_depend_on_salt_and_secret() {
        let source = TokenSource::new();
        assert_eq!(source.digest("alice", "pw"), source.digest("alice", "pw"));
        assert_ne!(source.digest("alice", "pw"), source.digest("alice", "PW"));
        assert_ne!(source.digest("alice", "pw"), source.digest("bob", "pw"));
    }
}
