//! Tokens already verified, so a client that sends the same bearer token with every request (a
//! front end, a dashboard tool) pays for one signature check rather than one per request. RSA
//! verification in pure Rust was about a tenth of the server's CPU on a page of the worklist.
//!
//! An entry is only as good as the verification it remembers:
//! - it is used only while the token's own `exp` and `nbf`, with the configured leeway, still
//!   allow it, so an expired token is refused as if it had never been seen;
//! - it remembers which of its issuer's key sets verified it, and the verifier uses it only while
//!   that set is still current and fresh: when a JWKS refresh withdraws a key, tokens signed with
//!   it are refused at once, as without the cache;
//! - it lives at most `ttl`;
//! - it is keyed by the SHA-256 digest of the whole token: a token differing in any byte (a forged
//!   signature, an edited claim) is a different key and is verified in full. The token itself is
//!   never kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::VerifiedToken;

/// The digest a token is remembered by.
pub type TokenDigest = [u8; 32];

/// When a verified token may be used, in Unix seconds, leeway included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usable {
    pub from: i64,
    pub until: i64,
}

struct Entry {
    token: VerifiedToken,
    keys: KeySetVersion,
    usable: Usable,
    cached_until: Instant,
}

/// Which of an issuer's key sets verified a token: its JWKS generation, or `STATIC_KEYS`.
pub type KeySetVersion = u64;

/// Verified tokens by digest: a bounded map, each entry usable only as long as described above.
pub struct TokenCache {
    entries: Mutex<HashMap<TokenDigest, Entry>>,
    ttl: Duration,
    capacity: usize,
}

impl TokenCache {
    /// An empty cache keeping each token at most `ttl`, and at most `capacity` tokens.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            ttl,
            capacity,
        }
    }

    /// The key a token is remembered by: its SHA-256, never the token itself.
    pub fn digest(token: &str) -> TokenDigest {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The verified token and the key set that verified it, if it was verified within `ttl` and
    /// may still be used at `now_unix`.
    pub fn get(
        &self,
        digest: &TokenDigest,
        now_unix: i64,
        now: Instant,
    ) -> Option<(VerifiedToken, KeySetVersion)> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(digest)?;
        if entry.usable.from <= now_unix
            && now_unix <= entry.usable.until
            && now < entry.cached_until
        {
            return Some((entry.token.clone(), entry.keys));
        }
        entries.remove(digest);
        None
    }

    /// Forgets a token, when the key set that verified it is no longer current.
    pub fn remove(&self, digest: &TokenDigest) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(digest);
    }

    /// Remembers a token that has just been verified in full against `keys`.
    pub fn insert(
        &self,
        digest: TokenDigest,
        token: VerifiedToken,
        keys: KeySetVersion,
        usable: Usable,
        now: Instant,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            // Full: drop what can no longer be used; if every entry is still live (a flood of
            // distinct valid tokens), start again rather than grow without bound.
            entries.retain(|_, entry| now < entry.cached_until);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            digest,
            Entry {
                token,
                keys,
                usable,
                cached_until: now + self.ttl,
            },
        );
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::auth::Role;
    use crate::config::Binding;
    use crate::domain::LaCode;

    fn token(subject: &str) -> VerifiedToken {
        VerifiedToken {
            subject: subject.into(),
            issuer: "https://idp.kent.example".into(),
            binding: Binding::Council(LaCode::parse("886").expect("la code")),
            roles: BTreeSet::from([Role::Caseworker]),
        }
    }

    const USABLE: Usable = Usable {
        from: 1_000,
        until: 2_000,
    };

    #[test]
    fn a_token_is_served_only_inside_its_own_validity() {
        let cache = TokenCache::new(Duration::from_secs(300), 10);
        let now = Instant::now();
        let digest = TokenCache::digest("header.claims.signature");
        cache.insert(digest, token("officer-1"), 1, USABLE, now);
        assert_eq!(
            cache
                .get(&digest, 1_500, now)
                .map(|(t, keys)| (t.subject, keys)),
            Some(("officer-1".to_owned(), 1))
        );
        assert!(cache.get(&digest, 999, now).is_none(), "before nbf");
        // Refused once, the entry is gone: later use goes back to full verification.
        assert!(cache.get(&digest, 1_500, now).is_none());

        cache.insert(digest, token("officer-1"), 1, USABLE, now);
        assert!(
            cache.get(&digest, 2_000, now).is_some(),
            "the last usable second"
        );
        assert!(cache.get(&digest, 2_001, now).is_none(), "expired");
    }

    #[test]
    fn an_entry_outlives_neither_its_ttl_nor_a_changed_byte() {
        let cache = TokenCache::new(Duration::from_secs(300), 10);
        let now = Instant::now();
        let digest = TokenCache::digest("header.claims.signature");
        cache.insert(digest, token("officer-1"), 1, USABLE, now);
        let forged = TokenCache::digest("header.claims.signaturf");
        assert!(cache.get(&forged, 1_500, now).is_none());
        assert!(
            cache
                .get(&digest, 1_500, now + Duration::from_secs(300))
                .is_none(),
            "past the ttl"
        );
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = TokenCache::new(Duration::from_secs(300), 3);
        let now = Instant::now();
        for n in 0..10 {
            let digest = TokenCache::digest(&format!("token-{n}"));
            cache.insert(digest, token("officer"), 1, USABLE, now);
            assert!(cache.len() <= 3);
            assert!(
                cache.get(&digest, 1_500, now).is_some(),
                "the newest is kept"
            );
        }
    }
}
