//! The audit log: who read or changed which identifiable records, when, through which operation.
//!
//! Each council's events form one hash chain; the chain itself (hashing, checking a walk of it)
//! is pure and lives in [`crate::domain::audit`]. This module stores and reads it: a change
//! appends inside its own council transaction ([`record`](crate::service::audit::record)), reads
//! go through the batched [`ReadLog`](crate::service::audit::ReadLog), and
//! [`verify_chain`](crate::service::audit::verify_chain) walks a council's log. See
//! `docs/domain.md`, "Audit log".
//!
//! On PostgreSQL the app role may only read and insert audit events (the migration revokes
//! `UPDATE` and `DELETE`), and row-level security confines both to the caller's council.

/// The batched writer of reads.
mod read_log;

use entity::audit_event;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use super::Store;
use crate::domain::audit::{ChainCheck, ChainFields, GENESIS_HASH, NewEvent, event_hash};
use crate::error::{AppError, AppResult};
use crate::tenancy::{CouncilTxn, TenantScope};

pub use crate::domain::audit::{AuditActor, ChainHead, ChainReport};
pub use read_log::ReadLog;

/// How many events [`verify_chain`] holds in memory at once.
const VERIFY_BATCH: u64 = 1000;

/// Roughly how many bytes one INSERT of audit events carries before the next starts.
const INSERT_BYTES: usize = 6 * 1024;

/// Appends one event to the council's audit log, inside the caller's council transaction, so
/// the event commits (or rolls back) with the change it records. Reads go through
/// [`ReadLog`] instead, which appends many at once.
#[tracing::instrument(
    skip_all,
    fields(
        council = %txn.tenant_id(),
        operation = %operation,
        record_type = %record_type,
        records = record_ids.len() as u64
    )
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
            // `insert_many` stamps the council's id, the same `tenant_id` hashed above.
            tenant_id: NotSet,
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

/// Walks the council's whole audit log in sequence order, a thousand events at a time,
/// and reports the first broken link: a sequence gap (events missing, or the chain not
/// starting at 1), an event whose `hash` does not match its contents (it was edited), a
/// `previous_hash` that does not match the event before (an event was replaced or the chain
/// spliced), or, given the head an auditor recorded, a chain that no longer reaches it
/// unchanged. An empty log is intact.
///
/// Events appended while the walk runs are checked too if the walk reaches them.
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
