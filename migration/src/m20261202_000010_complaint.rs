use sea_orm_migration::prelude::*;

use crate::rls;

/// Ombudsman complaints, the remedies agreed on them with their status history, and the
/// council's improvement plan. Every table is council-private: tenant first in every key and
/// index, and references carry the tenant, so a remedy can never point at another council's
/// complaint or case.
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

fn timestamp(column: &str) -> ColumnDef {
    ColumnDef::new(name(column))
        .timestamp_with_time_zone()
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

const TABLES: [&str; 4] = ["complaint", "remedy", "remedy_event", "improvement_action"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                council_table("complaint")
                    .col(optional(text("lgsco_reference", 10)))
                    .col(optional(text("council_reference", 64)))
                    .col(text("category", 24))
                    .col(text("stage", 16))
                    .col(date("received_on"))
                    .col(text("outcome", 32))
                    .col(optional(date("decided_on")))
                    .col(text("publication", 24))
                    .col(optional(uuid("case_id")))
                    .col(optional(text("summary", 2000)))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .foreign_key(&mut belongs_to("complaint", "case_id", "case", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                council_table("remedy")
                    .col(uuid("complaint_id"))
                    .col(text("kind", 32))
                    .col(optional(
                        ColumnDef::new(name("amount_pence"))
                            .big_integer()
                            .to_owned(),
                    ))
                    .col(text("recipient", 24))
                    .col(optional(uuid("case_id")))
                    .col(date("agreed_on"))
                    .col(date("due_on"))
                    .col(optional(date("done_on")))
                    .col(optional(text("evidence", 2000)))
                    .col(optional(date("evidence_sent_on")))
                    .col(text("status", 16))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .foreign_key(&mut belongs_to("remedy", "complaint_id", "complaint", true))
                    .foreign_key(&mut belongs_to("remedy", "case_id", "case", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                council_table("remedy_event")
                    .col(uuid("remedy_id"))
                    .col(text("step", 16))
                    .col(date("occurred_on"))
                    .col(timestamp("recorded_at"))
                    .col(text("recorded_by", 255))
                    .foreign_key(&mut belongs_to("remedy_event", "remedy_id", "remedy", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                council_table("improvement_action")
                    .col(optional(uuid("complaint_id")))
                    .col(text("description", 1000))
                    .col(text("owner_role", 100))
                    .col(text("success_measure", 1000))
                    .col(date("due_on"))
                    .col(text("status", 16))
                    .col(optional(text("evidence", 2000)))
                    .col(optional(date("done_on")))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .foreign_key(&mut belongs_to(
                        "improvement_action",
                        "complaint_id",
                        "complaint",
                        true,
                    ))
                    .to_owned(),
            )
            .await?;

        for statement in [
            // Unique per council; NULLs (complaints without one) never clash on either store.
            index(
                "complaint_tenant_lgsco_reference_key",
                "complaint",
                &["tenant_id", "lgsco_reference"],
                true,
            ),
            index(
                "complaint_tenant_council_reference_key",
                "complaint",
                &["tenant_id", "council_reference"],
                true,
            ),
            // The period's figures count decisions by date.
            index(
                "complaint_tenant_decided_idx",
                "complaint",
                &["tenant_id", "decided_on"],
                false,
            ),
            index(
                "complaint_tenant_case_idx",
                "complaint",
                &["tenant_id", "case_id"],
                false,
            ),
            index(
                "remedy_tenant_complaint_idx",
                "remedy",
                &["tenant_id", "complaint_id"],
                false,
            ),
            // The committee's view pages by due date, and the figures count by it.
            index(
                "remedy_tenant_due_idx",
                "remedy",
                &["tenant_id", "due_on", "id"],
                false,
            ),
            index(
                "remedy_tenant_case_idx",
                "remedy",
                &["tenant_id", "case_id"],
                false,
            ),
            index(
                "remedy_event_tenant_remedy_idx",
                "remedy_event",
                &["tenant_id", "remedy_id", "occurred_on"],
                false,
            ),
            index(
                "improvement_action_tenant_complaint_idx",
                "improvement_action",
                &["tenant_id", "complaint_id"],
                false,
            ),
            index(
                "improvement_action_tenant_due_idx",
                "improvement_action",
                &["tenant_id", "due_on", "id"],
                false,
            ),
        ] {
            manager.create_index(statement).await?;
        }
        for table in TABLES {
            rls::protect_council_table(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(name(table)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
