use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Lookahead, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{case_event, medical_evidence, provision};

use super::child::{Child, SenStatus};
use super::context;
use crate::auth::CASEWORK;
use crate::domain::clock;
use crate::error::AppError;
use crate::service::audit::AuditActor;
use crate::service::case::{
    self as cases, CaseDetail, CaseFilter, CaseOrder, CaseParts, NewCase, NewEvidence, NewProvision,
};
use crate::tenancy::TenantScope;

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
}

impl Case {
    /// The timeline, which `parts` loaded whenever the query asks for a field that needs it.
    fn loaded_timeline(&self) -> Result<&cases::Timeline, AppError> {
        self.0.timeline.as_ref().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "a case's timeline was asked for but not loaded"
            ))
        })
    }
}

/// The parts of a case a query's selection needs, looked ahead from `case` (the selection of
/// one case): the timeline only when `timeline` or `nextReviewDue` is asked for.
fn parts(case: Lookahead<'_>) -> CaseParts {
    CaseParts {
        timeline: case.field("timeline").exists() || case.field("nextReviewDue").exists(),
    }
}

/// How to narrow the list of cases.
#[derive(InputObject, Default)]
pub struct CaseFilterInput {
    status: Option<CaseStatus>,
    reason: Option<CaseReason>,
    overdue: Option<bool>,
    /// Provision due strictly before this date.
    due_before: Option<NaiveDate>,
    year_group: Option<i32>,
    school_urn: Option<String>,
    sen_status: Option<SenStatus>,
}

/// A new case.
#[derive(InputObject)]
pub struct OpenCaseInput {
    child_id: ID,
    reason: CaseReason,
    /// The first day of absence (or of the exclusion).
    absence_start: NaiveDate,
    /// The day the council was told; defaults to the absence start.
    council_notified_on: Option<NaiveDate>,
    council_reference: Option<String>,
}

/// Provision to start.
#[derive(InputObject)]
pub struct StartProvisionInput {
    case_id: ID,
    kind: ProvisionKind,
    provider: String,
    hours_per_week: f64,
    /// False for reduced (part-time) provision, which needs `reducedReason`.
    full_time: bool,
    /// The recorded health reason for reduced provision (s.19(3AA)).
    reduced_reason: Option<String>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
}

/// New terms for running provision from a given day.
#[derive(InputObject)]
pub struct ChangeProvisionInput {
    provision_id: ID,
    /// The first day on the new terms; the current provision ends the day before.
    changed_on: NaiveDate,
    /// Leave out to keep the current kind.
    kind: Option<ProvisionKind>,
    /// Leave out to keep the current provider.
    provider: Option<String>,
    hours_per_week: f64,
    /// False for reduced (part-time) provision, which needs `reducedReason`.
    full_time: bool,
    /// The recorded health reason for reduced provision (s.19(3AA)).
    reduced_reason: Option<String>,
}

/// Medical evidence to add.
#[derive(InputObject)]
pub struct AddMedicalEvidenceInput {
    case_id: ID,
    source: EvidenceSource,
    category: String,
    evidence_date: NaiveDate,
    valid_until: Option<NaiveDate>,
}

fn actor(ctx: &Context<'_>) -> Result<AuditActor, AppError> {
    Ok(context::principal(ctx)?.audit_actor())
}

/// The case as the caller sees it now: after a change, or when asked for (an audited read).
async fn reload(
    ctx: &Context<'_>,
    scope: TenantScope,
    case_id: uuid::Uuid,
) -> Result<Case, AppError> {
    Ok(Case(
        cases::get(
            context::store(ctx)?,
            scope,
            &actor(ctx)?,
            case_id,
            clock::today(),
        )
        .await?,
    ))
}

fn text(field: &str, value: String, max: usize) -> Result<String, AppError> {
    crate::domain::child::parse_text(field, &value, max)
}

/// Cases: caseworkers and managers only.
#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// The council's cases, ordered by due date (default) or days without provision.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity + 1")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        filter: Option<CaseFilterInput>,
        order_by: Option<CaseOrderBy>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Case>, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let first = context::page_size(first, context::limits(ctx)?)? as usize;
        let offset = match after {
            Some(cursor) => decode_offset(&cursor)? + 1,
            None => 0,
        };
        let filter = filter.unwrap_or_default();
        let filter = CaseFilter {
            status: filter.status.map(Into::into),
            reason: filter.reason.map(Into::into),
            overdue: filter.overdue,
            due_before: filter.due_before,
            year_group: filter.year_group,
            school_urn: filter.school_urn,
            sen_status: filter.sen_status.map(Into::into),
        };
        let order = match order_by.unwrap_or_default() {
            CaseOrderBy::DueDate => CaseOrder::DueDate,
            CaseOrderBy::DaysWithoutProvision => CaseOrder::DaysWithoutProvision,
        };
        let (page, has_next) = cases::list(
            context::store(ctx)?,
            scope,
            &actor(ctx)?,
            &filter,
            order,
            first as u64,
            offset as u64,
            parts(ctx.look_ahead().field("edges").field("node"))
                .or(parts(ctx.look_ahead().field("nodes"))),
            clock::today(),
        )
        .await?;
        let mut connection = Connection::new(offset > 0, has_next);
        connection.edges.extend(
            page.into_iter()
                .enumerate()
                .map(|(index, detail)| Edge::new(encode_offset(offset + index), Case(detail))),
        );
        Ok(connection)
    }

    /// One of the council's cases; any other id is NOT_FOUND.
    async fn case(&self, ctx: &Context<'_>, id: ID) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let id = context::parse_id("id", &id)?;
        reload(ctx, scope, id).await
    }

    /// A caseworker's worklist: open cases without provision due within `withinSchoolDays`
    /// school days (overdue ones included), soonest first.
    async fn cases_due_soon(
        &self,
        ctx: &Context<'_>,
        within_school_days: i32,
    ) -> Result<Vec<Case>, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let within = u32::try_from(within_school_days)
            .ok()
            .filter(|days| *days <= 190)
            .ok_or_else(|| AppError::bad_input("withinSchoolDays", "must be between 0 and 190"))?;
        let due = cases::due_soon(
            context::store(ctx)?,
            scope,
            &actor(ctx)?,
            within,
            parts(ctx.look_ahead()),
            clock::today(),
        )
        .await?;
        Ok(due.into_iter().map(Case).collect())
    }
}

/// Changing cases: caseworkers and managers only.
#[derive(Default)]
pub struct CaseMutation;

#[Object]
impl CaseMutation {
    /// Opens a case for a child, with the referral on its timeline.
    async fn open_case(&self, ctx: &Context<'_>, input: OpenCaseInput) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let today = clock::today();
        let absence_start = cases::parse_past_date("absenceStart", input.absence_start, today)?;
        let new = NewCase {
            child_id: context::parse_id("childId", &input.child_id)?,
            reason: input.reason.into(),
            absence_start,
            council_notified_on: cases::parse_past_date(
                "councilNotifiedOn",
                input.council_notified_on.unwrap_or(absence_start),
                today,
            )?,
            council_reference: input
                .council_reference
                .map(|r| crate::domain::child::parse_council_reference("councilReference", &r))
                .transpose()?,
        };
        let store = context::store(ctx)?;
        let opened = cases::open(store, scope, &actor(ctx)?, new).await?;
        reload(ctx, scope, opened.id).await
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
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let case_id = context::parse_id("caseId", &case_id)?;
        let decided_on = cases::parse_past_date("decidedOn", decided_on, clock::today())?;
        let reason = reason.map(|r| text("reason", r, 500)).transpose()?;
        let store = context::store(ctx)?;
        cases::decide(
            store,
            scope,
            &actor(ctx)?,
            case_id,
            accepted,
            reason,
            decided_on,
        )
        .await?;
        reload(ctx, scope, case_id).await
    }

    /// Starts provision. Reduced provision needs its recorded health reason.
    async fn start_provision(
        &self,
        ctx: &Context<'_>,
        input: StartProvisionInput,
    ) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let case_id = context::parse_id("caseId", &input.case_id)?;
        let new = NewProvision {
            kind: input.kind.into(),
            provider: text("provider", input.provider, 200)?,
            hours_per_week: cases::parse_hours("hoursPerWeek", input.hours_per_week)?,
            full_time: input.full_time,
            reduced_reason: input
                .reduced_reason
                .map(|r| text("reducedReason", r, 500))
                .transpose()?,
            start_date: input.start_date,
            end_date: input.end_date,
        };
        let store = context::store(ctx)?;
        cases::start_provision(store, scope, &actor(ctx)?, case_id, new).await?;
        reload(ctx, scope, case_id).await
    }

    /// Changes running provision from `changedOn`: hours, full-time or reduced, provider or
    /// kind. The provision so far ends the day before and the new terms carry on from that day,
    /// so each period keeps its hours; the timeline records "provision changed".
    async fn change_provision(
        &self,
        ctx: &Context<'_>,
        input: ChangeProvisionInput,
    ) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let provision_id = context::parse_id("provisionId", &input.provision_id)?;
        let change = cases::ProvisionChange {
            changed_on: input.changed_on,
            kind: input.kind.map(Into::into),
            provider: input
                .provider
                .map(|p| text("provider", p, 200))
                .transpose()?,
            hours_per_week: cases::parse_hours("hoursPerWeek", input.hours_per_week)?,
            full_time: input.full_time,
            reduced_reason: input
                .reduced_reason
                .map(|r| text("reducedReason", r, 500))
                .transpose()?,
        };
        let store = context::store(ctx)?;
        let changed =
            cases::change_provision(store, scope, &actor(ctx)?, provision_id, change).await?;
        reload(ctx, scope, changed.case_id).await
    }

    /// Ends a provision.
    async fn end_provision(
        &self,
        ctx: &Context<'_>,
        provision_id: ID,
        end_date: NaiveDate,
    ) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let provision_id = context::parse_id("provisionId", &provision_id)?;
        let store = context::store(ctx)?;
        let ended =
            cases::end_provision(store, scope, &actor(ctx)?, provision_id, end_date).await?;
        reload(ctx, scope, ended.case_id).await
    }

    /// Records a review held on the case.
    async fn record_review(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        held_on: NaiveDate,
    ) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let case_id = context::parse_id("caseId", &case_id)?;
        let held_on = cases::parse_past_date("heldOn", held_on, clock::today())?;
        let store = context::store(ctx)?;
        cases::record_review(store, scope, &actor(ctx)?, case_id, held_on).await?;
        reload(ctx, scope, case_id).await
    }

    /// Adds time-limited medical evidence.
    async fn add_medical_evidence(
        &self,
        ctx: &Context<'_>,
        input: AddMedicalEvidenceInput,
    ) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let case_id = context::parse_id("caseId", &input.case_id)?;
        let new = NewEvidence {
            source: input.source.into(),
            category: text("category", input.category, 100)?,
            evidence_date: cases::parse_past_date(
                "evidenceDate",
                input.evidence_date,
                clock::today(),
            )?,
            valid_until: input.valid_until,
        };
        let store = context::store(ctx)?;
        cases::add_evidence(store, scope, &actor(ctx)?, case_id, new).await?;
        reload(ctx, scope, case_id).await
    }

    /// Closes the case, ending any running provision that day.
    async fn close_case(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        reason: ClosureReason,
        closed_on: NaiveDate,
    ) -> Result<Case, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        let case_id = context::parse_id("caseId", &case_id)?;
        let closed_on = cases::parse_past_date("closedOn", closed_on, clock::today())?;
        let store = context::store(ctx)?;
        cases::close(
            store,
            scope,
            &actor(ctx)?,
            case_id,
            reason.into(),
            closed_on,
        )
        .await?;
        reload(ctx, scope, case_id).await
    }
}

fn encode_offset(index: usize) -> String {
    context::encode_cursor(uuid::Uuid::from_u128(index as u128))
}

fn decode_offset(cursor: &str) -> Result<usize, AppError> {
    usize::try_from(context::decode_cursor("after", cursor)?.as_u128())
        .map_err(|_| AppError::bad_input("after", "is not a cursor from this API"))
}
