use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DbBackend};

use super::state::AppState;

/// The process-wide Prometheus recorder. `metrics` allows one recorder per process, so servers
/// built in the same process (as in the tests) share it.
pub fn recorder() -> anyhow::Result<PrometheusHandle> {
    // `get_or_init` runs the installation once even when servers are built concurrently.
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .and_then(|builder| builder.install_recorder())
                .map_err(|error| error.to_string())
        })
        .clone()
        .map_err(|error| anyhow::anyhow!("installing the metrics recorder: {error}"))
}

/// `GET /metrics`: Prometheus text format.
pub async fn render(State(state): State<AppState>) -> String {
    record_pool(&state.store.db);
    state.metrics.render()
}

/// Counts and times every HTTP request by route and status.
pub async fn track_http(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("hub_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("hub_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

fn record_pool(db: &DatabaseConnection) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            metrics::gauge!("hub_db_pool_connections").set(f64::from(pool.size()));
            metrics::gauge!("hub_db_pool_idle_connections").set(pool.num_idle() as f64);
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            metrics::gauge!("hub_db_pool_connections").set(f64::from(pool.size()));
            metrics::gauge!("hub_db_pool_idle_connections").set(pool.num_idle() as f64);
        }
        _ => {}
    }
}
