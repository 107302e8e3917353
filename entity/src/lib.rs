//! sea-orm entities for the partnership hub, one file per table.
//!
//! Entities are storage shapes only: no GraphQL or web types live here, so that columns such as
//! `tenant_id` never leak into the API by accident. Tables holding council data carry `tenant_id`
//! first in their primary and unique keys.

/// A child known to a council. Council-private.
pub mod child;
/// A council: the tenant. Shared reference data.
pub mod council;
/// Which councils belong to which partnership. Shared reference data.
pub mod membership;
/// A regional partnership of councils. Shared reference data.
pub mod partnership;
