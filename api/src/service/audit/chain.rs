//! Appending events to the end of a council's hash chain: used by changes (inside their own
//! transaction) and by the read writer (many reads at once). The chain's rules are pure and live
//! in `domain::audit`.

use entity::audit_event;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::domain::audit::{ChainFields, GENESIS_HASH, NewEvent, event_hash};
use crate::error::{AppError, AppResult};
use crate::tenancy::CouncilTxn;

/// Roughly how many bytes one INSERT of audit events carries before the next starts.
const INSERT_BYTES: usize = 6 * 1024;

/// Appends `events`, in order, to the end of the council's chain.
///
/// Concurrency: on PostgreSQL a per-council advisory lock, held to commit, makes appenders take
/// turns, so the chain never forks. (SQLite's council transactions already take turns.) Should
/// two writers still meet, the unique `(tenant_id, sequence)` index lets the first to commit
/// win and fails the other with [`AppError::Conflict`]; the chain is never forked or left with
/// a gap either way.
pub(super) async fn append(txn: &CouncilTxn, events: &[NewEvent]) -> AppResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    txn.take_council_turn().await?;
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
