//! The local development issuer: an ES256 key generated on first start and kept in the data
//! directory, so `api token` can mint tokens the demo server trusts.
//!
//! Each council gets its own issuer name (`urn:partnership-hub:dev:council:886`), so even in the
//! demo an issuer speaks for exactly one council, as real ones do.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::json;

use super::Role;

/// The audience of dev tokens.
pub const DEV_AUDIENCE: &str = "partnership-hub";
const COUNCIL_PREFIX: &str = "urn:partnership-hub:dev:council:";
const PARTNERSHIP_PREFIX: &str = "urn:partnership-hub:dev:partnership:";

/// What a dev issuer name speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DevBinding {
    Council(String),
    Partnership(String),
}

/// The dev issuer's name for a binding.
pub fn issuer_for(binding: &DevBinding) -> String {
    match binding {
        DevBinding::Council(la_code) => format!("{COUNCIL_PREFIX}{la_code}"),
        DevBinding::Partnership(code) => format!("{PARTNERSHIP_PREFIX}{code}"),
    }
}

/// The binding a dev issuer name stands for, if it is one.
pub fn binding_of(issuer: &str) -> Option<DevBinding> {
    if let Some(la_code) = issuer.strip_prefix(COUNCIL_PREFIX) {
        return Some(DevBinding::Council(la_code.to_owned()));
    }
    issuer
        .strip_prefix(PARTNERSHIP_PREFIX)
        .map(|code| DevBinding::Partnership(code.to_owned()))
}

/// The dev issuer's key pair.
pub struct DevKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl DevKey {
    /// Loads the key from `path`, generating and saving a new one (mode 0600) if absent.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
            let pem = secret
                .to_pkcs8_pem(LineEnding::LF)
                .context("encoding the dev issuer key")?;
            write_private(path, pem.as_bytes())?;
        }
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("reading the dev issuer key {}", path.display()))?;
        let secret = p256::SecretKey::from_pkcs8_pem(&pem).context("parsing the dev issuer key")?;
        let public = secret
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .context("encoding the dev issuer public key")?;
        Ok(Self {
            encoding: EncodingKey::from_ec_pem(pem.as_bytes())?,
            decoding: DecodingKey::from_ec_pem(public.as_bytes())?,
        })
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// Signs a token for `binding` with the given roles, valid for `ttl`.
    pub fn mint(
        &self,
        binding: &DevBinding,
        subject: &str,
        roles: &[Role],
        ttl: std::time::Duration,
    ) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(ttl.as_secs()).context("ttl too long")?;
        let mut claims = json!({
            "iss": issuer_for(binding),
            "aud": DEV_AUDIENCE,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        });
        match binding {
            DevBinding::Council(la_code) => claims["council"] = json!(la_code),
            DevBinding::Partnership(code) => claims["partnership"] = json!(code),
        }
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::ES256),
            &claims,
            &self.encoding,
        )?)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("creating {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_names_round_trip_to_their_binding() {
        let kent = DevBinding::Council("886".into());
        assert_eq!(binding_of(&issuer_for(&kent)), Some(kent));
        let se = DevBinding::Partnership("SESLIP".into());
        assert_eq!(binding_of(&issuer_for(&se)), Some(se));
        assert_eq!(binding_of("https://login.kent.example"), None);
    }
}
