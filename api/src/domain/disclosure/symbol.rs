//! The symbols DfE's Explore Education Statistics uses in place of a number
//! (docs/domain.md, "Disclosure control", "Symbols"), and a published figure that is either a
//! number or a symbol, never a fake number.

/// DfE Explore Education Statistics symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// `c`: confidential, suppressed to protect the children it counts.
    Suppressed,
    /// `x`: not available: not returned, not approved, or not collected.
    NotAvailable,
    /// `z`: not applicable: the figure cannot exist (e.g. a percentage of no children).
    NotApplicable,
    /// `low`: rounds to zero at the published precision but is not zero.
    Low,
}

impl Symbol {
    /// Every symbol, in the order DfE lists them.
    pub const ALL: [Symbol; 4] = [
        Symbol::Suppressed,
        Symbol::NotAvailable,
        Symbol::NotApplicable,
        Symbol::Low,
    ];

    /// The symbol as written in a release and its CSV export.
    pub fn code(self) -> &'static str {
        match self {
            Symbol::Suppressed => "c",
            Symbol::NotAvailable => "x",
            Symbol::NotApplicable => "z",
            Symbol::Low => "low",
        }
    }

    /// What the symbol means, in DfE's words, for a release's footnotes.
    pub fn meaning(self) -> &'static str {
        match self {
            Symbol::Suppressed => "Confidential data: suppressed to protect confidentiality",
            Symbol::NotAvailable => "Not available: not returned or not collected",
            Symbol::NotApplicable => "Not applicable: the statistic cannot be produced",
            Symbol::Low => "Rounds to zero, but is not zero",
        }
    }

    /// The symbol a code stands for; `None` for anything else.
    pub fn parse(code: &str) -> Option<Self> {
        Symbol::ALL.into_iter().find(|symbol| symbol.code() == code)
    }
}

/// A published figure: a number or a symbol, never a fake number.
#[derive(Clone, Debug, PartialEq)]
pub enum Published {
    /// A count after primary rounding.
    Count(i64),
    /// A rate, percentage, mean or median, rounded to its published decimals.
    Measure(f64),
    /// A symbol in place of the figure.
    Symbol(Symbol),
}

impl Published {
    /// Whether the figure is the suppression symbol `c`.
    pub fn is_suppressed(&self) -> bool {
        matches!(self, Published::Symbol(Symbol::Suppressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_parses_back_from_its_code() {
        for symbol in Symbol::ALL {
            assert_eq!(Symbol::parse(symbol.code()), Some(symbol));
            assert!(!symbol.meaning().is_empty());
        }
    }

    #[test]
    fn the_codes_are_dfes() {
        let codes: Vec<_> = Symbol::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["c", "x", "z", "low"]);
    }

    #[test]
    fn unknown_codes_and_other_case_are_not_symbols() {
        for code in ["", "C", "X", "u", "0", "Low", " c"] {
            assert_eq!(Symbol::parse(code), None, "{code:?}");
        }
    }
}
