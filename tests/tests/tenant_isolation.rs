//! The application lock, proven over GraphQL on both stores: a caseworker of Surrey can neither
//! list, read, update nor delete Kent's child, and Kent's ids are NOT_FOUND to Surrey; nor can
//! Surrey's manager reach Kent's complaints, remedies or improvement actions; partnership roles
//! reach no council record, and release operations are refused to every role but theirs.

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

/// Kent's complaint about a case, with a payment remedy and an improvement action, recorded by
/// Kent's manager: (complaint, remedy, action, case).
async fn kent_complaint(app: &TestApp) -> (String, String, String, String) {
    let kent = app.token(Caller::Kent, &["manager"]);
    let child = kent_child(app).await;
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2022-11-07\" }) { id } }",
            json!({ "c": child }),
        )
        .await;
    let case = body["data"]["openCase"]["id"]
        .as_str()
        .expect("case")
        .to_owned();
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($case: ID!) { recordComplaint(input: { lgscoReference: \"22 013 579\", category: EDUCATION_PROVISION,
               stage: OMBUDSMAN, receivedOn: \"2022-10-03\", outcome: FAULT_CAUSING_INJUSTICE, decidedOn: \"2023-03-09\",
               caseId: $case }) { id } }",
            json!({ "case": case }),
        )
        .await;
    let complaint = body["data"]["recordComplaint"]["id"]
        .as_str()
        .expect("complaint")
        .to_owned();
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($c: ID!) { addRemedy(input: { complaintId: $c, kind: LOST_EDUCATION_PAYMENT, amountPence: 240000 }) {
               remedies { id } } }",
            json!({ "c": complaint }),
        )
        .await;
    let remedy = body["data"]["addRemedy"]["remedies"][0]["id"]
        .as_str()
        .expect("remedy")
        .to_owned();
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($c: ID!) { addImprovementAction(input: { complaintId: $c, description: \"Weekly check\",
               ownerRole: \"Head of Service\", successMeasure: \"All on time\", dueOn: \"2023-09-30\" }) { id } }",
            json!({ "c": complaint }),
        )
        .await;
    let action = body["data"]["addImprovementAction"]["id"]
        .as_str()
        .expect("action")
        .to_owned();
    (complaint, remedy, action, case)
}

async fn manager_cannot_reach_another_councils_complaints_remedies_or_actions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (complaint, remedy, action, case) = kent_complaint(&app).await;
    let surrey = app.token(Caller::Surrey, &["CME-Manager"]);
    let not_found = [
        ("query($id: ID!) { complaint(id: $id) { id summary } }", json!({ "id": complaint })),
        (
            "mutation($id: ID!) { recordComplaintDecision(input: { complaintId: $id, outcome: NOT_UPHELD, decidedOn: \"2023-03-10\" }) { id } }",
            json!({ "id": complaint }),
        ),
        (
            "mutation($id: ID!) { addRemedy(input: { complaintId: $id, kind: APOLOGY }) { id } }",
            json!({ "id": complaint }),
        ),
        (
            "mutation($id: ID!) { recordRemedyProgress(input: { remedyId: $id, step: COMPLETED, occurredOn: \"2023-04-01\" }) { id } }",
            json!({ "id": remedy }),
        ),
        (
            "mutation($id: ID!) { updateImprovementAction(input: { actionId: $id, status: DONE, doneOn: \"2023-04-01\" }) { id } }",
            json!({ "id": action }),
        ),
        (
            "mutation($id: ID!) { addImprovementAction(input: { complaintId: $id, description: \"x\", ownerRole: \"y\",
               successMeasure: \"z\", dueOn: \"2023-09-30\" }) { id } }",
            json!({ "id": complaint }),
        ),
        (
            "mutation($case: ID!) { recordComplaint(input: { councilReference: \"S-1\", category: OTHER, stage: COUNCIL_STAGE_1,
               receivedOn: \"2023-01-01\", caseId: $case }) { id } }",
            json!({ "case": case }),
        ),
        (
            "query($id: ID!) { case(id: $id) { remediesOwed { id } } }",
            json!({ "id": case }),
        ),
    ];
    for (query, variables) in not_found {
        let (_, body) = app.graphql(&surrey, query, variables).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{query}: {body}");
        assert!(
            body["data"].is_null(),
            "nothing of Kent's may come back: {body}"
        );
    }
    // Surrey's lists, view and counts hold nothing of Kent's.
    let (_, body) = app
        .graphql(
            &surrey,
            "{ complaints { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["complaints"]["edges"], json!([]), "{body}");
    let (_, body) = app
        .graphql(
            &surrey,
            "{ complaintMonitoring(asOf: \"2023-08-09\") { totals { remediesOpen moneyOwedPence actionsOpen }
               remedies(onlyOpen: false) { edges { node { remedy { id } } } } actions(onlyOpen: false) { edges { node { action { id } } } } } }",
            json!({}),
        )
        .await;
    let view = &body["data"]["complaintMonitoring"];
    assert_eq!(
        view["totals"],
        json!({ "remediesOpen": 0, "moneyOwedPence": 0, "actionsOpen": 0 }),
        "{body}"
    );
    assert_eq!(view["remedies"]["edges"], json!([]));
    assert_eq!(view["actions"]["edges"], json!([]));
    let insight = app.token(Caller::Surrey, &["Insight"]);
    let (_, body) = app
        .graphql(
            &insight,
            "{ complaintCounts(from: \"2023-01-01\", to: \"2023-12-31\") { decided remediesDue } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["complaintCounts"],
        json!({ "decided": 0, "remediesDue": 0 }),
        "{body}"
    );
    // The same Ombudsman reference in Surrey is no clash: references are unique per council.
    let (_, body) = app
        .graphql(
            &surrey,
            "mutation { recordComplaint(input: { lgscoReference: \"22 013 579\", category: SEN, stage: OMBUDSMAN,
               receivedOn: \"2023-01-01\" }) { id } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    // Kent's records are unchanged.
    let kent = app.token(Caller::Kent, &["manager"]);
    let (_, body) = app
        .graphql(
            &kent,
            "query($id: ID!) { complaint(id: $id) { outcome remedies { doneOn status } actions { status } } }",
            json!({ "id": complaint }),
        )
        .await;
    assert_eq!(
        body["data"]["complaint"],
        json!({ "outcome": "FAULT_CAUSING_INJUSTICE", "remedies": [{ "doneOn": null, "status": "AGREED" }],
                "actions": [{ "status": "PLANNED" }] }),
        "{body}"
    );
}
on_both_stores!(manager_cannot_reach_another_councils_complaints_remedies_or_actions);

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
