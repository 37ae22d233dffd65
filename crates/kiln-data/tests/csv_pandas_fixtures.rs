//! Parity with `pandas.read_csv` on the fixtures under `tests/fixtures/csv/` (repo root).
//!
//! Each `NAME.csv` is read with kiln and compared with `NAME.expected.json` (what pandas 3 read):
//! row count, column names, column types (mapped as in the fixtures README) and every cell.
//! Tolerance: integers, booleans, strings and datetimes exactly; floats exactly or within 1e-15
//! relative (the sign of zero and of infinities must match); pandas' missing ↔ kiln's null.
//!
//! Where kiln deliberately differs from pandas (the table "Where kiln differs from pandas" in
//! the fixtures README), the departure is asserted here as kiln's documented behaviour instead.

use std::path::{Path, PathBuf};

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use kiln_data::csv::{CsvOptions, read_csv, read_csv_bytes};
use kiln_data::{ColumnType, Frame};
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    Path::new(&manifest_dir()).join("../../tests/fixtures/csv")
}

struct Fixture {
    name: String,
    csv: PathBuf,
    expected: Value,
}

fn fixtures() -> Vec<Fixture> {
    let mut out: Vec<Fixture> = std::fs::read_dir(fixture_dir())
        .expect("fixture directory exists")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let file = path.file_name()?.to_str()?.to_string();
            let name = file.strip_suffix(".expected.json")?.to_string();
            let text = std::fs::read_to_string(&path).ok()?;
            Some(Fixture {
                csv: fixture_dir().join(format!("{name}.csv")),
                name,
                expected: serde_json::from_str(&text).expect("valid fixture JSON"),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn fixture(name: &str) -> Fixture {
    fixtures()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("fixture {name} is missing"))
}

/// Translates the pandas keyword arguments of a fixture into kiln options. `decimal` has no
/// kiln counterpart (see the README table) and `parse_dates` is not needed: kiln infers ISO
/// dates. Any other keyword fails the test so a new fixture option is not silently ignored.
fn kiln_options(expected: &Value) -> CsvOptions {
    let mut options = CsvOptions::default();
    let Some(map) = expected["options"].as_object() else {
        return options;
    };
    for (key, value) in map {
        match key.as_str() {
            "sep" => {
                let sep = value.as_str().expect("sep is a string");
                assert_eq!(sep.len(), 1, "single-byte separators only: {sep:?}");
                options.delimiter = sep.as_bytes()[0];
            }
            "na_values" => {
                for token in value.as_array().expect("na_values is a list") {
                    let token = token.as_str().expect("na_values are strings");
                    assert!(
                        options.na_tokens.iter().any(|t| t == token),
                        "na_values {token:?} is not a kiln default token"
                    );
                }
            }
            "decimal" | "parse_dates" => {}
            other => panic!("fixture option {other} has no kiln translation"),
        }
    }
    options
}

/// The fixture read by kiln, with the origin named after the file.
fn read(f: &Fixture) -> kiln_data::Result<Frame> {
    read_csv(&f.csv, &kiln_options(&f.expected))
}

/// The raw cells of every column (all forced to text), to tell integer literals from decimals.
fn raw_cells(f: &Fixture, frame: &Frame) -> Vec<Vec<Option<String>>> {
    let mut options = kiln_options(&f.expected);
    for name in frame.names() {
        options.overrides.set_type(name, ColumnType::Text);
    }
    let text = read_csv(&f.csv, &options).expect("every fixture reads as text");
    (0..text.n_cols())
        .map(|c| (0..text.n_rows()).map(|r| text.cell_text(r, c)).collect())
        .collect()
}

fn is_integer_literal(s: &str) -> bool {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The kiln type pandas' dtype maps to (README "Using them from Rust"); `raw` are the column's
/// cells as text. `None` means "categorical or text": kiln chooses by cardinality.
fn expected_type(
    dtype: &str,
    python_types: &[String],
    raw: &[Option<String>],
) -> Option<ColumnType> {
    match dtype {
        "int64" => Some(ColumnType::Integer),
        "float64" => {
            // pandas needs float64 for an integer column with missing cells; kiln keeps it
            // integer (nullable).
            let values: Vec<&String> = raw.iter().flatten().collect();
            let has_missing = values.len() < raw.len();
            if has_missing && !values.is_empty() && values.iter().all(|v| is_integer_literal(v)) {
                Some(ColumnType::Integer)
            } else {
                Some(ColumnType::Numeric)
            }
        }
        "bool" => Some(ColumnType::Boolean),
        "str" => None,
        // Booleans with missing cells: kiln has nullable booleans.
        "object" if python_types == ["bool"] => Some(ColumnType::Boolean),
        d if d.starts_with("datetime64") => Some(ColumnType::Datetime),
        other => panic!("dtype {other} needs a documented departure, not the generic check"),
    }
}

/// Expected float from a fixture value: a JSON number, `"inf"` or `"-inf"`.
fn json_f64(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::String(s) => s.parse().expect("numeric string"),
        _ => v.as_f64().expect("a number"),
    }
}

/// Tolerance: exact, or within 1e-15 relative; zeros and infinities must agree in sign.
fn assert_f64_close(got: f64, want: f64, at: &str) {
    if want == 0.0 || want.is_infinite() {
        assert!(
            got == want && got.is_sign_negative() == want.is_sign_negative(),
            "{at}: got {got:?}, want {want:?}"
        );
    } else {
        let rel = ((got - want) / want).abs();
        assert!(
            rel <= 1e-15,
            "{at}: got {got:?}, want {want:?} (relative {rel:e})"
        );
    }
}

/// Microseconds since the epoch of a fixture datetime (`2024-01-15T08:30:00[.ffffff][+00:00]`).
fn json_micros(s: &str) -> i64 {
    let naive = s.strip_suffix("+00:00").unwrap_or(s);
    kiln_data::datetime::parse_micros(naive.as_bytes())
        .unwrap_or_else(|| panic!("fixture datetime {s} parses"))
}

/// Compares one kiln column with pandas' values, cell by cell, by the kiln column's type.
fn assert_column_values(frame: &Frame, col: usize, want: &[Value], at: &str) {
    let (field, array) = frame.column_at(col);
    assert_eq!(array.len(), want.len(), "{at}: length");
    for (row, w) in want.iter().enumerate() {
        let at = format!("{at}, row {row}");
        if w.is_null() {
            assert!(
                array.is_null(row),
                "{at}: pandas reads missing, kiln {:?}",
                frame.cell_text(row, col)
            );
            continue;
        }
        assert!(!array.is_null(row), "{at}: kiln reads missing, pandas {w}");
        match field.column_type {
            ColumnType::Integer => {
                let got = array.as_primitive::<Int64Type>().value(row);
                match w.as_i64() {
                    Some(i) => assert_eq!(got, i, "{at}"),
                    // pandas float64 holding a whole number (integer column with missing cells)
                    None => assert_eq!(got as f64, json_f64(w), "{at}"),
                }
            }
            ColumnType::Numeric => assert_f64_close(
                array.as_primitive::<Float64Type>().value(row),
                json_f64(w),
                &at,
            ),
            ColumnType::Boolean => {
                assert_eq!(Some(array.as_boolean().value(row)), w.as_bool(), "{at}")
            }
            ColumnType::Categorical => {
                let d = array.as_dictionary::<Int32Type>();
                let key = d.keys().value(row) as usize;
                let got = d.values().as_string::<i32>().value(key);
                assert_eq!(Some(got), w.as_str(), "{at}");
            }
            ColumnType::Text => {
                assert_eq!(
                    Some(array.as_string::<i32>().value(row)),
                    w.as_str(),
                    "{at}"
                )
            }
            ColumnType::Datetime => {
                let got = array.as_primitive::<TimestampMicrosecondType>().value(row);
                assert_eq!(got, json_micros(w.as_str().expect("ISO string")), "{at}");
            }
        }
    }
}

/// Fixtures whose departures from pandas are asserted by a dedicated test below.
const DEDICATED: &[&str] = &[
    "big_integers",
    "dates_and_datetimes",
    "duplicate_and_empty_headers",
    "header_only",
    "semicolon_decimal_comma",
    "trailing_delimiter",
];

/// Every fixture without a documented departure: same rows, names, mapped types and values.
#[test]
fn kiln_reads_what_pandas_reads() {
    let all = fixtures();
    assert!(
        all.len() >= 30,
        "expected the 30 fixtures, found {}",
        all.len()
    );
    let mut checked = 0;
    for f in all.iter().filter(|f| !DEDICATED.contains(&f.name.as_str())) {
        let frame = read(f).unwrap_or_else(|e| panic!("{}: kiln fails: {e}", f.name));
        let raw = raw_cells(f, &frame);
        let e = &f.expected;
        assert_eq!(
            frame.n_rows() as u64,
            e["n_rows"].as_u64().unwrap(),
            "{}: rows",
            f.name
        );
        let columns = e["columns"].as_array().unwrap();
        let want_names: Vec<&str> = columns
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            frame.names().collect::<Vec<_>>(),
            want_names,
            "{}: names",
            f.name
        );
        for (c, col) in columns.iter().enumerate() {
            let at = format!("{}: column '{}'", f.name, want_names[c]);
            let dtype = col["pandas_dtype"].as_str().unwrap();
            let python_types: Vec<String> = col["python_types"]
                .as_array()
                .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            let got = frame.schema().fields[c].column_type;
            match expected_type(dtype, &python_types, &raw[c]) {
                Some(t) => assert_eq!(got, t, "{at}: pandas {dtype}"),
                None => assert!(
                    matches!(got, ColumnType::Categorical | ColumnType::Text),
                    "{at}: pandas {dtype}, kiln {got}"
                ),
            }
            assert_column_values(&frame, c, col["values"].as_array().unwrap(), &at);
        }
        checked += 1;
    }
    assert_eq!(checked, fixtures().len() - DEDICATED.len());
}

/// The string columns of the two cardinality fixtures: kiln's choice between categorical and
/// text follows its documented thresholds (≤ 50 % distinct → categorical).
#[test]
fn string_cardinality_decides_categorical_or_text() {
    let low = read(&fixture("low_cardinality_strings")).unwrap();
    let high = read(&fixture("high_cardinality_strings")).unwrap();
    let t = |f: &Frame, n: &str| f.schema().field(n).unwrap().column_type;
    assert_eq!(t(&low, "colour"), ColumnType::Categorical);
    assert_eq!(t(&low, "size"), ColumnType::Categorical);
    assert_eq!(t(&high, "user_id"), ColumnType::Text);
    assert_eq!(t(&high, "comment"), ColumnType::Text);
}

/// Departure: kiln has one integer type (i64). Integers outside it, which pandas keeps as
/// uint64 or Python ints, are read as numeric (the nearest f64, ≤ 1e-15 relative), as is a
/// column mixing u64-range and negative values that pandas leaves as text. The i64 bounds stay
/// integer, as in pandas.
#[test]
fn big_integers_beyond_i64_are_numeric() {
    let f = fixture("big_integers");
    let frame = read(&f).unwrap();
    let columns = f.expected["columns"].as_array().unwrap();
    for (c, col) in columns.iter().enumerate() {
        let name = col["name"].as_str().unwrap();
        let want_type = if name == "i64_bounds" {
            ColumnType::Integer
        } else {
            ColumnType::Numeric
        };
        assert_eq!(frame.schema().fields[c].column_type, want_type, "{name}");
        assert_column_values(&frame, c, col["values"].as_array().unwrap(), name);
    }
}

/// Departures: kiln recognises ISO dates and date-times without `parse_dates` (so the column
/// pandas leaves as `str` is a datetime too), and keeps no time zone: a `Z` suffix is read as
/// the same instant, naive (pandas: `datetime64[us, UTC]`). Values agree to the microsecond.
#[test]
fn iso_datetimes_are_inferred_without_parse_dates() {
    let f = fixture("dates_and_datetimes");
    let frame = read(&f).unwrap();
    let columns = f.expected["columns"].as_array().unwrap();
    assert_eq!(frame.n_rows(), 4);
    for (c, col) in columns.iter().enumerate() {
        let name = col["name"].as_str().unwrap();
        assert_eq!(
            frame.schema().fields[c].column_type,
            ColumnType::Datetime,
            "{name}"
        );
        let values = col["values"].as_array().unwrap();
        if name == "date_text" {
            // pandas keeps the unparsed text; kiln reads it as dates at midnight.
            let as_dates: Vec<Value> = values
                .iter()
                .map(|v| {
                    v.as_str()
                        .map_or(Value::Null, |s| Value::from(format!("{s}T00:00:00")))
                })
                .collect();
            assert_column_values(&frame, c, &as_dates, name);
        } else {
            assert_column_values(&frame, c, values, name);
        }
    }
}

/// Departure: pandas renames repeated names (`a.1`, `a.2`) and empty ones (`Unnamed: 2`);
/// kiln refuses the header with an error naming the column, because a silently renamed column
/// breaks schema overrides and lineage later.
#[test]
fn duplicate_and_empty_header_names_are_refused() {
    let f = fixture("duplicate_and_empty_headers");
    let err = read(&f).unwrap_err().to_string();
    assert!(
        err.contains("duplicate_and_empty_headers.csv: header"),
        "{err}"
    );
    assert!(
        err.contains("duplicate column name 'a' (columns 1 and 2)"),
        "{err}"
    );
    // The empty name alone is refused too, by position.
    let err = read_csv_bytes(b"a,,b\n1,2,3\n", "t.csv", &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("column 2 has an empty name"), "{err}");
}

/// Departure: a trailing delimiter gives the header an empty last name; pandas invents
/// `Unnamed: 3`, kiln refuses it naming the position.
#[test]
fn trailing_delimiter_header_is_refused() {
    let err = read(&fixture("trailing_delimiter"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("trailing_delimiter.csv: header"), "{err}");
    assert!(err.contains("column 4 has an empty name"), "{err}");
}

/// Departure: kiln has no `decimal` option. With `;` as delimiter, decimal-comma numbers stay
/// strings in their original spelling; integers still parse.
#[test]
fn decimal_comma_stays_text() {
    let f = fixture("semicolon_decimal_comma");
    let frame = read(&f).unwrap();
    assert_eq!(frame.n_rows(), 3);
    assert_eq!(
        frame.schema().field("id").unwrap().column_type,
        ColumnType::Integer
    );
    for name in ["price", "weight"] {
        let t = frame.schema().field(name).unwrap().column_type;
        assert!(
            matches!(t, ColumnType::Categorical | ColumnType::Text),
            "{name}: {t}"
        );
    }
    let price = frame.schema().index_of("price").unwrap();
    let weight = frame.schema().index_of("weight").unwrap();
    let cells = |c: usize| (0..3).map(|r| frame.cell_text(r, c)).collect::<Vec<_>>();
    assert_eq!(
        cells(price),
        [
            Some("1,5".into()),
            Some("2,25".into()),
            Some("-0,75".into())
        ]
    );
    assert_eq!(
        cells(weight),
        [Some("1000".into()), Some("2,5".into()), None]
    );
}

/// Departure: pandas types the columns of a zero-row file `object`; kiln types a column without
/// values like an all-missing one: numeric (as pandas does for all-missing columns). Names and
/// the zero row count agree.
#[test]
fn header_only_has_zero_rows_of_numeric_columns() {
    let frame = read(&fixture("header_only")).unwrap();
    assert_eq!(frame.n_rows(), 0);
    assert_eq!(frame.names().collect::<Vec<_>>(), ["a", "b", "c"]);
    for f in &frame.schema().fields {
        assert_eq!(f.column_type, ColumnType::Numeric, "{}", f.name);
    }
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
