//! Councils, partnerships and memberships: shared reference data, readable by every principal.
//!
//! These are shared tables, not council ones (`docs/domain.md`, "Isolation"): no `tenant_id`,
//! no `CouncilTxn`, so they are queried directly. The auth layer resolves (and caches) which
//! council or partnership an issuer speaks for through the lookups here.

// The exception `clippy.toml` allows for: every table here is shared, none holds a tenant_id.
#![expect(
    clippy::disallowed_methods,
    reason = "council, partnership and membership are shared reference tables, not council data"
)]

use entity::{council, membership, partnership};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The ids of every council the hub knows: for work done council by council, each in its own
/// council transaction.
#[tracing::instrument(skip_all)]
pub async fn council_ids(db: &DatabaseConnection) -> AppResult<Vec<Uuid>> {
    Ok(council::Entity::find()
        .select_only()
        .column(council::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// The council with `id`; NOT_FOUND when there is none.
#[tracing::instrument(skip_all, fields(council = %id))]
pub async fn council_by_id(db: &DatabaseConnection, id: Uuid) -> AppResult<council::Model> {
    council::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("council"))
}

/// The council with the DfE code `la_code`, if the hub knows it.
#[tracing::instrument(skip_all, fields(la_code = %la_code))]
pub async fn council_by_la_code(
    db: &DatabaseConnection,
    la_code: &str,
) -> AppResult<Option<council::Model>> {
    Ok(council::Entity::find()
        .filter(council::Column::LaCode.eq(la_code))
        .one(db)
        .await?)
}

/// The partnership with `code`, if the hub knows it.
#[tracing::instrument(skip_all, fields(partnership_code = %code))]
pub async fn partnership_by_code(
    db: &DatabaseConnection,
    code: &str,
) -> AppResult<Option<partnership::Model>> {
    Ok(partnership::Entity::find()
        .filter(partnership::Column::Code.eq(code))
        .one(db)
        .await?)
}

/// The partnership with `id`; NOT_FOUND when there is none.
#[tracing::instrument(skip_all, fields(partnership = %id))]
pub async fn partnership_by_id(db: &DatabaseConnection, id: Uuid) -> AppResult<partnership::Model> {
    partnership::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("partnership"))
}

/// The partnerships a council belongs to.
#[tracing::instrument(skip_all, fields(council = %council_id))]
pub async fn partnerships_of_council(
    db: &DatabaseConnection,
    council_id: Uuid,
) -> AppResult<Vec<partnership::Model>> {
    let memberships = membership::Entity::find()
        .filter(membership::Column::CouncilId.eq(council_id))
        .find_also_related(partnership::Entity)
        .all(db)
        .await?;
    Ok(memberships.into_iter().filter_map(|(_, p)| p).collect())
}

/// A partnership's member councils, by name.
#[tracing::instrument(skip_all, fields(partnership = %partnership_id))]
pub async fn member_councils(
    db: &DatabaseConnection,
    partnership_id: Uuid,
) -> AppResult<Vec<council::Model>> {
    let memberships = membership::Entity::find()
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .find_also_related(council::Entity)
        .order_by_asc(membership::Column::CouncilId)
        .all(db)
        .await?;
    let mut councils: Vec<_> = memberships.into_iter().filter_map(|(_, c)| c).collect();
    councils.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(councils)
}
