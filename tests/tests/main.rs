//! Black-box tests of the partnership hub, one module per capability.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed set-up or query should stop the test with its message"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the tests attack the locks with deliberately unscoped and raw queries"
)]

mod audit;
mod auth;
mod batch;
mod browser;
mod case;
mod children;
mod complaint;
mod council_insert;
mod council_tables;
mod demo;
mod fuzz;
mod http;
mod identity;
mod instances;
mod outage;
mod overload;
mod pagination;
mod release;
mod returns;
mod rls;
mod schema;
mod security;
mod tenant_isolation;
