//! Helpers shared by the integration tests: building frames from plain values and comparing
//! frames cell by cell.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::Read;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampMicrosecondArray,
};
use kiln_data::{ColumnType, Field, Frame, Role, Schema};

/// One column of plain values; `None` is a missing cell.
#[derive(Debug, Clone)]
pub enum Values {
    Numeric(Vec<Option<f64>>),
    Integer(Vec<Option<i64>>),
    Boolean(Vec<Option<bool>>),
    Categorical(Vec<Option<String>>),
    Text(Vec<Option<String>>),
    Datetime(Vec<Option<i64>>),
}

impl Values {
    pub fn column_type(&self) -> ColumnType {
        match self {
            Values::Numeric(_) => ColumnType::Numeric,
            Values::Integer(_) => ColumnType::Integer,
            Values::Boolean(_) => ColumnType::Boolean,
            Values::Categorical(_) => ColumnType::Categorical,
            Values::Text(_) => ColumnType::Text,
            Values::Datetime(_) => ColumnType::Datetime,
        }
    }

    /// The Arrow array in kiln's storage for the type (categories sorted, as kiln keeps them).
    pub fn to_array(&self) -> ArrayRef {
        match self {
            Values::Numeric(v) => Arc::new(Float64Array::from(v.clone())),
            Values::Integer(v) => Arc::new(Int64Array::from(v.clone())),
            Values::Boolean(v) => Arc::new(BooleanArray::from(v.clone())),
            Values::Text(v) => Arc::new(StringArray::from(v.clone())),
            Values::Datetime(v) => Arc::new(TimestampMicrosecondArray::from(v.clone())),
            Values::Categorical(v) => {
                let mut cats: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
                cats.sort_unstable();
                cats.dedup();
                let keys: Int32Array = v
                    .iter()
                    .map(|s| {
                        s.as_deref()
                            .map(|s| cats.binary_search(&s).expect("category present") as i32)
                    })
                    .collect();
                let values = StringArray::from_iter_values(cats.iter().copied());
                Arc::new(
                    DictionaryArray::<arrow_array::types::Int32Type>::try_new(
                        keys,
                        Arc::new(values),
                    )
                    .expect("keys index the categories"),
                )
            }
        }
    }
}

/// A frame from named columns with the given roles; `nullable` is set from the data, as the
/// readers set it.
pub fn frame_of(columns: &[(String, Role, Values)]) -> Frame {
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for (name, role, values) in columns {
        let array = values.to_array();
        let mut field = Field::new(name.clone(), values.column_type()).with_role(*role);
        field.nullable = array.null_count() > 0;
        fields.push(field);
        arrays.push(array);
    }
    Frame::new(Schema::new(fields).expect("unique names"), arrays).expect("consistent frame")
}

/// Asserts two frames hold the same schema (types, roles, nullability) and the same cells:
/// texts equal, numeric cells bit-for-bit (so -0.0 ≠ 0.0), nulls in the same places.
pub fn assert_frames_equal(got: &Frame, want: &Frame, context: &str) {
    assert_eq!(got.schema(), want.schema(), "{context}: schema");
    assert_eq!(got.n_rows(), want.n_rows(), "{context}: rows");
    for c in 0..want.n_cols() {
        assert_column_equal(got, want, c, context);
    }
}

/// Like `assert_frames_equal` but ignores roles and nullability (for readers that infer them).
pub fn assert_cells_equal(got: &Frame, want: &Frame, context: &str) {
    assert_eq!(
        got.names().collect::<Vec<_>>(),
        want.names().collect::<Vec<_>>(),
        "{context}: names"
    );
    assert_eq!(got.n_rows(), want.n_rows(), "{context}: rows");
    for c in 0..want.n_cols() {
        assert_eq!(
            got.schema().fields[c].column_type,
            want.schema().fields[c].column_type,
            "{context}: type of column {c}"
        );
        assert_column_equal(got, want, c, context);
    }
}

fn assert_column_equal(got: &Frame, want: &Frame, c: usize, context: &str) {
    let (field, a) = want.column_at(c);
    let (_, b) = got.column_at(c);
    for r in 0..want.n_rows() {
        assert_eq!(
            got.cell_text(r, c),
            want.cell_text(r, c),
            "{context}: column '{}', row {r}",
            field.name
        );
        if field.column_type == ColumnType::Numeric && !a.is_null(r) {
            let x = a.as_primitive::<Float64Type>().value(r);
            let y = b.as_primitive::<Float64Type>().value(r);
            assert_eq!(
                y.to_bits(),
                x.to_bits(),
                "{context}: column '{}', row {r}: {y:?} vs {x:?}",
                field.name
            );
        }
    }
}

/// A reader that returns at most `step` bytes per call, so a streaming reader fills its buffer
/// in many small pieces (as from a pipe) instead of one large read.
pub struct Trickle {
    data: Vec<u8>,
    pos: usize,
    step: usize,
}

impl Trickle {
    pub fn new(data: Vec<u8>, step: usize) -> Self {
        Trickle { data, pos: 0, step }
    }
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.data.len() - self.pos).min(buf.len()).min(self.step);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
