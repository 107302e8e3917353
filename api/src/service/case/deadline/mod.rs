//! A case's deadlines: the due date and running count stored on each case so the worklist can
//! be queried in the store, keeping them fresh, and loading what every deadline is counted on
//! (the council's school calendar and deadline settings). How they are worked out is in
//! `stored` (what is stored, from the child's absence episodes) and `derive` (what a caseworker
//! sees), both pure and tested there.
//!
//! The rules themselves are in `domain::deadline` (docs/domain.md, "Deadlines"). The calendar
//! and settings services call down into this module after replacing what every due date depends
//! on; nothing here calls back up to them.

mod derive;
#[cfg(test)]
mod fixtures;
mod stored;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use entity::case;
use entity::{council_setting, provision, school_closure, school_term};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::domain::calendar::{SchoolCalendar, Term};
use crate::domain::clock;
use crate::domain::deadline::DeadlineSettings;
use crate::error::{AppError, AppResult};
use crate::service::Store;
use crate::tenancy::{CouncilTxn, TenantScope};

pub use derive::Deadlines;
pub(crate) use derive::{DeadlineBasis, derive, next_review_due};
pub(crate) use stored::{StoredDeadlines, episodes_by_child, episodes_for};

/// Recomputes and stores the deadlines of every case of these children (see
/// [`StoredDeadlines`]): called whenever something they depend on changes (a case opened or
/// closed, provision started, the calendar or the council's settings replaced).
pub(crate) async fn refresh_deadlines(txn: &CouncilTxn, child_ids: &[Uuid]) -> AppResult<()> {
    if child_ids.is_empty() {
        return Ok(());
    }
    let rules = CouncilRules::load(txn).await?;
    refresh_deadlines_on(txn, &rules, child_ids).await
}

/// As [`refresh_deadlines`], on rules the caller has already loaded in this transaction (a
/// batch load counts its new cases on them first: one load of the calendar, not two).
pub(crate) async fn refresh_deadlines_on(
    txn: &CouncilTxn,
    rules: &CouncilRules,
    child_ids: &[Uuid],
) -> AppResult<()> {
    if child_ids.is_empty() {
        return Ok(());
    }
    let CouncilRules { calendar, settings } = rules;
    let today = clock::today();
    let mut cases = Vec::new();
    for chunk in child_ids.chunks(1_000) {
        cases.extend(
            txn.select::<case::Entity>()
                .filter(case::Column::ChildId.is_in(chunk.iter().copied()))
                .all(txn.conn())
                .await?,
        );
    }
    let mut first_start: HashMap<Uuid, NaiveDate> = HashMap::new();
    let case_ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    for chunk in case_ids.chunks(1_000) {
        for provision in txn
            .select::<provision::Entity>()
            .filter(provision::Column::CaseId.is_in(chunk.iter().copied()))
            .all(txn.conn())
            .await?
        {
            let start = first_start
                .entry(provision.case_id)
                .or_insert(provision.start_date);
            *start = Ord::min(*start, provision.start_date);
        }
    }
    let episodes = episodes_by_child(&cases);
    for case in &cases {
        let started = first_start.get(&case.id).copied();
        let fresh = StoredDeadlines::compute(calendar, settings, case, &episodes, started, today);
        if StoredDeadlines::stored(case) != Some(fresh) {
            txn.update_many::<case::Entity>(case::Column::Id.eq(case.id))
                .col_expr(
                    case::Column::ProvisionDueBy,
                    Expr::value(fresh.provision_due_by),
                )
                .col_expr(
                    case::Column::ProvisionStartedOn,
                    Expr::value(fresh.provision_started_on),
                )
                .col_expr(case::Column::WaitDays, Expr::value(fresh.wait.days_then))
                .col_expr(case::Column::WaitAsOf, Expr::value(fresh.wait.as_of))
                .col_expr(
                    case::Column::WaitRunsUntil,
                    Expr::value(fresh.wait.runs_until),
                )
                .exec(txn.conn())
                .await?;
        }
    }
    Ok(())
}

/// Computes the stored deadlines of cases that have none yet (rows from before a migration
/// added a column), council by council. Run at start, before serving; one small query per
/// council when there is nothing to do. Returns how many councils needed it.
#[tracing::instrument(skip_all)]
pub async fn fill_missing_deadlines(store: &Store) -> AppResult<u64> {
    // Councils are shared reference data; their cases are reached only through each council's
    // own transaction (row-level security binds the owner too, so no query sees them all).
    let councils = crate::service::directory::council_ids(&store.db).await?;
    let mut filled = 0;
    for council in councils {
        let txn = store.council(TenantScope::for_council(council)).await?;
        let missing = txn
            .select::<case::Entity>()
            .filter(case::Column::WaitAsOf.is_null())
            .one(txn.conn())
            .await?;
        if missing.is_some() {
            refresh_all_deadlines(&txn).await?;
            filled += 1;
        }
        txn.commit().await?;
    }
    Ok(filled)
}

/// Recomputes every case of the council: after a change that moves every due date (the
/// calendar, the council's deadline settings).
pub(crate) async fn refresh_all_deadlines(txn: &CouncilTxn) -> AppResult<()> {
    let children: Vec<Uuid> = txn
        .select::<case::Entity>()
        .select_only()
        .column(case::Column::ChildId)
        .distinct()
        .into_tuple::<Uuid>()
        .all(txn.conn())
        .await?;
    refresh_deadlines(txn, &children).await
}

/// What every deadline of one council is counted on: its school calendar and its settings.
#[derive(Clone, Debug)]
pub(crate) struct CouncilRules {
    pub calendar: SchoolCalendar,
    pub settings: DeadlineSettings,
}

impl CouncilRules {
    /// The council's calendar and settings, as they stand in `txn`.
    pub(crate) async fn load(txn: &CouncilTxn) -> AppResult<Self> {
        Ok(Self {
            settings: load_settings(txn).await?,
            calendar: load_calendar(txn).await?,
        })
    }

    /// These rules, counted as of `today`.
    pub(crate) fn on(&self, today: NaiveDate) -> DeadlineBasis<'_> {
        DeadlineBasis {
            calendar: &self.calendar,
            settings: &self.settings,
            today,
        }
    }
}

/// The council's school calendar: its terms and closures, or the fallback when it has none.
#[tracing::instrument(skip_all, fields(council = %txn.tenant_id()))]
pub async fn load_calendar(txn: &CouncilTxn) -> AppResult<SchoolCalendar> {
    let terms = txn
        .select::<school_term::Entity>()
        .order_by_asc(school_term::Column::StartsOn)
        .all(txn.conn())
        .await?;
    if terms.is_empty() {
        return Ok(SchoolCalendar::fallback());
    }
    let closures: BTreeSet<NaiveDate> = txn
        .select::<school_closure::Entity>()
        .all(txn.conn())
        .await?
        .into_iter()
        .map(|c| c.closed_on)
        .collect();
    let terms = terms
        .into_iter()
        .map(|t| Term {
            start: t.starts_on,
            end: t.ends_on,
        })
        .collect();
    SchoolCalendar::from_terms(terms, closures)
        .map_err(|why| AppError::internal(anyhow::anyhow!(why)))
}

/// The council's deadline settings, or the defaults of docs/domain.md, "Deadlines", until a
/// manager changes them.
#[tracing::instrument(skip_all, fields(council = %txn.tenant_id()))]
pub async fn load_settings(txn: &CouncilTxn) -> AppResult<DeadlineSettings> {
    let Some(row) = txn
        .select::<council_setting::Entity>()
        .one(txn.conn())
        .await?
    else {
        return Ok(DeadlineSettings::default());
    };
    let days = |value: i32| u32::try_from(value).unwrap_or_default();
    Ok(DeadlineSettings {
        health_and_other_days: days(row.health_and_other_days),
        permanent_exclusion_days: days(row.permanent_exclusion_days),
        review_interval_school_days: days(row.review_interval_school_days),
        evidence_warning_days: i64::from(row.evidence_warning_days),
    })
}
