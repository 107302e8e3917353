//! Nightly batch upserts from a council's case-management system, keyed by the council's own
//! references. All-or-nothing: every rejected row is reported (index, field, reason) and nothing
//! is written unless every row is good. Idempotent: sending the same batch again changes nothing.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseReason, CaseStatus, ClosureReason, DutyDecision};
use entity::case_event::{self, CaseEventKind};
use entity::child;
use sea_orm::sea_query::extension::postgres::PgFunc;
use sea_orm::sea_query::{ExprTrait, SimpleExpr, ValueType};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, QuerySelect, Value,
};
use uuid::Uuid;

use super::Store;
use super::audit::{self, AuditActor};
use super::case::deadline::{self, StoredDeadlines};
use super::child::NewChild;
use crate::error::{AppError, AppResult, Rejection};
use crate::tenancy::{CouncilTxn, TenantScope};

/// Keys looked up per query: a whole batch of 10,000 in one (on SQLite an `IN` list, under its
/// 32,766 bound parameters; on PostgreSQL one array). Inserts need no chunking here:
/// `CouncilTxn::insert_many` sizes its statements for the store.
const LOOKUP_CHUNK: usize = 10_000;

/// What a batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertSummary {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A case row of a batch, validated field by field.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    pub council_reference: String,
    /// The child's council reference.
    pub child_reference: String,
    pub reason: CaseReason,
    pub absence_start: NaiveDate,
    pub council_notified_on: NaiveDate,
    pub closed: Option<(NaiveDate, ClosureReason)>,
}

fn reject(index: usize, field: impl Into<String>, reason: impl Into<String>) -> Rejection {
    Rejection {
        index,
        field: field.into(),
        reason: reason.into(),
    }
}

/// Splits parsed rows into good ones and rejections, the field named as in the row.
pub fn collect<T>(rows: Vec<AppResult<T>>) -> (Vec<(usize, T)>, Vec<Rejection>) {
    let mut good = Vec::with_capacity(rows.len());
    let mut rejected = Vec::new();
    for (index, row) in rows.into_iter().enumerate() {
        match row {
            Ok(row) => good.push((index, row)),
            Err(AppError::BadUserInput { field, message }) => {
                rejected.push(reject(index, field, message))
            }
            Err(other) => rejected.push(reject(index, "row", other.client_message())),
        }
    }
    (good, rejected)
}

/// Rejects the second and later rows that repeat a key within the batch.
fn reject_repeats<'a>(
    keys: impl Iterator<Item = (usize, Option<&'a str>)>,
    field: &str,
    rejected: &mut Vec<Rejection>,
) {
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    for (index, key) in keys {
        let Some(key) = key else { continue };
        if let Some(first) = first_seen.get(key) {
            rejected.push(reject(
                index,
                field,
                format!("repeats row {first} of this batch"),
            ));
        } else {
            first_seen.insert(key, index);
        }
    }
}

/// `column` is one of `keys`. On PostgreSQL one array parameter, `= ANY($1)`: a statement
/// PostgreSQL parses and plans once whatever the number of keys, where `IN` with 10,000
/// parameters cost it ~10 ms before reading a row. On SQLite an `IN` list.
fn one_of<C, V>(txn: &CouncilTxn, column: C, keys: &[V]) -> SimpleExpr
where
    C: ColumnTrait,
    V: Into<Value> + ValueType + Clone,
{
    if txn.conn().get_database_backend() == DbBackend::Postgres {
        let array = Value::Array(
            V::array_type(),
            Some(Box::new(keys.iter().cloned().map(Into::into).collect())),
        );
        column.into_expr().eq(PgFunc::any(SimpleExpr::Value(array)))
    } else {
        column.is_in(keys.iter().cloned())
    }
}

async fn children_by<V: Into<Value> + ValueType + Clone>(
    txn: &CouncilTxn,
    column: child::Column,
    values: Vec<V>,
) -> AppResult<Vec<child::Model>> {
    let mut found = Vec::new();
    for chunk in values.chunks(LOOKUP_CHUNK) {
        found.extend(
            txn.select::<child::Entity>()
                .filter(one_of(txn, column, chunk))
                .all(txn.conn())
                .await?,
        );
    }
    Ok(found)
}

/// Creates or updates children by council reference. `rows` are the parsed rows, in order.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), rows = rows.len()))]
pub async fn upsert_children(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    rows: Vec<AppResult<NewChild>>,
) -> AppResult<UpsertSummary> {
    let (rows, mut rejected) = collect(rows);
    for (index, row) in &rows {
        if row.council_reference.is_none() {
            rejected.push(reject(
                *index,
                "councilReference",
                "a batch row needs the council's reference",
            ));
        }
    }
    reject_repeats(
        rows.iter()
            .map(|(i, r)| (*i, r.council_reference.as_deref())),
        "councilReference",
        &mut rejected,
    );
    reject_repeats(
        rows.iter()
            .map(|(i, r)| (*i, r.upn.as_ref().map(|u| u.as_str()))),
        "upn",
        &mut rejected,
    );

    let txn = store.council(scope).await?;
    let references: Vec<String> = rows
        .iter()
        .filter_map(|(_, r)| r.council_reference.clone())
        .collect();
    let existing: HashMap<String, child::Model> =
        children_by(&txn, child::Column::CouncilReference, references)
            .await?
            .into_iter()
            .filter_map(|c| c.council_reference.clone().map(|r| (r, c)))
            .collect();
    let upns: Vec<String> = rows
        .iter()
        .filter_map(|(_, r)| r.upn.as_ref().map(|u| u.as_str().to_owned()))
        .collect();
    let upn_owners: HashMap<String, Option<String>> = children_by(&txn, child::Column::Upn, upns)
        .await?
        .into_iter()
        .filter_map(|c| c.upn.clone().map(|u| (u, c.council_reference.clone())))
        .collect();
    for (index, row) in &rows {
        if let Some(upn) = &row.upn
            && let Some(owner) = upn_owners.get(upn.as_str())
            && owner.as_deref() != row.council_reference.as_deref()
        {
            rejected.push(reject(
                *index,
                "upn",
                "another child in this council has this UPN",
            ));
        }
    }
    if !rejected.is_empty() {
        rejected.sort_by_key(|r| r.index);
        // Dropping the transaction rolls it back: nothing of the batch is written.
        return Err(AppError::BatchRejected(rejected));
    }

    let now = Utc::now();
    let mut summary = UpsertSummary::default();
    let mut written = Vec::new();
    let mut inserts = Vec::new();
    for (_, row) in rows {
        let reference = row.council_reference.clone().unwrap_or_default();
        let fresh = child::Model {
            tenant_id: scope.council_id(),
            id: Uuid::now_v7(),
            council_reference: row.council_reference,
            upn: row.upn.map(|u| u.as_str().to_owned()),
            given_name: row.given_name,
            family_name: row.family_name,
            date_of_birth: row.date_of_birth,
            sex: row.sex,
            year_group: row.year_group,
            sen_status: row.sen_status,
            primary_need: row.primary_need,
            social_care_status: row.social_care_status,
            school_urn: row.school_urn,
            school_name: row.school_name,
            created_at: now,
            updated_at: now,
        };
        match existing.get(&reference) {
            // `reset_all` marks every column as set, so all of them are written; the scoped
            // insert stamps the council's id.
            None => {
                written.push(fresh.id);
                let mut insert = child::ActiveModel::from(fresh).reset_all();
                insert.tenant_id = NotSet;
                inserts.push(insert);
            }
            Some(current) => {
                let candidate = child::Model {
                    id: current.id,
                    created_at: current.created_at,
                    updated_at: current.updated_at,
                    ..fresh
                };
                if candidate == *current {
                    summary.unchanged += 1;
                } else {
                    let mut changed = child::ActiveModel::from(candidate).reset_all();
                    changed.updated_at = Set(now);
                    txn.update(changed, "child").await?;
                    written.push(current.id);
                    summary.updated += 1;
                }
            }
        }
    }
    summary.created = inserts.len() as u64;
    txn.insert_many(inserts).await?;
    audit::record(&txn, actor, "child.upsert", "child", &written).await?;
    txn.commit().await?;
    refresh_statistics(store, vec![("child", summary.created + summary.updated)]);
    tracing::info!(
        created = summary.created,
        updated = summary.updated,
        unchanged = summary.unchanged,
        "children upserted"
    );
    Ok(summary)
}

/// Creates or updates cases by council reference, linked to children by theirs.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), rows = rows.len()))]
pub async fn upsert_cases(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    rows: Vec<AppResult<CaseRecord>>,
) -> AppResult<UpsertSummary> {
    let (rows, mut rejected) = collect(rows);
    reject_repeats(
        rows.iter()
            .map(|(i, r)| (*i, Some(r.council_reference.as_str()))),
        "councilReference",
        &mut rejected,
    );

    let txn = store.council(scope).await?;
    let child_references: Vec<String> = rows
        .iter()
        .map(|(_, r)| r.child_reference.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Only the two columns a case needs of its child: reading whole children cost as much as
    // the lookup itself.
    let mut children: HashMap<String, Uuid> = HashMap::with_capacity(child_references.len());
    for chunk in child_references.chunks(LOOKUP_CHUNK) {
        let found: Vec<(Uuid, Option<String>)> = txn
            .select::<child::Entity>()
            .select_only()
            .column(child::Column::Id)
            .column(child::Column::CouncilReference)
            .filter(one_of(&txn, child::Column::CouncilReference, chunk))
            .into_tuple()
            .all(txn.conn())
            .await?;
        children.extend(
            found
                .into_iter()
                .filter_map(|(id, reference)| reference.map(|r| (r, id))),
        );
    }
    for (index, row) in &rows {
        if !children.contains_key(&row.child_reference) {
            rejected.push(reject(
                *index,
                "childReference",
                "no child in this council has this reference",
            ));
        }
    }
    if !rejected.is_empty() {
        rejected.sort_by_key(|r| r.index);
        return Err(AppError::BatchRejected(rejected));
    }
    let mut existing: HashMap<String, case::Model> = HashMap::new();
    let references: Vec<String> = rows
        .iter()
        .map(|(_, r)| r.council_reference.clone())
        .collect();
    for chunk in references.chunks(LOOKUP_CHUNK) {
        for found in txn
            .select::<case::Entity>()
            .filter(one_of(&txn, case::Column::CouncilReference, chunk))
            .all(txn.conn())
            .await?
        {
            if let Some(reference) = found.council_reference.clone() {
                existing.insert(reference, found);
            }
        }
    }

    let now = Utc::now();
    let mut written = Vec::new();
    let mut summary = UpsertSummary::default();
    let (mut new_cases, mut new_events) = (Vec::new(), Vec::new());
    let event = |case_id: Uuid, kind: CaseEventKind, on: NaiveDate| case_event::ActiveModel {
        // Stamped with the council's id by the scoped insert.
        tenant_id: NotSet,
        id: Set(Uuid::now_v7()),
        case_id: Set(case_id),
        kind: Set(kind),
        occurred_on: Set(on),
        recorded_at: Set(now),
        recorded_by: Set(actor.subject.clone()),
        provision_id: Set(None),
    };
    for (_, row) in rows {
        let child_id = children[&row.child_reference];
        let (status, closure_reason, closed_on) = match row.closed {
            Some((on, reason)) => (CaseStatus::Closed, Some(reason), Some(on)),
            None => (CaseStatus::Open, None, None),
        };
        match existing.get(&row.council_reference) {
            None => {
                let id = Uuid::now_v7();
                new_events.push(event(
                    id,
                    CaseEventKind::ReferralReceived,
                    row.council_notified_on,
                ));
                if let Some(on) = closed_on {
                    new_events.push(event(id, CaseEventKind::Closed, on));
                }
                written.push(id);
                new_cases.push(case::Model {
                    tenant_id: scope.council_id(),
                    id,
                    child_id,
                    council_reference: Some(row.council_reference),
                    reason: row.reason,
                    absence_start: row.absence_start,
                    council_notified_on: row.council_notified_on,
                    duty_decision: DutyDecision::NotYetDecided,
                    duty_decision_reason: None,
                    duty_decided_on: None,
                    status,
                    closure_reason,
                    closed_on,
                    provision_due_by: None,
                    provision_started_on: None,
                    wait_days: None,
                    wait_as_of: None,
                    wait_runs_until: None,
                    created_at: now,
                    updated_at: now,
                });
            }
            Some(current) => {
                let same = current.child_id == child_id
                    && current.reason == row.reason
                    && current.absence_start == row.absence_start
                    && current.council_notified_on == row.council_notified_on
                    && current.status == status
                    && current.closure_reason == closure_reason
                    && current.closed_on == closed_on;
                if same {
                    summary.unchanged += 1;
                    continue;
                }
                if current.status == CaseStatus::Open
                    && status == CaseStatus::Closed
                    && let Some(on) = closed_on
                {
                    new_events.push(event(current.id, CaseEventKind::Closed, on));
                }
                let mut changed: case::ActiveModel = current.clone().into();
                changed.child_id = Set(child_id);
                changed.reason = Set(row.reason);
                changed.absence_start = Set(row.absence_start);
                changed.council_notified_on = Set(row.council_notified_on);
                changed.status = Set(status);
                changed.closure_reason = Set(closure_reason);
                changed.closed_on = Set(closed_on);
                changed.updated_at = Set(now);
                txn.update(changed, "case").await?;
                written.push(current.id);
                summary.updated += 1;
            }
        }
    }
    summary.created = new_cases.len() as u64;
    // New cases get their deadlines here, counted with the child's earlier cases, so a large
    // load writes each case once; only children who already had cases need a refresh.
    let batch_children: Vec<Uuid> = children
        .values()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut all_cases = Vec::new();
    for chunk in batch_children.chunks(LOOKUP_CHUNK) {
        all_cases.extend(
            txn.select::<case::Entity>()
                .filter(one_of(&txn, case::Column::ChildId, chunk))
                .all(txn.conn())
                .await?,
        );
    }
    let had_cases: Vec<Uuid> = all_cases
        .iter()
        .map(|c| c.child_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    all_cases.extend(new_cases.iter().cloned());
    let rules = deadline::CouncilRules::load(&txn).await?;
    let episodes = deadline::episodes_by_child(&all_cases);
    let today = crate::domain::clock::today();
    for new_case in &mut new_cases {
        // A new case has no provision yet.
        StoredDeadlines::compute(
            &rules.calendar,
            &rules.settings,
            new_case,
            &episodes,
            None,
            today,
        )
        .apply(new_case);
    }
    let new_cases: Vec<case::ActiveModel> = new_cases
        .into_iter()
        .map(|m| {
            // Every column written, but `tenant_id` stamped by the scoped insert.
            let mut insert = case::ActiveModel::from(m).reset_all();
            insert.tenant_id = NotSet;
            insert
        })
        .collect();
    txn.insert_many(new_cases).await?;
    let events = new_events.len() as u64;
    txn.insert_many(new_events).await?;
    deadline::refresh_deadlines_on(&txn, &rules, &had_cases).await?;
    audit::record(&txn, actor, "case.upsert", "case", &written).await?;
    txn.commit().await?;
    refresh_statistics(
        store,
        vec![
            ("\"case\"", summary.created + summary.updated),
            ("case_event", events),
        ],
    );
    tracing::info!(
        created = summary.created,
        updated = summary.updated,
        unchanged = summary.unchanged,
        "cases upserted"
    );
    Ok(summary)
}

/// Whether a table whose statistics last counted `counted` rows (-1: never counted) needs them
/// refreshed after a load wrote `written` rows to it: when the load is at least half of what
/// they counted, so the planner is off by half or more.
fn statistics_are_stale(counted: f64, written: u64) -> bool {
    counted < 0.0 || written as f64 >= counted / 2.0
}

/// After a large load on PostgreSQL, refreshes the planner's statistics of each table the load
/// changed by at least half of what they last counted, as the login (owner) rather than the app
/// role. Until a table's first statistics the planner believed it small and scanned it whole
/// (loads into an empty council grew slower with every batch); autovacuum would get there too,
/// but a minute or more later.
///
/// Only when the statistics are that far out: once a table is large against a batch, the
/// planner's estimates scale with the table's size on disk and its unique indexes, and
/// autovacuum refreshes the rest as PostgreSQL always does. Refreshing after every batch cost
/// the next batch of a load a third of its time on two cores (ANALYZE of 100,000 cases takes
/// ~0.2-0.4 s of CPU, beside the batch's own).
#[expect(
    clippy::disallowed_methods,
    reason = "ANALYZE and pg_class read and write no council rows: they refresh and read the planner's statistics"
)]
fn refresh_statistics(store: &Store, written: Vec<(&'static str, u64)>) {
    const LARGE: u64 = 1_000;
    /// One refresh at a time across the process: a nightly load of many batches needs the
    /// statistics refreshed, not refreshed once per batch in parallel.
    static ANALYZING: AtomicBool = AtomicBool::new(false);
    let written: Vec<(&'static str, u64)> = written
        .into_iter()
        .filter(|(_, rows)| *rows >= LARGE)
        .collect();
    if written.is_empty() || store.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    if ANALYZING.swap(true, Ordering::AcqRel) {
        return;
    }
    // After the answer, not before it: the load is committed and answered while the planner's
    // statistics catch up a moment later.
    let db = store.db.clone();
    tokio::spawn(async move {
        for (table, rows) in written {
            // `reltuples` is -1 until the table's first ANALYZE (or VACUUM).
            let counted = db
                .query_one_raw(sea_orm::Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT reltuples::float8 FROM pg_class WHERE oid = $1::regclass",
                    [table.into()],
                ))
                .await
                .and_then(|row| match row {
                    Some(row) => row.try_get_by_index::<f64>(0),
                    None => Ok(-1.0),
                });
            let stale = match counted {
                Ok(counted) => statistics_are_stale(counted, rows),
                Err(error) => {
                    tracing::warn!(error = %error, "could not read a table's statistics after a batch");
                    false
                }
            };
            if stale && let Err(error) = db.execute_unprepared(&format!("ANALYZE {table}")).await {
                tracing::warn!(error = %error, "could not refresh statistics after a batch");
            }
        }
        ANALYZING.store(false, Ordering::Release);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_are_refreshed_until_a_load_is_small_against_what_they_counted() {
        assert!(statistics_are_stale(-1.0, 1_000), "never counted");
        assert!(statistics_are_stale(0.0, 1_000));
        assert!(statistics_are_stale(20_000.0, 10_000));
        assert!(!statistics_are_stale(20_001.0, 10_000));
        assert!(!statistics_are_stale(90_000.0, 10_000));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_index_and_field() {
        let rows: Vec<AppResult<&str>> = vec![
            Ok("C-1"),
            Err(AppError::bad_input("upn", "check letter is wrong")),
            Ok("C-3"),
            Err(AppError::bad_input(
                "dateOfBirth",
                "must not be in the future",
            )),
        ];
        let (good, rejected) = collect(rows);
        assert_eq!(good, vec![(0, "C-1"), (2, "C-3")]);
        assert_eq!(
            rejected,
            vec![
                reject(1, "upn", "check letter is wrong"),
                reject(3, "dateOfBirth", "must not be in the future"),
            ]
        );
    }

    #[test]
    fn errors_that_are_not_about_one_field_are_reported_against_the_row() {
        let rows: Vec<AppResult<&str>> = vec![
            Err(AppError::NotFound("child")),
            Ok("C-2"),
            Err(AppError::conflict("upn", "another child has this UPN")),
        ];
        let (good, rejected) = collect(rows);
        assert_eq!(good, vec![(1, "C-2")]);
        assert_eq!(
            rejected,
            vec![
                reject(0, "row", "child not found"),
                reject(2, "row", "another child has this UPN"),
            ]
        );
    }

    #[test]
    fn a_batch_of_good_rows_keeps_every_row_in_order() {
        let (good, rejected) = collect::<u32>(vec![Ok(7), Ok(8)]);
        assert_eq!(good, vec![(0, 7), (1, 8)]);
        assert!(rejected.is_empty());
    }

    #[test]
    fn a_repeated_reference_is_rejected_on_every_row_after_the_first() {
        let keys = [
            (0, Some("C-1")),
            (1, Some("C-2")),
            (2, Some("C-1")),
            (3, None),
            (4, None),
            (5, Some("C-1")),
        ];
        let mut rejected = Vec::new();
        reject_repeats(keys.into_iter(), "councilReference", &mut rejected);
        assert_eq!(
            rejected,
            vec![
                reject(2, "councilReference", "repeats row 0 of this batch"),
                reject(5, "councilReference", "repeats row 0 of this batch"),
            ]
        );
    }

    #[test]
    fn repeats_are_added_to_the_rejections_already_found() {
        let mut rejected = vec![reject(0, "upn", "check letter is wrong")];
        reject_repeats(
            [(1, Some("K819")), (2, Some("K819"))].into_iter(),
            "upn",
            &mut rejected,
        );
        assert_eq!(
            rejected,
            vec![
                reject(0, "upn", "check letter is wrong"),
                reject(2, "upn", "repeats row 1 of this batch"),
            ]
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// One parsed row: good, refused on a field, or refused for another reason.
    #[derive(Clone, Debug)]
    enum Row {
        Good(u32),
        BadField(String),
        Other,
    }

    fn row() -> impl Strategy<Value = Row> {
        prop_oneof![
            3 => any::<u32>().prop_map(Row::Good),
            1 => "[a-z]{1,12}".prop_map(Row::BadField),
            1 => Just(Row::Other),
        ]
    }

    fn parsed(row: &Row) -> AppResult<u32> {
        match row {
            Row::Good(value) => Ok(*value),
            Row::BadField(field) => Err(AppError::bad_input(field, "is wrong")),
            Row::Other => Err(AppError::NotFound("child")),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn every_bad_row_is_reported_once_with_its_index_and_good_rows_keep_their_order(
            rows in proptest::collection::vec(row(), 0..60),
        ) {
            let (good, rejected) = collect(rows.iter().map(parsed).collect());
            let expected_good: Vec<(usize, u32)> = rows
                .iter()
                .enumerate()
                .filter_map(|(index, row)| match row {
                    Row::Good(value) => Some((index, *value)),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(good, expected_good);
            let expected_rejected: Vec<Rejection> = rows
                .iter()
                .enumerate()
                .filter_map(|(index, row)| match row {
                    Row::Good(_) => None,
                    Row::BadField(field) => Some(reject(index, field.as_str(), "is wrong")),
                    Row::Other => Some(reject(index, "row", "child not found")),
                })
                .collect();
            prop_assert_eq!(rejected, expected_rejected);
        }
    }
}
