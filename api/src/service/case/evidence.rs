//! Medical evidence on a case: what the council holds to support a health absence, and when it
//! stops being valid (`docs/domain.md`, "Medical evidence").

use chrono::NaiveDate;
use entity::medical_evidence::{self, EvidenceSource};
use sea_orm::ActiveValue::{NotSet, Set};
use uuid::Uuid;

use super::record::open_case;
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::{self, AuditActor};
use crate::tenancy::TenantScope;

/// Medical evidence to add to a case.
#[derive(Clone, Debug)]
pub struct NewEvidence {
    pub source: EvidenceSource,
    pub category: String,
    pub evidence_date: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// Adds medical evidence to a case.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn add_evidence(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
    new: NewEvidence,
) -> AppResult<medical_evidence::Model> {
    if let Some(until) = new.valid_until
        && until < new.evidence_date
    {
        return Err(AppError::bad_input(
            "validUntil",
            "evidence cannot expire before its date",
        ));
    }
    let txn = store.council(scope).await?;
    open_case(&txn, case_id).await?;
    let added = txn
        .insert(medical_evidence::ActiveModel {
            // Stamped with the council's id by the scoped insert.
            tenant_id: NotSet,
            id: Set(Uuid::now_v7()),
            case_id: Set(case_id),
            source: Set(new.source),
            category: Set(new.category),
            evidence_date: Set(new.evidence_date),
            valid_until: Set(new.valid_until),
        })
        .await?;
    audit::record(
        &txn,
        actor,
        "medical_evidence.create",
        "medical_evidence",
        &[added.id],
    )
    .await?;
    txn.commit().await?;
    Ok(added)
}
