//! `kiln monitor drift --reference MODEL` and `kiln monitor validate MODEL FILE` end to end on a
//! quickstart project: the model's stored training profile gives the same per-column numbers as
//! a profile of the training rows built here, the HTML report is self-contained and charts
//! every tested column, validation passes on the training data and names every problem of a
//! damaged copy, and bad references fail with exit code 2 naming what was looked for.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kiln_data::io::write_any;
use kiln_data::synth::{ColumnDrift, drifted_copy};
use kiln_monitor::drift::{ReferenceOptions, ReferenceProfile};
use serde_json::Value;

fn kiln(project: &Path) -> Command {
    let mut c = Command::cargo_bin("kiln").unwrap();
    c.arg("--project").arg(project);
    c
}

/// A project with `quickstart/1` (@production) trained on the bundled penguins, and the
/// penguins file beside it.
fn quickstart() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = kiln(dir.path())
        .args(["quickstart", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.path().join("penguins.csv");
    let penguins = kiln_data::datasets::load("penguins").unwrap();
    write_any(&penguins, &file, &Default::default()).unwrap();
    (dir, file)
}

/// Runs a command, returning its exit code, parsed JSON stdout and stderr.
fn run_json(project: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = kiln(project).arg("--json").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v, stderr)
}

#[test]
fn drift_against_a_model_matches_a_profile_of_its_training_rows_and_draws_html() {
    let (dir, _) = quickstart();
    let project = dir.path();

    // The training rows as `kiln quickstart` split them (its configuration, default seed).
    let config = kiln_project::ProjectConfig::from_toml(
        "[data]\npath = \"penguins.csv\"\ntarget = \"species\"\n\n[register]\nname = \"quickstart\"\n",
        "quickstart",
    )
    .unwrap();
    let penguins = kiln_data::datasets::load("penguins").unwrap();
    let train = kiln_project::data::prepare(penguins.clone(), &config)
        .unwrap()
        .train()
        .unwrap();
    let profile = ReferenceProfile::from_frame(&train, &ReferenceOptions::default()).unwrap();
    let saved = project.join("train.reference.json");
    std::fs::write(&saved, profile.to_json().unwrap()).unwrap();

    // Unlabelled current data with two shifted measurements.
    let shifted = drifted_copy(
        &penguins,
        &[
            ColumnDrift {
                column: "bill_length_mm".into(),
                mean_shift: 1.5,
                ..Default::default()
            },
            ColumnDrift {
                column: "bill_depth_mm".into(),
                mean_shift: 1.5,
                ..Default::default()
            },
        ],
        4,
    )
    .unwrap();
    let names: Vec<&str> = shifted.names().filter(|n| *n != "species").collect();
    let current = project.join("today.csv");
    write_any(
        &shifted.select(&names).unwrap(),
        &current,
        &Default::default(),
    )
    .unwrap();
    let c = current.to_str().unwrap();
    let html = project.join("drift.html");

    let (code_model, by_model, err) = run_json(
        project,
        &[
            "monitor",
            "drift",
            "--reference",
            "quickstart@production",
            "--current",
            c,
            "--html",
            html.to_str().unwrap(),
        ],
    );
    let (code_file, by_file, _) = run_json(
        project,
        &[
            "monitor",
            "drift",
            "--reference",
            saved.to_str().unwrap(),
            "--current",
            c,
        ],
    );
    // Same profile, same tests: identical numbers (exact equality, no tolerance needed).
    assert_eq!(by_model["columns"], by_file["columns"], "{err}");
    assert_eq!(by_model["skipped"], by_file["skipped"]);
    assert_eq!(code_model, code_file);
    assert_eq!(by_model["reference_rows"], train.n_rows() as u64);
    assert_eq!(by_model["reference_model"]["name"], "quickstart");
    assert_eq!(by_model["reference_model"]["version"], 1);
    assert!(by_file.get("reference_model").is_none());
    let skipped = by_model["skipped"].as_array().unwrap();
    assert!(
        skipped.iter().any(|s| s["column"] == "species"
            && s["reason"] == "target column not in the current data (unlabelled)"),
        "{skipped:?}"
    );
    let columns = by_model["columns"].as_array().unwrap();
    let drifted: Vec<&str> = columns
        .iter()
        .filter(|c| c["drifted"] == true)
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert!(
        drifted.contains(&"bill_length_mm") && drifted.contains(&"bill_depth_mm"),
        "{drifted:?}"
    );

    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("model quickstart/1 (quickstart@production)"));
    for c in columns {
        let name = c["column"].as_str().unwrap();
        assert!(
            page.contains(&format!("<h3>{name}</h3>")),
            "no chart for {name}"
        );
    }
    assert_eq!(page.matches("<svg").count(), columns.len());
    for bad in ["http://", "https://", "<script", "src=", "url("] {
        assert!(!page.contains(bad), "external reference {bad}");
    }
    // The drifted columns head the chart section, highlighted.
    let first_chart = page.find("id=\"chart-0\"").unwrap();
    let first_name = &page[first_chart..first_chart + 200];
    assert!(
        drifted
            .iter()
            .any(|d| first_name.contains(&format!("<h3>{d}</h3>"))),
        "{first_name}"
    );
    assert!(page[..first_chart].ends_with("<div class=\"col drift\" "));

    // Text output names the model too.
    let out = kiln(project)
        .args([
            "monitor",
            "drift",
            "--reference",
            "quickstart/1",
            "--current",
            c,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("against model quickstart/1 ("), "{text}");
}

#[test]
fn bad_model_references_name_what_was_looked_for() {
    let (dir, penguins) = quickstart();
    let project = dir.path();
    let p = penguins.to_str().unwrap();
    common::fails_with_2(
        kiln(project),
        &[
            "monitor",
            "drift",
            "--reference",
            "churn@production",
            "--current",
            p,
        ],
        "--reference churn@production: no such file, and no model named `churn`; registered models: `quickstart`",
    );
    common::fails_with_2(
        kiln(project),
        &[
            "monitor",
            "drift",
            "--reference",
            "quickstart@staging",
            "--current",
            p,
        ],
        "--reference quickstart@staging: no such file, and",
    );
    common::fails_with_2(
        kiln(project),
        &[
            "monitor",
            "drift",
            "--reference",
            "missing.csv",
            "--current",
            p,
        ],
        "missing.csv",
    );
    let empty = tempfile::tempdir().unwrap();
    common::fails_with_2(
        kiln(empty.path()),
        &[
            "monitor",
            "drift",
            "--reference",
            "quickstart",
            "--current",
            p,
        ],
        "--reference quickstart: no such file, and no kiln project in",
    );

    // A current file without a feature the model reads.
    let frame = kiln_data::datasets::load("penguins").unwrap();
    let names: Vec<&str> = frame.names().filter(|n| *n != "island").collect();
    let no_island = project.join("no_island.csv");
    write_any(
        &frame.select(&names).unwrap(),
        &no_island,
        &Default::default(),
    )
    .unwrap();
    common::fails_with_2(
        kiln(project),
        &[
            "monitor",
            "drift",
            "--reference",
            "quickstart@production",
            "--current",
            no_island.to_str().unwrap(),
        ],
        "column 'island': is in the reference but missing from the current data",
    );

    // An artifact written before models kept a training profile: the same artifact with the
    // profile taken out of its manifest (reading a manifest does not verify the file digest).
    let (_, shown, _) = run_json(project, &["models", "show", "quickstart/1"]);
    let path = PathBuf::from(shown["artifact"].as_str().unwrap());
    let mut artifact = kiln_registry::Artifact::read(&path).unwrap();
    artifact.manifest.reference_profile = None;
    std::fs::write(&path, artifact.to_bytes().unwrap()).unwrap();
    common::fails_with_2(
        kiln(project),
        &[
            "monitor",
            "drift",
            "--reference",
            "quickstart@production",
            "--current",
            p,
        ],
        "model quickstart/1 has no stored training profile",
    );
    // Validation still works from the input schema alone.
    let (code, v, err) = run_json(project, &["monitor", "validate", "quickstart/1", p]);
    assert_eq!(code, 0, "{v}\n{err}");
}

#[test]
fn validate_passes_on_the_training_file_and_names_each_problem_of_a_damaged_copy() {
    let (dir, penguins) = quickstart();
    let project = dir.path();
    let (code, v, err) = run_json(
        project,
        &[
            "monitor",
            "validate",
            "quickstart@production",
            penguins.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{v}\n{err}");
    assert_eq!(v["passed"], true);
    assert_eq!(v["model"], "model quickstart/1 (quickstart@production)");
    assert_eq!(v["errors"], 0);
    // The target is in the file but not an input of the model: a warning only.
    let violations = v["violations"].as_array().unwrap();
    assert!(
        violations
            .iter()
            .any(|x| x["column"] == "species" && x["kind"] == "extra_column"),
        "{violations:?}"
    );

    // A damaged copy: bill_depth_mm dropped; row 1's flipper length a word, row 2's bill length
    // infinite, row 3's island unseen in training, row 4's year empty (training had none).
    let text = std::fs::read_to_string(&penguins).unwrap();
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let col = |name: &str| lines[0].iter().position(|h| h == name).unwrap();
    let (flipper, length, island, year, depth) = (
        col("flipper_length_mm"),
        col("bill_length_mm"),
        col("island"),
        col("year"),
        col("bill_depth_mm"),
    );
    lines[1][flipper] = "long".into();
    lines[2][length] = "inf".into();
    lines[3][island] = "Atlantis".into();
    lines[4][year] = String::new();
    for l in &mut lines {
        l.remove(depth);
    }
    let damaged = project.join("damaged.csv");
    let body: String = lines.iter().map(|l| l.join(",") + "\n").collect();
    std::fs::write(&damaged, body).unwrap();

    let (code, v, err) = run_json(
        project,
        &[
            "monitor",
            "validate",
            "quickstart@production",
            damaged.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{v}\n{err}");
    assert_eq!(v["passed"], false);
    let found: Vec<(String, String, Vec<u64>)> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["severity"] == "error")
        .map(|x| {
            (
                x["column"].as_str().unwrap().to_string(),
                x["kind"].as_str().unwrap().to_string(),
                x["example_rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_u64().unwrap())
                    .collect(),
            )
        })
        .collect();
    let expect = |column: &str, kind: &str, rows: Vec<u64>| {
        assert!(
            found.contains(&(column.to_string(), kind.to_string(), rows.clone())),
            "expected {column} {kind} at {rows:?} in {found:?}"
        );
    };
    expect("flipper_length_mm", "type_mismatch", vec![1]);
    expect("bill_length_mm", "non_finite", vec![2]);
    expect("island", "out_of_domain", vec![3]);
    expect("year", "null_not_allowed", vec![4]);
    expect("bill_depth_mm", "missing_column", vec![]);
    assert_eq!(found.len(), 5, "{found:?}");

    // Text output: a table naming each problem, exit code 1.
    let out = kiln(project)
        .args([
            "monitor",
            "validate",
            "quickstart@production",
            damaged.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("'Atlantis'") && text.contains("5 errors"),
        "{text}"
    );

    common::fails_with_2(
        kiln(project),
        &[
            "monitor",
            "validate",
            "nosuch@production",
            penguins.to_str().unwrap(),
        ],
        "no model named `nosuch`",
    );
    common::fails_with_2(
        kiln(project),
        &["monitor", "validate", "quickstart", "absent.csv"],
        "absent.csv",
    );
}
