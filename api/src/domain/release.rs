//! Assembling a release from approved return cells: like-for-like groups, count tables for
//! disclosure control, derived measures, and the published cells (docs/domain.md, "Releases").
//! Pure: the compile service reads and stores, this decides.

use std::collections::{BTreeMap, BTreeSet};

use entity::metric_definition::MetricUnit;
use uuid::Uuid;

use super::disclosure::{
    BreakdownShape, CountRow, CountTable, DisclosureRules, MeasureCell, ProtectedCountRow,
    ProtectedCountTable, Published, Symbol, protect_measure_beside,
};

/// The breakdown and category names of a council's (or the group's) total.
pub const TOTAL: &str = "total";

/// Decimal places measures are published to.
pub const MEASURE_DECIMALS: u32 = 1;

/// One figure of an approved return, as the compiler reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnedCell {
    pub breakdown: String,
    pub category: String,
    pub value: f64,
    pub numerator: Option<i64>,
    pub base: Option<i64>,
}

/// One council's cells for one definition version; `None` when it returned none (published `x`).
pub type CouncilFigures<'a> = Option<&'a [ReturnedCell]>;

/// One published cell of a group: a council's (or, with `council` `None`, the group total's).
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedCell {
    /// Index into the release's council list; `None` for the group total.
    pub council: Option<usize>,
    pub breakdown: String,
    pub category: String,
    pub value: Published,
}

/// The release's like-for-like group key: one definition version.
pub fn group_key(code: &str, version: i32) -> String {
    format!("{code}/v{version}")
}

/// The breakdowns shown for a group: those the definition allows (in its order) that any
/// council returned, each with the union of returned categories (sorted).
pub fn shapes(allowed: &[String], figures: &[CouncilFigures<'_>]) -> Vec<BreakdownShape> {
    let mut categories: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for cells in figures.iter().flatten() {
        for cell in cells.iter() {
            if cell.breakdown != TOTAL && cell.category != TOTAL {
                categories
                    .entry(cell.breakdown.as_str())
                    .or_default()
                    .insert(cell.category.as_str());
            }
        }
    }
    allowed
        .iter()
        .filter_map(|name| {
            categories.get(name.as_str()).map(|found| BreakdownShape {
                name: name.clone(),
                categories: found.iter().map(|c| (*c).to_owned()).collect(),
            })
        })
        .collect()
}

/// A count from a returned value: a whole, non-negative number, or nothing usable.
fn as_count(value: f64) -> Option<i64> {
    (value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < 1e15)
        .then_some(value as i64)
}

/// One council's row of a count table. A breakdown is taken as returned only when its counts
/// are whole and add up to the council's total (a category the council did not list counts as
/// zero); otherwise it is `x`, so nothing inconsistent is ever published or audited.
fn count_row(shapes: &[BreakdownShape], cells: CouncilFigures<'_>) -> CountRow {
    let Some(cells) = cells else {
        return CountRow {
            total: None,
            categories: vec![None; shapes.len()],
        };
    };
    let total = cells
        .iter()
        .find(|c| c.breakdown == TOTAL && c.category == TOTAL)
        .and_then(|c| as_count(c.value));
    let categories = shapes
        .iter()
        .map(|shape| {
            let total = total?;
            let mine: Vec<&ReturnedCell> =
                cells.iter().filter(|c| c.breakdown == shape.name).collect();
            if mine.is_empty() {
                return None;
            }
            let mut counts = vec![0i64; shape.categories.len()];
            for cell in mine {
                if cell.category == TOTAL {
                    continue;
                }
                let at = shape.categories.iter().position(|c| *c == cell.category)?;
                counts[at] = as_count(cell.value)?;
            }
            (counts.iter().sum::<i64>() == total).then_some(counts)
        })
        .collect();
    CountRow { total, categories }
}

/// The count table of a group, one row per council of the release (in release order).
pub fn count_table(shapes: &[BreakdownShape], figures: &[CouncilFigures<'_>]) -> CountTable {
    CountTable {
        breakdowns: shapes.to_vec(),
        rows: figures
            .iter()
            .map(|cells| count_row(shapes, *cells))
            .collect(),
    }
}

/// The published cells of a protected count table: per council its total and categories, then
/// the group's total and categories.
pub fn count_cells(shapes: &[BreakdownShape], table: &ProtectedCountTable) -> Vec<PublishedCell> {
    let mut cells = Vec::new();
    let mut push = |council: Option<usize>, total: &Published, categories: &[Vec<Published>]| {
        cells.push(PublishedCell {
            council,
            breakdown: TOTAL.to_owned(),
            category: TOTAL.to_owned(),
            value: total.clone(),
        });
        for (shape, values) in shapes.iter().zip(categories) {
            for (category, value) in shape.categories.iter().zip(values) {
                cells.push(PublishedCell {
                    council,
                    breakdown: shape.name.clone(),
                    category: category.clone(),
                    value: value.clone(),
                });
            }
        }
    };
    for (index, row) in table.rows.iter().enumerate() {
        push(Some(index), &row.total, &row.categories);
    }
    push(None, &table.group_total, &table.group_categories);
    cells
}

/// A returned measure with what it was built on; `None` when there is no base to judge it by
/// (a measure without its base cannot be checked, so it is not published).
fn measure_of(cell: &ReturnedCell) -> Option<MeasureCell> {
    Some(MeasureCell {
        value: cell.value,
        numerator: cell.numerator,
        base: cell.base?,
    })
}

/// The group's measure over its councils' cells, like for like: percentages and rates from the
/// summed numerators and bases, means weighted by base; medians cannot be combined (`None`).
pub fn combine_measures(unit: MetricUnit, cells: &[MeasureCell]) -> Option<MeasureCell> {
    if cells.is_empty() {
        return None;
    }
    let base: i64 = cells.iter().map(|c| c.base).sum();
    let scale = match unit {
        MetricUnit::Percent => 100.0,
        MetricUnit::RatePer10000 => 10_000.0,
        MetricUnit::Mean => {
            let weighted: f64 = cells.iter().map(|c| c.value * c.base as f64).sum();
            return Some(MeasureCell {
                value: if base == 0 {
                    0.0
                } else {
                    weighted / base as f64
                },
                numerator: None,
                base,
            });
        }
        MetricUnit::Median | MetricUnit::Count => return None,
    };
    let numerator: i64 = cells.iter().map(|c| c.numerator).sum::<Option<i64>>()?;
    Some(MeasureCell {
        value: if base == 0 {
            0.0
        } else {
            scale * numerator as f64 / base as f64
        },
        numerator: Some(numerator),
        base,
    })
}

/// The published cells of a measure group: each council's cells under the primary rule for
/// derived statistics, then the group's. `beside` holds the published cells of the count figures
/// the measure is built on (its numerator's and denominator's) in this release: a measure whose
/// count is `c` at the same place (council, breakdown, category) is `c` too, or the two together
/// would give back what secondary suppression hid.
pub fn measure_cells(
    rules: &DisclosureRules,
    unit: MetricUnit,
    shapes: &[BreakdownShape],
    figures: &[CouncilFigures<'_>],
    beside: &[&[PublishedCell]],
) -> Vec<PublishedCell> {
    let shown = |council: Option<usize>, (breakdown, category): &(String, String)| {
        beside
            .iter()
            .flat_map(|cells| cells.iter())
            .filter(|c| {
                c.council == council && c.breakdown == *breakdown && c.category == *category
            })
            .map(|c| &c.value)
            .collect::<Vec<_>>()
    };
    let mut places = vec![(TOTAL.to_owned(), TOTAL.to_owned())];
    for shape in shapes {
        for category in &shape.categories {
            places.push((shape.name.clone(), category.clone()));
        }
    }
    let find = |cells: CouncilFigures<'_>, (breakdown, category): &(String, String)| {
        cells.and_then(|cells| {
            cells
                .iter()
                .find(|c| c.breakdown == *breakdown && c.category == *category)
                .and_then(measure_of)
        })
    };
    let mut out = Vec::new();
    for (index, cells) in figures.iter().enumerate() {
        for place in &places {
            out.push(PublishedCell {
                council: Some(index),
                breakdown: place.0.clone(),
                category: place.1.clone(),
                value: protect_measure_beside(
                    rules,
                    find(*cells, place).as_ref(),
                    MEASURE_DECIMALS,
                    &shown(Some(index), place),
                ),
            });
        }
    }
    for place in &places {
        let parts: Vec<MeasureCell> = figures.iter().filter_map(|c| find(*c, place)).collect();
        let group = combine_measures(unit, &parts);
        out.push(PublishedCell {
            council: None,
            breakdown: place.0.clone(),
            category: place.1.clone(),
            value: protect_measure_beside(
                rules,
                group.as_ref(),
                MEASURE_DECIMALS,
                &shown(None, place),
            ),
        });
    }
    out
}

/// A stored published cell back as a [`Published`] value.
pub fn published_from(value: Option<f64>, symbol: Option<&str>, unit: MetricUnit) -> Published {
    match (value, symbol.and_then(Symbol::parse)) {
        (_, Some(symbol)) => Published::Symbol(symbol),
        (Some(value), None) if unit == MetricUnit::Count => Published::Count(value as i64),
        (Some(value), None) => Published::Measure(value),
        (None, None) => Published::Symbol(Symbol::NotAvailable),
    }
}

/// A published value as stored: exactly one of a value and a symbol code.
pub fn stored(value: &Published) -> (Option<f64>, Option<&'static str>) {
    match value {
        Published::Count(n) => (Some(*n as f64), None),
        Published::Measure(v) => (Some(*v), None),
        Published::Symbol(s) => (None, Some(s.code())),
    }
}

/// An earlier revision's protected count table, rebuilt from its stored cells (the published
/// side), the true table it was compiled from, and the revision before it, with `rows` rows
/// (later revisions may list more councils: the extra rows are `x`).
pub fn restore_protected(
    shapes: &[BreakdownShape],
    cells: &[PublishedCell],
    source: CountTable,
    earlier: Option<ProtectedCountTable>,
    rows: usize,
) -> ProtectedCountTable {
    let x = || Published::Symbol(Symbol::NotAvailable);
    let blank = || ProtectedCountRow {
        total: x(),
        categories: shapes
            .iter()
            .map(|s| vec![x(); s.categories.len()])
            .collect(),
    };
    let mut restored = ProtectedCountTable {
        rows: (0..rows).map(|_| blank()).collect(),
        group_categories: blank().categories,
        group_total: x(),
        source,
        earlier: earlier.map(Box::new),
    };
    for cell in cells {
        let target = match cell.council {
            Some(index) => match restored.rows.get_mut(index) {
                Some(row) => (&mut row.total, &mut row.categories),
                None => continue,
            },
            None => (&mut restored.group_total, &mut restored.group_categories),
        };
        if cell.breakdown == TOTAL {
            *target.0 = cell.value.clone();
            continue;
        }
        let Some(b) = shapes.iter().position(|s| s.name == cell.breakdown) else {
            continue;
        };
        let Some(c) = shapes[b]
            .categories
            .iter()
            .position(|c| *c == cell.category)
        else {
            continue;
        };
        target.1[b][c] = cell.value.clone();
    }
    restored
}

/// Pads a true table with `x` rows to `rows` rows (a later revision listing more councils).
pub fn pad_source(mut table: CountTable, rows: usize) -> CountTable {
    let width = table.breakdowns.len();
    while table.rows.len() < rows {
        table.rows.push(CountRow {
            total: None,
            categories: vec![None; width],
        });
    }
    table
}

/// The shapes of a stored group, from its cells' breakdowns and categories in order.
pub fn shapes_of(cells: &[PublishedCell]) -> Vec<BreakdownShape> {
    let mut shapes: Vec<BreakdownShape> = Vec::new();
    for cell in cells.iter().filter(|c| c.council.is_none()) {
        if cell.breakdown == TOTAL {
            continue;
        }
        match shapes.iter_mut().find(|s| s.name == cell.breakdown) {
            Some(shape) if !shape.categories.contains(&cell.category) => {
                shape.categories.push(cell.category.clone())
            }
            Some(_) => {}
            None => shapes.push(BreakdownShape {
                name: cell.breakdown.clone(),
                categories: vec![cell.category.clone()],
            }),
        }
    }
    shapes
}

/// The release's councils in row order: an earlier revision's order first (so every council
/// keeps its row in every revision), then members new to this one.
pub fn council_order(earlier: &[Uuid], members_in_order: &[Uuid]) -> Vec<Uuid> {
    let mut order = earlier.to_vec();
    for member in members_in_order {
        if !order.contains(member) {
            order.push(*member);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::disclosure::protect_counts;

    fn cell(breakdown: &str, category: &str, value: f64) -> ReturnedCell {
        ReturnedCell {
            breakdown: breakdown.into(),
            category: category.into(),
            value,
            numerator: None,
            base: None,
        }
    }

    fn by_sex(total: f64, female: f64, male: f64) -> Vec<ReturnedCell> {
        vec![
            cell(TOTAL, TOTAL, total),
            cell("sex", "female", female),
            cell("sex", "male", male),
        ]
    }

    #[test]
    fn a_breakdown_is_shown_when_the_definition_allows_it_and_someone_returned_it() {
        let kent = by_sex(30.0, 10.0, 20.0);
        let shapes = shapes(
            &["sex".into(), "year_group".into()],
            &[Some(&kent[..]), None],
        );
        assert_eq!(shapes.len(), 1);
        assert_eq!(shapes[0].name, "sex");
        assert_eq!(shapes[0].categories, ["female", "male"]);
    }

    #[test]
    fn a_council_that_returned_nothing_is_a_row_of_nothing() {
        let kent = by_sex(30.0, 10.0, 20.0);
        let figures = [Some(&kent[..]), None];
        let table = count_table(&shapes(&["sex".into()], &figures), &figures);
        assert_eq!(table.rows[0].total, Some(30));
        assert_eq!(table.rows[0].categories, vec![Some(vec![10, 20])]);
        assert_eq!(table.rows[1].total, None);
        assert_eq!(table.rows[1].categories, vec![None]);
    }

    #[test]
    fn a_breakdown_that_does_not_add_up_to_the_total_is_not_available() {
        let kent = by_sex(30.0, 10.0, 25.0);
        let figures = [Some(&kent[..])];
        let table = count_table(&shapes(&["sex".into()], &figures), &figures);
        assert_eq!(table.rows[0].total, Some(30));
        assert_eq!(table.rows[0].categories, vec![None]);
    }

    #[test]
    fn a_category_a_council_did_not_list_counts_as_zero_when_the_rest_add_up() {
        let kent = by_sex(30.0, 10.0, 20.0);
        let surrey = [cell(TOTAL, TOTAL, 12.0), cell("sex", "female", 12.0)];
        let figures = [Some(&kent[..]), Some(&surrey[..])];
        let table = count_table(&shapes(&["sex".into()], &figures), &figures);
        assert_eq!(table.rows[1].categories, vec![Some(vec![12, 0])]);
    }

    #[test]
    fn counts_that_are_not_whole_or_negative_are_not_counts() {
        let odd = [cell(TOTAL, TOTAL, 2.5)];
        let negative = [cell(TOTAL, TOTAL, -3.0)];
        let figures = [Some(&odd[..]), Some(&negative[..])];
        let table = count_table(&[], &figures);
        assert_eq!(table.rows[0].total, None);
        assert_eq!(table.rows[1].total, None);
    }

    #[test]
    fn published_cells_list_every_council_then_the_group_total() {
        let kent = by_sex(30.0, 10.0, 20.0);
        let figures = [Some(&kent[..]), None];
        let shapes = shapes(&["sex".into()], &figures);
        let table = count_table(&shapes, &figures);
        let protected = protect_counts(&DisclosureRules::default(), &table, None);
        let cells = count_cells(&shapes, &protected);
        assert_eq!(cells.len(), 9);
        assert_eq!(cells[3].council, Some(1));
        assert_eq!(cells[3].value, Published::Symbol(Symbol::NotAvailable));
        assert!(cells[6..].iter().all(|c| c.council.is_none()));
        // Restoring them gives back what was published.
        let restored = restore_protected(&shapes, &cells, table, None, 2);
        assert_eq!(restored.rows, protected.rows);
        assert_eq!(restored.group_total, protected.group_total);
        assert_eq!(shapes_of(&cells), shapes);
    }

    #[test]
    fn percentages_combine_by_summing_numerators_and_bases_and_medians_do_not_combine() {
        let cells = [
            MeasureCell {
                value: 50.0,
                numerator: Some(10),
                base: 20,
            },
            MeasureCell {
                value: 25.0,
                numerator: Some(20),
                base: 80,
            },
        ];
        let group = combine_measures(MetricUnit::Percent, &cells).expect("a percentage");
        assert_eq!((group.numerator, group.base), (Some(30), 100));
        assert!((group.value - 30.0).abs() < 1e-9);
        assert!(combine_measures(MetricUnit::Median, &cells).is_none());
        let mean = combine_measures(MetricUnit::Mean, &cells).expect("a mean");
        assert!((mean.value - 30.0).abs() < 1e-9);
    }

    #[test]
    fn a_measure_without_its_base_is_not_published_as_a_number() {
        let kent = [ReturnedCell {
            breakdown: TOTAL.into(),
            category: TOTAL.into(),
            value: 42.0,
            numerator: None,
            base: None,
        }];
        let cells = measure_cells(
            &DisclosureRules::default(),
            MetricUnit::Median,
            &[],
            &[Some(&kent[..])],
            &[],
        );
        assert!(
            cells
                .iter()
                .all(|c| matches!(c.value, Published::Symbol(_)))
        );
    }

    #[test]
    fn a_percentage_beside_a_suppressed_count_is_suppressed_with_it() {
        let kent = [ReturnedCell {
            breakdown: TOTAL.into(),
            category: TOTAL.into(),
            value: 50.0,
            numerator: Some(20),
            base: Some(40),
        }];
        let figures = [Some(&kent[..])];
        let rules = DisclosureRules::default();
        let count = |value: Published| PublishedCell {
            council: Some(0),
            breakdown: TOTAL.into(),
            category: TOTAL.into(),
            value,
        };
        let hidden = [count(Published::Symbol(Symbol::Suppressed))];
        let cells = measure_cells(&rules, MetricUnit::Percent, &[], &figures, &[&hidden]);
        assert_eq!(cells[0].value, Published::Symbol(Symbol::Suppressed));
        let shown = [count(Published::Count(20))];
        let cells = measure_cells(&rules, MetricUnit::Percent, &[], &figures, &[&shown]);
        assert_eq!(cells[0].value, Published::Measure(50.0));
    }

    #[test]
    fn stored_values_hold_exactly_one_of_a_value_and_a_symbol() {
        for value in [
            Published::Count(10),
            Published::Measure(1.5),
            Published::Symbol(Symbol::Suppressed),
        ] {
            let (number, symbol) = stored(&value);
            assert!(number.is_some() != symbol.is_some());
            let unit = if matches!(value, Published::Count(_)) {
                MetricUnit::Count
            } else {
                MetricUnit::Percent
            };
            assert_eq!(published_from(number, symbol, unit), value);
        }
    }

    #[test]
    fn councils_keep_their_row_in_later_revisions() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(council_order(&[b, a], &[a, b, c]), vec![b, a, c]);
    }
}
