//! Verifies bearer tokens from many issuers, as production does: the token's form is read
//! strictly first (see [`jose`](super::jose)), the issuer is looked up from the unverified `iss`,
//! and everything else — algorithm, `typ`, key, signature, `exp`, `nbf`, `iat`, `aud`, `iss`, and
//! the council or partnership the issuer may speak for — is checked against that issuer's
//! configuration before a single claim is trusted. README, "Identity", lists each rule with the
//! RFC that asks for it.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::dev_issuer::{self, DevBinding};
use super::jose::{self, FormError, MAX_TOKEN_BYTES};
use super::jwks::{JwksCache, KeyLookupError};
use super::keys::{KeyMisfit, VerificationKey};
use super::token_cache::{KeySetVersion, TokenCache, Usable};
use super::{Role, VerifiedToken};
use crate::config::{AuthSettings, Binding, CheckedIssuer, KeySource};
use crate::domain::LaCode;

/// Why a token was refused. Each message says what was wrong without echoing the token, and
/// becomes the UNAUTHENTICATED error's message as it stands.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token's form: size, parts, encoding, JSON, and the header parameters refused outright.
    #[error(transparent)]
    Form(#[from] FormError),
    #[error("unsupported token algorithm {0:?}")]
    UnsupportedAlgorithm(String),
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
    #[error("the signing key may not verify this token: {0}")]
    KeyRefused(#[from] KeyMisfit),
    #[error("token type (typ) must be {0:?} for this issuer")]
    WrongType(String),
    #[error("token issued in the future (iat)")]
    IssuedInFuture,
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
    #[error("token subject (sub) is longer than 255 characters")]
    SubjectTooLong,
    #[error("token subject (sub) contains control characters")]
    SubjectNotPrintable,
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
    Static(VerificationKey),
    Jwks(Box<JwksCache>),
}

struct Issuer {
    audience: String,
    algorithms: Vec<Algorithm>,
    /// The `typ` every token must carry, as [`jose::media_type`] spells it; `None`: not checked.
    typ: Option<String>,
    keys: Keys,
    binding: Binding,
    roles_claim: String,
    role_map: HashMap<String, String>,
}

/// All trusted issuers.
pub struct TokenVerifier {
    issuers: HashMap<String, Issuer>,
    dev_key: Option<VerificationKey>,
    leeway: u64,
    cache: TokenCache,
}

/// How many distinct verified tokens are remembered; a council's staff and machine clients
/// together hold far fewer live tokens than this.
const CACHED_TOKENS: usize = 10_000;
/// The longest a verified token is remembered.
const CACHED_TOKEN_TTL: Duration = Duration::from_secs(300);
/// The longest `sub` accepted (OpenID Connect Core 1.0 §2).
const MAX_SUBJECT_CHARS: usize = 255;
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
        let dev_key = dev_key
            .map(|key| VerificationKey::from_decoding(key, Algorithm::ES256))
            .transpose()
            .context("the dev issuer's key")?;
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
        // Before anything else reads it, hashing included.
        if token.len() > MAX_TOKEN_BYTES {
            return Err(FormError::TooLong.into());
        }
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
        let unverified = jose::read(token)?;
        let alg = Algorithm::from_str(&unverified.alg)
            .map_err(|_| TokenError::UnsupportedAlgorithm(unverified.alg.clone()))?;
        let kid = unverified.header_str("kid")?;
        let typ = unverified.header_str("typ")?;
        // NumericDate claims (RFC 7519 §2) that are not numbers are named as such, rather than
        // reported missing.
        if let Some(claim) = ["exp", "nbf", "iat"].into_iter().find(|claim| {
            unverified
                .claims
                .get(*claim)
                .is_some_and(|v| !v.is_number())
        }) {
            return Err(TokenError::MalformedClaim(claim.to_owned()));
        }
        let issuer_name = unverified
            .claims
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
        if !issuer.algorithms.contains(&alg) {
            return Err(TokenError::AlgorithmNotAccepted(alg));
        }
        issuer.check_type(typ)?;
        // Read before the key is looked up: if the lookup refreshes the set, this older version
        // only costs one more full verification next time, and never vouches for a withdrawn key.
        let keys = issuer.keys.version();
        let key = match &issuer.keys {
            Keys::Static(key) => key.clone(),
            Keys::Jwks(cache) => cache.key(kid).await?,
        };
        // One algorithm per key (RFC 8725 §3.1), of the right type and strength.
        key.check(alg)?;

        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.leeway = self.leeway;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_audience(&[&issuer.audience]);
        validation.set_issuer(&[&issuer_name]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(token, key.decoding(), &validation)
            .map_err(|e| TokenError::from(e.kind()))?
            .claims;
        self.check_issued_at(&claims)?;

        issuer.check_binding(&claims)?;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(TokenError::NoSubject)?
            .to_owned();
        // OpenID Connect Core 1.0 §2: a `sub` "MUST NOT exceed 255 ASCII characters". The hub
        // records it with every change it makes (`case_event.recorded_by` holds 255), and
        // PostgreSQL cannot store a NUL.
        if subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(TokenError::SubjectTooLong);
        }
        if subject.chars().any(char::is_control) {
            return Err(TokenError::SubjectNotPrintable);
        }
        let verified = VerifiedToken {
            subject,
            issuer: issuer_name,
            binding: issuer.binding.clone(),
            roles: issuer.roles(&claims),
        };
        Ok((verified, claims, keys))
    }

    /// `iat` is optional, but a token issued later than now (beyond the clock leeway) was not
    /// issued by a trustworthy clock: refused.
    fn check_issued_at(&self, claims: &Value) -> Result<(), TokenError> {
        let Some(iat) = claims.get("iat") else {
            return Ok(());
        };
        let iat = iat
            .as_f64()
            .ok_or_else(|| TokenError::MalformedClaim("iat".into()))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        if iat > now + self.leeway as f64 {
            return Err(TokenError::IssuedInFuture);
        }
        Ok(())
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
            typ: None,
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
                let first = *algorithms.first().context("no algorithms")?;
                let key = VerificationKey::from_pem(&pem, first).with_context(|| {
                    format!("issuer {name}: the public key in {}", path.display())
                })?;
                // Every algorithm the issuer lists must suit this one key: an RSA key under
                // 2048 bits, or a list mixing key types, stops the server here.
                for alg in &algorithms {
                    key.check(*alg).map_err(|misfit| {
                        anyhow::anyhow!(
                            "issuer {name}: the public key in {} cannot verify {alg:?}: {misfit}",
                            path.display()
                        )
                    })?;
                }
                Keys::Static(key)
            }
            KeySource::Hs256Secret(secret) => {
                Keys::Static(VerificationKey::from_secret(secret.expose().as_bytes()))
            }
        };
        Ok(Self {
            audience: config.audience.clone(),
            typ: config.typ.as_deref().map(jose::media_type),
            algorithms,
            keys,
            binding,
            roles_claim: config.roles_claim.clone(),
            role_map: config.role_map.clone().into_iter().collect(),
        })
    }

    /// With a configured `typ` (RFC 8725 §3.11), a token must say it is of that type.
    fn check_type(&self, typ: Option<&str>) -> Result<(), TokenError> {
        match &self.typ {
            Some(expected) if typ.map(jose::media_type).as_ref() != Some(expected) => {
                Err(TokenError::WrongType(expected.clone()))
            }
            _ => Ok(()),
        }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::config::{IssuerSettings, Secret};

    const ISSUER: &str = "https://idp.kent.example";
    const SECRET: &str = "a test secret of thirty-two bytes";

    fn issuer(typ: Option<&str>) -> IssuerSettings {
        IssuerSettings {
            issuer: ISSUER.into(),
            audience: "hub".into(),
            algorithms: vec!["HS256".into()],
            typ: typ.map(Into::into),
            jwks_url: None,
            public_key_pem: None,
            hs256_secret: Some(Secret::new(SECRET)),
            allow_hs256: true,
            council: Some("886".into()),
            partnership: None,
            roles_claim: "roles".into(),
            role_map: BTreeMap::new(),
        }
    }

    fn verifier(issuer: IssuerSettings) -> anyhow::Result<TokenVerifier> {
        let settings = AuthSettings {
            leeway_seconds: 5,
            issuers: vec![issuer],
            ..AuthSettings::default()
        };
        TokenVerifier::new(&settings, None)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    /// An HS256 token from the test issuer with header `typ` and `extra` claims.
    fn token(typ: Option<&str>, extra: Value) -> String {
        let mut claims = json!({
            "iss": ISSUER, "aud": "hub", "sub": "officer-1", "exp": now() + 600,
            "roles": ["caseworker"],
        });
        if let (Value::Object(claims), Value::Object(extra)) = (&mut claims, extra) {
            claims.extend(extra);
        }
        let mut header = Header::new(Algorithm::HS256);
        header.typ = typ.map(Into::into);
        jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .expect("sign")
    }

    #[tokio::test]
    async fn a_configured_typ_must_be_present_and_match_as_a_media_type() {
        let verifier = verifier(issuer(Some("at+jwt"))).expect("verifier");
        for accepted in ["at+jwt", "AT+JWT", "application/at+jwt"] {
            let result = verifier.verify(&token(Some(accepted), json!({}))).await;
            assert!(result.is_ok(), "{accepted}: {result:?}");
        }
        for refused in [Some("JWT"), Some("id_token+jwt"), None] {
            let result = verifier.verify(&token(refused, json!({}))).await;
            assert!(
                matches!(&result, Err(TokenError::WrongType(expected)) if expected == "at+jwt"),
                "{refused:?}: {result:?}"
            );
        }
    }

    #[tokio::test]
    async fn without_a_configured_typ_any_typ_or_none_is_accepted() {
        let verifier = verifier(issuer(None)).expect("verifier");
        for typ in [Some("JWT"), Some("at+jwt"), None] {
            assert!(verifier.verify(&token(typ, json!({}))).await.is_ok());
        }
    }

    #[tokio::test]
    async fn a_token_issued_in_the_future_is_refused_beyond_the_leeway() {
        let verifier = verifier(issuer(None)).expect("verifier");
        let future = verifier
            .verify(&token(None, json!({ "iat": now() + 600 })))
            .await;
        assert!(
            matches!(future, Err(TokenError::IssuedInFuture)),
            "{future:?}"
        );
        // Within the five seconds of leeway: a clock slightly ahead is forgiven.
        let skewed = verifier
            .verify(&token(None, json!({ "iat": now() + 2 })))
            .await;
        assert!(skewed.is_ok(), "{skewed:?}");
        let words = verifier
            .verify(&token(None, json!({ "iat": "yesterday" })))
            .await;
        assert!(
            matches!(&words, Err(TokenError::MalformedClaim(claim)) if claim == "iat"),
            "{words:?}"
        );
    }

    /// Writes `pem` to a fresh file and returns its path.
    fn pem_file(name: &str, pem: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("hub-{}-{name}.pem", uuid::Uuid::now_v7()));
        std::fs::write(&path, pem).expect("write a PEM");
        path
    }

    fn pem_issuer(path: std::path::PathBuf, algorithms: &[&str]) -> IssuerSettings {
        IssuerSettings {
            algorithms: algorithms.iter().map(|a| (*a).to_owned()).collect(),
            public_key_pem: Some(path),
            hs256_secret: None,
            allow_hs256: false,
            ..issuer(None)
        }
    }

    #[test]
    fn an_rsa_pem_key_under_2048_bits_stops_the_server_at_start() {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        let weak = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).expect("an RSA key");
        let pem = weak
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("PEM");
        let path = pem_file("weak-rsa", &pem);
        let refused = verifier(pem_issuer(path.clone(), &["RS256"]))
            .map(|_| ())
            .map_err(|error| format!("{error:#}"));
        std::fs::remove_file(path).ok();
        let message = refused.expect_err("a 1024-bit key is refused");
        assert!(message.contains("1024 bits"), "{message}");
    }

    #[test]
    fn a_pem_key_listed_with_an_algorithm_of_another_type_stops_the_server_at_start() {
        use p256::pkcs8::{EncodePublicKey, LineEnding};
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let pem = secret
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("PEM");
        let path = pem_file("p256", &pem);
        let mixed = verifier(pem_issuer(path.clone(), &["ES256", "RS256"])).map(|_| ());
        let other_curve = verifier(pem_issuer(path.clone(), &["ES256", "ES384"])).map(|_| ());
        let alone = verifier(pem_issuer(path.clone(), &["ES256"])).map(|_| ());
        std::fs::remove_file(path).ok();
        assert!(mixed.is_err());
        assert!(other_curve.is_err());
        assert!(alone.is_ok(), "{alone:?}");
    }

    #[test]
    fn token_errors_read_as_the_messages_clients_have_always_seen() {
        let cases = [
            (TokenError::from(FormError::Malformed), "malformed token"),
            (
                TokenError::from(FormError::Unsigned),
                "unsigned tokens (alg none) are not accepted",
            ),
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
