//! Two instances of the hub on one PostgreSQL database, serving the same council at once, as
//! behind a load balancer: the council's audit chain stays intact and gap-free, batch upserts
//! through either stay idempotent, and each instance keeps its own limit on JWKS refreshes.

use std::sync::Arc;

use hub_tests::tokens::sign;
use hub_tests::{Backend, Caller, Options, TestApp, error_code};
use jsonwebtoken::Algorithm;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const OPEN_CASE: &str = "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2026-10-05\" }) { id } }";
const RECORD_REVIEW: &str =
    "mutation($id: ID!) { recordReview(caseId: $id, heldOn: \"2026-10-20\") { id } }";
const READ_CASE: &str = "query($id: ID!) { case(id: $id) { id timeline { kind } } }";
const UPSERT_CHILDREN: &str = "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created updated unchanged } }";
const UPSERT_CASES: &str = "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created updated unchanged } }";
const HEAD: &str = "{ auditEvents(first: 1) { edges { node { sequence hash } } } }";
const VERIFY: &str = "query($head: RecordedHead) { verifyAuditChain(recordedHead: $head) { intact eventsChecked firstBrokenSequence reason } }";
const ME: &str = "{ me { subject } }";

/// Rows in each batch.
const ROWS: usize = 40;

fn children_batch(prefix: &str) -> Value {
    let rows: Vec<Value> = (0..ROWS)
        .map(|i| {
            json!({ "councilReference": format!("{prefix}-{i}"), "givenName": "Ivo", "familyName": "Instance",
                    "dateOfBirth": "2013-05-01", "sex": "MALE", "yearGroup": 8 })
        })
        .collect();
    json!({ "rows": rows })
}

fn cases_batch(prefix: &str) -> Value {
    let rows: Vec<Value> = (0..ROWS)
        .map(|i| {
            json!({ "councilReference": format!("{prefix}-C{i}"), "childReference": format!("{prefix}-{i}"),
                    "reason": "HEALTH", "absenceStart": "2026-10-05" })
        })
        .collect();
    json!({ "rows": rows })
}

fn summary(created: usize, unchanged: usize) -> Value {
    json!({ "created": created, "updated": 0, "unchanged": unchanged })
}

/// A caseworker's morning on one instance: a child, a case for it, reviews and reads.
async fn case_work(app: Arc<TestApp>, name: String) {
    let token = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&token, &name, "Instance", None).await;
    let (_, body) = app.graphql(&token, OPEN_CASE, json!({ "c": child })).await;
    let case = body["data"]["openCase"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("openCase: {body}"))
        .to_owned();
    for _ in 0..3 {
        let (status, body) = app
            .graphql(&token, RECORD_REVIEW, json!({ "id": case }))
            .await;
        assert!(status == 200 && body["errors"].is_null(), "{body}");
        let (status, body) = app.graphql(&token, READ_CASE, json!({ "id": case })).await;
        assert!(status == 200 && body["errors"].is_null(), "{body}");
    }
}

/// A council's system loading its nightly batch through one instance: children, then cases.
async fn nightly_load(app: Arc<TestApp>, prefix: String) {
    let token = app.token(Caller::Kent, &["service"]);
    let (_, body) = app
        .graphql(&token, UPSERT_CHILDREN, children_batch(&prefix))
        .await;
    assert_eq!(body["data"]["upsertChildren"], summary(ROWS, 0), "{body}");
    let (_, body) = app
        .graphql(&token, UPSERT_CASES, cases_batch(&prefix))
        .await;
    assert_eq!(body["data"]["upsertCases"], summary(ROWS, 0), "{body}");
}

#[tokio::test]
async fn two_instances_serving_one_council_keep_its_audit_chain_whole_and_batches_idempotent() {
    let first = Arc::new(TestApp::spawn(Backend::Postgres).await);
    let second = Arc::new(first.spawn_beside(Options::new(Backend::Postgres)).await);
    let instances = [first.clone(), second.clone()];

    // Both instances at once: caseworkers' changes and reads, and a batch load through each.
    let mut work = Vec::new();
    for (i, app) in instances.iter().enumerate() {
        for worker in 0..3 {
            work.push(tokio::spawn(case_work(
                app.clone(),
                format!("Kit{i}{worker}"),
            )));
        }
        work.push(tokio::spawn(nightly_load(app.clone(), format!("N{i}"))));
    }
    // The same batch through both at once, as when a client retries on another instance while
    // its first attempt is still running: one writes it; the other finds it written, or (when
    // the two meet on the same rows) is refused with CONFLICT and nothing written.
    let shared: Vec<_> = instances
        .iter()
        .map(|app| {
            let app = app.clone();
            tokio::spawn(async move {
                let token = app.token(Caller::Kent, &["service"]);
                app.graphql(&token, UPSERT_CHILDREN, children_batch("SHARED"))
                    .await
                    .1
            })
        })
        .collect();
    for task in work {
        task.await.expect("work on one instance");
    }
    let mut created = 0;
    for task in shared {
        let body = task.await.expect("shared batch");
        match body["data"]["upsertChildren"].as_object() {
            Some(_) => {
                let result = &body["data"]["upsertChildren"];
                assert!(
                    *result == summary(ROWS, 0) || *result == summary(0, ROWS),
                    "{body}"
                );
                created += result["created"].as_u64().unwrap_or_default();
            }
            None => assert_eq!(error_code(&body), "CONFLICT", "{body}"),
        }
    }
    assert!(created <= ROWS as u64, "the shared batch was written twice");

    // Every batch re-sent through the other instance changes nothing.
    let service = first.token(Caller::Kent, &["service"]);
    for (i, other) in [(0, &second), (1, &first)] {
        let prefix = format!("N{i}");
        let (_, body) = other
            .graphql(&service, UPSERT_CHILDREN, children_batch(&prefix))
            .await;
        assert_eq!(body["data"]["upsertChildren"], summary(0, ROWS), "{body}");
        let (_, body) = other
            .graphql(&service, UPSERT_CASES, cases_batch(&prefix))
            .await;
        assert_eq!(body["data"]["upsertCases"], summary(0, ROWS), "{body}");
    }
    for app in &instances {
        let (_, body) = app
            .graphql(&service, UPSERT_CHILDREN, children_batch("SHARED"))
            .await;
        assert_eq!(body["data"]["upsertChildren"], summary(0, ROWS), "{body}");
    }

    // The council's chain is intact and gap-free up to its newest event, read from either.
    let auditor = first.token(Caller::Kent, &["auditor"]);
    let (_, body) = second.graphql(&auditor, HEAD, json!({})).await;
    let head = body["data"]["auditEvents"]["edges"][0]["node"].clone();
    for app in &instances {
        let (_, body) = app.graphql(&auditor, VERIFY, json!({ "head": head })).await;
        let report = &body["data"]["verifyAuditChain"];
        assert_eq!(report["intact"], true, "{body}");
        // Every sequence number from 1 to the head's, each once: no gaps, no forks.
        assert!(
            report["eventsChecked"].as_i64() >= head["sequence"].as_i64(),
            "{body}"
        );
    }
    let head_sequence = head["sequence"].as_i64().expect("a sequence");
    let owner = first.database.connect().await;
    let row = owner
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n, count(DISTINCT sequence) AS d, min(sequence) AS lo, max(sequence) AS hi \
             FROM audit_event WHERE tenant_id = (SELECT id FROM council WHERE la_code = '886')",
        ))
        .await
        .expect("count events")
        .expect("a row");
    let (n, distinct, lo, hi): (i64, i64, i64, i64) = (
        row.try_get("", "n").expect("n"),
        row.try_get("", "d").expect("d"),
        row.try_get("", "lo").expect("lo"),
        row.try_get("", "hi").expect("hi"),
    );
    assert_eq!(
        (distinct, lo, hi),
        (n, 1, n),
        "the chain's sequence numbers are 1..={n}, each once"
    );
    // Six caseworkers: a child, a case, three reviews and three reads each; four batches and a
    // shared one; a read of the audit log itself is not recorded.
    assert!(
        head_sequence >= 6 * 8 + 4,
        "too few events: {head_sequence}"
    );
}

#[tokio::test]
async fn each_instance_refreshes_the_jwks_for_unknown_kids_no_more_than_its_limit() {
    let options = Options {
        jwks_min_refresh_seconds: 3_600,
        ..Options::new(Backend::Postgres)
    };
    let first = Arc::new(TestApp::spawn_with(options.clone()).await);
    // Its own JWKS endpoint, serving the same keys, so each instance's fetches are counted apart.
    let second = Arc::new(first.spawn_beside(options).await);
    let made_up = |app: &TestApp, n: usize| {
        sign(
            Algorithm::RS256,
            Some(&format!("made-up-{n}")),
            &app.tokens.kent_a,
            &app.tokens.claims(Caller::Kent, &["caseworker"]),
        )
    };
    // A flood of made-up kids at both instances at once, before either has fetched anything.
    let mut attempts = Vec::new();
    for n in 0..10 {
        for app in [&first, &second] {
            let (app, token) = (app.clone(), made_up(app, n));
            attempts.push(tokio::spawn(async move {
                app.graphql(&token, ME, json!({})).await.0
            }));
        }
    }
    for attempt in attempts {
        assert_eq!(attempt.await.expect("request"), 401);
    }
    // Real tokens still work on both: each fetched the keys once, and has them.
    for app in [&first, &second] {
        let (status, body) = app
            .graphql(&app.token(Caller::Kent, &["caseworker"]), ME, json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    // More made-up kids, at both.
    for n in 10..20 {
        for app in [&first, &second] {
            assert_eq!(app.graphql(&made_up(app, n), ME, json!({})).await.0, 401);
        }
    }
    assert_eq!(
        (first.jwks.fetches(), second.jwks.fetches()),
        (1, 1),
        "each instance fetches its JWKS once within jwks_min_refresh_seconds, however many unknown kids it sees"
    );
}
