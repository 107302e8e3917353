//! The periods figures are returned for (docs/domain.md, "Periods"): a calendar month, a school
//! term, an academic year (1 September to 31 August) or a financial year (1 April to 31 March).
//!
//! Each has one canonical code (`2024-03`, `2023-24-autumn`, `2023-24`, `fy2023-24`) and maps to
//! DfE's `time_period` and `time_identifier`. Month, academic and financial years have fixed
//! dates; a term's dates come from the council's calendar when it has the term (the service's
//! job), else from [`Term::fallback_dates`].

use chrono::{Datelike, NaiveDate};

/// The years the hub accepts: wide enough for any real return, narrow enough that date
/// arithmetic never overflows. From 2012 because before it a code such as `2011-12` would be both
/// December 2011 and the academic year 2011/12; from 2012 on no month code is also a year's.
pub const FIRST_YEAR: i32 = 2012;
pub const LAST_YEAR: i32 = 2100;

/// A school term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Term {
    Autumn,
    Spring,
    Summer,
}

impl Term {
    pub const ALL: [Self; 3] = [Self::Autumn, Self::Spring, Self::Summer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Autumn => "autumn",
            Self::Spring => "spring",
            Self::Summer => "summer",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|term| term.as_str() == name)
    }

    /// Whether a term of a council's calendar, by its recorded name, is (part of) this term:
    /// "Autumn", "Autumn 1", "autumn half-term 2" all belong to autumn.
    pub fn matches_name(self, recorded: &str) -> bool {
        recorded.to_ascii_lowercase().contains(self.as_str())
    }

    /// The dates used when the council's calendar does not hold the term: autumn 1 September to
    /// 31 December; spring 1 January to Easter Sunday; summer Easter Monday to 31 August. Together
    /// they cover the academic year without gap or overlap, so every day falls in one term.
    pub fn fallback_dates(self, academic_year: i32) -> Option<(NaiveDate, NaiveDate)> {
        let next = academic_year.checked_add(1)?;
        let easter = easter_sunday(next)?;
        match self {
            Self::Autumn => Some((
                NaiveDate::from_ymd_opt(academic_year, 9, 1)?,
                NaiveDate::from_ymd_opt(academic_year, 12, 31)?,
            )),
            Self::Spring => Some((NaiveDate::from_ymd_opt(next, 1, 1)?, easter)),
            Self::Summer => Some((easter.succ_opt()?, NaiveDate::from_ymd_opt(next, 8, 31)?)),
        }
    }
}

/// A period a return covers. Years are the first calendar year: `AcademicYear(2023)` is 2023/24.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Term { academic_year: i32, term: Term },
    AcademicYear(i32),
    FinancialYear(i32),
}

/// `2023` -> `2023-24`.
fn year_pair(first: i32) -> String {
    format!("{first}-{:02}", (first + 1).rem_euclid(100))
}

/// `2023-24` -> 2023; the second year must follow the first.
fn parse_year_pair(text: &str) -> Option<i32> {
    let (first, second) = text.split_once('-')?;
    if first.len() != 4 || second.len() != 2 {
        return None;
    }
    let first: i32 = parse_digits(first)?;
    let second: i32 = parse_digits(second)?;
    ((first + 1) % 100 == second).then_some(first)
}

fn parse_digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn in_range(year: i32) -> Result<i32, String> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(format!(
            "the year must be between {FIRST_YEAR} and {LAST_YEAR}"
        ))
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const FORMS: &str = "use 2023-24 (academic year), 2023-24-autumn|spring|summer (term), 2024-03 (month) or fy2023-24 (financial year)";

impl Period {
    /// Parses a canonical code: `2023-24`, `2023-24-autumn`, `2024-03`, `fy2023-24`.
    pub fn parse(code: &str) -> Result<Self, String> {
        let code = code.trim();
        let period = if let Some(rest) = code.strip_prefix("fy") {
            Self::FinancialYear(parse_year_pair(rest).ok_or_else(|| FORMS.to_owned())?)
        } else if code.len() == 7 && parse_year_pair(code).is_some() {
            Self::AcademicYear(parse_year_pair(code).ok_or_else(|| FORMS.to_owned())?)
        } else if code.len() == 7 {
            let (year, month) = code.split_once('-').ok_or_else(|| FORMS.to_owned())?;
            let year = (year.len() == 4)
                .then(|| parse_digits::<i32>(year))
                .flatten()
                .ok_or_else(|| FORMS.to_owned())?;
            let month = (month.len() == 2)
                .then(|| parse_digits::<u32>(month))
                .flatten()
                .ok_or_else(|| FORMS.to_owned())?;
            if !(1..=12).contains(&month) {
                return Err("the month must be 01 to 12".to_owned());
            }
            Self::Month { year, month }
        } else if code.len() > 8 && code.as_bytes().get(7) == Some(&b'-') {
            let (year, term) = code.split_at(7);
            let academic_year = parse_year_pair(year).ok_or_else(|| FORMS.to_owned())?;
            let term = Term::parse(&term[1..])
                .ok_or_else(|| "the term must be autumn, spring or summer".to_owned())?;
            Self::Term {
                academic_year,
                term,
            }
        } else {
            return Err(FORMS.to_owned());
        };
        period.check_range()
    }

    fn check_range(self) -> Result<Self, String> {
        let year = match self {
            Self::Month { year, .. } => year,
            Self::Term { academic_year, .. } => academic_year,
            Self::AcademicYear(year) | Self::FinancialYear(year) => year,
        };
        in_range(year).map(|_| self)
    }

    /// The canonical code, as stored on a return.
    pub fn code(&self) -> String {
        match *self {
            Self::Month { year, month } => format!("{year}-{month:02}"),
            Self::Term {
                academic_year,
                term,
            } => format!("{}-{}", year_pair(academic_year), term.as_str()),
            Self::AcademicYear(year) => year_pair(year),
            Self::FinancialYear(year) => format!("fy{}", year_pair(year)),
        }
    }

    /// DfE's `time_period`: `202324` for academic and financial years and terms, `202403` for a
    /// month.
    pub fn time_period(&self) -> String {
        match *self {
            Self::Month { year, month } => format!("{year}{month:02}"),
            Self::Term { academic_year, .. } => year_pair(academic_year).replace('-', ""),
            Self::AcademicYear(year) | Self::FinancialYear(year) => {
                year_pair(year).replace('-', "")
            }
        }
    }

    /// DfE's `time_identifier`: `Academic year`, `Autumn term`, `March`, `Financial year`.
    pub fn time_identifier(&self) -> String {
        match *self {
            Self::Month { month, .. } => MONTHS[(month as usize).saturating_sub(1) % 12].to_owned(),
            Self::Term { term, .. } => match term {
                Term::Autumn => "Autumn term",
                Term::Spring => "Spring term",
                Term::Summer => "Summer term",
            }
            .to_owned(),
            Self::AcademicYear(_) => "Academic year".to_owned(),
            Self::FinancialYear(_) => "Financial year".to_owned(),
        }
    }

    /// The period from DfE's `time_period` and `time_identifier`.
    pub fn from_dfe(time_period: &str, time_identifier: &str) -> Result<Self, String> {
        let digits = |len: usize| {
            (time_period.len() == len)
                .then(|| parse_digits::<i32>(time_period))
                .flatten()
        };
        let year_pair = || {
            let first = digits(6)? / 100;
            ((first + 1) % 100 == digits(6)? % 100).then_some(first)
        };
        let wrong = || format!("time_period {time_period:?} does not fit {time_identifier:?}");
        let period = match time_identifier {
            "Academic year" => Self::AcademicYear(year_pair().ok_or_else(wrong)?),
            "Financial year" => Self::FinancialYear(year_pair().ok_or_else(wrong)?),
            "Autumn term" | "Spring term" | "Summer term" => Self::Term {
                academic_year: year_pair().ok_or_else(wrong)?,
                term: match time_identifier {
                    "Autumn term" => Term::Autumn,
                    "Spring term" => Term::Spring,
                    _ => Term::Summer,
                },
            },
            month_name => {
                let month = MONTHS
                    .iter()
                    .position(|name| *name == month_name)
                    .ok_or_else(|| {
                        format!("time_identifier {month_name:?} is not one the hub uses")
                    })?;
                let value = digits(6).ok_or_else(wrong)?;
                if value % 100 != month as i32 + 1 {
                    return Err(wrong());
                }
                Self::Month {
                    year: value / 100,
                    month: month as u32 + 1,
                }
            }
        };
        period.check_range()
    }

    /// The academic year (its first calendar year) the period belongs to: a month or term's own;
    /// a financial year's first (April to August of it are that academic year's end, but its
    /// pupil census is the one taken in that academic year).
    pub fn academic_year(&self) -> i32 {
        match *self {
            Self::Month { year, month } => {
                if month >= 9 {
                    year
                } else {
                    year - 1
                }
            }
            Self::Term { academic_year, .. } => academic_year,
            Self::AcademicYear(year) => year,
            Self::FinancialYear(year) => year,
        }
    }

    /// The first and last day (inclusive), for every period with fixed dates; for a term, the
    /// fallback dates (the service prefers the council's calendar).
    pub fn fixed_dates(&self) -> Option<(NaiveDate, NaiveDate)> {
        match *self {
            Self::Month { year, month } => {
                let first = NaiveDate::from_ymd_opt(year, month, 1)?;
                let next = if month == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(year, month + 1, 1)?
                };
                Some((first, next.pred_opt()?))
            }
            Self::Term {
                academic_year,
                term,
            } => term.fallback_dates(academic_year),
            Self::AcademicYear(year) => Some((
                NaiveDate::from_ymd_opt(year, 9, 1)?,
                NaiveDate::from_ymd_opt(year + 1, 8, 31)?,
            )),
            Self::FinancialYear(year) => Some((
                NaiveDate::from_ymd_opt(year, 4, 1)?,
                NaiveDate::from_ymd_opt(year + 1, 3, 31)?,
            )),
        }
    }

    /// The academic year containing `date`.
    pub fn academic_year_of(date: NaiveDate) -> Self {
        if date.month() >= 9 {
            Self::AcademicYear(date.year())
        } else {
            Self::AcademicYear(date.year() - 1)
        }
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/
/// Butcher").
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn every_canonical_code_parses_and_prints_back_the_same() {
        for code in [
            "2023-24",
            "2023-24-autumn",
            "2023-24-spring",
            "2023-24-summer",
            "2024-03",
            "2024-12",
            "fy2023-24",
            "2099-00",
        ] {
            let period = Period::parse(code).expect(code);
            assert_eq!(period.code(), code);
        }
        assert_eq!(Period::parse("2023-24"), Ok(Period::AcademicYear(2023)));
        assert_eq!(
            Period::parse("2024-03"),
            Ok(Period::Month {
                year: 2024,
                month: 3
            })
        );
        assert_eq!(Period::parse("fy2023-24"), Ok(Period::FinancialYear(2023)));
    }

    #[test]
    fn malformed_codes_are_refused_with_the_forms_that_are_accepted() {
        for code in [
            "",
            "2023",
            "2023-25",
            "2023/24",
            "2024-13",
            "2024-00",
            "2023-24-winter",
            "fy2023",
            "FY2023-24",
            "2023-24-",
            "1999-00",
            "2011-12",
            "2101-02",
            "+202-03",
            "2023-2a",
        ] {
            assert!(Period::parse(code).is_err(), "{code:?} accepted");
        }
        assert!(Period::parse("2024-13").unwrap_err().contains("01 to 12"));
        assert!(Period::parse("nonsense").unwrap_err().contains("fy2023-24"));
    }

    #[test]
    fn periods_map_to_dfe_time_period_and_time_identifier_and_back() {
        let cases = [
            ("2023-24", "202324", "Academic year"),
            ("2023-24-autumn", "202324", "Autumn term"),
            ("2023-24-spring", "202324", "Spring term"),
            ("2023-24-summer", "202324", "Summer term"),
            ("2024-03", "202403", "March"),
            ("2023-09", "202309", "September"),
            ("fy2023-24", "202324", "Financial year"),
        ];
        for (code, time_period, time_identifier) in cases {
            let period = Period::parse(code).expect(code);
            assert_eq!(period.time_period(), time_period, "{code}");
            assert_eq!(period.time_identifier(), time_identifier, "{code}");
            assert_eq!(
                Period::from_dfe(time_period, time_identifier),
                Ok(period),
                "{code}"
            );
        }
        assert!(Period::from_dfe("202325", "Academic year").is_err());
        assert!(Period::from_dfe("202403", "April").is_err());
        assert!(Period::from_dfe("202403", "Week 12").is_err());
    }

    #[test]
    fn academic_years_run_from_1_september_to_31_august() {
        assert_eq!(
            Period::AcademicYear(2023).fixed_dates(),
            Some((date(2023, 9, 1), date(2024, 8, 31)))
        );
        assert_eq!(
            Period::academic_year_of(date(2024, 8, 31)),
            Period::AcademicYear(2023)
        );
        assert_eq!(
            Period::academic_year_of(date(2024, 9, 1)),
            Period::AcademicYear(2024)
        );
    }

    #[test]
    fn financial_years_run_from_1_april_to_31_march() {
        assert_eq!(
            Period::FinancialYear(2023).fixed_dates(),
            Some((date(2023, 4, 1), date(2024, 3, 31)))
        );
    }

    #[test]
    fn months_end_on_their_last_day_including_leap_february_and_december() {
        let month = |year, month| Period::Month { year, month }.fixed_dates();
        assert_eq!(month(2024, 2), Some((date(2024, 2, 1), date(2024, 2, 29))));
        assert_eq!(month(2023, 2), Some((date(2023, 2, 1), date(2023, 2, 28))));
        assert_eq!(
            month(2024, 12),
            Some((date(2024, 12, 1), date(2024, 12, 31)))
        );
        assert_eq!(
            Period::Month {
                year: 2024,
                month: 3
            }
            .academic_year(),
            2023
        );
        assert_eq!(
            Period::Month {
                year: 2024,
                month: 9
            }
            .academic_year(),
            2024
        );
    }

    #[test]
    fn fallback_terms_cover_the_academic_year_without_gap_or_overlap() {
        for year in [2020, 2023, 2024, 2025] {
            let (autumn_start, autumn_end) = Term::Autumn.fallback_dates(year).expect("autumn");
            let (spring_start, spring_end) = Term::Spring.fallback_dates(year).expect("spring");
            let (summer_start, summer_end) = Term::Summer.fallback_dates(year).expect("summer");
            assert_eq!(autumn_start, date(year, 9, 1));
            assert_eq!(autumn_end.succ_opt(), Some(spring_start));
            assert_eq!(spring_end.succ_opt(), Some(summer_start));
            assert_eq!(summer_end, date(year + 1, 8, 31));
        }
        // Easter Sunday 2024 was 31 March; the summer term falls back to Easter Monday.
        assert_eq!(
            Term::Spring.fallback_dates(2023).map(|d| d.1),
            Some(date(2024, 3, 31))
        );
        assert_eq!(
            Term::Summer.fallback_dates(2023).map(|d| d.0),
            Some(date(2024, 4, 1))
        );
    }

    #[test]
    fn easter_falls_where_the_almanac_puts_it() {
        assert_eq!(easter_sunday(2021), Some(date(2021, 4, 4)));
        assert_eq!(easter_sunday(2024), Some(date(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(date(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(date(2026, 4, 5)));
    }

    #[test]
    fn calendar_term_names_are_matched_by_their_season() {
        assert!(Term::Autumn.matches_name("Autumn 2"));
        assert!(Term::Spring.matches_name("spring half-term 1"));
        assert!(!Term::Summer.matches_name("Autumn"));
    }
}
