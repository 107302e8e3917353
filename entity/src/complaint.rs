use sea_orm::entity::prelude::*;

/// A complaint about the council: at its own stage 1 or stage 2, or with the Local Government
/// and Social Care Ombudsman. Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The Ombudsman's reference, `NN NNN NNN`; unique within the council.
    pub lgsco_reference: Option<String>,
    /// The council's own stage 1 / stage 2 reference; unique within the council.
    pub council_reference: Option<String>,
    pub category: ComplaintCategory,
    pub stage: ComplaintStage,
    pub received_on: Date,
    pub outcome: ComplaintOutcome,
    /// The day the outcome was decided; set exactly when the outcome is not pending.
    pub decided_on: Option<Date>,
    pub publication: DecisionPublication,
    /// The case the complaint is about, where there is one.
    pub case_id: Option<Uuid>,
    /// Free text: never logged, never exported.
    pub summary: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// What the complaint is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ComplaintCategory {
    #[sea_orm(string_value = "education_provision")]
    EducationProvision,
    #[sea_orm(string_value = "sen")]
    Sen,
    #[sea_orm(string_value = "ehe_cme")]
    EheCme,
    #[sea_orm(string_value = "exclusion")]
    Exclusion,
    #[sea_orm(string_value = "transport")]
    Transport,
    #[sea_orm(string_value = "other")]
    Other,
}

/// Where the complaint is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ComplaintStage {
    #[sea_orm(string_value = "council_stage_1")]
    CouncilStage1,
    #[sea_orm(string_value = "council_stage_2")]
    CouncilStage2,
    #[sea_orm(string_value = "ombudsman")]
    Ombudsman,
}

/// The decision on the complaint.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ComplaintOutcome {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "fault_causing_injustice")]
    FaultCausingInjustice,
    #[sea_orm(string_value = "fault_without_injustice")]
    FaultWithoutInjustice,
    #[sea_orm(string_value = "not_upheld")]
    NotUpheld,
    #[sea_orm(string_value = "closed_after_initial_enquiries")]
    ClosedAfterInitialEnquiries,
}

/// Whether the Ombudsman published the decision, or issued a public-interest report.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum DecisionPublication {
    #[sea_orm(string_value = "not_published")]
    NotPublished,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "public_interest_report")]
    PublicInterestReport,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
