//! A council's returns (council-private): managers and service clients compute and submit them,
//! managers approve them, the council's own analysts and managers read them unsuppressed.
//! Partnership roles reach none (FORBIDDEN, as for all council records); another council's
//! return is NOT_FOUND. docs/domain.md, "Returns".

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::council_return;
use uuid::Uuid;

use super::context::{self, CouncilWork};
use crate::auth::Role;
use crate::domain::clock;
use crate::domain::period::Period;
use crate::domain::returns::SubmittedCell;
use crate::error::{AppError, AppResult, Rejection};
use crate::service::returns::{self, DefinitionKey, ReturnDetail};

/// Who may compute and submit returns.
const PREPARERS: &[Role] = &[Role::Manager, Role::Service];
/// Who may read the council's own returns, unsuppressed.
const READERS: &[Role] = &[Role::Analyst, Role::Manager];

/// Where a return's figures came from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::council_return::ReturnSource")]
pub enum ReturnSource {
    /// Aggregated by the hub from the council's case data.
    Computed,
    /// Submitted by the council (GraphQL or CSV).
    Submitted,
}

/// Where a return is in its life.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::council_return::ReturnStatus")]
pub enum ReturnStatus {
    Draft,
    /// The council's consent to share it in a release.
    Approved,
    /// A later version replaced it.
    Superseded,
}

/// One version of a council's return, without its cells.
#[derive(SimpleObject)]
pub struct ReturnSummary {
    id: ID,
    /// The canonical period code: `2025-26`, `2025-26-autumn`, `2026-03`, `fy2025-26`.
    period: String,
    period_start: NaiveDate,
    /// Inclusive.
    period_end: NaiveDate,
    /// DfE's `time_period`, e.g. `202526`.
    time_period: String,
    /// DfE's `time_identifier`, e.g. `Academic year`.
    time_identifier: String,
    version: i32,
    source: ReturnSource,
    status: ReturnStatus,
    /// A digest of the cells: the same figures give the same digest.
    content_hash: String,
    created_at: DateTime<Utc>,
    approved_at: Option<DateTime<Utc>>,
}

impl From<council_return::Model> for ReturnSummary {
    fn from(m: council_return::Model) -> Self {
        let period = Period::parse(&m.period).ok();
        Self {
            id: ID(m.id.to_string()),
            time_period: period.map(|p| p.time_period()).unwrap_or_default(),
            time_identifier: period.map(|p| p.time_identifier()).unwrap_or_default(),
            period: m.period,
            period_start: m.period_start,
            period_end: m.period_end,
            version: m.version,
            source: m.source.into(),
            status: m.status.into(),
            content_hash: m.content_hash,
            created_at: m.created_at,
            approved_at: m.approved_at,
        }
    }
}

/// One figure of a return, unsuppressed.
#[derive(SimpleObject)]
pub struct ReturnCell {
    definition_id: ID,
    definition_code: String,
    definition_version: i32,
    /// `total`, or a breakdown the definition allows.
    breakdown: String,
    /// `total`, or the breakdown's category.
    category: String,
    value: f64,
    /// For percentages and rates: the count on top.
    numerator: Option<i64>,
    /// For percentages, rates and medians: what it was built on.
    base: Option<i64>,
}

/// A version of a council's return with its cells.
#[derive(SimpleObject)]
pub struct CouncilReturn {
    #[graphql(flatten)]
    summary: ReturnSummary,
    cells: Vec<ReturnCell>,
}

impl From<ReturnDetail> for CouncilReturn {
    fn from(detail: ReturnDetail) -> Self {
        let definitions = detail.definitions;
        let mut cells: Vec<ReturnCell> = detail
            .cells
            .into_iter()
            .map(|c| {
                let definition = definitions.get(&c.definition_id);
                ReturnCell {
                    definition_id: ID(c.definition_id.to_string()),
                    definition_code: definition.map(|d| d.code.clone()).unwrap_or_default(),
                    definition_version: definition.map_or(0, |d| d.version),
                    breakdown: c.breakdown,
                    category: c.category,
                    value: c.value,
                    numerator: c.numerator,
                    base: c.base,
                }
            })
            .collect();
        cells.sort_by(|a, b| {
            (
                &a.definition_code,
                a.definition_version,
                a.breakdown != "total",
                &a.breakdown,
            )
                .cmp(&(
                    &b.definition_code,
                    b.definition_version,
                    b.breakdown != "total",
                    &b.breakdown,
                ))
        });
        Self {
            summary: detail.header.into(),
            cells,
        }
    }
}

/// One cell of a submitted return.
#[derive(InputObject)]
pub struct ReturnCellInput {
    definition_code: String,
    definition_version: i32,
    /// `total`, or a breakdown the definition allows.
    breakdown: String,
    /// `total`, or the breakdown's category.
    category: String,
    value: f64,
    numerator: Option<i64>,
    base: Option<i64>,
}

impl ReturnCellInput {
    /// The cell at `index` of the list; checked against its definition by the service.
    fn parse(self, index: usize) -> SubmittedCell {
        SubmittedCell {
            row: index,
            definition_code: self.definition_code.trim().to_owned(),
            definition_version: self.definition_version,
            breakdown: self.breakdown.trim().to_owned(),
            category: self.category.trim().to_owned(),
            value: self.value,
            numerator: self.numerator,
            base: self.base,
        }
    }
}

/// A period code, or BAD_USER_INPUT naming `field`.
pub fn parse_period(field: &str, code: &str) -> AppResult<Period> {
    Period::parse(code).map_err(|why| AppError::bad_input(field, why))
}

/// The most cells a submitted return may have.
const MAX_CELLS: usize = crate::domain::returns::MAX_CSV_ROWS;

/// Parses the submitted cells; every cell with a field too long is reported.
pub fn parse_cells(cells: Vec<ReturnCellInput>) -> AppResult<Vec<SubmittedCell>> {
    if cells.len() > MAX_CELLS {
        return Err(AppError::bad_input(
            "cells",
            format!("a return has at most {MAX_CELLS} cells"),
        ));
    }
    let cells: Vec<SubmittedCell> = cells
        .into_iter()
        .enumerate()
        .map(|(index, cell)| cell.parse(index))
        .collect();
    let rejected: Vec<Rejection> = cells
        .iter()
        .flat_map(|cell| {
            [
                ("definitionCode", &cell.definition_code),
                ("breakdown", &cell.breakdown),
                ("category", &cell.category),
            ]
            .into_iter()
            .filter(|(_, text)| text.len() > 64 || text.chars().any(char::is_control))
            .map(|(field, _)| Rejection {
                index: cell.row,
                field: field.to_owned(),
                reason: "must be at most 64 printable characters".to_owned(),
            })
            .collect::<Vec<_>>()
        })
        .collect();
    if rejected.is_empty() {
        Ok(cells)
    } else {
        Err(AppError::BatchRejected(rejected))
    }
}

fn parse_keys(definitions: Option<Vec<String>>) -> Option<Vec<DefinitionKey>> {
    definitions.map(|keys| {
        keys.into_iter()
            .map(|key| match Uuid::parse_str(key.trim()) {
                Ok(id) => DefinitionKey::Id(id),
                Err(_) => DefinitionKey::Code(key.trim().to_owned()),
            })
            .collect()
    })
}

/// Reading the council's own returns.
#[derive(Default)]
pub struct ReturnQuery;

#[Object]
impl ReturnQuery {
    /// The council's returns, every version, newest period first (analysts and managers).
    async fn council_returns(
        &self,
        ctx: &Context<'_>,
        period: Option<String>,
    ) -> Result<Vec<ReturnSummary>, AppError> {
        let work = CouncilWork::begin(ctx, READERS)?;
        let period = period.map(|p| parse_period("period", &p)).transpose()?;
        let list = returns::list(work.store, work.scope, &work.actor, period).await?;
        Ok(list.into_iter().map(Into::into).collect())
    }

    /// One of the council's returns with its cells, unsuppressed (analysts and managers).
    async fn council_return(&self, ctx: &Context<'_>, id: ID) -> Result<CouncilReturn, AppError> {
        let work = CouncilWork::begin(ctx, READERS)?;
        let id = context::parse_id("id", &id)?;
        Ok(returns::get(work.store, work.scope, &work.actor, id)
            .await?
            .into())
    }
}

/// Computing, submitting and approving the council's returns.
#[derive(Default)]
pub struct ReturnMutation;

#[Object]
impl ReturnMutation {
    /// Computes the council's return for `period` from its case data (managers and service
    /// clients): every agreed definition the hub computes, or those named by code (the latest
    /// agreed version) or id (that version). A new draft version, or the latest version again
    /// when the figures have not changed.
    async fn compute_return(
        &self,
        ctx: &Context<'_>,
        period: String,
        definitions: Option<Vec<String>>,
    ) -> Result<CouncilReturn, AppError> {
        let work = CouncilWork::begin(ctx, PREPARERS)?;
        let period = parse_period("period", &period)?;
        let keys = parse_keys(definitions);
        Ok(returns::compute(
            work.store,
            work.scope,
            &work.actor,
            period,
            keys,
            clock::today(),
        )
        .await?
        .into())
    }

    /// Submits the council's own figures for `period` (managers and service clients), all or
    /// nothing: BAD_USER_INPUT with `extensions.rejections` (index, field, reason) for every
    /// rejected cell. The same cells as the latest version are that version again.
    async fn submit_return(
        &self,
        ctx: &Context<'_>,
        period: String,
        cells: Vec<ReturnCellInput>,
    ) -> Result<CouncilReturn, AppError> {
        let work = CouncilWork::begin(ctx, PREPARERS)?;
        let period = parse_period("period", &period)?;
        let cells = parse_cells(cells)?;
        Ok(
            returns::submit(work.store, work.scope, &work.actor, period, cells)
                .await?
                .into(),
        )
    }

    /// Approves a draft return (managers): the council's consent to share it. The period's
    /// earlier approved version is superseded; a second approval is a CONFLICT.
    async fn approve_return(&self, ctx: &Context<'_>, id: ID) -> Result<CouncilReturn, AppError> {
        let work = CouncilWork::begin(ctx, &[Role::Manager])?;
        let id = context::parse_id("id", &id)?;
        Ok(returns::approve(work.store, work.scope, &work.actor, id)
            .await?
            .into())
    }
}
