//! End-to-end tests of the model lifecycle through the `kiln` binary, each in its own temporary
//! project folder: quickstart, `kiln train` from a kiln.toml, `kiln predict` equal to in-process
//! predictions bit for bit, the gate refusing a worse model (exit 1, registered, not promoted),
//! rollback, two concurrent trainings, and bad input that leaves `.kiln/` intact.

use std::path::Path;

use assert_cmd::Command;
use kiln_data::csv::CsvOptions;
use kiln_data::io::read_any;
use kiln_registry::{ModelRef, Registry};
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

fn kiln(dir: &Path) -> Command {
    let mut cmd =
        Command::cargo_bin("kiln").expect("the kiln binary is built for integration tests");
    cmd.current_dir(dir);
    cmd
}

fn json_of(cmd: &mut Command) -> Value {
    let out = cmd
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("--json prints one JSON document")
}

/// A project folder with penguins split into train.csv (first 280 rows, shuffled by species
/// order in the file) and holdout.csv (the rest), plus a kiln.toml.
fn project(model: &str) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let frame = kiln_data::datasets::load("penguins").expect("bundled");
    // Every 5th row is held out, so both files hold all three species.
    let (hold, train): (Vec<usize>, Vec<usize>) = (0..frame.n_rows()).partition(|i| i % 5 == 0);
    let write = |rows: &[usize], name: &str| {
        let part = frame.take(rows).expect("rows");
        kiln_data::csv::write_csv(&part, &dir.path().join(name)).expect("write csv");
    };
    write(&train, "train.csv");
    write(&hold, "holdout.csv");
    std::fs::write(
        dir.path().join("kiln.toml"),
        format!(
            "[data]\npath = \"train.csv\"\ntarget = \"species\"\n\n[split]\ncv_folds = 3\nseed = 7\n\n{model}\n[gate]\nmax_drop = 0.01\n\n[register]\nname = \"penguins\"\n"
        ),
    )
    .expect("write kiln.toml");
    dir
}

const GBDT: &str = "[[model]]\nkind = \"gbdt\"\nn_estimators = 40\n";
const STUMP: &str = "[[model]]\nkind = \"decision_tree\"\nmax_depth = 1\n";

#[test]
fn quickstart_trains_registers_and_reports() {
    let dir = TempDir::new().expect("temp dir");
    kiln(dir.path())
        .arg("quickstart")
        .assert()
        .success()
        .stdout(predicate::str::contains("Registered quickstart/1"))
        .stdout(predicate::str::contains("quickstart@production → 1"))
        .stdout(predicate::str::contains(
            "kiln predict quickstart@production",
        ));
    assert!(dir.path().join(".kiln/kiln.db").exists());
    assert!(dir.path().join(".kiln/reports/run-1.html").exists());
    let models = json_of(kiln(dir.path()).args(["models", "list"]));
    assert_eq!(models[0]["name"], "quickstart");
    assert_eq!(models[0]["aliases"]["production"], 1);
    // Same data, same seed: the second run is as good, passes the gate and takes production.
    let again = json_of(kiln(dir.path()).arg("quickstart"));
    assert_eq!(again["version"], 2);
    assert_eq!(again["promoted"], true);
    // Penguin species are nearly separable: a held-out accuracy above 0.9 is expected.
    assert!(again["test"]["accuracy"].as_f64().expect("number") > 0.9);
}

#[test]
fn train_from_kiln_toml_then_predict_equals_in_process_bit_for_bit() {
    let dir = project(GBDT);
    let v = json_of(kiln(dir.path()).arg("train"));
    assert_eq!(
        (v["model"].as_str(), v["version"].as_u64()),
        (Some("penguins"), Some(1))
    );
    assert_eq!(v["promoted"], true);
    kiln(dir.path())
        .args([
            "predict",
            "penguins@production",
            "holdout.csv",
            "-o",
            "scored.csv",
            "--id",
            "island",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "ignored column the model does not use: species",
        ));
    let registry = Registry::open(dir.path()).expect("registry");
    let (_, artifact) = registry
        .load(&ModelRef::parse("penguins@production").expect("ref"))
        .expect("load");
    let holdout =
        kiln_project::scoring::read_for_model(&artifact.pipeline, &dir.path().join("holdout.csv"))
            .expect("read");
    let expected = artifact.pipeline.predict(&holdout).expect("predict");
    let scored = read_any(&dir.path().join("scored.csv"), &CsvOptions::default()).expect("scored");
    let labels: Vec<String> = (0..scored.n_rows())
        .map(|r| scored.cell_text(r, 1).unwrap_or_default())
        .collect();
    assert_eq!(Some(labels), expected.labels);
    let proba = expected.probabilities.expect("classifier");
    for (k, class) in artifact
        .pipeline
        .classes()
        .expect("classes")
        .iter()
        .enumerate()
    {
        let got = scored.numeric(&format!("proba_{class}")).expect("column");
        let want = proba.column(k).to_vec();
        // Bit for bit: the CSV writer prints the shortest text that reads back as the same f64.
        assert!(
            got.iter()
                .zip(&want)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "proba_{class} differs"
        );
    }
    // Parquet output carries the same values.
    kiln(dir.path())
        .args([
            "predict",
            "penguins/1",
            "holdout.csv",
            "-o",
            "scored.parquet",
        ])
        .assert()
        .success();
    let pq = read_any(&dir.path().join("scored.parquet"), &CsvOptions::default()).expect("parquet");
    assert_eq!(pq.n_rows(), holdout.n_rows());
    // evaluate records a run and writes a report.
    let e = json_of(kiln(dir.path()).args(["evaluate", "penguins@production", "holdout.csv"]));
    assert!(e["metrics"]["accuracy"].as_f64().expect("accuracy") > 0.9);
    assert!(Path::new(e["report"].as_str().expect("report path")).exists());
}

#[test]
fn a_worse_model_is_registered_but_not_promoted_and_rollback_moves_the_alias_back() {
    let dir = project(GBDT);
    kiln(dir.path()).arg("train").assert().success();
    std::fs::write(
        dir.path().join("worse.toml"),
        std::fs::read_to_string(dir.path().join("kiln.toml"))
            .expect("read")
            .replace(GBDT, STUMP),
    )
    .expect("write");
    kiln(dir.path())
        .args(["train", "--config", "worse.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "penguins version 2 was registered but not promoted",
        ))
        .stderr(predicate::str::contains("more than the allowed 0.01"));
    let show = json_of(kiln(dir.path()).args(["models", "show", "penguins"]));
    assert_eq!(show["aliases"]["production"], 1);
    assert_eq!(show["versions"].as_array().expect("versions").len(), 2);
    // A deliberate promotion, then a rollback to where it was.
    kiln(dir.path())
        .args(["models", "promote", "penguins/2"])
        .assert()
        .success();
    let r = json_of(kiln(dir.path()).args(["models", "rollback", "penguins"]));
    assert_eq!((r["from"].as_u64(), r["to"].as_u64()), (Some(2), Some(1)));
    // Deleting the version production points at is refused; the other one can go.
    kiln(dir.path())
        .args(["models", "delete", "penguins/1"])
        .assert()
        .code(1);
    kiln(dir.path())
        .args(["models", "delete", "penguins/2"])
        .assert()
        .success();
    // Runs: two trainings, the second's gate recorded as finished with its metrics.
    let runs = json_of(kiln(dir.path()).args(["runs", "list"]));
    assert_eq!(runs.as_array().expect("runs").len(), 2);
    kiln(dir.path())
        .args(["runs", "compare", "1", "2"])
        .assert()
        .success();
    let open = kiln(dir.path())
        .args(["runs", "show", "1", "--open"])
        .assert()
        .success();
    let path = String::from_utf8_lossy(&open.get_output().stdout)
        .trim()
        .to_string();
    assert!(Path::new(&path).exists(), "{path}");
}

#[test]
fn two_concurrent_trainings_get_two_versions() {
    let dir = project(GBDT);
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("kiln"))
            .current_dir(dir.path())
            .args(["train", "--json"])
            .output()
            .expect("runs")
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().expect("thread"), b.join().expect("thread"))
    });
    let version = |o: &std::process::Output| -> u64 {
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        v["version"].as_u64().expect("version")
    };
    let mut versions = [version(&a), version(&b)];
    versions.sort_unstable();
    assert_eq!(versions, [1, 2]);
}

#[test]
fn bad_input_is_refused_clearly_and_leaves_the_registry_intact() {
    let dir = project(GBDT);
    kiln(dir.path()).arg("train").assert().success();
    let p = dir.path();
    // Predict input missing a required column, and with a wrong type.
    std::fs::write(p.join("missing.csv"), "island,bill_length_mm\nDream,40.1\n").expect("write");
    kiln(p)
        .args(["predict", "penguins", "missing.csv", "-o", "o.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing columns the model needs"))
        .stderr(predicate::str::contains("flipper_length_mm"));
    let header = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n";
    std::fs::write(
        p.join("wrong.csv"),
        format!("{header}Dream,forty,18.0,190,3700,male,2008\n"),
    )
    .expect("write");
    kiln(p)
        .args(["predict", "penguins", "wrong.csv", "-o", "o.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bill_length_mm"))
        .stderr(predicate::str::contains("forty"));
    // Unknown model references.
    kiln(p)
        .args(["predict", "nosuch@production", "holdout.csv", "-o", "o.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nosuch"));
    kiln(p)
        .args(["predict", "penguins@staging", "holdout.csv", "-o", "o.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("staging"));
    // Invalid kiln.toml: the line and the key are named.
    std::fs::write(
        p.join("bad.toml"),
        "[data]\npath = \"train.csv\"\ntarget = \"species\"\ncolour = 3\n",
    )
    .expect("write");
    kiln(p)
        .args(["train", "--config", "bad.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 4"))
        .stderr(predicate::str::contains("colour"));
    // Target column absent.
    kiln(p)
        .args([
            "train",
            "train.csv",
            "--target",
            "wingspan",
            "--config",
            "kiln.toml",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown column 'wingspan'"));
    // Corrupt, truncated and wrong-version artifacts: clear errors, and the file is the
    // registry's only copy, so it is restored after each case.
    let artifacts: Vec<_> = std::fs::read_dir(p.join(".kiln/artifacts"))
        .expect("artifacts")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(artifacts.len(), 1);
    let original = std::fs::read(&artifacts[0]).expect("read");
    let mut flipped = original.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0xFF;
    let mut newer = original.clone();
    newer[8..12].copy_from_slice(&99u32.to_le_bytes());
    for (bytes, expect) in [
        (flipped, "is corrupt"),
        (original[..original.len() / 2].to_vec(), "is corrupt"),
        (newer, "is corrupt"),
    ] {
        std::fs::write(&artifacts[0], &bytes).expect("damage");
        kiln(p)
            .args(["predict", "penguins", "holdout.csv", "-o", "o.csv"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(expect));
        std::fs::write(&artifacts[0], &original).expect("restore");
    }
    // Nothing stored was lost: the model still scores and the runs are all there.
    kiln(p)
        .args(["predict", "penguins", "holdout.csv", "-o", "o.csv"])
        .assert()
        .success();
    // One run: a bad kiln.toml or an unreadable file stops before a run is opened.
    let runs = json_of(kiln(p).args(["runs", "list"]));
    assert_eq!(runs.as_array().expect("runs").len(), 1);
    assert_eq!(runs[0]["status"], "finished");
    // Read-only commands outside a project say so instead of creating one.
    let empty = TempDir::new().expect("temp dir");
    kiln(empty.path())
        .args(["models", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no kiln project"));
    assert!(!empty.path().join(".kiln").exists());
}
