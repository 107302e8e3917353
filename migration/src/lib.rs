//! Schema migrations for the partnership hub, one dated file each.
//!
//! The same migrations run on SQLite (the embedded default) and PostgreSQL (production). The
//! PostgreSQL-only parts — the application role and row-level security — are guarded by backend
//! and live in [`rls`], so every council table gets exactly the same policy.

#![allow(
    clippy::disallowed_methods,
    reason = "migrations own the schema: they run DDL as the owner, before any council exists"
)]

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_case_work;
mod m20261123_000003_case_worklist;
mod m20261123_000004_audit;
mod m20261123_000005_council_setting;
mod m20261123_000006_provision_wait;
mod m20261202_000007_case_reason_length;
mod m20261202_000008_shared_figures;
mod m20261202_000009_release;
mod m20261202_000010_complaint;
mod m20261202_000011_keyset_indexes;
mod m20261202_000012_case_order_keys;
pub use m20261202_000012_case_order_keys::{
    CASE_DUE_KEY, CASE_WAIT_RUNNING_KEY, CASE_WAIT_STOPPED_KEY,
};
/// Row-level security helpers shared by migrations (PostgreSQL only).
pub mod rls;

/// The non-owner role the server switches to for council work; created without BYPASSRLS.
pub const APP_ROLE: &str = "hub_app";

/// The role a release is compiled under: it reads approved returns of one partnership's member
/// councils and nothing else; created without BYPASSRLS (PostgreSQL only).
pub const COMPILER_ROLE: &str = "hub_compiler";

/// Runs every migration, in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_case_work::Migration),
            Box::new(m20261123_000003_case_worklist::Migration),
            Box::new(m20261123_000004_audit::Migration),
            Box::new(m20261123_000005_council_setting::Migration),
            Box::new(m20261123_000006_provision_wait::Migration),
            Box::new(m20261202_000007_case_reason_length::Migration),
            Box::new(m20261202_000008_shared_figures::Migration),
            Box::new(m20261202_000009_release::Migration),
            Box::new(m20261202_000010_complaint::Migration),
            Box::new(m20261202_000011_keyset_indexes::Migration),
            Box::new(m20261202_000012_case_order_keys::Migration),
        ]
    }
}

/// The migrations' source text, so test harnesses can key a template database on the exact
/// schema: add a line here with every new migration.
pub const SOURCES: &[&str] = &[
    include_str!("m20261123_000001_foundation.rs"),
    include_str!("m20261123_000002_case_work.rs"),
    include_str!("m20261123_000003_case_worklist.rs"),
    include_str!("m20261123_000004_audit.rs"),
    include_str!("m20261123_000005_council_setting.rs"),
    include_str!("m20261123_000006_provision_wait.rs"),
    include_str!("m20261202_000007_case_reason_length.rs"),
    include_str!("m20261202_000008_shared_figures.rs"),
    include_str!("m20261202_000009_release.rs"),
    include_str!("m20261202_000010_complaint.rs"),
    include_str!("m20261202_000011_keyset_indexes.rs"),
    include_str!("m20261202_000012_case_order_keys.rs"),
    include_str!("rls.rs"),
];
