//! The partnership's disclosure settings (docs/domain.md, "Disclosure control"), recorded in
//! every release so a reader knows what protected it.

/// The smallest and largest threshold and rounding base a partnership may set.
const SETTING_RANGE: std::ops::RangeInclusive<i64> = 1..=100;

/// The partnership's disclosure settings, recorded in every release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisclosureRules {
    threshold: i64,
    rounding_base: i64,
}

/// Which setting was out of range, and the value given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureRulesError {
    #[error("the suppression threshold must be from 1 to 100; got {0}")]
    Threshold(i64),
    #[error("the rounding base must be from 1 to 100; got {0}")]
    RoundingBase(i64),
}

impl DisclosureRulesError {
    /// The setting's field name, for a BAD_USER_INPUT naming it.
    pub fn field(&self) -> &'static str {
        match self {
            DisclosureRulesError::Threshold(_) => "threshold",
            DisclosureRulesError::RoundingBase(_) => "roundingBase",
        }
    }
}

impl DisclosureRules {
    /// Counts from 1 to `threshold` are suppressed; others rounded to a multiple of `rounding_base`.
    pub fn new(threshold: i64, rounding_base: i64) -> Result<Self, DisclosureRulesError> {
        if !SETTING_RANGE.contains(&threshold) {
            return Err(DisclosureRulesError::Threshold(threshold));
        }
        if !SETTING_RANGE.contains(&rounding_base) {
            return Err(DisclosureRulesError::RoundingBase(rounding_base));
        }
        Ok(Self {
            threshold,
            rounding_base,
        })
    }

    /// The largest count that is suppressed (counts from 1 to it are `c`).
    pub fn threshold(&self) -> i64 {
        self.threshold
    }

    /// Visible counts are multiples of this.
    pub fn rounding_base(&self) -> i64 {
        self.rounding_base
    }
}

impl Default for DisclosureRules {
    /// NHS Digital and OpenSAFELY practice: 1 to 7 suppressed, others rounded to the nearest 5.
    fn default() -> Self {
        Self {
            threshold: 7,
            rounding_base: 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_suppresses_up_to_seven_and_rounds_to_five() {
        let rules = DisclosureRules::default();
        assert_eq!((rules.threshold(), rules.rounding_base()), (7, 5));
        assert_eq!(DisclosureRules::new(7, 5), Ok(rules));
    }

    #[test]
    fn settings_from_1_to_100_are_accepted() {
        for (threshold, base) in [(1, 1), (100, 100), (10, 10), (3, 2)] {
            assert!(DisclosureRules::new(threshold, base).is_ok());
        }
    }

    #[test]
    fn a_threshold_out_of_range_is_refused_naming_the_threshold() {
        for threshold in [0, -1, 101] {
            let error = DisclosureRules::new(threshold, 5).unwrap_err();
            assert_eq!(error, DisclosureRulesError::Threshold(threshold));
            assert_eq!(error.field(), "threshold");
        }
    }

    #[test]
    fn a_rounding_base_out_of_range_is_refused_naming_the_base() {
        for base in [0, -5, 101] {
            let error = DisclosureRules::new(7, base).unwrap_err();
            assert_eq!(error, DisclosureRulesError::RoundingBase(base));
            assert_eq!(error.field(), "roundingBase");
        }
    }
}
