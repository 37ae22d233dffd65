//! The streaming detectors against river on seeded streams (`tools/reference/drift_fixtures.py`
//! → `tests/fixtures/drift/stream.json`): abrupt, repeated and gradual mean changes, a variance
//! change, a stationary stream, and Bernoulli error streams. Detection (and, for DDM / EDDM,
//! warning) indices must be identical — an exact test, no tolerance.

use std::path::PathBuf;

use kiln_monitor::stream::{DetectorSpec, KswinSpec, run_stream};
use serde_json::Value;

fn fixture() -> Value {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = PathBuf::from(dir).join("../../tests/fixtures/drift/stream.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn indices(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn detections_match_river_index_for_index() {
    let doc = fixture();
    let mut compared = 0;
    let mut detections = 0;
    for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let values: Vec<f64> = case["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for (key, want) in case["detectors"].as_object().unwrap() {
            let spec = match key.as_str() {
                "kswin" => DetectorSpec::Kswin(KswinSpec {
                    seed: 42,
                    ..Default::default()
                }),
                "kswin_seed0" => DetectorSpec::Kswin(KswinSpec {
                    seed: 0,
                    ..Default::default()
                }),
                other => DetectorSpec::default_for(other).unwrap(),
            };
            let got = run_stream(&spec, &values).unwrap();
            assert_eq!(
                got.detections,
                indices(&want["detections"]),
                "{name} {key}: detections"
            );
            if let Some(w) = want.get("warnings") {
                assert_eq!(got.warnings, indices(w), "{name} {key}: warnings");
            }
            compared += 1;
            detections += got.detections.len();
        }
    }
    assert_eq!(compared, 36, "detector runs compared");
    assert!(detections > 100, "{detections} detections");
}
