//! Logging. Service functions log ids, never a child's name, date of birth, UPN or free text.

use tracing_subscriber::EnvFilter;

/// Installs the log subscriber: `RUST_LOG` if set, else info for us and warnings for drivers.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info"));
    // A second init (tests building many apps) is harmless; ignore the error it returns.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
