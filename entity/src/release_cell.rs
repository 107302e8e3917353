use sea_orm::entity::prelude::*;

/// One published figure of a release: a value or a DfE symbol, never both. Shared.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "release_cell")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub partnership_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub release_id: Uuid,
    /// The cell's place in the release, in publication order.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    /// The metric definition version the figure follows.
    pub definition_id: Uuid,
    /// The like-for-like group (one definition version), e.g. `health_needs_all/v1`.
    pub group_key: String,
    /// The council; `None` for the group's total.
    pub council_id: Option<Uuid>,
    /// `total`, or a breakdown (`sex`, `year_group`...).
    pub breakdown: String,
    /// `total`, or the breakdown's category.
    pub category: String,
    /// The published value, when not a symbol.
    pub value: Option<f64>,
    /// The DfE symbol (`c`, `x`, `z`, `low`), when not a value.
    pub symbol: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
