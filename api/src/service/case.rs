//! Cases: opening, the timeline, provision, evidence, closing, and the deadlines derived from
//! them on the council's school calendar.
//!
//! The timeline is append-only: every change to a case writes a `case_event`, and nothing here
//! updates or deletes one.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseReason, CaseStatus, ClosureReason, DutyDecision};
use entity::case_event::{self, CaseEventKind};
use entity::medical_evidence::{self, EvidenceSource};
use entity::provision::{self, ProvisionKind};
use entity::{child, school_closure, school_term};
use sea_orm::sea_query::{Expr, NullOrdering};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::Store;
use super::audit::{self, AuditActor};
use crate::domain::calendar::{SchoolCalendar, Term};
use crate::domain::clock;
use crate::domain::deadline::{self, AbsenceEpisode, DeadlineSettings, ProvisionWait};
use crate::error::{AppError, AppResult};
use crate::tenancy::{CouncilTxn, TenantScope};

/// A new case, fields validated.
#[derive(Clone, Debug)]
pub struct NewCase {
    pub child_id: Uuid,
    pub reason: CaseReason,
    pub absence_start: NaiveDate,
    pub council_notified_on: NaiveDate,
    pub council_reference: Option<String>,
}

/// Provision to start on a case.
#[derive(Clone, Debug)]
pub struct NewProvision {
    pub kind: ProvisionKind,
    pub provider: String,
    pub hours_per_week: f64,
    pub full_time: bool,
    pub reduced_reason: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

impl NewProvision {
    /// The rules a provision's own fields must meet: reduced provision needs its recorded
    /// health reason, and it cannot end before it starts.
    fn check(&self) -> AppResult<()> {
        if !self.full_time && self.reduced_reason.is_none() {
            return Err(AppError::bad_input(
                "reducedReason",
                "reduced provision needs the recorded health reason (s.19(3AA))",
            ));
        }
        if let Some(end) = self.end_date
            && end < self.start_date
        {
            return Err(AppError::bad_input(
                "endDate",
                "provision cannot end before it starts",
            ));
        }
        Ok(())
    }
}

/// Inserts provision on a case (checked with [`NewProvision::check`] first). A reason is kept
/// only for reduced provision.
async fn insert_provision(
    txn: &CouncilTxn,
    case_id: Uuid,
    new: NewProvision,
) -> AppResult<provision::Model> {
    txn.insert(provision::ActiveModel {
        // Stamped with the council's id by the scoped insert.
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        case_id: Set(case_id),
        kind: Set(new.kind),
        provider: Set(new.provider),
        hours_per_week: Set(new.hours_per_week),
        full_time: Set(new.full_time),
        reduced_reason: Set(if new.full_time {
            None
        } else {
            new.reduced_reason
        }),
        start_date: Set(new.start_date),
        end_date: Set(new.end_date),
    })
    .await
}

/// Medical evidence to add to a case.
#[derive(Clone, Debug)]
pub struct NewEvidence {
    pub source: EvidenceSource,
    pub category: String,
    pub evidence_date: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// Hours per week: more than 0, at most 40.
pub fn parse_hours(field: &str, hours: f64) -> AppResult<f64> {
    if hours.is_finite() && hours > 0.0 && hours <= 40.0 {
        Ok(hours)
    } else {
        Err(AppError::bad_input(
            field,
            "hours per week must be more than 0 and at most 40",
        ))
    }
}

/// A date that has happened: not after today.
pub fn parse_past_date(field: &str, date: NaiveDate, today: NaiveDate) -> AppResult<NaiveDate> {
    if date > today {
        Err(AppError::bad_input(field, "must not be in the future"))
    } else {
        Ok(date)
    }
}

/// A case with everything a caseworker sees on its page.
#[derive(Clone, Debug)]
pub struct CaseDetail {
    pub case: case::Model,
    pub child: child::Model,
    /// Loaded when asked for (`CaseParts::timeline`).
    pub timeline: Option<Timeline>,
    pub provisions: Vec<provision::Model>,
    pub evidence: Vec<medical_evidence::Model>,
    pub deadlines: Deadlines,
    /// The day the deadlines and the current provision are as of.
    pub today: NaiveDate,
}

/// What the deadlines say about a case today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// The school day provision is due by (cumulative across the academic year's episodes).
    pub provision_due_by: Option<NaiveDate>,
    pub school_days_without_provision: u32,
    pub overdue: bool,
    /// Provision started after the due date.
    pub late: bool,
    pub evidence_expires_soon: bool,
    /// True when the council has no calendar for the dates and weekdays minus bank holidays
    /// were used instead.
    pub approximate: bool,
}

/// A case's timeline and what follows from it.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Oldest first.
    pub events: Vec<case_event::Model>,
    /// The school day the next review is due by, counted from the last review held (or the
    /// absence start); none once the case is closed.
    pub next_review_due: Option<NaiveDate>,
}

/// Which parts of a case to load beyond the case itself, its child, provision and evidence.
/// A worklist page that shows no timeline need not read one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseParts {
    pub timeline: bool,
}

impl CaseParts {
    pub const ALL: Self = Self { timeline: true };

    /// Everything either needs.
    pub fn or(self, other: Self) -> Self {
        Self {
            timeline: self.timeline || other.timeline,
        }
    }
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
            tenant_id: Set(scope.council_id()),
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

/// Starts provision on an open case.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn start_provision(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
    new: NewProvision,
) -> AppResult<provision::Model> {
    new.check()?;
    let txn = store.council(scope).await?;
    let case = open_case(&txn, case_id).await?;
    if new.start_date < case.absence_start {
        return Err(AppError::bad_input(
            "startDate",
            "is before the absence started",
        ));
    }
    let start_date = new.start_date;
    let started = insert_provision(&txn, case_id, new).await?;
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::ProvisionStarted,
        start_date,
        Some(started.id),
    )
    .await?;
    refresh_deadlines(&txn, &[case.child_id]).await?;
    audit::record(&txn, actor, "provision.create", "provision", &[started.id]).await?;
    txn.commit().await?;
    Ok(started)
}

/// New terms for running provision, from `changed_on`: more or fewer hours, full-time or
/// reduced, another provider or kind.
#[derive(Clone, Debug)]
pub struct ProvisionChange {
    pub changed_on: NaiveDate,
    /// `None` keeps the current kind.
    pub kind: Option<ProvisionKind>,
    /// `None` keeps the current provider.
    pub provider: Option<String>,
    pub hours_per_week: f64,
    pub full_time: bool,
    pub reduced_reason: Option<String>,
}

/// Changes running provision from a day on: the current provision ends the day before and a new
/// one with the new terms carries on from `changed_on` (to the same end, if one was set), so the
/// hours a child had are kept for every period. The timeline records one "provision changed".
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), provision = %provision_id))]
pub async fn change_provision(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    provision_id: Uuid,
    change: ProvisionChange,
) -> AppResult<provision::Model> {
    let txn = store.council(scope).await?;
    let current = open_provision(&txn, provision_id).await?;
    if change.changed_on <= current.start_date {
        return Err(AppError::bad_input(
            "changedOn",
            format!(
                "must be after the provision started ({}); to correct the provision itself, end \
                 it and start another",
                current.start_date
            ),
        ));
    }
    if let Some(end) = current.end_date
        && change.changed_on > end
    {
        return Err(AppError::Conflict {
            field: Some("changedOn".into()),
            message: format!("this provision ended on {end}; start new provision instead"),
        });
    }
    let day_before = change
        .changed_on
        .pred_opt()
        .ok_or_else(|| AppError::bad_input("changedOn", "is not a usable date"))?;
    let continuing = NewProvision {
        kind: change.kind.unwrap_or(current.kind),
        provider: change.provider.unwrap_or_else(|| current.provider.clone()),
        hours_per_week: change.hours_per_week,
        full_time: change.full_time,
        reduced_reason: change.reduced_reason,
        start_date: change.changed_on,
        end_date: current.end_date,
    };
    continuing.check()?;
    let continued = insert_provision(&txn, current.case_id, continuing).await?;
    let case_id = current.case_id;
    let mut ended: provision::ActiveModel = current.into();
    ended.end_date = Set(Some(day_before));
    txn.update(ended, "provision").await?;
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::ProvisionChanged,
        change.changed_on,
        Some(continued.id),
    )
    .await?;
    // The case's first provision start, which its deadlines depend on, is unchanged: the new
    // provision starts after the old one did.
    audit::record(
        &txn,
        actor,
        "provision.change",
        "provision",
        &[provision_id, continued.id],
    )
    .await?;
    txn.commit().await?;
    Ok(continued)
}

/// Ends a provision.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), provision = %provision_id))]
pub async fn end_provision(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    provision_id: Uuid,
    end_date: NaiveDate,
) -> AppResult<provision::Model> {
    let txn = store.council(scope).await?;
    let current = open_provision(&txn, provision_id).await?;
    if current.end_date.is_some() {
        return Err(AppError::Conflict {
            field: None,
            message: "this provision has already ended".into(),
        });
    }
    if end_date < current.start_date {
        return Err(AppError::bad_input(
            "endDate",
            "provision cannot end before it starts",
        ));
    }
    let case_id = current.case_id;
    let mut row: provision::ActiveModel = current.into();
    row.end_date = Set(Some(end_date));
    let ended = txn.update(row, "provision").await?;
    audit::record(&txn, actor, "provision.end", "provision", &[provision_id]).await?;
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::ProvisionEnded,
        end_date,
        Some(provision_id),
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}

/// Records a review held on an open case.
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

/// Adds medical evidence to a case.
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
            tenant_id: Set(scope.council_id()),
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

/// One case with its child, timeline, provision, evidence and deadlines as of `today`.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn get(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
    today: NaiveDate,
) -> AppResult<CaseDetail> {
    let txn = store.council(scope).await?;
    let settings = &super::settings::load(&txn).await?;
    let calendar = &load_calendar(&txn).await?;
    let case = find(&txn, case_id).await?;
    let mut details =
        load_details(&txn, vec![case], CaseParts::ALL, settings, calendar, today).await?;
    txn.commit().await?;
    store
        .reads
        .record(scope, actor, "case.read", "case", &[case_id])
        .await?;
    details.pop().ok_or(AppError::NotFound("case"))
}

/// How to narrow a list of cases.
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub reason: Option<CaseReason>,
    pub overdue: Option<bool>,
    pub due_before: Option<NaiveDate>,
    pub year_group: Option<i32>,
    pub school_urn: Option<String>,
    pub sen_status: Option<child::SenStatus>,
}

/// How to order a list of cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// Soonest (or longest overdue) due date first; cases with no due date last.
    #[default]
    DueDate,
    /// Most school days without provision first.
    DaysWithoutProvision,
}

/// A page of the council's cases matching `filter`, with their details, ordered as asked, and
/// whether more follow.
///
/// Filtering on deadlines and ordering by due date happen in the store, on the due date and first
/// provision start the service keeps on each case, so the overdue worklist is one indexed query
/// however many cases the council has. Ordering by days without provision happens in the store
/// too: an expression over each case's stored running count and today's school-day number.
/// Only the page's cases have their details loaded, and only the parts `parts` asks for.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), first, offset))]
#[allow(clippy::too_many_arguments)]
pub async fn list(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    filter: &CaseFilter,
    order: CaseOrder,
    first: u64,
    offset: u64,
    parts: CaseParts,
    today: NaiveDate,
) -> AppResult<(Vec<CaseDetail>, bool)> {
    let txn = store.council(scope).await?;
    let settings = &super::settings::load(&txn).await?;
    let calendar = &load_calendar(&txn).await?;
    let mut query = txn.select::<case::Entity>();
    if let Some(status) = filter.status {
        query = query.filter(case::Column::Status.eq(status));
    }
    if let Some(reason) = filter.reason {
        query = query.filter(case::Column::Reason.eq(reason));
    }
    if let Some(overdue) = filter.overdue {
        let is_overdue = Condition::all()
            .add(case::Column::Status.eq(CaseStatus::Open))
            .add(case::Column::ProvisionDueBy.lt(today))
            .add(
                Condition::any()
                    .add(case::Column::ProvisionStartedOn.is_null())
                    .add(case::Column::ProvisionStartedOn.gt(today)),
            );
        query = query.filter(if overdue {
            is_overdue
        } else {
            is_overdue.not()
        });
    }
    if let Some(before) = filter.due_before {
        query = query.filter(case::Column::ProvisionDueBy.lt(before));
    }
    if filter.year_group.is_some() || filter.school_urn.is_some() || filter.sen_status.is_some() {
        let mut children = txn
            .select::<child::Entity>()
            .select_only()
            .column(child::Column::Id);
        if let Some(year_group) = filter.year_group {
            children = children.filter(child::Column::YearGroup.eq(year_group));
        }
        if let Some(urn) = &filter.school_urn {
            children = children.filter(child::Column::SchoolUrn.eq(urn.as_str()));
        }
        if let Some(sen) = filter.sen_status {
            children = children.filter(child::Column::SenStatus.eq(sen));
        }
        query = query.filter(case::Column::ChildId.in_subquery(children.into_query()));
    }
    let ordered = match order {
        // Cases with no due date yet come last: PostgreSQL's own order for an ascending index,
        // so the worklist index serves the ORDER BY without a sort.
        CaseOrder::DueDate => {
            query.order_by_with_nulls(case::Column::ProvisionDueBy, Order::Asc, NullOrdering::Last)
        }
        CaseOrder::DaysWithoutProvision => query.order_by(
            days_without_provision_on(deadline::school_day_number(calendar, today)),
            Order::Desc,
        ),
    };
    let mut cases = ordered
        .order_by_asc(case::Column::Id)
        .offset(offset)
        .limit(first + 1)
        .all(txn.conn())
        .await?;
    let has_next = cases.len() as u64 > first;
    cases.truncate(first as usize);
    let page = (
        load_details(&txn, cases, parts, settings, calendar, today).await?,
        has_next,
    );
    txn.commit().await?;
    let shown: Vec<Uuid> = page.0.iter().map(|d| d.case.id).collect();
    store
        .reads
        .record(scope, actor, "case.list", "case", &shown)
        .await?;
    Ok(page)
}

/// How many cases the worklist shows at most.
pub const WORKLIST_LIMIT: u64 = 200;

/// Open cases without provision that fall due within `school_days` school days of today
/// (including those already overdue), soonest first: a caseworker's worklist.
pub async fn due_soon(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    school_days: u32,
    parts: CaseParts,
    today: NaiveDate,
) -> AppResult<Vec<CaseDetail>> {
    let txn = store.council(scope).await?;
    let settings = &super::settings::load(&txn).await?;
    let calendar = &load_calendar(&txn).await?;
    let horizon = calendar
        .school_day_after(today, school_days)
        .unwrap_or(today);
    let cases = txn
        .select::<case::Entity>()
        .filter(case::Column::Status.eq(CaseStatus::Open))
        .filter(case::Column::ProvisionStartedOn.is_null())
        .filter(case::Column::ProvisionDueBy.lte(horizon))
        .order_by_asc(case::Column::ProvisionDueBy)
        .order_by_asc(case::Column::Id)
        .limit(WORKLIST_LIMIT)
        .all(txn.conn())
        .await?;
    let details = load_details(&txn, cases, parts, settings, calendar, today).await?;
    txn.commit().await?;
    let shown: Vec<Uuid> = details.iter().map(|d| d.case.id).collect();
    store
        .reads
        .record(scope, actor, "case.list", "case", &shown)
        .await?;
    Ok(details)
}

/// The SQL for [`ProvisionWait::days_on`] over a case's stored `wait_*` columns, on the school
/// day numbered `today`: the same arithmetic, so the database ranks cases exactly as the
/// service counts them. `today` is an integer the service computed, never caller text.
fn days_without_provision_on(today: i32) -> Expr {
    let counted_to =
        format!("(CASE WHEN wait_runs_until < {today} THEN wait_runs_until ELSE {today} END)");
    Expr::cust(format!(
        "(COALESCE(wait_days, 0) + CASE WHEN {counted_to} > COALESCE(wait_as_of, 0) \
         THEN {counted_to} - COALESCE(wait_as_of, 0) ELSE 0 END)"
    ))
}

/// What is stored on a case so the database can find and rank cases by their deadlines:
/// recomputed whenever something it depends on changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredDeadlines {
    pub provision_due_by: Option<NaiveDate>,
    pub provision_started_on: Option<NaiveDate>,
    pub wait: ProvisionWait,
}

impl StoredDeadlines {
    /// As computed for `case` on `calendar` today.
    pub(crate) fn compute(
        calendar: &SchoolCalendar,
        settings: &DeadlineSettings,
        case: &case::Model,
        episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
        provision_started_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        Self {
            provision_due_by: due_by(calendar, settings, case, episodes),
            provision_started_on,
            wait: ProvisionWait::as_of(
                calendar,
                &episodes_for(case, episodes),
                provision_started_on,
                today,
            ),
        }
    }

    /// As stored on `case`, if they have been computed.
    fn stored(case: &case::Model) -> Option<Self> {
        Some(Self {
            provision_due_by: case.provision_due_by,
            provision_started_on: case.provision_started_on,
            wait: ProvisionWait {
                days_then: case.wait_days?,
                as_of: case.wait_as_of?,
                runs_until: case.wait_runs_until,
            },
        })
    }

    /// Writes these onto a case about to be inserted.
    pub(crate) fn apply(&self, case: &mut case::Model) {
        case.provision_due_by = self.provision_due_by;
        case.provision_started_on = self.provision_started_on;
        case.wait_days = Some(self.wait.days_then);
        case.wait_as_of = Some(self.wait.as_of);
        case.wait_runs_until = self.wait.runs_until;
    }
}

/// Recomputes and stores the deadlines of every case of these children (see
/// [`StoredDeadlines`]): called whenever something they depend on changes (a case opened or
/// closed, provision started, the calendar or the council's settings replaced).
pub(crate) async fn refresh_deadlines(txn: &CouncilTxn, child_ids: &[Uuid]) -> AppResult<()> {
    let calendar = load_calendar(txn).await?;
    let settings = super::settings::load(txn).await?;
    let today = clock::today();
    let mut cases = Vec::new();
    for chunk in child_ids.chunks(1_000) {
        cases.extend(
            txn.select::<case::Entity>()
                .filter(case::Column::ChildId.is_in(chunk.iter().copied()))
                .all(txn.conn())
                .await?,
        );
    }
    let mut first_start: HashMap<Uuid, NaiveDate> = HashMap::new();
    let case_ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    for chunk in case_ids.chunks(1_000) {
        for provision in txn
            .select::<provision::Entity>()
            .filter(provision::Column::CaseId.is_in(chunk.iter().copied()))
            .all(txn.conn())
            .await?
        {
            let start = first_start
                .entry(provision.case_id)
                .or_insert(provision.start_date);
            *start = Ord::min(*start, provision.start_date);
        }
    }
    let episodes = episodes_by_child(&cases);
    for case in &cases {
        let started = first_start.get(&case.id).copied();
        let fresh = StoredDeadlines::compute(&calendar, &settings, case, &episodes, started, today);
        if StoredDeadlines::stored(case) != Some(fresh) {
            txn.update_many::<case::Entity>(case::Column::Id.eq(case.id))
                .col_expr(
                    case::Column::ProvisionDueBy,
                    Expr::value(fresh.provision_due_by),
                )
                .col_expr(
                    case::Column::ProvisionStartedOn,
                    Expr::value(fresh.provision_started_on),
                )
                .col_expr(case::Column::WaitDays, Expr::value(fresh.wait.days_then))
                .col_expr(case::Column::WaitAsOf, Expr::value(fresh.wait.as_of))
                .col_expr(
                    case::Column::WaitRunsUntil,
                    Expr::value(fresh.wait.runs_until),
                )
                .exec(txn.conn())
                .await?;
        }
    }
    Ok(())
}

/// Computes the stored deadlines of cases that have none yet (rows from before a migration
/// added a column), council by council. Run at start, before serving; one small query per
/// council when there is nothing to do. Returns how many councils needed it.
pub async fn fill_missing_deadlines(store: &Store) -> AppResult<u64> {
    // Councils are shared reference data; their cases are reached only through each council's
    // own transaction (row-level security binds the owner too, so no query sees them all).
    let councils: Vec<Uuid> = entity::council::Entity::find()
        .select_only()
        .column(entity::council::Column::Id)
        .into_tuple()
        .all(&store.db)
        .await?;
    let mut filled = 0;
    for council in councils {
        let txn = store.council(TenantScope::for_council(council)).await?;
        let missing = txn
            .select::<case::Entity>()
            .filter(case::Column::WaitAsOf.is_null())
            .one(txn.conn())
            .await?;
        if missing.is_some() {
            refresh_all_deadlines(&txn).await?;
            filled += 1;
        }
        txn.commit().await?;
    }
    Ok(filled)
}

/// Recomputes every case of the council: after a change that moves every due date (the
/// calendar, the council's deadline settings).
pub(crate) async fn refresh_all_deadlines(txn: &CouncilTxn) -> AppResult<()> {
    let children: Vec<Uuid> = txn
        .select::<case::Entity>()
        .select_only()
        .column(case::Column::ChildId)
        .distinct()
        .into_tuple::<Uuid>()
        .all(txn.conn())
        .await?;
    refresh_deadlines(txn, &children).await
}

/// Each child's absence episodes, split by whether they are permanent exclusions (which have
/// their own deadline and do not add to health and other absences).
pub(crate) fn episodes_by_child(
    cases: &[case::Model],
) -> HashMap<(Uuid, bool), Vec<AbsenceEpisode>> {
    let mut episodes: HashMap<(Uuid, bool), Vec<AbsenceEpisode>> = HashMap::new();
    for case in cases {
        if let Ok(episode) = AbsenceEpisode::new(case.absence_start, case.closed_on) {
            let exclusion = case.reason == CaseReason::PermanentExclusion;
            episodes
                .entry((case.child_id, exclusion))
                .or_default()
                .push(episode);
        }
    }
    episodes
}

/// The episodes that count towards `case`: its own and the child's earlier ones of the same
/// kind (a later episode must not move an earlier case's deadline).
fn episodes_for(
    case: &case::Model,
    episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
) -> Vec<AbsenceEpisode> {
    let exclusion = case.reason == CaseReason::PermanentExclusion;
    episodes
        .get(&(case.child_id, exclusion))
        .map(|all| {
            all.iter()
                .copied()
                .filter(|e| e.start <= case.absence_start)
                .collect()
        })
        .unwrap_or_default()
}

/// The due date of `case` on `calendar`, counting the child's earlier episodes of the same kind.
pub(crate) fn due_by(
    calendar: &SchoolCalendar,
    settings: &DeadlineSettings,
    case: &case::Model,
    episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
) -> Option<NaiveDate> {
    let rule = if case.reason == CaseReason::PermanentExclusion {
        settings.permanent_exclusion_rule()
    } else {
        settings.health_and_other_rule()
    };
    deadline::provision_due_by(calendar, &episodes_for(case, episodes), rule)
}

/// The council's school calendar: its terms and closures, or the fallback when it has none.
pub async fn load_calendar(txn: &CouncilTxn) -> AppResult<SchoolCalendar> {
    let terms = txn
        .select::<school_term::Entity>()
        .order_by_asc(school_term::Column::StartsOn)
        .all(txn.conn())
        .await?;
    if terms.is_empty() {
        return Ok(SchoolCalendar::fallback());
    }
    let closures: BTreeSet<NaiveDate> = txn
        .select::<school_closure::Entity>()
        .all(txn.conn())
        .await?
        .into_iter()
        .map(|c| c.closed_on)
        .collect();
    let terms = terms
        .into_iter()
        .map(|t| Term {
            start: t.starts_on,
            end: t.ends_on,
        })
        .collect();
    SchoolCalendar::from_terms(terms, closures)
        .map_err(|why| AppError::internal(anyhow::anyhow!(why)))
}

/// Loads children, events, provision and evidence for `cases` in a fixed number of queries,
/// however many cases there are, and derives each case's deadlines.
async fn load_details(
    txn: &CouncilTxn,
    cases: Vec<case::Model>,
    parts: CaseParts,
    settings: &DeadlineSettings,
    calendar: &SchoolCalendar,
    today: NaiveDate,
) -> AppResult<Vec<CaseDetail>> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let case_ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    let child_ids: Vec<Uuid> = cases
        .iter()
        .map(|c| c.child_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let children: HashMap<Uuid, child::Model> = txn
        .select::<child::Entity>()
        .filter(child::Column::Id.is_in(child_ids.clone()))
        .all(txn.conn())
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    // The due date and days without provision are stored on each case (see `StoredDeadlines`);
    // only a case stored before they existed needs every case of its child, whose earlier
    // episodes count towards the cumulative 15 days.
    let episodes = if cases.iter().all(|c| StoredDeadlines::stored(c).is_some()) {
        HashMap::new()
    } else {
        let siblings = txn
            .select::<case::Entity>()
            .filter(case::Column::ChildId.is_in(child_ids))
            .all(txn.conn())
            .await?;
        episodes_by_child(&siblings)
    };
    let mut events = if parts.timeline {
        Some(group(
            txn.select::<case_event::Entity>()
                .filter(case_event::Column::CaseId.is_in(case_ids.clone()))
                .order_by_asc(case_event::Column::OccurredOn)
                .order_by_asc(case_event::Column::Id)
                .all(txn.conn())
                .await?,
            |e| e.case_id,
        ))
    } else {
        None
    };
    let mut provisions = group(
        txn.select::<provision::Entity>()
            .filter(provision::Column::CaseId.is_in(case_ids.clone()))
            .order_by_asc(provision::Column::StartDate)
            .all(txn.conn())
            .await?,
        |p| p.case_id,
    );
    let mut evidence = group(
        txn.select::<medical_evidence::Entity>()
            .filter(medical_evidence::Column::CaseId.is_in(case_ids))
            .order_by_asc(medical_evidence::Column::EvidenceDate)
            .all(txn.conn())
            .await?,
        |e| e.case_id,
    );
    let mut details = Vec::with_capacity(cases.len());
    for case in cases {
        let child = children
            .get(&case.child_id)
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("case without its child")))?;
        let timeline = events.as_mut().map(|events| {
            let events = events.remove(&case.id).unwrap_or_default();
            Timeline {
                next_review_due: next_review_due(&case, &events, settings, calendar),
                events,
            }
        });
        let provisions = provisions.remove(&case.id).unwrap_or_default();
        let evidence = evidence.remove(&case.id).unwrap_or_default();
        let child_episodes = episodes_for(&case, &episodes);
        let deadlines = derive(
            calendar,
            &case,
            &child_episodes,
            &provisions,
            &evidence,
            settings,
            today,
        );
        details.push(CaseDetail {
            case,
            child,
            timeline,
            provisions,
            evidence,
            deadlines,
            today,
        });
    }
    Ok(details)
}

#[allow(clippy::too_many_arguments)]
fn derive(
    calendar: &SchoolCalendar,
    case: &case::Model,
    episodes: &[AbsenceEpisode],
    provisions: &[provision::Model],
    evidence: &[medical_evidence::Model],
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Deadlines {
    let rule = if case.reason == CaseReason::PermanentExclusion {
        settings.permanent_exclusion_rule()
    } else {
        settings.health_and_other_rule()
    };
    let provision_start = provisions.iter().map(|p| p.start_date).min();
    let (due, school_days_without_provision) = match StoredDeadlines::stored(case) {
        Some(stored) => (
            stored.provision_due_by,
            u32::try_from(
                stored
                    .wait
                    .days_on(deadline::school_day_number(calendar, today)),
            )
            .unwrap_or(0),
        ),
        None => (
            deadline::provision_due_by(calendar, episodes, rule),
            deadline::school_days_without_provision(calendar, episodes, provision_start, today),
        ),
    };
    let open = case.status == CaseStatus::Open;
    let latest_evidence = evidence.iter().max_by_key(|e| e.evidence_date);
    Deadlines {
        provision_due_by: due,
        school_days_without_provision,
        overdue: open && deadline::is_overdue(due, provision_start, today),
        late: deadline::is_late(due, provision_start),
        evidence_expires_soon: open
            && latest_evidence.is_some_and(|e| {
                deadline::evidence_expires_soon(
                    e.valid_until,
                    today,
                    settings.evidence_warning_days,
                )
            }),
        approximate: calendar.is_approximate(),
    }
}

/// The next review is due a set number of school days after the last one held, or after the
/// absence started when none has been; a closed case needs none.
fn next_review_due(
    case: &case::Model,
    events: &[case_event::Model],
    settings: &DeadlineSettings,
    calendar: &SchoolCalendar,
) -> Option<NaiveDate> {
    if case.status != CaseStatus::Open {
        return None;
    }
    let last_review = events
        .iter()
        .filter(|e| e.kind == CaseEventKind::ReviewHeld)
        .map(|e| e.occurred_on)
        .max()
        .unwrap_or(case.absence_start);
    deadline::next_review_due(last_review, settings.review_interval_school_days, calendar)
}

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(key(&row)).or_default().push(row);
    }
    grouped
}

async fn find(txn: &CouncilTxn, case_id: Uuid) -> AppResult<case::Model> {
    txn.select::<case::Entity>()
        .filter(case::Column::Id.eq(case_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("case"))
}

/// The provision, if it is the council's and its case is still open (else NOT_FOUND, or
/// CONFLICT for a closed case).
async fn open_provision(txn: &CouncilTxn, provision_id: Uuid) -> AppResult<provision::Model> {
    let provision = txn
        .select::<provision::Entity>()
        .filter(provision::Column::Id.eq(provision_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("provision"))?;
    open_case(txn, provision.case_id).await?;
    Ok(provision)
}

/// The case, if it is the council's and still open; changing a closed case is a CONFLICT.
async fn open_case(txn: &CouncilTxn, case_id: Uuid) -> AppResult<case::Model> {
    let case = find(txn, case_id).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::Conflict {
            field: None,
            message: "this case is closed; reopen it by opening a new case".into(),
        });
    }
    Ok(case)
}

async fn append(
    txn: &CouncilTxn,
    actor: &AuditActor,
    case_id: Uuid,
    kind: CaseEventKind,
    occurred_on: NaiveDate,
    provision_id: Option<Uuid>,
) -> AppResult<()> {
    txn.insert(case_event::ActiveModel {
        // Stamped with the council's id by the scoped insert.
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        case_id: Set(case_id),
        kind: Set(kind),
        occurred_on: Set(occurred_on),
        recorded_at: Set(Utc::now()),
        recorded_by: Set(actor.subject.clone()),
        provision_id: Set(provision_id),
    })
    .await?;
    Ok(())
}
