//! Format compatibility: artifacts written by earlier kiln releases keep loading and predicting.
//!
//! `tests/fixtures/model_v1.kiln` was written by the first release of the format (version 1)
//! together with the predictions it made on `common::score_frame()`
//! (`model_v1_predictions.json`). This test must keep passing for as long as kiln claims to
//! read version 1 — a failure means a change to a serialised type (a renamed field, a new field
//! without `#[serde(default)]`) broke old models. The fixture is never regenerated to make the
//! test pass; `write_v1_fixture` (ignored) documents how it was produced.

mod common;

use std::path::PathBuf;

use kiln_registry::Artifact;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Expected {
    values: Vec<f64>,
    labels: Vec<String>,
    probabilities: Vec<f64>,
}

fn fixture(name: &str) -> PathBuf {
    // Read at run time (not `env!`): a test binary from a shared build cache may run from
    // another checkout.
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("tests/fixtures")
        .join(name)
}

fn predictions(artifact: &Artifact) -> Expected {
    let p = artifact
        .pipeline
        .predict(&common::score_frame())
        .expect("predicts");
    Expected {
        values: p.values,
        labels: p.labels.expect("classifier"),
        probabilities: p
            .probabilities
            .expect("classifier")
            .iter()
            .copied()
            .collect(),
    }
}

#[test]
fn version_1_artifact_still_loads_and_predicts() {
    let path = fixture("model_v1.kiln");
    let bytes = std::fs::read(&path).expect("fixture present");
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().expect("4")), 1);
    let artifact = Artifact::read(&path).expect("a version-1 artifact loads");
    assert_eq!(artifact.manifest.format_version, 1);
    assert_eq!(artifact.manifest.model_name, "churn");
    // Written before test-set predictions were stored: the field reads as absent.
    assert!(artifact.manifest.prediction_reference.is_none());
    assert_eq!(
        Artifact::read_manifest(&path).expect("manifest"),
        artifact.manifest
    );

    let expected: Expected = serde_json::from_slice(
        &std::fs::read(fixture("model_v1_predictions.json")).expect("fixture present"),
    )
    .expect("valid expectations");
    // Exact: the JSON numbers were written with round-trip precision, and a loaded model
    // must predict bit for bit what it predicted when it was saved.
    let actual = predictions(&artifact);
    assert_eq!(actual.labels, expected.labels);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&actual.values), bits(&expected.values));
    assert_eq!(bits(&actual.probabilities), bits(&expected.probabilities));
}

/// Writes the version-1 fixture. Run once, by hand, when the format was introduced:
/// `KILN_WRITE_FIXTURES=1 cargo test -p kiln-registry --test format_compat -- --ignored write_v1_fixture`.
/// The variable keeps a blanket `cargo test -- --ignored` from overwriting the committed file.
#[test]
#[ignore = "writes the committed fixture; run by hand only"]
fn write_v1_fixture() {
    assert_eq!(
        std::env::var("KILN_WRITE_FIXTURES").as_deref(),
        Ok("1"),
        "set KILN_WRITE_FIXTURES=1 to overwrite the committed version-1 fixture"
    );
    let artifact = common::artifact("churn");
    assert_eq!(
        kiln_registry::FORMAT_VERSION,
        1,
        "this writer makes version-1 files only"
    );
    artifact.write(&fixture("model_v1.kiln")).expect("writes");
    let json = serde_json::to_string_pretty(&predictions(&artifact)).expect("serialises");
    std::fs::write(fixture("model_v1_predictions.json"), json + "\n").expect("writes");
}
