use sea_orm_migration::prelude::*;

use crate::rls;

/// Case work: cases, their timeline, provision, medical evidence, and council school calendars.
/// Every table is council-private: tenant first in every key, and references to another table
/// carry the tenant too, so a case can never point at another council's child.
#[derive(DeriveMigrationName)]
pub struct Migration;

fn name(identifier: &str) -> Alias {
    Alias::new(identifier)
}

fn uuid(column: &str) -> ColumnDef {
    ColumnDef::new(name(column)).uuid().not_null().to_owned()
}

fn date(column: &str) -> ColumnDef {
    ColumnDef::new(name(column)).date().not_null().to_owned()
}

fn text(column: &str, length: u32) -> ColumnDef {
    ColumnDef::new(name(column))
        .string_len(length)
        .not_null()
        .to_owned()
}

fn optional(mut column: ColumnDef) -> ColumnDef {
    column.null();
    column
}

/// A council table keyed (tenant_id, id).
fn council_table(table: &str) -> TableCreateStatement {
    Table::create()
        .table(name(table))
        .col(uuid("tenant_id"))
        .col(uuid("id"))
        .primary_key(Index::create().col(name("tenant_id")).col(name("id")))
        .foreign_key(
            ForeignKey::create()
                .from(name(table), name("tenant_id"))
                .to(name("council"), name("id")),
        )
        .to_owned()
}

/// A reference carrying the tenant: (tenant_id, column) → parent (tenant_id, id).
fn belongs_to(table: &str, column: &str, parent: &str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut key = ForeignKey::create()
        .from(name(table), (name("tenant_id"), name(column)))
        .to(name(parent), (name("tenant_id"), name("id")))
        .to_owned();
    if cascade {
        key.on_delete(ForeignKeyAction::Cascade);
    }
    key
}

fn index(index_name: &str, table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(index_name).table(name(table));
    for column in columns {
        index.col(name(column));
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                council_table("case")
                    .col(uuid("child_id"))
                    .col(optional(text("council_reference", 64)))
                    .col(text("reason", 32))
                    .col(date("absence_start"))
                    .col(date("council_notified_on"))
                    .col(text("duty_decision", 16))
                    .col(optional(text("duty_decision_reason", 500)))
                    .col(optional(date("duty_decided_on")))
                    .col(text("status", 8))
                    .col(optional(text("closure_reason", 32)))
                    .col(optional(date("closed_on")))
                    .col(
                        ColumnDef::new(name("created_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("updated_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut belongs_to("case", "child_id", "child", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                council_table("case_event")
                    .col(uuid("case_id"))
                    .col(text("kind", 24))
                    .col(date("occurred_on"))
                    .col(
                        ColumnDef::new(name("recorded_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(text("recorded_by", 255))
                    .col(optional(uuid("provision_id")))
                    .foreign_key(&mut belongs_to("case_event", "case_id", "case", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                council_table("provision")
                    .col(uuid("case_id"))
                    .col(text("kind", 24))
                    .col(text("provider", 200))
                    .col(ColumnDef::new(name("hours_per_week")).double().not_null())
                    .col(ColumnDef::new(name("full_time")).boolean().not_null())
                    .col(optional(text("reduced_reason", 500)))
                    .col(date("start_date"))
                    .col(optional(date("end_date")))
                    .foreign_key(&mut belongs_to("provision", "case_id", "case", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                council_table("medical_evidence")
                    .col(uuid("case_id"))
                    .col(text("source", 24))
                    .col(text("category", 100))
                    .col(date("evidence_date"))
                    .col(optional(date("valid_until")))
                    .foreign_key(&mut belongs_to("medical_evidence", "case_id", "case", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                council_table("school_term")
                    .col(ColumnDef::new(name("academic_year")).integer().not_null())
                    .col(text("name", 64))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("school_closure"))
                    .col(uuid("tenant_id"))
                    .col(date("closed_on"))
                    .col(text("reason", 200))
                    .primary_key(
                        Index::create()
                            .col(name("tenant_id"))
                            .col(name("closed_on")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("school_closure"), name("tenant_id"))
                            .to(name("council"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;

        for statement in [
            index(
                "case_tenant_reference_key",
                "case",
                &["tenant_id", "council_reference"],
                true,
            ),
            index(
                "case_tenant_status_start_idx",
                "case",
                &["tenant_id", "status", "absence_start"],
                false,
            ),
            index(
                "case_tenant_child_idx",
                "case",
                &["tenant_id", "child_id"],
                false,
            ),
            index(
                "case_event_tenant_case_idx",
                "case_event",
                &["tenant_id", "case_id", "occurred_on"],
                false,
            ),
            index(
                "provision_tenant_case_idx",
                "provision",
                &["tenant_id", "case_id", "start_date"],
                false,
            ),
            index(
                "medical_evidence_tenant_case_idx",
                "medical_evidence",
                &["tenant_id", "case_id", "evidence_date"],
                false,
            ),
            index(
                "school_term_tenant_year_idx",
                "school_term",
                &["tenant_id", "academic_year", "starts_on"],
                false,
            ),
        ] {
            manager.create_index(statement).await?;
        }
        for table in [
            "case",
            "case_event",
            "provision",
            "medical_evidence",
            "school_term",
            "school_closure",
        ] {
            rls::protect_council_table(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "school_closure",
            "school_term",
            "medical_evidence",
            "provision",
            "case_event",
            "case",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
