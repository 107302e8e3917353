//! Batch upserts from a council's case system: idempotent, all-or-nothing, every bad row named.

use hub_tests::{Backend, Caller, TestApp, error_code, on_both_stores};
use serde_json::{Value, json};

const UPSERT_CHILDREN: &str = "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created updated unchanged } }";
const UPSERT_CASES: &str = "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created updated unchanged } }";

fn child_row(reference: &str, given: &str, upn: Option<&str>) -> Value {
    json!({ "councilReference": reference, "givenName": given, "familyName": "Ashdown",
            "dateOfBirth": "2013-05-01", "sex": "MALE", "yearGroup": 8, "upn": upn })
}

async fn count(app: &TestApp, query: &str, path: &[&str]) -> Value {
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app.graphql(&caseworker, query, json!({})).await;
    let mut value = &body["data"];
    for key in path {
        value = &value[*key];
    }
    value.clone()
}

async fn the_same_batch_twice_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let service = app.token(Caller::Kent, &["service"]);
    let rows = json!([
        child_row("K-1", "Ali", Some("B801200005001")),
        child_row("K-2", "Bo", None),
        child_row("K-3", "Cy", None)
    ]);
    let (_, body) = app
        .graphql(&service, UPSERT_CHILDREN, json!({ "rows": rows }))
        .await;
    assert_eq!(
        body["data"]["upsertChildren"],
        json!({ "created": 3, "updated": 0, "unchanged": 0 }),
        "{body}"
    );
    let (_, body) = app
        .graphql(&service, UPSERT_CHILDREN, json!({ "rows": rows }))
        .await;
    assert_eq!(
        body["data"]["upsertChildren"],
        json!({ "created": 0, "updated": 0, "unchanged": 3 }),
        "{body}"
    );
    let changed = json!([
        child_row("K-1", "Ali", Some("B801200005001")),
        child_row("K-2", "Bob", None)
    ]);
    let (_, body) = app
        .graphql(&service, UPSERT_CHILDREN, json!({ "rows": changed }))
        .await;
    assert_eq!(
        body["data"]["upsertChildren"],
        json!({ "created": 0, "updated": 1, "unchanged": 1 }),
        "{body}"
    );
    assert_eq!(
        count(
            &app,
            "{ children { totalCount } }",
            &["children", "totalCount"]
        )
        .await,
        3
    );

    let cases = json!([
        { "councilReference": "C-1", "childReference": "K-1", "reason": "HEALTH", "absenceStart": "2026-10-05" },
        { "councilReference": "C-2", "childReference": "K-2", "reason": "SUSPENSION", "absenceStart": "2026-10-06",
          "closedOn": "2026-10-20", "closureReason": "RETURNED_TO_SCHOOL" },
    ]);
    let (_, body) = app
        .graphql(&service, UPSERT_CASES, json!({ "rows": cases }))
        .await;
    assert_eq!(
        body["data"]["upsertCases"],
        json!({ "created": 2, "updated": 0, "unchanged": 0 }),
        "{body}"
    );
    let (_, body) = app
        .graphql(&service, UPSERT_CASES, json!({ "rows": cases }))
        .await;
    assert_eq!(
        body["data"]["upsertCases"],
        json!({ "created": 0, "updated": 0, "unchanged": 2 }),
        "{body}"
    );
    let open = count(&app, "{ cases(filter: { status: OPEN }) { edges { node { child { givenName } timeline { kind } } } } }", &["cases", "edges"]).await;
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["node"]["timeline"][0]["kind"], "REFERRAL_RECEIVED");
}
on_both_stores!(the_same_batch_twice_changes_nothing);

#[tokio::test]
async fn a_batch_with_bad_rows_reports_every_one_and_writes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let service = app.token(Caller::Kent, &["service"]);
    let mut no_reference = child_row("K-4", "Di", None);
    no_reference
        .as_object_mut()
        .expect("object")
        .remove("councilReference");
    let rows = json!([
        child_row("K-1", "Ali", None),
        child_row("K-2", "Bo", Some("Q207000016049")),
        child_row("K-3", "Cy", None),
        no_reference,
        child_row("K-1", "Ed", None),
        { "councilReference": "K-6", "givenName": "Flo", "familyName": "Weald", "dateOfBirth": "2099-01-01", "sex": "FEMALE" },
    ]);
    let (status, body) = app
        .graphql(&service, UPSERT_CHILDREN, json!({ "rows": rows }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let rejections: Vec<(u64, String)> = body["errors"][0]["extensions"]["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap_or(99),
                r["field"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejections,
        [
            (1, "upn".into()),
            (3, "councilReference".into()),
            (4, "councilReference".into()),
            (5, "dateOfBirth".into())
        ],
        "{body}"
    );
    assert_eq!(
        count(
            &app,
            "{ children { totalCount } }",
            &["children", "totalCount"]
        )
        .await,
        0,
        "all or nothing"
    );

    let (_, body) = app
        .graphql(&service, UPSERT_CASES, json!({ "rows": [{ "councilReference": "C-1", "childReference": "K-404", "reason": "HEALTH", "absenceStart": "2026-10-05" }] }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["rejections"][0]["field"], "childReference",
        "{body}"
    );
}

#[tokio::test]
async fn only_service_clients_load_batches_and_only_into_their_own_council() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, body) = app
        .graphql(
            &app.token(Caller::Kent, &["caseworker"]),
            UPSERT_CHILDREN,
            json!({ "rows": [child_row("K-1", "Ali", None)] }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let kent = app.token(Caller::Kent, &["service"]);
    app.graphql(
        &kent,
        UPSERT_CHILDREN,
        json!({ "rows": [child_row("K-1", "Ali", None)] }),
    )
    .await;
    // Surrey's system cannot attach a case to Kent's child by guessing its reference.
    let surrey = app.token(Caller::Surrey, &["service"]);
    let (_, body) = app
        .graphql(&surrey, UPSERT_CASES, json!({ "rows": [{ "councilReference": "S-1", "childReference": "K-1", "reason": "HEALTH", "absenceStart": "2026-10-05" }] }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["rejections"][0]["field"], "childReference",
        "{body}"
    );
    // And the same reference in Surrey is a different child.
    let (_, body) = app
        .graphql(
            &surrey,
            UPSERT_CHILDREN,
            json!({ "rows": [child_row("K-1", "Sam", None)] }),
        )
        .await;
    assert_eq!(body["data"]["upsertChildren"]["created"], 1, "{body}");
    let (_, body) = app
        .graphql(&kent, UPSERT_CHILDREN, json!({ "rows": [] }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "rows", "{body}");
}

/// The first large load into a table whose statistics never counted it gets them refreshed
/// after the answer, so the next batch's lookups are planned for the table's real size.
#[tokio::test]
async fn a_first_large_load_refreshes_the_planners_statistics() {
    use sea_orm::{ConnectionTrait, Statement};

    let app = TestApp::spawn(Backend::Postgres).await;
    let service = app.token(Caller::Kent, &["service"]);
    let rows: Vec<Value> = (0..1_000)
        .map(|n| child_row(&format!("K-{n}"), "Ali", None))
        .collect();
    let (_, body) = app
        .graphql(&service, UPSERT_CHILDREN, json!({ "rows": rows }))
        .await;
    assert_eq!(body["data"]["upsertChildren"]["created"], 1_000, "{body}");
    let db = app.database.connect().await;
    let counted = || async {
        db.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT reltuples::float8 FROM pg_class WHERE oid = 'child'::regclass",
        ))
        .await
        .expect("read pg_class")
        .expect("a row")
        .try_get_by_index::<f64>(0)
        .expect("reltuples")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while counted().await < 1_000.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the statistics still count {} children",
            counted().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
