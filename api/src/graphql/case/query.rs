//! Reading cases: the list, one case, and a caseworker's worklist. Caseworkers and managers only.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Lookahead, Object};

use super::args::parse_within_school_days;
use super::input::CaseFilterInput;
use super::work::CaseWork;
use super::{Case, CaseOrderBy};
use crate::domain::clock;
use crate::error::AppError;
use crate::graphql::context;
use crate::service::case::{self as cases, CaseParts};

/// The parts of a case a query's selection needs, looked ahead from `case` (the selection of
/// one case): the timeline only when `timeline` or `nextReviewDue` is asked for.
fn parts(case: Lookahead<'_>) -> CaseParts {
    CaseParts {
        timeline: case.field("timeline").exists() || case.field("nextReviewDue").exists(),
    }
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
        let work = CaseWork::begin(ctx)?;
        let first = context::page_size(first, context::limits(ctx)?)? as usize;
        let offset = match after {
            Some(cursor) => decode_offset(&cursor)? + 1,
            None => 0,
        };
        let filter = filter.unwrap_or_default().parse()?;
        let order = order_by.unwrap_or_default().into();
        let listing = cases::CaseListing {
            filter,
            order,
            first: first as u64,
            offset: offset as u64,
            parts: parts(ctx.look_ahead().field("edges").field("node"))
                .or(parts(ctx.look_ahead().field("nodes"))),
            today: clock::today(),
        };
        let (page, has_next) = cases::list(work.store, work.scope, &work.actor, &listing).await?;
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
        let work = CaseWork::begin(ctx)?;
        let id = context::parse_id("id", &id)?;
        work.reload(id).await
    }

    /// A caseworker's worklist: open cases without provision due within `withinSchoolDays`
    /// school days (overdue ones included), soonest first.
    async fn cases_due_soon(
        &self,
        ctx: &Context<'_>,
        within_school_days: i32,
    ) -> Result<Vec<Case>, AppError> {
        let work = CaseWork::begin(ctx)?;
        let within = parse_within_school_days(within_school_days)?;
        let due = cases::due_soon(
            work.store,
            work.scope,
            &work.actor,
            within,
            parts(ctx.look_ahead()),
            clock::today(),
        )
        .await?;
        Ok(due.into_iter().map(Case).collect())
    }
}

/// The cursor of the case at `index` in the list: its position in the order asked for.
fn encode_offset(index: usize) -> String {
    context::encode_cursor(uuid::Uuid::from_u128(index as u128))
}

/// The position inside a cursor from [`encode_offset`].
fn decode_offset(cursor: &str) -> Result<usize, AppError> {
    usize::try_from(context::decode_cursor("after", cursor)?.as_u128())
        .map_err(|_| AppError::bad_input("after", "is not a cursor from this API"))
}
