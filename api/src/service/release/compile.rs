//! Compiling a release: approved return cells of member councils, assembled like for like (one
//! group per definition version), protected by disclosure control over each whole table at once,
//! and stored immutably with the settings used, the coverage and a revision number. Compiling a
//! period again is a correction: a new revision with a reason, protected against every earlier
//! one (docs/domain.md, "Releases").

#![expect(
    clippy::disallowed_methods,
    reason = "release, its cells and coverage, and metric_definition are shared partnership tables"
)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::metric_definition::{self, MetricUnit};
use entity::release_coverage::CoverageStatus;
use entity::{release, release_cell, release_coverage};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::super::{Store, directory};
use super::source::{self, Sources};
use super::{history, settings};
use crate::domain::audit::AuditActor;
use crate::domain::disclosure::{DisclosureRules, protect_counts};
use crate::domain::period::Period;
use crate::domain::release::{
    CouncilFigures, PublishedCell, council_order, count_cells, count_table, group_key,
    measure_cells, shapes, stored,
};
use crate::error::{AppError, AppResult};
use crate::tenancy::PartnershipScope;

/// The longest reason a correction may give.
const MAX_REASON_CHARS: usize = 2000;

/// Rows per insert statement (within SQLite's and PostgreSQL's bind limits).
const INSERT_CHUNK: usize = 1000;

/// What to compile.
#[derive(Clone, Debug)]
pub struct CompileRequest {
    /// The canonical period code.
    pub period: String,
    /// Why: required for a correction (a second or later revision).
    pub reason: Option<String>,
}

/// What a compile did, for the caller and the benchmark.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub release: release::Model,
    /// Time spent inside `protect_counts` and `protect_measure`.
    pub disclosure_time: Duration,
    pub cells: usize,
}

/// The canonical code of a period, as `domain::period` reads it (docs/domain.md, "Periods").
pub fn parse_period(period: &str) -> AppResult<String> {
    Period::parse(period)
        .map(|period| period.code())
        .map_err(|reason| AppError::bad_input("period", reason))
}

/// Compiles the partnership's release for `request.period` (coordinator only: the scope says
/// so). The first compile of a period is revision 1; each later one is a correction and needs a
/// reason (BAD_USER_INPUT naming `reason` otherwise, nothing stored).
#[tracing::instrument(skip_all, fields(partnership = %scope.partnership_id()))]
pub async fn compile(
    store: &Store,
    scope: PartnershipScope,
    actor: &AuditActor,
    request: CompileRequest,
) -> AppResult<Compiled> {
    let period = parse_period(request.period.trim())?;
    let reason = match request.reason.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(text) if text.chars().count() > MAX_REASON_CHARS => {
            return Err(AppError::bad_input(
                "reason",
                format!("must be at most {MAX_REASON_CHARS} characters"),
            ));
        }
        Some(text) if text.contains('\0') => {
            return Err(AppError::bad_input("reason", "must not contain NUL"));
        }
        Some(text) => Some(text.to_owned()),
    };
    let partnership_id = scope.partnership_id();
    let earlier = history::load(&store.db, partnership_id, &period).await?;
    let revision = i32::try_from(earlier.len() + 1).map_err(AppError::internal)?;
    if revision > 1 && reason.is_none() {
        return Err(AppError::bad_input(
            "reason",
            "a correction (a new revision of a published period) needs a reason",
        ));
    }
    let rules = settings::rules_of(&store.db, partnership_id).await?;
    let sources = source::read(store, scope, &period, &history::returns_used(&earlier)).await?;
    let councils = order_councils(store, partnership_id, &earlier, &sources).await?;
    let definitions = definitions_of(store, partnership_id, &sources).await?;

    let release_id = Uuid::now_v7();
    let built = build(&rules, &councils, &definitions, &sources, &earlier);
    let release = release::Model {
        id: release_id,
        partnership_id,
        period,
        revision,
        reason,
        threshold: i32::try_from(rules.threshold()).map_err(AppError::internal)?,
        rounding_base: i32::try_from(rules.rounding_base()).map_err(AppError::internal)?,
        compiled_at: Utc::now(),
        compiled_by: actor.subject.clone(),
        supersedes: earlier.last().map(|r| r.release.id),
    };
    let cells = built.cells.len();
    store_release(store, &release, &councils, built.cells, built.coverage).await?;
    tracing::info!(release = %release.id, revision, cells, "release compiled");
    Ok(Compiled {
        release,
        disclosure_time: built.disclosure_time,
        cells,
    })
}

/// The release's councils: an earlier revision's order, then members (by name) new to it.
async fn order_councils(
    store: &Store,
    partnership_id: Uuid,
    earlier: &[history::Revision],
    sources: &Sources,
) -> AppResult<Vec<Uuid>> {
    let by_name: Vec<Uuid> = directory::member_councils(&store.db, partnership_id)
        .await?
        .into_iter()
        .map(|c| c.id)
        .filter(|id| sources.members.contains(id))
        .collect();
    let before = earlier.last().map(|r| r.councils.as_slice()).unwrap_or(&[]);
    Ok(council_order(before, &by_name))
}

/// The partnership's definitions the approved returns use, by code and version.
async fn definitions_of(
    store: &Store,
    partnership_id: Uuid,
    sources: &Sources,
) -> AppResult<Vec<metric_definition::Model>> {
    let mut ids: Vec<Uuid> = sources
        .current
        .iter()
        .filter_map(|r| sources.figures.get(&r.id()))
        .flat_map(|by_definition| by_definition.keys().copied())
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut definitions = metric_definition::Entity::find()
        .filter(metric_definition::Column::PartnershipId.eq(partnership_id))
        .filter(metric_definition::Column::Id.is_in(ids))
        .all(&store.db)
        .await?;
    definitions.sort_by(|a, b| (&a.code, a.version).cmp(&(&b.code, b.version)));
    Ok(definitions)
}

/// A coverage line before it is stored: council, definition, status, the return used.
type CoverageLine = (Uuid, Option<Uuid>, CoverageStatus, Option<(Uuid, i32)>);

/// A release's cells and coverage, before they are stored.
struct Built {
    cells: Vec<(Uuid, String, PublishedCell)>,
    coverage: Vec<CoverageLine>,
    disclosure_time: Duration,
}

/// Assembles and protects every group of the release.
fn build(
    rules: &DisclosureRules,
    councils: &[Uuid],
    definitions: &[metric_definition::Model],
    sources: &Sources,
    earlier: &[history::Revision],
) -> Built {
    let returns: HashMap<Uuid, _> = sources
        .current
        .iter()
        .map(|r| (r.council_id(), r))
        .collect();
    let mut disclosure_time = Duration::ZERO;
    let mut published: HashMap<Uuid, Vec<PublishedCell>> = HashMap::new();
    // Counts first: a measure is published beside the count cells it was built on.
    let (counts, measures): (Vec<_>, Vec<_>) = definitions
        .iter()
        .partition(|d| d.unit == MetricUnit::Count);
    for definition in counts.into_iter().chain(measures) {
        let figures: Vec<CouncilFigures<'_>> = councils
            .iter()
            .map(|council| {
                returns
                    .get(council)
                    .and_then(|r| sources.figures.get(&r.id()))
                    .and_then(|by_definition| by_definition.get(&definition.id))
                    .map(Vec::as_slice)
            })
            .collect();
        let allowed: Vec<String> = definition
            .breakdowns
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect();
        let shapes = shapes(&allowed, &figures);
        let started = Instant::now();
        let cells = if definition.unit == MetricUnit::Count {
            let table = count_table(&shapes, &figures);
            let previous =
                history::previous_table(earlier, definition.id, &sources.figures, councils.len());
            let protected = protect_counts(rules, &table, previous.as_ref());
            count_cells(&shapes, &protected)
        } else {
            let built_on: Vec<&[PublishedCell]> = definitions
                .iter()
                .filter(|d| {
                    d.unit == MetricUnit::Count
                        && [&definition.numerator_code, &definition.denominator_code]
                            .into_iter()
                            .flatten()
                            .any(|code| *code == d.code)
                })
                .filter_map(|d| published.get(&d.id).map(Vec::as_slice))
                .collect();
            measure_cells(rules, definition.unit, &shapes, &figures, &built_on)
        };
        disclosure_time += started.elapsed();
        published.insert(definition.id, cells);
    }
    // Stored in catalogue order (code, then version).
    let mut cells = Vec::new();
    for definition in definitions {
        let key = group_key(&definition.code, definition.version);
        if let Some(group) = published.remove(&definition.id) {
            cells.extend(
                group
                    .into_iter()
                    .map(|cell| (definition.id, key.clone(), cell)),
            );
        }
    }
    let mut coverage = Vec::new();
    for council in councils {
        let Some(approved) = returns.get(council) else {
            coverage.push((*council, None, CoverageStatus::NotApproved, None));
            continue;
        };
        let used = Some((approved.id(), approved.version()));
        let mine = sources.figures.get(&approved.id());
        for definition in definitions {
            let status = if mine.is_some_and(|m| m.contains_key(&definition.id)) {
                CoverageStatus::Returned
            } else {
                CoverageStatus::NotReturned
            };
            coverage.push((*council, Some(definition.id), status, used));
        }
        if definitions.is_empty() {
            coverage.push((*council, None, CoverageStatus::NotReturned, used));
        }
    }
    Built {
        cells,
        coverage,
        disclosure_time,
    }
}

/// Stores the release, its cells and coverage in one transaction. A concurrent compile of the
/// same period that stored its revision first makes this one a CONFLICT (the unique index on
/// partnership, period and revision); nothing is stored.
async fn store_release(
    store: &Store,
    release: &release::Model,
    councils: &[Uuid],
    cells: Vec<(Uuid, String, PublishedCell)>,
    coverage: Vec<CoverageLine>,
) -> AppResult<()> {
    let partnership_id = release.partnership_id;
    let txn = store.shared().await?;
    release::Entity::insert(release::ActiveModel {
        id: Set(release.id),
        partnership_id: Set(partnership_id),
        period: Set(release.period.clone()),
        revision: Set(release.revision),
        reason: Set(release.reason.clone()),
        threshold: Set(release.threshold),
        rounding_base: Set(release.rounding_base),
        compiled_at: Set(release.compiled_at),
        compiled_by: Set(release.compiled_by.clone()),
        supersedes: Set(release.supersedes),
    })
    .exec_without_returning(txn.conn())
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict { .. } => AppError::conflict(
            "period",
            "another revision of this period was compiled at the same time; compile again",
        ),
        other => other,
    })?;
    let rows: Vec<release_cell::ActiveModel> = cells
        .into_iter()
        .enumerate()
        .map(|(position, (definition_id, key, cell))| {
            let (value, symbol) = stored(&cell.value);
            release_cell::ActiveModel {
                partnership_id: Set(partnership_id),
                release_id: Set(release.id),
                position: Set(position as i32),
                definition_id: Set(definition_id),
                group_key: Set(key),
                council_id: Set(cell.council.and_then(|i| councils.get(i).copied())),
                breakdown: Set(cell.breakdown),
                category: Set(cell.category),
                value: Set(value),
                symbol: Set(symbol.map(str::to_owned)),
            }
        })
        .collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        release_cell::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn.conn())
            .await?;
    }
    let rows: Vec<release_coverage::ActiveModel> = coverage
        .into_iter()
        .enumerate()
        .map(|(position, (council_id, definition_id, status, used))| {
            release_coverage::ActiveModel {
                partnership_id: Set(partnership_id),
                release_id: Set(release.id),
                position: Set(position as i32),
                council_id: Set(council_id),
                definition_id: Set(definition_id),
                status: Set(status),
                return_id: Set(used.map(|u| u.0)),
                return_version: Set(used.map(|u| u.1)),
            }
        })
        .collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        release_coverage::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn.conn())
            .await?;
    }
    txn.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_period_codes_are_accepted() {
        for period in [
            "2023-24",
            "2023-24-autumn",
            "2023-24-spring",
            "2023-24-summer",
            "2024-03",
            "2024-12",
            "fy2023-24",
            "2099-00",
        ] {
            assert!(parse_period(period).is_ok(), "{period}");
        }
    }

    #[test]
    fn anything_else_is_refused_naming_the_period() {
        for period in [
            "",
            "2023",
            "2023-25",
            "2024-13",
            "2024-00",
            "2023-24-winter",
            "FY2023-24",
            "fy2023-25",
            "2023/24",
            "2023-24-",
            "é023-24",
            "2011-12",
            "1999-00",
        ] {
            let Err(AppError::BadUserInput { field, .. }) = parse_period(period) else {
                panic!("{period} should be refused");
            };
            assert_eq!(field, "period");
        }
    }
}
