//! Field-by-field validation of a child's details. Each parser names the field it refuses, in the
//! API's spelling, so a caseworker's front end can point at it.

use chrono::{Datelike, NaiveDate};

use super::Upn;
use crate::error::{AppError, AppResult};

/// A given or family name: trimmed, 1 to 100 characters, no control characters.
pub fn parse_name(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if value.chars().count() > 100 {
        return Err(AppError::bad_input(field, "must be at most 100 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// A date of birth: not in the future, and young enough to be of (or near) school age.
pub fn parse_date_of_birth(
    field: &str,
    value: NaiveDate,
    today: NaiveDate,
) -> AppResult<NaiveDate> {
    if value > today {
        return Err(AppError::bad_input(field, "must not be in the future"));
    }
    if today.year() - value.year() > 25 {
        return Err(AppError::bad_input(
            field,
            "is more than 25 years ago; check the year",
        ));
    }
    Ok(value)
}

/// A UPN with a valid check letter.
pub fn parse_upn(field: &str, value: &str) -> AppResult<Upn> {
    Upn::parse(value).map_err(|why| AppError::bad_input(field, why))
}

/// National curriculum year: 0 (Reception) to 14.
pub fn parse_year_group(field: &str, value: i32) -> AppResult<i32> {
    if (0..=14).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            "must be between 0 (Reception) and 14",
        ))
    }
}

/// A school's URN: six digits.
pub fn parse_school_urn(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(AppError::bad_input(field, "a school URN is six digits"))
    }
}

/// The council's own reference for the child: 1 to 64 printable characters.
pub fn parse_council_reference(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 || value.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            field,
            "must be 1 to 64 printable characters",
        ));
    }
    Ok(value.to_owned())
}

/// Free text such as a school's name: trimmed, at most `max` characters.
pub fn parse_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn names_are_trimmed_and_must_not_be_blank() {
        assert_eq!(parse_name("givenName", "  Ada ").ok(), Some("Ada".into()));
        let err = parse_name("givenName", "   ").expect_err("blank");
        assert!(matches!(err, AppError::BadUserInput { field, .. } if field == "givenName"));
    }

    #[test]
    fn a_future_date_of_birth_is_refused() {
        let today = date(2026, 11, 23);
        assert!(parse_date_of_birth("dateOfBirth", date(2026, 11, 24), today).is_err());
        assert!(parse_date_of_birth("dateOfBirth", date(2015, 2, 1), today).is_ok());
        assert!(parse_date_of_birth("dateOfBirth", date(1990, 2, 1), today).is_err());
    }

    #[test]
    fn year_groups_run_from_reception_to_fourteen() {
        assert!(parse_year_group("yearGroup", 0).is_ok());
        assert!(parse_year_group("yearGroup", 14).is_ok());
        assert!(parse_year_group("yearGroup", -1).is_err());
        assert!(parse_year_group("yearGroup", 15).is_err());
    }

    #[test]
    fn school_urns_are_six_digits() {
        assert!(parse_school_urn("schoolUrn", "118822").is_ok());
        assert!(parse_school_urn("schoolUrn", "11882").is_err());
        assert!(parse_school_urn("schoolUrn", "11882X").is_err());
    }
}
