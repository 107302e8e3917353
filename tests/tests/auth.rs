//! Identity, attacked: every bad token is HTTP 401 with UNAUTHENTICATED and a message that says
//! what was wrong without echoing the token. Auth does not depend on the store, so these run on
//! SQLite for speed; the isolation tests run on both.

use chrono::Utc;
use hub_tests::tokens::sign;
use hub_tests::{Backend, Caller, Options, TestApp, jwk};
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
