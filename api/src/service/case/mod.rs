//! Cases: their lifecycle (opening, the duty decision, reviews, closing), the timeline, provision,
//! medical evidence, the reads a caseworker's pages need, and the deadlines derived from them on
//! the council's school calendar.
//!
//! The timeline is append-only: every change to a case writes a `case_event` (through
//! [`append`]), and nothing here updates or deletes one.
//!
//! One file per job; `deadline` is the lowest (the other files, and the calendar and settings
//! services, call down into it). The paths callers used before the split are re-exported here.

pub mod deadline;
mod evidence;
mod lifecycle;
mod provision;
mod read;

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

pub use crate::domain::case::{parse_hours, parse_past_date};
pub use deadline::{Deadlines, fill_missing_deadlines, load_calendar, load_settings};
pub use evidence::{NewEvidence, add_evidence};
pub use lifecycle::{NewCase, close, decide, open, record_review};
pub use provision::{
    NewProvision, ProvisionChange, change_provision, end_provision, start_provision,
};
pub use read::{
    CaseDetail, CaseFilter, CaseListing, CaseOrder, CaseParts, Timeline, WORKLIST_LIMIT, due_soon,
    get, list,
};

/// The council's case, else NOT_FOUND.
async fn find(txn: &CouncilTxn, case_id: Uuid) -> AppResult<case::Model> {
    txn.select::<case::Entity>()
        .filter(case::Column::Id.eq(case_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("case"))
}

/// The case, if it is the council's and still open; changing a closed case is a CONFLICT.
async fn open_case(txn: &CouncilTxn, case_id: Uuid) -> AppResult<case::Model> {
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
async fn append(
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
