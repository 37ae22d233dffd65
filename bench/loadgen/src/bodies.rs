//! Request bodies: the rows each request carries and the JSON they are sent as.
//!
//! Rows come from a file read by kiln's own reader ([`kiln_data::io::read_any`]: CSV, Parquet or
//! NDJSON by extension, types inferred as `kiln train` infers them) and are written out as kiln's
//! prediction log writes request rows ([`kiln_data::ndjson::row_object`]): numbers as JSON
//! numbers (integers without a fraction), missing cells as `null`, categories as strings. Every
//! server under test therefore sees the same values, only wrapped differently:
//!
//! - [`BodyFormat::Native`] — kiln's columnar body `{"columns": [...], "data": [[...]]}`;
//! - [`BodyFormat::Mlflow`] — MLflow's `{"dataframe_split": {"columns": [...], "data": [[...]]}}`
//!   (for `/invocations` of an MLflow scoring server or of kiln);
//! - [`BodyFormat::Record`] — one JSON object, `{"col": value, ...}`, as a hand-written FastAPI
//!   `/predict` route takes it (one row per request only).
//!
//! The bodies are built once before the load starts, so encoding costs nothing during the run.

use std::path::Path;

use kiln_data::Frame;
use kiln_data::csv::CsvOptions;
use kiln_data::ndjson::row_object;
use serde_json::{Value, json};

use crate::error::{LoadgenError, Result};

/// How the rows of one request are wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// kiln's columnar body.
    Native,
    /// MLflow's `dataframe_split` body.
    Mlflow,
    /// One JSON object (one row per request).
    Record,
}

impl BodyFormat {
    /// Parses `native`, `mlflow` or `record`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "native" => Ok(BodyFormat::Native),
            "mlflow" => Ok(BodyFormat::Mlflow),
            "record" => Ok(BodyFormat::Record),
            other => Err(LoadgenError::option(
                "--format",
                format!("unknown format '{other}'; expected native, mlflow or record"),
            )),
        }
    }

    /// The name [`BodyFormat::parse`] takes.
    pub fn name(self) -> &'static str {
        match self {
            BodyFormat::Native => "native",
            BodyFormat::Mlflow => "mlflow",
            BodyFormat::Record => "record",
        }
    }
}

/// The encoded bodies of a run; request `k` sends `bodies[k % bodies.len()]`.
#[derive(Debug, Clone)]
pub struct Bodies {
    /// The JSON bytes of each body.
    pub bodies: Vec<Vec<u8>>,
    /// The column names every body carries, in order.
    pub columns: Vec<String>,
    /// How many distinct rows the bodies cycle through.
    pub distinct_rows: usize,
}

/// Bodies of `rows_per_request` consecutive rows each (wrapping around the end), cycling
/// through every row of `frame`: `count` bodies, body `b` starting at row `b * rows_per_request`.
pub fn frame_bodies(
    frame: &Frame,
    format: BodyFormat,
    rows_per_request: usize,
    count: usize,
) -> Result<Bodies> {
    if rows_per_request == 0 {
        return Err(LoadgenError::option("--rows", "must be at least 1"));
    }
    if format == BodyFormat::Record && rows_per_request != 1 {
        return Err(LoadgenError::option(
            "--rows",
            format!(
                "the record format carries exactly one row per request, not {rows_per_request}"
            ),
        ));
    }
    let n = frame.n_rows();
    if n == 0 || frame.n_cols() == 0 {
        return Err(LoadgenError::option(
            "rows",
            format!(
                "no rows to send ({n} rows × {} columns); at least one row and column is needed",
                frame.n_cols()
            ),
        ));
    }
    let columns: Vec<String> = frame.names().map(str::to_string).collect();
    let objects: Vec<serde_json::Map<String, Value>> =
        (0..n).map(|r| row_object(frame, r)).collect();
    let bodies = (0..count.max(1))
        .map(|b| {
            let rows = (0..rows_per_request).map(|k| &objects[(b * rows_per_request + k) % n]);
            let body = match format {
                BodyFormat::Record => {
                    // Checked above: exactly one row.
                    let object = rows.into_iter().next().cloned().unwrap_or_default();
                    Value::Object(object)
                }
                BodyFormat::Native | BodyFormat::Mlflow => {
                    let data: Vec<Value> = rows
                        .map(|o| {
                            Value::Array(
                                columns
                                    .iter()
                                    .map(|c| o.get(c).cloned().unwrap_or(Value::Null))
                                    .collect(),
                            )
                        })
                        .collect();
                    let table = json!({"columns": columns, "data": data});
                    if format == BodyFormat::Mlflow {
                        json!({ "dataframe_split": table })
                    } else {
                        table
                    }
                }
            };
            // Serializing a `Value` of strings, numbers and nulls cannot fail.
            serde_json::to_vec(&body).map_err(|e| LoadgenError::Model(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Bodies {
        bodies,
        columns,
        distinct_rows: n.min(count.max(1) * rows_per_request),
    })
}

/// Bodies from a rows file (CSV, Parquet or NDJSON): one body per starting row, so the
/// requests cycle through every row of the file, `rows_per_request` rows each.
pub fn rows_file_bodies(
    path: &Path,
    format: BodyFormat,
    rows_per_request: usize,
) -> Result<Bodies> {
    let shown = path.display().to_string();
    if !path.is_file() {
        return Err(LoadgenError::RowsFile {
            path: shown,
            message: "not found (expected a CSV, Parquet or NDJSON file of input rows)".into(),
        });
    }
    let frame = kiln_data::io::read_any(path, &CsvOptions::default())?;
    if frame.n_rows() == 0 || frame.n_cols() == 0 {
        return Err(LoadgenError::RowsFile {
            path: shown,
            message: format!(
                "holds {} rows × {} columns; at least one row of input columns is needed",
                frame.n_rows(),
                frame.n_cols()
            ),
        });
    }
    let per = rows_per_request.max(1);
    let count = frame.n_rows().div_ceil(per);
    frame_bodies(&frame, format, rows_per_request, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("the temp dir is writable");
        path
    }

    fn parse(body: &[u8]) -> Value {
        serde_json::from_slice(body).expect("bodies are JSON")
    }

    const ROWS: &str = "island,bill_length_mm,flipper_length_mm,sex,year\n\
                        Torgersen,39.1,181,male,2007\n\
                        Torgersen,,,,2007\n\
                        Dream,45.5,195,female,2008\n";

    #[test]
    fn native_bodies_cycle_through_every_row_with_typed_values() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(&dir, "rows.csv", ROWS);
        let b = rows_file_bodies(&path, BodyFormat::Native, 1).expect("valid rows");
        assert_eq!(b.bodies.len(), 3);
        assert_eq!(b.distinct_rows, 3);
        assert_eq!(
            parse(&b.bodies[0]),
            json!({"columns": ["island", "bill_length_mm", "flipper_length_mm", "sex", "year"],
                   "data": [["Torgersen", 39.1, 181, "male", 2007]]})
        );
        // Missing cells are null, not empty strings or NaN.
        assert_eq!(
            parse(&b.bodies[1])["data"],
            json!([["Torgersen", null, null, null, 2007]])
        );
    }

    #[test]
    fn mlflow_and_record_bodies_carry_the_same_values() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(&dir, "rows.csv", ROWS);
        let native = rows_file_bodies(&path, BodyFormat::Native, 1).expect("valid rows");
        let mlflow = rows_file_bodies(&path, BodyFormat::Mlflow, 1).expect("valid rows");
        let record = rows_file_bodies(&path, BodyFormat::Record, 1).expect("valid rows");
        assert_eq!(
            parse(&mlflow.bodies[2])["dataframe_split"],
            parse(&native.bodies[2])
        );
        assert_eq!(
            parse(&record.bodies[2]),
            json!({"island": "Dream", "bill_length_mm": 45.5, "flipper_length_mm": 195,
                   "sex": "female", "year": 2008})
        );
    }

    #[test]
    fn several_rows_per_request_wrap_around_the_end() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(&dir, "rows.csv", ROWS);
        let b = rows_file_bodies(&path, BodyFormat::Native, 2).expect("valid rows");
        // 3 rows, 2 per request: bodies start at rows 0 and 2; the second wraps to row 0.
        assert_eq!(b.bodies.len(), 2);
        let data = parse(&b.bodies[1])["data"].clone();
        assert_eq!(data[0][0], json!("Dream"));
        assert_eq!(data[1][1], json!(39.1));
    }

    #[test]
    fn ndjson_rows_files_are_read_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(
            &dir,
            "rows.ndjson",
            "{\"a\": 1.5, \"c\": \"x\"}\n{\"a\": null, \"c\": \"y\"}\n",
        );
        let b = rows_file_bodies(&path, BodyFormat::Record, 1).expect("valid rows");
        assert_eq!(parse(&b.bodies[1]), json!({"a": null, "c": "y"}));
    }

    #[test]
    fn record_format_refuses_several_rows_per_request() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(&dir, "rows.csv", ROWS);
        let e = rows_file_bodies(&path, BodyFormat::Record, 4).expect_err("record is one row");
        assert!(e.to_string().contains("--rows"), "{e}");
    }

    #[test]
    fn missing_and_empty_rows_files_are_named_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("nope.csv");
        let e = rows_file_bodies(&missing, BodyFormat::Native, 1).expect_err("no file");
        assert!(
            e.to_string().contains("nope.csv") && e.to_string().contains("not found"),
            "{e}"
        );
        let empty = write(&dir, "empty.csv", "a,b\n");
        let e = rows_file_bodies(&empty, BodyFormat::Native, 1).expect_err("no rows");
        assert!(
            e.to_string().contains("empty.csv") && e.to_string().contains("0 rows"),
            "{e}"
        );
    }

    #[test]
    fn zero_rows_per_request_and_unknown_formats_are_option_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(&dir, "rows.csv", ROWS);
        let e = rows_file_bodies(&path, BodyFormat::Native, 0).expect_err("zero rows");
        assert!(e.to_string().starts_with("--rows"), "{e}");
        let e = BodyFormat::parse("arrow").expect_err("unknown format");
        assert!(e.to_string().contains("native, mlflow or record"), "{e}");
        assert_eq!(BodyFormat::parse("mlflow").expect("known").name(), "mlflow");
    }
}
