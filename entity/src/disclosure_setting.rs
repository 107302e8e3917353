use sea_orm::entity::prelude::*;

/// A partnership's disclosure settings; absent means the defaults (threshold 7, base 5). Shared.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosure_setting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub partnership_id: Uuid,
    pub threshold: i32,
    pub rounding_base: i32,
    pub updated_at: DateTimeUtc,
    /// The coordinator's token subject (never a name).
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
