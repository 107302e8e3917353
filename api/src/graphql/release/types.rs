//! What a release looks like to a reader: published values are a number or a DfE symbol, never
//! a fake number; councils by name and code; the settings, coverage and revision history.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::release_coverage::CoverageStatus;
use entity::{metric_definition, release};
use tokio::sync::OnceCell;

use crate::domain::disclosure::{DisclosureRules, Published, Symbol};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::identity::Council;
use crate::service::release::{self as releases, Readership, ReleaseDetail};

/// The DfE symbols a published value may carry instead of a number.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DisclosureSymbol {
    /// `c`: suppressed to protect confidentiality.
    Suppressed,
    /// `x`: not available (not returned, not approved, or on another definition version).
    NotAvailable,
    /// `z`: not applicable.
    NotApplicable,
    /// `low`: rounds to zero, but is not zero.
    Low,
}

impl From<Symbol> for DisclosureSymbol {
    fn from(symbol: Symbol) -> Self {
        match symbol {
            Symbol::Suppressed => Self::Suppressed,
            Symbol::NotAvailable => Self::NotAvailable,
            Symbol::NotApplicable => Self::NotApplicable,
            Symbol::Low => Self::Low,
        }
    }
}

/// A symbol with its code and meaning, for a release's footnotes.
#[derive(SimpleObject, Clone, Debug)]
pub struct DisclosureSymbolInfo {
    pub symbol: DisclosureSymbol,
    /// As DfE writes it: `c`, `x`, `z`, `low`.
    pub code: String,
    pub meaning: String,
}

impl From<Symbol> for DisclosureSymbolInfo {
    fn from(symbol: Symbol) -> Self {
        Self {
            symbol: symbol.into(),
            code: symbol.code().to_owned(),
            meaning: symbol.meaning().to_owned(),
        }
    }
}

/// A published figure: exactly one of `value` and `symbol` is set; `display` is what to print.
#[derive(SimpleObject, Clone, Debug)]
pub struct PublishedValue {
    pub value: Option<f64>,
    pub symbol: Option<DisclosureSymbol>,
    /// The number, or the symbol's code.
    pub display: String,
}

impl From<&Published> for PublishedValue {
    fn from(published: &Published) -> Self {
        match published {
            Published::Count(n) => Self {
                value: Some(*n as f64),
                symbol: None,
                display: n.to_string(),
            },
            Published::Measure(v) => Self {
                value: Some(*v),
                symbol: None,
                display: format!("{v:.1}"),
            },
            Published::Symbol(s) => Self {
                value: None,
                symbol: Some((*s).into()),
                display: s.code().to_owned(),
            },
        }
    }
}

/// The disclosure settings a release was protected with (or the partnership's current ones).
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct DisclosureSettings {
    /// Counts from 1 to this are suppressed (`c`).
    pub threshold: i32,
    /// Visible counts are rounded to a multiple of this.
    pub rounding_base: i32,
}

impl From<DisclosureRules> for DisclosureSettings {
    fn from(rules: DisclosureRules) -> Self {
        Self {
            threshold: rules.threshold() as i32,
            rounding_base: rules.rounding_base() as i32,
        }
    }
}

/// The metric definition version a group of a release follows.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReleaseFigure {
    pub id: ID,
    pub code: String,
    pub version: i32,
    pub title: String,
    /// `count`, `percent`, `median`, `mean` or `rate_per_10000`.
    pub unit: String,
}

impl From<&metric_definition::Model> for ReleaseFigure {
    fn from(model: &metric_definition::Model) -> Self {
        use sea_orm::ActiveEnum;
        Self {
            id: ID(model.id.to_string()),
            code: model.code.clone(),
            version: model.version,
            title: model.title.clone(),
            unit: model.unit.to_value(),
        }
    }
}

/// One published cell: a council's figure, or (without a council) the group's total.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReleaseCell {
    pub figure: Option<ReleaseFigure>,
    /// The like-for-like group: one definition version, e.g. `health_needs_all/v1`. Totals only
    /// ever sum councils of the same group.
    pub group: String,
    /// The council; null for the group's total.
    pub council: Option<Council>,
    /// `total`, or a breakdown (`sex`, `year_group`...).
    pub breakdown: String,
    /// `total`, or the breakdown's category.
    pub category: String,
    pub value: PublishedValue,
}

/// Whether a council's figures are in a release.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReleaseCoverageStatus {
    /// Its approved return has this definition version.
    Returned,
    /// It approved a return for the period without this definition version (shown as `x`).
    NotReturned,
    /// It approved no return for the period (shown as `x` everywhere).
    NotApproved,
}

impl From<CoverageStatus> for ReleaseCoverageStatus {
    fn from(status: CoverageStatus) -> Self {
        match status {
            CoverageStatus::Returned => Self::Returned,
            CoverageStatus::NotReturned => Self::NotReturned,
            CoverageStatus::NotApproved => Self::NotApproved,
        }
    }
}

/// One line of a release's coverage.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReleaseCoverage {
    pub council: Option<Council>,
    /// The definition version; null when the council approved no return for the period.
    pub figure: Option<ReleaseFigure>,
    pub status: ReleaseCoverageStatus,
    /// The version of the council's approved return the figures came from.
    pub return_version: Option<i32>,
}

/// A revision of a release's period.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReleaseRevision {
    pub id: ID,
    pub revision: i32,
    pub reason: Option<String>,
    pub compiled_at: DateTime<Utc>,
}

impl From<&release::Model> for ReleaseRevision {
    fn from(model: &release::Model) -> Self {
        Self {
            id: ID(model.id.to_string()),
            revision: model.revision,
            reason: model.reason.clone(),
            compiled_at: model.compiled_at,
        }
    }
}

/// A partnership's published, disclosure-controlled figures for a period: one revision.
pub struct Release {
    model: release::Model,
    readers: Readership,
    detail: Arc<OnceCell<ReleaseDetail>>,
}

impl Release {
    pub(super) fn new(model: release::Model, readers: Readership) -> Self {
        Self {
            model,
            readers,
            detail: Arc::default(),
        }
    }

    pub(super) fn with_detail(detail: ReleaseDetail, readers: Readership) -> Self {
        Self {
            model: detail.release.clone(),
            readers,
            detail: Arc::new(OnceCell::new_with(Some(detail))),
        }
    }

    async fn detail(&self, ctx: &Context<'_>) -> Result<&ReleaseDetail, AppError> {
        self.detail
            .get_or_try_init(|| async {
                let store = context::store(ctx)?;
                releases::get(store, &self.readers, self.model.id, None).await
            })
            .await
    }
}

#[Object]
impl Release {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    /// The period code, e.g. `2023-24`, `2024-03`.
    async fn period(&self) -> &str {
        &self.model.period
    }

    /// 1 for the period's first release; each correction adds one.
    async fn revision(&self) -> i32 {
        self.model.revision
    }

    /// Why this revision was compiled (every correction gives one).
    async fn reason(&self) -> Option<&str> {
        self.model.reason.as_deref()
    }

    async fn compiled_at(&self) -> DateTime<Utc> {
        self.model.compiled_at
    }

    /// The compiling coordinator's token subject (an identity provider's id, never a name).
    async fn compiled_by(&self) -> &str {
        &self.model.compiled_by
    }

    /// The revision this one corrects.
    async fn supersedes(&self) -> Option<ID> {
        self.model.supersedes.map(|id| ID(id.to_string()))
    }

    /// The disclosure settings this release was protected with.
    async fn settings(&self) -> DisclosureSettings {
        DisclosureSettings {
            threshold: self.model.threshold,
            rounding_base: self.model.rounding_base,
        }
    }

    /// The published cells, in publication order; with `code`, one figure's (every version).
    async fn cells(
        &self,
        ctx: &Context<'_>,
        code: Option<String>,
    ) -> Result<Vec<ReleaseCell>, AppError> {
        let detail = self.detail(ctx).await?;
        Ok(detail
            .cells
            .iter()
            .filter_map(|cell| {
                let figure = detail.definitions.get(&cell.definition_id);
                if code
                    .as_deref()
                    .is_some_and(|code| figure.is_none_or(|f| f.code != code))
                {
                    return None;
                }
                Some(ReleaseCell {
                    figure: figure.map(ReleaseFigure::from),
                    group: cell.group_key.clone(),
                    council: cell
                        .council_id
                        .and_then(|id| detail.councils.get(&id))
                        .cloned()
                        .map(Council::from),
                    breakdown: cell.breakdown.clone(),
                    category: cell.category.clone(),
                    value: (&cell.value).into(),
                })
            })
            .collect())
    }

    /// Which councils and definition versions the release covers, and who it does not.
    async fn coverage(&self, ctx: &Context<'_>) -> Result<Vec<ReleaseCoverage>, AppError> {
        let detail = self.detail(ctx).await?;
        Ok(detail
            .coverage
            .iter()
            .map(|row| ReleaseCoverage {
                council: detail
                    .councils
                    .get(&row.council_id)
                    .cloned()
                    .map(Council::from),
                figure: row
                    .definition_id
                    .and_then(|id| detail.definitions.get(&id))
                    .map(ReleaseFigure::from),
                status: row.status.into(),
                return_version: row.return_version,
            })
            .collect())
    }

    /// Every revision of this release's period, oldest first (this one included).
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<ReleaseRevision>, AppError> {
        let detail = self.detail(ctx).await?;
        Ok(detail.history.iter().map(ReleaseRevision::from).collect())
    }
}
