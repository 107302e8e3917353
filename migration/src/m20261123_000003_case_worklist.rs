use sea_orm_migration::prelude::*;

/// Stores each case's provision due date and first provision start, kept up to date by the case
/// service, so the overdue worklist is one indexed query however many cases a council has.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in ["provision_due_by", "provision_started_on"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("case"))
                        .add_column(ColumnDef::new(Alias::new(column)).date().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("case_tenant_worklist_idx")
                    .table(Alias::new("case"))
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("status"))
                    .col(Alias::new("provision_due_by"))
                    .col(Alias::new("id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("case_tenant_worklist_idx")
                    .table(Alias::new("case"))
                    .to_owned(),
            )
            .await?;
        for column in ["provision_due_by", "provision_started_on"] {
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
