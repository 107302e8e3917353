//! A council's deadline settings: the defaults of docs/domain.md, "Deadlines", until a manager
//! changes them. `case::deadline` loads them, since it counts every due date with them; this
//! file lets managers read and replace them.

use chrono::Utc;
use entity::council_setting;
use sea_orm::ActiveValue::{NotSet, Set};

use super::Store;
use super::case::deadline::{load_settings, refresh_all_deadlines};
use crate::domain::deadline::DeadlineSettings;
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantScope;

/// The council's settings, or the defaults, in their own transaction.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn get(store: &Store, scope: TenantScope) -> AppResult<DeadlineSettings> {
    let txn = store.council(scope).await?;
    let settings = load_settings(&txn).await?;
    txn.commit().await?;
    Ok(settings)
}

/// Replaces the council's settings and moves every case's due date to match.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
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
        // Stamped with the council's id by the scoped insert or update.
        tenant_id: NotSet,
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
    refresh_all_deadlines(&txn).await?;
    txn.commit().await?;
    Ok(settings)
}
