use sea_orm::entity::prelude::*;

/// A council's pupil population in an academic year: the denominator of rates per 10,000.
/// Shared (it is public census data).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pupil_population")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub council_id: Uuid,
    /// The academic year's first calendar year: 2023 is 2023/24.
    #[sea_orm(primary_key, auto_increment = false)]
    pub academic_year: i32,
    pub pupils: i64,
    /// Seeded by the demo: plausible figures, not real ones.
    pub demo: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
