//! Services: one file per noun. Each takes the store and, for council data, a [`TenantScope`];
//! none knows about HTTP or GraphQL, so each is testable on its own.

/// The tamper-evident audit log: recording, listing, verifying the hash chain.
pub mod audit;
/// Batch upserts from councils' case systems.
pub mod batch;
/// School calendars: terms and closure days per academic year.
pub mod calendar;
/// Cases: lifecycle, timeline, provision, evidence, reads, and the deadlines they are counted by.
pub mod case;
/// Children: the council's identifiable records.
pub mod child;
/// Ombudsman complaints, remedies and the improvement plan, with the committee's view and figures.
pub mod complaint;
/// Councils, partnerships and memberships: shared reference data.
pub mod directory;
/// The partnership's metric catalogue and pupil populations (shared per partnership).
pub mod metric;
/// Releases: compiling, revising and reading a partnership's published figures.
pub mod release;
/// A council's returns: computed from its cases or submitted, approved, read.
pub mod returns;
/// The demo partnership and its children.
pub mod seed;
/// The demo's cases, pupil populations and returns.
pub mod seed_figures;
/// Council deadline settings.
pub mod settings;
/// The database handle every service takes.
mod store;

pub use store::{StatementLog, Store};
