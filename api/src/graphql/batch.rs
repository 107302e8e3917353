use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::NaiveDate;

use super::case::{CaseReason, ClosureReason};
use super::child::CreateChildInput;
use super::context::{self, CouncilWork};
use crate::auth::Role;
use crate::domain::child as rules;
use crate::error::{AppError, AppResult};
use crate::service::batch::{self, CaseRecord, UpsertSummary};
use crate::service::case::parse_past_date;

/// What a batch did. A batch with any bad row is refused whole: BAD_USER_INPUT with
/// `extensions.rejections` listing every rejected row's index, field and reason.
#[derive(SimpleObject)]
pub struct BatchSummary {
    created: u64,
    updated: u64,
    unchanged: u64,
}

impl From<UpsertSummary> for BatchSummary {
    fn from(s: UpsertSummary) -> Self {
        Self {
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
        }
    }
}

/// A case from the council's own system.
#[derive(InputObject)]
pub struct CaseRecordInput {
    /// The case's reference in the council's system: the upsert key.
    council_reference: String,
    /// The child's reference in the council's system (sent earlier with `upsertChildren`).
    child_reference: String,
    reason: CaseReason,
    absence_start: NaiveDate,
    /// Defaults to the absence start.
    council_notified_on: Option<NaiveDate>,
    /// Set both to record the case as closed.
    closed_on: Option<NaiveDate>,
    closure_reason: Option<ClosureReason>,
}

impl CaseRecordInput {
    fn parse(self, today: NaiveDate) -> AppResult<CaseRecord> {
        let absence_start = parse_past_date("absenceStart", self.absence_start, today)?;
        let closed = match (self.closed_on, self.closure_reason) {
            (None, None) => None,
            (Some(on), Some(reason)) => {
                let on = parse_past_date("closedOn", on, today)?;
                if on < absence_start {
                    return Err(AppError::bad_input(
                        "closedOn",
                        "is before the absence started",
                    ));
                }
                Some((on, reason.into()))
            }
            (Some(_), None) => {
                return Err(AppError::bad_input(
                    "closureReason",
                    "is needed with closedOn",
                ));
            }
            (None, Some(_)) => {
                return Err(AppError::bad_input(
                    "closedOn",
                    "is needed with closureReason",
                ));
            }
        };
        Ok(CaseRecord {
            council_reference: rules::parse_council_reference(
                "councilReference",
                &self.council_reference,
            )?,
            child_reference: rules::parse_council_reference(
                "childReference",
                &self.child_reference,
            )?,
            reason: self.reason.into(),
            absence_start,
            council_notified_on: parse_past_date(
                "councilNotifiedOn",
                self.council_notified_on.unwrap_or(absence_start),
                today,
            )?,
            closed,
        })
    }
}

fn check_size(ctx: &Context<'_>, rows: usize) -> Result<(), AppError> {
    let max = context::limits(ctx)?.max_batch_rows;
    if rows == 0 || rows > max {
        return Err(AppError::bad_input(
            "rows",
            format!("send between 1 and {max} rows"),
        ));
    }
    Ok(())
}

/// Nightly loads from a council's case system: `service` clients only.
#[derive(Default)]
pub struct BatchMutation;

#[Object]
impl BatchMutation {
    /// Creates or updates children keyed by `councilReference` (required here). All-or-nothing
    /// and idempotent: the same batch twice changes nothing the second time.
    async fn upsert_children(
        &self,
        ctx: &Context<'_>,
        rows: Vec<CreateChildInput>,
    ) -> Result<BatchSummary, AppError> {
        let work = CouncilWork::begin(ctx, &[Role::Service])?;
        check_size(ctx, rows.len())?;
        let parsed = rows.into_iter().map(CreateChildInput::parse).collect();
        Ok(
            batch::upsert_children(work.store, work.scope, &work.actor, parsed)
                .await?
                .into(),
        )
    }

    /// Creates or updates cases keyed by `councilReference`, linked to children by theirs.
    /// All-or-nothing and idempotent.
    async fn upsert_cases(
        &self,
        ctx: &Context<'_>,
        rows: Vec<CaseRecordInput>,
    ) -> Result<BatchSummary, AppError> {
        let work = CouncilWork::begin(ctx, &[Role::Service])?;
        check_size(ctx, rows.len())?;
        let today = crate::domain::clock::today();
        let parsed = rows.into_iter().map(|row| row.parse(today)).collect();
        Ok(
            batch::upsert_cases(work.store, work.scope, &work.actor, parsed)
                .await?
                .into(),
        )
    }
}
