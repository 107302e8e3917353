//! Reading cases: one case's page, a filtered and ordered page of the council's cases, and a
//! caseworker's worklist. Every read is recorded in the audit log; each loads its cases' details
//! in a fixed number of queries however many cases there are.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use entity::case::{self, CaseReason, CaseStatus};
use entity::{case_event, child, medical_evidence, provision};
use migration::{CASE_DUE_KEY, CASE_WAIT_RUNNING_KEY, CASE_WAIT_STOPPED_KEY};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use uuid::Uuid;

use super::deadline::{
    CouncilRules, DeadlineBasis, Deadlines, StoredDeadlines, derive, episodes_by_child,
    episodes_for, next_review_due,
};
use super::record::find;
use crate::domain::deadline::school_day_number;
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::AuditActor;
use crate::tenancy::{CouncilTxn, TenantScope};

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
    let rules = CouncilRules::load(&txn).await?;
    let basis = rules.on(today);
    let case = find(&txn, case_id).await?;
    let mut details = load_details(&txn, vec![case], CaseParts::ALL, basis).await?;
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

/// Where a page of cases starts: right after this case, in the listing's order (keyset
/// pagination: no offset, no count, page 1,000 costs what page 1 costs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasePosition {
    /// By due date: the case's stored due date (none sorts after every date) and its id.
    Due { due: Option<NaiveDate>, id: Uuid },
    /// By school days without provision: the ranking's school-day number (a walk keeps the day
    /// it started on, so a page turned after midnight neither skips nor repeats a case), the
    /// case's count on that day, and its id.
    Waiting { day: i32, days: i64, id: Uuid },
}

/// Which page of the council's cases to list, and how.
#[derive(Clone, Debug)]
pub struct CaseListing {
    pub filter: CaseFilter,
    pub order: CaseOrder,
    /// At most this many cases.
    pub first: u64,
    /// The last case of the previous page, in this order; none for the first page.
    pub after: Option<CasePosition>,
    pub parts: CaseParts,
    /// The day deadlines are counted to.
    pub today: NaiveDate,
}

/// A page of cases, each with where the next page would start after it.
pub type CasePage = (Vec<(CaseDetail, CasePosition)>, bool);

/// A page of the council's cases matching the listing's filter, with their details, ordered as
/// asked, and whether more follow.
///
/// Every order is served by an index leading with the council (migration
/// `m20261202_000011_keyset_indexes`), and pages continue from the last case's key rather than
/// an offset, so the database reads about one page's rows whatever the page:
/// - by due date: one statement over the due-date key;
/// - by days without provision: the cases whose count still runs on the ranking day rank by a
///   key that does not change from day to day, the cases whose count stopped by the count they
///   stopped at; one statement over each index, merged here.
///
/// Only the page's cases have their details loaded, and only the parts `parts` asks for.
#[tracing::instrument(
    skip_all,
    fields(council = %scope.council_id(), first = listing.first, after = listing.after.is_some())
)]
pub async fn list(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    listing: &CaseListing,
) -> AppResult<CasePage> {
    let txn = store.council(scope).await?;
    let rules = CouncilRules::load(&txn).await?;
    let basis = rules.on(listing.today);
    let query = filtered(&txn, &listing.filter, listing.today);
    let limit = listing.first + 1;
    let mut rows: Vec<(case::Model, CasePosition)> = match (listing.order, listing.after) {
        (CaseOrder::DueDate, after) => {
            let after = match after {
                None => None,
                Some(CasePosition::Due { due, id }) => Some((due, id)),
                Some(CasePosition::Waiting { .. }) => return Err(other_order()),
            };
            page_by_due(&txn, query, after, limit).await?
        }
        (CaseOrder::DaysWithoutProvision, after) => {
            let (day, after) = match after {
                None => (school_day_number(&rules.calendar, listing.today), None),
                Some(CasePosition::Waiting { day, days, id }) => (day, Some((days, id))),
                Some(CasePosition::Due { .. }) => return Err(other_order()),
            };
            page_by_wait(&txn, query, day, after, limit).await?
        }
    };
    let has_next = rows.len() as u64 > listing.first;
    rows.truncate(usize::try_from(listing.first).unwrap_or(usize::MAX));
    let (cases, positions): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
    let details = load_details(&txn, cases, listing.parts, basis).await?;
    txn.commit().await?;
    let shown: Vec<Uuid> = details.iter().map(|d| d.case.id).collect();
    store
        .reads
        .record(scope, actor, "case.list", "case", &shown)
        .await?;
    Ok((details.into_iter().zip(positions).collect(), has_next))
}

fn other_order() -> AppError {
    AppError::bad_input("after", "is a cursor of another order of this list")
}

/// The council's cases narrowed by `filter`, unordered.
fn filtered(txn: &CouncilTxn, filter: &CaseFilter, today: NaiveDate) -> Select<case::Entity> {
    let mut query = txn.select::<case::Entity>();
    if let Some(status) = filter.status {
        query = query.filter(case::Column::Status.eq(status));
    }
    if let Some(reason) = filter.reason {
        query = query.filter(case::Column::Reason.eq(reason));
    }
    // Deadline filters compare the due-date key, so that a page by due date finds its range in
    // the index; a case with no due date (the key sorts after every date) is neither overdue
    // nor due before any date the hub accepts.
    let due_key = || Expr::cust(CASE_DUE_KEY);
    if let Some(overdue) = filter.overdue {
        let is_overdue = Condition::all()
            .add(case::Column::Status.eq(CaseStatus::Open))
            .add(due_key().lt(today))
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
        query = query.filter(due_key().lt(before));
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
    query
}

/// The sentinel the due-date key gives a case with no due date (see [`CASE_DUE_KEY`]).
fn no_due_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Up to `limit` cases by due date (none last), then id, after `after`.
async fn page_by_due(
    txn: &CouncilTxn,
    query: Select<case::Entity>,
    after: Option<(Option<NaiveDate>, Uuid)>,
    limit: u64,
) -> AppResult<Vec<(case::Model, CasePosition)>> {
    let mut query = query;
    if let Some((due, id)) = after {
        query = query.filter(
            Expr::tuple([Expr::cust(CASE_DUE_KEY), Expr::col(case::Column::Id)]).gt(Expr::tuple([
                Expr::value(due.unwrap_or_else(no_due_date)),
                Expr::value(id),
            ])),
        );
    }
    let cases = query
        .order_by(Expr::cust(CASE_DUE_KEY), Order::Asc)
        .order_by_asc(case::Column::Id)
        .limit(limit)
        .all(txn.conn())
        .await?;
    Ok(cases
        .into_iter()
        .map(|case| {
            let position = CasePosition::Due {
                due: case.provision_due_by,
                id: case.id,
            };
            (case, position)
        })
        .collect())
}

/// A case's count of school days without provision on the day numbered `day`, as the ranking
/// keys see it: `day` plus the running key while the count runs, else the count it stopped at
/// (both [`ProvisionWait::days_on`](crate::domain::deadline::ProvisionWait::days_on) for any
/// count stored on or before `day`). The second value says whether it still runs.
fn wait_key(case: &case::Model, day: i32) -> (i64, bool) {
    let days = i64::from(case.wait_days.unwrap_or(0));
    let as_of = i64::from(case.wait_as_of.unwrap_or(0));
    match case.wait_runs_until {
        Some(until) if until < day => (days + Ord::max(i64::from(until) - as_of, 0), false),
        _ => (days - as_of + i64::from(day), true),
    }
}

/// Up to `limit` cases, most school days without provision on the day numbered `day` first,
/// then id, after `after` (a count and an id).
///
/// Two index scans: cases whose count still runs on `day` (no end, or an end not before it),
/// ranked by [`CASE_WAIT_RUNNING_KEY`] (their count less `day`), and cases whose count stopped,
/// ranked by [`CASE_WAIT_STOPPED_KEY`]; each returns at most `limit`, and the two are merged.
/// (A count stored after `day`, possible only for a walk started the day before, ranks a few
/// places low that day; the count shown is exact.)
async fn page_by_wait(
    txn: &CouncilTxn,
    query: Select<case::Entity>,
    day: i32,
    after: Option<(i64, Uuid)>,
    limit: u64,
) -> AppResult<Vec<(case::Model, CasePosition)>> {
    let runs = Condition::any()
        .add(case::Column::WaitRunsUntil.is_null())
        .add(case::Column::WaitRunsUntil.gte(day));
    // Said outright, though `< day` implies it: the stopped counts' index holds only these.
    let stopped = Condition::all()
        .add(case::Column::WaitRunsUntil.is_not_null())
        .add(case::Column::WaitRunsUntil.lt(day));
    let mut merged = Vec::new();
    for (branch, key, offset) in [
        (runs, CASE_WAIT_RUNNING_KEY, i64::from(day)),
        (stopped, CASE_WAIT_STOPPED_KEY, 0),
    ] {
        let mut branch_query = query.clone().filter(branch);
        if let Some((days, id)) = after {
            // Most days first, then id: strictly after (days, id) in that order. The bound on
            // the key alone is what the index range uses.
            let bound = i32::try_from(days - offset).unwrap_or(if days > offset {
                i32::MAX
            } else {
                i32::MIN
            });
            branch_query = branch_query.filter(
                Condition::all().add(Expr::cust(key).lte(bound)).add(
                    Condition::any()
                        .add(Expr::cust(key).lt(bound))
                        .add(case::Column::Id.gt(id)),
                ),
            );
        }
        merged.extend(
            branch_query
                .order_by(Expr::cust(key), Order::Desc)
                .order_by_asc(case::Column::Id)
                .limit(limit)
                .all(txn.conn())
                .await?,
        );
    }
    let mut ranked: Vec<(case::Model, CasePosition)> = merged
        .into_iter()
        .map(|case| {
            let (days, _) = wait_key(&case, day);
            let position = CasePosition::Waiting {
                day,
                days,
                id: case.id,
            };
            (case, position)
        })
        .collect();
    ranked.sort_by(|(a, pa), (b, pb)| match (pa, pb) {
        (CasePosition::Waiting { days: da, .. }, CasePosition::Waiting { days: db, .. }) => {
            db.cmp(da).then_with(|| a.id.cmp(&b.id))
        }
        _ => a.id.cmp(&b.id),
    });
    ranked.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(ranked)
}

/// How many cases the worklist shows at most.
pub const WORKLIST_LIMIT: u64 = 200;

/// Open cases without provision that fall due within `school_days` school days of today
/// (including those already overdue), soonest first: a caseworker's worklist.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), school_days))]
pub async fn due_soon(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    school_days: u32,
    parts: CaseParts,
    today: NaiveDate,
) -> AppResult<Vec<CaseDetail>> {
    let txn = store.council(scope).await?;
    let rules = CouncilRules::load(&txn).await?;
    let basis = rules.on(today);
    let horizon = rules
        .calendar
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
    let details = load_details(&txn, cases, parts, basis).await?;
    txn.commit().await?;
    let shown: Vec<Uuid> = details.iter().map(|d| d.case.id).collect();
    store
        .reads
        .record(scope, actor, "case.list", "case", &shown)
        .await?;
    Ok(details)
}

/// Loads children, events, provision and evidence for `cases` in a fixed number of queries,
/// however many cases there are, and derives each case's deadlines.
async fn load_details(
    txn: &CouncilTxn,
    cases: Vec<case::Model>,
    parts: CaseParts,
    basis: DeadlineBasis<'_>,
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
                next_review_due: next_review_due(&case, &events, basis.settings, basis.calendar),
                events,
            }
        });
        let provisions = provisions.remove(&case.id).unwrap_or_default();
        let evidence = evidence.remove(&case.id).unwrap_or_default();
        let child_episodes = episodes_for(&case, &episodes);
        let deadlines = derive(basis, &case, &child_episodes, &provisions, &evidence);
        details.push(CaseDetail {
            case,
            child,
            timeline,
            provisions,
            evidence,
            deadlines,
            today: basis.today,
        });
    }
    Ok(details)
}

/// Rows by the case (or other id) `key` gives each.
fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(key(&row)).or_default().push(row);
    }
    grouped
}
