//! What a compile reads through the compile transaction: member councils' approved returns for
//! the period (and the approved versions earlier revisions were compiled from), and their cells,
//! grouped by council and definition version.

use std::collections::HashMap;

use uuid::Uuid;

use super::super::Store;
use crate::domain::release::ReturnedCell;
use crate::error::AppResult;
use crate::tenancy::{ApprovedReturn, PartnershipScope};

/// A return's cells by definition version.
pub(super) type ReturnFigures = HashMap<Uuid, Vec<ReturnedCell>>;

/// Everything the compile step reads from councils, in one compile transaction.
pub(super) struct Sources {
    /// Each member council's latest approved return for the period.
    pub current: Vec<ApprovedReturn>,
    /// Cells by return id (current and earlier ones), by definition version.
    pub figures: HashMap<Uuid, ReturnFigures>,
    /// The partnership's member councils.
    pub members: Vec<Uuid>,
}

/// Reads the approved returns of `period` and the approved versions `earlier` names, under the
/// compile role (PostgreSQL) and the compile transaction's filters (every store).
pub(super) async fn read(
    store: &Store,
    scope: PartnershipScope,
    period: &str,
    earlier: &[Uuid],
) -> AppResult<Sources> {
    let txn = store.compiler(scope).await?;
    let current = txn.approved_returns(period).await?;
    let mut wanted: Vec<Uuid> = earlier
        .iter()
        .copied()
        .filter(|id| !current.iter().any(|r| r.id() == *id))
        .collect();
    wanted.sort();
    wanted.dedup();
    let older = txn.approved_returns_by_id(&wanted).await?;
    let all: Vec<ApprovedReturn> = current.iter().cloned().chain(older).collect();
    let cells = txn.cells(&all).await?;
    let members = txn.members().to_vec();
    txn.finish().await?;
    let mut figures: HashMap<Uuid, ReturnFigures> = HashMap::new();
    for cell in cells {
        figures
            .entry(cell.return_id)
            .or_default()
            .entry(cell.definition_id)
            .or_default()
            .push(ReturnedCell {
                breakdown: cell.breakdown,
                category: cell.category,
                value: cell.value,
                numerator: cell.numerator,
                base: cell.base,
            });
    }
    Ok(Sources {
        current,
        figures,
        members,
    })
}
