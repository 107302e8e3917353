use sea_orm::entity::prelude::*;

/// A regional partnership, e.g. the South-East partnership `SESLIP`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partnership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short code used by issuers and tokens, e.g. `SESLIP`.
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    /// ONS region code, e.g. `E12000008` (South East).
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
