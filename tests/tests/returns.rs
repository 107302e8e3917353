//! Returns over GraphQL and CSV: figures computed from cases built by hand, every cell checked;
//! categories adding up; approval and versions; idempotent submission; bad input naming the row
//! and field with nothing stored; the metric catalogue's lifecycle and pupil populations; and
//! the isolation matrix for returns on both stores.

use std::collections::HashMap;

use hub_tests::{Backend, Caller, TestApp, error_code, error_field, on_both_stores};
use serde_json::{Value, json};

const RETURN_FIELDS: &str = "id period periodStart periodEnd timePeriod timeIdentifier version source status contentHash \
    cells { definitionCode definitionVersion breakdown category value numerator base }";

async fn child(app: &TestApp, token: &str, given: &str, extra: Value) -> String {
    let mut input = json!({
        "givenName": given, "familyName": "Weald", "dateOfBirth": "2011-03-09", "sex": "FEMALE",
    });
    for (key, value) in extra.as_object().expect("object") {
        input[key] = value.clone();
    }
    let (_, body) = app
        .graphql(
            token,
            "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    body["data"]["createChild"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createChild: {body}"))
        .to_owned()
}

async fn open(app: &TestApp, token: &str, child: &str, reason: &str, start: &str) -> String {
    let (_, body) = app
        .graphql(
            token,
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }",
            json!({ "input": { "childId": child, "reason": reason, "absenceStart": start } }),
        )
        .await;
    body["data"]["openCase"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("openCase: {body}"))
        .to_owned()
}

async fn provide(app: &TestApp, token: &str, case: &str, start: &str, full_time: bool) {
    let (_, body) = app
        .graphql(
            token,
            "mutation($input: StartProvisionInput!) { startProvision(input: $input) { id } }",
            json!({ "input": {
                "caseId": case, "kind": "TUITION", "provider": "Tutors",
                "hoursPerWeek": if full_time { 25.0 } else { 12.0 }, "fullTime": full_time,
                "reducedReason": if full_time { Value::Null } else { json!("fatigue") },
                "startDate": start,
            } }),
        )
        .await;
    assert!(body["errors"].is_null(), "startProvision: {body}");
}

async fn evidence(app: &TestApp, token: &str, case: &str, source: &str, on: &str, until: &str) {
    let (_, body) = app
        .graphql(
            token,
            "mutation($input: AddMedicalEvidenceInput!) { addMedicalEvidence(input: $input) { id } }",
            json!({ "input": { "caseId": case, "source": source, "category": "physical",
                     "evidenceDate": on, "validUntil": until } }),
        )
        .await;
    assert!(body["errors"].is_null(), "addMedicalEvidence: {body}");
}

async fn close(app: &TestApp, token: &str, case: &str, reason: &str, on: &str) {
    let (_, body) = app
        .graphql(
            token,
            "mutation($id: ID!, $reason: ClosureReason!, $on: NaiveDate!) { closeCase(caseId: $id, reason: $reason, closedOn: $on) { id } }",
            json!({ "id": case, "reason": reason, "on": on }),
        )
        .await;
    assert!(body["errors"].is_null(), "closeCase: {body}");
}

async fn compute(app: &TestApp, token: &str, period: &str) -> Value {
    let (_, body) = app
        .graphql(
            token,
            &format!("mutation($p: String!) {{ computeReturn(period: $p) {{ {RETURN_FIELDS} }} }}"),
            json!({ "p": period }),
        )
        .await;
    body
}

async fn approve(app: &TestApp, token: &str, id: &str) -> Value {
    let (_, body) = app
        .graphql(
            token,
            "mutation($id: ID!) { approveReturn(id: $id) { id status version } }",
            json!({ "id": id }),
        )
        .await;
    body
}

async fn returns_of(app: &TestApp, token: &str) -> Vec<Value> {
    let (_, body) = app
        .graphql(token, "{ councilReturns { id version status } }", json!({}))
        .await;
    body["data"]["councilReturns"]
        .as_array()
        .unwrap_or_else(|| panic!("councilReturns: {body}"))
        .clone()
}

/// The cells of a return, by (code, breakdown, category).
fn cells_of(ret: &Value) -> HashMap<(String, String, String), Value> {
    ret["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            (
                (
                    c["definitionCode"].as_str().expect("code").to_owned(),
                    c["breakdown"].as_str().expect("breakdown").to_owned(),
                    c["category"].as_str().expect("category").to_owned(),
                ),
                c.clone(),
            )
        })
        .collect()
}

fn value(cells: &HashMap<(String, String, String), Value>, code: &str, b: &str, c: &str) -> f64 {
    cells
        .get(&(code.to_owned(), b.to_owned(), c.to_owned()))
        .and_then(|cell| cell["value"].as_f64())
        .unwrap_or_else(|| panic!("no cell {code} {b} {c}"))
}

/// Kent's cases in 2023-24 (no calendar: weekdays minus bank holidays), built by hand; the
/// expected figures are worked out in the comments.
async fn kent_cases(app: &TestApp, manager: &str) {
    let a = child(app, manager, "Ada", json!({ "yearGroup": 7 })).await;
    let b = child(
        app,
        manager,
        "Ben",
        json!({ "sex": "MALE", "yearGroup": 10, "senStatus": "SEN_SUPPORT",
                "socialCareStatus": "CHILD_IN_NEED", "primaryNeed": "SOCIAL_EMOTIONAL_AND_MENTAL_HEALTH" }),
    )
    .await;
    let c = child(
        app,
        manager,
        "Cal",
        json!({ "yearGroup": 7, "senStatus": "EHC_PLAN", "socialCareStatus": "CHILD_LOOKED_AFTER",
                "primaryNeed": "AUTISTIC_SPECTRUM_DISORDER" }),
    )
    .await;
    let d = child(app, manager, "Dee", json!({ "sex": "MALE" })).await;
    let e = child(app, manager, "Eve", json!({ "yearGroup": 3 })).await;

    // 1. Ada, health from Mon 2 Oct 2023: due Fri 20 Oct (day 15); full-time tuition from
    //    Mon 16 Oct (on time, after 10 school days); consultant evidence; open at year end.
    let one = open(app, manager, &a, "HEALTH", "2023-10-02").await;
    evidence(app, manager, &one, "CONSULTANT", "2023-10-05", "2024-03-01").await;
    provide(app, manager, &one, "2023-10-16", true).await;
    // 2. Ben, permanently excluded from Mon 8 Jan 2024: due Mon 15 Jan (day 6); no provision.
    open(app, manager, &b, "PERMANENT_EXCLUSION", "2024-01-08").await;
    // 3. Cal, health from Mon 4 Mar 2024: due Fri 22 Mar; reduced provision from 15 April
    //    (late: 28 school days, Good Friday and Easter Monday not counted); GP evidence only;
    //    back at school 19 July, which ends the provision.
    let three = open(app, manager, &c, "HEALTH", "2024-03-04").await;
    evidence(app, manager, &three, "GP", "2024-03-05", "2024-09-01").await;
    provide(app, manager, &three, "2024-04-15", false).await;
    close(app, manager, &three, "RETURNED_TO_SCHOOL", "2024-07-19").await;
    // 4. Dee, awaiting a place since June 2022, placed on 15 Sep 2023: active in the year only.
    let four = open(app, manager, &d, "AWAITING_SCHOOL_PLACE", "2022-06-06").await;
    close(app, manager, &four, "NEW_SCHOOL_PLACE", "2023-09-15").await;
    // 5. Ben again, suspended from Mon 13 May 2024: due Mon 3 June (27 May a bank holiday);
    //    tuition from 20 May (on time, after 5 school days); back at school 28 June.
    let five = open(app, manager, &b, "SUSPENSION", "2024-05-13").await;
    provide(app, manager, &five, "2024-05-20", true).await;
    close(app, manager, &five, "RETURNED_TO_SCHOOL", "2024-06-28").await;
    // 6. Eve, health from 2 Sep 2024: the next academic year, in none of 2023-24's figures.
    open(app, manager, &e, "HEALTH", "2024-09-02").await;
}

async fn computed_cells_match_cases_built_by_hand(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    kent_cases(&app, &manager).await;
    let (_, body) = app
        .graphql(
            &manager,
            "mutation { setPupilPopulation(laCode: \"886\", academicYear: 2023, pupils: 200000) { pupils } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["setPupilPopulation"]["pupils"], 200000,
        "{body}"
    );

    let body = compute(&app, &manager, "2023-24").await;
    let ret = &body["data"]["computeReturn"];
    assert_eq!(ret["status"], "DRAFT", "{body}");
    assert_eq!(ret["source"], "COMPUTED");
    assert_eq!(ret["version"], 1);
    assert_eq!(ret["periodStart"], "2023-09-01");
    assert_eq!(ret["periodEnd"], "2024-08-31");
    assert_eq!(ret["timePeriod"], "202324");
    assert_eq!(ret["timeIdentifier"], "Academic year");
    let cells = cells_of(ret);
    let v = |code: &str, b: &str, c: &str| value(&cells, code, b, c);
    let total = |code: &str| v(code, "total", "total");

    // Referred in the year: Ada, Ben (twice) and Cal; Dee was referred in 2022, Eve in 2024-25.
    assert_eq!(total("referrals"), 4.0);
    assert_eq!(v("referrals", "sex", "female"), 2.0);
    assert_eq!(v("referrals", "sex", "male"), 2.0);
    assert_eq!(v("referrals", "sex", "unknown"), 0.0);
    assert_eq!(v("referrals", "reason", "health"), 2.0);
    assert_eq!(v("referrals", "reason", "permanent_exclusion"), 1.0);
    assert_eq!(v("referrals", "reason", "suspension"), 1.0);
    assert_eq!(v("referrals", "year_group", "year_7"), 2.0);
    assert_eq!(v("referrals", "year_group", "year_10"), 2.0);
    assert_eq!(v("referrals", "sen_status", "sen_support"), 2.0);
    assert_eq!(v("referrals", "sen_status", "ehc_plan"), 1.0);
    assert_eq!(v("referrals", "social_care", "cin"), 2.0);
    assert_eq!(v("referrals", "social_care", "cla"), 1.0);
    assert_eq!(v("referrals", "primary_need", "SEMH"), 2.0);
    assert_eq!(v("referrals", "primary_need", "ASD"), 1.0);
    assert_eq!(v("referrals", "primary_need", "none"), 1.0);
    // Open on 31 August 2024: Ada's and Ben's exclusion.
    assert_eq!(total("open_cases_at_end"), 2.0);
    // Open at some time in the year: all but Eve's.
    assert_eq!(total("cases_by_reason"), 5.0);
    assert_eq!(v("cases_by_reason", "reason", "health"), 2.0);
    assert_eq!(v("cases_by_reason", "reason", "awaiting_school_place"), 1.0);
    assert_eq!(v("cases_by_reason", "year_group", "unknown"), 1.0);
    // Due in the year: Ada, Ben's exclusion, Cal, Ben's suspension; on time: Ada and the suspension.
    assert_eq!(total("provision_due"), 4.0);
    assert_eq!(total("provision_within_15_days"), 2.0);
    assert_eq!(total("provision_within_15_days_percent"), 50.0);
    let percent = &cells[&(
        "provision_within_15_days_percent".to_owned(),
        "total".to_owned(),
        "total".to_owned(),
    )];
    assert_eq!(
        (percent["numerator"].as_i64(), percent["base"].as_i64()),
        (Some(2), Some(4))
    );
    assert_eq!(
        v("provision_within_15_days_percent", "reason", "health"),
        50.0
    );
    assert_eq!(
        v("provision_within_15_days_percent", "reason", "suspension"),
        100.0
    );
    assert_eq!(
        v(
            "provision_within_15_days_percent",
            "reason",
            "permanent_exclusion"
        ),
        0.0
    );
    // Ben's exclusion: overdue with nothing arranged at the year end.
    assert_eq!(total("without_provision_15_days_at_end"), 1.0);
    assert_eq!(
        v(
            "without_provision_15_days_at_end",
            "reason",
            "permanent_exclusion"
        ),
        1.0
    );
    // Running on 31 August: Ada's full-time tuition only (Cal's and Ben's ended at closure).
    assert_eq!(total("provision_running_at_end"), 1.0);
    assert_eq!(total("provision_full_time"), 1.0);
    assert_eq!(total("provision_reduced"), 0.0);
    assert_eq!(total("full_time_percent"), 100.0);
    assert_eq!(total("reduced_percent"), 0.0);
    assert_eq!(total("median_hours_per_week"), 25.0);
    // Days to provision started in the year: 5 (Ben), 10 (Ada), 28 (Cal): the median is 10.
    assert_eq!(total("median_days_to_provision"), 10.0);
    let median = &cells[&(
        "median_days_to_provision".to_owned(),
        "total".to_owned(),
        "total".to_owned(),
    )];
    assert_eq!(median["base"], 3);
    // Health: 10 and 28, the lower median 10; suspension: 5.
    assert_eq!(v("median_days_to_provision", "reason", "health"), 10.0);
    assert_eq!(v("median_days_to_provision", "reason", "suspension"), 5.0);
    assert_eq!(
        v("median_days_to_provision", "sen_status", "ehc_plan"),
        28.0
    );
    // Health needs: Ada and Cal under the wide definition; Ada alone is medically vulnerable.
    assert_eq!(total("health_needs_all"), 2.0);
    assert_eq!(total("health_needs_medically_vulnerable"), 1.0);
    assert_eq!(v("health_needs_all", "sen_status", "ehc_plan"), 1.0);
    // Rates per 10,000 of 200,000 pupils.
    assert_eq!(total("referrals_per_10000"), 0.2);
    assert_eq!(total("health_needs_all_per_10000"), 0.1);
    // Submitted-only figures are not computed.
    assert!(!cells.keys().any(|(code, _, _)| code == "cme"));

    // Every count's categories add up to its total, breakdown by breakdown.
    let counts: Vec<&str> = [
        "referrals",
        "open_cases_at_end",
        "cases_by_reason",
        "provision_due",
        "provision_within_15_days",
        "without_provision_15_days_at_end",
        "provision_running_at_end",
        "provision_full_time",
        "provision_reduced",
        "health_needs_all",
        "health_needs_medically_vulnerable",
    ]
    .to_vec();
    for code in counts {
        let mut sums: HashMap<&str, f64> = HashMap::new();
        for ((c, breakdown, _), cell) in &cells {
            if c == code && breakdown != "total" {
                *sums.entry(breakdown.as_str()).or_default() +=
                    cell["value"].as_f64().expect("value");
            }
        }
        assert!(!sums.is_empty(), "{code} has breakdowns");
        for (breakdown, sum) in sums {
            assert_eq!(sum, total(code), "{code} by {breakdown}");
        }
    }

    // Surrey's return is Surrey's own: no cases, every count zero.
    let surrey = app.token(Caller::Surrey, &["CME-Manager"]);
    let body = compute(&app, &surrey, "2023-24").await;
    let surrey_cells = cells_of(&body["data"]["computeReturn"]);
    assert_eq!(value(&surrey_cells, "referrals", "total", "total"), 0.0);
}
on_both_stores!(computed_cells_match_cases_built_by_hand);

#[tokio::test]
async fn term_figures_use_the_councils_calendar_and_fall_back_to_easter() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let (_, body) = app
        .graphql(
            &manager,
            "mutation { setSchoolCalendar(academicYear: 2023, terms: [
                { name: \"Autumn 1\", startsOn: \"2023-09-04\", endsOn: \"2023-10-20\" },
                { name: \"Autumn 2\", startsOn: \"2023-10-30\", endsOn: \"2023-12-19\" }
             ]) { isSet } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["setSchoolCalendar"]["isSet"], true, "{body}");
    let body = compute(&app, &manager, "2023-24-autumn").await;
    let ret = &body["data"]["computeReturn"];
    assert_eq!(
        (ret["periodStart"].as_str(), ret["periodEnd"].as_str()),
        (Some("2023-09-04"), Some("2023-12-19")),
        "{body}"
    );
    assert_eq!(ret["timeIdentifier"], "Autumn term");
    let body = compute(&app, &manager, "2023-24-spring").await;
    let ret = &body["data"]["computeReturn"];
    assert_eq!(
        (ret["periodStart"].as_str(), ret["periodEnd"].as_str()),
        (Some("2024-01-01"), Some("2024-03-31")),
        "{body}"
    );
}

#[tokio::test]
async fn a_return_is_draft_until_approved_and_a_new_computation_is_a_new_version() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let manager = app.token(Caller::Kent, &["manager"]);
    let ada = child(&app, &manager, "Ada", json!({})).await;
    open(&app, &manager, &ada, "HEALTH", "2023-10-02").await;
    let first = compute(&app, &manager, "2023-24").await;
    let first_id = first["data"]["computeReturn"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // The same figures again: the same version, nothing new.
    let again = compute(&app, &manager, "2023-24").await;
    assert_eq!(again["data"]["computeReturn"]["id"], first_id.as_str());
    assert_eq!(returns_of(&app, &manager).await.len(), 1);
    // Only a manager approves.
    let service = app.token(Caller::Kent, &["service"]);
    assert_eq!(
        error_code(&approve(&app, &service, &first_id).await),
        "FORBIDDEN"
    );
    let body = approve(&app, &manager, &first_id).await;
    assert_eq!(
        body["data"]["approveReturn"]["status"], "APPROVED",
        "{body}"
    );
    let body = approve(&app, &manager, &first_id).await;
    assert_eq!(error_code(&body), "CONFLICT", "a second approval: {body}");
    // New figures after approval: version 2, a draft; version 1 stays approved until 2 is.
    open(&app, &manager, &ada, "HEALTH", "2024-02-05").await;
    let second = compute(&app, &manager, "2023-24").await;
    let second = &second["data"]["computeReturn"];
    assert_eq!(
        (second["version"].as_i64(), second["status"].as_str()),
        (Some(2), Some("DRAFT"))
    );
    let second_id = second["id"].as_str().expect("id").to_owned();
    let statuses = |list: Vec<Value>| -> Vec<(i64, String)> {
        list.iter()
            .map(|r| {
                (
                    r["version"].as_i64().expect("v"),
                    r["status"].as_str().expect("s").to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        statuses(returns_of(&app, &manager).await),
        vec![(2, "DRAFT".to_owned()), (1, "APPROVED".to_owned())]
    );
    approve(&app, &manager, &second_id).await;
    assert_eq!(
        statuses(returns_of(&app, &manager).await),
        vec![(2, "APPROVED".to_owned()), (1, "SUPERSEDED".to_owned())]
    );
    let body = approve(&app, &manager, &first_id).await;
    assert_eq!(
        error_code(&body),
        "CONFLICT",
        "a superseded version: {body}"
    );
    // The analyst reads it, unsuppressed; the caseworker may not.
    let analyst = app.token(Caller::Kent, &["analyst"]);
    let (_, body) = app
        .graphql(
            &analyst,
            &format!("query($id: ID!) {{ councilReturn(id: $id) {{ {RETURN_FIELDS} }} }}"),
            json!({ "id": second_id }),
        )
        .await;
    let read = cells_of(&body["data"]["councilReturn"]);
    assert_eq!(value(&read, "referrals", "total", "total"), 2.0, "{body}");
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    let (_, body) = app
        .graphql(&caseworker, "{ councilReturns { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    // Every step is in the council's audit log.
    let auditor = app.token(Caller::Kent, &["auditor"]);
    let (_, body) = app
        .graphql(
            &auditor,
            "{ auditEvents(first: 100) { edges { node { operation } } } }",
            json!({}),
        )
        .await;
    let operations: Vec<&str> = body["data"]["auditEvents"]["edges"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["node"]["operation"].as_str())
        .collect();
    // (Reads are written by the batched read log, a moment later.)
    for operation in ["return.compute", "return.approve"] {
        assert!(
            operations.contains(&operation),
            "{operation}: {operations:?}"
        );
    }
}

const SUBMIT: &str = "mutation($p: String!, $cells: [ReturnCellInput!]!) { submitReturn(period: $p, cells: $cells) { id version status source cells { definitionCode } } }";

fn cell(code: &str, breakdown: &str, category: &str, value: f64) -> Value {
    json!({ "definitionCode": code, "definitionVersion": 1, "breakdown": breakdown, "category": category, "value": value })
}

#[tokio::test]
async fn a_submitted_return_is_idempotent_and_a_changed_one_is_a_new_version() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let service = app.token(Caller::Kent, &["service"]);
    let cells = json!([
        cell("cme", "total", "total", 12.0),
        cell("cme", "sex", "female", 5.0),
        cell("cme", "sex", "male", 7.0),
        cell("ehe", "total", "total", 140.0),
        cell("school_attendance_orders", "total", "total", 3.0),
    ]);
    let (_, first) = app
        .graphql(
            &service,
            SUBMIT,
            json!({ "p": "2023-24-autumn", "cells": cells }),
        )
        .await;
    let first = &first["data"]["submitReturn"];
    assert_eq!(
        (first["version"].as_i64(), first["source"].as_str()),
        (Some(1), Some("SUBMITTED")),
        "{first}"
    );
    let (_, again) = app
        .graphql(
            &service,
            SUBMIT,
            json!({ "p": "2023-24-autumn", "cells": cells }),
        )
        .await;
    assert_eq!(
        again["data"]["submitReturn"]["id"], first["id"],
        "the same cells are the same version"
    );
    let changed = json!([cell("cme", "total", "total", 13.0)]);
    let (_, second) = app
        .graphql(
            &service,
            SUBMIT,
            json!({ "p": "2023-24-autumn", "cells": changed }),
        )
        .await;
    assert_eq!(second["data"]["submitReturn"]["version"], 2, "{second}");
    let manager = app.token(Caller::Kent, &["manager"]);
    let versions: Vec<String> = returns_of(&app, &manager)
        .await
        .iter()
        .map(|r| r["status"].as_str().expect("status").to_owned())
        .collect();
    assert_eq!(
        versions,
        ["DRAFT", "SUPERSEDED"],
        "the earlier draft is superseded"
    );
}

#[tokio::test]
async fn bad_returns_name_every_row_and_field_and_store_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let coordinator = app.token(Caller::Partnership, &["partnership_coordinator"]);
    // A draft version 2 of referrals, and version 1 of ehe retired.
    let (_, body) = app
        .graphql(&coordinator, "mutation { proposeMetricDefinition(input: { code: \"referrals\", title: \"Referrals\", description: \"Referrals, counted afresh\", unit: COUNT, scope: \"All\", breakdowns: [\"sex\"] }) { id version status } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["proposeMetricDefinition"]["version"], 2,
        "{body}"
    );
    let (_, body) = app
        .graphql(
            &coordinator,
            "{ metricDefinitions(code: \"ehe\") { id } }",
            json!({}),
        )
        .await;
    let ehe = body["data"]["metricDefinitions"][0]["id"]
        .as_str()
        .expect("ehe")
        .to_owned();
    let (_, body) = app
        .graphql(
            &coordinator,
            "mutation($id: ID!) { retireMetricDefinition(id: $id) { status } }",
            json!({ "id": ehe }),
        )
        .await;
    assert_eq!(
        body["data"]["retireMetricDefinition"]["status"], "RETIRED",
        "{body}"
    );

    let manager = app.token(Caller::Kent, &["manager"]);
    let mut over = cell("provision_within_15_days_percent", "total", "total", 100.0);
    over["numerator"] = json!(5);
    over["base"] = json!(4);
    let mut draft = cell("referrals", "total", "total", 1.0);
    draft["definitionVersion"] = json!(2);
    let bad = json!([
        draft,
        cell("ehe", "total", "total", 4.0),
        cell("cme", "primary_need", "ASD", 1.0),
        cell("school_attendance_orders", "total", "total", -2.0),
        over,
        cell("cme", "sex", "dragon", 1.0),
        cell("no_such_figure", "total", "total", 1.0),
    ]);
    let (_, body) = app
        .graphql(&manager, SUBMIT, json!({ "p": "2023-24", "cells": bad }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let rejections: Vec<(i64, String)> = body["errors"][0]["extensions"]["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| {
            (
                r["index"].as_i64().expect("index"),
                r["field"].as_str().expect("field").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejections,
        vec![
            (0, "definition_version".to_owned()),
            (1, "definition_version".to_owned()),
            (2, "breakdown".to_owned()),
            (3, "value".to_owned()),
            (4, "numerator".to_owned()),
            (5, "category".to_owned()),
            (6, "definition_code".to_owned()),
        ]
    );
    // A period that does not exist.
    let (_, body) = app
        .graphql(
            &manager,
            SUBMIT,
            json!({ "p": "2023-25", "cells": [cell("cme", "total", "total", 1.0)] }),
        )
        .await;
    assert_eq!(
        (
            error_code(&body),
            body["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("period")),
        "{body}"
    );
    let (_, body) = app
        .graphql(
            &manager,
            "mutation { computeReturn(period: \"2024-13\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    // A figure the hub cannot compute.
    let (_, body) = app
        .graphql(
            &manager,
            "mutation { computeReturn(period: \"2023-24\", definitions: [\"cme\"]) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (
            error_code(&body),
            body["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("definitions[0]")),
        "{body}"
    );
    assert!(
        returns_of(&app, &manager).await.is_empty(),
        "nothing was stored"
    );
}

async fn upload(app: &TestApp, token: &str, period: &str, csv: &str) -> (u16, Value) {
    let response = app
        .http
        .post(app.url(&format!("/returns/{period}")))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("POST /returns");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn a_csv_return_is_stored_whole_or_every_bad_row_is_reported() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let service = app.token(Caller::Kent, &["service"]);
    let bad = "definition_code,definition_version,breakdown,category,value,numerator,base\n\
               cme,1,total,total,12,,\n\
               cme,one,total,total,3,,\n\
               cme,1,sex,female,5,,\n\
               cme,1,sex\n\
               ehe,1,total,total,-4,,\n\
               provision_within_15_days_percent,1,total,total,50,9,4\n";
    let (status, body) = upload(&app, &service, "2023-24", bad).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let rows: Vec<(i64, String)> = body["errors"][0]["extensions"]["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| {
            assert!(r["reason"].as_str().is_some_and(|s| !s.is_empty()));
            (
                r["row"].as_i64().expect("row"),
                r["column"].as_str().expect("column").to_owned(),
            )
        })
        .collect();
    // Malformed rows first (line 3's version, line 5's missing fields): each is reported.
    assert_eq!(
        rows,
        vec![(3, "definition_version".to_owned()), (5, "row".to_owned())],
        "{body}"
    );
    // Well-formed, but wrong against the definitions: each row named.
    let wrong = "definition_code,definition_version,breakdown,category,value,numerator,base\n\
                 cme,1,total,total,12,,\n\
                 cme,1,sex,female,5,,\n\
                 ehe,1,total,total,-4,,\n\
                 provision_within_15_days_percent,1,total,total,50,9,4\n";
    let (status, body) = upload(&app, &service, "2023-24", wrong).await;
    assert_eq!(status, 400, "{body}");
    let rows: Vec<(i64, String)> = body["errors"][0]["extensions"]["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| {
            (
                r["row"].as_i64().expect("row"),
                r["column"].as_str().expect("column").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![(4, "value".to_owned()), (5, "numerator".to_owned())],
        "{body}"
    );
    let manager = app.token(Caller::Kent, &["manager"]);
    assert!(
        returns_of(&app, &manager).await.is_empty(),
        "nothing was stored"
    );
    // A good file is stored, and the same file again is the same version.
    let good = "definition_code,definition_version,breakdown,category,value\n\
                cme,1,total,total,12\ncme,1,sex,female,5\ncme,1,sex,male,7\n";
    let (status, first) = upload(&app, &service, "2023-24", good).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["data"]["cells"], 3);
    let (_, again) = upload(&app, &service, "2023-24", good).await;
    assert_eq!(again["data"]["id"], first["data"]["id"]);
    // The categories must add up.
    let (status, body) = upload(&app, &service, "2023-24", "definition_code,definition_version,breakdown,category,value\ncme,1,total,total,12\ncme,1,sex,female,5\n").await;
    assert_eq!(status, 400, "{body}");
    // Neither a caseworker nor the partnership may upload.
    let caseworker = app.token(Caller::Kent, &["caseworker"]);
    assert_eq!(upload(&app, &caseworker, "2023-24", good).await.0, 403);
    let partnership = app.token(Caller::Partnership, &["partnership_coordinator"]);
    assert_eq!(upload(&app, &partnership, "2023-24", good).await.0, 403);
    let (status, _) = upload(&app, &service, "2023-25", good).await;
    assert_eq!(status, 400, "a period that does not exist");
}

#[tokio::test]
async fn the_coordinator_proposes_agrees_and_retires_definitions_and_agreed_ones_are_immutable() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let coordinator = app.token(Caller::Partnership, &["partnership_coordinator"]);
    let analyst = app.token(Caller::Partnership, &["partnership_analyst"]);
    let manager = app.token(Caller::Kent, &["manager"]);
    // The standard catalogue is there, agreed at version 1, for councils and the partnership.
    for token in [&analyst, &manager] {
        let (_, body) = app.graphql(token, "{ metricDefinitions(status: AGREED) { code version unit breakdowns computable numeratorCode denominatorCode } }", json!({})).await;
        let list = body["data"]["metricDefinitions"]
            .as_array()
            .expect("definitions");
        let codes: Vec<&str> = list.iter().filter_map(|d| d["code"].as_str()).collect();
        for code in [
            "referrals",
            "health_needs_all",
            "health_needs_medically_vulnerable",
            "cme",
            "complaints_upheld",
            "referrals_per_10000",
        ] {
            assert!(codes.contains(&code), "{code}: {codes:?}");
        }
        let rate = list
            .iter()
            .find(|d| d["code"] == "referrals_per_10000")
            .expect("rate");
        assert_eq!(
            (rate["unit"].as_str(), rate["denominatorCode"].as_str()),
            (Some("RATE_PER_10000"), Some("pupil_population"))
        );
        let cme = list.iter().find(|d| d["code"] == "cme").expect("cme");
        assert_eq!(cme["computable"], false);
    }
    let input = json!({ "code": "health_needs_all", "title": "Health needs (all), v2", "description": "As v1, counting from referral",
                        "unit": "COUNT", "scope": "Every child whose education the council arranges because of health", "breakdowns": ["sex"] });
    let propose = "mutation($input: MetricDefinitionInput!) { proposeMetricDefinition(input: $input) { id version status computable } }";
    // Only the coordinator.
    for token in [&analyst, &manager] {
        let (_, body) = app.graphql(token, propose, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let (_, body) = app
        .graphql(&coordinator, propose, json!({ "input": input }))
        .await;
    let draft = &body["data"]["proposeMetricDefinition"];
    assert_eq!(
        (draft["version"].as_i64(), draft["status"].as_str()),
        (Some(2), Some("DRAFT")),
        "{body}"
    );
    assert_eq!(draft["computable"], true);
    let id = draft["id"].as_str().expect("id").to_owned();
    let (_, body) = app
        .graphql(&coordinator, propose, json!({ "input": input }))
        .await;
    assert_eq!(
        error_code(&body),
        "CONFLICT",
        "a second draft of a code: {body}"
    );
    let update = "mutation($id: ID!, $input: MetricDefinitionInput!) { updateMetricDefinition(id: $id, input: $input) { title } }";
    let (_, body) = app
        .graphql(&coordinator, update, json!({ "id": id, "input": input }))
        .await;
    assert!(body["errors"].is_null(), "a draft may be edited: {body}");
    let agree = "mutation($id: ID!) { agreeMetricDefinition(id: $id) { status agreedAt } }";
    let (_, body) = app.graphql(&coordinator, agree, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["agreeMetricDefinition"]["status"], "AGREED",
        "{body}"
    );
    let (_, body) = app.graphql(&coordinator, agree, json!({ "id": id })).await;
    assert_eq!(
        error_code(&body),
        "CONFLICT",
        "agreeing an agreed version: {body}"
    );
    let (_, body) = app
        .graphql(&coordinator, update, json!({ "id": id, "input": input }))
        .await;
    assert_eq!(
        error_code(&body),
        "CONFLICT",
        "editing an agreed version: {body}"
    );
    // Returns computed from now on use version 2.
    let body = compute(&app, &manager, "2025-26").await;
    let versions: Vec<i64> = body["data"]["computeReturn"]["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| c["definitionCode"] == "health_needs_all")
        .map(|c| c["definitionVersion"].as_i64().expect("version"))
        .collect();
    assert!(
        !versions.is_empty() && versions.iter().all(|v| *v == 2),
        "{versions:?}"
    );
    let retire = "mutation($id: ID!) { retireMetricDefinition(id: $id) { status } }";
    let (_, body) = app.graphql(&coordinator, retire, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["retireMetricDefinition"]["status"], "RETIRED",
        "{body}"
    );
    let (_, body) = app.graphql(&coordinator, retire, json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT");
    // Bad input names the field.
    let mut bad = input.clone();
    bad["unit"] = json!("PERCENT");
    let (_, body) = app
        .graphql(&coordinator, propose, json!({ "input": bad }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "numeratorCode",
        "{body}"
    );
    bad = input.clone();
    bad["breakdowns"] = json!(["ethnicity"]);
    let (_, body) = app
        .graphql(&coordinator, propose, json!({ "input": bad }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "breakdowns",
        "{body}"
    );
}

#[tokio::test]
async fn pupil_populations_are_set_by_a_manager_or_the_coordinator_and_read_by_the_partnership() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let set = "mutation($la: String!, $n: Int!) { setPupilPopulation(laCode: $la, academicYear: 2025, pupils: $n) { pupils demo } }";
    let kent = app.token(Caller::Kent, &["manager"]);
    let (_, body) = app
        .graphql(&kent, set, json!({ "la": "886", "n": 240000 }))
        .await;
    assert_eq!(
        body["data"]["setPupilPopulation"]["pupils"], 240000,
        "{body}"
    );
    assert_eq!(body["data"]["setPupilPopulation"]["demo"], false);
    let (_, body) = app
        .graphql(&kent, set, json!({ "la": "936", "n": 1 }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "another council's: {body}");
    let analyst = app.token(Caller::Kent, &["analyst"]);
    let (_, body) = app
        .graphql(&analyst, set, json!({ "la": "886", "n": 1 }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let coordinator = app.token(Caller::Partnership, &["partnership_coordinator"]);
    let (_, body) = app
        .graphql(&coordinator, set, json!({ "la": "936", "n": 180000 }))
        .await;
    assert_eq!(
        body["data"]["setPupilPopulation"]["pupils"], 180000,
        "{body}"
    );
    let (_, body) = app
        .graphql(&kent, set, json!({ "la": "886", "n": 0 }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "pupils");
    let partnership = app.token(Caller::Partnership, &["partnership_analyst"]);
    let (_, body) = app
        .graphql(
            &partnership,
            "{ pupilPopulations(academicYear: 2025) { pupils } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["pupilPopulations"].as_array().map(Vec::len),
        Some(2),
        "{body}"
    );
}

/// The isolation matrix for returns: another council's return is NOT_FOUND by every path, and
/// no partnership role reaches any council's return.
async fn no_other_council_and_no_partnership_role_reaches_a_return(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kent = app.token(Caller::Kent, &["manager"]);
    let ada = child(&app, &kent, "Ada", json!({})).await;
    open(&app, &kent, &ada, "HEALTH", "2023-10-02").await;
    let body = compute(&app, &kent, "2023-24").await;
    let id = body["data"]["computeReturn"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let read = "query($id: ID!) { councilReturn(id: $id) { id cells { value } } }";
    let approve_query = "mutation($id: ID!) { approveReturn(id: $id) { id } }";
    // Surrey's analyst and manager: NOT_FOUND, and nothing of Kent's in their lists.
    let surrey_analyst = app.token(Caller::Surrey, &["Insight"]);
    let surrey_manager = app.token(Caller::Surrey, &["CME-Manager"]);
    for token in [&surrey_analyst, &surrey_manager] {
        let (_, body) = app.graphql(token, read, json!({ "id": id })).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        assert!(returns_of(&app, token).await.is_empty());
    }
    let (_, body) = app
        .graphql(&surrey_manager, approve_query, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    // Kent's is still a draft: Surrey could not approve it.
    let kent_analyst = app.token(Caller::Kent, &["analyst"]);
    let (_, body) = app
        .graphql(
            &kent_analyst,
            "query($id: ID!) { councilReturn(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["councilReturn"]["status"], "DRAFT", "{body}");
    // Partnership roles: nothing, by any query or mutation.
    for role in ["partnership_analyst", "partnership_coordinator"] {
        let token = app.token(Caller::Partnership, &[role]);
        for (query, variables) in [
            (read, json!({ "id": id })),
            ("{ councilReturns { id } }", json!({})),
            (approve_query, json!({ "id": id })),
            (
                "mutation { computeReturn(period: \"2023-24\") { id } }",
                json!({}),
            ),
            (
                SUBMIT,
                json!({ "p": "2023-24", "cells": [cell("cme", "total", "total", 1.0)] }),
            ),
        ] {
            let (_, body) = app.graphql(&token, query, variables).await;
            assert_eq!(error_code(&body), "FORBIDDEN", "{role}: {query}: {body}");
            assert!(
                body["data"].is_null()
                    || body["data"]
                        .as_object()
                        .is_some_and(|d| d.values().all(Value::is_null)),
                "{body}"
            );
        }
    }
    // Kent's analyst may read but not compute, submit or approve.
    for (query, variables) in [
        (
            "mutation { computeReturn(period: \"2023-24\") { id } }",
            json!({}),
        ),
        (approve_query, json!({ "id": id })),
    ] {
        let (_, body) = app.graphql(&kent_analyst, query, variables).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
}
on_both_stores!(no_other_council_and_no_partnership_role_reaches_a_return);

#[tokio::test]
async fn a_definition_code_that_cannot_exist_is_refused_by_name() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let analyst = app.token(Caller::Partnership, &["partnership_analyst"]);
    for code in ["\u{0}", "Referrals", "a b"] {
        let (_, body) = app
            .graphql(
                &analyst,
                "query($code: String) { metricDefinitions(code: $code) { id } }",
                json!({ "code": code }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{code:?}: {body}");
        assert_eq!(error_field(&body), "code", "{body}");
    }
}
