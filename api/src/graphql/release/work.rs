//! The preamble of release resolvers: who may read releases, and who may compile them
//! (docs/domain.md, "Releases", "Who reads a release").

use async_graphql::Context;

use crate::auth::{Affiliation, Role};
use crate::error::AppResult;
use crate::graphql::context;
use crate::service::Store;
use crate::service::audit::AuditActor;
use crate::service::release::Readership;
use crate::tenancy::PartnershipScope;

/// Partnership roles that read their partnership's releases.
const PARTNERSHIP_READERS: &[Role] = &[Role::PartnershipAnalyst, Role::PartnershipCoordinator];

/// Council roles that read their partnerships' releases: the analyst ("all releases") and the
/// manager, who approves what the council shares. Caseworkers, auditors and machine clients
/// have no need of them.
const COUNCIL_READERS: &[Role] = &[Role::Analyst, Role::Manager];

/// Who may change the partnership's figures: the coordinator alone.
const COMPILERS: &[Role] = &[Role::PartnershipCoordinator];

/// The store and the partnerships whose releases the caller may read; FORBIDDEN for other roles.
pub(super) async fn readers<'a>(ctx: &Context<'a>) -> AppResult<(&'a Store, Readership)> {
    let principal = context::principal(ctx)?;
    let store = context::store(ctx)?;
    let readers = match principal.affiliation {
        Affiliation::Partnership { .. } => {
            Readership::of_partnership(principal.partnership_scope(PARTNERSHIP_READERS)?)
        }
        Affiliation::Council { .. } => {
            Readership::of_council(store, principal.council_scope(COUNCIL_READERS)?).await?
        }
    };
    Ok((store, readers))
}

/// The coordinator's partnership scope, the store and the actor; FORBIDDEN for anyone else,
/// checked before any input is read.
pub(super) fn coordinator<'a>(
    ctx: &Context<'a>,
) -> AppResult<(&'a Store, PartnershipScope, AuditActor)> {
    let principal = context::principal(ctx)?;
    let scope = principal.partnership_scope(COMPILERS)?;
    Ok((context::store(ctx)?, scope, principal.audit_actor()))
}

/// The partnership scope of any partnership role (for its settings).
pub(super) fn partnership<'a>(ctx: &Context<'a>) -> AppResult<(&'a Store, PartnershipScope)> {
    let principal = context::principal(ctx)?;
    let scope = principal.partnership_scope(PARTNERSHIP_READERS)?;
    Ok((context::store(ctx)?, scope))
}
