//! Who am I, my council, my partnership.

use hub_tests::{Backend, Caller, TestApp, error_code};
use serde_json::json;

#[tokio::test]
async fn a_council_user_sees_their_council_and_its_partnership() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(
            &kent,
            "{ myCouncil { laCode onsCode name } partnership { code regionCode memberCouncils { laCode } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["myCouncil"],
        json!({ "laCode": "886", "onsCode": "E10000016", "name": "Kent" })
    );
    assert_eq!(body["data"]["partnership"]["code"], "SESLIP");
    assert_eq!(body["data"]["partnership"]["regionCode"], "E12000008");
    assert_eq!(
        body["data"]["partnership"]["memberCouncils"]
            .as_array()
            .map(Vec::len),
        Some(19)
    );
}

#[tokio::test]
async fn a_partnership_user_has_no_council_and_sees_only_their_partnership() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let analyst = app.token(Caller::Partnership, &["partnership_analyst"]);
    let (_, body) = app
        .graphql(
            &analyst,
            "{ myCouncil { name } partnership { code } }",
            json!({}),
        )
        .await;
    assert!(body["data"]["myCouncil"].is_null(), "{body}");
    assert_eq!(body["data"]["partnership"]["code"], "SESLIP");
    let (_, body) = app
        .graphql(
            &analyst,
            "{ partnership(code: \"NWLIP\") { code } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
}
