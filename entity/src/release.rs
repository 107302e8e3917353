use sea_orm::entity::prelude::*;

/// One revision of a partnership's published figures for a period: compiled from members'
/// approved returns, disclosure-controlled, immutable. Shared per partnership.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "release")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partnership_id: Uuid,
    /// The canonical period code: `2023-24`, `2023-24-autumn`, `2024-03`, `fy2023-24`.
    pub period: String,
    /// 1 for the first release of the period; each correction adds one.
    pub revision: i32,
    /// Why this revision was compiled; required from revision 2 on.
    pub reason: Option<String>,
    /// The disclosure settings used.
    pub threshold: i32,
    pub rounding_base: i32,
    pub compiled_at: DateTimeUtc,
    /// The compiling coordinator's token subject (never a name).
    pub compiled_by: String,
    /// The revision this one corrects.
    pub supersedes: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
