//! The partnership's metric catalogue and pupil populations (shared per partnership): readable by
//! every role of the partnership and of its member councils; the coordinator proposes, agrees
//! and retires definitions; a manager (own council) or the coordinator (member councils) sets a
//! pupil population. docs/domain.md, "Metric definitions".

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{metric_definition, pupil_population};
use uuid::Uuid;

use super::context;
use crate::auth::{Affiliation, Principal, Role};
use crate::domain::child as text;
use crate::domain::metric::{self as rules, ProposedDefinition, parse_breakdowns};
use crate::error::{AppError, AppResult};
use crate::service::metric::{self as catalogue, DefinitionFilter, PopulationSetter};
use crate::service::{Store, directory};

/// What a figure measures in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::metric_definition::MetricUnit")]
pub enum MetricUnit {
    Count,
    Percent,
    Median,
    Mean,
    #[graphql(name = "RATE_PER_10000")]
    RatePer10000,
}

/// Where a definition version is in its life.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::metric_definition::DefinitionStatus")]
pub enum DefinitionStatus {
    /// Proposed; returns may not use it yet.
    Draft,
    /// Agreed by the partnership: immutable, usable in returns.
    Agreed,
    /// No longer used for new returns.
    Retired,
}

/// One version of a figure the partnership shares.
#[derive(SimpleObject)]
pub struct MetricDefinition {
    id: ID,
    /// Stable code, e.g. `referrals`, `health_needs_all`.
    code: String,
    version: i32,
    title: String,
    description: String,
    unit: MetricUnit,
    /// Who is in scope, in the partnership's agreed words.
    scope: String,
    /// The breakdowns figures may be split by (`sex`, `year_group`, `sen_status`,
    /// `social_care`, `reason`, `primary_need`).
    breakdowns: Vec<String>,
    status: DefinitionStatus,
    /// Whether the hub computes it from case data (else councils submit it).
    computable: bool,
    /// For percentages and rates: the code of the count on top.
    numerator_code: Option<String>,
    /// For percentages and rates: the code below (`pupil_population` for rates per 10,000).
    denominator_code: Option<String>,
    created_at: DateTime<Utc>,
    agreed_at: Option<DateTime<Utc>>,
    retired_at: Option<DateTime<Utc>>,
}

impl From<metric_definition::Model> for MetricDefinition {
    fn from(m: metric_definition::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            breakdowns: parse_breakdowns(&m.breakdowns)
                .unwrap_or_default()
                .into_iter()
                .map(|b| b.as_str().to_owned())
                .collect(),
            code: m.code,
            version: m.version,
            title: m.title,
            description: m.description,
            unit: m.unit.into(),
            scope: m.scope,
            status: m.status.into(),
            computable: m.computable,
            numerator_code: m.numerator_code,
            denominator_code: m.denominator_code,
            created_at: m.created_at,
            agreed_at: m.agreed_at,
            retired_at: m.retired_at,
        }
    }
}

/// A council's pupil population in an academic year.
#[derive(SimpleObject)]
pub struct PupilPopulation {
    council_id: ID,
    /// The academic year's first calendar year: 2025 is 2025/26.
    academic_year: i32,
    pupils: i64,
    /// Seeded by the demo: plausible figures, not real ones.
    demo: bool,
    updated_at: DateTime<Utc>,
}

impl From<pupil_population::Model> for PupilPopulation {
    fn from(m: pupil_population::Model) -> Self {
        Self {
            council_id: ID(m.council_id.to_string()),
            academic_year: m.academic_year,
            pupils: m.pupils,
            demo: m.demo,
            updated_at: m.updated_at,
        }
    }
}

/// A definition version as a coordinator proposes it.
#[derive(InputObject)]
pub struct MetricDefinitionInput {
    code: String,
    title: String,
    description: String,
    unit: MetricUnit,
    scope: String,
    #[graphql(default)]
    breakdowns: Vec<String>,
    numerator_code: Option<String>,
    denominator_code: Option<String>,
}

fn refused((field, message): (String, String)) -> AppError {
    AppError::bad_input(field, message)
}

impl MetricDefinitionInput {
    fn parse(self) -> AppResult<ProposedDefinition> {
        let code = rules::parse_code("code", &self.code).map_err(refused)?;
        let breakdowns = parse_breakdowns(&self.breakdowns.join(","))
            .map_err(|why| AppError::bad_input("breakdowns", why))?;
        let optional_code = |field: &str, code: Option<String>| -> AppResult<Option<String>> {
            code.map(|c| rules::parse_code(field, &c).map_err(refused))
                .transpose()
        };
        let proposed = ProposedDefinition {
            code,
            title: text::parse_text("title", &self.title, 200)?,
            description: text::parse_text("description", &self.description, 2000)?,
            unit: self.unit.into(),
            scope: text::parse_text("scope", &self.scope, 2000)?,
            breakdowns,
            numerator_code: optional_code("numeratorCode", self.numerator_code)?,
            denominator_code: optional_code("denominatorCode", self.denominator_code)?,
        };
        proposed.check_ratio().map_err(refused)?;
        Ok(proposed)
    }
}

/// The partnership whose shared figures the caller may read: a partnership principal's own, or
/// a council principal's council's.
async fn readable_partnership(principal: &Principal, store: &Store) -> AppResult<Uuid> {
    match &principal.affiliation {
        Affiliation::Partnership { partnership_id, .. } => Ok(*partnership_id),
        Affiliation::Council { council_id, .. } => {
            catalogue::partnership_of_council(&store.db, *council_id).await
        }
    }
}

/// The coordinator's partnership; FORBIDDEN for anyone else.
fn coordinated_partnership(principal: &Principal) -> AppResult<Uuid> {
    Ok(principal
        .partnership_scope(&[Role::PartnershipCoordinator])?
        .partnership_id())
}

/// The catalogue and pupil populations.
#[derive(Default)]
pub struct MetricQuery;

#[Object]
impl MetricQuery {
    /// The partnership's metric definitions, by code and version: every role of the partnership
    /// and of its member councils.
    async fn metric_definitions(
        &self,
        ctx: &Context<'_>,
        code: Option<String>,
        status: Option<DefinitionStatus>,
    ) -> Result<Vec<MetricDefinition>, AppError> {
        // A code that cannot exist is refused by name (a NUL reached PostgreSQL once: the fuzz
        // test found it).
        let code = code
            .map(|code| rules::parse_code("code", &code).map_err(refused))
            .transpose()?;
        let principal = context::principal(ctx)?;
        let store = context::store(ctx)?;
        let partnership_id = readable_partnership(principal, store).await?;
        let filter = DefinitionFilter {
            code,
            status: status.map(Into::into),
        };
        let definitions = catalogue::list(&store.db, partnership_id, filter).await?;
        Ok(definitions.into_iter().map(Into::into).collect())
    }

    /// The pupil populations of the partnership's councils (one academic year, or all).
    async fn pupil_populations(
        &self,
        ctx: &Context<'_>,
        academic_year: Option<i32>,
    ) -> Result<Vec<PupilPopulation>, AppError> {
        let principal = context::principal(ctx)?;
        let store = context::store(ctx)?;
        let partnership_id = readable_partnership(principal, store).await?;
        let rows = catalogue::populations(&store.db, partnership_id, academic_year).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

/// Changing the catalogue (the coordinator) and pupil populations.
#[derive(Default)]
pub struct MetricMutation;

#[Object]
impl MetricMutation {
    /// Proposes a definition: a new code at version 1, or the next version of a code, as a
    /// draft. CONFLICT while the code has a draft open.
    async fn propose_metric_definition(
        &self,
        ctx: &Context<'_>,
        input: MetricDefinitionInput,
    ) -> Result<MetricDefinition, AppError> {
        let partnership_id = coordinated_partnership(context::principal(ctx)?)?;
        let proposed = input.parse()?;
        let store = context::store(ctx)?;
        Ok(catalogue::propose(&store.db, partnership_id, proposed)
            .await?
            .into())
    }

    /// Edits a draft. An agreed or retired version is immutable: CONFLICT.
    async fn update_metric_definition(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: MetricDefinitionInput,
    ) -> Result<MetricDefinition, AppError> {
        let partnership_id = coordinated_partnership(context::principal(ctx)?)?;
        let id = context::parse_id("id", &id)?;
        let proposed = input.parse()?;
        let store = context::store(ctx)?;
        Ok(
            catalogue::update_draft(&store.db, partnership_id, id, proposed)
                .await?
                .into(),
        )
    }

    /// Agrees a draft. Agreeing an agreed (or retired) version is a CONFLICT.
    async fn agree_metric_definition(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<MetricDefinition, AppError> {
        let partnership_id = coordinated_partnership(context::principal(ctx)?)?;
        let id = context::parse_id("id", &id)?;
        let store = context::store(ctx)?;
        Ok(catalogue::agree(&store.db, partnership_id, id)
            .await?
            .into())
    }

    /// Retires a version: no new return may use it.
    async fn retire_metric_definition(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<MetricDefinition, AppError> {
        let partnership_id = coordinated_partnership(context::principal(ctx)?)?;
        let id = context::parse_id("id", &id)?;
        let store = context::store(ctx)?;
        Ok(catalogue::retire(&store.db, partnership_id, id)
            .await?
            .into())
    }

    /// Sets a council's pupil population for an academic year (its first calendar year): a
    /// manager for their own council, or the coordinator for a member council.
    async fn set_pupil_population(
        &self,
        ctx: &Context<'_>,
        la_code: String,
        academic_year: i32,
        pupils: i64,
    ) -> Result<PupilPopulation, AppError> {
        let principal = context::principal(ctx)?;
        let setter = match &principal.affiliation {
            Affiliation::Council { council_id, .. } if principal.has_any(&[Role::Manager]) => {
                PopulationSetter::Manager {
                    council_id: *council_id,
                }
            }
            Affiliation::Partnership { .. } => PopulationSetter::Coordinator {
                partnership_id: coordinated_partnership(principal)?,
            },
            Affiliation::Council { .. } => {
                return Err(AppError::Forbidden("needs the role: manager".into()));
            }
        };
        if !(crate::domain::period::FIRST_YEAR..=crate::domain::period::LAST_YEAR)
            .contains(&academic_year)
        {
            return Err(AppError::bad_input(
                "academicYear",
                format!(
                    "must be a year between {} and {}",
                    crate::domain::period::FIRST_YEAR,
                    crate::domain::period::LAST_YEAR
                ),
            ));
        }
        if !(1..=10_000_000).contains(&pupils) {
            return Err(AppError::bad_input(
                "pupils",
                "must be between 1 and 10,000,000",
            ));
        }
        let store = context::store(ctx)?;
        let council = directory::council_by_la_code(&store.db, la_code.trim())
            .await?
            .ok_or(AppError::NotFound("council"))?;
        let set =
            catalogue::set_population(&store.db, setter, council.id, academic_year, pupils, false)
                .await?;
        Ok(set.into())
    }
}
