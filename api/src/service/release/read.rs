//! Reading releases: published, disclosure-controlled figures, readable by the partnership's own
//! roles and by council roles of its member councils; any other partnership's release is
//! NOT_FOUND (docs/domain.md, "Releases", "Who reads a release").
//!
//! Releases hold no identifiable or unsuppressed figure, so reading one is not written to a
//! council's audit log.

#![expect(
    clippy::disallowed_methods,
    reason = "release tables, metric_definition and council are shared tables, not council data"
)]

use std::collections::HashMap;

use entity::metric_definition::{self, MetricUnit};
use entity::{council, release, release_cell, release_coverage};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::super::{Store, directory};
use crate::domain::disclosure::Published;
use crate::domain::release::published_from;
use crate::error::{AppError, AppResult};
use crate::tenancy::{PartnershipScope, TenantScope};

/// The partnerships whose releases a caller may read: made only from a scope.
#[derive(Clone, Debug)]
pub struct Readership {
    partnerships: Vec<Uuid>,
}

impl Readership {
    /// A partnership role reads its own partnership's releases.
    pub fn of_partnership(scope: PartnershipScope) -> Self {
        Self {
            partnerships: vec![scope.partnership_id()],
        }
    }

    /// A council role reads the releases of every partnership its council belongs to.
    #[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
    pub async fn of_council(store: &Store, scope: TenantScope) -> AppResult<Self> {
        let partnerships = directory::partnerships_of_council(&store.db, scope.council_id())
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        Ok(Self { partnerships })
    }

    fn may_read(&self, partnership_id: Uuid) -> bool {
        self.partnerships.contains(&partnership_id)
    }
}

/// A page of releases, newest first.
#[derive(Clone, Debug)]
pub struct ReleasePage {
    pub releases: Vec<release::Model>,
    pub has_next: bool,
}

/// The releases the caller may read, newest first (compiled_at, then id), `first` at a time
/// after the keyset position `after`; optionally of one period.
#[tracing::instrument(skip_all, fields(first))]
pub async fn list(
    store: &Store,
    readers: &Readership,
    first: u64,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    period: Option<&str>,
) -> AppResult<ReleasePage> {
    if readers.partnerships.is_empty() {
        return Ok(ReleasePage {
            releases: Vec::new(),
            has_next: false,
        });
    }
    let mut query = release::Entity::find()
        .filter(release::Column::PartnershipId.is_in(readers.partnerships.clone()));
    if let Some(period) = period {
        query = query.filter(release::Column::Period.eq(period));
    }
    if let Some((at, id)) = after {
        // One row comparison: a range of the `(partnership_id, compiled_at, id)` index.
        query = query.filter(
            Expr::tuple([
                Expr::col((release::Entity, release::Column::CompiledAt)),
                Expr::col((release::Entity, release::Column::Id)),
            ])
            .lt(Expr::tuple([Expr::value(at), Expr::value(id)])),
        );
    }
    let mut releases = query
        .order_by_desc(release::Column::CompiledAt)
        .order_by_desc(release::Column::Id)
        .limit(first.saturating_add(1))
        .all(&store.db)
        .await?;
    let has_next = releases.len() as u64 > first;
    releases.truncate(first as usize);
    Ok(ReleasePage { releases, has_next })
}

/// One published cell, ready to show.
#[derive(Clone, Debug)]
pub struct ReleaseCellView {
    pub definition_id: Uuid,
    pub group_key: String,
    /// `None` for the group's total.
    pub council_id: Option<Uuid>,
    pub breakdown: String,
    pub category: String,
    pub value: Published,
}

/// A release with everything a reader sees.
#[derive(Clone, Debug)]
pub struct ReleaseDetail {
    pub release: release::Model,
    pub cells: Vec<ReleaseCellView>,
    pub coverage: Vec<release_coverage::Model>,
    pub definitions: HashMap<Uuid, metric_definition::Model>,
    pub councils: HashMap<Uuid, council::Model>,
    /// Every revision of the release's period, oldest first (this one included).
    pub history: Vec<release::Model>,
}

/// One release; NOT_FOUND unless the caller may read its partnership's releases. With `code`,
/// only the cells of that figure (every version of it).
#[tracing::instrument(skip_all, fields(release = %id))]
pub async fn get(
    store: &Store,
    readers: &Readership,
    id: Uuid,
    code: Option<&str>,
) -> AppResult<ReleaseDetail> {
    let db = &store.db;
    let release = release::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| readers.may_read(r.partnership_id))
        .ok_or(AppError::NotFound("release"))?;
    let partnership_id = release.partnership_id;
    let coverage = release_coverage::Entity::find()
        .filter(release_coverage::Column::PartnershipId.eq(partnership_id))
        .filter(release_coverage::Column::ReleaseId.eq(id))
        .order_by_asc(release_coverage::Column::Position)
        .all(db)
        .await?;
    let mut definition_ids: Vec<Uuid> = coverage.iter().filter_map(|c| c.definition_id).collect();
    definition_ids.sort();
    definition_ids.dedup();
    let definitions: HashMap<Uuid, metric_definition::Model> = metric_definition::Entity::find()
        .filter(metric_definition::Column::PartnershipId.eq(partnership_id))
        .filter(metric_definition::Column::Id.is_in(definition_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut cells_query = release_cell::Entity::find()
        .filter(release_cell::Column::PartnershipId.eq(partnership_id))
        .filter(release_cell::Column::ReleaseId.eq(id));
    if let Some(code) = code {
        let ids: Vec<Uuid> = definitions
            .values()
            .filter(|d| d.code == code)
            .map(|d| d.id)
            .collect();
        cells_query = cells_query.filter(release_cell::Column::DefinitionId.is_in(ids));
    }
    let cells = cells_query
        .order_by_asc(release_cell::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|cell| {
            let unit = definitions
                .get(&cell.definition_id)
                .map_or(MetricUnit::Count, |d| d.unit);
            ReleaseCellView {
                value: published_from(cell.value, cell.symbol.as_deref(), unit),
                definition_id: cell.definition_id,
                group_key: cell.group_key,
                council_id: cell.council_id,
                breakdown: cell.breakdown,
                category: cell.category,
            }
        })
        .collect();
    let mut council_ids: Vec<Uuid> = coverage.iter().map(|c| c.council_id).collect();
    council_ids.sort();
    council_ids.dedup();
    let councils = council::Entity::find()
        .filter(council::Column::Id.is_in(council_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let history = release::Entity::find()
        .filter(release::Column::PartnershipId.eq(partnership_id))
        .filter(release::Column::Period.eq(release.period.clone()))
        .order_by_asc(release::Column::Revision)
        .all(db)
        .await?;
    Ok(ReleaseDetail {
        release,
        cells,
        coverage,
        definitions,
        councils,
        history,
    })
}
