use sea_orm_migration::prelude::*;

/// Indexes for keyset pages of cases in every order the API offers, each leading with
/// `tenant_id` (and, for the common "open cases" lists, `status`), so that page 1,000 costs what
/// page 1 costs and no list sorts a council's cases.
///
/// The keys are expressions over columns the case service already keeps, so nothing new is
/// stored and nothing needs backfilling; the case service's queries use exactly these texts
/// ([`CASE_DUE_KEY`], [`CASE_WAIT_RUNNING_KEY`], [`CASE_WAIT_STOPPED_KEY`]), which is what lets
/// PostgreSQL and SQLite match them to the indexes.
///
/// - By due date: the due date, with no due date sorting after every real one (dates the hub
///   accepts end in 2199), then id.
/// - By school days without provision (see `domain::deadline::ProvisionWait::days_on`): a case
///   whose count still runs on day T has `T + (wait_days - wait_as_of)` days, so among running
///   cases the order never changes from day to day; a case whose count stopped has a fixed
///   number. Two indexes, one per kind, most days first; the service merges the two.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The due-date order's key: the stored due date, none sorting last.
pub const CASE_DUE_KEY: &str = "COALESCE(provision_due_by, '9999-12-31')";
/// Among cases whose count of school days without provision still runs: the count minus
/// today's school-day number, the same for every day the count runs.
pub const CASE_WAIT_RUNNING_KEY: &str = "(COALESCE(wait_days, 0) - COALESCE(wait_as_of, 0))";
/// Among cases whose count has stopped: the count it stopped at.
pub const CASE_WAIT_STOPPED_KEY: &str = "(COALESCE(wait_days, 0) + CASE WHEN wait_runs_until > \
     COALESCE(wait_as_of, 0) THEN wait_runs_until - COALESCE(wait_as_of, 0) ELSE 0 END)";

/// Name, key columns (on `"case"`, after `tenant_id`) and predicate of each index. The stopped
/// counts' indexes hold only cases whose count has an end: the many cases still waiting with no
/// end in sight are not in them, so a page of stopped counts never walks past them.
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
        // Expression indexes: sea-query's index builder takes columns only. The same text runs
        // on both stores.
        let db = manager.get_connection();
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
        Ok(())
    }
}
