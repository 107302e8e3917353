//! Earlier revisions of a period, rebuilt so that a correction is protected against them: the
//! published cells come from the release tables, the true tables they were protected from are
//! rebuilt from the approved return versions each revision recorded (docs/domain.md,
//! "Releases", "Revisions"). Nothing true is ever stored in a shared table.

#![expect(
    clippy::disallowed_methods,
    reason = "release, release_cell and release_coverage are shared partnership tables"
)]

use std::collections::HashMap;

use entity::metric_definition::MetricUnit;
use entity::{release, release_cell, release_coverage};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::source::ReturnFigures;
use crate::domain::disclosure::ProtectedCountTable;
use crate::domain::release::{
    PublishedCell, count_table, pad_source, published_from, restore_protected, shapes_of,
};
use crate::error::AppResult;

/// One earlier revision of the period, as stored.
pub(super) struct Revision {
    pub release: release::Model,
    /// Its councils in row order.
    pub councils: Vec<Uuid>,
    /// The approved return version each council's cells came from.
    pub used: HashMap<Uuid, Uuid>,
    /// Its published cells per definition version (council as a row index).
    pub cells: HashMap<Uuid, Vec<PublishedCell>>,
}

/// The period's revisions so far, oldest first.
pub(super) async fn load(
    db: &impl ConnectionTrait,
    partnership_id: Uuid,
    period: &str,
) -> AppResult<Vec<Revision>> {
    let releases = release::Entity::find()
        .filter(release::Column::PartnershipId.eq(partnership_id))
        .filter(release::Column::Period.eq(period))
        .order_by_asc(release::Column::Revision)
        .all(db)
        .await?;
    let mut revisions = Vec::with_capacity(releases.len());
    for release in releases {
        let coverage = release_coverage::Entity::find()
            .filter(release_coverage::Column::PartnershipId.eq(partnership_id))
            .filter(release_coverage::Column::ReleaseId.eq(release.id))
            .order_by_asc(release_coverage::Column::Position)
            .all(db)
            .await?;
        let mut councils: Vec<Uuid> = Vec::new();
        let mut used = HashMap::new();
        for row in &coverage {
            if !councils.contains(&row.council_id) {
                councils.push(row.council_id);
            }
            if let Some(return_id) = row.return_id {
                used.insert(row.council_id, return_id);
            }
        }
        let index: HashMap<Uuid, usize> =
            councils.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let stored = release_cell::Entity::find()
            .filter(release_cell::Column::PartnershipId.eq(partnership_id))
            .filter(release_cell::Column::ReleaseId.eq(release.id))
            .order_by_asc(release_cell::Column::Position)
            .all(db)
            .await?;
        let mut cells: HashMap<Uuid, Vec<PublishedCell>> = HashMap::new();
        for cell in stored {
            let council = match cell.council_id {
                Some(id) => match index.get(&id) {
                    Some(at) => Some(*at),
                    None => continue,
                },
                None => None,
            };
            cells
                .entry(cell.definition_id)
                .or_default()
                .push(PublishedCell {
                    council,
                    value: published_from(cell.value, cell.symbol.as_deref(), MetricUnit::Count),
                    breakdown: cell.breakdown,
                    category: cell.category,
                });
        }
        revisions.push(Revision {
            release,
            councils,
            used,
            cells,
        });
    }
    Ok(revisions)
}

/// The approved return versions any earlier revision was compiled from.
pub(super) fn returns_used(revisions: &[Revision]) -> Vec<Uuid> {
    revisions
        .iter()
        .flat_map(|r| r.used.values().copied())
        .collect()
}

/// The latest earlier revision's protected table of a count definition (with the revisions
/// before it chained), padded to `rows` rows; `None` when no earlier revision published it.
pub(super) fn previous_table(
    revisions: &[Revision],
    definition_id: Uuid,
    figures: &HashMap<Uuid, ReturnFigures>,
    rows: usize,
) -> Option<ProtectedCountTable> {
    let mut previous: Option<ProtectedCountTable> = None;
    for revision in revisions {
        let Some(cells) = revision.cells.get(&definition_id) else {
            continue;
        };
        let shapes = shapes_of(cells);
        let council_cells: Vec<Option<&[_]>> = revision
            .councils
            .iter()
            .map(|council| {
                revision
                    .used
                    .get(council)
                    .and_then(|return_id| figures.get(return_id))
                    .and_then(|by_definition| by_definition.get(&definition_id))
                    .map(Vec::as_slice)
            })
            .collect();
        let source = pad_source(count_table(&shapes, &council_cells), rows);
        previous = Some(restore_protected(&shapes, cells, source, previous, rows));
    }
    previous
}
