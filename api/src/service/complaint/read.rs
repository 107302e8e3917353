//! Reading complaints: one with its remedies (and their history) and actions, a keyset page of
//! the council's complaints, and the remedies still owed on a case. Every read is recorded in the
//! audit log before it is answered; each loads its details in a fixed number of queries.

use std::collections::HashMap;

use entity::{complaint, improvement_action, remedy, remedy_event};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::AuditActor;
use crate::tenancy::{CouncilTxn, TenantScope};

/// Who is reading, which decides which complaints they see (`docs/domain.md`, "Roles").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplaintReader {
    /// Every complaint of the council.
    Manager,
    /// Only complaints linked to one of the council's cases; any other is NOT_FOUND.
    Caseworker,
}

/// A remedy and its history, oldest step first.
#[derive(Clone, Debug)]
pub struct RemedyDetail {
    pub remedy: remedy::Model,
    pub history: Vec<remedy_event::Model>,
}

/// A complaint with its remedies and improvement actions.
#[derive(Clone, Debug)]
pub struct ComplaintDetail {
    pub complaint: complaint::Model,
    /// By due date.
    pub remedies: Vec<RemedyDetail>,
    /// By due date.
    pub actions: Vec<improvement_action::Model>,
}

/// The complaints `reader` may see.
fn visible_to(txn: &CouncilTxn, reader: ComplaintReader) -> sea_orm::Select<complaint::Entity> {
    let query = txn.select::<complaint::Entity>();
    match reader {
        ComplaintReader::Manager => query,
        ComplaintReader::Caseworker => query.filter(complaint::Column::CaseId.is_not_null()),
    }
}

/// One of the council's complaints with its remedies and actions; NOT_FOUND if it is not one
/// `reader` may see.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), complaint = %complaint_id))]
pub async fn get(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    reader: ComplaintReader,
    complaint_id: Uuid,
) -> AppResult<ComplaintDetail> {
    let txn = store.council(scope).await?;
    let complaint = visible_to(&txn, reader)
        .filter(complaint::Column::Id.eq(complaint_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("complaint"))?;
    let mut details = load_details(&txn, vec![complaint]).await?;
    txn.commit().await?;
    store
        .reads
        .record(scope, actor, "complaint.read", "complaint", &[complaint_id])
        .await?;
    details.pop().ok_or(AppError::NotFound("complaint"))
}

/// A page of the council's complaints `reader` may see, oldest recorded first, after the
/// complaint `after` (keyset on the time-ordered id, so any page is one indexed range read), and
/// whether more follow.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), first))]
pub async fn list(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    reader: ComplaintReader,
    first: u64,
    after: Option<Uuid>,
) -> AppResult<(Vec<ComplaintDetail>, bool)> {
    let txn = store.council(scope).await?;
    let mut query = visible_to(&txn, reader);
    if let Some(after) = after {
        query = query.filter(complaint::Column::Id.gt(after));
    }
    let mut complaints = query
        .order_by_asc(complaint::Column::Id)
        .limit(first.saturating_add(1))
        .all(txn.conn())
        .await?;
    let has_next = complaints.len() as u64 > first;
    complaints.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    let details = load_details(&txn, complaints).await?;
    txn.commit().await?;
    let shown: Vec<Uuid> = details.iter().map(|d| d.complaint.id).collect();
    store
        .reads
        .record(scope, actor, "complaint.list", "complaint", &shown)
        .await?;
    Ok((details, has_next))
}

/// The remedies agreed for one of the council's cases and not yet done, soonest due first: what
/// the case page shows as owed.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn remedies_owed_on_case(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
) -> AppResult<Vec<RemedyDetail>> {
    let txn = store.council(scope).await?;
    let remedies = txn
        .select::<remedy::Entity>()
        .filter(remedy::Column::CaseId.eq(case_id))
        .filter(remedy::Column::DoneOn.is_null())
        .order_by_asc(remedy::Column::DueOn)
        .order_by_asc(remedy::Column::Id)
        .all(txn.conn())
        .await?;
    let owed = with_history(&txn, remedies).await?;
    txn.commit().await?;
    let shown: Vec<Uuid> = owed.iter().map(|r| r.remedy.id).collect();
    if !shown.is_empty() {
        store
            .reads
            .record(scope, actor, "remedy.read", "remedy", &shown)
            .await?;
    }
    Ok(owed)
}

/// Each remedy with its history, in one query however many remedies there are.
pub(super) async fn with_history(
    txn: &CouncilTxn,
    remedies: Vec<remedy::Model>,
) -> AppResult<Vec<RemedyDetail>> {
    if remedies.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = remedies.iter().map(|r| r.id).collect();
    let mut history = group(
        txn.select::<remedy_event::Entity>()
            .filter(remedy_event::Column::RemedyId.is_in(ids))
            .order_by_asc(remedy_event::Column::OccurredOn)
            .order_by_asc(remedy_event::Column::Id)
            .all(txn.conn())
            .await?,
        |e| e.remedy_id,
    );
    Ok(remedies
        .into_iter()
        .map(|remedy| RemedyDetail {
            history: history.remove(&remedy.id).unwrap_or_default(),
            remedy,
        })
        .collect())
}

/// Remedies (with history) and actions for `complaints`, in three queries.
async fn load_details(
    txn: &CouncilTxn,
    complaints: Vec<complaint::Model>,
) -> AppResult<Vec<ComplaintDetail>> {
    if complaints.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = complaints.iter().map(|c| c.id).collect();
    let remedies = txn
        .select::<remedy::Entity>()
        .filter(remedy::Column::ComplaintId.is_in(ids.clone()))
        .order_by_asc(remedy::Column::DueOn)
        .order_by_asc(remedy::Column::Id)
        .all(txn.conn())
        .await?;
    let mut remedies = group(with_history(txn, remedies).await?, |r| {
        r.remedy.complaint_id
    });
    let mut actions = group(
        txn.select::<improvement_action::Entity>()
            .filter(improvement_action::Column::ComplaintId.is_in(ids))
            .order_by_asc(improvement_action::Column::DueOn)
            .order_by_asc(improvement_action::Column::Id)
            .all(txn.conn())
            .await?,
        |a| a.complaint_id.unwrap_or_default(),
    );
    Ok(complaints
        .into_iter()
        .map(|complaint| ComplaintDetail {
            remedies: remedies.remove(&complaint.id).unwrap_or_default(),
            actions: actions.remove(&complaint.id).unwrap_or_default(),
            complaint,
        })
        .collect())
}

/// Rows by the id `key` gives each.
fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(key(&row)).or_default().push(row);
    }
    grouped
}
