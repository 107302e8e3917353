//! Which council or partnership an issuer's binding names, looked up once and remembered.

use std::collections::HashMap;

use sea_orm::DatabaseConnection;
use tokio::sync::RwLock;

use super::Affiliation;
use crate::config::Binding;
use crate::error::{AppError, AppResult};
use crate::service::directory::{council_by_la_code, partnership_by_code};

/// Resolves issuer bindings to councils and partnerships, caching what it finds: ids never
/// change, so a positive answer can be kept for the life of the process.
#[derive(Debug, Default)]
pub struct Directory {
    cache: RwLock<HashMap<Binding, Affiliation>>,
}

impl Directory {
    /// The council or partnership `binding` names; UNAUTHENTICATED when this hub has no such one.
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
