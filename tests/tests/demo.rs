//! The one-command demo: the dev issuer behind `api token`, the seeded partnership, GraphiQL.

use std::time::Duration;

use api::auth::Role;
use api::auth::dev_issuer::{DevBinding, DevKey};
use api::config::Profile;
use hub_tests::{Backend, Options, TestApp};
use serde_json::json;

async fn demo_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(Options {
        profile: Profile::Demo,
        ..Options::new(backend)
    })
    .await
}

#[tokio::test]
async fn a_token_from_api_token_reads_the_seeded_demo_children() {
    let app = demo_app(Backend::Sqlite).await;
    // What `api token --council 886 --role caseworker` does, with the server's data directory.
    let key = DevKey::load_or_create(&app.settings.dev_key_path()).expect("dev key");
    let token = key
        .mint(
            &DevBinding::Council("886".into()),
            "demo-user",
            &[Role::Caseworker],
            Duration::from_secs(600),
        )
        .expect("mint");
    let (status, body) = app
        .graphql(
            &token,
            "{ me { subject council { name } } children { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["council"]["name"], "Kent");
    assert_eq!(body["data"]["children"]["totalCount"], 6);
}

#[tokio::test]
async fn the_demo_seeds_through_the_database_lock_on_postgres() {
    let app = demo_app(Backend::Postgres).await;
    let key = DevKey::load_or_create(&app.settings.dev_key_path()).expect("dev key");
    let token = key
        .mint(
            &DevBinding::Council("936".into()),
            "demo-user",
            &[Role::Manager],
            Duration::from_secs(600),
        )
        .expect("mint");
    let (_, body) = app
        .graphql(
            &token,
            "{ children { totalCount edges { node { upn } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["children"]["totalCount"], 6, "{body}");
    for edge in body["data"]["children"]["edges"].as_array().expect("edges") {
        let upn = edge["node"]["upn"].as_str().expect("upn");
        assert_eq!(&upn[1..4], "936", "demo UPNs carry the council's LA number");
    }
}

#[tokio::test]
async fn a_dev_token_cannot_claim_another_council() {
    let app = demo_app(Backend::Sqlite).await;
    let key = DevKey::load_or_create(&app.settings.dev_key_path()).expect("dev key");
    let token = key
        .mint(
            &DevBinding::Council("886".into()),
            "demo-user",
            &[Role::Caseworker],
            Duration::from_secs(600),
        )
        .expect("mint");
    // Re-sign Kent's dev claims with a Surrey council claim: the issuer name still says Kent.
    let mut claims: serde_json::Value =
        jsonwebtoken::dangerous::insecure_decode_claims(&token).expect("claims");
    claims["council"] = json!("936");
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256),
        &claims,
        &jsonwebtoken::EncodingKey::from_ec_pem(
            &std::fs::read(app.settings.dev_key_path()).expect("pem"),
        )
        .expect("key"),
    )
    .expect("sign");
    let (status, _) = app.graphql(&forged, "{ me { subject } }", json!({})).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn graphiql_is_served_in_the_demo() {
    let app = demo_app(Backend::Sqlite).await;
    let page = app.http.get(app.url("/graphql")).send().await.expect("get");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("graphiql"));
}
