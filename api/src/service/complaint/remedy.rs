//! Remedies: agreeing one on a decided complaint, and marking its progress — chased, completed,
//! evidence sent, accepted by the Ombudsman, reopened — each a step in its append-only history
//! (`docs/domain.md`, "Ombudsman complaints and remedies").

use chrono::{NaiveDate, Utc};
use entity::remedy::{self, RemedyKind, RemedyRecipient, RemedyStatus};
use sea_orm::ActiveValue::{NotSet, Set};
use uuid::Uuid;

use super::lookup::{append_step, ensure_case, find_complaint, find_remedy};
use crate::domain::complaint::parse_due_on;
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::{self, AuditActor};
use crate::tenancy::TenantScope;

/// A remedy to agree, fields validated (its amount against its kind already).
#[derive(Clone, Debug)]
pub struct NewRemedy {
    pub complaint_id: Uuid,
    pub kind: RemedyKind,
    pub amount_pence: Option<i64>,
    pub recipient: RemedyRecipient,
    /// The case a payment for lost education concerns; defaults to the complaint's case.
    pub case_id: Option<Uuid>,
    /// Defaults to the decision date.
    pub agreed_on: Option<NaiveDate>,
    /// Defaults to one month after the decision.
    pub due_on: Option<NaiveDate>,
}

/// Agrees a remedy on one of the council's decided complaints, with "agreed" in its history.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), complaint = %new.complaint_id))]
pub async fn add_remedy(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    new: NewRemedy,
) -> AppResult<remedy::Model> {
    let txn = store.council(scope).await?;
    let complaint = find_complaint(&txn, new.complaint_id).await?;
    let Some(decided_on) = complaint.decided_on else {
        return Err(AppError::bad_input(
            "complaintId",
            "the complaint is still pending: remedies are agreed on a decision",
        ));
    };
    let agreed_on = new.agreed_on.unwrap_or(decided_on);
    if agreed_on < decided_on {
        return Err(AppError::bad_input("agreedOn", "is before the decision"));
    }
    let due_on = parse_due_on("dueOn", new.due_on, decided_on)?;
    // A payment for lost education concerns the child's case: the complaint's, unless another
    // of the council's cases is named.
    let case_id = match new.case_id {
        Some(case_id) => {
            ensure_case(&txn, case_id).await?;
            Some(case_id)
        }
        None if new.kind == RemedyKind::LostEducationPayment => complaint.case_id,
        None => None,
    };
    let now = Utc::now();
    let agreed = txn
        .insert(remedy::ActiveModel {
            // Stamped with the council's id by the scoped insert.
            tenant_id: NotSet,
            id: Set(Uuid::now_v7()),
            complaint_id: Set(complaint.id),
            kind: Set(new.kind),
            amount_pence: Set(new.amount_pence),
            recipient: Set(new.recipient),
            case_id: Set(case_id),
            agreed_on: Set(agreed_on),
            due_on: Set(due_on),
            done_on: Set(None),
            evidence: Set(None),
            evidence_sent_on: Set(None),
            status: Set(RemedyStatus::Agreed),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .await?;
    append_step(&txn, actor, agreed.id, RemedyStatus::Agreed, agreed_on).await?;
    audit::record(&txn, actor, "remedy.create", "remedy", &[agreed.id]).await?;
    txn.commit().await?;
    tracing::info!(remedy = %agreed.id, "remedy agreed");
    Ok(agreed)
}

/// A step of a remedy's progress, validated: its date has happened, and evidence sent names
/// what was sent.
#[derive(Clone, Debug)]
pub struct RemedyProgress {
    pub remedy_id: Uuid,
    /// Any step but `Agreed`, which only agreeing records.
    pub step: RemedyStatus,
    pub occurred_on: NaiveDate,
    /// For `EvidenceSent`: what was sent. Free text: never logged.
    pub evidence: Option<String>,
}

/// Records a step of a remedy's progress:
/// - `Chased`: the Ombudsman asked for compliance;
/// - `Completed`: done on that day (a CONFLICT if already done);
/// - `EvidenceSent`: evidence of it sent to the Ombudsman that day;
/// - `Accepted`: the Ombudsman accepted it as complied with (a CONFLICT unless done);
/// - `Reopened`: found not done after all (the apology misspelt the name): no longer done, its
///   evidence no longer counts, and it is overdue again from its original due date.
#[tracing::instrument(
    skip_all,
    fields(council = %scope.council_id(), remedy = %progress.remedy_id, step = ?progress.step)
)]
pub async fn record_progress(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    progress: RemedyProgress,
) -> AppResult<remedy::Model> {
    let txn = store.council(scope).await?;
    let current = find_remedy(&txn, progress.remedy_id).await?;
    if progress.occurred_on < current.agreed_on {
        return Err(AppError::bad_input(
            "occurredOn",
            "is before the remedy was agreed",
        ));
    }
    let mut row: remedy::ActiveModel = current.clone().into();
    match progress.step {
        RemedyStatus::Agreed => {
            return Err(AppError::bad_input(
                "step",
                "a remedy is agreed once, when it is added",
            ));
        }
        RemedyStatus::Chased => {}
        RemedyStatus::Completed => {
            if current.done_on.is_some() {
                return Err(AppError::Conflict {
                    field: Some("step".into()),
                    message: "the remedy is already completed; reopen it first".into(),
                });
            }
            row.done_on = Set(Some(progress.occurred_on));
        }
        RemedyStatus::EvidenceSent => {
            let Some(evidence) = progress.evidence else {
                return Err(AppError::bad_input(
                    "evidence",
                    "say what evidence was sent to the Ombudsman",
                ));
            };
            row.evidence = Set(Some(evidence));
            row.evidence_sent_on = Set(Some(progress.occurred_on));
        }
        RemedyStatus::Accepted => {
            if current.done_on.is_none() {
                return Err(AppError::Conflict {
                    field: Some("step".into()),
                    message: "the remedy is not completed yet".into(),
                });
            }
        }
        RemedyStatus::Reopened => {
            row.done_on = Set(None);
            row.evidence_sent_on = Set(None);
        }
    }
    row.status = Set(progress.step);
    row.updated_at = Set(Utc::now());
    let updated = txn.update(row, "remedy").await?;
    append_step(&txn, actor, updated.id, progress.step, progress.occurred_on).await?;
    audit::record(&txn, actor, "remedy.progress", "remedy", &[updated.id]).await?;
    txn.commit().await?;
    Ok(updated)
}
