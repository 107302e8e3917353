//! The HTTP surface: `/graphql`, health, readiness and metrics, behind timeouts, body limits,
//! rate limits and a cap on requests in flight, with CORS and security headers for browsers.

/// `GET /exports/complaints/monitoring.csv`: the committee's monitoring view as CSV.
pub mod complaint_export;
/// GraphiQL on `GET /graphql` where enabled, every file of it embedded and served by the hub.
pub mod graphiql;
/// `POST /graphql`.
pub mod graphql;
/// `/healthz` and `/readyz`.
pub mod health;
/// Rate limits per caller and the cap on requests in flight.
pub mod limits;
/// `/metrics` in Prometheus text format.
pub mod metrics;
/// `POST /returns/{period}`: a council's return as CSV.
pub mod return_upload;
/// CORS for configured browser origins, and security headers on every answer.
pub mod security;
/// What every handler shares.
mod state;

pub use state::AppState;

use std::sync::Arc;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Extension};
use axum::routing::get;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, OnFailure, TraceLayer};

/// The router with every route and layer.
pub fn router(state: AppState) -> Router {
    let timeout = state.settings.request_timeout();
    let body_limit = state.settings.server.max_body_bytes;
    let settings = state.settings.clone();
    let rate_limits = Arc::new(limits::RateLimits::new(&state.settings.rate_limit));
    limits::sweep_periodically(&rate_limits);
    // Over `max_in_flight` GraphQL requests at once, more are refused at once (HTTP 503), not
    // queued. Only `/graphql` is capped: health, readiness and metrics must answer under load.
    let in_flight_cap = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(graphql::shed))
        .load_shed()
        .layer(GlobalConcurrencyLimitLayer::new(
            state.settings.server.max_in_flight,
        ));
    let router = Router::new()
        .route("/graphql", get(graphiql::page).post(graphql::execute))
        .route(
            "/exports/complaints/monitoring.csv",
            get(complaint_export::monitoring_csv),
        )
        .route(
            "/returns/{period}",
            axum::routing::post(return_upload::upload),
        )
        .route_layer(in_flight_cap)
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .layer(Extension(rate_limits))
        .layer(axum::middleware::from_fn(metrics::track_http))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // Request ids let an officer's support ticket be matched to our logs without any child's data.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().on_failure(log_failure))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    // Browsers, outermost: a preflight is answered before any limit or token check, and every
    // answer, refusals and timeouts included, carries the CORS and security headers.
    let router = security::with_cors(router, &settings.server.cors_allowed_origins);
    let router = security::with_security_headers(router);
    router.with_state(state)
}

/// Logs a failed response as tower-http does, except HTTP 503: a request refused with
/// `Retry-After` is not a fault, and a database outage is logged once by the database watcher
/// (see `startup`), not once per request.
fn log_failure(
    class: ServerErrorsFailureClass,
    latency: std::time::Duration,
    span: &tracing::Span,
) {
    if let ServerErrorsFailureClass::StatusCode(axum::http::StatusCode::SERVICE_UNAVAILABLE) = class
    {
        return;
    }
    DefaultOnFailure::new().on_failure(class, latency, span);
}
