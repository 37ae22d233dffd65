//! The prediction log holds every scored row; feedback joins to it by request id and row.

mod common;

use std::time::Duration;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use common::*;
use kiln_serve::{LogConfig, join_feedback, read_log};
use serde_json::{Value, json};

fn logged_config(dir: &std::path::Path) -> kiln_serve::ServeConfig {
    let mut c = config(&["iris@production"]);
    let mut log = LogConfig::new(dir);
    // Small files, so rotation happens within the test.
    log.rotate_rows = 100;
    log.rotate_interval = Duration::from_secs(3600);
    c.log = Some(log);
    c
}

#[test]
fn every_scored_row_is_logged_and_feedback_joins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (source, _) = source_with_model();
    let server = start(logged_config(dir.path()), source);
    let mut http = Http::new(server.addr());
    let sizes = [1usize, 250, 10];
    let mut replies: Vec<(Vec<Value>, Value)> = Vec::new();
    for (i, n) in sizes.iter().enumerate() {
        let records = request_records(*n, 100 + i as u64);
        let body = http
            .post_json("/v1/models/iris/predict", &json!(records))
            .json();
        replies.push((records, body));
    }
    // And one through the MLflow route.
    let mlflow_rows = request_records(4, 200);
    let r = http.post_json("/invocations", &json!({"dataframe_records": mlflow_rows}));
    assert_eq!(r.status, 200);
    let mlflow_id = r.header("x-request-id").expect("request id").to_string();
    // Rejected requests are not logged.
    assert_eq!(
        http.post_json("/v1/models/iris/predict", &json!({"x": 1}))
            .status,
        422
    );

    let first_id = replies[0].1["request_id"].as_str().expect("id").to_string();
    let batch_id = replies[1].1["request_id"].as_str().expect("id").to_string();
    let fb = http.post_json(
        "/v1/models/iris/feedback",
        &json!({"request_id": first_id, "label": "mid"}),
    );
    assert_eq!(fb.status, 202, "{}", fb.text());
    assert_eq!(fb.json()["accepted"], 1);
    let fb = http.post_json(
        "/v1/models/iris/feedback",
        &json!([
            {"request_id": batch_id, "row": 7, "label": "low"},
            {"request_id": batch_id, "row": 249, "label": "high"},
            {"request_id": mlflow_id, "row": 3, "label": 5},
        ]),
    );
    assert_eq!(fb.json()["accepted"], 3);
    // Bad feedback is refused with the item named.
    for (body, want) in [
        (json!({"label": "x"}), "request_id is missing"),
        (json!({"request_id": first_id}), "label is missing"),
        (
            json!({"request_id": first_id, "label": [1]}),
            "label is an array",
        ),
        (
            json!({"request_id": first_id, "label": "x", "row": -1}),
            "row is -1",
        ),
        (
            json!({"request_id": "a b", "label": "x"}),
            "request_id is a string",
        ),
        (
            json!([{"request_id": first_id, "label": "x", "extra": 1}]),
            "unknown field 'extra'",
        ),
        (json!([]), "no feedback items"),
    ] {
        let r = http.post_json("/v1/models/iris/feedback", &body);
        assert_eq!(r.status, 400, "{body}");
        let message = r.json()["error"]["message"]
            .as_str()
            .expect("message")
            .to_string();
        assert!(message.contains(want), "{want}: {message}");
    }
    assert_eq!(
        http.post_json(
            "/v1/models/nope/feedback",
            &json!({"request_id": "a", "label": "x"})
        )
        .status,
        404
    );
    server.stop().expect("stops");

    let log = read_log(&dir.path().join("predictions")).expect("reads");
    assert_eq!(log.n_rows(), 1 + 250 + 10 + 4);
    let files = std::fs::read_dir(dir.path().join("predictions"))
        .expect("dir")
        .count();
    assert!(
        files >= 2,
        "rotation at 100 rows should give several files, got {files}"
    );
    let ids = log.column("request_id").expect("col").as_string::<i32>();
    let rows = log.column("row").expect("col").as_primitive::<Int64Type>();
    let labels = log.column("label").expect("col").as_string::<i32>();
    let inputs = log.column("inputs").expect("col").as_string::<i32>();
    let versions = log
        .column("version")
        .expect("col")
        .as_primitive::<Int64Type>();
    for (records, body) in &replies {
        let id = body["request_id"].as_str().expect("id");
        let logged: Vec<usize> = (0..log.n_rows()).filter(|&i| ids.value(i) == id).collect();
        assert_eq!(logged.len(), records.len());
        for &i in &logged {
            let r = rows.value(i) as usize;
            assert_eq!(
                labels.value(i),
                body["predictions"][r].as_str().expect("label")
            );
            assert_eq!(versions.value(i), 1);
            let input: Value = serde_json::from_str(inputs.value(i)).expect("json");
            for col in ["x", "n", "flag", "colour"] {
                assert_eq!(input[col], records[r][col], "row {r} column {col}");
            }
            assert!(input.get("ignored_extra").is_none());
        }
    }
    let predictions = log
        .column("prediction")
        .expect("col")
        .as_primitive::<Float64Type>();
    assert!((0..log.n_rows()).all(|i| [0.0, 1.0, 2.0].contains(&predictions.value(i))));

    let joined = join_feedback(dir.path()).expect("joins");
    assert_eq!(joined.n_rows(), log.n_rows());
    let ids = joined.column("request_id").expect("col").as_string::<i32>();
    let rows = joined
        .column("row")
        .expect("col")
        .as_primitive::<Int64Type>();
    let fb = joined
        .column("feedback_label")
        .expect("col")
        .as_string::<i32>();
    let mut labelled: Vec<(String, i64, String)> = (0..joined.n_rows())
        .filter(|&i| !fb.is_null(i))
        .map(|i| {
            (
                ids.value(i).to_string(),
                rows.value(i),
                fb.value(i).to_string(),
            )
        })
        .collect();
    labelled.sort();
    let mut want = vec![
        (first_id, 0, "mid".to_string()),
        (batch_id.clone(), 7, "low".into()),
        (batch_id, 249, "high".into()),
        (mlflow_id, 3, "5".into()),
    ];
    want.sort();
    assert_eq!(labelled, want);
    assert_eq!(
        joined.column("feedback_at").expect("col").null_count(),
        joined.n_rows() - 4
    );
}

#[test]
fn feedback_without_a_log_is_refused_and_an_empty_log_is_an_error() {
    let (source, _) = source_with_model();
    let server = start(config(&["iris"]), source);
    let r = Http::new(server.addr()).post_json(
        "/v1/models/iris/feedback",
        &json!({"request_id": "a", "label": "x"}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "log_disabled");
    let dir = tempfile::tempdir().expect("tempdir");
    let e = join_feedback(dir.path()).expect_err("no files").to_string();
    assert!(e.contains("no prediction files"), "{e}");
}

#[test]
fn rows_are_written_after_the_rotation_interval_without_a_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (source, _) = source_with_model();
    let mut c = logged_config(dir.path());
    if let Some(log) = c.log.as_mut() {
        log.rotate_rows = 1_000_000;
        log.rotate_interval = Duration::from_millis(100);
    }
    let server = start(c, source);
    let r = Http::new(server.addr())
        .post_json("/v1/models/iris/predict", &json!(request_records(5, 1)));
    assert_eq!(r.status, 200);
    wait_until(Duration::from_secs(10), || {
        read_log(&dir.path().join("predictions")).is_ok_and(|f| f.n_rows() == 5)
    });
    drop(server);
}
