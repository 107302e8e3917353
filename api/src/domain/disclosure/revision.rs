//! Revisions audited together (docs/domain.md, "Disclosure control", "Revisions"): a reader who
//! holds every revision of a table, and knows which cells did not change between them, can
//! difference the revisions as well as the lines within each. So the audit runs over one system
//! holding every revision's lines, where a cell whose true value is the same in two revisions is
//! one unknown, known outright if any revision shows it.

use std::collections::HashMap;

use super::audit;
use super::layout::{CellKey, Layout};

/// Every revision's cells as the quantities of one linear system.
pub(super) struct Revisions {
    /// Oldest first; the last is the revision being protected.
    layouts: Vec<Layout>,
    /// Which cells each earlier revision suppressed (published, so fixed).
    earlier_suppressed: Vec<Vec<bool>>,
    /// Per revision, per cell: its quantity; `None` for a zero, which is never a secret (the
    /// primary rule publishes zeros) and so is treated as known.
    quantity: Vec<Vec<Option<usize>>>,
    quantities: usize,
    /// Per quantity: shown by an earlier revision.
    shown_before: Vec<bool>,
}

/// What one audit found.
pub(super) struct AuditOutcome {
    /// Suppressed quantities a reader can recover: each needs more suppression.
    pub failing: Vec<usize>,
    /// Per quantity: unknown to a reader but recoverable by differencing.
    pub determined: Vec<bool>,
}

impl Revisions {
    /// `earlier` holds each earlier revision's layout and published suppression, oldest first.
    pub fn new(earlier: Vec<(Layout, Vec<bool>)>, current: Layout) -> Self {
        let (mut layouts, earlier_suppressed): (Vec<_>, Vec<_>) = earlier.into_iter().unzip();
        layouts.push(current);
        let mut ids: HashMap<(&CellKey, i64), usize> = HashMap::new();
        let mut quantity = Vec::with_capacity(layouts.len());
        for layout in &layouts {
            let of_cells: Vec<Option<usize>> = layout
                .cells
                .iter()
                .map(|cell| {
                    (cell.value != 0).then(|| {
                        let next = ids.len();
                        *ids.entry((&cell.key, cell.value)).or_insert(next)
                    })
                })
                .collect();
            quantity.push(of_cells);
        }
        let quantities = ids.len();
        let mut shown_before = vec![false; quantities];
        for ((layout, quantity), suppressed) in
            layouts.iter().zip(&quantity).zip(&earlier_suppressed)
        {
            for (i, cell) in layout.cells.iter().enumerate() {
                if let Some(q) = quantity[i]
                    && !suppressed.get(i).copied().unwrap_or(false)
                    && !cell.hidden
                {
                    shown_before[q] = true;
                }
            }
        }
        Self {
            layouts,
            earlier_suppressed,
            quantity,
            quantities,
            shown_before,
        }
    }

    /// The revision being protected.
    pub fn current(&self) -> &Layout {
        // `new` always pushes the current layout last.
        &self.layouts[self.layouts.len() - 1]
    }

    /// The quantity of a cell of the current revision (`None` for a zero).
    pub fn current_quantity(&self, cell: usize) -> Option<usize> {
        self.quantity
            .last()
            .and_then(|cells| cells.get(cell).copied().flatten())
    }

    /// Whether a cell of the current revision holds a quantity an earlier revision shows:
    /// suppressing it now would hide nothing.
    pub fn shown_earlier(&self, cell: usize) -> bool {
        self.current_quantity(cell)
            .is_some_and(|q| self.shown_before[q])
    }

    /// Audits every revision together, with `suppressed` the current revision's suppression
    /// and `protect` the current cells that must stay unrecoverable (every cell an earlier
    /// revision suppressed must, too).
    pub fn audit(&self, suppressed: &[bool], protect: &[bool]) -> AuditOutcome {
        let mut known = vec![false; self.quantities];
        let mut secret = vec![false; self.quantities];
        let current = self.layouts.len() - 1;
        let masks = self
            .earlier_suppressed
            .iter()
            .map(Vec::as_slice)
            .chain(std::iter::once(suppressed));
        for (t, ((layout, quantity), mask)) in self
            .layouts
            .iter()
            .zip(&self.quantity)
            .zip(masks)
            .enumerate()
        {
            for (i, cell) in layout.cells.iter().enumerate() {
                let Some(q) = quantity[i] else { continue };
                if mask.get(i).copied().unwrap_or(false) {
                    if t < current || protect.get(i).copied().unwrap_or(true) {
                        secret[q] = true;
                    }
                } else if !cell.hidden {
                    known[q] = true;
                }
            }
        }
        let mut unknown_index = vec![None; self.quantities];
        let mut unknowns = 0;
        for (q, index) in unknown_index.iter_mut().enumerate() {
            if !known[q] {
                *index = Some(unknowns);
                unknowns += 1;
            }
        }
        let mut equations = Vec::new();
        for (layout, quantity) in self.layouts.iter().zip(&self.quantity) {
            for line in &layout.lines {
                let term = |cell: usize, sign: i64| {
                    quantity[cell]
                        .and_then(|q| unknown_index[q])
                        .map(|u| (u, sign))
                };
                let equation: Vec<(usize, i64)> = std::iter::once(term(line.whole, 1))
                    .chain(line.parts.iter().map(|&part| term(part, -1)))
                    .flatten()
                    .collect();
                if !equation.is_empty() {
                    equations.push(equation);
                }
            }
        }
        let solved = audit::determined(unknowns, &equations);
        let determined: Vec<bool> = unknown_index
            .iter()
            .map(|index| index.is_some_and(|u| solved[u]))
            .collect();
        let failing = (0..self.quantities)
            .filter(|&q| secret[q] && determined[q])
            .collect();
        AuditOutcome {
            failing,
            determined,
        }
    }
}
