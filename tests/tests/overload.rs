//! Overload and abuse: rate limits per principal, per batch client and per address; the cap on
//! requests in flight; graceful shutdown under load.
//!
//! Slow requests are made slow deterministically: the test holds a lock on the `child` table, so
//! a write waits until the test lets it go. All on PostgreSQL, the production store: what is
//! tested here is the HTTP layer, which is the same on both. Whether they are in flight is
//! read from the server itself: with `max_in_flight` equal to their number, a probe is shed (503)
//! only once every one of them holds its place.

use std::time::Duration;

use api::config::Settings;
use hub_tests::{Backend, Caller, Options, TestApp, error_code};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use serde_json::{Value, json};
use tokio::task::JoinSet;

const ME: &str = "{ me { subject } }";
const CREATE_CHILD: &str =
    "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }";
const UPSERT_CHILDREN: &str =
    "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }";

/// A POST /graphql answer: status, headers and the JSON body, read in full.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn retry_after(&self) -> u64 {
        self.headers
            .get(RETRY_AFTER)
            .unwrap_or_else(|| panic!("no Retry-After on HTTP {}: {}", self.status, self.body))
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    }
}

async fn post(
    http: &reqwest::Client,
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Answer {
    let mut request = http
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST /graphql");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a whole body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("expected a JSON body, got HTTP {status}: {text:?}"));
    Answer {
        status,
        headers,
        body,
    }
}

/// Sends `count` copies of one request at once and returns every answer.
async fn burst(app: &TestApp, token: Option<&str>, query: &str, count: usize) -> Vec<Answer> {
    let mut requests = JoinSet::new();
    for _ in 0..count {
        let (http, url) = (app.http.clone(), app.url("/graphql"));
        let (token, query) = (token.map(str::to_owned), query.to_owned());
        requests.spawn(async move {
            let mut request = http.post(url).json(&json!({ "query": query }));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("POST /graphql");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.json::<Value>().await.expect("a JSON body");
            Answer {
                status,
                headers,
                body,
            }
        });
    }
    requests.join_all().await
}

/// A token for another officer of the same council.
fn colleague(app: &TestApp, caller: Caller, subject: &str, roles: &[&str]) -> String {
    let mut claims = app.tokens.claims(caller, roles);
    claims["sub"] = json!(subject);
    app.tokens.sign(caller, &claims)
}

fn assert_rate_limited(answer: &Answer) {
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert_eq!(error_code(&answer.body), "RATE_LIMITED", "{}", answer.body);
    assert!(answer.retry_after() >= 1);
    assert_eq!(
        answer.body["errors"][0]["extensions"]["retryAfter"],
        json!(answer.retry_after())
    );
}

fn tight_limits(settings: &mut Settings) {
    settings.rate_limit.per_principal_per_second = 1;
    settings.rate_limit.per_principal_burst = 3;
    settings.rate_limit.batch_per_minute = 2;
    settings.rate_limit.unauthenticated_per_second = 1;
    settings.rate_limit.unauthenticated_burst = 3;
}

async fn with_tight_limits(backend: Backend) -> TestApp {
    TestApp::spawn_with(Options {
        configure: tight_limits,
        ..Options::new(backend)
    })
    .await
}

#[tokio::test]
async fn a_principal_over_its_limit_is_told_to_retry_while_a_colleague_carries_on() {
    let app = with_tight_limits(Backend::Postgres).await;
    let officer = app.token(Caller::Kent, &["caseworker"]);
    let answers = burst(&app, Some(&officer), ME, 12).await;
    let refused: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    // A burst of 3, then one a second: however slowly the machine sends twelve, most are refused.
    assert!(refused.len() >= 6, "only {} of 12 refused", refused.len());
    for answer in &answers {
        match answer.status {
            200 => assert_eq!(
                answer.body["data"]["me"]["subject"],
                "https://idp.kent.test/officer-17"
            ),
            _ => assert_rate_limited(answer),
        }
    }
    // Another officer of the same council is not held back by the first one's flood.
    let next_desk = colleague(
        &app,
        Caller::Kent,
        "https://idp.kent.test/officer-18",
        &["caseworker"],
    );
    let (status, body) = app.graphql(&next_desk, ME, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["me"]["subject"],
        "https://idp.kent.test/officer-18"
    );
}

#[tokio::test]
async fn batch_upserts_and_other_requests_draw_on_separate_budgets() {
    let app = with_tight_limits(Backend::Postgres).await;
    let child = |reference: &str| {
        json!([{ "councilReference": reference, "givenName": "Ali", "familyName": "Ashdown",
                 "dateOfBirth": "2013-05-01", "sex": "MALE", "yearGroup": 8 }])
    };

    // A service client that has used up its request budget can still run its nightly batches.
    let reader = colleague(&app, Caller::Kent, "nightly-a", &["service"]);
    let answers = burst(&app, Some(&reader), ME, 12).await;
    assert!(answers.iter().any(|a| a.status == 429));
    let loaded = post(
        &app.http,
        &app,
        Some(&reader),
        UPSERT_CHILDREN,
        json!({ "rows": child("A-1") }),
    )
    .await;
    assert_eq!(loaded.status, 200, "{}", loaded.body);
    assert_eq!(
        loaded.body["data"]["upsertChildren"]["created"], 1,
        "{}",
        loaded.body
    );

    // One that has used up its batches can still read, and a batch is known by its root field,
    // whatever the operation is called or however the field is aliased.
    let loader = colleague(&app, Caller::Kent, "nightly-b", &["service"]);
    for reference in ["B-1", "B-2"] {
        let answer = post(
            &app.http,
            &app,
            Some(&loader),
            UPSERT_CHILDREN,
            json!({ "rows": child(reference) }),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let disguised = "mutation JustReading($rows: [CreateChildInput!]!) { me: upsertChildren(rows: $rows) { created } }";
    let refused = post(
        &app.http,
        &app,
        Some(&loader),
        disguised,
        json!({ "rows": child("B-3") }),
    )
    .await;
    assert_rate_limited(&refused);
    // Two a minute: the next one is about half a minute away.
    assert!(
        (20..=30).contains(&refused.retry_after()),
        "{}",
        refused.retry_after()
    );
    let (status, body) = app.graphql(&loader, ME, json!({})).await;
    assert_eq!(status, 200, "{body}");

    // The refused batch wrote nothing.
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(&caseworker, "{ children { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["children"]["totalCount"], 3, "{body}");
}

#[tokio::test]
async fn a_flood_without_valid_tokens_from_one_address_is_limited_while_valid_tokens_still_work() {
    let app = with_tight_limits(Backend::Postgres).await;
    let forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    let answers = burst(&app, Some(forged), ME, 12).await;
    let refused = answers.iter().filter(|a| a.status == 429).count();
    assert!(refused >= 6, "only {refused} of 12 refused");
    for answer in &answers {
        match answer.status {
            401 => assert_eq!(error_code(&answer.body), "UNAUTHENTICATED"),
            _ => assert_rate_limited(answer),
        }
    }
    // Requests with no token at all share the address's budget.
    let bare = post(&app.http, &app, None, ME, json!({})).await;
    assert!(bare.status == 429 || bare.status == 401, "{}", bare.status);

    // The same address with a valid token is served: the flood does not lock officers out.
    let officer = app.token(Caller::Kent, &["caseworker"]);
    let (status, body) = app.graphql(&officer, ME, json!({})).await;
    assert_eq!(status, 200, "{body}");
}

/// Holds the `child` table on PostgreSQL until the transaction ends, so writes to it wait and
/// reads still go through. (SQLite cannot be made to wait like this: a server transaction that
/// has read and then finds another writer gets "database is locked" at once, whatever the busy
/// timeout; these tests are about HTTP, so PostgreSQL alone serves.)
async fn hold_writes(app: &TestApp) -> (DatabaseConnection, DatabaseTransaction) {
    assert_eq!(app.database.backend, Backend::Postgres);
    let db = app.database.connect().await;
    let txn = db.begin().await.expect("begin");
    txn.execute_unprepared("LOCK TABLE child IN SHARE MODE")
        .await
        .expect("lock");
    (db, txn)
}

/// Sends `query` until it is admitted (not shed), and returns its answer.
async fn send_until_admitted(
    http: reqwest::Client,
    url: String,
    token: String,
    query: String,
    variables: Value,
) -> (u16, Value) {
    for _ in 0..500 {
        let response = http
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("a JSON body");
        if status != 503 {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never admitted");
}

/// Probes until the server sheds a request, which happens only once every place is taken.
async fn wait_until_full(app: &TestApp, token: &str) -> Answer {
    for _ in 0..500 {
        let answer = post(&app.http, app, Some(token), ME, json!({})).await;
        if answer.status == 503 {
            return answer;
        }
        assert_eq!(answer.status, 200, "{}", answer.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server never reported itself full");
}

#[tokio::test]
async fn requests_over_the_in_flight_cap_are_refused_at_once_and_health_still_answers() {
    let app = TestApp::spawn_with(Options {
        configure: |settings| settings.server.max_in_flight = 2,
        ..Options::new(Backend::Postgres)
    })
    .await;
    let officer = app.token(Caller::Kent, &["caseworker"]);
    let lock = hold_writes(&app).await;
    let mut writers = JoinSet::new();
    for n in 0..2 {
        let input = json!({ "input": { "givenName": "Ali", "familyName": format!("Slow{n}"),
                                       "dateOfBirth": "2014-03-09", "sex": "FEMALE", "yearGroup": 7 } });
        writers.spawn(send_until_admitted(
            app.http.clone(),
            app.url("/graphql"),
            officer.clone(),
            CREATE_CHILD.to_owned(),
            input,
        ));
    }

    // Both writers wait on the lock, holding the only two places: a third request is refused
    // at once rather than queued behind them (they cannot finish until the lock goes).
    let shed = wait_until_full(&app, &officer).await;
    assert_eq!(
        error_code(&shed.body),
        "SERVICE_UNAVAILABLE",
        "{}",
        shed.body
    );
    assert!(shed.retry_after() >= 1);
    assert!(shed.body["data"].is_null());

    // A load balancer still sees a live, ready process.
    for (path, expected) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), expected);
    }
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("hub_requests_shed_total")
    );

    // Once the lock goes, both writers finish with real answers.
    lock.1.rollback().await.expect("release");
    for (status, body) in writers.join_all().await {
        assert_eq!(status, 200, "{body}");
        assert!(body["data"]["createChild"]["id"].is_string(), "{body}");
    }
}

/// Several clients' batches in flight when shutdown begins all finish; new connections are
/// refused; the server then exits cleanly.
#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish_and_refuses_new_ones() {
    const CLIENTS: usize = 3;
    const ROWS: usize = 300;
    let mut app = TestApp::spawn_with(Options {
        configure: |settings| settings.server.max_in_flight = CLIENTS,
        ..Options::new(Backend::Postgres)
    })
    .await;
    let service = app.token(Caller::Kent, &["service"]);
    let lock = hold_writes(&app).await;
    let mut loads = JoinSet::new();
    for client in 0..CLIENTS {
        let rows: Vec<Value> = (0..ROWS)
            .map(|n| {
                json!({ "councilReference": format!("S{client}-{n}"), "givenName": "Child",
                             "familyName": format!("F{n:04}"), "dateOfBirth": "2013-05-01",
                             "sex": "FEMALE", "yearGroup": 8 })
            })
            .collect();
        // Each client on its own connection pool, as separate machines would be.
        loads.spawn(send_until_admitted(
            reqwest::Client::new(),
            app.url("/graphql"),
            service.clone(),
            UPSERT_CHILDREN.to_owned(),
            json!({ "rows": rows }),
        ));
    }
    let probe = app.token(Caller::Kent, &["caseworker"]);
    wait_until_full(&app, &probe).await;

    let server = app.begin_shutdown();
    // Readiness never says ready again, and new connections are soon refused; nothing that
    // answers gives half an answer.
    let mut refused = false;
    for _ in 0..250 {
        let fresh = reqwest::Client::new();
        match fresh.get(app.url("/readyz")).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response.text().await.expect("a whole body");
                assert!(
                    (status, text.as_str()) == (503, "shutting down")
                        || (status, text.as_str()) == (200, "ready"),
                    "HTTP {status}: {text:?}"
                );
            }
            Err(error) => {
                assert!(error.is_connect(), "{error:?}");
                refused = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        refused,
        "new connections were still accepted after shutdown began"
    );
    let late = reqwest::Client::new()
        .post(app.url("/graphql"))
        .bearer_auth(&service)
        .json(&json!({ "query": ME }))
        .send()
        .await;
    assert!(
        late.as_ref().is_err_and(reqwest::Error::is_connect),
        "{late:?}"
    );

    // The batches were waiting all along; let them go, and each finishes whole.
    lock.1.rollback().await.expect("release");
    for (status, body) in loads.join_all().await {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["upsertChildren"]["created"], ROWS, "{body}");
    }
    let exited = tokio::time::timeout(Duration::from_secs(60), server)
        .await
        .expect("the server exits once its requests are done")
        .expect("the server task");
    assert!(exited.is_ok(), "{exited:?}");
    let db = app.database.connect().await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM child",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.try_get::<i64>("", "n").unwrap(),
        (CLIENTS * ROWS) as i64
    );
}

#[tokio::test]
async fn shutdown_stops_waiting_for_a_stuck_request_after_the_grace_period() {
    let mut app = TestApp::spawn_with(Options {
        configure: |settings| {
            settings.server.max_in_flight = 1;
            settings.server.shutdown_grace_seconds = 1;
        },
        ..Options::new(Backend::Postgres)
    })
    .await;
    let officer = app.token(Caller::Kent, &["caseworker"]);
    let lock = hold_writes(&app).await;
    let stuck = tokio::spawn(send_until_admitted(
        app.http.clone(),
        app.url("/graphql"),
        officer.clone(),
        CREATE_CHILD.to_owned(),
        json!({ "input": { "givenName": "Ali", "familyName": "Stuck", "dateOfBirth": "2014-03-09",
                           "sex": "FEMALE", "yearGroup": 7 } }),
    ));
    wait_until_full(&app, &officer).await;
    let server = app.begin_shutdown();
    // The request cannot finish while the lock is held, yet the server returns: after the
    // grace period, not whenever the stuck request would have ended.
    let exited = tokio::time::timeout(Duration::from_secs(20), server)
        .await
        .expect("the server returns after its grace period")
        .expect("the server task");
    assert!(exited.is_ok(), "{exited:?}");
    assert!(!stuck.is_finished());
    lock.1.rollback().await.expect("release");
    stuck.abort();
}
