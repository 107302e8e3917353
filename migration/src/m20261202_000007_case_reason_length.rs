use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Widens `case.reason` from 32 to 64 characters: `emotionally_based_school_avoidance` has 34,
/// so PostgreSQL refused every such case (found by the GraphQL fuzz test). SQLite does not
/// enforce the length and needs nothing.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        reason_length(manager, 64).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        reason_length(manager, 32).await
    }
}

async fn reason_length(manager: &SchemaManager<'_>, length: u32) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new("case"))
                .modify_column(
                    ColumnDef::new(Alias::new("reason"))
                        .string_len(length)
                        .not_null(),
                )
                .to_owned(),
        )
        .await
}
