//! The registry of council tables (`api::tenancy::council_tables`) against the migrated schema,
//! on both stores: every table that holds a `tenant_id` is registered (so the application lock
//! knows it), and every registered table is keyed and indexed tenant-first (so one council's rows
//! sit together, and a distributed PostgreSQL can shard by council). A new council table that is
//! not registered, or not keyed tenant-first, fails here.

use std::collections::BTreeSet;

use hub_tests::{Backend, TestApp, on_both_stores};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Names from one column of a query's rows.
async fn strings(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) -> Vec<String> {
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    db.query_all_raw(statement)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a text column"))
        .collect()
}

/// Every table of the migrated schema that has a `tenant_id` column.
async fn tables_with_a_tenant_id(db: &DatabaseConnection) -> BTreeSet<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' \
               AND NOT a.attisdropped \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        }
        _ => {
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = 'tenant_id'"
        }
    };
    strings(db, sql, vec![]).await.into_iter().collect()
}

/// The first column of `table`'s primary key.
async fn primary_key_lead(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT a.attname::text FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
             WHERE i.indrelid = $1::regclass AND i.indisprimary"
        }
        _ => "SELECT name FROM pragma_table_info($1) WHERE pk = 1",
    };
    strings(db, sql, vec![table.into()]).await
}

/// The first column of each of `table`'s indexes (unique keys included), by index name.
async fn index_leads(db: &DatabaseConnection, table: &str) -> Vec<(String, String)> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT c.relname::text || ':' || a.attname::text FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
             WHERE i.indrelid = $1::regclass"
        }
        _ => {
            "SELECT l.name || ':' || i.name FROM pragma_index_list($1) l, \
             pragma_index_info(l.name) i WHERE i.seqno = 0"
        }
    };
    strings(db, sql, vec![table.into()])
        .await
        .into_iter()
        .filter_map(|entry| {
            entry
                .split_once(':')
                .map(|(index, column)| (index.to_owned(), column.to_owned()))
        })
        .collect()
}

async fn every_table_with_a_tenant_id_is_a_registered_council_table(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.database.connect().await;
    let registered: BTreeSet<String> = api::tenancy::council_tables()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let in_schema = tables_with_a_tenant_id(&db).await;
    assert!(
        in_schema.len() >= 9,
        "the schema query found the council tables: {in_schema:?}"
    );
    let unregistered: Vec<_> = in_schema.difference(&registered).collect();
    assert!(
        unregistered.is_empty(),
        "tables with a tenant_id but not in tenancy.rs's council_tables!: {unregistered:?}"
    );
    let missing: Vec<_> = registered.difference(&in_schema).collect();
    assert!(
        missing.is_empty(),
        "registered council tables without a tenant_id column: {missing:?}"
    );
}
on_both_stores!(every_table_with_a_tenant_id_is_a_registered_council_table);

async fn every_council_table_is_keyed_and_indexed_tenant_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.database.connect().await;
    for table in api::tenancy::council_tables() {
        assert_eq!(
            primary_key_lead(&db, table).await,
            vec!["tenant_id".to_owned()],
            "{table}'s primary key must lead with tenant_id"
        );
        let indexes = index_leads(&db, table).await;
        assert!(!indexes.is_empty(), "{table} has at least its primary key");
        for (index, lead) in indexes {
            assert_eq!(
                lead, "tenant_id",
                "{table}'s index {index} must lead with tenant_id"
            );
        }
    }
}
on_both_stores!(every_council_table_is_keyed_and_indexed_tenant_first);

/// The newest migration can be undone and done again on a database already holding cases: an
/// operator rolling back a release gets the schema before it, and rolling forward again gets
/// the same schema (and the case list still answers).
async fn the_newest_migration_can_be_undone_and_redone(backend: Backend) {
    use migration::MigratorTrait;
    let app = TestApp::spawn(backend).await;
    let caseworker = app.token(hub_tests::Caller::Kent, &["caseworker"]);
    let child = app.create_child(&caseworker, "Ada", "Migrate", None).await;
    let (_, body) = app
        .graphql(
            &caseworker,
            "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2026-10-05\" }) { id } }",
            serde_json::json!({ "c": child }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let db = app.database.connect().await;
    let mut before = index_leads(&db, "case").await;
    before.sort();
    migration::Migrator::down(&db, Some(1))
        .await
        .expect("undo the newest migration");
    migration::Migrator::up(&db, None).await.expect("redo it");
    let mut after = index_leads(&db, "case").await;
    after.sort();
    assert_eq!(after, before);
    let (_, body) = app
        .graphql(
            &caseworker,
            "{ cases(orderBy: DAYS_WITHOUT_PROVISION, first: 5) { edges { node { id } } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["cases"]["edges"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
}
on_both_stores!(the_newest_migration_can_be_undone_and_redone);
