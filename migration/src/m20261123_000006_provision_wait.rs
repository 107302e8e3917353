use sea_orm_migration::prelude::*;

/// Stores each case's running count of school days without provision (see
/// `domain::deadline::ProvisionWait`), kept up to date by the case service, so cases can be
/// ranked by it in the database instead of loading every case to count.
///
/// Null until the service first computes it; the server fills in any missing counts at start.
#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 3] = ["wait_days", "wait_as_of", "wait_runs_until"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("case"))
                        .add_column(ColumnDef::new(Alias::new(column)).integer().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("case"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
