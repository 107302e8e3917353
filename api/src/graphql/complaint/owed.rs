//! The remedies still owed on a case, for the case page: a payment for lost education agreed
//! with the Ombudsman links to the child's case, and the case shows it until it is paid.

use async_graphql::Context;
use uuid::Uuid;

use super::types::Remedy;
use crate::auth::CASEWORK;
use crate::domain::clock;
use crate::error::AppError;
use crate::graphql::context::CouncilWork;
use crate::service::complaint as complaints;

/// The remedies linked to the council's case `case_id` and not yet done, as of today (an
/// audited read); empty for a case with none.
pub async fn remedies_owed(ctx: &Context<'_>, case_id: Uuid) -> Result<Vec<Remedy>, AppError> {
    let work = CouncilWork::begin(ctx, CASEWORK)?;
    let owed =
        complaints::remedies_owed_on_case(work.store, work.scope, &work.actor, case_id).await?;
    let today = clock::today();
    Ok(owed.into_iter().map(|r| Remedy::on(r, today)).collect())
}
