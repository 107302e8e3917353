//! `POST /returns/{period}`: a council's return as CSV (`Content-Type: text/csv`, a Bearer
//! token of a manager or service client), for councils whose case systems export figures rather
//! than call GraphQL. All-or-nothing: every rejected row is reported with its line, column and
//! reason (HTTP 400, BAD_USER_INPUT) and nothing is stored. Idempotent: the same figures as the
//! latest version answer that version. docs/domain.md, "Returns".

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::graphql::{authenticate, error_response};
use super::limits::RateLimits;
use super::state::AppState;
use crate::auth::Role;
use crate::domain::period::Period;
use crate::domain::returns::parse_csv;
use crate::error::AppError;
use crate::service::returns;

/// Who may upload a return.
const UPLOADERS: &[Role] = &[Role::Manager, Role::Service];

/// Receives a CSV return for `period` and stores it as the period's next draft version.
pub async fn upload(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<RateLimits>>,
    Path(period): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let principal = match authenticate(&state, &headers).await {
        Ok(principal) => principal,
        Err(error) => return error_response(StatusCode::UNAUTHORIZED, &error),
    };
    if let Err(refused) = limits.admit(&principal, &async_graphql::Request::new("")) {
        return refused.into_response();
    }
    let scope = match principal.council_scope(UPLOADERS) {
        Ok(scope) => scope,
        Err(error) => return error_response(StatusCode::FORBIDDEN, &error),
    };
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("text/csv"));
    if !is_csv {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &AppError::bad_input("Content-Type", "send the return as text/csv"),
        );
    }
    let period = match Period::parse(&period) {
        Ok(period) => period,
        Err(why) => {
            return error_response(StatusCode::BAD_REQUEST, &AppError::bad_input("period", why));
        }
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            &AppError::bad_input("body", "the CSV must be UTF-8"),
        );
    };
    let stored = match parse_csv(text) {
        Ok(cells) => {
            returns::submit(&state.store, scope, &principal.audit_actor(), period, cells).await
        }
        Err(rejections) => Err(AppError::BatchRejected(rejections)),
    };
    match stored {
        Ok(detail) => Json(json!({
            "data": {
                "id": detail.header.id,
                "period": detail.header.period,
                "version": detail.header.version,
                "status": "DRAFT",
                "cells": detail.cells.len(),
                "contentHash": detail.header.content_hash,
            }
        }))
        .into_response(),
        Err(AppError::BatchRejected(rejections)) => {
            let rows: Vec<_> = rejections
                .iter()
                .map(|r| json!({ "row": r.index, "column": r.field, "reason": r.reason }))
                .collect();
            let body = json!({
                "data": null,
                "errors": [{
                    "message": format!("{} row(s) rejected; nothing was stored", rows.len()),
                    "extensions": { "code": "BAD_USER_INPUT", "field": "rows", "rejections": rows },
                }],
            });
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
        Err(error) => {
            let status = match &error {
                AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Conflict { .. } => StatusCode::CONFLICT,
                AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            if let AppError::Internal(cause) = &error {
                tracing::error!(error = format!("{cause:#}"), "internal error");
            }
            error_response(status, &error)
        }
    }
}
