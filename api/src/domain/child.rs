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

/// Free text such as a school's name: trimmed, at most `max` characters, and no control
/// characters but tabs and line breaks. (PostgreSQL cannot store a NUL at all: one used to be an
/// INTERNAL_SERVER_ERROR there.)
pub fn parse_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(AppError::bad_input(
            field,
            "must not contain control characters other than tabs and line breaks",
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
    fn free_text_refuses_nul_and_other_control_characters_but_keeps_line_breaks() {
        for refused in [
            "St Nul\u{0}'s",
            "bell\u{7}",
            "\u{1b}[31mred",
            "next\u{85}line",
        ] {
            assert!(
                parse_text("schoolName", refused, 200).is_err(),
                "{refused:?}"
            );
        }
        assert_eq!(
            parse_text("reducedReason", "Fatigue\nafter\tsurgery\r\n", 500).ok(),
            Some("Fatigue\nafter\tsurgery".to_owned())
        );
    }

    #[test]
    fn school_urns_are_six_digits() {
        assert!(parse_school_urn("schoolUrn", "118822").is_ok());
        assert!(parse_school_urn("schoolUrn", "11882").is_err());
        assert!(parse_school_urn("schoolUrn", "11882X").is_err());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Any date chrono can represent.
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
    }

    /// Text as clients send it: letters, space, punctuation, accents, emoji, right-to-left
    /// script, combining marks, and control characters (NUL, BEL, ESC, DEL, C1, line breaks).
    fn text(max: usize) -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[A-Za-z' -]",
            1 => "[\u{e9}\u{f1}\u{df}\u{301}\u{5d0}-\u{5ea}\u{1f600}\u{2028}\u{a0}]",
            1 => "[\u{0}-\u{1f}\u{7f}\u{85}\u{9b}]",
        ];
        proptest::collection::vec(piece, 0..max).prop_map(|pieces| pieces.concat())
    }

    fn refused_field<T>(result: AppResult<T>) -> Option<String> {
        match result {
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn a_name_is_accepted_trimmed_or_refused_naming_its_field(value in text(120)) {
            match parse_name("givenName", &value) {
                Ok(name) => {
                    prop_assert_eq!(name.as_str(), value.trim());
                    prop_assert!((1..=100).contains(&name.chars().count()));
                    prop_assert!(!name.chars().any(char::is_control));
                }
                refused => prop_assert_eq!(refused_field(refused), Some("givenName".to_owned())),
            }
        }

        #[test]
        fn a_name_of_1_to_100_printable_characters_is_accepted(
            name in "[A-Za-z\u{e9}\u{5d0}][A-Za-z\u{e9}\u{5d0}' -]{0,98}[A-Za-z]",
            padding in "[ \t\n]{0,2}",
        ) {
            let padded = format!("{padding}{name}{padding}");
            prop_assert_eq!(parse_name("familyName", &padded).ok(), Some(name));
        }

        #[test]
        fn a_date_of_birth_is_accepted_exactly_when_past_and_within_25_years(
            born in any_date(),
            today in any_date(),
        ) {
            let accepted = born <= today && today.year() - born.year() <= 25;
            let parsed = parse_date_of_birth("dateOfBirth", born, today);
            prop_assert_eq!(parsed.as_ref().ok(), accepted.then_some(&born));
            if !accepted {
                prop_assert_eq!(refused_field(parsed), Some("dateOfBirth".to_owned()));
            }
        }

        #[test]
        fn a_year_group_is_accepted_exactly_from_reception_to_fourteen(year in any::<i32>()) {
            prop_assert_eq!(parse_year_group("yearGroup", year).ok(), (0..=14).contains(&year).then_some(year));
        }

        #[test]
        fn a_school_urn_is_six_digits_after_trimming(
            value in prop_oneof!["[ ]?[0-9]{6}[ \t]?", "[0-9]{0,5}|[0-9]{7,9}", any::<String>()],
        ) {
            let trimmed = value.trim();
            let six_digits = trimmed.len() == 6 && trimmed.bytes().all(|b| b.is_ascii_digit());
            match parse_school_urn("schoolUrn", &value) {
                Ok(urn) => {
                    prop_assert!(six_digits);
                    prop_assert_eq!(urn.as_str(), trimmed);
                }
                refused => {
                    prop_assert!(!six_digits);
                    prop_assert_eq!(refused_field(refused), Some("schoolUrn".to_owned()));
                }
            }
        }

        #[test]
        fn a_council_reference_is_1_to_64_printable_bytes(
            value in prop_oneof!["[A-Za-z0-9/-]{1,64}", text(80)],
        ) {
            match parse_council_reference("councilReference", &value) {
                Ok(reference) => {
                    prop_assert_eq!(reference.as_str(), value.trim());
                    prop_assert!((1..=64).contains(&reference.len()));
                    prop_assert!(!reference.chars().any(char::is_control));
                }
                refused => {
                    let trimmed = value.trim();
                    prop_assert!(
                        trimmed.is_empty() || trimmed.len() > 64 || trimmed.chars().any(char::is_control),
                        "{:?} refused", value
                    );
                    prop_assert_eq!(refused_field(refused), Some("councilReference".to_owned()));
                }
            }
        }

        #[test]
        fn free_text_is_trimmed_within_its_length_and_free_of_control_characters(
            value in text(40),
            max in 1usize..30,
        ) {
            match parse_text("provider", &value, max) {
                Ok(text) => {
                    prop_assert_eq!(text.as_str(), value.trim());
                    prop_assert!((1..=max).contains(&text.chars().count()));
                    prop_assert!(!text.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)));
                }
                refused => prop_assert_eq!(refused_field(refused), Some("provider".to_owned())),
            }
        }

        #[test]
        fn free_text_of_printable_characters_and_line_breaks_is_accepted(
            value in "[A-Za-z\u{e9}\u{5d0}][A-Za-z\u{e9}\u{5d0}\u{1f600}' \t\n\r.,-]{0,40}[a-z]",
        ) {
            prop_assert_eq!(parse_text("reducedReason", &value, 500).ok(), Some(value));
        }
    }
}
