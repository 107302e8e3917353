//! A council's returns (docs/domain.md, "Returns"): figures for a period, computed from its case
//! data in the database or submitted, versioned, approved by a manager, read by its own analysts
//! and managers.
//!
//! `compute` builds the aggregation statements and `record` stores and loads versions; both are
//! below `lifecycle`, which holds the public operations. This file only declares and re-exports.

pub mod compute;
mod lifecycle;
mod record;

pub use lifecycle::{DefinitionKey, approve, compute, get, list, submit};
pub use record::ReturnDetail;
