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

/// Appending events to a council's chain: the one writer of audit rows.
mod chain;
/// The batched writer of reads.
mod read_log;

use entity::audit_event;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::Store;
use crate::domain::audit::{ChainCheck, NewEvent};
use crate::error::AppResult;
use crate::tenancy::{CouncilTxn, TenantScope};
use chain::append;

pub use crate::domain::audit::{AuditActor, ChainHead, ChainReport};
pub use read_log::ReadLog;

/// How many events [`verify_chain`] holds in memory at once.
const VERIFY_BATCH: u64 = 1000;

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
