//! `kiln serve`: a registered model served from a project folder, scored over HTTP, stopped by
//! SIGTERM with its prediction log written; bad arguments are usage errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use kiln_registry::{Artifact, Registry, TrainingSummary};
use kiln_serve::client::Http;

fn register_model(project: &std::path::Path) {
    let mut csv = String::from("x,colour,label\n");
    for i in 0..40 {
        let label = if i < 20 { "low" } else { "high" };
        csv.push_str(&format!("{i}.5,{},{label}\n", ["red", "blue"][i % 2]));
    }
    let data =
        kiln_data::csv::read_csv_bytes(csv.as_bytes(), "train", &Default::default()).expect("csv");
    let spec: kiln_eval::ModelPipelineSpec = serde_json::from_value(serde_json::json!({
        "prep": { "target": "label", "remainder": "passthrough" },
        "model": { "kind": "decision_tree", "max_depth": 2 },
    }))
    .expect("spec");
    let pipeline = spec.fit(&data).expect("fits");
    let registry = Registry::open(project).expect("registry");
    let artifact =
        Artifact::new("churn", spec, pipeline, TrainingSummary::default()).expect("artifact");
    let v = registry
        .register("churn", &artifact, None)
        .expect("registers");
    registry
        .set_alias("churn", "production", v.version, "test")
        .expect("alias");
}

#[cfg(unix)]
#[test]
fn serves_a_registered_model_until_sigterm() {
    let project = tempfile::tempdir().expect("tempdir");
    register_model(project.path());
    let mut child = Command::cargo_bin("kiln")
        .expect("binary")
        .args([
            "serve",
            "churn@production",
            "--addr",
            "127.0.0.1:0",
            "--project",
        ])
        .arg(project.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reads");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .parse()
        .expect("address");
    let mut http = Http::new(addr);
    let start = Instant::now();
    while http.get("/readyz").map(|r| r.status).unwrap_or(0) != 200 {
        assert!(start.elapsed() < Duration::from_secs(30), "not ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let reply = http
        .post(
            "/v1/models/churn/predict",
            br#"[{"x": 3.5, "colour": "red"}, {"x": 30.5, "colour": "blue"}]"#,
        )
        .expect("POST");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.parse_json().expect("json");
    assert_eq!(body["predictions"], serde_json::json!(["low", "high"]));
    // SIGTERM to the child this test started, by its id.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("waits");
    assert!(status.success(), "{status:?}");
    let logs = project.path().join(".kiln/logs/predictions");
    let files = std::fs::read_dir(&logs).expect("log dir").count();
    assert_eq!(files, 1, "the shutdown writes the buffered rows");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let project = tempfile::tempdir().expect("tempdir");
    for (args, want) in [
        (vec!["serve", "bad name"], "model reference"),
        (vec!["serve", "churn", "--timeout=-1"], "--timeout -1"),
        (
            vec!["serve", "a", "b", "--default-model", "c"],
            "'c' is not one of the served models",
        ),
    ] {
        let out = Command::cargo_bin("kiln")
            .expect("binary")
            .args(&args)
            .arg("--project")
            .arg(project.path())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}
