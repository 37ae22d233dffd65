//! Shared helpers of the integration tests: fixture paths, bundled datasets and comparison.

#![allow(dead_code)]

use std::path::PathBuf;

use kiln_data::Frame;
use kiln_data::csv::{CsvOptions, read_csv};

/// A file under `tests/fixtures/prep/` at the repository root.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../tests/fixtures/prep/", manifest_dir())).join(name)
}

/// A dataset by fixture name: bundled ones from kiln-data, derived ones (`mixed`,
/// `wine_missing`) from the fixtures folder.
pub fn dataset(name: &str) -> Frame {
    let path = if name == "mixed" || name == "wine_missing" {
        fixture(&format!("{name}.csv"))
    } else {
        PathBuf::from(format!("{}/../kiln-data/datasets/", manifest_dir()))
            .join(format!("{name}.csv"))
    };
    read_csv(&path, &CsvOptions::default())
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Reads a JSON fixture.
pub fn json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Label codes of a column (sorted distinct labels → 0..k) and the number of classes.
pub fn class_codes(frame: &Frame, column: &str) -> (Vec<usize>, usize) {
    let col = frame.schema().index_of(column).unwrap();
    let labels: Vec<String> = (0..frame.n_rows())
        .map(|r| frame.cell_text(r, col).unwrap())
        .collect();
    let mut classes = labels.clone();
    classes.sort();
    classes.dedup();
    let codes = labels
        .iter()
        .map(|l| classes.binary_search(l).unwrap())
        .collect();
    (codes, classes.len())
}

/// A JSON array of rows (null = NaN) as row-major vectors.
pub fn matrix(value: &serde_json::Value) -> Vec<Vec<f64>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
                .collect()
        })
        .collect()
}

/// Largest absolute difference; NaN must match NaN exactly.
pub fn max_abs_diff(actual: &[Vec<f64>], expected: &[Vec<f64>]) -> f64 {
    assert_eq!(actual.len(), expected.len(), "row count");
    let mut worst = 0.0f64;
    for (r, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a.len(), e.len(), "column count in row {r}");
        for (c, (x, y)) in a.iter().zip(e).enumerate() {
            if x.is_nan() || y.is_nan() {
                assert!(x.is_nan() && y.is_nan(), "row {r} col {c}: {x} vs {y}");
            } else {
                worst = worst.max((x - y).abs());
            }
        }
    }
    worst
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
