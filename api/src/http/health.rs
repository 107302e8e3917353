use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::{Extension, State};
use axum::http::StatusCode;

use super::state::AppState;

/// How long `/readyz` waits for the database: a ping answers in milliseconds, and a load
/// balancer should hear "not ready" within about a second of an outage, not after a timeout of
/// its own.
const READY_PING_TIMEOUT: Duration = Duration::from_secs(1);

/// Liveness: the process answers, whatever the database does (restarting the server would not
/// bring the database back).
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the server is not shutting down, and the database answers within
/// [`READY_PING_TIMEOUT`].
///
/// Nothing is logged here: probes come every few seconds, and the database watcher (see
/// `startup`) logs once when the database goes down and once when it is back.
pub async fn readyz(
    State(state): State<AppState>,
    shutting_down: Option<Extension<ShuttingDown>>,
) -> (StatusCode, &'static str) {
    if shutting_down.is_some_and(|Extension(flag)| flag.has_begun()) {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match tokio::time::timeout(READY_PING_TIMEOUT, state.store.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(error)) => {
            tracing::debug!(%error, "not ready: the database did not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::debug!("not ready: the database did not answer within a second");
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
