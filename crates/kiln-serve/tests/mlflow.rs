//! `/invocations` in MLflow's four input formats, its error shape, `/ping` and the default
//! model.

mod common;

use common::*;
use serde_json::{Value, json};

#[test]
fn all_four_formats_score_the_same_rows() {
    let (source, pipeline) = source_with_model();
    let server = start(config(&["iris@production"]), source);
    let mut http = Http::new(server.addr());
    let records = request_records(30, 21);
    let expected = expected_labels(&expected_predictions(&pipeline, &records));
    let columns = ["x", "n", "flag", "colour"];
    let rows: Vec<Value> = records
        .iter()
        .map(|r| json!(columns.iter().map(|c| r[*c].clone()).collect::<Vec<_>>()))
        .collect();
    let by_column: serde_json::Map<String, Value> = columns
        .iter()
        .map(|c| {
            (
                c.to_string(),
                json!(records.iter().map(|r| r[*c].clone()).collect::<Vec<_>>()),
            )
        })
        .collect();
    let bodies = [
        json!({"dataframe_split": {"columns": columns, "data": rows,
                                   "index": (0..30).collect::<Vec<_>>()}}),
        json!({"dataframe_split": {"columns": columns, "data": rows}}),
        json!({"dataframe_records": records}),
        json!({"instances": records}),
        json!({"instances": rows}),
        json!({"inputs": by_column}),
        json!({"inputs": records, "params": {}}),
    ];
    for body in bodies {
        let reply = http.post_json("/invocations", &body);
        assert_eq!(reply.status, 200, "{body:.80}: {}", reply.text());
        assert_eq!(reply.json(), json!({ "predictions": expected }));
    }
    // A single row object under inputs.
    let reply = http.post_json("/invocations", &json!({"inputs": records[0]}));
    assert_eq!(reply.json()["predictions"], json!([expected[0]]));
    let ping = http.get("/ping");
    assert_eq!(ping.status, 200);
}

#[test]
fn errors_use_mlflow_shape() {
    let (source, _) = source_with_model();
    let server = start(config(&["iris"]), source);
    let mut http = Http::new(server.addr());
    let rows = json!(request_records(2, 2));
    let mut bad_type = rows.clone();
    bad_type[1]["flag"] = json!("yes");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{".to_vec(), "not valid JSON"),
        (
            json!([1]).to_string().into_bytes(),
            "expected a JSON object",
        ),
        (json!({}).to_string().into_bytes(), "must hold one of"),
        (
            json!({"inputs": rows, "instances": rows})
                .to_string()
                .into_bytes(),
            "send exactly one",
        ),
        (
            json!({"columns": ["x"], "data": [[1]]})
                .to_string()
                .into_bytes(),
            "unknown key 'columns'",
        ),
        (
            json!({"dataframe_records": {"x": 1}})
                .to_string()
                .into_bytes(),
            "array of row objects",
        ),
        (
            json!({"dataframe_split": {"data": [[1, 2]]}})
                .to_string()
                .into_bytes(),
            "row 0 has 2 values but the model reads 4",
        ),
        (
            json!({"dataframe_records": bad_type})
                .to_string()
                .into_bytes(),
            "row 1, column 'flag'",
        ),
        (
            json!({"inputs": [{"x": 1}]}).to_string().into_bytes(),
            "column 'n' is missing",
        ),
    ];
    for (body, want) in cases {
        let reply = http.post("/invocations", &body);
        assert_eq!(reply.status, 400, "{want}: {}", reply.text());
        let b = reply.json();
        assert_eq!(b["error_code"], "BAD_REQUEST", "{b}");
        let message = b["message"].as_str().expect("message");
        assert!(message.contains(want), "{want}: {message}");
    }
}

#[test]
fn several_models_need_a_default_for_invocations() {
    let (source, pipeline) = source_with_model();
    source
        .add_version("count", regressor(), json!({}))
        .expect("adds");
    let server = start(config(&["iris", "count"]), source.clone());
    let rows = request_records(3, 4);
    let reply =
        Http::new(server.addr()).post_json("/invocations", &json!({"dataframe_records": rows}));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error_code"], "RESOURCE_DOES_NOT_EXIST");
    server.stop().expect("stops");

    let mut c = config(&["iris", "count"]);
    c.default_model = Some("iris".into());
    let server = start(c, source);
    let reply =
        Http::new(server.addr()).post_json("/invocations", &json!({"dataframe_records": rows}));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["predictions"],
        expected_labels(&expected_predictions(&pipeline, &rows))
    );
}
