use sea_orm::entity::prelude::*;

use crate::remedy::RemedyStatus;

/// One step in a remedy's append-only history: agreed, chased by the Ombudsman, completed,
/// evidence sent, accepted by the Ombudsman, reopened. Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "remedy_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub remedy_id: Uuid,
    pub step: RemedyStatus,
    /// When it happened, which may be before it was recorded.
    pub occurred_on: Date,
    pub recorded_at: DateTimeUtc,
    /// The token subject of whoever recorded it: an opaque IdP id, not a name.
    pub recorded_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
