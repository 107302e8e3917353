//! The partnership's metric catalogue and its councils' pupil populations: shared tables, read
//! and written with the owner connection, always filtered by the caller's partnership (the
//! application lock for shared data). See docs/domain.md, "Metric definitions".

// The exception `clippy.toml` allows for: both tables are shared per partnership, neither holds
// a tenant_id; every statement below is filtered by the partnership (or its member council).
#![expect(
    clippy::disallowed_methods,
    reason = "metric_definition and pupil_population are shared tables filtered by partnership, not council data"
)]

use chrono::Utc;
use entity::metric_definition::{self, DefinitionStatus};
use entity::{membership, pupil_population};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::directory;
use crate::domain::metric::{
    ProposedDefinition, STANDARD_CATALOGUE, format_breakdowns, hub_computes, unit_name,
};
use crate::error::{AppError, AppResult};

/// The partnership a council's figures belong to: its first (councils belong to one in practice).
#[tracing::instrument(skip_all, fields(council = %council_id))]
pub async fn partnership_of_council(db: &DatabaseConnection, council_id: Uuid) -> AppResult<Uuid> {
    membership::Entity::find()
        .filter(membership::Column::CouncilId.eq(council_id))
        .order_by_asc(membership::Column::PartnershipId)
        .one(db)
        .await?
        .map(|m| m.partnership_id)
        .ok_or(AppError::NotFound("partnership"))
}

/// Whether `council_id` is a member of `partnership_id`.
async fn is_member(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    council_id: Uuid,
) -> AppResult<bool> {
    Ok(membership::Entity::find()
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .filter(membership::Column::CouncilId.eq(council_id))
        .one(db)
        .await?
        .is_some())
}

/// Seeds the standard catalogue, agreed as version 1, into every partnership that lacks a code
/// of it. Idempotent: a code the partnership already has (in any version) is left alone.
#[tracing::instrument(skip_all)]
pub async fn seed_standard_catalogue(db: &DatabaseConnection) -> AppResult<u64> {
    let mut added = 0;
    for partnership in entity::partnership::Entity::find().all(db).await? {
        let existing: Vec<String> = metric_definition::Entity::find()
            .filter(metric_definition::Column::PartnershipId.eq(partnership.id))
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let now = Utc::now();
        let rows: Vec<metric_definition::ActiveModel> = STANDARD_CATALOGUE
            .iter()
            .filter(|d| !existing.iter().any(|code| code == d.code))
            .map(|d| metric_definition::ActiveModel {
                id: Set(Uuid::now_v7()),
                partnership_id: Set(partnership.id),
                code: Set(d.code.to_owned()),
                version: Set(1),
                title: Set(d.title.to_owned()),
                description: Set(d.description.to_owned()),
                unit: Set(d.unit),
                scope: Set(d.scope.to_owned()),
                breakdowns: Set(format_breakdowns(d.breakdowns)),
                status: Set(DefinitionStatus::Agreed),
                computable: Set(d.computable),
                numerator_code: Set(d.numerator_code.map(str::to_owned)),
                denominator_code: Set(d.denominator_code.map(str::to_owned)),
                created_at: Set(now),
                agreed_at: Set(Some(now)),
                retired_at: Set(None),
            })
            .collect();
        added += rows.len() as u64;
        if !rows.is_empty() {
            metric_definition::Entity::insert_many(rows)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(added)
}

/// How to narrow the catalogue.
#[derive(Clone, Debug, Default)]
pub struct DefinitionFilter {
    pub code: Option<String>,
    pub status: Option<DefinitionStatus>,
}

/// The partnership's definitions, by code and version.
#[tracing::instrument(skip_all, fields(partnership = %partnership_id))]
pub async fn list(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    filter: DefinitionFilter,
) -> AppResult<Vec<metric_definition::Model>> {
    let mut query = metric_definition::Entity::find()
        .filter(metric_definition::Column::PartnershipId.eq(partnership_id));
    if let Some(code) = filter.code {
        query = query.filter(metric_definition::Column::Code.eq(code));
    }
    if let Some(status) = filter.status {
        query = query.filter(metric_definition::Column::Status.eq(status));
    }
    Ok(query
        .order_by_asc(metric_definition::Column::Code)
        .order_by_asc(metric_definition::Column::Version)
        .all(db)
        .await?)
}

/// One of the partnership's definitions; another partnership's is NOT_FOUND.
async fn find(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    id: Uuid,
) -> AppResult<metric_definition::Model> {
    metric_definition::Entity::find()
        .filter(metric_definition::Column::PartnershipId.eq(partnership_id))
        .filter(metric_definition::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("metric definition"))
}

/// Proposes a definition: a new code at version 1, or the next version of a code, as a draft.
/// While a code has a draft open, that draft is edited ([`update_draft`]) or agreed first.
#[tracing::instrument(skip_all, fields(partnership = %partnership_id))]
pub async fn propose(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    proposed: ProposedDefinition,
) -> AppResult<metric_definition::Model> {
    let versions = list(
        db,
        partnership_id,
        DefinitionFilter {
            code: Some(proposed.code.clone()),
            status: None,
        },
    )
    .await?;
    if versions.iter().any(|v| v.status == DefinitionStatus::Draft) {
        return Err(AppError::conflict(
            "code",
            "this code already has a draft version: edit it or agree it first",
        ));
    }
    let version = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    let row = metric_definition::ActiveModel {
        id: Set(Uuid::now_v7()),
        partnership_id: Set(partnership_id),
        code: Set(proposed.code.clone()),
        version: Set(version),
        title: Set(proposed.title),
        description: Set(proposed.description),
        unit: Set(proposed.unit),
        scope: Set(proposed.scope),
        breakdowns: Set(format_breakdowns(&proposed.breakdowns)),
        status: Set(DefinitionStatus::Draft),
        computable: Set(hub_computes(&proposed.code)),
        numerator_code: Set(proposed.numerator_code),
        denominator_code: Set(proposed.denominator_code),
        created_at: Set(Utc::now()),
        agreed_at: Set(None),
        retired_at: Set(None),
    };
    let created = row.insert(db).await?;
    tracing::info!(definition = %created.id, version, unit = unit_name(created.unit), "definition proposed");
    Ok(created)
}

/// Edits a draft. An agreed or retired version is immutable: CONFLICT.
#[tracing::instrument(skip_all, fields(partnership = %partnership_id, definition = %id))]
pub async fn update_draft(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    id: Uuid,
    proposed: ProposedDefinition,
) -> AppResult<metric_definition::Model> {
    let current = find(db, partnership_id, id).await?;
    if current.status != DefinitionStatus::Draft {
        return Err(AppError::Conflict {
            field: None,
            message: "an agreed or retired definition version is immutable: propose a new version"
                .into(),
        });
    }
    if current.code != proposed.code {
        return Err(AppError::bad_input(
            "code",
            "a draft keeps its code: propose a new code separately",
        ));
    }
    let mut row: metric_definition::ActiveModel = current.into();
    row.title = Set(proposed.title);
    row.description = Set(proposed.description);
    row.unit = Set(proposed.unit);
    row.scope = Set(proposed.scope);
    row.breakdowns = Set(format_breakdowns(&proposed.breakdowns));
    row.numerator_code = Set(proposed.numerator_code);
    row.denominator_code = Set(proposed.denominator_code);
    Ok(row.update(db).await?)
}

/// Agrees a draft: from now on it is immutable and returns may use it. Agreeing anything but a
/// draft is a CONFLICT.
#[tracing::instrument(skip_all, fields(partnership = %partnership_id, definition = %id))]
pub async fn agree(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    id: Uuid,
) -> AppResult<metric_definition::Model> {
    let current = find(db, partnership_id, id).await?;
    if current.status != DefinitionStatus::Draft {
        return Err(AppError::Conflict {
            field: None,
            message: "only a draft can be agreed; an agreed version is immutable".into(),
        });
    }
    // A ratio divides figures the partnership has defined.
    for (field, code) in [
        ("numeratorCode", &current.numerator_code),
        ("denominatorCode", &current.denominator_code),
    ] {
        if let Some(code) = code
            && code != crate::domain::metric::PUPIL_POPULATION
            && list(
                db,
                partnership_id,
                DefinitionFilter {
                    code: Some(code.clone()),
                    status: Some(DefinitionStatus::Agreed),
                },
            )
            .await?
            .is_empty()
        {
            return Err(AppError::bad_input(
                field,
                format!("{code} has no agreed version in this partnership"),
            ));
        }
    }
    let mut row: metric_definition::ActiveModel = current.into();
    row.status = Set(DefinitionStatus::Agreed);
    row.agreed_at = Set(Some(Utc::now()));
    Ok(row.update(db).await?)
}

/// Retires a version: no new return may use it; releases that did still name it.
#[tracing::instrument(skip_all, fields(partnership = %partnership_id, definition = %id))]
pub async fn retire(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    id: Uuid,
) -> AppResult<metric_definition::Model> {
    let current = find(db, partnership_id, id).await?;
    if current.status == DefinitionStatus::Retired {
        return Err(AppError::Conflict {
            field: None,
            message: "this definition version is already retired".into(),
        });
    }
    let mut row: metric_definition::ActiveModel = current.into();
    row.status = Set(DefinitionStatus::Retired);
    row.retired_at = Set(Some(Utc::now()));
    Ok(row.update(db).await?)
}

/// The definitions with these ids, of any partnership: for naming the cells of a council's own
/// return (the ids come from the council's cells). Read inside the council's transaction too
/// (the app role may read the shared tables).
#[tracing::instrument(skip_all, fields(definitions = ids.len()))]
pub async fn by_ids(
    db: &impl sea_orm::ConnectionTrait,
    ids: Vec<Uuid>,
) -> AppResult<Vec<metric_definition::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(metric_definition::Entity::find()
        .filter(metric_definition::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// Who is setting a pupil population.
#[derive(Clone, Copy, Debug)]
pub enum PopulationSetter {
    /// A manager, for their own council only.
    Manager { council_id: Uuid },
    /// The coordinator, for member councils of their partnership.
    Coordinator { partnership_id: Uuid },
}

/// Sets a council's pupil population for an academic year (its first calendar year).
#[tracing::instrument(skip_all, fields(council = %council_id, academic_year))]
pub async fn set_population(
    db: &DatabaseConnection,
    setter: PopulationSetter,
    council_id: Uuid,
    academic_year: i32,
    pupils: i64,
    demo: bool,
) -> AppResult<pupil_population::Model> {
    let allowed = match setter {
        PopulationSetter::Manager { council_id: own } => own == council_id,
        PopulationSetter::Coordinator { partnership_id } => {
            is_member(db, partnership_id, council_id).await?
        }
    };
    if !allowed {
        // Another council (or one outside the partnership) is not the caller's to see.
        return Err(AppError::NotFound("council"));
    }
    directory::council_by_id(db, council_id).await?;
    let existing = pupil_population::Entity::find()
        .filter(pupil_population::Column::CouncilId.eq(council_id))
        .filter(pupil_population::Column::AcademicYear.eq(academic_year))
        .one(db)
        .await?;
    let now = Utc::now();
    Ok(match existing {
        Some(existing) => {
            let mut row: pupil_population::ActiveModel = existing.into();
            row.pupils = Set(pupils);
            row.demo = Set(demo);
            row.updated_at = Set(now);
            row.update(db).await?
        }
        None => {
            pupil_population::ActiveModel {
                council_id: Set(council_id),
                academic_year: Set(academic_year),
                pupils: Set(pupils),
                demo: Set(demo),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    })
}

/// The pupil populations of a partnership's member councils (one academic year, or all).
#[tracing::instrument(skip_all, fields(partnership = %partnership_id))]
pub async fn populations(
    db: &DatabaseConnection,
    partnership_id: Uuid,
    academic_year: Option<i32>,
) -> AppResult<Vec<pupil_population::Model>> {
    let members: Vec<Uuid> = membership::Entity::find()
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.council_id)
        .collect();
    let mut query =
        pupil_population::Entity::find().filter(pupil_population::Column::CouncilId.is_in(members));
    if let Some(year) = academic_year {
        query = query.filter(pupil_population::Column::AcademicYear.eq(year));
    }
    Ok(query
        .order_by_asc(pupil_population::Column::CouncilId)
        .order_by_asc(pupil_population::Column::AcademicYear)
        .all(db)
        .await?)
}

/// One council's pupil population in an academic year, if recorded.
#[tracing::instrument(skip_all, fields(council = %council_id, academic_year))]
pub async fn population_of(
    db: &DatabaseConnection,
    council_id: Uuid,
    academic_year: i32,
) -> AppResult<Option<pupil_population::Model>> {
    Ok(pupil_population::Entity::find()
        .filter(pupil_population::Column::CouncilId.eq(council_id))
        .filter(pupil_population::Column::AcademicYear.eq(academic_year))
        .one(db)
        .await?)
}
