//! A return's life (docs/domain.md, "Returns"): computed from the council's cases or submitted,
//! draft until a manager approves it, superseded by a later approved version; read by the
//! council's own analysts and managers. Every change and read is in the council's audit log.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::council_return::{self, ReturnSource, ReturnStatus};
use entity::metric_definition::{self, DefinitionStatus, MetricUnit};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::compute::{self, Group, MedianOf, Window};
use super::record::{self, ReturnDetail};
use crate::domain::metric::{self, Breakdown, TOTAL, codes, parse_breakdowns};
use crate::domain::period::Period;
use crate::domain::returns::{Cell, DefinitionRef, SubmittedCell, check_submission};
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::{self, AuditActor};
use crate::service::metric as catalogue;
use crate::tenancy::TenantScope;

/// A definition asked for by id (that exact version) or by code (its latest agreed version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefinitionKey {
    Id(Uuid),
    Code(String),
}

/// The definition versions a computation covers: those asked for, or every agreed version the
/// hub computes (the latest of each code).
async fn chosen_definitions(
    store: &Store,
    partnership_id: Uuid,
    keys: Option<Vec<DefinitionKey>>,
) -> AppResult<Vec<metric_definition::Model>> {
    let all = catalogue::list(&store.db, partnership_id, Default::default()).await?;
    let latest_agreed = |code: &str| {
        all.iter()
            .filter(|d| d.code == code && d.status == DefinitionStatus::Agreed)
            .max_by_key(|d| d.version)
            .cloned()
    };
    let Some(keys) = keys else {
        let mut codes: Vec<&str> = all
            .iter()
            .filter(|d| d.computable && metric::hub_computes(&d.code))
            .map(|d| d.code.as_str())
            .collect();
        codes.dedup();
        return Ok(codes.into_iter().filter_map(latest_agreed).collect());
    };
    if keys.is_empty() {
        return Err(AppError::bad_input(
            "definitions",
            "name at least one definition, or leave it out for all",
        ));
    }
    let mut chosen: Vec<metric_definition::Model> = Vec::new();
    for (index, key) in keys.into_iter().enumerate() {
        let field = format!("definitions[{index}]");
        let definition = match key {
            DefinitionKey::Id(id) => {
                let found = all.iter().find(|d| d.id == id).cloned().ok_or_else(|| {
                    AppError::bad_input(&field, "no such definition in your partnership")
                })?;
                if found.status != DefinitionStatus::Agreed {
                    return Err(AppError::bad_input(
                        &field,
                        "only an agreed definition version can be returned",
                    ));
                }
                found
            }
            DefinitionKey::Code(code) => latest_agreed(&code).ok_or_else(|| {
                AppError::bad_input(&field, "no agreed version of this code in your partnership")
            })?,
        };
        if !(definition.computable && metric::hub_computes(&definition.code)) {
            return Err(AppError::bad_input(
                &field,
                "the hub cannot compute this definition from case data: submit it",
            ));
        }
        if !chosen.iter().any(|c| c.id == definition.id) {
            chosen.push(definition);
        }
    }
    Ok(chosen)
}

/// The figures of one computation: the counts' groups and the complaint counts.
struct Figures {
    groups: Vec<Group>,
    complaints: HashMap<&'static str, i64>,
    pupils: Option<i64>,
}

impl Figures {
    /// A count's cells (breakdown, category, value), if the hub has it.
    fn count(&self, code: &str, breakdowns: &[Breakdown]) -> Option<Vec<(String, String, i64)>> {
        if let Some(value) = self.complaints.get(code) {
            return Some(vec![(TOTAL.to_owned(), TOTAL.to_owned(), *value)]);
        }
        if is_group_count(code) {
            return Some(compute::roll_up(&self.groups, code, breakdowns));
        }
        None
    }
}

fn is_group_count(code: &str) -> bool {
    [
        codes::REFERRALS,
        codes::OPEN_CASES_AT_END,
        codes::CASES_BY_REASON,
        codes::PROVISION_DUE,
        codes::PROVISION_WITHIN_15_DAYS,
        codes::WITHOUT_PROVISION_15_DAYS_AT_END,
        codes::HEALTH_NEEDS_ALL,
        codes::HEALTH_NEEDS_MEDICALLY_VULNERABLE,
        codes::PROVISION_RUNNING_AT_END,
        codes::PROVISION_FULL_TIME,
        codes::PROVISION_REDUCED,
    ]
    .contains(&code)
}

/// Computes the council's return for `period` from its case data, as a new draft version (or
/// the latest version again, if the figures are the same).
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), period = %period.code()))]
pub async fn compute(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    period: Period,
    keys: Option<Vec<DefinitionKey>>,
    today: NaiveDate,
) -> AppResult<ReturnDetail> {
    let partnership_id = catalogue::partnership_of_council(&store.db, scope.council_id()).await?;
    let definitions = chosen_definitions(store, partnership_id, keys).await?;
    let pupils = catalogue::population_of(&store.db, scope.council_id(), period.academic_year())
        .await?
        .map(|p| p.pupils);
    let txn = store.council(scope).await?;
    let dates = record::period_dates(&txn, period).await?;
    let window = Window {
        start: dates.0,
        end: dates.1,
        due_until: std::cmp::Ord::min(dates.1, today),
    };
    let figures = Figures {
        groups: compute::count_groups(&txn, window).await?,
        complaints: compute::complaint_counts(&txn, window)
            .await?
            .into_iter()
            .collect(),
        pupils,
    };
    let mut cells = Vec::new();
    for definition in &definitions {
        let allowed = parse_breakdowns(&definition.breakdowns).unwrap_or_default();
        // Only the breakdowns both the version allows and the hub can compute for the code.
        let breakdowns: Vec<Breakdown> = metric::standard(&definition.code)
            .map(|s| {
                allowed
                    .iter()
                    .copied()
                    .filter(|b| s.breakdowns.contains(b))
                    .collect()
            })
            .unwrap_or_default();
        let id = definition.id;
        match definition.unit {
            MetricUnit::Count => {
                for (breakdown, category, value) in figures
                    .count(&definition.code, &breakdowns)
                    .unwrap_or_default()
                {
                    cells.push(Cell::count(id, &breakdown, &category, value));
                }
            }
            MetricUnit::Percent | MetricUnit::RatePer10000 => {
                let (Some(numerator), Some(denominator)) =
                    (&definition.numerator_code, &definition.denominator_code)
                else {
                    continue;
                };
                let Some(tops) = figures.count(numerator, &breakdowns) else {
                    continue;
                };
                for (breakdown, category, top) in tops {
                    let base = if denominator == metric::PUPIL_POPULATION {
                        // Rates are of the whole population: the total only.
                        if breakdown != TOTAL {
                            continue;
                        }
                        figures.pupils
                    } else {
                        figures
                            .count(denominator, &breakdowns)
                            .and_then(|bottoms| {
                                bottoms
                                    .into_iter()
                                    .find(|(b, c, _)| *b == breakdown && *c == category)
                            })
                            .map(|(_, _, base)| base)
                    };
                    let Some(base) = base.filter(|b| *b > 0) else {
                        continue;
                    };
                    let scale = if definition.unit == MetricUnit::Percent {
                        100.0
                    } else {
                        10_000.0
                    };
                    cells.push(Cell {
                        definition_id: id,
                        breakdown,
                        category,
                        value: top as f64 * scale / base as f64,
                        numerator: Some(top),
                        base: Some(base),
                    });
                }
            }
            MetricUnit::Median => {
                let of = match definition.code.as_str() {
                    codes::MEDIAN_DAYS_TO_PROVISION => MedianOf::DaysToProvision,
                    codes::MEDIAN_HOURS_PER_WEEK => MedianOf::HoursPerWeek,
                    _ => continue,
                };
                let splits = std::iter::once(None).chain(breakdowns.iter().copied().map(Some));
                for breakdown in splits {
                    for (category, value, base) in
                        compute::medians(&txn, of, breakdown, window).await?
                    {
                        cells.push(Cell {
                            definition_id: id,
                            breakdown: breakdown.map_or(TOTAL, Breakdown::as_str).to_owned(),
                            category,
                            value,
                            numerator: None,
                            base: Some(base),
                        });
                    }
                }
            }
            MetricUnit::Mean => {}
        }
    }
    let (header, created) =
        record::save_version(&txn, period, dates, ReturnSource::Computed, cells).await?;
    audit::record(
        &txn,
        actor,
        "return.compute",
        "council_return",
        &[header.id],
    )
    .await?;
    let detail = record::detail(&txn, header).await?;
    txn.commit().await?;
    tracing::info!(r#return = %detail.header.id, version = detail.header.version, created, cells = detail.cells.len(), "return computed");
    Ok(detail)
}

/// Stores a council's own figures for `period`, all-or-nothing: every rejected cell is
/// reported (BAD_USER_INPUT with the rejections) and nothing is stored. The same figures as the
/// latest version are that version again.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), period = %period.code(), cells = cells.len()))]
pub async fn submit(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    period: Period,
    cells: Vec<SubmittedCell>,
) -> AppResult<ReturnDetail> {
    let partnership_id = catalogue::partnership_of_council(&store.db, scope.council_id()).await?;
    let definitions: HashMap<(String, i32), DefinitionRef> =
        catalogue::list(&store.db, partnership_id, Default::default())
            .await?
            .into_iter()
            .map(|d| {
                (
                    (d.code.clone(), d.version),
                    DefinitionRef {
                        id: d.id,
                        unit: d.unit,
                        status: d.status,
                        breakdowns: d.breakdowns,
                    },
                )
            })
            .collect();
    let cells = check_submission(&cells, &definitions).map_err(AppError::BatchRejected)?;
    let txn = store.council(scope).await?;
    let dates = record::period_dates(&txn, period).await?;
    let (header, created) =
        record::save_version(&txn, period, dates, ReturnSource::Submitted, cells).await?;
    audit::record(&txn, actor, "return.submit", "council_return", &[header.id]).await?;
    let detail = record::detail(&txn, header).await?;
    txn.commit().await?;
    tracing::info!(r#return = %detail.header.id, version = detail.header.version, created, "return submitted");
    Ok(detail)
}

/// Approves a draft: the council's consent to share it. The period's earlier approved version
/// is superseded. Approving anything but a draft is a CONFLICT.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), r#return = %id))]
pub async fn approve(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    id: Uuid,
) -> AppResult<ReturnDetail> {
    let txn = store.council(scope).await?;
    let current = record::find(&txn, id).await?;
    match current.status {
        ReturnStatus::Draft => {}
        ReturnStatus::Approved => {
            return Err(AppError::Conflict {
                field: None,
                message: "this return is already approved".into(),
            });
        }
        ReturnStatus::Superseded => {
            return Err(AppError::Conflict {
                field: None,
                message: "a later version of this return replaced it: approve that one".into(),
            });
        }
    }
    txn.update_many::<council_return::Entity>(
        council_return::Column::Period
            .eq(current.period.as_str())
            .and(council_return::Column::Status.eq(ReturnStatus::Approved)),
    )
    .col_expr(
        council_return::Column::Status,
        Expr::value(sea_orm::ActiveEnum::to_value(&ReturnStatus::Superseded)),
    )
    .exec(txn.conn())
    .await?;
    let mut row: council_return::ActiveModel = current.into();
    row.status = Set(ReturnStatus::Approved);
    row.approved_at = Set(Some(Utc::now()));
    let approved = txn.update(row, "return").await?;
    audit::record(&txn, actor, "return.approve", "council_return", &[id]).await?;
    let detail = record::detail(&txn, approved).await?;
    txn.commit().await?;
    Ok(detail)
}

/// The council's returns, newest period and version first (one period, or all).
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn list(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    period: Option<Period>,
) -> AppResult<Vec<council_return::Model>> {
    let txn = store.council(scope).await?;
    let mut query = txn.select::<council_return::Entity>();
    if let Some(period) = period {
        query = query.filter(council_return::Column::Period.eq(period.code()));
    }
    let returns = query
        .order_by_desc(council_return::Column::PeriodStart)
        .order_by_asc(council_return::Column::Period)
        .order_by_desc(council_return::Column::Version)
        .all(txn.conn())
        .await?;
    txn.commit().await?;
    let ids: Vec<Uuid> = returns.iter().map(|r| r.id).collect();
    store
        .reads
        .record(scope, actor, "return.list", "council_return", &ids)
        .await?;
    Ok(returns)
}

/// One of the council's returns with its cells; another council's is NOT_FOUND.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), r#return = %id))]
pub async fn get(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    id: Uuid,
) -> AppResult<ReturnDetail> {
    let txn = store.council(scope).await?;
    let header = record::find(&txn, id).await?;
    let detail = record::detail(&txn, header).await?;
    txn.commit().await?;
    store
        .reads
        .record(scope, actor, "return.read", "council_return", &[id])
        .await?;
    Ok(detail)
}
