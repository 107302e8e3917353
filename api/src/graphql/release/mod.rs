//! Releases: compiling (coordinator), disclosure settings, and reading published figures
//! (partnership roles of the partnership, analysts and managers of member councils).

/// The keyset cursor of the releases connection.
mod cursor;
/// Mutations: compileRelease, setDisclosureSettings.
pub mod mutation;
/// Queries: releases, release, disclosureSymbols, disclosureSettings.
pub mod query;
/// Output types: a release, its cells, coverage and revisions, a published value.
mod types;
/// Who may read or compile releases: the preamble of every release resolver.
mod work;
