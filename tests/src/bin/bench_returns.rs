//! The return-computation benchmark (see BENCHMARKS.md): Kent with 100,000 cases on PostgreSQL,
//! then `computeReturn` for the academic year 2025-26 over GraphQL, timed, beside the same
//! aggregation statements (`api::service::returns::compute::aggregation_sql`) run directly on
//! the same database as its owner.
//!
//! Run: `cargo run --release -p hub-tests --bin bench_returns` (needs the tests' PostgreSQL;
//! BENCHMARKS.md sets `TEST_DATABASE_ADMIN_URL` to its Unix socket). Options via env:
//! BENCH_CASES (default 100000), BENCH_RUNS (default 7).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed set-up or query should stop the test with its message"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the benchmark loads provision with SQL and runs the aggregation as plain SQL"
)]

use std::time::{Duration, Instant};

use api::service::returns::compute::{Window, aggregation_sql};
use chrono::NaiveDate;
use hub_tests::{Backend, Caller, Options, TestApp};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[(times.len() - 1) / 2]
}

const REASONS: [&str; 7] = [
    "HEALTH",
    "PERMANENT_EXCLUSION",
    "SUSPENSION",
    "AWAITING_SCHOOL_PLACE",
    "EHC_PLACEMENT_BREAKDOWN",
    "EMOTIONALLY_BASED_SCHOOL_AVOIDANCE",
    "OTHER",
];
const SEN: [&str; 3] = ["NONE", "SEN_SUPPORT", "EHC_PLAN"];
const CARE: [&str; 4] = [
    "NONE",
    "CHILD_IN_NEED",
    "CHILD_PROTECTION_PLAN",
    "CHILD_LOOKED_AFTER",
];

#[tokio::main]
async fn main() {
    let total = env("BENCH_CASES", 100_000);
    let runs = env("BENCH_RUNS", 7);
    let batch = 10_000;
    let app = TestApp::spawn_with(Options {
        max_connections: 16,
        ..Options::new(Backend::Postgres)
    })
    .await;
    let service = app.token(Caller::Kent, &["service"]);
    let load_started = Instant::now();
    for from in (0..total).step_by(batch) {
        let to = (from + batch).min(total);
        let children: Vec<Value> = (from..to)
            .map(|n| {
                json!({ "councilReference": format!("K-{n}"), "givenName": "Child", "familyName": format!("F{n:06}"),
                        "dateOfBirth": "2013-05-01", "sex": if n % 2 == 0 { "FEMALE" } else { "MALE" },
                        "yearGroup": (n % 12) as i64 + 1, "senStatus": SEN[n % 3],
                        "socialCareStatus": CARE[n % 4] })
            })
            .collect();
        let (_, body) = app
            .graphql(
                &service,
                "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }",
                json!({ "rows": children }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        // Absences spread over 2024-25 to 2026-27; a fifth closed.
        let cases: Vec<Value> = (from..to)
            .map(|n| {
                let start = NaiveDate::from_ymd_opt(2024, 9, 1).expect("date")
                    + chrono::Days::new((n % 800) as u64);
                let mut row = json!({ "councilReference": format!("C-{n}"), "childReference": format!("K-{n}"),
                                      "reason": REASONS[n % 7], "absenceStart": start.to_string() });
                if n % 5 == 0 {
                    row["closedOn"] = json!((start + chrono::Days::new(40))
                        .min(NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"))
                        .to_string());
                    row["closureReason"] = json!("RETURNED_TO_SCHOOL");
                }
                row
            })
            .collect();
        let (_, body) = app
            .graphql(
                &service,
                "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created } }",
                json!({ "rows": cases }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        eprintln!("loaded {to} cases");
    }
    let db = app.database.connect().await;
    // Provision on four cases in five (a quarter of it reduced), starting 5 to 24 days after the
    // absence; clinical evidence on a third of the health cases. Loaded with SQL as the owner:
    // the benchmark measures the computation, not the provision service.
    db.execute_unprepared(
        "INSERT INTO provision (tenant_id, id, case_id, kind, provider, hours_per_week, full_time, reduced_reason, start_date, end_date)
         SELECT tenant_id, gen_random_uuid(), id, 'tuition', 'Bench tutors',
                CASE WHEN random() < 0.75 THEN 25 ELSE 10 END, TRUE, NULL,
                absence_start + (5 + floor(random() * 20))::int, closed_on
         FROM \"case\" WHERE random() < 0.8",
    )
    .await
    .expect("provision");
    db.execute_unprepared(
        "UPDATE provision SET full_time = FALSE, reduced_reason = 'fatigue' WHERE hours_per_week < 25;
         UPDATE \"case\" c SET provision_started_on = p.start_date
           FROM provision p WHERE p.tenant_id = c.tenant_id AND p.case_id = c.id;
         INSERT INTO medical_evidence (tenant_id, id, case_id, source, category, evidence_date, valid_until)
         SELECT tenant_id, gen_random_uuid(), id, 'consultant', 'physical', absence_start, absence_start + 180
         FROM \"case\" WHERE reason = 'health' AND random() < 0.34;",
    )
    .await
    .expect("provision start and evidence");
    db.execute_unprepared("VACUUM ANALYZE")
        .await
        .expect("vacuum");
    db.execute_unprepared("CHECKPOINT")
        .await
        .expect("checkpoint");
    println!(
        "loaded {total} children and cases in {:.1?}",
        load_started.elapsed()
    );

    let manager = app.token(Caller::Kent, &["manager"]);
    let compute = "mutation { computeReturn(period: \"2025-26\") { id version cells { value } } }";
    let mut through_api = Vec::new();
    let mut cells = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let (_, body) = app.graphql(&manager, compute, json!({})).await;
        through_api.push(started.elapsed());
        assert!(body["errors"].is_null(), "{body}");
        cells = body["data"]["computeReturn"]["cells"]
            .as_array()
            .map_or(0, Vec::len);
    }

    let kent: String = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT id::text AS id FROM council WHERE la_code = '886'",
        ))
        .await
        .expect("council")
        .expect("kent")
        .try_get("", "id")
        .expect("id");
    let window = Window {
        start: NaiveDate::from_ymd_opt(2025, 9, 1).expect("date"),
        end: NaiveDate::from_ymd_opt(2026, 8, 31).expect("date"),
        due_until: NaiveDate::from_ymd_opt(2026, 8, 31).expect("date"),
    };
    let statements = aggregation_sql(kent.parse().expect("uuid"), window);
    let mut plain = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        for sql in &statements {
            db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.clone()))
                .await
                .expect("aggregation");
        }
        plain.push(started.elapsed());
    }
    let (api_median, plain_median) = (median(through_api.clone()), median(plain.clone()));
    println!(
        "computeReturn 2025-26 over {total} cases ({cells} cells), {runs} runs: median {api_median:.1?} (min {:.1?}, max {:.1?})",
        through_api.iter().min().copied().unwrap_or_default(),
        through_api.iter().max().copied().unwrap_or_default()
    );
    println!(
        "the same {} statements as plain SQL (owner, no RLS), {runs} runs: median {plain_median:.1?} (min {:.1?}, max {:.1?})",
        statements.len(),
        plain.iter().min().copied().unwrap_or_default(),
        plain.iter().max().copied().unwrap_or_default()
    );
    println!(
        "ratio: {:.2}x",
        api_median.as_secs_f64() / plain_median.as_secs_f64().max(1e-9)
    );
}
