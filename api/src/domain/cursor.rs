//! Opaque page cursors for every connection: the key of the last row a page showed, so the next
//! page starts right after it in the list's order (keyset pagination), whatever was inserted or
//! deleted meanwhile and however deep the page, with no count and no offset.
//!
//! A cursor is the URL-safe base64 of a small JSON array: a format version, the list (and order)
//! it belongs to, then the key's values in order. Clients must treat it as opaque; the server
//! refuses, as BAD_USER_INPUT naming the field, anything it did not write for that list: an
//! offset cursor from an earlier version, a cursor of another list or order, or garbage.
//!
//! Keys carry ids, dates and numbers only, never names or other personal data: a cursor may end
//! up in a URL or a log.
//!
//! ```
//! use api::domain::cursor::{CursorReader, CursorWriter};
//! let id = uuid::Uuid::nil();
//! let text = CursorWriter::new("audit").int(41).uuid(id).finish();
//! let mut key = CursorReader::open("after", "audit", &text).unwrap();
//! assert_eq!(key.int().unwrap(), 41);
//! assert_eq!(key.uuid().unwrap(), id);
//! key.end().unwrap();
//! ```

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The format written today. A change to any list's key gets a new list name or version, so old
/// cursors are refused rather than misread.
const VERSION: i64 = 1;

/// Longest cursor text read at all: keys are a few short values.
const MAX_LEN: usize = 512;

/// Builds a cursor: the list's name, then the key's values in order.
#[derive(Debug)]
#[must_use]
pub struct CursorWriter(Vec<Value>);

impl CursorWriter {
    /// A cursor of the list (and order) `list`, e.g. `cases.due`.
    pub fn new(list: &str) -> Self {
        Self(vec![Value::from(VERSION), Value::from(list)])
    }

    pub fn int(mut self, value: i64) -> Self {
        self.0.push(Value::from(value));
        self
    }

    pub fn date(mut self, value: NaiveDate) -> Self {
        self.0.push(Value::from(value.to_string()));
        self
    }

    /// A date that may be missing (`null` in the key).
    pub fn opt_date(mut self, value: Option<NaiveDate>) -> Self {
        self.0
            .push(value.map_or(Value::Null, |d| Value::from(d.to_string())));
        self
    }

    pub fn uuid(mut self, value: Uuid) -> Self {
        self.0.push(Value::from(value.simple().to_string()));
        self
    }

    /// The opaque text handed to clients.
    pub fn finish(self) -> String {
        URL_SAFE_NO_PAD.encode(Value::Array(self.0).to_string())
    }
}

/// Reads a cursor back, value by value in the order it was written; every mismatch is
/// BAD_USER_INPUT naming the field the cursor came in.
#[derive(Debug)]
pub struct CursorReader {
    field: String,
    values: std::vec::IntoIter<Value>,
}

impl CursorReader {
    /// Opens `text`, sent as `field`, as a cursor of `list`.
    pub fn open(field: &str, list: &str, text: &str) -> AppResult<Self> {
        let refused = || refused(field);
        if text.len() > MAX_LEN {
            return Err(refused());
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| refused())?;
        let Ok(Value::Array(values)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(refused());
        };
        let mut values = values.into_iter();
        if values.next().and_then(|v| v.as_i64()) != Some(VERSION)
            || values.next().as_ref().and_then(Value::as_str) != Some(list)
        {
            return Err(refused());
        }
        Ok(Self {
            field: field.to_owned(),
            values,
        })
    }

    fn next(&mut self) -> AppResult<Value> {
        self.values.next().ok_or_else(|| refused(&self.field))
    }

    pub fn int(&mut self) -> AppResult<i64> {
        let value = self.next()?;
        value.as_i64().ok_or_else(|| refused(&self.field))
    }

    /// An integer that must fit an `i32` (school-day numbers, counts).
    pub fn int32(&mut self) -> AppResult<i32> {
        let value = self.int()?;
        i32::try_from(value).map_err(|_| refused(&self.field))
    }

    pub fn date(&mut self) -> AppResult<NaiveDate> {
        let value = self.next()?;
        value
            .as_str()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| refused(&self.field))
    }

    pub fn opt_date(&mut self) -> AppResult<Option<NaiveDate>> {
        match self.next()? {
            Value::Null => Ok(None),
            Value::String(text) => text.parse().map(Some).map_err(|_| refused(&self.field)),
            _ => Err(refused(&self.field)),
        }
    }

    pub fn uuid(&mut self) -> AppResult<Uuid> {
        let value = self.next()?;
        value
            .as_str()
            .and_then(|text| Uuid::parse_str(text).ok())
            .ok_or_else(|| refused(&self.field))
    }

    /// Nothing may follow the key: a longer cursor is not one of ours.
    pub fn end(mut self) -> AppResult<()> {
        match self.values.next() {
            None => Ok(()),
            Some(_) => Err(refused(&self.field)),
        }
    }
}

fn refused(field: &str) -> AppError {
    AppError::bad_input(
        field,
        "is not a cursor of this list (cursors are opaque; start again without it)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::refused_field;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn a_key_round_trips_value_by_value() {
        let id = Uuid::now_v7();
        let text = CursorWriter::new("cases.due")
            .opt_date(Some(date(2026, 12, 2)))
            .opt_date(None)
            .date(date(1999, 1, 31))
            .int(-7)
            .uuid(id)
            .finish();
        let mut key = CursorReader::open("after", "cases.due", &text).expect("ours");
        assert_eq!(key.opt_date().ok(), Some(Some(date(2026, 12, 2))));
        assert_eq!(key.opt_date().ok(), Some(None));
        assert_eq!(key.date().ok(), Some(date(1999, 1, 31)));
        assert_eq!(key.int32().ok(), Some(-7));
        assert_eq!(key.uuid().ok(), Some(id));
        assert!(key.end().is_ok());
    }

    #[test]
    fn a_cursor_is_url_safe_text_without_padding() {
        let text = CursorWriter::new("children").uuid(Uuid::now_v7()).finish();
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{text}"
        );
    }

    #[test]
    fn a_cursor_of_another_list_is_refused_naming_the_field() {
        let text = CursorWriter::new("cases.due").int(1).finish();
        assert_eq!(
            refused_field(CursorReader::open("after", "cases.waiting", &text)),
            "after"
        );
    }

    #[test]
    fn an_old_offset_cursor_or_garbage_is_refused() {
        // Earlier versions sent the base64 of a UUID holding the row's offset.
        let offset = URL_SAFE_NO_PAD.encode(Uuid::from_u128(49).as_bytes());
        for text in [
            offset.as_str(),
            "",
            "not a cursor",
            "MTIz",
            &URL_SAFE_NO_PAD.encode("[2,\"audit\",1]"),
            &"A".repeat(MAX_LEN + 1),
        ] {
            assert_eq!(
                refused_field(CursorReader::open("after", "audit", text)),
                "after",
                "{text}"
            );
        }
    }

    #[test]
    fn a_key_of_the_wrong_shape_is_refused() {
        let text = CursorWriter::new("audit").int(1).finish();
        let mut key = CursorReader::open("after", "audit", &text).expect("ours");
        assert!(key.uuid().is_err(), "a number is not an id");
        let mut key = CursorReader::open("after", "audit", &text).expect("ours");
        assert!(key.int().is_ok());
        assert!(key.int().is_err(), "too short");
        let long = CursorWriter::new("audit").int(1).int(2).finish();
        let mut key = CursorReader::open("after", "audit", &long).expect("ours");
        assert!(key.int().is_ok());
        assert!(key.end().is_err(), "too long");
        let big = CursorWriter::new("audit").int(i64::MAX).finish();
        let mut key = CursorReader::open("after", "audit", &big).expect("ours");
        assert!(key.int32().is_err(), "out of range");
    }
}
