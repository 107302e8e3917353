//! The state every handler shares.

use std::sync::Arc;

use crate::auth::directory::Directory;
use crate::auth::verifier::TokenVerifier;
use crate::config::Settings;
use crate::graphql::HubSchema;
use crate::service::Store;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: HubSchema,
    pub store: Store,
    pub verifier: Arc<TokenVerifier>,
    pub directory: Arc<Directory>,
    pub settings: Arc<Settings>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
}
