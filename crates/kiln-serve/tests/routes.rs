//! The native routes against a real server on a loopback port.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

#[test]
fn predictions_equal_the_pipeline_bit_for_bit_in_every_shape() {
    let (source, pipeline) = source_with_model();
    let server = start(config(&["iris@production"]), source);
    let mut http = Http::new(server.addr());
    let records = request_records(50, 7);
    let expected = expected_predictions(&pipeline, &records);

    let reply = http.post_json("/v1/models/iris/predict", &json!(records));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["model"], "iris");
    assert_eq!(body["version"], 1);
    assert_eq!(body["classes"], json!(["high", "low", "mid"]));
    assert_eq!(body["predictions"], expected_labels(&expected));
    // Exact: floats are written in shortest round-trip form and parsed back bit for bit.
    assert_eq!(probability_bits(&body), expected_bits(&expected));
    let rid = body["request_id"].as_str().expect("request id");
    assert_eq!(reply.header("x-request-id"), Some(rid));

    // Columnar: the same rows as names + data.
    let names = ["colour", "flag", "n", "x"];
    let data: Vec<Value> = records
        .iter()
        .map(|r| json!(names.iter().map(|n| r[*n].clone()).collect::<Vec<_>>()))
        .collect();
    let reply = http.post_json(
        "/v1/models/iris/predict",
        &json!({"columns": names, "data": data}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(probability_bits(&reply.json()), expected_bits(&expected));

    // One object is one row; a client's request id is kept.
    let reply = http
        .request(
            "POST",
            "/v1/models/iris/predict",
            &[("X-Request-Id", "client-42")],
            records[3].to_string().as_bytes(),
        )
        .expect("POST");
    let body = reply.json();
    assert_eq!(body["request_id"], "client-42");
    assert_eq!(body["predictions"], json!([expected_labels(&expected)[3]]));
    assert_eq!(
        probability_bits(&body),
        vec![expected_bits(&expected)[3].clone()]
    );
}

#[test]
fn a_batch_of_ten_thousand_rows() {
    let (source, pipeline) = source_with_model();
    let server = start(config(&["iris"]), source);
    let records = request_records(10_000, 11);
    let expected = expected_predictions(&pipeline, &records);
    let reply = Http::new(server.addr()).post_json("/v1/models/iris/predict", &json!(records));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["predictions"].as_array().map(Vec::len), Some(10_000));
    assert_eq!(body["predictions"], expected_labels(&expected));
    // Exact, as above.
    assert_eq!(probability_bits(&body), expected_bits(&expected));
    let metrics = Http::new(server.addr()).get("/metrics").text();
    assert!(
        metrics.contains("kiln_serve_rows_scored_total{model=\"iris\",version=\"1\"} 10000"),
        "{metrics}"
    );
}

#[test]
fn regressors_answer_values() {
    let source = kiln_serve::InMemorySource::new();
    let pipeline = regressor();
    source
        .add_version("count", pipeline.clone(), json!({"rmse": 2.5}))
        .expect("adds");
    let server = start(config(&["count/1"]), source);
    let records = request_records(20, 3);
    let expected = expected_predictions(&pipeline, &records);
    let body = Http::new(server.addr())
        .post_json("/v1/models/count/predict", &json!(records))
        .json();
    let got: Vec<u64> = body["predictions"]
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_f64().expect("number").to_bits())
        .collect();
    // Exact: round-trip float text.
    assert_eq!(
        got,
        expected
            .values
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    );
    assert!(body.get("probabilities").is_none() && body.get("classes").is_none());
}

#[test]
fn models_health_readiness_and_metrics() {
    let (source, _) = source_with_model();
    let server = start(config(&["iris@production"]), source);
    let mut http = Http::new(server.addr());
    assert_eq!(http.get("/healthz").json()["status"], "ok");
    assert_eq!(http.get("/readyz").json()["status"], "ready");
    let models = http.get("/v1/models").json();
    let m = &models["models"][0];
    assert_eq!(m["name"], "iris");
    assert_eq!(m["spec"], "iris@production");
    assert_eq!(m["version"], 1);
    assert_eq!(m["task"], "classification");
    assert_eq!(m["classes"], json!(["high", "low", "mid"]));
    assert_eq!(m["metrics"]["accuracy"], 0.9);
    let names: Vec<&str> = m["input_schema"]
        .as_array()
        .expect("schema")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["x", "n", "flag", "colour"]);
    assert_eq!(m["input_schema"][1]["type"], "integer");

    let one = json!(request_records(1, 1)[0]);
    assert_eq!(http.post_json("/v1/models/iris/predict", &one).status, 200);
    assert_eq!(
        http.post_json("/v1/models/iris/predict", &json!({"x": 1}))
            .status,
        422
    );
    assert_eq!(http.post_json("/v1/models/nope/predict", &one).status, 404);
    let metrics = http.get("/metrics");
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    let text = metrics.text();
    for want in [
        "kiln_serve_requests_total{route=\"predict\",model=\"iris\",version=\"1\",status=\"200\"} 1",
        "kiln_serve_requests_total{route=\"predict\",model=\"iris\",version=\"1\",status=\"422\"} 1",
        "kiln_serve_requests_total{route=\"predict\",model=\"\",version=\"\",status=\"404\"} 1",
        "kiln_serve_errors_total{route=\"predict\",code=\"schema_mismatch\"} 1",
        "kiln_serve_errors_total{route=\"predict\",code=\"unknown_model\"} 1",
        "kiln_serve_request_duration_seconds_count{model=\"iris\",version=\"1\"} 2",
        "kiln_serve_rows_scored_total{model=\"iris\",version=\"1\"} 1",
        "# TYPE kiln_serve_reload_failures_total counter",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
}

fn assert_error(reply: &Reply, status: u16, code: &str) -> Value {
    assert_eq!(reply.status, status, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    body
}

#[test]
fn bad_requests_get_json_errors_naming_field_and_row() {
    let (source, _) = source_with_model();
    let mut c = config(&["iris"]);
    c.body_limit = 4096;
    let server = start(c, source);
    let mut http = Http::new(server.addr());
    let good = request_records(2, 5);

    let b = assert_error(
        &http.post("/v1/models/iris/predict", b"{\"x\": "),
        400,
        "invalid_json",
    );
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("not valid JSON")
    );
    assert_error(
        &http.post("/v1/models/iris/predict", b""),
        400,
        "invalid_json",
    );
    assert_error(
        &http.post("/v1/models/iris/predict", b"NaN"),
        400,
        "invalid_json",
    );
    assert_error(
        &http.post("/v1/models/iris/predict", &[0xff, 0xfe]),
        400,
        "invalid_json",
    );
    assert_error(
        &http.post_json("/v1/models/iris/predict", &json!(5)),
        400,
        "bad_request",
    );
    assert_error(
        &http.post_json("/v1/models/iris/predict", &json!([])),
        400,
        "bad_request",
    );

    let mut wrong = good.clone();
    wrong[1]["x"] = json!("NaN");
    let b = assert_error(
        &http.post_json("/v1/models/iris/predict", &json!(wrong)),
        422,
        "schema_mismatch",
    );
    assert_eq!(
        (b["error"]["field"].clone(), b["error"]["row"].clone()),
        (json!("x"), json!(1))
    );
    let mut wrong = good.clone();
    wrong[0]["n"] = json!(2.5);
    let b = assert_error(
        &http.post_json("/v1/models/iris/predict", &json!(wrong)),
        422,
        "schema_mismatch",
    );
    assert_eq!(b["error"]["field"], "n");
    let mut missing = good.clone();
    for r in &mut missing {
        r.as_object_mut().expect("object").remove("colour");
    }
    let b = assert_error(
        &http.post_json("/v1/models/iris/predict", &json!(missing)),
        422,
        "schema_mismatch",
    );
    assert_eq!(b["error"]["field"], "colour");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("column 'colour' is missing")
    );

    let b = assert_error(
        &http.post_json("/v1/models/other/predict", &json!(good)),
        404,
        "unknown_model",
    );
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("served models: iris")
    );

    let huge = json!(request_records(200, 1)).to_string();
    assert!(huge.len() > 4096);
    assert_error(
        &http.post("/v1/models/iris/predict", huge.as_bytes()),
        413,
        "body_too_large",
    );
    // Without a declared length (chunked), the limit still holds while reading.
    let reply = http
        .request(
            "POST",
            "/v1/models/iris/predict",
            &[("Transfer-Encoding", "chunked")],
            format!("{:x}\r\n{huge}\r\n0\r\n\r\n", huge.len()).as_bytes(),
        )
        .expect("POST");
    assert_error(&reply, 413, "body_too_large");

    assert_error(
        &http.get("/v1/models/iris/predict"),
        405,
        "method_not_allowed",
    );
    assert_error(&http.get("/nothing/here"), 404, "not_found");
    // Admin routes do not exist without a token.
    assert_error(&http.post("/v1/admin/reload", b""), 404, "not_found");
    // The server is still fine.
    assert_eq!(
        http.post_json("/v1/models/iris/predict", &json!(good))
            .status,
        200
    );
}

#[test]
fn readiness_waits_for_the_first_load() {
    let source = kiln_serve::InMemorySource::new();
    let server = kiln_serve::RunningServer::start(
        config(&["late@production"]),
        std::sync::Arc::new(source.clone()),
    )
    .expect("starts");
    let mut http = Http::new(server.addr());
    assert_eq!(http.get("/healthz").status, 200);
    wait_until(Duration::from_secs(10), || {
        http.get("/v1/models").json()["models"][0]["last_error"].is_string()
    });
    let r = http.get("/readyz");
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["waiting_for"], json!(["late"]));
    let one = json!(request_records(1, 1));
    let r = http.post_json("/v1/models/late/predict", &one);
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["error"]["code"], "model_not_ready");
    let models = http.get("/v1/models").json();
    assert_eq!(models["models"][0]["loaded"], false);

    let v = source
        .add_version("late", classifier(5, 2), json!({}))
        .expect("adds");
    source.set_alias("late", "production", v).expect("alias");
    wait_until(Duration::from_secs(10), || {
        http.get("/readyz").status == 200
    });
    assert_eq!(http.post_json("/v1/models/late/predict", &one).status, 200);
}

#[test]
fn a_request_over_the_timeout_gets_504() {
    let (source, _) = source_with_model();
    let mut c = config(&["iris"]);
    c.request_timeout = Duration::from_millis(1);
    let server = start(c, source);
    // Parsing and scoring 20,000 rows takes far longer than 1 ms.
    let records = json!(request_records(20_000, 3));
    let reply = Http::new(server.addr()).post_json("/v1/models/iris/predict", &records);
    assert_error(&reply, 504, "timeout");
}
