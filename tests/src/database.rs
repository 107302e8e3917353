//! A database per test. PostgreSQL databases are copied from a template migrated once per schema
//! version (named by a hash of the migration sources) and dropped when the test ends; databases
//! left by test processes that died are dropped the next time a template is checked.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use uuid::Uuid;

/// Which store a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// The PostgreSQL server tests use; it needs rights to create databases and roles.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The admin URL with its database swapped for `database`, keeping any query
/// (`?host=/var/run/postgresql` for the Unix socket, `?sslmode=…`).
fn database_url(admin: &str, database: &str) -> String {
    let (path, query) = admin
        .split_once('?')
        .map_or((admin, None), |(path, query)| (path, Some(query)));
    let base = path.rsplit_once('/').map_or(path, |(base, _)| base);
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// A throwaway database (and data directory) for one test.
pub struct TestDatabase {
    pub backend: Backend,
    name: String,
    dir: PathBuf,
    /// The PostgreSQL server it lives on, as its admin URL.
    admin: String,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        Self::create_on(backend, &admin_url()).await
    }

    /// As [`create`](Self::create), on the PostgreSQL server at `admin` (a test's own cluster,
    /// say), which gets its own template migrated there.
    pub async fn create_on(backend: Backend, admin: &str) -> Self {
        let admin_url = admin.to_owned();
        let unique = Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("hub-test-{unique}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let name = match backend {
            Backend::Sqlite => "hub.db".to_owned(),
            Backend::Postgres => {
                let name = format!("hub_test_{}_{unique}", std::process::id());
                let template = ensure_template(&admin_url).await;
                let admin = connect_admin(&admin_url).await;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                name
            }
        };
        Self {
            backend,
            name,
            dir,
            admin: admin_url,
        }
    }

    /// The URL the server under test connects with.
    pub fn url(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", self.dir.join(&self.name).display()),
            Backend::Postgres => database_url(&self.admin, &self.name),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.clone()
    }

    /// A separate connection to the test database, as its owner.
    pub async fn connect(&self) -> DatabaseConnection {
        let mut options = ConnectOptions::new(self.url());
        options.max_connections(2).sqlx_logging(false);
        Database::connect(options)
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
        if self.backend == Backend::Postgres {
            let (name, admin_url) = (self.name.clone(), self.admin.clone());
            // Drop runs inside the test's runtime; use a thread with its own to reach the server.
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        let admin = connect_admin(&admin_url).await;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await
                            .ok();
                        admin.close().await.ok();
                    });
                }
            })
            .join()
            .ok();
        }
    }
}

async fn connect_admin(admin_url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(admin_url);
    // One connection, so a session-level advisory lock is held and released on the same one.
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options)
        .await
        .expect("connect to PostgreSQL (is it running? see README)")
}

/// The template's name for the current migrations, creating it if needed (once per schema
/// version, serialised across test processes with an advisory lock).
async fn ensure_template(admin_url: &str) -> String {
    let mut hasher = DefaultHasher::new();
    migration::SOURCES.hash(&mut hasher);
    let template = format!("hub_tpl_{:016x}", hasher.finish());
    let admin = connect_admin(admin_url).await;
    admin
        .execute_unprepared("SELECT pg_advisory_lock(727274)")
        .await
        .expect("lock");
    let exists = !admin
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [template.clone().into()],
        ))
        .await
        .expect("look for the template")
        .is_empty();
    if !exists {
        drop_leftovers(&admin).await;
        let building = format!("{template}_building");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .expect("drop a half-built template");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create the template");
        {
            let db = Database::connect(database_url(admin_url, &building))
                .await
                .expect("connect to the template");
            Migrator::up(&db, None).await.expect("migrate the template");
            db.close().await.ok();
        }
        // Renamed only once complete, so a crash mid-migration never leaves a bad template.
        admin
            .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .expect("publish the template");
    } else {
        drop_leftovers(&admin).await;
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("unlock");
    admin.close().await.ok();
    template
}

/// Drops test databases whose process has gone.
async fn drop_leftovers(admin: &DatabaseConnection) {
    let rows = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'hub\\_test\\_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "name") else {
            continue;
        };
        // Templates of other schema versions stay: another test run (another branch, say) may be
        // using one right now. Only databases whose test process has gone are dropped.
        let stale = name.strip_prefix("hub_test_").is_some_and(|rest| {
            let pid = rest.split('_').next().unwrap_or_default();
            !PathBuf::from(format!("/proc/{pid}")).exists()
        });
        if stale {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
        }
    }
}
