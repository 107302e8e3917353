//! Verifies bearer tokens from many issuers, as production does: the issuer is looked up from the
//! unverified `iss`, and everything else — algorithm, key, signature, `exp`, `nbf`, `aud`, `iss`,
//! and the council or partnership the issuer may speak for — is checked against that issuer's
//! configuration before a single claim is trusted.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::dev_issuer::{self, DevBinding};
use super::jwks::{JwksCache, KeyLookupError};
use super::token_cache::{KeySetVersion, TokenCache, Usable};
use super::{Role, VerifiedToken};
use crate::config::{AuthSettings, Binding, CheckedIssuer, KeySource};
use crate::domain::LaCode;

/// Why a token was refused. Each message says what was wrong without echoing the token, and
/// becomes the UNAUTHENTICATED error's message as it stands.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("malformed token header")]
    MalformedHeader,
    #[error("token header has no alg")]
    NoAlgorithm,
    #[error("unsigned tokens (alg none) are not accepted")]
    Unsigned,
    #[error("unsupported token algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    #[error("malformed token claims")]
    MalformedClaims,
    #[error("token has no iss claim")]
    NoIssuer,
    #[error("unknown issuer")]
    UnknownIssuer,
    #[error("algorithm {0:?} is not accepted for this issuer")]
    AlgorithmNotAccepted(Algorithm),
    #[error("unknown signing key (kid)")]
    UnknownKid,
    #[error("token has no kid and the issuer has several keys")]
    AmbiguousKey,
    #[error("the issuer's signing keys are unavailable")]
    KeysUnavailable,
    #[error("token expired")]
    Expired,
    #[error("token not yet valid (nbf)")]
    NotYetValid,
    #[error("wrong audience")]
    WrongAudience,
    #[error("wrong issuer")]
    WrongIssuer,
    #[error("invalid signature")]
    InvalidSignature,
    #[error("token has no {0} claim")]
    MissingClaim(String),
    #[error("algorithm does not match the issuer's key")]
    KeyAlgorithmMismatch,
    #[error("claim {0} is malformed")]
    MalformedClaim(String),
    #[error("token could not be verified")]
    Unverifiable,
    #[error("this issuer may not speak for council {0}")]
    OtherCouncil(String),
    #[error("a council issuer may not speak for a partnership")]
    CouncilIssuerNamesPartnership,
    #[error("this issuer may not speak for partnership {0}")]
    OtherPartnership(String),
    #[error("a partnership issuer may not speak for a council")]
    PartnershipIssuerNamesCouncil,
    #[error("token has no subject")]
    NoSubject,
}

impl From<KeyLookupError> for TokenError {
    fn from(error: KeyLookupError) -> Self {
        match error {
            KeyLookupError::UnknownKid => Self::UnknownKid,
            KeyLookupError::AmbiguousKey => Self::AmbiguousKey,
            KeyLookupError::Unavailable => Self::KeysUnavailable,
        }
    }
}

impl From<&ErrorKind> for TokenError {
    fn from(kind: &ErrorKind) -> Self {
        match kind {
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::InvalidAudience => Self::WrongAudience,
            ErrorKind::InvalidIssuer => Self::WrongIssuer,
            ErrorKind::InvalidSignature => Self::InvalidSignature,
            ErrorKind::MissingRequiredClaim(claim) => Self::MissingClaim(claim.clone()),
            ErrorKind::InvalidAlgorithm => Self::KeyAlgorithmMismatch,
            ErrorKind::InvalidClaimFormat(claim) => Self::MalformedClaim(claim.clone()),
            _ => Self::Unverifiable,
        }
    }
}

enum Keys {
    Static(DecodingKey),
    Jwks(Box<JwksCache>),
}

struct Issuer {
    audience: String,
    algorithms: Vec<Algorithm>,
    keys: Keys,
    binding: Binding,
    roles_claim: String,
    role_map: HashMap<String, String>,
}

/// All trusted issuers.
pub struct TokenVerifier {
    issuers: HashMap<String, Issuer>,
    dev_key: Option<DecodingKey>,
    leeway: u64,
    cache: TokenCache,
}

/// How many distinct verified tokens are remembered; a council's staff and machine clients
/// together hold far fewer live tokens than this.
const CACHED_TOKENS: usize = 10_000;
/// The longest a verified token is remembered.
const CACHED_TOKEN_TTL: Duration = Duration::from_secs(300);
/// The key set version of an issuer configured with a fixed key.
const STATIC_KEYS: KeySetVersion = 0;

impl TokenVerifier {
    /// Builds the verifier from settings; `dev_key` is the dev issuer's key when it is trusted.
    pub fn new(settings: &AuthSettings, dev_key: Option<DecodingKey>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("building the JWKS HTTP client")?;
        let mut issuers = HashMap::new();
        for checked in settings.checked_issuers()? {
            let name = checked.settings.issuer.clone();
            issuers.insert(name, Issuer::from_settings(checked, settings, &http)?);
        }
        let ttl = CACHED_TOKEN_TTL.min(Duration::from_secs(settings.jwks_cache_seconds));
        Ok(Self {
            issuers,
            dev_key,
            leeway: settings.leeway_seconds,
            cache: TokenCache::new(ttl, CACHED_TOKENS),
        })
    }

    /// Verifies `token`, or says what was wrong with it (never echoing the token). A token
    /// verified before and still within its own `exp`/`nbf` is not checked again.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let digest = TokenCache::digest(token);
        let now_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        if let Some((known, keys)) = self.cache.get(&digest, now_unix, Instant::now()) {
            if self.current_keys(&known.issuer) == Some(keys) {
                return Ok(known);
            }
            self.cache.remove(&digest);
        }
        let (verified, claims, keys) = self.verify_in_full(token).await?;
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        let seconds = |claim: &str| claims.get(claim).and_then(Value::as_f64).map(|s| s as i64);
        // `exp` is required, so verification has already refused a token without one.
        if let (Some(exp), Some(keys)) = (seconds("exp"), keys) {
            let usable = Usable {
                from: seconds("nbf").map_or(i64::MIN, |nbf| nbf.saturating_sub(leeway)),
                until: exp.saturating_add(leeway),
            };
            self.cache
                .insert(digest, verified.clone(), keys, usable, Instant::now());
        }
        Ok(verified)
    }

    /// The version of `issuer`'s keys now: static keys never change; a JWKS counts its fetches
    /// and has no usable version while stale. `None` means "verify in full".
    fn current_keys(&self, issuer: &str) -> Option<KeySetVersion> {
        match self.issuers.get(issuer) {
            Some(issuer) => issuer.keys.version(),
            // The dev issuer's key is fixed.
            None => self.dev_key.as_ref().map(|_| STATIC_KEYS),
        }
    }

    /// Every check, every time: issuer, algorithm, key, signature and claims. Also returns the
    /// claims and the version of the issuer's keys the token was checked against.
    async fn verify_in_full(
        &self,
        token: &str,
    ) -> Result<(VerifiedToken, Value, Option<KeySetVersion>), TokenError> {
        let header_alg = peek_header_alg(token)?;
        if header_alg.eq_ignore_ascii_case("none") {
            return Err(TokenError::Unsigned);
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| TokenError::UnsupportedAlgorithm(header_alg))?;
        let unverified: Value = jsonwebtoken::dangerous::insecure_decode_claims(token)
            .map_err(|_| TokenError::MalformedClaims)?;
        let issuer_name = unverified
            .get("iss")
            .and_then(Value::as_str)
            .ok_or(TokenError::NoIssuer)?
            .to_owned();

        let dev_issuer;
        let issuer = match self.issuers.get(&issuer_name) {
            Some(issuer) => issuer,
            None => {
                dev_issuer = self
                    .dev_issuer(&issuer_name)
                    .ok_or(TokenError::UnknownIssuer)?;
                &dev_issuer
            }
        };
        if !issuer.algorithms.contains(&header.alg) {
            return Err(TokenError::AlgorithmNotAccepted(header.alg));
        }
        // Read before the key is looked up: if the lookup refreshes the set, this older version
        // only costs one more full verification next time, and never vouches for a withdrawn key.
        let keys = issuer.keys.version();
        let key = match &issuer.keys {
            Keys::Static(key) => key.clone(),
            Keys::Jwks(cache) => cache.key(header.kid.as_deref()).await?,
        };

        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.leeway = self.leeway;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_audience(&[&issuer.audience]);
        validation.set_issuer(&[&issuer_name]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| TokenError::from(e.kind()))?
            .claims;

        issuer.check_binding(&claims)?;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(TokenError::NoSubject)?
            .to_owned();
        let verified = VerifiedToken {
            subject,
            issuer: issuer_name,
            binding: issuer.binding.clone(),
            roles: issuer.roles(&claims),
        };
        Ok((verified, claims, keys))
    }

    fn dev_issuer(&self, name: &str) -> Option<Issuer> {
        let key = self.dev_key.clone()?;
        let binding = match dev_issuer::binding_of(name)? {
            DevBinding::Council(code) => Binding::Council(LaCode::parse(&code).ok()?),
            DevBinding::Partnership(code) => Binding::Partnership(code),
        };
        Some(Issuer {
            audience: dev_issuer::DEV_AUDIENCE.to_owned(),
            algorithms: vec![Algorithm::ES256],
            keys: Keys::Static(key),
            binding,
            roles_claim: "roles".to_owned(),
            role_map: HashMap::new(),
        })
    }
}

impl Keys {
    /// Static keys never change; a JWKS counts its fetches and has no version while stale.
    fn version(&self) -> Option<KeySetVersion> {
        match self {
            Keys::Static(_) => Some(STATIC_KEYS),
            Keys::Jwks(cache) => cache.current_generation(),
        }
    }
}

impl Issuer {
    /// Builds an issuer from settings that have passed every rule (see
    /// [`IssuerSettings::check`](crate::config::IssuerSettings::check)): only reading its key
    /// can still fail.
    fn from_settings(
        checked: CheckedIssuer<'_>,
        auth: &AuthSettings,
        http: &reqwest::Client,
    ) -> anyhow::Result<Self> {
        let CheckedIssuer {
            settings: config,
            algorithms,
            keys,
            binding,
        } = checked;
        let name = &config.issuer;
        let keys = match keys {
            KeySource::Jwks(url) => Keys::Jwks(Box::new(JwksCache::new(
                url.to_owned(),
                http.clone(),
                Duration::from_secs(auth.jwks_cache_seconds),
                Duration::from_secs(auth.jwks_min_refresh_seconds),
            ))),
            KeySource::PublicKeyPem(path) => {
                let pem = std::fs::read(path)
                    .with_context(|| format!("issuer {name}: reading {}", path.display()))?;
                Keys::Static(decoding_key_from_pem(&pem, &algorithms).with_context(|| {
                    format!("issuer {name}: the public key in {}", path.display())
                })?)
            }
            KeySource::Hs256Secret(secret) => {
                Keys::Static(DecodingKey::from_secret(secret.expose().as_bytes()))
            }
        };
        Ok(Self {
            audience: config.audience.clone(),
            algorithms,
            keys,
            binding,
            roles_claim: config.roles_claim.clone(),
            role_map: config.role_map.clone().into_iter().collect(),
        })
    }

    /// A token may name its council or partnership, but only the one its issuer speaks for.
    fn check_binding(&self, claims: &Value) -> Result<(), TokenError> {
        let claimed = |name: &str| claims.get(name).and_then(Value::as_str).map(str::trim);
        match &self.binding {
            Binding::Council(la_code) => {
                if let Some(claimed) = claimed("council")
                    && claimed != la_code.as_str()
                {
                    return Err(TokenError::OtherCouncil(claimed.to_owned()));
                }
                if claims.get("partnership").is_some() {
                    return Err(TokenError::CouncilIssuerNamesPartnership);
                }
            }
            Binding::Partnership(code) => {
                if let Some(claimed) = claimed("partnership")
                    && claimed != code
                {
                    return Err(TokenError::OtherPartnership(claimed.to_owned()));
                }
                if claims.get("council").is_some() {
                    return Err(TokenError::PartnershipIssuerNamesCouncil);
                }
            }
        }
        Ok(())
    }

    /// Roles from the configured claim, mapped to the hub's names. Names we do not know, and
    /// roles of the wrong kind for the issuer (a council IdP granting a partnership role), are
    /// dropped.
    fn roles(&self, claims: &Value) -> BTreeSet<Role> {
        let mut value = claims;
        for part in self.roles_claim.split('.') {
            match value.get(part) {
                Some(inner) => value = inner,
                None => return BTreeSet::new(),
            }
        }
        let names: Vec<&str> = match value {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::String(list) => list.split_whitespace().collect(),
            _ => Vec::new(),
        };
        let council_issuer = matches!(self.binding, Binding::Council(_));
        names
            .into_iter()
            .filter_map(|name| Role::parse(self.role_map.get(name).map_or(name, String::as_str)))
            .filter(|role| role.is_council_role() == council_issuer)
            .collect()
    }
}

/// A PEM public key, read the way its algorithms need.
fn decoding_key_from_pem(pem: &[u8], algorithms: &[Algorithm]) -> anyhow::Result<DecodingKey> {
    let first = algorithms.first().context("no algorithms")?;
    let key = match first {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => DecodingKey::from_rsa_pem(pem)?,
        Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(pem)?,
        Algorithm::EdDSA => DecodingKey::from_ed_pem(pem)?,
        _ => anyhow::bail!("algorithm {first:?} cannot use a PEM public key"),
    };
    Ok(key)
}

/// The `alg` of a token's header, read without trusting anything else.
fn peek_header_alg(token: &str) -> Result<String, TokenError> {
    let header = token.split('.').next().ok_or(TokenError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .map_err(|_| TokenError::MalformedHeader)?;
    let header: Value = serde_json::from_slice(&bytes).map_err(|_| TokenError::MalformedHeader)?;
    header
        .get("alg")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(TokenError::NoAlgorithm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_errors_read_as_the_messages_clients_have_always_seen() {
        let cases = [
            (
                TokenError::UnsupportedAlgorithm("XS999".into()),
                "unsupported token algorithm \"XS999\"",
            ),
            (
                TokenError::AlgorithmNotAccepted(Algorithm::HS256),
                "algorithm HS256 is not accepted for this issuer",
            ),
            (
                TokenError::from(&ErrorKind::MissingRequiredClaim("exp".into())),
                "token has no exp claim",
            ),
            (
                TokenError::from(&ErrorKind::InvalidClaimFormat("nbf".into())),
                "claim nbf is malformed",
            ),
            (
                TokenError::OtherCouncil("919".into()),
                "this issuer may not speak for council 919",
            ),
            (
                TokenError::from(KeyLookupError::UnknownKid),
                "unknown signing key (kid)",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
