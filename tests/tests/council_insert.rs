//! `CouncilTxn::insert_many`, the path every batch write takes, on both stores. On PostgreSQL it
//! sends one array per column (`INSERT ... SELECT ... FROM UNNEST(...)`), on SQLite multi-row
//! `VALUES`; either way each entity the batch, audit and return paths insert comes back exactly
//! as written: NULL and a value in every optional column, enums stored as strings, dates,
//! timestamps with time zone, integers at their limits, floats, text with quotes, commas, braces
//! and backslashes (what an array's text form would have to escape). Every row is stamped with
//! the transaction's council, whatever it said, and statement boundaries (PostgreSQL's 10,000
//! rows a statement, SQLite's bound-parameter limit) lose and repeat nothing.

use api::auth::{Affiliation, Principal, Role};
use api::tenancy::{CouncilTxn, TenantScope};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use entity::case::{CaseReason, CaseStatus, ClosureReason, DutyDecision};
use entity::case_event::CaseEventKind;
use entity::child::{PrimaryNeed, SenStatus, Sex, SocialCareStatus};
use entity::council_return::{ReturnSource, ReturnStatus};
use entity::{
    audit_event, case, case_event, child, council, council_return, metric_definition, return_cell,
};
use hub_tests::{Backend, TestApp, on_both_stores};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Text an array's text form would have to quote or escape, and letters beyond ASCII.
const AWKWARD: &str = "St Mary's, \"Faversham\" {A,B} \\ NULL Ærø";

async fn council_id(db: &DatabaseConnection, la_code: &str) -> Uuid {
    council::Entity::find()
        .filter(council::Column::LaCode.eq(la_code))
        .one(db)
        .await
        .expect("read councils")
        .expect("the council is seeded")
        .id
}

/// A council transaction for `council`, opened as a verified Kent caseworker's would be.
async fn begin(db: &DatabaseConnection, council: Uuid) -> CouncilTxn {
    let scope: TenantScope = Principal {
        subject: "insert-many-test".to_owned(),
        issuer: "test".to_owned(),
        affiliation: Affiliation::Council {
            council_id: council,
            la_code: "886".to_owned(),
        },
        roles: [Role::Caseworker].into_iter().collect(),
    }
    .council_scope(&[Role::Caseworker])
    .expect("a council scope");
    scope
        .begin(db, migration::APP_ROLE, None)
        .await
        .map_err(|error| error.client_message())
        .expect("begin")
}

/// A time with microseconds, what both stores keep.
fn at(micros: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(micros).single().expect("a time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// Inserts `models` through `insert_many`, each claiming `claimed` as its council, and reads
/// back the council's rows of `E` ordered by `order`.
async fn round_trip<E, A>(
    txn: &CouncilTxn,
    models: &[E::Model],
    claimed: Uuid,
    order: E::Column,
) -> Vec<E::Model>
where
    E: api::tenancy::CouncilOwned,
    E::Model: IntoActiveModel<A> + Clone,
    A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    let rows: Vec<A> = models
        .iter()
        .cloned()
        .map(|model| {
            let mut row = model.into_active_model().reset_all();
            row.set(E::tenant_column(), claimed.into());
            row
        })
        .collect();
    txn.insert_many(rows)
        .await
        .map_err(|error| error.client_message())
        .expect("insert_many");
    txn.select::<E>()
        .order_by_asc(order)
        .all(txn.conn())
        .await
        .expect("read back")
}

fn child_with_nothing_optional(kent: Uuid, id: Uuid) -> child::Model {
    child::Model {
        tenant_id: kent,
        id,
        council_reference: None,
        upn: None,
        given_name: "Ali".to_owned(),
        family_name: "Ashdown".to_owned(),
        date_of_birth: date(2013, 5, 1),
        sex: Sex::Unknown,
        year_group: None,
        sen_status: SenStatus::None,
        primary_need: None,
        social_care_status: SocialCareStatus::None,
        school_urn: None,
        school_name: None,
        created_at: at(1_796_000_000_000_001),
        updated_at: at(1_796_000_000_000_001),
    }
}

/// The `INSERT`s sent on `db` from now on, by table.
fn record_inserts(db: &mut DatabaseConnection) -> Arc<Mutex<Vec<String>>> {
    let inserts = Arc::new(Mutex::new(Vec::new()));
    let recorded = inserts.clone();
    db.set_metric_callback(move |info| {
        if info.statement.sql.starts_with("INSERT") {
            recorded
                .lock()
                .expect("recorder")
                .push(info.statement.sql.clone());
        }
    });
    inserts
}

async fn every_column_comes_back_exactly_as_written(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut db = app.database.connect().await;
    let inserts = record_inserts(&mut db);
    let kent = council_id(&db, "886").await;
    let surrey = council_id(&db, "936").await;
    let txn = begin(&db, kent).await;

    // Children: one with nothing optional, alone (each optional column NULL in every row of
    // its statement); then one with everything and enough more, some with a reference or year
    // group and some without, that SQLite needs three statements (16 columns: 2,000 rows each).
    let bare_child = child_with_nothing_optional(kent, Uuid::from_u128(1));
    assert_eq!(
        round_trip::<child::Entity, child::ActiveModel>(
            &txn,
            std::slice::from_ref(&bare_child),
            surrey,
            child::Column::Id
        )
        .await,
        vec![bare_child.clone()]
    );
    let mut children = vec![child::Model {
        council_reference: Some(AWKWARD.to_owned()),
        upn: Some("B801200005001".to_owned()),
        given_name: AWKWARD.to_owned(),
        date_of_birth: date(2009, 12, 31),
        sex: Sex::Female,
        year_group: Some(0),
        sen_status: SenStatus::EhcPlan,
        primary_need: Some(PrimaryNeed::AutisticSpectrumDisorder),
        social_care_status: SocialCareStatus::ChildLookedAfter,
        school_urn: Some("118765".to_owned()),
        school_name: Some(AWKWARD.to_owned()),
        created_at: at(0),
        updated_at: at(-1),
        ..child_with_nothing_optional(kent, Uuid::from_u128(2))
    }];
    children.extend((3..4_500u128).map(|n| child::Model {
        council_reference: (n % 5 > 0).then(|| format!("K-{n}")),
        year_group: (n % 3 == 0).then_some(n as i32 % 14),
        ..child_with_nothing_optional(kent, Uuid::from_u128(n))
    }));
    let back =
        round_trip::<child::Entity, child::ActiveModel>(&txn, &children, surrey, child::Column::Id)
            .await;
    let new_children = children.len();
    children.insert(0, bare_child);
    assert_eq!(back.len(), children.len());
    assert_eq!(back, children);

    // Cases: nothing optional, alone (each optional column NULL in every row); then everything
    // (a value in every row).
    let bare_case = case::Model {
        tenant_id: kent,
        id: Uuid::from_u128(101),
        child_id: Uuid::from_u128(1),
        council_reference: None,
        reason: CaseReason::Health,
        absence_start: date(2025, 9, 1),
        council_notified_on: date(2025, 9, 2),
        duty_decision: DutyDecision::NotYetDecided,
        duty_decision_reason: None,
        duty_decided_on: None,
        status: CaseStatus::Open,
        closure_reason: None,
        closed_on: None,
        provision_due_by: None,
        provision_started_on: None,
        wait_days: None,
        wait_as_of: None,
        wait_runs_until: None,
        created_at: at(1_796_000_000_123_456),
        updated_at: at(1_796_000_000_654_321),
    };
    assert_eq!(
        round_trip::<case::Entity, case::ActiveModel>(
            &txn,
            std::slice::from_ref(&bare_case),
            surrey,
            case::Column::Id
        )
        .await,
        vec![bare_case.clone()]
    );
    let full_case = case::Model {
        id: Uuid::from_u128(102),
        child_id: Uuid::from_u128(2),
        council_reference: Some(AWKWARD.to_owned()),
        reason: CaseReason::EmotionallyBasedSchoolAvoidance,
        duty_decision: DutyDecision::NotAccepted,
        duty_decision_reason: Some(AWKWARD.to_owned()),
        duty_decided_on: Some(date(2025, 9, 10)),
        status: CaseStatus::Closed,
        closure_reason: Some(ClosureReason::DutyNotAccepted),
        closed_on: Some(date(2025, 9, 11)),
        provision_due_by: Some(date(2025, 10, 1)),
        provision_started_on: Some(date(2025, 10, 2)),
        // Not at i32's limits: the table's stored keys add and subtract these.
        wait_days: Some(-3),
        wait_as_of: Some(1_000_000),
        wait_runs_until: Some(2_000_000),
        ..bare_case.clone()
    };
    assert_eq!(
        round_trip::<case::Entity, case::ActiveModel>(
            &txn,
            std::slice::from_ref(&full_case),
            surrey,
            case::Column::Id
        )
        .await,
        vec![bare_case, full_case]
    );

    // Case events: a provision and none, and enough more to cross PostgreSQL's 10,000 rows a
    // statement and SQLite's 4,000 (8 columns).
    let kinds = [
        CaseEventKind::ReferralReceived,
        CaseEventKind::DecisionMade,
        CaseEventKind::ProvisionStarted,
        CaseEventKind::Closed,
    ];
    let events: Vec<case_event::Model> = (0..10_002u128)
        .map(|n| case_event::Model {
            tenant_id: kent,
            id: Uuid::from_u128(1_000 + n),
            case_id: Uuid::from_u128(101 + n % 2),
            kind: kinds[n as usize % kinds.len()],
            occurred_on: date(2025, 9, 1) + chrono::Days::new(n as u64 % 300),
            recorded_at: at(1_796_000_000_000_000 + n as i64),
            recorded_by: if n == 1 {
                AWKWARD.to_owned()
            } else {
                format!("subject-{n}")
            },
            provision_id: (n % 2 == 1).then(|| Uuid::from_u128(u128::MAX - n)),
        })
        .collect();
    let back = round_trip::<case_event::Entity, case_event::ActiveModel>(
        &txn,
        &events,
        surrey,
        case_event::Column::Id,
    )
    .await;
    assert_eq!(back.len(), events.len());
    assert_eq!(back, events);

    // Audit events: 64-bit sequences at their limits.
    let audit: Vec<audit_event::Model> = [1, i64::MAX]
        .into_iter()
        .enumerate()
        .map(|(n, sequence)| audit_event::Model {
            tenant_id: kent,
            id: Uuid::from_u128(50_000 + n as u128),
            sequence,
            occurred_at: at(1_796_000_000_000_007),
            subject: AWKWARD.to_owned(),
            issuer: "https://login.kent.example/".to_owned(),
            operation: "case.upsert".to_owned(),
            record_type: "case".to_owned(),
            record_ids: format!("{},{}", Uuid::from_u128(101), Uuid::from_u128(102)),
            previous_hash: "0".repeat(64),
            hash: "f".repeat(64),
        })
        .collect();
    assert_eq!(
        round_trip::<audit_event::Entity, audit_event::ActiveModel>(
            &txn,
            &audit,
            surrey,
            audit_event::Column::Sequence
        )
        .await,
        audit
    );

    // Return cells: floats and nullable 64-bit counts, under a return of Kent's.
    let definition = metric_definition::Entity::find()
        .one(&db)
        .await
        .expect("read the catalogue")
        .expect("the catalogue is seeded")
        .id;
    let returned = council_return::Model {
        tenant_id: kent,
        id: Uuid::from_u128(60_000),
        period: "2025-26".to_owned(),
        period_start: date(2025, 9, 1),
        period_end: date(2026, 8, 31),
        version: 1,
        source: ReturnSource::Computed,
        status: ReturnStatus::Draft,
        content_hash: "a".repeat(64),
        created_at: at(1_796_000_000_000_009),
        approved_at: None,
    };
    assert_eq!(
        round_trip::<council_return::Entity, council_return::ActiveModel>(
            &txn,
            std::slice::from_ref(&returned),
            surrey,
            council_return::Column::Id
        )
        .await,
        vec![returned.clone()]
    );
    let cells: Vec<return_cell::Model> = [
        (0.1 + 0.2, None, None),
        (f64::MIN_POSITIVE, Some(i64::MIN), Some(i64::MAX)),
        (-1e300, Some(0), None),
    ]
    .into_iter()
    .enumerate()
    .map(|(n, (value, numerator, base))| return_cell::Model {
        tenant_id: kent,
        return_id: returned.id,
        definition_id: definition,
        breakdown: "all".to_owned(),
        category: format!("{n}{AWKWARD}"),
        value,
        numerator,
        base,
    })
    .collect();
    assert_eq!(
        round_trip::<return_cell::Entity, return_cell::ActiveModel>(
            &txn,
            &cells,
            surrey,
            return_cell::Column::Category
        )
        .await,
        cells
    );
    txn.commit()
        .await
        .map_err(|error| error.client_message())
        .expect("commit");

    // PostgreSQL took the array path for every table, in one statement per 10,000 rows;
    // SQLite took `VALUES`, in statements under its parameter limit.
    let inserts = inserts.lock().expect("recorder").clone();
    let into = |table: &str| {
        let prefix = format!("INSERT INTO \"{table}\" ");
        inserts
            .iter()
            .filter(|sql| sql.starts_with(&prefix))
            .map(|sql| sql.contains(" FROM UNNEST("))
            .collect::<Vec<bool>>()
    };
    let postgres = backend == Backend::Postgres;
    let per_statement = |rows: usize| {
        if postgres {
            rows.div_ceil(10_000)
        } else {
            rows.div_ceil(32_000 / 16)
        }
    };
    let mut child_statements = vec![postgres];
    child_statements.extend(vec![postgres; per_statement(new_children)]);
    assert_eq!(into("child"), child_statements);
    assert_eq!(
        into("case_event"),
        vec![postgres; if postgres { 2 } else { 3 }]
    );
    assert_eq!(into("case"), vec![postgres; 2]);
    for table in ["audit_event", "council_return", "return_cell"] {
        assert_eq!(into(table), vec![postgres], "{table}");
    }

    // Surrey, the council every row claimed, got none of them.
    let txn = begin(&db, surrey).await;
    let surreys = txn
        .select::<case_event::Entity>()
        .all(txn.conn())
        .await
        .expect("read Surrey's events");
    assert!(surreys.is_empty());
}
on_both_stores!(every_column_comes_back_exactly_as_written);

/// A constraint the array insert breaks is reported as the `VALUES` insert's was: CONFLICT for
/// a repeated key, and nothing of the statement is written.
async fn a_repeated_key_is_a_conflict_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.database.connect().await;
    let kent = council_id(&db, "886").await;
    let txn = begin(&db, kent).await;
    let rows: Vec<child::ActiveModel> = [1u128, 2, 1]
        .into_iter()
        .map(|n| {
            let mut row =
                child::ActiveModel::from(child_with_nothing_optional(kent, Uuid::from_u128(n)))
                    .reset_all();
            row.council_reference = Set(Some(format!("K-{n}")));
            row
        })
        .collect();
    let error = txn.insert_many(rows).await.expect_err("a repeated id");
    assert_eq!(error.code(), "CONFLICT", "{}", error.client_message());
    drop(txn);
    let txn = begin(&db, kent).await;
    assert!(
        txn.select::<child::Entity>()
            .all(txn.conn())
            .await
            .expect("read children")
            .is_empty()
    );
}
on_both_stores!(a_repeated_key_is_a_conflict_and_writes_nothing);
