//! Field-by-field validation of a case's inputs: hours of provision and dates that have
//! happened. Pure, so the rules are tested here rather than through the API; each parser names
//! the field it refuses, in the API's spelling.

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

/// Hours per week: more than 0, at most 40.
pub fn parse_hours(field: &str, hours: f64) -> AppResult<f64> {
    if hours.is_finite() && hours > 0.0 && hours <= 40.0 {
        Ok(hours)
    } else {
        Err(AppError::bad_input(
            field,
            "hours per week must be more than 0 and at most 40",
        ))
    }
}

/// The earliest date the hub accepts from a client.
pub const EARLIEST_DATE: NaiveDate = ymd(1900, 1, 1);
/// The latest date the hub accepts from a client.
pub const LATEST_DATE: NaiveDate = ymd(2199, 12, 31);

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => NaiveDate::MIN,
    }
}

/// Any date a client sends: from [`EARLIEST_DATE`] to [`LATEST_DATE`]. Wide enough for any real
/// case, and far inside what both stores hold and what date arithmetic can reach: PostgreSQL
/// cannot store a date before 4713 BC, and counting back a year from a date near chrono's own
/// limit panicked (both found by the GraphQL fuzz test).
pub fn parse_date(field: &str, date: NaiveDate) -> AppResult<NaiveDate> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(AppError::bad_input(
            field,
            format!("must be between {EARLIEST_DATE} and {LATEST_DATE}"),
        ))
    }
}

/// A date that has happened: not after today (nor before [`EARLIEST_DATE`]).
pub fn parse_past_date(field: &str, date: NaiveDate, today: NaiveDate) -> AppResult<NaiveDate> {
    let date = parse_date(field, date)?;
    if date > today {
        Err(AppError::bad_input(field, "must not be in the future"))
    } else {
        Ok(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn refused_field<T>(result: AppResult<T>) -> Option<String> {
        match result {
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn hours_must_be_more_than_zero_and_at_most_forty() {
        assert_eq!(parse_hours("hoursPerWeek", 0.5).ok(), Some(0.5));
        assert_eq!(parse_hours("hoursPerWeek", 25.0).ok(), Some(25.0));
        assert_eq!(parse_hours("hoursPerWeek", 40.0).ok(), Some(40.0));
        for refused in [0.0, -1.0, 40.5] {
            assert_eq!(
                refused_field(parse_hours("hoursPerWeek", refused)),
                Some("hoursPerWeek".to_owned()),
                "{refused} hours"
            );
        }
    }

    #[test]
    fn hours_that_are_not_a_number_are_refused() {
        for refused in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(parse_hours("hoursPerWeek", refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn dates_from_1900_to_2199_are_accepted_and_others_name_their_field() {
        assert_eq!(
            parse_date("endDate", date(1900, 1, 1)).ok(),
            Some(date(1900, 1, 1))
        );
        assert_eq!(
            parse_date("endDate", date(2199, 12, 31)).ok(),
            Some(date(2199, 12, 31))
        );
        for refused in [
            date(1899, 12, 31),
            date(2200, 1, 1),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ] {
            assert_eq!(
                refused_field(parse_date("endDate", refused)),
                Some("endDate".to_owned()),
                "{refused}"
            );
        }
        assert_eq!(
            refused_field(parse_past_date(
                "absenceStart",
                NaiveDate::MIN,
                date(2021, 5, 10)
            )),
            Some("absenceStart".to_owned())
        );
    }

    #[test]
    fn a_date_up_to_today_has_happened_and_tomorrow_has_not() {
        let today = date(2021, 5, 10);
        assert_eq!(
            parse_past_date("heldOn", date(2021, 5, 7), today).ok(),
            Some(date(2021, 5, 7))
        );
        assert_eq!(parse_past_date("heldOn", today, today).ok(), Some(today));
        assert_eq!(
            refused_field(parse_past_date("heldOn", date(2021, 5, 11), today)),
            Some("heldOn".to_owned())
        );
    }
}

#[cfg(test)]
mod properties {
    use chrono::Datelike;
    use proptest::prelude::*;

    use super::*;

    /// Any date chrono can represent, half of them around the years the hub accepts.
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let near = ymd(1850, 1, 1).num_days_from_ce()..=ymd(2250, 1, 1).num_days_from_ce();
        let all = NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce();
        prop_oneof![near, all]
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn hours_are_accepted_exactly_when_more_than_0_and_at_most_40(
            hours in prop_oneof![any::<f64>(), -1.0f64..41.0, Just(40.0), Just(0.0)],
        ) {
            match parse_hours("hoursPerWeek", hours) {
                Ok(accepted) => {
                    prop_assert!(hours > 0.0 && hours <= 40.0, "{} accepted", hours);
                    prop_assert_eq!(accepted, hours);
                }
                Err(AppError::BadUserInput { field, .. }) => {
                    prop_assert!(!(hours > 0.0 && hours <= 40.0), "{} refused", hours);
                    prop_assert_eq!(field, "hoursPerWeek");
                }
                Err(other) => prop_assert!(false, "{:?}", other),
            }
        }

        #[test]
        fn a_date_is_accepted_exactly_from_1900_to_2199(date in any_date()) {
            let parsed = parse_date("validUntil", date);
            prop_assert_eq!(parsed.as_ref().ok(), (EARLIEST_DATE..=LATEST_DATE).contains(&date).then_some(&date));
        }

        #[test]
        fn a_date_has_happened_exactly_when_it_is_not_after_today_and_not_before_1900(
            date in any_date(),
            today in any_date(),
        ) {
            let parsed = parse_past_date("heldOn", date, today);
            prop_assert_eq!(parsed.is_ok(), EARLIEST_DATE <= date && date <= today && date <= LATEST_DATE);
            if let Ok(parsed) = parsed {
                prop_assert_eq!(parsed, date);
            }
        }
    }
}
