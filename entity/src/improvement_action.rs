use sea_orm::entity::prelude::*;

/// An item of the council's improvement plan: what will change, who owns it, how success is
/// measured, by when, and the evidence it was done. Linked to a complaint or standing alone.
/// Council-private.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_action")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub complaint_id: Option<Uuid>,
    /// What will change.
    pub description: String,
    /// The role that owns it (a job title, not a name).
    pub owner_role: String,
    /// The measure of success.
    pub success_measure: String,
    pub due_on: Date,
    pub status: ActionStatus,
    /// Evidence that it was done. Free text: never logged, never exported.
    pub evidence: Option<String>,
    pub done_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Where an improvement action stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActionStatus {
    #[sea_orm(string_value = "planned")]
    Planned,
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    #[sea_orm(string_value = "done")]
    Done,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
