//! The database lock on its own: raw SQL under the app role, with no application filter at all,
//! still sees only the council set for the transaction — and nothing when none is set. And the
//! server refuses to start when the lock is not really there.

use api::startup::Application;
use hub_tests::{Backend, Caller, JwksServer, Options, TestApp, TestDatabase, jwk, settings_for};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait,
};

async fn council_id(db: &DatabaseConnection, la_code: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id::text AS id FROM council WHERE la_code = $1",
            [la_code.into()],
        ))
        .await
        .expect("query council")
        .expect("council exists");
    row.try_get("", "id").expect("id")
}

/// Opens a transaction as the app role, with `tenant` set when given.
async fn as_app_role(db: &DatabaseConnection, tenant: Option<&str>) -> DatabaseTransaction {
    let txn = db.begin().await.expect("begin");
    txn.execute_unprepared("SET LOCAL ROLE hub_app")
        .await
        .expect("switch role");
    if let Some(tenant) = tenant {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [tenant.into()],
        ))
        .await
        .expect("set tenant");
    }
    txn
}

async fn tenants_of_visible_children(txn: &DatabaseTransaction) -> Vec<String> {
    txn.query_all_raw(Statement::from_string(
        DbBackend::Postgres,
        // No WHERE clause: the application's filter is bypassed entirely.
        "SELECT tenant_id::text AS tenant FROM child",
    ))
    .await
    .expect("select children")
    .iter()
    .map(|row| row.try_get("", "tenant").expect("tenant"))
    .collect()
}

/// Kent with two children and Surrey with one, created through the API.
async fn two_councils_with_children() -> (TestApp, DatabaseConnection) {
    let app = TestApp::spawn(Backend::Postgres).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let surrey = app.token(Caller::Surrey, &["CME-Officer"]);
    app.create_child(&kent, "Ada", "Ashdown", None).await;
    app.create_child(&kent, "Ben", "Brookes", None).await;
    app.create_child(&surrey, "Cal", "Chalk", None).await;
    let db = app.database.connect().await;
    (app, db)
}

#[tokio::test]
async fn database_lock_alone_returns_only_the_councils_rows() {
    let (_app, db) = two_councils_with_children().await;
    let kent = council_id(&db, "886").await;
    let txn = as_app_role(&db, Some(&kent)).await;
    let tenants = tenants_of_visible_children(&txn).await;
    assert_eq!(tenants.len(), 2, "Kent sees its two children");
    assert!(
        tenants.iter().all(|t| *t == kent),
        "and only Kent's: {tenants:?}"
    );
    txn.rollback().await.ok();

    // The owner, without the app role, sees all three: the filter above was RLS, not absence.
    let all = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT 1 FROM child",
        ))
        .await
        .expect("owner select");
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn database_lock_with_no_council_set_returns_no_rows() {
    let (_app, db) = two_councils_with_children().await;
    let txn = as_app_role(&db, None).await;
    assert!(
        tenants_of_visible_children(&txn).await.is_empty(),
        "fail closed"
    );
    txn.rollback().await.ok();
}

#[tokio::test]
async fn a_pooled_connection_does_not_carry_a_council_into_the_next_transaction() {
    let (_app, db) = two_councils_with_children().await;
    let kent = council_id(&db, "886").await;
    // Pin one connection so the second transaction runs where the first set the tenant.
    let pinned = sea_orm::Database::connect({
        let mut options = sea_orm::ConnectOptions::new(_app.database.url());
        options.max_connections(1).sqlx_logging(false);
        options
    })
    .await
    .expect("connect");
    let first = as_app_role(&pinned, Some(&kent)).await;
    assert_eq!(tenants_of_visible_children(&first).await.len(), 2);
    first.commit().await.expect("commit");
    // Now app.tenant_id reads back '' on this connection, not NULL: still no rows.
    let second = as_app_role(&pinned, None).await;
    assert!(tenants_of_visible_children(&second).await.is_empty());
    second.rollback().await.ok();
}

#[tokio::test]
async fn database_lock_refuses_an_insert_for_another_council() {
    let (_app, db) = two_councils_with_children().await;
    let kent = council_id(&db, "886").await;
    let surrey = council_id(&db, "936").await;
    let txn = as_app_role(&db, Some(&kent)).await;
    let result = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO child (tenant_id, id, given_name, family_name, date_of_birth, sex, \
             sen_status, social_care_status, created_at, updated_at) \
             VALUES ($1::uuid, gen_random_uuid(), 'Eve', 'Intruder', '2014-01-01', 'female', 'none', 'none', now(), now())",
            [surrey.into()],
        ))
        .await;
    let error = result.expect_err("an insert into another council must be refused");
    assert!(error.to_string().contains("row-level security"), "{error}");
    txn.rollback().await.ok();
}

#[tokio::test]
async fn database_lock_refuses_to_move_a_child_to_another_council() {
    let (_app, db) = two_councils_with_children().await;
    let kent = council_id(&db, "886").await;
    let surrey = council_id(&db, "936").await;
    let txn = as_app_role(&db, Some(&kent)).await;
    let result = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE child SET tenant_id = $1::uuid",
            [surrey.into()],
        ))
        .await;
    assert!(
        result.is_err(),
        "moving rows out of the council must be refused"
    );
    txn.rollback().await.ok();
}

#[tokio::test]
async fn server_refuses_to_start_when_rls_is_not_forced() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let db = database.connect().await;
    db.execute_unprepared("ALTER TABLE child NO FORCE ROW LEVEL SECURITY")
        .await
        .expect("weaken RLS");
    let jwks = JwksServer::start(vec![jwk("kent-rs256-a")]).await;
    let settings = settings_for(&database, &jwks, &Options::new(Backend::Postgres));
    let error = Application::build(settings)
        .await
        .err()
        .expect("must refuse to start");
    assert!(
        format!("{error:#}").contains("row-level security is not enabled and forced on child"),
        "{error:#}"
    );
}

#[tokio::test]
async fn server_refuses_to_start_when_its_role_can_bypass_rls() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let db = database.connect().await;
    let role = format!("hub_bypass_{}", uuid::Uuid::new_v4().simple());
    db.execute_unprepared(&format!("CREATE ROLE {role} NOLOGIN BYPASSRLS"))
        .await
        .expect("create a bypassing role");
    db.execute_unprepared(&format!("GRANT {role} TO CURRENT_USER"))
        .await
        .expect("grant");
    let jwks = JwksServer::start(vec![jwk("kent-rs256-a")]).await;
    let mut settings = settings_for(&database, &jwks, &Options::new(Backend::Postgres));
    settings.database.app_role = role.clone();
    let result = Application::build(settings).await;
    db.execute_unprepared(&format!("DROP ROLE {role}"))
        .await
        .ok();
    let error = result.err().expect("must refuse to start");
    assert!(
        format!("{error:#}").contains("can bypass row-level security"),
        "{error:#}"
    );
}

#[tokio::test]
async fn database_lock_alone_confines_every_council_table() {
    let app = TestApp::spawn(Backend::Postgres).await;
    for (caller, role) in [(Caller::Kent, "manager"), (Caller::Surrey, "CME-Manager")] {
        let token = app.token(caller, &[role]);
        let child = app.create_child(&token, "Ada", "Ashdown", None).await;
        let (_, body) = app
            .graphql(&token, "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2026-10-05\" }) { id } }", serde_json::json!({ "c": child }))
            .await;
        let case = body["data"]["openCase"]["id"]
            .as_str()
            .expect("case")
            .to_owned();
        app.graphql(&token, "mutation($id: ID!) { startProvision(input: { caseId: $id, kind: TUITION, provider: \"Tutors\", hoursPerWeek: 10, fullTime: true, startDate: \"2026-10-12\" }) { id } }", serde_json::json!({ "id": case })).await;
        app.graphql(&token, "mutation($id: ID!) { addMedicalEvidence(input: { caseId: $id, source: GP, category: \"physical\", evidenceDate: \"2026-10-06\" }) { id } }", serde_json::json!({ "id": case })).await;
        let (_, body) = app
            .graphql(&token, "mutation { setSchoolCalendar(academicYear: 2026, terms: [{ name: \"Autumn\", startsOn: \"2026-09-03\", endsOn: \"2026-12-18\" }], closures: [{ closedOn: \"2026-11-02\", reason: \"INSET\" }]) { isSet } }", serde_json::json!({}))
            .await;
        assert_eq!(body["data"]["setSchoolCalendar"]["isSet"], true, "{body}");
        let (_, body) = app
            .graphql(&token, "mutation($case: ID!) { recordComplaint(input: { lgscoReference: \"22 013 579\", category: SEN, stage: OMBUDSMAN, receivedOn: \"2026-10-06\", outcome: FAULT_CAUSING_INJUSTICE, decidedOn: \"2026-10-20\", caseId: $case }) { id } }", serde_json::json!({ "case": case }))
            .await;
        let complaint = body["data"]["recordComplaint"]["id"]
            .as_str()
            .expect("complaint")
            .to_owned();
        let (_, body) = app
            .graphql(&token, "mutation($c: ID!) { addRemedy(input: { complaintId: $c, kind: APOLOGY }) { remedies { id } } }", serde_json::json!({ "c": complaint }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let (_, body) = app
            .graphql(&token, "mutation($c: ID!) { addImprovementAction(input: { complaintId: $c, description: \"Weekly check\", ownerRole: \"Head of Service\", successMeasure: \"All on time\", dueOn: \"2026-12-01\" }) { id } }", serde_json::json!({ "c": complaint }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let (_, body) = app
            .graphql(
                &token,
                "mutation { computeReturn(period: \"2026-27\") { id cells { value } } }",
                serde_json::json!({}),
            )
            .await;
        assert!(body["data"]["computeReturn"]["id"].is_string(), "{body}");
    }
    let db = app.database.connect().await;
    let kent = council_id(&db, "886").await;
    for table in [
        "child",
        "case",
        "case_event",
        "provision",
        "medical_evidence",
        "school_term",
        "school_closure",
        "audit_event",
        "complaint",
        "remedy",
        "remedy_event",
        "improvement_action",
        "council_return",
        "return_cell",
    ] {
        let sql = format!("SELECT tenant_id::text AS tenant FROM \"{table}\"");
        let txn = as_app_role(&db, Some(&kent)).await;
        let rows = txn
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql.clone()))
            .await
            .expect("select");
        let tenants: Vec<String> = rows
            .iter()
            .map(|r| r.try_get("", "tenant").expect("tenant"))
            .collect();
        assert!(
            !tenants.is_empty() && tenants.iter().all(|t| *t == kent),
            "{table}: {tenants:?}"
        );
        txn.rollback().await.ok();
        let txn = as_app_role(&db, None).await;
        let rows = txn
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .expect("select");
        assert!(rows.is_empty(), "{table}: no council set must show nothing");
        txn.rollback().await.ok();
    }
}
