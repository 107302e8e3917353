//! The HTTP surface: `/graphql`, health, readiness and metrics, behind timeouts, body limits,
//! rate limits and a cap on requests in flight.

/// `POST /graphql` (and GraphiQL on `GET` where enabled).
pub mod graphql;
/// `/healthz` and `/readyz`.
pub mod health;
/// Rate limits per caller and the cap on requests in flight.
pub mod limits;
/// `/metrics` in Prometheus text format.
pub mod metrics;
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
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The router with every route and layer.
pub fn router(state: AppState) -> Router {
    let timeout = state.settings.request_timeout();
    let body_limit = state.settings.server.max_body_bytes;
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
    Router::new()
        .route("/graphql", get(graphql::graphiql).post(graphql::execute))
        .route_layer(in_flight_cap)
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
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
