use sea_orm::entity::prelude::*;

/// A council (local authority). Its `id` is the `tenant_id` of every council-private row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "council")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// DfE 3-digit LA code, e.g. `886` for Kent.
    #[sea_orm(unique)]
    pub la_code: String,
    /// ONS 9-character code, e.g. `E10000016` for Kent.
    #[sea_orm(unique)]
    pub ons_code: String,
    pub name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::membership::Entity")]
    Membership,
    #[sea_orm(has_many = "super::child::Entity")]
    Child,
}

impl Related<super::membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Membership.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
