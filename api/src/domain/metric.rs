//! The figures a partnership shares (docs/domain.md, "Metric definitions"): the standard
//! catalogue as data, the breakdowns figures may be split by and their categories, and the
//! checks a proposed definition version passes.
//!
//! Categories are the values the child and case records store (`entity::child`,
//! `entity::case`), so a computed cell and a submitted one name a category the same way; a test
//! below holds the two lists together.

use entity::metric_definition::MetricUnit;

/// A dimension a figure may be split by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breakdown {
    Sex,
    YearGroup,
    SenStatus,
    /// Child in need, child protection plan, child looked after.
    SocialCare,
    Reason,
    PrimaryNeed,
}

/// The name of the total row's breakdown and category.
pub const TOTAL: &str = "total";

/// The year group categories: Reception, Years 1 to 14, and not recorded.
const YEAR_GROUPS: [&str; 16] = [
    "reception",
    "year_1",
    "year_2",
    "year_3",
    "year_4",
    "year_5",
    "year_6",
    "year_7",
    "year_8",
    "year_9",
    "year_10",
    "year_11",
    "year_12",
    "year_13",
    "year_14",
    "unknown",
];

impl Breakdown {
    pub const ALL: [Self; 6] = [
        Self::Sex,
        Self::YearGroup,
        Self::SenStatus,
        Self::SocialCare,
        Self::Reason,
        Self::PrimaryNeed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sex => "sex",
            Self::YearGroup => "year_group",
            Self::SenStatus => "sen_status",
            Self::SocialCare => "social_care",
            Self::Reason => "reason",
            Self::PrimaryNeed => "primary_need",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == name)
    }

    /// Every category, in the order they are shown. Every child or case falls in exactly one, so
    /// the categories of a count add up to its total.
    pub fn categories(self) -> &'static [&'static str] {
        match self {
            Self::Sex => &["female", "male", "unknown"],
            Self::YearGroup => &YEAR_GROUPS,
            Self::SenStatus => &["none", "sen_support", "ehc_plan"],
            Self::SocialCare => &["none", "cin", "cp", "cla"],
            Self::Reason => &[
                "health",
                "permanent_exclusion",
                "suspension",
                "awaiting_school_place",
                "ehc_placement_breakdown",
                "emotionally_based_school_avoidance",
                "other",
            ],
            Self::PrimaryNeed => &[
                "SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD",
                "OTH", "none",
            ],
        }
    }

    pub fn has_category(self, category: &str) -> bool {
        self.categories().contains(&category)
    }

    /// The category of a child's year group (`None`: not recorded).
    pub fn year_group_category(year_group: Option<i32>) -> &'static str {
        match year_group {
            Some(year) if (0..=14).contains(&year) => YEAR_GROUPS[year as usize],
            _ => "unknown",
        }
    }
}

/// A list of breakdowns as stored: comma-separated names, each known, none twice.
pub fn parse_breakdowns(text: &str) -> Result<Vec<Breakdown>, String> {
    let mut breakdowns = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let breakdown = Breakdown::parse(name).ok_or_else(|| {
            format!(
                "{name:?} is not a breakdown; use {}",
                Breakdown::ALL.map(Breakdown::as_str).join(", ")
            )
        })?;
        if breakdowns.contains(&breakdown) {
            return Err(format!("{name:?} is listed twice"));
        }
        breakdowns.push(breakdown);
    }
    Ok(breakdowns)
}

/// Breakdowns as stored.
pub fn format_breakdowns(breakdowns: &[Breakdown]) -> String {
    breakdowns
        .iter()
        .map(|b| b.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The unit's name as stored and in the API.
pub fn unit_name(unit: MetricUnit) -> &'static str {
    match unit {
        MetricUnit::Count => "count",
        MetricUnit::Percent => "percent",
        MetricUnit::Median => "median",
        MetricUnit::Mean => "mean",
        MetricUnit::RatePer10000 => "rate_per_10000",
    }
}

/// The denominator code of rates per 10,000: the council's pupil population.
pub const PUPIL_POPULATION: &str = "pupil_population";

/// One definition of the standard catalogue.
#[derive(Clone, Copy, Debug)]
pub struct StandardDefinition {
    pub code: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub unit: MetricUnit,
    pub scope: &'static str,
    pub breakdowns: &'static [Breakdown],
    /// Whether the hub computes it from the council's data.
    pub computable: bool,
    pub numerator_code: Option<&'static str>,
    pub denominator_code: Option<&'static str>,
}

use Breakdown::{PrimaryNeed, Reason, SenStatus, Sex, SocialCare, YearGroup};

/// Every breakdown of a case.
const CASE: &[Breakdown] = &[Sex, YearGroup, SenStatus, SocialCare, Reason, PrimaryNeed];
/// Every breakdown of a child (a count of children, where a reason would count one twice).
const CHILD: &[Breakdown] = &[Sex, YearGroup, SenStatus, SocialCare, PrimaryNeed];
const NONE: &[Breakdown] = &[];

const fn count(
    code: &'static str,
    title: &'static str,
    description: &'static str,
    scope: &'static str,
    breakdowns: &'static [Breakdown],
    computable: bool,
) -> StandardDefinition {
    StandardDefinition {
        code,
        title,
        description,
        unit: MetricUnit::Count,
        scope,
        breakdowns,
        computable,
        numerator_code: None,
        denominator_code: None,
    }
}

const fn ratio(
    code: &'static str,
    title: &'static str,
    description: &'static str,
    unit: MetricUnit,
    breakdowns: &'static [Breakdown],
    numerator: &'static str,
    denominator: &'static str,
) -> StandardDefinition {
    StandardDefinition {
        code,
        title,
        description,
        unit,
        scope: "as its numerator and denominator",
        breakdowns,
        computable: true,
        numerator_code: Some(numerator),
        denominator_code: Some(denominator),
    }
}

const fn median(
    code: &'static str,
    title: &'static str,
    description: &'static str,
    scope: &'static str,
    breakdowns: &'static [Breakdown],
) -> StandardDefinition {
    StandardDefinition {
        code,
        title,
        description,
        unit: MetricUnit::Median,
        scope,
        breakdowns,
        computable: true,
        numerator_code: None,
        denominator_code: None,
    }
}

/// Codes the computation and the complaint wiring refer to.
pub mod codes {
    pub const REFERRALS: &str = "referrals";
    pub const OPEN_CASES_AT_END: &str = "open_cases_at_end";
    pub const CASES_BY_REASON: &str = "cases_by_reason";
    pub const PROVISION_DUE: &str = "provision_due";
    pub const PROVISION_WITHIN_15_DAYS: &str = "provision_within_15_days";
    pub const PROVISION_WITHIN_15_DAYS_PERCENT: &str = "provision_within_15_days_percent";
    pub const MEDIAN_DAYS_TO_PROVISION: &str = "median_days_to_provision";
    pub const WITHOUT_PROVISION_15_DAYS_AT_END: &str = "without_provision_15_days_at_end";
    pub const PROVISION_RUNNING_AT_END: &str = "provision_running_at_end";
    pub const PROVISION_FULL_TIME: &str = "provision_full_time";
    pub const PROVISION_REDUCED: &str = "provision_reduced";
    pub const FULL_TIME_PERCENT: &str = "full_time_percent";
    pub const REDUCED_PERCENT: &str = "reduced_percent";
    pub const MEDIAN_HOURS_PER_WEEK: &str = "median_hours_per_week";
    pub const HEALTH_NEEDS_ALL: &str = "health_needs_all";
    pub const HEALTH_NEEDS_MEDICALLY_VULNERABLE: &str = "health_needs_medically_vulnerable";
    pub const CME: &str = "cme";
    pub const EHE: &str = "ehe";
    pub const SCHOOL_ATTENDANCE_ORDERS: &str = "school_attendance_orders";
    pub const COMPLAINTS_DECIDED: &str = "complaints_decided";
    pub const COMPLAINTS_UPHELD: &str = "complaints_upheld";
    pub const COMPLAINTS_UPHELD_PERCENT: &str = "complaints_upheld_percent";
    pub const REMEDIES_DUE: &str = "remedies_due";
    pub const REMEDIES_COMPLETED_ON_TIME: &str = "remedies_completed_on_time";
    pub const REMEDIES_OVERDUE_AT_END: &str = "remedies_overdue_at_end";
    pub const COMPLAINT_MONEY_PAID_PENCE: &str = "complaint_money_paid_pence";
    pub const REFERRALS_PER_10000: &str = "referrals_per_10000";
    pub const HEALTH_NEEDS_ALL_PER_10000: &str = "health_needs_all_per_10000";
    pub const HEALTH_NEEDS_MEDICALLY_VULNERABLE_PER_10000: &str =
        "health_needs_medically_vulnerable_per_10000";
}

use codes::*;

/// The standard catalogue every partnership starts with, agreed as version 1: every figure
/// docs/domain.md, "Metric definitions" lists.
pub const STANDARD_CATALOGUE: &[StandardDefinition] = &[
    count(
        REFERRALS,
        "s.19 referrals received",
        "Cases the council was told about in the period (by the date it was notified).",
        "Every case opened for a child of compulsory school age who may not be receiving suitable education, whatever the reason.",
        CASE,
        true,
    ),
    count(
        OPEN_CASES_AT_END,
        "Open cases at period end",
        "Cases referred by the period's last day and not closed by then.",
        "Every case the council holds.",
        CASE,
        true,
    ),
    count(
        CASES_BY_REASON,
        "Cases in the period",
        "Cases open at any time in the period (referred by its end, not closed before its start), by reason.",
        "Every case the council holds.",
        CASE,
        true,
    ),
    count(
        PROVISION_DUE,
        "Cases with provision due in the period",
        "Cases referred by the period end whose provision was due (the 15th school day of absence, the 6th after a permanent exclusion) in the period, up to today.",
        "Every case with a due date.",
        CASE,
        true,
    ),
    count(
        PROVISION_WITHIN_15_DAYS,
        "Provision within 15 school days",
        "Of the cases with provision due in the period: those whose provision started, or whose child returned to school (closed as returned to school), on or before the due date.",
        "Every case with a due date.",
        CASE,
        true,
    ),
    ratio(
        PROVISION_WITHIN_15_DAYS_PERCENT,
        "Share of cases with provision within 15 school days",
        "Provision within 15 school days as a percentage of the cases with provision due in the period.",
        MetricUnit::Percent,
        CASE,
        PROVISION_WITHIN_15_DAYS,
        PROVISION_DUE,
    ),
    median(
        MEDIAN_DAYS_TO_PROVISION,
        "Median school days to provision",
        "For cases whose first provision started in the period: the median of school days without provision (from day 1 to the day before it started), on the council's calendar. The lower median when the count is even.",
        "Cases with provision started in the period.",
        &[Reason, SenStatus],
    ),
    count(
        WITHOUT_PROVISION_15_DAYS_AT_END,
        "Children without provision for 15+ school days at period end",
        "Cases open at the period end with no provision started by then and whose provision was due (the 15th school day; the 6th after a permanent exclusion) on or before it.",
        "Every open case.",
        CASE,
        true,
    ),
    count(
        PROVISION_RUNNING_AT_END,
        "Provision running at period end",
        "Provision arrangements that started by the period's last day and had not ended before it.",
        "Every provision the council arranged.",
        CASE,
        true,
    ),
    count(
        PROVISION_FULL_TIME,
        "Full-time provision at period end",
        "Provision running at period end that is full-time.",
        "Every provision the council arranged.",
        CASE,
        true,
    ),
    count(
        PROVISION_REDUCED,
        "Reduced provision at period end",
        "Provision running at period end that is reduced (part-time, with its recorded health reason, s.19(3AA)).",
        "Every provision the council arranged.",
        CASE,
        true,
    ),
    ratio(
        FULL_TIME_PERCENT,
        "Share of provision full-time",
        "Full-time provision as a percentage of provision running at period end.",
        MetricUnit::Percent,
        CASE,
        PROVISION_FULL_TIME,
        PROVISION_RUNNING_AT_END,
    ),
    ratio(
        REDUCED_PERCENT,
        "Share of provision reduced",
        "Reduced provision as a percentage of provision running at period end.",
        MetricUnit::Percent,
        CASE,
        PROVISION_REDUCED,
        PROVISION_RUNNING_AT_END,
    ),
    median(
        MEDIAN_HOURS_PER_WEEK,
        "Median hours of provision per week",
        "The median of hours per week of provision running at period end (the lower median when the count is even).",
        "Provision running at period end.",
        &[SenStatus],
    ),
    count(
        HEALTH_NEEDS_ALL,
        "Children with health needs: all",
        "Children with a health case open in the period whose education the council had arranged (provision started) by the period end. Each child counts once.",
        "Every child whose education the council arranges because of health.",
        CHILD,
        true,
    ),
    count(
        HEALTH_NEEDS_MEDICALLY_VULNERABLE,
        "Children with health needs: medically vulnerable",
        "As health_needs_all, only children with clinical evidence (consultant, hospital or CAMHS) valid at some time in the period. Each child counts once.",
        "Only children who are medically vulnerable: clinical evidence from a consultant, hospital or CAMHS.",
        CHILD,
        true,
    ),
    count(
        CME,
        "Children missing education",
        "Children of compulsory school age neither on a school roll nor receiving suitable education otherwise (s.436A), as the council counts them at the period end.",
        "The council's CME register; not held by the hub, so submitted.",
        &[Sex, YearGroup, SenStatus],
        false,
    ),
    count(
        EHE,
        "Children in elective home education",
        "Children electively home educated at the period end.",
        "The council's EHE register; not held by the hub, so submitted.",
        &[Sex, YearGroup, SenStatus],
        false,
    ),
    count(
        SCHOOL_ATTENDANCE_ORDERS,
        "School attendance orders issued",
        "School attendance orders the council issued in the period.",
        "Not held by the hub, so submitted.",
        NONE,
        false,
    ),
    count(
        COMPLAINTS_DECIDED,
        "Ombudsman complaints decided",
        "LGSCO complaints about the council decided in the period.",
        "Complaints the council records.",
        NONE,
        true,
    ),
    count(
        COMPLAINTS_UPHELD,
        "Ombudsman complaints upheld",
        "LGSCO complaints decided in the period and upheld.",
        "Complaints the council records.",
        NONE,
        true,
    ),
    ratio(
        COMPLAINTS_UPHELD_PERCENT,
        "Upheld rate",
        "Complaints upheld as a percentage of complaints decided in the period.",
        MetricUnit::Percent,
        NONE,
        COMPLAINTS_UPHELD,
        COMPLAINTS_DECIDED,
    ),
    count(
        REMEDIES_DUE,
        "Remedies due",
        "Agreed remedies due in the period.",
        "Remedies of complaints the council records.",
        NONE,
        true,
    ),
    count(
        REMEDIES_COMPLETED_ON_TIME,
        "Remedies completed on time",
        "Remedies due in the period completed on or before their due date.",
        "Remedies of complaints the council records.",
        NONE,
        true,
    ),
    count(
        REMEDIES_OVERDUE_AT_END,
        "Remedies overdue at period end",
        "Remedies past their due date and not completed at the period end.",
        "Remedies of complaints the council records.",
        NONE,
        true,
    ),
    count(
        COMPLAINT_MONEY_PAID_PENCE,
        "Money paid in remedies (pence)",
        "Payments made in the period under agreed remedies, in pence.",
        "Remedies of complaints the council records.",
        NONE,
        true,
    ),
    ratio(
        REFERRALS_PER_10000,
        "Referrals per 10,000 pupils",
        "s.19 referrals received per 10,000 pupils of the council's population in the academic year.",
        MetricUnit::RatePer10000,
        NONE,
        REFERRALS,
        PUPIL_POPULATION,
    ),
    ratio(
        HEALTH_NEEDS_ALL_PER_10000,
        "Children with health needs (all) per 10,000 pupils",
        "health_needs_all per 10,000 pupils of the council's population in the academic year.",
        MetricUnit::RatePer10000,
        NONE,
        HEALTH_NEEDS_ALL,
        PUPIL_POPULATION,
    ),
    ratio(
        HEALTH_NEEDS_MEDICALLY_VULNERABLE_PER_10000,
        "Children with health needs (medically vulnerable) per 10,000 pupils",
        "health_needs_medically_vulnerable per 10,000 pupils of the council's population in the academic year.",
        MetricUnit::RatePer10000,
        NONE,
        HEALTH_NEEDS_MEDICALLY_VULNERABLE,
        PUPIL_POPULATION,
    ),
];

/// The standard definition with `code`, if there is one.
pub fn standard(code: &str) -> Option<&'static StandardDefinition> {
    STANDARD_CATALOGUE.iter().find(|d| d.code == code)
}

/// Whether the hub knows how to compute `code` from a council's data: only standard codes it
/// computes, whatever a later version's words say.
pub fn hub_computes(code: &str) -> bool {
    standard(code).is_some_and(|d| d.computable)
}

/// A definition version as a coordinator proposes it, checked field by field.
#[derive(Clone, Debug, PartialEq)]
pub struct ProposedDefinition {
    pub code: String,
    pub title: String,
    pub description: String,
    pub unit: MetricUnit,
    pub scope: String,
    pub breakdowns: Vec<Breakdown>,
    pub numerator_code: Option<String>,
    pub denominator_code: Option<String>,
}

/// A definition code: 1 to 64 of `a-z`, `0-9` and `_`, starting with a letter.
pub fn parse_code(field: &str, code: &str) -> Result<String, (String, String)> {
    let code = code.trim();
    let ok = (1..=64).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(code.to_owned())
    } else {
        Err((
            field.to_owned(),
            "must be 1 to 64 of a-z, 0-9 and _, starting with a letter".to_owned(),
        ))
    }
}

impl ProposedDefinition {
    /// Percentages and rates name what they divide; counts, medians and means do not.
    pub fn check_ratio(&self) -> Result<(), (String, String)> {
        let ratio = matches!(self.unit, MetricUnit::Percent | MetricUnit::RatePer10000);
        match (ratio, &self.numerator_code, &self.denominator_code) {
            (true, Some(_), Some(denominator)) => {
                if self.unit == MetricUnit::RatePer10000 && denominator != PUPIL_POPULATION {
                    return Err((
                        "denominatorCode".into(),
                        format!("a rate per 10,000 divides by {PUPIL_POPULATION}"),
                    ));
                }
                Ok(())
            }
            (true, None, _) => Err((
                "numeratorCode".into(),
                "a percentage or rate names its numerator".into(),
            )),
            (true, _, None) => Err((
                "denominatorCode".into(),
                "a percentage or rate names its denominator".into(),
            )),
            (false, None, None) => Ok(()),
            (false, _, _) => Err((
                "numeratorCode".into(),
                "only percentages and rates have a numerator and denominator".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use entity::case::CaseReason;
    use entity::child::{PrimaryNeed as Need, SenStatus as Sen, Sex as SexEnum, SocialCareStatus};
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    fn values<E: ActiveEnum<Value = String> + Iterable>() -> Vec<String> {
        E::iter().map(|e| e.to_value()).collect()
    }

    fn categories(breakdown: Breakdown) -> Vec<String> {
        breakdown
            .categories()
            .iter()
            .map(|c| (*c).to_owned())
            .collect()
    }

    #[test]
    fn categories_are_the_values_child_and_case_records_store() {
        assert_eq!(categories(Sex), values::<SexEnum>());
        assert_eq!(categories(SenStatus), values::<Sen>());
        assert_eq!(categories(SocialCare), values::<SocialCareStatus>());
        assert_eq!(categories(Reason), values::<CaseReason>());
        let mut needs = values::<Need>();
        needs.push("none".into());
        assert_eq!(categories(PrimaryNeed), needs);
    }

    #[test]
    fn year_groups_run_from_reception_to_year_14_and_unknown() {
        assert_eq!(Breakdown::year_group_category(Some(0)), "reception");
        assert_eq!(Breakdown::year_group_category(Some(10)), "year_10");
        assert_eq!(Breakdown::year_group_category(Some(14)), "year_14");
        assert_eq!(Breakdown::year_group_category(None), "unknown");
        assert_eq!(Breakdown::year_group_category(Some(15)), "unknown");
        assert!(YearGroup.has_category("year_7"));
        assert!(!YearGroup.has_category("year_15"));
    }

    #[test]
    fn breakdown_lists_parse_known_names_once_each() {
        assert_eq!(
            parse_breakdowns("sex, year_group"),
            Ok(vec![Sex, YearGroup])
        );
        assert_eq!(parse_breakdowns(""), Ok(vec![]));
        assert!(parse_breakdowns("sex,sex").is_err());
        assert!(
            parse_breakdowns("sex,ethnicity")
                .unwrap_err()
                .contains("ethnicity")
        );
        assert_eq!(format_breakdowns(&[Sex, PrimaryNeed]), "sex,primary_need");
    }

    #[test]
    fn the_catalogue_has_unique_codes_and_every_ratio_divides_counts_it_holds() {
        let mut seen = std::collections::BTreeSet::new();
        for definition in STANDARD_CATALOGUE {
            assert!(seen.insert(definition.code), "{} twice", definition.code);
            assert!(
                parse_code("code", definition.code).is_ok(),
                "{}",
                definition.code
            );
            let proposed = ProposedDefinition {
                code: definition.code.into(),
                title: definition.title.into(),
                description: definition.description.into(),
                unit: definition.unit,
                scope: definition.scope.into(),
                breakdowns: definition.breakdowns.to_vec(),
                numerator_code: definition.numerator_code.map(Into::into),
                denominator_code: definition.denominator_code.map(Into::into),
            };
            assert_eq!(proposed.check_ratio(), Ok(()), "{}", definition.code);
            for part in [definition.numerator_code, definition.denominator_code]
                .into_iter()
                .flatten()
                .filter(|code| *code != PUPIL_POPULATION)
            {
                let part = standard(part).expect("a ratio divides catalogue counts");
                assert_eq!(part.unit, MetricUnit::Count);
                assert!(part.computable || !definition.computable);
                for breakdown in definition.breakdowns {
                    assert!(part.breakdowns.contains(breakdown), "{}", definition.code);
                }
            }
        }
    }

    #[test]
    fn health_needs_ship_as_two_named_definitions() {
        let all = standard(HEALTH_NEEDS_ALL).expect("all");
        let vulnerable = standard(HEALTH_NEEDS_MEDICALLY_VULNERABLE).expect("vulnerable");
        assert_ne!(all.scope, vulnerable.scope);
        assert!(all.computable && vulnerable.computable);
    }

    #[test]
    fn registers_the_hub_does_not_hold_are_submitted_only() {
        for code in [CME, EHE, SCHOOL_ATTENDANCE_ORDERS] {
            assert!(!hub_computes(code), "{code}");
        }
        assert!(hub_computes(REFERRALS));
        assert!(!hub_computes("my_own_figure"));
    }

    #[test]
    fn codes_are_lower_case_words() {
        assert!(parse_code("code", "referrals_2").is_ok());
        for bad in ["", "2x", "Referrals", "a-b", &"a".repeat(65)] {
            assert!(parse_code("code", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_rate_divides_by_the_pupil_population_and_a_count_divides_nothing() {
        let mut proposed = ProposedDefinition {
            code: "x".into(),
            title: "x".into(),
            description: "x".into(),
            unit: MetricUnit::RatePer10000,
            scope: "x".into(),
            breakdowns: vec![],
            numerator_code: Some(REFERRALS.into()),
            denominator_code: Some(REFERRALS.into()),
        };
        assert_eq!(
            proposed.check_ratio().map_err(|e| e.0),
            Err("denominatorCode".to_owned())
        );
        proposed.unit = MetricUnit::Count;
        assert_eq!(
            proposed.check_ratio().map_err(|e| e.0),
            Err("numeratorCode".to_owned())
        );
        proposed.numerator_code = None;
        proposed.denominator_code = None;
        assert_eq!(proposed.check_ratio(), Ok(()));
    }
}
