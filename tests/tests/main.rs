//! Black-box tests of the partnership hub, one module per capability.

mod audit;
mod auth;
mod batch;
mod case;
mod children;
mod council_tables;
mod demo;
mod http;
mod identity;
mod rls;
mod schema;
mod tenant_isolation;
