//! The application lock, proven over GraphQL on both stores: a caseworker of Surrey can neither
//! list, read, update nor delete Kent's child, and Kent's ids are NOT_FOUND to Surrey; partnership
//! roles reach no council record, and release operations are refused to every role but theirs.

use hub_tests::{Backend, Caller, TestApp, error_code, on_both_stores};
use serde_json::json;

const KENT_UPN: &str = "B801200005001";

async fn kent_child(app: &TestApp) -> String {
    let kent = app.token(Caller::Kent, &["caseworker"]);
    app.create_child(&kent, "Ada", "Ashdown", Some(KENT_UPN))
        .await
}

async fn caseworker_cannot_list_another_councils_children(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    kent_child(&app).await;
    let surrey = app.token(Caller::Surrey, &["CME-Officer"]);
    let (_, body) = app
        .graphql(
            &surrey,
            "{ children { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["children"]["totalCount"], 0, "{body}");
    assert_eq!(body["data"]["children"]["edges"], json!([]));
    // Not even by searching for the UPN.
    let (_, body) = app
        .graphql(
            &surrey,
            "query($upn: String) { children(filter: { upn: $upn }) { totalCount } }",
            json!({ "upn": KENT_UPN }),
        )
        .await;
    assert_eq!(body["data"]["children"]["totalCount"], 0, "{body}");
}
on_both_stores!(caseworker_cannot_list_another_councils_children);

async fn caseworker_cannot_read_another_councils_child(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = kent_child(&app).await;
    let surrey = app.token(Caller::Surrey, &["CME-Officer"]);
    let (_, body) = app
        .graphql(
            &surrey,
            "query($id: ID!) { child(id: $id) { givenName upn } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert!(
        body["data"].is_null(),
        "nothing of the child may come back: {body}"
    );
    // The same error as for an id that exists nowhere: ids cannot be confirmed across councils.
    let (_, nowhere) = app
        .graphql(
            &surrey,
            "query($id: ID!) { child(id: $id) { givenName } }",
            json!({ "id": uuid::Uuid::now_v7().to_string() }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["message"],
        nowhere["errors"][0]["message"]
    );
}
on_both_stores!(caseworker_cannot_read_another_councils_child);

async fn caseworker_cannot_update_another_councils_child(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = kent_child(&app).await;
    let surrey = app.token(Caller::Surrey, &["CME-Officer"]);
    let (_, body) = app
        .graphql(
            &surrey,
            "mutation($id: ID!) { updateChild(id: $id, input: { givenName: \"Mallory\" }) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(
            &kent,
            "query($id: ID!) { child(id: $id) { givenName } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["child"]["givenName"], "Ada",
        "Kent's child must be unchanged"
    );
}
on_both_stores!(caseworker_cannot_update_another_councils_child);

async fn caseworker_cannot_delete_another_councils_child(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = kent_child(&app).await;
    let surrey = app.token(Caller::Surrey, &["CME-Manager"]);
    let (_, body) = app
        .graphql(
            &surrey,
            "mutation($id: ID!) { deleteChild(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(
            &kent,
            "query($id: ID!) { child(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["child"]["id"], id,
        "Kent's child must still exist"
    );
}
on_both_stores!(caseworker_cannot_delete_another_councils_child);

async fn the_same_upn_may_be_recorded_by_two_councils(backend: Backend) {
    // A child who moves is known to both councils; uniqueness is per council.
    let app = TestApp::spawn(backend).await;
    kent_child(&app).await;
    let surrey = app.token(Caller::Surrey, &["CME-Officer"]);
    app.create_child(&surrey, "Ada", "Ashdown", Some(KENT_UPN))
        .await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(&kent, "{ children { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["children"]["totalCount"], 1);
}
on_both_stores!(the_same_upn_may_be_recorded_by_two_councils);

async fn partnership_roles_reach_no_council_record(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let child = kent_child(&app).await;
    for role in ["partnership_analyst", "partnership_coordinator"] {
        let token = app.token(Caller::Partnership, &[role]);
        for (query, variables) in [
            ("{ children { totalCount } }", json!({})),
            (
                "query($id: ID!) { child(id: $id) { givenName } }",
                json!({ "id": child }),
            ),
            ("{ cases { edges { node { id } } } }", json!({})),
            (
                "{ auditEvents { edges { node { operation } } } }",
                json!({}),
            ),
            (
                "mutation($id: ID!) { deleteChild(id: $id) }",
                json!({ "id": child }),
            ),
        ] {
            let (_, body) = app.graphql(&token, query, variables).await;
            assert_eq!(error_code(&body), "FORBIDDEN", "{role}: {query}: {body}");
            assert!(body["data"].is_null(), "{role}: {query}: {body}");
        }
    }
}
on_both_stores!(partnership_roles_reach_no_council_record);

/// Release operations by role: only the coordinator compiles or changes settings; reading is
/// for partnership roles and member councils' analysts and managers.
async fn release_operations_are_refused_to_every_other_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let compile = "mutation { compileRelease(period: \"2023-24\") { id } }";
    let settings =
        "mutation { setDisclosureSettings(threshold: 7, roundingBase: 5) { threshold } }";
    let list = "{ releases { edges { node { id } } } }";
    let read = "query($id: ID!) { release(id: $id) { id } }";
    let nowhere = json!({ "id": uuid::Uuid::now_v7().to_string() });
    let kent = |roles: &[&str]| app.token(Caller::Kent, roles);
    let cases: Vec<(String, &str, serde_json::Value, &str)> = vec![
        (kent(&["caseworker"]), list, json!({}), "FORBIDDEN"),
        (kent(&["auditor"]), list, json!({}), "FORBIDDEN"),
        (kent(&["service"]), list, json!({}), "FORBIDDEN"),
        (kent(&["caseworker"]), read, nowhere.clone(), "FORBIDDEN"),
        (
            kent(&["manager", "analyst"]),
            compile,
            json!({}),
            "FORBIDDEN",
        ),
        (kent(&["manager"]), settings, json!({}), "FORBIDDEN"),
        (kent(&["service"]), compile, json!({}), "FORBIDDEN"),
        (
            app.token(Caller::Partnership, &["partnership_analyst"]),
            compile,
            json!({}),
            "FORBIDDEN",
        ),
        (
            app.token(Caller::Partnership, &["partnership_analyst"]),
            settings,
            json!({}),
            "FORBIDDEN",
        ),
        (kent(&["analyst"]), read, nowhere.clone(), "NOT_FOUND"),
        (
            app.token(Caller::Partnership, &["partnership_analyst"]),
            read,
            nowhere,
            "NOT_FOUND",
        ),
    ];
    for (token, query, variables, expected) in cases {
        let (_, body) = app.graphql(&token, query, variables).await;
        assert_eq!(error_code(&body), expected, "{query}: {body}");
    }
}
on_both_stores!(release_operations_are_refused_to_every_other_role);
