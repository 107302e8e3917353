//! Reading complaints (managers all of them, caseworkers those linked to the council's cases),
//! the committee's monitoring view (managers), and the Ombudsman counts (analysts and managers:
//! counts only, no rows). Each resolver reads scope, parse, service, answer.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;

use super::cursor;
use super::input::parse_period;
use super::types::{
    Complaint, ComplaintCounts, ImprovementAction, MonitoredAction, MonitoredRemedy,
    MonitoringTotals, Remedy,
};
use crate::auth::{CASEWORK, Role};
use crate::domain::case::parse_date;
use crate::domain::clock;
use crate::error::AppError;
use crate::graphql::context::{self, CouncilWork};
use crate::service::complaint::{self as complaints, ComplaintReader};

/// Who manages complaints and sees the committee's view (`docs/domain.md`, "Roles").
pub(super) const MANAGERS: &[Role] = &[Role::Manager];
/// Who may see the council's Ombudsman counts: aggregates, no rows.
const COUNTERS: &[Role] = &[Role::Analyst, Role::Manager];

/// Caseworkers see only complaints linked to the council's cases; managers see every one.
fn reader(ctx: &Context<'_>) -> Result<ComplaintReader, AppError> {
    Ok(if context::principal(ctx)?.has_any(MANAGERS) {
        ComplaintReader::Manager
    } else {
        ComplaintReader::Caseworker
    })
}

/// Complaints, the committee's view and the counts.
#[derive(Default)]
pub struct ComplaintQuery;

#[Object]
impl ComplaintQuery {
    /// The council's complaints, oldest recorded first. Caseworkers see those linked to a case.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity + 1")]
    async fn complaints(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Complaint>, AppError> {
        let work = CouncilWork::begin(ctx, CASEWORK)?;
        let reader = reader(ctx)?;
        let first = context::page_size(first, context::limits(ctx)?)?;
        let after = after
            .map(|c| context::decode_cursor("after", &c))
            .transpose()?;
        let (page, has_next) =
            complaints::list(work.store, work.scope, &work.actor, reader, first, after).await?;
        let as_of = clock::today();
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(page.into_iter().map(|detail| {
            Edge::new(
                context::encode_cursor(detail.complaint.id),
                Complaint { detail, as_of },
            )
        }));
        Ok(connection)
    }

    /// One of the council's complaints, with its remedies and actions as of today; any other
    /// id is NOT_FOUND (for caseworkers, so is one not linked to a case).
    async fn complaint(&self, ctx: &Context<'_>, id: ID) -> Result<Complaint, AppError> {
        let work = CouncilWork::begin(ctx, CASEWORK)?;
        let reader = reader(ctx)?;
        let id = context::parse_id("id", &id)?;
        let detail = complaints::get(work.store, work.scope, &work.actor, reader, id).await?;
        Ok(Complaint {
            detail,
            as_of: clock::today(),
        })
    }

    /// The committee's monitoring view as of `asOf` (default today): open remedies and actions
    /// by due date, overdue first, with totals. Managers only.
    async fn complaint_monitoring(
        &self,
        ctx: &Context<'_>,
        as_of: Option<NaiveDate>,
    ) -> Result<ComplaintMonitoring, AppError> {
        CouncilWork::begin(ctx, MANAGERS)?;
        let as_of = match as_of {
            Some(day) => parse_date("asOf", day)?,
            None => clock::today(),
        };
        Ok(ComplaintMonitoring { as_of })
    }

    /// The council's Ombudsman counts for a period (both days counted): decided, upheld,
    /// remedies due and done on time, overdue at its end, money paid. Counts only.
    async fn complaint_counts(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ComplaintCounts, AppError> {
        let work = CouncilWork::begin(ctx, COUNTERS)?;
        let (from, to) = parse_period(from, to)?;
        let figures = complaints::figures_for_period(work.store, work.scope, from, to).await?;
        Ok(ComplaintCounts::new(from, to, figures))
    }
}

/// The report a council's committee monitors, on one day.
pub struct ComplaintMonitoring {
    as_of: NaiveDate,
}

/// The page size and keyset position of a page of the view.
fn page_args(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<(u64, Option<(NaiveDate, uuid::Uuid)>), AppError> {
    let first = context::page_size(first, context::limits(ctx)?)?;
    let after = after.map(|c| cursor::decode("after", &c)).transpose()?;
    Ok((first, after))
}

#[Object]
impl ComplaintMonitoring {
    /// The day the view is as of.
    async fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Counted in the database over every remedy and action of the council.
    async fn totals(&self, ctx: &Context<'_>) -> Result<MonitoringTotals, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let totals = complaints::monitoring_totals(work.store, work.scope, self.as_of).await?;
        Ok(totals.into())
    }

    /// Remedies agreed by `asOf`, soonest due first (so the overdue lead): only those not done
    /// by then unless `onlyOpen` is false.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity + 1")]
    async fn remedies(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] only_open: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, MonitoredRemedy>, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let (first, after) = page_args(ctx, first, after)?;
        let page = complaints::remedy_page(
            work.store,
            work.scope,
            &work.actor,
            self.as_of,
            only_open,
            Some(first),
            after,
        )
        .await?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(page.rows.into_iter().map(|row| {
            let key = cursor::encode(row.item.remedy.due_on, row.item.remedy.id);
            Edge::new(
                key,
                MonitoredRemedy {
                    remedy: Remedy::on(row.item, self.as_of),
                    lgsco_reference: row.lgsco_reference,
                    council_reference: row.council_reference,
                },
            )
        }));
        Ok(connection)
    }

    /// Improvement actions, soonest due first: only those not done by `asOf` unless `onlyOpen`
    /// is false.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity + 1")]
    async fn actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] only_open: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, MonitoredAction>, AppError> {
        let work = CouncilWork::begin(ctx, MANAGERS)?;
        let (first, after) = page_args(ctx, first, after)?;
        let page = complaints::action_page(
            work.store,
            work.scope,
            &work.actor,
            self.as_of,
            only_open,
            Some(first),
            after,
        )
        .await?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(page.rows.into_iter().map(|row| {
            let key = cursor::encode(row.item.due_on, row.item.id);
            Edge::new(
                key,
                MonitoredAction {
                    action: ImprovementAction::on(row.item, self.as_of),
                    lgsco_reference: row.lgsco_reference,
                    council_reference: row.council_reference,
                },
            )
        }));
        Ok(connection)
    }
}
