//! The input objects callers send to record and change complaints, remedies and actions, and
//! their parse: each becomes the value the complaint service takes, or BAD_USER_INPUT naming the
//! field as the client spelt it (`docs/domain.md`, "Ombudsman complaints and remedies"). Pure, so
//! the tests below need no server; `today` is passed in for the same reason.

use async_graphql::{Enum, ID, InputObject};
use chrono::NaiveDate;
use entity::complaint::{ComplaintOutcome as Outcome, DecisionPublication as Publication};
use entity::improvement_action::ActionStatus as Status;
use entity::remedy::RemedyStatus;
use uuid::Uuid;

use super::types::{
    ActionStatus, ComplaintCategory, ComplaintOutcome, ComplaintStage, DecisionPublication,
    RemedyKind, RemedyRecipient,
};
use crate::domain::case::{parse_date, parse_past_date};
use crate::domain::child::{parse_council_reference, parse_text};
use crate::domain::complaint::{LgscoReference, check_decision, check_outcome_dated, parse_amount};
use crate::error::{AppError, AppResult};
use crate::graphql::context;
use crate::service::complaint::{
    ActionChange, Decision, DecisionUpdate, NewAction, NewComplaint, NewRemedy, RemedyProgress,
};

/// The longest free text (a summary, evidence) the hub keeps.
const LONG_TEXT: usize = 2000;

fn parse_lgsco(field: &str, value: &str) -> AppResult<LgscoReference> {
    LgscoReference::parse(value).map_err(|why| AppError::bad_input(field, why))
}

fn optional_id(field: &str, id: Option<&ID>) -> AppResult<Option<Uuid>> {
    id.map(|id| context::parse_id(field, id)).transpose()
}

fn optional_past(
    field: &str,
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<Option<NaiveDate>> {
    date.map(|d| parse_past_date(field, d, today)).transpose()
}

/// A complaint to record: at the council's own stages or with the Ombudsman.
#[derive(InputObject)]
pub struct RecordComplaintInput {
    /// The Ombudsman's reference, `NN NNN NNN`. This or `councilReference` (or both) is needed.
    lgsco_reference: Option<String>,
    /// The council's own stage 1 / stage 2 reference.
    council_reference: Option<String>,
    category: ComplaintCategory,
    stage: ComplaintStage,
    received_on: NaiveDate,
    /// Defaults to PENDING; any other outcome needs `decidedOn`.
    outcome: Option<ComplaintOutcome>,
    decided_on: Option<NaiveDate>,
    /// Defaults to NOT_PUBLISHED.
    publication: Option<DecisionPublication>,
    /// The council's case the complaint is about, where there is one.
    case_id: Option<ID>,
    /// Free text: never logged, never exported. Keep personal details out.
    summary: Option<String>,
}

impl RecordComplaintInput {
    /// The complaint to record: a reference of either kind, dates that have happened, and an
    /// outcome with its date or neither.
    pub(super) fn parse(self, today: NaiveDate) -> AppResult<NewComplaint> {
        let lgsco_reference = self
            .lgsco_reference
            .map(|r| parse_lgsco("lgscoReference", &r))
            .transpose()?;
        let council_reference = self
            .council_reference
            .map(|r| parse_council_reference("councilReference", &r))
            .transpose()?;
        if lgsco_reference.is_none() && council_reference.is_none() {
            return Err(AppError::bad_input(
                "lgscoReference",
                "give the Ombudsman's reference or the council's own (or both)",
            ));
        }
        let received_on = parse_past_date("receivedOn", self.received_on, today)?;
        let outcome: Outcome = self.outcome.map_or(Outcome::Pending, Into::into);
        let decided_on = optional_past("decidedOn", self.decided_on, today)?;
        check_decision(outcome, decided_on, received_on)?;
        Ok(NewComplaint {
            lgsco_reference,
            council_reference,
            category: self.category.into(),
            stage: self.stage.into(),
            received_on,
            decision: Decision {
                outcome,
                decided_on,
                publication: self
                    .publication
                    .map_or(Publication::NotPublished, Into::into),
            },
            case_id: optional_id("caseId", self.case_id.as_ref())?,
            summary: self
                .summary
                .map(|s| parse_text("summary", &s, LONG_TEXT))
                .transpose()?,
        })
    }
}

/// A decision on a complaint, or its move to another stage (pending again).
#[derive(InputObject)]
pub struct RecordComplaintDecisionInput {
    complaint_id: ID,
    /// Leave out to keep the stage.
    stage: Option<ComplaintStage>,
    /// The Ombudsman's reference, when the complaint reaches the Ombudsman.
    lgsco_reference: Option<String>,
    outcome: ComplaintOutcome,
    /// Needed with any outcome but PENDING.
    decided_on: Option<NaiveDate>,
    /// Leave out to keep what was recorded.
    publication: Option<DecisionPublication>,
}

impl RecordComplaintDecisionInput {
    /// The complaint and its decision: the date has happened; whether it is after the complaint
    /// was received is the service's check, which knows when it was.
    pub(super) fn parse(self, today: NaiveDate) -> AppResult<(Uuid, DecisionUpdate)> {
        let outcome: Outcome = self.outcome.into();
        let decided_on = optional_past("decidedOn", self.decided_on, today)?;
        check_outcome_dated(outcome, decided_on)?;
        Ok((
            context::parse_id("complaintId", &self.complaint_id)?,
            DecisionUpdate {
                stage: self.stage.map(Into::into),
                lgsco_reference: self
                    .lgsco_reference
                    .map(|r| parse_lgsco("lgscoReference", &r))
                    .transpose()?,
                outcome,
                decided_on,
                publication: self.publication.map(Into::into),
            },
        ))
    }
}

/// A remedy agreed on a decided complaint.
#[derive(InputObject)]
pub struct AddRemedyInput {
    complaint_id: ID,
    kind: RemedyKind,
    /// In pence: needed for payments (more than 0), refused for anything else.
    amount_pence: Option<i64>,
    /// Defaults to PARENT_OR_CARER.
    recipient: Option<RemedyRecipient>,
    /// The case a payment for lost education concerns; defaults to the complaint's case.
    case_id: Option<ID>,
    /// Defaults to the decision date.
    agreed_on: Option<NaiveDate>,
    /// Defaults to one calendar month after the decision; never before it.
    due_on: Option<NaiveDate>,
}

impl AddRemedyInput {
    /// The remedy: its amount right for its kind, its dates in range. Whether the due date is
    /// after the decision is the service's check, which knows the decision.
    pub(super) fn parse(self, today: NaiveDate) -> AppResult<NewRemedy> {
        let kind = self.kind.into();
        Ok(NewRemedy {
            complaint_id: context::parse_id("complaintId", &self.complaint_id)?,
            kind,
            amount_pence: parse_amount("amountPence", kind, self.amount_pence)?,
            recipient: self
                .recipient
                .map_or(entity::remedy::RemedyRecipient::ParentOrCarer, Into::into),
            case_id: optional_id("caseId", self.case_id.as_ref())?,
            agreed_on: optional_past("agreedOn", self.agreed_on, today)?,
            due_on: self.due_on.map(|d| parse_date("dueOn", d)).transpose()?,
        })
    }
}

/// A step of a remedy's progress.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RemedyStep {
    /// The Ombudsman asked for compliance.
    Chased,
    /// Done.
    Completed,
    /// Evidence sent to the Ombudsman (say what in `evidence`).
    EvidenceSent,
    /// The Ombudsman accepted it as complied with.
    Accepted,
    /// Found not done after all.
    Reopened,
}

impl From<RemedyStep> for RemedyStatus {
    fn from(step: RemedyStep) -> Self {
        match step {
            RemedyStep::Chased => Self::Chased,
            RemedyStep::Completed => Self::Completed,
            RemedyStep::EvidenceSent => Self::EvidenceSent,
            RemedyStep::Accepted => Self::Accepted,
            RemedyStep::Reopened => Self::Reopened,
        }
    }
}

/// Progress on a remedy.
#[derive(InputObject)]
pub struct RecordRemedyProgressInput {
    remedy_id: ID,
    step: RemedyStep,
    /// The day it happened: not in the future.
    occurred_on: NaiveDate,
    /// For EVIDENCE_SENT: what was sent. Never exported.
    evidence: Option<String>,
}

impl RecordRemedyProgressInput {
    pub(super) fn parse(self, today: NaiveDate) -> AppResult<RemedyProgress> {
        let evidence = self
            .evidence
            .map(|e| parse_text("evidence", &e, LONG_TEXT))
            .transpose()?;
        if self.step == RemedyStep::EvidenceSent && evidence.is_none() {
            return Err(AppError::bad_input(
                "evidence",
                "say what evidence was sent to the Ombudsman",
            ));
        }
        Ok(RemedyProgress {
            remedy_id: context::parse_id("remedyId", &self.remedy_id)?,
            step: self.step.into(),
            occurred_on: parse_past_date("occurredOn", self.occurred_on, today)?,
            evidence,
        })
    }
}

/// An item for the council's improvement plan.
#[derive(InputObject)]
pub struct AddImprovementActionInput {
    /// The complaint it answers; leave out for an action standing alone.
    complaint_id: Option<ID>,
    /// What will change.
    description: String,
    /// The role that owns it (a job title, not a name).
    owner_role: String,
    /// How success will be measured.
    success_measure: String,
    due_on: NaiveDate,
}

impl AddImprovementActionInput {
    pub(super) fn parse(self) -> AppResult<NewAction> {
        Ok(NewAction {
            complaint_id: optional_id("complaintId", self.complaint_id.as_ref())?,
            description: parse_text("description", &self.description, 1000)?,
            owner_role: parse_text("ownerRole", &self.owner_role, 100)?,
            success_measure: parse_text("successMeasure", &self.success_measure, 1000)?,
            due_on: parse_date("dueOn", self.due_on)?,
        })
    }
}

/// Progress on an improvement action.
#[derive(InputObject)]
pub struct UpdateImprovementActionInput {
    action_id: ID,
    status: ActionStatus,
    /// Evidence that it was done; leave out to keep what was recorded.
    evidence: Option<String>,
    /// Needed when DONE, and only then: not in the future.
    done_on: Option<NaiveDate>,
}

impl UpdateImprovementActionInput {
    pub(super) fn parse(self, today: NaiveDate) -> AppResult<ActionChange> {
        let status: Status = self.status.into();
        let done_on = optional_past("doneOn", self.done_on, today)?;
        match (status, done_on) {
            (Status::Done, None) => {
                return Err(AppError::bad_input(
                    "doneOn",
                    "a done action needs its date",
                ));
            }
            (Status::Planned | Status::InProgress, Some(_)) => {
                return Err(AppError::bad_input(
                    "doneOn",
                    "only a DONE action has a done date",
                ));
            }
            _ => {}
        }
        Ok(ActionChange {
            action_id: context::parse_id("actionId", &self.action_id)?,
            status,
            evidence: self
                .evidence
                .map(|e| parse_text("evidence", &e, LONG_TEXT))
                .transpose()?,
            done_on,
        })
    }
}

/// A period for the figures: from and to (both counted), in order.
pub(super) fn parse_period(from: NaiveDate, to: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
    let from = parse_date("from", from)?;
    let to = parse_date("to", to)?;
    if to < from {
        return Err(AppError::bad_input("to", "is before from"));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    const TODAY: fn() -> NaiveDate = || date(2023, 8, 9);

    fn refused_field<T>(result: AppResult<T>) -> Option<String> {
        match result {
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    fn complaint() -> RecordComplaintInput {
        RecordComplaintInput {
            lgsco_reference: Some("22 013 579".into()),
            council_reference: None,
            category: ComplaintCategory::EducationProvision,
            stage: ComplaintStage::Ombudsman,
            received_on: date(2022, 9, 1),
            outcome: Some(ComplaintOutcome::FaultCausingInjustice),
            decided_on: Some(date(2023, 3, 9)),
            publication: None,
            case_id: None,
            summary: None,
        }
    }

    #[test]
    fn a_decided_ombudsman_complaint_parses_with_its_reference_in_the_ombudsmans_form() {
        let mut input = complaint();
        input.lgsco_reference = Some("22013579".into());
        let parsed = input.parse(TODAY()).expect("parses");
        assert_eq!(
            parsed.lgsco_reference.map(|r| r.as_str().to_owned()),
            Some("22 013 579".into())
        );
        assert_eq!(parsed.decision.publication, Publication::NotPublished);
    }

    #[test]
    fn a_malformed_ombudsman_reference_is_refused_naming_it() {
        let mut input = complaint();
        input.lgsco_reference = Some("22 013 57X".into());
        assert_eq!(
            refused_field(input.parse(TODAY())),
            Some("lgscoReference".into())
        );
    }

    #[test]
    fn a_complaint_without_any_reference_is_refused() {
        let mut input = complaint();
        input.lgsco_reference = None;
        assert_eq!(
            refused_field(input.parse(TODAY())),
            Some("lgscoReference".into())
        );
    }

    #[test]
    fn an_outcome_without_its_decision_date_is_refused_naming_the_outcome() {
        let mut input = complaint();
        input.decided_on = None;
        assert_eq!(refused_field(input.parse(TODAY())), Some("outcome".into()));
    }

    #[test]
    fn a_decision_in_the_future_is_refused() {
        let mut input = complaint();
        input.decided_on = Some(date(2023, 8, 10));
        assert_eq!(
            refused_field(input.parse(TODAY())),
            Some("decidedOn".into())
        );
    }

    fn remedy(kind: RemedyKind, amount: Option<i64>) -> AddRemedyInput {
        AddRemedyInput {
            complaint_id: ID(Uuid::now_v7().to_string()),
            kind,
            amount_pence: amount,
            recipient: None,
            case_id: None,
            agreed_on: None,
            due_on: None,
        }
    }

    #[test]
    fn a_payment_without_an_amount_or_with_a_negative_one_is_refused_naming_the_amount() {
        assert_eq!(
            refused_field(remedy(RemedyKind::LostEducationPayment, None).parse(TODAY())),
            Some("amountPence".into())
        );
        assert_eq!(
            refused_field(remedy(RemedyKind::SymbolicPayment, Some(-35_000)).parse(TODAY())),
            Some("amountPence".into())
        );
        assert!(
            remedy(RemedyKind::SymbolicPayment, Some(35_000))
                .parse(TODAY())
                .is_ok()
        );
    }

    #[test]
    fn evidence_sent_needs_the_evidence_and_a_day_that_has_happened() {
        let progress = |step, on, evidence: Option<&str>| RecordRemedyProgressInput {
            remedy_id: ID(Uuid::now_v7().to_string()),
            step,
            occurred_on: on,
            evidence: evidence.map(str::to_owned),
        };
        assert_eq!(
            refused_field(progress(RemedyStep::EvidenceSent, TODAY(), None).parse(TODAY())),
            Some("evidence".into())
        );
        assert_eq!(
            refused_field(progress(RemedyStep::Completed, date(2023, 8, 10), None).parse(TODAY())),
            Some("occurredOn".into())
        );
        assert!(
            progress(
                RemedyStep::EvidenceSent,
                TODAY(),
                Some("Bank transfer record")
            )
            .parse(TODAY())
            .is_ok()
        );
    }

    #[test]
    fn a_done_action_needs_its_done_date_which_has_happened() {
        let update = |status, done_on| UpdateImprovementActionInput {
            action_id: ID(Uuid::now_v7().to_string()),
            status,
            evidence: None,
            done_on,
        };
        assert_eq!(
            refused_field(update(ActionStatus::Done, None).parse(TODAY())),
            Some("doneOn".into())
        );
        assert_eq!(
            refused_field(update(ActionStatus::Done, Some(date(2023, 8, 10))).parse(TODAY())),
            Some("doneOn".into())
        );
        assert_eq!(
            refused_field(update(ActionStatus::InProgress, Some(TODAY())).parse(TODAY())),
            Some("doneOn".into())
        );
        assert!(
            update(ActionStatus::Done, Some(TODAY()))
                .parse(TODAY())
                .is_ok()
        );
    }

    #[test]
    fn a_period_must_end_on_or_after_it_starts() {
        assert_eq!(
            refused_field(parse_period(date(2023, 8, 31), date(2023, 3, 1))),
            Some("to".into())
        );
        assert!(parse_period(date(2023, 3, 1), date(2023, 3, 1)).is_ok());
    }
}
