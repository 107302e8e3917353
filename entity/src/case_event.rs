use sea_orm::entity::prelude::*;

/// One entry in a case's append-only timeline. Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: CaseEventKind,
    /// When it happened (a school-day date), which may be before it was recorded.
    pub occurred_on: Date,
    pub recorded_at: DateTimeUtc,
    /// The token subject of whoever recorded it: an opaque IdP id, not a name.
    pub recorded_by: String,
    /// The provision a provision event is about.
    pub provision_id: Option<Uuid>,
}

/// What happened on a case.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum CaseEventKind {
    #[sea_orm(string_value = "referral_received")]
    ReferralReceived,
    #[sea_orm(string_value = "decision_made")]
    DecisionMade,
    #[sea_orm(string_value = "provision_started")]
    ProvisionStarted,
    #[sea_orm(string_value = "provision_changed")]
    ProvisionChanged,
    #[sea_orm(string_value = "provision_ended")]
    ProvisionEnded,
    #[sea_orm(string_value = "review_held")]
    ReviewHeld,
    #[sea_orm(string_value = "returned_to_school")]
    ReturnedToSchool,
    #[sea_orm(string_value = "closed")]
    Closed,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
