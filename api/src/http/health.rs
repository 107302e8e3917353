use std::time::Duration;

use axum::extract::State;
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

/// Readiness: the database answers too, within [`READY_PING_TIMEOUT`].
///
/// Nothing is logged here: probes come every few seconds, and the database watcher (see
/// `startup`) logs once when the database goes down and once when it is back.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
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
