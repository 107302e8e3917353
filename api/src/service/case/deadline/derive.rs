//! What the deadlines say about a case on a caseworker's page: due date, days without
//! provision, overdue or late, evidence expiring, the next review. Pure, so the rules a
//! caseworker relies on are tested here (docs/domain.md, "Deadlines").

use chrono::NaiveDate;
use entity::case::{self, CaseReason, CaseStatus};
use entity::case_event::{self, CaseEventKind};
use entity::{medical_evidence, provision};

use super::stored::StoredDeadlines;
use crate::domain::calendar::SchoolCalendar;
use crate::domain::deadline::{self, AbsenceEpisode, DeadlineSettings};

/// What the deadlines say about a case today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// The school day provision is due by (cumulative across the academic year's episodes).
    pub provision_due_by: Option<NaiveDate>,
    pub school_days_without_provision: u32,
    pub overdue: bool,
    /// Provision started after the due date.
    pub late: bool,
    pub evidence_expires_soon: bool,
    /// True when the council has no calendar for the dates and weekdays minus bank holidays
    /// were used instead.
    pub approximate: bool,
}

/// What a council's deadlines are counted on, as of one day: its school calendar and its
/// deadline settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DeadlineBasis<'a> {
    pub calendar: &'a SchoolCalendar,
    pub settings: &'a DeadlineSettings,
    pub today: NaiveDate,
}

/// What the deadlines say about `case` on `basis.today`: from the due date and running count
/// stored on it when they have been computed, else from `episodes` (the child's that count
/// towards it, see [`episodes_for`](super::episodes_for)).
pub(crate) fn derive(
    basis: DeadlineBasis<'_>,
    case: &case::Model,
    episodes: &[AbsenceEpisode],
    provisions: &[provision::Model],
    evidence: &[medical_evidence::Model],
) -> Deadlines {
    let DeadlineBasis {
        calendar,
        settings,
        today,
    } = basis;
    let rule = if case.reason == CaseReason::PermanentExclusion {
        settings.permanent_exclusion_rule()
    } else {
        settings.health_and_other_rule()
    };
    let provision_start = provisions.iter().map(|p| p.start_date).min();
    let (due, school_days_without_provision) = match StoredDeadlines::stored(case) {
        Some(stored) => (
            stored.provision_due_by,
            u32::try_from(
                stored
                    .wait
                    .days_on(deadline::school_day_number(calendar, today)),
            )
            .unwrap_or(0),
        ),
        None => (
            deadline::provision_due_by(calendar, episodes, rule),
            deadline::school_days_without_provision(calendar, episodes, provision_start, today),
        ),
    };
    let open = case.status == CaseStatus::Open;
    let latest_evidence = evidence.iter().max_by_key(|e| e.evidence_date);
    Deadlines {
        provision_due_by: due,
        school_days_without_provision,
        overdue: open && deadline::is_overdue(due, provision_start, today),
        late: deadline::is_late(due, provision_start),
        evidence_expires_soon: open
            && latest_evidence.is_some_and(|e| {
                deadline::evidence_expires_soon(
                    e.valid_until,
                    today,
                    settings.evidence_warning_days,
                )
            }),
        approximate: calendar.is_approximate(),
    }
}

/// The next review is due a set number of school days after the last one held, or after the
/// absence started when none has been; a closed case needs none.
pub(crate) fn next_review_due(
    case: &case::Model,
    events: &[case_event::Model],
    settings: &DeadlineSettings,
    calendar: &SchoolCalendar,
) -> Option<NaiveDate> {
    if case.status != CaseStatus::Open {
        return None;
    }
    let last_review = events
        .iter()
        .filter(|e| e.kind == CaseEventKind::ReviewHeld)
        .map(|e| e.occurred_on)
        .max()
        .unwrap_or(case.absence_start);
    deadline::next_review_due(last_review, settings.review_interval_school_days, calendar)
}
