use sea_orm_migration::prelude::*;

use crate::rls;

/// Shared figures: the partnership's metric catalogue and pupil populations (shared), and each
/// council's returns with their cells (council-private).
///
/// A return is one council's figures for one period, versioned as a whole: a new computation or
/// submission after approval is a new version, draft again. Releases (compiled from approved
/// returns only) come in the next migration.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let name = Alias::new;

        // Shared per partnership, versioned: an agreed version is immutable.
        manager
            .create_table(
                Table::create()
                    .table(name("metric_definition"))
                    .col(ColumnDef::new(name("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(name("partnership_id")).uuid().not_null())
                    .col(ColumnDef::new(name("code")).string_len(64).not_null())
                    .col(ColumnDef::new(name("version")).integer().not_null())
                    .col(ColumnDef::new(name("title")).string_len(200).not_null())
                    .col(ColumnDef::new(name("description")).text().not_null())
                    .col(ColumnDef::new(name("unit")).string_len(24).not_null())
                    .col(ColumnDef::new(name("scope")).text().not_null())
                    // Comma-separated breakdown names, e.g. `sex,year_group`.
                    .col(
                        ColumnDef::new(name("breakdowns"))
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(name("status")).string_len(16).not_null())
                    .col(ColumnDef::new(name("computable")).boolean().not_null())
                    // For rates and percentages: the codes of the count definitions they divide.
                    .col(ColumnDef::new(name("numerator_code")).string_len(64).null())
                    .col(
                        ColumnDef::new(name("denominator_code"))
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(name("created_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("agreed_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(name("retired_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("metric_definition"), name("partnership_id"))
                            .to(name("partnership"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("metric_definition_code_version")
                    .table(name("metric_definition"))
                    .col(name("partnership_id"))
                    .col(name("code"))
                    .col(name("version"))
                    .unique()
                    .to_owned(),
            )
            .await?;

        // Shared: a council's pupil population is public (DfE's school census), and the
        // coordinator may enter it; it is the denominator of rates per 10,000.
        manager
            .create_table(
                Table::create()
                    .table(name("pupil_population"))
                    .col(ColumnDef::new(name("council_id")).uuid().not_null())
                    // The academic year's first calendar year: 2023 is 2023/24.
                    .col(ColumnDef::new(name("academic_year")).integer().not_null())
                    .col(ColumnDef::new(name("pupils")).big_integer().not_null())
                    // Seeded by the demo: plausible, not real.
                    .col(ColumnDef::new(name("demo")).boolean().not_null())
                    .col(
                        ColumnDef::new(name("updated_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(name("council_id"))
                            .col(name("academic_year")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("pupil_population"), name("council_id"))
                            .to(name("council"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("council_return"))
                    .col(ColumnDef::new(name("tenant_id")).uuid().not_null())
                    .col(ColumnDef::new(name("id")).uuid().not_null())
                    // The canonical period code, e.g. `2023-24`, `2023-24-autumn`, `2024-03`,
                    // `fy2023-24` (docs/domain.md, "Periods").
                    .col(ColumnDef::new(name("period")).string_len(16).not_null())
                    .col(ColumnDef::new(name("period_start")).date().not_null())
                    .col(ColumnDef::new(name("period_end")).date().not_null())
                    .col(ColumnDef::new(name("version")).integer().not_null())
                    // `computed` from case data or `submitted` by the council.
                    .col(ColumnDef::new(name("source")).string_len(16).not_null())
                    // `draft`, `approved`, or `superseded` by a later version.
                    .col(ColumnDef::new(name("status")).string_len(16).not_null())
                    // A digest of the cells: the same submission twice is one version.
                    .col(
                        ColumnDef::new(name("content_hash"))
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("created_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("approved_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(Index::create().col(name("tenant_id")).col(name("id")))
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("council_return"), name("tenant_id"))
                            .to(name("council"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("council_return_period_version")
                    .table(name("council_return"))
                    .col(name("tenant_id"))
                    .col(name("period"))
                    .col(name("version"))
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("return_cell"))
                    .col(ColumnDef::new(name("tenant_id")).uuid().not_null())
                    .col(ColumnDef::new(name("return_id")).uuid().not_null())
                    .col(ColumnDef::new(name("definition_id")).uuid().not_null())
                    // `total` for the total row; otherwise a breakdown the definition allows.
                    .col(ColumnDef::new(name("breakdown")).string_len(32).not_null())
                    // `total` for the breakdown's total; otherwise the category.
                    .col(ColumnDef::new(name("category")).string_len(64).not_null())
                    // A count, percentage, rate, mean or median.
                    .col(ColumnDef::new(name("value")).double().not_null())
                    // For rates, percentages and medians: what the value was built on.
                    .col(ColumnDef::new(name("numerator")).big_integer().null())
                    .col(ColumnDef::new(name("base")).big_integer().null())
                    .primary_key(
                        Index::create()
                            .col(name("tenant_id"))
                            .col(name("return_id"))
                            .col(name("definition_id"))
                            .col(name("breakdown"))
                            .col(name("category")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("return_cell"), (name("tenant_id"), name("return_id")))
                            .to(name("council_return"), (name("tenant_id"), name("id"))),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("return_cell"), name("definition_id"))
                            .to(name("metric_definition"), name("id")),
                    )
                    .to_owned(),
            )
            .await?;

        for table in ["metric_definition", "pupil_population"] {
            rls::grant_shared_read(manager, table).await?;
        }
        for table in ["council_return", "return_cell"] {
            rls::protect_council_table(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "return_cell",
            "council_return",
            "pupil_population",
            "metric_definition",
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
