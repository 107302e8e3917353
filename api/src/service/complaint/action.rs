//! The council's improvement plan: actions with what will change, the owning role, the measure of
//! success and a due date, linked to a complaint or standing alone, and their progress
//! (`docs/domain.md`, "Ombudsman complaints and remedies").

use chrono::{NaiveDate, Utc};
use entity::improvement_action::{self, ActionStatus};
use sea_orm::ActiveValue::{NotSet, Set};
use uuid::Uuid;

use super::lookup::{find_action, find_complaint};
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::{self, AuditActor};
use crate::tenancy::TenantScope;

/// A new improvement action, fields validated.
#[derive(Clone, Debug)]
pub struct NewAction {
    pub complaint_id: Option<Uuid>,
    pub description: String,
    pub owner_role: String,
    pub success_measure: String,
    pub due_on: NaiveDate,
}

/// Adds an action to the council's improvement plan. One linked to a decided complaint cannot be
/// due before the decision.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn add_action(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    new: NewAction,
) -> AppResult<improvement_action::Model> {
    let txn = store.council(scope).await?;
    if let Some(complaint_id) = new.complaint_id {
        let complaint = find_complaint(&txn, complaint_id).await?;
        if complaint
            .decided_on
            .is_some_and(|decided| new.due_on < decided)
        {
            return Err(AppError::bad_input("dueOn", "is before the decision"));
        }
    }
    let now = Utc::now();
    let added = txn
        .insert(improvement_action::ActiveModel {
            // Stamped with the council's id by the scoped insert.
            tenant_id: NotSet,
            id: Set(Uuid::now_v7()),
            complaint_id: Set(new.complaint_id),
            description: Set(new.description),
            owner_role: Set(new.owner_role),
            success_measure: Set(new.success_measure),
            due_on: Set(new.due_on),
            status: Set(ActionStatus::Planned),
            evidence: Set(None),
            done_on: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .await?;
    audit::record(
        &txn,
        actor,
        "improvement_action.create",
        "improvement_action",
        &[added.id],
    )
    .await?;
    txn.commit().await?;
    Ok(added)
}

/// Progress on an action, validated: a done action has its done date (not in the future), and
/// no other has one.
#[derive(Clone, Debug)]
pub struct ActionChange {
    pub action_id: Uuid,
    pub status: ActionStatus,
    /// Leave out to keep the evidence recorded so far.
    pub evidence: Option<String>,
    pub done_on: Option<NaiveDate>,
}

/// Records progress on one of the council's improvement actions.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), action = %change.action_id))]
pub async fn change_action(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    change: ActionChange,
) -> AppResult<improvement_action::Model> {
    let txn = store.council(scope).await?;
    let current = find_action(&txn, change.action_id).await?;
    let mut row: improvement_action::ActiveModel = current.into();
    row.status = Set(change.status);
    row.done_on = Set(change.done_on);
    if let Some(evidence) = change.evidence {
        row.evidence = Set(Some(evidence));
    }
    row.updated_at = Set(Utc::now());
    let changed = txn.update(row, "improvement action").await?;
    audit::record(
        &txn,
        actor,
        "improvement_action.update",
        "improvement_action",
        &[changed.id],
    )
    .await?;
    txn.commit().await?;
    Ok(changed)
}
