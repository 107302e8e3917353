use sea_orm::entity::prelude::*;

/// Education the council arranged for a case. Council-private.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "provision")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: ProvisionKind,
    pub provider: String,
    pub hours_per_week: f64,
    pub full_time: bool,
    /// The recorded health reason for reduced (part-time) provision, s.19(3AA).
    pub reduced_reason: Option<String>,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

/// The kind of education arranged.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ProvisionKind {
    #[sea_orm(string_value = "tuition")]
    Tuition,
    #[sea_orm(string_value = "hospital_school")]
    HospitalSchool,
    #[sea_orm(string_value = "alternative_provision")]
    AlternativeProvision,
    #[sea_orm(string_value = "online")]
    Online,
    #[sea_orm(string_value = "pru")]
    Pru,
    #[sea_orm(string_value = "eotas")]
    Eotas,
    #[sea_orm(string_value = "reduced_timetable")]
    ReducedTimetable,
    #[sea_orm(string_value = "other")]
    Other,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
