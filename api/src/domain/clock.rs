//! Today's date, as English schools and councils count it.
//!
//! Deadlines are counted in school days in England, so "today" is the date in Europe/London, not
//! the server's UTC date: between midnight and 1 a.m. in British Summer Time the UTC date is
//! still yesterday's, and a deadline due "today" would show as not yet due.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;

/// Today's date in England.
pub fn today() -> NaiveDate {
    date_in_england(Utc::now())
}

/// The date in England at the instant `now`.
pub fn date_in_england(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&London).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .expect("a valid time")
            .with_timezone(&Utc)
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
    }

    #[test]
    fn in_summer_time_the_english_date_turns_an_hour_before_utc() {
        // 23:30 UTC on 30 June 2026 is 00:30 BST on 1 July.
        assert_eq!(
            date_in_england(at("2026-06-30T23:30:00Z")),
            date(2026, 7, 1)
        );
        assert_eq!(
            date_in_england(at("2026-06-30T22:59:59Z")),
            date(2026, 6, 30)
        );
    }

    #[test]
    fn in_winter_the_english_date_is_the_utc_date() {
        assert_eq!(
            date_in_england(at("2026-11-23T23:30:00Z")),
            date(2026, 11, 23)
        );
        assert_eq!(
            date_in_england(at("2026-11-24T00:00:00Z")),
            date(2026, 11, 24)
        );
    }

    #[test]
    fn the_clocks_change_on_the_last_sundays_of_march_and_october() {
        // 2026: BST from 01:00 UTC on 29 March to 01:00 UTC on 25 October.
        assert_eq!(
            date_in_england(at("2026-03-28T23:30:00Z")),
            date(2026, 3, 28)
        );
        assert_eq!(
            date_in_england(at("2026-03-29T23:30:00Z")),
            date(2026, 3, 30)
        );
        assert_eq!(
            date_in_england(at("2026-10-24T23:30:00Z")),
            date(2026, 10, 25)
        );
        assert_eq!(
            date_in_england(at("2026-10-25T23:30:00Z")),
            date(2026, 10, 25)
        );
    }
}
