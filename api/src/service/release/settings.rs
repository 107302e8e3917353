//! The partnership's disclosure settings: threshold and rounding base, defaults 7 and 5
//! (docs/domain.md, "Disclosure control"). Shared per partnership; only the coordinator changes
//! them, and every release records the ones it used.

#![expect(
    clippy::disallowed_methods,
    reason = "disclosure_setting is a shared partnership table, not council data"
)]

use chrono::Utc;
use entity::disclosure_setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use super::super::Store;
use crate::domain::audit::AuditActor;
use crate::domain::disclosure::DisclosureRules;
use crate::error::{AppError, AppResult};
use crate::tenancy::PartnershipScope;

/// The partnership's settings (the defaults until the coordinator sets them).
pub(super) async fn rules_of(
    db: &impl ConnectionTrait,
    partnership_id: uuid::Uuid,
) -> AppResult<DisclosureRules> {
    let Some(row) = disclosure_setting::Entity::find_by_id(partnership_id)
        .one(db)
        .await?
    else {
        return Ok(DisclosureRules::default());
    };
    DisclosureRules::new(i64::from(row.threshold), i64::from(row.rounding_base))
        .map_err(|e| AppError::internal(anyhow::anyhow!("stored disclosure settings: {e}")))
}

/// The disclosure settings of the caller's partnership.
#[tracing::instrument(skip_all, fields(partnership = %partnership_id))]
pub async fn disclosure_rules(
    store: &Store,
    partnership_id: uuid::Uuid,
) -> AppResult<DisclosureRules> {
    rules_of(&store.db, partnership_id).await
}

/// Sets the partnership's disclosure settings (coordinator only: the scope says so). Later
/// releases use them; earlier ones keep the settings they were compiled with.
#[tracing::instrument(skip_all, fields(partnership = %scope.partnership_id()))]
pub async fn set_disclosure_rules(
    store: &Store,
    scope: PartnershipScope,
    actor: &AuditActor,
    rules: DisclosureRules,
) -> AppResult<DisclosureRules> {
    let as_i32 = |v: i64| i32::try_from(v).map_err(|e| AppError::internal(anyhow::anyhow!(e)));
    let row = disclosure_setting::ActiveModel {
        partnership_id: Set(scope.partnership_id()),
        threshold: Set(as_i32(rules.threshold())?),
        rounding_base: Set(as_i32(rules.rounding_base())?),
        updated_at: Set(Utc::now()),
        updated_by: Set(actor.subject.clone()),
    };
    let txn = store.shared().await?;
    disclosure_setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(disclosure_setting::Column::PartnershipId)
                .update_columns([
                    disclosure_setting::Column::Threshold,
                    disclosure_setting::Column::RoundingBase,
                    disclosure_setting::Column::UpdatedAt,
                    disclosure_setting::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn.conn())
        .await?;
    txn.commit().await?;
    tracing::info!("disclosure settings changed");
    Ok(rules)
}
