//! Children over GraphQL: validation that names the field and writes nothing, uniqueness within a
//! council, roles, pagination and filters.

use hub_tests::{Backend, Caller, TestApp, error_code, error_field, on_both_stores};
use serde_json::{Value, json};

const CREATE: &str =
    "mutation($input: CreateChildInput!) { createChild(input: $input) { id upn } }";

fn child_input(overrides: Value) -> Value {
    let mut input = json!({
        "givenName": "Ada", "familyName": "Ashdown", "dateOfBirth": "2014-03-09", "sex": "FEMALE",
    });
    if let (Some(map), Value::Object(extra)) = (input.as_object_mut(), overrides) {
        map.extend(extra);
    }
    input
}

async fn total_children(app: &TestApp, token: &str) -> i64 {
    let (_, body) = app
        .graphql(token, "{ children { totalCount } }", json!({}))
        .await;
    body["data"]["children"]["totalCount"]
        .as_i64()
        .expect("totalCount")
}

async fn invalid_fields_are_bad_user_input_and_nothing_is_written(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    for (overrides, field) in [
        (json!({ "upn": "Q207000016049" }), "upn"),
        (json!({ "upn": "B80120000500" }), "upn"),
        (json!({ "dateOfBirth": "2099-01-01" }), "dateOfBirth"),
        (json!({ "givenName": "   " }), "givenName"),
        (json!({ "yearGroup": 15 }), "yearGroup"),
        (json!({ "schoolUrn": "12AB" }), "schoolUrn"),
    ] {
        let (status, body) = app
            .graphql(&kent, CREATE, json!({ "input": child_input(overrides) }))
            .await;
        assert_eq!(status, 200);
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(error_field(&body), field, "{body}");
    }
    assert_eq!(
        total_children(&app, &kent).await,
        0,
        "nothing may be written"
    );
}
on_both_stores!(invalid_fields_are_bad_user_input_and_nothing_is_written);

async fn a_duplicate_upn_in_the_same_council_is_a_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let first = app
        .create_child(&kent, "Ada", "Ashdown", Some("B801200005001"))
        .await;
    // Lower case is the same UPN.
    let (_, body) = app
        .graphql(
            &kent,
            CREATE,
            json!({ "input": child_input(json!({ "upn": "b801200005001" })) }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(error_field(&body), "upn");
    // Moving another child onto the UPN is a conflict too.
    let second = app.create_child(&kent, "Ben", "Brookes", None).await;
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($id: ID!) { updateChild(id: $id, input: { upn: \"B801200005001\" }) { id } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    // Re-saving the child's own UPN is not.
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($id: ID!) { updateChild(id: $id, input: { upn: \"B801200005001\", yearGroup: 8 }) { id } }",
            json!({ "id": first }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(total_children(&app, &kent).await, 2);
}
on_both_stores!(a_duplicate_upn_in_the_same_council_is_a_conflict);

#[tokio::test]
async fn only_caseworkers_and_managers_see_identifiable_records() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for token in [
        app.token(Caller::Kent, &["analyst"]),
        app.token(Caller::Kent, &["auditor"]),
        app.token(Caller::Kent, &["service"]),
        app.token(Caller::Partnership, &["partnership_coordinator"]),
    ] {
        let (_, body) = app
            .graphql(&token, "{ children { totalCount } }", json!({}))
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
        let (_, body) = app
            .graphql(&token, CREATE, json!({ "input": child_input(json!({})) }))
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let manager = app.token(Caller::Kent, &["manager"]);
    assert_eq!(total_children(&app, &manager).await, 0);
}

#[tokio::test]
async fn children_page_in_name_order_with_filters() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    for (given, family) in [
        ("Zoe", "Weald"),
        ("Amara", "Chalk"),
        ("Kofi", "Ashdown"),
        ("Ben", "Chalk"),
        ("Ann", "O'Brien"),
    ] {
        app.create_child(&kent, given, family, None).await;
    }
    let page = "query($after: String) { children(first: 2, after: $after) { \
                totalCount pageInfo { hasNextPage endCursor } edges { node { givenName familyName } } } }";
    let mut names = Vec::new();
    let mut after = Value::Null;
    loop {
        let (_, body) = app.graphql(&kent, page, json!({ "after": after })).await;
        let children = &body["data"]["children"];
        assert_eq!(children["totalCount"], 5, "{body}");
        for edge in children["edges"].as_array().expect("edges") {
            names.push(format!(
                "{} {}",
                edge["node"]["givenName"].as_str().unwrap_or(""),
                edge["node"]["familyName"].as_str().unwrap_or("")
            ));
        }
        if children["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = children["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        names,
        [
            "Kofi Ashdown",
            "Amara Chalk",
            "Ben Chalk",
            "Ann O'Brien",
            "Zoe Weald"
        ]
    );

    let (_, body) = app
        .graphql(
            &kent,
            "{ children(filter: { nameContains: \"CHA\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["children"]["totalCount"], 2,
        "name filter ignores case: {body}"
    );
    let (_, body) = app
        .graphql(
            &kent,
            "{ children(filter: { nameContains: \"%\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["children"]["totalCount"], 0,
        "% is literal: {body}"
    );
    let (_, body) = app
        .graphql(
            &kent,
            "{ children(filter: { yearGroup: 7 }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["children"]["totalCount"], 5);
    let (_, body) = app
        .graphql(&kent, "{ children(first: 1000) { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(error_field(&body), "first");
    let (_, body) = app
        .graphql(
            &kent,
            "{ children(after: \"garbage\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_field(&body), "after", "{body}");
}

#[tokio::test]
async fn null_clears_an_optional_field_and_omitted_fields_stay() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let id = app
        .create_child(&kent, "Ada", "Ashdown", Some("B801200005001"))
        .await;
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($id: ID!) { updateChild(id: $id, input: { upn: null, familyName: \"Brookes\" }) \
             { upn givenName familyName yearGroup } }",
            json!({ "id": id }),
        )
        .await;
    let child = &body["data"]["updateChild"];
    assert!(child["upn"].is_null(), "{body}");
    assert_eq!(child["familyName"], "Brookes");
    assert_eq!(child["givenName"], "Ada");
    assert_eq!(child["yearGroup"], 7);
}

#[tokio::test]
async fn a_deleted_child_is_gone() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["manager"]);
    let id = app.create_child(&kent, "Ada", "Ashdown", None).await;
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($id: ID!) { deleteChild(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["deleteChild"], id.as_str());
    let (_, body) = app
        .graphql(
            &kent,
            "query($id: ID!) { child(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let (_, body) = app
        .graphql(
            &kent,
            "query { child(id: \"not-a-uuid\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}
