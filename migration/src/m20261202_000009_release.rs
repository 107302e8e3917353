use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{COMPILER_ROLE, rls};

/// Releases (shared per partnership): compiled by the coordinator from members' approved returns,
/// with disclosure control applied, stored immutably with the settings used, their coverage and a
/// revision number; and each partnership's disclosure settings.
///
/// On PostgreSQL also the compile role `hub_compiler`: it reads approved returns (and their
/// cells) of the partnership's member councils, and nothing else (docs/domain.md, "Releases";
/// docs/architecture.md, "The compile role").
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let name = Alias::new;

        manager
            .create_table(
                Table::create()
                    .table(name("disclosure_setting"))
                    .col(
                        ColumnDef::new(name("partnership_id"))
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(name("threshold")).integer().not_null())
                    .col(ColumnDef::new(name("rounding_base")).integer().not_null())
                    .col(
                        ColumnDef::new(name("updated_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // The token subject of the coordinator who changed it; never a name.
                    .col(
                        ColumnDef::new(name("updated_by"))
                            .string_len(255)
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("disclosure_setting"), name("partnership_id"))
                            .to(name("partnership"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("release"))
                    .col(ColumnDef::new(name("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(name("partnership_id")).uuid().not_null())
                    // The canonical period code (docs/domain.md, "Periods").
                    .col(ColumnDef::new(name("period")).string_len(16).not_null())
                    .col(ColumnDef::new(name("revision")).integer().not_null())
                    // Why a correction was made: required from the second revision on.
                    .col(ColumnDef::new(name("reason")).text().null())
                    // The disclosure settings the release was protected with.
                    .col(ColumnDef::new(name("threshold")).integer().not_null())
                    .col(ColumnDef::new(name("rounding_base")).integer().not_null())
                    .col(
                        ColumnDef::new(name("compiled_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // The token subject of the coordinator who compiled it; never a name.
                    .col(
                        ColumnDef::new(name("compiled_by"))
                            .string_len(255)
                            .not_null(),
                    )
                    // The revision this one corrects.
                    .col(ColumnDef::new(name("supersedes")).uuid().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("release"), name("partnership_id"))
                            .to(name("partnership"), name("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("release"), name("supersedes"))
                            .to(name("release"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;
        for (index, columns) in [
            (
                "release_partnership_period_revision",
                &["partnership_id", "period", "revision"][..],
            ),
            (
                "release_partnership_compiled",
                &["partnership_id", "compiled_at", "id"][..],
            ),
        ] {
            let mut create = Index::create();
            create.name(index).table(name("release"));
            for column in columns {
                create.col(name(column));
            }
            if index == "release_partnership_period_revision" {
                create.unique();
            }
            manager.create_index(create.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(name("release_cell"))
                    .col(ColumnDef::new(name("partnership_id")).uuid().not_null())
                    .col(ColumnDef::new(name("release_id")).uuid().not_null())
                    // The cell's place in the release, in publication order.
                    .col(ColumnDef::new(name("position")).integer().not_null())
                    .col(ColumnDef::new(name("definition_id")).uuid().not_null())
                    // The like-for-like group: one metric definition version.
                    .col(ColumnDef::new(name("group_key")).string_len(80).not_null())
                    // NULL for the group's total.
                    .col(ColumnDef::new(name("council_id")).uuid().null())
                    .col(ColumnDef::new(name("breakdown")).string_len(32).not_null())
                    .col(ColumnDef::new(name("category")).string_len(64).not_null())
                    // Exactly one of a published value and a DfE symbol.
                    .col(ColumnDef::new(name("value")).double().null())
                    .col(ColumnDef::new(name("symbol")).string_len(8).null())
                    .check(Expr::cust("(value IS NULL) <> (symbol IS NULL)"))
                    .primary_key(
                        Index::create()
                            .col(name("partnership_id"))
                            .col(name("release_id"))
                            .col(name("position")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("release_cell"), name("release_id"))
                            .to(name("release"), name("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("release_cell"), name("definition_id"))
                            .to(name("metric_definition"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("release_coverage"))
                    .col(ColumnDef::new(name("partnership_id")).uuid().not_null())
                    .col(ColumnDef::new(name("release_id")).uuid().not_null())
                    .col(ColumnDef::new(name("position")).integer().not_null())
                    .col(ColumnDef::new(name("council_id")).uuid().not_null())
                    // NULL when the council had no approved return for the period at all.
                    .col(ColumnDef::new(name("definition_id")).uuid().null())
                    // `returned`, `not returned` or `not approved`.
                    .col(ColumnDef::new(name("status")).string_len(16).not_null())
                    // The approved return version the cells came from, so a later revision can
                    // be protected against this one (never exposed through the API).
                    .col(ColumnDef::new(name("return_id")).uuid().null())
                    .col(ColumnDef::new(name("return_version")).integer().null())
                    .primary_key(
                        Index::create()
                            .col(name("partnership_id"))
                            .col(name("release_id"))
                            .col(name("position")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("release_coverage"), name("release_id"))
                            .to(name("release"), name("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("release_coverage"), name("council_id"))
                            .to(name("council"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;

        for table in [
            "disclosure_setting",
            "release",
            "release_cell",
            "release_coverage",
        ] {
            rls::grant_shared_read(manager, table).await?;
        }

        if manager.get_database_backend() == DbBackend::Postgres {
            rls::ensure_compiler_role(manager).await?;
            rls::protect_for_compiler(manager).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            for table in ["return_cell", "council_return"] {
                db.execute_unprepared(&format!(
                    "DROP POLICY IF EXISTS compiler_approved ON \"{table}\""
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "REVOKE SELECT ON \"{table}\" FROM {COMPILER_ROLE}"
                ))
                .await?;
            }
            db.execute_unprepared(&format!("REVOKE SELECT ON membership FROM {COMPILER_ROLE}"))
                .await?;
        }
        for table in [
            "release_coverage",
            "release_cell",
            "release",
            "disclosure_setting",
        ] {
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
