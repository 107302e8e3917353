use sea_orm::entity::prelude::*;

/// One entry in a council's audit log: who read or changed which identifiable records, when, and
/// through which operation. Council-private, append-only (the app role may not update or delete
/// rows on PostgreSQL) and tamper-evident: each event's `hash` covers its contents and the
/// previous event's `hash`, so editing, removing or reordering an event breaks the chain.
///
/// Holds no personal data: the actor is the token's opaque subject, the records are ids only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// A v7 UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event's place in its council's chain: 1 for the first, then one more each time,
    /// unique per council.
    pub sequence: i64,
    /// When the event was recorded, to the microsecond (what PostgreSQL stores).
    pub occurred_at: DateTimeUtc,
    /// The token subject of whoever acted: an opaque IdP id, not a name.
    pub subject: String,
    /// The issuer of the actor's token.
    pub issuer: String,
    /// What was done, e.g. `child.read`, `child.create`.
    pub operation: String,
    /// The kind of record it was done to, e.g. `child`.
    pub record_type: String,
    /// The ids of the records, comma-separated UUIDs; never anything else.
    pub record_ids: String,
    /// The previous event's `hash` (lowercase hex), or 64 zeros for the council's first event.
    pub previous_hash: String,
    /// SHA-256 (lowercase hex) of this event's contents and `previous_hash`.
    pub hash: String,
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
