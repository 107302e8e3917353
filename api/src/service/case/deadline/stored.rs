//! What is stored on each case so the store can find and rank cases by their deadlines, and the
//! child's absence episodes it is worked out from: pure, so it is tested here, apart from the
//! refreshes that write it.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::case::{self, CaseReason};
use uuid::Uuid;

use crate::domain::calendar::SchoolCalendar;
use crate::domain::deadline::{self, AbsenceEpisode, DeadlineSettings, ProvisionWait};

/// What is stored on a case so the database can find and rank cases by their deadlines:
/// recomputed whenever something it depends on changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredDeadlines {
    pub provision_due_by: Option<NaiveDate>,
    pub provision_started_on: Option<NaiveDate>,
    pub wait: ProvisionWait,
}

impl StoredDeadlines {
    /// As computed for `case` on `calendar` today.
    pub(crate) fn compute(
        calendar: &SchoolCalendar,
        settings: &DeadlineSettings,
        case: &case::Model,
        episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
        provision_started_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        Self {
            provision_due_by: due_by(calendar, settings, case, episodes),
            provision_started_on,
            wait: ProvisionWait::as_of(
                calendar,
                &episodes_for(case, episodes),
                provision_started_on,
                today,
            ),
        }
    }

    /// As stored on `case`, if they have been computed.
    pub(crate) fn stored(case: &case::Model) -> Option<Self> {
        Some(Self {
            provision_due_by: case.provision_due_by,
            provision_started_on: case.provision_started_on,
            wait: ProvisionWait {
                days_then: case.wait_days?,
                as_of: case.wait_as_of?,
                runs_until: case.wait_runs_until,
            },
        })
    }

    /// Writes these onto a case about to be inserted.
    pub(crate) fn apply(&self, case: &mut case::Model) {
        case.provision_due_by = self.provision_due_by;
        case.provision_started_on = self.provision_started_on;
        case.wait_days = Some(self.wait.days_then);
        case.wait_as_of = Some(self.wait.as_of);
        case.wait_runs_until = self.wait.runs_until;
    }
}

/// Each child's absence episodes, split by whether they are permanent exclusions (which have
/// their own deadline and do not add to health and other absences).
pub(crate) fn episodes_by_child(
    cases: &[case::Model],
) -> HashMap<(Uuid, bool), Vec<AbsenceEpisode>> {
    let mut episodes: HashMap<(Uuid, bool), Vec<AbsenceEpisode>> = HashMap::new();
    for case in cases {
        if let Ok(episode) = AbsenceEpisode::new(case.absence_start, case.closed_on) {
            let exclusion = case.reason == CaseReason::PermanentExclusion;
            episodes
                .entry((case.child_id, exclusion))
                .or_default()
                .push(episode);
        }
    }
    episodes
}

/// The episodes that count towards `case`: its own and the child's earlier ones of the same
/// kind (a later episode must not move an earlier case's deadline).
pub(crate) fn episodes_for(
    case: &case::Model,
    episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
) -> Vec<AbsenceEpisode> {
    let exclusion = case.reason == CaseReason::PermanentExclusion;
    episodes
        .get(&(case.child_id, exclusion))
        .map(|all| {
            all.iter()
                .copied()
                .filter(|e| e.start <= case.absence_start)
                .collect()
        })
        .unwrap_or_default()
}

/// The due date of `case` on `calendar`, counting the child's earlier episodes of the same kind.
fn due_by(
    calendar: &SchoolCalendar,
    settings: &DeadlineSettings,
    case: &case::Model,
    episodes: &HashMap<(Uuid, bool), Vec<AbsenceEpisode>>,
) -> Option<NaiveDate> {
    let rule = if case.reason == CaseReason::PermanentExclusion {
        settings.permanent_exclusion_rule()
    } else {
        settings.health_and_other_rule()
    };
    deadline::provision_due_by(calendar, &episodes_for(case, episodes), rule)
}
