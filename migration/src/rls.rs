use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::APP_ROLE;

/// Creates the application role if it does not exist and lets the migrating user switch to it.
///
/// Roles are cluster-wide, so another database on the same server may already have made it.
pub async fn ensure_app_role(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "DO $$ BEGIN
           CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$;"
    ))
    .await?;
    // The server logs in as the schema owner and switches to the app role per transaction.
    db.execute_unprepared(&format!("GRANT {APP_ROLE} TO CURRENT_USER"))
        .await?;
    db.execute_unprepared(&format!("GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        .await?;
    Ok(())
}

/// Lets the app role read a shared reference table (no tenant, no RLS).
pub async fn grant_shared_read(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager
        .get_connection()
        .execute_unprepared(&format!("GRANT SELECT ON \"{table}\" TO {APP_ROLE}"))
        .await?;
    Ok(())
}

/// Puts a council table behind the database lock (table names are quoted: `case` is a keyword): RLS enabled and forced (so even the owner is
/// filtered), one policy comparing `tenant_id` with the transaction's `app.tenant_id`, and the
/// app role granted DML on it.
///
/// `current_setting(.., true)` returns NULL when never set and `''` on a pooled connection whose
/// earlier transaction set it locally; `nullif` folds both to NULL, which matches no row: fail
/// closed. The sub-select makes PostgreSQL evaluate the setting once per statement, not per row.
pub async fn protect_council_table(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let tenant = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)";
    let db = manager.get_connection();
    for sql in [
        format!("ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY"),
        format!("ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY"),
        format!(
            "CREATE POLICY tenant_isolation ON \"{table}\" USING (tenant_id = {tenant}) \
             WITH CHECK (tenant_id = {tenant})"
        ),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON \"{table}\" TO {APP_ROLE}"),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}
