//! A key that verifies token signatures, and what it may verify.
//!
//! RFC 8725 §3.1 wants each key used with one algorithm, checked when it is used. So a key keeps
//! its type (an RSA key and its size, an EC key and its curve, an Ed25519 key, an HMAC secret)
//! and the algorithm its publisher named for it (a JWK's `alg`), and [`VerificationKey::check`]
//! refuses a token whose `alg` does not fit: an RS256 token is never checked with a key published
//! for PS256, nor with an EC key, nor with an RSA key under 2048 bits (RFC 7518 §3.3, §3.5).

use std::str::FromStr;

use anyhow::Context;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;

/// The shortest RSA modulus accepted, in bits (RFC 7518 §3.3 and §3.5: 2048 or larger MUST be
/// used).
pub const MIN_RSA_BITS: usize = 2048;

/// What kind of key it is, as far as choosing an algorithm goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// An RSA public key with a modulus of `bits` bits: RS256/384/512, PS256/384/512.
    Rsa { bits: usize },
    /// An EC public key on P-256: ES256.
    EcP256,
    /// An EC public key on P-384: ES384.
    EcP384,
    /// An Ed25519 public key: EdDSA.
    Ed25519,
    /// A shared HMAC secret: HS256/384/512.
    Hmac,
    /// A key no algorithm the hub supports can use (another curve, say).
    Unusable,
}

impl KeyType {
    /// Whether a key of this type can verify `alg` at all (size aside).
    fn suits(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            Self::Rsa { .. } => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            Self::EcP256 => alg == ES256,
            Self::EcP384 => alg == ES384,
            Self::Ed25519 => alg == EdDSA,
            Self::Hmac => matches!(alg, HS256 | HS384 | HS512),
            Self::Unusable => false,
        }
    }
}

/// Why a key may not verify a token.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyMisfit {
    #[error("its type cannot verify {0:?}")]
    WrongType(Algorithm),
    #[error("it is an RSA key of {0} bits; at least 2048 are needed")]
    WeakRsa(usize),
    #[error("it was published for {published:?}, not {used:?}")]
    OtherAlgorithm {
        published: Algorithm,
        used: Algorithm,
    },
}

/// A key that verifies signatures, with its type and the one algorithm it was published for.
#[derive(Clone)]
pub struct VerificationKey {
    decoding: DecodingKey,
    key_type: KeyType,
    /// The algorithm its publisher named (a JWK's `alg`); `None` when it named none.
    published_for: Option<Algorithm>,
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("key_type", &self.key_type)
            .field("published_for", &self.published_for)
            .finish_non_exhaustive()
    }
}

impl VerificationKey {
    /// The key to verify signatures with.
    pub fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// Whether this key may verify a token signed with `alg`: its type must suit the algorithm,
    /// an RSA key must have at least [`MIN_RSA_BITS`], and a key published for one algorithm is
    /// used with that one only.
    pub fn check(&self, alg: Algorithm) -> Result<(), KeyMisfit> {
        if !self.key_type.suits(alg) {
            return Err(KeyMisfit::WrongType(alg));
        }
        if let KeyType::Rsa { bits } = self.key_type
            && bits < MIN_RSA_BITS
        {
            return Err(KeyMisfit::WeakRsa(bits));
        }
        match self.published_for {
            Some(published) if published != alg => Err(KeyMisfit::OtherAlgorithm {
                published,
                used: alg,
            }),
            _ => Ok(()),
        }
    }

    /// A key from an issuer's JWKS. `Ok(None)` for a key that is not for verifying signatures:
    /// `use` other than `sig`, `key_ops` without `verify`, or an encryption `alg`.
    pub fn from_jwk(jwk: &Jwk) -> Result<Option<Self>, String> {
        let common = &jwk.common;
        if matches!(
            common.public_key_use,
            Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
        ) {
            return Ok(None);
        }
        if let Some(operations) = &common.key_operations
            && !operations.contains(&KeyOperations::Verify)
        {
            return Ok(None);
        }
        let published_for = match common.key_algorithm {
            // Only signature algorithms parse as an `Algorithm`; RSA-OAEP and the like do not.
            Some(alg) => match Algorithm::from_str(&alg.to_string()) {
                Ok(alg) => Some(alg),
                Err(_) => return Ok(None),
            },
            None => None,
        };
        let key_type = match &jwk.algorithm {
            AlgorithmParameters::RSA(rsa) => KeyType::Rsa {
                bits: modulus_bits(
                    &base64::Engine::decode(
                        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                        &rsa.n,
                    )
                    .map_err(|_| "the RSA modulus is not base64url".to_owned())?,
                ),
            },
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => KeyType::EcP256,
                EllipticCurve::P384 => KeyType::EcP384,
                _ => KeyType::Unusable,
            },
            AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
                EllipticCurve::Ed25519 => KeyType::Ed25519,
                _ => KeyType::Unusable,
            },
            AlgorithmParameters::OctetKey(_) => KeyType::Hmac,
            _ => KeyType::Unusable,
        };
        let decoding = DecodingKey::from_jwk(jwk).map_err(|error| error.to_string())?;
        Ok(Some(Self {
            decoding,
            key_type,
            published_for,
        }))
    }

    /// A PEM public key, read as the kind of key `alg` needs.
    pub fn from_pem(pem: &[u8], alg: Algorithm) -> anyhow::Result<Self> {
        use Algorithm::*;
        let decoding = match alg {
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => DecodingKey::from_rsa_pem(pem)?,
            ES256 | ES384 => DecodingKey::from_ec_pem(pem)?,
            EdDSA => DecodingKey::from_ed_pem(pem)?,
            _ => anyhow::bail!("algorithm {alg:?} cannot use a PEM public key"),
        };
        Self::from_decoding(decoding, alg)
    }

    /// A key built elsewhere (the dev issuer's, say) for the kind of key `alg` needs: its type
    /// is read from the key itself, never assumed.
    pub fn from_decoding(decoding: DecodingKey, alg: Algorithm) -> anyhow::Result<Self> {
        use Algorithm::*;
        let key_type = match (alg, decoding.kind()) {
            (RS256 | RS384 | RS512 | PS256 | PS384 | PS512, kind) => KeyType::Rsa {
                bits: match kind {
                    DecodingKeyKind::RsaModulusExponent { n, .. } => modulus_bits(n),
                    // PKCS#1 RSAPublicKey DER, as jsonwebtoken keeps a PEM's key.
                    DecodingKeyKind::SecretOrDer(der) => rsa::RsaPublicKey::from_pkcs1_der(der)
                        .context("the file does not hold an RSA public key")?
                        .n()
                        .bits(),
                },
            },
            // An uncompressed SEC1 point: one tag byte and two coordinates of the field's size.
            (ES256 | ES384, DecodingKeyKind::SecretOrDer(point)) => match point.len() {
                65 => KeyType::EcP256,
                97 => KeyType::EcP384,
                _ => KeyType::Unusable,
            },
            (EdDSA, DecodingKeyKind::SecretOrDer(_)) => KeyType::Ed25519,
            (HS256 | HS384 | HS512, DecodingKeyKind::SecretOrDer(_)) => KeyType::Hmac,
            _ => KeyType::Unusable,
        };
        Ok(Self {
            decoding,
            key_type,
            published_for: None,
        })
    }

    /// A shared HMAC secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            decoding: DecodingKey::from_secret(secret),
            key_type: KeyType::Hmac,
            published_for: None,
        }
    }
}

/// The size in bits of a big-endian unsigned modulus, leading zero bytes ignored.
fn modulus_bits(n: &[u8]) -> usize {
    let leading_zeros = n.iter().take_while(|&&byte| byte == 0).count();
    let significant = &n[leading_zeros..];
    match significant.first() {
        Some(first) => significant.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn jwk(value: serde_json::Value) -> Jwk {
        serde_json::from_value(value).expect("a JWK")
    }

    /// A base64url RSA modulus of exactly `bits` bits (top bit set).
    fn modulus(bits: usize) -> String {
        let mut n = vec![0xffu8; bits.div_ceil(8)];
        n[0] = 0xff >> ((8 - bits % 8) % 8);
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &n)
    }

    fn rsa_jwk(bits: usize, alg: Option<&str>) -> Jwk {
        let mut value = json!({ "kty": "RSA", "kid": "k", "n": modulus(bits), "e": "AQAB" });
        if let Some(alg) = alg {
            value["alg"] = json!(alg);
        }
        jwk(value)
    }

    #[test]
    fn modulus_sizes_ignore_leading_zero_bytes() {
        assert_eq!(modulus_bits(&[0x00, 0x01]), 1);
        assert_eq!(modulus_bits(&[0x80, 0x00]), 16);
        assert_eq!(modulus_bits(&[0x00, 0x00]), 0);
        assert_eq!(modulus_bits(&[]), 0);
    }

    #[test]
    fn an_rsa_key_under_2048_bits_is_refused_and_2048_is_enough() {
        let weak = VerificationKey::from_jwk(&rsa_jwk(2047, None))
            .expect("parses")
            .expect("a signing key");
        assert_eq!(weak.check(Algorithm::RS256), Err(KeyMisfit::WeakRsa(2047)));
        let strong = VerificationKey::from_jwk(&rsa_jwk(2048, None))
            .expect("parses")
            .expect("a signing key");
        assert_eq!(strong.check(Algorithm::RS256), Ok(()));
        assert_eq!(strong.check(Algorithm::PS512), Ok(()));
    }

    #[test]
    fn a_key_published_for_one_algorithm_verifies_no_other() {
        let key = VerificationKey::from_jwk(&rsa_jwk(2048, Some("PS256")))
            .expect("parses")
            .expect("a signing key");
        assert_eq!(key.check(Algorithm::PS256), Ok(()));
        assert_eq!(
            key.check(Algorithm::RS256),
            Err(KeyMisfit::OtherAlgorithm {
                published: Algorithm::PS256,
                used: Algorithm::RS256
            })
        );
    }

    #[test]
    fn a_key_of_one_type_never_verifies_another_types_algorithm() {
        let rsa = VerificationKey::from_jwk(&rsa_jwk(2048, None))
            .expect("parses")
            .expect("a signing key");
        for alg in [Algorithm::ES256, Algorithm::HS256, Algorithm::EdDSA] {
            assert_eq!(rsa.check(alg), Err(KeyMisfit::WrongType(alg)));
        }
        let secret = VerificationKey::from_secret(&[7; 32]);
        assert_eq!(
            secret.check(Algorithm::RS256),
            Err(KeyMisfit::WrongType(Algorithm::RS256))
        );
        assert_eq!(secret.check(Algorithm::HS256), Ok(()));
    }

    #[test]
    fn an_ec_key_verifies_only_its_own_curves_algorithm() {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let point = p256::EncodedPoint::from(secret.public_key());
        let encode = |bytes: &[u8]| {
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
        };
        let p256 = VerificationKey::from_jwk(&jwk(json!({
            "kty": "EC", "crv": "P-256",
            "x": encode(point.x().expect("x")), "y": encode(point.y().expect("y")),
        })))
        .expect("parses")
        .expect("a signing key");
        assert_eq!(p256.key_type(), KeyType::EcP256);
        assert_eq!(p256.check(Algorithm::ES256), Ok(()));
        assert_eq!(
            p256.check(Algorithm::ES384),
            Err(KeyMisfit::WrongType(Algorithm::ES384))
        );
    }

    #[test]
    fn keys_for_encryption_are_not_signing_keys() {
        let mut for_encryption = rsa_jwk(2048, None);
        for_encryption.common.public_key_use = Some(PublicKeyUse::Encryption);
        assert!(matches!(
            VerificationKey::from_jwk(&for_encryption),
            Ok(None)
        ));
        let oaep = rsa_jwk(2048, Some("RSA-OAEP"));
        assert!(matches!(VerificationKey::from_jwk(&oaep), Ok(None)));
        let mut sign_only = rsa_jwk(2048, None);
        sign_only.common.key_operations = Some(vec![KeyOperations::Sign]);
        assert!(matches!(VerificationKey::from_jwk(&sign_only), Ok(None)));
        let mut verify = rsa_jwk(2048, None);
        verify.common.key_operations = Some(vec![KeyOperations::Verify]);
        assert!(matches!(VerificationKey::from_jwk(&verify), Ok(Some(_))));
    }
}
