//! The application lock, proven over GraphQL on both stores: a caseworker of Surrey can neither
//! list, read, update nor delete Kent's child, and Kent's ids are NOT_FOUND to Surrey.

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

async fn analyst_cannot_read_another_councils_return(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["manager"]);
    let (_, body) = app
        .graphql(
            &kent,
            "mutation { computeReturn(period: \"2025-26\") { id } }",
            json!({}),
        )
        .await;
    let id = body["data"]["computeReturn"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let surrey = app.token(Caller::Surrey, &["Insight"]);
    let (_, body) = app
        .graphql(
            &surrey,
            "query($id: ID!) { councilReturn(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let (_, body) = app
        .graphql(&surrey, "{ councilReturns { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["councilReturns"], json!([]), "{body}");
    let partnership = app.token(Caller::Partnership, &["partnership_analyst"]);
    let (_, body) = app
        .graphql(
            &partnership,
            "query($id: ID!) { councilReturn(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
}
on_both_stores!(analyst_cannot_read_another_councils_return);
