//! The preamble every case resolver shares, done once: the role check and the council scope,
//! the store and the audit actor; and, after a change, the case as the caller now sees it.

use async_graphql::Context;
use uuid::Uuid;

use super::Case;
use crate::auth::CASEWORK;
use crate::domain::clock;
use crate::error::AppError;
use crate::graphql::context::CouncilWork;
use crate::service::case as cases;

/// Case work for one request: council work (the caller's scope, the store and who the audit log
/// names) for the roles that may touch cases.
pub(super) struct CaseWork<'a>(CouncilWork<'a>);

impl<'a> std::ops::Deref for CaseWork<'a> {
    type Target = CouncilWork<'a>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a> CaseWork<'a> {
    /// FORBIDDEN unless the caller is a caseworker or a manager in a council (`docs/domain.md`,
    /// "Roles"), checked before any input is read.
    pub(super) fn begin(ctx: &Context<'a>) -> Result<Self, AppError> {
        Ok(Self(CouncilWork::begin(ctx, CASEWORK)?))
    }

    /// The case as the caller sees it now: after a change, or when asked for (an audited read).
    pub(super) async fn reload(&self, case_id: Uuid) -> Result<Case, AppError> {
        let detail =
            cases::get(self.store, self.scope, &self.actor, case_id, clock::today()).await?;
        Ok(Case(detail))
    }
}
