//! k-nearest neighbours against scikit-learn 1.9.1 on the fixtures written by
//! `tools/reference/svm_fixtures.py`: every metric (euclidean, manhattan, minkowski p = 3,
//! cosine) and weighting (uniform, distance), classification and regression, and every search
//! algorithm on kiln's side against scikit-learn's own choice.

mod common;

use common::{matrix, vector};
use kiln_models::neighbors::Algorithm;
use kiln_models::{KnnClassifierSpec, KnnRegressorSpec, Metric, Weights};
use ndarray::Array2;
use serde_json::Value;

fn load(name: &str) -> Value {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = format!("{dir}/../../tests/fixtures/svm/{name}");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run tools/reference/svm_fixtures.py)"));
    serde_json::from_str(&text).expect("fixture is valid JSON")
}

fn metric_of(params: &Value) -> Metric {
    match params["metric"].as_str().expect("metric") {
        "euclidean" => Metric::Euclidean,
        "manhattan" => Metric::Manhattan,
        "minkowski" => Metric::Minkowski(params["p"].as_f64().expect("p")),
        "cosine" => Metric::Cosine,
        other => panic!("unknown metric {other}"),
    }
}

fn index_matrix(v: &Value) -> Array2<usize> {
    let rows: Vec<Vec<usize>> = serde_json::from_value(v.clone()).expect("index matrix");
    let cols = rows[0].len();
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular")
}

#[test]
fn knn_matches_scikit_learn_for_every_metric_weighting_and_algorithm() {
    let fixture = load("knn.json");
    let mut checked = 0;
    let mut ties = 0;
    let mut boundary_rows = 0;
    for case in fixture["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let data = &fixture["datasets"][case["data"].as_str().expect("data")];
        let (x, y, xt) = (
            matrix(&data["x_train"]),
            vector(&data["y_train"]),
            matrix(&data["x_test"]),
        );
        let params = &case["params"];
        let metric = metric_of(params);
        let weights = match params["weights"].as_str().expect("weights") {
            "distance" => Weights::Distance,
            _ => Weights::Uniform,
        };
        let k = params["n_neighbors"].as_u64().expect("k") as usize;
        let expected_dist = matrix(&case["distances"]);
        let expected_idx = index_matrix(&case["indices"]);
        let algorithms: &[Algorithm] = if metric == Metric::Cosine {
            &[Algorithm::Auto, Algorithm::Brute]
        } else {
            &[Algorithm::Auto, Algorithm::Brute, Algorithm::KdTree]
        };
        for &algorithm in algorithms {
            let classification = case["task"] == "classification";
            let (dist, idx, pred, proba) = if classification {
                let model = KnnClassifierSpec {
                    n_neighbors: k,
                    weights,
                    metric,
                    algorithm,
                    ..KnnClassifierSpec::default()
                }
                .fit(x.view(), y.view(), None)
                .expect("fit");
                let (d, i) = model.kneighbors(xt.view(), None).expect("kneighbors");
                let p = model.predict(xt.view()).expect("predict");
                (
                    d,
                    i,
                    p,
                    Some(model.predict_proba(xt.view()).expect("proba")),
                )
            } else {
                let model = KnnRegressorSpec {
                    n_neighbors: k,
                    weights,
                    metric,
                    algorithm,
                    ..KnnRegressorSpec::default()
                }
                .fit(x.view(), y.view(), None)
                .expect("fit");
                let (d, i) = model.kneighbors(xt.view(), None).expect("kneighbors");
                (d, i, model.predict(xt.view()).expect("predict"), None)
            };
            // Neighbour indices: identical once scikit-learn's rows are put in kiln's order
            // (distance, then index), except where several rows tie at the k-th distance.
            // scikit-learn's final sort is not stable, so tied rows come in arbitrary order
            // there; and which of the rows tied at the k-th distance it keeps depends on its
            // heap's eviction order (brute force) or traversal (KD-tree). kiln always keeps the
            // lowest indices. Such a slot must hold another row at the same distance, and the
            // row's prediction is then not compared.
            let mut substituted = vec![false; idx.nrows()];
            for r in 0..idx.nrows() {
                let mut sk: Vec<(f64, usize)> = (0..k)
                    .map(|j| (expected_dist[[r, j]], expected_idx[[r, j]]))
                    .collect();
                sk.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                for (j, &(sk_d, sk_i)) in sk.iter().enumerate() {
                    if idx[[r, j]] == sk_i {
                        continue;
                    }
                    // Another row in this slot at the same distance (1e-12 absolute), and at
                    // the k-th distance: a tie at the boundary.
                    let tied =
                        (dist[[r, j]] - sk_d).abs() <= 1e-12 && (sk_d - sk[k - 1].0).abs() <= 1e-12;
                    assert!(
                        tied,
                        "{name} ({algorithm:?}): row {r} neighbour {j} is {} not {sk_i}",
                        idx[[r, j]]
                    );
                    substituted[r] = true;
                    ties += 1;
                }
            }
            if case["data"] != "grid_ties" {
                boundary_rows += substituted.iter().filter(|&&t| t).count();
            }
            // 1e-9 absolute: kiln recomputes each kept distance directly; scikit-learn's brute
            // force keeps the expanded form ‖a‖² + ‖b‖² - 2a·b, which rounds to about 1e-15
            // relative on these standardised rows.
            let dd = dist
                .iter()
                .zip(&expected_dist)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(
                dd <= 1e-9,
                "{name} ({algorithm:?}): distances differ by {dd}"
            );
            let expected = vector(&case["prediction"]);
            let expected_proba = case.get("proba").map(matrix);
            for r in (0..idx.nrows()).filter(|&r| !substituted[r]) {
                if classification {
                    assert_eq!(pred[r], expected[r], "{name} ({algorithm:?}): row {r}");
                    let p = proba.as_ref().expect("classifier");
                    let q = expected_proba.as_ref().expect("fixture has probabilities");
                    for (a, b) in p.row(r).iter().zip(q.row(r)) {
                        // 1e-12: the same neighbours and weights, summed in another order.
                        assert!(
                            (a - b).abs() <= 1e-12,
                            "{name} ({algorithm:?}): row {r} proba"
                        );
                    }
                } else {
                    // 1e-9: means of the same neighbours' targets, weights from the distances
                    // checked above.
                    assert!(
                        (pred[r] - expected[r]).abs() <= 1e-9,
                        "{name} ({algorithm:?}): row {r} prediction {} vs {}",
                        pred[r],
                        expected[r]
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 80, "{checked} runs checked");
    println!(
        "{checked} runs; {ties} neighbour slots hold another row at the same k-th distance \
         ({boundary_rows} query rows outside the grid-of-ties set)"
    );
    // Outside the deliberately tied grid, the only such tie: iris test row 42 has training
    // rows 5 and 82 at the same Euclidean distance (equal to the last bit in scikit-learn's
    // arithmetic, one bit apart in kiln's) and the same Manhattan distance; kiln keeps or ranks
    // row 5 first, scikit-learn's KD-tree row 82 (2 metrics × 2 weightings × 3 algorithms).
    assert!(
        boundary_rows <= 12,
        "{boundary_rows} rows with boundary ties"
    );
}
