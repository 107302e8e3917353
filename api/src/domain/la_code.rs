use std::fmt;

/// A DfE local authority code: three digits, e.g. `886` for Kent. Once parsed, trusted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LaCode(String);

impl LaCode {
    /// Accepts exactly three ASCII digits.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.len() == 3 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(format!(
                "an LA code is three digits, like 886; got {value:?}"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_digits_parse() {
        assert_eq!(
            LaCode::parse(" 886 ").map(|c| c.to_string()),
            Ok("886".into())
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in ["", "88", "8866", "88a", "E10000016"] {
            assert!(LaCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn three_digits_with_surrounding_space_parse_to_the_digits(
            digits in "[0-9]{3}",
            before in "[ \t\n]{0,3}",
            after in "[ \t\n]{0,3}",
        ) {
            let code = LaCode::parse(&format!("{before}{digits}{after}"));
            prop_assert_eq!(code.map(|c| c.to_string()), Ok(digits));
        }

        #[test]
        fn digit_strings_of_any_other_length_are_refused(digits in "[0-9]{0,2}|[0-9]{4,12}") {
            prop_assert!(LaCode::parse(&digits).is_err());
        }

        #[test]
        fn anything_accepted_is_exactly_three_ascii_digits(value in any::<String>()) {
            if let Ok(code) = LaCode::parse(&value) {
                prop_assert_eq!(code.as_str().len(), 3);
                prop_assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(code.as_str(), value.trim());
            }
        }
    }
}
