//! Cases: their lifecycle (opening, the duty decision, reviews, closing), the timeline, provision,
//! medical evidence, the reads a caseworker's pages need, and the deadlines derived from them on
//! the council's school calendar.
//!
//! The timeline is append-only: every change to a case writes a `case_event` (through
//! `record::append`), and nothing here updates or deletes one.
//!
//! One file per job; `deadline` and `record` are the lowest (the other files, and the calendar
//! and settings services, call down into them). This file only declares and re-exports, so
//! nothing here is imported back by the files it lists.

pub mod deadline;
mod evidence;
mod lifecycle;
mod provision;
mod read;
mod record;

pub use crate::domain::case::{parse_hours, parse_past_date};
pub use deadline::{Deadlines, fill_missing_deadlines, load_calendar, load_settings};
pub use evidence::{NewEvidence, add_evidence};
pub use lifecycle::{NewCase, close, decide, open, record_review};
pub use provision::{
    NewProvision, ProvisionChange, change_provision, end_provision, start_provision,
};
pub use read::{
    CaseDetail, CaseFilter, CaseListing, CaseOrder, CasePage, CaseParts, CasePosition, Timeline,
    WORKLIST_LIMIT, due_soon, get, list,
};
