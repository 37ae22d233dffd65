//! Regression metrics against scikit-learn 1.9 on the committed fixtures
//! (`tests/fixtures/eval/regression.json`).
//!
//! Tolerance: 1e-12, absolute for values in [-1, 1] and relative above — targets go up to ~300
//! in magnitude, so MSE reaches ~1e5 and MAPE with zero targets ~1e16, where only a relative
//! bound is meaningful.

mod common;

use common::{Worst, load_cases, num, nums, weights};
use kiln_eval::{
    explained_variance, max_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_error, median_absolute_error, r2_score, root_mean_squared_error,
};

const TOL: f64 = 1e-12;

type RegressionFn = fn(&[f64], &[f64], Option<&[f64]>) -> kiln_eval::Result<f64>;

#[test]
fn regression_metrics_match_scikit_learn() {
    let cases = load_cases("regression.json");
    let metrics: [(&str, RegressionFn); 7] = [
        ("mse", mean_squared_error),
        ("rmse", root_mean_squared_error),
        ("mae", mean_absolute_error),
        ("r2", r2_score),
        ("explained_variance", explained_variance),
        ("mape", mean_absolute_percentage_error),
        ("median_absolute_error", median_absolute_error),
    ];
    let mut worst = Worst::new(TOL);
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (y, p, w) = (nums(&case["y_true"]), nums(&case["y_pred"]), weights(case));
        let e = &case["expected"];
        for (metric, f) in metrics {
            worst.check(
                name,
                metric,
                f(&y, &p, w.as_deref()).unwrap(),
                num(&e[metric]),
            );
        }
        worst.check(
            name,
            "max_error",
            max_error(&y, &p).unwrap(),
            num(&e["max_error"]),
        );
    }
    assert!(worst.report("regression metrics") > 0);
}
