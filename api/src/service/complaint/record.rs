//! Recording complaints and their decisions. A complaint carries the Ombudsman's reference or the
//! council's own (or both), each unique within the council; a decision is an outcome with its
//! date, or neither while the complaint is pending (`docs/domain.md`, "Ombudsman complaints and
//! remedies").

use chrono::{NaiveDate, Utc};
use entity::complaint::{
    self, ComplaintCategory, ComplaintOutcome, ComplaintStage, DecisionPublication,
};
use entity::remedy;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, QueryFilter};
use uuid::Uuid;

use super::lookup::{ensure_case, find_complaint, reference_taken};
use crate::domain::complaint::{LgscoReference, check_decision};
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::{self, AuditActor};
use crate::tenancy::{CouncilTxn, TenantScope};

/// An outcome and its date (both absent while pending), and whether it was published.
#[derive(Clone, Debug)]
pub struct Decision {
    pub outcome: ComplaintOutcome,
    pub decided_on: Option<NaiveDate>,
    pub publication: DecisionPublication,
}

/// A new complaint, fields validated.
#[derive(Clone, Debug)]
pub struct NewComplaint {
    pub lgsco_reference: Option<LgscoReference>,
    pub council_reference: Option<String>,
    pub category: ComplaintCategory,
    pub stage: ComplaintStage,
    pub received_on: NaiveDate,
    pub decision: Decision,
    pub case_id: Option<Uuid>,
    /// Free text: never logged.
    pub summary: Option<String>,
}

/// CONFLICT when another of the council's complaints has either reference.
async fn check_references_free(
    txn: &CouncilTxn,
    lgsco: Option<&LgscoReference>,
    council: Option<&str>,
    except: Option<Uuid>,
) -> AppResult<()> {
    if let Some(reference) = lgsco
        && reference_taken(
            txn,
            complaint::Column::LgscoReference,
            reference.as_str(),
            except,
        )
        .await?
    {
        return Err(AppError::conflict(
            "lgscoReference",
            "another complaint in this council has this Ombudsman reference",
        ));
    }
    if let Some(reference) = council
        && reference_taken(txn, complaint::Column::CouncilReference, reference, except).await?
    {
        return Err(AppError::conflict(
            "councilReference",
            "another complaint in this council has this reference",
        ));
    }
    Ok(())
}

/// Records a complaint, linked to one of the council's cases where it concerns one.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn record_complaint(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    new: NewComplaint,
) -> AppResult<complaint::Model> {
    check_decision(
        new.decision.outcome,
        new.decision.decided_on,
        new.received_on,
    )?;
    let txn = store.council(scope).await?;
    if let Some(case_id) = new.case_id {
        ensure_case(&txn, case_id).await?;
    }
    check_references_free(
        &txn,
        new.lgsco_reference.as_ref(),
        new.council_reference.as_deref(),
        None,
    )
    .await?;
    let now = Utc::now();
    let recorded = txn
        .insert(complaint::ActiveModel {
            // Stamped with the council's id by the scoped insert.
            tenant_id: NotSet,
            id: Set(Uuid::now_v7()),
            lgsco_reference: Set(new.lgsco_reference.map(|r| r.as_str().to_owned())),
            council_reference: Set(new.council_reference),
            category: Set(new.category),
            stage: Set(new.stage),
            received_on: Set(new.received_on),
            outcome: Set(new.decision.outcome),
            decided_on: Set(new.decision.decided_on),
            publication: Set(new.decision.publication),
            case_id: Set(new.case_id),
            summary: Set(new.summary),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .await?;
    audit::record(&txn, actor, "complaint.create", "complaint", &[recorded.id]).await?;
    txn.commit().await?;
    tracing::info!(complaint = %recorded.id, "complaint recorded");
    Ok(recorded)
}

/// A decision on a recorded complaint, or its move to another stage, fields validated.
#[derive(Clone, Debug)]
pub struct DecisionUpdate {
    /// Leave out to keep the stage.
    pub stage: Option<ComplaintStage>,
    /// The Ombudsman's reference, when the complaint reaches the Ombudsman.
    pub lgsco_reference: Option<LgscoReference>,
    pub outcome: ComplaintOutcome,
    pub decided_on: Option<NaiveDate>,
    /// Leave out to keep what was recorded.
    pub publication: Option<DecisionPublication>,
}

/// Records a decision on a complaint (or a move to another stage, pending again), with the
/// Ombudsman's reference when it reaches the Ombudsman.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), complaint = %complaint_id))]
pub async fn record_decision(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    complaint_id: Uuid,
    update: DecisionUpdate,
) -> AppResult<complaint::Model> {
    let txn = store.council(scope).await?;
    let current = find_complaint(&txn, complaint_id).await?;
    check_decision(update.outcome, update.decided_on, current.received_on)?;
    // Remedies are agreed on a decision: one cannot be taken back from under them.
    if update.outcome == ComplaintOutcome::Pending
        && txn
            .select::<remedy::Entity>()
            .filter(remedy::Column::ComplaintId.eq(complaint_id))
            .one(txn.conn())
            .await?
            .is_some()
    {
        return Err(AppError::conflict(
            "outcome",
            "remedies are agreed on this complaint's decision; it cannot be pending again",
        ));
    }
    check_references_free(
        &txn,
        update.lgsco_reference.as_ref(),
        None,
        Some(complaint_id),
    )
    .await?;
    let mut row: complaint::ActiveModel = current.into();
    if let Some(stage) = update.stage {
        row.stage = Set(stage);
    }
    if let Some(reference) = update.lgsco_reference {
        row.lgsco_reference = Set(Some(reference.as_str().to_owned()));
    }
    if let Some(publication) = update.publication {
        row.publication = Set(publication);
    }
    row.outcome = Set(update.outcome);
    row.decided_on = Set(update.decided_on);
    row.updated_at = Set(Utc::now());
    let decided = txn.update(row, "complaint").await?;
    audit::record(
        &txn,
        actor,
        "complaint.decide",
        "complaint",
        &[complaint_id],
    )
    .await?;
    txn.commit().await?;
    Ok(decided)
}
