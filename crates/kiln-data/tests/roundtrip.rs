//! Round-trip properties of the writers and readers.
//!
//! - Frame → CSV → Frame, with the types forced by `SchemaOverrides`: every cell comes back equal
//!   (floats bit-for-bit, including ±inf, -0.0 and subnormals; i64::MIN/MAX; unicode text with
//!   delimiters, quotes, newlines and padding; nulls).
//! - Frame → Parquet → Frame: schema (types, roles, nullability) and every cell equal.
//! - CSV text → Frame (inferred) → Parquet → Frame: equal, including nulls and unicode.
//!
//! Tolerance: none; equality is exact. Case counts are modest (64) for a 2-core CI and the seed
//! is fixed so a run is reproducible.

mod common;

use common::{Values, assert_cells_equal, assert_frames_equal, frame_of};
use kiln_data::csv::{CsvOptions, read_csv_bytes, write_csv_to};
use kiln_data::infer::DEFAULT_NA_TOKENS;
use kiln_data::parquet_io::{ParquetWriteOptions, read_parquet, write_parquet};
use kiln_data::{Role, SchemaOverrides};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn config() -> Config {
    Config {
        cases: 64,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x6b69_6c6e),
        ..Config::default()
    }
}

/// Any f64 but NaN (a NaN value is written as `NaN`, which reads back as missing), with the
/// special values over-represented.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<u64>().prop_map(f64::from_bits).prop_filter("not NaN", |v| !v.is_nan()),
        2 => -1e6..1e6f64,
        1 => (1u64..(1 << 52)).prop_map(f64::from_bits),
        1 => (1u64..(1 << 52)).prop_map(|b| -f64::from_bits(b)),
        1 => prop_oneof![
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(-0.0),
            Just(0.0),
            Just(f64::MAX),
            Just(f64::MIN),
            Just(f64::MIN_POSITIVE),
            Just(5e-324),
        ],
    ]
}

fn integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => any::<i64>(),
        2 => -1000i64..1000,
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), Just(-1)],
    ]
}

/// Strings the CSV writer must quote or keep intact: unicode, delimiters, quotes, newlines,
/// carriage returns, tabs and padding. Missing-value tokens are excluded: like pandas, kiln
/// reads those back as missing (the writer's documented limitation).
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;\"'\n\r\t.éüß中文😀€-]{1,12}".prop_filter("not a missing-value token", |s| {
        !DEFAULT_NA_TOKENS.contains(&s.as_str())
    })
}

/// Microseconds within years 0000–9999 (what ISO text with a 4-digit year can hold); half the
/// values are whole days, which the writer prints as dates.
fn datetime() -> impl Strategy<Value = i64> {
    const DAY: i64 = 86_400_000_000;
    const FIRST_DAY: i64 = -719_528; // 0000-01-01
    const LAST_DAY: i64 = 2_932_896; // 9999-12-31
    prop_oneof![
        (FIRST_DAY..=LAST_DAY).prop_map(|d| d * DAY),
        (FIRST_DAY * DAY..(LAST_DAY + 1) * DAY),
    ]
}

fn cells<T: std::fmt::Debug + Clone>(
    value: impl Strategy<Value = T>,
    n: usize,
) -> impl Strategy<Value = Vec<Option<T>>> {
    prop::collection::vec(prop::option::weighted(0.8, value), n)
}

fn column(n: usize) -> impl Strategy<Value = Values> {
    prop_oneof![
        cells(float(), n).prop_map(Values::Numeric),
        cells(integer(), n).prop_map(Values::Integer),
        cells(any::<bool>(), n).prop_map(Values::Boolean),
        // Few distinct categories, so values repeat.
        cells(
            prop::sample::select(vec!["a", "B,b", "ünï", "日本", " x", "q\"q", "1.5"]),
            n
        )
        .prop_map(|v| Values::Categorical(v.into_iter().map(|s| s.map(str::to_string)).collect())),
        cells(text(), n).prop_map(Values::Text),
        cells(datetime(), n).prop_map(Values::Datetime),
    ]
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

/// A frame of 1–6 columns and 0–40 rows; names are unique, some unicode or needing quotes.
fn frame_columns(with_roles: bool) -> impl Strategy<Value = Vec<(String, Role, Values)>> {
    (0usize..40).prop_flat_map(move |n| {
        prop::collection::vec((column(n), role()), 1..7).prop_map(move |cols| {
            cols.into_iter()
                .enumerate()
                .map(|(i, (values, role))| {
                    let name = match i % 3 {
                        0 => format!("c{i}"),
                        1 => format!("prix, €{i}"),
                        _ => format!("名前 \"{i}\""),
                    };
                    let role = if with_roles { role } else { Role::Feature };
                    (name, role, values)
                })
                .collect()
        })
    })
}

proptest! {
    #![proptest_config(config())]

    /// Frame → CSV → Frame with forced types gives the same schema and cells.
    #[test]
    fn csv_round_trip_with_forced_types(columns in frame_columns(false)) {
        let frame = frame_of(&columns);
        let mut csv = Vec::new();
        write_csv_to(&frame, &mut csv).unwrap();
        let mut options = CsvOptions::default();
        options.infer.suggest_roles = false;
        let mut overrides = SchemaOverrides::default();
        for f in &frame.schema().fields {
            overrides.set_type(&f.name, f.column_type);
        }
        options.overrides = overrides;
        let back = read_csv_bytes(&csv, "roundtrip.csv", &options)
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&csv)));
        assert_frames_equal(&back, &frame, "csv");
    }

    /// Frame → Parquet → Frame keeps schema (types, roles, nullability) and cells.
    #[test]
    fn parquet_round_trip(columns in frame_columns(true), sort in any::<bool>()) {
        let frame = frame_of(&columns);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frame.parquet");
        let options = ParquetWriteOptions { row_group_rows: 16, ..Default::default() };
        write_parquet(&frame, &path, &options).unwrap();
        let back = read_parquet(&path, None).unwrap();
        assert_frames_equal(&back, &frame, "parquet");
        if sort {
            // Sorting for compression reorders rows but keeps the multiset of rows.
            let sorted = ParquetWriteOptions { sort_low_cardinality: true, ..options };
            write_parquet(&frame, &path, &sorted).unwrap();
            let back = read_parquet(&path, None).unwrap();
            let order = kiln_data::parquet_io::low_cardinality_order(&frame);
            assert_frames_equal(&back, &frame.take(&order).unwrap(), "sorted parquet");
        }
    }

    /// CSV text → Frame (inferred types) → Parquet → Frame is the same frame, nulls and unicode
    /// included.
    #[test]
    fn csv_to_parquet_round_trip(
        rows in prop::collection::vec(
            (
                prop::option::weighted(0.8, integer()),
                prop::option::weighted(0.8, float()),
                prop::option::weighted(0.8, prop::sample::select(vec!["rot", "grün", "青", "🙂"])),
                prop::option::weighted(0.8, text()),
            ),
            0..30,
        )
    ) {
        let mut csv = String::from("n,x,farbe,\"notiz, frei\"\n");
        for (n, x, colour, note) in &rows {
            let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            csv.push_str(&format!(
                "{},{},{},{}\n",
                n.map_or(String::new(), |v| v.to_string()),
                x.map_or("NA".to_string(), kiln_data::frame::format_f64),
                colour.unwrap_or("?"),
                note.as_deref().map_or(String::new(), quote),
            ));
        }
        let frame = read_csv_bytes(csv.as_bytes(), "gen.csv", &CsvOptions::default())
            .unwrap_or_else(|e| panic!("{e}\n{csv}"));
        prop_assert_eq!(frame.n_rows(), rows.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("from_csv.parquet");
        write_parquet(&frame, &path, &ParquetWriteOptions::default()).unwrap();
        let back = read_parquet(&path, None).unwrap();
        assert_frames_equal(&back, &frame, "csv → parquet");
        // The text cells are the generated strings, nulls where a cell was missing.
        let c = frame.schema().index_of("notiz, frei").unwrap();
        for (r, (_, _, _, note)) in rows.iter().enumerate() {
            prop_assert_eq!(back.cell_text(r, c), note.clone());
        }
        // Columns projected by name read back the same cells.
        let projected = read_parquet(&path, Some(&["farbe", "n"])).unwrap();
        assert_cells_equal(&projected, &frame.select(&["n", "farbe"]).unwrap(), "projection");
    }
}
