use std::fmt;

/// The letters a UPN check character (and a temporary UPN's final character) is drawn from:
/// the alphabet without I, O and S.
const CHECK_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// A unique pupil number: 13 characters with a valid check letter. Once parsed, trusted.
///
/// Permanent UPNs are a check letter and 12 digits; temporary ones end in a letter instead of the
/// last digit. Never log one: it identifies a child.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Upn(String);

impl Upn {
    /// Validates length, shape and check letter. Lower case is accepted and upper-cased.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 13 {
            return Err(format!("a UPN has 13 characters, not {}", bytes.len()));
        }
        if !bytes[1..12].iter().all(u8::is_ascii_digit) {
            return Err("characters 2 to 12 of a UPN must be digits".to_owned());
        }
        let last = bytes[12];
        if !(last.is_ascii_digit() || CHECK_LETTERS.contains(&last)) {
            return Err(
                "the last character of a UPN must be a digit or a letter other than I, O, S".into(),
            );
        }
        let expected = check_letter(&bytes[1..])
            .ok_or_else(|| "the UPN contains characters that cannot be checked".to_owned())?;
        if bytes[0] != expected {
            return Err("the check letter does not match the rest of the UPN".to_owned());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The LA number in digits 2–4 of the UPN.
    pub fn la_number(&self) -> &str {
        &self.0[1..4]
    }
}

/// Computes the check letter for characters 2–13 of a UPN.
///
/// Each character is weighted by its position (2..=13); a final letter counts as its index in
/// [`CHECK_LETTERS`]. The sum mod 23 indexes [`CHECK_LETTERS`].
pub fn check_letter(body: &[u8]) -> Option<u8> {
    if body.len() != 12 {
        return None;
    }
    let mut sum = 0usize;
    for (offset, &character) in body.iter().enumerate() {
        let value = if character.is_ascii_digit() {
            usize::from(character - b'0')
        } else {
            CHECK_LETTERS.iter().position(|&l| l == character)?
        };
        sum += value * (offset + 2);
    }
    Some(CHECK_LETTERS[sum % 23])
}

// Deliberately redacted: a UPN identifies a child and must not reach a log through `{:?}`.
impl fmt::Debug for Upn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Upn(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_example_is_valid() {
        // docs/domain.md, "UPNs": B801200005001 sums to 93; 93 mod 23 = 1, which is B.
        let upn = Upn::parse("B801200005001").expect("valid");
        assert_eq!(upn.la_number(), "801");
    }

    #[test]
    fn a_wrong_check_letter_is_refused() {
        // docs/domain.md, "UPNs": Q207000016049 should start with P.
        assert!(Upn::parse("Q207000016049").is_err());
        assert!(Upn::parse("P207000016049").is_ok());
    }

    #[test]
    fn temporary_upns_end_in_a_letter_that_counts_towards_the_check() {
        let body = b"80120000500A";
        let letter = check_letter(body).expect("checkable");
        let upn = format!(
            "{}{}",
            letter as char,
            std::str::from_utf8(body).expect("ascii")
        );
        assert!(Upn::parse(&upn).is_ok(), "{upn}");
        // I, O and S are never used.
        assert!(Upn::parse("B80120000500I").is_err());
    }

    #[test]
    fn lower_case_is_accepted_and_normalised() {
        assert_eq!(
            Upn::parse("b801200005001").expect("valid").as_str(),
            "B801200005001"
        );
    }

    #[test]
    fn wrong_lengths_and_letters_in_the_middle_are_refused() {
        for bad in ["", "B80120000500", "B8012000050011", "B80120A005001"] {
            assert!(Upn::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn debug_output_hides_the_number() {
        let upn = Upn::parse("B801200005001").expect("valid");
        assert_eq!(format!("{upn:?}"), "Upn(***)");
    }
}

/// Properties over generated input: the check letter catches what it is meant to catch, and
/// nothing a client sends makes `parse` panic or accept a malformed value.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Characters 2–13 of a UPN: eleven digits, then a digit or (temporary UPNs) a check letter.
    const BODY: &str = "[0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]";

    fn with_check_letter(body: &str) -> String {
        let letter = check_letter(body.as_bytes()).expect("a checkable body");
        format!("{}{body}", char::from(letter))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_valid_body_has_exactly_one_first_character_that_makes_a_valid_upn(body in BODY) {
            let valid: Vec<char> = ('A'..='Z')
                .chain('0'..='9')
                .filter(|first| Upn::parse(&format!("{first}{body}")).is_ok())
                .collect();
            prop_assert_eq!(valid.len(), 1, "{:?}", valid);
            prop_assert_eq!(Some(valid[0] as u8), check_letter(body.as_bytes()));
            prop_assert!(CHECK_LETTERS.contains(&(valid[0] as u8)));
        }

        #[test]
        fn changing_the_check_letter_or_any_one_digit_is_detected(
            body in BODY,
            position in 0usize..12,
            replacement in "[0-9A-Z]",
        ) {
            let upn = with_check_letter(&body);
            let mut changed = upn.clone().into_bytes();
            let replacement = replacement.as_bytes()[0];
            prop_assume!(changed[position] != replacement);
            changed[position] = replacement;
            let changed = String::from_utf8(changed).expect("ascii");
            prop_assert!(Upn::parse(&changed).is_err(), "{} became {}", upn, changed);
        }

        #[test]
        fn swapping_two_adjacent_different_digits_is_detected(body in BODY, position in 1usize..11) {
            let upn = with_check_letter(&body);
            let mut swapped = upn.clone().into_bytes();
            prop_assume!(swapped[position] != swapped[position + 1]);
            swapped.swap(position, position + 1);
            let swapped = String::from_utf8(swapped).expect("ascii");
            prop_assert!(Upn::parse(&swapped).is_err(), "{} became {}", upn, swapped);
        }

        #[test]
        fn a_valid_upn_parses_in_any_case_and_with_surrounding_space_to_itself(
            body in BODY,
            lower in proptest::collection::vec(any::<bool>(), 13),
            padding in "[ \t]{0,3}",
        ) {
            let upn = with_check_letter(&body);
            let mixed: String = upn
                .chars()
                .zip(&lower)
                .map(|(c, lower)| if *lower { c.to_ascii_lowercase() } else { c })
                .collect();
            let parsed = Upn::parse(&format!("{padding}{mixed}{padding}"));
            prop_assert_eq!(parsed.as_ref().map(Upn::as_str), Ok(upn.as_str()));
            let again = parsed.and_then(|parsed| Upn::parse(parsed.as_str()));
            prop_assert_eq!(again.as_ref().map(Upn::as_str), Ok(upn.as_str()));
        }

        #[test]
        fn parse_never_panics_and_accepts_only_normalised_13_character_upns(
            value in prop_oneof![any::<String>(), "[0-9A-Za-z é]{11,15}"],
        ) {
            if let Ok(upn) = Upn::parse(&value) {
                let text = upn.as_str();
                prop_assert_eq!(text.len(), 13);
                prop_assert!(text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
                prop_assert_eq!(text, value.trim().to_ascii_uppercase());
                prop_assert_eq!(upn.la_number(), &text[1..4]);
            }
        }
    }
}
