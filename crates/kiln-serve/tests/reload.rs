//! Hot reload: a moved alias is picked up by polling, a version that fails to load keeps the
//! old one serving, and the admin route needs its token.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

fn served_version(http: &mut Http) -> serde_json::Value {
    http.get("/v1/models").json()["models"][0]["version"].clone()
}

#[test]
fn a_moved_alias_is_loaded_and_served() {
    let (source, _) = source_with_model();
    let server = start(config(&["iris@production"]), source.clone());
    let mut http = Http::new(server.addr());
    assert_eq!(served_version(&mut http), 1);
    let v2_pipeline = classifier(30, 5);
    let v2 = source
        .add_version("iris", v2_pipeline.clone(), json!({"accuracy": 0.95}))
        .expect("adds");
    // A new version alone changes nothing: the alias still names version 1.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(served_version(&mut http), 1);
    source.set_alias("iris", "production", v2).expect("alias");
    wait_until(Duration::from_secs(10), || served_version(&mut http) == 2);
    let records = request_records(40, 8);
    let body = http
        .post_json("/v1/models/iris/predict", &json!(records))
        .json();
    assert_eq!(body["version"], 2);
    // Exact: version 2's own predictions.
    assert_eq!(
        probability_bits(&body),
        expected_bits(&expected_predictions(&v2_pipeline, &records))
    );
    let metrics = http.get("/metrics").text();
    assert!(
        metrics.contains("kiln_serve_reloads_total{model=\"iris\"} 1"),
        "{metrics}"
    );
    assert_eq!(
        http.get("/v1/models").json()["models"][0]["metrics"]["accuracy"],
        0.95
    );
}

#[test]
fn a_version_that_fails_to_load_keeps_the_old_one_serving() {
    let (source, pipeline) = source_with_model();
    let server = start(config(&["iris@production"]), source.clone());
    let mut http = Http::new(server.addr());
    let broken = source
        .add_broken_version("iris", "digest mismatch")
        .expect("adds");
    source
        .set_alias("iris", "production", broken)
        .expect("alias");
    wait_until(Duration::from_secs(10), || {
        server.state().metrics.reload_failures_of("iris") >= 1
    });
    // Polling does not retry the same broken version over and over.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.state().metrics.reload_failures_of("iris"), 1);
    let models = http.get("/v1/models").json();
    assert_eq!(models["models"][0]["version"], 1);
    let error = models["models"][0]["last_error"].as_str().expect("error");
    assert!(error.contains("digest mismatch"), "{error}");
    assert_eq!(http.get("/readyz").status, 200);
    let records = request_records(10, 2);
    let body = http
        .post_json("/v1/models/iris/predict", &json!(records))
        .json();
    assert_eq!(body["version"], 1);
    assert_eq!(
        probability_bits(&body),
        expected_bits(&expected_predictions(&pipeline, &records))
    );
    assert!(
        http.get("/metrics")
            .text()
            .contains("kiln_serve_reload_failures_total{model=\"iris\"} 1")
    );
    // Once the alias moves to a good version, it is served.
    let v3 = source
        .add_version("iris", classifier(5, 3), json!({}))
        .expect("adds");
    source.set_alias("iris", "production", v3).expect("alias");
    wait_until(Duration::from_secs(10), || served_version(&mut http) == 3);
}

#[test]
fn the_admin_route_needs_the_token() {
    let token = "s3cret-admin-token-0123";
    let (source, _) = source_with_model();
    let mut c = config(&["iris@production"]);
    c.poll_interval = None;
    c.admin_token = Some(token.into());
    let server = start(c, source.clone());
    let mut http = Http::new(server.addr());
    let v2 = source
        .add_version("iris", classifier(4, 9), json!({}))
        .expect("adds");
    source.set_alias("iris", "production", v2).expect("alias");
    for headers in [
        vec![],
        vec![("Authorization", "Bearer wrong-token-wrong-token")],
        vec![("Authorization", "Basic czNjcmV0")],
        vec![("Authorization", "Bearer s3cret-admin-token-012")],
    ] {
        let r = http
            .request("POST", "/v1/admin/reload", &headers, b"")
            .expect("POST");
        assert_eq!(r.status, 401, "{headers:?}");
        assert_eq!(r.json()["error"]["code"], "unauthorized");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    // Polling is off, so nothing moved.
    assert_eq!(served_version(&mut http), 1);
    let auth = format!("Bearer {token}");
    let r = http
        .request("POST", "/v1/admin/reload", &[("Authorization", &auth)], b"")
        .expect("POST");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["results"],
        json!([{"model": "iris", "spec": "iris@production", "from": 1, "to": 2, "status": "loaded"}])
    );
    assert_eq!(served_version(&mut http), 2);
    let r = http
        .request("POST", "/v1/admin/reload", &[("Authorization", &auth)], b"")
        .expect("POST");
    assert_eq!(r.json()["results"][0]["status"], "unchanged");
}
