//! Councils, partnerships and memberships: shared reference data, readable by every principal,
//! and the mapping from an issuer's binding to the council or partnership it speaks for.

use std::collections::HashMap;

use entity::{council, membership, partnership};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::RwLock;
use uuid::Uuid;

use crate::auth::Affiliation;
use crate::auth::verifier::Binding;
use crate::error::{AppError, AppResult};

pub async fn council_by_id(db: &DatabaseConnection, id: Uuid) -> AppResult<council::Model> {
    council::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("council"))
}

pub async fn council_by_la_code(
    db: &DatabaseConnection,
    la_code: &str,
) -> AppResult<Option<council::Model>> {
    Ok(council::Entity::find()
        .filter(council::Column::LaCode.eq(la_code))
        .one(db)
        .await?)
}

pub async fn partnership_by_code(
    db: &DatabaseConnection,
    code: &str,
) -> AppResult<Option<partnership::Model>> {
    Ok(partnership::Entity::find()
        .filter(partnership::Column::Code.eq(code))
        .one(db)
        .await?)
}

pub async fn partnership_by_id(db: &DatabaseConnection, id: Uuid) -> AppResult<partnership::Model> {
    partnership::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("partnership"))
}

/// The partnerships a council belongs to.
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

/// Resolves issuer bindings to councils and partnerships, caching what it finds: ids never
/// change, so a positive answer can be kept for the life of the process.
#[derive(Debug, Default)]
pub struct Directory {
    cache: RwLock<HashMap<Binding, Affiliation>>,
}

impl Directory {
    pub async fn resolve(
        &self,
        db: &DatabaseConnection,
        binding: &Binding,
    ) -> AppResult<Affiliation> {
        if let Some(found) = self.cache.read().await.get(binding) {
            return Ok(found.clone());
        }
        let affiliation = match binding {
            Binding::Council(la_code) => {
                let council = council_by_la_code(db, la_code.as_str())
                    .await?
                    .ok_or_else(|| {
                        AppError::Unauthenticated(format!(
                            "council {la_code} is not known to this hub"
                        ))
                    })?;
                Affiliation::Council {
                    council_id: council.id,
                    la_code: council.la_code,
                }
            }
            Binding::Partnership(code) => {
                let partnership = partnership_by_code(db, code).await?.ok_or_else(|| {
                    AppError::Unauthenticated(format!(
                        "partnership {code} is not known to this hub"
                    ))
                })?;
                Affiliation::Partnership {
                    partnership_id: partnership.id,
                    code: partnership.code,
                }
            }
        };
        self.cache
            .write()
            .await
            .insert(binding.clone(), affiliation.clone());
        Ok(affiliation)
    }
}
