//! What browsers get: CORS for configured origins only, and security headers on every answer.

use api::config::Profile;
use hub_tests::{Backend, Caller, Options, TestApp};
use reqwest::header::HeaderMap;
use reqwest::{Method, Response};
use serde_json::json;

const FRONT_END: &str = "https://cases.kent.example";
const STRANGER: &str = "https://cases.kent.example.attacker.test";

async fn app_with_front_end() -> TestApp {
    TestApp::spawn_with(Options {
        cors_allowed_origins: vec![FRONT_END.to_owned()],
        ..Options::new(Backend::Sqlite)
    })
    .await
}

async fn preflight(app: &TestApp, origin: &str) -> Response {
    app.http
        .request(Method::OPTIONS, app.url("/graphql"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,x-request-id",
        )
        .send()
        .await
        .expect("OPTIONS /graphql")
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map_or("", |value| value.to_str().unwrap_or("<not text>"))
}

fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered_without_a_token() {
    let app = app_with_front_end().await;
    let response = preflight(&app, FRONT_END).await;
    assert!(response.status().is_success(), "{}", response.status());
    let headers = response.headers();
    assert_eq!(header(headers, "access-control-allow-origin"), FRONT_END);
    let methods = header(headers, "access-control-allow-methods");
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let allowed = header(headers, "access-control-allow-headers").to_ascii_lowercase();
    for name in ["authorization", "content-type", "x-request-id"] {
        assert!(allowed.contains(name), "{name} not allowed: {allowed}");
    }
    let max_age: u64 = header(headers, "access-control-max-age")
        .parse()
        .expect("a max-age");
    assert!(max_age > 0);
    // Bearer tokens, not cookies: credentials are never allowed.
    assert!(headers.get("access-control-allow-credentials").is_none());
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn a_front_end_reads_the_answer_and_its_retry_after_and_request_id() {
    let app = app_with_front_end().await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("Origin", FRONT_END)
        .bearer_auth(&kent)
        .json(&json!({ "query": "{ me { subject } }" }))
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(header(headers, "access-control-allow-origin"), FRONT_END);
    let exposed = header(headers, "access-control-expose-headers").to_ascii_lowercase();
    assert!(
        exposed.contains("retry-after") && exposed.contains("x-request-id"),
        "{exposed}"
    );
    assert!(headers.get("access-control-allow-credentials").is_none());
}

#[tokio::test]
async fn an_origin_not_configured_gets_no_cors_headers() {
    let app = app_with_front_end().await;
    let response = preflight(&app, STRANGER).await;
    assert!(
        cors_headers(response.headers()).is_empty(),
        "{:?}",
        response.headers()
    );
    assert!(!response.status().is_success(), "{}", response.status());

    // Its script's request still reaches the server, but the browser will not show it the answer.
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("Origin", STRANGER)
        .bearer_auth(&kent)
        .json(&json!({ "query": "{ me { subject } }" }))
        .send()
        .await
        .expect("POST /graphql");
    assert!(
        cors_headers(response.headers()).is_empty(),
        "{:?}",
        response.headers()
    );
}

#[tokio::test]
async fn without_configured_origins_no_origin_gets_cors_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for origin in [FRONT_END, "null", "http://127.0.0.1"] {
        let response = preflight(&app, origin).await;
        assert!(
            cors_headers(response.headers()).is_empty(),
            "{origin}: {:?}",
            response.headers()
        );
    }
}

fn assert_security_headers(what: &str, response: &Response) {
    let headers = response.headers();
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(
        header(headers, "content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'",
        "{what}"
    );
    assert_eq!(header(headers, "cache-control"), "no-store", "{what}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let query = json!({ "query": "{ me { subject } }" });

    let ok = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&kent)
        .json(&query)
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), 200);
    assert_security_headers("a query", &ok);

    let refused = app
        .http
        .post(app.url("/graphql"))
        .json(&query)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 401);
    assert_security_headers("a 401", &refused);

    let bad_body = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&kent)
        .body("not json")
        .send()
        .await
        .expect("post");
    assert_eq!(bad_body.status(), 400);
    assert_security_headers("a 400", &bad_body);

    for (path, status) in [
        ("/healthz", 200),
        ("/readyz", 200),
        ("/metrics", 200),
        ("/nowhere", 404),
        ("/graphql", 404),
    ] {
        let response = app.http.get(app.url(path)).send().await.expect(path);
        assert_eq!(response.status(), status, "{path}");
        assert_security_headers(path, &response);
    }
}

#[tokio::test]
async fn graphiql_is_served_whole_by_the_hub_under_a_strict_policy() {
    let app = TestApp::spawn_with(Options {
        profile: Profile::Demo,
        ..Options::new(Backend::Sqlite)
    })
    .await;
    let page = app
        .http
        .get(app.url("/graphql"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let policy = header(&headers, "content-security-policy").to_owned();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(part), "{part} missing: {policy}");
    }
    for banned in [
        "unsafe-eval",
        "unsafe-inline",
        "http",
        "*",
        "unpkg",
        "jsdelivr",
    ] {
        assert!(!policy.contains(banned), "{banned} in {policy}");
    }
    assert_eq!(header(&headers, "x-frame-options"), "DENY");
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");

    let html = page.text().await.expect("html");
    assert!(
        !html.contains("http"),
        "an outside address on the page: {html}"
    );
    let files: Vec<&str> = html
        .split('"')
        .filter(|part| part.starts_with("graphiql/"))
        .collect();
    assert_eq!(files.len(), 6, "{html}");
    for file in files {
        let response = app
            .http
            .get(app.url(&format!("/{file}")))
            .send()
            .await
            .expect(file);
        assert_eq!(response.status(), 200, "{file}");
        let content_type = header(response.headers(), "content-type");
        let expected = if file.contains(".css?") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(content_type.starts_with(expected), "{file}: {content_type}");
        let cache = header(response.headers(), "cache-control");
        assert!(cache.contains("max-age=31536000"), "{file}: {cache}");
        assert_eq!(
            header(response.headers(), "x-content-type-options"),
            "nosniff"
        );
    }

    let licence = app
        .http
        .get(app.url("/graphiql/THIRD-PARTY-LICENSES.txt"))
        .send()
        .await
        .expect("licences");
    assert_eq!(licence.status(), 200);
    assert!(licence.text().await.expect("text").contains("codemirror"));
    let missing = app
        .http
        .get(app.url("/graphiql/index.html"))
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn graphiql_files_are_not_served_in_production() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .http
        .get(app.url("/graphiql/graphiql.min.js"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
}
