//! A JWKS cache for one issuer: fetched over HTTP, trusted for a while, and refreshed when a
//! token names a key we have not seen — but no more than once per `min_refresh`, so a stream of
//! tokens with made-up `kid`s cannot turn the hub into a load generator against the IdP.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use tokio::sync::{Mutex, RwLock};

use super::keys::VerificationKey;

/// The largest key set read from an issuer: real ones hold a few keys in a few kilobytes. With
/// one cache per configured issuer, the keys held are bounded by the configuration.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Keys of one issuer's JWKS, by `kid`.
pub struct JwksCache {
    url: String,
    http: reqwest::Client,
    cache_for: Duration,
    min_refresh: Duration,
    state: RwLock<State>,
    // Serialises fetches so that concurrent requests with a new kid cause one fetch, not many.
    fetching: Mutex<()>,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, VerificationKey>,
    /// Keys published without a `kid`; usable only when the set holds exactly one key.
    unnamed: Vec<VerificationKey>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    /// Counts the sets fetched, so a verification can say which set it was checked against.
    generation: u64,
}

/// Why a key could not be found.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyLookupError {
    /// The token's `kid` is not in the issuer's key set, even after a refresh.
    UnknownKid,
    /// The token has no `kid` and the issuer publishes several keys.
    AmbiguousKey,
    /// The issuer's JWKS could not be fetched or parsed.
    Unavailable,
}

impl JwksCache {
    pub fn new(
        url: String,
        http: reqwest::Client,
        cache_for: Duration,
        min_refresh: Duration,
    ) -> Self {
        Self {
            url,
            http,
            cache_for,
            min_refresh,
            state: RwLock::new(State::default()),
            fetching: Mutex::new(()),
        }
    }

    /// The key for `kid`, fetching or refreshing the set when needed and allowed. Whether it may
    /// verify a given token is the caller's check ([`VerificationKey::check`]).
    pub async fn key(&self, kid: Option<&str>) -> Result<VerificationKey, KeyLookupError> {
        {
            let state = self.state.read().await;
            if state.is_fresh(self.cache_for)
                && let Some(key) = state.lookup(kid)
            {
                return Ok(key);
            }
        }
        let _one_fetch = self.fetching.lock().await;
        {
            // Another request may have refreshed while we waited.
            let state = self.state.read().await;
            if state.is_fresh(self.cache_for)
                && let Some(key) = state.lookup(kid)
            {
                return Ok(key);
            }
            let recently_tried = state
                .last_attempt
                .is_some_and(|at| at.elapsed() < self.min_refresh);
            if recently_tried && state.fetched_at.is_some() {
                return state.lookup(kid).ok_or_else(|| state.miss(kid));
            }
        }
        let fetched = self.fetch().await;
        let mut state = self.state.write().await;
        state.last_attempt = Some(Instant::now());
        match fetched {
            Ok(set) => state.replace(&set),
            Err(error) => {
                tracing::warn!(url = %self.url, error = %error, "could not fetch JWKS");
                if state.fetched_at.is_none() {
                    return Err(KeyLookupError::Unavailable);
                }
            }
        }
        state.lookup(kid).ok_or_else(|| state.miss(kid))
    }

    /// Which key set is current, while it is fresh: tokens verified against an earlier set (or
    /// a stale one) must be verified again. `None` while a refresh is being written.
    pub fn current_generation(&self) -> Option<u64> {
        let state = self.state.try_read().ok()?;
        state.is_fresh(self.cache_for).then_some(state.generation)
    }

    /// The issuer's key set, read up to [`MAX_JWKS_BYTES`]: a larger answer is refused before
    /// it is held, so an issuer's endpoint cannot grow the server's memory.
    async fn fetch(&self) -> anyhow::Result<JwkSet> {
        let mut response = self.http.get(&self.url).send().await?.error_for_status()?;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                anyhow::bail!("the JWKS is larger than {MAX_JWKS_BYTES} bytes");
            }
            body.extend_from_slice(&chunk);
        }
        Ok(serde_json::from_slice(&body)?)
    }
}

impl State {
    fn is_fresh(&self, cache_for: Duration) -> bool {
        self.fetched_at.is_some_and(|at| at.elapsed() < cache_for)
    }

    fn lookup(&self, kid: Option<&str>) -> Option<VerificationKey> {
        match kid {
            Some(kid) => self.keys.get(kid).cloned(),
            None => match (self.keys.len(), self.unnamed.as_slice()) {
                (0, [only]) => Some(only.clone()),
                (1, []) => self.keys.values().next().cloned(),
                _ => None,
            },
        }
    }

    fn miss(&self, kid: Option<&str>) -> KeyLookupError {
        if kid.is_some() {
            KeyLookupError::UnknownKid
        } else {
            KeyLookupError::AmbiguousKey
        }
    }

    fn replace(&mut self, set: &JwkSet) {
        self.keys.clear();
        self.unnamed.clear();
        for jwk in &set.keys {
            let key = match VerificationKey::from_jwk(jwk) {
                Ok(Some(key)) => key,
                // Keys for encryption (by `use`, `key_ops` or `alg`) do not verify signatures.
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(kid = ?jwk.common.key_id, error, "skipping a JWK that cannot be used");
                    continue;
                }
            };
            match &jwk.common.key_id {
                Some(kid) => {
                    self.keys.insert(kid.clone(), key);
                }
                None => self.unnamed.push(key),
            }
        }
        self.fetched_at = Some(Instant::now());
        self.generation += 1;
    }
}
