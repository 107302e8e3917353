//! The plain arguments of the case operations that take no input object (`casesDueSoon`,
//! `recordDutyDecision`, `endProvision`, `recordReview`, `closeCase`), parsed the way the input
//! objects are, so no resolver validates inline. Each struct is named after its operation.

use async_graphql::ID;
use chrono::NaiveDate;
use uuid::Uuid;

use super::ClosureReason;
use crate::domain::child as rules;
use crate::error::AppError;
use crate::graphql::context;
use crate::service::case as cases;

/// The `withinSchoolDays` of `casesDueSoon`: 0 to 190, about one school year.
pub(super) fn parse_within_school_days(days: i32) -> Result<u32, AppError> {
    u32::try_from(days)
        .ok()
        .filter(|days| *days <= 190)
        .ok_or_else(|| AppError::bad_input("withinSchoolDays", "must be between 0 and 190"))
}

/// `recordDutyDecision`'s arguments, parsed.
#[derive(Debug)]
pub(super) struct RecordDutyDecisionArgs {
    pub case_id: Uuid,
    pub accepted: bool,
    /// At most 500 characters.
    pub reason: Option<String>,
    /// Not after today.
    pub decided_on: NaiveDate,
}

impl RecordDutyDecisionArgs {
    /// The decision as sent, checked: the reason 1 to 500 characters, the day not after `today`.
    pub(super) fn parse(
        case_id: &ID,
        accepted: bool,
        reason: Option<String>,
        decided_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        let case_id = context::parse_id("caseId", case_id)?;
        let decided_on = cases::parse_past_date("decidedOn", decided_on, today)?;
        let reason = reason
            .map(|r| rules::parse_text("reason", &r, 500))
            .transpose()?;
        Ok(Self {
            case_id,
            accepted,
            reason,
            decided_on,
        })
    }
}

/// `endProvision`'s arguments, parsed.
#[derive(Debug)]
pub(super) struct EndProvisionArgs {
    pub provision_id: Uuid,
    pub end_date: NaiveDate,
}

impl EndProvisionArgs {
    /// The provision's id, checked. The end date may be planned ahead, so it is not checked
    /// against today, only against the dates the hub accepts at all; the service checks it
    /// against the provision's start.
    pub(super) fn parse(provision_id: &ID, end_date: NaiveDate) -> Result<Self, AppError> {
        Ok(Self {
            provision_id: context::parse_id("provisionId", provision_id)?,
            end_date: crate::domain::case::parse_date("endDate", end_date)?,
        })
    }
}

/// `recordReview`'s arguments, parsed.
#[derive(Debug)]
pub(super) struct RecordReviewArgs {
    pub case_id: Uuid,
    /// Not after today.
    pub held_on: NaiveDate,
}

impl RecordReviewArgs {
    /// The review as sent, checked: held not after `today`.
    pub(super) fn parse(
        case_id: &ID,
        held_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        Ok(Self {
            case_id: context::parse_id("caseId", case_id)?,
            held_on: cases::parse_past_date("heldOn", held_on, today)?,
        })
    }
}

/// `closeCase`'s arguments, parsed.
#[derive(Debug)]
pub(super) struct CloseCaseArgs {
    pub case_id: Uuid,
    pub reason: entity::case::ClosureReason,
    /// Not after today.
    pub closed_on: NaiveDate,
}

impl CloseCaseArgs {
    /// The closure as sent, checked: closed not after `today`.
    pub(super) fn parse(
        case_id: &ID,
        reason: ClosureReason,
        closed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        Ok(Self {
            case_id: context::parse_id("caseId", case_id)?,
            reason: reason.into(),
            closed_on: cases::parse_past_date("closedOn", closed_on, today)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_values::{date, id, today};
    use super::*;
    use crate::error::refused_field;

    #[test]
    fn a_duty_decision_names_a_future_day_or_an_overlong_reason() {
        let (case_id, sent) = id();
        let decided = RecordDutyDecisionArgs::parse(&sent, true, None, today(), today())
            .expect("a good decision");
        assert_eq!(decided.case_id, case_id);
        assert!(decided.accepted);
        assert_eq!(
            refused_field(RecordDutyDecisionArgs::parse(
                &sent,
                true,
                None,
                date(2021, 5, 29),
                today()
            )),
            "decidedOn"
        );
        assert_eq!(
            refused_field(RecordDutyDecisionArgs::parse(
                &sent,
                false,
                Some("n".repeat(501)),
                today(),
                today()
            )),
            "reason"
        );
    }

    #[test]
    fn reviews_and_closures_cannot_be_dated_after_today() {
        let (case_id, sent) = id();
        let tomorrow = date(2021, 5, 29);
        assert_eq!(
            refused_field(RecordReviewArgs::parse(&sent, tomorrow, today())),
            "heldOn"
        );
        assert_eq!(
            refused_field(CloseCaseArgs::parse(
                &sent,
                ClosureReason::ReturnedToSchool,
                tomorrow,
                today()
            )),
            "closedOn"
        );
        let closed = CloseCaseArgs::parse(&sent, ClosureReason::MovedOutOfArea, today(), today())
            .expect("a good closure");
        assert_eq!(closed.case_id, case_id);
        assert_eq!(closed.reason, entity::case::ClosureReason::MovedOutOfArea);
    }

    #[test]
    fn a_provision_id_that_is_not_a_uuid_names_provision_id() {
        assert_eq!(
            refused_field(EndProvisionArgs::parse(&ID("p-1".into()), today())),
            "provisionId"
        );
    }

    #[test]
    fn an_end_date_may_be_planned_ahead() {
        let (provision_id, sent) = id();
        let ended = EndProvisionArgs::parse(&sent, date(2021, 7, 20)).expect("a planned end");
        assert_eq!(ended.provision_id, provision_id);
        assert_eq!(ended.end_date, date(2021, 7, 20));
    }

    #[test]
    fn the_worklist_looks_0_to_190_school_days_ahead() {
        assert_eq!(parse_within_school_days(0).ok(), Some(0));
        assert_eq!(parse_within_school_days(190).ok(), Some(190));
        assert_eq!(
            refused_field(parse_within_school_days(191)),
            "withinSchoolDays"
        );
        assert_eq!(
            refused_field(parse_within_school_days(-1)),
            "withinSchoolDays"
        );
    }
}
