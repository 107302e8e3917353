//! Changing complaints, remedies and improvement actions: managers only. Each resolver reads
//! scope, parse, service, answer; the answer is the complaint (or action) as it now stands.

use async_graphql::{Context, Object};
use uuid::Uuid;

use super::input::{
    AddImprovementActionInput, AddRemedyInput, RecordComplaintDecisionInput, RecordComplaintInput,
    RecordRemedyProgressInput, UpdateImprovementActionInput,
};
use super::query::MANAGERS;
use super::types::{Complaint, ImprovementAction};
use crate::domain::clock;
use crate::error::AppError;
use crate::graphql::context::CouncilWork;
use crate::service::complaint::{self as complaints, ComplaintReader};

/// The complaint as the manager now sees it (an audited read).
async fn reload(work: &CouncilWork<'_>, complaint_id: Uuid) -> Result<Complaint, AppError> {
    let detail = complaints::get(
        work.store,
        work.scope,
        &work.actor,
        ComplaintReader::Manager,
        complaint_id,
    )
    .await?;
    Ok(Complaint {
        detail,
        as_of: clock::today(),
    })
}

/// Changing complaints, remedies and actions: managers only.
#[derive(Default)]
pub struct ComplaintMutation;

#[Object]
impl ComplaintMutation {
    /// Records a complaint (with its decision, if decided).
    async fn record_complaint(
        &self,
        ctx: &Context<'_>,
        input: RecordComplaintInput,
    ) -> Result<Complaint, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let new = input.parse(clock::today())?;
        let recorded =
            complaints::record_complaint(work.store, work.scope, &work.actor, new).await?;
        reload(&work, recorded.id).await
    }

    /// Records a decision on a complaint, or moves it to another stage (pending again).
    async fn record_complaint_decision(
        &self,
        ctx: &Context<'_>,
        input: RecordComplaintDecisionInput,
    ) -> Result<Complaint, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let (complaint_id, update) = input.parse(clock::today())?;
        complaints::record_decision(work.store, work.scope, &work.actor, complaint_id, update)
            .await?;
        reload(&work, complaint_id).await
    }

    /// Agrees a remedy on a decided complaint: due one calendar month after the decision unless
    /// `dueOn` says otherwise.
    async fn add_remedy(
        &self,
        ctx: &Context<'_>,
        input: AddRemedyInput,
    ) -> Result<Complaint, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let new = input.parse(clock::today())?;
        let agreed = complaints::add_remedy(work.store, work.scope, &work.actor, new).await?;
        reload(&work, agreed.complaint_id).await
    }

    /// Records a step of a remedy's progress: chased, completed, evidence sent, accepted by the
    /// Ombudsman, or reopened.
    async fn record_remedy_progress(
        &self,
        ctx: &Context<'_>,
        input: RecordRemedyProgressInput,
    ) -> Result<Complaint, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let progress = input.parse(clock::today())?;
        let remedy =
            complaints::record_progress(work.store, work.scope, &work.actor, progress).await?;
        reload(&work, remedy.complaint_id).await
    }

    /// Adds an item to the council's improvement plan.
    async fn add_improvement_action(
        &self,
        ctx: &Context<'_>,
        input: AddImprovementActionInput,
    ) -> Result<ImprovementAction, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let new = input.parse()?;
        let added = complaints::add_action(work.store, work.scope, &work.actor, new).await?;
        Ok(ImprovementAction::on(added, clock::today()))
    }

    /// Records progress on an improvement action, with its evidence.
    async fn update_improvement_action(
        &self,
        ctx: &Context<'_>,
        input: UpdateImprovementActionInput,
    ) -> Result<ImprovementAction, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let change = input.parse(clock::today())?;
        let changed =
            complaints::change_action(work.store, work.scope, &work.actor, change).await?;
        Ok(ImprovementAction::on(changed, clock::today()))
    }
}
