//! Per-column facts for `kiln data info`: type, role, missing share, distinct count, memory.
//!
//! Distinct counts are exact (hash sets over the values, columns in parallel). Richer statistics
//! live in kiln-stats; this is what a user needs to see first about a file.

use std::collections::HashSet;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::frame::Frame;
use crate::schema::{ColumnType, Role};

/// What `kiln data info` reports for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Storage type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Role.
    pub role: Role,
    /// Missing cells.
    pub missing: usize,
    /// Missing cells as a percentage of rows.
    pub missing_pct: f64,
    /// Distinct non-missing values.
    pub distinct: usize,
    /// Bytes held by the column's buffers.
    pub memory_bytes: usize,
}

/// Summaries of every column, in column order.
pub fn summarize(frame: &Frame) -> Vec<ColumnSummary> {
    (0..frame.n_cols())
        .into_par_iter()
        .map(|i| {
            let (field, array) = frame.column_at(i);
            let missing = array.null_count();
            ColumnSummary {
                name: field.name.clone(),
                column_type: field.column_type,
                role: field.role,
                missing,
                missing_pct: if frame.n_rows() == 0 {
                    0.0
                } else {
                    100.0 * missing as f64 / frame.n_rows() as f64
                },
                distinct: distinct_count(field.column_type, array.as_ref()),
                memory_bytes: array.get_array_memory_size(),
            }
        })
        .collect()
}

/// Exact count of distinct non-missing values.
pub fn distinct_count(column_type: ColumnType, array: &dyn Array) -> usize {
    let n = array.len();
    match column_type {
        ColumnType::Numeric => {
            let a = array.as_primitive::<Float64Type>();
            // -0.0 and 0.0 are one value; every NaN bit pattern is one value.
            let key = |v: f64| {
                if v == 0.0 {
                    0u64
                } else if v.is_nan() {
                    u64::MAX
                } else {
                    v.to_bits()
                }
            };
            (0..n)
                .filter(|&i| !a.is_null(i))
                .map(|i| key(a.value(i)))
                .collect::<HashSet<_>>()
                .len()
        }
        ColumnType::Integer => {
            let a = array.as_primitive::<Int64Type>();
            (0..n)
                .filter(|&i| !a.is_null(i))
                .map(|i| a.value(i))
                .collect::<HashSet<_>>()
                .len()
        }
        ColumnType::Datetime => {
            let a = array.as_primitive::<TimestampMicrosecondType>();
            (0..n)
                .filter(|&i| !a.is_null(i))
                .map(|i| a.value(i))
                .collect::<HashSet<_>>()
                .len()
        }
        ColumnType::Boolean => {
            let a = array.as_boolean();
            (0..n)
                .filter(|&i| !a.is_null(i))
                .map(|i| a.value(i))
                .collect::<HashSet<_>>()
                .len()
        }
        ColumnType::Categorical => {
            let d = array.as_dictionary::<Int32Type>();
            (0..n)
                .filter(|&i| !d.is_null(i))
                .map(|i| d.keys().value(i))
                .collect::<HashSet<_>>()
                .len()
        }
        ColumnType::Text => {
            let a = array.as_string::<i32>();
            a.iter().flatten().collect::<HashSet<_>>().len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_missing_and_distinct_per_type() {
        let f = crate::csv::read_csv_bytes(
            b"a,b,c,d\n1,x,true,0.0\n1,y,,-0.0\n,x,false,1.5\n2,x,true,\n",
            "t",
            &Default::default(),
        )
        .unwrap();
        let s = summarize(&f);
        let got: Vec<(usize, usize)> = s.iter().map(|c| (c.missing, c.distinct)).collect();
        assert_eq!(got, vec![(1, 2), (0, 2), (1, 2), (1, 2)]);
        assert!((s[0].missing_pct - 25.0).abs() < 1e-12);
    }
}
