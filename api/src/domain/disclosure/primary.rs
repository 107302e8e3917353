//! Primary suppression (docs/domain.md, "Disclosure control", "Primary"): each figure on its own,
//! before anything is known about its neighbours.

use super::rules::DisclosureRules;
use super::symbol::{Published, Symbol};

/// A rate, percentage, mean or median with what it was built on.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureCell {
    /// The statistic as computed from the true figures.
    pub value: f64,
    /// The count it counts (a percentage's or rate's numerator); `None` for means and medians.
    pub numerator: Option<i64>,
    /// The children it was built on (a percentage's denominator, a median's cohort).
    pub base: i64,
}

/// Whether a true count is one that primary suppression hides (1 to the threshold; negative
/// counts are invalid input and are hidden rather than published).
pub fn is_primary_suppressed(rules: &DisclosureRules, value: i64) -> bool {
    value != 0 && value <= rules.threshold()
}

/// A true count rounded for publication: the nearest multiple of the base (halves up), and never
/// a value from 1 to the threshold: a count that would round down into that range is published as
/// the first multiple of the base above the threshold (8 with base 10 and threshold 7 is 10; 11
/// with base 5 and threshold 10 is 15). Only meaningful for counts primary suppression leaves
/// visible.
pub fn round_count(rules: &DisclosureRules, value: i64) -> i64 {
    let base = i128::from(rules.rounding_base());
    let value = i128::from(value);
    let mut rounded = (value + base / 2).div_euclid(base) * base;
    if rounded != 0 && rounded <= i128::from(rules.threshold()) || rounded == 0 && value != 0 {
        rounded = (i128::from(rules.threshold()).div_euclid(base) + 1) * base;
    }
    i64::try_from(rounded).unwrap_or(i64::MAX - i64::MAX % rules.rounding_base())
}

/// Primary rule for one count: 0 stays 0; 1 to the threshold is `c`; others rounded
/// ([`round_count`]).
pub fn protect_count(rules: &DisclosureRules, value: i64) -> Published {
    if value == 0 {
        Published::Count(0)
    } else if is_primary_suppressed(rules, value) {
        Published::Symbol(Symbol::Suppressed)
    } else {
        Published::Count(round_count(rules, value))
    }
}

/// Primary rule for derived statistics: suppressed when the numerator is 1..=threshold (zero
/// stays zero) or the base is one primary suppression would hide; otherwise the value rounded to
/// `decimals`, or `low` when that rounds a non-zero value to zero. `None` (not returned) is `x`;
/// a base of zero children is `z` (the statistic does not exist).
///
/// A base equal to the threshold is suppressed too, a deliberate reading of "a base under the
/// threshold": the base is itself a count, and a count of `threshold` children is never shown.
pub fn protect_measure(
    rules: &DisclosureRules,
    cell: Option<&MeasureCell>,
    decimals: u32,
) -> Published {
    let Some(cell) = cell else {
        return Published::Symbol(Symbol::NotAvailable);
    };
    if cell.base == 0 {
        return Published::Symbol(Symbol::NotApplicable);
    }
    let numerator_hidden = cell
        .numerator
        .is_some_and(|numerator| is_primary_suppressed(rules, numerator));
    if numerator_hidden || is_primary_suppressed(rules, cell.base) {
        return Published::Symbol(Symbol::Suppressed);
    }
    if !cell.value.is_finite() {
        return Published::Symbol(Symbol::NotAvailable);
    }
    let scale = 10f64.powi(i32::try_from(decimals.min(15)).unwrap_or(15));
    let rounded = (cell.value * scale).round() / scale;
    if rounded == 0.0 && cell.value != 0.0 {
        Published::Symbol(Symbol::Low)
    } else {
        // Never publish a negative zero.
        Published::Measure(rounded + 0.0)
    }
}

/// [`protect_measure`] for a statistic published beside the count cell of its numerator (or
/// base): `c` whenever that cell is `c`, so that a percentage of a visible base cannot give back
/// a count that secondary suppression hid.
pub fn protect_measure_beside(
    rules: &DisclosureRules,
    cell: Option<&MeasureCell>,
    decimals: u32,
    counts_shown: &[&Published],
) -> Published {
    if cell.is_some() && counts_shown.iter().any(|shown| shown.is_suppressed()) {
        return Published::Symbol(Symbol::Suppressed);
    }
    protect_measure(rules, cell, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(threshold: i64, base: i64) -> DisclosureRules {
        DisclosureRules::new(threshold, base).unwrap()
    }

    const C: Published = Published::Symbol(Symbol::Suppressed);

    #[test]
    fn zero_stays_zero() {
        assert_eq!(
            protect_count(&DisclosureRules::default(), 0),
            Published::Count(0)
        );
    }

    #[test]
    fn counts_from_one_to_the_threshold_are_suppressed() {
        let rules = DisclosureRules::default();
        for value in 1..=7 {
            assert_eq!(protect_count(&rules, value), C, "{value}");
        }
        assert_ne!(protect_count(&rules, 8), C);
    }

    #[test]
    fn counts_above_the_threshold_round_to_the_nearest_five_halves_up() {
        let rules = DisclosureRules::default();
        let cases = [
            (8, 10),
            (10, 10),
            (12, 10),
            (13, 15),
            (17, 15),
            (18, 20),
            (1002, 1000),
        ];
        for (value, published) in cases {
            assert_eq!(
                protect_count(&rules, value),
                Published::Count(published),
                "{value}"
            );
        }
        assert_eq!(protect_count(&with(7, 10), 15), Published::Count(20));
    }

    #[test]
    fn a_visible_count_never_rounds_into_the_suppressed_range() {
        // 11 and 12 would round to 10, which is a count the threshold of 10 hides.
        assert_eq!(protect_count(&with(10, 5), 11), Published::Count(15));
        assert_eq!(protect_count(&with(10, 5), 12), Published::Count(15));
        assert_eq!(protect_count(&with(10, 5), 13), Published::Count(15));
        // 8 with base 20 would round to 0.
        assert_eq!(protect_count(&with(7, 20), 8), Published::Count(20));
        for threshold in 1..=20 {
            for base in 1..=20 {
                let rules = with(threshold, base);
                for value in threshold + 1..threshold + 60 {
                    let Published::Count(shown) = protect_count(&rules, value) else {
                        panic!("{value} should be visible")
                    };
                    assert!(shown > threshold && shown % base == 0, "{value} -> {shown}");
                }
            }
        }
    }

    #[test]
    fn base_one_publishes_counts_as_they_are() {
        assert_eq!(protect_count(&with(7, 1), 9), Published::Count(9));
    }

    #[test]
    fn negative_counts_are_hidden_never_published() {
        assert_eq!(protect_count(&DisclosureRules::default(), -3), C);
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        let Published::Count(shown) = protect_count(&DisclosureRules::default(), i64::MAX) else {
            panic!("visible")
        };
        assert_eq!(shown % 5, 0);
    }

    fn measure(value: f64, numerator: Option<i64>, base: i64) -> MeasureCell {
        MeasureCell {
            value,
            numerator,
            base,
        }
    }

    #[test]
    fn a_measure_not_returned_is_x() {
        assert_eq!(
            protect_measure(&DisclosureRules::default(), None, 1),
            Published::Symbol(Symbol::NotAvailable)
        );
    }

    #[test]
    fn a_percentage_of_a_suppressed_count_is_suppressed() {
        let rules = DisclosureRules::default();
        let cell = measure(5.0, Some(3), 60);
        assert_eq!(protect_measure(&rules, Some(&cell), 1), C);
    }

    #[test]
    fn a_measure_on_a_base_the_threshold_hides_is_suppressed() {
        let rules = DisclosureRules::default();
        assert_eq!(protect_measure(&rules, Some(&measure(12.5, None, 6)), 1), C);
        assert_eq!(protect_measure(&rules, Some(&measure(12.5, None, 7)), 1), C);
        assert_eq!(
            protect_measure(&rules, Some(&measure(12.5, None, 8)), 1),
            Published::Measure(12.5)
        );
    }

    #[test]
    fn a_zero_numerator_stays_zero() {
        let rules = DisclosureRules::default();
        assert_eq!(
            protect_measure(&rules, Some(&measure(0.0, Some(0), 40)), 1),
            Published::Measure(0.0)
        );
    }

    #[test]
    fn a_measure_on_no_children_is_not_applicable() {
        let rules = DisclosureRules::default();
        assert_eq!(
            protect_measure(&rules, Some(&measure(0.0, Some(0), 0)), 1),
            Published::Symbol(Symbol::NotApplicable)
        );
    }

    #[test]
    fn a_measure_is_rounded_to_its_decimals() {
        let rules = DisclosureRules::default();
        assert_eq!(
            protect_measure(&rules, Some(&measure(100.0 * 9.0 / 11.0, Some(9), 11)), 1),
            Published::Measure(81.8)
        );
        assert_eq!(
            protect_measure(&rules, Some(&measure(2.0 / 3.0, None, 30)), 0),
            Published::Measure(1.0)
        );
    }

    #[test]
    fn a_percentage_of_a_count_secondary_suppression_hid_is_suppressed() {
        let rules = DisclosureRules::default();
        let cell = measure(30.0, Some(12), 40);
        let hidden = C;
        let shown = Published::Count(40);
        assert_eq!(
            protect_measure_beside(&rules, Some(&cell), 1, &[&hidden, &shown]),
            C
        );
        assert_eq!(
            protect_measure_beside(&rules, Some(&cell), 1, &[&Published::Count(10), &shown]),
            Published::Measure(30.0)
        );
    }

    #[test]
    fn a_non_zero_measure_that_rounds_to_zero_is_low() {
        let rules = DisclosureRules::default();
        let rate = measure(10_000.0 * 9.0 / 4_000_000.0, Some(9), 4_000_000);
        assert_eq!(
            protect_measure(&rules, Some(&rate), 1),
            Published::Symbol(Symbol::Low)
        );
    }
}
