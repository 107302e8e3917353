use sea_orm::entity::prelude::*;

/// A remedy the council agreed to on a complaint, with its deadline and the evidence sent to the
/// Ombudsman. Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "remedy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub complaint_id: Uuid,
    pub kind: RemedyKind,
    /// Money paid, in pence: set exactly for the payment kinds.
    pub amount_pence: Option<i64>,
    pub recipient: RemedyRecipient,
    /// The case a payment for lost education concerns, where there is one.
    pub case_id: Option<Uuid>,
    /// The day the council agreed it (the decision date unless said otherwise).
    pub agreed_on: Date,
    pub due_on: Date,
    pub done_on: Option<Date>,
    /// What was sent to the Ombudsman as evidence. Free text: never logged, never exported.
    pub evidence: Option<String>,
    pub evidence_sent_on: Option<Date>,
    /// The latest step of its history (`remedy_event`).
    pub status: RemedyStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// What the council agreed to do.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RemedyKind {
    #[sea_orm(string_value = "apology")]
    Apology,
    #[sea_orm(string_value = "symbolic_payment")]
    SymbolicPayment,
    #[sea_orm(string_value = "lost_education_payment")]
    LostEducationPayment,
    #[sea_orm(string_value = "refund")]
    Refund,
    #[sea_orm(string_value = "provision_arranged")]
    ProvisionArranged,
    #[sea_orm(string_value = "reconsider_decision")]
    ReconsiderDecision,
    #[sea_orm(string_value = "staff_reminder_or_training")]
    StaffReminderOrTraining,
    #[sea_orm(string_value = "policy_or_procedure_change")]
    PolicyOrProcedureChange,
    #[sea_orm(string_value = "other")]
    Other,
}

/// Who the remedy is for: a role, never a name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum RemedyRecipient {
    #[sea_orm(string_value = "parent_or_carer")]
    ParentOrCarer,
    #[sea_orm(string_value = "child_or_young_person")]
    ChildOrYoungPerson,
    #[sea_orm(string_value = "complainant")]
    Complainant,
    #[sea_orm(string_value = "the_public")]
    ThePublic,
    #[sea_orm(string_value = "other")]
    Other,
}

/// A step in a remedy's history; the remedy's status is its latest.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RemedyStatus {
    #[sea_orm(string_value = "agreed")]
    Agreed,
    #[sea_orm(string_value = "chased")]
    Chased,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "evidence_sent")]
    EvidenceSent,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "reopened")]
    Reopened,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
