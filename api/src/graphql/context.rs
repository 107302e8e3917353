//! Helpers for resolvers: the caller, the store, ids and cursors, and the preamble a council
//! resolver starts with.

use async_graphql::{Context, ID};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::Limits;
use crate::auth::{Principal, Role};
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::AuditActor;
use crate::tenancy::TenantScope;

/// The verified caller. Every request to `/graphql` carries one; a missing one is a bug upstream.
pub fn principal<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
    ctx.data_opt::<Principal>()
        .ok_or_else(|| AppError::Unauthenticated("no verified principal".into()))
}

/// Who the audit log names for this request.
pub fn actor(ctx: &Context<'_>) -> AppResult<AuditActor> {
    Ok(principal(ctx)?.audit_actor())
}

/// What a resolver over council records starts from: the caller's council scope (for one of the
/// roles it allows), the store, and who the audit log names.
pub struct CouncilWork<'a> {
    pub store: &'a Store,
    pub scope: TenantScope,
    pub actor: AuditActor,
}

impl<'a> CouncilWork<'a> {
    /// The preamble of every council resolver: FORBIDDEN unless the caller holds one of `roles`
    /// in a council, checked before anything else.
    pub fn begin(ctx: &Context<'a>, roles: &[Role]) -> AppResult<Self> {
        let scope = principal(ctx)?.council_scope(roles)?;
        Ok(Self {
            store: store(ctx)?,
            scope,
            actor: actor(ctx)?,
        })
    }
}

/// The store every service takes.
pub fn store<'a>(ctx: &Context<'a>) -> AppResult<&'a Store> {
    ctx.data_opt::<Store>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("schema built without a store")))
}

/// The limits the schema was built with.
pub fn limits(ctx: &Context<'_>) -> AppResult<Limits> {
    ctx.data_opt::<Limits>()
        .copied()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("schema built without limits")))
}

/// A GraphQL `ID` as the UUID it must be.
pub fn parse_id(field: &str, id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| AppError::bad_input(field, "is not a valid id"))
}

/// A page size: `first` if given (1 to the maximum), else 20.
pub fn page_size(first: Option<i32>, limits: Limits) -> AppResult<u64> {
    match first {
        None => Ok(20.min(u64::from(limits.max_page_size))),
        Some(n) if n >= 1 && n as u32 <= limits.max_page_size => Ok(n as u64),
        Some(_) => Err(AppError::bad_input(
            "first",
            format!("must be between 1 and {}", limits.max_page_size),
        )),
    }
}

/// An opaque cursor for a row id.
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// The row id inside a cursor from [`encode_cursor`].
pub fn decode_cursor(field: &str, cursor: &str) -> AppResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::bad_input(field, "is not a cursor from this API"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor("after", &encode_cursor(id)).ok(), Some(id));
        assert!(decode_cursor("after", "not-a-cursor").is_err());
    }

    #[test]
    fn page_sizes_outside_the_limit_are_refused() {
        let limits = Limits {
            max_page_size: 100,
            max_batch_rows: 10,
        };
        assert_eq!(page_size(None, limits).ok(), Some(20));
        assert!(page_size(Some(0), limits).is_err());
        assert!(page_size(Some(101), limits).is_err());
        assert_eq!(page_size(Some(100), limits).ok(), Some(100));
    }
}
