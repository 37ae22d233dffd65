//! Every drift method on 25 reference / current column pairs against SciPy, called the way
//! Evidently calls it (`tools/reference/drift_fixtures.py` → `tests/fixtures/drift/columns.json`),
//! plus Evidently's automatic choice of method on each pair.

use std::path::PathBuf;

use kiln_data::Frame;
use kiln_monitor::drift::{
    DriftMethod, DriftSpec, ReferenceOptions, ReferenceProfile, detect_drift,
};
use serde_json::Value;

/// Closed forms on both sides: relative 1e-9. Values below 1e-3 may instead agree to 1e-12
/// absolute, because Evidently's z-test p-value 2·(1 − Φ(|z|)) keeps only absolute precision
/// in the tail.
const RTOL: f64 = 1e-9;
const ATOL_SMALL: f64 = 1e-12;

fn fixture() -> Value {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = PathBuf::from(dir).join("../../tests/fixtures/drift/columns.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn number(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => other.as_f64().unwrap(),
    }
}

/// A one-column frame named `x` from fixture cells (null = missing), read as a CSV would be.
fn frame(cells: &Value) -> Frame {
    let mut text = String::from("x\n");
    for c in cells.as_array().unwrap() {
        match c {
            Value::Null => {}
            Value::String(s) => text.push_str(s),
            v => text.push_str(&kiln_data::frame::format_f64(v.as_f64().unwrap())),
        }
        text.push('\n');
    }
    kiln_data::csv::read_csv_bytes(text.as_bytes(), "fixture", &Default::default()).unwrap()
}

fn close(got: f64, expected: f64) -> bool {
    got == expected
        || (got - expected).abs() <= RTOL * expected.abs()
        || (expected.abs() < 1e-3 && (got - expected).abs() <= ATOL_SMALL)
}

#[test]
fn every_method_matches_scipy_as_evidently_calls_it() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "only {} column pairs", cases.len());
    let mut checks = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let reference = frame(&case["reference"]);
        let current = frame(&case["current"]);
        let profile =
            ReferenceProfile::from_frame(&reference, &ReferenceOptions::default()).unwrap();

        let auto = detect_drift(&profile, &current, &DriftSpec::default()).unwrap();
        let col = auto.column("x").unwrap();
        assert_eq!(
            col.method.name(),
            case["default_method"].as_str().unwrap(),
            "{name}: automatic method"
        );
        assert!(col.automatic && !col.reference_sampled, "{name}");

        for (method, want) in case["expected"].as_object().unwrap() {
            let method: DriftMethod = method.parse().unwrap();
            let mut spec = DriftSpec::default();
            spec.methods.insert("x".into(), method);
            let report = detect_drift(&profile, &current, &spec)
                .unwrap_or_else(|e| panic!("{name} {method}: {e}"));
            let got = report.column("x").unwrap();
            let statistic = number(&want["statistic"]);
            assert!(
                close(got.statistic, statistic),
                "{name} {method}: statistic {} vs SciPy {statistic}",
                got.statistic
            );
            checks += 1;
            if let Some(p) = want.get("p_value") {
                let p = number(p);
                let g = got.p_value.unwrap();
                assert!(close(g, p), "{name} {method}: p-value {g} vs SciPy {p}");
                checks += 1;
            }
        }
    }
    assert_eq!(checks, 200, "statistics and p-values compared");
}
