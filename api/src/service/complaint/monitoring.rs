//! The committee's monitoring view, as of any day: open remedies and improvement actions by due
//! date (so the overdue come first), with money owed and paid, evidence outstanding, and totals
//! (`docs/domain.md`, "Ombudsman complaints and remedies").
//!
//! A remedy is in the view from the day it was agreed; a completion or evidence dated after the
//! day asked about has not happened on it. Pages are keyset on (due date, id), served by the
//! `(tenant_id, due_on, id)` indexes, so the thousandth page costs what the first does. Totals
//! are counted in the database.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{complaint, improvement_action, remedy};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::read::{RemedyDetail, with_history};
use crate::error::AppResult;
use crate::service::Store;
use crate::service::audit::AuditActor;
use crate::tenancy::{CouncilTxn, TenantScope};

/// The totals of the view on one day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonitoringTotals {
    /// Remedies agreed by the day and not done by it.
    pub remedies_open: i64,
    /// Of those, past their due date.
    pub remedies_overdue: i64,
    /// Remedies done by the day, on or before their due date.
    pub remedies_done_on_time: i64,
    /// Remedies done by the day, after their due date.
    pub remedies_done_late: i64,
    /// Remedies done or past due with no evidence sent to the Ombudsman by the day.
    pub evidence_outstanding: i64,
    /// The amounts of open payments.
    pub money_owed_pence: i64,
    /// The amounts of payments done by the day.
    pub money_paid_pence: i64,
    /// Improvement actions not done by the day.
    pub actions_open: i64,
    /// Of those, past their due date.
    pub actions_overdue: i64,
    /// Improvement actions done by the day.
    pub actions_done: i64,
}

/// A remedy or action in the view, with the references of its complaint (if any).
#[derive(Clone, Debug)]
pub struct ReportRow<T> {
    pub item: T,
    pub lgsco_reference: Option<String>,
    pub council_reference: Option<String>,
}

/// One page of rows, and whether more follow.
#[derive(Clone, Debug)]
pub struct ReportPage<T> {
    pub rows: Vec<ReportRow<T>>,
    pub has_next: bool,
}

/// `CAST(COALESCE(SUM(CASE WHEN condition THEN value ELSE 0 END), 0) AS BIGINT)`: a count or
/// total computed by the database, an integer on both stores (PostgreSQL's SUM of a BIGINT is
/// NUMERIC).
pub(super) fn sum_where(condition: Condition, value: Expr) -> Expr {
    let summed = Func::sum(Expr::case(condition, value).finally(0));
    Func::cast_as(
        Func::coalesce([summed.into(), Expr::val(0)]),
        Alias::new("BIGINT"),
    )
    .into()
}

/// A count of the rows matching `condition`, computed by the database.
pub(super) fn count_where(condition: Condition) -> Expr {
    sum_where(condition, Expr::val(1))
}

/// Not done on or before `as_of` (a done date after it has not happened yet).
fn remedy_open_on(as_of: NaiveDate) -> Condition {
    Condition::any()
        .add(remedy::Column::DoneOn.is_null())
        .add(remedy::Column::DoneOn.gt(as_of))
}

fn action_open_on(as_of: NaiveDate) -> Condition {
    Condition::any()
        .add(improvement_action::Column::DoneOn.is_null())
        .add(improvement_action::Column::DoneOn.gt(as_of))
}

/// The view's totals on `as_of`: two aggregate queries, no rows loaded.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn monitoring_totals(
    store: &Store,
    scope: TenantScope,
    as_of: NaiveDate,
) -> AppResult<MonitoringTotals> {
    let txn = store.council(scope).await?;
    let totals = totals_on(&txn, as_of).await?;
    txn.commit().await?;
    Ok(totals)
}

async fn totals_on(txn: &CouncilTxn, as_of: NaiveDate) -> AppResult<MonitoringTotals> {
    let amount = Expr::col((remedy::Entity, remedy::Column::AmountPence));
    let done = || Condition::all().add(remedy::Column::DoneOn.lte(as_of));
    let due_on = || Expr::col((remedy::Entity, remedy::Column::DueOn));
    let (open, overdue, on_time, late, evidence, owed, paid) = txn
        .select::<remedy::Entity>()
        .select_only()
        .column_as(count_where(remedy_open_on(as_of)), "open")
        .column_as(
            count_where(
                Condition::all()
                    .add(remedy_open_on(as_of))
                    .add(remedy::Column::DueOn.lt(as_of)),
            ),
            "overdue",
        )
        .column_as(
            count_where(done().add(Expr::col(remedy::Column::DoneOn).lte(due_on()))),
            "on_time",
        )
        .column_as(
            count_where(done().add(Expr::col(remedy::Column::DoneOn).gt(due_on()))),
            "late",
        )
        .column_as(
            count_where(
                Condition::all()
                    .add(
                        Condition::any()
                            .add(remedy::Column::EvidenceSentOn.is_null())
                            .add(remedy::Column::EvidenceSentOn.gt(as_of)),
                    )
                    .add(
                        Condition::any()
                            .add(remedy::Column::DoneOn.lte(as_of))
                            .add(remedy::Column::DueOn.lt(as_of)),
                    ),
            ),
            "evidence",
        )
        .column_as(sum_where(remedy_open_on(as_of), amount.clone()), "owed")
        .column_as(sum_where(done(), amount), "paid")
        .filter(remedy::Column::AgreedOn.lte(as_of))
        .into_tuple::<(i64, i64, i64, i64, i64, i64, i64)>()
        .one(txn.conn())
        .await?
        .unwrap_or_default();
    let (actions_open, actions_overdue, actions_done) = txn
        .select::<improvement_action::Entity>()
        .select_only()
        .column_as(count_where(action_open_on(as_of)), "open")
        .column_as(
            count_where(
                Condition::all()
                    .add(action_open_on(as_of))
                    .add(improvement_action::Column::DueOn.lt(as_of)),
            ),
            "overdue",
        )
        .column_as(
            count_where(Condition::all().add(improvement_action::Column::DoneOn.lte(as_of))),
            "done",
        )
        .into_tuple::<(i64, i64, i64)>()
        .one(txn.conn())
        .await?
        .unwrap_or_default();
    Ok(MonitoringTotals {
        remedies_open: open,
        remedies_overdue: overdue,
        remedies_done_on_time: on_time,
        remedies_done_late: late,
        evidence_outstanding: evidence,
        money_owed_pence: owed,
        money_paid_pence: paid,
        actions_open,
        actions_overdue,
        actions_done,
    })
}

/// Rows strictly after `(due_on, id)` in (due date, id) order: one row comparison, which
/// PostgreSQL uses as a range of the `(tenant_id, due_on, id)` index, so a page after a cursor
/// starts where the index says (an `OR` of the two cases is checked row by row instead).
fn after_key<C: ColumnTrait>(due: C, id: C, after: Option<(NaiveDate, Uuid)>) -> Condition {
    match after {
        None => Condition::all(),
        Some((due_on, after_id)) => Condition::all().add(
            Expr::tuple([
                Expr::col(due.as_column_ref()),
                Expr::col(id.as_column_ref()),
            ])
            .gt(Expr::tuple([Expr::value(due_on), Expr::value(after_id)])),
        ),
    }
}

/// Keeps `first` rows (all when `None`) and says whether more followed.
fn page_of<T>(mut rows: Vec<T>, first: Option<u64>) -> (Vec<T>, bool) {
    match first {
        Some(first) => {
            let has_next = rows.len() as u64 > first;
            rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
            (rows, has_next)
        }
        None => (rows, false),
    }
}

/// The references of `complaint_ids`, in one query.
async fn references(
    txn: &CouncilTxn,
    complaint_ids: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, (Option<String>, Option<String>)>> {
    if complaint_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(txn
        .select::<complaint::Entity>()
        .select_only()
        .column(complaint::Column::Id)
        .column(complaint::Column::LgscoReference)
        .column(complaint::Column::CouncilReference)
        .filter(complaint::Column::Id.is_in(complaint_ids))
        .into_tuple::<(Uuid, Option<String>, Option<String>)>()
        .all(txn.conn())
        .await?
        .into_iter()
        .map(|(id, lgsco, council)| (id, (lgsco, council)))
        .collect())
}

/// Pairs each item with its complaint's references.
async fn with_references<T>(
    txn: &CouncilTxn,
    items: Vec<T>,
    complaint_of: impl Fn(&T) -> Option<Uuid>,
) -> AppResult<Vec<ReportRow<T>>> {
    let ids: Vec<Uuid> = items.iter().filter_map(&complaint_of).collect();
    let refs = references(txn, ids).await?;
    Ok(items
        .into_iter()
        .map(|item| {
            let (lgsco_reference, council_reference) = complaint_of(&item)
                .and_then(|id| refs.get(&id).cloned())
                .unwrap_or_default();
            ReportRow {
                item,
                lgsco_reference,
                council_reference,
            }
        })
        .collect())
}

/// The view's remedies on `as_of` (only those not done by then, unless `only_open` is false),
/// soonest due first, `first` at a time (all when `None`) after the key `after`, each with its
/// history.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), first))]
pub async fn remedy_page(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    as_of: NaiveDate,
    only_open: bool,
    first: Option<u64>,
    after: Option<(NaiveDate, Uuid)>,
) -> AppResult<ReportPage<RemedyDetail>> {
    let txn = store.council(scope).await?;
    let page = remedies_on(&txn, as_of, only_open, first, after).await?;
    // Each remedy with its history: one more query for the page.
    let (items, references): (Vec<_>, Vec<_>) = page
        .rows
        .into_iter()
        .map(|row| (row.item, (row.lgsco_reference, row.council_reference)))
        .unzip();
    let rows = with_history(&txn, items)
        .await?
        .into_iter()
        .zip(references)
        .map(|(item, (lgsco_reference, council_reference))| ReportRow {
            item,
            lgsco_reference,
            council_reference,
        })
        .collect();
    let page = ReportPage {
        rows,
        has_next: page.has_next,
    };
    txn.commit().await?;
    let shown: Vec<Uuid> = page.rows.iter().map(|r| r.item.remedy.id).collect();
    store
        .reads
        .record(scope, actor, "complaint.monitoring", "remedy", &shown)
        .await?;
    Ok(page)
}

async fn remedies_on(
    txn: &CouncilTxn,
    as_of: NaiveDate,
    only_open: bool,
    first: Option<u64>,
    after: Option<(NaiveDate, Uuid)>,
) -> AppResult<ReportPage<remedy::Model>> {
    let mut query = txn
        .select::<remedy::Entity>()
        .filter(remedy::Column::AgreedOn.lte(as_of))
        .filter(after_key(remedy::Column::DueOn, remedy::Column::Id, after));
    if only_open {
        query = query.filter(remedy_open_on(as_of));
    }
    if let Some(first) = first {
        query = query.limit(first.saturating_add(1));
    }
    let rows = query
        .order_by_asc(remedy::Column::DueOn)
        .order_by_asc(remedy::Column::Id)
        .all(txn.conn())
        .await?;
    let (rows, has_next) = page_of(rows, first);
    Ok(ReportPage {
        rows: with_references(txn, rows, |r| Some(r.complaint_id)).await?,
        has_next,
    })
}

/// The view's improvement actions on `as_of`, as [`remedy_page`] lists remedies.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), first))]
pub async fn action_page(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    as_of: NaiveDate,
    only_open: bool,
    first: Option<u64>,
    after: Option<(NaiveDate, Uuid)>,
) -> AppResult<ReportPage<improvement_action::Model>> {
    let txn = store.council(scope).await?;
    let page = actions_on(&txn, as_of, only_open, first, after).await?;
    txn.commit().await?;
    let shown: Vec<Uuid> = page.rows.iter().map(|r| r.item.id).collect();
    store
        .reads
        .record(
            scope,
            actor,
            "complaint.monitoring",
            "improvement_action",
            &shown,
        )
        .await?;
    Ok(page)
}

async fn actions_on(
    txn: &CouncilTxn,
    as_of: NaiveDate,
    only_open: bool,
    first: Option<u64>,
    after: Option<(NaiveDate, Uuid)>,
) -> AppResult<ReportPage<improvement_action::Model>> {
    let mut query = txn.select::<improvement_action::Entity>().filter(after_key(
        improvement_action::Column::DueOn,
        improvement_action::Column::Id,
        after,
    ));
    if only_open {
        query = query.filter(action_open_on(as_of));
    }
    if let Some(first) = first {
        query = query.limit(first.saturating_add(1));
    }
    let rows = query
        .order_by_asc(improvement_action::Column::DueOn)
        .order_by_asc(improvement_action::Column::Id)
        .all(txn.conn())
        .await?;
    let (rows, has_next) = page_of(rows, first);
    Ok(ReportPage {
        rows: with_references(txn, rows, |a| a.complaint_id).await?,
        has_next,
    })
}

/// The whole view on one day.
#[derive(Clone, Debug)]
pub struct MonitoringReport {
    pub totals: MonitoringTotals,
    pub remedies: Vec<ReportRow<remedy::Model>>,
    pub actions: Vec<ReportRow<improvement_action::Model>>,
}

/// The whole view on `as_of` in one transaction, for the committee's CSV: totals, and every
/// remedy and action (open only, unless `only_open` is false).
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn monitoring_report(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    as_of: NaiveDate,
    only_open: bool,
) -> AppResult<MonitoringReport> {
    let txn = store.council(scope).await?;
    let totals = totals_on(&txn, as_of).await?;
    let remedies = remedies_on(&txn, as_of, only_open, None, None).await?.rows;
    let actions = actions_on(&txn, as_of, only_open, None, None).await?.rows;
    txn.commit().await?;
    let remedy_ids: Vec<Uuid> = remedies.iter().map(|r| r.item.id).collect();
    let action_ids: Vec<Uuid> = actions.iter().map(|r| r.item.id).collect();
    store
        .reads
        .record(scope, actor, "complaint.export", "remedy", &remedy_ids)
        .await?;
    store
        .reads
        .record(
            scope,
            actor,
            "complaint.export",
            "improvement_action",
            &action_ids,
        )
        .await?;
    Ok(MonitoringReport {
        totals,
        remedies,
        actions,
    })
}
