//! Demo complaints, so a newcomer sees the committee's view at once: for each demo council, an
//! upheld Ombudsman complaint with one remedy done and evidenced and two payments overdue, an
//! improvement action, and a stage 2 complaint still pending. Written through the services, so
//! every row is scoped, validated and audited like any other.

use chrono::{Days, NaiveDate};
use entity::complaint::{ComplaintCategory, ComplaintOutcome, ComplaintStage, DecisionPublication};
use entity::remedy::{RemedyKind, RemedyRecipient, RemedyStatus};

use super::action::{NewAction, add_action};
use super::record::{Decision, NewComplaint, record_complaint};
use super::remedy::{NewRemedy, RemedyProgress, add_remedy, record_progress};
use crate::domain::complaint::LgscoReference;
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::AuditActor;
use crate::tenancy::TenantScope;

fn days_before(today: NaiveDate, days: u64) -> AppResult<NaiveDate> {
    today
        .checked_sub_days(Days::new(days))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("demo date")))
}

/// Seeds the demo complaints of the council whose LA code is `la_code`.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn seed_demo_complaints(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    la_code: &str,
    today: NaiveDate,
) -> AppResult<()> {
    let decided_on = days_before(today, 45)?;
    let lgsco = LgscoReference::parse(&format!("25 {la_code} 001"))
        .map_err(|why| AppError::internal(anyhow::anyhow!(why)))?;
    let upheld = record_complaint(
        store,
        scope,
        actor,
        NewComplaint {
            lgsco_reference: Some(lgsco),
            council_reference: Some(format!("DEMO-{la_code}-C1")),
            category: ComplaintCategory::EducationProvision,
            stage: ComplaintStage::Ombudsman,
            received_on: days_before(today, 200)?,
            decision: Decision {
                outcome: ComplaintOutcome::FaultCausingInjustice,
                decided_on: Some(decided_on),
                publication: DecisionPublication::Published,
            },
            case_id: None,
            summary: Some("Demo: no education arranged for a term while on a waiting list.".into()),
        },
    )
    .await?;
    // Due two weeks ago, so the committee's view opens on something overdue.
    let due_on = Some(days_before(today, 14)?);
    let remedy = |kind, amount_pence| NewRemedy {
        complaint_id: upheld.id,
        kind,
        amount_pence,
        recipient: RemedyRecipient::ParentOrCarer,
        case_id: None,
        agreed_on: None,
        due_on,
    };
    let apology = add_remedy(store, scope, actor, remedy(RemedyKind::Apology, None)).await?;
    add_remedy(
        store,
        scope,
        actor,
        remedy(RemedyKind::SymbolicPayment, Some(35_000)),
    )
    .await?;
    add_remedy(
        store,
        scope,
        actor,
        remedy(RemedyKind::LostEducationPayment, Some(240_000)),
    )
    .await?;
    for (step, days, evidence) in [
        (RemedyStatus::Completed, 30, None),
        (
            RemedyStatus::EvidenceSent,
            29,
            Some("Copy of the apology letter".to_owned()),
        ),
    ] {
        record_progress(
            store,
            scope,
            actor,
            RemedyProgress {
                remedy_id: apology.id,
                step,
                occurred_on: days_before(today, days)?,
                evidence,
            },
        )
        .await?;
    }
    add_action(
        store,
        scope,
        actor,
        NewAction {
            complaint_id: Some(upheld.id),
            description: "Track every child out of school from the first day of absence".into(),
            owner_role: "Head of Inclusion".into(),
            success_measure: "Provision arranged within 15 school days for 95% of cases".into(),
            due_on: today
                .checked_add_days(Days::new(60))
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("demo date")))?,
        },
    )
    .await?;
    record_complaint(
        store,
        scope,
        actor,
        NewComplaint {
            lgsco_reference: None,
            council_reference: Some(format!("DEMO-{la_code}-C2")),
            category: ComplaintCategory::Transport,
            stage: ComplaintStage::CouncilStage2,
            received_on: days_before(today, 10)?,
            decision: Decision {
                outcome: ComplaintOutcome::Pending,
                decided_on: None,
                publication: DecisionPublication::NotPublished,
            },
            case_id: None,
            summary: None,
        },
    )
    .await?;
    Ok(())
}
