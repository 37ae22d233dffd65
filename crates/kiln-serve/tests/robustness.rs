//! Malformed traffic at volume, concurrently with valid traffic: every bad request gets a 4xx
//! with a JSON error, every valid one its exact predictions, and the server stays up.
//!
//! All traffic goes to the loopback server this test starts; loops are bounded in count.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::*;
use serde_json::{Value, json};

const BAD_THREADS: usize = 8;
const BAD_PER_THREAD: usize = 1_300;
const BODY_LIMIT: usize = 64 * 1024;

/// The `i`-th malformed request: (method, path, headers, body).
fn malformed(
    i: usize,
    good_row: &Value,
) -> (&'static str, String, Vec<(&'static str, String)>, Vec<u8>) {
    let predict = "/v1/models/iris/predict".to_string();
    let json_body = |v: Value| v.to_string().into_bytes();
    let with = |col: &str, v: Value| {
        let mut row = good_row.clone();
        row[col] = v;
        json_body(json!([row]))
    };
    match i % 24 {
        0 => ("POST", predict, vec![], b"{\"x\": 1,".to_vec()),
        1 => ("POST", predict, vec![], with("x", json!("NaN"))),
        2 => ("POST", predict, vec![], with("x", json!("inf"))),
        3 => ("POST", predict, vec![], with("x", json!("-Infinity"))),
        4 => ("POST", predict, vec![], with("n", json!("seven"))),
        5 => ("POST", predict, vec![], with("flag", json!(1))),
        6 => ("POST", predict, vec![], with("colour", json!({"a": 1}))),
        7 => ("POST", predict, vec![], json_body(json!([{}]))),
        8 => (
            "POST",
            predict,
            vec![],
            json_body(json!({"columns": ["x"], "data": [[1]]})),
        ),
        9 => (
            "POST",
            predict,
            vec![],
            vec![b'a'; BODY_LIMIT + 1 + i % 1000],
        ),
        10 => (
            "POST",
            "/v1/models/unknown/predict".into(),
            vec![],
            json_body(json!([good_row])),
        ),
        11 => ("POST", predict, vec![], vec![0xc3, 0x28, 0xff]),
        12 => ("POST", predict, vec![], b"[1e400]".to_vec()),
        13 => ("POST", predict, vec![], b"NaN".to_vec()),
        14 => ("POST", predict, vec![], "[".repeat(5_000).into_bytes()),
        15 => ("POST", predict, vec![], Vec::new()),
        16 => ("POST", predict, vec![], json_body(json!([]))),
        17 => ("GET", predict, vec![], Vec::new()),
        18 => (
            "POST",
            "/invocations".into(),
            vec![],
            json_body(json!({"inputs": [good_row], "instances": []})),
        ),
        19 => (
            "POST",
            "/invocations".into(),
            vec![],
            json_body(json!({"dataframe_split": {"columns": ["x"], "data": [[1, 2]]}})),
        ),
        20 => (
            "POST",
            "/invocations".into(),
            vec![],
            b"{\"dataframe_records\": [".to_vec(),
        ),
        21 => (
            "POST",
            "/v1/models/iris/feedback".into(),
            vec![],
            json_body(json!({"request_id": 5, "label": "x"})),
        ),
        22 => (
            "POST",
            "/v1/models/%ff%fe/predict".into(),
            vec![],
            json_body(json!([good_row])),
        ),
        _ => (
            "POST",
            predict,
            vec![("Content-Length", (BODY_LIMIT * 100).to_string())],
            b"{}".to_vec(),
        ),
    }
}

#[test]
fn ten_thousand_malformed_requests_alongside_valid_traffic() {
    let (source, pipeline) = source_with_model();
    let mut c = config(&["iris@production"]);
    c.body_limit = BODY_LIMIT;
    let server = start(c, source);
    let addr = server.addr();
    let records = request_records(25, 77);
    let expected = expected_bits(&expected_predictions(&pipeline, &records));
    let good_body = Arc::new(json!(records).to_string());
    let good_row = records[0].clone();

    let bad_done = Arc::new(AtomicBool::new(false));
    let valid_ok = Arc::new(AtomicUsize::new(0));
    let valid_threads: Vec<_> = (0..2)
        .map(|_| {
            let (bad_done, valid_ok, good_body, expected) = (
                bad_done.clone(),
                valid_ok.clone(),
                good_body.clone(),
                expected.clone(),
            );
            std::thread::spawn(move || {
                let mut http = Http::new(addr);
                // Bounded: stops when the malformed traffic is done, or after 20,000 requests.
                for _ in 0..20_000 {
                    if bad_done.load(Ordering::Relaxed) {
                        break;
                    }
                    let r = http.post("/v1/models/iris/predict", good_body.as_bytes());
                    assert_eq!(r.status, 200, "valid request failed: {}", r.text());
                    // Exact: same rows, same model, same bits.
                    assert_eq!(probability_bits(&r.json()), expected);
                    valid_ok.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let bad_threads: Vec<_> = (0..BAD_THREADS)
        .map(|t| {
            let good_row = good_row.clone();
            std::thread::spawn(move || {
                let mut http = Http::new(addr);
                let mut statuses = [0usize; 600];
                for k in 0..BAD_PER_THREAD {
                    let i = t * BAD_PER_THREAD + k;
                    let (method, path, headers, body) = malformed(i, &good_row);
                    let headers: Vec<(&str, &str)> =
                        headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let r = http
                        .request(method, &path, &headers, &body)
                        .unwrap_or_else(|e| panic!("request {i} ({}) got no answer: {e}", i % 24));
                    assert!(
                        (400..500).contains(&r.status),
                        "request {i} (kind {}) got {}: {}",
                        i % 24,
                        r.status,
                        r.text()
                    );
                    let body = r.json();
                    let shaped = body["error"]["code"].is_string()
                        && body["error"]["message"].is_string()
                        || body["error_code"] == "BAD_REQUEST"
                        || body["error_code"] == "RESOURCE_DOES_NOT_EXIST";
                    assert!(shaped, "request {i} (kind {}): {body}", i % 24);
                    statuses[r.status as usize] += 1;
                }
                statuses
            })
        })
        .collect();
    let mut by_status = [0usize; 600];
    for t in bad_threads {
        let s = t.join().expect("malformed traffic thread");
        for (a, b) in by_status.iter_mut().zip(s) {
            *a += b;
        }
    }
    bad_done.store(true, Ordering::Relaxed);
    for t in valid_threads {
        t.join().expect("valid traffic thread");
    }
    let total_bad: usize = by_status.iter().sum();
    assert!(total_bad >= 10_000, "{total_bad}");
    for status in [400, 404, 405, 413, 422] {
        assert!(
            by_status[status] > 0,
            "no {status} among {total_bad} bad requests"
        );
    }
    assert!(valid_ok.load(Ordering::Relaxed) > 0);
    let mut http = Http::new(addr);
    assert_eq!(http.get("/healthz").status, 200);
    let metrics = http.get("/metrics").text();
    assert!(metrics.contains("kiln_serve_errors_total{route=\"predict\",code=\"body_too_large\"}"));
}
