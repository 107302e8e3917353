//! A council's deadline settings: the defaults of DOMAIN.md until a manager changes them.

use chrono::Utc;
use entity::council_setting;
use sea_orm::ActiveValue::Set;

use super::Store;
use crate::domain::deadline::DeadlineSettings;
use crate::error::{AppError, AppResult};
use crate::tenancy::{CouncilTxn, TenantScope};

/// The council's settings, or the defaults.
pub async fn load(txn: &CouncilTxn) -> AppResult<DeadlineSettings> {
    let Some(row) = txn
        .select::<council_setting::Entity>()
        .one(txn.conn())
        .await?
    else {
        return Ok(DeadlineSettings::default());
    };
    let days = |value: i32| u32::try_from(value).unwrap_or_default();
    Ok(DeadlineSettings {
        health_and_other_days: days(row.health_and_other_days),
        permanent_exclusion_days: days(row.permanent_exclusion_days),
        review_interval_school_days: days(row.review_interval_school_days),
        evidence_warning_days: i64::from(row.evidence_warning_days),
    })
}

/// The council's settings, in their own transaction.
pub async fn get(store: &Store, scope: TenantScope) -> AppResult<DeadlineSettings> {
    let txn = store.council(scope).await?;
    let settings = load(&txn).await?;
    txn.commit().await?;
    Ok(settings)
}

/// Replaces the council's settings and moves every case's due date to match.
pub async fn set(
    store: &Store,
    scope: TenantScope,
    settings: DeadlineSettings,
) -> AppResult<DeadlineSettings> {
    settings
        .validate()
        .map_err(|why| AppError::bad_input("input", why))?;
    let as_i32 = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
    let txn = store.council(scope).await?;
    let row = council_setting::ActiveModel {
        tenant_id: Set(scope.council_id()),
        health_and_other_days: Set(as_i32(settings.health_and_other_days)),
        permanent_exclusion_days: Set(as_i32(settings.permanent_exclusion_days)),
        review_interval_school_days: Set(as_i32(settings.review_interval_school_days)),
        evidence_warning_days: Set(
            i32::try_from(settings.evidence_warning_days).unwrap_or(i32::MAX)
        ),
        updated_at: Set(Utc::now()),
    };
    if txn
        .select::<council_setting::Entity>()
        .one(txn.conn())
        .await?
        .is_some()
    {
        txn.update(row, "council settings").await?;
    } else {
        txn.insert(row).await?;
    }
    super::case::refresh_all_deadlines(&txn).await?;
    txn.commit().await?;
    Ok(settings)
}
