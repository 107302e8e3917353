//! Changing cases: caseworkers and managers only. Each resolver reads scope, parse, service,
//! answer; the answer is the case as the caller now sees it.

use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;

use super::args::{CloseCaseArgs, EndProvisionArgs, RecordDutyDecisionArgs, RecordReviewArgs};
use super::input::{
    AddMedicalEvidenceInput, ChangeProvisionInput, OpenCaseInput, StartProvisionInput,
};
use super::work::CaseWork;
use super::{Case, ClosureReason};
use crate::domain::clock;
use crate::error::AppError;
use crate::service::case as cases;

/// Changing cases: caseworkers and managers only.
#[derive(Default)]
pub struct CaseMutation;

#[Object]
impl CaseMutation {
    /// Opens a case for a child, with the referral on its timeline.
    async fn open_case(&self, ctx: &Context<'_>, input: OpenCaseInput) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let new = input.parse(clock::today())?;
        let opened = cases::open(work.store, work.scope, &work.actor, new).await?;
        work.reload(opened.id).await
    }

    /// Records the s.19 duty decision. A second decision is a CONFLICT.
    async fn record_duty_decision(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        accepted: bool,
        reason: Option<String>,
        decided_on: NaiveDate,
    ) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let decision =
            RecordDutyDecisionArgs::parse(&case_id, accepted, reason, decided_on, clock::today())?;
        cases::decide(
            work.store,
            work.scope,
            &work.actor,
            decision.case_id,
            decision.accepted,
            decision.reason,
            decision.decided_on,
        )
        .await?;
        work.reload(decision.case_id).await
    }

    /// Starts provision. Reduced provision needs its recorded health reason.
    async fn start_provision(
        &self,
        ctx: &Context<'_>,
        input: StartProvisionInput,
    ) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let (case_id, new) = input.parse()?;
        cases::start_provision(work.store, work.scope, &work.actor, case_id, new).await?;
        work.reload(case_id).await
    }

    /// Changes running provision from `changedOn`: hours, full-time or reduced, provider or
    /// kind. The provision so far ends the day before and the new terms carry on from that day,
    /// so each period keeps its hours; the timeline records "provision changed".
    async fn change_provision(
        &self,
        ctx: &Context<'_>,
        input: ChangeProvisionInput,
    ) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let (provision_id, change) = input.parse()?;
        let changed =
            cases::change_provision(work.store, work.scope, &work.actor, provision_id, change)
                .await?;
        work.reload(changed.case_id).await
    }

    /// Ends a provision.
    async fn end_provision(
        &self,
        ctx: &Context<'_>,
        provision_id: ID,
        end_date: NaiveDate,
    ) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let end = EndProvisionArgs::parse(&provision_id, end_date)?;
        let ended = cases::end_provision(
            work.store,
            work.scope,
            &work.actor,
            end.provision_id,
            end.end_date,
        )
        .await?;
        work.reload(ended.case_id).await
    }

    /// Records a review held on the case.
    async fn record_review(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        held_on: NaiveDate,
    ) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let review = RecordReviewArgs::parse(&case_id, held_on, clock::today())?;
        cases::record_review(
            work.store,
            work.scope,
            &work.actor,
            review.case_id,
            review.held_on,
        )
        .await?;
        work.reload(review.case_id).await
    }

    /// Adds time-limited medical evidence.
    async fn add_medical_evidence(
        &self,
        ctx: &Context<'_>,
        input: AddMedicalEvidenceInput,
    ) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let (case_id, new) = input.parse(clock::today())?;
        cases::add_evidence(work.store, work.scope, &work.actor, case_id, new).await?;
        work.reload(case_id).await
    }

    /// Closes the case, ending any running provision that day.
    async fn close_case(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        reason: ClosureReason,
        closed_on: NaiveDate,
    ) -> Result<Case, AppError> {
        let work = CaseWork::begin(ctx)?;
        let closure = CloseCaseArgs::parse(&case_id, reason, closed_on, clock::today())?;
        cases::close(
            work.store,
            work.scope,
            &work.actor,
            closure.case_id,
            closure.reason,
            closure.closed_on,
        )
        .await?;
        work.reload(closure.case_id).await
    }
}
