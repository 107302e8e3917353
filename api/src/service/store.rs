//! The store: the database, the role council work runs as, and the audit log's read writer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sea_orm::DatabaseConnection;

use super::audit;
use crate::error::AppResult;
use crate::tenancy::{CompilerTxn, CouncilTxn, PartnershipScope, TenantScope};

/// The database, and the role council work runs as.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: DatabaseConnection,
    pub app_role: String,
    /// Statements executed through this store since it was opened (see `startup::connect`).
    pub statements: Arc<AtomicU64>,
    /// SQLite has one writer and cannot upgrade two concurrent readers to writers, so on SQLite
    /// council transactions (the audit log's writer's too) take turns; `None` elsewhere.
    turns: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Where reads of identifiable records are recorded (see [`audit::ReadLog`]).
    pub reads: audit::ReadLog,
    /// The statements sent while a recording is on (see [`StatementLog`]).
    pub statement_log: StatementLog,
}

/// The statements the server sends, with their values, while a recording is on: for the tests
/// that `EXPLAIN` what a request ran and the benchmark that replays it against the database
/// alone. Off (always, in service), it costs one atomic load per statement.
#[derive(Clone, Debug, Default)]
pub struct StatementLog {
    on: Arc<AtomicBool>,
    recorded: Arc<std::sync::Mutex<Vec<String>>>,
}

impl StatementLog {
    /// Starts recording, forgetting anything recorded before.
    pub fn start(&self) {
        if let Ok(mut recorded) = self.recorded.lock() {
            recorded.clear();
        }
        self.on.store(true, Ordering::SeqCst);
    }

    /// Stops recording and hands over what was recorded, oldest first.
    pub fn stop(&self) -> Vec<String> {
        self.on.store(false, Ordering::SeqCst);
        self.recorded
            .lock()
            .map(|mut recorded| std::mem::take(&mut *recorded))
            .unwrap_or_default()
    }

    /// Records a statement if a recording is on; `statement` is only rendered then.
    pub fn note(&self, statement: impl FnOnce() -> String) {
        if self.on.load(Ordering::Relaxed)
            && let Ok(mut recorded) = self.recorded.lock()
        {
            recorded.push(statement());
        }
    }
}

impl Store {
    /// A store over `db`, counting the statements `db` reports through its metric callback.
    ///
    /// Starts the audit log's read writer on `read_log_db`: a pool of its own in the server, so
    /// appending reads never waits behind the requests that are waiting for it (`db` again will
    /// do for one-off commands). Must be called inside the Tokio runtime.
    pub fn new(
        db: DatabaseConnection,
        read_log_db: DatabaseConnection,
        app_role: String,
        statements: Arc<AtomicU64>,
        statement_log: StatementLog,
    ) -> Self {
        let turns = (db.get_database_backend() == sea_orm::DbBackend::Sqlite).then(Arc::default);
        let reads = audit::ReadLog::start(read_log_db, app_role.clone(), turns.clone());
        Self {
            db,
            app_role,
            statements,
            turns,
            reads,
            statement_log,
        }
    }

    /// The compile transaction of one partnership's release: approved returns of its members only.
    pub async fn compiler(&self, scope: PartnershipScope) -> AppResult<CompilerTxn> {
        scope.begin_compile(&self.db, self.turns.as_ref()).await
    }

    /// A transaction over shared tables (releases, settings): on SQLite it waits its turn like
    /// council work, since it reads before it writes.
    pub async fn shared(&self) -> AppResult<SharedTxn> {
        let serial = match &self.turns {
            Some(turns) => Some(turns.clone().lock_owned().await),
            None => None,
        };
        let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
        Ok(SharedTxn {
            txn,
            _serial: serial,
        })
    }

    /// A transaction confined to one council.
    pub async fn council(&self, scope: TenantScope) -> AppResult<CouncilTxn> {
        scope
            .begin(&self.db, &self.app_role, self.turns.as_ref())
            .await
    }
}

/// A transaction over shared tables only (no council data), holding SQLite's turn.
pub struct SharedTxn {
    txn: sea_orm::DatabaseTransaction,
    // Declared after `txn` so it is released only once the transaction has ended.
    _serial: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl SharedTxn {
    pub fn conn(&self) -> &sea_orm::DatabaseTransaction {
        &self.txn
    }

    pub async fn commit(self) -> AppResult<()> {
        Ok(self.txn.commit().await?)
    }
}
