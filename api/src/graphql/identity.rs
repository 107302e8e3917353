use async_graphql::{Context, Object};

use super::context;
use super::types::{Council, Me, Partnership};
use crate::auth::Affiliation;
use crate::error::AppError;
use crate::service::directory;

/// Who is calling, and where they belong.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The caller: subject, issuer, roles, council or partnership.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me, AppError> {
        Ok(Me(context::principal(ctx)?.clone()))
    }

    /// The caller's council; null for partnership users.
    async fn my_council(&self, ctx: &Context<'_>) -> Result<Option<Council>, AppError> {
        let principal = context::principal(ctx)?;
        let Some(council_id) = principal.council_id() else {
            return Ok(None);
        };
        let store = context::store(ctx)?;
        Ok(Some(
            directory::council_by_id(&store.db, council_id)
                .await?
                .into(),
        ))
    }

    /// A partnership the caller belongs to, with its member councils. Without `code`, the
    /// caller's own (a council in several partnerships must name one). Any other partnership is
    /// NOT_FOUND.
    async fn partnership(
        &self,
        ctx: &Context<'_>,
        code: Option<String>,
    ) -> Result<Partnership, AppError> {
        let principal = context::principal(ctx)?;
        let store = context::store(ctx)?;
        let mine = match &principal.affiliation {
            Affiliation::Partnership { partnership_id, .. } => {
                vec![directory::partnership_by_id(&store.db, *partnership_id).await?]
            }
            Affiliation::Council { council_id, .. } => {
                directory::partnerships_of_council(&store.db, *council_id).await?
            }
        };
        let chosen = match code {
            Some(code) => mine.into_iter().find(|p| p.code == code.trim()),
            None if mine.len() == 1 => mine.into_iter().next(),
            None if mine.is_empty() => None,
            None => {
                return Err(AppError::bad_input(
                    "code",
                    "your council belongs to several partnerships; name one",
                ));
            }
        };
        chosen
            .map(Partnership::from)
            .ok_or(AppError::NotFound("partnership"))
    }
}
