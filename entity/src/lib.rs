//! sea-orm entities for the partnership hub, one file per table.
//!
//! Entities are storage shapes only: no GraphQL or web types live here, so that columns such as
//! `tenant_id` never leak into the API by accident. Tables holding council data carry `tenant_id`
//! first in their primary and unique keys.

/// A council's append-only, hash-chained audit log. Council-private.
pub mod audit_event;
/// An s.19 / health-needs / exclusion / CME episode. Council-private.
pub mod case;
/// A case's append-only timeline. Council-private.
pub mod case_event;
/// A child known to a council. Council-private.
pub mod child;
/// A complaint about the council, at its own stages or with the Ombudsman. Council-private.
pub mod complaint;
/// A council: the tenant. Shared reference data.
pub mod council;
/// One version of a council's figures for a period. Council-private.
pub mod council_return;
/// A council's deadline settings. Council-private.
pub mod council_setting;
/// A partnership's disclosure settings. Shared per partnership.
pub mod disclosure_setting;
/// An item of a council's improvement plan. Council-private.
pub mod improvement_action;
/// Time-limited medical evidence. Council-private.
pub mod medical_evidence;
/// Which councils belong to which partnership. Shared reference data.
pub mod membership;
/// A versioned figure definition in a partnership's catalogue. Shared per partnership.
pub mod metric_definition;
/// A regional partnership of councils. Shared reference data.
pub mod partnership;
/// Education arranged for a case. Council-private.
pub mod provision;
/// A council's pupil population per academic year. Shared.
pub mod pupil_population;
/// A partnership's published, disclosure-controlled figures for a period. Shared.
pub mod release;
/// One published figure of a release. Shared.
pub mod release_cell;
/// Which councils and definition versions a release covers. Shared.
pub mod release_coverage;
/// A remedy agreed on a complaint. Council-private.
pub mod remedy;
/// A remedy's append-only status history. Council-private.
pub mod remedy_event;
/// One figure of a council's return. Council-private.
pub mod return_cell;
/// A council's closure days inside terms. Council-private.
pub mod school_closure;
/// A council's school terms. Council-private.
pub mod school_term;
