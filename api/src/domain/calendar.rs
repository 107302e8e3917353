//! School-day arithmetic on a council's calendar (docs/domain.md, "School days").
//!
//! Over 600 lines because the unit tests sit beside the rules they prove: the code is about
//! half.
//!
//! Pure: no I/O and no database. The England and Wales bank holidays are compiled in, so the
//! server never reads `../shared` at run time.
//!
//! Counting is arithmetic over whole terms (weekdays in a range, minus the bank holidays and
//! closures that fall on them) rather than a walk day by day, so a dashboard recomputing 100,000
//! cases does no allocation and little work per case.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The bank holidays of England and Wales, 2018–2030, as published (a copy of the shared data).
const BANK_HOLIDAYS_CSV: &str = include_str!("../../data/bank-holidays-england-and-wales.csv");

/// How far ahead a search for a school day looks before giving up: three years (in days).
///
/// A council calendar whose terms have all ended, or a deadline of thousands of school days,
/// must answer "not found" rather than loop.
const HORIZON_DAYS: u64 = 3 * 366;

static ENGLAND_AND_WALES: LazyLock<BankHolidays> = LazyLock::new(|| {
    // The file is embedded at compile time and a unit test proves it parses, so the fallback to
    // an empty list cannot happen in a released build.
    BankHolidays::parse(BANK_HOLIDAYS_CSV).unwrap_or_default()
});

/// A sorted list of bank holidays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BankHolidays {
    /// Sorted and without duplicates, so lookups and range counts are binary searches.
    dates: Vec<NaiveDate>,
}

impl BankHolidays {
    /// The England and Wales bank holidays compiled into the server, parsed once.
    pub fn england_and_wales() -> &'static Self {
        &ENGLAND_AND_WALES
    }

    /// Parses `date,name,weekday` lines (ISO dates; the header line and blank lines are skipped).
    pub fn parse(csv: &str) -> Result<Self, String> {
        let mut dates = Vec::new();
        for (index, line) in csv.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || (index == 0 && line.starts_with("date")) {
                continue;
            }
            let field = line.split(',').next().unwrap_or_default().trim();
            let date = NaiveDate::parse_from_str(field, "%Y-%m-%d").map_err(|_| {
                format!(
                    "line {}: {field:?} is not a date like 2024-05-27",
                    index + 1
                )
            })?;
            dates.push(date);
        }
        dates.sort_unstable();
        dates.dedup();
        Ok(Self { dates })
    }

    /// Whether `date` is a bank holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.dates.binary_search(&date).is_ok()
    }

    /// Whether the list covers the calendar year of `date`; outside it no bank holiday is known.
    pub fn covers(&self, date: NaiveDate) -> bool {
        match (self.dates.first(), self.dates.last()) {
            (Some(first), Some(last)) => (first.year()..=last.year()).contains(&date.year()),
            _ => false,
        }
    }

    /// The bank holidays in `[from, to]` that fall on a weekday (some fall on a weekend and are
    /// observed on a later Monday, which is listed separately).
    fn weekdays_between(&self, from: NaiveDate, to: NaiveDate) -> u64 {
        let lo = self.dates.partition_point(|&d| d < from);
        let hi = self.dates.partition_point(|&d| d <= to);
        let in_range = self.dates.get(lo..hi).unwrap_or_default();
        count_u64(in_range.iter().filter(|&&d| is_weekday(d)))
    }
}

/// Whether `date` is an England and Wales bank holiday (as far as the list goes: 2018–2030).
pub fn is_bank_holiday(date: NaiveDate) -> bool {
    BankHolidays::england_and_wales().contains(date)
}

/// 1 September of the academic year (1 September to 31 August) containing `date`.
pub fn academic_year_start(date: NaiveDate) -> NaiveDate {
    let year = if date.month() >= 9 {
        date.year()
    } else {
        date.year() - 1
    };
    // Only a date before September in chrono's first representable year has no previous
    // 1 September; the earliest date there is stands in for it.
    NaiveDate::from_ymd_opt(year, 9, 1).unwrap_or(NaiveDate::MIN)
}

/// One school term, from its first to its last day inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Term {
    /// Whether `date` is between the first and the last day of the term.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// The days a council's schools are open, or the weekday fallback when it has recorded no calendar.
///
/// Built only through [`SchoolCalendar::fallback`] and [`SchoolCalendar::from_terms`], so a council
/// calendar's terms are always valid, sorted and disjoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolCalendar {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// Weekdays that are not England and Wales bank holidays.
    Fallback,
    /// The council's terms (sorted, non-overlapping) and the closure days it recorded.
    Council {
        terms: Vec<Term>,
        closures: BTreeSet<NaiveDate>,
    },
}

impl SchoolCalendar {
    /// Every weekday that is not an England and Wales bank holiday. Results are approximate.
    pub fn fallback() -> Self {
        Self {
            kind: Kind::Fallback,
        }
    }

    /// A council's calendar: its terms (inclusive, in any order, not overlapping) and closure
    /// days (INSET days, emergency closures...). No terms at all is allowed: nothing is a school
    /// day, and searches for one answer `None`.
    pub fn from_terms(mut terms: Vec<Term>, closures: BTreeSet<NaiveDate>) -> Result<Self, String> {
        if let Some(term) = terms.iter().find(|t| t.end < t.start) {
            return Err(format!(
                "a term must not end before it starts: {} to {}",
                term.start, term.end
            ));
        }
        terms.sort_unstable();
        if let Some(pair) = terms.windows(2).find(|pair| pair[1].start <= pair[0].end) {
            return Err(format!(
                "terms must not overlap: {} to {} and {} to {}",
                pair[0].start, pair[0].end, pair[1].start, pair[1].end
            ));
        }
        Ok(Self {
            kind: Kind::Council { terms, closures },
        })
    }

    /// True for the fallback: callers must mark anything computed with it as approximate.
    pub fn is_approximate(&self) -> bool {
        matches!(self.kind, Kind::Fallback)
    }

    /// Whether `date` is a school day: in a term, a weekday, not a bank holiday, not a closure.
    /// With the fallback: a weekday that is not a bank holiday.
    pub fn is_school_day(&self, date: NaiveDate) -> bool {
        if !is_weekday(date) || is_bank_holiday(date) {
            return false;
        }
        match &self.kind {
            Kind::Fallback => true,
            Kind::Council { terms, closures } => {
                first_term_ending_on_or_after(terms, date).is_some_and(|t| t.start <= date)
                    && !closures.contains(&date)
            }
        }
    }

    /// The number of school days in `[from, to]`, both included; 0 when `to` is before `from`.
    pub fn school_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to < from {
            return 0;
        }
        let count = match &self.kind {
            Kind::Fallback => open_weekdays_between(from, to, None),
            Kind::Council { terms, closures } => {
                let first = terms.partition_point(|t| t.end < from);
                terms
                    .get(first..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|t| t.start <= to)
                    .map(|t| {
                        open_weekdays_between(from.max(t.start), to.min(t.end), Some(closures))
                    })
                    .sum()
            }
        };
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// The date of school day number `n`, counting `start` as day 1 if it is a school day (else
    /// the first school day after it is day 1).
    ///
    /// This is docs/domain.md's "Day 1 is the first school day of absence, or of the exclusion".
    /// `None` when `n` is 0 (there is no day 0) or the day is not found within three years of
    /// `start` (a calendar whose terms have run out, say).
    pub fn nth_school_day_from(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return None;
        }
        let limit = start
            .checked_add_days(Days::new(HORIZON_DAYS))
            .unwrap_or(NaiveDate::MAX);
        match &self.kind {
            Kind::Fallback => self.walk_to_nth(start, limit, n),
            Kind::Council { terms, closures } => {
                let mut remaining = n;
                let first = terms.partition_point(|t| t.end < start);
                for term in terms.get(first..).unwrap_or_default() {
                    let from = start.max(term.start);
                    let to = limit.min(term.end);
                    if to < from {
                        return None;
                    }
                    // Skip whole terms by counting them; walk only the term the day falls in.
                    let in_term = open_weekdays_between(from, to, Some(closures));
                    if in_term < u64::from(remaining) {
                        remaining -= u32::try_from(in_term).unwrap_or(remaining);
                    } else {
                        return self.walk_to_nth(from, to, remaining);
                    }
                }
                None
            }
        }
    }

    /// The first school day on or after `date` (`None` if there is none within three years).
    pub fn next_school_day_on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.nth_school_day_from(date, 1)
    }

    /// The `n`th school day strictly after `date`: `date` itself never counts, even when it is a
    /// school day. `None` for `n` = 0 or beyond three years.
    ///
    /// Use it to count from an event that is not itself a counted day: a review every 30 school
    /// days falls on `school_day_after(last_review, 30)`, and the 6th school day after an
    /// exclusion *decision* made on Tuesday is `school_day_after(tuesday, 6)` — the 6th school day
    /// of an exclusion that starts on the Wednesday. Deadlines counted from the first day of
    /// absence or of the exclusion itself, where that day is day 1, use
    /// [`SchoolCalendar::nth_school_day_from`] instead.
    pub fn school_day_after(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        self.nth_school_day_from(date.succ_opt()?, n)
    }

    /// Walks `[from, to]` a day at a time to the `n`th school day (n ≥ 1).
    fn walk_to_nth(&self, from: NaiveDate, to: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut remaining = n;
        let mut date = from;
        while date <= to {
            if self.is_school_day(date) {
                remaining -= 1;
                if remaining == 0 {
                    return Some(date);
                }
            }
            date = date.succ_opt()?;
        }
        None
    }
}

/// The term containing `date` or, if `date` is between terms, the next one (terms sorted, disjoint).
fn first_term_ending_on_or_after(terms: &[Term], date: NaiveDate) -> Option<&Term> {
    terms.get(terms.partition_point(|t| t.end < date))
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Weekdays in `[from, to]` (`from <= to`) that are neither bank holidays nor, if given, closures.
fn open_weekdays_between(
    from: NaiveDate,
    to: NaiveDate,
    closures: Option<&BTreeSet<NaiveDate>>,
) -> u64 {
    let bank_holidays = BankHolidays::england_and_wales();
    let mut count = weekdays_between(from, to) - bank_holidays.weekdays_between(from, to);
    if let Some(closures) = closures {
        // A closure recorded on a weekend or a bank holiday was never counted; don't take it off twice.
        count -= count_u64(
            closures
                .range(from..=to)
                .filter(|&&d| is_weekday(d) && !bank_holidays.contains(d)),
        );
    }
    count
}

/// Monday-to-Friday days in `[from, to]` (`from <= to`), by arithmetic rather than a walk.
fn weekdays_between(from: NaiveDate, to: NaiveDate) -> u64 {
    let days = u64::try_from(to.signed_duration_since(from).num_days() + 1).unwrap_or(0);
    let first = u64::from(from.weekday().num_days_from_monday());
    let partial_week = (0..days % 7).filter(|offset| (first + offset) % 7 < 5);
    days / 7 * 5 + count_u64(partial_week)
}

fn count_u64<T>(items: impl Iterator<Item = T>) -> u64 {
    u64::try_from(items.count()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
    }

    fn term(start: NaiveDate, end: NaiveDate) -> Term {
        Term { start, end }
    }

    /// Summer term 2024 with a half-term of 27–31 May (27 May is also the Spring bank holiday).
    fn summer_2024() -> SchoolCalendar {
        SchoolCalendar::from_terms(
            vec![
                term(date(2024, 6, 3), date(2024, 7, 19)),
                term(date(2024, 4, 15), date(2024, 5, 24)),
            ],
            BTreeSet::new(),
        )
        .expect("valid calendar")
    }

    /// Counts school days one at a time, to check the arithmetic against.
    fn walked_count(calendar: &SchoolCalendar, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .take_while(|&d| d <= to)
            .filter(|&d| calendar.is_school_day(d))
            .map(|_| 1)
            .sum()
    }

    #[test]
    fn the_embedded_bank_holidays_parse_and_every_weekday_column_matches_its_date() {
        let parsed = BankHolidays::parse(BANK_HOLIDAYS_CSV).expect("embedded file parses");
        assert_eq!(parsed.dates.len(), 117);
        assert_eq!(&parsed, BankHolidays::england_and_wales());
        for line in BANK_HOLIDAYS_CSV.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let day = NaiveDate::parse_from_str(fields[0], "%Y-%m-%d").expect("date");
            assert_eq!(format!("{}", day.format("%A")), fields[2], "{line}");
        }
    }

    #[test]
    fn known_bank_holidays_are_recognised() {
        assert!(is_bank_holiday(date(2021, 5, 31)));
        assert!(is_bank_holiday(date(2024, 5, 6)));
        assert!(is_bank_holiday(date(2024, 5, 27)));
        assert!(!is_bank_holiday(date(2024, 5, 28)));
    }

    #[test]
    fn the_list_says_which_years_it_covers() {
        let holidays = BankHolidays::england_and_wales();
        assert!(holidays.covers(date(2018, 1, 1)));
        assert!(holidays.covers(date(2030, 12, 31)));
        assert!(!holidays.covers(date(2031, 1, 1)));
        assert!(!BankHolidays::default().covers(date(2024, 1, 1)));
    }

    #[test]
    fn a_malformed_bank_holiday_line_is_refused_with_its_line_number() {
        let error = BankHolidays::parse("date,name,weekday\n2024-13-01,Nonsense,Monday\n")
            .expect_err("bad month");
        assert!(error.starts_with("line 2:"), "{error}");
    }

    #[test]
    fn the_fallback_is_approximate_and_a_council_calendar_is_not() {
        assert!(SchoolCalendar::fallback().is_approximate());
        assert!(!summer_2024().is_approximate());
    }

    #[test]
    fn the_fallback_counts_weekdays_that_are_not_bank_holidays() {
        let calendar = SchoolCalendar::fallback();
        assert!(calendar.is_school_day(date(2024, 5, 28)));
        assert!(!calendar.is_school_day(date(2024, 5, 27)), "bank holiday");
        assert!(!calendar.is_school_day(date(2024, 5, 25)), "Saturday");
        assert!(!calendar.is_school_day(date(2024, 5, 26)), "Sunday");
        // May 2024: 23 weekdays, two of them bank holidays (6 and 27 May).
        assert_eq!(
            calendar.school_days_between(date(2024, 5, 1), date(2024, 5, 31)),
            21
        );
    }

    #[test]
    fn weekends_are_skipped() {
        let calendar = summer_2024();
        // Friday 19 April is day 1; Saturday and Sunday do not count; Monday 22 April is day 2.
        assert_eq!(
            calendar.nth_school_day_from(date(2024, 4, 19), 2),
            Some(date(2024, 4, 22))
        );
        assert_eq!(
            calendar.school_days_between(date(2024, 4, 19), date(2024, 4, 22)),
            2
        );
    }

    #[test]
    fn a_council_calendar_skips_half_term_and_the_days_outside_its_terms() {
        let calendar = summer_2024();
        assert!(calendar.is_school_day(date(2024, 5, 24)));
        assert!(!calendar.is_school_day(date(2024, 5, 28)), "half-term");
        assert!(
            !calendar.is_school_day(date(2024, 4, 12)),
            "before the term"
        );
        assert!(!calendar.is_school_day(date(2024, 7, 22)), "after the term");
        assert_eq!(
            calendar.school_days_between(date(2024, 5, 20), date(2024, 6, 7)),
            10
        );
        assert_eq!(
            calendar.next_school_day_on_or_after(date(2024, 5, 25)),
            Some(date(2024, 6, 3))
        );
    }

    #[test]
    fn closures_are_skipped() {
        let closures = BTreeSet::from([date(2024, 6, 4), date(2024, 6, 8)]);
        let calendar =
            SchoolCalendar::from_terms(vec![term(date(2024, 6, 3), date(2024, 7, 19))], closures)
                .expect("valid calendar");
        assert!(!calendar.is_school_day(date(2024, 6, 4)));
        // The Saturday closure was never a school day: only 4 June comes off the week.
        assert_eq!(
            calendar.school_days_between(date(2024, 6, 3), date(2024, 6, 9)),
            4
        );
        assert_eq!(
            calendar.nth_school_day_from(date(2024, 6, 3), 2),
            Some(date(2024, 6, 5))
        );
    }

    #[test]
    fn overlapping_terms_are_refused() {
        let error = SchoolCalendar::from_terms(
            vec![
                term(date(2024, 4, 15), date(2024, 5, 24)),
                term(date(2024, 5, 24), date(2024, 7, 19)),
            ],
            BTreeSet::new(),
        )
        .expect_err("terms share 24 May");
        assert!(error.contains("overlap"), "{error}");
    }

    #[test]
    fn a_term_ending_before_it_starts_is_refused() {
        let error = SchoolCalendar::from_terms(
            vec![term(date(2024, 5, 24), date(2024, 4, 15))],
            BTreeSet::new(),
        )
        .expect_err("backwards term");
        assert!(error.contains("end before it starts"), "{error}");
    }

    #[test]
    fn adjacent_terms_are_accepted() {
        assert!(
            SchoolCalendar::from_terms(
                vec![
                    term(date(2024, 4, 15), date(2024, 5, 24)),
                    term(date(2024, 5, 25), date(2024, 7, 19)),
                ],
                BTreeSet::new(),
            )
            .is_ok()
        );
    }

    #[test]
    fn a_calendar_with_no_terms_finds_no_school_day_rather_than_looping() {
        let calendar = SchoolCalendar::from_terms(Vec::new(), BTreeSet::new()).expect("valid");
        assert!(!calendar.is_school_day(date(2024, 5, 13)));
        assert_eq!(calendar.nth_school_day_from(date(2024, 5, 13), 1), None);
        assert_eq!(calendar.school_day_after(date(2024, 5, 13), 30), None);
        assert_eq!(
            calendar.school_days_between(date(2024, 1, 1), date(2024, 12, 31)),
            0
        );
    }

    #[test]
    fn a_calendar_whose_terms_have_ended_finds_nothing_later() {
        assert_eq!(
            summer_2024().nth_school_day_from(date(2024, 7, 15), 10),
            None
        );
    }

    #[test]
    fn a_day_beyond_the_three_year_horizon_is_not_found() {
        let calendar = SchoolCalendar::fallback();
        assert!(
            calendar
                .nth_school_day_from(date(2024, 1, 1), 700)
                .is_some()
        );
        assert_eq!(calendar.nth_school_day_from(date(2024, 1, 1), 1_000), None);
    }

    #[test]
    fn day_one_is_the_start_if_it_is_a_school_day_and_otherwise_the_next_school_day() {
        let calendar = SchoolCalendar::fallback();
        assert_eq!(
            calendar.nth_school_day_from(date(2024, 5, 1), 1),
            Some(date(2024, 5, 1))
        );
        // Saturday 4 May, Sunday, bank holiday Monday 6 May: day 1 is Tuesday 7 May.
        assert_eq!(
            calendar.nth_school_day_from(date(2024, 5, 4), 1),
            Some(date(2024, 5, 7))
        );
        assert_eq!(calendar.nth_school_day_from(date(2024, 5, 1), 0), None);
    }

    #[test]
    fn the_nth_school_day_after_a_date_does_not_count_the_date_itself() {
        let calendar = SchoolCalendar::fallback();
        // After Wednesday 1 May 2024: 2, 3, (6 May bank holiday) 7, 8, 9, 10 May.
        assert_eq!(
            calendar.school_day_after(date(2024, 5, 1), 1),
            Some(date(2024, 5, 2))
        );
        assert_eq!(
            calendar.school_day_after(date(2024, 5, 1), 6),
            Some(date(2024, 5, 10))
        );
        assert_eq!(calendar.school_day_after(date(2024, 5, 1), 0), None);
    }

    #[test]
    fn an_empty_or_backwards_range_has_no_school_days() {
        let calendar = SchoolCalendar::fallback();
        assert_eq!(
            calendar.school_days_between(date(2024, 5, 10), date(2024, 5, 9)),
            0
        );
        assert_eq!(
            calendar.school_days_between(date(2024, 5, 11), date(2024, 5, 11)),
            0
        );
        assert_eq!(
            calendar.school_days_between(date(2024, 5, 10), date(2024, 5, 10)),
            1
        );
    }

    #[test]
    fn counting_by_arithmetic_agrees_with_walking_every_day() {
        let closures = BTreeSet::from([date(2023, 11, 24), date(2024, 1, 2), date(2024, 5, 27)]);
        let council = SchoolCalendar::from_terms(
            vec![
                term(date(2023, 9, 4), date(2023, 10, 20)),
                term(date(2023, 10, 30), date(2023, 12, 20)),
                term(date(2024, 1, 2), date(2024, 2, 9)),
                term(date(2024, 2, 19), date(2024, 3, 28)),
                term(date(2024, 4, 15), date(2024, 5, 24)),
                term(date(2024, 6, 3), date(2024, 7, 19)),
            ],
            closures,
        )
        .expect("valid calendar");
        for calendar in [SchoolCalendar::fallback(), council] {
            let start = date(2023, 8, 20);
            for from_offset in (0..380).step_by(3) {
                for length in [0, 1, 2, 5, 6, 7, 13, 40, 200] {
                    let from = start + Days::new(from_offset);
                    let to = from + Days::new(length);
                    assert_eq!(
                        calendar.school_days_between(from, to),
                        walked_count(&calendar, from, to),
                        "{from} to {to}"
                    );
                }
                let from = start + Days::new(from_offset);
                for n in [1, 5, 15, 60] {
                    if let Some(day) = calendar.nth_school_day_from(from, n) {
                        assert!(calendar.is_school_day(day));
                        assert_eq!(calendar.school_days_between(from, day), n, "{from} n={n}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_academic_year_runs_from_the_first_of_september_to_the_end_of_august() {
        assert_eq!(academic_year_start(date(2023, 9, 1)), date(2023, 9, 1));
        assert_eq!(academic_year_start(date(2024, 1, 8)), date(2023, 9, 1));
        assert_eq!(academic_year_start(date(2024, 8, 31)), date(2023, 9, 1));
        assert_eq!(academic_year_start(date(2023, 8, 31)), date(2022, 9, 1));
        assert_eq!(academic_year_start(date(2023, 12, 31)), date(2023, 9, 1));
    }
}

/// Properties over generated calendars: building one never panics and refuses exactly the
/// inverted or overlapping terms; counting by arithmetic always equals walking day by day.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// A day from 2017 to 2032: bank holidays are known from 2018 to 2030, so ranges cross both
    /// the known years and the unknown ones on either side.
    fn day() -> impl Strategy<Value = NaiveDate> {
        let first = NaiveDate::from_ymd_opt(2017, 1, 1).expect("a date");
        (0u64..16 * 366).prop_map(move |offset| first + Days::new(offset))
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
    }

    /// Terms as a client might send them: any order, possibly inverted or overlapping.
    fn raw_terms() -> impl Strategy<Value = Vec<Term>> {
        proptest::collection::vec(
            (day(), 0i64..120, any::<bool>()).prop_map(|(start, length, inverted)| {
                let other = start + chrono::Duration::days(length);
                if inverted && length > 0 {
                    Term {
                        start: other,
                        end: start,
                    }
                } else {
                    Term { start, end: other }
                }
            }),
            0..6,
        )
    }

    /// A valid council calendar over about a year and a half from `first`: sorted disjoint terms
    /// with gaps, and closures anywhere (in term or not, weekends and bank holidays included).
    fn council_calendar() -> impl Strategy<Value = (NaiveDate, SchoolCalendar)> {
        (
            day(),
            proptest::collection::vec((0u64..40, 1u64..90), 1..6),
            proptest::collection::btree_set(0u64..560, 0..12),
        )
            .prop_map(|(first, spans, closure_offsets)| {
                let mut terms = Vec::new();
                let mut cursor = first;
                for (gap, length) in spans {
                    let start = cursor + Days::new(gap);
                    let end = start + Days::new(length - 1);
                    terms.push(Term { start, end });
                    cursor = end + Days::new(1);
                }
                let closures = closure_offsets
                    .into_iter()
                    .map(|offset| first + Days::new(offset))
                    .collect();
                let calendar =
                    SchoolCalendar::from_terms(terms, closures).expect("valid by construction");
                (first, calendar)
            })
    }

    fn calendar() -> impl Strategy<Value = (NaiveDate, SchoolCalendar)> {
        prop_oneof![
            1 => day().prop_map(|first| (first, SchoolCalendar::fallback())),
            3 => council_calendar(),
        ]
    }

    /// The school days in `[from, to]`, one day at a time.
    fn walked_count(calendar: &SchoolCalendar, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .take_while(|&d| d <= to)
            .filter(|&d| calendar.is_school_day(d))
            .map(|_| 1)
            .sum()
    }

    /// The `n`th school day from `start`, one day at a time, within the three-year horizon.
    fn walked_nth(calendar: &SchoolCalendar, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        start
            .iter_days()
            .take(usize::try_from(HORIZON_DAYS).expect("small") + 1)
            .filter(|&d| calendar.is_school_day(d))
            .nth(usize::try_from(n).expect("small").checked_sub(1)?)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn terms_are_refused_exactly_when_one_is_inverted_or_two_overlap(terms in raw_terms()) {
            let inverted = terms.iter().any(|t| t.end < t.start);
            let overlapping = terms.iter().enumerate().any(|(i, a)| {
                terms.iter().skip(i + 1).any(|b| a.start <= b.end && b.start <= a.end)
            });
            let built = SchoolCalendar::from_terms(terms.clone(), BTreeSet::new());
            prop_assert_eq!(built.is_ok(), !inverted && !overlapping, "{:?}", terms);
        }

        #[test]
        fn counting_by_arithmetic_equals_walking_day_by_day(
            (first, calendar) in calendar(),
            from_offset in 0u64..600,
            length in 0u64..400,
        ) {
            let from = first + Days::new(from_offset);
            let to = from + Days::new(length);
            prop_assert_eq!(calendar.school_days_between(from, to), walked_count(&calendar, from, to));
            prop_assert_eq!(calendar.school_days_between(to + Days::new(1), from), 0);
        }

        #[test]
        fn the_nth_school_day_equals_walking_day_by_day(
            (first, calendar) in calendar(),
            from_offset in 0u64..600,
            n in 0u32..120,
        ) {
            let from = first + Days::new(from_offset);
            let found = calendar.nth_school_day_from(from, n);
            prop_assert_eq!(found, walked_nth(&calendar, from, n));
            if let Some(day) = found {
                prop_assert!(calendar.is_school_day(day));
                prop_assert_eq!(calendar.school_days_between(from, day), n);
            }
        }

        #[test]
        fn no_date_chrono_can_hold_makes_a_calendar_panic(
            a in any_date(),
            b in any_date(),
            n in any::<u32>(),
        ) {
            let (start, end) = (a.min(b), a.max(b));
            let council = SchoolCalendar::from_terms(
                vec![Term { start, end }],
                BTreeSet::from([a, b]),
            )
            .expect("one term is valid");
            for calendar in [SchoolCalendar::fallback(), council] {
                let _ = calendar.school_days_between(a, b);
                let _ = calendar.is_school_day(a);
                // Searches give up after three years, so even a huge `n` returns quickly.
                let _ = calendar.nth_school_day_from(a, n);
                let _ = calendar.school_day_after(b, n.min(5));
            }
            let _ = academic_year_start(a);
        }
    }
}
