//! The compact form of a signed token (RFC 7515 §7.1), read strictly before any key is touched.
//!
//! - At most [`MAX_TOKEN_BYTES`], checked before anything is decoded.
//! - Exactly three parts of base64url without padding, whitespace or any other character
//!   (RFC 7515 §2, §5.2 steps 2 and 6); five parts is an encrypted token (JWE), refused by name.
//! - Header and claims are UTF-8 JSON objects (RFC 7515 §5.2 step 3, RFC 8725 §3.7) in which no
//!   member name repeats, at any depth: RFC 7515 §4 and RFC 7519 §4 let a parser either refuse
//!   duplicates or keep the last, and two parsers that choose differently read two different
//!   tokens, so the hub refuses them.
//! - The header is refused when it carries `alg: none`, `crit` (RFC 7515 §4.1.11: the hub
//!   understands no extension), a key or a key's address (`jwk`, `jku`, `x5c`, `x5u`: keys come
//!   only from the issuer's configuration, RFC 8725 §3.10), `enc` (an encrypted token), or
//!   `cty: JWT` (a nested token, RFC 7519 §5.2).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The longest token accepted, in bytes. Access tokens from real identity providers are one to
/// two kilobytes; a larger one is refused before it is decoded.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Header parameters that carry a key or say where to fetch one. A token never chooses its own
/// key.
const KEY_PARAMETERS: [&str; 4] = ["jwk", "jku", "x5c", "x5u"];

/// Why a token's form was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("token is longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
    #[error("encrypted tokens (JWE) are not accepted")]
    Encrypted,
    #[error("malformed token")]
    Malformed,
    #[error("malformed token header")]
    MalformedHeader,
    #[error("token header has no alg")]
    NoAlgorithm,
    #[error("unsigned tokens (alg none) are not accepted")]
    Unsigned,
    #[error("malformed token claims")]
    MalformedClaims,
    #[error("token {0} repeats a member name")]
    DuplicateName(&'static str),
    #[error("token header has crit: this hub understands no critical extension")]
    Critical,
    #[error(
        "token header parameter {0} is not accepted: keys come only from the issuer's configuration"
    )]
    KeyInHeader(&'static str),
    #[error("nested tokens (cty JWT) are not accepted")]
    Nested,
}

/// A token's header and claims, read but not verified: nothing in them is trusted yet.
#[derive(Debug)]
pub struct UnverifiedToken {
    /// The `alg` header parameter, as sent (never `none`).
    pub alg: String,
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

impl UnverifiedToken {
    /// A header parameter that must be a string when present; a non-string is a malformed header.
    pub fn header_str(&self, name: &str) -> Result<Option<&str>, FormError> {
        match self.header.get(name) {
            None => Ok(None),
            Some(Value::String(value)) => Ok(Some(value)),
            Some(_) => Err(FormError::MalformedHeader),
        }
    }
}

/// Reads a compact JWS strictly (see the module's documentation).
pub fn read(token: &str) -> Result<UnverifiedToken, FormError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(FormError::TooLong);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return Err(if parts.len() == 5 {
            FormError::Encrypted
        } else {
            FormError::Malformed
        });
    };
    if header.is_empty()
        || claims.is_empty()
        || ![header, claims, signature]
            .iter()
            .all(|part| part.bytes().all(is_base64url))
    {
        return Err(FormError::Malformed);
    }
    let header = decode_object(header)
        .map_err(|failure| failure.or(FormError::MalformedHeader, "header"))?;
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        Some(_) => return Err(FormError::MalformedHeader),
        None => return Err(FormError::NoAlgorithm),
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(FormError::Unsigned);
    }
    if header.contains_key("enc") {
        return Err(FormError::Encrypted);
    }
    if header.contains_key("crit") {
        return Err(FormError::Critical);
    }
    if let Some(name) = KEY_PARAMETERS
        .into_iter()
        .find(|name| header.contains_key(*name))
    {
        return Err(FormError::KeyInHeader(name));
    }
    match header.get("cty") {
        Some(Value::String(cty)) if media_type(cty) == "jwt" => return Err(FormError::Nested),
        Some(Value::String(_)) | None => {}
        Some(_) => return Err(FormError::MalformedHeader),
    }
    let claims = decode_object(claims)
        .map_err(|failure| failure.or(FormError::MalformedClaims, "claims"))?;
    Ok(UnverifiedToken {
        alg,
        header,
        claims,
    })
}

/// A media type as RFC 7515 §4.1.9 compares them: case-insensitive, with `application/` implied.
pub fn media_type(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) if !rest.contains('/') => rest.to_owned(),
        _ => lower,
    }
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// Why a part could not be read as a JSON object.
enum PartFailure {
    /// Not base64url, not UTF-8, not JSON, or not an object.
    Unreadable,
    /// A member name repeats.
    Duplicate,
}

impl PartFailure {
    fn or(self, unreadable: FormError, part: &'static str) -> FormError {
        match self {
            Self::Unreadable => unreadable,
            Self::Duplicate => FormError::DuplicateName(part),
        }
    }
}

/// A base64url part as a JSON object in which no member name repeats at any depth.
fn decode_object(part: &str) -> Result<Map<String, Value>, PartFailure> {
    // The engine refuses padding and non-zero trailing bits, so each part has one spelling.
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| PartFailure::Unreadable)?;
    // serde_json refuses bytes that are not UTF-8.
    match serde_json::from_slice::<StrictValue>(&bytes) {
        Ok(StrictValue(Value::Object(object))) => Ok(object),
        Ok(_) => Err(PartFailure::Unreadable),
        Err(error) if error.to_string().starts_with(DUPLICATE) => Err(PartFailure::Duplicate),
        Err(_) => Err(PartFailure::Unreadable),
    }
}

/// How [`StrictValue`] says a name repeats, so the caller can tell it from other errors.
const DUPLICATE: &str = "duplicate member name";

/// A JSON value whose objects, at any depth, never repeat a member name. (`serde_json::Value`
/// keeps the last of repeated names without a word.)
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let StrictValue(value) = map.next_value()?;
            if object.insert(name, value).is_some() {
                return Err(de::Error::custom(DUPLICATE));
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    /// A token with this header and these claims, and a signature that is never checked here.
    fn token(header: &str, claims: &str) -> String {
        format!("{}.{}.c2lnbmF0dXJl", part(header), part(claims))
    }

    const HEADER: &str = r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#;
    const CLAIMS: &str = r#"{"iss":"https://idp.example","sub":"u1","exp":2000000000}"#;

    #[test]
    fn a_well_formed_token_is_read() {
        let read = read(&token(HEADER, CLAIMS)).expect("well formed");
        assert_eq!(read.alg, "RS256");
        assert_eq!(read.header_str("kid"), Ok(Some("k1")));
        assert_eq!(read.claims["sub"], "u1");
    }

    #[test]
    fn a_token_over_the_size_limit_is_refused_before_it_is_decoded() {
        let long = format!("{}{}", token(HEADER, CLAIMS), "A".repeat(MAX_TOKEN_BYTES));
        assert_eq!(read(&long).map(|_| ()), Err(FormError::TooLong));
        // Not even a token at all: the size is checked first.
        assert_eq!(
            read(&"!".repeat(MAX_TOKEN_BYTES + 1)).map(|_| ()),
            Err(FormError::TooLong)
        );
    }

    #[test]
    fn five_parts_is_an_encrypted_token_and_other_counts_are_malformed() {
        let jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn";
        assert_eq!(read(jwe).map(|_| ()), Err(FormError::Encrypted));
        for parts in ["", "a", "a.b", "a.b.c.d", "a.b.c.d.e.f"] {
            assert_eq!(
                read(parts).map(|_| ()),
                Err(FormError::Malformed),
                "{parts}"
            );
        }
    }

    #[test]
    fn padding_whitespace_and_other_characters_are_refused() {
        let good = token(HEADER, CLAIMS);
        let (header, rest) = good.split_once('.').expect("parts");
        for bad in [
            format!("{header}=.{rest}"),
            format!(" {good}"),
            format!("{header} .{rest}"),
            format!("{header}\n.{rest}"),
            format!("{header}.{}", rest.replace('.', "+.")),
            good.replace('-', "+").replace('_', "/") + "+",
            format!(".{rest}"),
        ] {
            assert_eq!(read(&bad).map(|_| ()), Err(FormError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn base64url_with_stray_trailing_bits_is_refused() {
        // "e30" is `{}`; "e31" decodes to the same bytes with a non-zero trailing bit.
        let claims = part(CLAIMS);
        assert!(read(&format!("e30.{claims}.c2ln")).is_err());
        assert_eq!(
            read(&format!("e31.{claims}.c2ln")).map(|_| ()),
            Err(FormError::MalformedHeader)
        );
    }

    #[test]
    fn a_header_or_claims_that_are_not_utf8_json_objects_are_refused() {
        let latin1 = URL_SAFE_NO_PAD.encode(b"{\"alg\":\"RS256\",\"x\":\"\xe9\"}");
        assert_eq!(
            read(&format!("{latin1}.{}.c2ln", part(CLAIMS))).map(|_| ()),
            Err(FormError::MalformedHeader)
        );
        for header in ["[]", "\"RS256\"", "{", "null"] {
            assert_eq!(
                read(&token(header, CLAIMS)).map(|_| ()),
                Err(FormError::MalformedHeader),
                "{header}"
            );
        }
        for claims in ["[1]", "42", "{\"sub\":", ""] {
            assert_eq!(
                read(&token(HEADER, claims)).map(|_| ()),
                Err(if claims.is_empty() {
                    FormError::Malformed
                } else {
                    FormError::MalformedClaims
                }),
                "{claims}"
            );
        }
    }

    #[test]
    fn a_repeated_member_name_is_refused_in_the_header_the_claims_and_inside_them() {
        assert_eq!(
            read(&token(r#"{"alg":"RS256","alg":"HS256"}"#, CLAIMS)).map(|_| ()),
            Err(FormError::DuplicateName("header"))
        );
        assert_eq!(
            read(&token(HEADER, r#"{"sub":"u1","sub":"admin"}"#)).map(|_| ()),
            Err(FormError::DuplicateName("claims"))
        );
        assert_eq!(
            read(&token(
                HEADER,
                r#"{"sub":"u1","realm_access":{"roles":["a"],"roles":["manager"]}}"#
            ))
            .map(|_| ()),
            Err(FormError::DuplicateName("claims"))
        );
        // The same name in two different objects is not a repeat.
        assert!(
            read(&token(
                HEADER,
                r#"{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}"#
            ))
            .is_ok()
        );
    }

    #[test]
    fn alg_must_be_a_string_and_never_none() {
        assert_eq!(
            read(&token(r#"{"typ":"JWT"}"#, CLAIMS)).map(|_| ()),
            Err(FormError::NoAlgorithm)
        );
        assert_eq!(
            read(&token(r#"{"alg":256}"#, CLAIMS)).map(|_| ()),
            Err(FormError::MalformedHeader)
        );
        for none in ["none", "None", "NONE"] {
            assert_eq!(
                read(&format!(
                    "{}.{}.",
                    part(&format!(r#"{{"alg":"{none}"}}"#)),
                    part(CLAIMS)
                ))
                .map(|_| ()),
                Err(FormError::Unsigned)
            );
        }
    }

    #[test]
    fn crit_is_refused_whatever_it_lists() {
        for crit in [r#"["exp"]"#, r#"["b64"]"#, "[]", r#""x""#] {
            let header = format!(r#"{{"alg":"RS256","crit":{crit},"exp":1,"b64":false}}"#);
            assert_eq!(
                read(&token(&header, CLAIMS)).map(|_| ()),
                Err(FormError::Critical),
                "{crit}"
            );
        }
    }

    #[test]
    fn a_header_that_carries_or_points_at_a_key_is_refused() {
        for (name, value) in [
            ("jwk", r#"{"kty":"oct","k":"c2VjcmV0"}"#),
            ("jku", r#""https://attacker.example/jwks.json""#),
            ("x5c", r#"["MIIB"]"#),
            ("x5u", r#""https://attacker.example/cert.pem""#),
        ] {
            let header = format!(r#"{{"alg":"RS256","{name}":{value}}}"#);
            assert_eq!(
                read(&token(&header, CLAIMS)).map(|_| ()),
                Err(FormError::KeyInHeader(name))
            );
        }
        // A thumbprint names no key to fetch or trust: it is allowed (and ignored).
        assert!(read(&token(r#"{"alg":"RS256","x5t":"abc"}"#, CLAIMS)).is_ok());
    }

    #[test]
    fn nested_and_encrypted_headers_are_refused() {
        for cty in ["JWT", "jwt", "application/JWT"] {
            let header = format!(r#"{{"alg":"RS256","cty":"{cty}"}}"#);
            assert_eq!(
                read(&token(&header, CLAIMS)).map(|_| ()),
                Err(FormError::Nested)
            );
        }
        assert_eq!(
            read(&token(r#"{"alg":"RS256","enc":"A256GCM"}"#, CLAIMS)).map(|_| ()),
            Err(FormError::Encrypted)
        );
    }

    #[test]
    fn media_types_compare_without_case_or_the_application_prefix() {
        assert_eq!(media_type("application/at+JWT"), "at+jwt");
        assert_eq!(media_type("AT+jwt"), "at+jwt");
        assert_eq!(media_type("text/plain"), "text/plain");
    }
}
