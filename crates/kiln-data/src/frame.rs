//! `Frame`: named columns backed by Arrow arrays, with the kiln `Schema` that types them.
//!
//! The storage per type is fixed (see `ColumnType`) so every consumer can rely on it: numeric is
//! `Float64`, integer `Int64`, boolean `Boolean`, categorical `Dictionary<Int32, Utf8>` with sorted
//! categories, text `Utf8`, datetime `Timestamp(Microsecond)`. Missing cells are Arrow nulls.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::{DataType, TimeUnit};

use crate::error::{DataError, Result};
use crate::schema::{ColumnType, Field, Role, Schema};

/// A table of named, typed columns of equal length.
#[derive(Debug, Clone)]
pub struct Frame {
    schema: Schema,
    columns: Vec<ArrayRef>,
    n_rows: usize,
}

/// The Arrow data type kiln stores a column type as.
pub fn arrow_type(column_type: ColumnType) -> DataType {
    match column_type {
        ColumnType::Numeric => DataType::Float64,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Categorical => {
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
        }
        ColumnType::Text => DataType::Utf8,
        ColumnType::Datetime => DataType::Timestamp(TimeUnit::Microsecond, None),
    }
}

impl Frame {
    /// Builds a frame, checking that each array has the storage its field's type requires and
    /// that all columns have the same length.
    pub fn new(schema: Schema, columns: Vec<ArrayRef>) -> Result<Self> {
        schema.check_names()?;
        if schema.len() != columns.len() {
            return Err(DataError::invalid(
                "frame",
                format!(
                    "schema has {} columns but {} arrays were given",
                    schema.len(),
                    columns.len()
                ),
            ));
        }
        let n_rows = columns.first().map_or(0, |c| c.len());
        for (field, col) in schema.fields.iter().zip(&columns) {
            let expected = arrow_type(field.column_type);
            if col.data_type() != &expected {
                return Err(DataError::column(
                    &field.name,
                    format!(
                        "stored as {} but type {} needs {expected}",
                        col.data_type(),
                        field.column_type
                    ),
                ));
            }
            if col.len() != n_rows {
                return Err(DataError::column(
                    &field.name,
                    format!("has {} rows, the first column has {n_rows}", col.len()),
                ));
            }
        }
        Ok(Frame {
            schema,
            columns,
            n_rows,
        })
    }

    /// A frame with no columns and no rows.
    pub fn empty() -> Self {
        Frame {
            schema: Schema::default(),
            columns: Vec::new(),
            n_rows: 0,
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// The schema (types and roles).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Mutable access to roles; types cannot change without changing storage, so only roles are
    /// exposed for editing.
    pub fn set_role(&mut self, name: &str, role: Role) -> Result<()> {
        if role == Role::Target {
            self.schema.set_target(name)
        } else {
            self.schema.set_role(name, role)
        }
    }

    /// Applies the role part of schema overrides (types are fixed by storage).
    pub fn apply_role_overrides(&mut self, overrides: &crate::SchemaOverrides) -> Result<()> {
        let mut schema = self.schema.clone();
        overrides.apply_roles(&mut schema)?;
        self.schema = schema;
        Ok(())
    }

    /// All arrays in column order.
    pub fn columns(&self) -> &[ArrayRef] {
        &self.columns
    }

    /// Column names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.schema.names()
    }

    /// The array of a column by name.
    pub fn column(&self, name: &str) -> Result<&ArrayRef> {
        Ok(&self.columns[self.schema.index_of(name)?])
    }

    /// Field and array of a column by position.
    pub fn column_at(&self, index: usize) -> (&Field, &ArrayRef) {
        (&self.schema.fields[index], &self.columns[index])
    }

    /// This frame with `other`'s columns appended on the right (same row count; names unique).
    pub fn hconcat(&self, other: &Frame) -> Result<Frame> {
        if self.n_cols() > 0 && other.n_rows != self.n_rows {
            return Err(DataError::invalid(
                "hconcat",
                format!("{} rows beside {} rows", self.n_rows, other.n_rows),
            ));
        }
        let mut fields = self.schema.fields.clone();
        fields.extend(other.schema.fields.iter().cloned());
        let mut columns = self.columns.clone();
        columns.extend(other.columns.iter().cloned());
        Frame::new(Schema::new(fields)?, columns)
    }

    /// A one-column numeric frame (NaN becomes missing).
    pub fn from_f64(name: &str, values: &[f64]) -> Result<Frame> {
        let array = arrow_array::Float64Array::from_iter(
            values.iter().map(|&v| (!v.is_nan()).then_some(v)),
        );
        Frame::new(
            Schema::new(vec![Field::new(name, ColumnType::Numeric)])?,
            vec![Arc::new(array)],
        )
    }

    /// A one-column categorical frame (categories sorted, as kiln stores them).
    pub fn from_labels(name: &str, labels: &[String]) -> Result<Frame> {
        let mut categories: Vec<&str> = labels.iter().map(String::as_str).collect();
        categories.sort_unstable();
        categories.dedup();
        let keys = arrow_array::Int32Array::from_iter_values(labels.iter().map(|l| {
            // Every label is in `categories` by construction.
            categories.binary_search(&l.as_str()).unwrap_or(0) as i32
        }));
        let values = arrow_array::StringArray::from_iter_values(categories.iter());
        let dict = arrow_array::DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
            .map_err(|e| DataError::invalid(name, e.to_string()))?;
        Frame::new(
            Schema::new(vec![Field::new(name, ColumnType::Categorical)])?,
            vec![Arc::new(dict)],
        )
    }

    /// A frame of the named columns, in the order given.
    pub fn select(&self, names: &[&str]) -> Result<Frame> {
        let mut fields = Vec::with_capacity(names.len());
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let i = self.schema.index_of(name)?;
            fields.push(self.schema.fields[i].clone());
            columns.push(self.columns[i].clone());
        }
        Frame::new(Schema::new(fields)?, columns)
    }

    /// Rows `offset .. offset + len` (zero-copy).
    pub fn slice(&self, offset: usize, len: usize) -> Frame {
        let offset = offset.min(self.n_rows);
        let len = len.min(self.n_rows - offset);
        Frame {
            schema: self.schema.clone(),
            columns: self.columns.iter().map(|c| c.slice(offset, len)).collect(),
            n_rows: len,
        }
    }

    /// The rows at `indices`, in that order (indices may repeat, as in a bootstrap sample).
    pub fn take(&self, indices: &[usize]) -> Result<Frame> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.n_rows) {
            return Err(DataError::invalid(
                "row index",
                format!("{bad} is out of range for a frame of {} rows", self.n_rows),
            ));
        }
        let idx = UInt32Array::from_iter_values(indices.iter().map(|&i| i as u32));
        let columns = self
            .columns
            .iter()
            .map(|c| arrow_select::take::take(c.as_ref(), &idx, None))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| DataError::invalid("take", e.to_string()))?;
        Frame::new(self.schema.clone(), columns)
    }

    /// Stacks frames with identical schemas vertically.
    pub fn concat(frames: &[Frame]) -> Result<Frame> {
        let Some(first) = frames.first() else {
            return Ok(Frame::empty());
        };
        for (i, f) in frames.iter().enumerate().skip(1) {
            if f.schema != first.schema {
                return Err(DataError::invalid(
                    "concat",
                    format!("frame {} has a different schema from frame 1", i + 1),
                ));
            }
        }
        let columns = (0..first.n_cols())
            .map(|c| {
                let parts: Vec<&dyn Array> = frames.iter().map(|f| f.columns[c].as_ref()).collect();
                arrow_select::concat::concat(&parts)
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| DataError::invalid("concat", e.to_string()))?;
        Frame::new(first.schema.clone(), columns)
    }

    /// A numeric view of a column as f64 with NaN for missing: numeric, integer (cast) and
    /// boolean (0/1) columns. Other types are an error naming the column.
    pub fn numeric(&self, name: &str) -> Result<Vec<f64>> {
        let i = self.schema.index_of(name)?;
        column_as_f64(&self.schema.fields[i], &self.columns[i])
    }

    /// A time column as f64 for ordering: microseconds since the epoch for datetime columns,
    /// the values themselves for numeric ones (a year, a day number); NaN when missing.
    pub fn time_values(&self, name: &str) -> Result<Vec<f64>> {
        let i = self.schema.index_of(name)?;
        if self.schema.fields[i].column_type != ColumnType::Datetime {
            return self.numeric(name);
        }
        let a = self.columns[i].as_primitive::<TimestampMicrosecondType>();
        Ok((0..a.len())
            .map(|r| {
                if a.is_null(r) {
                    f64::NAN
                } else {
                    a.value(r) as f64
                }
            })
            .collect())
    }

    /// Category codes (`-1` for missing) and the sorted category names of a categorical column.
    pub fn categorical(&self, name: &str) -> Result<(Vec<i32>, Vec<String>)> {
        let i = self.schema.index_of(name)?;
        let field = &self.schema.fields[i];
        if field.column_type != ColumnType::Categorical {
            return Err(DataError::column(
                name,
                format!("is {}, not categorical", field.column_type),
            ));
        }
        let dict = self.columns[i].as_dictionary::<Int32Type>();
        let values = dict.values().as_string::<i32>();
        let names = (0..values.len())
            .map(|j| values.value(j).to_string())
            .collect();
        let codes = (0..dict.len())
            .map(|r| {
                if dict.is_null(r) {
                    -1
                } else {
                    dict.keys().value(r)
                }
            })
            .collect();
        Ok((codes, names))
    }

    /// The cell at (`row`, `col`) rendered as text; `None` when missing.
    pub fn cell_text(&self, row: usize, col: usize) -> Option<String> {
        cell_text(self.schema.fields[col].column_type, &self.columns[col], row)
    }

    /// Approximate memory held by the column buffers, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.columns.iter().map(|c| c.get_array_memory_size()).sum()
    }

    /// The frame as an Arrow record batch (for Parquet and interop).
    pub fn to_record_batch(&self) -> Result<RecordBatch> {
        let fields: Vec<arrow_schema::Field> = self
            .schema
            .fields
            .iter()
            .zip(&self.columns)
            .map(|(f, c)| arrow_schema::Field::new(&f.name, c.data_type().clone(), true))
            .collect();
        let schema = Arc::new(arrow_schema::Schema::new(fields));
        RecordBatch::try_new_with_options(
            schema,
            self.columns.clone(),
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(self.n_rows)),
        )
        .map_err(|e| DataError::invalid("record batch", e.to_string()))
    }
}

/// Reads one column as f64 with NaN for missing; see `Frame::numeric`.
pub fn column_as_f64(field: &Field, array: &ArrayRef) -> Result<Vec<f64>> {
    let n = array.len();
    let out = match field.column_type {
        ColumnType::Numeric => {
            let a = array.as_primitive::<Float64Type>();
            (0..n)
                .map(|i| if a.is_null(i) { f64::NAN } else { a.value(i) })
                .collect()
        }
        ColumnType::Integer => {
            let a = array.as_primitive::<Int64Type>();
            (0..n)
                .map(|i| {
                    if a.is_null(i) {
                        f64::NAN
                    } else {
                        a.value(i) as f64
                    }
                })
                .collect()
        }
        ColumnType::Boolean => {
            let a = array.as_boolean();
            (0..n)
                .map(|i| {
                    if a.is_null(i) {
                        f64::NAN
                    } else if a.value(i) {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect()
        }
        other => {
            return Err(DataError::column(
                &field.name,
                format!("is {other}; a numeric, integer or boolean column was expected"),
            ));
        }
    };
    Ok(out)
}

/// One cell as text, the way CSV output and error messages show it; `None` when missing.
pub fn cell_text(column_type: ColumnType, array: &ArrayRef, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match column_type {
        ColumnType::Numeric => format_f64(array.as_primitive::<Float64Type>().value(row)),
        ColumnType::Integer => array.as_primitive::<Int64Type>().value(row).to_string(),
        ColumnType::Boolean => array.as_boolean().value(row).to_string(),
        ColumnType::Categorical => {
            let d = array.as_dictionary::<Int32Type>();
            let key = d.keys().value(row) as usize;
            d.values().as_string::<i32>().value(key).to_string()
        }
        ColumnType::Text => array.as_string::<i32>().value(row).to_string(),
        ColumnType::Datetime => crate::datetime::format_micros(
            array.as_primitive::<TimestampMicrosecondType>().value(row),
        ),
    })
}

/// Shortest text that parses back to the same f64 (Rust's `Display` is round-trip exact).
pub fn format_f64(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        v.to_string()
    }
}
