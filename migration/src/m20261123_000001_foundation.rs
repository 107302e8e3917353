use sea_orm_migration::prelude::*;

use crate::rls;

/// Councils, partnerships, memberships and the first council-private table, `child`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rls::ensure_app_role(manager).await?;

        manager
            .create_table(
                Table::create()
                    .table(Council::Table)
                    .col(ColumnDef::new(Council::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(Council::LaCode)
                            .string_len(3)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Council::OnsCode)
                            .string_len(9)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Council::Name).string_len(120).not_null())
                    .col(
                        ColumnDef::new(Council::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Partnership::Table)
                    .col(
                        ColumnDef::new(Partnership::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Partnership::Code)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Partnership::Name).string_len(120).not_null())
                    .col(ColumnDef::new(Partnership::RegionCode).string_len(9).null())
                    .col(
                        ColumnDef::new(Partnership::RegionName)
                            .string_len(120)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Partnership::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .col(ColumnDef::new(Membership::PartnershipId).uuid().not_null())
                    .col(ColumnDef::new(Membership::CouncilId).uuid().not_null())
                    .col(ColumnDef::new(Membership::JoinedOn).date().not_null())
                    .primary_key(
                        Index::create()
                            .col(Membership::PartnershipId)
                            .col(Membership::CouncilId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Membership::Table, Membership::PartnershipId)
                            .to(Partnership::Table, Partnership::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Membership::Table, Membership::CouncilId)
                            .to(Council::Table, Council::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Child::Table)
                    .col(ColumnDef::new(Child::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Child::Id).uuid().not_null())
                    .col(
                        ColumnDef::new(Child::CouncilReference)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(Child::Upn).string_len(13).null())
                    .col(ColumnDef::new(Child::GivenName).string_len(100).not_null())
                    .col(ColumnDef::new(Child::FamilyName).string_len(100).not_null())
                    .col(ColumnDef::new(Child::DateOfBirth).date().not_null())
                    .col(ColumnDef::new(Child::Sex).string_len(16).not_null())
                    .col(ColumnDef::new(Child::YearGroup).integer().null())
                    .col(ColumnDef::new(Child::SenStatus).string_len(16).not_null())
                    .col(ColumnDef::new(Child::PrimaryNeed).string_len(8).null())
                    .col(
                        ColumnDef::new(Child::SocialCareStatus)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Child::SchoolUrn).string_len(8).null())
                    .col(ColumnDef::new(Child::SchoolName).string_len(200).null())
                    .col(
                        ColumnDef::new(Child::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Child::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Tenant first in every key, so a sharded PostgreSQL can distribute by council.
                    .primary_key(Index::create().col(Child::TenantId).col(Child::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Child::Table, Child::TenantId)
                            .to(Council::Table, Council::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("child_tenant_upn_key", &[Child::TenantId, Child::Upn][..]),
            (
                "child_tenant_reference_key",
                &[Child::TenantId, Child::CouncilReference][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Child::Table).unique();
            for column in columns {
                index.col(column.clone());
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("child_tenant_name_idx")
                    .table(Child::Table)
                    .col(Child::TenantId)
                    .col(Child::FamilyName)
                    .col(Child::GivenName)
                    .col(Child::Id)
                    .to_owned(),
            )
            .await?;

        for table in ["council", "partnership", "membership"] {
            rls::grant_shared_read(manager, table).await?;
        }
        rls::protect_council_table(manager, "child").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["child", "membership", "partnership", "council"] {
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new(table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone)]
enum Council {
    Table,
    Id,
    LaCode,
    OnsCode,
    Name,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Partnership {
    Table,
    Id,
    Code,
    Name,
    RegionCode,
    RegionName,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Membership {
    Table,
    PartnershipId,
    CouncilId,
    JoinedOn,
}

#[derive(DeriveIden, Clone)]
enum Child {
    Table,
    TenantId,
    Id,
    CouncilReference,
    Upn,
    GivenName,
    FamilyName,
    DateOfBirth,
    Sex,
    YearGroup,
    SenStatus,
    PrimaryNeed,
    SocialCareStatus,
    SchoolUrn,
    SchoolName,
    CreatedAt,
    UpdatedAt,
}
