//! Keyset cursors for the committee's view: the (due date, id) of the last row shown, opaque to
//! callers, so the next page is an indexed range read however deep it is.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::domain::case::parse_date;
use crate::error::{AppError, AppResult};

/// The cursor of a row due on `due_on` with id `id`.
pub(super) fn encode(due_on: NaiveDate, id: Uuid) -> String {
    let mut bytes = Vec::with_capacity(20);
    bytes.extend_from_slice(&due_on.num_days_from_ce().to_be_bytes());
    bytes.extend_from_slice(id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The (due date, id) inside a cursor from [`encode`].
pub(super) fn decode(field: &str, cursor: &str) -> AppResult<(NaiveDate, Uuid)> {
    let refused = || AppError::bad_input(field, "is not a cursor from this API");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    let (day, id) = match bytes.split_first_chunk::<4>() {
        Some((day, id)) if id.len() == 16 => (*day, id),
        _ => return Err(refused()),
    };
    // Only dates the API itself accepts: a date beyond what PostgreSQL stores would fail there.
    let due_on = NaiveDate::from_num_days_from_ce_opt(i32::from_be_bytes(day))
        .filter(|date| parse_date(field, *date).is_ok())
        .ok_or_else(refused)?;
    let id = Uuid::from_slice(id).map_err(|_| refused())?;
    Ok((due_on, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_its_due_date_and_id() {
        let due = NaiveDate::from_ymd_opt(2023, 4, 9).expect("date");
        let id = Uuid::now_v7();
        assert_eq!(decode("after", &encode(due, id)).ok(), Some((due, id)));
    }

    #[test]
    fn anything_else_is_refused_naming_the_field() {
        for garbage in [
            "",
            "not-a-cursor",
            "AAAA",
            &URL_SAFE_NO_PAD.encode([0u8; 21]),
        ] {
            match decode("after", garbage) {
                Err(AppError::BadUserInput { field, .. }) => assert_eq!(field, "after"),
                other => panic!("{garbage:?} gave {:?}", other.map(|_| ())),
            }
        }
    }
}
