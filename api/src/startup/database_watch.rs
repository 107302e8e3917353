//! Watching the database: the log says once that it cannot be reached and once that it is back,
//! however many requests fail in between (each of those is answered SERVICE_UNAVAILABLE, and
//! logs nothing of its own).
//!
//! A background task pings the database every [`PROBE_INTERVAL`] on a connection of its own, so
//! a pool busy with requests is never mistaken for an outage. [`Availability`] turns the pings
//! into transitions; it is plain state, so its tests feed it outcomes and clocks directly.

use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

/// How often the watcher pings the database.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// How long a ping may take before the database counts as unreachable: a ping answers in
/// milliseconds, so a second without one is an outage (or a database too slow to serve).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// A change in whether the database answers, logged once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// It stopped answering.
    WentDown,
    /// It answers again, after not answering for `down_for`.
    CameBack { down_for: Duration },
}

/// Whether the database answered its last ping, and since when it has not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Availability {
    /// When the first unanswered ping of the current outage was sent; `None` while it answers.
    down_since: Option<Instant>,
}

impl Availability {
    /// Records a ping sent at `at` and whether it was answered; returns the transition it
    /// makes, if any. A database starts out up: the server has just connected to it.
    pub fn observe(&mut self, answered: bool, at: Instant) -> Option<Transition> {
        match (self.down_since, answered) {
            (None, false) => {
                self.down_since = Some(at);
                Some(Transition::WentDown)
            }
            (Some(since), true) => {
                self.down_since = None;
                Some(Transition::CameBack {
                    down_for: at.saturating_duration_since(since),
                })
            }
            _ => None,
        }
    }
}

/// The running watcher; dropping it stops the pings.
#[derive(Debug)]
pub struct DatabaseWatcher {
    task: JoinHandle<()>,
}

impl DatabaseWatcher {
    /// Starts pinging `probe` (a pool of its own, one connection) on the current runtime.
    pub fn start(probe: DatabaseConnection) -> Self {
        Self {
            task: tokio::spawn(watch(probe)),
        }
    }
}

impl Drop for DatabaseWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn watch(probe: DatabaseConnection) {
    let mut availability = Availability::default();
    let mut ticks = tokio::time::interval(PROBE_INTERVAL);
    // After a slow ping, carry on at the interval instead of catching up with a burst.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let sent = ticks.tick().await.into_std();
        let outcome = match tokio::time::timeout(PROBE_TIMEOUT, probe.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
        };
        match (availability.observe(outcome.is_ok(), sent), outcome) {
            (Some(Transition::WentDown), Err(error)) => tracing::error!(
                %error,
                "the database cannot be reached: requests that need it are answered \
                 SERVICE_UNAVAILABLE (HTTP 503) until it is back"
            ),
            (Some(Transition::CameBack { down_for }), _) => tracing::info!(
                down_seconds = down_for.as_secs(),
                "the database is reachable again: serving requests"
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn an_outage_of_many_failed_pings_is_one_transition_down_and_one_back() {
        let start = Instant::now();
        let mut availability = Availability::default();
        let pings = [true, true, false, false, false, false, true, true];
        let transitions: Vec<Transition> = pings
            .iter()
            .enumerate()
            .filter_map(|(n, &answered)| availability.observe(answered, start + seconds(n as u64)))
            .collect();
        assert_eq!(
            transitions,
            [
                Transition::WentDown,
                Transition::CameBack {
                    down_for: seconds(4)
                }
            ]
        );
        assert_eq!(availability, Availability::default(), "up again");
    }

    #[test]
    fn a_database_that_answers_is_up_and_makes_no_transition() {
        let mut availability = Availability::default();
        assert_eq!(availability.observe(true, Instant::now()), None);
        assert_eq!(availability.observe(true, Instant::now()), None);
    }

    #[test]
    fn every_new_outage_is_reported_again() {
        let start = Instant::now();
        let mut availability = Availability::default();
        assert_eq!(
            availability.observe(false, start),
            Some(Transition::WentDown)
        );
        assert!(matches!(
            availability.observe(true, start + seconds(1)),
            Some(Transition::CameBack { .. })
        ));
        assert_eq!(
            availability.observe(false, start + seconds(2)),
            Some(Transition::WentDown)
        );
    }

    #[test]
    fn the_outage_is_timed_from_its_first_failed_ping() {
        let start = Instant::now();
        let mut availability = Availability::default();
        availability.observe(false, start);
        availability.observe(false, start + seconds(5));
        assert_eq!(
            availability.observe(true, start + seconds(12)),
            Some(Transition::CameBack {
                down_for: seconds(12)
            })
        );
    }
}
