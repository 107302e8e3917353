use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{APP_ROLE, COMPILER_ROLE};

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

/// Creates the compile role if it does not exist and lets the migrating user switch to it: the
/// role a release is compiled under (docs/architecture.md, "The compile role"). It may read
/// `council_return`, `return_cell` and `membership` (its policies need it), nothing else.
pub async fn ensure_compiler_role(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "DO $$ BEGIN
           CREATE ROLE {COMPILER_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$;"
    ))
    .await?;
    for sql in [
        format!("GRANT {COMPILER_ROLE} TO CURRENT_USER"),
        format!("GRANT USAGE ON SCHEMA public TO {COMPILER_ROLE}"),
        format!("GRANT SELECT ON \"council_return\" TO {COMPILER_ROLE}"),
        format!("GRANT SELECT ON \"return_cell\" TO {COMPILER_ROLE}"),
        format!("GRANT SELECT ON \"membership\" TO {COMPILER_ROLE}"),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// The compile role's policies, beside each table's `tenant_isolation`: it sees the returns a
/// member council of the partnership in `app.partnership_id` has approved (an approved version
/// later superseded too, so an earlier revision can be rebuilt), and their cells; never a draft.
///
/// Like [`protect_council_table`]: the setting is read once per statement (a sub-select), and a
/// missing or emptied setting matches no row (fail closed).
pub async fn protect_for_compiler(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let partnership = "(SELECT NULLIF(current_setting('app.partnership_id', true), '')::uuid)";
    let members =
        format!("(SELECT m.council_id FROM membership m WHERE m.partnership_id = {partnership})");
    let approved = |r: &str| {
        format!(
            "({r}status = 'approved' OR ({r}status = 'superseded' AND {r}approved_at IS NOT NULL))"
        )
    };
    let (own, joined) = (approved(""), approved("r."));
    let db = manager.get_connection();
    for sql in [
        format!(
            "CREATE POLICY compiler_approved ON \"council_return\" AS PERMISSIVE FOR SELECT \
             TO {COMPILER_ROLE} USING (tenant_id IN {members} AND {own})"
        ),
        format!(
            "CREATE POLICY compiler_approved ON \"return_cell\" AS PERMISSIVE FOR SELECT \
             TO {COMPILER_ROLE} USING (tenant_id IN {members} AND EXISTS (SELECT 1 FROM \
             \"council_return\" r WHERE r.tenant_id = return_cell.tenant_id \
             AND r.id = return_cell.return_id AND {joined}))"
        ),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}
