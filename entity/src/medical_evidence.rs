use sea_orm::entity::prelude::*;

/// Time-limited medical evidence on a case. Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "medical_evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub source: EvidenceSource,
    /// The agreed category of need, e.g. "mental health".
    pub category: String,
    pub evidence_date: Date,
    pub valid_until: Option<Date>,
}

/// Who provided the evidence.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum EvidenceSource {
    #[sea_orm(string_value = "gp")]
    Gp,
    #[sea_orm(string_value = "consultant")]
    Consultant,
    #[sea_orm(string_value = "camhs")]
    Camhs,
    #[sea_orm(string_value = "hospital")]
    Hospital,
    #[sea_orm(string_value = "school_nurse")]
    SchoolNurse,
    #[sea_orm(string_value = "other")]
    Other,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
