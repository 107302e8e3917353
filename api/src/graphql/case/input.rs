//! The input objects callers send to narrow or change cases, and their parse: each becomes the
//! value the case service takes, or BAD_USER_INPUT naming the field as the client spelt it. Pure,
//! so the tests below need no server; `today` is passed in for the same reason.

use async_graphql::{ID, InputObject};
use chrono::NaiveDate;
use uuid::Uuid;

use super::{CaseReason, CaseStatus, EvidenceSource, ProvisionKind};
use crate::domain::case::parse_date;
use crate::domain::child as rules;
use crate::error::AppError;
use crate::graphql::child::SenStatus;
use crate::graphql::context;
use crate::service::case::{
    self as cases, CaseFilter, NewCase, NewEvidence, NewProvision, ProvisionChange,
};

/// How to narrow the list of cases.
#[derive(InputObject, Default)]
pub struct CaseFilterInput {
    status: Option<CaseStatus>,
    reason: Option<CaseReason>,
    overdue: Option<bool>,
    /// Provision due strictly before this date.
    due_before: Option<NaiveDate>,
    year_group: Option<i32>,
    school_urn: Option<String>,
    sen_status: Option<SenStatus>,
}

impl CaseFilterInput {
    /// The filter as the service takes it: a filter that matches no case finds none, but a date
    /// out of range or a school URN that is not six digits is refused, naming the field. (A NUL in
    /// the URN, or a date before 4713 BC, was an INTERNAL_SERVER_ERROR on PostgreSQL.)
    pub(super) fn parse(self) -> Result<CaseFilter, AppError> {
        Ok(CaseFilter {
            status: self.status.map(Into::into),
            reason: self.reason.map(Into::into),
            overdue: self.overdue,
            due_before: self
                .due_before
                .map(|date| parse_date("filter.dueBefore", date))
                .transpose()?,
            year_group: self.year_group,
            school_urn: self
                .school_urn
                .map(|urn| rules::parse_school_urn("filter.schoolUrn", &urn))
                .transpose()?,
            sen_status: self.sen_status.map(Into::into),
        })
    }
}

/// A new case.
#[derive(InputObject)]
pub struct OpenCaseInput {
    child_id: ID,
    reason: CaseReason,
    /// The first day of absence (or of the exclusion).
    absence_start: NaiveDate,
    /// The day the council was told; defaults to the absence start.
    council_notified_on: Option<NaiveDate>,
    council_reference: Option<String>,
}

impl OpenCaseInput {
    /// The case to open: its dates not after `today`, the day the council was told defaulting to
    /// the absence start.
    pub(super) fn parse(self, today: NaiveDate) -> Result<NewCase, AppError> {
        let absence_start = cases::parse_past_date("absenceStart", self.absence_start, today)?;
        Ok(NewCase {
            child_id: context::parse_id("childId", &self.child_id)?,
            reason: self.reason.into(),
            absence_start,
            council_notified_on: cases::parse_past_date(
                "councilNotifiedOn",
                self.council_notified_on.unwrap_or(absence_start),
                today,
            )?,
            council_reference: self
                .council_reference
                .map(|r| rules::parse_council_reference("councilReference", &r))
                .transpose()?,
        })
    }
}

/// Provision to start.
#[derive(InputObject)]
pub struct StartProvisionInput {
    case_id: ID,
    kind: ProvisionKind,
    provider: String,
    hours_per_week: f64,
    /// False for reduced (part-time) provision, which needs `reducedReason`.
    full_time: bool,
    /// The recorded health reason for reduced provision (s.19(3AA)).
    reduced_reason: Option<String>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
}

impl StartProvisionInput {
    /// The case's id and the provision to start on it. Whether reduced provision has its reason
    /// and the dates are in order is the service's check, on the provision as a whole
    /// (`docs/domain.md`, "Provision").
    pub(super) fn parse(self) -> Result<(Uuid, NewProvision), AppError> {
        let case_id = context::parse_id("caseId", &self.case_id)?;
        let provision = NewProvision {
            kind: self.kind.into(),
            provider: rules::parse_text("provider", &self.provider, 200)?,
            hours_per_week: cases::parse_hours("hoursPerWeek", self.hours_per_week)?,
            full_time: self.full_time,
            reduced_reason: parse_reduced_reason(self.reduced_reason)?,
            start_date: parse_date("startDate", self.start_date)?,
            end_date: self
                .end_date
                .map(|date| parse_date("endDate", date))
                .transpose()?,
        };
        Ok((case_id, provision))
    }
}

/// New terms for running provision from a given day.
#[derive(InputObject)]
pub struct ChangeProvisionInput {
    provision_id: ID,
    /// The first day on the new terms; the current provision ends the day before.
    changed_on: NaiveDate,
    /// Leave out to keep the current kind.
    kind: Option<ProvisionKind>,
    /// Leave out to keep the current provider.
    provider: Option<String>,
    hours_per_week: f64,
    /// False for reduced (part-time) provision, which needs `reducedReason`.
    full_time: bool,
    /// The recorded health reason for reduced provision (s.19(3AA)).
    reduced_reason: Option<String>,
}

impl ChangeProvisionInput {
    /// The running provision's id and its new terms; a kind or provider left out stays as it is.
    pub(super) fn parse(self) -> Result<(Uuid, ProvisionChange), AppError> {
        let provision_id = context::parse_id("provisionId", &self.provision_id)?;
        let change = ProvisionChange {
            changed_on: parse_date("changedOn", self.changed_on)?,
            kind: self.kind.map(Into::into),
            provider: self
                .provider
                .map(|p| rules::parse_text("provider", &p, 200))
                .transpose()?,
            hours_per_week: cases::parse_hours("hoursPerWeek", self.hours_per_week)?,
            full_time: self.full_time,
            reduced_reason: parse_reduced_reason(self.reduced_reason)?,
        };
        Ok((provision_id, change))
    }
}

/// The recorded health reason for reduced provision, when one is sent: 1 to 500 characters.
fn parse_reduced_reason(reason: Option<String>) -> Result<Option<String>, AppError> {
    reason
        .map(|r| rules::parse_text("reducedReason", &r, 500))
        .transpose()
}

/// Medical evidence to add.
#[derive(InputObject)]
pub struct AddMedicalEvidenceInput {
    case_id: ID,
    source: EvidenceSource,
    category: String,
    evidence_date: NaiveDate,
    valid_until: Option<NaiveDate>,
}

impl AddMedicalEvidenceInput {
    /// The case's id and the evidence to add, dated not after `today`.
    pub(super) fn parse(self, today: NaiveDate) -> Result<(Uuid, NewEvidence), AppError> {
        let case_id = context::parse_id("caseId", &self.case_id)?;
        let evidence = NewEvidence {
            source: self.source.into(),
            category: rules::parse_text("category", &self.category, 100)?,
            evidence_date: cases::parse_past_date("evidenceDate", self.evidence_date, today)?,
            valid_until: self
                .valid_until
                .map(|date| parse_date("validUntil", date))
                .transpose()?,
        };
        Ok((case_id, evidence))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_values::{date, id, today};
    use super::*;
    use crate::error::refused_field;

    fn open_case(absence_start: NaiveDate, notified: Option<NaiveDate>) -> OpenCaseInput {
        OpenCaseInput {
            child_id: id().1,
            reason: CaseReason::Health,
            absence_start,
            council_notified_on: notified,
            council_reference: None,
        }
    }

    fn start_provision(full_time: bool, reduced_reason: Option<String>) -> StartProvisionInput {
        StartProvisionInput {
            case_id: id().1,
            kind: ProvisionKind::Tuition,
            provider: " Hospital Education Service ".into(),
            hours_per_week: 15.0,
            full_time,
            reduced_reason,
            start_date: date(2021, 6, 1),
            end_date: None,
        }
    }

    fn change_provision(reduced_reason: Option<String>) -> ChangeProvisionInput {
        ChangeProvisionInput {
            provision_id: id().1,
            changed_on: date(2021, 6, 7),
            kind: None,
            provider: None,
            hours_per_week: 10.0,
            full_time: false,
            reduced_reason,
        }
    }

    #[test]
    fn council_notified_on_defaults_to_the_absence_start() {
        let new = open_case(date(2021, 5, 10), None)
            .parse(today())
            .expect("a good case");
        assert_eq!(new.absence_start, date(2021, 5, 10));
        assert_eq!(new.council_notified_on, date(2021, 5, 10));
        assert_eq!(new.reason, entity::case::CaseReason::Health);
    }

    #[test]
    fn a_case_keeps_the_day_the_council_was_told_when_it_is_given() {
        let new = open_case(date(2021, 5, 10), Some(date(2021, 5, 12)))
            .parse(today())
            .expect("a good case");
        assert_eq!(new.council_notified_on, date(2021, 5, 12));
    }

    #[test]
    fn a_future_absence_start_names_absence_start() {
        let tomorrow = date(2021, 5, 29);
        assert_eq!(
            refused_field(open_case(tomorrow, None).parse(today())),
            "absenceStart"
        );
    }

    #[test]
    fn a_future_day_the_council_was_told_names_council_notified_on() {
        let input = open_case(date(2021, 5, 10), Some(date(2021, 6, 1)));
        assert_eq!(refused_field(input.parse(today())), "councilNotifiedOn");
    }

    #[test]
    fn a_child_id_that_is_not_a_uuid_names_child_id() {
        let input = OpenCaseInput {
            child_id: ID("child-1".into()),
            ..open_case(date(2021, 5, 10), None)
        };
        assert_eq!(refused_field(input.parse(today())), "childId");
    }

    #[test]
    fn a_started_provision_is_trimmed_and_keeps_its_case() {
        let input = start_provision(false, Some(" Fatigue after surgery ".into()));
        let case_id = context::parse_id("caseId", &input.case_id).expect("an id");
        let (parsed_case, provision) = input.parse().expect("good provision");
        assert_eq!(parsed_case, case_id);
        assert_eq!(provision.provider, "Hospital Education Service");
        assert_eq!(
            provision.reduced_reason.as_deref(),
            Some("Fatigue after surgery")
        );
        assert_eq!(provision.hours_per_week, 15.0);
    }

    #[test]
    fn a_reduced_provision_reason_over_500_characters_names_reduced_reason() {
        let too_long = Some("r".repeat(501));
        assert_eq!(
            refused_field(start_provision(false, too_long.clone()).parse()),
            "reducedReason"
        );
        assert_eq!(
            refused_field(change_provision(too_long).parse()),
            "reducedReason"
        );
        let just_right = Some("r".repeat(500));
        assert!(start_provision(false, just_right.clone()).parse().is_ok());
        assert!(change_provision(just_right).parse().is_ok());
    }

    #[test]
    fn hours_outside_0_to_40_name_hours_per_week() {
        for hours in [0.0, -1.0, 40.5, f64::NAN] {
            let start = StartProvisionInput {
                hours_per_week: hours,
                ..start_provision(true, None)
            };
            assert_eq!(refused_field(start.parse()), "hoursPerWeek");
            let change = ChangeProvisionInput {
                hours_per_week: hours,
                ..change_provision(Some("Fatigue".into()))
            };
            assert_eq!(refused_field(change.parse()), "hoursPerWeek");
        }
    }

    #[test]
    fn a_blank_provider_names_provider() {
        let start = StartProvisionInput {
            provider: "  ".into(),
            ..start_provision(true, None)
        };
        assert_eq!(refused_field(start.parse()), "provider");
        let change = ChangeProvisionInput {
            provider: Some(String::new()),
            ..change_provision(Some("Fatigue".into()))
        };
        assert_eq!(refused_field(change.parse()), "provider");
    }

    #[test]
    fn a_change_that_leaves_out_kind_and_provider_keeps_them() {
        let (_, change) = change_provision(Some("Fatigue".into()))
            .parse()
            .expect("a good change");
        assert_eq!(change.kind, None);
        assert_eq!(change.provider, None);
        assert_eq!(change.changed_on, date(2021, 6, 7));
    }

    #[test]
    fn a_provision_id_that_is_not_a_uuid_names_provision_id() {
        let change = ChangeProvisionInput {
            provision_id: ID("p-1".into()),
            ..change_provision(None)
        };
        assert_eq!(refused_field(change.parse()), "provisionId");
    }

    #[test]
    fn evidence_dated_in_the_future_names_evidence_date() {
        let evidence = |evidence_date| AddMedicalEvidenceInput {
            case_id: id().1,
            source: EvidenceSource::Consultant,
            category: "Oncology".into(),
            evidence_date,
            valid_until: Some(date(2021, 8, 31)),
        };
        assert_eq!(
            refused_field(evidence(date(2021, 5, 29)).parse(today())),
            "evidenceDate"
        );
        let (_, added) = evidence(today()).parse(today()).expect("good evidence");
        assert_eq!(added.category, "Oncology");
        assert_eq!(added.valid_until, Some(date(2021, 8, 31)));
    }

    #[test]
    fn the_case_filter_carries_every_field_to_the_service() {
        let filter = CaseFilterInput {
            status: Some(CaseStatus::Open),
            reason: Some(CaseReason::PermanentExclusion),
            overdue: Some(true),
            due_before: Some(date(2021, 6, 1)),
            year_group: Some(9),
            school_urn: Some("100000".into()),
            sen_status: Some(SenStatus::EhcPlan),
        }
        .parse()
        .expect("a good filter");
        assert_eq!(filter.status, Some(entity::case::CaseStatus::Open));
        assert_eq!(
            filter.reason,
            Some(entity::case::CaseReason::PermanentExclusion)
        );
        assert_eq!(filter.overdue, Some(true));
        assert_eq!(filter.due_before, Some(date(2021, 6, 1)));
        assert_eq!(filter.year_group, Some(9));
        assert_eq!(filter.school_urn.as_deref(), Some("100000"));
        assert_eq!(filter.sen_status, Some(entity::child::SenStatus::EhcPlan));

        let everything = CaseFilterInput::default()
            .parse()
            .expect("no filter at all");
        assert!(everything.status.is_none() && everything.sen_status.is_none());
    }

    #[test]
    fn a_case_filter_with_a_bad_school_urn_or_an_impossible_date_names_the_field() {
        for urn in ["\u{0}", "12345", "ABCDEF"] {
            let filter = CaseFilterInput {
                school_urn: Some(urn.into()),
                ..CaseFilterInput::default()
            };
            assert_eq!(refused_field(filter.parse()), "filter.schoolUrn", "{urn:?}");
        }
        let filter = CaseFilterInput {
            due_before: Some(NaiveDate::MIN),
            ..CaseFilterInput::default()
        };
        assert_eq!(refused_field(filter.parse()), "filter.dueBefore");
    }

    #[test]
    fn provision_and_evidence_dates_outside_1900_to_2199_name_their_field() {
        let start = StartProvisionInput {
            start_date: NaiveDate::MIN,
            ..start_provision(true, None)
        };
        assert_eq!(refused_field(start.parse()), "startDate");
        let start = StartProvisionInput {
            end_date: Some(NaiveDate::MAX),
            ..start_provision(true, None)
        };
        assert_eq!(refused_field(start.parse()), "endDate");
        let change = ChangeProvisionInput {
            changed_on: date(1899, 12, 31),
            ..change_provision(Some("Fatigue".into()))
        };
        assert_eq!(refused_field(change.parse()), "changedOn");
        let evidence = AddMedicalEvidenceInput {
            case_id: id().1,
            source: EvidenceSource::Consultant,
            category: "Oncology".into(),
            evidence_date: date(2021, 5, 1),
            valid_until: Some(date(2200, 1, 1)),
        };
        assert_eq!(refused_field(evidence.parse(today())), "validUntil");
        let open = open_case(NaiveDate::MIN, None);
        assert_eq!(refused_field(open.parse(today())), "absenceStart");
    }
}
