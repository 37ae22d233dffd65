//! Every transformer against scikit-learn on the same rows: `tests/fixtures/prep/transformers.json`
//! (written by `tools/reference/prep_fixtures.py`) holds, per case, the kiln step specs, the
//! training rows and scikit-learn's fit_transform and transform outputs.

mod common;

use kiln_prep::{FitContext, StepSpec, Table};

fn to_rows(t: &Table) -> Vec<Vec<f64>> {
    let cols = t.numeric_columns("test").unwrap();
    (0..t.n_rows)
        .map(|i| cols.iter().map(|c| c[i]).collect())
        .collect()
}

/// Flips each column of `actual` to the sign of `expected` (PCA/SVD components are defined up
/// to sign).
fn align_signs(actual: &mut [Vec<f64>], expected: &[Vec<f64>]) {
    for j in 0..actual.first().map_or(0, Vec::len) {
        let dot: f64 = actual.iter().zip(expected).map(|(a, e)| a[j] * e[j]).sum();
        if dot < 0.0 {
            actual.iter_mut().for_each(|r| r[j] = -r[j]);
        }
    }
}

#[test]
fn transformers_match_scikit_learn() {
    let fixtures = common::json("transformers.json");
    let cases = fixtures["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 30,
        "expected the full case list, got {}",
        cases.len()
    );
    let mut report = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let frame = common::dataset(case["data"].as_str().unwrap());
        let columns: Vec<String> = serde_json::from_value(case["columns"].clone()).unwrap();
        let train_rows: Vec<usize> = serde_json::from_value(case["train_rows"].clone()).unwrap();
        let specs: Vec<StepSpec> =
            serde_json::from_value(case["steps"].clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let tol = case["tol"].as_f64().unwrap();
        let sign_free = case["sign_free"].as_bool().unwrap();
        let full = Table::from_frame(&frame, &columns).unwrap();
        let train = full.take(&train_rows);
        let y: Option<Vec<f64>> = case.get("target").map(|t| {
            let t = t.as_str().unwrap();
            if case["task"] == "classification" {
                common::class_codes(&frame, t)
                    .0
                    .iter()
                    .map(|&c| c as f64)
                    .collect()
            } else {
                frame.numeric(t).unwrap()
            }
        });
        let n_classes = match (case.get("target"), case.get("task")) {
            (Some(t), Some(task)) if task == "classification" => {
                Some(common::class_codes(&frame, t.as_str().unwrap()).1)
            }
            _ => None,
        };
        let y_train: Option<Vec<f64>> = y.map(|y| train_rows.iter().map(|&i| y[i]).collect());
        let ctx = FitContext {
            y: y_train.as_deref(),
            n_classes,
            seed: 0,
        };
        let mut table = train;
        let mut fitted = Vec::new();
        for spec in &specs {
            let (f, out) = spec
                .fit_transform(table, &ctx)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            fitted.push(f);
            table = out;
        }
        let mut got_train = to_rows(&table);
        let mut all = full;
        for f in &fitted {
            all = f.transform(all).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let mut got = to_rows(&all);
        let want_train = common::matrix(&case["expected_train"]);
        let want = common::matrix(&case["expected"]);
        if sign_free {
            align_signs(&mut got_train, &want_train);
            align_signs(&mut got, &want);
        }
        let err =
            common::max_abs_diff(&got_train, &want_train).max(common::max_abs_diff(&got, &want));
        report.push(format!("{name}: {err:.1e}"));
        assert!(err <= tol, "{name}: max abs error {err:e} > {tol:e}");
        if let Some(vifs) = case.get("vifs") {
            let want: Vec<f64> = serde_json::from_value(vifs.clone()).unwrap();
            let kiln_prep::FittedStep::Selection(sel) = &fitted[0] else {
                panic!("{name}: a selection step was expected")
            };
            let got: Vec<f64> = sel.keep.iter().map(|&j| sel.scores[j]).collect();
            let err = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs() / b)
                .fold(0.0, f64::max);
            report.push(format!("{name} (VIF, relative): {err:.1e}"));
            assert!(err <= 1e-9, "{name}: VIFs {got:?} vs statsmodels {want:?}");
        }
        if let Some(names) = case.get("feature_names") {
            let names: Vec<String> = serde_json::from_value(names.clone()).unwrap();
            assert_eq!(all.names, names, "{name}: feature names");
        }
    }
    println!("{}", report.join("\n"));
}
