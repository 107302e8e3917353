//! A council's school calendar and deadline settings: anyone in the council's case work reads
//! them, managers set them. The deadlines of every case are counted on them (`docs/domain.md`,
//! "School days" and "Deadlines").

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::NaiveDate;

use super::context;
use crate::auth::{CASEWORK, Role};
use crate::domain::child as rules;
use crate::domain::deadline::DeadlineSettings;
use crate::error::AppError;
use crate::service::calendar as calendars;
use crate::service::settings;

/// A term of a council's school calendar.
#[derive(SimpleObject)]
pub struct SchoolTerm {
    name: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

/// A day inside a term when schools are closed.
#[derive(SimpleObject)]
pub struct SchoolClosure {
    closed_on: NaiveDate,
    reason: String,
}

/// One academic year of the council's school calendar.
#[derive(SimpleObject)]
pub struct SchoolCalendarYear {
    /// The year it starts in: 2024 for 2024/25.
    academic_year: i32,
    terms: Vec<SchoolTerm>,
    closures: Vec<SchoolClosure>,
    /// False when no terms are recorded: school days are then weekdays minus bank holidays.
    is_set: bool,
}

impl From<calendars::AcademicYearCalendar> for SchoolCalendarYear {
    fn from(year: calendars::AcademicYearCalendar) -> Self {
        Self {
            academic_year: year.academic_year,
            is_set: !year.terms.is_empty(),
            terms: year
                .terms
                .into_iter()
                .map(|t| SchoolTerm {
                    name: t.name,
                    starts_on: t.starts_on,
                    ends_on: t.ends_on,
                })
                .collect(),
            closures: year
                .closures
                .into_iter()
                .map(|c| SchoolClosure {
                    closed_on: c.closed_on,
                    reason: c.reason,
                })
                .collect(),
        }
    }
}

#[derive(InputObject)]
pub struct SchoolTermInput {
    name: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

impl SchoolTermInput {
    /// The term at `index` of the list sent: its name 1 to 64 characters. Whether the terms fit
    /// the year and each other is the service's check, made on the whole list.
    fn parse(self, index: usize) -> Result<calendars::NamedTerm, AppError> {
        Ok(calendars::NamedTerm {
            name: rules::parse_text(&format!("terms[{index}].name"), &self.name, 64)?,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        })
    }
}

#[derive(InputObject)]
pub struct SchoolClosureInput {
    closed_on: NaiveDate,
    reason: String,
}

impl SchoolClosureInput {
    /// The closure at `index` of the list sent, as the day and its reason (1 to 200 characters).
    fn parse(self, index: usize) -> Result<(NaiveDate, String), AppError> {
        Ok((
            self.closed_on,
            rules::parse_text(&format!("closures[{index}].reason"), &self.reason, 200)?,
        ))
    }
}

/// A council's deadline settings.
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "DeadlineSettingsInput")]
pub struct DeadlineSettingsObject {
    /// Provision is due on this school day of absence for health and other reasons (default 15).
    health_and_other_days: u32,
    /// Provision is due on this school day of a permanent exclusion (default 6).
    permanent_exclusion_days: u32,
    /// School days between reviews (default 30).
    review_interval_school_days: u32,
    /// Evidence expiring within this many days is flagged (default 28).
    evidence_warning_days: i32,
}

impl DeadlineSettingsObject {
    /// The settings as sent. Every field is already a number of the right kind; their ranges are
    /// `DeadlineSettings::validate`'s, which `settings::set` applies before it writes.
    fn parse(self) -> DeadlineSettings {
        DeadlineSettings {
            health_and_other_days: self.health_and_other_days,
            permanent_exclusion_days: self.permanent_exclusion_days,
            review_interval_school_days: self.review_interval_school_days,
            evidence_warning_days: i64::from(self.evidence_warning_days),
        }
    }
}

impl From<DeadlineSettings> for DeadlineSettingsObject {
    fn from(s: DeadlineSettings) -> Self {
        Self {
            health_and_other_days: s.health_and_other_days,
            permanent_exclusion_days: s.permanent_exclusion_days,
            review_interval_school_days: s.review_interval_school_days,
            evidence_warning_days: i32::try_from(s.evidence_warning_days).unwrap_or(i32::MAX),
        }
    }
}

/// The council's school calendar and deadline settings: anyone in the council's case work may
/// read them; managers set them.
#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// The council's deadline settings (docs/domain.md's defaults until a manager changes them).
    async fn deadline_settings(
        &self,
        ctx: &Context<'_>,
    ) -> Result<DeadlineSettingsObject, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        Ok(settings::get(context::store(ctx)?, scope).await?.into())
    }

    /// One academic year of the council's calendar.
    async fn school_calendar(
        &self,
        ctx: &Context<'_>,
        academic_year: i32,
    ) -> Result<SchoolCalendarYear, AppError> {
        let scope = context::principal(ctx)?.council_scope(CASEWORK)?;
        Ok(calendars::year(context::store(ctx)?, scope, academic_year)
            .await?
            .into())
    }
}

/// Changing the council's school calendar and deadline settings: managers only.
#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Replaces the council's deadline settings and moves every case's due date to match.
    /// Managers only.
    async fn set_deadline_settings(
        &self,
        ctx: &Context<'_>,
        input: DeadlineSettingsObject,
    ) -> Result<DeadlineSettingsObject, AppError> {
        let scope = context::principal(ctx)?.council_scope(&[Role::Manager])?;
        let wanted = input.parse();
        Ok(settings::set(context::store(ctx)?, scope, wanted)
            .await?
            .into())
    }

    /// Replaces one academic year's terms and closure days. Managers only.
    async fn set_school_calendar(
        &self,
        ctx: &Context<'_>,
        academic_year: i32,
        terms: Vec<SchoolTermInput>,
        #[graphql(default)] closures: Vec<SchoolClosureInput>,
    ) -> Result<SchoolCalendarYear, AppError> {
        let scope = context::principal(ctx)?.council_scope(&[Role::Manager])?;
        let terms = terms
            .into_iter()
            .enumerate()
            .map(|(index, term)| term.parse(index))
            .collect::<Result<Vec<_>, AppError>>()?;
        let closures = closures
            .into_iter()
            .enumerate()
            .map(|(index, closure)| closure.parse(index))
            .collect::<Result<Vec<_>, AppError>>()?;
        let year =
            calendars::replace_year(context::store(ctx)?, scope, academic_year, terms, closures)
                .await?;
        Ok(year.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::refused_field;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
    }

    #[test]
    fn a_term_name_is_trimmed_and_a_blank_one_names_its_place_in_the_list() {
        let term = SchoolTermInput {
            name: "  Autumn  ".into(),
            starts_on: date(2024, 9, 4),
            ends_on: date(2024, 12, 20),
        };
        let parsed = term.parse(0).expect("a good term");
        assert_eq!(parsed.name, "Autumn");
        assert_eq!(parsed.starts_on, date(2024, 9, 4));
        assert_eq!(parsed.ends_on, date(2024, 12, 20));

        let blank = SchoolTermInput {
            name: " ".into(),
            starts_on: date(2025, 1, 6),
            ends_on: date(2025, 4, 4),
        };
        assert_eq!(refused_field(blank.parse(1)), "terms[1].name");
    }

    #[test]
    fn a_closure_reason_over_200_characters_names_its_place_in_the_list() {
        let closure = SchoolClosureInput {
            closed_on: date(2024, 11, 1),
            reason: "x".repeat(201),
        };
        assert_eq!(refused_field(closure.parse(2)), "closures[2].reason");

        let inset = SchoolClosureInput {
            closed_on: date(2024, 11, 1),
            reason: "INSET day".into(),
        };
        assert_eq!(
            inset.parse(0).ok(),
            Some((date(2024, 11, 1), "INSET day".to_owned()))
        );
    }

    #[test]
    fn deadline_settings_parse_to_the_same_numbers_and_back() {
        let sent = DeadlineSettingsObject {
            health_and_other_days: 15,
            permanent_exclusion_days: 6,
            review_interval_school_days: 30,
            evidence_warning_days: 28,
        };
        let settings = sent.parse();
        assert_eq!(settings.health_and_other_days, 15);
        assert_eq!(settings.permanent_exclusion_days, 6);
        assert_eq!(settings.review_interval_school_days, 30);
        assert_eq!(settings.evidence_warning_days, 28);
        let shown = DeadlineSettingsObject::from(settings);
        assert_eq!(shown.evidence_warning_days, 28);
    }
}
