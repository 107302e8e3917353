use sea_orm_migration::prelude::*;

use crate::rls;

/// Each council's deadline settings (15 and 6 school days, review interval, evidence warning).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let name = Alias::new;
        manager
            .create_table(
                Table::create()
                    .table(name("council_setting"))
                    .col(
                        ColumnDef::new(name("tenant_id"))
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(name("health_and_other_days"))
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("permanent_exclusion_days"))
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("review_interval_school_days"))
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("evidence_warning_days"))
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("updated_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("council_setting"), name("tenant_id"))
                            .to(name("council"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;
        rls::protect_council_table(manager, "council_setting").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("council_setting"))
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
