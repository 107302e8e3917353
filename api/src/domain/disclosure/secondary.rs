//! Secondary suppression (docs/domain.md, "Disclosure control", "Secondary suppression"): hide
//! enough further cells that no suppressed cell can be recovered by adding and subtracting the
//! visible cells and totals of the whole table, and of its earlier revisions.
//!
//! First the line rule practitioners use: where a line (a council's breakdown and its total, a
//! category across councils and its group total, the councils' totals and the grand total) has
//! one unknown, suppress its next smallest non-zero cell. That misses what only shows across
//! lines (a bridge in a 2-D table's suppression graph), so then the exact audit runs over every
//! line at once, and each cell it can recover gets a neighbour suppressed, until it passes: for
//! the table alone, then (for a correction) together with the earlier revisions. Last, cells
//! suppressed to protect others that every reader can work out anyway are shown again.
//!
//! Zeros are never chosen: every suppressed cell then holds a positive count, so a direction
//! that moves one unknown (which the audit guarantees exists) moves only positive cells, and
//! non-negativity cannot pin any suppressed cell either.

use std::collections::HashSet;

use super::layout::{CellKey, Layout};
use super::primary::{is_primary_suppressed, protect_count};
use super::revision::{AuditOutcome, Revisions};
use super::rules::DisclosureRules;
use super::symbol::{Published, Symbol};
use super::table::{CountTable, ProtectedCountRow, ProtectedCountTable};

/// Primary + secondary suppression over every margin at once; with `previous` (the earlier
/// revision of the same table), the result reveals nothing the earlier one suppressed when the
/// two are differenced.
///
/// Group cells are the true sums, rounded like any other count (not sums of rounded cells, as
/// OpenSAFELY does): each published figure is then within half a base of the truth, and the
/// audit already assumes a reader who knows visible cells exactly, so rounding is not what
/// protects anyone here.
pub fn protect_counts(
    rules: &DisclosureRules,
    table: &CountTable,
    previous: Option<&ProtectedCountTable>,
) -> ProtectedCountTable {
    let layout = Layout::build(table);
    let earlier: Vec<(Layout, Vec<bool>)> = previous
        .map(|previous| {
            previous
                .revisions()
                .into_iter()
                .map(|revision| {
                    let layout = Layout::build(&revision.source);
                    let suppressed = layout.suppressed_in(revision);
                    (layout, suppressed)
                })
                .collect()
        })
        .unwrap_or_default();

    let mut suppressed: Vec<bool> = layout
        .cells
        .iter()
        .map(|cell| !cell.hidden && is_primary_suppressed(rules, cell.value))
        .collect();
    // Once suppressed, always suppressed: showing it now would give the earlier value away
    // whenever it did not change.
    let carried: HashSet<&CellKey> = earlier
        .iter()
        .flat_map(|(layout, suppressed)| {
            layout
                .cells
                .iter()
                .zip(suppressed)
                .filter(|(_, suppressed)| **suppressed)
                .map(|(cell, _)| &cell.key)
        })
        .collect();
    let sensitive = suppressed.clone();
    let carried: Vec<bool> = layout
        .cells
        .iter()
        .map(|cell| !cell.hidden && carried.contains(&cell.key))
        .collect();
    for (suppressed, carried) in suppressed.iter_mut().zip(&carried) {
        *suppressed |= *carried;
    }

    let lines_of = layout.lines_of_cells();
    complete_lines(&layout, &mut suppressed);
    // First as a table on its own, as a reader of this revision alone sees it...
    let alone = Revisions::new(Vec::new(), layout.clone());
    settle(&alone, &lines_of, &sensitive, &|_| true, &mut suppressed);
    // ...then together with every earlier revision, where suppressing a cell an earlier
    // revision shows (with the same value) would hide nothing.
    let together = (!earlier.is_empty()).then(|| Revisions::new(earlier, layout));
    if let Some(together) = &together {
        let shown_earlier: Vec<bool> = (0..suppressed.len())
            .map(|cell| together.shown_earlier(cell))
            .collect();
        settle(
            together,
            &lines_of,
            &sensitive,
            &|cell| !shown_earlier[cell],
            &mut suppressed,
        );
    }
    // A cell suppressed only to protect others, that every reader can work out anyway,
    // protects nothing: show it (showing what is determined reveals nothing more, so every
    // other cell stays as protected as it was). A cell kept `c` because an earlier revision
    // suppressed it stays `c` whatever its corrected value.
    let mut determined: Vec<bool> = vec![true; suppressed.len()];
    for revisions in std::iter::once(&alone).chain(together.as_ref()) {
        let outcome = revisions.audit(&suppressed, &sensitive);
        for (cell, determined) in determined.iter_mut().enumerate() {
            *determined &= revisions
                .current_quantity(cell)
                .is_some_and(|q| outcome.determined[q]);
        }
    }
    for cell in 0..suppressed.len() {
        if suppressed[cell] && !sensitive[cell] && !carried[cell] && determined[cell] {
            suppressed[cell] = false;
        }
    }
    publish(rules, table, alone.current(), &suppressed, previous)
}

/// Adds suppressions until the audit of `revisions` recovers no small count of the current
/// revision and no cell an earlier revision suppressed, choosing only `available` cells.
fn settle(
    revisions: &Revisions,
    lines_of: &[Vec<usize>],
    sensitive: &[bool],
    available: &dyn Fn(usize) -> bool,
    suppressed: &mut [bool],
) {
    loop {
        let outcome = revisions.audit(suppressed, sensitive);
        if outcome.failing.is_empty() {
            return;
        }
        if !suppress_beside(revisions, lines_of, &outcome, available, suppressed)
            && !suppress_near_determined(revisions, lines_of, &outcome, available, suppressed)
            && !suppress_every_non_zero(revisions.current(), available, suppressed)
        {
            // Everything this revision could hide is hidden: what is left recoverable comes
            // from earlier revisions (docs/domain.md, "Disclosure control", "Limits").
            return;
        }
    }
}

/// Whether a cell is an unknown to a reader of this revision alone.
fn unknown(layout: &Layout, suppressed: &[bool], cell: usize) -> bool {
    let value = layout.cells[cell].value;
    value != 0 && (suppressed[cell] || layout.cells[cell].hidden)
}

/// The smallest non-zero visible cell among `cells` that is `available` (the earliest of
/// equals).
fn smallest_visible(
    layout: &Layout,
    suppressed: &[bool],
    available: &dyn Fn(usize) -> bool,
    cells: impl IntoIterator<Item = usize>,
) -> Option<usize> {
    cells
        .into_iter()
        .filter(|&cell| {
            !suppressed[cell]
                && !layout.cells[cell].hidden
                && layout.cells[cell].value != 0
                && available(cell)
        })
        .min_by_key(|&cell| (layout.cells[cell].value, cell))
}

/// The line rule: wherever a line's only unknown is a suppressed cell, suppress the line's next
/// smallest non-zero cell, until no line has a lone suppressed cell.
fn complete_lines(layout: &Layout, suppressed: &mut [bool]) {
    loop {
        let mut changed = false;
        for line in &layout.lines {
            let cells = || std::iter::once(line.whole).chain(line.parts.iter().copied());
            let mut unknowns = cells().filter(|&cell| unknown(layout, suppressed, cell));
            let (Some(lone), None) = (unknowns.next(), unknowns.next()) else {
                continue;
            };
            if layout.cells[lone].hidden {
                continue;
            }
            if let Some(partner) = smallest_visible(layout, suppressed, &|_| true, cells()) {
                suppressed[partner] = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// For each recoverable quantity, suppresses the smallest non-zero visible cell on a line
/// through it in the current revision (or, when it is not in the current revision, through
/// any quantity the audit can recover); one per line per round. Whether any was added.
fn suppress_beside(
    revisions: &Revisions,
    lines_of: &[Vec<usize>],
    outcome: &AuditOutcome,
    available: &dyn Fn(usize) -> bool,
    suppressed: &mut [bool],
) -> bool {
    let layout = revisions.current();
    let cells_of = |wanted: &dyn Fn(usize) -> bool| -> Vec<usize> {
        (0..layout.cells.len())
            .filter(|&cell| revisions.current_quantity(cell).is_some_and(wanted))
            .collect()
    };
    let mut touched: HashSet<usize> = HashSet::new();
    let mut added = false;
    for &failing in &outcome.failing {
        let mut cells = cells_of(&|q| q == failing);
        if cells.is_empty() {
            cells = cells_of(&|q| outcome.determined[q]);
        }
        let lines: Vec<usize> = cells
            .iter()
            .flat_map(|&cell| lines_of[cell].iter().copied())
            .collect();
        if lines.iter().any(|line| touched.contains(line)) {
            continue;
        }
        let neighbours = lines.iter().flat_map(|&line| {
            let line = &layout.lines[line];
            std::iter::once(line.whole).chain(line.parts.iter().copied())
        });
        if let Some(cell) = smallest_visible(layout, suppressed, available, neighbours) {
            suppressed[cell] = true;
            touched.extend(lines_of[cell].iter().copied());
            added = true;
        }
    }
    added
}

/// When no recoverable cell has a candidate on its own lines: the smallest non-zero visible
/// cell on a line through any cell the audit can recover. Whether one was found.
fn suppress_near_determined(
    revisions: &Revisions,
    lines_of: &[Vec<usize>],
    outcome: &AuditOutcome,
    available: &dyn Fn(usize) -> bool,
    suppressed: &mut [bool],
) -> bool {
    let layout = revisions.current();
    let neighbours = (0..layout.cells.len())
        .filter(|&cell| {
            revisions
                .current_quantity(cell)
                .is_some_and(|q| outcome.determined[q])
        })
        .flat_map(|cell| lines_of[cell].iter().copied())
        .flat_map(|line| {
            let line = &layout.lines[line];
            std::iter::once(line.whole).chain(line.parts.iter().copied())
        });
    match smallest_visible(layout, suppressed, available, neighbours) {
        Some(cell) => {
            suppressed[cell] = true;
            true
        }
        None => false,
    }
}

/// The last resort, which always passes a single revision's audit: every non-zero cell hidden.
fn suppress_every_non_zero(
    layout: &Layout,
    available: &dyn Fn(usize) -> bool,
    suppressed: &mut [bool],
) -> bool {
    let mut added = false;
    for (i, cell) in layout.cells.iter().enumerate() {
        if !suppressed[i] && !cell.hidden && cell.value != 0 && available(i) {
            suppressed[i] = true;
            added = true;
        }
    }
    added
}

fn publish(
    rules: &DisclosureRules,
    table: &CountTable,
    layout: &Layout,
    suppressed: &[bool],
    previous: Option<&ProtectedCountTable>,
) -> ProtectedCountTable {
    const X: Published = Published::Symbol(Symbol::NotAvailable);
    let shown = |cell: Option<usize>| match cell {
        Some(cell) if layout.cells[cell].hidden => X,
        Some(cell) if suppressed[cell] => Published::Symbol(Symbol::Suppressed),
        Some(cell) => protect_count(rules, layout.cells[cell].value),
        None => X,
    };
    let rows = table
        .rows
        .iter()
        .enumerate()
        .map(|(r, _)| ProtectedCountRow {
            total: shown(layout.row_total[r]),
            categories: table
                .breakdowns
                .iter()
                .enumerate()
                .map(|(b, shape)| match &layout.row_categories[r][b] {
                    Some(cells) => cells.iter().map(|&cell| shown(Some(cell))).collect(),
                    None => vec![X; shape.categories.len()],
                })
                .collect(),
        })
        .collect();
    let group_categories = layout
        .group_categories
        .iter()
        .map(|group| group.iter().map(|&cell| shown(cell)).collect())
        .collect();
    ProtectedCountTable {
        rows,
        group_categories,
        group_total: shown(layout.group_total),
        source: table.clone(),
        earlier: previous.map(|previous| Box::new(previous.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::disclosure::table::{BreakdownShape, CountRow};

    const C: Published = Published::Symbol(Symbol::Suppressed);
    const X: Published = Published::Symbol(Symbol::NotAvailable);

    fn count(value: i64) -> Published {
        Published::Count(value)
    }

    /// One breakdown ("need") with categories a, b, c...; each row's total is its sum.
    fn table(rows: &[&[i64]]) -> CountTable {
        let width = rows.first().map_or(0, |row| row.len());
        CountTable {
            breakdowns: vec![BreakdownShape {
                name: "need".into(),
                categories: (0..width)
                    .map(|j| format!("{}", (b'a' + j as u8) as char))
                    .collect(),
            }],
            rows: rows
                .iter()
                .map(|row| CountRow {
                    total: Some(row.iter().sum()),
                    categories: vec![Some(row.to_vec())],
                })
                .collect(),
        }
    }

    fn suppressed_cells(protected: &ProtectedCountTable) -> Vec<(usize, usize)> {
        let mut cells = Vec::new();
        for (r, row) in protected.rows.iter().enumerate() {
            for (j, cell) in row.categories[0].iter().enumerate() {
                if cell.is_suppressed() {
                    cells.push((r, j));
                }
            }
        }
        cells
    }

    fn passes_audit(protected: &ProtectedCountTable) -> bool {
        let earlier = protected
            .earlier
            .as_deref()
            .map(|earlier| {
                earlier
                    .revisions()
                    .into_iter()
                    .map(|revision| {
                        let layout = Layout::build(&revision.source);
                        let suppressed = layout.suppressed_in(revision);
                        (layout, suppressed)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let layout = Layout::build(&protected.source);
        let suppressed = layout.suppressed_in(protected);
        let protect = suppressed.clone();
        Revisions::new(earlier, layout)
            .audit(&suppressed, &protect)
            .failing
            .is_empty()
    }

    #[test]
    fn a_table_of_large_counts_is_only_rounded() {
        let protected = protect_counts(
            &DisclosureRules::default(),
            &table(&[&[12, 20], &[33, 48]]),
            None,
        );
        assert_eq!(protected.rows[0].categories[0], vec![count(10), count(20)]);
        assert_eq!(protected.rows[0].total, count(30));
        assert_eq!(protected.rows[1].total, count(80));
        assert_eq!(protected.group_categories[0], vec![count(45), count(70)]);
        // The grand total is the true 113 rounded, not the sum of the rounded totals (110).
        assert_eq!(protected.group_total, count(115));
    }

    #[test]
    fn a_lone_suppressed_cell_takes_the_next_smallest_non_zero_cell_with_it() {
        let rules = DisclosureRules::default();
        let protected = protect_counts(&rules, &table(&[&[3, 0, 40, 12], &[30, 0, 50, 60]]), None);
        // 3 is primary; the zero beside it is never suppressed; 12 is the next smallest.
        assert_eq!(
            protected.rows[0].categories[0],
            vec![C, count(0), count(40), C]
        );
        assert!(passes_audit(&protected));
    }

    #[test]
    fn zeros_are_never_suppressed() {
        let protected = protect_counts(
            &DisclosureRules::default(),
            &table(&[&[5, 0, 0], &[0, 9, 0], &[0, 0, 2]]),
            None,
        );
        for row in &protected.rows {
            for (cell, shown) in row.categories[0].iter().zip([0, 1, 2]) {
                let _ = shown;
                assert_ne!(cell, &count(5));
            }
        }
        assert_eq!(protected.rows[0].categories[0][1], count(0));
        assert_eq!(protected.rows[2].categories[0][0], count(0));
        assert!(passes_audit(&protected));
    }

    /// Two 2×2 cycles of small counts joined by one more small count, (row 2, column c): every
    /// line has at least two suppressed cells, so the line rule sees nothing wrong, but the
    /// joining cell is a bridge in the suppression graph: rows 1 and 2's totals minus their
    /// visible cells, less columns a and b's, leave exactly it.
    fn bridged_table() -> CountTable {
        table(&[
            &[3, 2, 20, 30],
            &[4, 5, 6, 25],
            &[40, 12, 3, 4],
            &[15, 30, 5, 2],
        ])
    }

    #[test]
    fn the_line_rule_leaves_a_bridge_that_the_audit_catches() {
        let rules = DisclosureRules::default();
        let layout = Layout::build(&bridged_table());
        let mut suppressed: Vec<bool> = layout
            .cells
            .iter()
            .map(|cell| is_primary_suppressed(&rules, cell.value))
            .collect();
        let primary = suppressed.clone();
        complete_lines(&layout, &mut suppressed);
        assert_eq!(suppressed, primary, "the line rule adds nothing");
        let bridge = layout
            .cells
            .iter()
            .position(|cell| cell.key == CellKey::RowCategory(1, "need".into(), "c".into()))
            .unwrap();
        let revisions = Revisions::new(Vec::new(), layout);
        let outcome = revisions.audit(&suppressed, &suppressed);
        assert_eq!(
            outcome.failing,
            vec![revisions.current_quantity(bridge).unwrap()]
        );
    }

    #[test]
    fn the_bridge_is_protected_by_one_more_suppression() {
        let protected = protect_counts(&DisclosureRules::default(), &bridged_table(), None);
        let primary = [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
        ];
        let mut suppressed = suppressed_cells(&protected);
        assert!(primary.iter().all(|cell| suppressed.contains(cell)));
        suppressed.retain(|cell| !primary.contains(cell));
        // The smallest visible cell on the bridge's row or column: 20 in row 1, column c.
        assert_eq!(suppressed, vec![(0, 2)]);
        assert!(passes_audit(&protected));
    }

    #[test]
    fn cells_not_returned_are_x_and_a_missing_total_is_x_but_still_linked() {
        let mut table = table(&[&[3, 20], &[30, 40], &[10, 12]]);
        table.rows[1].categories = vec![None];
        table.rows[2].total = None;
        let protected = protect_counts(&DisclosureRules::default(), &table, None);
        assert_eq!(protected.rows[1].categories[0], vec![X, X]);
        assert_eq!(protected.rows[1].total, count(70));
        assert_eq!(protected.rows[2].total, X);
        // Group categories sum the councils that returned the breakdown (rows 1 and 3), the
        // grand total the councils that returned a total (rows 1 and 2).
        assert_eq!(protected.group_total, count(95));
        assert!(passes_audit(&protected));
    }

    #[test]
    fn an_empty_table_publishes_x_totals() {
        let table = CountTable {
            breakdowns: Vec::new(),
            rows: vec![CountRow {
                total: None,
                categories: Vec::new(),
            }],
        };
        let protected = protect_counts(&DisclosureRules::default(), &table, None);
        assert_eq!(protected.rows[0].total, X);
        assert_eq!(protected.group_total, X);
    }

    #[test]
    fn a_correction_keeps_what_the_first_revision_suppressed() {
        let rules = DisclosureRules::default();
        let first = protect_counts(&rules, &table(&[&[3, 10], &[20, 30]]), None);
        assert_eq!(
            suppressed_cells(&first),
            vec![(0, 0), (0, 1), (1, 0), (1, 1)]
        );
        // The 3 was wrong: it is 9, which on its own would be shown as 10.
        let corrected = table(&[&[9, 10], &[20, 30]]);

        // Protected without the first revision, everything else is shown, and the first
        // revision's council total (15, i.e. 13) less the now-visible 10 gives its 3 back.
        let careless = protect_counts(&rules, &corrected, None);
        assert!(suppressed_cells(&careless).is_empty());
        let careless = ProtectedCountTable {
            earlier: Some(Box::new(first.clone())),
            ..careless
        };
        assert!(
            !passes_audit(&careless),
            "differencing the two revisions recovers the 3"
        );

        let second = protect_counts(&rules, &corrected, Some(&first));
        assert_eq!(
            suppressed_cells(&second),
            vec![(0, 0), (0, 1), (1, 0), (1, 1)]
        );
        assert!(passes_audit(&second));
        assert_eq!(second.revisions().len(), 2);
        assert_eq!(second.revisions()[0], &first);
    }
}
