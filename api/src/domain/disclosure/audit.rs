//! The exact differencing audit (docs/domain.md, "Disclosure control", "Audit"): which unknowns
//! of a linear system a reader can pin down by adding and subtracting published figures.
//!
//! Unknown `u` is determined iff its unit vector lies in the row space of the equations
//! restricted to the unknowns. We bring the equations to reduced row echelon form and read it
//! off: `u` is determined iff some reduced row has its only non-zero entry at `u`. The
//! arithmetic is exact: fraction-free elimination over integers (each row divided by the gcd of
//! its entries), in `i128` with every operation checked, redone in big integers if anything would
//! overflow. No floating point: a rounding error here would be a child identified.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{CheckedMul, CheckedSub, Signed};

/// A sparse row: (unknown, non-zero coefficient), sorted by unknown.
type Row<T> = Vec<(usize, T)>;

/// Which of `unknowns` unknowns the equations determine. Each equation lists (unknown,
/// coefficient) pairs; the constant side does not matter for what is determined.
pub(super) fn determined(unknowns: usize, equations: &[Vec<(usize, i64)>]) -> Vec<bool> {
    eliminate::<i128>(unknowns, equations)
        .or_else(|| eliminate::<BigInt>(unknowns, equations))
        // Big integers cannot overflow; were it ever to fail, call everything determined, which
        // only makes the caller suppress more.
        .unwrap_or_else(|| vec![true; unknowns])
}

/// Integers exact enough to eliminate with: `None` from a checked operation means overflow.
trait Exact: Clone + Integer + Signed + CheckedMul + CheckedSub + From<i64> {}
impl<T: Clone + Integer + Signed + CheckedMul + CheckedSub + From<i64>> Exact for T {}

fn eliminate<T: Exact>(unknowns: usize, equations: &[Vec<(usize, i64)>]) -> Option<Vec<bool>> {
    // Rows in reduced form: each has a pivot unknown where every other row is zero.
    let mut pivots: Vec<(usize, Row<T>)> = Vec::new();
    let mut pivot_of: Vec<Option<usize>> = vec![None; unknowns];
    for equation in equations {
        let mut row = sparse::<T>(equation);
        // Clear the pivot columns this row touches. A pivot row is zero at every other pivot
        // column, so each step only rescales the row's other pivot entries.
        let touched: Vec<usize> = row.iter().filter_map(|(u, _)| pivot_of[*u]).collect();
        for p in touched {
            let (column, pivot_row) = &pivots[p];
            if let Some(coefficient) = coefficient_at(&row, *column) {
                let scale = coefficient_at(pivot_row, *column)?;
                row = combine(scale, &row, &coefficient, pivot_row)?;
            }
        }
        normalise(&mut row);
        let Some((column, pivot_value)) = row.first().cloned() else {
            continue;
        };
        // Keep the form reduced: clear the new pivot column from every earlier pivot row.
        for (_, other) in pivots.iter_mut() {
            if let Some(coefficient) = coefficient_at(other, column) {
                *other = combine(pivot_value.clone(), other, &coefficient, &row)?;
                normalise(other);
            }
        }
        pivot_of[column] = Some(pivots.len());
        pivots.push((column, row));
    }
    let mut determined = vec![false; unknowns];
    for (column, row) in &pivots {
        if row.len() == 1 {
            determined[*column] = true;
        }
    }
    Some(determined)
}

/// An equation as a sorted sparse row, repeated unknowns added up, zeros dropped.
fn sparse<T: Exact>(equation: &[(usize, i64)]) -> Row<T> {
    let mut terms = equation.to_vec();
    terms.sort_unstable_by_key(|(u, _)| *u);
    let mut row: Row<i128> = Vec::with_capacity(terms.len());
    for (u, coefficient) in terms {
        match row.last_mut() {
            Some((last, sum)) if *last == u => *sum += i128::from(coefficient),
            _ => row.push((u, i128::from(coefficient))),
        }
    }
    row.into_iter()
        .filter(|(_, c)| *c != 0)
        .map(|(u, c)| {
            // The sum of i64 coefficients of one unknown; equations here have tiny ones.
            let c = i64::try_from(c).unwrap_or(if c > 0 { i64::MAX } else { i64::MIN });
            (u, T::from(c))
        })
        .collect()
}

fn coefficient_at<T: Exact>(row: &Row<T>, unknown: usize) -> Option<T> {
    row.binary_search_by_key(&unknown, |(u, _)| *u)
        .ok()
        .map(|i| row[i].1.clone())
}

/// `scale * row - coefficient * pivot_row`, which is zero at the pivot's column.
fn combine<T: Exact>(
    scale: T,
    row: &Row<T>,
    coefficient: &T,
    pivot_row: &Row<T>,
) -> Option<Row<T>> {
    let mut out = Vec::with_capacity(row.len() + pivot_row.len());
    let (mut i, mut j) = (0, 0);
    while i < row.len() || j < pivot_row.len() {
        let left = row.get(i);
        let right = pivot_row.get(j);
        let (u, value) = match (left, right) {
            (Some((a, x)), Some((b, y))) if a == b => {
                i += 1;
                j += 1;
                (
                    *a,
                    scale
                        .checked_mul(x)?
                        .checked_sub(&coefficient.checked_mul(y)?)?,
                )
            }
            (Some((a, x)), Some((b, _))) if a < b => {
                i += 1;
                (*a, scale.checked_mul(x)?)
            }
            (Some((a, x)), None) => {
                i += 1;
                (*a, scale.checked_mul(x)?)
            }
            (_, Some((b, y))) => {
                j += 1;
                (*b, T::zero().checked_sub(&coefficient.checked_mul(y)?)?)
            }
            (None, None) => break,
        };
        if !value.is_zero() {
            out.push((u, value));
        }
    }
    Some(out)
}

/// Divides a row by the gcd of its entries, so coefficients stay small.
fn normalise<T: Exact>(row: &mut Row<T>) {
    let gcd = row.iter().fold(T::zero(), |gcd, (_, value)| gcd.gcd(value));
    if !gcd.is_zero() && !gcd.is_one() {
        for (_, value) in row.iter_mut() {
            *value = value.div_floor(&gcd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_one_unknown_determines_it() {
        // a + b = known, with b known: a is determined.
        assert_eq!(determined(1, &[vec![(0, 1)]]), vec![true]);
    }

    #[test]
    fn two_unknowns_on_one_line_are_not_determined() {
        assert_eq!(determined(2, &[vec![(0, 1), (1, 1)]]), vec![false, false]);
    }

    #[test]
    fn a_determined_unknown_found_only_by_combining_lines() {
        // a + b = k1, b + c = k2, a + c = k3: all three are determined (2a = k1 - k2 + k3).
        let equations = [
            vec![(0, 1), (1, 1)],
            vec![(1, 1), (2, 1)],
            vec![(0, 1), (2, 1)],
        ];
        assert_eq!(determined(3, &equations), vec![true, true, true]);
    }

    #[test]
    fn a_cycle_of_differences_determines_nothing() {
        // a - b, b - c, c - a known: the four-cell rectangle of a 2-D table.
        let equations = [
            vec![(0, 1), (1, -1)],
            vec![(1, 1), (2, -1)],
            vec![(2, 1), (0, -1)],
        ];
        assert_eq!(determined(3, &equations), vec![false, false, false]);
    }

    #[test]
    fn big_integers_take_over_when_i128_would_overflow() {
        // Dense rows of large, unrelated coefficients: the third step's minors pass 2^127.
        let coefficients = [
            [
                9_223_372_036_854_775_783,
                8_000_000_000_000_000_011,
                7_123_456_789_012_345_677,
                3,
            ],
            [
                6_999_999_999_999_999_989,
                9_111_111_111_111_111_121,
                5_555_555_555_555_555_557,
                7,
            ],
            [
                8_888_888_888_888_888_899,
                4_444_444_444_444_444_447,
                9_000_000_000_000_000_041,
                11,
            ],
        ];
        let equations: Vec<Vec<(usize, i64)>> = coefficients
            .iter()
            .map(|row| row.iter().copied().enumerate().collect())
            .collect();
        assert_eq!(eliminate::<i128>(4, &equations), None);
        assert_eq!(determined(4, &equations), vec![false; 4]);
        let mut pinned = equations.clone();
        pinned.push(vec![(3, 1)]);
        assert_eq!(determined(4, &pinned), vec![true; 4]);
    }
}
