//! The soak (see BENCHMARKS.md; not run in CI): the real server on PostgreSQL under mixed load for
//! ten minutes at about 80% of what the machine can serve, counting every error by its code and
//! watching the process's resident memory.
//!
//! First it loads one council (Kent) with `SOAK_CASES` children and cases, then measures the most
//! the machine serves with the soak's own mix (16 clients back to back, `SOAK_MEASURE_SECONDS`),
//! then runs `SOAK_CLIENTS` paced clients at `SOAK_RATE` requests a second (default 80% of that
//! maximum) for `SOAK_SECONDS`: reads (the overdue worklist, one case, a page of children) and case
//! mutations (`SOAK_WRITE_PERCENT` of requests: reviews and medical evidence), plus one batch
//! upsert a minute of `SOAK_BATCH_ROWS` cases from a service client. Requests are spread over 64
//! officers, so the production rate limits (on, at their defaults) are exercised without a
//! well-behaved officer reaching them.
//!
//! Run: `cargo run --release -p hub-tests --bin soak` (with the benchmark's
//! `TEST_DATABASE_ADMIN_URL`). It prints the resident memory after the first minute and at the
//! end, and exits non-zero if any request failed or memory grew by more than 10%.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed set-up or query should stop the test with its message"
)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api::config::RateLimitSettings;
use hub_tests::{Backend, Caller, Options, TestApp};
use serde_json::{Value, json};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Officers the load is spread over.
const OFFICERS: usize = 64;
/// Absences start in the autumn of 2025; reviews and evidence are dated after every start and
/// before today.
const HELD_ON: &str = "2026-03-02";

const WORKLIST: &str = "{ cases(filter: { overdue: true }, first: 50) { edges { node { id provisionDueBy schoolDaysWithoutProvision
    child { givenName familyName upn } currentProvision { kind hoursPerWeek } latestEvidence { category validUntil } } } } }";
const CHILDREN: &str = "{ children(first: 20) { totalCount edges { node { id givenName familyName upn yearGroup } } } }";
const CASE: &str = "query($id: ID!) { case(id: $id) { id status provisionDueBy overdue schoolDaysWithoutProvision
    child { givenName familyName } currentProvision { kind } latestEvidence { category validUntil } } }";
const REVIEW: &str =
    "mutation($id: ID!, $on: NaiveDate!) { recordReview(caseId: $id, heldOn: $on) { id } }";
const EVIDENCE: &str =
    "mutation($input: AddMedicalEvidenceInput!) { addMedicalEvidence(input: $input) { id } }";
const UPSERT_CASES: &str = "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created updated unchanged } }";

/// What a request does, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Worklist,
    Case,
    Children,
    Review,
    Evidence,
    Batch,
}

const KINDS: [Kind; 6] = [
    Kind::Worklist,
    Kind::Case,
    Kind::Children,
    Kind::Review,
    Kind::Evidence,
    Kind::Batch,
];

/// Latencies in fixed buckets (0.1 ms up to 100 ms, then 10 ms up to 30 s), allocated once, so
/// the load generator's own memory does not grow during the run and blur the server's.
struct Histogram {
    buckets: Vec<AtomicU64>,
}

impl Histogram {
    const FINE: usize = 1_000;
    const COARSE: usize = 3_000;

    fn new() -> Self {
        Self {
            buckets: (0..Self::FINE + Self::COARSE)
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }

    fn record(&self, latency: Duration) {
        let micros = latency.as_micros() as usize;
        let index = if micros < 100_000 {
            micros / 100
        } else {
            (Self::FINE + (micros - 100_000) / 10_000).min(self.buckets.len() - 1)
        };
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
    }

    fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// The upper edge of the bucket holding the `p` quantile.
    fn quantile(&self, p: f64) -> Duration {
        let total = self.count();
        let wanted = ((total as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (index, bucket) in self.buckets.iter().enumerate() {
            seen += bucket.load(Ordering::Relaxed);
            if seen >= wanted {
                return if index < Self::FINE {
                    Duration::from_micros((index as u64 + 1) * 100)
                } else {
                    Duration::from_micros(100_000 + (index - Self::FINE + 1) as u64 * 10_000)
                };
            }
        }
        Duration::ZERO
    }
}

/// Every answer of the run, by kind, and every failure by its code.
struct Tally {
    latencies: BTreeMap<Kind, Histogram>,
    errors: Mutex<BTreeMap<String, u64>>,
    sent: AtomicU64,
}

impl Tally {
    fn new() -> Self {
        Self {
            latencies: KINDS.iter().map(|kind| (*kind, Histogram::new())).collect(),
            errors: Mutex::new(BTreeMap::new()),
            sent: AtomicU64::new(0),
        }
    }

    fn failed(&self, what: String) {
        *self.errors.lock().unwrap().entry(what).or_default() += 1;
    }

    fn error_count(&self) -> u64 {
        self.errors.lock().unwrap().values().sum()
    }
}

/// Requests ready to send: bodies serialised once, so the generator takes little of the CPU.
struct Load {
    app: TestApp,
    officers: Vec<String>,
    service: String,
    worklist: String,
    children: String,
    cases: Vec<(String, String, String)>,
    next: AtomicUsize,
    write_percent: usize,
}

impl Load {
    /// The next request of the mix: which officer, what, and the body.
    fn pick(&self) -> (&str, Kind, &str) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let officer = &self.officers[n % OFFICERS];
        // A fixed pattern over 100 requests rather than random draws: the mix is exact in every
        // stretch of the run.
        let slot = n % 100;
        let (case_read, review, evidence) = &self.cases[(n / 7) % self.cases.len()];
        let (kind, body) = if slot < self.write_percent {
            if slot.is_multiple_of(2) {
                (Kind::Review, review)
            } else {
                (Kind::Evidence, evidence)
            }
        } else {
            match slot % 4 {
                0 | 1 => (Kind::Worklist, &self.worklist),
                2 => (Kind::Case, case_read),
                _ => (Kind::Children, &self.children),
            }
        };
        (officer, kind, body)
    }

    async fn send(&self, token: &str, kind: Kind, body: &str, tally: &Tally) {
        tally.sent.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let response = self
            .app
            .http
            .post(self.app.url("/graphql"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                tally.failed(format!("{kind:?}: transport error ({})", transport(&error)));
                return;
            }
        };
        let status = response.status().as_u16();
        let answer = match response.bytes().await {
            Ok(answer) => answer,
            Err(error) => {
                tally.failed(format!("{kind:?}: body cut off ({})", transport(&error)));
                return;
            }
        };
        tally.latencies[&kind].record(started.elapsed());
        let failed = status != 200 || answer.windows(9).any(|w| w == b"\"errors\":");
        if failed {
            let body: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
            let code = body["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("no code");
            tally.failed(format!("{kind:?}: HTTP {status} {code}"));
        }
    }
}

fn transport(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "connect"
    } else if error.is_timeout() {
        "timeout"
    } else {
        "other"
    }
}

/// This process's resident memory (the server runs in it), from Linux's /proc.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

async fn graphql(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (status, body) = app.graphql(token, query, variables).await;
    assert!(
        status == 200 && body["errors"].is_null(),
        "HTTP {status}: {body}"
    );
    body
}

/// Loads `total` children and open cases, then returns the ids of up to 1,000 of the cases.
async fn load_council(app: &TestApp, service: &str, total: usize) -> Vec<String> {
    for from in (0..total).step_by(10_000) {
        let to = (from + 10_000).min(total);
        let children: Vec<Value> = (from..to)
            .map(|n| json!({ "councilReference": format!("K-{n}"), "givenName": "Child", "familyName": format!("F{n:06}"),
                             "dateOfBirth": "2013-05-01", "sex": "FEMALE", "yearGroup": 8 }))
            .collect();
        graphql(
            app,
            service,
            "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }",
            json!({ "rows": children }),
        )
        .await;
        graphql(
            app,
            service,
            UPSERT_CASES,
            json!({ "rows": case_rows(from..to, "2025-12-01") }),
        )
        .await;
    }
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let mut ids = Vec::new();
    let mut after = Value::Null;
    while ids.len() < 1_000.min(total) {
        let body = graphql(
            app,
            &caseworker,
            "query($after: String) { cases(filter: { status: OPEN }, first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
            json!({ "after": after }),
        )
        .await;
        let page = &body["data"]["cases"];
        ids.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned()),
        );
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    ids
}

/// Open cases `range`, told to the council on `notified` (a batch that changes it updates them).
fn case_rows(range: std::ops::Range<usize>, notified: &str) -> Vec<Value> {
    range
        .map(|n| {
            let start = chrono::NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()
                + chrono::Days::new((n % 90) as u64);
            json!({ "councilReference": format!("C-{n}"), "childReference": format!("K-{n}"),
                    "reason": if n % 7 == 0 { "PERMANENT_EXCLUSION" } else { "HEALTH" },
                    "absenceStart": start.to_string(), "councilNotifiedOn": notified })
        })
        .collect()
}

/// Runs `clients` clients back to back for `seconds`; returns requests a second.
async fn measure_maximum(load: &Arc<Load>, clients: usize, seconds: u64) -> f64 {
    let tally = Arc::new(Tally::new());
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (load, tally) = (load.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                let (token, kind, body) = load.pick();
                load.send(token, kind, body, &tally).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let rate = tally.sent.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    if tally.error_count() > 0 {
        println!(
            "  errors while measuring: {:?}",
            tally.errors.lock().unwrap()
        );
    }
    rate
}

#[tokio::main]
async fn main() {
    let seconds = env("SOAK_SECONDS", 600);
    let measure_seconds = env("SOAK_MEASURE_SECONDS", 20);
    let clients = env("SOAK_CLIENTS", 64) as usize;
    let total = env("SOAK_CASES", 10_000) as usize;
    let batch_rows = (env("SOAK_BATCH_ROWS", 1_000) as usize).min(total);
    let write_percent = env("SOAK_WRITE_PERCENT", 10).min(100) as usize;

    let default_pool = api::config::Settings::default().database.max_connections;
    let app = TestApp::spawn_with(Options {
        max_connections: default_pool,
        // Production's limits, not the test harness's generous ones.
        configure: |settings| settings.rate_limit = RateLimitSettings::default(),
        ..Options::new(Backend::Postgres)
    })
    .await;
    let service = app.token(Caller::Kent, &["service"]);
    let loading = Instant::now();
    let ids = load_council(&app, &service, total).await;
    println!(
        "loaded {total} children and cases in {:.1?}; {} case ids for reads and writes",
        loading.elapsed(),
        ids.len()
    );
    let officers: Vec<String> = (0..OFFICERS)
        .map(|n| {
            let mut claims = app.tokens.claims(Caller::Kent, &["caseworker"]);
            claims["sub"] = json!(format!("soak-officer-{n}"));
            app.tokens.sign(Caller::Kent, &claims)
        })
        .collect();
    let cases = ids
        .iter()
        .map(|id| {
            (
                json!({ "query": CASE, "variables": { "id": id } }).to_string(),
                json!({ "query": REVIEW, "variables": { "id": id, "on": HELD_ON } }).to_string(),
                json!({ "query": EVIDENCE, "variables": { "input": {
                    "caseId": id, "source": "GP", "category": "fit note", "evidenceDate": HELD_ON,
                    "validUntil": "2026-06-30" } } })
                .to_string(),
            )
        })
        .collect();
    let load = Arc::new(Load {
        app,
        officers,
        service,
        worklist: json!({ "query": WORKLIST }).to_string(),
        children: json!({ "query": CHILDREN }).to_string(),
        cases,
        next: AtomicUsize::new(0),
        write_percent,
    });

    let rate = match std::env::var("SOAK_RATE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        Some(rate) => rate,
        None => {
            let maximum = measure_maximum(&load, 16, measure_seconds).await;
            println!(
                "maximum with this mix, 16 clients back to back, {measure_seconds} s: {maximum:.0} req/s"
            );
            (maximum * 0.8).max(1.0)
        }
    };
    println!(
        "soak: {seconds} s at {rate:.0} req/s from {clients} clients ({write_percent}% case mutations), \
         one upsertCases of {batch_rows} rows a minute"
    );

    let tally = Arc::new(Tally::new());
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    let interval = Duration::from_secs_f64(clients as f64 / rate);
    for client in 0..clients {
        let (load, tally) = (load.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            // Spread the clients' ticks over one interval.
            let offset = interval.mul_f64(client as f64 / clients as f64);
            let mut ticks =
                tokio::time::interval_at(tokio::time::Instant::now() + offset, interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while tokio::time::timeout_at(until.into(), ticks.tick())
                .await
                .is_ok()
            {
                let (token, kind, body) = load.pick();
                load.send(token, kind, body, &tally).await;
            }
        }));
    }
    {
        let (load, tally) = (load.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let mut minute = 0usize;
            let mut ticks = tokio::time::interval_at(
                tokio::time::Instant::now() + Duration::from_secs(30),
                Duration::from_secs(60),
            );
            while tokio::time::timeout_at(until.into(), ticks.tick()).await.is_ok() {
                // Each minute's batch moves the notification date, so every row is an update.
                let notified = if minute.is_multiple_of(2) { "2025-12-02" } else { "2025-12-01" };
                let body = json!({ "query": UPSERT_CASES, "variables": { "rows": case_rows(0..batch_rows, notified) } })
                    .to_string();
                load.send(&load.service, Kind::Batch, &body, &tally).await;
                minute += 1;
            }
        }));
    }

    let mut first_minute = None;
    let (mut last_sent, mut last_report) = (0, started);
    let mut minute = 0;
    while Instant::now() < until {
        let next = (started + Duration::from_secs(60 * (minute + 1))).min(until);
        tokio::time::sleep_until(next.into()).await;
        minute += 1;
        let rss = resident_kib();
        if first_minute.is_none() {
            first_minute = Some(rss);
        }
        let sent = tally.sent.load(Ordering::Relaxed);
        println!(
            "{:>4} s: {:.0} req/s since the last line, {} errors so far, resident {}",
            started.elapsed().as_secs(),
            (sent - last_sent) as f64 / last_report.elapsed().as_secs_f64().max(0.001),
            tally.error_count(),
            mib(rss)
        );
        (last_sent, last_report) = (sent, Instant::now());
    }
    for task in tasks {
        task.await.unwrap();
    }
    let end = resident_kib();
    let elapsed = started.elapsed();

    println!("\nrequests by kind (latency: upper edge of a 0.1 ms bucket to 100 ms, 10 ms above):");
    for (kind, histogram) in &tally.latencies {
        let count = histogram.count();
        if count > 0 {
            println!(
                "  {kind:?}: {count} answered, p50 {:.1?}, p99 {:.1?}, max bucket {:.1?}",
                histogram.quantile(0.5),
                histogram.quantile(0.99),
                histogram.quantile(1.0)
            );
        }
    }
    let sent = tally.sent.load(Ordering::Relaxed);
    println!(
        "sent {sent} requests in {:.0?}: {:.0} req/s against a target of {rate:.0}",
        elapsed,
        sent as f64 / elapsed.as_secs_f64()
    );
    let errors = tally.errors.lock().unwrap().clone();
    if errors.is_empty() {
        println!("errors: none");
    } else {
        println!("errors by code:");
        for (what, count) in &errors {
            println!("  {what}: {count}");
        }
    }
    let first = first_minute.unwrap_or(end);
    let growth = (end as f64 - first as f64) / first.max(1) as f64 * 100.0;
    println!(
        "resident memory: {} after the first minute, {} at the end ({growth:+.1}%)",
        mib(first),
        mib(end)
    );
    let passed = errors.is_empty() && growth <= 10.0;
    println!(
        "{}: zero errors {}, memory within 10% of the first minute's {}",
        if passed { "PASS" } else { "FAIL" },
        if errors.is_empty() { "yes" } else { "no" },
        if growth <= 10.0 { "yes" } else { "no" }
    );
    if !passed {
        std::process::exit(1);
    }
}
