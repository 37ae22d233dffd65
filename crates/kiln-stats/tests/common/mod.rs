//! Shared helpers of the fixture tests: loading the JSON written by
//! `tools/reference/stats_fixtures.py` and comparing numbers with a stated relative tolerance
//! while tracking the worst error seen, which each test prints.
#![allow(dead_code)]

use serde_json::Value;

/// The `cases` array (or object) of `tests/fixtures/stats/{name}.json`.
pub fn load(name: &str) -> Value {
    let path = format!("{}/../../tests/fixtures/stats/{name}.json", manifest_dir());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let mut doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));
    doc["cases"].take()
}

/// A number, or `None` for JSON null (the reference reported NaN / undefined).
pub fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// A number that must be present.
pub fn f(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, found {v}"))
}

/// An array of numbers; null entries (missing values) become NaN.
pub fn vec(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, found {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// An array of arrays of numbers.
pub fn mat(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, found {v}"))
        .iter()
        .map(vec)
        .collect()
}

/// Relative-error checker that remembers the worst case.
pub struct Worst {
    family: &'static str,
    worst: f64,
    at: String,
    checks: usize,
}

impl Worst {
    pub fn new(family: &'static str) -> Self {
        Self {
            family,
            worst: 0.0,
            at: String::new(),
            checks: 0,
        }
    }

    /// Asserts |got − expected| ≤ rtol·|expected| (an exact match always passes).
    pub fn check(&mut self, got: f64, expected: f64, rtol: f64, what: &str) {
        self.checks += 1;
        let err = if got == expected {
            0.0
        } else {
            (got - expected).abs() / expected.abs()
        };
        assert!(
            err <= rtol,
            "{}: {what}: got {got:e}, expected {expected:e}, relative error {err:e} > {rtol:e}",
            self.family
        );
        if err > self.worst {
            self.worst = err;
            self.at = what.to_string();
        }
    }

    /// Asserts |got − expected| ≤ atol, for quantities that are legitimately near zero.
    pub fn check_abs(&mut self, got: f64, expected: f64, atol: f64, what: &str) {
        self.checks += 1;
        let err = (got - expected).abs();
        assert!(
            err <= atol,
            "{}: {what}: got {got:e}, expected {expected:e}, absolute error {err:e} > {atol:e}",
            self.family
        );
    }

    pub fn checks(&self) -> usize {
        self.checks
    }
}

impl Drop for Worst {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            println!(
                "{}: {} checks, worst relative error {:e} at {}",
                self.family, self.checks, self.worst, self.at
            );
        }
    }
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
