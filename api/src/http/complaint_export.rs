//! `GET /exports/complaints/monitoring.csv`: the committee's monitoring view as a UTF-8 CSV with
//! a header row, for the council's managers (the role that manages complaints; `docs/domain.md`,
//! "Roles"). Query parameters: `asOf` (a date, default today) and `onlyOpen` (default `true`).
//!
//! One row per remedy and per improvement action, soonest due first, then one `total` row per
//! total. The CSV carries references, kinds, amounts, dates and what is derived from them —
//! never a complaint's summary, the evidence text, an action's description, or any other free
//! text that could be about a child. The export is an audited read.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use entity::{improvement_action, remedy};
use sea_orm::ActiveEnum;

use super::graphql::{authenticate, error_response};
use super::limits::RateLimits;
use super::state::AppState;
use crate::auth::Role;
use crate::domain::case::parse_date;
use crate::domain::clock;
use crate::domain::complaint::{RemedyStanding, action_overdue};
use crate::error::AppError;
use crate::service::complaint::{self as complaints, MonitoringTotals, ReportRow};

/// The CSV's columns, in order.
const HEADER: [&str; 18] = [
    "record_type",
    "id",
    "complaint_lgsco_reference",
    "complaint_council_reference",
    "kind",
    "recipient",
    "owner_role",
    "amount_pence",
    "agreed_on",
    "due_on",
    "done_on",
    "current_status",
    "overdue",
    "days_overdue",
    "completed_on_time",
    "evidence_sent_on",
    "evidence_outstanding",
    "total",
];

/// The answer to `GET /exports/complaints/monitoring.csv`.
pub async fn monitoring_csv(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let answer = export(&state, &limits, &headers, query).await;
    // Callers without a valid token are limited by address, as on `/graphql`.
    if let Err(AppError::Unauthenticated(_)) = &answer {
        let peer = peer.map(|Extension(ConnectInfo(address))| address.ip());
        if let Err(refused) = limits.admit_unauthenticated(peer) {
            return refused.into_response();
        }
    }
    match answer {
        Ok((as_of, csv)) => {
            let disposition = format!("attachment; filename=\"complaint-monitoring-{as_of}.csv\"");
            let mut response = (StatusCode::OK, csv).into_response();
            let answer = response.headers_mut();
            answer.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            answer.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                answer.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(error) => {
            let status = match &error {
                AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Internal(cause) => {
                    // Logged with its cause, as a GraphQL error is; the client sees it bare.
                    tracing::error!(error = format!("{cause:#}"), "internal error");
                    StatusCode::INTERNAL_SERVER_ERROR
                }
                _ => StatusCode::BAD_REQUEST,
            };
            error_response(status, &error)
        }
    }
}

/// Authenticates, checks the role, reads the parameters, and writes the CSV.
async fn export(
    state: &AppState,
    limits: &RateLimits,
    headers: &HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<(NaiveDate, String), AppError> {
    let principal = authenticate(state, headers).await?;
    // Counted against the caller's budget like a GraphQL request (an empty one: no batches).
    limits
        .admit(&principal, &async_graphql::Request::new(""))
        .map_err(|refused| refused.error)?;
    let scope = principal.council_scope(&[Role::Manager])?;
    let Query(params) =
        query.map_err(|_| AppError::bad_input("query", "is not a valid query string"))?;
    let as_of = match params.get("asOf") {
        Some(day) => NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| AppError::bad_input("asOf", "must be a date, YYYY-MM-DD"))
            .and_then(|day| parse_date("asOf", day))?,
        None => clock::today(),
    };
    let only_open = match params.get("onlyOpen").map(String::as_str) {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(AppError::bad_input("onlyOpen", "must be true or false")),
    };
    let report = complaints::monitoring_report(
        &state.store,
        scope,
        &principal.audit_actor(),
        as_of,
        only_open,
    )
    .await?;
    Ok((
        as_of,
        write_csv(as_of, &report.totals, &report.remedies, &report.actions),
    ))
}

/// One cell: quoted when it holds a comma, quote or line break; a text cell that a spreadsheet
/// would read as a formula (`=`, `+`, `-`, `@`) is prefixed with `'` so it stays text.
fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn text(value: Option<&str>) -> String {
    value.map(cell).unwrap_or_default()
}

fn shown<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The CSV of the view on `as_of`: a header, the remedies, the actions, then the totals.
fn write_csv(
    as_of: NaiveDate,
    totals: &MonitoringTotals,
    remedies: &[ReportRow<remedy::Model>],
    actions: &[ReportRow<improvement_action::Model>],
) -> String {
    let mut csv = HEADER.join(",");
    csv.push('\n');
    let mut row = |cells: [String; 18]| {
        csv.push_str(&cells.join(","));
        csv.push('\n');
    };
    for line in remedies {
        let r = &line.item;
        let standing = RemedyStanding::on(r.due_on, r.done_on, r.evidence_sent_on, as_of);
        // Completions and evidence dated after the day asked about had not happened on it.
        let done_on = r.done_on.filter(|day| *day <= as_of);
        let sent_on = r.evidence_sent_on.filter(|day| *day <= as_of);
        row([
            "remedy".into(),
            r.id.to_string(),
            text(line.lgsco_reference.as_deref()),
            text(line.council_reference.as_deref()),
            r.kind.to_value(),
            r.recipient.to_value(),
            String::new(),
            shown(r.amount_pence),
            r.agreed_on.to_string(),
            r.due_on.to_string(),
            shown(done_on),
            r.status.to_value(),
            standing.overdue.to_string(),
            standing.days_overdue.to_string(),
            shown(standing.completed_on_time),
            shown(sent_on),
            standing.evidence_outstanding.to_string(),
            String::new(),
        ]);
    }
    for line in actions {
        let a = &line.item;
        let overdue = action_overdue(a.due_on, a.done_on, as_of);
        let done_on = a.done_on.filter(|day| *day <= as_of);
        row([
            "action".into(),
            a.id.to_string(),
            text(line.lgsco_reference.as_deref()),
            text(line.council_reference.as_deref()),
            String::new(),
            String::new(),
            cell(&a.owner_role),
            String::new(),
            String::new(),
            a.due_on.to_string(),
            shown(done_on),
            a.status.to_value(),
            overdue.to_string(),
            if overdue {
                (as_of - a.due_on).num_days().to_string()
            } else {
                "0".into()
            },
            shown(done_on.map(|day| day <= a.due_on)),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for (name, value) in [
        ("remedies_open", totals.remedies_open),
        ("remedies_overdue", totals.remedies_overdue),
        ("remedies_done_on_time", totals.remedies_done_on_time),
        ("remedies_done_late", totals.remedies_done_late),
        ("evidence_outstanding", totals.evidence_outstanding),
        ("money_owed_pence", totals.money_owed_pence),
        ("money_paid_pence", totals.money_paid_pence),
        ("actions_open", totals.actions_open),
        ("actions_overdue", totals.actions_overdue),
        ("actions_done", totals.actions_done),
    ] {
        let mut cells: [String; 18] = Default::default();
        cells[0] = "total".into();
        cells[4] = name.into();
        let _ = write!(cells[17], "{value}");
        row(cells);
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_with_a_comma_or_quote_is_quoted_and_a_formula_is_defused() {
        assert_eq!(cell("22 013 579"), "22 013 579");
        assert_eq!(cell("A,B"), "\"A,B\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }
}
