//! Reading cases: one case's page, a filtered and ordered page of the council's cases, and a
//! caseworker's worklist. Every read is recorded in the audit log; each loads its cases' details
//! in a fixed number of queries however many cases there are.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use entity::case::{self, CaseReason, CaseStatus};
use entity::{case_event, child, medical_evidence, provision};
use sea_orm::sea_query::{Expr, NullOrdering};
use sea_orm::{ColumnTrait, Condition, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
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

/// Which page of the council's cases to list, and how.
#[derive(Clone, Debug)]
pub struct CaseListing {
    pub filter: CaseFilter,
    pub order: CaseOrder,
    /// At most this many cases.
    pub first: u64,
    /// Cases skipped before the page.
    pub offset: u64,
    pub parts: CaseParts,
    /// The day deadlines are counted to.
    pub today: NaiveDate,
}

/// A page of the council's cases matching the listing's filter, with their details, ordered as
/// asked, and whether more follow.
///
/// Filtering on deadlines and ordering by due date happen in the store, on the due date and first
/// provision start the service keeps on each case, so the overdue worklist is one indexed query
/// however many cases the council has. Ordering by days without provision happens in the store
/// too: an expression over each case's stored running count and today's school-day number.
/// Only the page's cases have their details loaded, and only the parts `parts` asks for.
#[tracing::instrument(
    skip_all,
    fields(council = %scope.council_id(), first = listing.first, offset = listing.offset)
)]
pub async fn list(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    listing: &CaseListing,
) -> AppResult<(Vec<CaseDetail>, bool)> {
    let CaseListing {
        ref filter,
        order,
        first,
        offset,
        parts,
        today,
    } = *listing;
    let txn = store.council(scope).await?;
    let rules = CouncilRules::load(&txn).await?;
    let basis = rules.on(today);
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
            days_without_provision_on(school_day_number(&rules.calendar, today)),
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
    let page = (load_details(&txn, cases, parts, basis).await?, has_next);
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

/// The SQL for [`ProvisionWait::days_on`](crate::domain::deadline::ProvisionWait::days_on) over a case's stored `wait_*` columns, on the school
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

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};

    use super::*;

    #[test]
    fn ranking_by_days_without_provision_counts_in_the_store_from_the_stored_wait() {
        // On school day 1200: the stored count, plus the school days since it was taken, up to
        // the day the count stops (if it does) — the arithmetic of `ProvisionWait::days_on`.
        let counted_to = "(CASE WHEN wait_runs_until < 1200 THEN wait_runs_until ELSE 1200 END)";
        let expected = format!(
            "SELECT (COALESCE(wait_days, 0) + CASE WHEN {counted_to} > COALESCE(wait_as_of, 0) \
             THEN {counted_to} - COALESCE(wait_as_of, 0) ELSE 0 END)"
        );
        let select = Query::select()
            .expr(days_without_provision_on(1200))
            .to_owned();
        assert_eq!(select.to_string(PostgresQueryBuilder), expected);
        // The same text on both stores: nothing in it is specific to either.
        assert_eq!(select.to_string(SqliteQueryBuilder), expected);
    }

    #[test]
    fn the_day_number_is_written_as_a_plain_integer() {
        let select = Query::select()
            .expr(days_without_provision_on(-3))
            .to_owned();
        let sql = select.to_string(PostgresQueryBuilder);
        assert!(sql.contains("wait_runs_until < -3 THEN"), "{sql}");
        assert!(sql.contains("ELSE -3 END"), "{sql}");
    }
}
