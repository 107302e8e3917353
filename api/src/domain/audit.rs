//! The audit log's hash chain, and the values every layer passes to it: pure, no storage.
//!
//! Each council's events form one hash chain. Event `n` stores `previous_hash` = event `n-1`'s
//! `hash` (64 zeros for event 1), and `hash` = SHA-256 over its own contents and that
//! `previous_hash`. Editing an event's contents, or removing or reordering events, breaks the
//! chain at that point, and a [`ChainCheck`](crate::domain::audit::ChainCheck) finds where
//! (`docs/domain.md`, "Audit log").
//!
//! The hash input is a canonical, unambiguous encoding (see
//! [`event_hash`](crate::domain::audit::event_hash)): each field is a UTF-8 string preceded by
//! its byte length, so no choice of field values can shift a boundary and collide with another
//! event's fields. Anyone can re-verify a chain from the rows alone.
//!
//! Limits worth knowing: a plain hash chain proves that the events it holds are intact and
//! contiguous from the first; it cannot show that the newest events were cut off the end, nor
//! stop someone with owner rights recomputing the whole chain. Publishing or signing the latest
//! `(sequence, hash)` elsewhere from time to time (a
//! [`ChainHead`](crate::domain::audit::ChainHead)) closes both gaps.

use chrono::{SecondsFormat, SubsecRound, Utc};
use entity::audit_event;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `previous_hash` of a council's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first field of every hash input: names the encoding, so a future change to it cannot be
/// mistaken for this one.
const ENCODING_TAG: &str = "partnership-hub/audit-event/v1";

/// Who acted, as their token says: never a name or other personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditActor {
    /// The token's `sub`: an opaque identity-provider id.
    pub subject: String,
    /// The token's `iss`.
    pub issuer: String,
}

/// One event waiting to be appended: who did what to which records, and when.
#[derive(Clone, Debug)]
pub(crate) struct NewEvent {
    pub(crate) actor: AuditActor,
    pub(crate) operation: &'static str,
    pub(crate) record_type: &'static str,
    /// Already joined as stored (see [`join_ids`]).
    pub(crate) record_ids: String,
    pub(crate) occurred_at: chrono::DateTime<Utc>,
}

impl NewEvent {
    /// An event that happens now. `record_ids` are stored comma-separated, in the order given;
    /// an empty slice is allowed (a search that matched nothing, say).
    pub(crate) fn now(
        actor: &AuditActor,
        operation: &'static str,
        record_type: &'static str,
        record_ids: &[Uuid],
    ) -> Self {
        Self {
            actor: actor.clone(),
            operation,
            record_type,
            record_ids: join_ids(record_ids),
            // PostgreSQL keeps microseconds: truncate first, so the stored time hashes the same.
            occurred_at: Utc::now().trunc_subsecs(6),
        }
    }
}

/// What a walk of a council's chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    /// Events examined: all of them if the chain is intact, otherwise up to and including the
    /// first broken one.
    pub events_checked: u64,
    /// The sequence of the first event whose link is broken; `None` when the chain is intact.
    pub first_broken_sequence: Option<i64>,
    /// Why that link is broken; `None` when the chain is intact.
    pub reason: Option<String>,
}

/// An event as an auditor recorded it, outside the hub, to prove later that the log still
/// reaches it unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainHead {
    /// The event's `sequence`.
    pub sequence: i64,
    /// The event's `hash`.
    pub hash: String,
}

/// The fields of an event that its hash covers, in hashing order.
///
/// The event's own `id` is not covered: it is a storage key, not part of what the log says.
#[derive(Clone, Copy, Debug)]
pub struct ChainFields<'a> {
    pub tenant_id: Uuid,
    pub sequence: i64,
    pub occurred_at: chrono::DateTime<Utc>,
    pub subject: &'a str,
    pub issuer: &'a str,
    pub operation: &'a str,
    pub record_type: &'a str,
    pub record_ids: &'a str,
    pub previous_hash: &'a str,
}

impl<'a> ChainFields<'a> {
    /// The hashed fields of a stored event.
    pub fn of(event: &'a audit_event::Model) -> Self {
        Self {
            tenant_id: event.tenant_id,
            sequence: event.sequence,
            occurred_at: event.occurred_at,
            subject: &event.subject,
            issuer: &event.issuer,
            operation: &event.operation,
            record_type: &event.record_type,
            record_ids: &event.record_ids,
            previous_hash: &event.previous_hash,
        }
    }
}

/// The event's hash: lowercase hex of SHA-256 over, in order, the strings
///
/// `"partnership-hub/audit-event/v1"`, tenant id (lowercase hyphenated UUID), sequence (decimal),
/// occurred_at (RFC 3339 in UTC with exactly six fractional digits and `Z`, e.g.
/// `2026-11-23T09:30:00.123456Z`), subject, issuer, operation, record_type, record_ids
/// (comma-separated lowercase hyphenated UUIDs), previous_hash,
///
/// each written as its UTF-8 byte length (8 bytes, big-endian) followed by its bytes.
pub fn event_hash(fields: &ChainFields<'_>) -> String {
    let tenant_id = fields.tenant_id.hyphenated().to_string();
    let sequence = fields.sequence.to_string();
    let occurred_at = fields
        .occurred_at
        .to_rfc3339_opts(SecondsFormat::Micros, true);
    let mut hasher = Sha256::new();
    for field in [
        ENCODING_TAG,
        tenant_id.as_str(),
        sequence.as_str(),
        occurred_at.as_str(),
        fields.subject,
        fields.issuer,
        fields.operation,
        fields.record_type,
        fields.record_ids,
        fields.previous_hash,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    to_hex(&hasher.finalize())
}

/// `record_ids` as stored: comma-separated lowercase hyphenated UUIDs.
fn join_ids(ids: &[Uuid]) -> String {
    ids.iter()
        .map(|id| id.hyphenated().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Lowercase hex.
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// A broken link: which event, and why.
#[derive(Debug)]
pub struct BrokenLink {
    /// The event whose link is broken.
    pub sequence: i64,
    /// Why, in words an auditor can act on.
    pub reason: String,
}

/// Checks a council's events one at a time, in sequence order, holding only the last link.
#[derive(Debug)]
pub struct ChainCheck {
    next_sequence: i64,
    previous_hash: String,
    /// Events checked so far.
    pub(crate) checked: u64,
    /// An event the chain must still hold, as recorded earlier.
    pub(crate) recorded_head: Option<ChainHead>,
}

impl ChainCheck {
    /// A check that expects the first event next.
    pub fn new() -> Self {
        Self {
            next_sequence: 1,
            previous_hash: GENESIS_HASH.to_owned(),
            checked: 0,
            recorded_head: None,
        }
    }

    /// After the last event: the chain must reach the recorded head, if there is one.
    pub fn finish(&self) -> Result<(), BrokenLink> {
        match &self.recorded_head {
            Some(head) if head.sequence >= self.next_sequence => Err(BrokenLink {
                sequence: self.next_sequence,
                reason: format!(
                    "the log ends at event {}, but event {} was recorded earlier: events have \
                     been removed from its end",
                    self.next_sequence - 1,
                    head.sequence
                ),
            }),
            _ => Ok(()),
        }
    }

    /// Checks the next event; the first error is the first broken link.
    pub fn check(&mut self, event: &audit_event::Model) -> Result<(), BrokenLink> {
        self.checked += 1;
        let broken = |reason: String| BrokenLink {
            sequence: event.sequence,
            reason,
        };
        if event.sequence != self.next_sequence {
            return Err(broken(format!(
                "sequence gap: expected {}, found {}",
                self.next_sequence, event.sequence
            )));
        }
        if event_hash(&ChainFields::of(event)) != event.hash {
            return Err(broken(
                "hash does not match the event's contents".to_owned(),
            ));
        }
        if event.previous_hash != self.previous_hash {
            return Err(broken(if event.sequence == 1 {
                "previous_hash does not match the genesis value (64 zeros)".to_owned()
            } else {
                format!("previous_hash does not match event {}", event.sequence - 1)
            }));
        }
        if let Some(head) = &self.recorded_head
            && head.sequence == event.sequence
            && head.hash != event.hash
        {
            return Err(broken(
                "the event differs from the one recorded earlier: the chain was rewritten"
                    .to_owned(),
            ));
        }
        self.next_sequence = event.sequence.saturating_add(1);
        self.previous_hash.clone_from(&event.hash);
        Ok(())
    }
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> chrono::DateTime<Utc> {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .expect("a valid time")
            .with_timezone(&Utc)
    }

    fn sample() -> ChainFields<'static> {
        ChainFields {
            tenant_id: Uuid::parse_str("0193a1b2-0000-7000-8000-000000000001").expect("uuid"),
            sequence: 1,
            occurred_at: at("2026-11-23T09:30:00.123456Z"),
            subject: "user-123",
            issuer: "https://idp.kent.example",
            operation: "child.read",
            record_type: "child",
            record_ids: "0193a1b2-0000-7000-8000-0000000000c1,0193a1b2-0000-7000-8000-0000000000c2",
            previous_hash: GENESIS_HASH,
        }
    }

    #[test]
    fn the_encoding_is_pinned_by_a_known_vector() {
        // Computed independently (Python hashlib) from the encoding documented on `event_hash`;
        // if this changes, every stored chain stops verifying.
        assert_eq!(
            event_hash(&sample()),
            "1a3147fbcbd7ea7594ee246befc045dcd0ef4d915cb41d42ea7706edbc7df0a0"
        );
    }

    #[test]
    fn a_hash_is_64_lowercase_hex_digits_like_the_genesis_value() {
        let hash = event_hash(&sample());
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_eq!(GENESIS_HASH.len(), 64);
        assert!(GENESIS_HASH.chars().all(|c| c == '0'));
    }

    #[test]
    fn changing_any_field_changes_the_hash() {
        let base = sample();
        let original = event_hash(&base);
        let other_tenant = Uuid::parse_str("0193a1b2-0000-7000-8000-000000000002").expect("uuid");
        let other_hash = "1".repeat(64);
        let variants = [
            ChainFields {
                tenant_id: other_tenant,
                ..base
            },
            ChainFields {
                sequence: 2,
                ..base
            },
            ChainFields {
                occurred_at: at("2026-11-23T09:30:00.123457Z"),
                ..base
            },
            ChainFields {
                subject: "user-124",
                ..base
            },
            ChainFields {
                issuer: "https://idp.surrey.example",
                ..base
            },
            ChainFields {
                operation: "child.update",
                ..base
            },
            ChainFields {
                record_type: "case",
                ..base
            },
            ChainFields {
                record_ids: "0193a1b2-0000-7000-8000-0000000000c1",
                ..base
            },
            ChainFields {
                previous_hash: &other_hash,
                ..base
            },
        ];
        for (index, variant) in variants.iter().enumerate() {
            assert_ne!(event_hash(variant), original, "variant {index}");
        }
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let base = sample();
        let shifted = |operation, record_type| {
            event_hash(&ChainFields {
                operation,
                record_type,
                ..base
            })
        };
        assert_ne!(shifted("ab", "c"), shifted("a", "bc"));
        assert_ne!(shifted("abc", ""), shifted("", "abc"));
        let people = |subject, issuer| {
            event_hash(&ChainFields {
                subject,
                issuer,
                ..base
            })
        };
        assert_ne!(people("user-1", "23"), people("user-12", "3"));
    }

    #[test]
    fn sub_microsecond_differences_do_not_reach_the_hash() {
        // What `record` relies on: truncated before hashing and storing, the stored value (to
        // the microsecond) hashes as the original did.
        let precise = at("2026-11-23T09:30:00.123456789Z");
        let truncated = precise.trunc_subsecs(6);
        assert_eq!(truncated, at("2026-11-23T09:30:00.123456Z"));
        let base = sample();
        assert_eq!(
            event_hash(&ChainFields {
                occurred_at: truncated,
                ..base
            }),
            event_hash(&base)
        );
    }

    #[test]
    fn record_ids_are_comma_separated_lowercase_uuids() {
        let ids = [
            Uuid::parse_str("0193A1B2-0000-7000-8000-0000000000C1").expect("uuid"),
            Uuid::parse_str("0193a1b2-0000-7000-8000-0000000000c2").expect("uuid"),
        ];
        assert_eq!(
            join_ids(&ids),
            "0193a1b2-0000-7000-8000-0000000000c1,0193a1b2-0000-7000-8000-0000000000c2"
        );
        assert_eq!(join_ids(&[]), "");
    }

    #[test]
    fn hex_is_lowercase_and_zero_padded() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    /// A well-formed chain of `length` events, as `record` would write it.
    fn chain(length: i64) -> Vec<audit_event::Model> {
        let tenant_id = Uuid::parse_str("0193a1b2-0000-7000-8000-000000000001").expect("uuid");
        let mut previous = GENESIS_HASH.to_owned();
        (1..=length)
            .map(|sequence| {
                let mut event = audit_event::Model {
                    tenant_id,
                    id: Uuid::now_v7(),
                    sequence,
                    occurred_at: at("2026-11-23T09:30:00.123456Z"),
                    subject: "user-123".to_owned(),
                    issuer: "https://idp.kent.example".to_owned(),
                    operation: "child.read".to_owned(),
                    record_type: "child".to_owned(),
                    record_ids: Uuid::now_v7().to_string(),
                    previous_hash: previous.clone(),
                    hash: String::new(),
                };
                event.hash = event_hash(&ChainFields::of(&event));
                previous.clone_from(&event.hash);
                event
            })
            .collect()
    }

    /// The first broken link, as `service::audit::verify_chain` reports it:
    /// (events checked, sequence, reason).
    fn first_break(events: &[audit_event::Model]) -> (u64, Option<(i64, String)>) {
        let mut check = ChainCheck::new();
        for event in events {
            if let Err(link) = check.check(event) {
                return (check.checked, Some((link.sequence, link.reason)));
            }
        }
        (check.checked, None)
    }

    #[test]
    fn a_chain_rewritten_from_scratch_differs_from_the_recorded_head() {
        // An owner recomputes every hash after changing event 2: the chain is valid on its own,
        // but event 4 is no longer the one an auditor recorded.
        let original = chain(4);
        let mut forged = original.clone();
        forged[1].operation = "child.list".to_owned();
        let mut previous = GENESIS_HASH.to_owned();
        for event in &mut forged {
            event.previous_hash.clone_from(&previous);
            event.hash = event_hash(&ChainFields::of(event));
            previous.clone_from(&event.hash);
        }
        assert_eq!(first_break(&forged), (4, None));
        let mut check = ChainCheck::new();
        check.recorded_head = Some(ChainHead {
            sequence: 4,
            hash: original[3].hash.clone(),
        });
        let broken = forged.iter().find_map(|event| check.check(event).err());
        assert_eq!(broken.map(|link| link.sequence), Some(4));
        // And a head beyond the end means events were cut off.
        let mut check = ChainCheck::new();
        check.recorded_head = Some(ChainHead {
            sequence: 6,
            hash: original[3].hash.clone(),
        });
        assert!(original.iter().all(|event| check.check(event).is_ok()));
        assert_eq!(check.finish().map_err(|link| link.sequence), Err(5));
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(first_break(&chain(5)), (5, None));
        assert_eq!(first_break(&[]), (0, None));
    }

    #[test]
    fn an_edited_event_breaks_at_that_event() {
        let mut events = chain(5);
        events[2].record_ids = Uuid::now_v7().to_string();
        let (checked, broken) = first_break(&events);
        assert_eq!(checked, 3);
        assert_eq!(
            broken,
            Some((3, "hash does not match the event's contents".to_owned()))
        );
    }

    #[test]
    fn an_edited_and_rehashed_event_breaks_at_the_next_link() {
        let mut events = chain(5);
        events[2].operation = "child.list".to_owned();
        events[2].hash = event_hash(&ChainFields::of(&events[2]));
        assert_eq!(
            first_break(&events).1,
            Some((4, "previous_hash does not match event 3".to_owned()))
        );
    }

    #[test]
    fn a_removed_event_is_a_sequence_gap() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(
            first_break(&events).1,
            Some((3, "sequence gap: expected 2, found 3".to_owned()))
        );
        let mut headless = chain(3);
        headless.remove(0);
        assert_eq!(
            first_break(&headless).1,
            Some((2, "sequence gap: expected 1, found 2".to_owned()))
        );
    }

    #[test]
    fn a_first_event_not_chained_to_genesis_is_broken() {
        let mut events = chain(2);
        events[0].previous_hash = "1".repeat(64);
        events[0].hash = event_hash(&ChainFields::of(&events[0]));
        assert_eq!(
            first_break(&events).1,
            Some((
                1,
                "previous_hash does not match the genesis value (64 zeros)".to_owned()
            ))
        );
    }
}

/// Properties over generated chains: any one edit to any stored field of any event is caught at
/// that event, and with a recorded head even an edit whose hashes were all recomputed is caught.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// An event's contents before it is chained: subject, issuer, operation, record type, ids,
    /// and microseconds since 2026-01-01.
    type Contents = (String, String, String, String, String, i64);

    fn contents() -> impl Strategy<Value = Contents> {
        (
            "[a-z0-9-]{1,12}",
            "https://[a-z]{1,8}\\.example",
            "(child|case)\\.(read|update|upsert|close)",
            "child|case|provision",
            "[0-9a-f,-]{0,40}",
            0i64..10_000_000_000,
        )
    }

    /// A well-formed chain of the given events, as `record` writes it.
    fn chain(tenant_id: Uuid, events: &[Contents]) -> Vec<audit_event::Model> {
        let start = at("2026-01-01T00:00:00Z");
        let mut previous = GENESIS_HASH.to_owned();
        events
            .iter()
            .zip(1..)
            .map(
                |((subject, issuer, operation, record_type, record_ids, micros), sequence)| {
                    let mut event = audit_event::Model {
                        tenant_id,
                        id: Uuid::from_u128(sequence as u128),
                        sequence,
                        occurred_at: start + chrono::Duration::microseconds(*micros),
                        subject: subject.clone(),
                        issuer: issuer.clone(),
                        operation: operation.clone(),
                        record_type: record_type.clone(),
                        record_ids: record_ids.clone(),
                        previous_hash: previous.clone(),
                        hash: String::new(),
                    };
                    event.hash = event_hash(&ChainFields::of(&event));
                    previous.clone_from(&event.hash);
                    event
                },
            )
            .collect()
    }

    fn at(rfc3339: &str) -> chrono::DateTime<Utc> {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .expect("a valid time")
            .with_timezone(&Utc)
    }

    /// Changes one stored field (by number, 0 to 9) of `event` to something else.
    fn edit(event: &mut audit_event::Model, field: usize, text: &str, number: i64) {
        let other = |old: &str| {
            if text == old {
                format!("{old}x")
            } else {
                text.to_owned()
            }
        };
        match field {
            0 => {
                event.tenant_id = Uuid::from_u128(event.tenant_id.as_u128() ^ (number as u128 | 1))
            }
            1 => event.sequence = event.sequence.wrapping_add(number.max(1)),
            2 => event.occurred_at += chrono::Duration::microseconds(number.max(1)),
            3 => event.subject = other(&event.subject),
            4 => event.issuer = other(&event.issuer),
            5 => event.operation = other(&event.operation),
            6 => event.record_type = other(&event.record_type),
            7 => event.record_ids = other(&event.record_ids),
            8 => event.previous_hash = other(&event.previous_hash),
            _ => event.hash = other(&event.hash),
        }
    }

    /// (events checked, the first broken sequence) of a walk of `events`.
    fn first_break(events: &[audit_event::Model], head: Option<ChainHead>) -> (u64, Option<i64>) {
        let mut check = ChainCheck::new();
        check.recorded_head = head;
        for event in events {
            if let Err(link) = check.check(event) {
                return (check.checked, Some(link.sequence));
            }
        }
        (
            check.checked,
            check.finish().err().map(|link| link.sequence),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_single_field_edit_breaks_the_chain_at_the_edited_event(
            events in proptest::collection::vec(contents(), 1..8),
            tenant in any::<u128>(),
            target in any::<proptest::sample::Index>(),
            field in 0usize..10,
            text in "[ -~]{0,16}",
            number in 1i64..1_000_000,
        ) {
            let mut chain = chain(Uuid::from_u128(tenant), &events);
            prop_assert_eq!(first_break(&chain, None), (chain.len() as u64, None));
            let index = target.index(chain.len());
            edit(&mut chain[index], field, &text, number);
            let (checked, broken) = first_break(&chain, None);
            prop_assert_eq!(checked, index as u64 + 1, "field {}", field);
            prop_assert!(broken.is_some());
        }

        #[test]
        fn with_a_recorded_head_even_a_rehashed_chain_is_caught(
            events in proptest::collection::vec(contents(), 1..8),
            target in any::<proptest::sample::Index>(),
            field in 3usize..8,
            text in "[ -~]{0,16}",
        ) {
            let original = chain(Uuid::from_u128(7), &events);
            let last = original.last().expect("at least one event");
            let head = ChainHead { sequence: last.sequence, hash: last.hash.clone() };
            // Edit one event, then recompute every hash after it, as an owner could.
            let mut forged = original.clone();
            let index = target.index(forged.len());
            edit(&mut forged[index], field, &text, 1);
            let mut previous = GENESIS_HASH.to_owned();
            for event in &mut forged {
                event.previous_hash.clone_from(&previous);
                event.hash = event_hash(&ChainFields::of(event));
                previous.clone_from(&event.hash);
            }
            prop_assert_eq!(first_break(&forged, None).1, None, "self-consistent on its own");
            prop_assert_eq!(first_break(&forged, Some(head.clone())).1, Some(head.sequence));
            // And cutting events off the end is caught too.
            if forged.len() > 1 {
                let cut = &original[..original.len() - 1];
                prop_assert_eq!(first_break(cut, Some(head.clone())).1, Some(head.sequence));
            }
        }
    }
}
