//! Releases through the API: the SESLIP situation (two definitions side by side, `x` for the
//! councils that returned nothing), corrections as revisions, drafts never published, who may
//! read and compile, and (on PostgreSQL) the compile role that can read nothing else.

use entity::council_return::ReturnStatus;
use entity::metric_definition::MetricUnit;
use hub_tests::figures::{
    Figures, assert_published_safely, by_sex, other_partnership_token, with_other_partnership,
};
use hub_tests::{Backend, Caller, Options, TestApp, error_code, error_field, on_both_stores};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};

const PERIOD: &str = "2023-24";

const COMPILE: &str = "mutation($period: String!, $reason: String) {
    compileRelease(period: $period, reason: $reason) { id revision reason supersedes settings { threshold roundingBase } }
}";

const RELEASE: &str = "query($id: ID!, $code: String) { release(id: $id) {
    id period revision reason supersedes compiledBy
    settings { threshold roundingBase }
    cells(code: $code) { figure { code version unit } group council { laCode } breakdown category
                         value { value symbol display } }
    coverage { council { laCode } figure { code } status returnVersion }
    revisions { id revision reason }
} }";

fn coordinator(app: &TestApp) -> String {
    app.token(Caller::Partnership, &["partnership_coordinator"])
}

fn partnership_analyst(app: &TestApp) -> String {
    app.token(Caller::Partnership, &["partnership_analyst"])
}

async fn compile(app: &TestApp, token: &str, reason: Option<&str>) -> Value {
    let (status, body) = app
        .graphql(
            token,
            COMPILE,
            json!({ "period": PERIOD, "reason": reason }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn compiled(app: &TestApp, reason: Option<&str>) -> Value {
    let body = compile(app, &coordinator(app), reason).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["compileRelease"].clone()
}

async fn read(app: &TestApp, token: &str, id: &Value, code: Option<&str>) -> Value {
    let (_, body) = app
        .graphql(token, RELEASE, json!({ "id": id, "code": code }))
        .await;
    body
}

/// The cells of `group` for the council `la_code` (or the group total with `None`).
fn cells_of<'a>(cells: &'a Value, group: &str, la_code: Option<&str>) -> Vec<&'a Value> {
    cells
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| c["group"] == group)
        .filter(|c| match la_code {
            Some(code) => c["council"]["laCode"] == code,
            None => c["council"].is_null(),
        })
        .collect()
}

fn total_of<'a>(cells: &'a Value, group: &str, la_code: Option<&str>) -> &'a Value {
    &cells_of(cells, group, la_code)
        .into_iter()
        .find(|c| c["breakdown"] == "total")
        .expect("a total cell")["value"]
}

async fn seslip_release_shows_two_groups_and_x_for_the_councils_that_returned_nothing(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let figures = Figures::of(&app).await;
    let all = figures
        .definition(
            figures.partnership,
            "health_needs_all",
            MetricUnit::Count,
            "sex",
        )
        .await;
    let vulnerable = figures
        .definition(
            figures.partnership,
            "health_needs_medically_vulnerable",
            MetricUnit::Count,
            "sex",
        )
        .await;
    assert_eq!(figures.councils.len(), 19);
    let (five, rest) = figures.councils.split_at(5);
    let (two, twelve) = rest.split_at(2);
    for (n, (_, council)) in five.iter().enumerate() {
        let n = n as i64;
        figures
            .put_return(
                *council,
                PERIOD,
                1,
                ReturnStatus::Approved,
                &by_sex(all, 20 + 3 * n, 25 + n),
            )
            .await;
    }
    for (n, (_, council)) in two.iter().enumerate() {
        let n = n as i64;
        figures
            .put_return(
                *council,
                PERIOD,
                1,
                ReturnStatus::Approved,
                &by_sex(vulnerable, 9 + n, 14),
            )
            .await;
    }

    let release = compiled(&app, None).await;
    assert_eq!(release["revision"], 1);
    assert_eq!(
        release["settings"],
        json!({ "threshold": 7, "roundingBase": 5 })
    );
    let body = read(&app, &partnership_analyst(&app), &release["id"], None).await;
    assert!(body["errors"].is_null(), "{body}");
    let cells = &body["data"]["release"]["cells"];
    assert_published_safely(cells, 7, 5);

    // Two groups, each with its own total: never summed together.
    let groups: std::collections::BTreeSet<&str> = cells
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups.into_iter().collect::<Vec<_>>(),
        [
            "health_needs_all/v1",
            "health_needs_medically_vulnerable/v1"
        ]
    );
    let all_total = total_of(cells, "health_needs_all/v1", None);
    let returned_all: i64 = (0..5).map(|n| 45 + 4 * n).sum();
    let shown = all_total["value"]
        .as_f64()
        .expect("the five councils' total is shown");
    assert!(
        (shown - returned_all as f64).abs() <= 2.5,
        "{all_total} vs {returned_all}"
    );
    assert!(total_of(cells, "health_needs_medically_vulnerable/v1", None).is_object());

    // In each group, every council that did not return that definition is `x`, all its cells.
    let x = json!({ "value": null, "symbol": "NOT_AVAILABLE", "display": "x" });
    for (la_code, _) in two.iter().chain(twelve) {
        for cell in cells_of(cells, "health_needs_all/v1", Some(la_code)) {
            assert_eq!(cell["value"], x, "{la_code}: {cell}");
        }
    }
    for (la_code, _) in five.iter().chain(twelve) {
        for cell in cells_of(cells, "health_needs_medically_vulnerable/v1", Some(la_code)) {
            assert_eq!(cell["value"], x, "{la_code}: {cell}");
        }
    }
    for (la_code, _) in five {
        assert_ne!(total_of(cells, "health_needs_all/v1", Some(la_code)), &x);
    }

    // Coverage: the five and the two returned their own definition; the twelve approved nothing.
    let coverage = body["data"]["release"]["coverage"].as_array().unwrap();
    let status_of = |la_code: &str, code: Option<&str>| -> Vec<&Value> {
        coverage
            .iter()
            .filter(|c| c["council"]["laCode"] == la_code)
            .filter(|c| code.is_none_or(|code| c["figure"]["code"] == code))
            .map(|c| &c["status"])
            .collect()
    };
    for (la_code, _) in five {
        assert_eq!(status_of(la_code, Some("health_needs_all")), ["RETURNED"]);
        assert_eq!(
            status_of(la_code, Some("health_needs_medically_vulnerable")),
            ["NOT_RETURNED"]
        );
    }
    for (la_code, _) in two {
        assert_eq!(
            status_of(la_code, Some("health_needs_all")),
            ["NOT_RETURNED"]
        );
    }
    for (la_code, _) in twelve {
        assert_eq!(status_of(la_code, None), ["NOT_APPROVED"]);
    }

    // One figure's cells on their own.
    let body = read(
        &app,
        &partnership_analyst(&app),
        &release["id"],
        Some("health_needs_medically_vulnerable"),
    )
    .await;
    let only = body["data"]["release"]["cells"].as_array().unwrap();
    assert!(
        only.iter()
            .all(|c| c["figure"]["code"] == "health_needs_medically_vulnerable")
    );
    assert!(!only.is_empty());
}
on_both_stores!(seslip_release_shows_two_groups_and_x_for_the_councils_that_returned_nothing);

async fn a_correction_is_a_new_revision_with_a_reason_and_hides_what_the_first_hid(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let figures = Figures::of(&app).await;
    let referrals = figures
        .definition(figures.partnership, "referrals", MetricUnit::Count, "sex")
        .await;
    let mut kent_first = None;
    let six = figures
        .councils
        .iter()
        .filter(|(code, _)| code == hub_tests::KENT)
        .chain(figures.councils.iter().take(5));
    for (n, (la_code, council)) in six.enumerate() {
        let n = n as i64;
        // Small counts, so the first revision suppresses something.
        let id = figures
            .put_return(
                *council,
                PERIOD,
                1,
                ReturnStatus::Approved,
                &by_sex(referrals, 2 + n, 30 + 5 * n),
            )
            .await;
        if la_code == hub_tests::KENT {
            kent_first = Some((*council, id));
        }
    }
    let first = compiled(&app, None).await;
    let before = read(&app, &partnership_analyst(&app), &first["id"], None).await;
    let before_cells = before["data"]["release"]["cells"].clone();
    assert!(
        before_cells
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["value"]["symbol"] == "SUPPRESSED"),
        "the first revision suppresses the small counts: {before_cells}"
    );

    // Compiling the period again without a reason is refused, and stores nothing.
    let body = compile(&app, &coordinator(&app), None).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(error_field(&body), "reason");
    let body = compile(&app, &coordinator(&app), Some("   ")).await;
    assert_eq!(error_field(&body), "reason", "{body}");

    // A council corrects its return: a new approved version, the first superseded.
    let (kent, first_return) = kent_first.expect("Kent is among the six");
    figures.supersede(kent, first_return).await;
    figures
        .put_return(
            kent,
            PERIOD,
            2,
            ReturnStatus::Approved,
            &by_sex(referrals, 40, 41),
        )
        .await;
    let second = compiled(&app, Some("Kent corrected its return")).await;
    assert_eq!(second["revision"], 2);
    assert_eq!(second["reason"], "Kent corrected its return");
    assert_eq!(second["supersedes"], first["id"]);

    // The first revision stays readable, unchanged.
    let again = read(&app, &partnership_analyst(&app), &first["id"], None).await;
    assert_eq!(again["data"]["release"]["cells"], before_cells);
    let after = read(&app, &partnership_analyst(&app), &second["id"], None).await;
    let after_cells = &after["data"]["release"]["cells"];
    assert_published_safely(after_cells, 7, 5);
    let revisions = &after["data"]["release"]["revisions"];
    assert_eq!(revisions.as_array().unwrap().len(), 2);
    assert_eq!(revisions[0]["id"], first["id"]);
    assert_eq!(revisions[1]["reason"], "Kent corrected its return");

    // What the first revision suppressed stays suppressed (same council, breakdown, category).
    let key = |c: &Value| {
        (
            c["group"].to_string(),
            c["council"]["laCode"].to_string(),
            c["breakdown"].to_string(),
            c["category"].to_string(),
        )
    };
    for cell in before_cells.as_array().unwrap() {
        if cell["value"]["symbol"] != "SUPPRESSED" {
            continue;
        }
        let later = after_cells
            .as_array()
            .unwrap()
            .iter()
            .find(|c| key(c) == key(cell))
            .expect("the same cell in the correction");
        assert_eq!(later["value"]["symbol"], "SUPPRESSED", "{cell} -> {later}");
    }

    // Newest first, one at a time, with an opaque keyset cursor.
    let list = "query($after: String) { releases(first: 1, after: $after) {
        edges { cursor node { id revision } } pageInfo { hasNextPage } } }";
    let (_, page) = app
        .graphql(&partnership_analyst(&app), list, json!({}))
        .await;
    let releases = &page["data"]["releases"];
    assert_eq!(releases["edges"][0]["node"]["id"], second["id"], "{page}");
    assert_eq!(releases["pageInfo"]["hasNextPage"], true);
    let cursor = releases["edges"][0]["cursor"].clone();
    let (_, page) = app
        .graphql(&partnership_analyst(&app), list, json!({ "after": cursor }))
        .await;
    assert_eq!(
        page["data"]["releases"]["edges"][0]["node"]["id"], first["id"],
        "{page}"
    );
    assert_eq!(page["data"]["releases"]["pageInfo"]["hasNextPage"], false);
    let (_, page) = app
        .graphql(
            &partnership_analyst(&app),
            list,
            json!({ "after": "garbage" }),
        )
        .await;
    assert_eq!(error_field(&page), "after", "{page}");
}
on_both_stores!(a_correction_is_a_new_revision_with_a_reason_and_hides_what_the_first_hid);

async fn drafts_never_appear_and_a_council_with_an_approved_version_shows_that_one(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let figures = Figures::of(&app).await;
    let referrals = figures
        .definition(figures.partnership, "referrals", MetricUnit::Count, "")
        .await;
    let total = |value: f64| {
        vec![hub_tests::figures::Cell {
            definition: referrals,
            breakdown: "total",
            category: "total",
            value,
        }]
    };
    let kent = figures.council(hub_tests::KENT);
    let surrey = figures.council(hub_tests::SURREY);
    figures
        .put_return(kent, PERIOD, 1, ReturnStatus::Approved, &total(50.0))
        .await;
    figures
        .put_return(kent, PERIOD, 2, ReturnStatus::Draft, &total(90.0))
        .await;
    figures
        .put_return(surrey, PERIOD, 1, ReturnStatus::Draft, &total(65.0))
        .await;
    let release = compiled(&app, None).await;
    let body = read(&app, &partnership_analyst(&app), &release["id"], None).await;
    let cells = &body["data"]["release"]["cells"];
    assert_eq!(
        total_of(cells, "referrals/v1", Some(hub_tests::KENT))["value"],
        50.0
    );
    assert_eq!(
        total_of(cells, "referrals/v1", Some(hub_tests::SURREY))["symbol"],
        "NOT_AVAILABLE"
    );
    assert_eq!(total_of(cells, "referrals/v1", None)["value"], 50.0);
    let text = cells.to_string();
    assert!(
        !text.contains("90") && !text.contains("65"),
        "a draft leaked: {text}"
    );
    let coverage = body["data"]["release"]["coverage"].as_array().unwrap();
    let kent_line = coverage
        .iter()
        .find(|c| c["council"]["laCode"] == hub_tests::KENT)
        .unwrap();
    assert_eq!(kent_line["status"], "RETURNED");
    assert_eq!(kent_line["returnVersion"], 1);
    let surrey_line = coverage
        .iter()
        .find(|c| c["council"]["laCode"] == hub_tests::SURREY)
        .unwrap();
    assert_eq!(surrey_line["status"], "NOT_APPROVED");
}
on_both_stores!(drafts_never_appear_and_a_council_with_an_approved_version_shows_that_one);

async fn only_the_coordinator_compiles_and_changes_the_settings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for token in [
        partnership_analyst(&app),
        app.token(Caller::Kent, &["manager", "analyst"]),
    ] {
        let body = compile(&app, &token, None).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
        let (_, body) = app
            .graphql(
                &token,
                "mutation { setDisclosureSettings(threshold: 10, roundingBase: 10) { threshold } }",
                json!({}),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let set = "mutation($t: Int!, $b: Int!) { setDisclosureSettings(threshold: $t, roundingBase: $b) { threshold roundingBase } }";
    let (_, body) = app
        .graphql(&coordinator(&app), set, json!({ "t": 0, "b": 5 }))
        .await;
    assert_eq!(error_field(&body), "threshold", "{body}");
    let (_, body) = app
        .graphql(&coordinator(&app), set, json!({ "t": 10, "b": 101 }))
        .await;
    assert_eq!(error_field(&body), "roundingBase", "{body}");
    let (_, body) = app
        .graphql(&coordinator(&app), set, json!({ "t": 10, "b": 10 }))
        .await;
    assert_eq!(
        body["data"]["setDisclosureSettings"],
        json!({ "threshold": 10, "roundingBase": 10 }),
        "{body}"
    );
    // A period that is not a period is refused naming it.
    let (_, body) = app
        .graphql(&coordinator(&app), COMPILE, json!({ "period": "2023-25" }))
        .await;
    assert_eq!(error_field(&body), "period", "{body}");
    // Releases from now on record the new settings.
    let release = compiled(&app, None).await;
    assert_eq!(
        release["settings"],
        json!({ "threshold": 10, "roundingBase": 10 })
    );
    let (_, body) = app
        .graphql(
            &partnership_analyst(&app),
            "{ disclosureSettings { threshold roundingBase } disclosureSymbols { symbol code meaning } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["disclosureSettings"]["threshold"], 10,
        "{body}"
    );
    let codes: Vec<&Value> = body["data"]["disclosureSymbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["code"])
        .collect();
    assert_eq!(codes, ["c", "x", "z", "low"]);
}
on_both_stores!(only_the_coordinator_compiles_and_changes_the_settings);

async fn releases_are_read_only_within_their_partnership(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        configure: with_other_partnership,
        ..Options::new(backend)
    })
    .await;
    let figures = Figures::of(&app).await;
    let kent = figures.council(hub_tests::KENT);
    // Kent belongs to both partnerships; Surrey only to SESLIP.
    let other = figures.other_partnership(&[kent]).await;
    let seslip_figure = figures
        .definition(figures.partnership, "referrals", MetricUnit::Count, "sex")
        .await;
    let other_figure = figures
        .definition(other, "referrals", MetricUnit::Count, "sex")
        .await;
    figures
        .put_return(
            kent,
            PERIOD,
            1,
            ReturnStatus::Approved,
            &[by_sex(seslip_figure, 20, 30), by_sex(other_figure, 11, 12)].concat(),
        )
        .await;
    let seslip_release = compiled(&app, None).await;
    let other_coordinator = other_partnership_token(&app, &["partnership_coordinator"]);
    let body = compile(&app, &other_coordinator, None).await;
    let other_release = body["data"]["compileRelease"].clone();
    assert!(body["errors"].is_null(), "{body}");

    // Another partnership's release does not exist for you, whoever you are.
    for (token, foreign) in [
        (other_coordinator.clone(), &seslip_release["id"]),
        (
            other_partnership_token(&app, &["partnership_analyst"]),
            &seslip_release["id"],
        ),
        (coordinator(&app), &other_release["id"]),
        (partnership_analyst(&app), &other_release["id"]),
        (
            app.token(Caller::Surrey, &["Insight"]),
            &other_release["id"],
        ),
    ] {
        let body = read(&app, &token, foreign, None).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        assert!(body["data"].is_null(), "{body}");
    }
    // Nor is it listed.
    let (_, body) = app
        .graphql(
            &other_coordinator,
            "{ releases { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["releases"]["edges"],
        json!([{ "node": { "id": other_release["id"] } }])
    );

    // Council analysts and managers of members read their partnerships' releases.
    for token in [
        app.token(Caller::Kent, &["analyst"]),
        app.token(Caller::Kent, &["manager"]),
    ] {
        for id in [&seslip_release["id"], &other_release["id"]] {
            let body = read(&app, &token, id, None).await;
            assert!(body["errors"].is_null(), "{body}");
        }
    }
    let body = read(
        &app,
        &app.token(Caller::Surrey, &["Insight"]),
        &seslip_release["id"],
        None,
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    // Caseworkers have no need of releases.
    let body = read(
        &app,
        &app.token(Caller::Kent, &["caseworker"]),
        &seslip_release["id"],
        None,
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
}
on_both_stores!(releases_are_read_only_within_their_partnership);

/// The compile role on its own, as the database sees it: approved returns of member councils,
/// nothing identifiable, no drafts, nothing without the partnership set.
#[tokio::test]
async fn the_compile_role_reads_approved_returns_of_members_and_nothing_else() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let kent = app.token(Caller::Kent, &["caseworker"]);
    app.create_child(&kent, "Ada", "Ashdown", None).await;
    let figures = Figures::of(&app).await;
    let referrals = figures
        .definition(figures.partnership, "referrals", MetricUnit::Count, "sex")
        .await;
    let kent_id = figures.council(hub_tests::KENT);
    let surrey_id = figures.council(hub_tests::SURREY);
    let approved = figures
        .put_return(
            kent_id,
            PERIOD,
            1,
            ReturnStatus::Approved,
            &by_sex(referrals, 10, 12),
        )
        .await;
    figures
        .put_return(
            surrey_id,
            PERIOD,
            1,
            ReturnStatus::Draft,
            &by_sex(referrals, 3, 4),
        )
        .await;
    // Another partnership whose only member (Surrey) has just a draft.
    let other = figures.other_partnership(&[surrey_id]).await;

    let db = &figures.db;
    // Identifiable and council tables are refused outright.
    for table in [
        "child",
        "\"case\"",
        "case_event",
        "provision",
        "medical_evidence",
        "audit_event",
        "council_setting",
        "release",
    ] {
        let txn = as_compiler(db, Some(figures.partnership.to_string())).await;
        let refused = rows(&txn, &format!("SELECT * FROM {table}")).await;
        assert!(refused.is_err(), "the compile role read {table}");
        txn.rollback().await.ok();
    }

    // Approved returns of member councils, and their cells; never the draft.
    let txn = as_compiler(db, Some(figures.partnership.to_string())).await;
    let returns = rows(&txn, "SELECT id::text AS id, status FROM council_return")
        .await
        .expect("read returns");
    let ids: Vec<String> = returns
        .iter()
        .map(|r| r.try_get::<String>("", "id").unwrap())
        .collect();
    assert_eq!(ids, [approved.to_string()]);
    let cells = rows(
        &txn,
        "SELECT DISTINCT return_id::text AS id FROM return_cell",
    )
    .await
    .expect("read cells");
    assert_eq!(cells.len(), 1);
    assert_eq!(
        cells[0].try_get::<String>("", "id").unwrap(),
        approved.to_string()
    );
    // Changing anything is refused.
    assert!(
        rows(&txn, "DELETE FROM return_cell RETURNING 1")
            .await
            .is_err(),
        "the compile role may only read"
    );
    txn.rollback().await.ok();

    // A partnership whose only member has a draft sees nothing; so does no partnership at all.
    for partnership in [Some(other.to_string()), None, Some(String::new())] {
        let txn = as_compiler(db, partnership.clone()).await;
        let seen = rows(&txn, "SELECT id FROM council_return")
            .await
            .expect("read returns");
        assert!(
            seen.is_empty(),
            "{partnership:?} saw {} returns",
            seen.len()
        );
        let seen = rows(&txn, "SELECT 1 FROM return_cell")
            .await
            .expect("read cells");
        assert!(seen.is_empty());
        txn.rollback().await.ok();
    }
}

/// A transaction as the compile role, with `partnership` set when given.
async fn as_compiler(
    db: &sea_orm::DatabaseConnection,
    partnership: Option<String>,
) -> sea_orm::DatabaseTransaction {
    let txn = db.begin().await.expect("begin");
    txn.execute_unprepared("SET LOCAL ROLE hub_compiler")
        .await
        .expect("switch to the compile role");
    if let Some(partnership) = partnership {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.partnership_id', $1, true)",
            [partnership.into()],
        ))
        .await
        .expect("set partnership");
    }
    txn
}

async fn rows(
    txn: &sea_orm::DatabaseTransaction,
    sql: &str,
) -> Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> {
    txn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
}

async fn the_demo_compiles_one_release_for_the_period_most_councils_approved(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let figures = Figures::of(&app).await;
    let referrals = figures
        .definition(figures.partnership, "referrals", MetricUnit::Count, "sex")
        .await;
    for (n, (_, council)) in figures.councils.iter().enumerate() {
        let period = if n < 12 { "2024-03" } else { PERIOD };
        figures
            .put_return(
                *council,
                period,
                1,
                ReturnStatus::Approved,
                &by_sex(referrals, 10, 20),
            )
            .await;
    }
    let store = api::service::Store::new(
        app.database.connect().await,
        app.database.connect().await,
        migration::APP_ROLE.to_owned(),
        std::sync::Arc::default(),
        Default::default(),
    );
    let seeded = api::service::release::seed_demo_release(&store).await;
    assert_eq!(seeded.map_err(|e| e.client_message()), Ok(1));
    let again = api::service::release::seed_demo_release(&store).await;
    assert_eq!(
        again.map_err(|e| e.client_message()),
        Ok(0),
        "seeded once only"
    );
    let (_, body) = app
        .graphql(
            &partnership_analyst(&app),
            "{ releases { edges { node { period revision compiledBy } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["releases"]["edges"],
        json!([{ "node": { "period": "2024-03", "revision": 1, "compiledBy": "demo-seed" } }]),
        "{body}"
    );
}
on_both_stores!(the_demo_compiles_one_release_for_the_period_most_councils_approved);
