//! Reading releases: the partnership's roles and member councils' analysts and managers.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};

use super::cursor;
use super::types::{DisclosureSettings, DisclosureSymbolInfo, Release};
use super::work;
use crate::domain::disclosure::Symbol;
use crate::error::AppError;
use crate::graphql::context;
use crate::service::release as releases;

/// Releases and the symbols they use.
#[derive(Default)]
pub struct ReleaseQuery;

#[Object]
impl ReleaseQuery {
    /// The releases the caller may read, newest first; optionally of one period.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity + 1")]
    async fn releases(
        &self,
        ctx: &Context<'_>,
        period: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Release>, AppError> {
        let (store, readers) = work::readers(ctx).await?;
        let first = context::page_size(first, context::limits(ctx)?)?;
        let after = after
            .as_deref()
            .map(|c| cursor::decode("after", c))
            .transpose()?;
        let period = period
            .as_deref()
            .map(|p| releases::parse_period(p.trim()))
            .transpose()?;
        let page = releases::list(store, &readers, first, after, period.as_deref()).await?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection
            .edges
            .extend(page.releases.into_iter().map(|model| {
                Edge::new(
                    cursor::encode(model.compiled_at, model.id),
                    Release::new(model, readers.clone()),
                )
            }));
        Ok(connection)
    }

    /// One release with its cells, coverage, settings and revisions; a release of a
    /// partnership the caller does not belong to is NOT_FOUND.
    async fn release(&self, ctx: &Context<'_>, id: ID) -> Result<Release, AppError> {
        let (store, readers) = work::readers(ctx).await?;
        let id = context::parse_id("id", &id)?;
        let detail = releases::get(store, &readers, id, None).await?;
        Ok(Release::with_detail(detail, readers))
    }

    /// The DfE symbols a published value may carry, with their meanings.
    async fn disclosure_symbols(&self) -> Vec<DisclosureSymbolInfo> {
        Symbol::ALL
            .into_iter()
            .map(DisclosureSymbolInfo::from)
            .collect()
    }

    /// The caller's partnership's current disclosure settings (partnership roles).
    async fn disclosure_settings(&self, ctx: &Context<'_>) -> Result<DisclosureSettings, AppError> {
        let (store, scope) = work::partnership(ctx)?;
        Ok(releases::disclosure_rules(store, scope.partnership_id())
            .await?
            .into())
    }
}
