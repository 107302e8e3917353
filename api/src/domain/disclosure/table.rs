//! The shapes a release's count figure goes in and comes out as (docs/domain.md, "Disclosure
//! control").

use super::symbol::Published;

/// A breakdown shown in a table (e.g. "sex"), with its categories in release order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakdownShape {
    pub name: String,
    pub categories: Vec<String>,
}

/// One count figure (one metric definition version) for one like-for-like group of councils.
///
/// Names of breakdowns, and of categories within a breakdown, are unique. To protect a later
/// revision, rows are matched by position and breakdowns and categories by name: keep every
/// council at the same row index in every revision (a council absent from one revision, or on
/// another definition version, is a row with everything `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountTable {
    /// The breakdowns shown (e.g. "sex", "year_group"), each with its categories in order.
    pub breakdowns: Vec<BreakdownShape>,
    /// One row per council, in release order.
    pub rows: Vec<CountRow>,
}

/// One council's cells of a [`CountTable`]: true counts, never published as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountRow {
    /// The council's total; None when it did not return this figure (published as `x`).
    pub total: Option<i64>,
    /// Per breakdown (order of `breakdowns`), per category; None when not returned (`x`).
    /// When present, a breakdown's categories sum to `total` (the caller validates this), and
    /// there is one count per category of the breakdown (a list of another length is taken as
    /// not returned).
    pub categories: Vec<Option<Vec<i64>>>,
}

/// One council's published cells.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtectedCountRow {
    pub total: Published,
    /// Per breakdown, per category (`x` cells when not returned).
    pub categories: Vec<Vec<Published>>,
}

/// A [`CountTable`] after primary and secondary suppression: what a release publishes, and what
/// protects its later revisions.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtectedCountTable {
    /// One per row of the table, in the same order (`x` cells when not returned).
    pub rows: Vec<ProtectedCountRow>,
    /// The group's total per breakdown category: sum over the councils that returned that
    /// breakdown (`x` when none did).
    pub group_categories: Vec<Vec<Published>>,
    /// The group's grand total: sum of the returned council totals (`x` when none were).
    pub group_total: Published,
    /// The TRUE table this revision was protected from, which a later revision must be audited
    /// against. Keep it in memory for the compile (or rebuild it from the return versions a stored
    /// release recorded); never publish it or store it in a shared table.
    pub source: CountTable,
    /// The revision before this one, if any (with its own `source` and `earlier`). A stored
    /// release is restored for a correction by building this struct from its published cells,
    /// its source and its earlier revisions.
    pub earlier: Option<Box<ProtectedCountTable>>,
}

impl ProtectedCountTable {
    /// This revision and every earlier one, oldest first.
    pub fn revisions(&self) -> Vec<&ProtectedCountTable> {
        let mut chain = vec![self];
        let mut current = self;
        while let Some(earlier) = current.earlier.as_deref() {
            chain.push(earlier);
            current = earlier;
        }
        chain.reverse();
        chain
    }
}
