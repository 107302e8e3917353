//! The release benchmark (see BENCHMARKS.md, "Compiling releases"): a partnership's releases for
//! 12 monthly periods over a whole catalogue of figures, for the 19 South-East councils and for
//! 153 simulated councils (all of England): the total time, and the share spent in disclosure
//! control (the `protect_counts` and `protect_measure` calls, timed inside the compile).
//!
//! Run: `cargo run --release -p hub-tests --bin bench_releases` (needs the tests' PostgreSQL).
//! Options via env: BENCH_PERIODS (12), BENCH_SIZES (`19,153`), BENCH_SEED (7).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark code: a failed set-up should stop it with its message"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the benchmark writes its fixtures directly as the owner"
)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use api::auth::{Affiliation, Principal, Role};
use api::service::Store;
use api::service::release::{CompileRequest, compile};
use chrono::Utc;
use entity::council_return::{ReturnSource, ReturnStatus};
use entity::metric_definition::{DefinitionStatus, MetricUnit};
use entity::{council, council_return, membership, metric_definition, partnership, return_cell};
use hub_tests::{Backend, TestDatabase};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

/// The simulated catalogue: counts with breakdowns by sex and SEN status, and derived figures.
const COUNTS: &[&str] = &[
    "referrals",
    "open_cases",
    "cases_health",
    "cases_permanent_exclusion",
    "cases_suspension",
    "cases_awaiting_place",
    "cases_ehc_breakdown",
    "cases_ebsa",
    "cases_other",
    "without_provision_15_days",
    "health_needs_all",
    "health_needs_medically_vulnerable",
    "cme",
    "ehe",
    "school_attendance_orders",
    "complaints_decided",
    "complaints_upheld",
    "remedies_overdue",
];
const PERCENTS: &[&str] = &[
    "provision_within_15_days",
    "full_time",
    "reduced_provision",
    "remedies_on_time",
];
const MEDIANS: &[&str] = &["days_to_provision", "hours_per_week"];
const RATES: &[&str] = &["referrals_per_10000"];
const SEX: &[&str] = &["female", "male"];
const SEN: &[&str] = &["ehc_plan", "sen_support", "none"];

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

struct Definition {
    id: Uuid,
    unit: MetricUnit,
}

async fn setup_partnership(db: &sea_orm::DatabaseConnection, councils: usize) -> (Uuid, Vec<Uuid>) {
    let id = Uuid::now_v7();
    partnership::Entity::insert(partnership::ActiveModel {
        id: Set(id),
        code: Set(format!("BENCH{councils}")),
        name: Set(format!("Benchmark partnership of {councils}")),
        region_code: Set(None),
        region_name: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await
    .expect("partnership");
    let mut ids = Vec::with_capacity(councils);
    for n in 0..councils {
        let council_id = Uuid::now_v7();
        council::Entity::insert(council::ActiveModel {
            id: Set(council_id),
            // Codes outside the real ones (the South East's are 8xx and 9xx).
            la_code: Set(format!(
                "{}{:02}",
                1 + n / 100 + 2 * (councils / 100),
                n % 100
            )),
            ons_code: Set(format!("E09{councils:03}{n:03}")),
            name: Set(format!("Simulated council {n}")),
            created_at: Set(Utc::now()),
        })
        .exec_without_returning(db)
        .await
        .expect("council");
        membership::Entity::insert(membership::ActiveModel {
            partnership_id: Set(id),
            council_id: Set(council_id),
            joined_on: Set(chrono::NaiveDate::from_ymd_opt(2024, 9, 1).unwrap()),
        })
        .exec_without_returning(db)
        .await
        .expect("membership");
        ids.push(council_id);
    }
    (id, ids)
}

async fn catalogue(db: &sea_orm::DatabaseConnection, partnership_id: Uuid) -> Vec<Definition> {
    let mut definitions = Vec::new();
    let all = COUNTS
        .iter()
        .map(|c| (c, MetricUnit::Count))
        .chain(PERCENTS.iter().map(|c| (c, MetricUnit::Percent)))
        .chain(MEDIANS.iter().map(|c| (c, MetricUnit::Median)))
        .chain(RATES.iter().map(|c| (c, MetricUnit::RatePer10000)));
    for (code, unit) in all {
        let id = Uuid::now_v7();
        metric_definition::Entity::insert(metric_definition::ActiveModel {
            id: Set(id),
            partnership_id: Set(partnership_id),
            code: Set((*code).to_owned()),
            version: Set(1),
            title: Set((*code).to_owned()),
            description: Set("benchmark".to_owned()),
            unit: Set(unit),
            scope: Set("benchmark".to_owned()),
            breakdowns: Set("sex,sen_status".to_owned()),
            status: Set(DefinitionStatus::Agreed),
            computable: Set(true),
            numerator_code: Set(None),
            denominator_code: Set(None),
            created_at: Set(Utc::now()),
            agreed_at: Set(Some(Utc::now())),
            retired_at: Set(None),
        })
        .exec_without_returning(db)
        .await
        .expect("definition");
        definitions.push(Definition { id, unit });
    }
    definitions
}

/// A count split at random over `parts` categories.
fn split(rng: &mut StdRng, total: i64, parts: usize) -> Vec<i64> {
    let mut counts = vec![0; parts];
    for _ in 0..total {
        counts[rng.gen_range(0..parts)] += 1;
    }
    counts
}

/// A return cell: breakdown, category, value, numerator, base.
type Figure = (String, String, f64, Option<i64>, Option<i64>);

fn cells_for(rng: &mut StdRng, definition: &Definition) -> Vec<Figure> {
    let mut cells = Vec::new();
    // Sparse on purpose: many small counts, as a month's figures are.
    let total: i64 = if rng.gen_bool(0.3) {
        rng.gen_range(0..8)
    } else {
        rng.gen_range(8..120)
    };
    let place = |breakdown: &str, category: &str| (breakdown.to_owned(), category.to_owned());
    match definition.unit {
        MetricUnit::Count => {
            let (b, c) = place("total", "total");
            cells.push((b, c, total as f64, None, None));
            for (name, categories) in [("sex", SEX), ("sen_status", SEN)] {
                for (category, count) in categories.iter().zip(split(rng, total, categories.len()))
                {
                    let (b, c) = place(name, category);
                    cells.push((b, c, count as f64, None, None));
                }
            }
        }
        _ => {
            let base = total.max(1);
            let numerator = rng.gen_range(0..=base);
            let value = match definition.unit {
                MetricUnit::Percent => 100.0 * numerator as f64 / base as f64,
                MetricUnit::RatePer10000 => 10_000.0 * numerator as f64 / 250_000.0,
                _ => rng.gen_range(1.0..40.0),
            };
            let (numerator, base) = match definition.unit {
                MetricUnit::RatePer10000 => (Some(numerator), 250_000),
                MetricUnit::Percent => (Some(numerator), base),
                _ => (None, base),
            };
            let (b, c) = place("total", "total");
            cells.push((b, c, value, numerator, Some(base)));
        }
    }
    cells
}

async fn returns(
    db: &sea_orm::DatabaseConnection,
    rng: &mut StdRng,
    councils: &[Uuid],
    definitions: &[Definition],
    periods: &[String],
) -> usize {
    let mut written = 0;
    for council_id in councils {
        for period in periods {
            let return_id = Uuid::now_v7();
            council_return::Entity::insert(council_return::ActiveModel {
                tenant_id: Set(*council_id),
                id: Set(return_id),
                period: Set(period.clone()),
                period_start: Set(chrono::NaiveDate::from_ymd_opt(2023, 9, 1).unwrap()),
                period_end: Set(chrono::NaiveDate::from_ymd_opt(2023, 9, 30).unwrap()),
                version: Set(1),
                source: Set(ReturnSource::Submitted),
                status: Set(ReturnStatus::Approved),
                content_hash: Set(return_id.simple().to_string()),
                created_at: Set(Utc::now()),
                approved_at: Set(Some(Utc::now())),
            })
            .exec_without_returning(db)
            .await
            .expect("return");
            let mut rows = Vec::new();
            for definition in definitions {
                for (breakdown, category, value, numerator, base) in cells_for(rng, definition) {
                    rows.push(return_cell::ActiveModel {
                        tenant_id: Set(*council_id),
                        return_id: Set(return_id),
                        definition_id: Set(definition.id),
                        breakdown: Set(breakdown),
                        category: Set(category),
                        value: Set(value),
                        numerator: Set(numerator),
                        base: Set(base),
                    });
                }
            }
            written += rows.len();
            return_cell::Entity::insert_many(rows)
                .exec_without_returning(db)
                .await
                .expect("cells");
        }
    }
    written
}

#[tokio::main]
async fn main() {
    let periods: usize = env("BENCH_PERIODS", "12").parse().expect("BENCH_PERIODS");
    let seed: u64 = env("BENCH_SEED", "7").parse().expect("BENCH_SEED");
    let sizes: BTreeSet<usize> = env("BENCH_SIZES", "19,153")
        .split(',')
        .map(|s| s.trim().parse().expect("BENCH_SIZES"))
        .collect();
    let months = [9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8];
    let periods: Vec<String> = months
        .iter()
        .take(periods)
        .map(|m| format!("{}-{m:02}", if *m >= 9 { 2023 } else { 2024 }))
        .collect();
    let database = TestDatabase::create(Backend::Postgres).await;
    let db = database.connect().await;
    let store = Store::new(
        db.clone(),
        database.connect().await,
        migration::APP_ROLE.to_owned(),
        Arc::new(AtomicU64::new(0)),
        Default::default(),
    );
    let mut rng = StdRng::seed_from_u64(seed);
    println!(
        "councils | definitions | periods | return cells | compile total | disclosure | share | per release | release cells"
    );
    for councils in sizes {
        let (partnership_id, members) = setup_partnership(&db, councils).await;
        let definitions = catalogue(&db, partnership_id).await;
        let cells = returns(&db, &mut rng, &members, &definitions, &periods).await;
        let coordinator = Principal {
            subject: "bench-coordinator".to_owned(),
            issuer: "bench".to_owned(),
            affiliation: Affiliation::Partnership {
                partnership_id,
                code: format!("BENCH{councils}"),
            },
            roles: [Role::PartnershipCoordinator].into_iter().collect(),
        };
        let scope = coordinator
            .partnership_scope(&[Role::PartnershipCoordinator])
            .expect("scope");
        let actor = coordinator.audit_actor();
        let (mut total, mut disclosure, mut published) = (Duration::ZERO, Duration::ZERO, 0);
        for period in &periods {
            let started = Instant::now();
            let compiled = compile(
                &store,
                scope,
                &actor,
                CompileRequest {
                    period: period.clone(),
                    reason: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("compile {period}: {}", e.client_message()));
            total += started.elapsed();
            disclosure += compiled.disclosure_time;
            published += compiled.cells;
        }
        println!(
            "{councils} | {} | {} | {cells} | {:.2} s | {:.2} s | {:.0}% | {:.0} ms | {}",
            definitions.len(),
            periods.len(),
            total.as_secs_f64(),
            disclosure.as_secs_f64(),
            100.0 * disclosure.as_secs_f64() / total.as_secs_f64().max(1e-9),
            1000.0 * total.as_secs_f64() / periods.len() as f64,
            published / periods.len(),
        );
    }
}
