//! The deadlines of docs/domain.md ("Deadlines"): when provision is due, how long a child has
//! gone without it, and when reviews and medical evidence fall due. Pure: every function takes
//! the calendar and today.
//!
//! Over 600 lines because the unit tests sit beside the rules they prove: the code is under 350.
//!
//! Day 1 is the first school day of absence (or of the exclusion); provision is due on school
//! day N, counted cumulatively across the absences of one academic year.

use chrono::NaiveDate;

use super::calendar::{SchoolCalendar, academic_year_start};

/// School days to provision for health and other reasons (DfE guidance: the 15-day rule).
pub const HEALTH_AND_OTHER_DAYS: u32 = 15;
/// After a permanent exclusion, full-time provision is due from the 6th school day.
pub const PERMANENT_EXCLUSION_DAYS: u32 = 6;
/// Default interval between reviews of a case, in school days.
pub const REVIEW_INTERVAL_SCHOOL_DAYS: u32 = 30;
/// Default warning before medical evidence expires, in calendar days.
pub const EVIDENCE_WARNING_DAYS: i64 = 28;

/// The most school days a setting may ask for: about one school year (190 days).
const MAX_SCHOOL_DAYS: u32 = 190;

/// One period of absence (or of exclusion), from its first day to its last day inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AbsenceEpisode {
    pub start: NaiveDate,
    /// The last day of absence; `None` while the child is still absent.
    pub end: Option<NaiveDate>,
}

impl AbsenceEpisode {
    /// An episode whose end, if known, is not before its start.
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Result<Self, String> {
        match end {
            Some(end) if end < start => Err(format!(
                "an absence cannot end ({end}) before it starts ({start})"
            )),
            _ => Ok(Self { start, end }),
        }
    }
}

/// Provision is due on school day `school_days`, counting the first school day of absence as 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeadlineRule {
    pub school_days: u32,
}

impl DeadlineRule {
    /// Due on school day `school_days`.
    pub fn new(school_days: u32) -> Self {
        Self { school_days }
    }

    /// Health and other reasons: due on school day 15.
    pub fn health_and_other() -> Self {
        Self::new(HEALTH_AND_OTHER_DAYS)
    }

    /// Permanent exclusion: provision in place from school day 6 of the exclusion.
    pub fn permanent_exclusion() -> Self {
        Self::new(PERMANENT_EXCLUSION_DAYS)
    }
}

impl Default for DeadlineRule {
    /// The 15-day rule, which covers most cases; exclusions must ask for their own rule.
    fn default() -> Self {
        Self::health_and_other()
    }
}

/// The deadline settings a council may change, with docs/domain.md's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeadlineSettings {
    /// School day on which provision is due for health and other reasons (default 15).
    pub health_and_other_days: u32,
    /// School day from which provision is due after a permanent exclusion (default 6).
    pub permanent_exclusion_days: u32,
    /// School days between reviews of a case (default 30).
    pub review_interval_school_days: u32,
    /// Calendar days of warning before medical evidence expires (default 28).
    pub evidence_warning_days: i64,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        Self {
            health_and_other_days: HEALTH_AND_OTHER_DAYS,
            permanent_exclusion_days: PERMANENT_EXCLUSION_DAYS,
            review_interval_school_days: REVIEW_INTERVAL_SCHOOL_DAYS,
            evidence_warning_days: EVIDENCE_WARNING_DAYS,
        }
    }
}

impl DeadlineSettings {
    /// The rule for health and other reasons.
    pub fn health_and_other_rule(&self) -> DeadlineRule {
        DeadlineRule::new(self.health_and_other_days)
    }

    /// The rule after a permanent exclusion.
    pub fn permanent_exclusion_rule(&self) -> DeadlineRule {
        DeadlineRule::new(self.permanent_exclusion_days)
    }

    /// Refuses settings no deadline can be computed from: school-day counts must be 1 to 190
    /// (there is no day 0, and a school year has about 190 days); the evidence warning 0 to 365.
    pub fn validate(&self) -> Result<(), String> {
        for (name, days) in [
            ("health_and_other_days", self.health_and_other_days),
            ("permanent_exclusion_days", self.permanent_exclusion_days),
            (
                "review_interval_school_days",
                self.review_interval_school_days,
            ),
        ] {
            if !(1..=MAX_SCHOOL_DAYS).contains(&days) {
                return Err(format!(
                    "{name} must be between 1 and {MAX_SCHOOL_DAYS} school days, not {days}"
                ));
            }
        }
        if !(0..=365).contains(&self.evidence_warning_days) {
            return Err(format!(
                "evidence_warning_days must be between 0 and 365, not {}",
                self.evidence_warning_days
            ));
        }
        Ok(())
    }
}

/// The date provision is due: school day N (`rule.school_days`) counted across the episodes.
///
/// Only the academic year (1 September to 31 August) of the latest-starting episode counts:
/// - an earlier episode that ended before that 1 September is ignored entirely (the previous
///   year's absences do not carry over);
/// - one that started before it and ran on past it counts only from that 1 September;
/// - the latest episode counts in full, even past 31 August if it is still open, and an
///   episode with no end runs on (so does any later one it overlaps: days are counted once).
///
/// `None` when there are no episodes, N is 0, the episodes all ended before reaching N school
/// days (nothing is due yet; another absence may add to them), or day N is beyond three years.
pub fn provision_due_by(
    calendar: &SchoolCalendar,
    episodes: &[AbsenceEpisode],
    rule: DeadlineRule,
) -> Option<NaiveDate> {
    if rule.school_days == 0 {
        return None;
    }
    let mut remaining = rule.school_days;
    for (from, to) in periods_of_the_academic_year(episodes) {
        let Some(to) = to else {
            return calendar.nth_school_day_from(from, remaining);
        };
        let days = calendar.school_days_between(from, to);
        if days >= remaining {
            return calendar.nth_school_day_from(from, remaining);
        }
        remaining -= days;
    }
    None
}

/// School days a child has gone without provision, across the episodes of the academic year
/// counted as for [`provision_due_by`].
///
/// docs/domain.md, "Deadlines": from day 1 up to the day before provision starts, or, while none has started, up
/// to and including today. Days after today are never counted, so provision booked to start
/// next week does not add days that have not happened yet; nor are days after an episode
/// ended (the child was back at school) or days on or after the provision start.
pub fn school_days_without_provision(
    calendar: &SchoolCalendar,
    episodes: &[AbsenceEpisode],
    provision_start: Option<NaiveDate>,
    today: NaiveDate,
) -> u32 {
    let last_counted = match provision_start.and_then(|start| start.pred_opt()) {
        Some(before_provision) => before_provision.min(today),
        None if provision_start.is_some() => return 0,
        None => today,
    };
    periods_of_the_academic_year(episodes)
        .into_iter()
        .map(|(from, to)| {
            let to = to.map_or(last_counted, |to| to.min(last_counted));
            calendar.school_days_between(from, to)
        })
        .fold(0u32, u32::saturating_add)
}

/// The first day school days are numbered from by [`school_day_number`]: before any calendar
/// the service ships.
const SCHOOL_DAY_EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2018, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The number of school days on `calendar` from 1 January 2018 up to and including `date`.
/// Differences of two numbers count the school days between their dates, so the database can
/// do school-day arithmetic with integers.
pub fn school_day_number(calendar: &SchoolCalendar, date: NaiveDate) -> i32 {
    i32::try_from(calendar.school_days_between(SCHOOL_DAY_EPOCH, date)).unwrap_or(i32::MAX)
}

/// [`school_days_without_provision`] as a running count, so it can be stored on a case and
/// ranked on in the database for any later day without recomputing every case.
///
/// `days_then` school days had gone without provision by the day numbered `as_of` (see
/// [`school_day_number`]). After it the count goes up by one a school day while the child is
/// still absent and still without provision: up to the day numbered `runs_until`, or for good
/// when that is `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProvisionWait {
    pub days_then: i32,
    pub as_of: i32,
    pub runs_until: Option<i32>,
}

impl ProvisionWait {
    /// The running count as of `as_of`, for episodes that have all begun by then (absences are
    /// never recorded ahead of time).
    ///
    /// Why it is exact for every later day: after `as_of` only the academic year's last period
    /// can still be running, so later days count from one interval, which ends at the earlier
    /// of that period's last day and the day before provision starts.
    pub fn as_of(
        calendar: &SchoolCalendar,
        episodes: &[AbsenceEpisode],
        provision_start: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Self {
        let days_then = school_days_without_provision(calendar, episodes, provision_start, as_of);
        let period_end = periods_of_the_academic_year(episodes)
            .last()
            .map(|(_, end)| *end);
        let provision_eve = provision_start.map(|start| start.pred_opt().unwrap_or(NaiveDate::MIN));
        let last_counted = match (period_end, provision_eve) {
            // No absence at all: nothing to count, ever.
            (None, _) => Some(as_of),
            (Some(end), eve) => match (end, eve) {
                (Some(end), Some(eve)) => Some(end.min(eve)),
                (Some(end), None) => Some(end),
                (None, eve) => eve,
            },
        };
        Self {
            days_then: i32::try_from(days_then).unwrap_or(i32::MAX),
            as_of: school_day_number(calendar, as_of),
            runs_until: last_counted.map(|day| school_day_number(calendar, day.max(as_of))),
        }
    }

    /// The count on the day numbered `today` (not before `as_of`). The database ranks cases by
    /// the same expression (`service::case`), so the two must change together.
    pub fn days_on(&self, today: i32) -> i32 {
        let counted_to = self.runs_until.map_or(today, |until| until.min(today));
        self.days_then + (counted_to - self.as_of).max(0)
    }
}

/// Whether the deadline has passed and provision has not started by today.
///
/// Provision that started late is no longer overdue (it is [`is_late`]); provision booked to
/// start in the future does not stop the clock. No due date means nothing is overdue.
pub fn is_overdue(
    due_by: Option<NaiveDate>,
    provision_start: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    due_by.is_some_and(|due| today > due && provision_start.is_none_or(|start| start > today))
}

/// Whether provision started (or is booked to start) after the due date. On or before it is on time.
pub fn is_late(due_by: Option<NaiveDate>, provision_start: Option<NaiveDate>) -> bool {
    matches!((due_by, provision_start), (Some(due), Some(start)) if start > due)
}

/// The next review: the `interval_school_days`-th school day after the last review (or the
/// start of the case), which itself does not count. `None` for an interval of 0 or a calendar
/// with no school day within three years.
pub fn next_review_due(
    last_review_or_start: NaiveDate,
    interval_school_days: u32,
    calendar: &SchoolCalendar,
) -> Option<NaiveDate> {
    calendar.school_day_after(last_review_or_start, interval_school_days)
}

/// Whether medical evidence valid until `valid_until` (inclusive) expires within `within_days`
/// calendar days of today, boundary included. Expired evidence counts as expiring; evidence with
/// no end date never expires (whether to accept it is a separate question).
pub fn evidence_expires_soon(
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
    within_days: i64,
) -> bool {
    valid_until.is_some_and(|until| until.signed_duration_since(today).num_days() <= within_days)
}

/// The absence periods of the latest episode's academic year, clipped to start no earlier than
/// its 1 September, in order and merged where they overlap; `None` as an end means still open.
///
/// Episodes that end before they start are treated as empty. Allocates once per call (episodes
/// are few), never per day.
fn periods_of_the_academic_year(
    episodes: &[AbsenceEpisode],
) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let Some(latest) = episodes.iter().map(|e| e.start).max() else {
        return Vec::new();
    };
    let year_start = academic_year_start(latest);
    let mut periods: Vec<(NaiveDate, Option<NaiveDate>)> = episodes
        .iter()
        .filter(|e| e.end.is_none_or(|end| end >= e.start && end >= year_start))
        .map(|e| (e.start.max(year_start), e.end))
        .collect();
    periods.sort_unstable();
    let mut merged: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::with_capacity(periods.len());
    for (start, end) in periods {
        if let Some(last) = merged.last_mut() {
            // Overlapping or back-to-back: one period, so no day is counted twice.
            let touches = last
                .1
                .is_none_or(|last_end| last_end.succ_opt().is_none_or(|next| start <= next));
            if touches {
                last.1 = match (last.1, end) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                continue;
            }
        }
        merged.push((start, end));
    }
    merged
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::calendar::Term;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
    }

    fn open(start: NaiveDate) -> AbsenceEpisode {
        AbsenceEpisode { start, end: None }
    }

    fn closed(start: NaiveDate, end: NaiveDate) -> AbsenceEpisode {
        AbsenceEpisode::new(start, Some(end)).expect("valid episode")
    }

    /// Summer term 2024: 15 Apr–24 May and 3 Jun–19 Jul. Half-term is 27–31 May, and 27 May is
    /// also the Spring bank holiday.
    fn summer_2024() -> SchoolCalendar {
        SchoolCalendar::from_terms(
            vec![
                Term {
                    start: date(2024, 4, 15),
                    end: date(2024, 5, 24),
                },
                Term {
                    start: date(2024, 6, 3),
                    end: date(2024, 7, 19),
                },
            ],
            BTreeSet::new(),
        )
        .expect("valid calendar")
    }

    #[test]
    fn the_domain_worked_example_is_due_on_friday_28_may_2021_and_tuition_on_1_june_is_late() {
        // docs/domain.md's worked example, no calendar: days 1–15 are 10–14, 17–21 and 24–28 May 2021.
        let calendar = SchoolCalendar::fallback();
        let episodes = [open(date(2021, 5, 10))];
        let due = provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other());
        assert_eq!(due, Some(date(2021, 5, 28)));
        assert!(calendar.is_approximate());

        // Tuition from Tuesday 1 June (31 May is the Spring bank holiday): 15 days without it.
        let tuition = Some(date(2021, 6, 1));
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, tuition, date(2021, 6, 1)),
            15
        );
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, tuition, date(2021, 7, 1)),
            15
        );
        assert!(is_late(due, tuition));
        assert!(!is_overdue(due, tuition, date(2021, 6, 1)));
    }

    #[test]
    fn while_no_provision_has_started_the_days_run_up_to_and_including_today() {
        // 10–14 May (5), 17–21 May (10), 24, 25 and 26 May (13).
        let calendar = SchoolCalendar::fallback();
        let episodes = [open(date(2021, 5, 10))];
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, None, date(2021, 5, 26)),
            13
        );
        let due = provision_due_by(&calendar, &episodes, DeadlineRule::default());
        assert!(!is_overdue(due, None, date(2021, 5, 28)), "due today");
        assert!(is_overdue(due, None, date(2021, 5, 29)));
    }

    #[test]
    fn provision_booked_for_next_week_does_not_count_days_that_have_not_happened() {
        let calendar = SchoolCalendar::fallback();
        let episodes = [open(date(2021, 5, 10))];
        let tuition = Some(date(2021, 6, 1));
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, tuition, date(2021, 5, 26)),
            13
        );
        // Booked after the due date: overdue until it starts, then late.
        let due = Some(date(2021, 5, 28));
        assert!(is_overdue(due, tuition, date(2021, 5, 31)));
        assert!(!is_overdue(due, tuition, date(2021, 6, 1)));
    }

    #[test]
    fn a_health_case_across_half_term_is_due_on_the_fifteenth_school_day_after_it() {
        // Absent from Monday 13 May 2024 on the council's calendar:
        // 13–17 May = days 1–5, 20–24 May = days 6–10, 27–31 May half-term (27 May also a bank
        // holiday) = nothing, 3–7 June = days 11–15. Due Friday 7 June 2024.
        let calendar = summer_2024();
        let episodes = [open(date(2024, 5, 13))];
        let due = provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other());
        assert_eq!(due, Some(date(2024, 6, 7)));

        // Without the calendar the count runs through half-term and is due on 3 June instead:
        // 13–24 May = 10, 28–31 May = 14 (27 May bank holiday), 3 June = 15.
        let approximate = provision_due_by(
            &SchoolCalendar::fallback(),
            &episodes,
            DeadlineRule::health_and_other(),
        );
        assert_eq!(approximate, Some(date(2024, 6, 3)));
    }

    #[test]
    fn days_without_provision_grow_each_school_day_and_stand_still_over_half_term() {
        let calendar = summer_2024();
        let episodes = [open(date(2024, 5, 13))];
        let tuition = date(2024, 6, 12);
        let expected = [
            (date(2024, 5, 13), 1),
            (date(2024, 5, 17), 5),
            (date(2024, 5, 18), 5),
            (date(2024, 5, 20), 6),
            (date(2024, 5, 24), 10),
            (date(2024, 5, 27), 10),
            (date(2024, 5, 31), 10),
            (date(2024, 6, 2), 10),
            (date(2024, 6, 3), 11),
            (date(2024, 6, 7), 15),
            (date(2024, 6, 10), 16),
            (date(2024, 6, 11), 17),
        ];
        for (today, days) in expected {
            assert_eq!(
                school_days_without_provision(&calendar, &episodes, None, today),
                days,
                "no provision, {today}"
            );
        }
        // Tuition from Wednesday 12 June: the count stops at 11 June, whatever the date.
        for today in [date(2024, 6, 12), date(2024, 6, 20), date(2024, 9, 30)] {
            assert_eq!(
                school_days_without_provision(&calendar, &episodes, Some(tuition), today),
                17
            );
        }
        let due = provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other());
        assert!(!is_overdue(due, None, date(2024, 6, 7)));
        assert!(is_overdue(due, None, date(2024, 6, 10)));
        assert!(is_late(due, Some(tuition)));
    }

    #[test]
    fn a_permanent_exclusion_is_due_from_the_sixth_school_day_after_the_bank_holiday() {
        // Excluded from Wednesday 1 May 2024, no calendar: 1 May (1), 2 (2), 3 (3), 6 May is
        // May Day, 7 (4), 8 (5), 9 (6). Due Thursday 9 May 2024.
        let calendar = SchoolCalendar::fallback();
        let episodes = [open(date(2024, 5, 1))];
        let due = provision_due_by(&calendar, &episodes, DeadlineRule::permanent_exclusion());
        assert_eq!(due, Some(date(2024, 5, 9)));
        assert!(!is_late(due, Some(date(2024, 5, 9))));
        assert!(is_late(due, Some(date(2024, 5, 10))));
        // The same day counted from a decision on Tuesday 30 April, which itself does not count.
        assert_eq!(calendar.school_day_after(date(2024, 4, 30), 6), due);
    }

    #[test]
    fn absences_in_one_school_year_add_up_to_fifteen_days() {
        // October: Monday 2 – Wednesday 11 October 2023 = 8 school days (2–6, 9–11).
        // January: from Monday 8 January 2024: 8–12 (9–13), 15 (14), 16 (15). Due 16 January.
        let calendar = SchoolCalendar::fallback();
        let episodes = [
            open(date(2024, 1, 8)),
            closed(date(2023, 10, 2), date(2023, 10, 11)),
        ];
        assert_eq!(
            provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other()),
            Some(date(2024, 1, 16))
        );
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, None, date(2024, 1, 12)),
            13
        );
    }

    #[test]
    fn an_episode_in_the_previous_academic_year_is_not_counted() {
        // June 2023 is in 2022/23; the January 2024 episode starts afresh: 8–12 (5), 15–19 (10),
        // 22–26 January (15). Due Friday 26 January 2024.
        let calendar = SchoolCalendar::fallback();
        let episodes = [
            closed(date(2023, 6, 5), date(2023, 6, 16)),
            open(date(2024, 1, 8)),
        ];
        assert_eq!(
            provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other()),
            Some(date(2024, 1, 26))
        );
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, None, date(2024, 1, 12)),
            5
        );
    }

    #[test]
    fn an_episode_running_past_the_first_of_september_counts_only_its_new_year_days() {
        // 3 July – 8 September 2023 counts from Friday 1 September: 1 (1), 4–8 (6).
        // Then from 8 January 2024: 8–12 (11), 15–18 (15). Due Thursday 18 January.
        let calendar = SchoolCalendar::fallback();
        let episodes = [
            closed(date(2023, 7, 3), date(2023, 9, 8)),
            open(date(2024, 1, 8)),
        ];
        assert_eq!(
            provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other()),
            Some(date(2024, 1, 18))
        );
    }

    #[test]
    fn episodes_that_end_short_of_the_threshold_have_no_due_date_yet() {
        let calendar = SchoolCalendar::fallback();
        let episodes = [closed(date(2023, 10, 2), date(2023, 10, 11))];
        let due = provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other());
        assert_eq!(due, None);
        assert!(!is_overdue(due, None, date(2024, 6, 1)));
        // The child was back at school after 11 October: only the 8 days count.
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, None, date(2024, 6, 1)),
            8
        );
    }

    #[test]
    fn overlapping_episodes_count_each_day_once() {
        // An episode left open and a later one over the same days: one absence from 2 October.
        // 2–6 (5), 9–13 (10), 16–20 October 2023 (15).
        let calendar = SchoolCalendar::fallback();
        let episodes = [
            open(date(2023, 10, 2)),
            closed(date(2023, 10, 9), date(2023, 10, 11)),
        ];
        assert_eq!(
            provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other()),
            Some(date(2023, 10, 20))
        );
        assert_eq!(
            school_days_without_provision(&calendar, &episodes, None, date(2023, 10, 13)),
            10
        );
    }

    #[test]
    fn no_episodes_or_a_zero_day_rule_have_no_due_date() {
        let calendar = SchoolCalendar::fallback();
        assert_eq!(
            provision_due_by(&calendar, &[], DeadlineRule::health_and_other()),
            None
        );
        assert_eq!(
            provision_due_by(&calendar, &[open(date(2024, 1, 8))], DeadlineRule::new(0)),
            None
        );
        assert_eq!(
            school_days_without_provision(&calendar, &[], None, date(2024, 1, 8)),
            0
        );
    }

    #[test]
    fn provision_in_place_before_the_absence_leaves_no_days_without_it() {
        let calendar = SchoolCalendar::fallback();
        let episodes = [open(date(2024, 1, 8))];
        assert_eq!(
            school_days_without_provision(
                &calendar,
                &episodes,
                Some(date(2024, 1, 8)),
                date(2024, 2, 1)
            ),
            0
        );
        assert_eq!(
            school_days_without_provision(
                &calendar,
                &episodes,
                Some(NaiveDate::MIN),
                date(2024, 2, 1)
            ),
            0
        );
    }

    #[test]
    fn a_council_calendar_with_no_terms_has_no_due_date() {
        let calendar = SchoolCalendar::from_terms(Vec::new(), BTreeSet::new()).expect("valid");
        let episodes = [open(date(2024, 5, 13))];
        assert_eq!(
            provision_due_by(&calendar, &episodes, DeadlineRule::health_and_other()),
            None
        );
        assert_eq!(next_review_due(date(2024, 5, 13), 30, &calendar), None);
    }

    #[test]
    fn provision_on_or_before_the_due_date_is_on_time() {
        let due = Some(date(2024, 6, 7));
        assert!(!is_late(due, Some(date(2024, 6, 7))));
        assert!(!is_late(due, Some(date(2024, 5, 20))));
        assert!(!is_late(due, None));
        assert!(!is_late(None, Some(date(2024, 6, 7))));
        assert!(!is_overdue(due, Some(date(2024, 6, 7)), date(2024, 7, 1)));
        assert!(!is_overdue(None, None, date(2024, 7, 1)));
    }

    #[test]
    fn reviews_fall_due_in_school_days_not_counting_the_last_review() {
        // Reviewed Monday 13 May 2024; 30 school days on the summer calendar:
        // 14–24 May (9), half-term, 3–28 June (29), 1 July (30).
        let calendar = summer_2024();
        assert_eq!(
            next_review_due(date(2024, 5, 13), 30, &calendar),
            Some(date(2024, 7, 1))
        );
        assert_eq!(next_review_due(date(2024, 5, 13), 0, &calendar), None);
    }

    #[test]
    fn evidence_expiring_within_the_warning_or_already_expired_is_flagged() {
        let today = date(2024, 5, 1);
        assert!(evidence_expires_soon(Some(date(2024, 5, 29)), today, 28));
        assert!(!evidence_expires_soon(Some(date(2024, 5, 30)), today, 28));
        assert!(evidence_expires_soon(Some(date(2024, 4, 1)), today, 28));
        assert!(evidence_expires_soon(Some(today), today, 0));
        assert!(!evidence_expires_soon(None, today, 28));
    }

    #[test]
    fn the_default_settings_are_those_of_the_domain() {
        let settings = DeadlineSettings::default();
        assert_eq!(settings.health_and_other_rule(), DeadlineRule::new(15));
        assert_eq!(settings.permanent_exclusion_rule(), DeadlineRule::new(6));
        assert_eq!(settings.review_interval_school_days, 30);
        assert_eq!(settings.evidence_warning_days, 28);
        assert_eq!(settings.validate(), Ok(()));
    }

    #[test]
    fn settings_with_a_day_zero_deadline_or_a_negative_warning_are_refused() {
        let zero = DeadlineSettings {
            permanent_exclusion_days: 0,
            ..DeadlineSettings::default()
        };
        assert!(zero.validate().is_err());
        let negative = DeadlineSettings {
            evidence_warning_days: -1,
            ..DeadlineSettings::default()
        };
        assert!(negative.validate().is_err());
    }

    #[test]
    fn an_episode_ending_before_it_starts_is_refused() {
        assert!(AbsenceEpisode::new(date(2024, 5, 13), Some(date(2024, 5, 12))).is_err());
        assert!(AbsenceEpisode::new(date(2024, 5, 13), Some(date(2024, 5, 13))).is_ok());
    }

    /// The stored running count must agree with the direct count on every later day, whatever
    /// the episodes and provision: checked day by day over a year, on both kinds of calendar.
    #[test]
    fn a_stored_wait_agrees_with_the_direct_count_on_every_later_day() {
        let calendars = [SchoolCalendar::fallback(), summer_2024()];
        let starts = [date(2024, 4, 22), date(2024, 5, 13), date(2024, 5, 29)];
        let mut scenarios: Vec<(Vec<AbsenceEpisode>, Option<NaiveDate>)> = Vec::new();
        for start in starts {
            for provision in [None, Some(date(2024, 5, 20)), Some(date(2024, 6, 10))] {
                scenarios.push((vec![open(start)], provision));
                scenarios.push((vec![closed(start, date(2024, 6, 5))], provision));
                // An earlier episode in the same school year adds to a later, still open one.
                scenarios.push((
                    vec![closed(date(2024, 1, 8), date(2024, 1, 19)), open(start)],
                    provision,
                ));
            }
        }
        // Across the summer holiday into a new school year.
        scenarios.push((vec![open(date(2024, 7, 1))], Some(date(2024, 9, 16))));
        scenarios.push((vec![open(date(2024, 7, 1))], None));
        for calendar in &calendars {
            for (episodes, provision) in &scenarios {
                let latest_start = episodes.iter().map(|e| e.start).max().expect("episodes");
                for offset in [0, 3, 17] {
                    let as_of = latest_start + chrono::Days::new(offset);
                    let wait = ProvisionWait::as_of(calendar, episodes, *provision, as_of);
                    for later in 0..400 {
                        let today = as_of + chrono::Days::new(later);
                        assert_eq!(
                            wait.days_on(school_day_number(calendar, today)),
                            i32::try_from(school_days_without_provision(
                                calendar, episodes, *provision, today
                            ))
                            .expect("small"),
                            "{episodes:?}, provision {provision:?}, as of {as_of}, on {today}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn school_day_numbers_count_the_school_days_between_dates() {
        let calendar = summer_2024();
        // 24 May (Fri) to 3 June (Mon) across half-term: one school day later.
        assert_eq!(
            school_day_number(&calendar, date(2024, 6, 3))
                - school_day_number(&calendar, date(2024, 5, 24)),
            1
        );
        let fallback = SchoolCalendar::fallback();
        assert_eq!(school_day_number(&fallback, date(2017, 12, 31)), 0);
        // 1 January 2018 was a bank holiday; Tuesday 2 January the first school day.
        assert_eq!(school_day_number(&fallback, date(2018, 1, 2)), 1);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Numbers around each documented bound, and anywhere at all.
    fn school_days() -> impl Strategy<Value = u32> {
        prop_oneof![0u32..=200, Just(MAX_SCHOOL_DAYS + 1), any::<u32>()]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn settings_are_valid_exactly_within_the_documented_ranges(
            health_and_other_days in school_days(),
            permanent_exclusion_days in school_days(),
            review_interval_school_days in school_days(),
            evidence_warning_days in prop_oneof![-2i64..=370, any::<i64>()],
        ) {
            let settings = DeadlineSettings {
                health_and_other_days,
                permanent_exclusion_days,
                review_interval_school_days,
                evidence_warning_days,
            };
            // docs/domain.md, "Deadlines": school-day counts 1 to 190, the warning 0 to 365 days.
            let documented = [health_and_other_days, permanent_exclusion_days, review_interval_school_days]
                .iter()
                .all(|days| (1..=190).contains(days))
                && (0..=365).contains(&evidence_warning_days);
            prop_assert_eq!(settings.validate().is_ok(), documented);
        }
    }
}
