//! The synthetic target: a GBDT fitted on a seeded synthetic binary set, served in-process by
//! kiln's server on a free loopback port (no prediction log), and request bodies drawn from the
//! same generator. It measures the server alone, without a registry or a model file, and needs
//! no data on disk; runs against real rows and other servers use `--addr` and `--rows-file`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln_data::synth::ClassificationSpec;
use kiln_data::{Frame, Role};
use kiln_eval::ModelPipelineSpec;
use kiln_models::ModelSpec;
use kiln_prep::PipelineSpec;
use kiln_serve::client::Http;
use kiln_serve::{InMemorySource, RunningServer, ServeConfig};
use serde_json::json;

use crate::bodies::{Bodies, BodyFormat, frame_bodies};
use crate::error::{LoadgenError, Result};

/// The name the synthetic model is served under (`/v1/models/bench/predict`).
pub const MODEL_NAME: &str = "bench";

/// A seeded synthetic binary set of `features` numeric columns and a target.
fn synthetic(rows: usize, features: usize) -> Result<Frame> {
    if features == 0 {
        return Err(LoadgenError::option("--features", "must be at least 1"));
    }
    let spec = ClassificationSpec {
        rows,
        features,
        informative: features.min(8),
        redundant: 0,
        seed: 7,
        ..ClassificationSpec::default()
    };
    Ok(spec.generate()?)
}

fn target_of(frame: &Frame) -> Result<String> {
    frame
        .schema()
        .names_with_role(Role::Target)
        .first()
        .map(|s| s.to_string())
        .ok_or_else(|| LoadgenError::Model("the synthetic set has no target column".into()))
}

/// Fits a GBDT of `trees` trees (31 leaves) on 20,000 synthetic rows and serves it on a free
/// loopback port; returns once `/readyz` answers 200 (at most 60 s).
pub fn start_server(features: usize, trees: usize, train_rows: usize) -> Result<RunningServer> {
    if trees == 0 {
        return Err(LoadgenError::option("--trees", "must be at least 1"));
    }
    let train = synthetic(train_rows, features)?;
    let target = target_of(&train)?;
    let prep = PipelineSpec::from_toml(
        &format!("target = \"{target}\"\ntask = \"classification\"\nremainder = \"passthrough\"\n"),
        "bench",
    )
    .map_err(|e| LoadgenError::Model(e.to_string()))?;
    let model: ModelSpec = serde_json::from_value(json!({
        "kind": "gbdt", "objective": "binary", "n_estimators": trees, "num_leaves": 31
    }))
    .map_err(|e| LoadgenError::Model(e.to_string()))?;
    let pipeline = ModelPipelineSpec { prep, model }
        .fit(&train)
        .map_err(|e| LoadgenError::Model(e.to_string()))?;
    let source = InMemorySource::new();
    source
        .add_version(MODEL_NAME, pipeline, json!({}))
        .map_err(|e| LoadgenError::Server(e.to_string()))?;
    let mut config = ServeConfig::new(vec![MODEL_NAME.into()]);
    config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.poll_interval = None;
    let server = RunningServer::start(config, Arc::new(source))
        .map_err(|e| LoadgenError::Server(e.to_string()))?;
    let mut probe = Http::new(server.addr());
    let start = Instant::now();
    loop {
        let ready = probe.get("/readyz").is_ok_and(|r| r.status == 200);
        if ready {
            return Ok(server);
        }
        if start.elapsed() > Duration::from_secs(60) {
            return Err(LoadgenError::Server(
                "the in-process server did not become ready within 60 s".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Bodies of synthetic feature rows (the target left out): 64 bodies of `rows_per_request`
/// rows, drawn from at least 4,096 rows of the generator the model was fitted on.
pub fn synthetic_bodies(
    features: usize,
    format: BodyFormat,
    rows_per_request: usize,
) -> Result<Bodies> {
    let frame = synthetic(4096.max(rows_per_request), features)?;
    let target = target_of(&frame)?;
    let names: Vec<&str> = frame.names().filter(|n| *n != target).collect();
    let inputs = frame.select(&names)?;
    frame_bodies(&inputs, format, rows_per_request, 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadPlan, run};

    #[test]
    fn the_in_process_server_answers_every_request_closed_and_open_loop() {
        // A small model: this checks the wiring, not the speed.
        let server = start_server(4, 3, 500).expect("the server starts");
        let path = format!("/v1/models/{MODEL_NAME}/predict");
        let native = synthetic_bodies(4, BodyFormat::Native, 2).expect("bodies");
        let plan = LoadPlan {
            concurrency: 2,
            requests: 40,
            rate: 0.0,
        };
        let s = run(server.addr(), &path, &native.bodies, &plan).expect("closed loop");
        assert_eq!((s.requests, s.errors), (40, 0), "{:?}", s.first_error);
        assert!(s.p50_ms <= s.p99_ms && s.p99_ms <= s.max_ms);

        // Open loop at 400 req/s: 40 requests are due over 0.1 s, so the run lasts at least
        // that long (a lower bound only; the upper one depends on the machine).
        let mlflow = synthetic_bodies(4, BodyFormat::Mlflow, 1).expect("bodies");
        let plan = LoadPlan {
            rate: 400.0,
            ..plan
        };
        let s = run(server.addr(), "/invocations", &mlflow.bodies, &plan).expect("open loop");
        assert_eq!((s.requests, s.errors), (40, 0), "{:?}", s.first_error);
        assert!(s.seconds >= 39.0 / 400.0, "{}", s.seconds);

        // A route that does not exist is an error with its status in the summary.
        let s = run(
            server.addr(),
            "/v1/models/nope/predict",
            &native.bodies,
            &plan,
        )
        .expect("the run itself works");
        assert_eq!(s.errors, 40);
        assert!(
            s.first_error
                .as_deref()
                .is_some_and(|m| m.starts_with("status 404")),
            "{:?}",
            s.first_error
        );
        server.stop().expect("the server stops");
    }

    #[test]
    fn zero_features_or_trees_are_option_errors() {
        let e = synthetic_bodies(0, BodyFormat::Native, 1).expect_err("no features");
        assert!(e.to_string().starts_with("--features"), "{e}");
        let e = start_server(4, 0, 500).expect_err("no trees");
        assert!(e.to_string().starts_with("--trees"), "{e}");
    }
}
