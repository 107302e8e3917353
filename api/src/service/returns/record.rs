//! Storing a return's versions and reading one back, inside the council's transaction: the
//! period's dates, a new version (or the same one again, when the figures have not changed), and
//! a return with its cells.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::council_return::{self, ReturnSource, ReturnStatus};
use entity::{metric_definition, return_cell, school_term};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::domain::period::Period;
use crate::domain::returns::{Cell, content_hash};
use crate::error::{AppError, AppResult};
use crate::service::metric;
use crate::tenancy::CouncilTxn;

/// A return with its cells and the definition versions they follow.
#[derive(Clone, Debug)]
pub struct ReturnDetail {
    pub header: council_return::Model,
    pub cells: Vec<return_cell::Model>,
    pub definitions: HashMap<Uuid, metric_definition::Model>,
}

/// A period's first and last day: fixed for months and years; for a term, the council's own
/// term dates when its calendar has the term (every part of it, such as both half-terms), else
/// the fallback dates (docs/domain.md, "Periods").
pub(super) async fn period_dates(
    txn: &CouncilTxn,
    period: Period,
) -> AppResult<(NaiveDate, NaiveDate)> {
    if let Period::Term {
        academic_year,
        term,
    } = period
    {
        let terms = txn
            .select::<school_term::Entity>()
            .filter(school_term::Column::AcademicYear.eq(academic_year))
            .all(txn.conn())
            .await?;
        let parts: Vec<_> = terms
            .iter()
            .filter(|t| term.matches_name(&t.name))
            .collect();
        if let (Some(start), Some(end)) = (
            parts.iter().map(|t| t.starts_on).min(),
            parts.iter().map(|t| t.ends_on).max(),
        ) {
            return Ok((start, end));
        }
    }
    period
        .fixed_dates()
        .ok_or_else(|| AppError::bad_input("period", "has no dates the hub can count"))
}

/// Stores `cells` as the period's next version, draft; earlier drafts of the period are
/// superseded by it. When the cells are the latest version's own, nothing is stored and that
/// version is the answer (`false`): submitting or computing the same figures twice is one version.
pub(super) async fn save_version(
    txn: &CouncilTxn,
    period: Period,
    dates: (NaiveDate, NaiveDate),
    source: ReturnSource,
    cells: Vec<Cell>,
) -> AppResult<(council_return::Model, bool)> {
    let code = period.code();
    let hash = content_hash(&cells);
    let latest = txn
        .select::<council_return::Entity>()
        .filter(council_return::Column::Period.eq(code.as_str()))
        .order_by_desc(council_return::Column::Version)
        .one(txn.conn())
        .await?;
    if let Some(latest) = &latest
        && latest.content_hash == hash
    {
        return Ok((latest.clone(), false));
    }
    txn.update_many::<council_return::Entity>(
        council_return::Column::Period
            .eq(code.as_str())
            .and(council_return::Column::Status.eq(ReturnStatus::Draft)),
    )
    .col_expr(
        council_return::Column::Status,
        Expr::value(sea_orm::ActiveEnum::to_value(&ReturnStatus::Superseded)),
    )
    .exec(txn.conn())
    .await?;
    let id = Uuid::now_v7();
    let created = txn
        .insert(council_return::ActiveModel {
            // Stamped with the council's id by the scoped insert.
            tenant_id: NotSet,
            id: Set(id),
            period: Set(code),
            period_start: Set(dates.0),
            period_end: Set(dates.1),
            version: Set(latest.map_or(1, |l| l.version + 1)),
            source: Set(source),
            status: Set(ReturnStatus::Draft),
            content_hash: Set(hash),
            created_at: Set(Utc::now()),
            approved_at: Set(None),
        })
        .await?;
    // A few hundred cells in one call: `insert_many` keeps each statement under SQLite's limit
    // on bound values, and on PostgreSQL sends them as arrays in one statement.
    let rows: Vec<return_cell::ActiveModel> = cells
        .into_iter()
        .map(|cell| return_cell::ActiveModel {
            tenant_id: NotSet,
            return_id: Set(id),
            definition_id: Set(cell.definition_id),
            breakdown: Set(cell.breakdown),
            category: Set(cell.category),
            value: Set(cell.value),
            numerator: Set(cell.numerator),
            base: Set(cell.base),
        })
        .collect();
    txn.insert_many::<return_cell::Entity, _>(rows).await?;
    Ok((created, true))
}

/// One of the council's returns; another council's is NOT_FOUND.
pub(super) async fn find(txn: &CouncilTxn, id: Uuid) -> AppResult<council_return::Model> {
    txn.select::<council_return::Entity>()
        .filter(council_return::Column::Id.eq(id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("return"))
}

/// A return's cells, and the definitions they follow (shared rows, read by id).
pub(super) async fn detail(
    txn: &CouncilTxn,
    header: council_return::Model,
) -> AppResult<ReturnDetail> {
    let cells = txn
        .select::<return_cell::Entity>()
        .filter(return_cell::Column::ReturnId.eq(header.id))
        .order_by_asc(return_cell::Column::DefinitionId)
        .order_by_asc(return_cell::Column::Breakdown)
        .order_by_asc(return_cell::Column::Category)
        .all(txn.conn())
        .await?;
    let mut ids: Vec<Uuid> = cells.iter().map(|c| c.definition_id).collect();
    ids.sort();
    ids.dedup();
    let definitions = metric::by_ids(txn.conn(), ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(ReturnDetail {
        header,
        cells,
        definitions,
    })
}
