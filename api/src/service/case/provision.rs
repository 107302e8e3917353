//! Provision on a case: starting it, changing its terms from a day on, ending it. The rules a
//! provision's own fields must meet are checked here, before any transaction opens
//! (`docs/domain.md`, "Provision").

use chrono::NaiveDate;
use entity::case_event::CaseEventKind;
use entity::provision::{self, ProvisionKind};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, QueryFilter,
};
use uuid::Uuid;

use super::deadline::refresh_deadlines;
use super::record::{append, open_case};
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::service::audit::{self, AuditActor};
use crate::tenancy::{CouncilTxn, TenantScope};

/// Provision to start on a case.
#[derive(Clone, Debug)]
pub struct NewProvision {
    pub kind: ProvisionKind,
    pub provider: String,
    pub hours_per_week: f64,
    pub full_time: bool,
    pub reduced_reason: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

impl NewProvision {
    /// The rules a provision's own fields must meet: reduced provision needs its recorded
    /// health reason, and it cannot end before it starts.
    fn check(&self) -> AppResult<()> {
        if !self.full_time && self.reduced_reason.is_none() {
            return Err(AppError::bad_input(
                "reducedReason",
                "reduced provision needs the recorded health reason (s.19(3AA))",
            ));
        }
        if let Some(end) = self.end_date
            && end < self.start_date
        {
            return Err(AppError::bad_input(
                "endDate",
                "provision cannot end before it starts",
            ));
        }
        Ok(())
    }
}

/// Inserts provision on a case (checked with [`NewProvision::check`] first). A reason is kept
/// only for reduced provision.
async fn insert_provision(
    txn: &CouncilTxn,
    case_id: Uuid,
    new: NewProvision,
) -> AppResult<provision::Model> {
    txn.insert(provision::ActiveModel {
        // Stamped with the council's id by the scoped insert.
        tenant_id: NotSet,
        id: Set(Uuid::now_v7()),
        case_id: Set(case_id),
        kind: Set(new.kind),
        provider: Set(new.provider),
        hours_per_week: Set(new.hours_per_week),
        full_time: Set(new.full_time),
        reduced_reason: Set(if new.full_time {
            None
        } else {
            new.reduced_reason
        }),
        start_date: Set(new.start_date),
        end_date: Set(new.end_date),
    })
    .await
}

/// Starts provision on an open case.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), case = %case_id))]
pub async fn start_provision(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    case_id: Uuid,
    new: NewProvision,
) -> AppResult<provision::Model> {
    new.check()?;
    let txn = store.council(scope).await?;
    let case = open_case(&txn, case_id).await?;
    if new.start_date < case.absence_start {
        return Err(AppError::bad_input(
            "startDate",
            "is before the absence started",
        ));
    }
    let start_date = new.start_date;
    let started = insert_provision(&txn, case_id, new).await?;
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::ProvisionStarted,
        start_date,
        Some(started.id),
    )
    .await?;
    refresh_deadlines(&txn, &[case.child_id]).await?;
    audit::record(&txn, actor, "provision.create", "provision", &[started.id]).await?;
    txn.commit().await?;
    Ok(started)
}

/// New terms for running provision, from `changed_on`: more or fewer hours, full-time or
/// reduced, another provider or kind.
#[derive(Clone, Debug)]
pub struct ProvisionChange {
    pub changed_on: NaiveDate,
    /// `None` keeps the current kind.
    pub kind: Option<ProvisionKind>,
    /// `None` keeps the current provider.
    pub provider: Option<String>,
    pub hours_per_week: f64,
    pub full_time: bool,
    pub reduced_reason: Option<String>,
}

/// Changes running provision from a day on: the current provision ends the day before and a new
/// one with the new terms carries on from `changed_on` (to the same end, if one was set), so the
/// hours a child had are kept for every period. The timeline records one "provision changed".
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), provision = %provision_id))]
pub async fn change_provision(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    provision_id: Uuid,
    change: ProvisionChange,
) -> AppResult<provision::Model> {
    let txn = store.council(scope).await?;
    let current = open_provision(&txn, provision_id).await?;
    if change.changed_on <= current.start_date {
        return Err(AppError::bad_input(
            "changedOn",
            format!(
                "must be after the provision started ({}); to correct the provision itself, end \
                 it and start another",
                current.start_date
            ),
        ));
    }
    if let Some(end) = current.end_date
        && change.changed_on > end
    {
        return Err(AppError::Conflict {
            field: Some("changedOn".into()),
            message: format!("this provision ended on {end}; start new provision instead"),
        });
    }
    let day_before = change
        .changed_on
        .pred_opt()
        .ok_or_else(|| AppError::bad_input("changedOn", "is not a usable date"))?;
    let continuing = NewProvision {
        kind: change.kind.unwrap_or(current.kind),
        provider: change.provider.unwrap_or_else(|| current.provider.clone()),
        hours_per_week: change.hours_per_week,
        full_time: change.full_time,
        reduced_reason: change.reduced_reason,
        start_date: change.changed_on,
        end_date: current.end_date,
    };
    continuing.check()?;
    let continued = insert_provision(&txn, current.case_id, continuing).await?;
    let case_id = current.case_id;
    let mut ended: provision::ActiveModel = current.into();
    ended.end_date = Set(Some(day_before));
    txn.update(ended, "provision").await?;
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::ProvisionChanged,
        change.changed_on,
        Some(continued.id),
    )
    .await?;
    // The case's first provision start, which its deadlines depend on, is unchanged: the new
    // provision starts after the old one did.
    audit::record(
        &txn,
        actor,
        "provision.change",
        "provision",
        &[provision_id, continued.id],
    )
    .await?;
    txn.commit().await?;
    Ok(continued)
}

/// Ends a provision.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), provision = %provision_id))]
pub async fn end_provision(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    provision_id: Uuid,
    end_date: NaiveDate,
) -> AppResult<provision::Model> {
    let txn = store.council(scope).await?;
    let current = open_provision(&txn, provision_id).await?;
    if current.end_date.is_some() {
        return Err(AppError::Conflict {
            field: None,
            message: "this provision has already ended".into(),
        });
    }
    if end_date < current.start_date {
        return Err(AppError::bad_input(
            "endDate",
            "provision cannot end before it starts",
        ));
    }
    let case_id = current.case_id;
    let mut row: provision::ActiveModel = current.into();
    row.end_date = Set(Some(end_date));
    let ended = txn.update(row, "provision").await?;
    audit::record(&txn, actor, "provision.end", "provision", &[provision_id]).await?;
    append(
        &txn,
        actor,
        case_id,
        CaseEventKind::ProvisionEnded,
        end_date,
        Some(provision_id),
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}

/// The provision, if it is the council's and its case is still open (else NOT_FOUND, or
/// CONFLICT for a closed case).
async fn open_provision(txn: &CouncilTxn, provision_id: Uuid) -> AppResult<provision::Model> {
    let provision = txn
        .select::<provision::Entity>()
        .filter(provision::Column::Id.eq(provision_id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("provision"))?;
    open_case(txn, provision.case_id).await?;
    Ok(provision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    /// Full-time tuition from Tuesday 1 June 2021, with no end set.
    fn tuition() -> NewProvision {
        NewProvision {
            kind: ProvisionKind::Tuition,
            provider: "Hospital Education Service".into(),
            hours_per_week: 25.0,
            full_time: true,
            reduced_reason: None,
            start_date: date(2021, 6, 1),
            end_date: None,
        }
    }

    fn refused_field(provision: &NewProvision) -> Option<String> {
        match provision.check() {
            Ok(()) => None,
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            Err(other) => Some(format!("not a field error: {}", other.client_message())),
        }
    }

    #[test]
    fn full_time_provision_needs_no_reason() {
        assert_eq!(refused_field(&tuition()), None);
    }

    #[test]
    fn reduced_provision_needs_its_recorded_health_reason() {
        let reduced = NewProvision {
            hours_per_week: 10.0,
            full_time: false,
            ..tuition()
        };
        assert_eq!(refused_field(&reduced), Some("reducedReason".into()));

        let with_reason = NewProvision {
            reduced_reason: Some("fatigue after treatment; consultant's advice".into()),
            ..reduced
        };
        assert_eq!(refused_field(&with_reason), None);
    }

    #[test]
    fn provision_cannot_end_before_it_starts_but_may_end_the_day_it_starts() {
        let inverted = NewProvision {
            end_date: Some(date(2021, 5, 31)),
            ..tuition()
        };
        assert_eq!(refused_field(&inverted), Some("endDate".into()));

        let one_day = NewProvision {
            end_date: Some(date(2021, 6, 1)),
            ..tuition()
        };
        assert_eq!(refused_field(&one_day), None);
    }
}
