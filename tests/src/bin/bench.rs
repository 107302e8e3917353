//! The case-work benchmark (see BENCHMARKS.md): one council with 100,000 cases on PostgreSQL,
//! loaded through `upsertCases` in batches of 10,000, then the first page of the overdue worklist
//! (50 cases with child, current provision and latest evidence) fetched by 16 concurrent clients.
//!
//! Every figure is printed beside its ceiling, measured in the same run: for each read, the
//! statements the hub sent for one request (recorded by the server's statement log) replayed by
//! `pgbench -M prepared` with as many clients; for each batch load, `COPY` of the same rows into
//! a copy of the table with the same indexes. The last lines are one table of ratios and targets.
//!
//! CPU is split by process (from /proc): PostgreSQL's, this process's (the server and its load
//! generator) and pgbench's, per worklist request and per replayed transaction, so the table
//! says whose work separates the hub from its ceiling. The HTTP floor (`{ __typename }` from as
//! many clients) is what a request costs before any database work.
//!
//! Run: `cargo run --release -p hub-tests --bin bench` (needs the tests' PostgreSQL; BENCHMARKS.md
//! sets `TEST_DATABASE_ADMIN_URL` to its Unix socket, as README advises for a co-located server).
//! Options via env: BENCH_CASES (default 100000), BENCH_CLIENTS (16), BENCH_REQUESTS (2000),
//! BENCH_POOL (the server's pool, default 16), BENCH_RANKED_REQUESTS (100), BENCH_PGBENCH_SECONDS
//! (15), BENCH_HOLD_SECONDS (keeps the loaded database before the reads, for EXPLAIN),
//! BENCH_COPY_RUNS (COPY is timed this many times and its median kept, default 3: one COPY of
//! 10,000 child rows takes ~50 ms, where one run's noise moves the ratio by a third),
//! BENCH_ONLY_LOAD (set to anything: stop after the batch loads and their COPY comparison, for
//! working on the batch paths without waiting for the reads).

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
use sea_orm::{ConnectionTrait, DatabaseConnection};
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

/// Sends one batch mutation of `rows` and times it from the first byte sent to the checked
/// answer. The body is serialised before the clock starts, as the reads' are (`fetch`): the
/// load generator's JSON encoding of 10,000 rows (~6 ms) is not the hub's.
async fn load(app: &TestApp, token: &str, mutation: &str, rows: Vec<Value>) -> Duration {
    let body = json!({ "query": mutation, "variables": { "rows": rows } }).to_string();
    let started = Instant::now();
    fetch(app, token, &body).await;
    started.elapsed()
}

/// CPU time spent so far, from Linux's /proc (USER_HZ is 100 on every Linux this runs on): by
/// the whole machine (all cores; busy is everything but idle and iowait), by this process (the
/// server and its load generator), by the processes it ran and waited for (pgbench), and by
/// PostgreSQL (every `postgres` process alive, plus what the postmaster's exited backends used).
/// The machine is saturated during a run, so what matters is the split between them.
#[derive(Clone, Copy, Debug, Default)]
struct Cpu {
    machine: Duration,
    own: Duration,
    children: Duration,
    postgres: Duration,
}

impl Cpu {
    fn now() -> Option<Self> {
        let ticks = |n: u64| Duration::from_millis(n * 10);
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let machine: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal
        let busy: u64 = [0, 1, 2, 5, 6, 7]
            .map(|i| machine.get(i).copied().unwrap_or(0))
            .iter()
            .sum();
        let (own, children) = process_ticks("self")?;
        let mut postgres = 0;
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let pid = entry.file_name();
            let Some(pid) = pid
                .to_str()
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() == "postgres"
                && let Some((used, reaped)) = process_ticks(pid)
            {
                postgres += used + reaped;
            }
        }
        Some(Self {
            machine: ticks(busy),
            own: ticks(own),
            children: ticks(children),
            postgres: ticks(postgres),
        })
    }

    fn since(self, before: Self) -> Self {
        Self {
            machine: self.machine.saturating_sub(before.machine),
            own: self.own.saturating_sub(before.own),
            children: self.children.saturating_sub(before.children),
            postgres: self.postgres.saturating_sub(before.postgres),
        }
    }
}

/// A process's own CPU ticks (utime + stime) and those of its children it has waited for
/// (cutime + cstime), from /proc/PID/stat.
fn process_ticks(pid: &str) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name (which may hold spaces) come state, ppid…; utime, stime, cutime
    // and cstime are the 12th to 15th fields from there.
    let fields: Vec<u64> = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .skip(11)
        .take(4)
        .filter_map(|n| n.parse().ok())
        .collect();
    Some((
        fields.first()? + fields.get(1)?,
        fields.get(2)? + fields.get(3)?,
    ))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// The statements one request sends, recorded by the server: those of its own transaction
/// (framed in BEGIN/COMMIT as the server runs them) and any before it, without the audit log's
/// batched append (one per many reads in the server; replayed per request it would serialise
/// the replay on the council's chain lock and collide on sequence numbers).
async fn capture(app: &TestApp, token: &str, body: &str) -> Vec<String> {
    app.statement_log().start();
    fetch(app, token, body).await;
    // The audit append commits before the answer, so everything is recorded by now.
    let recorded = app.statement_log().stop();
    let mut script = Vec::new();
    let mut in_transaction = false;
    for sql in recorded {
        if sql.contains("set_config('role'") {
            if in_transaction {
                break; // The audit log's own transaction.
            }
            in_transaction = true;
            script.push("BEGIN".to_owned());
        }
        script.push(sql);
    }
    if in_transaction {
        script.push("COMMIT".to_owned());
    }
    script
}

/// What a pgbench replay did: its transactions a second, how many it ran, and the CPU it took.
#[derive(Clone, Copy, Debug)]
struct Replay {
    tps: f64,
    transactions: u64,
    cpu: Option<Cpu>,
}

impl Replay {
    /// Says where the replay's CPU went, a transaction at a time, beside the hub's per request.
    fn print_cpu(&self) {
        if let Some(cpu) = self.cpu {
            let per = |d: Duration| d.as_secs_f64() * 1000.0 / self.transactions.max(1) as f64;
            println!(
                "  replay CPU per transaction: {:.2} ms in all, {:.2} ms in PostgreSQL, {:.2} ms in pgbench",
                per(cpu.machine),
                per(cpu.postgres),
                per(cpu.children),
            );
        }
    }
}

/// `script` replayed by pgbench with `clients` clients on one thread, prepared, for `seconds`.
fn pgbench(app: &TestApp, name: &str, script: &[String], clients: usize, seconds: u64) -> Replay {
    let path = std::env::temp_dir().join(format!("hub-bench-{name}-{}.sql", std::process::id()));
    // pgbench reads `:name` as a variable; none of the read statements holds a colon, but say
    // so if one ever does rather than measure something else.
    let prepared = !script.iter().any(|sql| sql.contains(':'));
    let text: String = script.iter().map(|sql| format!("{sql};\n")).collect();
    std::fs::write(&path, text).expect("write the pgbench script");
    let pgbench =
        std::env::var("PGBENCH").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin/pgbench".into());
    let before = Cpu::now();
    let output = std::process::Command::new(pgbench)
        .args([
            "-n",
            "-j",
            "1",
            "-M",
            if prepared { "prepared" } else { "simple" },
        ])
        .args(["-c", &clients.to_string(), "-T", &seconds.to_string(), "-f"])
        .arg(&path)
        .arg(app.database.url())
        .output()
        .expect("run pgbench");
    let cpu = Cpu::now()
        .zip(before)
        .map(|(after, before)| after.since(before));
    std::fs::remove_file(&path).ok();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pgbench: {stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tps = stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .expect("pgbench's tps");
    let transactions = stdout
        .lines()
        .find_map(|line| line.strip_prefix("number of transactions actually processed: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Replay {
        tps,
        transactions,
        cpu,
    }
}

/// `requests` requests of `body` from `clients` clients at once: the latencies, sorted, and the
/// requests a second.
async fn load_test(
    app: &Arc<TestApp>,
    token: &str,
    body: &str,
    clients: usize,
    requests: usize,
) -> (Vec<Duration>, f64) {
    let per_client = requests / clients;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (app, token, body) = (app.clone(), token.to_owned(), body.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let sent = Instant::now();
                fetch(&app, &token, &body).await;
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client"));
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    (latencies, rate)
}

/// `requests` requests of `body` from `clients` clients at once: the requests a second, and the
/// milliseconds of CPU each cost this process (the server and its load generator).
async fn server_cpu(
    app: &Arc<TestApp>,
    token: &str,
    body: &str,
    clients: usize,
    requests: usize,
) -> (f64, Option<f64>) {
    let before = Cpu::now();
    let (latencies, rate) = load_test(app, token, body, clients, requests).await;
    let per_request = Cpu::now().zip(before).map(|(after, before)| {
        after.since(before).own.as_secs_f64() * 1000.0 / latencies.len().max(1) as f64
    });
    (rate, per_request)
}

/// The end cursor of the page `pages` pages into `field`, `first` at a time, walked with cursors.
async fn cursor_after(
    app: &TestApp,
    token: &str,
    field: &str,
    args: &str,
    first: usize,
    pages: usize,
) -> Value {
    let query = format!(
        "query($after: String) {{ {field}({args} first: {first}, after: $after) {{ pageInfo {{ endCursor }} }} }}"
    );
    let mut after = Value::Null;
    for _ in 0..pages {
        let (_, body) = app.graphql(token, &query, json!({ "after": after })).await;
        after = body["data"][field]["pageInfo"]["endCursor"].clone();
        assert!(after.is_string(), "{body}");
    }
    after
}

/// Median latency of `body` from one client, `requests` times.
async fn median(app: &Arc<TestApp>, token: &str, body: &str, requests: usize) -> Duration {
    let (latencies, _) = load_test(app, token, body, 1, requests).await;
    percentile(&latencies, 0.5)
}

/// Seconds `COPY` takes to load the rows of `table` matching `rows` into a copy of the table
/// with the same columns and indexes (and already holding every other row, as the hub's table
/// did when it loaded them), through a file the server writes and reads.
async fn copy_seconds(db: &DatabaseConnection, table: &str, rows: &str) -> f64 {
    let copy = format!("bench_copy_{table}");
    let file = format!("/tmp/hub-bench-{table}-{}.copy", std::process::id());
    // The columns a load writes: not those the database computes (the case list's order keys),
    // which the copy computes as the hub's table does.
    let written: Vec<String> = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_name = '{table}' AND is_generated = 'NEVER' ORDER BY ordinal_position"
            ),
        ))
        .await
        .expect("columns")
        .iter()
        .map(|row| format!("\"{}\"", row.try_get_by_index::<String>(0).expect("column")))
        .collect();
    let columns = written.join(", ");
    for sql in [
        format!("DROP TABLE IF EXISTS {copy}"),
        format!("CREATE TABLE {copy} (LIKE \"{table}\" INCLUDING ALL)"),
        format!(
            "INSERT INTO {copy} ({columns}) SELECT {columns} FROM \"{table}\" WHERE NOT ({rows})"
        ),
        format!("COPY (SELECT {columns} FROM \"{table}\" WHERE {rows}) TO '{file}'"),
        format!("VACUUM ANALYZE {copy}"),
        "CHECKPOINT".to_owned(),
    ] {
        db.execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let started = Instant::now();
    db.execute_unprepared(&format!("COPY {copy} ({columns}) FROM '{file}'"))
        .await
        .expect("copy");
    let seconds = started.elapsed().as_secs_f64();
    db.execute_unprepared(&format!("DROP TABLE {copy}"))
        .await
        .expect("drop copy");
    seconds
}

/// Resident memory of this process (the server and the load generator), from /proc.
fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
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
    let mut child_batches = Vec::new();
    let load_started = Instant::now();
    for from in (0..total).step_by(batch) {
        let to = (from + batch).min(total);
        let children: Vec<Value> = (from..to)
            .map(|n| json!({ "councilReference": format!("K-{n}"), "givenName": "Child", "familyName": format!("F{n:06}"),
                             "dateOfBirth": "2013-05-01", "sex": "FEMALE", "yearGroup": 8 }))
            .collect();
        child_batches.push(
            load(
                &app,
                &service,
                "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }",
                children,
            )
            .await,
        );
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
        case_batches.push(
            load(
                &app,
                &service,
                "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created } }",
                cases,
            )
            .await,
        );
        eprintln!(
            "rows {from}..{to}: upsertChildren {:.2?}, upsertCases {:.2?}",
            child_batches.last().copied().unwrap_or_default(),
            case_batches.last().copied().unwrap_or_default(),
        );
    }
    println!(
        "loaded {total} children and cases in {:.1?}",
        load_started.elapsed()
    );
    // The last batch of each: the table as large as it gets, as COPY's is below.
    let last_cases = case_batches
        .last()
        .copied()
        .unwrap_or_default()
        .as_secs_f64();
    let last_children = child_batches
        .last()
        .copied()
        .unwrap_or_default()
        .as_secs_f64();
    case_batches.sort();
    child_batches.sort();
    let median_cases = percentile(&case_batches, 0.5).as_secs_f64();
    let median_children = percentile(&child_batches, 0.5).as_secs_f64();
    println!(
        "upsertCases, {batch} rows per batch: median {:.2?}, worst {:.2?}, last {last_cases:.2}s over {} batches",
        percentile(&case_batches, 0.5),
        case_batches.last().copied().unwrap_or_default(),
        case_batches.len()
    );
    println!(
        "upsertChildren, {batch} rows per batch: median {:.2?}, worst {:.2?}, last {last_children:.2}s",
        percentile(&child_batches, 0.5),
        child_batches.last().copied().unwrap_or_default(),
    );

    // What autovacuum does after a nightly load, done now rather than during the measurement
    // (where it took a share of the two cores and made runs differ by half): fresh statistics
    // for the planner, and the new rows' visibility settled.
    let db = app.database.connect().await;
    let last_from = total.saturating_sub(batch);
    // COPY of the last batch's rows, into a copy of the table holding the rest.
    let numbered = |column: &str| format!("substr({column}, 3)::int >= {last_from}");
    let copy_runs = env("BENCH_COPY_RUNS", 3).max(1);
    let mut copies = (Vec::new(), Vec::new());
    for _ in 0..copy_runs {
        copies
            .0
            .push(copy_seconds(&db, "case", &numbered("council_reference")).await);
        copies
            .1
            .push(copy_seconds(&db, "child", &numbered("council_reference")).await);
    }
    let median_of = |mut runs: Vec<f64>| {
        runs.sort_by(f64::total_cmp);
        runs[runs.len() / 2]
    };
    let copy_cases = median_of(copies.0);
    let copy_children = median_of(copies.1);
    println!(
        "COPY of the last {batch} rows (median of {copy_runs}): case {copy_cases:.3}s, child {copy_children:.3}s"
    );
    if std::env::var_os("BENCH_ONLY_LOAD").is_some() {
        println!();
        println!("| measure | target | measured |");
        println!("|---|---|---|");
        print_load_ratios(
            batch,
            (last_cases, median_cases, copy_cases),
            (last_children, median_children, copy_children),
        );
        return;
    }
    db.execute_unprepared("VACUUM ANALYZE")
        .await
        .expect("vacuum analyze");
    // And the load's dirty pages written out now, so a checkpoint's writes do not land in the
    // middle of the measurement and stall the audit log's commits behind them.
    db.execute_unprepared("CHECKPOINT")
        .await
        .expect("checkpoint");
    if let Ok(seconds) = std::env::var("BENCH_HOLD_SECONDS") {
        // Keeps the database for inspection (EXPLAIN ANALYZE) before the load test.
        println!("holding the database for {seconds}s");
        tokio::time::sleep(Duration::from_secs(seconds.parse().unwrap_or(60))).await;
    }
    let seconds = env("BENCH_PGBENCH_SECONDS", 15) as u64;
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let query = "{ cases(filter: { overdue: true }, first: 50) { edges { node { id provisionDueBy schoolDaysWithoutProvision
                  child { givenName familyName upn } currentProvision { kind hoursPerWeek } latestEvidence { category validUntil } } } } }";
    let (_, body) = app.graphql(&caseworker, query, json!({})).await;
    let page = body["data"]["cases"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(page, 50, "{body}");
    let request = json!({ "query": query }).to_string();
    let worklist_script = capture(&app, &caseworker, &request).await;
    let cpu_before = Cpu::now();
    let (latencies, worklist_rate) =
        load_test(&app, &caseworker, &request, clients, requests).await;
    let cpu = Cpu::now()
        .zip(cpu_before)
        .map(|(after, before)| after.since(before));
    let rss = resident_mib();
    println!(
        "overdue worklist, first 50 with child/provision/evidence, {clients} clients, {} requests: p50 {:.1?}, p95 {:.1?}, p99 {:.1?}, {worklist_rate:.0} req/s",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
    );
    if let Some(cpu) = cpu {
        let per_request = |d: Duration| d.as_secs_f64() * 1000.0 / latencies.len() as f64;
        println!(
            "  CPU per request: {:.2} ms in all, {:.2} ms in PostgreSQL, {:.2} ms in the server and load generator",
            per_request(cpu.machine),
            per_request(cpu.postgres),
            per_request(cpu.own),
        );
    }
    if let Some(rss) = rss {
        println!(
            "  resident memory after the worklist load (server and load generator): {rss:.0} MiB"
        );
    }
    let worklist_replay = pgbench(&app, "worklist", &worklist_script, clients, seconds);
    let worklist_ceiling = worklist_replay.tps;
    println!(
        "  its {} statements replayed by pgbench -M prepared -c{clients} -j1: {worklist_ceiling:.0} tx/s; the hub reaches {:.0}%",
        worklist_script.len(),
        100.0 * worklist_rate / worklist_ceiling
    );
    worklist_replay.print_cpu();
    for sql in &worklist_script {
        println!("    {}", sql.chars().take(160).collect::<String>());
    }
    // The HTTP floor: the smallest authenticated GraphQL request, from as many clients, on the
    // same two cores: what the server and its load generator cost before any database work.
    let floor = json!({ "query": "{ __typename }" }).to_string();
    let (floor_rate, floor_cpu) = server_cpu(&app, &caseworker, &floor, clients, requests).await;
    println!(
        "HTTP floor ({{ __typename }}), {clients} clients: {floor_rate:.0} req/s; {} ms of CPU a request in the server and load generator",
        floor_cpu.map_or("?".to_owned(), |ms| format!("{ms:.2}"))
    );
    // The same page and statements with only each case's id asked for: what resolving and
    // writing the page's fields costs the server, against the full worklist's CPU.
    let ids_only = json!({ "query": "{ cases(filter: { overdue: true }, first: 50) { edges { node { id } } } }" })
        .to_string();
    let (ids_rate, ids_cpu) = server_cpu(&app, &caseworker, &ids_only, clients, requests).await;
    println!(
        "the worklist's statements with only ids asked for, {clients} clients: {ids_rate:.0} req/s; {} ms of CPU a request in the server and load generator",
        ids_cpu.map_or("?".to_owned(), |ms| format!("{ms:.2}"))
    );
    let worklist_split = cpu.map(|cpu| {
        let per = |d: Duration| d.as_secs_f64() * 1000.0 / latencies.len() as f64;
        (per(cpu.postgres), per(cpu.own))
    });
    let replay_split = worklist_replay.cpu.map(|cpu| {
        let per =
            |d: Duration| d.as_secs_f64() * 1000.0 / worklist_replay.transactions.max(1) as f64;
        (per(cpu.postgres), per(cpu.children))
    });

    // One client: the overdue page, the ranked page, and the unfiltered list's first page and
    // its 1,000th, each against its own statements replayed by one pgbench client.
    let one = env("BENCH_RANKED_REQUESTS", 100);
    let overdue_p50 = median(&app, &caseworker, &request, one).await;
    let ranked = "{ cases(filter: { status: OPEN }, orderBy: DAYS_WITHOUT_PROVISION, first: 50) { edges { node { id schoolDaysWithoutProvision
                  child { givenName familyName } } } } }";
    let ranked_request = json!({ "query": ranked }).to_string();
    let (_, body) = app.graphql(&caseworker, ranked, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let ranked_p50 = median(&app, &caseworker, &ranked_request, one).await;
    let (_, ranked_rate) = load_test(&app, &caseworker, &ranked_request, 1, one).await;
    let ranked_script = capture(&app, &caseworker, &ranked_request).await;
    let ranked_ceiling = pgbench(&app, "ranked", &ranked_script, 1, seconds.min(10)).tps;
    println!(
        "open cases by days without provision, first 50, 1 client: p50 {ranked_p50:.1?} against the overdue page's {overdue_p50:.1?} ({:.2}x); {ranked_rate:.0} req/s, {:.0}% of its {} statements' ceiling ({ranked_ceiling:.0} tx/s)",
        ranked_p50.as_secs_f64() / overdue_p50.as_secs_f64(),
        100.0 * ranked_rate / ranked_ceiling,
        ranked_script.len(),
    );

    let list = |after: &Value| {
        json!({ "query": "query($after: String) { cases(first: 50, after: $after) { edges { node { id provisionDueBy schoolDaysWithoutProvision child { givenName familyName } } } } }",
                "variables": { "after": after } })
        .to_string()
    };
    let first_page = list(&Value::Null);
    // Page 1,000 (at 100,000 cases; the last full page of a smaller load).
    let deep = (total / 50).saturating_sub(1).min(999);
    let page_1000 = list(&cursor_after(&app, &caseworker, "cases", "", 50, deep).await);
    let list_p50 = median(&app, &caseworker, &first_page, one).await;
    let deep_p50 = median(&app, &caseworker, &page_1000, one).await;
    let (_, list_rate) = load_test(&app, &caseworker, &first_page, 1, one).await;
    let list_script = capture(&app, &caseworker, &first_page).await;
    let list_ceiling = pgbench(&app, "cases", &list_script, 1, seconds.min(10)).tps;
    println!(
        "cases(first: 50), no filter, 1 client: page 1 p50 {list_p50:.1?}, page 1,000 p50 {deep_p50:.1?} ({:.2}x); {list_rate:.0} req/s, {:.0}% of its statements' ceiling ({list_ceiling:.0} tx/s)",
        deep_p50.as_secs_f64() / list_p50.as_secs_f64(),
        100.0 * list_rate / list_ceiling,
    );
    // Page 1,000's own statements replayed alone: whether the distance is the database's or ours.
    let deep_script = capture(&app, &caseworker, &page_1000).await;
    let deep_ceiling = pgbench(&app, "cases-deep", &deep_script, 1, seconds.min(10)).tps;
    println!(
        "  page 1,000's {} statements alone: {deep_ceiling:.0} tx/s (page 1's: {list_ceiling:.0} tx/s)",
        deep_script.len()
    );
    for sql in &deep_script {
        println!("    {}", sql.chars().take(400).collect::<String>());
    }
    // The other orders and the common filters: page 1,000 against page 1 of each.
    let mut other_lists = Vec::new();
    for args in [
        "orderBy: DAYS_WITHOUT_PROVISION,",
        "filter: { status: OPEN },",
        "filter: { status: OPEN }, orderBy: DAYS_WITHOUT_PROVISION,",
        "filter: { reason: HEALTH },",
    ] {
        let page = |after: &Value| {
            json!({ "query": format!("query($after: String) {{ cases({args} first: 50, after: $after) {{ edges {{ node {{ id schoolDaysWithoutProvision child {{ familyName }} }} }} }} }}"),
                    "variables": { "after": after } })
            .to_string()
        };
        let first = page(&Value::Null);
        let deep_page = page(&cursor_after(&app, &caseworker, "cases", args, 50, deep).await);
        let first_p50 = median(&app, &caseworker, &first, one).await;
        let deep_p50 = median(&app, &caseworker, &deep_page, one).await;
        let ratio = deep_p50.as_secs_f64() / first_p50.as_secs_f64();
        println!(
            "cases({args} first: 50), 1 client: page 1 p50 {first_p50:.1?}, page 1,000 p50 {deep_p50:.1?} ({ratio:.2}x)"
        );
        other_lists.push((args, first_p50, deep_p50, ratio));
    }
    let children = |after: &Value| {
        json!({ "query": "query($after: String) { children(first: 50, after: $after) { edges { node { id familyName } } } }",
                "variables": { "after": after } })
        .to_string()
    };
    let children_first = children(&Value::Null);
    let children_deep = children(&cursor_after(&app, &caseworker, "children", "", 50, deep).await);
    let children_p50 = median(&app, &caseworker, &children_first, one).await;
    let children_deep_p50 = median(&app, &caseworker, &children_deep, one).await;
    println!(
        "children(first: 50), 1 client: page 1 p50 {children_p50:.1?}, page 1,000 p50 {children_deep_p50:.1?} ({:.2}x)",
        children_deep_p50.as_secs_f64() / children_p50.as_secs_f64()
    );
    let auditor = app.token(Caller::Kent, &["auditor"]);
    let audit = |after: &Value| {
        json!({ "query": "query($after: String) { auditEvents(first: 2, after: $after) { edges { node { id sequence } } } }",
                "variables": { "after": after } })
        .to_string()
    };
    let audit_first = audit(&Value::Null);
    let (_, body) = app
        .graphql(
            &auditor,
            "{ auditEvents(first: 1) { edges { node { sequence } } } }",
            json!({}),
        )
        .await;
    let events = body["data"]["auditEvents"]["edges"][0]["node"]["sequence"]
        .as_u64()
        .unwrap_or(0) as usize;
    let audit_pages = (events / 2).saturating_sub(1).min(999);
    let audit_deep = audit(&cursor_after(&app, &auditor, "auditEvents", "", 2, audit_pages).await);
    let audit_p50 = median(&app, &auditor, &audit_first, one).await;
    let audit_deep_p50 = median(&app, &auditor, &audit_deep, one).await;
    println!(
        "auditEvents(first: 2), 1 client: page 1 p50 {audit_p50:.1?}, page 1,000 p50 {audit_deep_p50:.1?} ({:.2}x)",
        audit_deep_p50.as_secs_f64() / audit_p50.as_secs_f64()
    );

    // Cold start: a second instance of the server on the loaded database, from building the
    // application (pools, the migration check, the database-lock check, the stored-deadline
    // check) to its first ready answer.
    let started = Instant::now();
    let second = app
        .spawn_beside(Options {
            max_connections: options_pool(),
            ..Options::new(Backend::Postgres)
        })
        .await;
    loop {
        let ready = second.http.get(second.url("/readyz")).send().await;
        if ready.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cold_start = started.elapsed();
    println!("cold start to /readyz on the loaded database: {cold_start:.2?}");

    println!();
    println!("| measure | target | measured |");
    println!("|---|---|---|");
    println!(
        "| overdue worklist, 16 clients, share of its statements' pgbench ceiling | ≥ 70% | {:.0}% ({worklist_rate:.0} req/s against {worklist_ceiling:.0} tx/s) |",
        100.0 * worklist_rate / worklist_ceiling
    );
    if let (Some((hub_pg, hub_own)), Some((replay_pg, replay_own))) = (worklist_split, replay_split)
    {
        println!(
            "| worklist CPU a request: PostgreSQL / server and load generator (replay: PostgreSQL / pgbench) | — | {hub_pg:.2} / {hub_own:.2} ms ({replay_pg:.2} / {replay_own:.2} ms) |"
        );
    }
    println!(
        "| HTTP floor, `{{ __typename }}`, {clients} clients | — | {floor_rate:.0} req/s, {} ms CPU a request |",
        floor_cpu.map_or("?".to_owned(), |ms| format!("{ms:.2}"))
    );
    println!(
        "| the worklist's page with only ids asked for, {clients} clients | — | {ids_rate:.0} req/s, {} ms CPU a request in the server and load generator |",
        ids_cpu.map_or("?".to_owned(), |ms| format!("{ms:.2}"))
    );
    println!(
        "| ranked by days without provision, first page, 1 client, p50 against the overdue page's | ≤ 2× | {:.2}× ({ranked_p50:.1?} against {overdue_p50:.1?}) |",
        ranked_p50.as_secs_f64() / overdue_p50.as_secs_f64()
    );
    println!(
        "| `cases(first: 50)` page 1,000 against page 1, p50 | ≤ 2× | {:.2}× ({deep_p50:.1?} against {list_p50:.1?}) |",
        deep_p50.as_secs_f64() / list_p50.as_secs_f64()
    );
    for (args, first_p50, deep_p50, ratio) in &other_lists {
        println!(
            "| `cases({} first: 50)` page 1,000 against page 1, p50 | ≤ 2× | {ratio:.2}× ({deep_p50:.1?} against {first_p50:.1?}) |",
            args.trim_end_matches(',')
        );
    }
    println!(
        "| `children(first: 50)` page 1,000 against page 1, p50 | ≤ 2× | {:.2}× ({children_deep_p50:.1?} against {children_p50:.1?}) |",
        children_deep_p50.as_secs_f64() / children_p50.as_secs_f64()
    );
    println!(
        "| `auditEvents(first: 2)` page 1,000 against page 1, p50 | ≤ 2× | {:.2}× ({audit_deep_p50:.1?} against {audit_p50:.1?}) |",
        audit_deep_p50.as_secs_f64() / audit_p50.as_secs_f64()
    );
    print_load_ratios(
        batch,
        (last_cases, median_cases, copy_cases),
        (last_children, median_children, copy_children),
    );
    println!(
        "| ranked page, 1 client, share of its statements' ceiling | — | {:.0}% |",
        100.0 * ranked_rate / ranked_ceiling
    );
    println!(
        "| `cases(first: 50)` page 1, 1 client, share of its statements' ceiling | — | {:.0}% |",
        100.0 * list_rate / list_ceiling
    );
    println!(
        "| cold start to `/readyz`, existing database of {total} cases | — | {cold_start:.2?} |"
    );
    if let Some(rss) = rss {
        println!(
            "| resident memory after the worklist load (server and load generator) | — | {rss:.0} MiB |"
        );
    }
}

/// The final table's two batch-load rows: the last batch of each mutation (the table as large
/// as it gets, as COPY's is) against `COPY`, and the median batch's ratio beside it, since one
/// batch on two shared cores varies by a fifth from run to run. Each is (last, median, COPY)
/// in seconds.
fn print_load_ratios(batch: usize, cases: (f64, f64, f64), children: (f64, f64, f64)) {
    for (mutation, (last, median, copy)) in [("upsertCases", cases), ("upsertChildren", children)] {
        println!(
            "| `{mutation}`, {batch} rows (last batch) against `COPY` of the same rows | ≤ 3× | {:.1}× ({last:.2} s against {copy:.3} s; the median batch {:.1}×) |",
            last / copy,
            median / copy
        );
    }
}

/// The server's pool for the benchmark: the production default unless `BENCH_POOL` says.
fn options_pool() -> u32 {
    let default_pool = api::config::Settings::default().database.max_connections;
    u32::try_from(env("BENCH_POOL", default_pool as usize)).unwrap_or(default_pool)
}
