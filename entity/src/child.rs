use sea_orm::entity::prelude::*;

/// A child known to a council. Identifiable: council-private, tenant-first keys, RLS on PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "child")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The council's own reference from its case-management system; unique within the council.
    pub council_reference: Option<String>,
    /// Unique pupil number, validated with its check letter; unique within the council.
    pub upn: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub sex: Sex,
    /// National curriculum year: 0 is Reception.
    pub year_group: Option<i32>,
    pub sen_status: SenStatus,
    pub primary_need: Option<PrimaryNeed>,
    pub social_care_status: SocialCareStatus,
    /// The school's unique reference number (URN), if on a roll.
    pub school_urn: Option<String>,
    pub school_name: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Sex as recorded in the school census.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Sex {
    #[sea_orm(string_value = "female")]
    Female,
    #[sea_orm(string_value = "male")]
    Male,
    #[sea_orm(string_value = "unknown")]
    Unknown,
}

/// Special educational needs provision.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SenStatus {
    #[sea_orm(string_value = "none")]
    None,
    #[sea_orm(string_value = "sen_support")]
    SenSupport,
    #[sea_orm(string_value = "ehc_plan")]
    EhcPlan,
}

/// SEN primary type of need, as coded in the school census.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum PrimaryNeed {
    #[sea_orm(string_value = "SPLD")]
    SpecificLearningDifficulty,
    #[sea_orm(string_value = "MLD")]
    ModerateLearningDifficulty,
    #[sea_orm(string_value = "SLD")]
    SevereLearningDifficulty,
    #[sea_orm(string_value = "PMLD")]
    ProfoundAndMultipleLearningDifficulty,
    #[sea_orm(string_value = "SEMH")]
    SocialEmotionalAndMentalHealth,
    #[sea_orm(string_value = "SLCN")]
    SpeechLanguageAndCommunicationNeeds,
    #[sea_orm(string_value = "HI")]
    HearingImpairment,
    #[sea_orm(string_value = "VI")]
    VisionImpairment,
    #[sea_orm(string_value = "MSI")]
    MultiSensoryImpairment,
    #[sea_orm(string_value = "PD")]
    PhysicalDisability,
    #[sea_orm(string_value = "ASD")]
    AutisticSpectrumDisorder,
    #[sea_orm(string_value = "OTH")]
    OtherDifficulty,
}

/// Children's social care involvement: child in need, child protection plan, child looked after.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum SocialCareStatus {
    #[sea_orm(string_value = "none")]
    None,
    #[sea_orm(string_value = "cin")]
    ChildInNeed,
    #[sea_orm(string_value = "cp")]
    ChildProtectionPlan,
    #[sea_orm(string_value = "cla")]
    ChildLookedAfter,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::council::Entity",
        from = "Column::TenantId",
        to = "super::council::Column::Id"
    )]
    Council,
}

impl Related<super::council::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Council.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
