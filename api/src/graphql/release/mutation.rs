//! Compiling releases and setting the disclosure settings: the partnership coordinator only.

use async_graphql::{Context, Object};

use super::types::{DisclosureSettings, Release};
use super::work;
use crate::domain::disclosure::DisclosureRules;
use crate::error::AppError;
use crate::service::release::{self as releases, CompileRequest, Readership};

/// Changes to the partnership's published figures.
#[derive(Default)]
pub struct ReleaseMutation;

#[Object]
impl ReleaseMutation {
    /// Compiles the partnership's release for `period` from its members' approved returns. The
    /// first compile of a period is revision 1; compiling it again is a correction, a new
    /// revision that needs a `reason`. Earlier revisions stay readable.
    async fn compile_release(
        &self,
        ctx: &Context<'_>,
        period: String,
        reason: Option<String>,
    ) -> Result<Release, AppError> {
        let (store, scope, actor) = work::coordinator(ctx)?;
        let compiled =
            releases::compile(store, scope, &actor, CompileRequest { period, reason }).await?;
        Ok(Release::new(
            compiled.release,
            Readership::of_partnership(scope),
        ))
    }

    /// Sets the partnership's suppression threshold and rounding base (each 1 to 100), used by
    /// releases compiled from now on.
    async fn set_disclosure_settings(
        &self,
        ctx: &Context<'_>,
        threshold: i32,
        rounding_base: i32,
    ) -> Result<DisclosureSettings, AppError> {
        let (store, scope, actor) = work::coordinator(ctx)?;
        let rules = DisclosureRules::new(i64::from(threshold), i64::from(rounding_base))
            .map_err(|e| AppError::bad_input(e.field(), e.to_string()))?;
        Ok(releases::set_disclosure_rules(store, scope, &actor, rules)
            .await?
            .into())
    }
}
