//! What browsers need from the hub: CORS for the council front ends in
//! `server.cors_allowed_origins` (none by default), and security headers on every answer.
//!
//! CORS is for bearer tokens, not cookies: a front end sends `Authorization: Bearer <token>`
//! itself, so `Access-Control-Allow-Credentials` is never sent, and no browser attaches ambient
//! credentials to a cross-origin call. An origin that is not listed gets no CORS header at all,
//! exactly as if CORS were off, so the browser keeps the answer from its script.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// For every answer that does not set its own (GraphiQL's page does): nothing may load, run or
/// frame it. The API answers JSON and text, which need nothing.
pub const API_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// How long a browser may reuse a preflight's answer: long enough to spare a round trip per
/// query, short enough that a removed origin stops working within minutes.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// Adds CORS for `origins` (browser origins such as `https://cases.kent.gov.uk`). With none,
/// the router is unchanged: no CORS header on any answer, and `OPTIONS` is 405.
pub fn with_cors<S>(router: Router<S>, origins: &[String]) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let allowed: Vec<HeaderValue> = origins
        .iter()
        // `Settings::validate` admits only lower-case ASCII origins, as a browser sends them,
        // so every one is a header value.
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if allowed.is_empty() {
        return router;
    }
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed.clone()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
        .max_age(PREFLIGHT_MAX_AGE);
    router.layer(axum::middleware::from_fn_with_state(
        Arc::new(AllowedOrigins { allowed, cors }),
        cors_for_allowed_origins,
    ))
}

struct AllowedOrigins {
    allowed: Vec<HeaderValue>,
    cors: CorsLayer,
}

/// Sends a request from a listed origin through tower-http's CORS (which answers its preflight
/// without a token), and any other straight on. `CorsLayer` alone would still answer a stranger's
/// preflight with the allowed methods and headers, only leaving out its origin.
async fn cors_for_allowed_origins(
    State(origins): State<Arc<AllowedOrigins>>,
    request: Request,
    next: Next,
) -> Response {
    let listed = request
        .headers()
        .get(header::ORIGIN)
        .is_some_and(|origin| origins.allowed.contains(origin));
    if !listed {
        return next.run(request).await;
    }
    match origins.cors.layer(next).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Adds the security headers to every answer, errors and refusals included:
/// no MIME sniffing, no framing, no referrer, and unless the handler chose its own, a
/// Content-Security-Policy that allows nothing and `Cache-Control: no-store` (answers carry
/// children's data; GraphiQL's files choose to be cached).
pub fn with_security_headers<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
