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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use entity::medical_evidence::Model as Evidence;

    use super::super::fixtures::{case_of, child, date, event, health_case, letter, tuition};
    use super::super::stored::{episodes_by_child, episodes_for};
    use super::*;
    use crate::domain::calendar::Term;
    use crate::domain::deadline::ProvisionWait;

    /// A case's page: the case, the child's other cases, its provision and evidence, on the
    /// council's calendar (none unless set) with the default settings.
    struct Page {
        calendar: SchoolCalendar,
        settings: DeadlineSettings,
        case: case::Model,
        siblings: Vec<case::Model>,
        provisions: Vec<provision::Model>,
        evidence: Vec<Evidence>,
    }

    impl Page {
        fn of(case: case::Model) -> Self {
            Self {
                calendar: SchoolCalendar::fallback(),
                settings: DeadlineSettings::default(),
                siblings: vec![case.clone()],
                case,
                provisions: Vec::new(),
                evidence: Vec::new(),
            }
        }

        /// The deadlines as the page shows them on `today`, worked out from the episodes.
        fn on(&self, today: NaiveDate) -> Deadlines {
            let episodes = episodes_for(&self.case, &episodes_by_child(&self.siblings));
            derive(
                self.basis(today),
                &self.case,
                &episodes,
                &self.provisions,
                &self.evidence,
            )
        }

        /// The deadlines on `today` with no episodes loaded, as for a case whose deadlines are
        /// stored.
        fn stored_on(&self, today: NaiveDate) -> Deadlines {
            derive(
                self.basis(today),
                &self.case,
                &[],
                &self.provisions,
                &self.evidence,
            )
        }

        fn basis(&self, today: NaiveDate) -> DeadlineBasis<'_> {
            DeadlineBasis {
                calendar: &self.calendar,
                settings: &self.settings,
                today,
            }
        }
    }

    /// Summer term 2021 with a half-term from 31 May to 4 June.
    fn summer_2021() -> SchoolCalendar {
        SchoolCalendar::from_terms(
            vec![
                Term {
                    start: date(2021, 4, 19),
                    end: date(2021, 5, 28),
                },
                Term {
                    start: date(2021, 6, 7),
                    end: date(2021, 7, 21),
                },
            ],
            BTreeSet::new(),
        )
        .expect("valid calendar")
    }

    #[test]
    fn with_no_calendar_absence_from_monday_10_may_2021_is_overdue_after_friday_28_may() {
        let page = Page::of(health_case(date(2021, 5, 10)));

        let on_the_day = page.on(date(2021, 5, 28));
        assert_eq!(on_the_day.provision_due_by, Some(date(2021, 5, 28)));
        assert_eq!(on_the_day.school_days_without_provision, 15);
        assert!(!on_the_day.overdue);

        // 31 May 2021 is the Spring bank holiday: Tuesday 1 June is school day 16.
        assert_eq!(
            page.on(date(2021, 6, 1)),
            Deadlines {
                provision_due_by: Some(date(2021, 5, 28)),
                school_days_without_provision: 16,
                overdue: true,
                late: false,
                evidence_expires_soon: false,
                approximate: true,
            }
        );
    }

    #[test]
    fn provision_started_after_the_due_date_is_late_and_no_longer_overdue() {
        let mut page = Page::of(health_case(date(2021, 5, 10)));
        page.provisions.push(tuition(&page.case, date(2021, 6, 1)));

        let deadlines = page.on(date(2021, 6, 10));
        assert!(deadlines.late);
        assert!(!deadlines.overdue);
        assert_eq!(deadlines.school_days_without_provision, 15);
    }

    #[test]
    fn provision_on_the_due_date_is_on_time() {
        let mut page = Page::of(health_case(date(2021, 5, 10)));
        page.provisions.push(tuition(&page.case, date(2021, 5, 28)));

        let deadlines = page.on(date(2021, 6, 10));
        assert!(!deadlines.late);
        assert!(!deadlines.overdue);
        assert_eq!(deadlines.school_days_without_provision, 14);
    }

    #[test]
    fn provision_booked_for_next_week_does_not_stop_a_case_being_overdue() {
        let mut page = Page::of(health_case(date(2021, 5, 10)));
        page.provisions.push(tuition(&page.case, date(2021, 6, 7)));

        let deadlines = page.on(date(2021, 6, 1));
        assert!(deadlines.overdue);
        assert!(deadlines.late);
        assert_eq!(deadlines.school_days_without_provision, 16);
    }

    #[test]
    fn a_closed_case_is_not_overdue_and_raises_no_evidence_warning() {
        let back_at_school = Some(date(2021, 6, 4));
        let mut page = Page::of(case_of(
            child(1),
            CaseReason::Health,
            date(2021, 5, 10),
            back_at_school,
        ));
        let expiring = letter(&page.case, date(2021, 5, 10), Some(date(2021, 6, 12)));
        page.evidence.push(expiring);

        let deadlines = page.on(date(2021, 6, 10));
        assert!(!deadlines.overdue);
        assert!(!deadlines.evidence_expires_soon);
        // Counted up to the day the child went back (4 June), not to today.
        assert_eq!(deadlines.school_days_without_provision, 19);
    }

    #[test]
    fn evidence_expiring_within_the_councils_warning_is_flagged_and_only_the_latest_counts() {
        let mut page = Page::of(health_case(date(2021, 5, 10)));
        let today = date(2021, 6, 1);
        let expiring = letter(&page.case, date(2021, 5, 1), Some(date(2021, 6, 20)));
        let renewed = letter(&page.case, date(2021, 5, 20), Some(date(2021, 12, 31)));
        let open_ended = letter(&page.case, date(2021, 5, 20), None);

        assert!(!page.on(today).evidence_expires_soon);
        page.evidence = vec![expiring.clone()];
        assert!(page.on(today).evidence_expires_soon);
        // A later letter replaces it: the warning goes.
        page.evidence = vec![expiring.clone(), renewed];
        assert!(!page.on(today).evidence_expires_soon);
        // Evidence with no end date never expires.
        page.evidence = vec![expiring.clone(), open_ended];
        assert!(!page.on(today).evidence_expires_soon);
        // The council's own warning: a week is not within five days.
        page.evidence = vec![expiring];
        page.settings.evidence_warning_days = 5;
        assert!(!page.on(date(2021, 6, 13)).evidence_expires_soon);
        assert!(page.on(date(2021, 6, 15)).evidence_expires_soon);
    }

    #[test]
    fn a_councils_own_calendar_gives_exact_deadlines_that_skip_half_term() {
        let mut page = Page::of(health_case(date(2021, 5, 10)));
        page.calendar = summer_2021();

        let deadlines = page.on(date(2021, 6, 8));
        assert!(!deadlines.approximate);
        assert_eq!(deadlines.provision_due_by, Some(date(2021, 5, 28)));
        // 15 days to 28 May, then 7 and 8 June: half-term is not counted.
        assert_eq!(deadlines.school_days_without_provision, 17);
    }

    #[test]
    fn a_permanent_exclusion_is_due_on_the_sixth_school_day() {
        let page = Page::of(case_of(
            child(1),
            CaseReason::PermanentExclusion,
            date(2021, 5, 10),
            None,
        ));

        let deadlines = page.on(date(2021, 5, 17));
        assert_eq!(deadlines.provision_due_by, Some(date(2021, 5, 17)));
        assert!(!deadlines.overdue);
        assert!(page.on(date(2021, 5, 18)).overdue);
    }

    #[test]
    fn stored_deadlines_are_read_from_the_case_rather_than_recomputed() {
        let mut page = Page::of(health_case(date(2021, 5, 10)));
        // As stored under earlier settings: due 4 June, 12 days without provision by 26 May.
        StoredDeadlines {
            provision_due_by: Some(date(2021, 6, 4)),
            provision_started_on: None,
            wait: ProvisionWait {
                days_then: 12,
                as_of: deadline::school_day_number(&page.calendar, date(2021, 5, 26)),
                runs_until: None,
            },
        }
        .apply(&mut page.case);

        let deadlines = page.stored_on(date(2021, 6, 1));
        assert_eq!(deadlines.provision_due_by, Some(date(2021, 6, 4)));
        assert!(!deadlines.overdue);
        // 12, then 27 and 28 May and 1 June.
        assert_eq!(deadlines.school_days_without_provision, 15);
    }

    #[test]
    fn stored_and_computed_deadlines_agree_on_any_later_day() {
        let computed = Page::of(health_case(date(2021, 5, 10)));
        let mut stored = Page::of(computed.case.clone());
        let episodes = episodes_by_child(&stored.siblings);
        StoredDeadlines::compute(
            &stored.calendar,
            &stored.settings,
            &stored.case,
            &episodes,
            None,
            date(2021, 5, 20),
        )
        .apply(&mut stored.case);

        for today in [date(2021, 5, 20), date(2021, 6, 1), date(2021, 7, 1)] {
            assert_eq!(stored.stored_on(today), computed.on(today), "{today}");
        }
    }

    #[test]
    fn the_first_review_is_due_thirty_school_days_after_the_absence_started() {
        let page = Page::of(health_case(date(2021, 5, 10)));
        let referral = [event(
            &page.case,
            CaseEventKind::ReferralReceived,
            date(2021, 5, 10),
        )];

        // 31 May is a bank holiday, so the thirtieth school day after 10 May is Tuesday 22 June.
        assert_eq!(
            next_review_due(&page.case, &referral, &page.settings, &page.calendar),
            Some(date(2021, 6, 22))
        );
    }

    #[test]
    fn the_next_review_counts_from_the_last_review_held() {
        let mut page = Page::of(health_case(date(2021, 5, 10)));
        page.settings.review_interval_school_days = 5;
        let events = [
            event(&page.case, CaseEventKind::ReviewHeld, date(2021, 5, 24)),
            event(
                &page.case,
                CaseEventKind::ProvisionStarted,
                date(2021, 5, 28),
            ),
            event(&page.case, CaseEventKind::ReviewHeld, date(2021, 5, 14)),
        ];

        // Five school days after Monday 24 May, skipping the bank holiday on 31 May.
        assert_eq!(
            next_review_due(&page.case, &events, &page.settings, &page.calendar),
            Some(date(2021, 6, 1))
        );
    }

    #[test]
    fn a_closed_case_needs_no_review() {
        let page = Page::of(case_of(
            child(1),
            CaseReason::Health,
            date(2021, 5, 10),
            Some(date(2021, 6, 4)),
        ));
        assert_eq!(
            next_review_due(&page.case, &[], &page.settings, &page.calendar),
            None
        );
    }
}
