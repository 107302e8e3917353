//! The case row and its timeline, as every case change needs them: finding one of the council's
//! cases, refusing changes to a closed one, and appending to the append-only timeline.

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseStatus};
use entity::case_event::{self, CaseEventKind};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, QueryFilter,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::audit::AuditActor;
use crate::tenancy::CouncilTxn;

/// The council's case, else NOT_FOUND.
pub(super) async fn find(txn: &CouncilTxn, case_id: Uuid) -> AppResult<case::Model> {
    txn.select::<case::Entity>()
        .filter(case::Column::Id.eq(case_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("case"))
}

/// The case, if it is the council's and still open; changing a closed case is a CONFLICT.
pub(super) async fn open_case(txn: &CouncilTxn, case_id: Uuid) -> AppResult<case::Model> {
    let case = find(txn, case_id).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::Conflict {
            field: None,
            message: "this case is closed; reopen it by opening a new case".into(),
        });
    }
    Ok(case)
}

/// Appends an event to a case's timeline.
pub(super) async fn append(
    txn: &CouncilTxn,
    actor: &AuditActor,
    case_id: Uuid,
    kind: CaseEventKind,
    occurred_on: NaiveDate,
    provision_id: Option<Uuid>,
) -> AppResult<()> {
    txn.insert(case_event::ActiveModel {
        // Stamped with the council's id by the scoped insert.
        tenant_id: NotSet,
        id: Set(Uuid::now_v7()),
        case_id: Set(case_id),
        kind: Set(kind),
        occurred_on: Set(occurred_on),
        recorded_at: Set(Utc::now()),
        recorded_by: Set(actor.subject.clone()),
        provision_id: Set(provision_id),
    })
    .await?;
    Ok(())
}
