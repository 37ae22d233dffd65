//! `kiln monitor predictions` and `kiln monitor performance` end to end: a model trained in a
//! temporary project, three hours of scored rows and feedback written through kiln-serve's real
//! `PredictionLog`, the third hour shifted (only one predicted species, wrong labels), and both
//! commands run with `--json`; then the input errors (exit code 2).

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use kiln_data::Frame;
use kiln_data::csv::CsvOptions;
use kiln_data::io::read_any;
use kiln_registry::{ModelRef, Registry};
use kiln_serve::{FeedbackRecord, LogConfig, Metrics, PredictionLog, ScoredBatch};
use serde_json::Value;
use tempfile::TempDir;

const HOUR: i64 = 3_600_000_000;

fn kiln(dir: &Path) -> Command {
    let mut cmd =
        Command::cargo_bin("kiln").expect("the kiln binary is built for integration tests");
    cmd.current_dir(dir);
    cmd
}

/// Runs a command with `--json`, expecting `code`, and parses stdout.
fn json_with_code(cmd: &mut Command, code: i32) -> Value {
    let out = cmd.arg("--json").assert().code(code).get_output().clone();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Trains `penguins` on 4 of 5 rows; returns the project and the held-out rows.
fn trained_project() -> (TempDir, Frame) {
    let dir = TempDir::new().expect("temp dir");
    let frame = kiln_data::datasets::load("penguins").expect("bundled");
    let (hold, train): (Vec<usize>, Vec<usize>) = (0..frame.n_rows()).partition(|i| i % 5 == 0);
    kiln_data::csv::write_csv(
        &frame.take(&train).expect("rows"),
        &dir.path().join("train.csv"),
    )
    .expect("write");
    kiln_data::csv::write_csv(
        &frame.take(&hold).expect("rows"),
        &dir.path().join("holdout.csv"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("kiln.toml"),
        "[data]\npath = \"train.csv\"\ntarget = \"species\"\n\n[split]\ncv_folds = 3\nseed = 7\n\n[[model]]\nkind = \"decision_tree\"\nmax_depth = 4\n\n[register]\nname = \"penguins\"\n",
    )
    .expect("write kiln.toml");
    kiln(dir.path())
        .args(["train", "--json"])
        .assert()
        .success();
    let holdout = read_any(&dir.path().join("holdout.csv"), &CsvOptions::default()).expect("read");
    (dir, holdout)
}

#[test]
fn predictions_and_performance_from_real_logs() {
    let (dir, holdout) = trained_project();
    let registry = Registry::open(dir.path()).expect("registry");
    let (_, artifact) = registry
        .load(&ModelRef::parse("penguins@production").expect("ref"))
        .expect("load");
    assert!(
        artifact.manifest.prediction_reference.is_some(),
        "kiln train stores the test-set predictions"
    );
    let truth: Vec<String> = (0..holdout.n_rows())
        .map(|r| {
            let col = holdout.schema().index_of("species").expect("species");
            holdout.cell_text(r, col).expect("label")
        })
        .collect();
    let all = artifact.pipeline.predict(&holdout).expect("predict");
    let labels = all.labels.clone().expect("classifier");
    let adelie: Vec<usize> = (0..labels.len())
        .filter(|&i| labels[i] == "Adelie")
        .collect();

    // 2026-01-05 00:00 UTC, then hours 1 and 2.
    let t0 = kiln_data::datetime::parse_micros(b"2026-01-05").expect("date");
    let logs = dir.path().join(".kiln/logs");
    let log = PredictionLog::start(LogConfig::new(&logs), Arc::new(Metrics::default()))
        .expect("log starts");
    let mut feedback = Vec::new();
    let mut correct = [0usize; 3];
    for (hour, rows) in [
        (0, (0..holdout.n_rows()).collect::<Vec<_>>()),
        (1, (0..holdout.n_rows()).collect()),
        (2, adelie.clone()),
    ] {
        let inputs = holdout.take(&rows).expect("rows");
        let predictions = artifact.pipeline.predict(&inputs).expect("predict");
        let request_id = format!("req{hour}");
        log.scored(ScoredBatch {
            request_id: request_id.clone(),
            timestamp: t0 + hour as i64 * HOUR + 60_000_000,
            model: "penguins".into(),
            version: 1,
            inputs,
            predictions: Arc::new(predictions.clone()),
        });
        let predicted = predictions.labels.expect("labels");
        for (r, &i) in rows.iter().enumerate() {
            // The third hour's feedback says every Adelie answer was wrong.
            let label = if hour == 2 {
                "Gentoo".to_string()
            } else {
                truth[i].clone()
            };
            correct[hour] += usize::from(predicted[r] == label);
            feedback.push(FeedbackRecord {
                request_id: request_id.clone(),
                row: r as i64,
                model: "penguins".into(),
                label,
                timestamp: t0 + 5 * HOUR,
            });
        }
    }
    assert!(log.feedback(feedback), "feedback accepted");
    log.shutdown();

    // Prediction drift: the third hour answers only Adelie.
    let v = json_with_code(
        kiln(dir.path()).args([
            "monitor",
            "predictions",
            "penguins@production",
            "--window",
            "1h",
            "--min-rows",
            "10",
        ]),
        1,
    );
    assert_eq!(v["resolved_version"], 1);
    assert_eq!(v["version"], 1);
    assert!(
        v["reference"]
            .as_str()
            .expect("reference")
            .contains("test rows"),
        "{}",
        v["reference"]
    );
    let windows = v["windows"].as_array().expect("windows");
    let status: Vec<&str> = windows
        .iter()
        .map(|w| w["status"].as_str().expect("status"))
        .collect();
    assert_eq!(status, ["no_drift", "no_drift", "drift"], "{v}");
    assert_eq!(windows[0]["start"], "2026-01-05");
    assert_eq!(windows[2]["start"], "2026-01-05T02:00:00");
    assert_eq!(windows[2]["rows"], adelie.len());
    assert_eq!(windows[0]["versions"], serde_json::json!([1]));
    // With up to 1000 reference rows and three classes: Evidently's chi-square test.
    assert_eq!(windows[2]["prediction"]["method"], "chisquare");

    // Performance: accuracy per hour; the third hour alerts.
    let v = json_with_code(
        kiln(dir.path()).args([
            "monitor",
            "performance",
            "penguins",
            "--window",
            "1h",
            "--min-labels",
            "10",
            "--alert-below",
            "0.8",
        ]),
        1,
    );
    assert!(v["training_value"].as_f64().is_some(), "{v}");
    let windows = v["windows"].as_array().expect("windows");
    for (hour, w) in windows.iter().enumerate() {
        let labelled = if hour == 2 {
            adelie.len()
        } else {
            holdout.n_rows()
        };
        assert_eq!(w["labelled"], labelled);
        // Accuracy is correct / labelled, counted here the same way (tolerance 1e-12).
        let want = correct[hour] as f64 / labelled as f64;
        let got = w["value"].as_f64().expect("value");
        assert!((got - want).abs() < 1e-12, "hour {hour}: {got} vs {want}");
        assert_eq!(w["metrics"]["accuracy"].as_f64(), Some(got));
        assert!(w["metrics"]["f1_macro"].is_number());
    }
    assert_eq!(windows[2]["value"].as_f64(), Some(0.0));
    let status: Vec<&str> = windows
        .iter()
        .map(|w| w["status"].as_str().expect("status"))
        .collect();
    assert_eq!(status, ["ok", "ok", "alert"], "{v}");
    assert_eq!(v["alerts"], 1);

    // Input errors are usage errors (exit 2) that say what is wrong.
    for (args, want) in [
        (
            vec!["monitor", "predictions", "nope"],
            "no model named `nope`",
        ),
        (
            vec!["monitor", "predictions", "penguins", "--window", "soon"],
            "window = soon; expected a positive whole number",
        ),
        (
            vec!["monitor", "performance", "penguins", "--metric", "rmse"],
            "rmse is a regression metric",
        ),
        (
            vec!["monitor", "performance", "penguins", "--metric", "acc"],
            "--metric acc: unknown metric",
        ),
        (
            vec![
                "monitor",
                "predictions",
                "penguins",
                "--since",
                "2027-01-01",
            ],
            "has no rows of penguins from 2027-01-01",
        ),
        (
            vec!["monitor", "predictions", "penguins", "--logs", "empty"],
            "no prediction files",
        ),
    ] {
        let out = kiln(dir.path())
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}
