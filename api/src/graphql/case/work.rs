//! The preamble every case resolver shares, done once: the role check and the council scope,
//! the store and the audit actor; and, after a change, the case as the caller now sees it.

use async_graphql::Context;
use uuid::Uuid;

use super::Case;
use crate::auth::CASEWORK;
use crate::domain::clock;
use crate::error::AppError;
use crate::graphql::context::CouncilWork;
use crate::service::Store;
use crate::service::audit::AuditActor;
use crate::service::case as cases;
use crate::tenancy::TenantScope;

/// Case work for one request: the caller's council scope, the store and who the audit log names.
pub(super) struct CaseWork<'a> {
    pub store: &'a Store,
    pub scope: TenantScope,
    pub actor: AuditActor,
}

impl<'a> CaseWork<'a> {
    /// FORBIDDEN unless the caller is a caseworker or a manager in a council (`docs/domain.md`,
    /// "Roles"), checked before any input is read.
    pub(super) fn begin(ctx: &Context<'a>) -> Result<Self, AppError> {
        let CouncilWork {
            store,
            scope,
            actor,
        } = CouncilWork::begin(ctx, CASEWORK)?;
        Ok(Self {
            store,
            scope,
            actor,
        })
    }

    /// The case as the caller sees it now: after a change, or when asked for (an audited read).
    pub(super) async fn reload(&self, case_id: Uuid) -> Result<Case, AppError> {
        let detail =
            cases::get(self.store, self.scope, &self.actor, case_id, clock::today()).await?;
        Ok(Case(detail))
    }
}
