//! The values of one column as a drift test sees them: finite numbers, or counts per category.
//!
//! Both sides of a comparison go through here, so the reference profile and the current data
//! agree on what is missing (null, NaN and ±∞ are all dropped, as Evidently drops them before a
//! test) and on how a boolean or text column becomes categories.

use kiln_data::frame::cell_text;
use kiln_data::{ColumnType, Frame};
use rustc_hash::FxHashMap;

use crate::error::{MonitorError, Result};

/// How a column type is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Numeric and integer columns: compared as numbers.
    Numeric,
    /// Categorical, text and boolean columns: compared as counts per value.
    Categories,
}

/// The comparison kind of a column type; `None` for types drift tests do not cover (datetime).
pub(crate) fn kind_of(column_type: ColumnType) -> Option<Kind> {
    match column_type {
        ColumnType::Numeric | ColumnType::Integer => Some(Kind::Numeric),
        ColumnType::Categorical | ColumnType::Text | ColumnType::Boolean => Some(Kind::Categories),
        ColumnType::Datetime => None,
    }
}

/// True when a column stored as `reference` can be compared with one stored as `current`:
/// numeric with integer, categorical with text, boolean only with boolean.
pub(crate) fn compatible(reference: ColumnType, current: ColumnType) -> bool {
    use ColumnType::*;
    matches!(
        (reference, current),
        (Numeric | Integer, Numeric | Integer)
            | (Categorical | Text, Categorical | Text)
            | (Boolean, Boolean)
    )
}

/// One column's usable values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnValues {
    /// Finite values in row order.
    Numeric(Vec<f64>),
    /// Count per value (booleans as "false" / "true").
    Categories(FxHashMap<String, u64>),
}

impl ColumnValues {
    /// Values present (the rows a test sees).
    pub(crate) fn count(&self) -> u64 {
        match self {
            ColumnValues::Numeric(v) => v.len() as u64,
            ColumnValues::Categories(c) => c.values().sum(),
        }
    }
}

/// Reads column `name` of `frame`: its values and how many rows were missing.
pub(crate) fn read_column(frame: &Frame, name: &str) -> Result<(ColumnValues, u64)> {
    let index = frame.schema().index_of(name)?;
    let (field, array) = frame.column_at(index);
    let rows = frame.n_rows() as u64;
    let values = match (field.column_type, kind_of(field.column_type)) {
        (_, Some(Kind::Numeric)) => {
            let v: Vec<f64> = frame
                .numeric(name)?
                .into_iter()
                .filter(|x| x.is_finite())
                .collect();
            ColumnValues::Numeric(v)
        }
        (ColumnType::Categorical, _) => {
            let (codes, names) = frame.categorical(name)?;
            let mut per_code = vec![0u64; names.len()];
            for &c in codes.iter().filter(|&&c| c >= 0) {
                per_code[c as usize] += 1;
            }
            ColumnValues::Categories(
                names
                    .into_iter()
                    .zip(per_code)
                    .filter(|(_, k)| *k > 0)
                    .collect(),
            )
        }
        (ColumnType::Boolean, _) => {
            let v = frame.numeric(name)?;
            let mut counts = FxHashMap::default();
            for x in v.iter().filter(|x| !x.is_nan()) {
                let key = if *x == 1.0 { "true" } else { "false" };
                *counts.entry(key.to_string()).or_insert(0) += 1;
            }
            ColumnValues::Categories(counts)
        }
        (ColumnType::Text, _) => {
            let mut counts: FxHashMap<String, u64> = FxHashMap::default();
            for row in 0..frame.n_rows() {
                if let Some(t) = cell_text(field.column_type, array, row) {
                    *counts.entry(t).or_insert(0) += 1;
                }
            }
            ColumnValues::Categories(counts)
        }
        (other, _) => {
            return Err(MonitorError::column(
                name,
                format!(
                    "is {other}; drift tests cover numeric, integer, boolean, categorical and text columns"
                ),
            ));
        }
    };
    let missing = rows - values.count();
    Ok((values, missing))
}
