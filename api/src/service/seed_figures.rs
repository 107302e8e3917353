//! The demo's figures: for every South-East council, a realistic spread of cases on its demo
//! children (open and on time, overdue, provision full-time and reduced, evidence expiring,
//! closed), plausible pupil populations labelled as demo data, and returns for the academic year
//! 2025-26: computed and approved for sixteen councils, computed and left for a manager to approve
//! for Kent, and none for two, so a newcomer sees every state at once.
//!
//! Cases go through the case services, so deadlines, timelines and the audit log are as real
//! work leaves them; returns go through the return services.

use chrono::{Days, NaiveDate};
use entity::case::{CaseReason, ClosureReason};
use entity::council_return::{self, ReturnStatus};
use entity::medical_evidence::EvidenceSource;
use entity::provision::ProvisionKind;
use entity::{case, child};
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::Store;
use super::audit::AuditActor;
use super::case::{self as cases, NewCase, NewEvidence, NewProvision};
use super::metric::{self as catalogue, PopulationSetter};
use super::{directory, returns};
use crate::domain::period::Period;
use crate::domain::reference::SOUTH_EAST_COUNCILS;
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantScope;

/// The academic year the demo returns cover (its first calendar year).
pub const DEMO_RETURN_YEAR: i32 = 2025;

/// The council whose return the demo computes but leaves as a draft, for a manager to approve.
pub const DEMO_DRAFT_COUNCIL: &str = "886";

/// Councils the demo leaves without a return (shown as `x` in a release).
pub const DEMO_COUNCILS_WITHOUT_RETURN: [&str; 2] = ["868", "872"];

/// Plausible pupil numbers (state-funded schools, rounded): demo data, not the census.
fn demo_pupils(la_code: &str) -> i64 {
    match la_code {
        "886" => 243_000,
        "850" => 190_000,
        "936" => 180_000,
        "938" => 128_000,
        "825" => 80_000,
        "931" => 100_000,
        "845" => 80_000,
        "887" => 46_000,
        "826" => 50_000,
        "852" => 35_000,
        "851" => 30_000,
        "846" => 37_000,
        _ => 25_000,
    }
}

fn date(y: i32, m: u32, d: u32) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("demo date {y}-{m}-{d}")))
}

/// Seeds every council's demo cases (if it has none), pupil populations, and 2025-26 returns
/// (if it has none for that year). Returns how many returns it computed.
#[tracing::instrument(skip_all)]
pub async fn seed_demo_returns(store: &Store, today: NaiveDate) -> AppResult<usize> {
    let seeder = AuditActor {
        subject: "demo-seed".to_owned(),
        issuer: "partnership-hub".to_owned(),
    };
    let period = Period::AcademicYear(DEMO_RETURN_YEAR);
    let mut computed = 0;
    for (index, reference) in SOUTH_EAST_COUNCILS.iter().enumerate() {
        let Some(council) = directory::council_by_la_code(&store.db, reference.la_code).await?
        else {
            continue;
        };
        let scope = TenantScope::for_council(council.id);
        seed_cases(store, scope, &seeder, index, today).await?;
        for year in [DEMO_RETURN_YEAR, DEMO_RETURN_YEAR + 1] {
            catalogue::set_population(
                &store.db,
                PopulationSetter::Manager {
                    council_id: council.id,
                },
                council.id,
                year,
                demo_pupils(reference.la_code),
                true,
            )
            .await?;
        }
        if DEMO_COUNCILS_WITHOUT_RETURN.contains(&reference.la_code) {
            continue;
        }
        let txn = store.council(scope).await?;
        let existing = txn
            .select::<council_return::Entity>()
            .filter(council_return::Column::Period.eq(period.code()))
            .count(txn.conn())
            .await?;
        txn.commit().await?;
        if existing > 0 {
            continue;
        }
        let detail = returns::compute(store, scope, &seeder, period, None, today).await?;
        computed += 1;
        if reference.la_code != DEMO_DRAFT_COUNCIL && detail.header.status == ReturnStatus::Draft {
            returns::approve(store, scope, &seeder, detail.header.id).await?;
        }
    }
    Ok(computed)
}

/// One case on each of the council's first six demo children, in six situations; `index`
/// varies the dates a little from council to council so their figures differ.
async fn seed_cases(
    store: &Store,
    scope: TenantScope,
    seeder: &AuditActor,
    index: usize,
    today: NaiveDate,
) -> AppResult<()> {
    let txn = store.council(scope).await?;
    let existing = txn.select::<case::Entity>().count(txn.conn()).await?;
    let children: Vec<child::Model> = txn
        .select::<child::Entity>()
        .order_by_asc(child::Column::CouncilReference)
        .all(txn.conn())
        .await?;
    txn.commit().await?;
    if existing > 0 || children.len() < 6 {
        return Ok(());
    }
    let shift = Days::new(index as u64 % 7);
    let open = |n: usize, reason, absence: NaiveDate, reference: &str| NewCase {
        child_id: children[n].id,
        reason,
        absence_start: absence,
        council_notified_on: absence + Days::new(2),
        council_reference: Some(format!("DEMO-CASE-{reference}")),
    };
    let provision = |kind, full_time: bool, start: NaiveDate| NewProvision {
        kind,
        provider: "Demo Tuition Service".to_owned(),
        hours_per_week: if full_time {
            25.0
        } else {
            10.0 + index as f64 % 6.0
        },
        full_time,
        reduced_reason: (!full_time)
            .then(|| "Fatigue after treatment: a phased return agreed with the consultant".into()),
        start_date: start,
        end_date: None,
    };

    // 1. Health: provision on time, full-time, then back to school.
    let on_time = cases::open(
        store,
        scope,
        seeder,
        open(0, CaseReason::Health, date(2025, 10, 6)? + shift, "1"),
    )
    .await?;
    cases::decide(
        store,
        scope,
        seeder,
        on_time.id,
        true,
        None,
        date(2025, 10, 10)? + shift,
    )
    .await?;
    cases::start_provision(
        store,
        scope,
        seeder,
        on_time.id,
        provision(ProvisionKind::Tuition, true, date(2025, 10, 20)? + shift),
    )
    .await?;
    cases::close(
        store,
        scope,
        seeder,
        on_time.id,
        ClosureReason::ReturnedToSchool,
        date(2026, 3, 27)?,
    )
    .await?;

    // 2. Health, medically vulnerable: reduced provision, started late; evidence expiring soon.
    let reduced = cases::open(
        store,
        scope,
        seeder,
        open(1, CaseReason::Health, date(2025, 11, 10)? + shift, "2"),
    )
    .await?;
    cases::decide(
        store,
        scope,
        seeder,
        reduced.id,
        true,
        None,
        date(2025, 11, 14)? + shift,
    )
    .await?;
    cases::add_evidence(
        store,
        scope,
        seeder,
        reduced.id,
        NewEvidence {
            source: EvidenceSource::Consultant,
            category: "physical health".to_owned(),
            evidence_date: date(2025, 11, 12)?,
            valid_until: Some(today + Days::new(14)),
        },
    )
    .await?;
    cases::start_provision(
        store,
        scope,
        seeder,
        reduced.id,
        provision(
            ProvisionKind::HospitalSchool,
            false,
            date(2025, 12, 15)? + shift,
        ),
    )
    .await?;

    // 3. Permanent exclusion: a PRU place from the sixth school day.
    let excluded = cases::open(
        store,
        scope,
        seeder,
        open(2, CaseReason::PermanentExclusion, date(2026, 1, 12)?, "3"),
    )
    .await?;
    cases::decide(
        store,
        scope,
        seeder,
        excluded.id,
        true,
        None,
        date(2026, 1, 15)?,
    )
    .await?;
    cases::start_provision(
        store,
        scope,
        seeder,
        excluded.id,
        provision(ProvisionKind::Pru, true, date(2026, 1, 19)?),
    )
    .await?;

    // 4. Emotionally based school avoidance: no provision yet, long overdue (half the councils
    //    have since started online provision, late).
    let avoidance = cases::open(
        store,
        scope,
        seeder,
        open(
            3,
            CaseReason::EmotionallyBasedSchoolAvoidance,
            date(2026, 2, 2)? + shift,
            "4",
        ),
    )
    .await?;
    if index % 2 == 1 {
        cases::start_provision(
            store,
            scope,
            seeder,
            avoidance.id,
            provision(ProvisionKind::Online, false, date(2026, 4, 20)?),
        )
        .await?;
    }

    // 5. Awaiting a school place: closed with a new place before provision was due.
    let awaiting = cases::open(
        store,
        scope,
        seeder,
        open(4, CaseReason::AwaitingSchoolPlace, date(2026, 5, 5)?, "5"),
    )
    .await?;
    cases::close(
        store,
        scope,
        seeder,
        awaiting.id,
        ClosureReason::NewSchoolPlace,
        date(2026, 5, 15)?,
    )
    .await?;

    // 6. Health, this term: referred last week, provision not yet due (on the worklist).
    let recent = cases::open(
        store,
        scope,
        seeder,
        NewCase {
            council_notified_on: today - Days::new(5),
            ..open(5, CaseReason::Health, today - Days::new(8), "6")
        },
    )
    .await?;
    cases::add_evidence(
        store,
        scope,
        seeder,
        recent.id,
        NewEvidence {
            source: EvidenceSource::Gp,
            category: "mental health".to_owned(),
            evidence_date: today - Days::new(6),
            valid_until: Some(today + Days::new(60)),
        },
    )
    .await?;
    Ok(())
}
