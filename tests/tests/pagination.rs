//! Keyset pagination: every connection walks page by page with opaque cursors, in every order
//! and filter, without skipping or repeating a row; cursors of earlier versions, of other lists
//! and garbage are refused naming `after`; and on PostgreSQL every order is served by an index
//! (the plans of the statements a request actually ran, `EXPLAIN`ed).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hub_tests::{Backend, Caller, TestApp, error_code, error_field, on_both_stores};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{Value, json};

const UPSERT_CHILDREN: &str =
    "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }";
const UPSERT_CASES: &str =
    "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created } }";

/// Loads `n` children and a case for each through the batch mutations: family names repeat
/// (ties on the name order), absences start on a handful of days (ties on due dates and counts),
/// every fourth case is closed (its count stopped) and every third is a permanent exclusion.
async fn load(app: &TestApp, n: usize) {
    let service = app.token(Caller::Kent, &["service"]);
    let children: Vec<Value> = (0..n)
        .map(|i| {
            json!({ "councilReference": format!("K-{i}"), "givenName": format!("G{}", i % 4),
                    "familyName": format!("Ash{}", i % 3), "dateOfBirth": "2013-05-01",
                    "sex": "FEMALE", "yearGroup": 7 + (i % 2) })
        })
        .collect();
    let (_, body) = app
        .graphql(&service, UPSERT_CHILDREN, json!({ "rows": children }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let starts = [
        "2026-09-07",
        "2026-09-21",
        "2026-10-05",
        "2026-11-02",
        "2026-11-23",
    ];
    let cases: Vec<Value> = (0..n)
        .map(|i| {
            let start = starts[i % starts.len()];
            let mut row = json!({ "councilReference": format!("C-{i}"), "childReference": format!("K-{i}"),
                                  "reason": if i % 3 == 0 { "PERMANENT_EXCLUSION" } else { "HEALTH" },
                                  "absenceStart": start });
            if i % 4 == 0 {
                row["closedOn"] = json!("2026-11-25");
                row["closureReason"] = json!("RETURNED_TO_SCHOOL");
            }
            row
        })
        .collect();
    let (_, body) = app
        .graphql(&service, UPSERT_CASES, json!({ "rows": cases }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

/// Every node of a connection, walked `first` at a time from its start: the nodes, and the
/// number of pages it took.
async fn walk(
    app: &TestApp,
    token: &str,
    field: &str,
    args: &str,
    fields: &str,
    first: usize,
) -> (Vec<Value>, usize) {
    let query = format!(
        "query($after: String) {{ {field}({args} first: {first}, after: $after) {{ \
         pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ cursor node {{ {fields} }} }} }} }}"
    );
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    for page in 1.. {
        let (_, body) = app.graphql(token, &query, json!({ "after": after })).await;
        let connection = &body["data"][field];
        let edges = connection["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"));
        assert!(edges.len() <= first, "{body}");
        assert_eq!(
            connection["pageInfo"]["hasPreviousPage"],
            page > 1,
            "{body}"
        );
        if let Some(last) = edges.last() {
            assert_eq!(
                last["cursor"], connection["pageInfo"]["endCursor"],
                "{body}"
            );
        }
        nodes.extend(edges.iter().map(|e| e["node"].clone()));
        if connection["pageInfo"]["hasNextPage"] != true {
            return (nodes, page);
        }
        assert_eq!(edges.len(), first, "a page before the last is full: {body}");
        after = connection["pageInfo"]["endCursor"].clone();
    }
    unreachable!()
}

fn ids(nodes: &[Value]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Walking the cases three at a time gives exactly the cases of one big page, in the order
/// asked for, each once, in every order and for each filter.
async fn case_pages_neither_skip_nor_repeat_a_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    load(&app, 23).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let fields = "id provisionDueBy schoolDaysWithoutProvision status";
    for order in ["DUE_DATE", "DAYS_WITHOUT_PROVISION"] {
        for filter in [
            "",
            "filter: { status: OPEN },",
            "filter: { status: CLOSED },",
            "filter: { overdue: true },",
            "filter: { overdue: false },",
            "filter: { reason: HEALTH },",
            "filter: { dueBefore: \"2026-12-01\" },",
            "filter: { yearGroup: 7 },",
        ] {
            let args = format!("orderBy: {order}, {filter}");
            let (all, pages) = walk(&app, &kent, "cases", &args, fields, 100).await;
            assert_eq!(pages, 1);
            let (walked, _) = walk(&app, &kent, "cases", &args, fields, 3).await;
            assert_eq!(ids(&walked), ids(&all), "{args}");
            let mut unique = ids(&all);
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), all.len(), "{args}: each case once");
            // The order asked for, ties by id.
            let mut sorted = all.clone();
            if order == "DUE_DATE" {
                let key = |n: &Value| {
                    (
                        n["provisionDueBy"]
                            .as_str()
                            .unwrap_or("9999-12-31")
                            .to_owned(),
                        n["id"].as_str().expect("id").to_owned(),
                    )
                };
                sorted.sort_by_key(key);
            } else {
                let key = |n: &Value| {
                    (
                        -n["schoolDaysWithoutProvision"].as_i64().expect("days"),
                        n["id"].as_str().expect("id").to_owned(),
                    )
                };
                sorted.sort_by_key(key);
            }
            assert_eq!(ids(&all), ids(&sorted), "{args}: in order");
        }
    }
    // Unfiltered, every case is listed in both orders.
    let (all, _) = walk(&app, &kent, "cases", "", "id", 5).await;
    assert_eq!(all.len(), 23);
}
on_both_stores!(case_pages_neither_skip_nor_repeat_a_case);

/// Children and audit events walk the same way.
async fn children_and_audit_pages_neither_skip_nor_repeat(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    load(&app, 11).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let fields = "id familyName givenName";
    let (all, _) = walk(&app, &kent, "children", "", fields, 100).await;
    let (walked, pages) = walk(&app, &kent, "children", "", fields, 2).await;
    assert_eq!(ids(&walked), ids(&all));
    assert_eq!(pages, 6);
    let key = |n: &Value| {
        (
            n["familyName"].as_str().expect("name").to_owned(),
            n["givenName"].as_str().expect("name").to_owned(),
            n["id"].as_str().expect("id").to_owned(),
        )
    };
    let mut sorted = all.clone();
    sorted.sort_by_key(key);
    assert_eq!(ids(&all), ids(&sorted));
    assert_eq!(all.len(), 11);
    let (filtered, _) = walk(
        &app,
        &kent,
        "children",
        "filter: { yearGroup: 8 },",
        fields,
        2,
    )
    .await;
    assert_eq!(filtered.len(), 5);

    let auditor = app.token(Caller::Kent, &["auditor"]);
    let (events, _) = walk(&app, &auditor, "auditEvents", "", "id sequence", 100).await;
    let (walked, _) = walk(&app, &auditor, "auditEvents", "", "id sequence", 3).await;
    // Reads of children above were appended meanwhile: the walk, newest first, starts at the
    // newest then and reaches the first event, each once.
    let sequences: Vec<i64> = walked
        .iter()
        .map(|e| e["sequence"].as_i64().expect("sequence"))
        .collect();
    let newest = sequences[0];
    assert_eq!(sequences, (1..=newest).rev().collect::<Vec<_>>());
    assert!(newest >= events.len() as i64);
}
on_both_stores!(children_and_audit_pages_neither_skip_nor_repeat);

/// A cursor the hub did not write for this list and order — an offset cursor of earlier
/// versions, a plain sequence number, another order's cursor, garbage — is BAD_USER_INPUT
/// naming `after`, for every connection.
async fn foreign_and_old_cursors_are_refused_naming_after(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    load(&app, 3).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let auditor = app.token(Caller::Kent, &["auditor"]);
    let offset = URL_SAFE_NO_PAD.encode(uuid::Uuid::from_u128(1).as_bytes());
    let (_, body) = app
        .graphql(
            &kent,
            "{ cases(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let due_cursor = body["data"]["cases"]["pageInfo"]["endCursor"].clone();
    let (_, body) = app
        .graphql(
            &kent,
            "{ children(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let child_cursor = body["data"]["children"]["pageInfo"]["endCursor"].clone();
    let cases_ranked = "query($after: String) { cases(orderBy: DAYS_WITHOUT_PROVISION, first: 1, after: $after) { edges { cursor } } }";
    let cases = "query($after: String) { cases(first: 1, after: $after) { edges { cursor } } }";
    let children =
        "query($after: String) { children(first: 1, after: $after) { edges { cursor } } }";
    let audit =
        "query($after: String) { auditEvents(first: 1, after: $after) { edges { cursor } } }";
    for (token, query, cursor) in [
        (&kent, cases, json!(offset)),
        (&kent, cases, json!("garbage")),
        (&kent, cases, child_cursor.clone()),
        (&kent, cases_ranked, due_cursor.clone()),
        (&kent, children, json!(offset)),
        (&kent, children, due_cursor.clone()),
        (&auditor, audit, json!("3")),
        (&auditor, audit, child_cursor.clone()),
    ] {
        let (_, body) = app.graphql(token, query, json!({ "after": cursor })).await;
        assert_eq!(
            error_code(&body),
            "BAD_USER_INPUT",
            "{query} {cursor}: {body}"
        );
        assert_eq!(error_field(&body), "after", "{query} {cursor}: {body}");
    }
}
on_both_stores!(foreign_and_old_cursors_are_refused_naming_after);

/// The page-reading statements (those with a LIMIT over a council table) a request sent.
fn page_statements(recorded: &[String], table: &str) -> Vec<String> {
    recorded
        .iter()
        .filter(|sql| sql.contains(&format!("FROM \"{table}\"")) && sql.contains(" LIMIT "))
        .cloned()
        .collect()
}

/// On PostgreSQL, each order of each list is served by an index: the statements a request ran,
/// `EXPLAIN`ed as the request ran them (as the app role, in the council), have a plan with no
/// Sort and no sequential scan of the list's table. (The planner is told to avoid both where it
/// can, so the test shows an index *can* serve the order even on a small test database, where a
/// sequential scan would be cheaper.)
#[tokio::test]
async fn every_list_order_is_served_by_an_index() {
    let app = TestApp::spawn(Backend::Postgres).await;
    load(&app, 30).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let auditor = app.token(Caller::Kent, &["auditor"]);
    let mut requests: Vec<(String, &str, String)> = Vec::new();
    for order in ["DUE_DATE", "DAYS_WITHOUT_PROVISION"] {
        for filter in [
            "",
            "filter: { status: OPEN },",
            "filter: { status: CLOSED },",
            "filter: { overdue: true },",
            "filter: { overdue: false },",
            "filter: { reason: HEALTH },",
            "filter: { dueBefore: \"2026-12-01\" },",
            "filter: { yearGroup: 7, schoolUrn: \"118765\", senStatus: NONE },",
            "filter: { status: OPEN, reason: PERMANENT_EXCLUSION, overdue: true },",
        ] {
            // The second page too: the cursor's condition must be a range of the index.
            let query = format!(
                "{{ cases(orderBy: {order}, {filter} first: 2) {{ pageInfo {{ endCursor }} edges {{ node {{ id }} }} }} }}"
            );
            requests.push((query, "case", kent.clone()));
        }
    }
    requests.push((
        "{ children(first: 2) { pageInfo { endCursor } edges { node { id } } } }".into(),
        "child",
        kent.clone(),
    ));
    requests.push(("{ children(filter: { yearGroup: 7 }, first: 2) { pageInfo { endCursor } edges { node { id } } } }".into(), "child", kent.clone()));
    requests.push((
        "{ auditEvents(first: 2) { pageInfo { endCursor } edges { node { id } } } }".into(),
        "audit_event",
        auditor.clone(),
    ));
    // Issue 10's lists: complaints, and the committee's remedies and actions by due date.
    let manager = app.token(Caller::Kent, &["manager"]);
    for n in 0..3 {
        let (_, body) = app
            .graphql(
                &manager,
                &format!(
                    "mutation {{ recordComplaint(input: {{ lgscoReference: \"22 013 57{n}\", category: SEN,
                       stage: OMBUDSMAN, receivedOn: \"2023-01-0{}\", outcome: FAULT_CAUSING_INJUSTICE,
                       decidedOn: \"2023-03-0{}\" }}) {{ id }} }}",
                    n + 1,
                    n + 1
                ),
                json!({}),
            )
            .await;
        let complaint = body["data"]["recordComplaint"]["id"].clone();
        let (_, body) = app
            .graphql(
                &manager,
                "mutation($c: ID!) { addRemedy(input: { complaintId: $c, kind: APOLOGY }) { id } }",
                json!({ "c": complaint }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    requests.push((
        "{ complaints(first: 2) { pageInfo { endCursor } edges { node { id } } } }".into(),
        "complaint",
        manager.clone(),
    ));
    requests.push((
        "{ complaintMonitoring(asOf: \"2023-06-01\") { remedies(first: 2) { pageInfo { endCursor } edges { node { remedy { id } } } } } }".into(),
        "remedy",
        manager.clone(),
    ));

    // Issue 9's releases: two revisions of one period (every council's figure missing, which
    // is still a release), read by a partnership analyst outside any council's transaction.
    let coordinator = app.token(Caller::Partnership, &["partnership_coordinator"]);
    for reason in [None, Some("a correction")] {
        let (_, body) = app
            .graphql(
                &coordinator,
                "mutation($reason: String) { compileRelease(period: \"2025-26\", reason: $reason) { id } }",
                json!({ "reason": reason }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    requests.push((
        "{ releases(first: 2) { pageInfo { endCursor } edges { node { id } } } }".into(),
        "release",
        app.token(Caller::Partnership, &["partnership_analyst"]),
    ));

    let owner = app.database.connect().await;
    for (query, table, token) in requests {
        let (_, body) = app.graphql(&token, &query, json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
        let connection = body["data"]
            .as_object()
            .and_then(|d| d.values().next())
            .cloned()
            .expect("a connection");
        let cursor = connection["pageInfo"]["endCursor"].clone();
        let second_page = query.replacen("first: 2)", "first: 2, after: $after)", 1);
        let second_page = format!("query($after: String) {}", second_page);
        // The first page's index conditions, statement by statement: the second page's must
        // each say more (the cursor's bound), or the index only orders the council's rows and
        // the cursor is checked row by row from the top (as it was under row-level security
        // while the keys were expressions: page 1,000 read 50,000 rows).
        let mut first_conditions: Vec<Vec<String>> = Vec::new();
        for (page, (text, variables)) in [
            (query.clone(), json!({})),
            (second_page, json!({ "after": cursor })),
        ]
        .into_iter()
        .enumerate()
        {
            if variables["after"].is_null() && text.contains("$after") {
                continue;
            }
            app.statement_log().start();
            let (_, body) = app.graphql(&token, &text, variables).await;
            let recorded = app.statement_log().stop();
            assert!(body["errors"].is_null(), "{body}");
            // A council's list runs in its council transaction (role and council set first);
            // releases are read outside any.
            let tenant = recorded
                .iter()
                .find(|sql| sql.contains("set_config('role'"))
                .cloned()
                .unwrap_or_else(|| "SELECT 1".to_owned());
            let pages = page_statements(&recorded, table);
            assert!(!pages.is_empty(), "{text}: {recorded:#?}");
            for (statement, sql) in pages.into_iter().enumerate() {
                let txn = owner.begin().await.expect("begin");
                for setup in [
                    tenant.as_str(),
                    "SET LOCAL enable_seqscan = off",
                    "SET LOCAL enable_sort = off",
                    "SET LOCAL enable_incremental_sort = off",
                ] {
                    txn.execute_unprepared(setup).await.expect(setup);
                }
                let plan: Vec<String> = txn
                    .query_all_raw(Statement::from_string(
                        txn.get_database_backend(),
                        format!("EXPLAIN {sql}"),
                    ))
                    .await
                    .expect("explain")
                    .iter()
                    .map(|row| row.try_get_by_index::<String>(0).expect("plan line"))
                    .collect();
                txn.rollback().await.expect("rollback");
                let plan = plan.join("\n");
                assert!(!plan.contains("Sort"), "{text}\n{sql}\n{plan}");
                assert!(
                    !plan.contains(&format!("Seq Scan on \"{table}\""))
                        && !plan.contains(&format!("Seq Scan on {table}")),
                    "{text}\n{sql}\n{plan}"
                );
                assert!(plan.contains("Index"), "{text}\n{sql}\n{plan}");
                let conditions: Vec<String> = plan
                    .lines()
                    .filter(|line| line.contains("Index Cond:"))
                    .map(|line| line.trim().to_owned())
                    .collect();
                if page == 0 {
                    first_conditions.push(conditions);
                } else if let Some(first) = first_conditions.get(statement) {
                    assert!(
                        conditions.iter().any(|c| !first.contains(c)),
                        "the cursor is not part of the index condition\n{text}\n{sql}\n{plan}\nfirst page: {first:#?}"
                    );
                }
            }
        }
    }
}
