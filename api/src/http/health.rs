use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Extension, State};
use axum::http::StatusCode;

use super::state::AppState;

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers too, and the server is not shutting down.
pub async fn readyz(
    State(state): State<AppState>,
    shutting_down: Option<Extension<ShuttingDown>>,
) -> (StatusCode, &'static str) {
    if shutting_down.is_some_and(|Extension(flag)| flag.has_begun()) {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match state.store.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(error = %error, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Set once shutdown begins, so readiness says not ready and a load balancer stops sending.
#[derive(Clone, Debug, Default)]
pub struct ShuttingDown(Arc<AtomicBool>);

impl ShuttingDown {
    pub fn begin(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn has_begun(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
