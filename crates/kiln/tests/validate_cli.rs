//! `kiln data schema` and `kiln data validate` end to end: the file a schema came from passes
//! (exit 0); a corrupted copy built here (wrong type, out-of-range value, unseen category,
//! dropped column) fails with exit 1 and names each violation with its rows.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn iris() -> PathBuf {
    PathBuf::from(manifest_dir()).join("../kiln-data/datasets/iris.csv")
}

fn kiln() -> Command {
    Command::cargo_bin("kiln").unwrap()
}

fn write_schema(dir: &Path, extra: &[&str]) -> PathBuf {
    let schema = dir.join("schema.toml");
    kiln()
        .args(["data", "schema"])
        .arg(iris())
        .arg("-o")
        .arg(&schema)
        .args(extra)
        .assert()
        .success();
    schema
}

#[test]
fn the_reference_file_passes_its_own_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema = write_schema(dir.path(), &["--target", "species", "--slack", "0.05"]);
    let text = std::fs::read_to_string(&schema).unwrap();
    assert!(
        text.contains("name = \"species\"") && text.contains("domain = ["),
        "{text}"
    );
    assert!(text.contains("role = \"target\""));
    let out = kiln()
        .args(["data", "validate", "--json"])
        .arg(iris())
        .arg("--schema")
        .arg(&schema)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["errors"], 0);
    assert_eq!(v["rows"], 150);
}

/// Iris with sepal_width dropped, 'abc' in sepal_length (data row 3), petal_width 99 (row 5),
/// species 'unknown_species' (row 7) and an extra column.
fn corrupted_iris(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(iris()).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells.remove(1);
        match i {
            0 => cells.push("note".into()),
            3 => cells[0] = "abc".into(),
            5 => cells[2] = "99".into(),
            7 => cells[3] = "unknown_species".into(),
            _ => {}
        }
        if i > 0 {
            cells.push("x".into());
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let path = dir.join("corrupted.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn a_corrupted_copy_fails_with_named_violations() {
    let dir = tempfile::tempdir().unwrap();
    let schema = write_schema(dir.path(), &[]);
    let bad = corrupted_iris(dir.path());
    let out = kiln()
        .args(["data", "validate", "--json"])
        .arg(&bad)
        .arg("--schema")
        .arg(&schema)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], false);
    let find = |column: &str, kind: &str| -> Value {
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["column"] == column && x["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} on {column}: {v}"))
    };
    let t = find("sepal_length", "type_mismatch");
    assert_eq!(
        (t["severity"].clone(), t["count"].clone()),
        ("error".into(), 1.into())
    );
    assert_eq!(t["example_rows"], serde_json::json!([3]));
    let r = find("petal_width", "out_of_range");
    assert_eq!(r["example_rows"], serde_json::json!([5]));
    let d = find("species", "out_of_domain");
    assert_eq!(d["example_rows"], serde_json::json!([7]));
    assert!(d["message"].as_str().unwrap().contains("unknown_species"));
    assert_eq!(find("sepal_width", "missing_column")["severity"], "error");
    assert_eq!(find("note", "extra_column")["severity"], "warning");
    assert_eq!(v["errors"], 4);

    let out = kiln()
        .args(["data", "validate"])
        .arg(&bad)
        .arg("--schema")
        .arg(&schema)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "type_mismatch",
        "out_of_range",
        "out_of_domain",
        "missing_column",
        "1-based",
    ] {
        assert!(text.contains(word), "{word}: {text}");
    }
}

#[test]
fn missing_values_where_none_were_seen_are_errors_and_a_bad_schema_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let schema = write_schema(dir.path(), &[]);
    let text = std::fs::read_to_string(iris()).unwrap();
    let holed = text.replacen("5.1,3.5,1.4,0.2,setosa", "5.1,,1.4,0.2,setosa", 1);
    let path = dir.path().join("holed.csv");
    std::fs::write(&path, holed).unwrap();
    let out = kiln()
        .args(["data", "validate", "--json"])
        .arg(&path)
        .arg("--schema")
        .arg(&schema)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["violations"][0]["kind"], "null_not_allowed");
    assert_eq!(v["violations"][0]["example_rows"], serde_json::json!([1]));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = 1\ncolumns = 3\n").unwrap();
    kiln()
        .args(["data", "validate"])
        .arg(iris())
        .arg("--schema")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("bad.toml"));
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
