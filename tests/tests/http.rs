//! The HTTP surface: health, readiness, metrics, limits, and GraphiQL off in production.

use hub_tests::{Backend, Caller, TestApp, error_code};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let health = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready");
}

#[tokio::test]
async fn metrics_count_requests_and_errors_by_code() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.graphql("forged", "{ me { subject } }", json!({})).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&kent)
        .json(&json!({ "query": "query Whoami { me { subject } }", "operationName": "Whoami" }))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200);
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("hub_graphql_errors_total{code=\"UNAUTHENTICATED\"}"),
        "{text}"
    );
    assert!(
        text.contains("hub_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"401\"}"),
        "{text}"
    );
    assert!(
        text.contains("hub_graphql_request_duration_seconds_bucket{operation=\"Whoami\""),
        "{text}"
    );
    assert!(text.contains("hub_db_pool_connections"), "{text}");
}

#[tokio::test]
async fn queries_too_deep_or_too_long_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    // Fourteen levels of selection against a depth limit of twelve.
    let too_deep = format!(
        "{{ __schema {{ types {{ {}name{} }} }} }}",
        "fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ",
        " } } } } } } } } } }"
    );
    let (_, body) = app.graphql(&kent, &too_deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("too deep"),
        "{body}"
    );
    let long = format!("{{ me {{ subject }} }} # {}", "x".repeat(20_000));
    let (status, body) = app.graphql(&kent, &long, json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["extensions"]["field"], "query");
}

#[tokio::test]
async fn graphiql_and_introspection_are_off_in_production() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let page = app.http.get(app.url("/graphql")).send().await.expect("get");
    assert_eq!(page.status(), 404);
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(&kent, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(
        body["data"]["__schema"].is_null(),
        "introspection must be refused: {body}"
    );
}
