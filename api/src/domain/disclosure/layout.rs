//! A count table as the audit sees it: cells holding true counts, and the lines (additive
//! relations `whole = sum of parts`) that a reader of the published table knows hold between
//! them (docs/domain.md, "Disclosure control", "Secondary suppression").

use super::table::{CountTable, ProtectedCountTable};

/// Where a cell sits, stable across revisions: rows by position, breakdowns and categories by
/// name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum CellKey {
    RowTotal(usize),
    RowCategory(usize, String, String),
    GroupCategory(String, String),
    GroupTotal,
}

/// One figure of the table that exists (cells not returned are not cells: they are `x` and
/// take part in no line).
#[derive(Clone, Debug)]
pub(super) struct Cell {
    pub key: CellKey,
    /// The true count.
    pub value: i64,
    /// A council total it did not return while returning a breakdown: published as `x`, but
    /// a reader knows it exists (the breakdown's sum), so it is an unknown linking the
    /// council's breakdowns.
    pub hidden: bool,
}

/// `whole = sum of parts`, by cell index.
#[derive(Clone, Debug)]
pub(super) struct Line {
    pub whole: usize,
    pub parts: Vec<usize>,
}

/// The cells and lines of one table, with where each published position's cell is.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    pub cells: Vec<Cell>,
    pub lines: Vec<Line>,
    pub row_total: Vec<Option<usize>>,
    /// Per row, per breakdown: the category cells when the breakdown was returned.
    pub row_categories: Vec<Vec<Option<Vec<usize>>>>,
    /// Per breakdown, per category: the group cell when any council returned the breakdown.
    pub group_categories: Vec<Vec<Option<usize>>>,
    pub group_total: Option<usize>,
}

impl Layout {
    pub fn build(table: &CountTable) -> Self {
        let mut layout = Layout {
            cells: Vec::new(),
            lines: Vec::new(),
            row_total: Vec::with_capacity(table.rows.len()),
            row_categories: Vec::with_capacity(table.rows.len()),
            group_categories: Vec::new(),
            group_total: None,
        };
        for (r, row) in table.rows.iter().enumerate() {
            let returned: Vec<Option<&Vec<i64>>> = table
                .breakdowns
                .iter()
                .enumerate()
                .map(|(b, shape)| {
                    row.categories
                        .get(b)
                        .and_then(Option::as_ref)
                        .filter(|values| values.len() == shape.categories.len())
                })
                .collect();
            let first_returned = returned.iter().flatten().next();
            let total = match (row.total, first_returned) {
                (Some(total), _) => Some(layout.push(CellKey::RowTotal(r), total, false)),
                (None, Some(values)) => Some(layout.push(
                    CellKey::RowTotal(r),
                    values.iter().fold(0i64, |sum, v| sum.saturating_add(*v)),
                    true,
                )),
                (None, None) => None,
            };
            layout.row_total.push(total);
            let mut categories = Vec::with_capacity(returned.len());
            for (shape, values) in table.breakdowns.iter().zip(&returned) {
                let cells = values.map(|values| {
                    shape
                        .categories
                        .iter()
                        .zip(values.iter())
                        .map(|(category, value)| {
                            let key = CellKey::RowCategory(r, shape.name.clone(), category.clone());
                            layout.push(key, *value, false)
                        })
                        .collect::<Vec<_>>()
                });
                if let (Some(whole), Some(parts)) = (total, &cells) {
                    layout.lines.push(Line {
                        whole,
                        parts: parts.clone(),
                    });
                }
                categories.push(cells);
            }
            layout.row_categories.push(categories);
        }
        for (b, shape) in table.breakdowns.iter().enumerate() {
            let mut group = Vec::with_capacity(shape.categories.len());
            for (j, category) in shape.categories.iter().enumerate() {
                let parts: Vec<usize> = layout
                    .row_categories
                    .iter()
                    .filter_map(|row| row.get(b).and_then(Option::as_ref).map(|cells| cells[j]))
                    .collect();
                group.push(layout.push_sum(
                    CellKey::GroupCategory(shape.name.clone(), category.clone()),
                    parts,
                ));
            }
            layout.group_categories.push(group);
        }
        let totals: Vec<usize> = layout
            .row_total
            .iter()
            .flatten()
            .copied()
            .filter(|&cell| !layout.cells[cell].hidden)
            .collect();
        layout.group_total = layout.push_sum(CellKey::GroupTotal, totals);
        layout
    }

    fn push(&mut self, key: CellKey, value: i64, hidden: bool) -> usize {
        self.cells.push(Cell { key, value, hidden });
        self.cells.len() - 1
    }

    /// A group cell summing `parts`, with its line; none when nothing contributes.
    fn push_sum(&mut self, key: CellKey, parts: Vec<usize>) -> Option<usize> {
        if parts.is_empty() {
            return None;
        }
        let value = parts.iter().fold(0i64, |sum, &cell| {
            sum.saturating_add(self.cells[cell].value)
        });
        let whole = self.push(key, value, false);
        self.lines.push(Line { whole, parts });
        Some(whole)
    }

    /// For each cell, the lines it lies on.
    pub fn lines_of_cells(&self) -> Vec<Vec<usize>> {
        let mut lines_of = vec![Vec::new(); self.cells.len()];
        for (l, line) in self.lines.iter().enumerate() {
            lines_of[line.whole].push(l);
            for &part in &line.parts {
                lines_of[part].push(l);
            }
        }
        lines_of
    }

    /// Which cells a published revision of this layout's table shows as `c`.
    pub fn suppressed_in(&self, published: &ProtectedCountTable) -> Vec<bool> {
        let mut suppressed = vec![false; self.cells.len()];
        for (r, row) in published.rows.iter().enumerate() {
            if let Some(Some(cell)) = self.row_total.get(r) {
                suppressed[*cell] = row.total.is_suppressed();
            }
            for (b, shown) in row.categories.iter().enumerate() {
                let cells = self.row_categories.get(r).and_then(|row| row.get(b));
                if let Some(Some(cells)) = cells {
                    for (cell, shown) in cells.iter().zip(shown) {
                        suppressed[*cell] = shown.is_suppressed();
                    }
                }
            }
        }
        for (b, shown) in published.group_categories.iter().enumerate() {
            for (j, shown) in shown.iter().enumerate() {
                let cell = self.group_categories.get(b).and_then(|group| group.get(j));
                if let Some(Some(cell)) = cell {
                    suppressed[*cell] = shown.is_suppressed();
                }
            }
        }
        if let Some(cell) = self.group_total {
            suppressed[cell] = published.group_total.is_suppressed();
        }
        suppressed
    }
}
