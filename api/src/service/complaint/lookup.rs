//! What every complaint job needs: finding the council's complaint, remedy, action or case
//! (NOT_FOUND otherwise, another council's included), and appending to a remedy's history.

use chrono::{NaiveDate, Utc};
use entity::remedy::RemedyStatus;
use entity::{case, complaint, improvement_action, remedy, remedy_event};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, QueryFilter,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::audit::AuditActor;
use crate::tenancy::CouncilTxn;

/// The council's complaint, else NOT_FOUND.
pub(super) async fn find_complaint(
    txn: &CouncilTxn,
    complaint_id: Uuid,
) -> AppResult<complaint::Model> {
    txn.select::<complaint::Entity>()
        .filter(complaint::Column::Id.eq(complaint_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("complaint"))
}

/// The council's remedy, else NOT_FOUND.
pub(super) async fn find_remedy(txn: &CouncilTxn, remedy_id: Uuid) -> AppResult<remedy::Model> {
    txn.select::<remedy::Entity>()
        .filter(remedy::Column::Id.eq(remedy_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("remedy"))
}

/// The council's improvement action, else NOT_FOUND.
pub(super) async fn find_action(
    txn: &CouncilTxn,
    action_id: Uuid,
) -> AppResult<improvement_action::Model> {
    txn.select::<improvement_action::Entity>()
        .filter(improvement_action::Column::Id.eq(action_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("improvement action"))
}

/// Checks the case is the council's: another council's case is NOT_FOUND.
pub(super) async fn ensure_case(txn: &CouncilTxn, case_id: Uuid) -> AppResult<()> {
    txn.select::<case::Entity>()
        .filter(case::Column::Id.eq(case_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("case"))?;
    Ok(())
}

/// Whether another of the council's complaints (not `except`) already carries this reference in
/// `column`.
pub(super) async fn reference_taken(
    txn: &CouncilTxn,
    column: complaint::Column,
    reference: &str,
    except: Option<Uuid>,
) -> AppResult<bool> {
    let mut query = txn
        .select::<complaint::Entity>()
        .filter(column.eq(reference));
    if let Some(except) = except {
        query = query.filter(complaint::Column::Id.ne(except));
    }
    Ok(query.one(txn.conn()).await?.is_some())
}

/// Appends a step to a remedy's append-only history.
pub(super) async fn append_step(
    txn: &CouncilTxn,
    actor: &AuditActor,
    remedy_id: Uuid,
    step: RemedyStatus,
    occurred_on: NaiveDate,
) -> AppResult<()> {
    txn.insert(remedy_event::ActiveModel {
        // Stamped with the council's id by the scoped insert.
        tenant_id: NotSet,
        id: Set(Uuid::now_v7()),
        remedy_id: Set(remedy_id),
        step: Set(step),
        occurred_on: Set(occurred_on),
        recorded_at: Set(Utc::now()),
        recorded_by: Set(actor.subject.clone()),
    })
    .await?;
    Ok(())
}
