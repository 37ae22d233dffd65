//! Serving from a real project registry: versions registered as artifact files, an alias moved
//! with the registry's own API, and a corrupted artifact that must not replace the serving one.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use kiln_registry::{Artifact, Registry, TrainingSummary};
use kiln_serve::{RegistrySource, RunningServer};
use serde_json::json;

fn register(
    registry: &Registry,
    n_estimators: usize,
    seed: u64,
    accuracy: f64,
) -> (u32, kiln_eval::FittedModelPipeline) {
    let (spec, pipeline) = classifier_with_spec(n_estimators, seed);
    let training = TrainingSummary {
        metrics: BTreeMap::from([("accuracy".to_string(), accuracy)]),
        data_fingerprint: "test".into(),
        training_rows: 600,
        reference_profile: None,
        prediction_reference: None,
    };
    let artifact = Artifact::new("iris", spec, pipeline.clone(), training).expect("artifact");
    let v = registry
        .register("iris", &artifact, None)
        .expect("registers");
    (v.version, pipeline)
}

#[test]
fn serves_registry_versions_and_follows_the_alias() {
    let project = tempfile::tempdir().expect("tempdir");
    let registry = Registry::open(project.path()).expect("opens");
    let (v1, p1) = register(&registry, 8, 1, 0.91);
    registry
        .set_alias("iris", "production", v1, "first")
        .expect("alias");

    let source = RegistrySource::open(project.path()).expect("opens");
    let server =
        RunningServer::start(config(&["iris@production"]), Arc::new(source)).expect("starts");
    let mut http = Http::new(server.addr());
    wait_until(Duration::from_secs(20), || {
        http.get("/readyz").status == 200
    });
    let models = http.get("/v1/models").json();
    assert_eq!(models["models"][0]["version"], 1);
    assert_eq!(models["models"][0]["metrics"], json!({"accuracy": 0.91}));
    let records = request_records(30, 4);
    let body = http
        .post_json("/v1/models/iris/predict", &json!(records))
        .json();
    // Exact: the artifact round-trips the pipeline bit for bit.
    assert_eq!(
        probability_bits(&body),
        expected_bits(&expected_predictions(&p1, &records))
    );

    // A new version whose artifact file is then damaged: the reload fails, version 1 serves.
    let (v2, _) = register(&registry, 12, 2, 0.93);
    let v2_record = registry
        .resolve(&kiln_registry::ModelRef::parse("iris/2").expect("ref"))
        .expect("resolves");
    let path = registry.artifact_path(&v2_record).expect("path");
    let mut bytes = std::fs::read(&path).expect("reads");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, bytes).expect("writes");
    registry
        .set_alias("iris", "production", v2, "broken")
        .expect("alias");
    wait_until(Duration::from_secs(20), || {
        server.state().metrics.reload_failures_of("iris") >= 1
    });
    let models = http.get("/v1/models").json();
    assert_eq!(models["models"][0]["version"], 1);
    assert!(models["models"][0]["last_error"].is_string(), "{models}");
    assert_eq!(
        http.post_json("/v1/models/iris/predict", &json!(records))
            .json()["version"],
        1
    );

    // A good version 3: served once the alias points at it.
    let (v3, p3) = register(&registry, 20, 3, 0.95);
    registry
        .set_alias("iris", "production", v3, "fixed")
        .expect("alias");
    wait_until(Duration::from_secs(20), || {
        http.get("/v1/models").json()["models"][0]["version"] == 3
    });
    let body = http
        .post_json("/v1/models/iris/predict", &json!(records))
        .json();
    assert_eq!(body["version"], 3);
    assert_eq!(
        probability_bits(&body),
        expected_bits(&expected_predictions(&p3, &records))
    );
    assert_eq!(server.state().metrics.reloads_of("iris"), 1);
}

#[test]
fn an_unknown_project_or_model_is_a_clear_error() {
    let e = RegistrySource::open(std::path::Path::new("/nonexistent/kiln/project"))
        .expect_err("no such folder")
        .to_string();
    assert!(e.contains("/nonexistent/kiln/project"), "{e}");
    let project = tempfile::tempdir().expect("tempdir");
    let source = RegistrySource::open(project.path()).expect("opens");
    let server =
        RunningServer::start(config(&["ghost@production"]), Arc::new(source)).expect("starts");
    let mut http = Http::new(server.addr());
    wait_until(Duration::from_secs(20), || {
        http.get("/v1/models").json()["models"][0]["last_error"].is_string()
    });
    let error = http.get("/v1/models").json()["models"][0]["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("ghost"), "{error}");
    assert_eq!(http.get("/readyz").status, 503);
}
