//! The audit log: who read or changed which identifiable records, when, through which operation.
//!
//! Each council's events form one hash chain. Event `n` stores `previous_hash` = event `n-1`'s
//! `hash` (64 zeros for event 1), and `hash` = SHA-256 over its own contents and that
//! `previous_hash`. Editing an event's contents, or removing or reordering events, breaks the
//! chain at that point, and [`verify_chain`] reports where.
//!
//! The hash input is a canonical, unambiguous encoding (see [`event_hash`]): each field is a
//! UTF-8 string preceded by its byte length, so no choice of field values can shift a boundary
//! and collide with another event's fields. Anyone can re-verify a chain from the rows alone.
//!
//! Limits worth knowing: a plain hash chain proves that the events it holds are intact and
//! contiguous from the first; it cannot show that the newest events were cut off the end, nor
//! stop someone with owner rights recomputing the whole chain. Publishing or signing the latest
//! `(sequence, hash)` elsewhere from time to time closes both gaps.
//!
//! On PostgreSQL the app role may only read and insert audit events (the migration revokes
//! `UPDATE` and `DELETE`), and row-level security confines both to the caller's council.

use chrono::{SecondsFormat, SubsecRound, Utc};
use entity::audit_event;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::Store;
use crate::error::{AppError, AppResult};
use crate::tenancy::{CouncilTxn, TenantScope};

/// The `previous_hash` of a council's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first field of every hash input: names the encoding, so a future change to it cannot be
/// mistaken for this one.
const ENCODING_TAG: &str = "partnership-hub/audit-event/v1";

/// How many events [`verify_chain`] holds in memory at once.
const VERIFY_BATCH: u64 = 1000;

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
    actor: AuditActor,
    operation: &'static str,
    record_type: &'static str,
    record_ids: String,
    occurred_at: chrono::DateTime<Utc>,
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

/// Appends one event to the council's audit log, inside the caller's council transaction, so
/// the event commits (or rolls back) with the change it records. Reads go through
/// [`ReadLog`] instead, which appends many at once.
#[tracing::instrument(
    skip_all,
    fields(operation = %operation, record_type = %record_type, records = record_ids.len() as u64)
)]
pub async fn record(
    txn: &CouncilTxn,
    actor: &AuditActor,
    operation: &'static str,
    record_type: &'static str,
    record_ids: &[Uuid],
) -> AppResult<()> {
    append(
        txn,
        &[NewEvent::now(actor, operation, record_type, record_ids)],
    )
    .await
}

/// Appends `events`, in order, to the end of the council's chain.
///
/// Concurrency: on PostgreSQL a per-council advisory lock, held to commit, makes appenders take
/// turns, so the chain never forks. (SQLite's council transactions already take turns.) Should
/// two writers still meet, the unique `(tenant_id, sequence)` index lets the first to commit
/// win and fails the other with [`AppError::Conflict`]; the chain is never forked or left with
/// a gap either way.
async fn append(txn: &CouncilTxn, events: &[NewEvent]) -> AppResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    if txn.conn().get_database_backend() == DbBackend::Postgres {
        txn.conn()
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                [txn.tenant_id().to_string().into()],
            ))
            .await?;
    }
    // Only the two columns the next link needs: never the wide `record_ids`, so finding the
    // head stays cheap even while the planner's statistics still think the log is tiny.
    let latest: Option<(i64, String)> = txn
        .select::<audit_event::Entity>()
        .select_only()
        .column(audit_event::Column::Sequence)
        .column(audit_event::Column::Hash)
        .order_by_desc(audit_event::Column::Sequence)
        .into_tuple()
        .one(txn.conn())
        .await?;
    let (mut sequence, mut previous_hash) = latest.unwrap_or_else(|| (0, GENESIS_HASH.to_owned()));
    let tenant_id = txn.tenant_id();
    // Several small INSERTs rather than one large one: sqlx 0.9.0 leaves Nagle's algorithm on
    // (launchbadge/sqlx#4335), so a statement too big for one socket write waits ~40 ms for a
    // delayed ACK. Statements of a few kilobytes go out in one write.
    let mut inserts: Vec<Vec<audit_event::ActiveModel>> = Vec::new();
    let mut rows = Vec::new();
    let mut insert_bytes = 0;
    for event in events {
        sequence = sequence
            .checked_add(1)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("audit sequence exhausted")))?;
        let hash = event_hash(&ChainFields {
            tenant_id,
            sequence,
            occurred_at: event.occurred_at,
            subject: &event.actor.subject,
            issuer: &event.actor.issuer,
            operation: event.operation,
            record_type: event.record_type,
            record_ids: &event.record_ids,
            previous_hash: &previous_hash,
        });
        if insert_bytes >= INSERT_BYTES {
            inserts.push(std::mem::take(&mut rows));
            insert_bytes = 0;
        }
        insert_bytes += event.record_ids.len() + 512;
        rows.push(audit_event::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(Uuid::now_v7()),
            sequence: Set(sequence),
            occurred_at: Set(event.occurred_at),
            subject: Set(event.actor.subject.clone()),
            issuer: Set(event.actor.issuer.clone()),
            operation: Set(event.operation.to_owned()),
            record_type: Set(event.record_type.to_owned()),
            record_ids: Set(event.record_ids.clone()),
            previous_hash: Set(std::mem::replace(&mut previous_hash, hash.clone())),
            hash: Set(hash),
        });
    }
    inserts.push(rows);
    for rows in inserts {
        txn.insert_many(rows).await.map_err(|error| match error {
            // The only unique key fresh v7 ids can meet is (tenant_id, sequence): a racing writer.
            AppError::Conflict { .. } => AppError::Conflict {
                field: None,
                message: "another request was recorded in the audit log at the same moment; retry"
                    .to_owned(),
            },
            other => other,
        })?;
    }
    Ok(())
}

/// Roughly how many bytes one INSERT of audit events carries before the next starts.
const INSERT_BYTES: usize = 6 * 1024;

/// The most reads one audit transaction appends.
const READ_BATCH: usize = 256;

/// Records reads of identifiable records, appending them to the audit log in batches.
///
/// Why a queue: every append takes the council's chain lock until its commit, and a commit
/// waits for the disk (about 3 ms here). One commit per read capped a council at a few hundred
/// reads a second however many cores served it (see BENCHMARKS.md). The queue's one writer
/// appends whatever reads are waiting in one transaction: one lock, one disk flush, many
/// events, the chain unchanged.
///
/// What it keeps: [`ReadLog::record`] returns only once the event is committed, and a read
/// whose event could not be recorded fails, so no identifiable record leaves the service
/// unrecorded. Changes are not queued: they append inside their own transaction (see
/// [`record`]), so the change and its event commit together.
#[derive(Clone, Debug)]
pub struct ReadLog {
    queue: mpsc::Sender<PendingRead>,
}

#[derive(Debug)]
struct PendingRead {
    council: TenantScope,
    event: NewEvent,
    recorded: oneshot::Sender<bool>,
}

impl ReadLog {
    /// Starts the writer on the current Tokio runtime. It stops when the last `ReadLog` clone
    /// is dropped, after appending what was queued.
    pub(crate) fn start(
        db: DatabaseConnection,
        app_role: String,
        turns: Option<Arc<tokio::sync::Mutex<()>>>,
    ) -> Self {
        let (queue, waiting) = mpsc::channel(4 * READ_BATCH);
        tokio::spawn(write_reads(
            ReadWriter {
                db,
                app_role,
                turns,
            },
            waiting,
        ));
        Self { queue }
    }

    /// Appends a read of `record_ids` to the council's audit log and waits until it is
    /// committed. An error means the read must not be answered.
    pub async fn record(
        &self,
        council: TenantScope,
        actor: &AuditActor,
        operation: &'static str,
        record_type: &'static str,
        record_ids: &[Uuid],
    ) -> AppResult<()> {
        let (recorded, committed) = oneshot::channel();
        let pending = PendingRead {
            council,
            event: NewEvent::now(actor, operation, record_type, record_ids),
            recorded,
        };
        let unrecorded = || AppError::internal(anyhow::anyhow!("the read could not be audited"));
        self.queue.send(pending).await.map_err(|_| unrecorded())?;
        match committed.await {
            Ok(true) => Ok(()),
            _ => Err(unrecorded()),
        }
    }
}

/// What the read writer needs to open council transactions.
#[derive(Clone)]
struct ReadWriter {
    db: DatabaseConnection,
    app_role: String,
    /// The store's turns on SQLite (see `Store`).
    turns: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl ReadWriter {
    /// Appends one council's waiting reads in one transaction, then tells each reader.
    async fn append_reads(self, council: TenantScope, reads: Vec<PendingRead>) {
        let events: Vec<NewEvent> = reads.iter().map(|read| read.event.clone()).collect();
        let appended = async {
            let txn = council
                .begin(&self.db, &self.app_role, self.turns.as_ref())
                .await?;
            append(&txn, &events).await?;
            txn.commit().await
        }
        .await;
        if let Err(error) = &appended {
            // Ids only, never the records: the reads fail and their callers see an error.
            tracing::error!(
                council = %council.council_id(),
                reads = reads.len(),
                error = ?error,
                "could not append reads to the audit log"
            );
        }
        for read in reads {
            // A reader that has gone away (its request was cancelled) needs no answer.
            let _ = read.recorded.send(appended.is_ok());
        }
    }
}

/// The read writer: takes whatever is waiting (up to [`READ_BATCH`]), appends each council's
/// share in its own transaction, councils side by side, and repeats.
async fn write_reads(writer: ReadWriter, mut waiting: mpsc::Receiver<PendingRead>) {
    let mut batch = Vec::with_capacity(READ_BATCH);
    while waiting.recv_many(&mut batch, READ_BATCH).await > 0 {
        let mut by_council: HashMap<Uuid, (TenantScope, Vec<PendingRead>)> = HashMap::new();
        for read in batch.drain(..) {
            by_council
                .entry(read.council.council_id())
                .or_insert_with(|| (read.council, Vec::new()))
                .1
                .push(read);
        }
        let mut appends = JoinSet::new();
        for (council, reads) in by_council.into_values() {
            appends.spawn(writer.clone().append_reads(council, reads));
        }
        while appends.join_next().await.is_some() {}
    }
}

/// The council's audit events, **newest first** (descending `sequence`), `first` at a time.
///
/// Keyset pagination on `sequence`: pass the last event's `sequence` of one page as
/// `after_sequence` to get the next (older) page; stable while new events are appended. Returns
/// the page and whether older events remain.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), first))]
pub async fn list(
    store: &Store,
    scope: TenantScope,
    first: u64,
    after_sequence: Option<i64>,
) -> AppResult<(Vec<audit_event::Model>, bool)> {
    let txn = store.council(scope).await?;
    let mut query = txn.select::<audit_event::Entity>();
    if let Some(after) = after_sequence {
        query = query.filter(audit_event::Column::Sequence.lt(after));
    }
    let mut events = query
        .order_by_desc(audit_event::Column::Sequence)
        .limit(first.saturating_add(1))
        .all(txn.conn())
        .await?;
    txn.commit().await?;
    let has_next_page = events.len() as u64 > first;
    events.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((events, has_next_page))
}

/// What [`verify_chain`] found.
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

/// Walks the council's whole audit log in sequence order, a thousand events at a time,
/// and reports the first broken link: a sequence gap (events missing, or the chain not
/// starting at 1), an event whose `hash` does not match its contents (it was edited), or a
/// `previous_hash` that does not match the event before (an event was replaced or the chain
/// spliced). An empty log is intact.
///
/// Events appended while the walk runs are checked too if the walk reaches them.
/// An event as an auditor recorded it, outside the hub, to prove later that the log still
/// reaches it unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainHead {
    pub sequence: i64,
    pub hash: String,
}

#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn verify_chain(
    store: &Store,
    scope: TenantScope,
    recorded_head: Option<ChainHead>,
) -> AppResult<ChainReport> {
    let txn = store.council(scope).await?;
    let mut check = ChainCheck::new();
    check.recorded_head = recorded_head;
    let mut broken = None;
    let mut after: Option<i64> = None;
    'walk: loop {
        let mut query = txn.select::<audit_event::Entity>();
        if let Some(after) = after {
            query = query.filter(audit_event::Column::Sequence.gt(after));
        }
        let batch = query
            .order_by_asc(audit_event::Column::Sequence)
            .limit(VERIFY_BATCH)
            .all(txn.conn())
            .await?;
        for event in &batch {
            if let Err(link) = check.check(event) {
                broken = Some(link);
                break 'walk;
            }
        }
        match batch.last() {
            Some(last) if batch.len() as u64 == VERIFY_BATCH => after = Some(last.sequence),
            _ => break,
        }
    }
    txn.commit().await?;
    if broken.is_none() {
        broken = check.finish().err();
    }
    let report = ChainReport {
        events_checked: check.checked,
        first_broken_sequence: broken.as_ref().map(|link| link.sequence),
        reason: broken.map(|link| link.reason),
    };
    match report.first_broken_sequence {
        Some(sequence) => tracing::warn!(
            sequence,
            reason = report.reason.as_deref().unwrap_or_default(),
            "audit chain broken"
        ),
        None => tracing::info!(events = report.events_checked, "audit chain intact"),
    }
    Ok(report)
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
struct BrokenLink {
    sequence: i64,
    reason: String,
}

/// Checks a council's events one at a time, in sequence order, holding only the last link.
#[derive(Debug)]
struct ChainCheck {
    next_sequence: i64,
    previous_hash: String,
    checked: u64,
    /// An event the chain must still hold, as recorded earlier.
    recorded_head: Option<ChainHead>,
}

impl ChainCheck {
    fn new() -> Self {
        Self {
            next_sequence: 1,
            previous_hash: GENESIS_HASH.to_owned(),
            checked: 0,
            recorded_head: None,
        }
    }

    /// After the last event: the chain must reach the recorded head, if there is one.
    fn finish(&self) -> Result<(), BrokenLink> {
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
    fn check(&mut self, event: &audit_event::Model) -> Result<(), BrokenLink> {
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

    /// The first broken link, as `verify_chain` reports it: (events checked, sequence, reason).
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
