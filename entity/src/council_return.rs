use sea_orm::entity::prelude::*;

/// One version of a council's figures for one period. Council-private until a manager approves
/// it, and even then only the release compiler reads it (approved cells only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "council_return")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The canonical period code: `2023-24`, `2023-24-autumn`, `2024-03`, `fy2023-24`.
    pub period: String,
    pub period_start: Date,
    /// Inclusive.
    pub period_end: Date,
    pub version: i32,
    pub source: ReturnSource,
    pub status: ReturnStatus,
    /// A digest of the cells: submitting the same figures twice makes no new version.
    pub content_hash: String,
    pub created_at: DateTimeUtc,
    pub approved_at: Option<DateTimeUtc>,
}

/// Where a return's figures came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReturnSource {
    /// Aggregated by the hub from the council's case data.
    #[sea_orm(string_value = "computed")]
    Computed,
    /// Submitted by a council that keeps its cases elsewhere (GraphQL or CSV).
    #[sea_orm(string_value = "submitted")]
    Submitted,
}

/// Where a return is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReturnStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    /// The council's consent to share it in a release.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// A later version of the same period replaced it.
    #[sea_orm(string_value = "superseded")]
    Superseded,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
