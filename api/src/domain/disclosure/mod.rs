//! Disclosure control of the figures partnerships share (docs/domain.md, "Disclosure
//! control"): pure rules, no storage. The release compiler calls [`protect_counts`] for each
//! count figure of a like-for-like group and [`protect_measure`] for each derived statistic.

/// The exact differencing audit: which unknowns a linear system determines.
mod audit;
/// A count table's cells and the lines that link them.
mod layout;
/// Primary suppression and rounding of single figures.
pub mod primary;
/// Auditing a revision together with the earlier ones.
mod revision;
/// The partnership's threshold and rounding base.
pub mod rules;
/// Secondary suppression over the whole table: the line rule, then the audit until it passes.
pub mod secondary;
/// DfE symbols and a published value-or-symbol.
pub mod symbol;
/// The tables going in and coming out.
pub mod table;

/// The property test of the whole module, with its own independent checker.
#[cfg(test)]
mod properties;

pub use primary::{
    MeasureCell, protect_count, protect_measure, protect_measure_beside, round_count,
};
pub use rules::{DisclosureRules, DisclosureRulesError};
pub use secondary::protect_counts;
pub use symbol::{Published, Symbol};
pub use table::{BreakdownShape, CountRow, CountTable, ProtectedCountRow, ProtectedCountTable};
