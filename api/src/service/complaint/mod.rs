//! Ombudsman complaints, the remedies agreed on them, and the council's improvement plan: recording
//! them, marking progress with evidence, reading them, the committee's monitoring view, and the
//! figures the council's return carries (`docs/domain.md`, "Ombudsman complaints and remedies").
//!
//! Every change is audited in its own transaction and every read of a complaint, remedy or
//! action goes to the audit log before it is answered. Free text (a complaint's summary, the
//! evidence sent) is never logged.
//!
//! One file per job; `lookup` is the lowest (the others call down into it). This file only
//! declares and re-exports.

mod action;
mod demo;
mod figures;
mod lookup;
mod monitoring;
mod read;
mod record;
mod remedy;

pub use action::{ActionChange, NewAction, add_action, change_action};
pub use demo::seed_demo_complaints;
pub use figures::{ComplaintFigures, complaint_figures, figures_for_period};
pub use monitoring::{
    MonitoringReport, MonitoringTotals, ReportPage, ReportRow, action_page, monitoring_report,
    monitoring_totals, remedy_page,
};
pub use read::{ComplaintDetail, ComplaintReader, RemedyDetail, get, list, remedies_owed_on_case};
pub use record::{Decision, DecisionUpdate, NewComplaint, record_complaint, record_decision};
pub use remedy::{NewRemedy, RemedyProgress, add_remedy, record_progress};
