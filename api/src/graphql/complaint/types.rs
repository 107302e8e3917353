//! Complaints, remedies and improvement actions as the API shows them, with what is derived from
//! them on the day asked about: overdue and by how many calendar days, completed on time or late,
//! evidence outstanding (`docs/domain.md`, "Ombudsman complaints and remedies").

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{improvement_action, remedy_event};

use crate::domain::complaint::{RemedyStanding, action_overdue};
use crate::service::complaint::{
    ComplaintDetail, ComplaintFigures, MonitoringTotals as Totals, RemedyDetail,
};

/// What the complaint is about.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::complaint::ComplaintCategory")]
pub enum ComplaintCategory {
    EducationProvision,
    Sen,
    /// Elective home education or children missing education.
    EheCme,
    Exclusion,
    Transport,
    Other,
}

/// Where the complaint is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::complaint::ComplaintStage")]
pub enum ComplaintStage {
    CouncilStage1,
    CouncilStage2,
    Ombudsman,
}

/// The decision on a complaint.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::complaint::ComplaintOutcome")]
pub enum ComplaintOutcome {
    /// Not decided yet: no decision date.
    Pending,
    /// Upheld: fault causing injustice.
    FaultCausingInjustice,
    /// Upheld: fault without injustice.
    FaultWithoutInjustice,
    NotUpheld,
    ClosedAfterInitialEnquiries,
}

/// Whether the Ombudsman published the decision, or issued a public-interest report.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::complaint::DecisionPublication")]
pub enum DecisionPublication {
    NotPublished,
    Published,
    PublicInterestReport,
}

/// What the council agreed to do.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::remedy::RemedyKind")]
pub enum RemedyKind {
    Apology,
    SymbolicPayment,
    /// A payment for education the child missed; linked to the child's case where there is one.
    LostEducationPayment,
    Refund,
    ProvisionArranged,
    ReconsiderDecision,
    StaffReminderOrTraining,
    PolicyOrProcedureChange,
    Other,
}

/// Who a remedy is for: a role, never a name.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::remedy::RemedyRecipient")]
pub enum RemedyRecipient {
    ParentOrCarer,
    ChildOrYoungPerson,
    Complainant,
    ThePublic,
    Other,
}

/// A step in a remedy's history; its status is the latest.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::remedy::RemedyStatus")]
pub enum RemedyStatus {
    Agreed,
    /// The Ombudsman asked for evidence of compliance.
    Chased,
    Completed,
    /// Evidence of compliance sent to the Ombudsman.
    EvidenceSent,
    /// The Ombudsman accepted the remedy as complied with.
    Accepted,
    /// Found not done after all: overdue again from its due date.
    Reopened,
}

/// Where an improvement action stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::improvement_action::ActionStatus")]
pub enum ActionStatus {
    Planned,
    InProgress,
    Done,
}

/// A step in a remedy's history.
#[derive(SimpleObject)]
pub struct RemedyEvent {
    step: RemedyStatus,
    occurred_on: NaiveDate,
    recorded_at: DateTime<Utc>,
    /// The recording user's subject at their identity provider.
    recorded_by: String,
}

impl From<remedy_event::Model> for RemedyEvent {
    fn from(m: remedy_event::Model) -> Self {
        Self {
            step: m.step.into(),
            occurred_on: m.occurred_on,
            recorded_at: m.recorded_at,
            recorded_by: m.recorded_by,
        }
    }
}

/// A remedy agreed on a complaint, and where it stands on the day asked about.
pub struct Remedy {
    detail: RemedyDetail,
    as_of: NaiveDate,
    standing: RemedyStanding,
}

impl Remedy {
    /// The remedy as it stands on `as_of`.
    pub fn on(detail: RemedyDetail, as_of: NaiveDate) -> Self {
        let r = &detail.remedy;
        let standing = RemedyStanding::on(r.due_on, r.done_on, r.evidence_sent_on, as_of);
        Self {
            detail,
            as_of,
            standing,
        }
    }
}

#[Object]
impl Remedy {
    async fn id(&self) -> ID {
        ID(self.detail.remedy.id.to_string())
    }
    async fn complaint_id(&self) -> ID {
        ID(self.detail.remedy.complaint_id.to_string())
    }
    async fn kind(&self) -> RemedyKind {
        self.detail.remedy.kind.into()
    }
    /// Money paid, in pence: set for payments only.
    async fn amount_pence(&self) -> Option<i64> {
        self.detail.remedy.amount_pence
    }
    async fn recipient(&self) -> RemedyRecipient {
        self.detail.remedy.recipient.into()
    }
    /// The case a payment for lost education concerns.
    async fn case_id(&self) -> Option<ID> {
        self.detail.remedy.case_id.map(|id| ID(id.to_string()))
    }
    async fn agreed_on(&self) -> NaiveDate {
        self.detail.remedy.agreed_on
    }
    async fn due_on(&self) -> NaiveDate {
        self.detail.remedy.due_on
    }
    async fn done_on(&self) -> Option<NaiveDate> {
        self.detail.remedy.done_on
    }
    /// What was sent to the Ombudsman as evidence.
    async fn evidence(&self) -> Option<&str> {
        self.detail.remedy.evidence.as_deref()
    }
    async fn evidence_sent_on(&self) -> Option<NaiveDate> {
        self.detail.remedy.evidence_sent_on
    }
    /// The latest step of its history.
    async fn status(&self) -> RemedyStatus {
        self.detail.remedy.status.into()
    }
    /// Its history, oldest first.
    async fn history(&self) -> Vec<RemedyEvent> {
        self.detail
            .history
            .iter()
            .cloned()
            .map(Into::into)
            .collect()
    }
    /// The day the fields below are judged on.
    async fn as_of(&self) -> NaiveDate {
        self.as_of
    }
    /// Done by `asOf`.
    async fn done(&self) -> bool {
        self.standing.done
    }
    /// Not done and past its due date on `asOf`.
    async fn overdue(&self) -> bool {
        self.standing.overdue
    }
    /// Calendar days past the due date on `asOf` while overdue (the Ombudsman's clock); 0
    /// otherwise.
    async fn days_overdue(&self) -> i64 {
        self.standing.days_overdue
    }
    /// Once done: whether on or before the due date.
    async fn completed_on_time(&self) -> Option<bool> {
        self.standing.completed_on_time
    }
    /// Once done late: calendar days after the due date.
    async fn days_late(&self) -> Option<i64> {
        self.standing.days_late
    }
    /// Done or past due, with no evidence sent to the Ombudsman by `asOf`.
    async fn evidence_outstanding(&self) -> bool {
        self.standing.evidence_outstanding
    }
}

/// An item of the council's improvement plan, and whether it is overdue on the day asked about.
pub struct ImprovementAction {
    action: improvement_action::Model,
    as_of: NaiveDate,
}

impl ImprovementAction {
    pub fn on(action: improvement_action::Model, as_of: NaiveDate) -> Self {
        Self { action, as_of }
    }
}

#[Object]
impl ImprovementAction {
    async fn id(&self) -> ID {
        ID(self.action.id.to_string())
    }
    async fn complaint_id(&self) -> Option<ID> {
        self.action.complaint_id.map(|id| ID(id.to_string()))
    }
    /// What will change.
    async fn description(&self) -> &str {
        &self.action.description
    }
    /// The role that owns it.
    async fn owner_role(&self) -> &str {
        &self.action.owner_role
    }
    /// How success will be measured.
    async fn success_measure(&self) -> &str {
        &self.action.success_measure
    }
    async fn due_on(&self) -> NaiveDate {
        self.action.due_on
    }
    async fn status(&self) -> ActionStatus {
        self.action.status.into()
    }
    /// Evidence that it was done.
    async fn evidence(&self) -> Option<&str> {
        self.action.evidence.as_deref()
    }
    async fn done_on(&self) -> Option<NaiveDate> {
        self.action.done_on
    }
    /// Not done and past its due date on `asOf`.
    async fn overdue(&self) -> bool {
        action_overdue(self.action.due_on, self.action.done_on, self.as_of)
    }
    async fn as_of(&self) -> NaiveDate {
        self.as_of
    }
}

/// A complaint with its remedies and improvement actions, as of today.
pub struct Complaint {
    pub(super) detail: ComplaintDetail,
    pub(super) as_of: NaiveDate,
}

#[Object]
impl Complaint {
    async fn id(&self) -> ID {
        ID(self.detail.complaint.id.to_string())
    }
    /// The Ombudsman's reference, `NN NNN NNN`.
    async fn lgsco_reference(&self) -> Option<&str> {
        self.detail.complaint.lgsco_reference.as_deref()
    }
    /// The council's own stage 1 / stage 2 reference.
    async fn council_reference(&self) -> Option<&str> {
        self.detail.complaint.council_reference.as_deref()
    }
    async fn category(&self) -> ComplaintCategory {
        self.detail.complaint.category.into()
    }
    async fn stage(&self) -> ComplaintStage {
        self.detail.complaint.stage.into()
    }
    async fn received_on(&self) -> NaiveDate {
        self.detail.complaint.received_on
    }
    async fn outcome(&self) -> ComplaintOutcome {
        self.detail.complaint.outcome.into()
    }
    async fn decided_on(&self) -> Option<NaiveDate> {
        self.detail.complaint.decided_on
    }
    async fn publication(&self) -> DecisionPublication {
        self.detail.complaint.publication.into()
    }
    /// Fault, with or without injustice.
    async fn upheld(&self) -> bool {
        crate::domain::complaint::is_upheld(self.detail.complaint.outcome)
    }
    async fn case_id(&self) -> Option<ID> {
        self.detail.complaint.case_id.map(|id| ID(id.to_string()))
    }
    /// Free text about the complaint: never exported.
    async fn summary(&self) -> Option<&str> {
        self.detail.complaint.summary.as_deref()
    }
    /// By due date.
    async fn remedies(&self) -> Vec<Remedy> {
        self.detail
            .remedies
            .iter()
            .cloned()
            .map(|r| Remedy::on(r, self.as_of))
            .collect()
    }
    /// By due date.
    async fn actions(&self) -> Vec<ImprovementAction> {
        self.detail
            .actions
            .iter()
            .cloned()
            .map(|a| ImprovementAction::on(a, self.as_of))
            .collect()
    }
}

/// The committee view's totals on its day.
#[derive(SimpleObject)]
pub struct MonitoringTotals {
    /// Remedies agreed by the day and not done by it.
    remedies_open: i64,
    /// Of those, past their due date.
    remedies_overdue: i64,
    remedies_done_on_time: i64,
    remedies_done_late: i64,
    /// Remedies done or past due with no evidence sent to the Ombudsman.
    evidence_outstanding: i64,
    /// The amounts of payments not yet made, in pence.
    money_owed_pence: i64,
    /// The amounts of payments made, in pence.
    money_paid_pence: i64,
    actions_open: i64,
    actions_overdue: i64,
    actions_done: i64,
}

impl From<Totals> for MonitoringTotals {
    fn from(t: Totals) -> Self {
        Self {
            remedies_open: t.remedies_open,
            remedies_overdue: t.remedies_overdue,
            remedies_done_on_time: t.remedies_done_on_time,
            remedies_done_late: t.remedies_done_late,
            evidence_outstanding: t.evidence_outstanding,
            money_owed_pence: t.money_owed_pence,
            money_paid_pence: t.money_paid_pence,
            actions_open: t.actions_open,
            actions_overdue: t.actions_overdue,
            actions_done: t.actions_done,
        }
    }
}

/// A remedy in the committee's view, with its complaint's references.
#[derive(SimpleObject)]
pub struct MonitoredRemedy {
    pub(super) remedy: Remedy,
    pub(super) lgsco_reference: Option<String>,
    pub(super) council_reference: Option<String>,
}

/// An improvement action in the committee's view, with its complaint's references (if any).
#[derive(SimpleObject)]
pub struct MonitoredAction {
    pub(super) action: ImprovementAction,
    pub(super) lgsco_reference: Option<String>,
    pub(super) council_reference: Option<String>,
}

/// The council's Ombudsman figures for a period: counts only, no rows.
#[derive(SimpleObject)]
pub struct ComplaintCounts {
    from: NaiveDate,
    to: NaiveDate,
    /// Ombudsman decisions dated in the period.
    decided: i64,
    /// Of those, fault found (with or without injustice).
    upheld: i64,
    /// Upheld as a share of decided (0 to 1); none when nothing was decided.
    upheld_rate: Option<f64>,
    /// Remedies due in the period.
    remedies_due: i64,
    /// Of those, completed on or before their due date.
    remedies_completed_on_time: i64,
    /// Remedies overdue on the period's last day.
    remedies_overdue_at_end: i64,
    /// Payments made in the period, in pence.
    money_paid_pence: i64,
}

impl ComplaintCounts {
    pub fn new(from: NaiveDate, to: NaiveDate, f: ComplaintFigures) -> Self {
        Self {
            from,
            to,
            decided: f.decided,
            upheld: f.upheld,
            upheld_rate: f.upheld_rate(),
            remedies_due: f.remedies_due,
            remedies_completed_on_time: f.remedies_completed_on_time,
            remedies_overdue_at_end: f.remedies_overdue_at_end,
            money_paid_pence: f.money_paid_pence,
        }
    }
}
