use sea_orm::entity::prelude::*;

/// One version of a figure the partnership agrees to share. Shared per partnership; an agreed
/// version is never edited (a change is a new version).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "metric_definition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partnership_id: Uuid,
    /// Stable code, e.g. `referrals`, `health_needs_all`.
    pub code: String,
    pub version: i32,
    pub title: String,
    pub description: String,
    pub unit: MetricUnit,
    /// Who is in scope, in words the partnership agreed.
    pub scope: String,
    /// Comma-separated breakdowns this definition allows, e.g. `sex,year_group` (may be empty).
    pub breakdowns: String,
    pub status: DefinitionStatus,
    /// Whether the hub can compute it from a council's case data.
    pub computable: bool,
    /// For rates and percentages: the code of the count on top.
    pub numerator_code: Option<String>,
    /// For rates and percentages: the code of the count (or `pupil_population`) below.
    pub denominator_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub agreed_at: Option<DateTimeUtc>,
    pub retired_at: Option<DateTimeUtc>,
}

/// What a figure measures in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum MetricUnit {
    #[sea_orm(string_value = "count")]
    Count,
    #[sea_orm(string_value = "percent")]
    Percent,
    #[sea_orm(string_value = "median")]
    Median,
    #[sea_orm(string_value = "mean")]
    Mean,
    #[sea_orm(string_value = "rate_per_10000")]
    RatePer10000,
}

/// Where a definition version is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DefinitionStatus {
    /// Proposed; returns may not use it yet.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Agreed by the partnership: immutable, usable in returns.
    #[sea_orm(string_value = "agreed")]
    Agreed,
    /// No longer used for new returns; earlier releases still name it.
    #[sea_orm(string_value = "retired")]
    Retired,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
