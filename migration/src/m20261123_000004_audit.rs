use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{APP_ROLE, rls};

/// The audit log: one hash-chained, append-only table of events per council.
///
/// On PostgreSQL the table is behind row-level security like every council table, and the app
/// role may only read and insert: `UPDATE` and `DELETE` are revoked, so the server cannot rewrite
/// history even through a bug. The hash chain makes changes by anyone else (the schema owner,
/// a restored backup) evident.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(ColumnDef::new(AuditEvent::TenantId).uuid().not_null())
                    .col(ColumnDef::new(AuditEvent::Id).uuid().not_null())
                    .col(
                        ColumnDef::new(AuditEvent::Sequence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditEvent::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Unbounded: an over-long `sub` or `iss` must never make an audited request fail.
                    .col(ColumnDef::new(AuditEvent::Subject).text().not_null())
                    .col(ColumnDef::new(AuditEvent::Issuer).text().not_null())
                    .col(
                        ColumnDef::new(AuditEvent::Operation)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditEvent::RecordType)
                            .string_len(64)
                            .not_null(),
                    )
                    // A page of records read at once can name many ids.
                    .col(ColumnDef::new(AuditEvent::RecordIds).text().not_null())
                    .col(
                        ColumnDef::new(AuditEvent::PreviousHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditEvent::Hash).string_len(64).not_null())
                    // Tenant first in every key, so a sharded PostgreSQL can distribute by council.
                    .primary_key(
                        Index::create()
                            .col(AuditEvent::TenantId)
                            .col(AuditEvent::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditEvent::Table, AuditEvent::TenantId)
                            .to(Council::Table, Council::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One event per place in a council's chain: of two writers racing to append the same
        // sequence, one fails. Also serves "latest event" and keyset pages on sequence.
        manager
            .create_index(
                Index::create()
                    .name("audit_event_tenant_sequence_key")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::TenantId)
                    .col(AuditEvent::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;

        rls::protect_council_table(manager, "audit_event").await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            // Append-only for the server: read and insert, never rewrite.
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "REVOKE UPDATE, DELETE ON \"audit_event\" FROM {APP_ROLE}"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table drops its index, policy and grants with it.
        manager
            .drop_table(
                Table::drop()
                    .table(AuditEvent::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum AuditEvent {
    Table,
    TenantId,
    Id,
    Sequence,
    OccurredAt,
    Subject,
    Issuer,
    Operation,
    RecordType,
    RecordIds,
    PreviousHash,
    Hash,
}

#[derive(DeriveIden, Clone)]
enum Council {
    Table,
    Id,
}
