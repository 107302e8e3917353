//! Overload and abuse: per-caller rate limits and the cap on requests in flight.
//!
//! A runaway client, a flood of bad tokens or more load than the server can carry is refused at
//! once, with a GraphQL-shaped error and `Retry-After`, instead of slowing every council down.
//!
//! - **Per principal** (issuer and subject): authenticated requests share
//!   `rate_limit.per_principal_per_second` with a burst of `per_principal_burst`.
//! - **Batch upserts** (`upsertChildren`, `upsertCases`) draw on a budget of their own,
//!   `batch_per_minute` per principal, instead of the one above. A request is a batch when the
//!   operation that will run selects one of those fields at its root, found by parsing the query
//!   the way the executor picks its operation, through aliases and fragments; the operation's name
//!   means nothing. Each such field costs one from the budget.
//! - **Without a valid token**, requests are limited per client IP address
//!   (`unauthenticated_per_second`, `unauthenticated_burst`); an IPv6 address counts by its /64,
//!   the block a single subscriber is usually given. The address is the TCP peer's: behind a
//!   reverse proxy every client shares the proxy's address. `X-Forwarded-For` is not read, because
//!   any client can write it.
//!
//! Over a limit the answer is HTTP 429, `RATE_LIMITED`, with `Retry-After`. The limiters are
//! governor's GCRA, keyed; memory stays bounded because [`sweep_periodically`] drops every few
//! seconds the keys whose state is back to fresh (`retain_recent`), so what is held is the callers
//! seen in the last few seconds (and for the batch budget, the last minute).
//!
//! The cap on requests in flight (`server.max_in_flight`) is tower's global concurrency limit
//! behind a load shedder, in the router (`mod.rs`): a request over the cap is answered HTTP 503
//! `SERVICE_UNAVAILABLE` with `Retry-After` at once, never queued (`graphql::shed`).

use std::collections::HashSet;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use axum::http::StatusCode;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::auth::Principal;
use crate::config::RateLimitSettings;
use crate::error::AppError;

/// The root mutation fields that count against the batch budget.
pub const BATCH_FIELDS: [&str; 2] = ["upsertChildren", "upsertCases"];

/// How often keys back to a fresh state are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// A request refused by a limit: the error, and the HTTP status to answer it with
/// (`graphql.rs` renders it).
#[derive(Debug)]
pub struct Refused {
    pub status: StatusCode,
    pub error: AppError,
}

/// Who a rate limit counts: a verified token's issuer and subject.
type PrincipalKey = (String, String);

/// The rate limiters of one server.
pub struct RateLimits {
    /// None when `rate_limit.enabled` is off.
    limiters: Option<Limiters>,
}

struct Limiters {
    principal: DefaultKeyedRateLimiter<PrincipalKey>,
    batch: DefaultKeyedRateLimiter<PrincipalKey>,
    unauthenticated: DefaultKeyedRateLimiter<IpAddr>,
    batch_per_minute: u32,
}

impl RateLimits {
    /// The limiters `settings` describe (none when they are off).
    pub fn new(settings: &RateLimitSettings) -> Self {
        // `Settings::validate` refuses zero limits; a zero that got here anyway counts as one.
        let at_least_one = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let limiters = settings.enabled.then(|| Limiters {
            principal: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(at_least_one(settings.per_principal_per_second))
                    .allow_burst(at_least_one(settings.per_principal_burst)),
            ),
            batch: DefaultKeyedRateLimiter::keyed(Quota::per_minute(at_least_one(
                settings.batch_per_minute,
            ))),
            unauthenticated: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(at_least_one(settings.unauthenticated_per_second))
                    .allow_burst(at_least_one(settings.unauthenticated_burst)),
            ),
            batch_per_minute: settings.batch_per_minute.max(1),
        });
        Self { limiters }
    }

    /// Admits an authenticated `request` from `principal`, or answers it: HTTP 429 over the
    /// principal's budget (its batch budget for a batch upsert), HTTP 400 for a request asking
    /// for more batch upserts at once than a minute allows.
    pub fn admit(
        &self,
        principal: &Principal,
        request: &async_graphql::Request,
    ) -> Result<(), Refused> {
        let Some(limiters) = &self.limiters else {
            return Ok(());
        };
        let key = (principal.issuer.clone(), principal.subject.clone());
        let batches = batch_upserts(request);
        let Some(batches) = NonZeroU32::new(u32::try_from(batches).unwrap_or(u32::MAX)) else {
            let decision = limiters.principal.check_key(&key);
            return refuse_over_limit("principal", decision, limiters.principal.clock());
        };
        match limiters.batch.check_key_n(&key, batches) {
            Ok(decision) => refuse_over_limit("batch", decision, limiters.batch.clock()),
            Err(_) => Err(Refused {
                status: StatusCode::BAD_REQUEST,
                error: AppError::bad_input(
                    "query",
                    format!(
                        "asks for {batches} batch upserts; at most {} are allowed a minute",
                        limiters.batch_per_minute
                    ),
                ),
            }),
        }
    }

    /// Admits a request without a valid token from `peer`, or answers it with HTTP 429. Without
    /// a known peer address every such request shares one budget.
    pub fn admit_unauthenticated(&self, peer: Option<IpAddr>) -> Result<(), Refused> {
        let Some(limiters) = &self.limiters else {
            return Ok(());
        };
        let key = peer.map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), client_key);
        let decision = limiters.unauthenticated.check_key(&key);
        refuse_over_limit(
            "unauthenticated",
            decision,
            limiters.unauthenticated.clock(),
        )
    }

    /// Drops keys whose state is back to fresh, and reports how many remain.
    fn sweep(&self) {
        let Some(limiters) = &self.limiters else {
            return;
        };
        for (kind, keys) in [
            ("principal", limiters.sweep_principal()),
            ("batch", limiters.sweep_batch()),
            ("unauthenticated", limiters.sweep_unauthenticated()),
        ] {
            metrics::gauge!("hub_rate_limit_keys", "kind" => kind).set(keys as f64);
        }
    }
}

/// HTTP 429 with `Retry-After` when `decision` says the caller is over its limit (`kind`, for the
/// metrics); `clock` is the deciding limiter's.
fn refuse_over_limit<T>(
    kind: &'static str,
    decision: Result<T, governor::NotUntil<<DefaultClock as Clock>::Instant>>,
    clock: &DefaultClock,
) -> Result<(), Refused> {
    let Err(not_until) = decision else {
        return Ok(());
    };
    metrics::counter!("hub_rate_limited_total", "kind" => kind).increment(1);
    metrics::counter!("hub_graphql_errors_total", "code" => "RATE_LIMITED").increment(1);
    let error = AppError::RateLimited {
        retry_after_seconds: retry_after(not_until.wait_time_from(clock.now())),
    };
    Err(Refused {
        status: StatusCode::TOO_MANY_REQUESTS,
        error,
    })
}

impl Limiters {
    fn sweep_principal(&self) -> usize {
        self.principal.retain_recent();
        self.principal.shrink_to_fit();
        self.principal.len()
    }

    fn sweep_batch(&self) -> usize {
        self.batch.retain_recent();
        self.batch.shrink_to_fit();
        self.batch.len()
    }

    fn sweep_unauthenticated(&self) -> usize {
        self.unauthenticated.retain_recent();
        self.unauthenticated.shrink_to_fit();
        self.unauthenticated.len()
    }
}

/// Sweeps `limits` every few seconds for as long as it exists (the task ends when the router
/// holding it is dropped). Outside a Tokio runtime it does nothing.
pub fn sweep_periodically(limits: &Arc<RateLimits>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let limits: Weak<RateLimits> = Arc::downgrade(limits);
    runtime.spawn(async move {
        let mut ticks = tokio::time::interval(SWEEP_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match limits.upgrade() {
                Some(limits) => limits.sweep(),
                None => break,
            }
        }
    });
}

/// Whole seconds to wait, rounded up: a client that waits that long is admitted.
fn retry_after(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

/// The address a request without a valid token is counted by: an IPv4 address (IPv4-mapped IPv6
/// addresses included) as it is, an IPv6 address by its /64.
fn client_key(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

/// How many batch upsert fields the operation `request` runs selects at its root: 0 for
/// anything else, including requests that will not run at all (they fail to parse, or name no
/// operation the document has).
pub fn batch_upserts(request: &async_graphql::Request) -> usize {
    // A field's name is written out in the query, so a query without these names cannot select
    // them: most requests are answered without parsing twice.
    if !BATCH_FIELDS.iter().any(|name| request.query.contains(name)) {
        return 0;
    }
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return 0;
    };
    batch_fields_of(&document, request.operation_name.as_deref())
}

/// Counts the batch fields at the root of the operation the executor would pick: the named one
/// when a name is given, else the only one.
fn batch_fields_of(document: &ExecutableDocument, operation_name: Option<&str>) -> usize {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return 0,
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            match operations.values().next() {
                Some(operation) => operation,
                None => return 0,
            }
        }
        _ => return 0,
    };
    if operation.node.ty != OperationType::Mutation {
        return 0;
    }
    let mut fragments_seen = HashSet::new();
    count_root_batch_fields(
        document,
        &operation.node.selection_set.node,
        &mut fragments_seen,
    )
}

/// Root fields stay root fields through fragment spreads and inline fragments; each fragment is
/// followed once, so a cycle (which validation refuses later anyway) cannot loop.
fn count_root_batch_fields<'a>(
    document: &'a ExecutableDocument,
    selection_set: &'a SelectionSet,
    fragments_seen: &mut HashSet<&'a str>,
) -> usize {
    selection_set
        .items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => {
                usize::from(BATCH_FIELDS.contains(&field.node.name.node.as_str()))
            }
            Selection::InlineFragment(fragment) => {
                count_root_batch_fields(document, &fragment.node.selection_set.node, fragments_seen)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match document.fragments.get(name) {
                    Some(fragment) if fragments_seen.insert(name) => count_root_batch_fields(
                        document,
                        &fragment.node.selection_set.node,
                        fragments_seen,
                    ),
                    _ => 0,
                }
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::*;

    fn request(query: &str) -> async_graphql::Request {
        async_graphql::Request::new(query)
    }

    #[test]
    fn ipv4_addresses_are_counted_as_they_are() {
        let peer: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(client_key(peer), peer);
    }

    #[test]
    fn ipv6_addresses_in_one_slash_64_share_a_budget() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let next_block: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(one), client_key(other));
        assert_eq!(client_key(one), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        assert_ne!(client_key(one), client_key(next_block));
    }

    #[test]
    fn an_ipv4_mapped_ipv6_address_counts_as_its_ipv4_address() {
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(client_key(mapped), "203.0.113.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_batch_upsert_is_recognised_by_its_root_field_whatever_the_operation_is_called() {
        let aliased =
            request("mutation ReadChildren { nightly: upsertCases(rows: []) { created } }");
        assert_eq!(batch_upserts(&aliased), 1);
        let two = request(
            "mutation { a: upsertChildren(rows: []) { created } b: upsertCases(rows: []) { created } }",
        );
        assert_eq!(batch_upserts(&two), 2);
    }

    #[test]
    fn a_batch_upsert_hidden_in_fragments_is_still_recognised() {
        let spread = request(
            "mutation { ...Load } fragment Load on Mutation { ... on Mutation { upsertChildren(rows: []) { created } } }",
        );
        assert_eq!(batch_upserts(&spread), 1);
        let cycle = request(
            "mutation { ...A } fragment A on Mutation { upsertCases(rows: []) { created } ...A }",
        );
        assert_eq!(batch_upserts(&cycle), 1);
    }

    #[test]
    fn only_the_operation_that_runs_counts() {
        let document =
            "query Look { me { subject } } mutation Load { upsertCases(rows: []) { created } }";
        assert_eq!(batch_upserts(&request(document).operation_name("Look")), 0);
        assert_eq!(batch_upserts(&request(document).operation_name("Load")), 1);
        // Without a name the executor refuses a document of two operations: nothing runs.
        assert_eq!(batch_upserts(&request(document)), 0);
        assert_eq!(
            batch_upserts(
                &request("mutation Load { upsertCases(rows: []) { created } }")
                    .operation_name("Other")
            ),
            0
        );
    }

    #[test]
    fn reads_and_other_mutations_are_not_batches() {
        for query in [
            "{ me { subject } }",
            "query { upsertCases }",
            "mutation { createChild(input: {}) { id } }",
            "mutation { createChild(input: { givenName: \"upsertCases\" }) { id } }",
            "mutation { upsertCases(",
        ] {
            assert_eq!(batch_upserts(&request(query)), 0, "{query}");
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        assert_eq!(retry_after(Duration::ZERO), 1);
        assert_eq!(retry_after(Duration::from_millis(200)), 1);
        assert_eq!(retry_after(Duration::from_millis(1_001)), 2);
        assert_eq!(retry_after(Duration::from_secs(30)), 30);
    }

    fn principal(subject: &str) -> Principal {
        Principal {
            subject: subject.into(),
            issuer: "https://idp.kent.example".into(),
            affiliation: crate::auth::Affiliation::Council {
                council_id: uuid::Uuid::nil(),
                la_code: "886".into(),
            },
            roles: Default::default(),
        }
    }

    fn tight() -> RateLimitSettings {
        RateLimitSettings {
            enabled: true,
            per_principal_per_second: 1,
            per_principal_burst: 2,
            batch_per_minute: 1,
            unauthenticated_per_second: 1,
            unauthenticated_burst: 1,
        }
    }

    #[test]
    fn principals_are_keyed_by_issuer_and_subject() {
        let limits = RateLimits::new(&tight());
        let read = request("{ me { subject } }");
        let officer = principal("officer-17");
        assert!(limits.admit(&officer, &read).is_ok());
        assert!(limits.admit(&officer, &read).is_ok());
        let refused = limits.admit(&officer, &read).unwrap_err().into_response();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()["retry-after"], "1");
        // A colleague, and the same subject from another issuer, have budgets of their own.
        assert!(limits.admit(&principal("officer-18"), &read).is_ok());
        let mut elsewhere = principal("officer-17");
        elsewhere.issuer = "https://idp.surrey.example".into();
        assert!(limits.admit(&elsewhere, &read).is_ok());
    }

    #[test]
    fn batches_draw_on_their_own_budget() {
        let limits = RateLimits::new(&tight());
        let service = principal("nightly-load");
        let batch = request("mutation { upsertCases(rows: []) { created } }");
        let read = request("{ me { subject } }");
        assert!(limits.admit(&service, &batch).is_ok());
        let refused = limits.admit(&service, &batch).unwrap_err().into_response();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        // One a minute: the client is told to come back in about a minute.
        let retry: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((55..=60).contains(&retry), "{retry}");
        assert!(limits.admit(&service, &read).is_ok());
        let two = request(
            "mutation { a: upsertCases(rows: []) { created } b: upsertCases(rows: []) { created } }",
        );
        assert_eq!(
            limits.admit(&principal("other"), &two).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn switched_off_limits_admit_everything() {
        let limits = RateLimits::new(&RateLimitSettings {
            enabled: false,
            ..tight()
        });
        let read = request("{ me { subject } }");
        for _ in 0..10 {
            assert!(limits.admit(&principal("officer-17"), &read).is_ok());
            assert!(limits.admit_unauthenticated(None).is_ok());
        }
    }

    #[test]
    fn swept_limiters_forget_callers_back_to_a_fresh_state_only() {
        let limits = RateLimits::new(&tight());
        let peer: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(limits.admit_unauthenticated(Some(peer)).is_ok());
        assert!(limits.admit_unauthenticated(Some(peer)).is_err());
        limits.sweep();
        // Still limited: its state is not fresh yet, so the sweep kept it.
        assert!(limits.admit_unauthenticated(Some(peer)).is_err());
        let held = limits.limiters.as_ref().unwrap().unauthenticated.len();
        assert_eq!(held, 1);
    }
}
