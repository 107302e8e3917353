//! Who is calling and where they belong: the caller, councils and partnerships. Directory
//! data, shared by every council, so nothing here is council-scoped.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};
use entity::{council, partnership};

use super::context;
use crate::auth::{Affiliation, Principal, Role};
use crate::error::AppError;
use crate::service::directory;

/// A council (local authority).
#[derive(SimpleObject, Clone, Debug)]
pub struct Council {
    pub id: ID,
    /// DfE 3-digit LA code, e.g. 886.
    pub la_code: String,
    /// ONS 9-character code, e.g. E10000016.
    pub ons_code: String,
    pub name: String,
}

impl From<council::Model> for Council {
    fn from(model: council::Model) -> Self {
        Self {
            id: ID(model.id.to_string()),
            la_code: model.la_code,
            ons_code: model.ons_code,
            name: model.name,
        }
    }
}

/// A regional partnership of councils.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Partnership {
    pub id: ID,
    /// Short code, e.g. SESLIP.
    pub code: String,
    pub name: String,
    /// ONS region code, e.g. E12000008.
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    #[graphql(skip)]
    pub partnership_id: uuid::Uuid,
}

#[ComplexObject]
impl Partnership {
    /// The member councils, by name.
    async fn member_councils(&self, ctx: &Context<'_>) -> Result<Vec<Council>, AppError> {
        let store = context::store(ctx)?;
        let councils = directory::member_councils(&store.db, self.partnership_id).await?;
        Ok(councils.into_iter().map(Council::from).collect())
    }
}

impl From<partnership::Model> for Partnership {
    fn from(model: partnership::Model) -> Self {
        Self {
            id: ID(model.id.to_string()),
            code: model.code,
            name: model.name,
            region_code: model.region_code,
            region_name: model.region_name,
            partnership_id: model.id,
        }
    }
}

/// The caller, as the hub sees them.
pub struct Me(pub Principal);

#[Object]
impl Me {
    /// The token's subject: the identity provider's id for the caller.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The issuer that vouched for the caller.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }

    async fn roles(&self) -> Vec<Role> {
        self.0.roles.iter().copied().collect()
    }

    /// The caller's council; null for partnership users.
    async fn council(&self, ctx: &Context<'_>) -> Result<Option<Council>, AppError> {
        match &self.0.affiliation {
            Affiliation::Council { council_id, .. } => {
                let store = context::store(ctx)?;
                Ok(Some(
                    directory::council_by_id(&store.db, *council_id)
                        .await?
                        .into(),
                ))
            }
            Affiliation::Partnership { .. } => Ok(None),
        }
    }

    /// The caller's partnership; null for council users (see `partnership` for theirs).
    async fn partnership(&self, ctx: &Context<'_>) -> Result<Option<Partnership>, AppError> {
        match &self.0.affiliation {
            Affiliation::Partnership { partnership_id, .. } => {
                let store = context::store(ctx)?;
                Ok(Some(
                    directory::partnership_by_id(&store.db, *partnership_id)
                        .await?
                        .into(),
                ))
            }
            Affiliation::Council { .. } => Ok(None),
        }
    }
}

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
