//! The audit log: every read and change of identifiable records is recorded with ids only,
//! chained by hashes so that tampering with a stored event is detected.

use hub_tests::{Backend, Caller, TestApp, error_code, on_both_stores};
use sea_orm::ConnectionTrait;
use serde_json::json;

const EVENTS: &str = "{ auditEvents(first: 100) { edges { node { sequence subject issuer operation recordType recordIds } } } }";
const VERIFY: &str = "{ verifyAuditChain { intact eventsChecked firstBrokenSequence reason } }";

async fn some_case_work(app: &TestApp) -> String {
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app
        .create_child(&kent, "Ada", "Ashdown", Some("B801200005001"))
        .await;
    app.graphql(
        &kent,
        "query($id: ID!) { child(id: $id) { givenName } }",
        json!({ "id": child }),
    )
    .await;
    app.graphql(&kent, "{ children { totalCount } }", json!({}))
        .await;
    let (_, body) = app
        .graphql(&kent, "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2026-10-05\" }) { id } }", json!({ "c": child }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    child
}

async fn reads_and_changes_are_audited_without_personal_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let child = some_case_work(&app).await;
    let auditor = app.token(Caller::Kent, &["auditor"]);
    let (_, body) = app.graphql(&auditor, EVENTS, json!({})).await;
    let events = body["data"]["auditEvents"]["edges"]
        .as_array()
        .expect("events")
        .clone();
    let operations: Vec<&str> = events
        .iter()
        .rev()
        .filter_map(|e| e["node"]["operation"].as_str())
        .collect();
    assert_eq!(
        operations,
        [
            "child.create",
            "child.read",
            "child.list",
            "case.create",
            "case.read"
        ],
        "{body}"
    );
    assert_eq!(
        events.last().expect("first event")["node"]["recordIds"],
        json!([child])
    );
    assert!(events.iter().all(|e| {
        e["node"]["subject"]
            .as_str()
            .unwrap_or("")
            .ends_with("officer-17")
    }));
    let text = body.to_string();
    for personal in ["Ada", "Ashdown", "B801200005001", "2014-03-09"] {
        assert!(
            !text.contains(personal),
            "the audit log must not hold {personal}"
        );
    }
    let (_, body) = app.graphql(&auditor, VERIFY, json!({})).await;
    assert_eq!(body["data"]["verifyAuditChain"]["intact"], true, "{body}");
    assert_eq!(body["data"]["verifyAuditChain"]["eventsChecked"], 5);
}
on_both_stores!(reads_and_changes_are_audited_without_personal_data);

async fn tampering_with_a_stored_event_is_detected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    some_case_work(&app).await;
    // Someone with direct database access hides a read of the child.
    let owner = app.database.connect().await;
    owner
        .execute_unprepared("UPDATE audit_event SET operation = 'child.list' WHERE sequence = 2")
        .await
        .expect("tamper");
    let auditor = app.token(Caller::Kent, &["auditor"]);
    let (_, body) = app.graphql(&auditor, VERIFY, json!({})).await;
    let report = &body["data"]["verifyAuditChain"];
    assert_eq!(report["intact"], false, "{body}");
    assert_eq!(report["firstBrokenSequence"], 2);
    // Deleting an event breaks the chain too.
    owner
        .execute_unprepared("DELETE FROM audit_event WHERE sequence = 3")
        .await
        .expect("delete");
    owner
        .execute_unprepared("UPDATE audit_event SET operation = 'child.read' WHERE sequence = 2")
        .await
        .expect("restore");
    let (_, body) = app.graphql(&auditor, VERIFY, json!({})).await;
    assert_eq!(
        body["data"]["verifyAuditChain"]["firstBrokenSequence"], 4,
        "{body}"
    );
}
on_both_stores!(tampering_with_a_stored_event_is_detected);

#[tokio::test]
async fn the_app_role_cannot_rewrite_the_audit_log() {
    let app = TestApp::spawn(Backend::Postgres).await;
    some_case_work(&app).await;
    let owner = app.database.connect().await;
    let result = owner
        .execute_unprepared(
            "BEGIN; SET LOCAL ROLE hub_app; UPDATE audit_event SET operation = 'x'; COMMIT;",
        )
        .await;
    owner.execute_unprepared("ROLLBACK").await.ok();
    assert!(result.is_err_and(|e| e.to_string().contains("permission denied")));
}

async fn the_audit_log_is_the_councils_own(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    some_case_work(&app).await;
    let surrey = app.token(Caller::Surrey, &["auditor"]);
    let (_, body) = app.graphql(&surrey, EVENTS, json!({})).await;
    assert_eq!(body["data"]["auditEvents"]["edges"], json!([]), "{body}");
    for token in [
        app.token(Caller::Kent, &["caseworker"]),
        app.token(Caller::Kent, &["manager"]),
        app.token(Caller::Partnership, &["partnership_coordinator"]),
    ] {
        let (_, body) = app.graphql(&token, EVENTS, json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
}
on_both_stores!(the_audit_log_is_the_councils_own);

/// Reads are appended in batches: many at once, from two councils, with changes in between,
/// must each be recorded once, in each council's own unbroken chain.
async fn concurrent_reads_are_each_recorded_in_an_unbroken_chain(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let surrey = app.token(Caller::Surrey, &["caseworker"]);
    let kent_child = app.create_child(&kent, "Ada", "Ashdown", None).await;
    let surrey_child = app.create_child(&surrey, "Bea", "Box", None).await;
    let mut reads = Vec::new();
    for n in 0..24 {
        let (app, token, child) = if n % 2 == 0 {
            (app.clone(), kent.clone(), kent_child.clone())
        } else {
            (app.clone(), surrey.clone(), surrey_child.clone())
        };
        reads.push(tokio::spawn(async move {
            let (_, body) = app
                .graphql(
                    &token,
                    "query($id: ID!) { child(id: $id) { givenName } }",
                    json!({ "id": child }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
            if n % 8 < 2 {
                // A change appends inside its own transaction, between the batched reads.
                app.create_child(&token, "Cal", "Crowborough", None).await;
            }
        }));
    }
    for read in reads {
        read.await.expect("read");
    }
    for council in [Caller::Kent, Caller::Surrey] {
        let auditor = app.token(council, &["auditor"]);
        let (_, body) = app.graphql(&auditor, EVENTS, json!({})).await;
        let operations: Vec<&str> = body["data"]["auditEvents"]["edges"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["node"]["operation"].as_str())
            .collect();
        assert_eq!(
            operations.iter().filter(|op| **op == "child.read").count(),
            12,
            "{body}"
        );
        assert_eq!(
            operations
                .iter()
                .filter(|op| **op == "child.create")
                .count(),
            4,
            "{body}"
        );
        let (_, body) = app.graphql(&auditor, VERIFY, json!({})).await;
        assert_eq!(body["data"]["verifyAuditChain"]["intact"], true, "{body}");
        assert_eq!(body["data"]["verifyAuditChain"]["eventsChecked"], 16);
    }
}
on_both_stores!(concurrent_reads_are_each_recorded_in_an_unbroken_chain);

/// No identifiable record leaves the service unrecorded: when the audit log refuses the event,
/// the read fails and its data is not sent.
#[tokio::test]
async fn a_read_that_cannot_be_recorded_is_not_answered() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Ada", "Ashdown", None).await;
    let owner = app.database.connect().await;
    owner
        .execute_unprepared("REVOKE INSERT ON audit_event FROM hub_app")
        .await
        .expect("revoke");
    let (_, body) = app
        .graphql(
            &kent,
            "query($id: ID!) { child(id: $id) { givenName } }",
            json!({ "id": child }),
        )
        .await;
    owner
        .execute_unprepared("GRANT INSERT ON audit_event TO hub_app")
        .await
        .expect("grant");
    assert_eq!(error_code(&body), "INTERNAL_SERVER_ERROR", "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(!body.to_string().contains("Ada"), "{body}");
}

/// A chain alone cannot show that its newest events were cut off; checked against the head an
/// auditor noted earlier, it can.
async fn cutting_events_off_the_end_is_detected_against_a_recorded_head(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    some_case_work(&app).await;
    let auditor = app.token(Caller::Kent, &["auditor"]);
    let (_, body) = app
        .graphql(
            &auditor,
            "{ auditEvents(first: 1) { edges { node { sequence hash } } } }",
            json!({}),
        )
        .await;
    let head = body["data"]["auditEvents"]["edges"][0]["node"].clone();
    let newest = head["sequence"].as_i64().expect("sequence");
    const CHECK: &str = "query($head: RecordedHead) { verifyAuditChain(recordedHead: $head) { intact eventsChecked firstBrokenSequence reason } }";
    let (_, body) = app.graphql(&auditor, CHECK, json!({ "head": head })).await;
    assert_eq!(body["data"]["verifyAuditChain"]["intact"], true, "{body}");
    // Someone with direct database access removes the two newest events.
    let owner = app.database.connect().await;
    owner
        .execute_unprepared(&format!(
            "DELETE FROM audit_event WHERE sequence >= {}",
            newest - 1
        ))
        .await
        .expect("truncate");
    let (_, body) = app.graphql(&auditor, VERIFY, json!({})).await;
    assert_eq!(
        body["data"]["verifyAuditChain"]["intact"], true,
        "what is left is a valid chain: {body}"
    );
    let (_, body) = app.graphql(&auditor, CHECK, json!({ "head": head })).await;
    let report = &body["data"]["verifyAuditChain"];
    assert_eq!(report["intact"], false, "{body}");
    assert_eq!(report["firstBrokenSequence"], newest - 1, "{body}");
    assert!(
        report["reason"]
            .as_str()
            .is_some_and(|r| r.contains("removed from its end")),
        "{body}"
    );
    // A recorded hash that is not a hash is refused, naming the field.
    let (_, body) = app
        .graphql(
            &auditor,
            CHECK,
            json!({ "head": { "sequence": 1, "hash": "not-a-hash" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(hub_tests::error_field(&body), "recordedHead.hash", "{body}");
}
on_both_stores!(cutting_events_off_the_end_is_detected_against_a_recorded_head);
