//! Bad input gives errors that name the problem and where it is (file, line, column, value).
//!
//! Expectation for every case: an `Err` (never a panic) whose message contains the origin, the
//! 1-based line as an editor shows it (header = line 1, physical lines counted inside quoted
//! fields) and, where a cell is at fault, the column name and the offending text.

mod common;

use std::io::Cursor;

use arrow_array::Array;

use common::Trickle;
use kiln_data::csv::{CsvChunks, CsvOptions, read_csv_bytes};
use kiln_data::infer::InferOptions;
use kiln_data::ndjson::read_ndjson_bytes;
use kiln_data::parquet_io::{ParquetWriteOptions, read_parquet, write_parquet};
use kiln_data::{ColumnType, SchemaOverrides};

fn read_err(input: &[u8], options: &CsvOptions) -> String {
    match read_csv_bytes(input, "data.csv", options) {
        Ok(f) => panic!("expected an error, read {} rows", f.n_rows()),
        Err(e) => e.to_string(),
    }
}

fn err_default(input: &[u8]) -> String {
    read_err(input, &CsvOptions::default())
}

fn forcing(column: &str, t: ColumnType) -> CsvOptions {
    let mut o = CsvOptions::default();
    o.overrides.set_type(column, t);
    o
}

#[test]
fn ragged_row_names_its_line_and_field_counts() {
    let e = err_default(b"a,b\n1,2\n3\n4,5\n");
    assert_eq!(
        e,
        "data.csv: line 3: found 1 fields, expected 2 (as in the header)"
    );
    // Lines inside a quoted field count, as do blank lines and CRLF line ends.
    let e = err_default(b"a,b\r\n\"x\r\ny\",1\r\n\r\n3,4,5\r\n");
    assert!(
        e.starts_with("data.csv: line 5: found 3 fields, expected 2"),
        "{e}"
    );
}

#[test]
fn unparsable_forced_value_names_line_column_and_value() {
    let e = read_err(
        b"x,y\n1,a\n\"2\n\",b\n2.5,c\n",
        &forcing("x", ColumnType::Integer),
    );
    assert_eq!(
        e,
        "data.csv: line 5, column 'x' (field 1): expected an integer, found '2.5'"
    );
    let e = read_err(
        b"when\n2024-01-01\nyesterday\n",
        &forcing("when", ColumnType::Datetime),
    );
    assert!(
        e.contains("line 3, column 'when'") && e.contains("found 'yesterday'"),
        "{e}"
    );
    let e = read_err(b"b\ntrue\nmaybe\n", &forcing("b", ColumnType::Boolean));
    assert!(
        e.contains("line 3, column 'b'") && e.contains("'maybe'"),
        "{e}"
    );
    let e = read_err(b"n\n1.5\none\n", &forcing("n", ColumnType::Numeric));
    assert!(
        e.contains("line 3, column 'n'") && e.contains("expected a number"),
        "{e}"
    );
    // A long value is shortened in the message.
    let long = format!("n\n{}\n", "z".repeat(500));
    let e = read_err(long.as_bytes(), &forcing("n", ColumnType::Numeric));
    assert!(e.contains(&format!("'{}…'", "z".repeat(60))), "{e}");
}

#[test]
fn invalid_utf8_in_a_text_column_names_line_and_column() {
    let e = err_default(b"id,name\n1,ok\n2,bad \xff\xfe\n");
    assert!(
        e.starts_with("data.csv: line 3, column 'name' (field 2)"),
        "{e}"
    );
    assert!(e.contains("expected valid UTF-8 text"), "{e}");
    for t in [ColumnType::Text, ColumnType::Categorical] {
        let e = read_err(b"id,name\n1,\xc3\n", &forcing("name", t));
        assert!(
            e.contains("line 2, column 'name'") && e.contains("UTF-8"),
            "{t}: {e}"
        );
    }
}

#[test]
fn invalid_utf8_in_the_header_names_the_column_position() {
    let e = err_default(b"a,b\xff\n1,2\n");
    assert_eq!(
        e,
        "data.csv: line 1, column 2: the header name is not valid UTF-8"
    );
    // After a BOM and blank lines, the header is still reported on its own line.
    let e = err_default(b"\xEF\xBB\xBF\n\na,\xfe\n1,2\n");
    assert!(e.contains("line 3, column 2"), "{e}");
}

#[test]
fn duplicate_and_empty_column_names_are_named() {
    let e = err_default(b"a,b,a\n1,2,3\n");
    assert_eq!(
        e,
        "data.csv: header: duplicate column name 'a' (columns 1 and 3)"
    );
    let e = err_default(b"a, ,b\n1,2,3\n");
    assert_eq!(e, "data.csv: header: column 2 has an empty name");
}

#[test]
fn empty_file_is_an_error_header_only_is_zero_rows() {
    for empty in [&b""[..], b"\n\n", b"\xEF\xBB\xBF", b"  \r\n"] {
        let e = err_default(empty);
        assert_eq!(
            e, "data.csv: the file is empty: no header line",
            "{empty:?}"
        );
    }
    let f = read_csv_bytes(b"a,b,c\n", "data.csv", &CsvOptions::default()).unwrap();
    assert_eq!((f.n_rows(), f.n_cols()), (0, 3));
    // Every type can be forced on the columns of a header-only file (this used to panic for
    // integers).
    let mut o = CsvOptions::default();
    for (name, t) in [
        ("a", ColumnType::Integer),
        ("b", ColumnType::Datetime),
        ("c", ColumnType::Categorical),
    ] {
        o.overrides.set_type(name, t);
    }
    let f = read_csv_bytes(b"a,b,c", "data.csv", &o).unwrap();
    assert_eq!(f.n_rows(), 0);
    assert_eq!(
        f.schema().field("a").unwrap().column_type,
        ColumnType::Integer
    );
    // And on a column whose cells are all missing.
    let f = read_csv_bytes(b"a,b,c\n,,\nNA,?,\n", "data.csv", &o).unwrap();
    assert_eq!(f.n_rows(), 2);
    assert_eq!(f.column("a").unwrap().null_count(), 2);
}

#[test]
fn unterminated_quote_names_the_line_of_the_opening_quote() {
    let e = err_default(b"a,b\n1,2\n3,\"abc\n4,5\n");
    assert_eq!(
        e,
        "data.csv: line 3: the quoted field opened on this line is never closed (missing closing quote)"
    );
    // The record starts on line 3 but the unclosed quote opens on line 4.
    let e = err_default(b"a,b\n1,2\n\"x\ny\",\"open\n5,6\n");
    assert!(e.starts_with("data.csv: line 4:"), "{e}");
    let e = err_default(b"\"a,b\n1,2\n");
    assert!(
        e.starts_with("data.csv: line 1:") && e.contains("never closed"),
        "{e}"
    );
}

#[test]
fn unknown_override_column_is_named_with_the_real_columns() {
    let e = read_err(b"a,b\n1,2\n", &forcing("c", ColumnType::Text));
    assert_eq!(e, "unknown column 'c'; the columns are: a, b");
    // A role-only override is checked too.
    let mut o = CsvOptions::default();
    o.overrides.set_role("target", kiln_data::Role::Target);
    let e = read_err(b"a,b\n1,2\n", &o);
    assert!(e.contains("unknown column 'target'"), "{e}");
}

#[test]
fn invalid_delimiter_and_quote_options_are_refused() {
    let with = |delimiter: u8, quote: u8| {
        let o = CsvOptions {
            delimiter,
            quote,
            ..CsvOptions::default()
        };
        let whole = read_err(b"a\n1\n", &o);
        let streamed = CsvChunks::from_reader(Box::new(Cursor::new(b"a\n1\n".to_vec())), "s", o)
            .err()
            .map(|e| e.to_string());
        assert_eq!(Some(whole.clone()), streamed);
        whole
    };
    let e = with(b'\n', b'"');
    assert!(
        e.starts_with("invalid delimiter:") && e.contains("printable ASCII"),
        "{e}"
    );
    let e = with(0xE9, b'"');
    assert!(e.starts_with("invalid delimiter:"), "{e}");
    let e = with(b',', b'\r');
    assert!(e.starts_with("invalid quote:"), "{e}");
    let e = with(b'"', b'"');
    assert!(
        e.contains("the delimiter and the quote character must differ"),
        "{e}"
    );
}

/// A file whose first 1 KiB chunk fixes column `n` as integer, with a problem further down.
fn long_file(bad_line: &str, at: usize) -> (Vec<u8>, usize) {
    let mut text = String::from("n,label\n");
    let mut line = 1;
    for i in 0..at {
        // Some records span two lines, so line numbers and record numbers differ.
        if i % 7 == 0 {
            text.push_str(&format!("{i},\"two\nlines\"\n"));
            line += 2;
        } else {
            text.push_str(&format!("{i},plain\n"));
            line += 1;
        }
    }
    text.push_str(bad_line);
    text.push('\n');
    line += 1;
    text.push_str("1,after\n");
    (text.into_bytes(), line)
}

fn stream_err(bytes: Vec<u8>, options: CsvOptions) -> String {
    let reader = Box::new(Trickle::new(bytes, 4096));
    let chunks = CsvChunks::from_reader(reader, "big.csv", options).unwrap();
    let mut frames = 0;
    for frame in chunks {
        match frame {
            Ok(_) => frames += 1,
            Err(e) => {
                assert!(frames > 1, "the error should come from a later chunk");
                return e.to_string();
            }
        }
    }
    panic!("expected an error after {frames} chunks");
}

#[test]
fn errors_in_later_chunks_give_absolute_line_numbers() {
    let small = CsvOptions {
        chunk_bytes: 1024,
        ..CsvOptions::default()
    };
    // A value that does not fit the type fixed by the first chunk.
    let (bytes, line) = long_file("oops,x", 2000);
    let e = stream_err(bytes.clone(), small.clone());
    assert!(
        e.starts_with(&format!(
            "big.csv: line {line}, column 'n' (field 1): expected an integer, found 'oops'"
        )),
        "line {line}: {e}"
    );
    assert!(e.contains("inferred from the first chunk"), "{e}");
    // The whole-file reader infers text for the column instead of failing; forced, it reports
    // the same line.
    let e = read_csv_bytes(&bytes, "big.csv", &forcing("n", ColumnType::Integer)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("big.csv: line {line}, column 'n'")),
        "{e}"
    );
    // A ragged row.
    let (bytes, line) = long_file("1,2,3", 1500);
    let e = stream_err(bytes, small.clone());
    assert_eq!(
        e,
        format!("big.csv: line {line}: found 3 fields, expected 2 (as in the header)")
    );
    // An unterminated quote.
    let (bytes, line) = long_file("9,\"never closed", 1700);
    let e = stream_err(bytes, small);
    assert!(
        e.starts_with(&format!("big.csv: line {line}: the quoted field")),
        "{e}"
    );
}

#[test]
fn a_later_chunk_without_values_in_an_integer_column_is_fine() {
    // The first chunk makes `n` integer; later chunks hold only missing cells in it. This used to
    // fail with "expected an integer, found ''".
    let mut text = String::from("n,label\n");
    for i in 0..200 {
        text.push_str(&format!("{i},a\n"));
    }
    for _ in 0..1000 {
        text.push_str(",b\n");
    }
    let options = CsvOptions {
        chunk_bytes: 1024,
        ..CsvOptions::default()
    };
    let reader = Box::new(Trickle::new(text.into_bytes(), 500));
    let chunks = CsvChunks::from_reader(reader, "s.csv", options).unwrap();
    let frames: Vec<_> = chunks.collect::<Result<_, _>>().unwrap();
    assert!(frames.len() > 2);
    assert_eq!(frames.iter().map(|f| f.n_rows()).sum::<usize>(), 1200);
    assert!(
        frames
            .iter()
            .all(|f| f.schema().fields[0].column_type == ColumnType::Integer)
    );
}

#[test]
fn ndjson_invalid_line_is_named() {
    let o = InferOptions::default();
    let s = SchemaOverrides::default();
    let e = read_ndjson_bytes(b"{\"a\": 1}\n\n{\"a\": 2,}\n", "events.ndjson", &o, &s)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("events.ndjson: line 3: invalid JSON"), "{e}");
    let mut forced = SchemaOverrides::default();
    forced.set_type("a", ColumnType::Integer);
    let e = read_ndjson_bytes(
        b"{\"a\": 1}\n{\"a\": \"x\"}\n",
        "events.ndjson",
        &o,
        &forced,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("events.ndjson: line 2, key 'a'") && e.contains("'x'"),
        "{e}"
    );
}

fn small_parquet(dir: &std::path::Path) -> std::path::PathBuf {
    let frame = read_csv_bytes(
        b"id,colour,x\n1,red,0.5\n2,blue,\n3,red,2.5\n",
        "p.csv",
        &CsvOptions::default(),
    )
    .unwrap();
    let path = dir.join("ok.parquet");
    write_parquet(&frame, &path, &ParquetWriteOptions::default()).unwrap();
    path
}

#[test]
fn corrupt_or_truncated_parquet_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(small_parquet(dir.path())).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.parquet", Vec::new()),
        (
            "garbage.parquet",
            b"this is not a parquet file at all".to_vec(),
        ),
        ("half.parquet", good[..good.len() / 2].to_vec()),
        ("no_footer.parquet", good[..good.len() - 8].to_vec()),
    ];
    // Flipped bytes in the middle (data pages) and in the footer (metadata).
    for (name, at) in [
        ("flip_data.parquet", good.len() / 3),
        ("flip_footer.parquet", good.len() - 20),
    ] {
        let mut bytes = good.clone();
        for b in &mut bytes[at..at + 6] {
            *b ^= 0xA5;
        }
        cases.push((name, bytes));
    }
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        match read_parquet(&path, None) {
            // A flip can land in bytes that do not matter (padding, statistics).
            Ok(_) if name.starts_with("flip") => {}
            Ok(f) => panic!("{name}: read {} rows from a broken file", f.n_rows()),
            Err(e) => assert!(e.to_string().contains(name), "{name}: {e}"),
        }
    }
    let e = read_parquet(&dir.path().join("missing.parquet"), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.parquet"), "{e}");
}

#[test]
fn parquet_projection_to_an_unknown_column_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = small_parquet(dir.path());
    let e = read_parquet(&path, Some(&["id", "colour_typo"]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "unknown column 'colour_typo'; the columns are: id, colour, x"
    );
    let f = read_parquet(&path, Some(&["x", "id"])).unwrap();
    assert_eq!(
        f.names().collect::<Vec<_>>(),
        ["id", "x"],
        "projection keeps file order"
    );
}
