//! `Table`: the named columns that flow between preparation steps.
//!
//! A step sees either numbers (f64, NaN = missing) or categories (codes into a list of level
//! names, `-1` = missing). Keeping categories as codes means an encoder maps each *level* once per
//! call instead of hashing a string per row, and a one-row table at serving time costs the same
//! as a batch. The last step of a pipeline must leave only numeric columns, which become the
//! dense model matrix.

use std::collections::HashMap;

use kiln_data::{ColumnType, Frame};
use ndarray::{Array2, ShapeBuilder};

use crate::error::{PrepError, Result};

/// One column inside a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; NaN marks a missing cell.
    Numeric(Vec<f64>),
    /// Categories: `codes[i]` indexes `levels`, `-1` marks a missing cell.
    Categorical {
        /// Per-row code.
        codes: Vec<i32>,
        /// Level names (any order, no duplicates).
        levels: Vec<String>,
    },
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical { codes, .. } => codes.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A categorical column from optional strings (levels in first-seen order).
    pub fn categorical_from<S: AsRef<str>>(values: &[Option<S>]) -> Column {
        let mut index: HashMap<&str, i32> = HashMap::new();
        let mut levels = Vec::new();
        let codes = values
            .iter()
            .map(|v| match v {
                None => -1,
                Some(s) => *index.entry(s.as_ref()).or_insert_with(|| {
                    levels.push(s.as_ref().to_string());
                    levels.len() as i32 - 1
                }),
            })
            .collect();
        Column::Categorical { codes, levels }
    }

    /// The level name of row `i`, `None` when missing or numeric.
    pub fn level(&self, i: usize) -> Option<&str> {
        match self {
            Column::Categorical { codes, levels } if codes[i] >= 0 => {
                Some(levels[codes[i] as usize].as_str())
            }
            _ => None,
        }
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column names, unique.
    pub names: Vec<String>,
    /// Columns, parallel to `names`.
    pub columns: Vec<Column>,
    /// Number of rows (kept separately so a table with no columns still has a length).
    pub n_rows: usize,
}

impl Table {
    /// An empty table of `n_rows` rows.
    pub fn with_rows(n_rows: usize) -> Self {
        Table {
            names: Vec::new(),
            columns: Vec::new(),
            n_rows,
        }
    }

    /// Appends a column; its length must equal the table's.
    pub fn push(&mut self, name: impl Into<String>, column: Column) {
        debug_assert_eq!(column.len(), self.n_rows);
        self.names.push(name.into());
        self.columns.push(column);
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// Reads the named columns of a frame. Numeric, integer and boolean columns become numbers;
    /// categorical and text columns become categories. Infinite numbers are rejected here, at the
    /// door, with the row that holds them: NaN and nulls both mean "missing", infinities mean a
    /// bug upstream and would silently poison every statistic.
    pub fn from_frame(frame: &Frame, names: &[String]) -> Result<Table> {
        let mut table = Table::with_rows(frame.n_rows());
        for name in names {
            let field = frame.schema().field(name)?;
            let column = match field.column_type {
                t if t.is_numeric() => {
                    let values = frame.numeric(name)?;
                    if let Some(row) = values.iter().position(|v| v.is_infinite()) {
                        return Err(PrepError::column(
                            name,
                            format!(
                                "row {row} holds {}; numeric inputs must be finite (leave the cell empty for missing)",
                                values[row]
                            ),
                        ));
                    }
                    Column::Numeric(values)
                }
                ColumnType::Categorical => {
                    let (codes, levels) = frame.categorical(name)?;
                    Column::Categorical { codes, levels }
                }
                ColumnType::Text => {
                    let col = frame.schema().index_of(name)?;
                    let values: Vec<Option<String>> = (0..frame.n_rows())
                        .map(|r| frame.cell_text(r, col))
                        .collect();
                    Column::categorical_from(&values)
                }
                other => {
                    return Err(PrepError::column(
                        name,
                        format!(
                            "is {other}; preparation reads numeric, integer, boolean, categorical or text columns (give it role 'time' or 'ignore')"
                        ),
                    ));
                }
            };
            table.push(name.clone(), column);
        }
        Ok(table)
    }

    /// A numeric table from row-major rows and names (handy for matrix steps and tests).
    pub fn from_rows(names: &[&str], rows: &[Vec<f64>]) -> Table {
        let mut t = Table::with_rows(rows.len());
        for (j, name) in names.iter().enumerate() {
            t.push(*name, Column::Numeric(rows.iter().map(|r| r[j]).collect()));
        }
        t
    }

    /// The numeric columns of the table, or an error naming the first categorical one and the
    /// step that needed numbers.
    pub fn numeric_columns(&self, step: &str) -> Result<Vec<&[f64]>> {
        self.names
            .iter()
            .zip(&self.columns)
            .map(|(name, c)| match c {
                Column::Numeric(v) => Ok(v.as_slice()),
                Column::Categorical { .. } => Err(PrepError::column(
                    name,
                    format!(
                        "is categorical but {step} needs numbers; encode it first (one_hot_encoder, ordinal_encoder or target_encoder)"
                    ),
                )),
            })
            .collect()
    }

    /// Checks that the table has the columns a fitted step was fitted on, in order.
    pub fn expect_names(&self, expected: &[String], step: &str) -> Result<()> {
        if self.names != expected {
            return Err(PrepError::input(
                step,
                format!(
                    "was fitted on columns [{}] but received [{}]",
                    expected.join(", "),
                    self.names.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Keeps the rows at `indices`, in that order.
    pub fn take(&self, indices: &[usize]) -> Table {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) => Column::Numeric(indices.iter().map(|&i| v[i]).collect()),
                Column::Categorical { codes, levels } => Column::Categorical {
                    codes: indices.iter().map(|&i| codes[i]).collect(),
                    levels: levels.clone(),
                },
            })
            .collect();
        Table {
            names: self.names.clone(),
            columns,
            n_rows: indices.len(),
        }
    }

    /// Joins the columns of several tables of equal length, left to right.
    pub fn hstack(parts: Vec<Table>, n_rows: usize) -> Table {
        let mut out = Table::with_rows(n_rows);
        for part in parts {
            out.names.extend(part.names);
            out.columns.extend(part.columns);
        }
        out
    }

    /// The dense column-major model matrix; every column must be numeric by now.
    pub fn to_matrix(&self) -> Result<Array2<f64>> {
        let cols = self.numeric_columns("the model matrix")?;
        let mut data = Vec::with_capacity(self.n_rows * cols.len());
        for c in &cols {
            data.extend_from_slice(c);
        }
        Array2::from_shape_vec((self.n_rows, cols.len()).f(), data)
            .map_err(|e| PrepError::input("model matrix", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_is_column_major_and_rejects_categories() {
        let t = Table::from_rows(&["a", "b"], &[vec![1.0, 2.0], vec![3.0, 4.0]]);
        let m = t.to_matrix().unwrap();
        assert_eq!(m[[1, 0]], 3.0);
        assert_eq!(m.as_slice_memory_order().unwrap(), &[1.0, 3.0, 2.0, 4.0]);
        let mut t = Table::with_rows(2);
        t.push("c", Column::categorical_from(&[Some("x"), None]));
        let err = t.to_matrix().unwrap_err().to_string();
        assert!(
            err.contains("column 'c'") && err.contains("encode it first"),
            "{err}"
        );
    }
}
