//! The partnership hub: a GraphQL API where councils keep identifiable case data in their own
//! tenant and share only disclosure-controlled figures.

/// JWT verification across issuers, principals and roles.
pub mod auth;
/// Settings from defaults, a TOML file, the environment and flags.
pub mod config;
/// Pure domain logic: UPNs, LA codes, validation, reference data.
pub mod domain;
/// The one error type and the policy for what clients see.
pub mod error;
/// The GraphQL schema: thin resolvers over services.
pub mod graphql;
/// Routes, handlers and middleware.
pub mod http;
/// Services, one per noun, over the store.
pub mod service;
/// Assembling and running a server.
pub mod startup;
/// Logging setup.
pub mod telemetry;
/// The tenant scope: the one place `tenant_id` is applied.
pub mod tenancy;

/// The server's allocator, for every binary linking this crate (the server, its tests and the
/// benchmark): under concurrent requests glibc's malloc took about a fifth of the server's CPU
/// (perf, BENCHMARKS.md); mimalloc serves the same load with ~20% more requests a second.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
