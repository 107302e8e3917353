//! The read writer: reads of identifiable records, appended to the audit log in batches.
//!
//! A read is recorded before it is answered (`docs/domain.md`, "Audit log"), so this queue sits
//! on every read's path; see [`ReadLog`] for why it batches and what it still guarantees.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::chain::append;
use crate::domain::audit::{AuditActor, NewEvent};
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantScope;

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
/// [`record`](super::record)), so the change and its event commit together.
#[derive(Clone, Debug)]
pub struct ReadLog {
    queue: mpsc::Sender<PendingRead>,
}

/// One read waiting for the writer, and where to say whether it was recorded.
#[derive(Debug)]
struct PendingRead {
    council: TenantScope,
    event: NewEvent,
    /// `Ok` once the event is committed; otherwise the error the read is answered with.
    recorded: oneshot::Sender<AppResult<()>>,
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
    #[tracing::instrument(
        skip_all,
        fields(
            council = %council.council_id(),
            operation = %operation,
            records = record_ids.len() as u64
        )
    )]
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
        self.queue.send(pending).await.map_err(|_| unrecorded())?;
        committed.await.unwrap_or_else(|_| Err(unrecorded()))
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
        if let Err(error) = &appended
            && !matches!(error, AppError::Unavailable { .. })
        {
            // Ids only, never the records: the reads fail and their callers see an error. (A
            // database that cannot be reached is logged once by the watcher, not per batch.)
            tracing::error!(
                council = %council.council_id(),
                reads = reads.len(),
                error = ?error,
                "could not append reads to the audit log"
            );
        }
        for read in reads {
            let outcome = match &appended {
                Ok(()) => Ok(()),
                // The database could not be reached: the reader may retry.
                Err(AppError::Unavailable {
                    retry_after_seconds,
                }) => Err(AppError::Unavailable {
                    retry_after_seconds: *retry_after_seconds,
                }),
                Err(_) => Err(unrecorded()),
            };
            // A reader that has gone away (its request was cancelled) needs no answer.
            let _ = read.recorded.send(outcome);
        }
    }
}

/// A read whose event could not be recorded, for a reason that is ours.
fn unrecorded() -> AppError {
    AppError::internal(anyhow::anyhow!("the read could not be audited"))
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
