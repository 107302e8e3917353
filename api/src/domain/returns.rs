//! A council's return (docs/domain.md, "Returns"): its cells, the checks a submitted return
//! passes before anything is stored, the digest that makes submitting the same figures twice one
//! version, and reading a return from CSV.
//!
//! Pure: the service looks up the definitions and passes them in.

use std::collections::{BTreeMap, HashMap};

use entity::metric_definition::{DefinitionStatus, MetricUnit};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::metric::{Breakdown, TOTAL, parse_breakdowns};
use crate::error::Rejection;

/// One figure of a return, as computed or submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub definition_id: Uuid,
    /// `total`, or a breakdown name.
    pub breakdown: String,
    /// `total`, or the breakdown's category.
    pub category: String,
    pub value: f64,
    pub numerator: Option<i64>,
    pub base: Option<i64>,
}

impl Cell {
    /// A count cell.
    pub fn count(definition_id: Uuid, breakdown: &str, category: &str, value: i64) -> Self {
        Self {
            definition_id,
            breakdown: breakdown.to_owned(),
            category: category.to_owned(),
            value: value as f64,
            numerator: None,
            base: None,
        }
    }
}

/// A submitted cell as sent, before its definition is resolved: `row` numbers it for the
/// rejections (the CSV line, or the index in the GraphQL list).
#[derive(Clone, Debug, PartialEq)]
pub struct SubmittedCell {
    pub row: usize,
    pub definition_code: String,
    pub definition_version: i32,
    pub breakdown: String,
    pub category: String,
    pub value: f64,
    pub numerator: Option<i64>,
    pub base: Option<i64>,
}

/// What a submission needs to know of a definition version.
#[derive(Clone, Debug)]
pub struct DefinitionRef {
    pub id: Uuid,
    pub unit: MetricUnit,
    pub status: DefinitionStatus,
    /// As stored: comma-separated.
    pub breakdowns: String,
}

fn reject(row: usize, field: &str, reason: impl Into<String>) -> Rejection {
    Rejection {
        index: row,
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// Checks every submitted cell against its definition (looked up by code and version in
/// `definitions`) and the return as a whole, reporting every rejected row: the definition must
/// exist in the partnership and be agreed; the breakdown allowed by it and the category known; a
/// count a non-negative whole number; a percentage, rate, median or mean with what it was built
/// on, the numerator no more than its base; no cell twice; and the categories of a count's
/// breakdown adding up to its total. Nothing is half-accepted: any rejection refuses all.
pub fn check_submission(
    cells: &[SubmittedCell],
    definitions: &HashMap<(String, i32), DefinitionRef>,
) -> Result<Vec<Cell>, Vec<Rejection>> {
    let mut rejected = Vec::new();
    let mut accepted: Vec<(usize, MetricUnit, Cell)> = Vec::new();
    let mut seen: HashMap<(Uuid, String, String), usize> = HashMap::new();
    if cells.is_empty() {
        return Err(vec![reject(0, "cells", "a return needs at least one cell")]);
    }
    for cell in cells {
        let row = cell.row;
        let before = rejected.len();
        let key = (cell.definition_code.clone(), cell.definition_version);
        let Some(definition) = definitions.get(&key) else {
            let field = if definitions
                .keys()
                .any(|(code, _)| *code == cell.definition_code)
            {
                "definition_version"
            } else {
                "definition_code"
            };
            rejected.push(reject(
                row,
                field,
                format!(
                    "no definition {} version {} in this partnership",
                    cell.definition_code, cell.definition_version
                ),
            ));
            continue;
        };
        match definition.status {
            DefinitionStatus::Agreed => {}
            DefinitionStatus::Draft => rejected.push(reject(
                row,
                "definition_version",
                "this definition version is a draft: only agreed versions may be returned",
            )),
            DefinitionStatus::Retired => rejected.push(reject(
                row,
                "definition_version",
                "this definition version is retired: return the version now agreed",
            )),
        }
        let allowed = parse_breakdowns(&definition.breakdowns).unwrap_or_default();
        if cell.breakdown == TOTAL {
            if cell.category != TOTAL {
                rejected.push(reject(row, "category", "the total row's category is total"));
            }
        } else {
            match Breakdown::parse(&cell.breakdown) {
                Some(breakdown) if allowed.contains(&breakdown) => {
                    if !breakdown.has_category(&cell.category) {
                        rejected.push(reject(
                            row,
                            "category",
                            format!(
                                "{:?} is not a category of {}; use {}",
                                cell.category,
                                breakdown.as_str(),
                                breakdown.categories().join(", ")
                            ),
                        ));
                    }
                }
                _ => rejected.push(reject(
                    row,
                    "breakdown",
                    format!(
                        "{} allows the breakdowns: total{}{}",
                        cell.definition_code,
                        if allowed.is_empty() { "" } else { ", " },
                        allowed
                            .iter()
                            .map(|b| b.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        check_value(row, definition.unit, cell, &mut rejected);
        let key = (definition.id, cell.breakdown.clone(), cell.category.clone());
        if let Some(first) = seen.get(&key) {
            rejected.push(reject(
                row,
                "category",
                format!("repeats the cell of row {first}"),
            ));
        } else {
            seen.insert(key, row);
        }
        if rejected.len() == before {
            accepted.push((
                row,
                definition.unit,
                Cell {
                    definition_id: definition.id,
                    breakdown: cell.breakdown.clone(),
                    category: cell.category.clone(),
                    value: cell.value,
                    numerator: cell.numerator,
                    base: cell.base,
                },
            ));
        }
    }
    if rejected.is_empty() {
        rejected.extend(check_sums(&accepted));
    }
    if rejected.is_empty() {
        Ok(accepted.into_iter().map(|(_, _, cell)| cell).collect())
    } else {
        Err(rejected)
    }
}

fn check_value(row: usize, unit: MetricUnit, cell: &SubmittedCell, rejected: &mut Vec<Rejection>) {
    let value = cell.value;
    if !value.is_finite() || value < 0.0 {
        rejected.push(reject(row, "value", "must be a number, not negative"));
        return;
    }
    for (field, part) in [("numerator", cell.numerator), ("base", cell.base)] {
        if part.is_some_and(|n| n < 0) {
            rejected.push(reject(row, field, "must not be negative"));
        }
    }
    match unit {
        MetricUnit::Count => {
            if value.fract() != 0.0 || value > 1e15 {
                rejected.push(reject(row, "value", "a count is a whole number"));
            }
        }
        MetricUnit::Percent | MetricUnit::RatePer10000 => {
            match (cell.numerator, cell.base) {
                (Some(numerator), Some(base)) => {
                    if numerator > base {
                        rejected.push(reject(
                            row,
                            "numerator",
                            format!("{numerator} is more than its base {base}"),
                        ));
                    }
                }
                (None, _) => rejected.push(reject(
                    row,
                    "numerator",
                    "a percentage or rate says the count it was built on",
                )),
                (_, None) => rejected.push(reject(
                    row,
                    "base",
                    "a percentage or rate says what it divided by",
                )),
            }
            if unit == MetricUnit::Percent && value > 100.0 {
                rejected.push(reject(row, "value", "a percentage is at most 100"));
            }
        }
        MetricUnit::Median | MetricUnit::Mean => {
            if cell.base.is_none() {
                rejected.push(reject(
                    row,
                    "base",
                    "a median or mean says how many it was taken over",
                ));
            }
            if let (Some(numerator), Some(base)) = (cell.numerator, cell.base)
                && numerator > base
            {
                rejected.push(reject(
                    row,
                    "numerator",
                    format!("{numerator} is more than its base {base}"),
                ));
            }
        }
    }
}

/// The categories of each count's breakdown must add up to its total; a count split by a
/// breakdown must have its total row.
fn check_sums(cells: &[(usize, MetricUnit, Cell)]) -> Vec<Rejection> {
    let mut totals: HashMap<Uuid, f64> = HashMap::new();
    let mut sums: BTreeMap<(Uuid, String), (f64, usize)> = BTreeMap::new();
    for (row, unit, cell) in cells {
        if *unit != MetricUnit::Count {
            continue;
        }
        if cell.breakdown == TOTAL {
            totals.insert(cell.definition_id, cell.value);
        } else {
            let entry = sums
                .entry((cell.definition_id, cell.breakdown.clone()))
                .or_insert((0.0, *row));
            entry.0 += cell.value;
            entry.1 = *row;
        }
    }
    let mut rejected = Vec::new();
    for ((definition, breakdown), (sum, last_row)) in sums {
        match totals.get(&definition) {
            None => rejected.push(reject(
                last_row,
                "breakdown",
                "a count split by a breakdown needs its total row too",
            )),
            Some(total) if *total != sum => rejected.push(reject(
                last_row,
                "value",
                format!("the {breakdown} categories add up to {sum}, not the total {total}"),
            )),
            Some(_) => {}
        }
    }
    rejected
}

/// A digest of a return's cells, in any order: the same figures give the same digest.
pub fn content_hash(cells: &[Cell]) -> String {
    let mut lines: Vec<String> = cells
        .iter()
        .map(|c| {
            format!(
                "{}|{}|{}|{:016x}|{:?}|{:?}",
                c.definition_id,
                c.breakdown,
                c.category,
                // -0.0 and 0.0 are the same figure.
                (c.value + 0.0).to_bits(),
                c.numerator,
                c.base
            )
        })
        .collect();
    lines.sort();
    let mut hasher = Sha256::new();
    for line in lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The median of sorted `values` as the store computes it (`percentile_disc(0.5)`): the lower
/// middle value when their number is even, so it is a value some case actually had.
pub fn lower_median<T: Copy>(sorted: &[T]) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    sorted.get(sorted.len().div_ceil(2) - 1).copied()
}

/// The columns of a return as CSV, in order.
pub const CSV_COLUMNS: [&str; 7] = [
    "definition_code",
    "definition_version",
    "breakdown",
    "category",
    "value",
    "numerator",
    "base",
];

/// The most rows a CSV return may have.
pub const MAX_CSV_ROWS: usize = 20_000;

/// Reads a return from CSV (RFC 4180: comma-separated, fields optionally in double quotes, a
/// header row naming [`CSV_COLUMNS`] in any order). Rows are numbered by their line, the header
/// being line 1. Every malformed row is reported, none is half-read.
pub fn parse_csv(text: &str) -> Result<Vec<SubmittedCell>, Vec<Rejection>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = split_records(text).map_err(|(line, why)| vec![reject(line, "row", why)])?;
    let mut records = records.into_iter().filter(|(_, fields)| {
        !(fields.len() == 1 && fields.first().is_some_and(|f| f.trim().is_empty()))
    });
    let Some((_, header)) = records.next() else {
        return Err(vec![reject(1, "header", "the file is empty")]);
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut positions = HashMap::new();
    let mut rejected = Vec::new();
    for column in CSV_COLUMNS {
        match header.iter().position(|h| h == column) {
            Some(at) => {
                positions.insert(column, at);
            }
            None if matches!(column, "numerator" | "base") => {}
            None => rejected.push(reject(1, column, "the header must name this column")),
        }
    }
    if let Some(unknown) = header.iter().find(|h| !CSV_COLUMNS.contains(&h.as_str())) {
        rejected.push(reject(1, unknown, "is not a column of a return"));
    }
    if !rejected.is_empty() {
        return Err(rejected);
    }
    let mut cells = Vec::new();
    for (count, (line, fields)) in records.enumerate() {
        if count >= MAX_CSV_ROWS {
            return Err(vec![reject(
                line,
                "row",
                format!("a return has at most {MAX_CSV_ROWS} rows"),
            )]);
        }
        if fields.len() != header.len() {
            rejected.push(reject(
                line,
                "row",
                format!(
                    "has {} fields; the header has {}",
                    fields.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let field = |column: &str| {
            positions
                .get(column)
                .and_then(|at| fields.get(*at))
                .map(|f| f.trim())
                .unwrap_or_default()
        };
        let before = rejected.len();
        let version = field("definition_version")
            .parse::<i32>()
            .ok()
            .filter(|v| *v >= 1);
        if version.is_none() {
            rejected.push(reject(
                line,
                "definition_version",
                "must be a whole number from 1",
            ));
        }
        let value = field("value").parse::<f64>().ok().filter(|v| v.is_finite());
        if value.is_none() {
            rejected.push(reject(line, "value", "must be a number"));
        }
        let mut optional = |column: &str| -> Option<i64> {
            let text = field(column);
            if text.is_empty() {
                return None;
            }
            let parsed = text.parse::<i64>().ok();
            if parsed.is_none() {
                rejected.push(reject(line, column, "must be a whole number or empty"));
            }
            parsed
        };
        let numerator = optional("numerator");
        let base = optional("base");
        for column in ["definition_code", "breakdown", "category"] {
            let text = field(column);
            if text.is_empty() || text.len() > 64 || text.chars().any(char::is_control) {
                rejected.push(reject(line, column, "must be 1 to 64 printable characters"));
            }
        }
        if rejected.len() == before
            && let (Some(definition_version), Some(value)) = (version, value)
        {
            cells.push(SubmittedCell {
                row: line,
                definition_code: field("definition_code").to_owned(),
                definition_version,
                breakdown: field("breakdown").to_owned(),
                category: field("category").to_owned(),
                value,
                numerator,
                base,
            });
        }
    }
    if rejected.is_empty() {
        Ok(cells)
    } else {
        Err(rejected)
    }
}

/// A CSV record: the line it starts on, and its fields.
type Record = (usize, Vec<String>);

/// Splits CSV text into records of fields, each with the line it starts on; a malformed one is
/// refused with its line.
fn split_records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => {
                in_quotes = true;
                quoted = true;
            }
            '"' => return Err((line, "a quote inside an unquoted field".into())),
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut fields)));
                quoted = false;
                line += 1;
                record_line = line;
            }
            _ if quoted => return Err((line, "text after a closing quote".into())),
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err((record_line, "a quoted field is not closed".into()));
    }
    if !field.is_empty() || !fields.is_empty() || quoted {
        fields.push(field);
        records.push((record_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definitions() -> HashMap<(String, i32), DefinitionRef> {
        let mut map = HashMap::new();
        let mut add = |code: &str, version, unit, status, breakdowns: &str| {
            map.insert(
                (code.to_owned(), version),
                DefinitionRef {
                    id: Uuid::from_u128(map.len() as u128 + 1),
                    unit,
                    status,
                    breakdowns: breakdowns.to_owned(),
                },
            );
        };
        add(
            "referrals",
            1,
            MetricUnit::Count,
            DefinitionStatus::Agreed,
            "sex,reason",
        );
        add(
            "referrals",
            2,
            MetricUnit::Count,
            DefinitionStatus::Draft,
            "sex",
        );
        add("cme", 1, MetricUnit::Count, DefinitionStatus::Retired, "");
        add(
            "share",
            1,
            MetricUnit::Percent,
            DefinitionStatus::Agreed,
            "sex",
        );
        add("days", 1, MetricUnit::Median, DefinitionStatus::Agreed, "");
        map
    }

    fn cell(
        row: usize,
        code: &str,
        version: i32,
        breakdown: &str,
        category: &str,
        value: f64,
    ) -> SubmittedCell {
        SubmittedCell {
            row,
            definition_code: code.into(),
            definition_version: version,
            breakdown: breakdown.into(),
            category: category.into(),
            value,
            numerator: None,
            base: None,
        }
    }

    fn fields(result: Result<Vec<Cell>, Vec<Rejection>>) -> Vec<(usize, String)> {
        result
            .expect_err("refused")
            .into_iter()
            .map(|r| (r.index, r.field))
            .collect()
    }

    #[test]
    fn a_return_whose_categories_add_up_is_accepted() {
        let cells = vec![
            cell(2, "referrals", 1, "total", "total", 5.0),
            cell(3, "referrals", 1, "sex", "female", 3.0),
            cell(4, "referrals", 1, "sex", "male", 2.0),
            SubmittedCell {
                numerator: Some(1),
                base: Some(4),
                ..cell(5, "share", 1, "total", "total", 25.0)
            },
            SubmittedCell {
                base: Some(4),
                ..cell(6, "days", 1, "total", "total", 12.0)
            },
        ];
        let accepted = check_submission(&cells, &definitions()).expect("accepted");
        assert_eq!(accepted.len(), 5);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_field() {
        let cells = vec![
            cell(2, "referrals", 2, "total", "total", 1.0),
            cell(3, "cme", 1, "total", "total", 1.0),
            cell(4, "referrals", 1, "year_group", "year_7", 1.0),
            cell(5, "referrals", 1, "total", "total", -1.0),
            SubmittedCell {
                numerator: Some(5),
                base: Some(4),
                ..cell(6, "share", 1, "total", "total", 100.0)
            },
            cell(7, "unknown", 1, "total", "total", 1.0),
            cell(8, "referrals", 1, "sex", "other", 1.0),
            cell(9, "referrals", 1, "sex", "female", 1.5),
            cell(10, "referrals", 9, "total", "total", 1.0),
        ];
        assert_eq!(
            fields(check_submission(&cells, &definitions())),
            vec![
                (2, "definition_version".into()),
                (3, "definition_version".into()),
                (4, "breakdown".into()),
                (5, "value".into()),
                (6, "numerator".into()),
                (7, "definition_code".into()),
                (8, "category".into()),
                (9, "value".into()),
                (10, "definition_version".into()),
            ]
        );
    }

    #[test]
    fn categories_that_do_not_add_up_to_the_total_are_refused() {
        let cells = vec![
            cell(2, "referrals", 1, "total", "total", 5.0),
            cell(3, "referrals", 1, "sex", "female", 3.0),
            cell(4, "referrals", 1, "sex", "male", 1.0),
        ];
        assert_eq!(
            fields(check_submission(&cells, &definitions())),
            vec![(4, "value".into())]
        );
        let no_total = vec![cell(2, "referrals", 1, "sex", "female", 3.0)];
        assert_eq!(
            fields(check_submission(&no_total, &definitions())),
            vec![(2, "breakdown".into())]
        );
    }

    #[test]
    fn a_cell_twice_is_refused_at_its_second_row() {
        let cells = vec![
            cell(2, "referrals", 1, "total", "total", 5.0),
            cell(3, "referrals", 1, "total", "total", 5.0),
        ];
        assert_eq!(
            fields(check_submission(&cells, &definitions())),
            vec![(3, "category".into())]
        );
    }

    #[test]
    fn percentages_and_medians_say_what_they_were_built_on() {
        let cells = vec![
            cell(2, "share", 1, "total", "total", 25.0),
            cell(3, "days", 1, "total", "total", 3.0),
        ];
        assert_eq!(
            fields(check_submission(&cells, &definitions())),
            vec![(2, "numerator".into()), (3, "base".into())]
        );
    }

    #[test]
    fn the_digest_ignores_the_order_of_cells_but_not_their_values() {
        let a = Cell::count(Uuid::from_u128(1), "total", "total", 3);
        let b = Cell::count(Uuid::from_u128(1), "sex", "female", 3);
        assert_eq!(
            content_hash(&[a.clone(), b.clone()]),
            content_hash(&[b.clone(), a.clone()])
        );
        let mut changed = b.clone();
        changed.value = 2.0;
        assert_ne!(content_hash(&[a.clone(), b]), content_hash(&[a, changed]));
    }

    #[test]
    fn the_median_is_the_lower_middle_value() {
        assert_eq!(lower_median::<i32>(&[]), None);
        assert_eq!(lower_median(&[4]), Some(4));
        assert_eq!(lower_median(&[1, 2, 3, 4]), Some(2));
        assert_eq!(lower_median(&[1, 2, 3, 4, 9]), Some(3));
    }

    #[test]
    fn csv_rows_are_read_with_quotes_and_numbered_by_line() {
        let text = "definition_code,definition_version,breakdown,category,value,numerator,base\r\n\
                    referrals,1,total,total,5,,\r\n\
                    \"share\",1,\"total\",total,25,1,4\n";
        let cells = parse_csv(text).expect("parsed");
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0].row, 2);
        assert_eq!(cells[0].numerator, None);
        assert_eq!(cells[1].row, 3);
        assert_eq!(cells[1].definition_code, "share");
        assert_eq!(cells[1].base, Some(4));
    }

    #[test]
    fn malformed_csv_rows_are_each_reported() {
        let text = "definition_code,definition_version,breakdown,category,value,numerator,base\n\
                    referrals,one,total,total,5,,\n\
                    referrals,1,total,total\n\
                    referrals,1,total,total,lots,,\n\
                    referrals,1,total,total,5,x,\n";
        let rejected: Vec<(usize, String)> = parse_csv(text)
            .expect_err("refused")
            .into_iter()
            .map(|r| (r.index, r.field))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (2, "definition_version".into()),
                (3, "row".into()),
                (4, "value".into()),
                (5, "numerator".into()),
            ]
        );
        assert!(parse_csv("").is_err());
        assert!(parse_csv("definition_code,value\n").is_err());
        assert!(parse_csv("a,\"b\n").is_err());
    }
}
