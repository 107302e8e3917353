use sea_orm::entity::prelude::*;

/// Which councils and definition versions a release covers, and who it does not. Shared.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "release_coverage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub partnership_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub release_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub council_id: Uuid,
    /// The definition version; `None` when the council had no approved return at all.
    pub definition_id: Option<Uuid>,
    pub status: CoverageStatus,
    /// The approved return version the council's cells came from (kept to protect later
    /// revisions; not published).
    pub return_id: Option<Uuid>,
    pub return_version: Option<i32>,
}

/// Whether a council's figures are in a release.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CoverageStatus {
    /// The council's approved return has this definition version.
    #[sea_orm(string_value = "returned")]
    Returned,
    /// The council approved a return for the period, without this definition version.
    #[sea_orm(string_value = "not returned")]
    NotReturned,
    /// The council has approved no return for the period (its drafts are its own).
    #[sea_orm(string_value = "not approved")]
    NotApproved,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
