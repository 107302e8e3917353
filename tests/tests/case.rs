//! Case work over GraphQL: the real situations of docs/domain.md, the lifecycle a caseworker runs,
//! bad input, and the isolation matrix for cases, provision, evidence and calendars.

use hub_tests::{Backend, Caller, TestApp, error_code, error_field, on_both_stores};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const CASE_FIELDS: &str = "id status dutyDecision provisionDueBy schoolDaysWithoutProvision overdue \
    provisionLate schoolDaysApproximate nextReviewDue evidenceExpiresSoon \
    timeline { kind occurredOn recordedBy } provisions { id kind hoursPerWeek fullTime startDate endDate } \
    currentProvision { id } latestEvidence { category validUntil } child { givenName }";

async fn open_case(app: &TestApp, token: &str, child: &str, reason: &str, start: &str) -> Value {
    let (_, body) = app
        .graphql(
            token,
            &format!(
                "mutation($input: OpenCaseInput!) {{ openCase(input: $input) {{ {CASE_FIELDS} }} }}"
            ),
            json!({ "input": { "childId": child, "reason": reason, "absenceStart": start } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["openCase"].clone()
}

async fn start_provision(app: &TestApp, token: &str, case: &str, start: &str) -> Value {
    let (_, body) = app
        .graphql(
            token,
            &format!("mutation($input: StartProvisionInput!) {{ startProvision(input: $input) {{ {CASE_FIELDS} }} }}"),
            json!({ "input": { "caseId": case, "kind": "TUITION", "provider": "Home tuition service",
                    "hoursPerWeek": 25.0, "fullTime": true, "startDate": start } }),
        )
        .await;
    body
}

async fn close_case(app: &TestApp, token: &str, case: &str, on: &str) -> Value {
    let (_, body) = app
        .graphql(
            token,
            &format!("mutation($id: ID!, $on: Date!) {{ closeCase(caseId: $id, reason: RETURNED_TO_SCHOOL, closedOn: $on) {{ {CASE_FIELDS} }} }}")
                .replace("Date!", "NaiveDate!"),
            json!({ "id": case, "on": on }),
        )
        .await;
    body
}

#[tokio::test]
async fn a_health_case_across_half_term_is_due_on_the_fifteenth_school_day_of_the_calendar() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    // Kent's summer term 2024: half-term 27–31 May (27 May is also a bank holiday).
    let (_, body) = app
        .graphql(
            &manager,
            "mutation { setSchoolCalendar(academicYear: 2023, terms: [
                { name: \"Summer 1\", startsOn: \"2024-04-15\", endsOn: \"2024-05-24\" },
                { name: \"Summer 2\", startsOn: \"2024-06-03\", endsOn: \"2024-07-19\" }
             ]) { isSet terms { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["setSchoolCalendar"]["isSet"], true, "{body}");
    let child = app.create_child(&manager, "Ada", "Ashdown", None).await;
    let case = open_case(&app, &manager, &child, "HEALTH", "2024-05-13").await;
    // 13–17 May (1–5), 20–24 May (6–10), half-term, 3–7 June (11–15).
    assert_eq!(case["provisionDueBy"], "2024-06-07");
    assert_eq!(case["schoolDaysApproximate"], false);
    // No provision yet: every school day of the calendar since 13 May counts (to 19 July).
    assert_eq!(case["schoolDaysWithoutProvision"], 45);
    assert_eq!(case["overdue"], true);
    let id = case["id"].as_str().expect("id");
    let body = start_provision(&app, &manager, id, "2024-06-10").await;
    let case = &body["data"]["startProvision"];
    // Tuition from Monday 10 June: 15 school days went by without provision, and it was late.
    assert_eq!(case["schoolDaysWithoutProvision"], 15, "{body}");
    assert_eq!(case["provisionLate"], true);
    assert_eq!(case["overdue"], false);
}

#[tokio::test]
async fn a_permanent_exclusion_is_due_on_the_sixth_school_day_after_a_bank_holiday() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Ben", "Brookes", None).await;
    // Wed 1, Thu 2, Fri 3 May; Mon 6 May is the Early May bank holiday; Tue 7, Wed 8, Thu 9.
    let case = open_case(&app, &kent, &child, "PERMANENT_EXCLUSION", "2024-05-01").await;
    assert_eq!(case["provisionDueBy"], "2024-05-09", "{case}");
    assert_eq!(
        case["schoolDaysApproximate"], true,
        "no calendar: weekdays minus bank holidays"
    );
    let body = start_provision(&app, &kent, case["id"].as_str().expect("id"), "2024-05-09").await;
    assert_eq!(
        body["data"]["startProvision"]["provisionLate"], false,
        "on the 6th day is on time"
    );
}

#[tokio::test]
async fn absences_in_one_school_year_add_up_to_fifteen_days() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Cal", "Chalk", None).await;
    // First episode: Mon 2 – Wed 11 October 2023, 8 school days.
    let first = open_case(&app, &kent, &child, "HEALTH", "2023-10-02").await;
    let closed = close_case(&app, &kent, first["id"].as_str().expect("id"), "2023-10-11").await;
    assert_eq!(closed["data"]["closeCase"]["status"], "CLOSED", "{closed}");
    // Second episode from Mon 8 January 2024: days 9–15 are 8–12 and 15–16 January.
    let second = open_case(&app, &kent, &child, "HEALTH", "2024-01-08").await;
    assert_eq!(second["provisionDueBy"], "2024-01-16", "{second}");
}

#[tokio::test]
async fn a_caseworker_runs_a_case_from_referral_to_closure() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Dee", "Downland", None).await;
    let case = open_case(
        &app,
        &kent,
        &child,
        "EMOTIONALLY_BASED_SCHOOL_AVOIDANCE",
        "2026-09-07",
    )
    .await;
    let id = case["id"].as_str().expect("id").to_owned();
    assert_eq!(case["timeline"][0]["kind"], "REFERRAL_RECEIVED");
    let decide = "mutation($id: ID!) { recordDutyDecision(caseId: $id, accepted: true, decidedOn: \"2026-09-10\") { dutyDecision } }";
    let (_, body) = app.graphql(&kent, decide, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["recordDutyDecision"]["dutyDecision"], "ACCEPTED",
        "{body}"
    );
    let (_, body) = app.graphql(&kent, decide, json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT", "a decision twice: {body}");
    let body = start_provision(&app, &kent, &id, "2026-09-21").await;
    assert!(body["errors"].is_null(), "{body}");
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($id: ID!) { addMedicalEvidence(input: { caseId: $id, source: CAMHS, category: \"mental health\",
               evidenceDate: \"2026-09-15\", validUntil: \"2026-12-01\" }) { evidenceExpiresSoon latestEvidence { category } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["addMedicalEvidence"]["evidenceExpiresSoon"], true,
        "expires within 28 days: {body}"
    );
    let (_, body) = app
        .graphql(&kent, "mutation($id: ID!) { recordReview(caseId: $id, heldOn: \"2026-10-19\") { nextReviewDue } }", json!({ "id": id }))
        .await;
    assert!(
        body["data"]["recordReview"]["nextReviewDue"].is_string(),
        "{body}"
    );
    let body = close_case(&app, &kent, &id, "2026-11-20").await;
    let closed = &body["data"]["closeCase"];
    assert_eq!(closed["status"], "CLOSED", "{body}");
    assert_eq!(
        closed["provisions"][0]["endDate"], "2026-11-20",
        "running provision ends at closure"
    );
    let kinds: Vec<&str> = closed["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "REFERRAL_RECEIVED",
            "DECISION_MADE",
            "PROVISION_STARTED",
            "REVIEW_HELD",
            "PROVISION_ENDED",
            "RETURNED_TO_SCHOOL",
            "CLOSED"
        ]
    );
    assert!(
        closed["timeline"][0]["recordedBy"]
            .as_str()
            .unwrap_or("")
            .contains("officer-17")
    );
    // Nothing more may be arranged on a closed case.
    let body = start_provision(&app, &kent, &id, "2026-11-23").await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
}

#[tokio::test]
async fn bad_case_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Eve", "Weald", None).await;
    let (_, body) = app
        .graphql(
            &kent,
            "mutation($child: ID!) { openCase(input: { childId: $child, reason: HEALTH, absenceStart: \"2099-01-05\" }) { id } }",
            json!({ "child": child }),
        )
        .await;
    assert_eq!(
        (error_code(&body), error_field(&body)),
        ("BAD_USER_INPUT", "absenceStart"),
        "{body}"
    );
    let case = open_case(&app, &kent, &child, "HEALTH", "2026-10-05").await;
    let id = case["id"].as_str().expect("id");
    let provision =
        "mutation($input: StartProvisionInput!) { startProvision(input: $input) { id } }";
    for (overrides, field) in [
        (json!({ "hoursPerWeek": 0.0 }), "hoursPerWeek"),
        (json!({ "hoursPerWeek": 41.0 }), "hoursPerWeek"),
        (json!({ "hoursPerWeek": -5.0 }), "hoursPerWeek"),
        (json!({ "fullTime": false }), "reducedReason"),
        (json!({ "endDate": "2026-10-01" }), "endDate"),
    ] {
        let mut input = json!({ "caseId": id, "kind": "TUITION", "provider": "Tutors Ltd", "hoursPerWeek": 10.0,
                                "fullTime": true, "startDate": "2026-10-12" });
        if let (Some(map), Value::Object(extra)) = (input.as_object_mut(), overrides) {
            map.extend(extra);
        }
        let (_, body) = app
            .graphql(&kent, provision, json!({ "input": input }))
            .await;
        assert_eq!(
            (error_code(&body), error_field(&body)),
            ("BAD_USER_INPUT", field),
            "{body}"
        );
    }
    // Reduced provision with its recorded reason is fine.
    let (_, body) = app
        .graphql(
            &kent,
            provision,
            json!({ "input": { "caseId": id, "kind": "REDUCED_TIMETABLE", "provider": "Tutors Ltd", "hoursPerWeek": 10.0,
                    "fullTime": false, "reducedReason": "consultant advises mornings only", "startDate": "2026-10-12" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let (_, body) = app
        .graphql(
            &kent,
            "query($id: ID!) { case(id: $id) { provisions { fullTime } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["case"]["provisions"].as_array().map(Vec::len),
        Some(1),
        "only the valid provision: {body}"
    );
}

#[tokio::test]
async fn the_worklist_shows_cases_falling_due_soonest_first() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let a = app.create_child(&kent, "Fin", "Ashdown", None).await;
    let b = app.create_child(&kent, "Gus", "Brookes", None).await;
    let c = app.create_child(&kent, "Hal", "Chalk", None).await;
    open_case(&app, &kent, &a, "HEALTH", "2026-11-02").await; // due 20 Nov: overdue by today
    open_case(&app, &kent, &b, "PERMANENT_EXCLUSION", "2026-11-20").await; // due 27 Nov
    let covered = open_case(&app, &kent, &c, "HEALTH", "2026-11-03").await;
    start_provision(
        &app,
        &kent,
        covered["id"].as_str().expect("id"),
        "2026-11-10",
    )
    .await;
    let (_, body) = app
        .graphql(
            &kent,
            "{ casesDueSoon(withinSchoolDays: 10) { child { givenName } provisionDueBy } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = body["data"]["casesDueSoon"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["child"]["givenName"].as_str())
        .collect();
    assert_eq!(names, ["Fin", "Gus"], "{body}");
    let (_, body) = app
        .graphql(&kent, "{ cases(filter: { overdue: true }, orderBy: DAYS_WITHOUT_PROVISION) { edges { node { child { givenName } } } } }", json!({}))
        .await;
    // Fin is overdue whatever the date; Hal, whose tuition started in time, never is.
    let overdue: Vec<&str> = body["data"]["cases"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["child"]["givenName"].as_str())
        .collect();
    assert!(
        overdue.contains(&"Fin") && !overdue.contains(&"Hal"),
        "{body}"
    );
}

/// Lists read a case's timeline only when the query asks for it; every way of asking must get it.
#[tokio::test]
async fn every_way_of_asking_for_the_timeline_gets_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Ivy", "Oast", None).await;
    let case = open_case(&app, &kent, &child, "HEALTH", "2026-11-02").await;
    let id = case["id"].as_str().expect("id");
    app.graphql(
        &kent,
        "mutation($id: ID!) { recordReview(caseId: $id, heldOn: \"2026-11-16\") { id } }",
        json!({ "id": id }),
    )
    .await;
    let (_, body) = app
        .graphql(
            &kent,
            "query($id: ID!) { case(id: $id) { timeline { kind } nextReviewDue } }",
            json!({ "id": id }),
        )
        .await;
    let expected = body["data"]["case"].clone();
    assert_eq!(expected["timeline"][1]["kind"], "REVIEW_HELD", "{body}");
    assert!(expected["nextReviewDue"].is_string(), "{body}");

    let asks = [
        (
            "{ cases { edges { node { timeline { kind } nextReviewDue } } } }",
            "/data/cases/edges/0/node",
        ),
        (
            "{ cases { nodes { timeline { kind } nextReviewDue } } }",
            "/data/cases/nodes/0",
        ),
        (
            "{ cases { edges { node { ...page } } } } fragment page on Case { timeline { kind } nextReviewDue }",
            "/data/cases/edges/0/node",
        ),
        (
            "{ cases { edges { node { ... on Case { events: timeline { kind } due: nextReviewDue } } } } }",
            "/data/cases/edges/0/node",
        ),
        (
            "{ casesDueSoon(withinSchoolDays: 190) { timeline { kind } nextReviewDue } }",
            "/data/casesDueSoon/0",
        ),
    ];
    for (query, path) in asks {
        let (_, body) = app.graphql(&kent, query, json!({})).await;
        assert!(body["errors"].is_null(), "{query}: {body}");
        let mut got = body.pointer(path).cloned().unwrap_or_default();
        if let Some(aliased) = got.as_object_mut()
            && aliased.contains_key("events")
        {
            let events = aliased.remove("events").unwrap_or_default();
            let due = aliased.remove("due").unwrap_or_default();
            aliased.insert("timeline".into(), events);
            aliased.insert("nextReviewDue".into(), due);
        }
        assert_eq!(got, expected, "{query}");
    }
}

async fn another_council_cannot_reach_a_case_or_its_parts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["manager"]);
    let child = app.create_child(&kent, "Ada", "Ashdown", None).await;
    let case = open_case(&app, &kent, &child, "HEALTH", "2026-10-05").await;
    let id = case["id"].as_str().expect("id").to_owned();
    let body = start_provision(&app, &kent, &id, "2026-10-12").await;
    let provision = body["data"]["startProvision"]["provisions"][0]["id"]
        .as_str()
        .expect("provision")
        .to_owned();

    for surrey in [
        app.token(Caller::Surrey, &["CME-Officer"]),
        app.token(Caller::Surrey, &["CME-Manager"]),
    ] {
        let (_, body) = app
            .graphql(
                &surrey,
                "query($id: ID!) { case(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "read: {body}");
        let (_, body) = app
            .graphql(
                &surrey,
                "{ cases { edges { node { id } } } casesDueSoon(withinSchoolDays: 190) { id } }",
                json!({}),
            )
            .await;
        assert_eq!(body["data"]["cases"]["edges"], json!([]), "list: {body}");
        assert_eq!(body["data"]["casesDueSoon"], json!([]), "worklist: {body}");
        let body = start_provision(&app, &surrey, &id, "2026-10-12").await;
        assert_eq!(error_code(&body), "NOT_FOUND", "provision: {body}");
        let (_, body) = app
            .graphql(&surrey, "mutation($p: ID!) { endProvision(provisionId: $p, endDate: \"2026-10-20\") { id } }", json!({ "p": provision }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "end provision: {body}");
        let (_, body) = app
            .graphql(&surrey, "mutation($id: ID!) { addMedicalEvidence(input: { caseId: $id, source: GP, category: \"x\", evidenceDate: \"2026-10-06\" }) { id } }", json!({ "id": id }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "evidence: {body}");
        let (_, body) = app
            .graphql(&surrey, "mutation($id: ID!) { recordDutyDecision(caseId: $id, accepted: true, decidedOn: \"2026-10-06\") { id } }", json!({ "id": id }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "decision: {body}");
        let body = close_case(&app, &surrey, &id, "2026-10-20").await;
        assert_eq!(error_code(&body), "NOT_FOUND", "close: {body}");
        let (_, body) = app
            .graphql(&surrey, "mutation($c: ID!) { openCase(input: { childId: $c, reason: HEALTH, absenceStart: \"2026-10-05\" }) { id } }", json!({ "c": child }))
            .await;
        assert_eq!(
            error_code(&body),
            "NOT_FOUND",
            "a case for another council's child: {body}"
        );
    }
    // Calendars are per council too.
    app.graphql(&kent, "mutation { setSchoolCalendar(academicYear: 2026, terms: [{ name: \"Autumn\", startsOn: \"2026-09-03\", endsOn: \"2026-12-18\" }]) { isSet } }", json!({})).await;
    let surrey = app.token(Caller::Surrey, &["CME-Manager"]);
    let (_, body) = app
        .graphql(
            &surrey,
            "{ schoolCalendar(academicYear: 2026) { isSet } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["schoolCalendar"]["isSet"], false, "{body}");
    // Non-casework roles of the same council are refused outright.
    for token in [
        app.token(Caller::Kent, &["analyst"]),
        app.token(Caller::Kent, &["service"]),
        app.token(Caller::Kent, &["auditor"]),
    ] {
        let (_, body) = app
            .graphql(
                &token,
                "query($id: ID!) { case(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    // Kent's case is untouched.
    let (_, body) = app.graphql(&kent, "query($id: ID!) { case(id: $id) { status provisions { endDate } medicalEvidence { id } } }", json!({ "id": id })).await;
    assert_eq!(body["data"]["case"]["status"], "OPEN", "{body}");
    assert!(body["data"]["case"]["provisions"][0]["endDate"].is_null());
    assert_eq!(body["data"]["case"]["medicalEvidence"], json!([]));
}
on_both_stores!(another_council_cannot_reach_a_case_or_its_parts);

async fn a_page_of_cases_costs_the_same_queries_whatever_its_size(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let service = app.token(Caller::Kent, &["service"]);
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let load = |from: usize, to: usize| {
        let children: Vec<Value> = (from..to)
            .map(|n| json!({ "councilReference": format!("K-{n}"), "givenName": "Child", "familyName": format!("N{n:03}"),
                             "dateOfBirth": "2013-05-01", "sex": "FEMALE", "yearGroup": 8 }))
            .collect();
        let cases: Vec<Value> = (from..to)
            .map(|n| {
                json!({ "councilReference": format!("C-{n}"), "childReference": format!("K-{n}"),
                             "reason": "HEALTH", "absenceStart": "2026-10-05" })
            })
            .collect();
        (children, cases)
    };
    let page = "{ cases(first: 50) { edges { node { id child { givenName } currentProvision { id } latestEvidence { category }
                 timeline { kind } provisionDueBy schoolDaysWithoutProvision } } } }";
    let measure_page = |page: &'static str| async {
        let before = app.statements();
        let (_, body) = app.graphql(&kent, page, json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
        (
            app.statements() - before,
            body["data"]["cases"]["edges"]
                .as_array()
                .map_or(0, Vec::len),
        )
    };
    let measure = || measure_page(page);

    let (children, cases) = load(0, 3);
    app.graphql(
        &service,
        "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }",
        json!({ "rows": children }),
    )
    .await;
    app.graphql(
        &service,
        "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created } }",
        json!({ "rows": cases }),
    )
    .await;
    measure().await; // warm the council lookup
    let (small, three) = measure().await;
    assert_eq!(three, 3);

    let (children, cases) = load(3, 60);
    app.graphql(
        &service,
        "mutation($rows: [CreateChildInput!]!) { upsertChildren(rows: $rows) { created } }",
        json!({ "rows": children }),
    )
    .await;
    app.graphql(
        &service,
        "mutation($rows: [CaseRecordInput!]!) { upsertCases(rows: $rows) { created } }",
        json!({ "rows": cases }),
    )
    .await;
    let (_, body) = app
        .graphql(
            &kent,
            "{ cases(first: 5) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    for edge in body["data"]["cases"]["edges"].as_array().expect("edges") {
        let id = edge["node"]["id"].as_str().expect("id");
        start_provision(&app, &kent, id, "2026-10-12").await;
        app.graphql(&kent, "mutation($id: ID!) { addMedicalEvidence(input: { caseId: $id, source: GP, category: \"physical\", evidenceDate: \"2026-10-06\" }) { id } }", json!({ "id": id })).await;
    }
    let (large, fifty) = measure().await;
    assert_eq!(fifty, 50);
    assert_eq!(
        small, large,
        "a page of 50 must cost what a page of 3 costs ({small} statements)"
    );
    // One transaction reads the page (about a dozen statements); a second records the read in
    // the audit log, shared with whatever other reads are waiting.
    assert!((5..=16).contains(&large), "a page costs {large} statements");

    // A page that shows no timeline does not read one.
    let without_timeline = "{ cases(first: 50) { edges { node { id child { givenName } currentProvision { id }
                            latestEvidence { category } provisionDueBy schoolDaysWithoutProvision } } } }";
    let (lean, fifty) = measure_page(without_timeline).await;
    assert_eq!(fifty, 50);
    assert_eq!(lean, large - 1, "the timeline is one query of the page's");
}
on_both_stores!(a_page_of_cases_costs_the_same_queries_whatever_its_size);

#[tokio::test]
async fn a_council_sets_its_own_deadlines_and_due_dates_move() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let child = app.create_child(&manager, "Ida", "Weald", None).await;
    // No calendar: 13–17, 20–24 May, 27 May bank holiday, 28–31 May, 3 June is day 15.
    let case = open_case(&app, &manager, &child, "HEALTH", "2024-05-13").await;
    assert_eq!(case["provisionDueBy"], "2024-06-03", "{case}");
    let set = "mutation($input: DeadlineSettingsInput!) { setDeadlineSettings(input: $input) { healthAndOtherDays } }";
    let ten = json!({ "input": { "healthAndOtherDays": 10, "permanentExclusionDays": 6, "reviewIntervalSchoolDays": 30, "evidenceWarningDays": 28 } });
    let (_, body) = app.graphql(&manager, set, ten.clone()).await;
    assert_eq!(
        body["data"]["setDeadlineSettings"]["healthAndOtherDays"], 10,
        "{body}"
    );
    let (_, body) = app
        .graphql(
            &manager,
            "query($id: ID!) { case(id: $id) { provisionDueBy } }",
            json!({ "id": case["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["case"]["provisionDueBy"], "2024-05-24",
        "the stored due date moved: {body}"
    );
    let (_, body) = app
        .graphql(
            &manager,
            "{ cases(filter: { dueBefore: \"2024-05-25\" }) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["cases"]["edges"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
    // Only managers change settings, and nonsense is refused.
    let (_, body) = app
        .graphql(&app.token(Caller::Kent, &["caseworker"]), set, ten)
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let zero = json!({ "input": { "healthAndOtherDays": 0, "permanentExclusionDays": 6, "reviewIntervalSchoolDays": 30, "evidenceWarningDays": 28 } });
    let (_, body) = app.graphql(&manager, set, zero).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // Surrey keeps the defaults.
    let (_, body) = app
        .graphql(
            &app.token(Caller::Surrey, &["CME-Officer"]),
            "{ deadlineSettings { healthAndOtherDays } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["deadlineSettings"]["healthAndOtherDays"], 15,
        "{body}"
    );
}

/// Ranking by days without provision happens in the database, from counts stored when each case
/// last changed: the ranking must match the counts shown, including for a count stored long ago
/// that has kept running since.
async fn cases_rank_by_school_days_without_provision(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let in_two_weeks = (chrono::Utc::now().date_naive() + chrono::Days::new(14)).to_string();
    for (name, absent_from, provision_from) in [
        ("Fin", "2026-10-05", None),                          // still waiting
        ("Gus", "2026-11-16", None),                          // waiting, not long
        ("Hal", "2026-09-07", Some("2026-09-21".to_owned())), // ten days, then tuition
        ("Ida", "2026-11-02", Some(in_two_weeks)),            // tuition booked: still waiting
    ] {
        let child = app.create_child(&kent, name, "Weald", None).await;
        let case = open_case(&app, &kent, &child, "HEALTH", absent_from).await;
        if let Some(from) = provision_from {
            let body = start_provision(&app, &kent, case["id"].as_str().expect("id"), &from).await;
            assert!(body["errors"].is_null(), "{body}");
        }
    }
    // As if Fin's count had last been stored on Fin's first day of absence: it must still rank
    // by the days that have passed since.
    let owner = app.database.connect().await;
    owner
        .execute_unprepared(
            "UPDATE \"case\" SET wait_days = 1, wait_as_of = wait_as_of - (wait_days - 1) \
             WHERE child_id IN (SELECT id FROM child WHERE given_name = 'Fin')",
        )
        .await
        .expect("backdate");
    let (_, body) = app
        .graphql(
            &kent,
            "{ cases(orderBy: DAYS_WITHOUT_PROVISION) { edges { node { id schoolDaysWithoutProvision child { givenName } } } } }",
            json!({}),
        )
        .await;
    let ranked: Vec<(i64, String, String)> = body["data"]["cases"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let node = &e["node"];
            (
                node["schoolDaysWithoutProvision"].as_i64().expect("days"),
                node["id"].as_str().expect("id").to_owned(),
                node["child"]["givenName"]
                    .as_str()
                    .expect("name")
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(ranked.len(), 4, "{body}");
    let mut expected = ranked.clone();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    assert_eq!(ranked, expected, "most days first: {body}");
    assert_eq!(ranked[0].2, "Fin", "{body}");
    let hal = ranked.iter().find(|r| r.2 == "Hal").expect("Hal");
    assert_eq!(hal.0, 10, "tuition from 21 September: 7–18 September");
    // The second page carries on where the first stopped.
    let (_, body) = app
        .graphql(
            &kent,
            "{ cases(orderBy: DAYS_WITHOUT_PROVISION, first: 2) { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
            json!({}),
        )
        .await;
    let cursor = body["data"]["cases"]["pageInfo"]["endCursor"].clone();
    assert_eq!(
        body["data"]["cases"]["pageInfo"]["hasNextPage"], true,
        "{body}"
    );
    let (_, body) = app
        .graphql(
            &kent,
            "query($after: String) { cases(orderBy: DAYS_WITHOUT_PROVISION, first: 2, after: $after) { edges { node { id } } } }",
            json!({ "after": cursor }),
        )
        .await;
    let second: Vec<&str> = body["data"]["cases"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["id"].as_str())
        .collect();
    let rest: Vec<&str> = ranked[2..].iter().map(|r| r.1.as_str()).collect();
    assert_eq!(second, rest, "{body}");
}
on_both_stores!(cases_rank_by_school_days_without_provision);

/// Cases stored before their running counts existed (an upgrade) get them when the server
/// starts, so ranking never sees a missing count.
async fn the_server_fills_in_missing_counts_at_start(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Fin", "Weald", None).await;
    let opened = open_case(&app, &kent, &child, "HEALTH", "2026-10-05").await;
    let deadlines = |body: &Value| {
        (
            body["provisionDueBy"].clone(),
            body["schoolDaysWithoutProvision"].clone(),
        )
    };
    let read = || async {
        let (_, body) = app
            .graphql(
                &kent,
                "query($id: ID!) { case(id: $id) { provisionDueBy schoolDaysWithoutProvision } }",
                json!({ "id": opened["id"] }),
            )
            .await;
        body["data"]["case"].clone()
    };
    let owner = app.database.connect().await;
    let count_missing = || async {
        let row = owner
            .query_one_raw(sea_orm::Statement::from_string(
                owner.get_database_backend(),
                "SELECT COUNT(*) AS missing FROM \"case\" WHERE wait_as_of IS NULL",
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "missing").expect("missing")
    };
    owner
        .execute_unprepared(
            "UPDATE \"case\" SET wait_days = NULL, wait_as_of = NULL, wait_runs_until = NULL",
        )
        .await
        .expect("forget the counts");
    assert_eq!(count_missing().await, 1);
    // Until then the service counts from the child's episodes, with the same result.
    assert_eq!(deadlines(&read().await), deadlines(&opened));
    let restarted = api::startup::Application::build(app.settings.clone())
        .await
        .expect("restart");
    assert_eq!(count_missing().await, 0);
    drop(restarted);
}
on_both_stores!(the_server_fills_in_missing_counts_at_start);

const CHANGE_PROVISION: &str = "mutation($input: ChangeProvisionInput!) { changeProvision(input: $input) { \
    timeline { kind occurredOn } provisions { id hoursPerWeek fullTime startDate endDate } currentProvision { hoursPerWeek fullTime } } }";

/// Tuition goes from a reduced timetable to full time: the timeline says so, and each period
/// keeps the hours it had.
async fn provision_changes_keep_each_periods_hours(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    let child = app.create_child(&kent, "Ada", "Ashdown", None).await;
    let case = open_case(&app, &kent, &child, "HEALTH", "2026-09-07").await;
    let case_id = case["id"].as_str().expect("id");
    let (_, body) = app
        .graphql(
            &kent,
            &format!("mutation($input: StartProvisionInput!) {{ startProvision(input: $input) {{ {CASE_FIELDS} }} }}"),
            json!({ "input": { "caseId": case_id, "kind": "TUITION", "provider": "Home tuition service",
                    "hoursPerWeek": 10.0, "fullTime": false, "reducedReason": "fatigue after treatment",
                    "startDate": "2026-09-21" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let first = body["data"]["startProvision"]["provisions"][0]["id"].clone();

    // Bad changes are refused, naming the field, and change nothing.
    for (change, field) in [
        (
            json!({ "changedOn": "2026-10-05", "hoursPerWeek": 12.0, "fullTime": false }),
            "reducedReason",
        ),
        (
            json!({ "changedOn": "2026-10-05", "hoursPerWeek": 41.0, "fullTime": true }),
            "hoursPerWeek",
        ),
        (
            json!({ "changedOn": "2026-09-21", "hoursPerWeek": 25.0, "fullTime": true }),
            "changedOn",
        ),
    ] {
        let mut input = change.clone();
        input["provisionId"] = first.clone();
        let (_, body) = app
            .graphql(&kent, CHANGE_PROVISION, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{change}: {body}");
        assert_eq!(error_field(&body), field, "{body}");
    }
    // Another council cannot change it.
    let surrey = app.token(Caller::Surrey, &["caseworker"]);
    let (_, body) = app
        .graphql(
            &surrey,
            CHANGE_PROVISION,
            json!({ "input": { "provisionId": first, "changedOn": "2026-10-05", "hoursPerWeek": 25.0, "fullTime": true } }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    let (_, body) = app
        .graphql(
            &kent,
            CHANGE_PROVISION,
            json!({ "input": { "provisionId": first, "changedOn": "2026-10-05", "hoursPerWeek": 25.0, "fullTime": true } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let changed = &body["data"]["changeProvision"];
    let kinds: Vec<&str> = changed["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "REFERRAL_RECEIVED",
            "PROVISION_STARTED",
            "PROVISION_CHANGED"
        ],
        "{body}"
    );
    assert_eq!(
        changed["provisions"],
        json!([
            { "id": first, "hoursPerWeek": 10.0, "fullTime": false, "startDate": "2026-09-21", "endDate": "2026-10-04" },
            { "id": changed["provisions"][1]["id"], "hoursPerWeek": 25.0, "fullTime": true, "startDate": "2026-10-05", "endDate": null },
        ]),
        "{body}"
    );
    assert_eq!(
        changed["currentProvision"],
        json!({ "hoursPerWeek": 25.0, "fullTime": true })
    );
    // The provision that has ended cannot be changed again.
    let (_, body) = app
        .graphql(
            &kent,
            CHANGE_PROVISION,
            json!({ "input": { "provisionId": first, "changedOn": "2026-10-12", "hoursPerWeek": 20.0, "fullTime": true } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
}
on_both_stores!(provision_changes_keep_each_periods_hours);
