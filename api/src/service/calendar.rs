//! A council's school calendar: its terms and closure days, managed by managers, one academic
//! year at a time.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use entity::{school_closure, school_term};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Store;
use super::case::deadline::refresh_all_deadlines;
use crate::domain::calendar::{SchoolCalendar, Term};
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantScope;

/// A named term, inclusive of both dates.
#[derive(Clone, Debug)]
pub struct NamedTerm {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// One academic year of a council's calendar.
#[derive(Clone, Debug)]
pub struct AcademicYearCalendar {
    pub academic_year: i32,
    pub terms: Vec<school_term::Model>,
    pub closures: Vec<school_closure::Model>,
}

fn year_bounds(academic_year: i32) -> AppResult<(NaiveDate, NaiveDate)> {
    // The range first: `academic_year + 1` overflowed (a panic) for i32::MAX.
    let bounds = (2000..=2100).contains(&academic_year).then(|| {
        (
            NaiveDate::from_ymd_opt(academic_year, 9, 1),
            NaiveDate::from_ymd_opt(academic_year + 1, 8, 31),
        )
    });
    match bounds {
        Some((Some(start), Some(end))) => Ok((start, end)),
        _ => Err(AppError::bad_input(
            "academicYear",
            "must be a year between 2000 and 2100",
        )),
    }
}

/// Replaces the terms and closure days of one academic year (1 September to 31 August).
///
/// Terms must lie inside the year and not overlap; closures must fall inside a term.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), academic_year))]
pub async fn replace_year(
    store: &Store,
    scope: TenantScope,
    academic_year: i32,
    terms: Vec<NamedTerm>,
    closures: Vec<(NaiveDate, String)>,
) -> AppResult<AcademicYearCalendar> {
    let (first_day, last_day) = year_bounds(academic_year)?;
    if terms.is_empty() {
        return Err(AppError::bad_input("terms", "list at least one term"));
    }
    for (index, term) in terms.iter().enumerate() {
        if term.starts_on < first_day || term.ends_on > last_day {
            return Err(AppError::bad_input(
                format!("terms[{index}]"),
                format!("must lie between {first_day} and {last_day}"),
            ));
        }
    }
    // The domain refuses inverted or overlapping terms.
    SchoolCalendar::from_terms(
        terms
            .iter()
            .map(|t| Term {
                start: t.starts_on,
                end: t.ends_on,
            })
            .collect(),
        closures
            .iter()
            .map(|(day, _)| *day)
            .collect::<BTreeSet<_>>(),
    )
    .map_err(|why| AppError::bad_input("terms", why))?;
    for (index, (day, _)) in closures.iter().enumerate() {
        if !terms
            .iter()
            .any(|t| t.starts_on <= *day && *day <= t.ends_on)
        {
            return Err(AppError::bad_input(
                format!("closures[{index}]"),
                "is not inside a term",
            ));
        }
    }

    let txn = store.council(scope).await?;
    txn.delete_many::<school_term::Entity>(school_term::Column::AcademicYear.eq(academic_year))
        .exec(txn.conn())
        .await?;
    txn.delete_many::<school_closure::Entity>(
        school_closure::Column::ClosedOn.between(first_day, last_day),
    )
    .exec(txn.conn())
    .await?;
    for term in terms {
        txn.insert(school_term::ActiveModel {
            // Stamped with the council's id by the scoped insert.
            tenant_id: NotSet,
            id: Set(Uuid::now_v7()),
            academic_year: Set(academic_year),
            name: Set(term.name),
            starts_on: Set(term.starts_on),
            ends_on: Set(term.ends_on),
        })
        .await?;
    }
    for (day, reason) in closures {
        txn.insert(school_closure::ActiveModel {
            tenant_id: NotSet,
            closed_on: Set(day),
            reason: Set(reason),
        })
        .await?;
    }
    // Every due date may move with the calendar.
    refresh_all_deadlines(&txn).await?;
    txn.commit().await?;
    year(store, scope, academic_year).await
}

/// One academic year of the council's calendar (empty when it has not been set).
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), academic_year))]
pub async fn year(
    store: &Store,
    scope: TenantScope,
    academic_year: i32,
) -> AppResult<AcademicYearCalendar> {
    let (first_day, last_day) = year_bounds(academic_year)?;
    let txn = store.council(scope).await?;
    let terms = txn
        .select::<school_term::Entity>()
        .filter(school_term::Column::AcademicYear.eq(academic_year))
        .order_by_asc(school_term::Column::StartsOn)
        .all(txn.conn())
        .await?;
    let closures = txn
        .select::<school_closure::Entity>()
        .filter(school_closure::Column::ClosedOn.between(first_day, last_day))
        .order_by_asc(school_closure::Column::ClosedOn)
        .all(txn.conn())
        .await?;
    txn.commit().await?;
    Ok(AcademicYearCalendar {
        academic_year,
        terms,
        closures,
    })
}
