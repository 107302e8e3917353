//! STUB of the disclosure-control interface (primary suppression only), so the release compiler
//! builds before the real module lands from the `disclosure` branch, which replaces this file.
//! See docs/domain.md, "Disclosure control".

/// DfE Explore Education Statistics symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// `c`: confidential, suppressed.
    Suppressed,
    /// `x`: not available: not returned, not approved, or not collected.
    NotAvailable,
    /// `z`: not applicable.
    NotApplicable,
    /// `low`: rounds to zero but is not zero.
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

    /// The symbol as written in a release.
    pub fn code(self) -> &'static str {
        match self {
            Symbol::Suppressed => "c",
            Symbol::NotAvailable => "x",
            Symbol::NotApplicable => "z",
            Symbol::Low => "low",
        }
    }

    /// What the symbol means.
    pub fn meaning(self) -> &'static str {
        match self {
            Symbol::Suppressed => "Confidential data: suppressed to protect confidentiality",
            Symbol::NotAvailable => "Not available: not returned or not collected",
            Symbol::NotApplicable => "Not applicable: the statistic cannot be produced",
            Symbol::Low => "Rounds to zero, but is not zero",
        }
    }

    /// The symbol a code stands for.
    pub fn parse(code: &str) -> Option<Self> {
        Symbol::ALL.into_iter().find(|symbol| symbol.code() == code)
    }
}

/// A published figure: a number or a symbol, never a fake number.
#[derive(Clone, Debug, PartialEq)]
pub enum Published {
    Count(i64),
    Measure(f64),
    Symbol(Symbol),
}

impl Published {
    /// Whether the figure is the suppression symbol `c`.
    pub fn is_suppressed(&self) -> bool {
        matches!(self, Published::Symbol(Symbol::Suppressed))
    }
}

/// The partnership's disclosure settings, recorded in every release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisclosureRules {
    threshold: i64,
    rounding_base: i64,
}

/// Which setting was out of range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureRulesError {
    #[error("the suppression threshold must be from 1 to 100; got {0}")]
    Threshold(i64),
    #[error("the rounding base must be from 1 to 100; got {0}")]
    RoundingBase(i64),
}

impl DisclosureRulesError {
    /// The setting's field name.
    pub fn field(&self) -> &'static str {
        match self {
            DisclosureRulesError::Threshold(_) => "threshold",
            DisclosureRulesError::RoundingBase(_) => "roundingBase",
        }
    }
}

impl DisclosureRules {
    pub fn new(threshold: i64, rounding_base: i64) -> Result<Self, DisclosureRulesError> {
        if !(1..=100).contains(&threshold) {
            return Err(DisclosureRulesError::Threshold(threshold));
        }
        if !(1..=100).contains(&rounding_base) {
            return Err(DisclosureRulesError::RoundingBase(rounding_base));
        }
        Ok(Self {
            threshold,
            rounding_base,
        })
    }

    pub fn threshold(&self) -> i64 {
        self.threshold
    }

    pub fn rounding_base(&self) -> i64 {
        self.rounding_base
    }
}

impl Default for DisclosureRules {
    fn default() -> Self {
        Self {
            threshold: 7,
            rounding_base: 5,
        }
    }
}

/// A breakdown shown in a table, with its categories in release order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakdownShape {
    pub name: String,
    pub categories: Vec<String>,
}

/// One count figure for one like-for-like group of councils. Rows keep their index in every
/// revision (a council absent from a group is a row of `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountTable {
    pub breakdowns: Vec<BreakdownShape>,
    pub rows: Vec<CountRow>,
}

/// One council's true cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountRow {
    pub total: Option<i64>,
    pub categories: Vec<Option<Vec<i64>>>,
}

/// One council's published cells.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtectedCountRow {
    pub total: Published,
    pub categories: Vec<Vec<Published>>,
}

/// A protected table, with what protects its later revisions.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtectedCountTable {
    pub rows: Vec<ProtectedCountRow>,
    pub group_categories: Vec<Vec<Published>>,
    pub group_total: Published,
    /// The true table this revision was protected from (never published or stored shared).
    pub source: CountTable,
    /// The revision before this one, if any.
    pub earlier: Option<Box<ProtectedCountTable>>,
}

fn protect_count(rules: &DisclosureRules, value: i64) -> Published {
    if value == 0 {
        Published::Count(0)
    } else if value <= rules.threshold() {
        Published::Symbol(Symbol::Suppressed)
    } else {
        let base = rules.rounding_base();
        let mut rounded = (value + base / 2).div_euclid(base) * base;
        if rounded <= rules.threshold() {
            rounded = (rules.threshold().div_euclid(base) + 1) * base;
        }
        Published::Count(rounded)
    }
}

/// STUB: primary suppression only; cells suppressed in `previous` stay suppressed.
pub fn protect_counts(
    rules: &DisclosureRules,
    table: &CountTable,
    previous: Option<&ProtectedCountTable>,
) -> ProtectedCountTable {
    let was_suppressed = |row: usize, breakdown: Option<(usize, usize)>| -> bool {
        let Some(previous) = previous else {
            return false;
        };
        let Some(prev_row) = previous.rows.get(row) else {
            return false;
        };
        match breakdown {
            None => prev_row.total.is_suppressed(),
            Some((b, c)) => prev_row
                .categories
                .get(b)
                .and_then(|cells| cells.get(c))
                .is_some_and(Published::is_suppressed),
        }
    };
    let cell = |value: Option<i64>, suppressed_before: bool| match value {
        None => Published::Symbol(Symbol::NotAvailable),
        Some(_) if suppressed_before => Published::Symbol(Symbol::Suppressed),
        Some(v) => protect_count(rules, v),
    };
    let rows = table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| ProtectedCountRow {
            total: cell(row.total, was_suppressed(r, None)),
            categories: table
                .breakdowns
                .iter()
                .enumerate()
                .map(|(b, shape)| {
                    let values = row.categories.get(b).cloned().flatten();
                    (0..shape.categories.len())
                        .map(|c| {
                            let value = values.as_ref().and_then(|v| v.get(c).copied());
                            cell(value, was_suppressed(r, Some((b, c))))
                        })
                        .collect()
                })
                .collect(),
        })
        .collect();
    let group_categories = table
        .breakdowns
        .iter()
        .enumerate()
        .map(|(b, shape)| {
            (0..shape.categories.len())
                .map(|c| {
                    let values: Vec<i64> = table
                        .rows
                        .iter()
                        .filter_map(|row| row.categories.get(b).cloned().flatten())
                        .filter_map(|v| v.get(c).copied())
                        .collect();
                    if values.is_empty() {
                        Published::Symbol(Symbol::NotAvailable)
                    } else {
                        protect_count(rules, values.iter().sum())
                    }
                })
                .collect()
        })
        .collect();
    let totals: Vec<i64> = table.rows.iter().filter_map(|row| row.total).collect();
    let group_total = if totals.is_empty() {
        Published::Symbol(Symbol::NotAvailable)
    } else {
        protect_count(rules, totals.iter().sum())
    };
    ProtectedCountTable {
        rows,
        group_categories,
        group_total,
        source: table.clone(),
        earlier: previous.map(|p| Box::new(p.clone())),
    }
}

/// A rate, percentage, mean or median with what it was built on.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureCell {
    pub value: f64,
    pub numerator: Option<i64>,
    pub base: i64,
}

/// Primary rule for derived statistics.
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
    let hidden = |v: i64| v != 0 && v <= rules.threshold();
    if cell.numerator.is_some_and(hidden) || hidden(cell.base) {
        return Published::Symbol(Symbol::Suppressed);
    }
    let scale = 10f64.powi(decimals.min(15) as i32);
    let rounded = (cell.value * scale).round() / scale;
    if rounded == 0.0 && cell.value != 0.0 {
        Published::Symbol(Symbol::Low)
    } else {
        Published::Measure(rounded + 0.0)
    }
}
