use sea_orm::entity::prelude::*;

/// A council's own deadline settings; absent means the defaults of docs/domain.md ("Deadlines"). Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "council_setting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// Provision is due on this school day of absence for health and other reasons (default 15).
    pub health_and_other_days: i32,
    /// ... and on this school day of a permanent exclusion (default 6).
    pub permanent_exclusion_days: i32,
    /// School days between reviews (default 30).
    pub review_interval_school_days: i32,
    /// Calendar days before evidence expires when it is flagged (default 28).
    pub evidence_warning_days: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
