//! Profiles of the bundled datasets against pandas / NumPy / SciPy
//! (`tools/reference/profile_fixtures.py`, fixtures in `tests/fixtures/profile/`).
//!
//! Tolerances: order statistics, means, standard deviations, MAD, IQR, correlations and
//! associations are closed forms, checked to 1e-9 relative (1e-12 absolute near zero); skewness
//! and kurtosis come from streaming moments (Pébay's updates, not pandas' two-pass sums) and are
//! checked to 1e-9 relative as well; counts, histogram counts, value counts and class counts are
//! exact. Each dataset is profiled twice: as one frame and in chunks of 37 rows parsed
//! separately (as a streamed file is), which must agree with the same fixture.

mod common;

use common::Worst;
use kiln_data::csv::{CsvOptions, read_csv_bytes};
use kiln_data::{Role, SchemaOverrides, datasets};
use kiln_stats::profile::{Profile, ProfileBuilder, ProfileOptions, profile_frame};
use serde_json::Value;

const DATASETS: [&str; 5] = ["iris", "breast_cancer", "diabetes", "wine", "auto_mpg"];
const RTOL: f64 = 1e-9;
const ATOL: f64 = 1e-12;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/profile/{name}.json",
        manifest_dir()
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

fn close(w: &mut Worst, got: Option<f64>, expected: &Value, what: &str) {
    match expected.as_f64() {
        None => assert!(got.is_none(), "{what}: expected undefined, got {got:?}"),
        Some(e) => {
            let g = got.unwrap_or_else(|| panic!("{what}: expected {e}, got undefined"));
            if e.abs() < 1e-6 {
                w.check_abs(g, e, ATOL, what);
            } else {
                w.check(g, e, RTOL, what);
            }
        }
    }
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

fn check_profile(p: &Profile, fx: &Value, w: &mut Worst) {
    let ds = fx["dataset"].as_str().unwrap();
    assert_eq!(p.rows, u(&fx["rows"]), "{ds}");
    assert!(p.sample.exact);
    for c in &p.columns {
        let e = &fx["columns"][&c.name];
        let at = |s: &str| format!("{ds}.{}.{s}", c.name);
        assert_eq!(c.count, u(&e["count"]), "{}", at("count"));
        assert_eq!(c.missing, u(&e["missing"]), "{}", at("missing"));
        assert_eq!(c.distinct, u(&e["distinct"]), "{}", at("distinct"));
        match e["kind"].as_str().unwrap() {
            "numeric" => {
                let n = c.numeric.as_ref().unwrap();
                for (key, got) in [
                    ("mean", n.mean),
                    ("std", n.std),
                    ("min", n.min),
                    ("q25", n.q25),
                    ("median", n.median),
                    ("q75", n.q75),
                    ("max", n.max),
                    ("skew", n.skew),
                    ("kurtosis", n.kurtosis),
                    ("mad", n.mad),
                    ("iqr", n.iqr),
                ] {
                    close(w, got, &e[key], &at(key));
                }
                let top: Vec<(f64, u64)> =
                    n.top_values.iter().map(|v| (v.value, v.count)).collect();
                let expected: Vec<(f64, u64)> = e["top_values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_f64().unwrap(), u(&p[1])))
                    .collect();
                assert_eq!(top, expected, "{}", at("top_values"));
                for (key, h) in [
                    ("histogram", n.histogram.as_ref().unwrap()),
                    ("quantile_bins", n.quantile_bins.as_ref().unwrap()),
                ] {
                    let counts: Vec<u64> =
                        e[key]["counts"].as_array().unwrap().iter().map(u).collect();
                    assert_eq!(h.counts, counts, "{}", at(key));
                    let edges = e[key]["edges"].as_array().unwrap();
                    assert_eq!(h.edges.len(), edges.len(), "{}", at(key));
                    for (g, x) in h.edges.iter().zip(edges) {
                        close(w, Some(*g), x, &at(key));
                    }
                }
                let o = n.outliers.as_ref().unwrap();
                assert_eq!(o.z_count, u(&e["outliers_z"]), "{}", at("outliers_z"));
                assert_eq!(o.iqr_count, u(&e["outliers_iqr"]), "{}", at("outliers_iqr"));
            }
            _ => {
                let got: Vec<(String, u64)> = c
                    .categorical
                    .as_ref()
                    .unwrap()
                    .frequencies
                    .iter()
                    .map(|f| (f.value.clone(), f.count))
                    .collect();
                let expected: Vec<(String, u64)> = e["frequencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_str().unwrap().to_string(), u(&p[1])))
                    .collect();
                assert_eq!(got, expected, "{}", at("frequencies"));
            }
        }
    }
    let corr = p.correlations.as_ref().unwrap();
    let cols: Vec<&str> = fx["correlation_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(corr.columns, cols, "{ds} correlation columns");
    for (key, m) in [("pearson", &corr.pearson), ("spearman", &corr.spearman)] {
        for (i, row) in m.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                close(w, *v, &fx[key][i][j], &format!("{ds} {key}[{i}][{j}]"));
            }
        }
    }
    let t = p.target.as_ref().unwrap();
    let et = &fx["target_profile"];
    assert_eq!(t.name, et["name"].as_str().unwrap());
    assert_eq!(t.task, et["task"].as_str().unwrap(), "{ds} task");
    if let Some(classes) = et["classes"].as_array() {
        let got: Vec<(String, u64)> = t
            .classes
            .iter()
            .map(|c| (c.value.clone(), c.count))
            .collect();
        let expected: Vec<(String, u64)> = classes
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_string(), u(&p[1])))
            .collect();
        assert_eq!(got, expected, "{ds} classes");
    }
    let assoc = et["associations"].as_object().unwrap();
    assert_eq!(t.associations.len(), assoc.len(), "{ds} associations");
    for a in &t.associations {
        let e = &assoc[&a.column];
        assert_eq!(
            a.measure,
            e[0].as_str().unwrap(),
            "{ds} {} measure",
            a.column
        );
        close(w, a.value, &e[1], &format!("{ds} association {}", a.column));
    }
}

#[test]
fn whole_frame_profiles_match_pandas() {
    let mut w = Worst::new("profile (whole frame)");
    for ds in DATASETS {
        let frame = datasets::load(ds).unwrap();
        let p = profile_frame(&frame, &ProfileOptions::default()).unwrap();
        check_profile(&p, &fixture(ds), &mut w);
    }
    assert!(w.checks() > 1000);
}

#[test]
fn streamed_profiles_match_pandas() {
    let mut w = Worst::new("profile (chunks of 37 rows)");
    for ds in DATASETS {
        let whole = datasets::load(ds).unwrap();
        // The first chunk fixes the types; pin them to the whole-file inference so a small first
        // chunk does not read a text column as categorical or the reverse.
        let mut overrides = SchemaOverrides::default();
        for f in &whole.schema().fields {
            overrides.set_type(&f.name, f.column_type);
            if f.role == Role::Target {
                overrides.set_role(&f.name, Role::Target);
            }
        }
        let options = CsvOptions {
            overrides,
            ..Default::default()
        };
        // Each piece is parsed on its own, so categorical columns get their own dictionaries
        // (different codes for the same category), as chunks of a streamed file do.
        let text = std::str::from_utf8(datasets::csv_bytes(ds).unwrap()).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let body: Vec<&str> = lines.collect();
        let mut b = ProfileBuilder::new(ProfileOptions::default()).unwrap();
        let mut n_chunks = 0;
        for piece in body.chunks(37) {
            let csv = format!("{header}\n{}\n", piece.join("\n"));
            let frame = read_csv_bytes(csv.as_bytes(), ds, &options).unwrap();
            b.push(&frame).unwrap();
            n_chunks += 1;
        }
        assert!(n_chunks > 3, "{ds}: {n_chunks} chunks");
        check_profile(&b.finish().unwrap(), &fixture(ds), &mut w);
    }
}

#[test]
fn a_small_sample_gives_estimates_from_a_uniform_subset() {
    let frame = datasets::load("breast_cancer").unwrap();
    let options = ProfileOptions {
        sample_rows: 200,
        correlation_rows: 100,
        seed: 3,
    };
    let p = profile_frame(&frame, &options).unwrap();
    assert!(!p.sample.exact);
    assert_eq!((p.sample.rows, p.sample.correlation_rows), (200, 100));
    let exact = profile_frame(&frame, &ProfileOptions::default()).unwrap();
    for (s, e) in p.columns.iter().zip(&exact.columns) {
        // Moments still see every row; quantiles come from 200 of 569 rows.
        assert_eq!(
            s.numeric.as_ref().map(|n| n.mean),
            e.numeric.as_ref().map(|n| n.mean)
        );
        if let (Some(a), Some(b)) = (&s.numeric, &e.numeric) {
            let (ma, mb, iqr) = (a.median.unwrap(), b.median.unwrap(), b.iqr.unwrap());
            assert!((ma - mb).abs() < iqr, "{}: {ma} vs {mb}", s.name);
            let h = a.histogram.as_ref().unwrap();
            assert_eq!(h.counts.iter().sum::<u64>(), 200);
        }
    }
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
