//! A council's Ombudsman figures for a period, for its return to the partnership's shared-figures
//! catalogue: counted by aggregate queries in the database, never by loading rows
//! (`docs/domain.md`, "Ombudsman complaints and remedies").

use chrono::NaiveDate;
use entity::complaint::{self, ComplaintOutcome, ComplaintStage};
use entity::remedy;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QuerySelect, QueryTrait};

use super::monitoring::{count_where, sum_where};
use crate::error::AppResult;
use crate::service::Store;
use crate::tenancy::{CouncilTxn, TenantScope};

/// One council's Ombudsman figures for the period `from` to `to_inclusive` (both days counted).
/// Only complaints at the Ombudsman stage, and the remedies agreed on them, count: these are the
/// Ombudsman's figures, which a council's own stage 1 and 2 complaints are not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ComplaintFigures {
    /// Complaints whose Ombudsman decision is dated in the period (any outcome but pending).
    pub decided: i64,
    /// Of `decided`, those upheld: fault causing injustice, or fault without injustice.
    pub upheld: i64,
    /// Remedies due in the period.
    pub remedies_due: i64,
    /// Of `remedies_due`, those completed on or before their due date.
    pub remedies_completed_on_time: i64,
    /// Remedies agreed by the period's last day, due before it and not completed by it: overdue
    /// on that day, whenever they fell due.
    pub remedies_overdue_at_end: i64,
    /// Money paid in the period: the amounts of payment remedies completed in it, in pence.
    pub money_paid_pence: i64,
}

impl ComplaintFigures {
    /// Upheld as a share of decided, when any were decided.
    pub fn upheld_rate(&self) -> Option<f64> {
        (self.decided > 0).then(|| self.upheld as f64 / self.decided as f64)
    }
}

/// The council's figures for the period, inside the caller's council transaction: two aggregate
/// queries (complaints, then remedies), whatever the number of rows.
#[tracing::instrument(skip_all, fields(council = %txn.tenant_id(), %from, %to_inclusive))]
pub async fn complaint_figures(
    txn: &CouncilTxn,
    from: NaiveDate,
    to_inclusive: NaiveDate,
) -> AppResult<ComplaintFigures> {
    let (decided, upheld) = txn
        .select::<complaint::Entity>()
        .select_only()
        .column_as(count_where(Condition::all()), "decided")
        .column_as(
            count_where(Condition::all().add(complaint::Column::Outcome.is_in([
                ComplaintOutcome::FaultCausingInjustice,
                ComplaintOutcome::FaultWithoutInjustice,
            ]))),
            "upheld",
        )
        .filter(complaint::Column::Stage.eq(ComplaintStage::Ombudsman))
        .filter(complaint::Column::Outcome.ne(ComplaintOutcome::Pending))
        .filter(complaint::Column::DecidedOn.between(from, to_inclusive))
        .into_tuple::<(i64, i64)>()
        .one(txn.conn())
        .await?
        .unwrap_or_default();
    let at_the_ombudsman = txn
        .select::<complaint::Entity>()
        .select_only()
        .column(complaint::Column::Id)
        .filter(complaint::Column::Stage.eq(ComplaintStage::Ombudsman))
        .into_query();
    let due_in_period = || Condition::all().add(remedy::Column::DueOn.between(from, to_inclusive));
    let (due, on_time, overdue, paid) = txn
        .select::<remedy::Entity>()
        .select_only()
        .column_as(count_where(due_in_period()), "due")
        .column_as(
            count_where(
                due_in_period().add(
                    Expr::col(remedy::Column::DoneOn)
                        .lte(Expr::col((remedy::Entity, remedy::Column::DueOn))),
                ),
            ),
            "on_time",
        )
        .column_as(
            count_where(
                Condition::all()
                    .add(remedy::Column::AgreedOn.lte(to_inclusive))
                    .add(remedy::Column::DueOn.lt(to_inclusive))
                    .add(
                        Condition::any()
                            .add(remedy::Column::DoneOn.is_null())
                            .add(remedy::Column::DoneOn.gt(to_inclusive)),
                    ),
            ),
            "overdue",
        )
        .column_as(
            sum_where(
                Condition::all().add(remedy::Column::DoneOn.between(from, to_inclusive)),
                Expr::col((remedy::Entity, remedy::Column::AmountPence)),
            ),
            "paid",
        )
        .filter(remedy::Column::ComplaintId.in_subquery(at_the_ombudsman))
        .into_tuple::<(i64, i64, i64, i64)>()
        .one(txn.conn())
        .await?
        .unwrap_or_default();
    Ok(ComplaintFigures {
        decided,
        upheld,
        remedies_due: due,
        remedies_completed_on_time: on_time,
        remedies_overdue_at_end: overdue,
        money_paid_pence: paid,
    })
}

/// [`complaint_figures`] in a council transaction of its own: counts only, so not an audited
/// read of any record.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn figures_for_period(
    store: &Store,
    scope: TenantScope,
    from: NaiveDate,
    to_inclusive: NaiveDate,
) -> AppResult<ComplaintFigures> {
    let txn = store.council(scope).await?;
    let figures = complaint_figures(&txn, from, to_inclusive).await?;
    txn.commit().await?;
    Ok(figures)
}
