//! Cases as the API shows them: the enums, the case with its timeline, provision, evidence and
//! deadlines, and the objects inside it. What callers send, and its parse, is in `input` and
//! `args`; the resolvers are in `query` and `mutation`, each reading scope, parse, service,
//! answer.
//!
//! The submodules use the types here, never the reverse, so the module list below is the only
//! link from this file to them.

/// The plain arguments of the case operations without an input object, parsed.
pub mod args;
/// The input objects callers send to narrow or change cases, and their parse.
pub mod input;
/// Changing cases: caseworkers and managers only.
pub mod mutation;
/// Reading cases: caseworkers and managers only.
pub mod query;
/// Values the case input tests share.
#[cfg(test)]
mod test_values;
/// The preamble every case resolver shares.
mod work;

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{case_event, medical_evidence, provision};

use super::child::Child;
use crate::error::AppError;
use crate::service::case::{self as cases, CaseDetail, CaseOrder};

/// Why the child is out of school.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::case::CaseReason")]
pub enum CaseReason {
    Health,
    PermanentExclusion,
    Suspension,
    AwaitingSchoolPlace,
    EhcPlacementBreakdown,
    EmotionallyBasedSchoolAvoidance,
    Other,
}

/// Whether the council accepted the s.19 duty.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::case::DutyDecision")]
pub enum DutyDecision {
    NotYetDecided,
    Accepted,
    NotAccepted,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::case::CaseStatus")]
pub enum CaseStatus {
    Open,
    Closed,
}

/// Why a case was closed.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::case::ClosureReason")]
pub enum ClosureReason {
    ReturnedToSchool,
    NewSchoolPlace,
    MovedOutOfArea,
    LeftCompulsorySchoolAge,
    DutyNotAccepted,
    Other,
}

/// What happened on a case's timeline.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::case_event::CaseEventKind")]
pub enum CaseEventKind {
    ReferralReceived,
    DecisionMade,
    ProvisionStarted,
    ProvisionChanged,
    ProvisionEnded,
    ReviewHeld,
    ReturnedToSchool,
    Closed,
}

/// The kind of education arranged.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::provision::ProvisionKind")]
pub enum ProvisionKind {
    Tuition,
    HospitalSchool,
    AlternativeProvision,
    Online,
    Pru,
    Eotas,
    ReducedTimetable,
    Other,
}

/// Who provided medical evidence.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::medical_evidence::EvidenceSource")]
pub enum EvidenceSource {
    Gp,
    Consultant,
    Camhs,
    Hospital,
    SchoolNurse,
    Other,
}

/// How to order cases.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum CaseOrderBy {
    /// Soonest due (or longest overdue) first.
    #[default]
    DueDate,
    /// Most school days without provision first.
    DaysWithoutProvision,
}

impl From<CaseOrderBy> for CaseOrder {
    fn from(order: CaseOrderBy) -> Self {
        match order {
            CaseOrderBy::DueDate => Self::DueDate,
            CaseOrderBy::DaysWithoutProvision => Self::DaysWithoutProvision,
        }
    }
}

/// An entry on a case's timeline.
#[derive(SimpleObject)]
pub struct CaseEvent {
    id: ID,
    kind: CaseEventKind,
    occurred_on: NaiveDate,
    recorded_at: DateTime<Utc>,
    /// The recording user's subject at their identity provider.
    recorded_by: String,
    provision_id: Option<ID>,
}

impl From<case_event::Model> for CaseEvent {
    fn from(m: case_event::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            kind: m.kind.into(),
            occurred_on: m.occurred_on,
            recorded_at: m.recorded_at,
            recorded_by: m.recorded_by,
            provision_id: m.provision_id.map(|id| ID(id.to_string())),
        }
    }
}

/// Education arranged for a case.
#[derive(SimpleObject)]
pub struct Provision {
    id: ID,
    kind: ProvisionKind,
    provider: String,
    hours_per_week: f64,
    full_time: bool,
    /// The recorded health reason for reduced provision.
    reduced_reason: Option<String>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
}

impl From<provision::Model> for Provision {
    fn from(m: provision::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            kind: m.kind.into(),
            provider: m.provider,
            hours_per_week: m.hours_per_week,
            full_time: m.full_time,
            reduced_reason: m.reduced_reason,
            start_date: m.start_date,
            end_date: m.end_date,
        }
    }
}

/// Time-limited medical evidence.
#[derive(SimpleObject)]
pub struct MedicalEvidence {
    id: ID,
    source: EvidenceSource,
    category: String,
    evidence_date: NaiveDate,
    valid_until: Option<NaiveDate>,
}

impl From<medical_evidence::Model> for MedicalEvidence {
    fn from(m: medical_evidence::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            source: m.source.into(),
            category: m.category,
            evidence_date: m.evidence_date,
            valid_until: m.valid_until,
        }
    }
}

/// An episode of a child out of school, with its deadlines as of today.
pub struct Case(CaseDetail);

#[Object]
impl Case {
    async fn id(&self) -> ID {
        ID(self.0.case.id.to_string())
    }
    async fn council_reference(&self) -> Option<&str> {
        self.0.case.council_reference.as_deref()
    }
    async fn child(&self) -> Child {
        Child(self.0.child.clone())
    }
    async fn reason(&self) -> CaseReason {
        self.0.case.reason.into()
    }
    async fn absence_start(&self) -> NaiveDate {
        self.0.case.absence_start
    }
    async fn council_notified_on(&self) -> NaiveDate {
        self.0.case.council_notified_on
    }
    async fn duty_decision(&self) -> DutyDecision {
        self.0.case.duty_decision.into()
    }
    async fn duty_decision_reason(&self) -> Option<&str> {
        self.0.case.duty_decision_reason.as_deref()
    }
    async fn duty_decided_on(&self) -> Option<NaiveDate> {
        self.0.case.duty_decided_on
    }
    async fn status(&self) -> CaseStatus {
        self.0.case.status.into()
    }
    async fn closure_reason(&self) -> Option<ClosureReason> {
        self.0.case.closure_reason.map(Into::into)
    }
    async fn closed_on(&self) -> Option<NaiveDate> {
        self.0.case.closed_on
    }
    /// The timeline, oldest first.
    async fn timeline(&self) -> Result<Vec<CaseEvent>, AppError> {
        Ok(self
            .loaded_timeline()?
            .events
            .iter()
            .cloned()
            .map(Into::into)
            .collect())
    }
    async fn provisions(&self) -> Vec<Provision> {
        self.0.provisions.iter().cloned().map(Into::into).collect()
    }
    /// The provision running today, if any.
    async fn current_provision(&self) -> Option<Provision> {
        let today = self.0.today;
        self.0
            .provisions
            .iter()
            .rev()
            .find(|p| p.start_date <= today && p.end_date.is_none_or(|end| end >= today))
            .cloned()
            .map(Into::into)
    }
    async fn medical_evidence(&self) -> Vec<MedicalEvidence> {
        self.0.evidence.iter().cloned().map(Into::into).collect()
    }
    /// The most recent medical evidence.
    async fn latest_evidence(&self) -> Option<MedicalEvidence> {
        self.0
            .evidence
            .iter()
            .max_by_key(|e| e.evidence_date)
            .cloned()
            .map(Into::into)
    }
    /// The school day provision is due by: day 15 of absence (cumulative in the school year),
    /// or day 6 of a permanent exclusion.
    async fn provision_due_by(&self) -> Option<NaiveDate> {
        self.0.deadlines.provision_due_by
    }
    /// School days without provision so far, or until provision started.
    async fn school_days_without_provision(&self) -> u32 {
        self.0.deadlines.school_days_without_provision
    }
    /// Due date passed with no provision started.
    async fn overdue(&self) -> bool {
        self.0.deadlines.overdue
    }
    /// Provision started after the due date.
    async fn provision_late(&self) -> bool {
        self.0.deadlines.late
    }
    /// The school day the next review is due by; none once the case is closed.
    async fn next_review_due(&self) -> Result<Option<NaiveDate>, AppError> {
        Ok(self.loaded_timeline()?.next_review_due)
    }
    async fn evidence_expires_soon(&self) -> bool {
        self.0.deadlines.evidence_expires_soon
    }
    /// True when school days were counted without the council's calendar (weekdays minus bank
    /// holidays), so the figures are approximate.
    async fn school_days_approximate(&self) -> bool {
        self.0.deadlines.approximate
    }
    /// Remedies agreed on a complaint about this case and not yet done, such as a payment for
    /// lost education: what the council still owes (read separately, by the case's id).
    async fn remedies_owed(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> Result<Vec<crate::graphql::complaint::types::Remedy>, AppError> {
        crate::graphql::complaint::owed::remedies_owed(ctx, self.0.case.id).await
    }
}

impl Case {
    /// The timeline, which `query::parts` loads whenever a query asks for a field that needs it.
    fn loaded_timeline(&self) -> Result<&cases::Timeline, AppError> {
        self.0.timeline.as_ref().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "a case's timeline was asked for but not loaded"
            ))
        })
    }
}
