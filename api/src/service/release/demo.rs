//! The demo partnership's published release: compiled once the demo returns are approved, so a
//! newcomer's first query shows a release (docs/domain.md, "Releases").

#![expect(
    clippy::disallowed_methods,
    reason = "release is a shared partnership table; only its existence is checked"
)]

use entity::release;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::super::{Store, directory};
use super::compile::{CompileRequest, compile};
use crate::domain::audit::AuditActor;
use crate::domain::reference;
use crate::error::AppResult;
use crate::tenancy::PartnershipScope;

/// Compiles one release for the demo partnership, for the period most councils have approved
/// returns for; nothing when a release exists already or nothing is approved. Returns the
/// number of releases compiled (0 or 1).
#[tracing::instrument(skip_all)]
pub async fn seed_demo_release(store: &Store) -> AppResult<usize> {
    let Some(partnership) =
        directory::partnership_by_code(&store.db, reference::SOUTH_EAST_PARTNERSHIP_CODE).await?
    else {
        return Ok(0);
    };
    let existing = release::Entity::find()
        .filter(release::Column::PartnershipId.eq(partnership.id))
        .count(&store.db)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let scope = PartnershipScope::for_partnership(partnership.id);
    let txn = store.compiler(scope).await?;
    let periods = txn.approved_periods().await?;
    txn.finish().await?;
    let Some((period, _)) = periods.into_iter().next() else {
        return Ok(0);
    };
    let seeder = AuditActor {
        subject: "demo-seed".to_owned(),
        issuer: "partnership-hub".to_owned(),
    };
    compile(
        store,
        scope,
        &seeder,
        CompileRequest {
            period,
            reason: None,
        },
    )
    .await?;
    Ok(1)
}
