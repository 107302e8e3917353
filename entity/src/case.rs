use sea_orm::entity::prelude::*;

/// An episode of a child out of school that may engage the council's s.19 duty. Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub child_id: Uuid,
    /// The council's own reference from its case-management system; unique within the council.
    pub council_reference: Option<String>,
    pub reason: CaseReason,
    /// The first day of absence (or of the exclusion).
    pub absence_start: Date,
    /// The day the council was told.
    pub council_notified_on: Date,
    pub duty_decision: DutyDecision,
    /// Why the duty was not accepted (required then).
    pub duty_decision_reason: Option<String>,
    pub duty_decided_on: Option<Date>,
    pub status: CaseStatus,
    pub closure_reason: Option<ClosureReason>,
    pub closed_on: Option<Date>,
    /// Derived and stored by the case service so the worklist can be queried: the school day
    /// provision is due by.
    pub provision_due_by: Option<Date>,
    /// Derived and stored: the start of the case's first provision.
    pub provision_started_on: Option<Date>,
    /// Derived and stored, with the next two: school days without provision as of the school
    /// day numbered `wait_as_of` (see `domain::deadline::ProvisionWait`). `None` until computed.
    pub wait_days: Option<i32>,
    pub wait_as_of: Option<i32>,
    /// The school day number after which the count stops; `None` while it runs on.
    pub wait_runs_until: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Why the child is out of school.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum CaseReason {
    #[sea_orm(string_value = "health")]
    Health,
    #[sea_orm(string_value = "permanent_exclusion")]
    PermanentExclusion,
    #[sea_orm(string_value = "suspension")]
    Suspension,
    #[sea_orm(string_value = "awaiting_school_place")]
    AwaitingSchoolPlace,
    #[sea_orm(string_value = "ehc_placement_breakdown")]
    EhcPlacementBreakdown,
    #[sea_orm(string_value = "emotionally_based_school_avoidance")]
    EmotionallyBasedSchoolAvoidance,
    #[sea_orm(string_value = "other")]
    Other,
}

/// Whether the council accepted the s.19 duty for this episode.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DutyDecision {
    #[sea_orm(string_value = "not_yet_decided")]
    NotYetDecided,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "not_accepted")]
    NotAccepted,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum CaseStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// Why a case was closed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ClosureReason {
    #[sea_orm(string_value = "returned_to_school")]
    ReturnedToSchool,
    #[sea_orm(string_value = "new_school_place")]
    NewSchoolPlace,
    #[sea_orm(string_value = "moved_out_of_area")]
    MovedOutOfArea,
    #[sea_orm(string_value = "left_compulsory_school_age")]
    LeftCompulsorySchoolAge,
    #[sea_orm(string_value = "duty_not_accepted")]
    DutyNotAccepted,
    #[sea_orm(string_value = "other")]
    Other,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
