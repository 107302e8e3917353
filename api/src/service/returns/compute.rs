//! Computing a council's figures from its case data, in the database (docs/domain.md,
//! "Returns"): never by loading cases into the server.
//!
//! Counts come from two GROUP BY statements, one over the council's cases joined to their
//! children and one over provision running at the period end: each groups by the six breakdown
//! attributes (sex, year group, SEN status, social care, reason, primary need) and sums a
//! `CASE WHEN` per figure. What comes back is a few hundred aggregate rows at most, which are
//! rolled up here into each figure's total and breakdown categories: every case falls in exactly
//! one category of each breakdown, so the categories add up to the total by construction.
//!
//! Medians do not roll up, so each median and breakdown is its own statement. On PostgreSQL the
//! store computes it (`percentile_disc(0.5)`, the lower median); SQLite has no percentile, so
//! there the statement projects the one number per case (and its category) in order, and the
//! lower median is taken here. Same result on both stores; see [`lower_median`].

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::case::{self, ClosureReason};
use entity::{child, medical_evidence, provision};
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, QueryTrait, Select, Statement,
};
use uuid::Uuid;

use crate::domain::metric::{Breakdown, TOTAL, codes};
use crate::domain::returns::lower_median;
use crate::error::AppResult;
use crate::service::complaint::complaint_figures;
use crate::tenancy::CouncilTxn;

/// The days a computation counts over.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
    /// The last day a due date may fall on to count as due: the period end, or today if that
    /// is earlier (provision due tomorrow is neither on time nor late yet).
    pub due_until: NaiveDate,
}

/// Counts of one group of cases sharing all six breakdown categories.
#[derive(Clone, Debug)]
pub struct Group {
    /// The category of each breakdown, in `Breakdown::ALL` order.
    pub categories: [String; 6],
    pub counts: HashMap<&'static str, i64>,
}

/// The counts the case statement computes, by code, in its column order.
const CASE_COUNTS: [&str; 8] = [
    codes::REFERRALS,
    codes::OPEN_CASES_AT_END,
    codes::CASES_BY_REASON,
    codes::PROVISION_DUE,
    codes::PROVISION_WITHIN_15_DAYS,
    codes::WITHOUT_PROVISION_15_DAYS_AT_END,
    codes::HEALTH_NEEDS_ALL,
    codes::HEALTH_NEEDS_MEDICALLY_VULNERABLE,
];

/// The counts the provision statement computes.
const PROVISION_COUNTS: [&str; 3] = [
    codes::PROVISION_RUNNING_AT_END,
    codes::PROVISION_FULL_TIME,
    codes::PROVISION_REDUCED,
];

#[derive(FromQueryResult)]
struct GroupRow {
    sex: String,
    year_group: Option<i32>,
    sen_status: String,
    social_care_status: String,
    reason: String,
    primary_need: Option<String>,
    c0: Option<i64>,
    c1: Option<i64>,
    c2: Option<i64>,
    c3: Option<i64>,
    c4: Option<i64>,
    c5: Option<i64>,
    c6: Option<i64>,
    c7: Option<i64>,
}

impl GroupRow {
    fn into_group(self, codes: &[&'static str]) -> Group {
        let values = [
            self.c0, self.c1, self.c2, self.c3, self.c4, self.c5, self.c6, self.c7,
        ];
        Group {
            categories: [
                self.sex,
                Breakdown::year_group_category(self.year_group).to_owned(),
                self.sen_status,
                self.social_care_status,
                self.reason,
                self.primary_need.unwrap_or_else(|| "none".to_owned()),
            ],
            counts: codes
                .iter()
                .zip(values)
                .map(|(code, value)| (*code, value.unwrap_or(0)))
                .collect(),
        }
    }
}

fn col(column: case::Column) -> Expr {
    Expr::col((case::Entity, column))
}

fn date(day: NaiveDate) -> Expr {
    Expr::val(day)
}

/// `SUM(CASE WHEN condition THEN 1 ELSE 0 END)`.
fn count_if(condition: Expr) -> Expr {
    let when: Expr = Expr::case(condition, 1i32).finally(0i32).into();
    Func::sum(when).into()
}

/// `COUNT(DISTINCT CASE WHEN condition THEN child_id END)`: children, each once.
fn children_if(condition: Expr) -> Expr {
    let when: Expr = Expr::case(condition, col(case::Column::ChildId)).into();
    Func::count_distinct(when).into()
}

/// `case JOIN child` on the same council: child rows of the case's own tenant only.
fn join_child<E: EntityTrait>(query: Select<E>) -> Select<E> {
    query.join(
        JoinType::InnerJoin,
        case::Entity::belongs_to(child::Entity)
            .from((case::Column::TenantId, case::Column::ChildId))
            .to((child::Column::TenantId, child::Column::Id))
            .into(),
    )
}

/// Selects and groups by the six breakdown attributes.
fn by_attributes<E: EntityTrait>(query: Select<E>) -> Select<E> {
    let attributes = [
        (Expr::col((child::Entity, child::Column::Sex)), "sex"),
        (
            Expr::col((child::Entity, child::Column::YearGroup)),
            "year_group",
        ),
        (
            Expr::col((child::Entity, child::Column::SenStatus)),
            "sen_status",
        ),
        (
            Expr::col((child::Entity, child::Column::SocialCareStatus)),
            "social_care_status",
        ),
        (col(case::Column::Reason), "reason"),
        (
            Expr::col((child::Entity, child::Column::PrimaryNeed)),
            "primary_need",
        ),
    ];
    let mut query = query;
    for (expr, alias) in attributes {
        query = query.column_as(expr.clone(), alias).group_by(expr);
    }
    query
}

/// The case statement: one row per combination of breakdown categories, a sum per figure.
/// `cases` and `evidence` are the council's own rows (`CouncilTxn::select`).
pub fn case_statement(
    cases: Select<case::Entity>,
    evidence: Select<medical_evidence::Entity>,
    window: Window,
) -> Select<case::Entity> {
    let Window {
        start,
        end,
        due_until,
    } = window;
    let referred_by_end = || col(case::Column::CouncilNotifiedOn).lte(date(end));
    let open_at_end = || {
        referred_by_end().and(
            col(case::Column::ClosedOn)
                .is_null()
                .or(col(case::Column::ClosedOn).gt(date(end))),
        )
    };
    let active = || {
        referred_by_end().and(
            col(case::Column::ClosedOn)
                .is_null()
                .or(col(case::Column::ClosedOn).gte(date(start))),
        )
    };
    let due = || {
        referred_by_end()
            .and(col(case::Column::ProvisionDueBy).between(date(start), date(due_until)))
    };
    let on_time = due().and(
        col(case::Column::ProvisionStartedOn)
            .is_not_null()
            .and(col(case::Column::ProvisionStartedOn).lte(col(case::Column::ProvisionDueBy)))
            .or(col(case::Column::ClosureReason)
                .eq(Expr::val(sea_orm::ActiveEnum::to_value(
                    &ClosureReason::ReturnedToSchool,
                )))
                .and(col(case::Column::ClosedOn).lte(col(case::Column::ProvisionDueBy)))),
    );
    let waiting = open_at_end()
        .and(col(case::Column::ProvisionDueBy).lte(date(end)))
        .and(
            col(case::Column::ProvisionStartedOn)
                .is_null()
                .or(col(case::Column::ProvisionStartedOn).gt(date(end))),
        );
    let health = || {
        active()
            .and(
                col(case::Column::Reason).eq(Expr::val(sea_orm::ActiveEnum::to_value(
                    &case::CaseReason::Health,
                ))),
            )
            .and(col(case::Column::ProvisionStartedOn).lte(date(end)))
    };
    // Clinical evidence valid at some time in the period, on the same case.
    let clinical = evidence
        .select_only()
        .expr(Expr::val(1i32))
        .filter(
            Expr::col((medical_evidence::Entity, medical_evidence::Column::CaseId))
                .equals((case::Entity, case::Column::Id)),
        )
        .filter(medical_evidence::Column::Source.is_in([
            medical_evidence::EvidenceSource::Consultant,
            medical_evidence::EvidenceSource::Hospital,
            medical_evidence::EvidenceSource::Camhs,
        ]))
        .filter(medical_evidence::Column::EvidenceDate.lte(end))
        .filter(
            medical_evidence::Column::ValidUntil
                .is_null()
                .or(medical_evidence::Column::ValidUntil.gte(start)),
        )
        .into_query();
    let figures = [
        count_if(col(case::Column::CouncilNotifiedOn).between(date(start), date(end))),
        count_if(open_at_end()),
        count_if(active()),
        count_if(due()),
        count_if(on_time),
        count_if(waiting),
        children_if(health()),
        children_if(health().and(Expr::exists(clinical))),
    ];
    let mut query = by_attributes(join_child(cases.select_only()));
    for (index, figure) in figures.into_iter().enumerate() {
        query = query.column_as(figure, format!("c{index}"));
    }
    query.filter(referred_by_end())
}

/// The provision statement: provision running at the period end, by breakdown categories.
pub fn provision_statement(
    provisions: Select<provision::Entity>,
    window: Window,
) -> Select<provision::Entity> {
    let end = window.end;
    let full_time = || Expr::col((provision::Entity, provision::Column::FullTime));
    let figures = [
        Func::count(Expr::col((provision::Entity, provision::Column::Id))).into(),
        count_if(full_time().eq(true)),
        count_if(full_time().eq(false)),
    ];
    let query = provisions.select_only().join(
        JoinType::InnerJoin,
        provision::Entity::belongs_to(case::Entity)
            .from((provision::Column::TenantId, provision::Column::CaseId))
            .to((case::Column::TenantId, case::Column::Id))
            .into(),
    );
    let mut query = by_attributes(join_child(query));
    for (index, figure) in figures.into_iter().enumerate() {
        query = query.column_as(figure, format!("c{index}"));
    }
    // The rows share one shape with the case statement's: the figures it lacks are zero.
    for index in PROVISION_COUNTS.len()..CASE_COUNTS.len() {
        query = query.column_as(Expr::val(0i64), format!("c{index}"));
    }
    query
        .filter(provision::Column::StartDate.lte(end))
        .filter(
            provision::Column::EndDate
                .is_null()
                .or(provision::Column::EndDate.gte(end)),
        )
        .filter(col(case::Column::CouncilNotifiedOn).lte(date(end)))
}

/// The groups of counts, from the two statements.
pub async fn count_groups(txn: &CouncilTxn, window: Window) -> AppResult<Vec<Group>> {
    let mut groups: Vec<Group> = case_statement(
        txn.select::<case::Entity>(),
        txn.select::<medical_evidence::Entity>(),
        window,
    )
    .into_model::<GroupRow>()
    .all(txn.conn())
    .await?
    .into_iter()
    .map(|row| row.into_group(&CASE_COUNTS))
    .collect();
    groups.extend(
        provision_statement(txn.select::<provision::Entity>(), window)
            .into_model::<GroupRow>()
            .all(txn.conn())
            .await?
            .into_iter()
            .map(|row| row.into_group(&PROVISION_COUNTS)),
    );
    Ok(groups)
}

/// A count's total and, for each breakdown asked for, every category (zeros included).
pub fn roll_up(
    groups: &[Group],
    code: &str,
    breakdowns: &[Breakdown],
) -> Vec<(String, String, i64)> {
    let total: i64 = groups.iter().filter_map(|g| g.counts.get(code)).sum();
    let mut cells = vec![(TOTAL.to_owned(), TOTAL.to_owned(), total)];
    for breakdown in breakdowns {
        let Some(position) = Breakdown::ALL.iter().position(|b| b == breakdown) else {
            continue;
        };
        for category in breakdown.categories() {
            let sum = groups
                .iter()
                .filter(|g| g.categories[position] == *category)
                .filter_map(|g| g.counts.get(code))
                .sum();
            cells.push((breakdown.as_str().to_owned(), (*category).to_owned(), sum));
        }
    }
    cells
}

/// The figures a median is taken over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MedianOf {
    /// School days without provision, for cases whose first provision started in the period.
    DaysToProvision,
    /// Hours per week of provision running at the period end.
    HoursPerWeek,
}

/// The column a breakdown's category is read from, for the breakdowns medians are split by
/// (text columns: a year group is a number, and is not among them).
fn category_column(breakdown: Breakdown) -> Option<Expr> {
    Some(match breakdown {
        Breakdown::Sex => Expr::col((child::Entity, child::Column::Sex)),
        Breakdown::SenStatus => Expr::col((child::Entity, child::Column::SenStatus)),
        Breakdown::SocialCare => Expr::col((child::Entity, child::Column::SocialCareStatus)),
        Breakdown::Reason => col(case::Column::Reason),
        Breakdown::PrimaryNeed => Expr::col((child::Entity, child::Column::PrimaryNeed)),
        Breakdown::YearGroup => return None,
    })
}

/// A case's school days without provision once provision has started: the stored count
/// carried to the day the count stops (`ProvisionWait::days_on` at `runs_until`).
const FINAL_WAIT: &str = "(CASE WHEN \"case\".\"wait_runs_until\" > \"case\".\"wait_as_of\" \
     THEN \"case\".\"wait_days\" + \"case\".\"wait_runs_until\" - \"case\".\"wait_as_of\" \
     ELSE \"case\".\"wait_days\" END)";

/// The statement behind one median, grouped by `breakdown` (`None`: the total). Selects
/// `category`, and on PostgreSQL `median` and `base`, on SQLite each `value` in order.
pub fn median_statement(
    backend: DbBackend,
    cases: Select<case::Entity>,
    provisions: Select<provision::Entity>,
    of: MedianOf,
    breakdown: Option<Breakdown>,
    window: Window,
) -> Option<Statement> {
    let category = match breakdown {
        None => Expr::val(TOTAL),
        Some(b) => category_column(b)?,
    };
    let value = match of {
        MedianOf::DaysToProvision => FINAL_WAIT.to_owned(),
        MedianOf::HoursPerWeek => "\"provision\".\"hours_per_week\"".to_owned(),
    };
    let mut query = match of {
        MedianOf::DaysToProvision => join_child(cases.select_only())
            .filter(
                col(case::Column::ProvisionStartedOn).between(date(window.start), date(window.end)),
            )
            .filter(col(case::Column::CouncilNotifiedOn).lte(date(window.end)))
            .filter(col(case::Column::WaitDays).is_not_null())
            .into_query(),
        MedianOf::HoursPerWeek => {
            let provisions = provisions.select_only().join(
                JoinType::InnerJoin,
                provision::Entity::belongs_to(case::Entity)
                    .from((provision::Column::TenantId, provision::Column::CaseId))
                    .to((case::Column::TenantId, case::Column::Id))
                    .into(),
            );
            join_child(provisions)
                .filter(provision::Column::StartDate.lte(window.end))
                .filter(
                    provision::Column::EndDate
                        .is_null()
                        .or(provision::Column::EndDate.gte(window.end)),
                )
                .filter(col(case::Column::CouncilNotifiedOn).lte(date(window.end)))
                .into_query()
        }
    };
    query.expr_as(category.clone(), "category");
    match backend {
        DbBackend::Postgres => {
            query
                .expr_as(
                    Expr::cust(format!(
                        "CAST(percentile_disc(0.5) WITHIN GROUP (ORDER BY {value}) AS DOUBLE PRECISION)"
                    )),
                    "median",
                )
                .expr_as(Expr::cust("COUNT(*)"), "base");
            if breakdown.is_some() {
                query.add_group_by([category]);
            }
        }
        _ => {
            query
                .expr_as(Expr::cust(format!("CAST({value} AS REAL)")), "value")
                .order_by_expr(category, sea_orm::Order::Asc)
                .order_by_expr(Expr::cust(value), sea_orm::Order::Asc);
        }
    }
    Some(backend.build(&query))
}

#[derive(FromQueryResult)]
struct MedianRow {
    category: Option<String>,
    median: Option<f64>,
    base: i64,
}

#[derive(FromQueryResult)]
struct ValueRow {
    category: Option<String>,
    value: Option<f64>,
}

/// One median cell per category with any figures: (category, median, how many it was over).
pub async fn medians(
    txn: &CouncilTxn,
    of: MedianOf,
    breakdown: Option<Breakdown>,
    window: Window,
) -> AppResult<Vec<(String, f64, i64)>> {
    let backend = txn.conn().get_database_backend();
    let Some(statement) = median_statement(
        backend,
        txn.select::<case::Entity>(),
        txn.select::<provision::Entity>(),
        of,
        breakdown,
        window,
    ) else {
        return Ok(Vec::new());
    };
    let none = || "none".to_owned();
    if backend == DbBackend::Postgres {
        let rows = MedianRow::find_by_statement(statement)
            .all(txn.conn())
            .await?;
        return Ok(rows
            .into_iter()
            .filter(|r| r.base > 0)
            .filter_map(|r| Some((r.category.unwrap_or_else(none), r.median?, r.base)))
            .collect());
    }
    let rows = ValueRow::find_by_statement(statement)
        .all(txn.conn())
        .await?;
    let mut by_category: Vec<(String, Vec<f64>)> = Vec::new();
    for row in rows {
        let Some(value) = row.value else { continue };
        let category = row.category.unwrap_or_else(none);
        match by_category.last_mut() {
            Some((last, values)) if *last == category => values.push(value),
            _ => by_category.push((category, vec![value])),
        }
    }
    Ok(by_category
        .into_iter()
        .filter_map(|(category, values)| {
            let median = lower_median(&values)?;
            Some((category, median, values.len() as i64))
        })
        .collect())
}

/// The complaint figures, by code, for the period: **the one place the complaint service is
/// wired in** (`service::complaint::figures::complaint_figures(txn, window.start, window.end)`,
/// issue 10), its fields mapped to `codes::COMPLAINTS_DECIDED` (decided), `COMPLAINTS_UPHELD`
/// (upheld), `REMEDIES_DUE` (remedies_due), `REMEDIES_COMPLETED_ON_TIME`
/// (remedies_completed_on_time), `REMEDIES_OVERDUE_AT_END` (remedies_overdue_at_end) and
/// `COMPLAINT_MONEY_PAID_PENCE` (money_paid_pence). The upheld rate is derived from the first
/// two by the caller. Aggregated in the database (two statements), never loaded row by row.
pub async fn complaint_counts(
    txn: &CouncilTxn,
    window: Window,
) -> AppResult<Vec<(&'static str, i64)>> {
    let figures = complaint_figures(txn, window.start, window.end).await?;
    Ok(vec![
        (codes::COMPLAINTS_DECIDED, figures.decided),
        (codes::COMPLAINTS_UPHELD, figures.upheld),
        (codes::REMEDIES_DUE, figures.remedies_due),
        (
            codes::REMEDIES_COMPLETED_ON_TIME,
            figures.remedies_completed_on_time,
        ),
        (
            codes::REMEDIES_OVERDUE_AT_END,
            figures.remedies_overdue_at_end,
        ),
        (codes::COMPLAINT_MONEY_PAID_PENCE, figures.money_paid_pence),
    ])
}

/// The SQL of the case and provision statements for one council, as the server sends it to
/// PostgreSQL, with its values inlined: for the benchmark, which runs the same aggregation in
/// `psql`. Never executed by the server.
#[expect(
    clippy::disallowed_methods,
    reason = "builds SQL text for the benchmark, filtered on the council exactly as CouncilTxn::select is; never executed here"
)]
pub fn aggregation_sql(council_id: Uuid, window: Window) -> Vec<String> {
    let cases = || case::Entity::find().filter(case::Column::TenantId.eq(council_id));
    let evidence =
        medical_evidence::Entity::find().filter(medical_evidence::Column::TenantId.eq(council_id));
    let provisions =
        || provision::Entity::find().filter(provision::Column::TenantId.eq(council_id));
    let builder = || sea_orm::sea_query::PostgresQueryBuilder;
    let mut sql = vec![
        case_statement(cases(), evidence, window)
            .into_query()
            .to_string(builder()),
        provision_statement(provisions(), window)
            .into_query()
            .to_string(builder()),
    ];
    for (of, breakdowns) in [
        (
            MedianOf::DaysToProvision,
            vec![None, Some(Breakdown::Reason), Some(Breakdown::SenStatus)],
        ),
        (
            MedianOf::HoursPerWeek,
            vec![None, Some(Breakdown::SenStatus)],
        ),
    ] {
        for breakdown in breakdowns {
            if let Some(statement) = median_statement(
                DbBackend::Postgres,
                cases(),
                provisions(),
                of,
                breakdown,
                window,
            ) {
                sql.push(statement.to_string());
            }
        }
    }
    sql
}
