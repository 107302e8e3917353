//! Logging. Service functions log ids, never a child's name, date of birth, UPN or free text.

use tracing_subscriber::EnvFilter;

/// The log filter when `RUST_LOG` is not set: info for us, less from the drivers. sqlx only at
/// errors: when the database goes away it warns once for every pooled connection it finds broken
/// (PostgreSQL's "terminating connection" notice, failed checks on release), which would bury the
/// one line the database watcher writes for the outage (see `startup`).
pub const DEFAULT_FILTER: &str = "info,sqlx=error,sea_orm=warn,tower_http=info";

/// Installs the log subscriber: `RUST_LOG` if set, else [`DEFAULT_FILTER`].
pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // A second init (tests building many apps) is harmless; ignore the error it returns.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
