use sea_orm::entity::prelude::*;

/// One figure of a council's return: a definition version, a breakdown category (or the total),
/// and its value. Council-private, unsuppressed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "return_cell")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub return_id: Uuid,
    /// The metric definition version this figure follows.
    #[sea_orm(primary_key, auto_increment = false)]
    pub definition_id: Uuid,
    /// `total`, or a breakdown the definition allows (`sex`, `year_group`...).
    #[sea_orm(primary_key, auto_increment = false)]
    pub breakdown: String,
    /// `total`, or the breakdown's category (`female`, `year_10`...).
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: String,
    /// The count, percentage, rate, mean or median.
    pub value: f64,
    /// For percentages and rates: the count on top.
    pub numerator: Option<i64>,
    /// For percentages, rates, means and medians: what it was built on (a count of cases, or the
    /// pupil population).
    pub base: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
