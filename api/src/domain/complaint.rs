//! Ombudsman complaints and the remedies agreed on them: the LGSCO reference, which remedies pay
//! money, what a decision must carry, and the derived rules a committee monitors — due, overdue
//! and by how many calendar days, completed on time or late, evidence outstanding (`docs/domain.md`,
//! "Ombudsman complaints and remedies"). Pure: every rule takes the day it is judged on, so a view
//! can be asked "as of" any date.

use std::fmt;

use chrono::{Months, NaiveDate};
use entity::complaint::ComplaintOutcome;
use entity::remedy::RemedyKind;

use crate::error::{AppError, AppResult};

/// A Local Government and Social Care Ombudsman reference: eight digits written `NN NNN NNN`
/// (`22 013 579`: the year the case was opened, then a serial). Once parsed, trusted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LgscoReference(String);

impl LgscoReference {
    /// Accepts the reference as the Ombudsman writes it (`22 013 579`) or as its eight digits
    /// (`22013579`), and keeps it in the Ombudsman's form; anything else is refused.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let bytes = value.as_bytes();
        let digits: Vec<u8> = match bytes.len() {
            8 => bytes.to_vec(),
            10 if bytes[2] == b' ' && bytes[6] == b' ' => {
                [&bytes[0..2], &bytes[3..6], &bytes[7..]].concat().to_vec()
            }
            _ => Vec::new(),
        };
        if digits.len() != 8 || !digits.iter().all(u8::is_ascii_digit) {
            return Err("an Ombudsman reference is eight digits written NN NNN NNN".to_owned());
        }
        let text = String::from_utf8_lossy(&digits);
        Ok(Self(format!(
            "{} {} {}",
            &text[0..2],
            &text[2..5],
            &text[5..8]
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LgscoReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LgscoReference({})", self.0)
    }
}

/// Whether a remedy of `kind` pays money (and so must carry its amount).
pub fn pays_money(kind: RemedyKind) -> bool {
    matches!(
        kind,
        RemedyKind::SymbolicPayment | RemedyKind::LostEducationPayment | RemedyKind::Refund
    )
}

/// The most a single remedy may pay: £1m, far above any Ombudsman remedy, so a slip of the
/// keyboard (pounds typed into pence twice over) is refused rather than reported to a committee.
pub const MAX_AMOUNT_PENCE: i64 = 100_000_000;

/// A remedy's amount: payments carry a positive amount in pence; other kinds carry none.
pub fn parse_amount(field: &str, kind: RemedyKind, amount: Option<i64>) -> AppResult<Option<i64>> {
    match (pays_money(kind), amount) {
        (true, None) => Err(AppError::bad_input(
            field,
            "a payment needs its amount in pence",
        )),
        (true, Some(pence)) if pence <= 0 => {
            Err(AppError::bad_input(field, "must be more than 0 pence"))
        }
        (true, Some(pence)) if pence > MAX_AMOUNT_PENCE => Err(AppError::bad_input(
            field,
            format!("must be at most {MAX_AMOUNT_PENCE} pence"),
        )),
        (true, Some(pence)) => Ok(Some(pence)),
        (false, None) => Ok(None),
        (false, Some(_)) => Err(AppError::bad_input(
            field,
            "only a payment (symbolic, for lost education, or a refund) has an amount",
        )),
    }
}

/// Whether the outcome upholds the complaint: fault, with or without injustice (the
/// Ombudsman's "upheld").
pub fn is_upheld(outcome: ComplaintOutcome) -> bool {
    matches!(
        outcome,
        ComplaintOutcome::FaultCausingInjustice | ComplaintOutcome::FaultWithoutInjustice
    )
}

/// A decision is an outcome and its date together: a complaint still pending has neither, and a
/// decided one has both.
pub fn check_outcome_dated(
    outcome: ComplaintOutcome,
    decided_on: Option<NaiveDate>,
) -> AppResult<()> {
    match (outcome, decided_on) {
        (ComplaintOutcome::Pending, Some(_)) => Err(AppError::bad_input(
            "decidedOn",
            "a complaint still pending has no decision date; give its outcome too",
        )),
        (ComplaintOutcome::Pending, None) | (_, Some(_)) => Ok(()),
        (_, None) => Err(AppError::bad_input(
            "outcome",
            "the complaint is still pending: an outcome needs its decision date (decidedOn)",
        )),
    }
}

/// A whole decision: [`check_outcome_dated`], and a date not before the complaint was received.
pub fn check_decision(
    outcome: ComplaintOutcome,
    decided_on: Option<NaiveDate>,
    received_on: NaiveDate,
) -> AppResult<()> {
    check_outcome_dated(outcome, decided_on)?;
    if decided_on.is_some_and(|decided| decided < received_on) {
        return Err(AppError::bad_input(
            "decidedOn",
            "is before the complaint was received",
        ));
    }
    Ok(())
}

/// The day a remedy is due unless the decision says otherwise: one calendar month after the
/// decision (the Ombudsman's usual term; 31 January gives 28 or 29 February).
pub fn default_due_on(decided_on: NaiveDate) -> NaiveDate {
    decided_on
        .checked_add_months(Months::new(1))
        .unwrap_or(decided_on)
}

/// A remedy's due date: given, or the default; never before the decision.
pub fn parse_due_on(
    field: &str,
    due_on: Option<NaiveDate>,
    decided_on: NaiveDate,
) -> AppResult<NaiveDate> {
    let due_on = due_on.unwrap_or_else(|| default_due_on(decided_on));
    if due_on < decided_on {
        return Err(AppError::bad_input(field, "is before the decision"));
    }
    Ok(due_on)
}

/// Where a remedy stands on one day, counted in calendar days (the Ombudsman's clock, not school
/// days). A completion or evidence dated after that day has not happened yet on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemedyStanding {
    /// Done on or before the day.
    pub done: bool,
    /// Not done, and the due date has passed.
    pub overdue: bool,
    /// Calendar days since the due date while overdue; 0 otherwise.
    pub days_overdue: i64,
    /// Once done: whether on or before the due date.
    pub completed_on_time: Option<bool>,
    /// Once done late: calendar days after the due date.
    pub days_late: Option<i64>,
    /// No evidence sent to the Ombudsman yet, though the remedy is done or its due date has
    /// passed: the Ombudsman counts a remedy as complied with only on evidence.
    pub evidence_outstanding: bool,
}

impl RemedyStanding {
    /// The standing on `as_of` of a remedy due on `due_on`, done on `done_on`, with evidence
    /// sent on `evidence_sent_on`.
    pub fn on(
        due_on: NaiveDate,
        done_on: Option<NaiveDate>,
        evidence_sent_on: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Self {
        let done_on = done_on.filter(|done| *done <= as_of);
        let evidence_sent = evidence_sent_on.is_some_and(|sent| sent <= as_of);
        let overdue = done_on.is_none() && as_of > due_on;
        let days_late = done_on
            .filter(|done| *done > due_on)
            .map(|done| (done - due_on).num_days());
        Self {
            done: done_on.is_some(),
            overdue,
            days_overdue: if overdue {
                (as_of - due_on).num_days()
            } else {
                0
            },
            completed_on_time: done_on.map(|done| done <= due_on),
            days_late,
            evidence_outstanding: !evidence_sent && (done_on.is_some() || as_of > due_on),
        }
    }
}

/// Whether an improvement action is overdue on `as_of`: not done by then, and its due date passed.
pub fn action_overdue(due_on: NaiveDate, done_on: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    done_on.is_none_or(|done| done > as_of) && as_of > due_on
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn refused_field<T>(result: AppResult<T>) -> Option<String> {
        match result {
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn an_ombudsman_reference_is_kept_in_the_ombudsmans_form() {
        assert_eq!(
            LgscoReference::parse("22 013 579").map(|r| r.as_str().to_owned()),
            Ok("22 013 579".to_owned())
        );
        assert_eq!(
            LgscoReference::parse(" 22013579 ").map(|r| r.as_str().to_owned()),
            Ok("22 013 579".to_owned())
        );
    }

    #[test]
    fn a_malformed_ombudsman_reference_is_refused() {
        for refused in [
            "",
            "22 013 57",
            "22 013 5790",
            "2201357",
            "AB 013 579",
            "22-013-579",
            "22  013579",
            "22 0135 79",
            "٢٢٠١٣٥٧٩",
        ] {
            assert!(LgscoReference::parse(refused).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn a_payment_needs_a_positive_amount_and_nothing_else_has_one() {
        let field = "amountPence";
        assert_eq!(
            parse_amount(field, RemedyKind::SymbolicPayment, Some(35_000)).ok(),
            Some(Some(35_000))
        );
        assert_eq!(
            refused_field(parse_amount(field, RemedyKind::LostEducationPayment, None)),
            Some(field.to_owned())
        );
        assert_eq!(
            refused_field(parse_amount(field, RemedyKind::Refund, Some(-1))),
            Some(field.to_owned())
        );
        assert_eq!(
            refused_field(parse_amount(field, RemedyKind::Refund, Some(0))),
            Some(field.to_owned())
        );
        assert!(parse_amount(field, RemedyKind::Refund, Some(MAX_AMOUNT_PENCE + 1)).is_err());
        assert_eq!(
            parse_amount(field, RemedyKind::Apology, None).ok(),
            Some(None)
        );
        assert_eq!(
            refused_field(parse_amount(field, RemedyKind::Apology, Some(100))),
            Some(field.to_owned())
        );
    }

    #[test]
    fn fault_with_or_without_injustice_is_upheld_and_nothing_else_is() {
        assert!(is_upheld(ComplaintOutcome::FaultCausingInjustice));
        assert!(is_upheld(ComplaintOutcome::FaultWithoutInjustice));
        for not in [
            ComplaintOutcome::Pending,
            ComplaintOutcome::NotUpheld,
            ComplaintOutcome::ClosedAfterInitialEnquiries,
        ] {
            assert!(!is_upheld(not));
        }
    }

    #[test]
    fn an_outcome_on_a_complaint_still_pending_is_refused_naming_the_outcome() {
        let received = date(2022, 11, 1);
        assert_eq!(
            refused_field(check_decision(
                ComplaintOutcome::FaultCausingInjustice,
                None,
                received
            )),
            Some("outcome".to_owned())
        );
        assert_eq!(
            refused_field(check_decision(
                ComplaintOutcome::Pending,
                Some(date(2023, 3, 9)),
                received
            )),
            Some("decidedOn".to_owned())
        );
        assert_eq!(
            refused_field(check_decision(
                ComplaintOutcome::NotUpheld,
                Some(date(2022, 10, 31)),
                received
            )),
            Some("decidedOn".to_owned())
        );
        assert!(check_decision(ComplaintOutcome::Pending, None, received).is_ok());
        assert!(
            check_decision(
                ComplaintOutcome::FaultCausingInjustice,
                Some(date(2023, 3, 9)),
                received
            )
            .is_ok()
        );
    }

    #[test]
    fn a_remedy_is_due_one_calendar_month_after_the_decision_by_default() {
        assert_eq!(default_due_on(date(2023, 3, 9)), date(2023, 4, 9));
        assert_eq!(default_due_on(date(2023, 1, 31)), date(2023, 2, 28));
        assert_eq!(default_due_on(date(2024, 1, 31)), date(2024, 2, 29));
    }

    #[test]
    fn a_due_date_before_the_decision_is_refused() {
        let decided = date(2023, 3, 9);
        assert_eq!(
            refused_field(parse_due_on("dueOn", Some(date(2023, 3, 8)), decided)),
            Some("dueOn".to_owned())
        );
        assert_eq!(
            parse_due_on("dueOn", Some(decided), decided).ok(),
            Some(decided)
        );
        assert_eq!(
            parse_due_on("dueOn", None, decided).ok(),
            Some(date(2023, 4, 9))
        );
    }

    #[test]
    fn a_remedy_due_on_9_april_is_overdue_by_2_calendar_days_on_11_april() {
        let standing = RemedyStanding::on(date(2023, 4, 9), None, None, date(2023, 4, 11));
        assert!(standing.overdue);
        assert_eq!(standing.days_overdue, 2);
        assert!(standing.evidence_outstanding);
        assert_eq!(standing.completed_on_time, None);
    }

    #[test]
    fn days_overdue_count_weekends_and_holidays_because_the_ombudsman_counts_calendar_days() {
        // 9 April 2023 was Easter Sunday; 19 July is 101 calendar days on.
        let standing = RemedyStanding::on(date(2023, 4, 9), None, None, date(2023, 7, 19));
        assert_eq!(standing.days_overdue, 101);
    }

    #[test]
    fn a_remedy_is_not_overdue_on_its_due_date() {
        let standing = RemedyStanding::on(date(2023, 4, 9), None, None, date(2023, 4, 9));
        assert!(!standing.overdue);
        assert_eq!(standing.days_overdue, 0);
        assert!(!standing.evidence_outstanding);
    }

    #[test]
    fn a_remedy_done_on_its_due_date_is_on_time_and_one_done_after_it_is_late() {
        let on_time = RemedyStanding::on(
            date(2023, 4, 9),
            Some(date(2023, 4, 9)),
            Some(date(2023, 4, 9)),
            date(2023, 5, 1),
        );
        assert_eq!(on_time.completed_on_time, Some(true));
        assert_eq!(on_time.days_late, None);
        assert!(!on_time.overdue);
        assert!(!on_time.evidence_outstanding);
        let late = RemedyStanding::on(
            date(2023, 4, 9),
            Some(date(2023, 8, 4)),
            None,
            date(2023, 8, 9),
        );
        assert_eq!(late.completed_on_time, Some(false));
        assert_eq!(late.days_late, Some(117));
        assert!(late.evidence_outstanding, "done, but no evidence sent");
    }

    #[test]
    fn a_completion_dated_after_the_day_asked_about_has_not_happened_on_it() {
        let standing = RemedyStanding::on(
            date(2023, 4, 9),
            Some(date(2023, 8, 4)),
            Some(date(2023, 8, 4)),
            date(2023, 7, 19),
        );
        assert!(!standing.done);
        assert!(standing.overdue);
        assert!(standing.evidence_outstanding);
    }

    #[test]
    fn an_action_is_overdue_once_its_due_date_passes_undone() {
        let due = date(2023, 6, 30);
        assert!(!action_overdue(due, None, due));
        assert!(action_overdue(due, None, date(2023, 7, 1)));
        assert!(!action_overdue(
            due,
            Some(date(2023, 7, 10)),
            date(2023, 7, 11)
        ));
        assert!(action_overdue(
            due,
            Some(date(2023, 7, 10)),
            date(2023, 7, 9)
        ));
    }
}
