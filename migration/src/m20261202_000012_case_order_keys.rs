use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// The keys of the case lists' orders become generated columns, so that a page after a cursor
/// starts where the index says on PostgreSQL under row-level security.
///
/// Why (BENCHMARKS.md, issue 12, "deep pages"): migration 11 indexed *expressions*
/// (`COALESCE(provision_due_by, '9999-12-31')`, and arithmetic over the wait columns). Under
/// row-level security PostgreSQL evaluates a query's own conditions only after the policy's, unless
/// every function in them is marked leakproof; `COALESCE` and integer arithmetic are not (the
/// latter can raise an overflow error that would say something about a row). So the cursor's
/// condition on such a key could not start the index scan: it was checked row by row from the
/// top of the council's index, and page 1,000 of `cases` read the 50,000 rows before it (6.4x
/// page 1). A comparison of plain columns with dates, integers and uuids is leakproof, so over
/// these columns the cursor is an index condition and every page costs what the first costs.
///
/// The columns are computed by the database from the case's own columns (nothing to backfill,
/// nothing the application writes; the case entity does not list them, so no insert or update
/// names them): STORED on PostgreSQL, VIRTUAL on SQLite (whose `ALTER TABLE` can add only
/// those; SQLite has no row-level security, and its indexes hold the computed value either way).
/// The expressions are migration 11's, unchanged.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The due-date order's key column: the stored due date, none sorting after every date the hub
/// accepts.
pub const CASE_DUE_KEY: &str = "due_key";
/// The key of cases whose count of school days without provision still runs: the count minus
/// the school-day number it was stored on, the same for every day the count runs.
pub const CASE_WAIT_RUNNING_KEY: &str = "wait_running_key";
/// The key of cases whose count has stopped: the count it stopped at.
pub const CASE_WAIT_STOPPED_KEY: &str = "wait_stopped_key";

/// Each key column with its SQL type and expression (migration 11's expressions).
const KEYS: [(&str, &str, &str); 3] = [
    (
        CASE_DUE_KEY,
        "date",
        "COALESCE(provision_due_by, '9999-12-31')",
    ),
    (
        CASE_WAIT_RUNNING_KEY,
        "integer",
        "COALESCE(wait_days, 0) - COALESCE(wait_as_of, 0)",
    ),
    (
        CASE_WAIT_STOPPED_KEY,
        "integer",
        "COALESCE(wait_days, 0) + CASE WHEN wait_runs_until > COALESCE(wait_as_of, 0) \
         THEN wait_runs_until - COALESCE(wait_as_of, 0) ELSE 0 END",
    ),
];

/// Migration 11's indexes, by name, over the key columns instead of the expressions: name, key
/// columns after `tenant_id`, predicate. The stopped counts' indexes hold only cases whose count
/// has an end, so a page of them never walks past the many cases still waiting.
fn indexes() -> [(&'static str, String, &'static str); 6] {
    [
        ("case_tenant_due_key_idx", format!("{CASE_DUE_KEY}, id"), ""),
        (
            "case_tenant_status_due_key_idx",
            format!("status, {CASE_DUE_KEY}, id"),
            "",
        ),
        (
            "case_tenant_wait_running_idx",
            format!("{CASE_WAIT_RUNNING_KEY} DESC, id"),
            "",
        ),
        (
            "case_tenant_status_wait_running_idx",
            format!("status, {CASE_WAIT_RUNNING_KEY} DESC, id"),
            "",
        ),
        (
            "case_tenant_wait_stopped_idx",
            format!("{CASE_WAIT_STOPPED_KEY} DESC, id"),
            " WHERE wait_runs_until IS NOT NULL",
        ),
        (
            "case_tenant_status_wait_stopped_idx",
            format!("status, {CASE_WAIT_STOPPED_KEY} DESC, id"),
            " WHERE wait_runs_until IS NOT NULL",
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let stored = match manager.get_database_backend() {
            DbBackend::Postgres => "STORED",
            _ => "VIRTUAL",
        };
        for (name, _, _) in indexes() {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        for (column, sql_type, expression) in KEYS {
            // SQLite: dates are text, declared as sea-query declares the case's own dates.
            let sql_type = match (manager.get_database_backend(), sql_type) {
                (DbBackend::Sqlite, "date") => "date_text",
                (_, sql_type) => sql_type,
            };
            db.execute_unprepared(&format!(
                "ALTER TABLE \"case\" ADD COLUMN {column} {sql_type} \
                 GENERATED ALWAYS AS ({expression}) {stored}"
            ))
            .await?;
        }
        for (name, columns, predicate) in indexes() {
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON \"case\" (tenant_id, {columns}){predicate}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _, _) in indexes() {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        for (column, _, _) in KEYS {
            db.execute_unprepared(&format!("ALTER TABLE \"case\" DROP COLUMN {column}"))
                .await?;
        }
        // Migration 11's expression indexes, as they were.
        for (name, columns, predicate) in indexes() {
            let mut columns = columns;
            for (column, _, expression) in KEYS {
                columns = columns.replace(column, &format!("({expression})"));
            }
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON \"case\" (tenant_id, {columns}){predicate}"
            ))
            .await?;
        }
        Ok(())
    }
}
