//! A database outage under load, on a PostgreSQL cluster of the test's own (the shared test
//! server is never stopped): while it is down every request is answered SERVICE_UNAVAILABLE with
//! HTTP 503 and `Retry-After`, quickly; `/readyz` says not ready and `/healthz` stays up; the
//! log says once that it went and once that it came back; when it is back the hub serves again
//! within seconds, without a restart; and nothing is half-written: each change and its audit
//! event are there together or not at all, every change answered as a success is there, the
//! audit chain is intact, and a batch re-sent after the outage is idempotent.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hub_tests::cluster::Cluster;
use hub_tests::{Backend, Caller, Options, TestApp};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const READ_CASE: &str = "query($id: ID!) { case(id: $id) { id status } }";
const LIST_CHILDREN: &str = "{ children(first: 5) { totalCount } }";
const RECORD_REVIEW: &str =
    "mutation($id: ID!) { recordReview(caseId: $id, heldOn: \"2026-10-20\") { id } }";
const CREATE_CHILD: &str =
    "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }";
const UPSERT_CHILDREN: &str = "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created updated unchanged } }";
const HEAD: &str = "{ auditEvents(first: 1) { edges { node { sequence hash } } } }";
const VERIFY: &str = "query($head: RecordedHead) { verifyAuditChain(recordedHead: $head) { intact eventsChecked firstBrokenSequence reason } }";

/// Rows per batch: enough that a batch takes a while, so the outage may cut one off mid-write.
const BATCH_ROWS: usize = 300;
/// A generous bound on how long a refused request may take: a hang guard, not a speed test
/// (the acquire timeout is 2 s; before this work a request waited about 10 s).
const REFUSED_WITHIN: Duration = Duration::from_secs(5);

/// What a client sent.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Request {
    ReadCase,
    ListChildren,
    /// A case mutation: a review on this case (with its audit event, in one transaction).
    RecordReview(String),
    /// A child created under this council reference.
    CreateChild(String),
    /// Batch number n.
    Batch(usize),
}

/// One answer, as the client saw it.
#[derive(Debug)]
struct Answer {
    request: Request,
    took: Duration,
    /// `None` when no answer came at all (the client gave up).
    status: Option<u16>,
    retry_after: Option<String>,
    body: Value,
}

impl Answer {
    fn succeeded(&self) -> bool {
        self.status == Some(200) && self.body["errors"].is_null()
    }
}

async fn send(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> (Option<u16>, Option<String>, Value) {
    let sent = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        // A hang guard far above REFUSED_WITHIN: an answer that never comes is a failure too.
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    let Ok(response) = sent else {
        return (None, None, Value::Null);
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    (Some(status), retry_after, body)
}

fn batch(n: usize) -> Value {
    let rows: Vec<Value> = (0..BATCH_ROWS)
        .map(|i| {
            json!({ "councilReference": format!("B{n}-{i}"), "givenName": "Bea", "familyName": "Batch",
                    "dateOfBirth": "2013-05-01", "sex": "FEMALE", "yearGroup": 8 })
        })
        .collect();
    json!({ "rows": rows })
}

/// Log lines written while the test runs, captured from the server on this thread's runtime.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// A client that keeps sending until told to stop, and keeps every answer.
async fn client(
    app: Arc<TestApp>,
    stop: Arc<AtomicBool>,
    next: impl Fn(usize) -> (String, Request, &'static str, Value),
) -> Vec<Answer> {
    let mut answers = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        let (token, request, query, variables) = next(n);
        let started = Instant::now();
        let (status, retry_after, body) = send(&app, &token, query, variables).await;
        answers.push(Answer {
            request,
            took: started.elapsed(),
            status,
            retry_after,
            body,
        });
        n += 1;
        // A failed request is retried after a pause, as a well-behaved client would (shortened
        // from Retry-After so the outage sees many requests).
        if !answers.last().is_some_and(Answer::succeeded) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    answers
}

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n")
}

#[tokio::test]
async fn a_database_outage_is_answered_503_loses_nothing_and_the_hub_recovers_by_itself() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let log = CapturedLog::default();
    let writer = log.clone();
    // What an operator sees with the default log filter. The default test runtime runs on this
    // one thread, so a thread-local subscriber hears this server and nothing from other tests.
    let _logging = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                api::telemetry::DEFAULT_FILTER,
            ))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    );
    let app = Arc::new(
        TestApp::spawn_with(Options {
            admin_url: Some(cluster.admin_url()),
            ..Options::new(Backend::Postgres)
        })
        .await,
    );
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let service = app.token(Caller::Kent, &["service"]);
    let auditor = app.token(Caller::Kent, &["auditor"]);

    let mut cases = Vec::new();
    for name in ["Ada", "Ben", "Cai"] {
        let child = app.create_child(&caseworker, name, "Outage", None).await;
        let (_, body) = app
            .graphql(&caseworker, "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2026-10-05\" }) { id } }", json!({ "c": child }))
            .await;
        cases.push(
            body["data"]["openCase"]["id"]
                .as_str()
                .expect("a case")
                .to_owned(),
        );
    }
    let (_, body) = app.graphql(&auditor, HEAD, json!({})).await;
    let head = body["data"]["auditEvents"]["edges"][0]["node"].clone();

    // Load: three caseworkers reading and changing their own case, creating children now and
    // then, and a council's system sending batches one after another.
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for (worker, case) in cases.iter().enumerate() {
        let (token, case) = (caseworker.clone(), case.clone());
        clients.push(tokio::spawn(client(app.clone(), stop.clone(), move |n| {
            let id = json!({ "id": case });
            match n % 4 {
                0 => (token.clone(), Request::ReadCase, READ_CASE, id),
                1 => (token.clone(), Request::RecordReview(case.clone()), RECORD_REVIEW, id),
                2 => (token.clone(), Request::ListChildren, LIST_CHILDREN, json!({})),
                _ => {
                    let reference = format!("W{worker}-{n}");
                    let input = json!({ "input": { "councilReference": reference, "givenName": "Wes",
                        "familyName": "Worker", "dateOfBirth": "2014-03-09", "sex": "MALE", "yearGroup": 7 } });
                    (token.clone(), Request::CreateChild(reference), CREATE_CHILD, input)
                }
            }
        })));
    }
    {
        let token = service.clone();
        clients.push(tokio::spawn(client(app.clone(), stop.clone(), move |n| {
            (token.clone(), Request::Batch(n), UPSERT_CHILDREN, batch(n))
        })));
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.stop().await;
    let stopped = Instant::now();

    // Within about a second the load balancer hears "not ready"; liveness stays up.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let asked = Instant::now();
    let ready = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("GET /readyz");
    assert_eq!(ready.status().as_u16(), 503, "/readyz during the outage");
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "/readyz must answer within about a second, took {:?}",
        asked.elapsed()
    );
    let health = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("GET /healthz");
    assert_eq!(
        health.status().as_u16(),
        200,
        "/healthz stays up during the outage"
    );

    tokio::time::sleep(Duration::from_secs(4).saturating_sub(stopped.elapsed())).await;
    cluster.restart().await;
    let restarted = Instant::now();
    // The hub serves again within 5 s, without a restart of its own.
    loop {
        let (status, _, body) = send(&app, &caseworker, READ_CASE, json!({ "id": cases[0] })).await;
        if status == Some(200) && body["errors"].is_null() {
            break;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(5),
            "the hub did not serve again within 5 s of the database's return: HTTP {status:?} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let served_again = restarted.elapsed();
    let ready = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("GET /readyz");
    assert_eq!(
        ready.status().as_u16(),
        200,
        "/readyz once the database is back"
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, Ordering::SeqCst);
    let mut answers = Vec::new();
    for client in clients {
        answers.extend(client.await.expect("client"));
    }

    // Every answer is a success, or SERVICE_UNAVAILABLE with HTTP 503 and Retry-After, quickly.
    let mut refused = 0;
    for answer in &answers {
        if answer.succeeded() {
            continue;
        }
        refused += 1;
        let codes: Vec<&str> = answer.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["extensions"]["code"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            answer.status == Some(503)
                && !codes.is_empty()
                && codes.iter().all(|c| *c == "SERVICE_UNAVAILABLE"),
            "{:?} answered neither a success nor SERVICE_UNAVAILABLE with HTTP 503: HTTP {:?} {}",
            answer.request,
            answer.status,
            answer.body
        );
        assert_eq!(
            answer.retry_after.as_deref(),
            Some("5"),
            "{:?}: Retry-After",
            answer.request
        );
        assert_eq!(
            answer.body["errors"][0]["extensions"]["retryAfter"], 5,
            "{}",
            answer.body
        );
        assert!(
            answer.took < REFUSED_WITHIN,
            "{:?} was refused only after {:?}",
            answer.request,
            answer.took
        );
    }
    let slowest_refusal = answers
        .iter()
        .filter(|a| !a.succeeded())
        .map(|a| a.took)
        .max()
        .unwrap_or_default();
    eprintln!(
        "outage: {} answers, {refused} refused (the slowest after {slowest_refusal:?}); \
         served again {served_again:?} after the database's return",
        answers.len()
    );
    assert!(refused > 0, "the outage must have refused some requests");
    assert!(answers.len() > refused, "some requests must have succeeded");

    // The log said once that the database went, and once that it came back; nothing else
    // complained per request.
    let lines = log.lines();
    let went = lines
        .iter()
        .filter(|l| l.contains("the database cannot be reached"))
        .count();
    let back = lines
        .iter()
        .filter(|l| l.contains("the database is reachable again"))
        .count();
    assert_eq!(
        (went, back),
        (1, 1),
        "one line down, one line back:\n{}",
        lines.join("\n")
    );
    let complaints: Vec<&String> = lines
        .iter()
        .filter(|l| {
            (l.contains(" ERROR ") || l.contains(" WARN "))
                && !l.contains("the database cannot be reached")
        })
        .collect();
    assert!(
        complaints.is_empty(),
        "per-request complaints in the log: {complaints:#?}"
    );

    // Nothing is half-written, and every change answered as a success is there.
    let owner = app.database.connect().await;
    for case in &cases {
        let reviews = count(&owner, &format!("SELECT count(*) AS n FROM case_event WHERE case_id = '{case}' AND kind = 'review_held'")).await;
        let audited = count(&owner, &format!("SELECT count(*) AS n FROM audit_event WHERE operation = 'case.review' AND record_ids = '{case}'")).await;
        assert_eq!(
            reviews, audited,
            "case {case}: every review has its audit event and no event lacks its review"
        );
        let sent = answers
            .iter()
            .filter(|a| a.request == Request::RecordReview(case.clone()));
        let confirmed = sent.clone().filter(|a| a.succeeded()).count() as i64;
        assert!(
            confirmed <= reviews && reviews <= sent.count() as i64,
            "case {case}: {confirmed} reviews confirmed, {reviews} stored"
        );
    }
    for answer in &answers {
        if let Request::CreateChild(reference) = &answer.request {
            let stored = count(
                &owner,
                &format!("SELECT count(*) AS n FROM child WHERE council_reference = '{reference}'"),
            )
            .await;
            let audited = count(&owner, &format!("SELECT count(*) AS n FROM audit_event a JOIN child c ON a.record_ids = c.id::text WHERE a.operation = 'child.create' AND c.council_reference = '{reference}'")).await;
            assert_eq!(
                stored, audited,
                "child {reference}: stored with its audit event, or not at all"
            );
            if answer.succeeded() {
                assert_eq!(
                    stored, 1,
                    "child {reference} was confirmed, so it must be there"
                );
            }
        }
    }
    let batches: Vec<&Answer> = answers
        .iter()
        .filter(|a| matches!(a.request, Request::Batch(_)))
        .collect();
    for answer in &batches {
        let Request::Batch(n) = answer.request else {
            unreachable!()
        };
        let stored = count(
            &owner,
            &format!("SELECT count(*) AS n FROM child WHERE council_reference LIKE 'B{n}-%'"),
        )
        .await;
        assert!(
            stored == 0 || stored == BATCH_ROWS as i64,
            "batch {n} is half-written: {stored} of {BATCH_ROWS} rows"
        );
        if !answer.succeeded() && stored > 0 {
            eprintln!("outage: batch {n} was refused but committed whole (cut off in its commit)");
        }
        if answer.succeeded() {
            assert_eq!(
                stored, BATCH_ROWS as i64,
                "batch {n} was confirmed, so it must be there"
            );
            assert_eq!(
                answer.body["data"]["upsertChildren"]["created"], BATCH_ROWS,
                "{}",
                answer.body
            );
        }
    }

    // The client re-sends every batch that failed (and one that succeeded, as if its answer was
    // lost): the first re-send writes it whole or finds it whole; the second changes nothing.
    let resend: Vec<usize> = batches
        .iter()
        .filter(|a| !a.succeeded())
        .chain(batches.iter().find(|a| a.succeeded()))
        .map(|a| match a.request {
            Request::Batch(n) => n,
            _ => unreachable!(),
        })
        .collect();
    assert!(!resend.is_empty());
    for n in resend {
        let (_, _, body) = send(&app, &service, UPSERT_CHILDREN, batch(n)).await;
        let summary = &body["data"]["upsertChildren"];
        assert!(
            *summary == json!({ "created": BATCH_ROWS, "updated": 0, "unchanged": 0 })
                || *summary == json!({ "created": 0, "updated": 0, "unchanged": BATCH_ROWS }),
            "batch {n} re-sent: {body}"
        );
        let (_, _, body) = send(&app, &service, UPSERT_CHILDREN, batch(n)).await;
        assert_eq!(
            body["data"]["upsertChildren"],
            json!({ "created": 0, "updated": 0, "unchanged": BATCH_ROWS }),
            "batch {n} re-sent twice must change nothing the second time"
        );
    }

    // The audit chain is intact, and still reaches the head noted before the outage.
    let (_, body) = app
        .graphql(
            &auditor,
            VERIFY,
            json!({ "head": { "sequence": head["sequence"], "hash": head["hash"] } }),
        )
        .await;
    assert_eq!(body["data"]["verifyAuditChain"]["intact"], true, "{body}");
    drop(owner);
}
