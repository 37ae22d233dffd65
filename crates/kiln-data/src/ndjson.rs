//! Newline-delimited JSON reading: one object per line, columns in order of first appearance.
//!
//! Scalars are typed by the same inference as CSV cells; `null` and absent keys are missing.
//! Nested objects or arrays are an error naming the line and key (flatten them first).

use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use crate::error::{DataError, Result};
use crate::frame::Frame;
use crate::infer::{self, InferOptions, NaTokens};
use crate::schema::{ColumnType, Schema, SchemaOverrides};

/// Reads an NDJSON file into a frame.
pub fn read_ndjson(
    path: &Path,
    infer_options: &InferOptions,
    overrides: &SchemaOverrides,
) -> Result<Frame> {
    let text = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    read_ndjson_bytes(&text, &path.display().to_string(), infer_options, overrides)
}

/// Reads NDJSON from memory; `origin` names the input in errors.
pub fn read_ndjson_bytes(
    bytes: &[u8],
    origin: &str,
    infer_options: &InferOptions,
    overrides: &SchemaOverrides,
) -> Result<Frame> {
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_slice(trimmed).map_err(|e| {
            DataError::parse(
                format!("{origin}: line {line_no}"),
                format!("invalid JSON: {e}"),
            )
        })?;
        let Value::Object(map) = value else {
            return Err(DataError::parse(
                format!("{origin}: line {line_no}"),
                "expected a JSON object ({\"column\": value, ...})",
            ));
        };
        let mut row = vec![None; names.len()];
        for (key, v) in map {
            let col = match names.iter().position(|n| *n == key) {
                Some(c) => c,
                None => {
                    names.push(key.clone());
                    row.push(None);
                    names.len() - 1
                }
            };
            row[col] = match v {
                Value::Null => None,
                Value::Bool(b) => Some(b.to_string()),
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s),
                Value::Array(_) | Value::Object(_) => {
                    return Err(DataError::parse(
                        format!("{origin}: line {line_no}, key '{key}'"),
                        "nested arrays and objects are not tabular; flatten them into columns first",
                    ));
                }
            };
        }
        rows.push(row);
        lines.push(line_no);
    }
    if names.is_empty() {
        return Err(DataError::parse(
            origin,
            "no JSON objects found (the file is empty)",
        ));
    }
    // JSON strings are values as written; only null/absent is missing.
    let na = NaTokens::new::<&str>(&[]);
    let built: Vec<_> = (0..names.len())
        .into_par_iter()
        .map(|c| {
            let cells = || {
                rows.iter()
                    .map(move |r| r.get(c).and_then(|v| v.as_deref()).map(str::as_bytes))
            };
            infer::build_column(
                &names[c],
                cells,
                overrides.type_of(&names[c]),
                &na,
                infer_options,
            )
            .map_err(|e| {
                DataError::parse(
                    format!("{origin}: line {}, key '{}'", lines[e.row], names[c]),
                    format!("expected {}, found '{}'", e.expected, e.text),
                )
            })
        })
        .collect();
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for b in built {
        let (f, a) = b?;
        fields.push(f);
        columns.push(a);
    }
    let mut schema = Schema::new(fields)?;
    overrides.apply_roles(&mut schema)?;
    Frame::new(schema, columns)
}

/// One row as a JSON object, typed as [`write_ndjson`] writes it (the server's prediction log
/// stores request rows this way).
pub fn row_object(frame: &Frame, row: usize) -> serde_json::Map<String, Value> {
    let mut object = serde_json::Map::with_capacity(frame.n_cols());
    for (col, field) in frame.schema().fields.iter().enumerate() {
        let value = match frame.cell_text(row, col) {
            None => Value::Null,
            Some(text) => match field.column_type {
                ColumnType::Numeric | ColumnType::Integer => text
                    .parse::<serde_json::Number>()
                    .map(Value::Number)
                    .unwrap_or(Value::String(text)),
                ColumnType::Boolean => Value::Bool(text == "true"),
                _ => Value::String(text),
            },
        };
        object.insert(field.name.clone(), value);
    }
    object
}

/// Writes a frame as NDJSON: numbers as JSON numbers (non-finite ones as the strings `inf`,
/// `-inf`), booleans as JSON booleans, missing cells as `null`, everything else as strings.
pub fn write_ndjson(frame: &Frame, path: &Path) -> Result<()> {
    use std::io::Write;
    let file = std::fs::File::create(path).map_err(|e| DataError::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    for row in 0..frame.n_rows() {
        let object = row_object(frame, row);
        serde_json::to_writer(&mut w, &Value::Object(object))
            .map_err(|e| DataError::io(path, e.into()))?;
        w.write_all(b"\n").map_err(|e| DataError::io(path, e))?;
    }
    w.flush().map_err(|e| DataError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_objects_with_missing_keys_and_nulls() {
        let f = read_ndjson_bytes(
            b"{\"a\": 1, \"b\": \"x\"}\n\n{\"b\": \"y\", \"a\": null, \"c\": true}\n",
            "t.ndjson",
            &InferOptions::default(),
            &SchemaOverrides::default(),
        )
        .unwrap();
        assert_eq!(f.names().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(f.schema().fields[0].column_type, ColumnType::Integer);
        assert_eq!(f.schema().fields[2].column_type, ColumnType::Boolean);
        assert_eq!(f.cell_text(1, 0), None);
        assert_eq!(f.cell_text(0, 2), None);
    }

    #[test]
    fn errors_name_line_and_key() {
        let o = InferOptions::default();
        let s = SchemaOverrides::default();
        let e = read_ndjson_bytes(b"{\"a\":1}\n{\"a\":\n", "t", &o, &s)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t: line 2: invalid JSON"), "{e}");
        let e = read_ndjson_bytes(b"{\"a\":[1]}\n", "t", &o, &s)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1, key 'a'") && e.contains("nested"), "{e}");
        let e = read_ndjson_bytes(b"[1,2]\n", "t", &o, &s)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a JSON object"), "{e}");
        let e = read_ndjson_bytes(b"\n", "t", &o, &s)
            .unwrap_err()
            .to_string();
        assert!(e.contains("empty"), "{e}");
    }
}
