//! Signs test tokens with the fixture keys, as each council's IdP would.

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{
    AUDIENCE, KENT, KENT_ISSUER, PARTNERSHIP, PARTNERSHIP_ISSUER, SURREY, SURREY_ISSUER, fixture,
};

/// Who a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Kent's IdP (RS256, JWKS, kid `kent-rs256-a`).
    Kent,
    /// Surrey's IdP (ES256, roles in `groups` with its own names).
    Surrey,
    /// The partnership's IdP (ES256).
    Partnership,
}

/// The fixture keys, loaded once per test app.
pub struct TokenFactory {
    pub kent_a: EncodingKey,
    pub kent_b: EncodingKey,
    pub surrey: EncodingKey,
    pub partnership: EncodingKey,
    pub attacker: EncodingKey,
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("key fixture")
}

impl Default for TokenFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenFactory {
    pub fn new() -> Self {
        Self {
            kent_a: EncodingKey::from_rsa_pem(&pem("kent-rs256-a.key.pem")).expect("kent a"),
            kent_b: EncodingKey::from_rsa_pem(&pem("kent-rs256-b.key.pem")).expect("kent b"),
            surrey: EncodingKey::from_ec_pem(&pem("surrey-es256.key.pem")).expect("surrey"),
            partnership: EncodingKey::from_ec_pem(&pem("partnership-es256.key.pem"))
                .expect("partnership"),
            attacker: EncodingKey::from_rsa_pem(&pem("attacker-rs256.key.pem")).expect("attacker"),
        }
    }

    /// Standard, valid claims for `caller` with `roles`.
    pub fn claims(&self, caller: Caller, roles: &[&str]) -> Value {
        let now = Utc::now().timestamp();
        let (issuer, roles_claim, affiliation) = match caller {
            Caller::Kent => (KENT_ISSUER, "roles", json!({ "council": KENT })),
            Caller::Surrey => (SURREY_ISSUER, "groups", json!({ "council": SURREY })),
            Caller::Partnership => (
                PARTNERSHIP_ISSUER,
                "roles",
                json!({ "partnership": PARTNERSHIP }),
            ),
        };
        let mut claims = json!({
            "iss": issuer,
            "aud": AUDIENCE,
            "sub": format!("{issuer}/officer-17"),
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
        });
        claims[roles_claim] = json!(roles);
        if let (Value::Object(map), Value::Object(extra)) = (&mut claims, affiliation) {
            map.extend(extra);
        }
        claims
    }

    /// A valid token for `caller`.
    pub fn token(&self, caller: Caller, roles: &[&str]) -> String {
        self.sign(caller, &self.claims(caller, roles))
    }

    /// Signs `claims` with `caller`'s own key and header.
    pub fn sign(&self, caller: Caller, claims: &Value) -> String {
        match caller {
            Caller::Kent => sign(Algorithm::RS256, Some("kent-rs256-a"), &self.kent_a, claims),
            Caller::Surrey => sign(Algorithm::ES256, None, &self.surrey, claims),
            Caller::Partnership => sign(Algorithm::ES256, None, &self.partnership, claims),
        }
    }
}

/// Signs `claims` with any key, algorithm and kid.
pub fn sign(algorithm: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).expect("sign")
}

/// Signs a header and claims given as the exact bytes to encode: for crafted tokens (repeated
/// names, odd header parameters, bytes that are not UTF-8) that no serializer would write.
pub fn sign_raw(algorithm: Algorithm, key: &EncodingKey, header: &[u8], claims: &[u8]) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, algorithm).expect("sign");
    format!("{message}.{signature}")
}
