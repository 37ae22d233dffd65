//! Split and fold index sets against scikit-learn (`tests/fixtures/prep/splits.json`): exact for
//! the deterministic splitters, per-class sizes for the shuffled stratified split.

mod common;

use kiln_prep::Fold;
use kiln_prep::split::{self, TimeSeriesOptions};

fn folds(value: &serde_json::Value) -> Vec<Fold> {
    serde_json::from_value(value.clone()).unwrap()
}

fn opt(value: &serde_json::Value) -> Option<usize> {
    value.as_u64().map(|v| v as usize)
}

#[test]
fn deterministic_splitters_match_scikit_learn_index_for_index() {
    let fixtures = common::json("splits.json");
    let mut checked = 0;
    for case in fixtures["cases"].as_array().unwrap() {
        let kind = case["kind"].as_str().unwrap();
        let k = case["n_splits"].as_u64().map(|v| v as usize).unwrap_or(0);
        let got = match kind {
            "k_fold" => split::k_fold(case["n"].as_u64().unwrap() as usize, k, None).unwrap(),
            "stratified_k_fold" => {
                let y: Vec<usize> = match case.get("y") {
                    Some(y) => serde_json::from_value(y.clone()).unwrap(),
                    None => {
                        let frame = common::dataset(case["data"].as_str().unwrap());
                        common::class_codes(&frame, case["target"].as_str().unwrap()).0
                    }
                };
                split::stratified_k_fold(&y, k, None).unwrap()
            }
            "group_k_fold" => {
                let frame = common::dataset(case["data"].as_str().unwrap());
                let groups: Vec<i64> = frame
                    .numeric(case["groups"].as_str().unwrap())
                    .unwrap()
                    .iter()
                    .map(|&g| g as i64)
                    .collect();
                split::group_k_fold(&groups, k).unwrap()
            }
            "time_series_split" => {
                let options = TimeSeriesOptions {
                    test_size: opt(&case["test_size"]),
                    gap: case["gap"].as_u64().unwrap() as usize,
                    max_train_size: opt(&case["max_train_size"]),
                };
                split::time_series_split(case["n"].as_u64().unwrap() as usize, k, options).unwrap()
            }
            "train_test_split" => {
                vec![
                    split::train_test_split(
                        case["n"].as_u64().unwrap() as usize,
                        case["test_size"].as_f64().unwrap(),
                        None,
                    )
                    .unwrap(),
                ]
            }
            "stratified_train_test_sizes" => {
                let frame = common::dataset(case["data"].as_str().unwrap());
                let (y, _) = common::class_codes(&frame, case["target"].as_str().unwrap());
                let fold =
                    split::stratified_train_test_split(&y, case["test_size"].as_f64().unwrap(), 42)
                        .unwrap();
                let count =
                    |rows: &[usize], c: usize| rows.iter().filter(|&&i| y[i] == c).count() as u64;
                for (c, label) in ["benign", "malignant"].iter().enumerate() {
                    assert_eq!(
                        count(&fold.train, c),
                        case["train_counts"][label].as_u64().unwrap(),
                        "train {label}"
                    );
                    assert_eq!(
                        count(&fold.test, c),
                        case["test_counts"][label].as_u64().unwrap(),
                        "test {label}"
                    );
                }
                checked += 1;
                continue;
            }
            other => panic!("unknown case kind {other}"),
        };
        assert_eq!(got, folds(&case["folds"]), "{kind} {case:.80}");
        checked += 1;
    }
    assert_eq!(checked, fixtures["cases"].as_array().unwrap().len());
}

#[test]
fn shuffled_folds_partition_rows_keep_class_shares_and_are_seeded() {
    let frame = common::dataset("breast_cancer");
    let (y, _) = common::class_codes(&frame, "diagnosis");
    let a = split::repeated_stratified_k_fold(&y, 5, 3, 7).unwrap();
    assert_eq!(a, split::repeated_stratified_k_fold(&y, 5, 3, 7).unwrap());
    assert_ne!(a, split::repeated_stratified_k_fold(&y, 5, 3, 8).unwrap());
    let plain = split::stratified_k_fold(&y, 5, None).unwrap();
    for (r, repeat) in a.chunks(5).enumerate() {
        let mut seen = vec![0; y.len()];
        for (fold, reference) in repeat.iter().zip(&plain) {
            fold.test.iter().for_each(|&i| seen[i] += 1);
            assert_eq!(fold.train.len() + fold.test.len(), y.len());
            // Same per-class test counts as the unshuffled (scikit-learn-identical) folds.
            for c in 0..2 {
                let n = |rows: &[usize]| rows.iter().filter(|&&i| y[i] == c).count();
                assert_eq!(n(&fold.test), n(&reference.test), "repeat {r} class {c}");
            }
        }
        assert!(
            seen.iter().all(|&s| s == 1),
            "repeat {r}: every row tested exactly once"
        );
    }
    let shuffled = split::k_fold(20, 4, Some(3)).unwrap();
    assert!(shuffled.iter().all(|f| f.test.len() == 5));
    assert_ne!(shuffled, split::k_fold(20, 4, None).unwrap());
}

#[test]
fn three_way_grouped_and_time_ordered_splits() {
    let frame = common::dataset("iris");
    let (y, _) = common::class_codes(&frame, "species");
    let (train, val, test) =
        split::train_validation_test_split(150, 0.2, 0.2, Some(&y), 1).unwrap();
    assert_eq!((train.len(), val.len(), test.len()), (90, 30, 30));
    for set in [&train, &val, &test] {
        let per_class: Vec<usize> = (0..3)
            .map(|c| set.iter().filter(|&&i| y[i] == c).count())
            .collect();
        assert!(
            per_class.iter().all(|&n| n == set.len() / 3),
            "{per_class:?}"
        );
    }
    let mut all: Vec<usize> = train.iter().chain(&val).chain(&test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..150).collect::<Vec<_>>());

    let groups: Vec<u32> = (0..100).map(|i| i / 10).collect();
    let fold = split::group_train_test_split(&groups, 0.3, 5).unwrap();
    assert_eq!(fold.test.len(), 30);
    for g in 0..10 {
        let in_test = fold.test.iter().filter(|&&i| groups[i] == g).count();
        assert!(in_test == 0 || in_test == 10, "group {g} split across sets");
    }

    let times = [5.0, 1.0, 4.0, 2.0, 3.0];
    let fold = split::time_ordered_split(&times, 0.4).unwrap();
    assert_eq!(
        fold,
        Fold {
            train: vec![1, 3, 4],
            test: vec![0, 2]
        }
    );
    let err = split::time_ordered_split(&[1.0, f64::NAN], 0.5)
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 1 has no time"), "{err}");
}

#[test]
fn bad_split_parameters_are_errors() {
    let err = split::k_fold(3, 5, None).unwrap_err().to_string();
    assert!(
        err.contains("n_splits") && err.contains("more than the 3 rows"),
        "{err}"
    );
    let err = split::group_k_fold(&[1, 1, 2], 3).unwrap_err().to_string();
    assert!(err.contains("2 groups"), "{err}");
    let err = split::train_test_split(10, 1.5, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("test_size"), "{err}");
    let err = split::time_series_split(5, 5, TimeSeriesOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no training rows"), "{err}");
}
