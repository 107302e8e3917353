use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_event;

use super::context;
use crate::auth::Role;
use crate::domain::cursor::{CursorReader, CursorWriter};
use crate::error::AppError;
use crate::service::audit;

/// Who read or changed which identifiable records, when, through which operation. Carries ids
/// only, never personal data.
#[derive(SimpleObject)]
pub struct AuditEvent {
    id: ID,
    /// Position in the council's chain, from 1.
    sequence: i64,
    occurred_at: DateTime<Utc>,
    /// The caller's subject at their identity provider.
    subject: String,
    issuer: String,
    /// E.g. `child.read`, `case.close`, `case.upsert`.
    operation: String,
    record_type: String,
    record_ids: Vec<ID>,
    previous_hash: String,
    hash: String,
}

impl From<audit_event::Model> for AuditEvent {
    fn from(m: audit_event::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            sequence: m.sequence,
            occurred_at: m.occurred_at,
            subject: m.subject,
            issuer: m.issuer,
            operation: m.operation,
            record_type: m.record_type,
            record_ids: m
                .record_ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(|id| ID(id.to_owned()))
                .collect(),
            previous_hash: m.previous_hash,
            hash: m.hash,
        }
    }
}

/// The result of re-walking the council's audit chain.
#[derive(SimpleObject)]
pub struct AuditChainReport {
    /// True when every event's hash matches its contents and links to the one before.
    intact: bool,
    events_checked: u64,
    /// The first event whose hash or link is broken.
    first_broken_sequence: Option<i64>,
    reason: Option<String>,
}

/// An event of the chain as an auditor recorded it earlier, to check the log still reaches it.
#[derive(InputObject)]
pub struct RecordedHead {
    /// The event's `sequence`.
    sequence: i64,
    /// The event's `hash`: 64 lowercase hex digits.
    hash: String,
}

impl RecordedHead {
    fn parse(self) -> Result<audit::ChainHead, AppError> {
        if self.sequence < 1 {
            return Err(AppError::bad_input(
                "recordedHead.sequence",
                "must be 1 or more",
            ));
        }
        let hash = self.hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(AppError::bad_input(
                "recordedHead.hash",
                "must be 64 hexadecimal digits, as auditEvents shows it",
            ));
        }
        Ok(audit::ChainHead {
            sequence: self.sequence,
            hash,
        })
    }
}

/// The list name audit events' cursors carry.
const AUDIT_EVENTS: &str = "audit";

/// The council's audit log: auditors only.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The council's audit events, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity + 1")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, AuditEvent>, AppError> {
        let scope = context::principal(ctx)?.council_scope(&[Role::Auditor])?;
        let first = context::page_size(first, context::limits(ctx)?)?;
        let after = after
            .map(|cursor| {
                let mut key = CursorReader::open("after", AUDIT_EVENTS, &cursor)?;
                let sequence = key.int()?;
                key.end()?;
                Ok::<_, AppError>(sequence)
            })
            .transpose()?;
        let (events, has_next) = audit::list(context::store(ctx)?, scope, first, after).await?;
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(events.into_iter().map(|event| {
            let cursor = CursorWriter::new(AUDIT_EVENTS).int(event.sequence).finish();
            Edge::new(cursor, AuditEvent::from(event))
        }));
        Ok(connection)
    }

    /// Re-walks the council's chain and reports the first broken link, if any.
    ///
    /// A chain alone cannot show that its newest events were cut off. Pass `recordedHead`, the
    /// `sequence` and `hash` of the newest event as an auditor noted them earlier (from
    /// `auditEvents(first: 1)`, kept outside the hub), and the walk also fails if that event is
    /// gone or differs.
    async fn verify_audit_chain(
        &self,
        ctx: &Context<'_>,
        recorded_head: Option<RecordedHead>,
    ) -> Result<AuditChainReport, AppError> {
        let scope = context::principal(ctx)?.council_scope(&[Role::Auditor])?;
        let recorded_head = recorded_head.map(RecordedHead::parse).transpose()?;
        let report = audit::verify_chain(context::store(ctx)?, scope, recorded_head).await?;
        Ok(AuditChainReport {
            intact: report.first_broken_sequence.is_none(),
            events_checked: report.events_checked,
            first_broken_sequence: report.first_broken_sequence,
            reason: report.reason,
        })
    }
}
