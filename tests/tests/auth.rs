//! Identity, attacked: every bad token is HTTP 401 with UNAUTHENTICATED and a message that says
//! what was wrong without echoing the token. Auth does not depend on the store, so these run on
//! SQLite for speed; the isolation tests run on both.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use hub_tests::tokens::{sign, sign_raw};
use hub_tests::{AUDIENCE, Backend, Caller, JwksServer, KENT_ISSUER, Options, TestApp, jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

const ME: &str = "{ me { subject roles council { laCode } partnership { code } } }";

/// Asserts `token` is refused with 401 UNAUTHENTICATED and a message containing `why`.
async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let (status, body) = app.graphql(token, ME, json!({})).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "expected {why:?} in {message:?}");
    assert!(!message.contains(token), "the token must not be echoed");
    assert!(body["data"].is_null());
}

fn kent_claims(app: &TestApp) -> Value {
    app.tokens.claims(Caller::Kent, &["caseworker"])
}

#[tokio::test]
async fn a_valid_token_from_each_kind_of_issuer_is_accepted() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, body) = app
        .graphql(&app.token(Caller::Kent, &["caseworker"]), ME, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["council"]["laCode"], "886");
    assert_eq!(body["data"]["me"]["roles"], json!(["CASEWORKER"]));
    let (_, body) = app
        .graphql(
            &app.token(Caller::Partnership, &["partnership_analyst"]),
            ME,
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["me"]["partnership"]["code"], "SESLIP",
        "{body}"
    );
    assert!(body["data"]["me"]["council"].is_null());
}

#[tokio::test]
async fn a_request_without_a_token_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": ME }))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_refused(&app, "not-a-jwt", "malformed").await;
}

#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case_and_other_schemes_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.token(Caller::Kent, &["caseworker"]);
    for (scheme, expected) in [
        ("Bearer", 200),
        ("bearer", 200),
        ("BEARER", 200),
        ("Basic", 401),
    ] {
        let response = app
            .http
            .post(app.url("/graphql"))
            .header("Authorization", format!("{scheme} {token}"))
            .json(&json!({ "query": ME }))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), expected, "scheme {scheme}");
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["exp"] = json!(Utc::now().timestamp() - 120);
    assert_refused(&app, &app.tokens.sign(Caller::Kent, &claims), "expired").await;
}

/// Tokens verified once are remembered; the memory must never outlast the token or cover a
/// copy that differs in any byte.
#[tokio::test]
async fn a_token_accepted_once_is_refused_when_it_expires() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    let expires = Utc::now().timestamp() + 1;
    claims["exp"] = json!(expires);
    let token = app.tokens.sign(Caller::Kent, &claims);
    let (status, body) = app.graphql(&token, ME, json!({})).await;
    assert_eq!(status, 200, "{body}");
    // The harness allows 5 seconds of clock skew; wait until the token is past it.
    let leeway = 5;
    while Utc::now().timestamp() <= expires + leeway {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_refused(&app, &token, "expired").await;
}

#[tokio::test]
async fn an_altered_copy_of_an_accepted_token_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.token(Caller::Kent, &["caseworker"]);
    let (status, body) = app.graphql(&token, ME, json!({})).await;
    assert_eq!(status, 200, "{body}");

    let (signed, signature) = token.rsplit_once('.').expect("three parts");
    let mut forged_signature = signature.to_owned().into_bytes();
    forged_signature[10] = if forged_signature[10] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let forged = format!(
        "{signed}.{}",
        String::from_utf8(forged_signature).expect("ascii")
    );
    assert_refused(&app, &forged, "invalid signature").await;

    // Same signature over claims promoted to manager.
    let mut claims = kent_claims(&app);
    claims["roles"] = json!(["manager"]);
    let promoted = app.tokens.sign(Caller::Kent, &claims);
    let (header, _) = token.split_once('.').expect("header");
    let promoted_claims = promoted.split('.').nth(1).expect("claims");
    assert_refused(
        &app,
        &format!("{header}.{promoted_claims}.{signature}"),
        "invalid signature",
    )
    .await;
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["nbf"] = json!(Utc::now().timestamp() + 600);
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "not yet valid",
    )
    .await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["aud"] = json!("some-other-service");
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "wrong audience",
    )
    .await;
}

#[tokio::test]
async fn a_token_without_exp_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims.as_object_mut().expect("object").remove("exp");
    assert_refused(&app, &app.tokens.sign(Caller::Kent, &claims), "exp").await;
}

#[tokio::test]
async fn a_token_from_an_unknown_issuer_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["iss"] = json!("https://idp.elsewhere.test");
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "unknown issuer",
    )
    .await;
}

#[tokio::test]
async fn a_token_signed_by_the_wrong_key_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Kent's kid, the attacker's key.
    let forged = sign(
        Algorithm::RS256,
        Some("kent-rs256-a"),
        &app.tokens.attacker,
        &kent_claims(&app),
    );
    assert_refused(&app, &forged, "invalid signature").await;
    // An ES256 issuer: Surrey's claims signed with the partnership's key.
    let claims = app.tokens.claims(Caller::Surrey, &["CME-Officer"]);
    let forged = sign(Algorithm::ES256, None, &app.tokens.partnership, &claims);
    assert_refused(&app, &forged, "invalid signature").await;
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(kent_claims(&app).to_string());
    assert_refused(&app, &format!("{header}.{payload}."), "alg none").await;
}

#[tokio::test]
async fn hs256_signed_with_the_issuers_public_key_is_refused() {
    // Key confusion: an attacker signs HS256 using the RS256 issuer's *public* key as the secret.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let public_pem = std::fs::read(hub_tests::fixture("kent-rs256-a.pub.pem")).expect("pem");
    let forged = sign(
        Algorithm::HS256,
        Some("kent-rs256-a"),
        &EncodingKey::from_secret(&public_pem),
        &kent_claims(&app),
    );
    assert_refused(&app, &forged, "not accepted for this issuer").await;
}

#[tokio::test]
async fn a_kid_missing_from_the_jwks_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = sign(
        Algorithm::RS256,
        Some("kent-rs256-unknown"),
        &app.tokens.kent_a,
        &kent_claims(&app),
    );
    assert_refused(&app, &token, "unknown signing key").await;
}

#[tokio::test]
async fn a_council_issuer_claiming_another_council_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["council"] = json!("936"); // Kent's IdP minting for Surrey.
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "may not speak for council 936",
    )
    .await;
    let mut claims = kent_claims(&app);
    claims["partnership"] = json!("SESLIP");
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "may not speak for a partnership",
    )
    .await;
}

#[tokio::test]
async fn a_council_issuer_cannot_grant_partnership_roles() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.token(Caller::Kent, &["partnership_coordinator", "analyst"]);
    let (_, body) = app.graphql(&token, ME, json!({})).await;
    assert_eq!(body["data"]["me"]["roles"], json!(["ANALYST"]), "{body}");
}

#[tokio::test]
async fn roles_are_mapped_from_the_identity_providers_own_names() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.token(Caller::Surrey, &["CME-Officer", "Insight", "Canteen-Staff"]);
    let (_, body) = app.graphql(&token, ME, json!({})).await;
    assert_eq!(
        body["data"]["me"]["roles"],
        json!(["CASEWORKER", "ANALYST"]),
        "{body}"
    );
    assert_eq!(body["data"]["me"]["council"]["laCode"], "936");
}

#[tokio::test]
async fn a_rotated_jwks_key_is_picked_up() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let old = app.token(Caller::Kent, &["caseworker"]);
    // Twice: the second use is answered from the verified-token cache, which must not outlive
    // the key that verified it.
    assert_eq!(app.graphql(&old, ME, json!({})).await.0, 200);
    assert_eq!(app.graphql(&old, ME, json!({})).await.0, 200);
    // Kent's IdP rotates: key b replaces key a.
    app.jwks.publish(vec![jwk("kent-rs256-b")]).await;
    let new = sign(
        Algorithm::RS256,
        Some("kent-rs256-b"),
        &app.tokens.kent_b,
        &kent_claims(&app),
    );
    let (status, body) = app.graphql(&new, ME, json!({})).await;
    assert_eq!(
        status, 200,
        "the new key must be fetched on its unknown kid: {body}"
    );
    // And tokens signed with the retired key no longer verify once the cache has moved on.
    let (status, _) = app.graphql(&old, ME, json!({})).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn unknown_kids_refresh_the_jwks_no_more_than_the_configured_rate() {
    let app = TestApp::spawn_with(Options {
        jwks_min_refresh_seconds: 3_600,
        ..Options::new(Backend::Sqlite)
    })
    .await;
    assert_eq!(
        app.graphql(&app.token(Caller::Kent, &["caseworker"]), ME, json!({}))
            .await
            .0,
        200
    );
    assert_eq!(app.jwks.fetches(), 1);
    for n in 0..5 {
        let kid = format!("made-up-{n}");
        let token = sign(
            Algorithm::RS256,
            Some(&kid),
            &app.tokens.kent_a,
            &kent_claims(&app),
        );
        assert_eq!(app.graphql(&token, ME, json!({})).await.0, 401);
    }
    assert_eq!(
        app.jwks.fetches(),
        1,
        "made-up kids must not hammer the IdP"
    );
}

// Strictness against RFC 8725 and RFC 7515/7519: each test is one row of README's table.

/// Kent's header as its IdP writes it, with `extra` parameters.
fn kent_header(extra: Value) -> Value {
    let mut header = json!({ "alg": "RS256", "typ": "JWT", "kid": "kent-rs256-a" });
    if let (Value::Object(header), Value::Object(extra)) = (&mut header, extra) {
        header.extend(extra);
    }
    header
}

/// A token signed with Kent's real key over exactly these header and claims bytes.
fn kent_raw(app: &TestApp, header: &str, claims: &str) -> String {
    sign_raw(
        Algorithm::RS256,
        &app.tokens.kent_a,
        header.as_bytes(),
        claims.as_bytes(),
    )
}

#[tokio::test]
async fn a_token_over_8_kib_is_refused_before_it_is_read() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["padding"] = json!("x".repeat(8 * 1024));
    let token = app.tokens.sign(Caller::Kent, &claims);
    assert_refused(&app, &token, "longer than 8192 bytes").await;
    // Just under the limit, the same key and claims are fine.
    claims["padding"] = json!("x".repeat(4 * 1024));
    let token = app.tokens.sign(Caller::Kent, &claims);
    assert_eq!(app.graphql(&token, ME, json!({})).await.0, 200);
}

#[tokio::test]
async fn a_header_with_crit_is_refused_even_when_signed_by_the_issuer() {
    // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must refuse.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let claims = kent_claims(&app).to_string();
    for crit in [
        json!(["exp"]),
        json!(["http://example.com/policy"]),
        json!([]),
    ] {
        let header = kent_header(json!({ "crit": crit, "exp": 1, "http://example.com/policy": 1 }));
        let token = kent_raw(&app, &header.to_string(), &claims);
        assert_refused(&app, &token, "crit").await;
    }
}

#[tokio::test]
async fn a_key_carried_in_the_header_is_never_trusted() {
    // CVE-2018-0114 style: the attacker signs with their own key and ships its public half.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let claims = kent_claims(&app).to_string();
    let attacker_jwk = json!({ "kty": "RSA", "n": "AQAB", "e": "AQAB" });
    let header = kent_header(json!({ "jwk": attacker_jwk }));
    let token = sign_raw(
        Algorithm::RS256,
        &app.tokens.attacker,
        header.to_string().as_bytes(),
        claims.as_bytes(),
    );
    assert_refused(&app, &token, "jwk is not accepted").await;
    let header = kent_header(json!({ "x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"] }));
    assert_refused(
        &app,
        &kent_raw(&app, &header.to_string(), &claims),
        "x5c is not accepted",
    )
    .await;
}

#[tokio::test]
async fn a_key_url_in_the_header_is_refused_and_never_fetched() {
    // RFC 8725 §3.10: following `jku`/`x5u` is server-side request forgery waiting to happen.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let attacker = JwksServer::start(vec![jwk("kent-rs256-a")]).await;
    let claims = kent_claims(&app).to_string();
    for name in ["jku", "x5u"] {
        let header = kent_header(json!({ name: attacker.url }));
        let token = kent_raw(&app, &header.to_string(), &claims);
        assert_refused(&app, &token, &format!("{name} is not accepted")).await;
    }
    assert_eq!(
        attacker.fetches(),
        0,
        "the hub must not fetch a token's URL"
    );
}

#[tokio::test]
async fn encrypted_and_nested_tokens_are_refused_by_name() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // A JWE's compact form has five parts.
    let jwe = format!(
        "{}.a2V5.aXY.Y2lwaGVydGV4dA.dGFn",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
    );
    assert_refused(&app, &jwe, "encrypted tokens (JWE)").await;
    // A signed token whose payload is another token (RFC 7519 §5.2: cty JWT).
    let inner = app.token(Caller::Kent, &["caseworker"]);
    let header = kent_header(json!({ "cty": "JWT" }));
    let nested = kent_raw(&app, &header.to_string(), &inner);
    assert_refused(&app, &nested, "nested tokens").await;
}

#[tokio::test]
async fn repeated_member_names_are_refused_in_the_header_and_the_claims() {
    // RFC 7515 §4 and RFC 7519 §4: refuse, or keep the last; two parsers disagreeing is how a
    // token says one thing to a gateway and another to the hub, so the hub refuses.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let claims = kent_claims(&app).to_string();
    let header = r#"{"alg":"RS256","kid":"kent-rs256-a","alg":"RS256"}"#;
    assert_refused(
        &app,
        &kent_raw(&app, header, &claims),
        "header repeats a member name",
    )
    .await;
    let promoted = format!(r#"{},"roles":["manager"]}}"#, claims.trim_end_matches('}'));
    let header = kent_header(json!({})).to_string();
    assert_refused(
        &app,
        &kent_raw(&app, &header, &promoted),
        "claims repeats a member name",
    )
    .await;
}

#[tokio::test]
async fn the_compact_form_admits_no_padding_whitespace_or_other_alphabets() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.token(Caller::Kent, &["caseworker"]);
    let (header, rest) = token.split_once('.').expect("three parts");
    let (claims, signature) = rest.split_once('.').expect("three parts");
    let standard_alphabet = |part: &str| part.replace('-', "+").replace('_', "/");
    for altered in [
        format!("{header}=.{claims}.{signature}"),
        format!("{header}.{claims}.{signature}=="),
        format!("{header}. {claims}.{signature}"),
        format!("{header}.{claims}\t.{signature}"),
        format!("{header}.{claims}.{}+", standard_alphabet(signature)),
        format!("{header}.{claims}.{signature}.{signature}"),
        json!({ "protected": header, "payload": claims, "signature": signature }).to_string(),
    ] {
        assert_refused(&app, &altered, "malformed token").await;
    }
    // The untouched token is still good: only the alterations were refused.
    assert_eq!(app.graphql(&token, ME, json!({})).await.0, 200);
}

#[tokio::test]
async fn a_header_or_claims_that_are_not_utf8_json_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let claims = kent_claims(&app).to_string();
    let latin1_header = b"{\"alg\":\"RS256\",\"kid\":\"kent-rs256-a\",\"x\":\"caf\xe9\"}";
    let token = sign_raw(
        Algorithm::RS256,
        &app.tokens.kent_a,
        latin1_header,
        claims.as_bytes(),
    );
    assert_refused(&app, &token, "malformed token header").await;
    let header = kent_header(json!({})).to_string();
    // The subject spelt in Latin-1, as a misconfigured IdP might: not UTF-8 (RFC 8725 §3.7).
    let mut latin1_claims = claims.clone().into_bytes();
    let at = claims.find("officer-17").expect("the subject");
    latin1_claims.splice(at..at + "officer".len(), b"offic\xe9r".iter().copied());
    let token = sign_raw(
        Algorithm::RS256,
        &app.tokens.kent_a,
        header.as_bytes(),
        &latin1_claims,
    );
    assert_refused(&app, &token, "malformed token claims").await;
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["iat"] = json!(Utc::now().timestamp() + 600);
    claims["nbf"] = json!(Utc::now().timestamp());
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "issued in the future",
    )
    .await;
}

#[tokio::test]
async fn a_subject_longer_than_255_characters_or_with_control_characters_is_refused() {
    // OpenID Connect Core §2 caps `sub` at 255; the hub stores it with every change it records.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut claims = kent_claims(&app);
    claims["sub"] = json!("officer\u{0}17");
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "contains control characters",
    )
    .await;
    claims["sub"] = json!("s".repeat(256));
    assert_refused(
        &app,
        &app.tokens.sign(Caller::Kent, &claims),
        "longer than 255 characters",
    )
    .await;
    claims["sub"] = json!("s".repeat(255));
    let (status, body) = app
        .graphql(&app.tokens.sign(Caller::Kent, &claims), ME, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn malformed_time_claims_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (claim, value) in [
        ("exp", json!("tomorrow")),
        ("nbf", json!({ "at": 1 })),
        ("iat", json!([1])),
        ("exp", json!(null)),
    ] {
        let mut claims = kent_claims(&app);
        claims[claim] = value;
        assert_refused(
            &app,
            &app.tokens.sign(Caller::Kent, &claims),
            &format!("claim {claim} is malformed"),
        )
        .await;
    }
}

#[tokio::test]
async fn the_audience_must_match_exactly() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for near_miss in [
        json!(AUDIENCE.to_uppercase()),
        json!(format!("{AUDIENCE} ")),
        json!(format!("{AUDIENCE}/")),
        json!("partnership-hub"),
        json!(["some-other-service"]),
        json!([]),
    ] {
        let mut claims = kent_claims(&app);
        claims["aud"] = near_miss.clone();
        let token = app.tokens.sign(Caller::Kent, &claims);
        let (status, body) = app.graphql(&token, ME, json!({})).await;
        assert_eq!(status, 401, "{near_miss}: {body}");
    }
    // RFC 7519 §4.1.3: an audience list that names the hub among others is for the hub too.
    let mut claims = kent_claims(&app);
    claims["aud"] = json!(["some-other-service", AUDIENCE]);
    let token = app.tokens.sign(Caller::Kent, &claims);
    assert_eq!(app.graphql(&token, ME, json!({})).await.0, 200);
}

#[tokio::test]
async fn the_issuer_must_match_exactly() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for near_miss in [
        format!("{KENT_ISSUER}/"),
        KENT_ISSUER.to_uppercase(),
        format!(" {KENT_ISSUER}"),
        KENT_ISSUER.replace("https", "http"),
    ] {
        let mut claims = kent_claims(&app);
        claims["iss"] = json!(near_miss);
        assert_refused(
            &app,
            &app.tokens.sign(Caller::Kent, &claims),
            "unknown issuer",
        )
        .await;
    }
}

#[tokio::test]
async fn a_jwks_key_verifies_only_the_algorithm_it_was_published_for() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Kent's IdP publishes its key for PS256; an RS256 token signed with it is refused.
    let mut for_pss = jwk("kent-rs256-a");
    for_pss["alg"] = json!("PS256");
    app.jwks.publish(vec![for_pss]).await;
    assert_refused(
        &app,
        &app.token(Caller::Kent, &["caseworker"]),
        "published for PS256, not RS256",
    )
    .await;
}

#[tokio::test]
async fn a_jwks_rsa_key_under_2048_bits_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.jwks
        .publish(vec![jwk("kent-rs256-a"), jwk("weak-rs1024")])
        .await;
    let weak_pem = std::fs::read(hub_tests::fixture("weak-rs1024.key.pem")).expect("pem");
    let weak = EncodingKey::from_rsa_pem(&weak_pem).expect("weak key");
    let token = sign(
        Algorithm::RS256,
        Some("weak-rs1024"),
        &weak,
        &kent_claims(&app),
    );
    assert_refused(&app, &token, "1024 bits; at least 2048").await;
    // The strong key in the same set still works.
    assert_eq!(
        app.graphql(&app.token(Caller::Kent, &["caseworker"]), ME, json!({}))
            .await
            .0,
        200
    );
}
