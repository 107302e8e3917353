//! What is stored on each case so the store can find and rank cases by their deadlines, and the
//! child's absence episodes it is worked out from: pure, so it is tested here, apart from the
//! refreshes that write it.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::case::{self, CaseReason};
use uuid::Uuid;

use crate::domain::calendar::SchoolCalendar;
use crate::domain::deadline::{self, AbsenceEpisode, DeadlineSettings, ProvisionWait};

/// What is stored on a case so the database can find and rank cases by their deadlines:
/// recomputed whenever something it depends on changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredDeadlines {
    pub provision_due_by: Option<NaiveDate>,
    pub provision_started_on: Option<NaiveDate>,
    pub wait: ProvisionWait,
}

impl StoredDeadlines {
    /// As computed for `case` on `calendar` today.
    pub(crate) fn compute(
        calendar: &SchoolCalendar,
        settings: &DeadlineSettings,
        case: &case::Model,
        episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
        provision_started_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        Self {
            provision_due_by: due_by(calendar, settings, case, episodes),
            provision_started_on,
            wait: ProvisionWait::as_of(
                calendar,
                &episodes_for(case, episodes),
                provision_started_on,
                today,
            ),
        }
    }

    /// As stored on `case`, if they have been computed.
    pub(crate) fn stored(case: &case::Model) -> Option<Self> {
        Some(Self {
            provision_due_by: case.provision_due_by,
            provision_started_on: case.provision_started_on,
            wait: ProvisionWait {
                days_then: case.wait_days?,
                as_of: case.wait_as_of?,
                runs_until: case.wait_runs_until,
            },
        })
    }

    /// Writes these onto a case about to be inserted.
    pub(crate) fn apply(&self, case: &mut case::Model) {
        case.provision_due_by = self.provision_due_by;
        case.provision_started_on = self.provision_started_on;
        case.wait_days = Some(self.wait.days_then);
        case.wait_as_of = Some(self.wait.as_of);
        case.wait_runs_until = self.wait.runs_until;
    }
}

/// Each child's absence episodes, split by whether they are permanent exclusions (which have
/// their own deadline and do not add to health and other absences).
pub(crate) fn episodes_by_child(
    cases: &[case::Model],
) -> HashMap<(Uuid, bool), Vec<AbsenceEpisode>> {
    let mut episodes: HashMap<(Uuid, bool), Vec<AbsenceEpisode>> = HashMap::new();
    for case in cases {
        if let Ok(episode) = AbsenceEpisode::new(case.absence_start, case.closed_on) {
            let exclusion = case.reason == CaseReason::PermanentExclusion;
            episodes
                .entry((case.child_id, exclusion))
                .or_default()
                .push(episode);
        }
    }
    episodes
}

/// The episodes that count towards `case`: its own and the child's earlier ones of the same
/// kind (a later episode must not move an earlier case's deadline).
pub(crate) fn episodes_for(
    case: &case::Model,
    episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
) -> Vec<AbsenceEpisode> {
    let exclusion = case.reason == CaseReason::PermanentExclusion;
    episodes
        .get(&(case.child_id, exclusion))
        .map(|all| {
            all.iter()
                .copied()
                .filter(|e| e.start <= case.absence_start)
                .collect()
        })
        .unwrap_or_default()
}

/// The due date of `case` on `calendar`, counting the child's earlier episodes of the same kind.
fn due_by(
    calendar: &SchoolCalendar,
    settings: &DeadlineSettings,
    case: &case::Model,
    episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
) -> Option<NaiveDate> {
    let rule = if case.reason == CaseReason::PermanentExclusion {
        settings.permanent_exclusion_rule()
    } else {
        settings.health_and_other_rule()
    };
    deadline::provision_due_by(calendar, &episodes_for(case, episodes), rule)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{case_of, child, date, health_case};
    use super::*;

    fn no_calendar() -> SchoolCalendar {
        SchoolCalendar::fallback()
    }

    fn day(date: NaiveDate) -> i32 {
        deadline::school_day_number(&no_calendar(), date)
    }

    #[test]
    fn stored_deadlines_round_trip_through_the_case_they_are_written_on() {
        let settings = DeadlineSettings::default();
        let mut case = health_case(date(2021, 5, 10));
        assert_eq!(StoredDeadlines::stored(&case), None);

        let episodes = episodes_by_child(std::slice::from_ref(&case));
        let computed = StoredDeadlines::compute(
            &no_calendar(),
            &settings,
            &case,
            &episodes,
            None,
            date(2021, 6, 1),
        );
        // The domain's worked example: due Friday 28 May 2021; 31 May is a bank holiday, so
        // Tuesday 1 June is the sixteenth school day without provision.
        assert_eq!(computed.provision_due_by, Some(date(2021, 5, 28)));
        assert_eq!(computed.provision_started_on, None);
        assert_eq!(computed.wait.days_on(day(date(2021, 6, 1))), 16);
        // With no provision the count runs on: 2 and 3 June.
        assert_eq!(computed.wait.days_on(day(date(2021, 6, 3))), 18);

        computed.apply(&mut case);
        assert_eq!(StoredDeadlines::stored(&case), Some(computed));
    }

    #[test]
    fn the_stored_count_stops_the_day_before_provision_starts() {
        let case = health_case(date(2021, 5, 10));
        let episodes = episodes_by_child(std::slice::from_ref(&case));
        let stored = StoredDeadlines::compute(
            &no_calendar(),
            &DeadlineSettings::default(),
            &case,
            &episodes,
            Some(date(2021, 6, 1)),
            date(2021, 5, 26),
        );
        assert_eq!(stored.provision_started_on, Some(date(2021, 6, 1)));
        assert_eq!(stored.wait.days_on(day(date(2021, 6, 10))), 15);
    }

    #[test]
    fn a_case_is_stored_as_computed_only_once_all_its_wait_columns_are_set() {
        let mut case = health_case(date(2021, 5, 10));
        case.provision_due_by = Some(date(2021, 5, 28));
        case.wait_days = Some(3);
        assert_eq!(StoredDeadlines::stored(&case), None);
        case.wait_as_of = Some(day(date(2021, 5, 12)));
        assert!(StoredDeadlines::stored(&case).is_some());
    }

    #[test]
    fn permanent_exclusions_are_counted_apart_from_health_absences() {
        let settings = DeadlineSettings::default();
        // Five school days off sick, then excluded, then off sick again.
        let sick = case_of(
            child(1),
            CaseReason::Health,
            date(2021, 5, 10),
            Some(date(2021, 5, 14)),
        );
        let excluded = case_of(
            child(1),
            CaseReason::PermanentExclusion,
            date(2021, 6, 7),
            None,
        );
        let sick_again = case_of(child(1), CaseReason::Health, date(2021, 6, 21), None);
        let episodes = episodes_by_child(&[sick, excluded.clone(), sick_again.clone()]);

        assert_eq!(episodes[&(child(1), false)].len(), 2);
        assert_eq!(episodes[&(child(1), true)].len(), 1);
        // The exclusion's own six days, not shortened by the five off sick.
        assert_eq!(
            due_by(&no_calendar(), &settings, &excluded, &episodes),
            Some(date(2021, 6, 14))
        );
        // The five off sick in May count and the exclusion does not: ten more from 21 June.
        assert_eq!(
            due_by(&no_calendar(), &settings, &sick_again, &episodes),
            Some(date(2021, 7, 2))
        );
    }

    #[test]
    fn a_later_episode_does_not_move_an_earlier_cases_due_date() {
        let settings = DeadlineSettings::default();
        // Three school days off in May, back at school, then off again from 7 June.
        let earlier = case_of(
            child(1),
            CaseReason::Health,
            date(2021, 5, 10),
            Some(date(2021, 5, 12)),
        );
        let later = case_of(child(1), CaseReason::Health, date(2021, 6, 7), None);
        let episodes = episodes_by_child(&[earlier.clone(), later.clone()]);

        assert_eq!(episodes_for(&earlier, &episodes).len(), 1);
        assert_eq!(episodes_for(&later, &episodes).len(), 2);
        // The earlier case ended before its fifteenth day: nothing ever fell due on it.
        assert_eq!(due_by(&no_calendar(), &settings, &earlier, &episodes), None);
        // The later one counts the earlier three days: twelve more from 7 June.
        assert_eq!(
            due_by(&no_calendar(), &settings, &later, &episodes),
            Some(date(2021, 6, 22))
        );
    }

    #[test]
    fn only_the_same_childs_absences_in_the_same_academic_year_add_up() {
        let settings = DeadlineSettings::default();
        let last_july = case_of(
            child(1),
            CaseReason::Health,
            date(2020, 6, 29),
            Some(date(2020, 7, 10)),
        );
        let in_may = case_of(
            child(1),
            CaseReason::Health,
            date(2021, 5, 10),
            Some(date(2021, 5, 12)),
        );
        let another_child = case_of(
            child(2),
            CaseReason::Health,
            date(2021, 5, 17),
            Some(date(2021, 5, 28)),
        );
        let in_june = case_of(child(1), CaseReason::Health, date(2021, 6, 7), None);
        let episodes =
            episodes_by_child(&[last_july, in_may, another_child.clone(), in_june.clone()]);

        assert_eq!(episodes_for(&in_june, &episodes).len(), 3);
        assert_eq!(episodes_for(&another_child, &episodes).len(), 1);
        // Last July's ten days and the other child's absence do not count; May's three do.
        assert_eq!(
            due_by(&no_calendar(), &settings, &in_june, &episodes),
            Some(date(2021, 6, 22))
        );
    }

    #[test]
    fn a_case_closed_before_its_absence_started_adds_no_episode() {
        let muddled = case_of(
            child(1),
            CaseReason::Health,
            date(2021, 5, 10),
            Some(date(2021, 5, 7)),
        );
        assert!(episodes_by_child(&[muddled]).is_empty());
    }
}
