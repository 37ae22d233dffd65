//! Shared helpers for the scikit-learn fixture tests: loading the committed JSON, decoding the
//! string-encoded non-finite floats, and comparing with a stated tolerance while recording the
//! worst error seen per metric so each test can print it.

#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::Value;

/// Reads `tests/fixtures/eval/<name>` from the repository root.
pub fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/../../tests/fixtures/eval/{name}", manifest_dir());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    match serde_json::from_str(&text) {
        Ok(Value::Array(cases)) => cases,
        other => panic!("{path}: expected a JSON array of cases, got {other:?}"),
    }
}

/// Loads a fixture file and checks it holds at least the 20 cases the acceptance asks for.
pub fn load_cases(name: &str) -> Vec<Value> {
    let cases = load(name);
    assert!(
        cases.len() >= 20,
        "{name}: need at least 20 cases, have {}",
        cases.len()
    );
    cases
}

/// A JSON number, or one of the strings "inf", "-inf", "nan".
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("finite JSON number"),
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::String(s) if s == "nan" => f64::NAN,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// A JSON array of numbers.
pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v:?}"))
        .iter()
        .map(num)
        .collect()
}

/// `sample_weight`: null or an array.
pub fn weights(case: &Value) -> Option<Vec<f64>> {
    match &case["sample_weight"] {
        Value::Null => None,
        v => Some(nums(v)),
    }
}

/// Worst absolute error per metric, checked against a tolerance as values come in.
pub struct Worst {
    tol: f64,
    worst: BTreeMap<String, (f64, f64)>,
    compared: usize,
}

impl Worst {
    /// `tol` is absolute for `|expected| <= 1` and relative above (|diff| <= tol·max(1, |expected|)).
    pub fn new(tol: f64) -> Self {
        Self {
            tol,
            worst: BTreeMap::new(),
            compared: 0,
        }
    }

    /// Compares one value; panics with the case and metric named when outside tolerance.
    pub fn check(&mut self, case: &str, metric: &str, got: f64, expected: f64) {
        self.compared += 1;
        let same_special = (got.is_nan() && expected.is_nan()) || got == expected;
        let err = if same_special {
            0.0
        } else {
            (got - expected).abs()
        };
        assert!(
            err <= self.tol * expected.abs().max(1.0),
            "{case} / {metric}: got {got:e}, scikit-learn {expected:e}, |diff| {err:e} > tol {:e}",
            self.tol
        );
        let slot = self.worst.entry(metric.to_string()).or_insert((0.0, 0.0));
        slot.0 = slot.0.max(err);
        slot.1 = slot.1.max(err / expected.abs().max(1.0));
    }

    /// Compares two sequences element by element (and their lengths).
    pub fn check_all(&mut self, case: &str, metric: &str, got: &[f64], expected: &[f64]) {
        assert_eq!(
            got.len(),
            expected.len(),
            "{case} / {metric}: length {got:?} vs {expected:?}"
        );
        for (g, e) in got.iter().zip(expected) {
            self.check(case, metric, *g, *e);
        }
    }

    /// Prints the worst absolute error and the worst error scaled by `max(1, |expected|)` per
    /// metric (visible with `--nocapture`) and returns the number of values compared.
    pub fn report(&self, title: &str) -> usize {
        println!("{title}: {} values compared", self.compared);
        for (metric, (abs, scaled)) in &self.worst {
            println!("  {metric:<28} worst |diff| {abs:.2e}   scaled {scaled:.2e}");
        }
        self.compared
    }
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
