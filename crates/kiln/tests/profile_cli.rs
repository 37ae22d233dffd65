//! `kiln data profile` end to end: every bundled dataset in terminal, JSON and HTML form, the JSON
//! checked against the pandas fixtures (`tests/fixtures/profile/`), the HTML checked to be one
//! self-contained file, and the edge cases (empty file, header only, all-missing and constant
//! columns, a single row) answered without a panic.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

const DATASETS: [(&str, &str); 5] = [
    ("iris", "species"),
    ("breast_cancer", "diagnosis"),
    ("diabetes", "progression"),
    ("wine", "cultivar"),
    ("auto_mpg", "mpg"),
];

fn repo() -> PathBuf {
    PathBuf::from(manifest_dir()).join("../..")
}

fn dataset(name: &str) -> PathBuf {
    repo().join(format!("crates/kiln-data/datasets/{name}.csv"))
}

fn fixture(name: &str) -> Value {
    let path = repo().join(format!("tests/fixtures/profile/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn kiln() -> Command {
    Command::cargo_bin("kiln").unwrap()
}

/// Relative error within 1e-9 (absolute 1e-12 near zero); `None` must match JSON null.
fn assert_close(got: &Value, expected: &Value, what: &str) {
    match (got.as_f64(), expected.as_f64()) {
        (None, None) => {}
        (Some(g), Some(e)) => {
            let err = if e.abs() < 1e-6 {
                (g - e).abs() / 1e-3
            } else {
                (g - e).abs() / e.abs()
            };
            assert!(err <= 1e-9, "{what}: got {g}, expected {e}");
        }
        _ => panic!("{what}: got {got}, expected {expected}"),
    }
}

#[test]
fn json_profiles_of_every_bundled_dataset_match_pandas() {
    let dir = tempfile::tempdir().unwrap();
    for (name, target) in DATASETS {
        let html = dir.path().join(format!("{name}.html"));
        let out = kiln()
            .args(["data", "profile"])
            .arg(dataset(name))
            .args(["--target", target, "--json", "--html"])
            .arg(&html)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let p: Value = serde_json::from_slice(&out.stdout).unwrap();
        let fx = fixture(name);
        assert_eq!(p["schema_version"], 1);
        assert_eq!(p["rows"], fx["rows"]);
        assert!(p["profile_seconds"].as_f64().unwrap() >= 0.0);
        let mut checked = 0;
        for c in p["columns"].as_array().unwrap() {
            let col = c["name"].as_str().unwrap();
            let e = &fx["columns"][col];
            assert_eq!(c["count"], e["count"], "{name}.{col}");
            assert_eq!(c["missing"], e["missing"], "{name}.{col}");
            assert_eq!(c["distinct"], e["distinct"], "{name}.{col}");
            if e["kind"] == "numeric" {
                for key in [
                    "mean", "std", "min", "q25", "median", "q75", "max", "skew", "kurtosis", "mad",
                    "iqr",
                ] {
                    assert_close(&c["numeric"][key], &e[key], &format!("{name}.{col}.{key}"));
                    checked += 1;
                }
                assert_eq!(
                    c["numeric"]["histogram"]["counts"], e["histogram"]["counts"],
                    "{name}.{col} histogram"
                );
            } else {
                let got: Vec<(String, u64)> = c["categorical"]["frequencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        (
                            f["value"].as_str().unwrap().into(),
                            f["count"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                let expected: Vec<(String, u64)> = e["frequencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| (f[0].as_str().unwrap().into(), f[1].as_u64().unwrap()))
                    .collect();
                assert_eq!(got, expected, "{name}.{col} value counts");
            }
        }
        let corr = &p["correlations"];
        assert_eq!(corr["columns"], fx["correlation_columns"], "{name}");
        for key in ["pearson", "spearman"] {
            for (i, row) in corr[key].as_array().unwrap().iter().enumerate() {
                for (j, v) in row.as_array().unwrap().iter().enumerate() {
                    assert_close(v, &fx[key][i][j], &format!("{name} {key}[{i}][{j}]"));
                    checked += 1;
                }
            }
        }
        assert_eq!(p["target"]["task"], fx["target_profile"]["task"], "{name}");
        assert!(checked > 50, "{name}: {checked}");

        let page = std::fs::read_to_string(&html).unwrap();
        assert!(
            page.starts_with("<!DOCTYPE html>") && page.contains("<svg"),
            "{name}"
        );
        for forbidden in ["http", "src=", "href=", "<script", "url(", "@import"] {
            assert!(
                !page.contains(forbidden),
                "{name}: HTML contains {forbidden:?}"
            );
        }
        assert!(std::fs::read_dir(dir.path()).unwrap().count() <= DATASETS.len());
    }
}

#[test]
fn terminal_profiles_name_columns_flags_and_target() {
    for (name, target) in DATASETS {
        let out = kiln()
            .args(["data", "profile"])
            .arg(dataset(name))
            .args(["--target", target])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&format!("Target {target}")), "{name}: {text}");
        assert!(text.contains("Correlations over"), "{name}");
    }
    let out = kiln()
        .args(["data", "profile"])
        .arg(dataset("breast_cancer"))
        .args(["--target", "diagnosis"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("multicollinear"), "{text}");
    assert!(text.contains("heavy skew"), "{text}");
}

fn profile_json(csv: &str) -> (bool, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edge.csv");
    std::fs::write(&path, csv).unwrap();
    let out = kiln()
        .args(["data", "profile", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.success(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn edge_cases_give_clear_output_or_errors() {
    let (ok, v, err) = profile_json("");
    assert!(!ok && err.contains("empty"), "{err}");
    assert!(v["error"].as_str().unwrap().contains("empty"));

    let (ok, v, _) = profile_json("a,b\n");
    assert!(ok);
    assert_eq!(v["rows"], 0);
    assert_eq!(v["columns"].as_array().unwrap().len(), 2);

    let (ok, v, _) = profile_json("x,empty,same,c\n1,,5,a\n2,,5,a\n3,,5,a\n");
    assert!(ok);
    let flags = |i: usize| v["columns"][i]["flags"].to_string();
    assert!(flags(1).contains("all_missing"), "{}", flags(1));
    assert!(flags(2).contains("constant") && flags(3).contains("constant"));
    assert!(v["columns"][2]["numeric"]["skew"].is_null());
    // The constant column is left out of the correlations, which then have one column: none.
    assert!(v["correlations"].is_null());

    let (ok, v, _) = profile_json("x,y,c\n1.5,2,a\n");
    assert!(ok);
    let x = &v["columns"][0]["numeric"];
    assert_eq!(x["mean"], 1.5);
    assert!(x["std"].is_null() && x["skew"].is_null());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.csv");
    std::fs::write(&path, "x,c\n1,a\n").unwrap();
    kiln()
        .args(["data", "profile"])
        .arg(&path)
        .assert()
        .success();
    kiln()
        .args(["data", "profile", "--target", "nope"])
        .arg(&path)
        .assert()
        .failure()
        .code(1)
        .stderr(predicates::str::contains("nope"));
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
