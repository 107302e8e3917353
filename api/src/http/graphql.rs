use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::{ErrorExtensionValues, Value};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Json};
use serde_json::json;

use super::limits::{RateLimits, Refused};
use super::state::AppState;
use crate::auth::Principal;
use crate::error::AppError;

/// `POST /graphql`: authenticate, then execute one GraphQL request.
///
/// A missing or bad token is HTTP 401 with a GraphQL-shaped error, before the body is even read
/// as GraphQL: nothing about the schema is served to an unauthenticated caller. Callers over
/// their rate limit get HTTP 429 (`limits.rs`).
pub async fn execute(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let principal = match authenticate(&state, &headers).await {
        Ok(principal) => principal,
        Err(error) => {
            let peer = peer.map(|Extension(ConnectInfo(address))| address.ip());
            if let Err(refused) = limits.admit_unauthenticated(peer) {
                return refused.into_response();
            }
            metrics::counter!("hub_graphql_errors_total", "code" => error.code()).increment(1);
            // Looking up the token's council needs the database, which may be down.
            let status = match error {
                AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNAUTHORIZED,
            };
            return error_response(status, &error);
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(_) => {
            let error = AppError::bad_input(
                "body",
                "expected a GraphQL request as JSON: {\"query\": ...}",
            );
            return error_response(StatusCode::BAD_REQUEST, &error);
        }
    };
    if request.query.len() > state.settings.server.max_query_bytes {
        let error = AppError::bad_input(
            "query",
            format!(
                "is longer than {} bytes",
                state.settings.server.max_query_bytes
            ),
        );
        return error_response(StatusCode::BAD_REQUEST, &error);
    }
    if let Err(refused) = limits.admit(&principal, &request) {
        return refused.into_response();
    }
    let operation = operation_label(request.operation_name.as_deref());
    let mut response = state.schema.execute(request.data(principal)).await;
    for error in &mut response.errors {
        let code = ensure_code(&mut error.extensions);
        metrics::counter!("hub_graphql_errors_total", "code" => code).increment(1);
    }
    metrics::histogram!("hub_graphql_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    let retry_after = unavailable_retry_after(&response.errors);
    let mut answer = Json(response).into_response();
    if let Some(seconds) = retry_after {
        *answer.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    answer
}

/// When the database could not be reached for part of a request (an error is
/// SERVICE_UNAVAILABLE) and nothing else went wrong on our side (no INTERNAL_SERVER_ERROR), the
/// answer is HTTP 503 with `Retry-After`: the longest wait any of those errors asks for. Load
/// balancers and HTTP clients then back off and retry without reading the body.
fn unavailable_retry_after(errors: &[async_graphql::ServerError]) -> Option<u64> {
    let mut retry_after = None;
    for extensions in errors.iter().filter_map(|error| error.extensions.as_ref()) {
        match extensions.get("code") {
            Some(Value::String(code)) if code == "INTERNAL_SERVER_ERROR" => return None,
            Some(Value::String(code)) if code == "SERVICE_UNAVAILABLE" => {
                let seconds = match extensions.get("retryAfter") {
                    Some(Value::Number(seconds)) => seconds.as_u64().unwrap_or_default(),
                    _ => 0,
                };
                retry_after = retry_after.max(Some(seconds.max(1)));
            }
            _ => {}
        }
    }
    retry_after
}

/// The verified caller of a request with `Authorization: Bearer <token>`; UNAUTHENTICATED
/// otherwise. Shared with the CSV routes (complaint exports, return uploads).
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Principal, AppError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        AppError::Unauthenticated("missing Authorization: Bearer <token> header".into())
    })?;
    let token = value
        .to_str()
        .ok()
        // The scheme is case-insensitive (RFC 9110, section 11.1).
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::Unauthenticated("the Authorization header must be Bearer <token>".into())
        })?;
    let verified = state
        .verifier
        .verify(token)
        .await
        .map_err(|error| AppError::Unauthenticated(error.to_string()))?;
    let affiliation = state
        .directory
        .resolve(&state.store.db, &verified.binding)
        .await?;
    Ok(Principal {
        subject: verified.subject,
        issuer: verified.issuer,
        affiliation,
        roles: verified.roles,
    })
}

/// A GraphQL-shaped answer carrying one error, with `status`; errors that say when to retry
/// (RATE_LIMITED, SERVICE_UNAVAILABLE) also set `Retry-After`.
pub(crate) fn error_response(status: StatusCode, error: &AppError) -> Response {
    let mut extensions = json!({ "code": error.code() });
    if let AppError::BadUserInput { field, .. } = error {
        extensions["field"] = json!(field);
    }
    if let Some(seconds) = error.retry_after_seconds() {
        extensions["retryAfter"] = json!(seconds);
    }
    let body = json!({
        "data": null,
        "errors": [{ "message": error.client_message(), "extensions": extensions }],
    });
    let mut response = (status, Json(body)).into_response();
    if let Some(seconds) = error.retry_after_seconds() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    response
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        error_response(self.status, &self.error)
    }
}

/// Seconds a request shed by the in-flight cap is told to wait: load moves fast, so soon.
const SHED_RETRY_AFTER_SECONDS: u64 = 1;

/// The answer to a request shed by the in-flight cap (`mod.rs`), or failed by a layer around
/// it: HTTP 503 `SERVICE_UNAVAILABLE` with `Retry-After`.
pub async fn shed(error: BoxError) -> Response {
    if error.is::<tower::load_shed::error::Overloaded>() {
        metrics::counter!("hub_requests_shed_total").increment(1);
    } else {
        tracing::error!(%error, "a layer around the GraphQL route failed");
    }
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        &AppError::Unavailable {
            retry_after_seconds: SHED_RETRY_AFTER_SECONDS,
        },
    )
}

/// Gives every error a code, without reading its message.
///
/// Ours already carry one: every resolver fails with an `AppError`, which reaches async-graphql
/// only through `AppError::to_graphql` (it has no `Display`, so a bare `?` cannot drop its code;
/// see `error.rs`), and resolvers read request data with `data_opt`, never the panicking or
/// code-less `data` (`clippy.toml`). So an error without a code was raised by async-graphql itself
/// while reading the request — syntax, validation, depth and complexity limits, or coercing an
/// argument or variable to its type — and is the request's fault: BAD_USER_INPUT. A code we do
/// not know is treated as ours.
fn ensure_code(extensions: &mut Option<ErrorExtensionValues>) -> &'static str {
    let existing = extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .map(|code| match code {
            Value::String(code) => code.as_str(),
            _ => "",
        });
    let code = match existing {
        Some("UNAUTHENTICATED") => "UNAUTHENTICATED",
        Some("FORBIDDEN") => "FORBIDDEN",
        Some("NOT_FOUND") => "NOT_FOUND",
        Some("BAD_USER_INPUT") => "BAD_USER_INPUT",
        Some("CONFLICT") => "CONFLICT",
        Some("RATE_LIMITED") => "RATE_LIMITED",
        Some("SERVICE_UNAVAILABLE") => "SERVICE_UNAVAILABLE",
        Some(_) => "INTERNAL_SERVER_ERROR",
        None => "BAD_USER_INPUT",
    };
    extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    code
}

/// A bounded metrics label for the operation name.
fn operation_label(name: Option<&str>) -> String {
    match name {
        Some(name)
            if name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            name.to_owned()
        }
        Some(_) => "invalid".to_owned(),
        None => "anonymous".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, retry_after: Option<u64>) -> async_graphql::ServerError {
        let mut error = async_graphql::ServerError::new("an error", None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", code);
        if let Some(seconds) = retry_after {
            extensions.set("retryAfter", seconds);
        }
        error.extensions = Some(extensions);
        error
    }

    #[test]
    fn a_database_that_cannot_be_reached_is_http_503_with_the_longest_retry_after() {
        let errors = [
            error("SERVICE_UNAVAILABLE", Some(5)),
            error("NOT_FOUND", None),
            error("SERVICE_UNAVAILABLE", Some(7)),
        ];
        assert_eq!(unavailable_retry_after(&errors), Some(7));
    }

    #[test]
    fn a_fault_of_ours_beside_it_stays_a_fault() {
        let errors = [
            error("SERVICE_UNAVAILABLE", Some(5)),
            error("INTERNAL_SERVER_ERROR", None),
        ];
        assert_eq!(unavailable_retry_after(&errors), None);
    }

    #[test]
    fn other_errors_and_none_at_all_are_not_503() {
        assert_eq!(unavailable_retry_after(&[]), None);
        assert_eq!(
            unavailable_retry_after(&[error("CONFLICT", None), error("BAD_USER_INPUT", None)]),
            None
        );
    }
}
