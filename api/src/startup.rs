//! `Application::build`: the one way a server is assembled, used by `main` and by the tests.

/// Watching the database, so an outage is logged once and its end once.
mod database_watch;

use axum::serve::ListenerExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use axum::Extension;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use tokio::net::TcpListener;

use crate::auth::dev_issuer::DevKey;
use crate::auth::directory::Directory;
use crate::auth::verifier::TokenVerifier;
use crate::config::Settings;
use crate::graphql::build_schema;
use crate::http::health::ShuttingDown;
use crate::http::{AppState, router};
use crate::service::{StatementLog, Store, seed};
use database_watch::DatabaseWatcher;

/// A built server, bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    address: SocketAddr,
    store: Store,
    /// Pings the database in the background while the server runs (stops when dropped).
    watcher: DatabaseWatcher,
    shutdown_grace: Duration,
}

impl Application {
    /// Connects, migrates, checks the database lock, seeds the demo if asked, and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "creating the data directory {}",
                settings.data_dir.display()
            )
        })?;
        let statement_log = StatementLog::default();
        let (db, statements) = connect_counted(&settings, &statement_log).await?;
        if settings.database.migrate_on_start {
            Migrator::up(&db, None)
                .await
                .context("running migrations")?;
        }
        verify_database_lock(&db, &settings.database.app_role).await?;
        let read_log_db = count_statements(
            connect_pool(&settings, READ_LOG_CONNECTIONS, acquire_timeout(&settings)).await?,
            statements.clone(),
            statement_log.clone(),
        );
        let store = Store::new(
            db.clone(),
            read_log_db,
            settings.database.app_role.clone(),
            statements,
            statement_log,
        );
        let filled = crate::service::case::fill_missing_deadlines(&store)
            .await
            .map_err(into_anyhow)?;
        if filled > 0 {
            tracing::info!(
                councils = filled,
                "computed stored deadlines missing from cases"
            );
        }
        if settings.seed_when_empty() && seed::is_empty(&db).await.map_err(into_anyhow)? {
            let children = seed::seed_demo(&store).await.map_err(into_anyhow)?;
            tracing::info!(children, "seeded the South-East demo partnership");
        }
        let dev_key = if settings.dev_issuer_enabled() {
            Some(
                DevKey::load_or_create(&settings.dev_key_path())?
                    .decoding_key()
                    .clone(),
            )
        } else {
            None
        };
        let verifier = TokenVerifier::new(&settings.auth, dev_key)?;
        let state = AppState {
            schema: build_schema(&settings, Some(store.clone())),
            store: store.clone(),
            verifier: Arc::new(verifier),
            directory: Arc::new(Directory::default()),
            metrics: crate::http::metrics::recorder()?,
            settings: Arc::new(settings.clone()),
        };
        let listener = TcpListener::bind(&settings.server.bind)
            .await
            .with_context(|| format!("binding {}", settings.server.bind))?;
        let address = listener.local_addr()?;
        let watcher = DatabaseWatcher::start(
            connect_pool(&settings, 1, database_watch::PROBE_TIMEOUT).await?,
        );
        Ok(Self {
            listener,
            router: router(state),
            address,
            store,
            watcher,
            shutdown_grace: Duration::from_secs(settings.server.shutdown_grace_seconds),
        })
    }

    /// Where the server listens (the real port when bound to port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The store the server uses, for tests that need to look underneath.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes, then shuts down gracefully: readiness says not ready,
    /// no new connection is accepted, and requests in flight may finish for up to
    /// `server.shutdown_grace_seconds`. Then it returns, with or without them.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // Nagle's algorithm would hold a response's second small write until the client acks
        // the first, which a client delays by up to 40 ms: answers go out at once instead.
        let listener = self.listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
            }
        });
        let shutting_down = ShuttingDown::default();
        let (began, mut has_begun) = tokio::sync::watch::channel(false);
        let grace = self.shutdown_grace;
        let signal = {
            let shutting_down = shutting_down.clone();
            async move {
                shutdown.await;
                // Readiness turns first, so a load balancer stops sending as the listener closes.
                shutting_down.begin();
                tracing::info!(
                    grace_seconds = grace.as_secs(),
                    "shutting down: no new connections; requests in flight may finish"
                );
                began.send_replace(true);
            }
        };
        // The peer's address is what unauthenticated requests are rate-limited by.
        let service = self
            .router
            .layer(Extension(shutting_down))
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(listener, service)
            .with_graceful_shutdown(signal)
            .into_future();
        let grace_ends = async move {
            if has_begun.wait_for(|began| *began).await.is_err() {
                // The signal was dropped unsent: the server ended without a shutdown.
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = server => {
                served?;
                drop(self.watcher);
                self.store.db.close_by_ref().await.ok();
                tracing::info!("shut down: every request finished");
            }
            () = grace_ends => {
                // Connections still open are dropped when the process exits; their transactions
                // were never committed, so the database rolls them back. Closing the pool would
                // wait for them, so it is left to the exit too.
                tracing::warn!(
                    grace_seconds = grace.as_secs(),
                    "shut down with requests still in flight after the grace period"
                );
            }
        }
        Ok(())
    }
}

/// Opens the pool and counts its statements, for `/metrics` and for the tests that prove a page
/// costs a bounded number of queries.
pub async fn connect_counted(
    settings: &Settings,
    statement_log: &StatementLog,
) -> anyhow::Result<(DatabaseConnection, Arc<AtomicU64>)> {
    let statements = Arc::new(AtomicU64::new(0));
    let db = connect_pool(
        settings,
        settings.database.max_connections,
        acquire_timeout(settings),
    )
    .await?;
    Ok((
        count_statements(db, statements.clone(), statement_log.clone()),
        statements,
    ))
}

/// Connections of the audit log's read writer (see `service::audit::ReadLog`): its own, so
/// appending reads never queues behind the requests that wait for it.
const READ_LOG_CONNECTIONS: u32 = 2;

/// How long a request waits for a connection: `database.acquire_timeout_seconds`, never under
/// 1 s (as `Settings::validate` insists; settings built in code skip it).
fn acquire_timeout(settings: &Settings) -> Duration {
    Duration::from_secs(settings.database.acquire_timeout_seconds.max(1))
}

/// Counts `db`'s statements into `statements` and the `/metrics` counters, and hands them to
/// `log` (which keeps them only while a test or the benchmark records).
fn count_statements(
    mut db: DatabaseConnection,
    statements: Arc<AtomicU64>,
    log: StatementLog,
) -> DatabaseConnection {
    db.set_metric_callback(move |info| {
        log.note(|| info.statement.to_string());
        statements.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("hub_db_statements_total").increment(1);
        metrics::histogram!("hub_db_statement_duration_seconds").record(info.elapsed.as_secs_f64());
    });
    db
}

/// Opens the pool: PostgreSQL when the URL says so, else SQLite (created if missing) in WAL
/// mode, so readers do not wait for the writer.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    connect_pool(
        settings,
        settings.database.max_connections,
        acquire_timeout(settings),
    )
    .await
}

/// How long a pooled connection may sit idle before it is pinged on its next acquire: long
/// enough that a busy server never pings, short enough that a connection a database restart
/// (or a firewall) dropped is found before a request uses it.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// As [`connect`], with `max_connections` connections at most, each waited for no longer than
/// `acquire_timeout`.
///
/// Outages: while the database is down, a request waits `acquire_timeout` for a connection
/// (sqlx retries refused connections meanwhile) and is then answered SERVICE_UNAVAILABLE, rather
/// than queueing for the pool's default 30 s. When it is back, the next acquire opens a fresh
/// connection; connections idle for [`PING_IF_IDLE_FOR`] or longer are pinged before use and
/// replaced if the restart left them dead, so the server serves again without a restart. A
/// connection in use until the moment the database went is not pinged (a ping on every acquire
/// was one round trip in ten of a worklist page, BENCHMARKS.md): its next statement fails, that
/// request is answered SERVICE_UNAVAILABLE with `Retry-After` like every other request the
/// outage cut off, and sqlx discards the connection.
async fn connect_pool(
    settings: &Settings,
    max_connections: u32,
    acquire_timeout: Duration,
) -> anyhow::Result<DatabaseConnection> {
    let url = settings.database_url();
    let mut options = ConnectOptions::new(url.expose().to_owned());
    options
        .max_connections(max_connections)
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
        // Statement logging would print SQL at info; parameters stay out of it, but keep it quiet.
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|options| {
            options
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .context("connecting to the database (check DATABASE_URL)")
}

/// On PostgreSQL, refuses to serve council data unless the database lock is really there: the
/// app role exists, cannot bypass RLS, and the server may switch to it; and every table with a
/// `tenant_id` has RLS enabled *and* forced.
#[expect(
    clippy::disallowed_methods,
    reason = "reads PostgreSQL's catalogue (pg_roles, pg_class), not council rows"
)]
pub async fn verify_database_lock(db: &DatabaseConnection, app_role: &str) -> anyhow::Result<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let role = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT rolsuper, rolbypassrls, pg_has_role(current_user, oid, 'MEMBER') AS can_switch \
             FROM pg_roles WHERE rolname = $1",
            [app_role.into()],
        ))
        .await?
        .with_context(|| format!("refusing to start: the app role {app_role} does not exist"))?;
    let superuser: bool = role.try_get("", "rolsuper")?;
    let bypass: bool = role.try_get("", "rolbypassrls")?;
    let can_switch: bool = role.try_get("", "can_switch")?;
    anyhow::ensure!(
        !superuser && !bypass,
        "refusing to start: the app role {app_role} can bypass row-level security"
    );
    anyhow::ensure!(
        can_switch,
        "refusing to start: the server's login cannot switch to {app_role}"
    );
    let unprotected = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text AS name FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
               AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
        ))
        .await?;
    if !unprotected.is_empty() {
        let names: Vec<String> = unprotected
            .iter()
            .filter_map(|row| row.try_get::<String>("", "name").ok())
            .collect();
        anyhow::bail!(
            "refusing to start: row-level security is not enabled and forced on {}",
            names.join(", ")
        );
    }
    Ok(())
}

fn into_anyhow(error: crate::error::AppError) -> anyhow::Error {
    match error {
        crate::error::AppError::Internal(cause) => cause,
        other => anyhow::anyhow!(other.client_message()),
    }
}
