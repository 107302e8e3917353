//! Cases, provision, evidence and timeline events built by hand for the deadline tests, as the
//! store would hold them.

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseReason, CaseStatus, ClosureReason, DutyDecision};
use entity::case_event::{self, CaseEventKind};
use entity::medical_evidence::{self, EvidenceSource};
use entity::provision::{self, ProvisionKind};
use uuid::Uuid;

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The `n`th child of the council.
pub(super) fn child(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A case stored before its deadlines were computed; closed (back at school) on `closed_on`.
pub(super) fn case_of(
    child_id: Uuid,
    reason: CaseReason,
    absence_start: NaiveDate,
    closed_on: Option<NaiveDate>,
) -> case::Model {
    let now = Utc::now();
    case::Model {
        tenant_id: Uuid::from_u128(1_000),
        id: Uuid::now_v7(),
        child_id,
        council_reference: None,
        reason,
        absence_start,
        council_notified_on: absence_start,
        duty_decision: DutyDecision::Accepted,
        duty_decision_reason: None,
        duty_decided_on: Some(absence_start),
        status: if closed_on.is_some() {
            CaseStatus::Closed
        } else {
            CaseStatus::Open
        },
        closure_reason: closed_on.map(|_| ClosureReason::ReturnedToSchool),
        closed_on,
        provision_due_by: None,
        provision_started_on: None,
        wait_days: None,
        wait_as_of: None,
        wait_runs_until: None,
        created_at: now,
        updated_at: now,
    }
}

/// The first child's open health case.
pub(super) fn health_case(absence_start: NaiveDate) -> case::Model {
    case_of(child(1), CaseReason::Health, absence_start, None)
}

/// Full-time tuition on `case` from `start_date`.
pub(super) fn tuition(case: &case::Model, start_date: NaiveDate) -> provision::Model {
    provision::Model {
        tenant_id: case.tenant_id,
        id: Uuid::now_v7(),
        case_id: case.id,
        kind: ProvisionKind::Tuition,
        provider: "Hospital Education Service".into(),
        hours_per_week: 25.0,
        full_time: true,
        reduced_reason: None,
        start_date,
        end_date: None,
    }
}

/// A consultant's letter on `case`.
pub(super) fn letter(
    case: &case::Model,
    evidence_date: NaiveDate,
    valid_until: Option<NaiveDate>,
) -> medical_evidence::Model {
    medical_evidence::Model {
        tenant_id: case.tenant_id,
        id: Uuid::now_v7(),
        case_id: case.id,
        source: EvidenceSource::Consultant,
        category: "oncology".into(),
        evidence_date,
        valid_until,
    }
}

/// An event on `case`'s timeline.
pub(super) fn event(
    case: &case::Model,
    kind: CaseEventKind,
    occurred_on: NaiveDate,
) -> case_event::Model {
    case_event::Model {
        tenant_id: case.tenant_id,
        id: Uuid::now_v7(),
        case_id: case.id,
        kind,
        occurred_on,
        recorded_at: Utc::now(),
        recorded_by: "caseworker".into(),
        provision_id: None,
    }
}
