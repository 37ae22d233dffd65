//! Request rows → a `Frame` typed by the model's input schema.
//!
//! Clients send rows as records (`[{"col": v, ...}]`), a pandas "split" table
//! (`{"columns": [...], "data": [[...]]}`), columns (`{"col": [v, ...]}`) or positional rows
//! (`[[v, ...]]` in input-schema order). Every shape becomes one list of JSON cells per input
//! column, and each column is converted by its schema type: JSON numbers for numeric and integer
//! columns, `true`/`false` for boolean, strings for text and datetime (ISO), strings or numbers
//! for categorical (a category code sent as a number is read as its text, as the preparation
//! does), and `null` or an absent key for a missing cell. Anything else is a 422 naming the row
//! and the column. Columns the model does not read are ignored; a column it reads that is absent
//! from the request is a 422 naming it.
//!
//! Categorical, text and datetime columns are built by `kiln_data::infer::build_column`, the
//! builder every reader uses, so a request row becomes exactly the frame a CSV row would.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array};
use kiln_data::infer::{InferOptions, NaTokens, build_column};
use kiln_data::{ColumnType, Field, Frame, Schema};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The rows of a request, in the shape the client sent them.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    /// `[{"col": v, ...}, ...]`: one object per row.
    Records(&'a [Value]),
    /// `{"columns": [...], "data": [[...], ...]}`: names once, then rows of values.
    Split {
        /// The column names, in the order of each data row.
        columns: &'a [Value],
        /// The rows.
        data: &'a [Value],
    },
    /// `{"col": [v, ...], ...}`: one array per column.
    Columns(&'a Map<String, Value>),
    /// `[[v, ...], ...]`: rows of values in input-schema order.
    Positional(&'a [Value]),
}

static NULL: Value = Value::Null;

/// Reads the body of the native predict route: records, a single record, or a split table.
pub fn native_rows(body: &Value) -> Result<Rows<'_>, ApiError> {
    match body {
        Value::Array(rows) => Ok(Rows::Records(rows)),
        Value::Object(map) => match (map.get("columns"), map.get("data")) {
            (Some(Value::Array(columns)), Some(Value::Array(data))) => {
                Ok(Rows::Split { columns, data })
            }
            _ => Ok(Rows::Records(std::slice::from_ref(body))),
        },
        other => Err(ApiError::bad_request(format!(
            "expected a JSON object (one row), an array of objects (rows) or {{\"columns\": [...], \"data\": [[...]]}}, got {}",
            kind(other)
        ))),
    }
}

/// The JSON type of a value, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short rendering of a value for messages (long strings cut).
fn show(v: &Value) -> String {
    let mut s = v.to_string();
    if s.len() > 60 {
        let cut = (0..=60).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// Builds the frame the model reads from request rows.
pub fn frame_from_rows(rows: Rows<'_>, schema: &Schema) -> Result<Frame, ApiError> {
    let cells = cells_by_column(rows, schema)?;
    let n_rows = cells.first().map_or(0, Vec::len);
    if n_rows == 0 {
        return Err(ApiError::bad_request(
            "the request has no rows; send at least one",
        ));
    }
    let columns = schema
        .fields
        .iter()
        .zip(&cells)
        .map(|(field, cells)| build_array(field, cells))
        .collect::<Result<Vec<_>, _>>()?;
    Frame::new(schema.clone(), columns)
        .map_err(|e| ApiError::internal(format!("building the request frame: {e}")))
}

fn missing_column(name: &str) -> ApiError {
    ApiError::schema_mismatch(format!(
        "column '{name}' is missing; the model reads it (send null for a missing value)"
    ))
    .with_field(name)
}

/// One list of cells per schema field, in schema order.
fn cells_by_column<'a>(rows: Rows<'a>, schema: &Schema) -> Result<Vec<Vec<&'a Value>>, ApiError> {
    match rows {
        Rows::Records(rows) => {
            let objects = rows
                .iter()
                .enumerate()
                .map(|(i, r)| match r {
                    Value::Object(m) => Ok(m),
                    other => Err(ApiError::bad_request(format!(
                        "row {i} is {}; expected an object of column values",
                        kind(other)
                    ))
                    .with_row(i)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            schema
                .fields
                .iter()
                .map(|f| {
                    if !objects.is_empty() && !objects.iter().any(|o| o.contains_key(&f.name)) {
                        return Err(missing_column(&f.name));
                    }
                    Ok(objects
                        .iter()
                        .map(|o| o.get(&f.name).unwrap_or(&NULL))
                        .collect())
                })
                .collect()
        }
        Rows::Split { columns, data } => {
            let names = columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    c.as_str().ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "columns[{i}] is {}; expected a column name (string)",
                            kind(c)
                        ))
                        .with_field("columns")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let rows = data
                .iter()
                .enumerate()
                .map(|(i, r)| match r {
                    Value::Array(values) if values.len() == names.len() => Ok(values),
                    Value::Array(values) => Err(ApiError::bad_request(format!(
                        "data row {i} has {} values but there are {} columns",
                        values.len(),
                        names.len()
                    ))
                    .with_row(i)),
                    other => Err(ApiError::bad_request(format!(
                        "data row {i} is {}; expected an array of values",
                        kind(other)
                    ))
                    .with_row(i)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            schema
                .fields
                .iter()
                .map(|f| {
                    let j = names
                        .iter()
                        .position(|n| *n == f.name)
                        .ok_or_else(|| missing_column(&f.name))?;
                    Ok(rows.iter().map(|r| &r[j]).collect())
                })
                .collect()
        }
        Rows::Columns(map) => {
            let mut n_rows: Option<(usize, &str)> = None;
            schema
                .fields
                .iter()
                .map(|f| {
                    let values = match map.get(&f.name) {
                        None => return Err(missing_column(&f.name)),
                        Some(Value::Array(values)) => values,
                        Some(other) => {
                            return Err(ApiError::bad_request(format!(
                                "column '{}' is {}; expected an array of values",
                                f.name,
                                kind(other)
                            ))
                            .with_field(&f.name));
                        }
                    };
                    match n_rows {
                        Some((n, first)) if n != values.len() => {
                            return Err(ApiError::bad_request(format!(
                                "column '{}' has {} values but column '{first}' has {n}",
                                f.name,
                                values.len()
                            ))
                            .with_field(&f.name));
                        }
                        Some(_) => {}
                        None => n_rows = Some((values.len(), &f.name)),
                    }
                    Ok(values.iter().collect())
                })
                .collect()
        }
        Rows::Positional(rows) => {
            let rows = rows
                .iter()
                .enumerate()
                .map(|(i, r)| match r {
                    Value::Array(values) if values.len() == schema.len() => Ok(values),
                    Value::Array(values) => Err(ApiError::schema_mismatch(format!(
                        "row {i} has {} values but the model reads {} columns ({})",
                        values.len(),
                        schema.len(),
                        schema.names().collect::<Vec<_>>().join(", ")
                    ))
                    .with_row(i)),
                    other => Err(ApiError::bad_request(format!(
                        "row {i} is {}; expected an array of values",
                        kind(other)
                    ))
                    .with_row(i)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((0..schema.len())
                .map(|j| rows.iter().map(|r| &r[j]).collect())
                .collect())
        }
    }
}

fn wrong_type(field: &Field, row: usize, expected: &str, got: &Value) -> ApiError {
    ApiError::schema_mismatch(format!(
        "row {row}, column '{}': expected {expected} ({} column), got {} {}",
        field.name,
        field.column_type,
        kind(got),
        show(got)
    ))
    .with_field(&field.name)
    .with_row(row)
}

/// Converts one column of JSON cells by the field's type.
fn build_array(field: &Field, cells: &[&Value]) -> Result<ArrayRef, ApiError> {
    let array: ArrayRef = match field.column_type {
        ColumnType::Numeric => Arc::new(
            cells
                .iter()
                .enumerate()
                .map(|(r, v)| match v {
                    Value::Null => Ok(None),
                    Value::Number(n) => n
                        .as_f64()
                        .map(Some)
                        .ok_or_else(|| wrong_type(field, r, "a number", v)),
                    other => Err(wrong_type(field, r, "a number", other)),
                })
                .collect::<Result<Float64Array, _>>()?,
        ),
        ColumnType::Integer => Arc::new(
            cells
                .iter()
                .enumerate()
                .map(|(r, v)| match v {
                    Value::Null => Ok(None),
                    Value::Number(n) => json_integer(n)
                        .map(Some)
                        .ok_or_else(|| wrong_type(field, r, "a whole number", v)),
                    other => Err(wrong_type(field, r, "a whole number", other)),
                })
                .collect::<Result<Int64Array, _>>()?,
        ),
        ColumnType::Boolean => Arc::new(
            cells
                .iter()
                .enumerate()
                .map(|(r, v)| match v {
                    Value::Null => Ok(None),
                    Value::Bool(b) => Ok(Some(*b)),
                    other => Err(wrong_type(field, r, "true or false", other)),
                })
                .collect::<Result<BooleanArray, _>>()?,
        ),
        ColumnType::Categorical | ColumnType::Text | ColumnType::Datetime => {
            let categorical = field.column_type == ColumnType::Categorical;
            let expected = match field.column_type {
                ColumnType::Categorical => "a string or a number",
                ColumnType::Datetime => "an ISO date or date-time string",
                _ => "a string",
            };
            let texts = cells
                .iter()
                .enumerate()
                .map(|(r, v)| match v {
                    Value::Null => Ok(None),
                    Value::String(s) => Ok(Some(s.clone())),
                    Value::Number(n) if categorical => Ok(Some(number_text(n))),
                    other => Err(wrong_type(field, r, expected, other)),
                })
                .collect::<Result<Vec<Option<String>>, _>>()?;
            // JSON strings are values as written: only null is missing, never "NA" or "".
            let na = NaTokens::new::<&str>(&[]);
            let options = InferOptions {
                suggest_roles: false,
                ..InferOptions::default()
            };
            let (_, array) = build_column(
                &field.name,
                || texts.iter().map(|t| t.as_deref().map(str::as_bytes)),
                Some(field.column_type),
                &na,
                &options,
            )
            .map_err(|e| {
                let got = cells.get(e.row).copied().unwrap_or(&NULL);
                wrong_type(field, e.row, expected, got)
            })?;
            array
        }
    };
    Ok(array)
}

/// A JSON number as an `i64` when it is whole: `3` and `3.0` (pandas turns integer columns with
/// missing values into floats) but not `3.5` or numbers beyond the `i64` range.
fn json_integer(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    // 2^63 is exactly representable; every whole f64 strictly inside ±2^63 fits an i64.
    (f.fract() == 0.0 && f.abs() < 2f64.powi(63)).then_some(f as i64)
}

/// A number as the text a categorical cell holds: integers without a decimal point, other
/// numbers in their shortest round-trip form (how kiln renders numeric cells).
fn number_text(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (None, Some(u), _) => u.to_string(),
        (None, None, Some(f)) => kiln_data::frame::format_f64(f),
        (None, None, None) => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::new(vec![
            Field::new("x", ColumnType::Numeric),
            Field::new("n", ColumnType::Integer),
            Field::new("flag", ColumnType::Boolean),
            Field::new("colour", ColumnType::Categorical),
            Field::new("note", ColumnType::Text),
            Field::new("at", ColumnType::Datetime),
        ])
        .unwrap()
    }

    #[test]
    fn every_shape_builds_the_same_frame() {
        let records = json!([
            {"x": 1.5, "n": 3, "flag": true, "colour": "red", "note": "hi", "at": "2024-01-02", "extra": [1]},
            {"x": null, "n": 4.0, "flag": null, "colour": 7, "note": null, "at": null}
        ]);
        let split = json!({
            "columns": ["at", "note", "colour", "flag", "n", "x", "extra"],
            "data": [["2024-01-02", "hi", "red", true, 3, 1.5, 0], [null, null, 7, null, 4.0, null, 0]]
        });
        let columns = json!({
            "x": [1.5, null], "n": [3, 4], "flag": [true, null], "colour": ["red", "7"],
            "note": ["hi", null], "at": ["2024-01-02", null]
        });
        let positional = json!([
            [1.5, 3, true, "red", "hi", "2024-01-02"],
            [null, 4, null, "7", null, null]
        ]);
        let s = schema();
        let frames = [
            frame_from_rows(native_rows(&records).unwrap(), &s).unwrap(),
            frame_from_rows(native_rows(&split).unwrap(), &s).unwrap(),
            frame_from_rows(Rows::Columns(columns.as_object().unwrap()), &s).unwrap(),
            frame_from_rows(Rows::Positional(positional.as_array().unwrap()), &s).unwrap(),
        ];
        for f in &frames {
            assert_eq!(f.n_rows(), 2);
            let text: Vec<Vec<Option<String>>> = (0..2)
                .map(|r| (0..6).map(|c| f.cell_text(r, c)).collect())
                .collect();
            assert_eq!(
                text[0],
                ["1.5", "3", "true", "red", "hi", "2024-01-02"].map(|s| Some(s.to_string()))
            );
            assert_eq!(
                text[1],
                [
                    None,
                    Some("4".to_string()),
                    None,
                    Some("7".into()),
                    None,
                    None
                ]
            );
        }
        // A single object is one row.
        let one = json!({"x": 1, "n": 1, "flag": false, "colour": "a", "note": "b", "at": "2024-05-01T10:00:00"});
        assert_eq!(
            frame_from_rows(native_rows(&one).unwrap(), &s)
                .unwrap()
                .n_rows(),
            1
        );
    }

    #[test]
    fn wrong_types_name_row_and_column() {
        let s = schema();
        let base =
            json!({"x": 1, "n": 1, "flag": false, "colour": "a", "note": "b", "at": "2024-05-01"});
        let cases = [
            ("x", json!("NaN"), "expected a number"),
            ("x", json!("inf"), "expected a number"),
            ("x", json!(true), "expected a number"),
            ("n", json!(1.5), "expected a whole number"),
            ("n", json!(1e300), "expected a whole number"),
            ("flag", json!(1), "expected true or false"),
            ("colour", json!(true), "expected a string or a number"),
            ("colour", json!([1]), "expected a string or a number"),
            ("note", json!(5), "expected a string"),
            ("at", json!("yesterday"), "expected an ISO date"),
        ];
        for (col, value, expected) in cases {
            let mut second = base.clone();
            second[col] = value.clone();
            let body = json!([base, second]);
            let e = frame_from_rows(native_rows(&body).unwrap(), &s).unwrap_err();
            assert_eq!(e.status.as_u16(), 422, "{col}={value}");
            assert_eq!(e.row, Some(1), "{col}={value}");
            assert_eq!(e.field.as_deref(), Some(col));
            assert!(e.message.contains(expected), "{col}={value}: {}", e.message);
            assert!(e.message.contains("row 1"), "{}", e.message);
        }
    }

    #[test]
    fn missing_columns_and_bad_shapes_are_named() {
        let s = schema();
        let e = frame_from_rows(native_rows(&json!({"x": 1})).unwrap(), &s).unwrap_err();
        assert_eq!((e.status.as_u16(), e.field.as_deref()), (422, Some("n")));
        assert!(e.message.contains("column 'n' is missing"), "{}", e.message);
        let e = native_rows(&json!(3)).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        let e = frame_from_rows(native_rows(&json!([1, 2])).unwrap(), &s).unwrap_err();
        assert_eq!((e.status.as_u16(), e.row), (400, Some(0)));
        let e = frame_from_rows(native_rows(&json!([])).unwrap(), &s).unwrap_err();
        assert!(e.message.contains("no rows"), "{}", e.message);
        let split = json!({"columns": ["x"], "data": [[1, 2]]});
        let e = frame_from_rows(native_rows(&split).unwrap(), &s).unwrap_err();
        assert!(
            e.message.contains("2 values but there are 1 columns"),
            "{}",
            e.message
        );
        let cols = json!({"x": [1, 2], "n": [1]});
        let e = frame_from_rows(Rows::Columns(cols.as_object().unwrap()), &s).unwrap_err();
        assert!(
            e.message.contains("column 'n' has 1 values"),
            "{}",
            e.message
        );
        let e =
            frame_from_rows(Rows::Positional(json!([[1, 2]]).as_array().unwrap()), &s).unwrap_err();
        assert_eq!(e.status.as_u16(), 422);
    }
}
