//! Checking a frame against a [`DataSchema`]: missing and extra columns, type mismatches, nulls
//! where none are allowed, values outside a range or domain, and missing-rate increases.
//!
//! Row numbers in violations are **1-based data rows**: row 1 is the first row after the header,
//! as in a spreadsheet without its header line.

use kiln_data::{ColumnType, Frame};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{ColumnSchema, DataSchema};
use crate::error::Result;

/// Example rows kept per violation.
pub const MAX_EXAMPLES: usize = 5;

/// How bad a violation is; any `Error` fails validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look; does not fail validation.
    Warning,
    /// The data breaks the schema.
    Error,
}

/// What kind of rule was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// A schema column is absent from the data.
    MissingColumn,
    /// The data has a column the schema does not know.
    ExtraColumn,
    /// Values do not have the schema's type.
    TypeMismatch,
    /// Missing values in a column that allows none.
    NullNotAllowed,
    /// Numeric values outside [min, max].
    OutOfRange,
    /// Categories outside the domain.
    OutOfDomain,
    /// ±∞ in a numeric column that does not allow it.
    NonFinite,
    /// More missing values than the schema's `max_missing_fraction`.
    MissingRateIncrease,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The column.
    pub column: String,
    /// The rule.
    pub kind: ViolationKind,
    /// Error or warning.
    pub severity: Severity,
    /// Offending cells (0 for column-level findings).
    pub count: u64,
    /// Up to [`MAX_EXAMPLES`] offending rows, 1-based data rows (header excluded).
    pub example_rows: Vec<u64>,
    /// What was found and what was expected.
    pub message: String,
}

/// The outcome of a validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Rows checked.
    pub rows: u64,
    /// Every violation, errors first, in column order.
    pub violations: Vec<Violation>,
    /// Violations of severity error.
    pub errors: usize,
    /// Violations of severity warning.
    pub warnings: usize,
    /// True when there is no error.
    pub passed: bool,
}

/// Whether data of type `found` satisfies a schema type.
fn compatible(expected: ColumnType, found: ColumnType) -> bool {
    use ColumnType::*;
    expected == found
        || matches!(
            (expected, found),
            (Numeric, Integer) | (Categorical, Text) | (Text, Categorical)
        )
}

/// Offending rows: count and the first few (1-based).
#[derive(Default)]
struct Hits {
    count: u64,
    examples: Vec<u64>,
}

impl Hits {
    fn add(&mut self, row: usize) {
        self.count += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(row as u64 + 1);
        }
    }
}

fn violation(
    c: &ColumnSchema,
    kind: ViolationKind,
    severity: Severity,
    hits: Hits,
    message: String,
) -> Violation {
    Violation {
        column: c.name.clone(),
        kind,
        severity,
        count: hits.count,
        example_rows: hits.examples,
        message,
    }
}

/// Checks one present column.
fn check_column(frame: &Frame, index: usize, c: &ColumnSchema) -> Result<Vec<Violation>> {
    let mut out = Vec::new();
    let (field, array) = frame.column_at(index);
    let rows = frame.n_rows();
    let missing = array.null_count();
    // A column with no values at all has no type to disagree with; the null rules speak for it.
    if missing < rows && !compatible(c.column_type, field.column_type) {
        let mut hits = Hits::default();
        for r in 0..rows {
            if let Some(text) = frame.cell_text(r, index)
                && !fits_type(c.column_type, &text)
            {
                hits.add(r);
            }
        }
        let shown = hits
            .examples
            .first()
            .and_then(|&r| frame.cell_text(r as usize - 1, index))
            .map(|t| format!(", e.g. '{t}'"))
            .unwrap_or_default();
        let message = format!(
            "expected {}, found {} values{shown}",
            c.column_type, field.column_type
        );
        out.push(violation(
            c,
            ViolationKind::TypeMismatch,
            Severity::Error,
            hits,
            message,
        ));
        return Ok(out);
    }
    // NaN is a missing cell to a model (kiln's models read null as NaN), so it counts with the
    // nulls; ±∞ is a value no model should be fed unless the schema allows it.
    let numbers = if matches!(field.column_type, ColumnType::Numeric | ColumnType::Integer) {
        Some(frame.numeric(&field.name)?)
    } else {
        None
    };
    let is_missing = |r: usize| match &numbers {
        Some(v) => v[r].is_nan(),
        None => array.is_null(r),
    };
    let missing = match &numbers {
        Some(v) => v.iter().filter(|x| x.is_nan()).count(),
        None => missing,
    };
    if missing > 0 {
        let mut hits = Hits::default();
        for r in (0..rows).filter(|&r| is_missing(r)) {
            hits.add(r);
        }
        let fraction = missing as f64 / rows as f64;
        if !c.nullable {
            let message = format!("{missing} missing values; the schema allows none");
            out.push(violation(
                c,
                ViolationKind::NullNotAllowed,
                Severity::Error,
                hits,
                message,
            ));
        } else if fraction > c.max_missing_fraction + 1e-12 {
            let message = format!(
                "{:.2}% missing, above the schema's {:.2}%",
                100.0 * fraction,
                100.0 * c.max_missing_fraction
            );
            out.push(violation(
                c,
                ViolationKind::MissingRateIncrease,
                Severity::Warning,
                hits,
                message,
            ));
        }
    }
    if let (Some(v), false) = (&numbers, c.allow_infinite) {
        let mut hits = Hits::default();
        for (r, _) in v.iter().enumerate().filter(|(_, x)| x.is_infinite()) {
            hits.add(r);
        }
        if hits.count > 0 {
            let message = format!(
                "{} infinite values; the schema expects finite numbers (set allow_infinite = true to accept them)",
                hits.count
            );
            out.push(violation(
                c,
                ViolationKind::NonFinite,
                Severity::Error,
                hits,
                message,
            ));
        }
    }
    if let (Some(v), true) = (&numbers, c.min.is_some() || c.max.is_some()) {
        let (lo, hi) = (
            c.min.unwrap_or(f64::NEG_INFINITY),
            c.max.unwrap_or(f64::INFINITY),
        );
        let mut hits = Hits::default();
        let mut worst: Option<f64> = None;
        for (r, &x) in v.iter().enumerate() {
            // Infinities have their own rule above; NaN is missing.
            if x.is_finite() && (x < lo || x > hi) {
                hits.add(r);
                worst.get_or_insert(x);
            }
        }
        if hits.count > 0 {
            let message = format!(
                "{} values outside [{}, {}], e.g. {}",
                hits.count,
                c.min.map_or("-inf".into(), |v| v.to_string()),
                c.max.map_or("inf".into(), |v| v.to_string()),
                worst.map_or(String::new(), |v| v.to_string())
            );
            out.push(violation(
                c,
                ViolationKind::OutOfRange,
                Severity::Error,
                hits,
                message,
            ));
        }
    }
    if let Some(domain) = &c.domain {
        let allowed: std::collections::HashSet<&str> = domain.iter().map(String::as_str).collect();
        let mut hits = Hits::default();
        let mut unseen: Vec<String> = Vec::new();
        for r in 0..rows {
            if let Some(text) = frame.cell_text(r, index)
                && !allowed.contains(text.as_str())
            {
                hits.add(r);
                if unseen.len() < MAX_EXAMPLES && !unseen.contains(&text) {
                    unseen.push(text);
                }
            }
        }
        if hits.count > 0 {
            let message = format!(
                "{} values outside the domain of {} categories: {}",
                hits.count,
                domain.len(),
                unseen
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.push(violation(
                c,
                ViolationKind::OutOfDomain,
                Severity::Error,
                hits,
                message,
            ));
        }
    }
    Ok(out)
}

/// Whether a cell's text could be a value of `expected` (for example rows of a type mismatch).
fn fits_type(expected: ColumnType, text: &str) -> bool {
    let t = text.trim();
    match expected {
        ColumnType::Numeric => t.parse::<f64>().is_ok(),
        ColumnType::Integer => t.parse::<i64>().is_ok(),
        ColumnType::Boolean => matches!(
            t.to_ascii_lowercase().as_str(),
            "true" | "false" | "0" | "1"
        ),
        ColumnType::Datetime => kiln_data::datetime::parse_micros(t.as_bytes()).is_some(),
        ColumnType::Categorical | ColumnType::Text => true,
    }
}

/// Checks `frame` against `schema`.
///
/// ```
/// use kiln_monitor::validate::{infer_schema, validate, ViolationKind};
/// let reference = kiln_data::csv::read_csv_bytes(b"x,y\n1,a\n2,b\n", "ref", &Default::default())?;
/// let schema = infer_schema(&reference, 0.0)?;
/// assert!(validate(&reference, &schema)?.passed);
/// let new = kiln_data::csv::read_csv_bytes(b"x\n1\n5\n", "new", &Default::default())?;
/// let report = validate(&new, &schema)?;
/// assert!(!report.passed);
/// let kinds: Vec<_> = report.violations.iter().map(|v| v.kind).collect();
/// assert_eq!(kinds, vec![ViolationKind::OutOfRange, ViolationKind::MissingColumn]);
/// assert_eq!(report.violations[0].example_rows, vec![2]); // 1-based data rows
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
pub fn validate(frame: &Frame, schema: &DataSchema) -> Result<ValidationReport> {
    let names: Vec<&str> = frame.names().collect();
    let per_column: Vec<Vec<Violation>> = schema
        .columns
        .par_iter()
        .map(|c| match names.iter().position(|n| *n == c.name) {
            Some(i) => check_column(frame, i, c),
            None => Ok(vec![Violation {
                column: c.name.clone(),
                kind: ViolationKind::MissingColumn,
                severity: Severity::Error,
                count: 0,
                example_rows: Vec::new(),
                message: format!(
                    "the column is missing (expected {}, role {})",
                    c.column_type, c.role
                ),
            }]),
        })
        .collect::<Result<_>>()?;
    let mut violations: Vec<Violation> = per_column.into_iter().flatten().collect();
    for (i, name) in names.iter().enumerate() {
        if schema.column(name).is_none() {
            violations.push(Violation {
                column: name.to_string(),
                kind: ViolationKind::ExtraColumn,
                severity: Severity::Warning,
                count: 0,
                example_rows: Vec::new(),
                message: format!(
                    "not in the schema (found {} values)",
                    frame.schema().fields[i].column_type
                ),
            });
        }
    }
    // Errors first; the sort is stable, so column order holds within a severity.
    violations.sort_by_key(|v| std::cmp::Reverse(v.severity));
    let errors = violations
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .count();
    Ok(ValidationReport {
        rows: frame.n_rows() as u64,
        warnings: violations.len() - errors,
        errors,
        passed: errors == 0,
        violations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{DataSchema, infer_schema};

    fn csv(text: &str) -> Frame {
        kiln_data::csv::read_csv_bytes(text.as_bytes(), "t", &Default::default()).unwrap()
    }

    #[test]
    fn warnings_do_not_fail_and_compatible_types_pass() {
        let reference = csv("x,n,c\n1.5,1,a\n2.5,,b\n3.5,3,a\n4.5,4,b\n");
        let schema = infer_schema(&reference, 0.0).unwrap();
        // x now holds only integers (compatible with numeric); n misses 2 of 4 (was 1 of 4);
        // an extra column appears.
        let new = csv("x,n,c,extra\n2,,a,1\n3,,b,2\n4,3,a,3\n4,2,b,4\n");
        let r = validate(&new, &schema).unwrap();
        assert!(r.passed, "{:?}", r.violations);
        let kinds: Vec<_> = r.violations.iter().map(|v| (v.kind, v.severity)).collect();
        assert_eq!(
            kinds,
            vec![
                (ViolationKind::MissingRateIncrease, Severity::Warning),
                (ViolationKind::ExtraColumn, Severity::Warning)
            ]
        );
        assert_eq!(r.violations[0].example_rows, vec![1, 2]);
        assert_eq!(r.warnings, 2);
    }

    #[test]
    fn nan_counts_as_missing_and_infinity_is_named() {
        let reference = csv("x,y\n1.5,a\n2.5,b\n");
        let schema = infer_schema(&reference, 0.0).unwrap();
        assert!(!schema.column("x").unwrap().allow_infinite);
        // pandas' NA tokens make "nan" a null on reading; "inf" parses as a number.
        let new = csv("x,y\n2.0,a\ninf,b\n-inf,a\nnan,b\n");
        let r = validate(&new, &schema).unwrap();
        let found: Vec<_> = r
            .violations
            .iter()
            .map(|v| (v.kind, v.count, v.example_rows.clone()))
            .collect();
        assert_eq!(
            found,
            vec![
                (ViolationKind::NullNotAllowed, 1, vec![4]),
                (ViolationKind::NonFinite, 2, vec![2, 3]),
            ]
        );
        assert!(r.violations[1].message.contains("2 infinite values"));
        // A reference with infinities allows them, and they are not out of range either.
        let schema = infer_schema(&new, 0.0).unwrap();
        let x = schema.column("x").unwrap();
        assert!(x.allow_infinite && x.nullable);
        assert_eq!((x.min, x.max), (Some(2.0), Some(2.0)));
        assert!(validate(&new, &schema).unwrap().violations.is_empty());
        let text = schema.to_toml().unwrap();
        assert!(text.contains("allow_infinite = true"));
        assert_eq!(DataSchema::from_toml(&text, "s.toml").unwrap(), schema);
    }

    #[test]
    fn examples_stop_at_five_but_the_count_does_not() {
        let reference = csv("x\n1\n2\n");
        let schema = infer_schema(&reference, 0.0).unwrap();
        let new = csv("x\n9\n9\n9\n9\n9\n9\n9\n1\n");
        let r = validate(&new, &schema).unwrap();
        assert_eq!(r.violations.len(), 1);
        let v = &r.violations[0];
        assert_eq!((v.kind, v.count), (ViolationKind::OutOfRange, 7));
        assert_eq!(v.example_rows, vec![1, 2, 3, 4, 5]);
        assert!(!r.passed);
    }
}
