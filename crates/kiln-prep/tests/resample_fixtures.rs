//! Resampling against imbalanced-learn (`tests/fixtures/prep/resample.json`): class counts of
//! the over-samplers, the exact rows kept by Tomek links and NearMiss-1, the geometry of every
//! synthetic row, seeded determinism and errors.

mod common;

use kiln_prep::ResampleSpec;
use kiln_prep::resample::balanced_class_weights;
use ndarray::Array2;

fn data(columns: &[String], standardize: bool) -> (Array2<f64>, Vec<f64>) {
    let frame = common::dataset("breast_cancer");
    let (y, _) = common::class_codes(&frame, "diagnosis");
    let mut x = Array2::zeros((frame.n_rows(), columns.len()));
    for (j, c) in columns.iter().enumerate() {
        let mut v = frame.numeric(c).unwrap();
        if standardize {
            let n = v.len() as f64;
            let m = v.iter().sum::<f64>() / n;
            let s = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
            v.iter_mut().for_each(|x| *x = (*x - m) / s);
        }
        x.column_mut(j).assign(&ndarray::Array1::from(v));
    }
    (x, y.iter().map(|&c| c as f64).collect())
}

fn counts(y: &[f64]) -> Vec<u64> {
    let mut c = vec![0u64; 2];
    y.iter().for_each(|&v| c[v as usize] += 1);
    c
}

/// The k nearest same-class rows of `i` (brute force, independent of the library's helper).
fn class_neighbours(x: &Array2<f64>, y: &[f64], i: usize, k: usize) -> Vec<usize> {
    let mut d: Vec<(f64, usize)> = (0..x.nrows())
        .filter(|&j| j != i && y[j] == y[i])
        .map(|j| {
            (
                x.row(j)
                    .iter()
                    .zip(x.row(i).iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum(),
                j,
            )
        })
        .collect();
    d.sort_by(|a, b| a.0.total_cmp(&b.0));
    d.iter().take(k).map(|p| p.1).collect()
}

/// Every synthetic row lies on a segment from its base row to one of the base's k same-class
/// neighbours.
fn assert_on_segments(x: &Array2<f64>, y: &[f64], out: &kiln_prep::Resampled, k: usize) {
    let n = x.nrows();
    assert!(out.x.nrows() > n);
    for r in n..out.x.nrows() {
        let base = out.source[r];
        assert_eq!(out.y[r], y[base]);
        let p = out.x.row(r);
        let a = x.row(base);
        let ok = class_neighbours(x, y, base, k).into_iter().any(|nb| {
            let b = x.row(nb);
            // p = a + t (b - a) for one t in [0, 1], checked on every coordinate.
            let (num, den) = a
                .iter()
                .zip(b.iter())
                .zip(p.iter())
                .fold((0.0, 0.0), |(nu, de), ((a, b), p)| {
                    (nu + (p - a) * (b - a), de + (b - a) * (b - a))
                });
            let t = if den == 0.0 { 0.0 } else { num / den };
            (0.0..=1.0).contains(&t)
                && a.iter()
                    .zip(b.iter())
                    .zip(p.iter())
                    .all(|((a, b), p)| (a + t * (b - a) - p).abs() <= 1e-9 * (1.0 + p.abs()))
        });
        assert!(
            ok,
            "synthetic row {r} (base {base}) is not on a segment to one of its {k} neighbours"
        );
    }
}

#[test]
fn resamplers_match_imbalanced_learn() {
    let fixtures = common::json("resample.json");
    for case in fixtures["cases"].as_array().unwrap() {
        let columns: Vec<String> = serde_json::from_value(case["columns"].clone()).unwrap();
        let standardize = case["standardize"].as_bool().unwrap();
        let (x, y) = data(&columns, standardize);
        let want = |key: &str| -> Vec<u64> { serde_json::from_value(case[key].clone()).unwrap() };

        let smote = ResampleSpec::Smote { k_neighbors: 5 }
            .resample(&x, &y, 11)
            .unwrap();
        assert_eq!(counts(&smote.y), want("smote_counts"));
        assert_on_segments(&x, &y, &smote, 5);
        let again = ResampleSpec::Smote { k_neighbors: 5 }
            .resample(&x, &y, 11)
            .unwrap();
        assert_eq!(smote.x, again.x, "same seed, same rows");
        let other = ResampleSpec::Smote { k_neighbors: 5 }
            .resample(&x, &y, 12)
            .unwrap();
        assert_ne!(smote.x, other.x, "another seed, other rows");

        let border = ResampleSpec::BorderlineSmote {
            k_neighbors: 5,
            m_neighbors: 10,
        }
        .resample(&x, &y, 3)
        .unwrap();
        assert_eq!(counts(&border.y), want("borderline_smote_counts"));
        assert_on_segments(&x, &y, &border, 5);

        let adasyn = ResampleSpec::Adasyn { n_neighbors: 5 }
            .resample(&x, &y, 5)
            .unwrap();
        assert_eq!(
            counts(&adasyn.y),
            want("adasyn_counts"),
            "standardize = {standardize}"
        );
        assert_on_segments(&x, &y, &adasyn, 5);
        let adasyn_again = ResampleSpec::Adasyn { n_neighbors: 5 }
            .resample(&x, &y, 5)
            .unwrap();
        assert_eq!(adasyn.x, adasyn_again.x, "ADASYN is seeded");

        let tomek = ResampleSpec::TomekLinks.resample(&x, &y, 0).unwrap();
        assert_eq!(
            tomek.source.iter().map(|&i| i as u64).collect::<Vec<_>>(),
            want("tomek_links_rows")
        );
        let near = ResampleSpec::NearMiss { n_neighbors: 3 }
            .resample(&x, &y, 0)
            .unwrap();
        assert_eq!(
            near.source.iter().map(|&i| i as u64).collect::<Vec<_>>(),
            want("near_miss_rows")
        );
    }
}

#[test]
fn random_samplers_and_weights_balance_the_classes() {
    let (x, y) = data(
        &["mean_radius".to_string(), "mean_texture".to_string()],
        false,
    );
    let over = ResampleSpec::RandomOverSampler.resample(&x, &y, 1).unwrap();
    assert_eq!(counts(&over.y), vec![357, 357]);
    for (r, &s) in over.source.iter().enumerate() {
        assert_eq!(over.x.row(r), x.row(s), "over-sampled rows are copies");
    }
    let under = ResampleSpec::RandomUnderSampler
        .resample(&x, &y, 1)
        .unwrap();
    assert_eq!(counts(&under.y), vec![212, 212]);
    let weighted = ResampleSpec::BalancedWeights.resample(&x, &y, 0).unwrap();
    assert_eq!(weighted.x, x);
    let w = balanced_class_weights(&y.iter().map(|&v| v as usize).collect::<Vec<_>>());
    // scikit-learn: 569 / (2 * 357) and 569 / (2 * 212).
    assert_eq!(w, vec![569.0 / 714.0, 569.0 / 424.0]);
    let total: f64 = weighted.weights.unwrap().iter().sum();
    assert!((total - 569.0).abs() < 1e-9);
}

#[test]
fn resampling_errors_name_the_problem() {
    let x = Array2::from_shape_fn((9, 2), |(i, j)| (i * 3 + j) as f64);
    let y = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let err = ResampleSpec::Smote { k_neighbors: 5 }
        .resample(&x, &y, 0)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("class code 1 has 3 training rows") && err.contains("at least 6"),
        "{err}"
    );
    let err = ResampleSpec::Smote { k_neighbors: 0 }
        .check()
        .unwrap_err()
        .to_string();
    assert!(err.contains("k_neighbors"), "{err}");
    let mut bad = x.clone();
    bad[[4, 1]] = f64::NAN;
    let err = ResampleSpec::Smote { k_neighbors: 2 }
        .resample(&bad, &y, 0)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 4, column 1") && err.contains("impute"),
        "{err}"
    );
    let err = ResampleSpec::RandomOverSampler
        .resample(&x, &[0.5; 9], 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("class codes"), "{err}");
}

/// SMOTE-NC through the pipeline (origin ordinal-encoded, then resampled by name): class counts
/// as imbalanced-learn; continuous parts on a segment to one of the base row's k nearest
/// same-class rows under the SMOTE-NC distance; the category is the most frequent among them.
#[test]
fn smote_nc_matches_imbalanced_learn_counts_and_geometry() {
    let fixtures = common::json("resample.json");
    let case = &fixtures["smote_nc"];
    let frame = common::dataset("mixed");
    let spec = kiln_prep::PipelineSpec::from_toml(
        r#"
target = "efficient"
[[blocks]]
name = "numbers"
columns = { names = ["cylinders", "model_year", "mpg"] }
[[blocks]]
name = "origin"
columns = { names = ["origin"] }
steps = [{ kind = "ordinal_encoder" }]
[resample]
kind = "smote_nc"
categorical = ["origin"]
"#,
        "inline",
    )
    .unwrap();
    let (fitted, prepared) = spec.fit_transform(&frame).unwrap();
    let want: Vec<u64> = serde_json::from_value(case["counts"].clone()).unwrap();
    let y = prepared.y.unwrap();
    assert_eq!(counts(&y), want);
    let x = fitted.transform(&frame).unwrap();
    let y0 = fitted.encode_target(&frame).unwrap();
    let n = x.nrows();
    let minority: Vec<usize> = (0..n).filter(|&i| y0[i] == 1.0).collect();
    let mut stds: Vec<f64> = (0..3)
        .map(|j| {
            let v: Vec<f64> = minority.iter().map(|&i| x[[i, j]]).collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / v.len() as f64).sqrt()
        })
        .collect();
    stds.sort_by(f64::total_cmp);
    let penalty = stds[1] * stds[1];
    let dist = |a: &[f64], b: &[f64]| -> f64 {
        (0..3).map(|j| (a[j] - b[j]).powi(2)).sum::<f64>()
            + if a[3] != b[3] { penalty } else { 0.0 }
    };
    for r in n..prepared.x.nrows() {
        let p: Vec<f64> = prepared.x.row(r).to_vec();
        let ok = minority.iter().any(|&base| {
            let a = x.row(base).to_vec();
            let mut d: Vec<(f64, usize)> = minority
                .iter()
                .filter(|&&o| o != base)
                .map(|&o| (dist(&a, &x.row(o).to_vec()), o))
                .collect();
            d.sort_by(|u, v| u.0.total_cmp(&v.0).then(u.1.cmp(&v.1)));
            let nns: Vec<usize> = d.iter().take(5).map(|q| q.1).collect();
            let mut votes = [0usize; 3];
            nns.iter().for_each(|&o| votes[x[[o, 3]] as usize] += 1);
            let mode = (0..3)
                .max_by_key(|&c| (votes[c], std::cmp::Reverse(c)))
                .unwrap() as f64;
            p[3] == mode
                && nns.iter().any(|&o| {
                    let b = x.row(o).to_vec();
                    let den: f64 = (0..3).map(|j| (b[j] - a[j]).powi(2)).sum();
                    let t = if den == 0.0 {
                        0.0
                    } else {
                        (0..3).map(|j| (p[j] - a[j]) * (b[j] - a[j])).sum::<f64>() / den
                    };
                    (0.0..=1.0).contains(&t)
                        && (0..3).all(|j| {
                            (a[j] + t * (b[j] - a[j]) - p[j]).abs() <= 1e-9 * (1.0 + p[j].abs())
                        })
                })
        });
        assert!(ok, "synthetic row {r} {p:?} is not a SMOTE-NC sample");
    }
    let err = kiln_prep::ResampleSpec::SmoteNc {
        categorical: vec!["nope".into()],
        k_neighbors: 5,
    }
    .resample_named(&x, &fitted.feature_names, &y0, 0)
    .unwrap_err()
    .to_string();
    assert!(err.contains("'nope' is not a column"), "{err}");
}
