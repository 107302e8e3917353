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

/// A date that has happened: not after today.
pub fn parse_past_date(field: &str, date: NaiveDate, today: NaiveDate) -> AppResult<NaiveDate> {
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
