//! Score and probability metrics against scikit-learn 1.9 on the committed fixtures
//! (`binary_scores.json`, `multiclass_proba.json` under `tests/fixtures/eval/`).
//!
//! Tolerance: 1e-12, absolute for values in [-1, 1] and relative above (log-loss reaches ~36).
//! Curves are compared point by point, including their lengths and thresholds.

mod common;

use common::{Worst, load_cases, num, nums, weights};
use kiln_eval::{
    BinStrategy, EvalError, OvrAverage, average_precision, brier_score, brier_score_multiclass,
    calibration_curve, log_loss, log_loss_binary, precision_recall_curve, roc_auc, roc_auc_ovr,
    roc_curve,
};

const TOL: f64 = 1e-12;

#[test]
fn binary_score_metrics_match_scikit_learn() {
    let cases = load_cases("binary_scores.json");
    let mut worst = Worst::new(TOL);
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (y, s, w) = (nums(&case["y_true"]), nums(&case["y_score"]), weights(case));
        let w = w.as_deref();
        let e = &case["expected"];
        if e.get("roc_auc_error").is_some() {
            assert!(
                matches!(roc_auc(&y, &s, w), Err(EvalError::Undefined { .. })),
                "{name}: scikit-learn raises for ROC-AUC"
            );
        } else {
            worst.check(
                name,
                "roc_auc",
                roc_auc(&y, &s, w).unwrap(),
                num(&e["roc_auc"]),
            );
            for drop in [true, false] {
                let c = roc_curve(&y, &s, w, drop).unwrap();
                let x = &e[format!("roc_curve_drop_{}", if drop { "True" } else { "False" })];
                worst.check_all(name, "roc_curve_fpr", &c.fpr, &nums(&x["fpr"]));
                worst.check_all(name, "roc_curve_tpr", &c.tpr, &nums(&x["tpr"]));
                worst.check_all(
                    name,
                    "roc_curve_thresholds",
                    &c.thresholds,
                    &nums(&x["thresholds"]),
                );
            }
        }
        for drop in [false, true] {
            let c = precision_recall_curve(&y, &s, w, drop).unwrap();
            let x = &e[format!("pr_curve_drop_{}", if drop { "True" } else { "False" })];
            worst.check_all(
                name,
                "pr_curve_precision",
                &c.precision,
                &nums(&x["precision"]),
            );
            worst.check_all(name, "pr_curve_recall", &c.recall, &nums(&x["recall"]));
            worst.check_all(
                name,
                "pr_curve_thresholds",
                &c.thresholds,
                &nums(&x["thresholds"]),
            );
        }
        worst.check(
            name,
            "average_precision",
            average_precision(&y, &s, w).unwrap(),
            num(&e["average_precision"]),
        );
        worst.check(
            name,
            "log_loss_binary",
            log_loss_binary(&y, &s, w).unwrap(),
            num(&e["log_loss"]),
        );
        worst.check(
            name,
            "brier_score",
            brier_score(&y, &s, w).unwrap(),
            num(&e["brier"]),
        );
        for (strategy, label) in [
            (BinStrategy::Uniform, "uniform"),
            (BinStrategy::Quantile, "quantile"),
        ] {
            for n_bins in [5, 10] {
                let c = calibration_curve(&y, &s, n_bins, strategy).unwrap();
                let x = &e[format!("calibration_{label}_{n_bins}")];
                worst.check_all(
                    name,
                    "calibration_prob_true",
                    &c.prob_true,
                    &nums(&x["prob_true"]),
                );
                worst.check_all(
                    name,
                    "calibration_prob_pred",
                    &c.prob_pred,
                    &nums(&x["prob_pred"]),
                );
            }
        }
    }
    assert!(worst.report("binary score metrics") > 0);
}

#[test]
fn multiclass_probability_metrics_match_scikit_learn() {
    let cases = load_cases("multiclass_proba.json");
    let mut worst = Worst::new(TOL);
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (y, p, w) = (nums(&case["y_true"]), nums(&case["y_proba"]), weights(case));
        let w = w.as_deref();
        let k = case["n_classes"].as_u64().unwrap() as usize;
        let e = &case["expected"];
        worst.check(
            name,
            "log_loss",
            log_loss(&y, &p, k, w).unwrap(),
            num(&e["log_loss"]),
        );
        worst.check(
            name,
            "brier_multiclass",
            brier_score_multiclass(&y, &p, k, w).unwrap(),
            num(&e["brier"]),
        );
        for (avg, key) in [
            (OvrAverage::Macro, "macro"),
            (OvrAverage::Weighted, "weighted"),
        ] {
            worst.check(
                name,
                &format!("roc_auc_ovr_{key}"),
                roc_auc_ovr(&y, &p, k, avg, w).unwrap(),
                num(&e[format!("roc_auc_ovr_{key}")]),
            );
        }
    }
    assert!(worst.report("multiclass probability metrics") > 0);
}
