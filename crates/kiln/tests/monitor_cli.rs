//! `kiln monitor drift | stream | reference` end to end: exit code 0 without drift, 1 with drift,
//! 2 for every usage or input error (each with a message naming the problem); terminal tables,
//! JSON, saved reference profiles, per-column methods, thresholds and corrections.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kiln_data::Frame;
use kiln_data::io::write_any;
use kiln_data::synth::{ClassificationSpec, ColumnDrift, drifted_copy};
use serde_json::Value;

fn kiln() -> Command {
    Command::cargo_bin("kiln").unwrap()
}

fn write(frame: &Frame, path: &Path) -> PathBuf {
    write_any(frame, path, &Default::default()).unwrap();
    path.to_path_buf()
}

/// reference.csv, same.csv (same distribution) and drifted.csv (5 of 8 features shifted) of
/// `rows` rows each, in `dir`.
fn files(dir: &Path, rows: usize) -> (PathBuf, PathBuf, PathBuf) {
    let frame = ClassificationSpec {
        rows: 2 * rows,
        features: 8,
        informative: 3,
        redundant: 1,
        categorical: 2,
        categories: 4,
        seed: 3,
        ..Default::default()
    }
    .generate()
    .unwrap();
    let (reference, current) = (frame.slice(0, rows), frame.slice(rows, rows));
    let shifts: Vec<ColumnDrift> = ["f0", "f1", "f2", "f3"]
        .iter()
        .map(|c| ColumnDrift {
            column: c.to_string(),
            mean_shift: 0.8,
            ..Default::default()
        })
        .chain([ColumnDrift {
            column: "f7".into(),
            category_mix: 0.5,
            ..Default::default()
        }])
        .collect();
    let drifted = drifted_copy(&current, &shifts, 1).unwrap();
    (
        write(&reference, &dir.join("reference.csv")),
        write(&current, &dir.join("same.csv")),
        write(&drifted, &dir.join("drifted.csv")),
    )
}

fn drift_json(reference: &Path, current: &Path, extra: &[&str]) -> (i32, Value) {
    let out = kiln()
        .args([
            "monitor",
            "drift",
            "--json",
            "--target",
            "target",
            "--reference",
        ])
        .arg(reference)
        .arg("--current")
        .arg(current)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

fn drifted(v: &Value) -> Vec<String> {
    v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["drifted"] == true)
        .map(|c| c["column"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn same_distribution_passes_and_drifted_copy_fails_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, same, shifted) = files(dir.path(), 3000);

    let (code, v) = drift_json(&reference, &same, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["dataset_drift"], false);
    assert_eq!(v["tested_columns"], 9);
    assert!(drifted(&v).is_empty(), "{v}");
    assert!(v["drift_seconds"].as_f64().unwrap() >= 0.0);

    let (code, v) = drift_json(&reference, &shifted, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["dataset_drift"], true);
    assert_eq!(drifted(&v), ["f0", "f1", "f2", "f3", "f7"]);
    let f0 = &v["columns"][0];
    assert_eq!(f0["method"], "wasserstein");
    assert_eq!(f0["automatic"], true);
    assert_eq!(f0["effect_size"]["kind"], "standardized_mean_difference");
    let target = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "target")
        .unwrap();
    assert_eq!(target["role"], "target");

    // The terminal table names the method, the verdict and the dataset share.
    let out = kiln()
        .args(["monitor", "drift", "--reference"])
        .arg(&reference)
        .arg("--current")
        .arg(&shifted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("p-value/distance") && text.contains("wasserstein"),
        "{text}"
    );
    assert!(
        text.contains("5 of 9 columns drifted") && text.contains("DATASET DRIFT"),
        "{text}"
    );
}

#[test]
fn methods_thresholds_corrections_and_saved_references() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, _, shifted) = files(dir.path(), 600);
    let extra = [
        "--method",
        "f4=psi",
        "--threshold",
        "f4=0.5",
        "--threshold",
        "ks=0.01",
        "--correction",
        "holm",
        "--drift-share",
        "0.9",
    ];
    let (code, v) = drift_json(&reference, &shifted, &extra);
    assert_eq!(code, 0, "5 of 9 is below a 0.9 share: {v}");
    let f4 = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "f4")
        .unwrap();
    assert_eq!(
        (f4["method"].as_str(), f4["threshold"].as_f64()),
        (Some("psi"), Some(0.5))
    );
    let f0 = &v["columns"][0];
    assert_eq!(
        (f0["method"].as_str(), f0["threshold"].as_f64()),
        (Some("ks"), Some(0.01))
    );
    assert!(f0["adjusted_p_value"].as_f64().unwrap() >= f0["p_value"].as_f64().unwrap());
    assert_eq!(v["correction"], "holm");

    // A saved profile gives the same report as the data file it came from.
    let saved = dir.path().join("train.reference.json");
    kiln()
        .args(["monitor", "reference", "--target", "target"])
        .arg(&reference)
        .arg("-o")
        .arg(&saved)
        .assert()
        .success();
    let (code2, v2) = drift_json(&saved, &shifted, &extra);
    assert_eq!(code2, code);
    assert_eq!(v2["columns"], v["columns"]);
}

#[test]
fn input_and_usage_errors_exit_2_with_a_named_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, same, _) = files(dir.path(), 300);
    let (r, s) = (reference.to_str().unwrap(), same.to_str().unwrap());
    let base = ["monitor", "drift", "--reference", r, "--current", s];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };

    common::fails_with_2(
        kiln(),
        &with(&["--method", "nope=ks"]),
        "column 'nope': named in methods is not a reference column",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--method", "f0=kolmo"]),
        "unknown method 'kolmo'; expected one of: ks, chisquare",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--method", "f7=ks"]),
        "column 'f7': method ks needs a numeric column",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--threshold", "f0=abc"]),
        "'abc' is not a number",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--threshold", "zz=0.1"]),
        "'zz' is neither a reference column nor a method",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--threshold", "ks=2"]),
        "threshold ks: 2 is not a significance level",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--correction", "fdr"]),
        "unknown correction 'fdr'",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--drift-share", "0"]),
        "drift_share: 0 is not a share",
    );
    common::fails_with_2(
        kiln(),
        &with(&["--columns", "f0,ghost"]),
        "column 'ghost': named in columns",
    );

    let header_only = dir.path().join("empty.csv");
    std::fs::write(&header_only, "f0,f1\n").unwrap();
    let e = header_only.to_str().unwrap();
    common::fails_with_2(
        kiln(),
        &["monitor", "drift", "--reference", r, "--current", e],
        "current data: has no rows; expected at least one row",
    );

    let text = std::fs::read_to_string(&same).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut nan_f0 = format!("{header}\n");
    let mut typed = format!("{header}\n");
    for line in lines {
        let (_, rest) = line.split_once(',').unwrap();
        nan_f0.push_str(&format!(",{rest}\n"));
        typed.push_str(&format!("word,{rest}\n"));
    }
    let nan_path = dir.path().join("nan.csv");
    std::fs::write(&nan_path, nan_f0).unwrap();
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "drift",
            "--reference",
            r,
            "--current",
            nan_path.to_str().unwrap(),
        ],
        "column 'f0': all 300 values are missing in the current data",
    );
    let typed_path = dir.path().join("typed.csv");
    std::fs::write(&typed_path, typed).unwrap();
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "drift",
            "--reference",
            r,
            "--current",
            typed_path.to_str().unwrap(),
        ],
        "column 'f0': is numeric in the reference but categorical in the current data",
    );
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "reference",
            r,
            "-o",
            dir.path().join("x.json").to_str().unwrap(),
        ],
        "must end in .reference.json",
    );
}

#[test]
fn stream_reports_positions_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("latency,error\n");
    for i in 0..3000 {
        let base = if i < 1500 { 10.0 } else { 13.0 };
        let wiggle = ((i * 7919) % 13) as f64 / 4.0;
        let error = u8::from((i * 31) % 100 < if i < 1500 { 5 } else { 40 });
        if i == 10 {
            text.push_str(&format!(",{error}\n"));
        } else {
            text.push_str(&format!("{},{error}\n", base + wiggle));
        }
    }
    let file = dir.path().join("stream.csv");
    std::fs::write(&file, text).unwrap();
    let f = file.to_str().unwrap();

    let out = kiln()
        .args([
            "monitor",
            "stream",
            f,
            "--column",
            "latency",
            "--detector",
            "adwin",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = v["detections"][0].as_u64().unwrap();
    assert!((1500..1700).contains(&first), "{v}");
    assert_eq!(
        (v["values"].as_u64(), v["skipped_missing"].as_u64()),
        (Some(3000), Some(1))
    );
    assert_eq!(v["spec"]["detector"], "adwin");

    let out = kiln()
        .args([
            "monitor",
            "stream",
            f,
            "--column",
            "error",
            "--detector",
            "ddm",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("drift detected at positions: ") && text.contains("0-based"),
        "{text}"
    );

    // A huge threshold: nothing detected, exit 0.
    kiln()
        .args([
            "monitor",
            "stream",
            f,
            "--column",
            "latency",
            "--detector",
            "page_hinkley",
            "--set",
            "threshold=1e9",
        ])
        .assert()
        .code(0);
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "stream",
            f,
            "--column",
            "latency",
            "--detector",
            "ddm",
        ],
        "is not 0 or 1; DDM and EDDM read an error stream",
    );
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "stream",
            f,
            "--column",
            "latency",
            "--detector",
            "adwn",
        ],
        "unknown detector 'adwn'",
    );
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "stream",
            f,
            "--column",
            "latency",
            "--detector",
            "adwin",
            "--set",
            "delta=3",
        ],
        "adwin.delta: 3 is not strictly between 0 and 1",
    );
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "stream",
            f,
            "--column",
            "latency",
            "--detector",
            "adwin",
            "--set",
            "deltaa=0.1",
        ],
        "unknown field `deltaa`",
    );
    common::fails_with_2(
        kiln(),
        &[
            "monitor",
            "stream",
            f,
            "--column",
            "nope",
            "--detector",
            "adwin",
        ],
        "nope",
    );
}

#[test]
fn help_carries_examples_and_exit_codes() {
    for cmd in ["drift", "stream", "reference"] {
        let out = kiln().args(["monitor", cmd, "--help"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Examples:") && text.contains("kiln monitor"),
            "{cmd}: {text}"
        );
    }
    let out = kiln()
        .args(["monitor", "drift", "--help"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("0 no dataset drift, 1 dataset drift, 2 usage or input error")
    );
}
