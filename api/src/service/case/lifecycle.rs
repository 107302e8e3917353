//! A case's life: opening it for a child, the duty decision, reviews, and closing it. Each step
//! goes on the case's timeline; opening and closing move the child's due dates, so both refresh
//! them (docs/domain.md, "Deadlines").

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseReason, CaseStatus, ClosureReason, DutyDecision};
use entity::case_event::CaseEventKind;
use entity::{child, provision};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, QueryFilter,
};
use uuid::Uuid;

use super::deadline::refresh_deadlines;
use super::record::{append, open_case};
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::{self, AuditActor};
use crate::tenancy::TenantScope;

/// A new case, fields validated.
#[derive(Clone, Debug)]
pub struct NewCase {
    pub child_id: Uuid,
    pub reason: CaseReason,
    pub absence_start: NaiveDate,
    pub council_notified_on: NaiveDate,
    pub council_reference: Option<String>,
}

/// Opens a case for one of the council's children, with a referral on its timeline.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn open(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    new: NewCase,
) -> AppResult<case::Model> {
    let txn = store.council(scope).await?;
    txn.select::<child::Entity>()
        .filter(child::Column::Id.eq(new.child_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("child"))?;
    if new.council_notified_on < new.absence_start - chrono::Days::new(366) {
        return Err(AppError::bad_input(
            "councilNotifiedOn",
            "is more than a year before the absence started",
        ));
    }
    if let Some(reference) = &new.council_reference
        && !txn
            .select::<case::Entity>()
            .filter(case::Column::CouncilReference.eq(reference.as_str()))
            .all(txn.conn())
            .await?
            .is_empty()
    {
        return Err(AppError::conflict(
            "councilReference",
            "another case in this council has this reference",
        ));
    }
    let now = Utc::now();
    let opened = txn
        .insert(case::ActiveModel {
            // Stamped with the council's id by the scoped insert.
            tenant_id: NotSet,
            id: Set(Uuid::now_v7()),
            child_id: Set(new.child_id),
            council_reference: Set(new.council_reference),
            reason: Set(new.reason),
            absence_start: Set(new.absence_start),
            council_notified_on: Set(new.council_notified_on),
            duty_decision: Set(DutyDecision::NotYetDecided),
            duty_decision_reason: Set(None),
            duty_decided_on: Set(None),
            status: Set(CaseStatus::Open),
            closure_reason: Set(None),
            closed_on: Set(None),
            provision_due_by: Set(None),
            provision_started_on: Set(None),
            wait_days: Set(None),
            wait_as_of: Set(None),
            wait_runs_until: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .await?;
    append(
        &txn,
        actor,
        opened.id,
        CaseEventKind::ReferralReceived,
        new.council_notified_on,
        None,
    )
    .await?;
    refresh_deadlines(&txn, &[opened.child_id]).await?;
    audit::record(&txn, actor, "case.create", "case", &[opened.id]).await?;
    txn.commit().await?;
    tracing::info!(case = %opened.id, "case opened");
    Ok(opened)
}

/// Records the duty decision, once.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn decide(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
    accepted: bool,
    reason: Option<String>,
    decided_on: NaiveDate,
) -> AppResult<case::Model> {
    let txn = store.council(scope).await?;
    let current = open_case(&txn, case_id).await?;
    if current.duty_decision != DutyDecision::NotYetDecided {
        return Err(AppError::Conflict {
            field: None,
            message: "the duty decision has already been recorded for this case".into(),
        });
    }
    if !accepted && reason.is_none() {
        return Err(AppError::bad_input(
            "reason",
            "say why the duty is not accepted",
        ));
    }
    if decided_on < current.council_notified_on {
        return Err(AppError::bad_input(
            "decidedOn",
            "is before the council was told",
        ));
    }
    let mut row: case::ActiveModel = current.into();
    row.duty_decision = Set(if accepted {
        DutyDecision::Accepted
    } else {
        DutyDecision::NotAccepted
    });
    row.duty_decision_reason = Set(if accepted { None } else { reason });
    row.duty_decided_on = Set(Some(decided_on));
    row.updated_at = Set(Utc::now());
    let decided = txn.update(row, "case").await?;
    audit::record(&txn, actor, "case.decide", "case", &[case_id]).await?;
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::DecisionMade,
        decided_on,
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(decided)
}

/// Records a review held on an open case.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn record_review(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
    held_on: NaiveDate,
) -> AppResult<()> {
    let txn = store.council(scope).await?;
    let case = open_case(&txn, case_id).await?;
    if held_on < case.absence_start {
        return Err(AppError::bad_input(
            "heldOn",
            "is before the absence started",
        ));
    }
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::ReviewHeld,
        held_on,
        None,
    )
    .await?;
    audit::record(&txn, actor, "case.review", "case", &[case_id]).await?;
    txn.commit().await
}

/// Closes a case, ending any provision still running on the closing day.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn close(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
    reason: ClosureReason,
    closed_on: NaiveDate,
) -> AppResult<case::Model> {
    let txn = store.council(scope).await?;
    let current = open_case(&txn, case_id).await?;
    if closed_on < current.absence_start {
        return Err(AppError::bad_input(
            "closedOn",
            "is before the absence started",
        ));
    }
    let running = txn
        .select::<provision::Entity>()
        .filter(provision::Column::CaseId.eq(case_id))
        .filter(provision::Column::EndDate.is_null())
        .all(txn.conn())
        .await?;
    for provision in running {
        let id = provision.id;
        let mut row: provision::ActiveModel = provision.into();
        row.end_date = Set(Some(closed_on));
        txn.update(row, "provision").await?;
        append(
            &txn,
            actor,
            case_id,
            CaseEventKind::ProvisionEnded,
            closed_on,
            Some(id),
        )
        .await?;
    }
    if reason == ClosureReason::ReturnedToSchool {
        append(
            &txn,
            actor,
            case_id,
            CaseEventKind::ReturnedToSchool,
            closed_on,
            None,
        )
        .await?;
    }
    let mut row: case::ActiveModel = current.into();
    row.status = Set(CaseStatus::Closed);
    row.closure_reason = Set(Some(reason));
    row.closed_on = Set(Some(closed_on));
    row.updated_at = Set(Utc::now());
    let closed = txn.update(row, "case").await?;
    append(&txn, actor, case_id, CaseEventKind::Closed, closed_on, None).await?;
    refresh_deadlines(&txn, &[closed.child_id]).await?;
    audit::record(&txn, actor, "case.close", "case", &[case_id]).await?;
    txn.commit().await?;
    Ok(closed)
}
