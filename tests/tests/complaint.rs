//! Ombudsman complaints over GraphQL and CSV: the cabinet report's timeline as a scenario (the
//! committee's view on 11 April, 19 July and 9 August 2023, and the period's figures), the roles,
//! bad input that names its field and writes nothing, and the committee's CSV.
//!
//! The scenario's decision date is Thursday 9 March 2023 (the report says "March 2023"), so every
//! remedy is due, by default, one calendar month later: Sunday 9 April 2023.

use hub_tests::{Backend, Caller, TestApp, error_code, error_field};
use serde_json::{Value, json};

const COMPLAINT_FIELDS: &str = "id lgscoReference councilReference stage outcome decidedOn upheld caseId \
    remedies { id kind amountPence caseId dueOn doneOn status overdue daysOverdue completedOnTime \
      evidenceOutstanding history { step occurredOn } } \
    actions { id status overdue dueOn }";

const MONITORING: &str = "query($asOf: NaiveDate, $open: Boolean) { complaintMonitoring(asOf: $asOf) {
    asOf
    totals { remediesOpen remediesOverdue remediesDoneOnTime remediesDoneLate evidenceOutstanding
             moneyOwedPence moneyPaidPence actionsOpen actionsOverdue actionsDone }
    remedies(onlyOpen: $open, first: 50) { edges { node { lgscoReference remedy {
        kind amountPence dueOn doneOn done overdue daysOverdue completedOnTime daysLate evidenceOutstanding
        history { step } } } } }
    actions(onlyOpen: $open, first: 50) { edges { node { lgscoReference action { status overdue dueOn } } } }
} }";

/// Runs a mutation that must succeed, returning `data.<field>`.
async fn must(app: &TestApp, token: &str, query: &str, variables: Value, field: &str) -> Value {
    let (status, body) = app.graphql(token, query, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{field}: {body}");
    body["data"][field].clone()
}

/// A Kent child with an open case from November 2022; returns the case id.
async fn kent_case(app: &TestApp, manager: &str) -> String {
    let child = app.create_child(manager, "Ada", "Ashdown", None).await;
    let case = must(
        app,
        manager,
        "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2022-11-07\" }) { id } }",
        json!({ "c": child }),
        "openCase",
    )
    .await;
    case["id"].as_str().expect("case id").to_owned()
}

async fn record_complaint(app: &TestApp, token: &str, input: Value) -> (u16, Value) {
    app.graphql(
        token,
        &format!("mutation($input: RecordComplaintInput!) {{ recordComplaint(input: $input) {{ {COMPLAINT_FIELDS} }} }}"),
        json!({ "input": input }),
    )
    .await
}

/// The cabinet report's decision: upheld, fault causing injustice, on 9 March 2023.
fn the_decision(case_id: Option<&str>) -> Value {
    json!({
        "lgscoReference": "22 013 579", "category": "EDUCATION_PROVISION", "stage": "OMBUDSMAN",
        "receivedOn": "2022-10-03", "outcome": "FAULT_CAUSING_INJUSTICE", "decidedOn": "2023-03-09",
        "publication": "PUBLISHED", "caseId": case_id,
        "summary": "SECRET-SUMMARY the child was out of school for four months",
    })
}

async fn add_remedy(app: &TestApp, token: &str, input: Value) -> (u16, Value) {
    app.graphql(
        token,
        &format!("mutation($input: AddRemedyInput!) {{ addRemedy(input: $input) {{ {COMPLAINT_FIELDS} }} }}"),
        json!({ "input": input }),
    )
    .await
}

async fn progress(
    app: &TestApp,
    token: &str,
    remedy: &str,
    step: &str,
    on: &str,
    evidence: Option<&str>,
) -> Value {
    let (_, body) = app
        .graphql(
            token,
            &format!("mutation($input: RecordRemedyProgressInput!) {{ recordRemedyProgress(input: $input) {{ {COMPLAINT_FIELDS} }} }}"),
            json!({ "input": { "remedyId": remedy, "step": step, "occurredOn": on, "evidence": evidence } }),
        )
        .await;
    body
}

/// The complaint of the cabinet report, as a Kent manager records it, with its five remedies (an
/// apology, £350, £2,400 for lost education, two process changes) and an improvement action.
/// Returns (complaint id, case id, remedy ids by kind order, action id).
async fn the_cabinet_report_complaint(
    app: &TestApp,
    manager: &str,
) -> (String, String, Vec<String>, String) {
    let case = kent_case(app, manager).await;
    let (_, body) = record_complaint(app, manager, the_decision(Some(&case))).await;
    assert!(body["errors"].is_null(), "{body}");
    let complaint = body["data"]["recordComplaint"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for (kind, amount) in [
        ("APOLOGY", None),
        ("SYMBOLIC_PAYMENT", Some(35_000)),
        ("LOST_EDUCATION_PAYMENT", Some(240_000)),
        ("POLICY_OR_PROCEDURE_CHANGE", None),
        ("STAFF_REMINDER_OR_TRAINING", None),
    ] {
        let (_, body) = add_remedy(
            app,
            manager,
            json!({ "complaintId": complaint, "kind": kind, "amountPence": amount }),
        )
        .await;
        assert!(body["errors"].is_null(), "{kind}: {body}");
    }
    let (_, body) = app
        .graphql(
            manager,
            &format!("query($id: ID!) {{ complaint(id: $id) {{ {COMPLAINT_FIELDS} }} }}"),
            json!({ "id": complaint }),
        )
        .await;
    let remedies = body["data"]["complaint"]["remedies"]
        .as_array()
        .expect("remedies")
        .clone();
    assert_eq!(remedies.len(), 5, "{body}");
    for remedy in &remedies {
        assert_eq!(
            remedy["dueOn"], "2023-04-09",
            "one calendar month after the decision"
        );
        assert_eq!(remedy["history"][0]["step"], "AGREED");
        assert_eq!(remedy["history"][0]["occurredOn"], "2023-03-09");
    }
    // Ordered by due date then id, which is the order they were agreed in.
    let ids: Vec<String> = remedies
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    let kinds: Vec<&str> = remedies.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "APOLOGY",
            "SYMBOLIC_PAYMENT",
            "LOST_EDUCATION_PAYMENT",
            "POLICY_OR_PROCEDURE_CHANGE",
            "STAFF_REMINDER_OR_TRAINING"
        ]
    );
    assert_eq!(
        remedies[2]["caseId"],
        case.as_str(),
        "the lost-education payment links to the case"
    );
    assert!(remedies[1]["caseId"].is_null());
    let action = must(
        app,
        manager,
        "mutation($c: ID!) { addImprovementAction(input: { complaintId: $c,
            description: \"SECRET-DESCRIPTION weekly check of remedies due\", ownerRole: \"Head of Access to Education\",
            successMeasure: \"Every remedy evidenced to the Ombudsman by its due date\", dueOn: \"2023-09-30\" }) { id status } }",
        json!({ "c": complaint }),
        "addImprovementAction",
    )
    .await;
    assert_eq!(action["status"], "PLANNED");
    (
        complaint,
        case,
        ids,
        action["id"].as_str().expect("id").to_owned(),
    )
}

async fn monitoring(app: &TestApp, token: &str, as_of: &str, only_open: bool) -> Value {
    let (_, body) = app
        .graphql(
            token,
            MONITORING,
            json!({ "asOf": as_of, "open": only_open }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["complaintMonitoring"].clone()
}

fn remedy_nodes(view: &Value) -> Vec<Value> {
    view["remedies"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["remedy"].clone())
        .collect()
}

fn kinds(rows: &[Value]) -> Vec<&str> {
    rows.iter().filter_map(|r| r["kind"].as_str()).collect()
}

#[tokio::test]
async fn the_cabinet_reports_timeline_shows_the_committee_what_was_due_late_and_done() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (_complaint, case, remedies, _action) = the_cabinet_report_complaint(&app, &manager).await;
    let [apology, _symbolic, _lost, process_1, _process_2] =
        <[String; 5]>::try_from(remedies.clone()).expect("five");
    // The Ombudsman chased on 13 April and 3 May.
    for remedy in &remedies {
        for on in ["2023-04-13", "2023-05-03"] {
            let body = progress(&app, &manager, remedy, "CHASED", on, None).await;
            assert!(body["errors"].is_null(), "{body}");
        }
    }
    // One process change was made at the end of June, evidenced only on 26 July.
    progress(&app, &manager, &process_1, "COMPLETED", "2023-06-30", None).await;
    progress(
        &app,
        &manager,
        &process_1,
        "EVIDENCE_SENT",
        "2023-07-26",
        Some("SECRET-EVIDENCE the new procedure"),
    )
    .await;
    // The apology went on 21 July; on 25 July the Ombudsman found it misspelt the parent's name,
    // and a corrected one went on 4 August.
    progress(&app, &manager, &apology, "COMPLETED", "2023-07-21", None).await;
    progress(
        &app,
        &manager,
        &apology,
        "EVIDENCE_SENT",
        "2023-07-21",
        Some("SECRET-EVIDENCE letter"),
    )
    .await;
    let body = progress(&app, &manager, &apology, "REOPENED", "2023-07-25", None).await;
    assert!(body["errors"].is_null(), "{body}");
    progress(&app, &manager, &apology, "COMPLETED", "2023-08-04", None).await;
    let body = progress(
        &app,
        &manager,
        &apology,
        "EVIDENCE_SENT",
        "2023-08-04",
        Some("SECRET-EVIDENCE corrected letter"),
    )
    .await;
    let steps: Vec<&str> = body["data"]["recordRemedyProgress"]["remedies"][0]["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "AGREED",
            "CHASED",
            "CHASED",
            "COMPLETED",
            "EVIDENCE_SENT",
            "REOPENED",
            "COMPLETED",
            "EVIDENCE_SENT"
        ]
    );
    // The payments were never made (8 August: the council admitted it had not paid).

    // 11 April: the parent has heard nothing. Everything is due, and two days overdue.
    let view = monitoring(&app, &manager, "2023-04-11", true).await;
    assert_eq!(view["asOf"], "2023-04-11");
    let rows = remedy_nodes(&view);
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .all(|r| r["overdue"] == true && r["daysOverdue"] == 2 && r["done"] == false),
        "{view}"
    );
    assert!(rows.iter().all(|r| r["evidenceOutstanding"] == true));
    assert_eq!(
        view["totals"],
        json!({ "remediesOpen": 5, "remediesOverdue": 5, "remediesDoneOnTime": 0, "remediesDoneLate": 0,
                "evidenceOutstanding": 5, "moneyOwedPence": 275_000, "moneyPaidPence": 0,
                "actionsOpen": 1, "actionsOverdue": 0, "actionsDone": 0 })
    );

    // 19 July: the Ombudsman opens a new investigation. One process change done (late, with no
    // evidence yet); four remedies 101 calendar days overdue.
    let view = monitoring(&app, &manager, "2023-07-19", true).await;
    let rows = remedy_nodes(&view);
    assert_eq!(
        kinds(&rows),
        [
            "APOLOGY",
            "SYMBOLIC_PAYMENT",
            "LOST_EDUCATION_PAYMENT",
            "STAFF_REMINDER_OR_TRAINING"
        ]
    );
    assert!(rows.iter().all(|r| r["daysOverdue"] == 101), "{view}");
    assert!(
        rows[0]["doneOn"] == "2023-08-04",
        "the record as it now stands: {view}"
    );
    assert_eq!(rows[0]["done"], false, "but not done on 19 July");
    assert_eq!(
        view["totals"],
        json!({ "remediesOpen": 4, "remediesOverdue": 4, "remediesDoneOnTime": 0, "remediesDoneLate": 1,
                "evidenceOutstanding": 5, "moneyOwedPence": 275_000, "moneyPaidPence": 0,
                "actionsOpen": 1, "actionsOverdue": 0, "actionsDone": 0 })
    );

    // 9 August: the apology (corrected) and one process change are done, both late; the two
    // payments and the staff reminder are 122 days overdue.
    let view = monitoring(&app, &manager, "2023-08-09", true).await;
    let rows = remedy_nodes(&view);
    assert_eq!(
        rows[0]["history"],
        json!([{ "step": "AGREED" }, { "step": "CHASED" }, { "step": "CHASED" }]),
        "the view shows each remedy's history: {view}"
    );
    assert_eq!(
        kinds(&rows),
        [
            "SYMBOLIC_PAYMENT",
            "LOST_EDUCATION_PAYMENT",
            "STAFF_REMINDER_OR_TRAINING"
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r["daysOverdue"] == 122 && r["evidenceOutstanding"] == true),
        "{view}"
    );
    assert_eq!(
        view["totals"],
        json!({ "remediesOpen": 3, "remediesOverdue": 3, "remediesDoneOnTime": 0, "remediesDoneLate": 2,
                "evidenceOutstanding": 3, "moneyOwedPence": 275_000, "moneyPaidPence": 0,
                "actionsOpen": 1, "actionsOverdue": 0, "actionsDone": 0 })
    );
    let all = remedy_nodes(&monitoring(&app, &manager, "2023-08-09", false).await);
    let done: Vec<(&str, i64)> = all
        .iter()
        .filter(|r| r["done"] == true)
        .map(|r| {
            (
                r["kind"].as_str().expect("kind"),
                r["daysLate"].as_i64().expect("days late"),
            )
        })
        .collect();
    assert_eq!(done, [("APOLOGY", 117), ("POLICY_OR_PROCEDURE_CHANGE", 82)]);
    assert!(
        all.iter()
            .filter(|r| r["done"] == true)
            .all(|r| r["completedOnTime"] == false)
    );

    // The period's figures, as the Ombudsman saw them: one decision, upheld; five remedies due,
    // none on time; three still overdue at the end of August; nothing paid.
    for token in [manager.clone(), app.token(Caller::Kent, &["analyst"])] {
        let (_, body) = app
            .graphql(
                &token,
                "{ complaintCounts(from: \"2023-03-01\", to: \"2023-08-31\") { decided upheld upheldRate remediesDue
                   remediesCompletedOnTime remediesOverdueAtEnd moneyPaidPence } }",
                json!({}),
            )
            .await;
        assert_eq!(
            body["data"]["complaintCounts"],
            json!({ "decided": 1, "upheld": 1, "upheldRate": 1.0, "remediesDue": 5, "remediesCompletedOnTime": 0,
                    "remediesOverdueAtEnd": 3, "moneyPaidPence": 0 }),
            "{body}"
        );
    }

    // The same figures reach the council's return for the academic year, computed in the
    // database beside the case figures (docs/domain.md, "Returns").
    let (_, body) = app
        .graphql(
            &manager,
            "mutation { computeReturn(period: \"2022-23\") { cells { definitionCode breakdown category value } } }",
            json!({}),
        )
        .await;
    let cells = body["data"]["computeReturn"]["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let total_of = |code: &str| {
        cells
            .iter()
            .find(|c| c["definitionCode"] == code && c["breakdown"] == "total")
            .map(|c| c["value"].clone())
            .unwrap_or_else(|| panic!("no {code} in {body}"))
    };
    for (code, expected) in [
        ("complaints_decided", 1.0),
        ("complaints_upheld", 1.0),
        ("complaints_upheld_percent", 100.0),
        ("remedies_due", 5.0),
        ("remedies_completed_on_time", 0.0),
        ("remedies_overdue_at_end", 3.0),
        ("complaint_money_paid_pence", 0.0),
    ] {
        assert_eq!(total_of(code), json!(expected), "{code}");
    }

    // The case shows what is still owed on it: the payment for lost education.
    let (_, body) = app
        .graphql(
            &app.token(Caller::Kent, &["caseworker"]),
            "query($id: ID!) { case(id: $id) { remediesOwed { kind amountPence dueOn overdue } } }",
            json!({ "id": case }),
        )
        .await;
    assert_eq!(
        body["data"]["case"]["remediesOwed"],
        json!([{ "kind": "LOST_EDUCATION_PAYMENT", "amountPence": 240_000, "dueOn": "2023-04-09", "overdue": true }]),
        "{body}"
    );
}

#[tokio::test]
async fn paying_a_remedy_on_time_counts_as_on_time_and_as_money_paid() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (_, case, remedies, action) = the_cabinet_report_complaint(&app, &manager).await;
    // Had the council paid the £350 on 5 April, and evidenced it the same day:
    progress(
        &app,
        &manager,
        &remedies[1],
        "COMPLETED",
        "2023-04-05",
        None,
    )
    .await;
    progress(
        &app,
        &manager,
        &remedies[1],
        "EVIDENCE_SENT",
        "2023-04-05",
        Some("payment record"),
    )
    .await;
    let body = progress(&app, &manager, &remedies[1], "ACCEPTED", "2023-04-20", None).await;
    assert!(body["errors"].is_null(), "{body}");
    // and paid the £2,400 on 10 April, a day late:
    progress(
        &app,
        &manager,
        &remedies[2],
        "COMPLETED",
        "2023-04-10",
        None,
    )
    .await;
    let (_, body) = app
        .graphql(
            &manager,
            "{ complaintCounts(from: \"2023-04-01\", to: \"2023-04-30\") { remediesDue remediesCompletedOnTime remediesOverdueAtEnd moneyPaidPence } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["complaintCounts"],
        json!({ "remediesDue": 5, "remediesCompletedOnTime": 1, "remediesOverdueAtEnd": 3, "moneyPaidPence": 275_000 }),
        "{body}"
    );
    let view = monitoring(&app, &manager, "2023-04-11", true).await;
    assert_eq!(view["totals"]["moneyPaidPence"], 275_000);
    assert_eq!(view["totals"]["moneyOwedPence"], 0);
    assert_eq!(view["totals"]["remediesDoneOnTime"], 1);
    assert_eq!(view["totals"]["remediesDoneLate"], 1);
    // The paid remedy is no longer owed on the case.
    let (_, body) = app
        .graphql(
            &manager,
            "query($id: ID!) { case(id: $id) { remediesOwed { kind } } }",
            json!({ "id": case }),
        )
        .await;
    assert_eq!(body["data"]["case"]["remediesOwed"], json!([]), "{body}");
    // An action done late shows as done in the view, and is gone from the open list.
    let updated = must(
        &app,
        &manager,
        "mutation($id: ID!) { updateImprovementAction(input: { actionId: $id, status: DONE, doneOn: \"2023-10-02\", evidence: \"Minutes\" }) { status doneOn overdue } }",
        json!({ "id": action }),
        "updateImprovementAction",
    )
    .await;
    assert_eq!(updated["status"], "DONE");
    let view = monitoring(&app, &manager, "2023-10-01", true).await;
    assert_eq!(
        view["totals"]["actionsOverdue"], 1,
        "on 1 October, a day overdue: {view}"
    );
    let view = monitoring(&app, &manager, "2023-10-03", true).await;
    assert_eq!(view["totals"]["actionsDone"], 1);
    assert_eq!(view["actions"]["edges"], json!([]));
}

#[tokio::test]
async fn the_committees_view_pages_by_due_date_with_opaque_cursors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (complaint, ..) = the_cabinet_report_complaint(&app, &manager).await;
    // One more remedy due earlier, so it leads the view.
    let (_, body) = add_remedy(
        &app,
        &manager,
        json!({ "complaintId": complaint, "kind": "OTHER", "dueOn": "2023-03-20" }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let query = "query($after: String) { complaintMonitoring(asOf: \"2023-04-11\") {
        remedies(first: 4, after: $after) { pageInfo { hasNextPage endCursor } edges { node { remedy { kind dueOn } } } } } }";
    let (_, first) = app.graphql(&manager, query, json!({})).await;
    let page = &first["data"]["complaintMonitoring"]["remedies"];
    assert_eq!(
        page["edges"][0]["node"]["remedy"]["kind"], "OTHER",
        "{first}"
    );
    assert_eq!(page["edges"].as_array().expect("edges").len(), 4);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let (_, second) = app
        .graphql(
            &manager,
            query,
            json!({ "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let page = &second["data"]["complaintMonitoring"]["remedies"];
    assert_eq!(
        page["edges"].as_array().expect("edges").len(),
        2,
        "{second}"
    );
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    let (_, body) = app
        .graphql(&manager, query, json!({ "after": "not-a-cursor" }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(error_field(&body), "after");
}

#[tokio::test]
async fn caseworkers_read_complaints_about_cases_analysts_count_and_auditors_see_every_change() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (complaint, ..) = the_cabinet_report_complaint(&app, &manager).await;
    let (_, body) = record_complaint(
        &app,
        &manager,
        json!({ "councilReference": "ST2-0042", "category": "TRANSPORT", "stage": "COUNCIL_STAGE_2", "receivedOn": "2023-05-02" }),
    )
    .await;
    let unlinked = body["data"]["recordComplaint"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(body["data"]["recordComplaint"]["outcome"], "PENDING");

    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(
            &caseworker,
            "{ complaints { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["complaints"]["edges"],
        json!([{ "node": { "id": complaint } }]),
        "{body}"
    );
    let read = "query($id: ID!) { complaint(id: $id) { id remedies { kind } } }";
    let (_, body) = app
        .graphql(&caseworker, read, json!({ "id": complaint }))
        .await;
    assert_eq!(
        body["data"]["complaint"]["remedies"]
            .as_array()
            .map(Vec::len),
        Some(5),
        "{body}"
    );
    let (_, body) = app
        .graphql(&caseworker, read, json!({ "id": unlinked }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "not about a case: {body}");
    let (_, body) = record_complaint(&app, &caseworker, the_decision(None)).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let (_, body) = app
        .graphql(&caseworker, "{ complaintMonitoring { asOf } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");

    let analyst = app.token(Caller::Kent, &["analyst"]);
    for query in [
        "{ complaints { edges { node { id } } } }",
        "{ complaintMonitoring { asOf } }",
    ] {
        let (_, body) = app.graphql(&analyst, query, json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }
    let (_, body) = app
        .graphql(&analyst, read, json!({ "id": complaint }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");

    let auditor = app.token(Caller::Kent, &["auditor"]);
    let (_, body) = app
        .graphql(&auditor, read, json!({ "id": complaint }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let (_, body) = app
        .graphql(
            &auditor,
            "{ auditEvents(first: 100) { edges { node { operation recordType } } } }",
            json!({}),
        )
        .await;
    let operations: Vec<&str> = body["data"]["auditEvents"]["edges"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["node"]["operation"].as_str())
        .collect();
    for expected in [
        "complaint.create",
        "remedy.create",
        "improvement_action.create",
        "complaint.read",
        "complaint.list",
    ] {
        assert!(
            operations.contains(&expected),
            "{expected} missing from {operations:?}"
        );
    }

    for token in [
        app.token(Caller::Partnership, &["partnership_coordinator"]),
        app.token(Caller::Partnership, &["partnership_analyst"]),
    ] {
        for query in [
            "{ complaints { edges { node { id } } } }",
            "{ complaintMonitoring { asOf } }",
            "{ complaintCounts(from: \"2023-01-01\", to: \"2023-12-31\") { decided } }",
        ] {
            let (_, body) = app.graphql(&token, query, json!({})).await;
            assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
        }
    }
}

#[tokio::test]
async fn bad_complaint_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (complaint, _, remedies, action) = the_cabinet_report_complaint(&app, &manager).await;
    let count =
        "{ complaintMonitoring(asOf: \"2023-12-31\") { totals { remediesOpen actionsOpen } } }";
    let (_, before) = app.graphql(&manager, count, json!({})).await;

    let mut malformed = the_decision(None);
    malformed["lgscoReference"] = json!("22 013 57");
    let mut pending_with_outcome = the_decision(None);
    pending_with_outcome["lgscoReference"] = json!("23 000 001");
    pending_with_outcome["decidedOn"] = Value::Null;
    let mut duplicate = the_decision(None);
    duplicate["summary"] = Value::Null;
    for (input, code, field) in [
        (malformed, "BAD_USER_INPUT", "lgscoReference"),
        (pending_with_outcome, "BAD_USER_INPUT", "outcome"),
        (duplicate, "CONFLICT", "lgscoReference"),
    ] {
        let (_, body) = record_complaint(&app, &manager, input).await;
        assert_eq!(error_code(&body), code, "{body}");
        assert_eq!(error_field(&body), field, "{body}");
    }
    let (_, body) = app
        .graphql(
            &manager,
            "mutation($id: ID!) { recordComplaintDecision(input: { complaintId: $id, outcome: NOT_UPHELD }) { id } }",
            json!({ "id": complaint }),
        )
        .await;
    assert_eq!(
        error_field(&body),
        "outcome",
        "an outcome on a complaint still pending: {body}"
    );
    let (_, body) = app
        .graphql(
            &manager,
            "mutation($id: ID!) { recordComplaintDecision(input: { complaintId: $id, outcome: PENDING }) { id } }",
            json!({ "id": complaint }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        "CONFLICT",
        "remedies hang on the decision: {body}"
    );
    assert_eq!(error_field(&body), "outcome");

    for (input, field) in [
        (
            json!({ "complaintId": complaint, "kind": "LOST_EDUCATION_PAYMENT" }),
            "amountPence",
        ),
        (
            json!({ "complaintId": complaint, "kind": "SYMBOLIC_PAYMENT", "amountPence": -35000 }),
            "amountPence",
        ),
        (
            json!({ "complaintId": complaint, "kind": "APOLOGY", "dueOn": "2023-03-08" }),
            "dueOn",
        ),
    ] {
        let (_, body) = add_remedy(&app, &manager, input.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body}");
        assert_eq!(error_field(&body), field, "{body}");
    }
    let body = progress(
        &app,
        &manager,
        &remedies[0],
        "COMPLETED",
        "2199-01-01",
        None,
    )
    .await;
    assert_eq!(
        error_field(&body),
        "occurredOn",
        "a done date in the future: {body}"
    );
    let body = progress(
        &app,
        &manager,
        &remedies[0],
        "EVIDENCE_SENT",
        "2023-04-01",
        None,
    )
    .await;
    assert_eq!(error_field(&body), "evidence", "{body}");
    let (_, body) = app
        .graphql(
            &manager,
            "mutation($id: ID!) { updateImprovementAction(input: { actionId: $id, status: DONE, doneOn: \"2199-01-01\" }) { id } }",
            json!({ "id": action }),
        )
        .await;
    assert_eq!(error_field(&body), "doneOn", "{body}");

    let (_, after) = app.graphql(&manager, count, json!({})).await;
    assert_eq!(before, after, "nothing was written");
    let (_, body) = app
        .graphql(
            &manager,
            "{ complaints { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["complaints"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
    let (_, body) = app
        .graphql(
            &manager,
            "query($id: ID!) { complaint(id: $id) { remedies { status history { step } } } }",
            json!({ "id": complaint }),
        )
        .await;
    assert!(
        body["data"]["complaint"]["remedies"]
            .as_array()
            .expect("remedies")
            .iter()
            .all(|r| r["status"] == "AGREED" && r["history"].as_array().map(Vec::len) == Some(1)),
        "{body}"
    );
}

#[tokio::test]
async fn the_committees_csv_has_the_view_and_its_totals_and_never_free_text() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (_, _, remedies, _) = the_cabinet_report_complaint(&app, &manager).await;
    progress(
        &app,
        &manager,
        &remedies[3],
        "COMPLETED",
        "2023-06-30",
        None,
    )
    .await;
    progress(
        &app,
        &manager,
        &remedies[3],
        "EVIDENCE_SENT",
        "2023-07-26",
        Some("SECRET-EVIDENCE procedure"),
    )
    .await;
    let url = app.url("/exports/complaints/monitoring.csv?asOf=2023-08-09");
    let response = app
        .http
        .get(&url)
        .bearer_auth(&manager)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().expect("type"),
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.expect("body");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("record_type,id,complaint_lgsco_reference,"),
        "{csv}"
    );
    let remedy_rows: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("remedy,"))
        .collect();
    assert_eq!(remedy_rows.len(), 4, "the open remedies: {csv}");
    assert!(remedy_rows[0].contains(",22 013 579,"), "{csv}");
    assert!(
        remedy_rows[1].ends_with(
            ",,symbolic_payment,parent_or_carer,,35000,2023-03-09,2023-04-09,,agreed,true,122,,,true,"
        ),
        "{csv}"
    );
    assert_eq!(lines.iter().filter(|l| l.starts_with("action,")).count(), 1);
    let total = |name: &str, value: i64| format!("total,,,,{name}{}{value}", ",".repeat(13));
    assert!(
        lines.contains(&total("money_owed_pence", 275_000).as_str()),
        "{csv}"
    );
    assert!(
        lines.contains(&total("remedies_overdue", 4).as_str()),
        "{csv}"
    );
    for secret in ["SECRET", "four months", "weekly check"] {
        assert!(!csv.contains(secret), "free text leaked: {secret}");
    }

    // Managers only; a missing token is 401.
    let status = |token: Option<String>| {
        let mut request = app.http.get(&url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.expect("GET").status().as_u16() }
    };
    assert_eq!(status(None).await, 401);
    for role in ["caseworker", "analyst", "auditor"] {
        assert_eq!(
            status(Some(app.token(Caller::Kent, &[role]))).await,
            403,
            "{role}"
        );
    }
    assert_eq!(
        status(Some(
            app.token(Caller::Partnership, &["partnership_coordinator"])
        ))
        .await,
        403
    );
    let response = app
        .http
        .get(app.url("/exports/complaints/monitoring.csv?asOf=yesterday"))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_field(&body), "asOf");

    // Surrey's manager downloads Surrey's view: nothing of Kent's.
    let surrey = app.token(Caller::Surrey, &["CME-Manager"]);
    let csv = app
        .http
        .get(&url)
        .bearer_auth(&surrey)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        !csv.contains("remedy,") && !csv.contains("22 013 579"),
        "{csv}"
    );
}

#[tokio::test]
async fn the_demo_opens_the_committees_view_on_an_overdue_remedy() {
    let app = TestApp::spawn_with(hub_tests::Options {
        profile: api::config::Profile::Demo,
        ..hub_tests::Options::new(Backend::Sqlite)
    })
    .await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (_, body) = app
        .graphql(
            &manager,
            "{ complaintMonitoring { totals { remediesOverdue moneyOwedPence remediesDoneOnTime }
               remedies(first: 1) { edges { node { lgscoReference remedy { overdue daysOverdue } } } } } }",
            json!({}),
        )
        .await;
    let view = &body["data"]["complaintMonitoring"];
    assert_eq!(
        view["totals"],
        json!({ "remediesOverdue": 2, "moneyOwedPence": 275_000, "remediesDoneOnTime": 1 }),
        "{body}"
    );
    let first = &view["remedies"]["edges"][0]["node"];
    assert_eq!(first["lgscoReference"], "25 886 001");
    assert_eq!(first["remedy"]["overdue"], true);
    assert_eq!(first["remedy"]["daysOverdue"], 14);
}

#[tokio::test]
async fn a_stage_two_complaint_goes_to_the_ombudsman_and_is_decided_there() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (_, body) = record_complaint(
        &app,
        &manager,
        json!({ "councilReference": "ST2-0042", "category": "SEN", "stage": "COUNCIL_STAGE_2",
                "receivedOn": "2022-06-01", "outcome": "NOT_UPHELD", "decidedOn": "2022-07-15",
                "publication": "NOT_PUBLISHED" }),
    )
    .await;
    let id = body["data"]["recordComplaint"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let decide =
        "mutation($input: RecordComplaintDecisionInput!) { recordComplaintDecision(input: $input) {
        stage outcome decidedOn lgscoReference councilReference publication upheld } }";
    let escalated = must(
        &app,
        &manager,
        decide,
        json!({ "input": { "complaintId": id, "stage": "OMBUDSMAN", "lgscoReference": "22013579", "outcome": "PENDING" } }),
        "recordComplaintDecision",
    )
    .await;
    assert_eq!(
        escalated,
        json!({ "stage": "OMBUDSMAN", "outcome": "PENDING", "decidedOn": null, "lgscoReference": "22 013 579",
                "councilReference": "ST2-0042", "publication": "NOT_PUBLISHED", "upheld": false })
    );
    let decided = must(
        &app,
        &manager,
        decide,
        json!({ "input": { "complaintId": id, "outcome": "FAULT_WITHOUT_INJUSTICE", "decidedOn": "2023-03-09",
                           "publication": "PUBLIC_INTEREST_REPORT" } }),
        "recordComplaintDecision",
    )
    .await;
    assert_eq!(decided["upheld"], true);
    assert_eq!(decided["publication"], "PUBLIC_INTEREST_REPORT");
    assert_eq!(
        decided["stage"], "OMBUDSMAN",
        "the stage is kept when left out"
    );
    // A decision before the complaint was received is refused.
    let (_, body) = app
        .graphql(
            &manager,
            decide,
            json!({ "input": { "complaintId": id, "outcome": "NOT_UPHELD", "decidedOn": "2022-05-31" } }),
        )
        .await;
    assert_eq!(error_field(&body), "decidedOn", "{body}");
}
