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

#[tokio::test]
async fn the_demo_has_cases_returns_and_populations_to_show() {
    let app = demo_app(Backend::Sqlite).await;
    let key = DevKey::load_or_create(&app.settings.dev_key_path()).expect("dev key");
    let mint = |la: &str, role: Role| {
        key.mint(
            &DevBinding::Council(la.into()),
            "demo-user",
            &[role],
            Duration::from_secs(600),
        )
        .expect("mint")
    };
    // Kent: a worklist of cases, and its 2025-26 return computed, waiting for a manager.
    let kent = mint("886", Role::Manager);
    let (_, body) = app
        .graphql(
            &kent,
            "{ cases(first: 50) { edges { node { id } } } councilReturns(period: \"2025-26\") { id status } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["cases"]["edges"].as_array().map(Vec::len),
        Some(6),
        "{body}"
    );
    assert_eq!(
        body["data"]["councilReturns"][0]["status"], "DRAFT",
        "{body}"
    );
    let id = body["data"]["councilReturns"][0]["id"].clone();
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($id: ID!) { approveReturn(id: $id) { status cells { definitionCode } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["approveReturn"]["status"], "APPROVED",
        "{body}"
    );
    // Surrey's is approved already; Wokingham has none.
    let (_, body) = app
        .graphql(
            &mint("936", Role::Analyst),
            "{ councilReturns { status } pupilPopulations(academicYear: 2025) { pupils demo } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["councilReturns"][0]["status"], "APPROVED",
        "{body}"
    );
    assert_eq!(
        body["data"]["pupilPopulations"].as_array().map(Vec::len),
        Some(19)
    );
    assert_eq!(body["data"]["pupilPopulations"][0]["demo"], true);
    let (_, body) = app
        .graphql(
            &mint("872", Role::Analyst),
            "{ councilReturns { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["councilReturns"], json!([]), "{body}");
}
