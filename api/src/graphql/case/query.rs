//! Reading cases: the list, one case, and a caseworker's worklist. Caseworkers and managers only.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Lookahead, Object};

use super::args::parse_within_school_days;
use super::input::CaseFilterInput;
use super::work::CaseWork;
use super::{Case, CaseOrderBy};
use crate::domain::clock;
use crate::domain::cursor::{CursorReader, CursorWriter};
use crate::error::AppError;
use crate::graphql::context;
use crate::service::case::{self as cases, CaseParts, CasePosition};

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
        let first = context::page_size(first, context::limits(ctx)?)?;
        let order = order_by.unwrap_or_default();
        let after = after
            .map(|cursor| decode_position(order, &cursor))
            .transpose()?;
        let filter = filter.unwrap_or_default().parse()?;
        let listing = cases::CaseListing {
            filter,
            order: order.into(),
            first,
            after,
            parts: parts(ctx.look_ahead().field("edges").field("node"))
                .or(parts(ctx.look_ahead().field("nodes"))),
            today: clock::today(),
        };
        let (page, has_next) = cases::list(work.store, work.scope, &work.actor, &listing).await?;
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            page.into_iter()
                .map(|(detail, position)| Edge::new(encode_position(position), Case(detail))),
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

/// The list names cursors of each order carry, so a cursor of one order is refused by another.
const BY_DUE_DATE: &str = "cases.due";
const BY_DAYS_WITHOUT_PROVISION: &str = "cases.waiting";

/// The opaque cursor of a case's place in a list.
fn encode_position(position: CasePosition) -> String {
    match position {
        CasePosition::Due { due, id } => CursorWriter::new(BY_DUE_DATE).opt_date(due).uuid(id),
        CasePosition::Waiting { day, days, id } => CursorWriter::new(BY_DAYS_WITHOUT_PROVISION)
            .int(i64::from(day))
            .int(days)
            .uuid(id),
    }
    .finish()
}

/// The place inside a cursor from [`encode_position`] for the same order; anything else,
/// including an offset cursor of earlier versions, is BAD_USER_INPUT naming `after`.
fn decode_position(order: CaseOrderBy, cursor: &str) -> Result<CasePosition, AppError> {
    let position = match order {
        CaseOrderBy::DueDate => {
            let mut key = CursorReader::open("after", BY_DUE_DATE, cursor)?;
            let position = CasePosition::Due {
                due: key.opt_date()?,
                id: key.uuid()?,
            };
            key.end()?;
            position
        }
        CaseOrderBy::DaysWithoutProvision => {
            let mut key = CursorReader::open("after", BY_DAYS_WITHOUT_PROVISION, cursor)?;
            let position = CasePosition::Waiting {
                day: key.int32()?,
                days: key.int()?,
                id: key.uuid()?,
            };
            key.end()?;
            position
        }
    };
    Ok(position)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::refused_field;

    #[test]
    fn a_case_cursor_round_trips_in_its_own_order_only() {
        let id = uuid::Uuid::now_v7();
        let due = CasePosition::Due {
            due: chrono::NaiveDate::from_ymd_opt(2026, 12, 2),
            id,
        };
        let waiting = CasePosition::Waiting {
            day: 4321,
            days: 17,
            id,
        };
        let undated = CasePosition::Due { due: None, id };
        for (order, position) in [
            (CaseOrderBy::DueDate, due),
            (CaseOrderBy::DueDate, undated),
            (CaseOrderBy::DaysWithoutProvision, waiting),
        ] {
            assert_eq!(
                decode_position(order, &encode_position(position)).ok(),
                Some(position)
            );
        }
        assert_eq!(
            refused_field(decode_position(
                CaseOrderBy::DaysWithoutProvision,
                &encode_position(due)
            )),
            "after"
        );
    }

    #[test]
    fn an_offset_cursor_of_earlier_versions_is_refused() {
        let old = crate::graphql::context::encode_cursor(uuid::Uuid::from_u128(49));
        assert_eq!(
            refused_field(decode_position(CaseOrderBy::DueDate, &old)),
            "after"
        );
    }
}
