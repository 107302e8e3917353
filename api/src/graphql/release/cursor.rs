//! The releases connection's cursor: the keyset position (compiled_at, id) of a release, opaque
//! to clients, so pages stay stable while new releases are compiled.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Marks this API's release cursors, so another connection's cursor is refused.
const TAG: u8 = b'R';

/// The cursor of the release compiled at `at` with `id`.
pub(super) fn encode(at: DateTime<Utc>, id: Uuid) -> String {
    let mut bytes = Vec::with_capacity(25);
    bytes.push(TAG);
    bytes.extend_from_slice(&at.timestamp_micros().to_be_bytes());
    bytes.extend_from_slice(id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The keyset position inside a cursor from [`encode`]; BAD_USER_INPUT naming `field` otherwise.
pub(super) fn decode(field: &str, cursor: &str) -> AppResult<(DateTime<Utc>, Uuid)> {
    let bad = || AppError::bad_input(field, "is not a cursor from this API");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    if bytes.len() != 25 || bytes[0] != TAG {
        return Err(bad());
    }
    let micros = i64::from_be_bytes(bytes[1..9].try_into().map_err(|_| bad())?);
    let at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
    let id = Uuid::from_slice(&bytes[9..]).map_err(|_| bad())?;
    Ok((at, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_cursors_round_trip_and_anything_else_is_refused() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456).expect("a time");
        let id = Uuid::now_v7();
        assert_eq!(decode("after", &encode(at, id)).ok(), Some((at, id)));
        for garbage in ["", "not-a-cursor", &URL_SAFE_NO_PAD.encode(id.as_bytes())] {
            assert!(decode("after", garbage).is_err(), "{garbage}");
        }
    }
}
