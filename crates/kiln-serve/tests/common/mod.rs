//! Shared test helpers: small fitted pipelines, request rows, and a server on a free loopback
//! port, spoken to with the crate's own small HTTP/1.1 client.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln_data::Frame;
use kiln_data::csv::read_csv_bytes;
use kiln_eval::{FittedModelPipeline, ModelPipelineSpec};
use kiln_models::ModelSpec;
use kiln_prep::PipelineSpec;
pub use kiln_serve::client::Reply;
use kiln_serve::{InMemorySource, RunningServer, ServeConfig};
use serde_json::{Value, json};

/// Training rows with every input type the server converts: numeric (with gaps), integer,
/// boolean, categorical and a three-class categorical target.
pub fn training_csv(rows: usize, seed: u64) -> String {
    let mut csv = String::from("x,n,flag,colour,label\n");
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as f64 / (1u64 << 31) as f64
    };
    for i in 0..rows {
        let x = next() * 10.0 - 5.0;
        let n = (next() * 20.0) as i64;
        let flag = next() < 0.5;
        let colour = ["red", "green", "blue"][(next() * 3.0) as usize % 3];
        let score = x
            + if flag { 2.0 } else { -1.0 }
            + n as f64 * 0.2
            + if colour == "red" { 1.5 } else { 0.0 }
            + next() * 2.0;
        let label = if score < 0.0 {
            "low"
        } else if score < 4.0 {
            "mid"
        } else {
            "high"
        };
        let x_text = if i % 17 == 0 {
            String::new()
        } else {
            format!("{x:.6}")
        };
        csv.push_str(&format!("{x_text},{n},{flag},{colour},{label}\n"));
    }
    csv
}

fn frame_of(csv: &str, schema: Option<&kiln_data::Schema>) -> Frame {
    let mut options = kiln_data::csv::CsvOptions::default();
    options
        .overrides
        .set_type("n", kiln_data::ColumnType::Integer);
    // Request rows are typed by the model's schema, not inferred from a handful of rows.
    for f in schema.map(|s| s.fields.as_slice()).unwrap_or_default() {
        options.overrides.set_type(&f.name, f.column_type);
    }
    read_csv_bytes(csv.as_bytes(), "rows", &options).expect("valid csv")
}

/// A fitted three-class pipeline (imputer + scaler on numbers, one-hot colours, GBDT).
pub fn classifier(n_estimators: usize, seed: u64) -> FittedModelPipeline {
    classifier_with_spec(n_estimators, seed).1
}

/// The same, with the spec it was fitted from (an artifact stores both).
pub fn classifier_with_spec(
    n_estimators: usize,
    seed: u64,
) -> (ModelPipelineSpec, FittedModelPipeline) {
    let prep = PipelineSpec::from_toml(
        r#"
        target = "label"
        [[blocks]]
        name = "numbers"
        columns = { names = ["x", "n", "flag"] }
        steps = [{ kind = "simple_imputer", strategy = "median" }, { kind = "standard_scaler" }]
        [[blocks]]
        name = "colour"
        columns = { names = ["colour"] }
        steps = [{ kind = "one_hot_encoder", handle_unknown = "ignore" }]
        "#,
        "test",
    )
    .expect("valid prep");
    let model: ModelSpec = serde_json::from_value(json!({
        "kind": "gbdt", "objective": "multiclass", "n_estimators": n_estimators,
        "num_leaves": 8, "min_data_in_leaf": 5, "learning_rate": 0.2
    }))
    .expect("valid model");
    let spec = ModelPipelineSpec { prep, model };
    let fitted = spec
        .fit(&frame_of(&training_csv(600, seed), None))
        .expect("fits");
    (spec, fitted)
}

/// Raw request rows (records) like the training rows, without the target.
pub fn request_records(rows: usize, seed: u64) -> Vec<Value> {
    let csv = training_csv(rows, seed);
    csv.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let x: Value = cells[0].parse::<f64>().map_or(Value::Null, |v| json!(v));
            json!({
                "x": x,
                "n": cells[1].parse::<i64>().expect("n"),
                "flag": cells[2] == "true",
                "colour": cells[3],
                "ignored_extra": "anything",
            })
        })
        .collect()
}

/// The frame the server should build from `request_records`: the same rows through the CSV
/// reader, typed by the pipeline's input schema.
pub fn expected_predictions(
    pipeline: &FittedModelPipeline,
    records: &[Value],
) -> kiln_eval::Predictions {
    let mut csv = String::from("x,n,flag,colour\n");
    for r in records {
        let x = match &r["x"] {
            Value::Number(n) => format!("{}", n.as_f64().expect("x")),
            _ => String::new(),
        };
        csv.push_str(&format!(
            "{x},{},{},{}\n",
            r["n"],
            r["flag"],
            r["colour"].as_str().expect("colour")
        ));
    }
    let frame = frame_of(&csv, Some(&pipeline.input_schema));
    pipeline.predict(&frame).expect("predicts")
}

/// A config on a free loopback port, polling fast, no logs.
pub fn config(models: &[&str]) -> ServeConfig {
    let mut c = ServeConfig::new(models.iter().map(|m| m.to_string()).collect());
    c.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    c.poll_interval = Some(Duration::from_millis(50));
    c
}

/// A source with one model `iris` (version 1, alias `production`).
pub fn source_with_model() -> (InMemorySource, FittedModelPipeline) {
    let source = InMemorySource::new();
    let pipeline = classifier(10, 1);
    let v = source
        .add_version("iris", pipeline.clone(), json!({"accuracy": 0.9}))
        .expect("adds");
    source.set_alias("iris", "production", v).expect("alias");
    (source, pipeline)
}

/// Starts a server and waits until `/readyz` is 200.
pub fn start(config: ServeConfig, source: InMemorySource) -> RunningServer {
    let server = RunningServer::start(config, Arc::new(source)).expect("starts");
    wait_until(Duration::from_secs(20), || {
        Http::new(server.addr()).get("/readyz").status == 200
    });
    server
}

/// Polls `check` every 20 ms until it holds; panics after `limit`.
pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A fitted regressor predicting `n` from the other columns.
pub fn regressor() -> FittedModelPipeline {
    let prep = PipelineSpec::from_toml(
        r#"
        target = "n"
        [[blocks]]
        name = "numbers"
        columns = { names = ["x", "flag"] }
        steps = [{ kind = "simple_imputer", strategy = "mean" }]
        [[blocks]]
        name = "colour"
        columns = { names = ["colour"] }
        steps = [{ kind = "one_hot_encoder", handle_unknown = "ignore" }]
        "#,
        "test",
    )
    .expect("valid prep");
    let model: ModelSpec = serde_json::from_value(json!({
        "kind": "gbdt", "n_estimators": 10, "num_leaves": 8, "min_data_in_leaf": 5
    }))
    .expect("valid model");
    let train = frame_of(&training_csv(400, 9), None)
        .select(&["x", "n", "flag", "colour"])
        .expect("columns");
    ModelPipelineSpec { prep, model }.fit(&train).expect("fits")
}

/// The probabilities of a response as bit patterns, for exact comparison.
pub fn probability_bits(body: &Value) -> Vec<Vec<u64>> {
    body["probabilities"]
        .as_array()
        .expect("probabilities")
        .iter()
        .map(|row| {
            row.as_array()
                .expect("row")
                .iter()
                .map(|p| p.as_f64().expect("number").to_bits())
                .collect()
        })
        .collect()
}

/// The same for a `Predictions`.
pub fn expected_bits(p: &kiln_eval::Predictions) -> Vec<Vec<u64>> {
    p.probabilities
        .as_ref()
        .expect("classifier")
        .outer_iter()
        .map(|row| row.iter().map(|v| v.to_bits()).collect())
        .collect()
}

/// The labels of a `Predictions` as JSON.
pub fn expected_labels(p: &kiln_eval::Predictions) -> Value {
    json!(p.labels.as_ref().expect("classifier"))
}

/// The crate's client with panicking shorthands: a failed connection fails the test.
pub struct Http(kiln_serve::client::Http);

impl Http {
    pub fn new(addr: SocketAddr) -> Self {
        Http(kiln_serve::client::Http::new(addr))
    }

    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Reply> {
        self.0.request(method, path, headers, body)
    }

    pub fn get(&mut self, path: &str) -> Reply {
        self.0
            .get(path)
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub fn post(&mut self, path: &str, body: &[u8]) -> Reply {
        self.0
            .post(path, body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub fn post_json(&mut self, path: &str, body: &Value) -> Reply {
        self.post(path, body.to_string().as_bytes())
    }
}

/// `reply.json()`: the body as JSON, failing the test with the body when it is not.
pub trait JsonBody {
    fn json(&self) -> Value;
}

impl JsonBody for Reply {
    fn json(&self) -> Value {
        self.parse_json().unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }
}
