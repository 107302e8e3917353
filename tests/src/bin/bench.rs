//! The case-work benchmark (see BENCHMARKS.md): one council with 100,000 cases on PostgreSQL,
//! loaded through `upsertCases` in batches of 10,000, then the first page of the overdue worklist
//! (50 cases with child, current provision and latest evidence) fetched by 16 concurrent clients.
//!
//! Run: `cargo run --release -p hub-tests --bin bench` (needs the tests' PostgreSQL; BENCHMARKS.md
//! sets `TEST_DATABASE_ADMIN_URL` to its Unix socket, as README advises for a co-located server).
//! Options via env: BENCH_CASES (default 100000), BENCH_CLIENTS (16), BENCH_REQUESTS (2000),
//! BENCH_POOL (the server's pool, default 16), BENCH_RANKED_REQUESTS (100), BENCH_HOLD_SECONDS.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed set-up or query should stop the test with its message"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the tests attack the locks with deliberately unscoped and raw queries"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use hub_tests::{Backend, Caller, Options, TestApp};
use serde_json::{Value, json};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends one GraphQL request the way a load generator should: the body is pre-serialised and the
/// answer only checked, not parsed, so the generator takes as little of the shared CPU as it can.
async fn fetch(app: &TestApp, token: &str, body: &str) {
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(response.status(), 200);
    let answer = response.bytes().await.expect("response body");
    assert!(
        answer.starts_with(b"{\"data\":{") && !answer.windows(9).any(|w| w == b"\"errors\":"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

/// CPU time spent so far (Linux's /proc; USER_HZ is 100 on every Linux this runs on): by the whole
/// machine (all cores, busy = everything but idle and iowait), and by this process (the server
/// and the load generator). The machine is saturated during the run, so what matters is the
/// split: this process, against PostgreSQL and whatever else runs.
fn cpu_used() -> Option<(Duration, Duration)> {
    let ticks = |fields: &[u64]| Duration::from_millis(fields.iter().sum::<u64>() * 10);
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let machine: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy = [0, 1, 2, 5, 6, 7].map(|i| machine.get(i).copied().unwrap_or(0));
    let own = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name (which may hold spaces) come state, ppid…; utime and stime are the
    // 12th and 13th fields from there.
    let own: Vec<u64> = own
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    Some((ticks(&busy), ticks(&own)))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let total = env("BENCH_CASES", 100_000);
    let clients = env("BENCH_CLIENTS", 16);
    let requests = env("BENCH_REQUESTS", 2_000);
    let batch = 10_000;
    // The production default pool (16 connections), not the tests' small one.
    let default_pool = api::config::Settings::default().database.max_connections;
    let options = Options {
        max_connections: u32::try_from(env("BENCH_POOL", default_pool as usize))
            .unwrap_or(default_pool),
        ..Options::new(Backend::Postgres)
    };
    let app = Arc::new(TestApp::spawn_with(options).await);
    let service = app.token(Caller::Kent, &["service"]);

    let mut case_batches = Vec::new();
    let load_started = Instant::now();
    for from in (0..total).step_by(batch) {
        let to = (from + batch).min(total);
        let children: Vec<Value> = (from..to)
            .map(|n| json!({ "councilReference": format!("K-{n}"), "givenName": "Child", "familyName": format!("F{n:06}"),
                             "dateOfBirth": "2013-05-01", "sex": "FEMALE", "yearGroup": 8 }))
            .collect();
        let (_, body) = app
            .graphql(
                &service,
                "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }",
                json!({ "rows": children }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        // Absences spread over the 2025/26 and 2026/27 school years; a fifth closed.
        let cases: Vec<Value> = (from..to)
            .map(|n| {
                let start = chrono::NaiveDate::from_ymd_opt(2025, 9, 1).expect("date") + chrono::Days::new((n % 440) as u64);
                let mut row = json!({ "councilReference": format!("C-{n}"), "childReference": format!("K-{n}"),
                                      "reason": if n % 7 == 0 { "PERMANENT_EXCLUSION" } else { "HEALTH" },
                                      "absenceStart": start.to_string() });
                if n % 5 == 0 {
                    row["closedOn"] = json!((start + chrono::Days::new(20)).min(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date")).to_string());
                    row["closureReason"] = json!("RETURNED_TO_SCHOOL");
                }
                row
            })
            .collect();
        let started = Instant::now();
        let (_, body) = app
            .graphql(
                &service,
                "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created } }",
                json!({ "rows": cases }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        case_batches.push(started.elapsed());
        eprintln!("upsertCases rows {from}..{to}: {:.2?}", started.elapsed());
    }
    println!(
        "loaded {total} children and cases in {:.1?}",
        load_started.elapsed()
    );
    case_batches.sort();
    println!(
        "upsertCases, {batch} rows per batch: median {:.2?}, worst {:.2?} over {} batches",
        percentile(&case_batches, 0.5),
        case_batches.last().copied().unwrap_or_default(),
        case_batches.len()
    );

    // What autovacuum does after a nightly load, done now rather than during the measurement
    // (where it took a share of the two cores and made runs differ by half): fresh statistics
    // for the planner, and the new rows' visibility settled.
    let db = app.database.connect().await;
    sea_orm::ConnectionTrait::execute_unprepared(&db, "VACUUM ANALYZE")
        .await
        .expect("vacuum analyze");
    // And the load's dirty pages written out now, so a checkpoint's writes do not land in the
    // middle of the measurement and stall the audit log's commits behind them.
    sea_orm::ConnectionTrait::execute_unprepared(&db, "CHECKPOINT")
        .await
        .expect("checkpoint");
    if let Ok(seconds) = std::env::var("BENCH_HOLD_SECONDS") {
        // Keeps the database for inspection (EXPLAIN ANALYZE) before the load test.
        println!("holding the database for {seconds}s");
        tokio::time::sleep(Duration::from_secs(seconds.parse().unwrap_or(60))).await;
    }
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let query = "{ cases(filter: { overdue: true }, first: 50) { edges { node { id provisionDueBy schoolDaysWithoutProvision
                  child { givenName familyName upn } currentProvision { kind hoursPerWeek } latestEvidence { category validUntil } } } } }";
    let (_, body) = app.graphql(&caseworker, query, json!({})).await;
    let page = body["data"]["cases"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(page, 50, "{body}");
    let per_client = requests / clients;
    let request = json!({ "query": query }).to_string();
    let started = Instant::now();
    let cpu_before = cpu_used();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (app, token, request) = (app.clone(), caseworker.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let sent = Instant::now();
                fetch(&app, &token, &request).await;
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client"));
    }
    let elapsed = started.elapsed();
    let cpu = cpu_used().zip(cpu_before).map(|(after, before)| {
        (
            after.0.saturating_sub(before.0),
            after.1.saturating_sub(before.1),
        )
    });
    latencies.sort();
    println!(
        "overdue worklist, first 50 with child/provision/evidence, {clients} clients, {} requests: p50 {:.1?}, p95 {:.1?}, p99 {:.1?}, {:.0} req/s",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    if let Some((machine, own)) = cpu {
        let per_request = |d: Duration| d.as_secs_f64() * 1000.0 / latencies.len() as f64;
        println!(
            "  CPU per request: {:.2} ms in all, {:.2} ms in the server and load generator, {:.2} ms elsewhere (PostgreSQL, background)",
            per_request(machine),
            per_request(own),
            per_request(machine.saturating_sub(own)),
        );
    }

    // Ranking every open case by school days without provision: computed in the database over
    // the whole council, so it is measured on its own, one client at a time.
    let ranked = "{ cases(filter: { status: OPEN }, orderBy: DAYS_WITHOUT_PROVISION, first: 50) { edges { node { id schoolDaysWithoutProvision
                  child { givenName familyName } } } } }";
    let mut latencies = Vec::new();
    for _ in 0..env("BENCH_RANKED_REQUESTS", 100) {
        let sent = Instant::now();
        let (status, body) = app.graphql(&caseworker, ranked, json!({})).await;
        assert_eq!(status, 200);
        assert!(body["errors"].is_null(), "{body}");
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    println!(
        "open cases by days without provision, first 50, 1 client, {} requests: p50 {:.1?}, p99 {:.1?}",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
}
