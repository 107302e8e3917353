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
use sea_orm::{DbErr, SqlErr};

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
    /// The database cannot be reached (an outage, or every connection busy): nothing was
    /// changed; retry after the given number of seconds.
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
                "the service is unavailable (its database cannot be reached); nothing was changed; retry after {retry_after_seconds} s"
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

impl From<DbErr> for AppError {
    /// Constraint violations are the client's business; anything else is ours.
    ///
    /// Services check the constraints they know about first, to name the field; this is the
    /// backstop for a race between two writers.
    fn from(error: DbErr) -> Self {
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

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let error =
            AppError::internal(anyhow::anyhow!("relation child does not exist")).to_graphql();
        assert_eq!(error.message, "internal server error");
    }
}
