//! One error type for the whole server, and the policy for what a client sees.
//!
//! Policy:
//! - Every error a client sees carries `extensions.code`, one of `UNAUTHENTICATED`, `FORBIDDEN`,
//!   `NOT_FOUND`, `BAD_USER_INPUT` (with `extensions.field`), `CONFLICT`, `RATE_LIMITED` (HTTP
//!   429), `SERVICE_UNAVAILABLE` (HTTP 503; both with `extensions.retryAfter` and a
//!   `Retry-After` header), `INTERNAL_SERVER_ERROR`.
//! - Another council's object is `NOT_FOUND`, exactly as if it did not exist.
//! - Internal errors are logged with their cause and reach the client as a bare
//!   `INTERNAL_SERVER_ERROR`; no SQL, constraint detail or stack leaks out.
//! - `AppError` deliberately does not implement `Display`: async-graphql turns anything that does
//!   into an error *without* a code, so a bare `?` would silently drop the code. Our own
//!   `From<AppError> for async_graphql::Error` below is the only conversion.

use async_graphql::ErrorExtensions;
use sea_orm::sqlx::Error as SqlxError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// One refused row of a batch: where, which field, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub index: usize,
    pub field: String,
    pub reason: String,
}

/// The result type of services and resolvers.
pub type AppResult<T> = Result<T, AppError>;

/// Everything that can go wrong serving a request, by what the client should do about it.
#[derive(Debug)]
pub enum AppError {
    /// No credentials, or credentials that could not be verified.
    Unauthenticated(String),
    /// Authenticated, but the role does not allow this.
    Forbidden(String),
    /// The object does not exist in the caller's council (or at all: the caller cannot tell).
    NotFound(&'static str),
    /// A field of the input is invalid; nothing was changed.
    BadUserInput { field: String, message: String },
    /// Rows of a batch were invalid; the whole batch was refused and nothing was written.
    BatchRejected(Vec<Rejection>),
    /// The change clashes with existing data (a duplicate UPN, say); nothing was changed.
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// Too many requests from this caller; retry after the given number of seconds.
    RateLimited { retry_after_seconds: u64 },
    /// The database cannot be reached (an outage, or every connection busy), or the server is at
    /// its cap on requests in flight; retry after the
    /// given number of seconds. Nothing was changed, except in the rare case of a connection
    /// lost during the commit itself (README, "When the database is down").
    Unavailable { retry_after_seconds: u64 },
    /// A fault on our side. The cause is logged, never returned.
    Internal(anyhow::Error),
}

impl AppError {
    /// A bad field, named as the client spelt it.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A conflict on a named field.
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Any other fault, kept for the log.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    /// The `extensions.code` clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } | Self::BatchRejected(_) => "BAD_USER_INPUT",
            Self::Conflict { .. } => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable { .. } => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The message a client may read.
    pub fn client_message(&self) -> String {
        match self {
            Self::Unauthenticated(why) => format!("not authenticated: {why}"),
            Self::Forbidden(why) => format!("forbidden: {why}"),
            Self::NotFound(what) => format!("{what} not found"),
            Self::BadUserInput { field, message } => format!("{field}: {message}"),
            Self::BatchRejected(rows) => format!(
                "rows: {} row(s) rejected; nothing was written (see extensions.rejections)",
                rows.len()
            ),
            Self::Conflict { message, .. } => message.clone(),
            Self::RateLimited {
                retry_after_seconds,
            } => format!("too many requests; retry after {retry_after_seconds} s"),
            Self::Unavailable {
                retry_after_seconds,
            } => format!(
                "the service is unavailable (its database cannot be reached, or it is busy); retry after {retry_after_seconds} s"
            ),
            Self::Internal(_) => "internal server error".to_owned(),
        }
    }

    /// Seconds a client should wait before retrying, for errors that say so (the HTTP
    /// `Retry-After` header and `extensions.retryAfter`).
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            Self::RateLimited {
                retry_after_seconds,
            }
            | Self::Unavailable {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        }
    }

    /// The error as a GraphQL error with its code (and field, where there is one).
    pub fn to_graphql(&self) -> async_graphql::Error {
        if let Self::Internal(cause) = self {
            // `{:#}` prints the cause chain. Causes are our own or the driver's, never input text.
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        async_graphql::Error::new(self.client_message()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                Self::BatchRejected(rows) => {
                    ext.set("field", "rows");
                    let rejections: Vec<async_graphql::Value> = rows
                        .iter()
                        .map(|row| {
                            let mut entry = async_graphql::indexmap::IndexMap::new();
                            entry.insert(
                                async_graphql::Name::new("index"),
                                async_graphql::Value::from(row.index as u64),
                            );
                            entry.insert(
                                async_graphql::Name::new("field"),
                                async_graphql::Value::from(row.field.as_str()),
                            );
                            entry.insert(
                                async_graphql::Name::new("reason"),
                                async_graphql::Value::from(row.reason.as_str()),
                            );
                            async_graphql::Value::Object(entry)
                        })
                        .collect();
                    ext.set("rejections", async_graphql::Value::List(rejections));
                }
                Self::Conflict {
                    field: Some(field), ..
                } => ext.set("field", field.as_str()),
                Self::RateLimited {
                    retry_after_seconds,
                }
                | Self::Unavailable {
                    retry_after_seconds,
                } => ext.set("retryAfter", *retry_after_seconds),
                _ => {}
            }
        })
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        error.to_graphql()
    }
}

/// Seconds a client is asked to wait (`Retry-After`) when the database cannot be reached: about
/// as long as PostgreSQL takes to restart or fail over, and the hub serves again within a second
/// or two of its return, so a retry after this is likely to succeed without clients hammering
/// a database that is coming back.
pub const DATABASE_RETRY_AFTER_SECONDS: u64 = 5;

impl From<DbErr> for AppError {
    /// The one place database errors are classified. Constraint violations are the client's
    /// business (CONFLICT); a database that cannot be reached — no connection within the
    /// acquire timeout, or one that broke (refused, reset, shut down) — is SERVICE_UNAVAILABLE,
    /// which tells the client to retry; anything else (an SQL error, a decoding error) is ours.
    ///
    /// Services check the constraints they know about first, to name the field; this is the
    /// backstop for a race between two writers.
    fn from(error: DbErr) -> Self {
        if database_unreachable(&error) {
            return Self::Unavailable {
                retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS,
            };
        }
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict {
                field: None,
                message: "a record with the same identifying value already exists".to_owned(),
            },
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::Conflict {
                field: None,
                message: "the record refers to, or is referred to by, another record".to_owned(),
            },
            _ => Self::Internal(error.into()),
        }
    }
}

/// Whether `error` says the database could not be reached, rather than that it refused the
/// statement: no connection within the pool's acquire timeout, a connection that could not be
/// opened, or one that broke mid-statement.
fn database_unreachable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(cause)) | DbErr::Query(RuntimeErr::SqlxError(cause)) => {
            match cause.as_ref() {
                SqlxError::Io(_)
                | SqlxError::PoolTimedOut
                | SqlxError::PoolClosed
                | SqlxError::WorkerCrashed => true,
                SqlxError::Database(cause) => {
                    cause.code().is_some_and(|code| server_went_away(&code))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// PostgreSQL's SQLSTATEs for a server that went away: class 08 (connection exception), and
/// 57P01-57P03 (shut down by an administrator, crashed, or not accepting connections while it
/// starts or stops). Constraint violations (class 23) and SQL errors are not among them.
fn server_went_away(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03")
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

/// In unit tests: the field a BAD_USER_INPUT names; any other outcome fails the test.
#[cfg(test)]
pub(crate) fn refused_field<T: std::fmt::Debug>(result: AppResult<T>) -> String {
    match result {
        Err(AppError::BadUserInput { field, .. }) => field,
        other => panic!("expected BAD_USER_INPUT, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_the_field_in_extensions() {
        let error = AppError::bad_input("upn", "check letter is wrong").to_graphql();
        let ext = error.extensions.expect("extensions");
        assert_eq!(
            ext.get("code").map(|v| v.to_string()),
            Some("\"BAD_USER_INPUT\"".into())
        );
        assert_eq!(
            ext.get("field").map(|v| v.to_string()),
            Some("\"upn\"".into())
        );
    }

    /// A database error as a driver reports it, with only a SQLSTATE.
    #[derive(Debug)]
    struct DriverError(&'static str);

    impl std::fmt::Display for DriverError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for DriverError {}

    impl sea_orm::sqlx::error::DatabaseError for DriverError {
        fn message(&self) -> &str {
            "driver error"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sea_orm::sqlx::error::ErrorKind {
            sea_orm::sqlx::error::ErrorKind::Other
        }
    }

    fn in_a_query(cause: SqlxError) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(cause)))
    }

    fn in_a_statement(cause: SqlxError) -> DbErr {
        DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(cause)))
    }

    fn sqlstate(code: &'static str) -> SqlxError {
        SqlxError::Database(Box::new(DriverError(code)))
    }

    fn io(kind: std::io::ErrorKind) -> SqlxError {
        SqlxError::Io(std::io::Error::from(kind))
    }

    fn is_unavailable(error: DbErr) -> bool {
        matches!(
            AppError::from(error),
            AppError::Unavailable {
                retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS
            }
        )
    }

    #[test]
    fn no_connection_within_the_acquire_timeout_is_service_unavailable() {
        let error = AppError::from(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout));
        assert_eq!(error.code(), "SERVICE_UNAVAILABLE");
        assert_eq!(error.retry_after_seconds(), Some(5));
        assert!(is_unavailable(in_a_statement(SqlxError::PoolTimedOut)));
        assert!(is_unavailable(in_a_query(SqlxError::PoolClosed)));
    }

    #[test]
    fn a_refused_or_broken_connection_is_service_unavailable() {
        assert!(is_unavailable(DbErr::Conn(RuntimeErr::SqlxError(
            std::sync::Arc::new(io(std::io::ErrorKind::ConnectionRefused))
        ))));
        assert!(is_unavailable(in_a_query(io(
            std::io::ErrorKind::ConnectionReset
        ))));
        assert!(is_unavailable(in_a_statement(io(
            std::io::ErrorKind::UnexpectedEof
        ))));
        assert!(is_unavailable(in_a_statement(io(
            std::io::ErrorKind::BrokenPipe
        ))));
    }

    #[test]
    fn a_server_shutting_down_or_starting_up_is_service_unavailable() {
        // admin_shutdown, crash_shutdown, cannot_connect_now, connection_failure.
        for code in ["57P01", "57P02", "57P03", "08006", "08003"] {
            assert!(is_unavailable(in_a_query(sqlstate(code))), "{code}");
        }
    }

    #[test]
    fn constraint_violations_and_sql_errors_are_not_outages() {
        // unique_violation, foreign_key_violation, undefined_table, syntax_error,
        // serialization_failure, query_canceled.
        for code in ["23505", "23503", "42P01", "42601", "40001", "57014"] {
            assert!(!is_unavailable(in_a_statement(sqlstate(code))), "{code}");
        }
        assert!(!is_unavailable(in_a_query(SqlxError::RowNotFound)));
        assert!(!is_unavailable(in_a_query(SqlxError::Protocol(
            "unexpected message".into()
        ))));
        assert!(!is_unavailable(DbErr::RecordNotFound("child".into())));
        assert!(!is_unavailable(DbErr::Type("not a uuid".into())));
        assert_eq!(
            AppError::from(DbErr::Custom("broken".into())).code(),
            "INTERNAL_SERVER_ERROR"
        );
    }

    #[test]
    fn service_unavailable_tells_the_client_when_to_retry() {
        let error = AppError::from(DbErr::ConnectionAcquire(
            sea_orm::ConnAcquireErr::ConnectionClosed,
        ))
        .to_graphql();
        let ext = error.extensions.expect("extensions");
        assert_eq!(
            ext.get("code").map(|v| v.to_string()),
            Some("\"SERVICE_UNAVAILABLE\"".into())
        );
        assert_eq!(
            ext.get("retryAfter").map(|v| v.to_string()),
            Some("5".into())
        );
        assert!(error.message.contains("retry after 5 s"));
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let error =
            AppError::internal(anyhow::anyhow!("relation child does not exist")).to_graphql();
        assert_eq!(error.message, "internal server error");
    }
}
