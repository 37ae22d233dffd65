//! Edge cases: every one is either a clear error naming the argument or a documented value.
//!
//! Covers empty input, mismatched lengths, NaN, invalid class codes and probabilities, negative
//! and all-zero weights, a single class where a metric is undefined, probability rows that do not
//! sum to 1, zero-division conventions, and the `Metric` enum's names, directions and dispatch.

use kiln_eval::{
    Average, BinStrategy, Direction, EvalError, Metric, OvrAverage, Prediction, average_precision,
    calibration_curve, classification_report, fbeta, log_loss, log_loss_binary,
    precision_recall_curve, precision_recall_fscore, r2_score, roc_auc, roc_auc_ovr, roc_curve,
};

/// A prediction of the kind `metric` accepts, with `n` rows.
fn prediction_for(metric: Metric, values: &[f64]) -> Prediction<'_> {
    use Metric::*;
    match metric {
        Accuracy | BalancedAccuracy | Precision | Recall | F1 | F1Macro | F1Micro | F1Weighted
        | PrecisionMacro | RecallMacro | Mcc => Prediction::Labels(values),
        RocAuc | RocAucOvrWeighted | AveragePrecision | LogLoss | BrierScore => {
            Prediction::Scores(values)
        }
        _ => Prediction::Values(values),
    }
}

#[test]
fn every_metric_rejects_empty_input_naming_the_argument() {
    for metric in Metric::ALL {
        let err = metric
            .compute(&[], prediction_for(metric, &[]), None)
            .unwrap_err();
        assert!(
            matches!(err, EvalError::Empty { arg: "y_true" }),
            "{metric:?}: {err}"
        );
        assert!(
            err.to_string().contains("`y_true` is empty"),
            "{metric:?}: {err}"
        );
    }
}

#[test]
fn every_metric_rejects_mismatched_lengths() {
    for metric in Metric::ALL {
        let err = metric
            .compute(&[0.0, 1.0, 1.0], prediction_for(metric, &[0.0, 1.0]), None)
            .unwrap_err();
        assert!(
            matches!(err, EvalError::LengthMismatch { .. }),
            "{metric:?}: {err}"
        );
        assert!(err.to_string().contains("3 values"), "{metric:?}: {err}");
        if metric == Metric::MaxError {
            continue; // takes no weights
        }
        let err = metric
            .compute(
                &[0.0, 1.0],
                prediction_for(metric, &[0.0, 1.0]),
                Some(&[1.0]),
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("`sample_weight` has 1;"),
            "{metric:?}: {err}"
        );
    }
}

#[test]
fn every_metric_rejects_nan_in_each_input() {
    let good = [0.0, 1.0, 1.0, 0.0];
    let with_nan = [0.0, f64::NAN, 1.0, 0.0];
    for metric in Metric::ALL {
        let err = metric
            .compute(&with_nan, prediction_for(metric, &good), None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EvalError::NonFinite {
                    arg: "y_true",
                    index: 1,
                    ..
                }
            ),
            "{metric:?}: {err}"
        );
        let err = metric
            .compute(&good, prediction_for(metric, &with_nan), None)
            .unwrap_err();
        assert!(
            matches!(err, EvalError::NonFinite { index: 1, .. }),
            "{metric:?}: {err}"
        );
        if metric == Metric::MaxError {
            continue; // takes no weights; see max_error_rejects_weights_instead_of_ignoring_them
        }
        let err = metric
            .compute(&good, prediction_for(metric, &good), Some(&with_nan))
            .unwrap_err();
        assert!(
            matches!(
                err,
                EvalError::NonFinite {
                    arg: "sample_weight",
                    ..
                }
            ),
            "{metric:?}: {err}"
        );
    }
}

#[test]
fn every_metric_rejects_negative_and_all_zero_weights() {
    let y = [0.0, 1.0, 1.0, 0.0];
    for metric in Metric::ALL {
        if metric == Metric::MaxError {
            continue; // takes no weights
        }
        let err = metric
            .compute(&y, prediction_for(metric, &y), Some(&[1.0, -0.5, 1.0, 1.0]))
            .unwrap_err();
        assert!(
            matches!(
                err,
                EvalError::InvalidValue {
                    arg: "sample_weight",
                    index: 1,
                    ..
                }
            ),
            "{metric:?}: {err}"
        );
        assert!(err.to_string().contains("non-negative"), "{err}");
        let err = metric
            .compute(&y, prediction_for(metric, &y), Some(&[0.0; 4]))
            .unwrap_err();
        assert!(
            err.to_string().contains("sample_weight"),
            "{metric:?}: {err}"
        );
    }
}

#[test]
fn max_error_rejects_weights_instead_of_ignoring_them() {
    let err = Metric::MaxError
        .compute(
            &[1.0, 2.0],
            Prediction::Values(&[1.0, 3.0]),
            Some(&[1.0, 1.0]),
        )
        .unwrap_err();
    assert!(err.to_string().contains("sample_weight"), "{err}");
}

#[test]
fn class_codes_must_be_non_negative_integers() {
    let err = kiln_eval::accuracy(&[0.0, 1.5], &[0.0, 1.0], None).unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::InvalidValue {
                arg: "y_true",
                index: 1,
                ..
            }
        ),
        "{err}"
    );
    let err = kiln_eval::accuracy(&[0.0, 1.0], &[-1.0, 1.0], None).unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::InvalidValue {
                arg: "y_pred",
                index: 0,
                ..
            }
        ),
        "{err}"
    );
    let err = roc_auc(&[0.0, 2.0], &[0.1, 0.9], None).unwrap_err();
    assert!(err.to_string().contains("0 or 1"), "{err}");
}

#[test]
fn roc_auc_with_a_single_class_is_an_error_naming_it() {
    let err = roc_auc(&[1.0, 1.0, 1.0], &[0.2, 0.5, 0.9], None).unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::Undefined {
                metric: "ROC-AUC",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("only one class (1)"), "{err}");
    // The class is present but all of its rows have zero weight: still undefined, not NaN.
    let err = roc_auc(&[0.0, 1.0, 1.0], &[0.2, 0.5, 0.9], Some(&[0.0, 1.0, 1.0])).unwrap_err();
    assert!(err.to_string().contains("no negatives"), "{err}");
    let err = roc_curve(&[0.0, 0.0], &[0.2, 0.5], None, true).unwrap_err();
    assert!(err.to_string().contains("no positives"), "{err}");
    let p = [0.5, 0.3, 0.2, 0.2, 0.5, 0.3];
    let err = roc_auc_ovr(&[0.0, 1.0], &p, 3, OvrAverage::Macro, None).unwrap_err();
    assert!(err.to_string().contains("class 2 never occurs"), "{err}");
}

#[test]
fn probability_rows_must_sum_to_one() {
    let p = [0.5, 0.6, 0.2, 0.8];
    let err = log_loss(&[0.0, 1.0], &p, 2, None).unwrap_err();
    assert!(
        matches!(err, EvalError::InvalidParameter { arg: "y_proba", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("row 0"), "{err}");
    let err = roc_auc_ovr(&[0.0, 1.0], &p, 2, OvrAverage::Macro, None).unwrap_err();
    assert!(err.to_string().contains("summing to 1"), "{err}");
    // Within scikit-learn's tolerance (1e-8 + sqrt(eps)) a row is accepted.
    let q = [0.5 + 1e-9, 0.5, 0.2, 0.8];
    assert!(log_loss(&[0.0, 1.0], &q, 2, None).is_ok());
}

#[test]
fn probabilities_outside_the_unit_interval_are_rejected() {
    let err = log_loss_binary(&[0.0, 1.0], &[0.5, 1.2], None).unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::InvalidValue {
                arg: "y_prob",
                index: 1,
                ..
            }
        ),
        "{err}"
    );
    let err = calibration_curve(&[0.0, 1.0], &[-0.1, 0.5], 5, BinStrategy::Uniform).unwrap_err();
    assert!(err.to_string().contains("[0, 1]"), "{err}");
    let err = log_loss(&[0.0, 3.0], &[0.5, 0.5, 0.5, 0.5], 2, None).unwrap_err();
    assert!(err.to_string().contains("below n_classes"), "{err}");
}

#[test]
fn log_loss_clips_certain_mistakes_to_a_finite_value() {
    let loss = log_loss_binary(&[1.0], &[0.0], None).unwrap();
    assert_eq!(loss, -f64::EPSILON.ln());
}

#[test]
fn zero_division_gives_zero() {
    // Class 2 is never predicted: its precision is 0/0 -> 0.
    let per = kiln_eval::per_class_scores(&[0.0, 1.0, 2.0], &[0.0, 1.0, 1.0], 1.0, None).unwrap();
    assert_eq!(per.precision, vec![1.0, 0.5, 0.0]);
    assert_eq!(per.f_score[2], 0.0);
    // No positives anywhere with a binary average: every ratio is 0.
    let s = precision_recall_fscore(
        &[0.0, 0.0],
        &[0.0, 0.0],
        1.0,
        Average::Binary { pos_label: 1 },
        None,
    )
    .unwrap();
    assert_eq!((s.precision, s.recall, s.f_score), (0.0, 0.0, 0.0));
    // Average precision without positives is 0 (scikit-learn's value), the PR curve has recall 1.
    assert_eq!(
        average_precision(&[0.0, 0.0], &[0.2, 0.7], None).unwrap(),
        0.0
    );
    let pr = precision_recall_curve(&[0.0, 0.0], &[0.2, 0.7], None, false).unwrap();
    assert_eq!(pr.recall, vec![1.0, 1.0, 0.0]);
}

#[test]
fn binary_average_checks_its_classes_and_pos_label() {
    let err = precision_recall_fscore(
        &[0.0, 1.0, 2.0],
        &[0.0, 1.0, 2.0],
        1.0,
        Average::Binary { pos_label: 1 },
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("3 classes"), "{err}");
    let err = precision_recall_fscore(
        &[0.0, 2.0],
        &[0.0, 2.0],
        1.0,
        Average::Binary { pos_label: 1 },
        None,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::InvalidParameter {
                arg: "pos_label",
                ..
            }
        ),
        "{err}"
    );
    let err = fbeta(&[0.0, 1.0], &[0.0, 1.0], -1.0, Average::Macro, None).unwrap_err();
    assert!(
        matches!(err, EvalError::InvalidParameter { arg: "beta", .. }),
        "{err}"
    );
}

#[test]
fn other_parameter_errors_name_the_parameter() {
    let err = r2_score(&[1.0], &[1.0], None).unwrap_err();
    assert!(err.to_string().contains("at least 2 rows"), "{err}");
    let err = calibration_curve(&[0.0, 1.0], &[0.1, 0.5], 0, BinStrategy::Quantile).unwrap_err();
    assert!(
        matches!(err, EvalError::InvalidParameter { arg: "n_bins", .. }),
        "{err}"
    );
    let err = log_loss(&[0.0, 0.0], &[1.0, 1.0], 1, None).unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::InvalidParameter {
                arg: "n_classes",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn constant_target_r2_follows_force_finite() {
    assert_eq!(r2_score(&[2.0, 2.0], &[2.0, 2.0], None).unwrap(), 1.0);
    assert_eq!(r2_score(&[2.0, 2.0], &[1.0, 2.0], None).unwrap(), 0.0);
}

#[test]
fn metric_names_round_trip_through_serde_and_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for metric in Metric::ALL {
        let json = serde_json::to_string(&metric).unwrap();
        assert_eq!(json, format!("\"{}\"", metric.name()));
        assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), metric);
        assert!(
            seen.insert(metric.name()),
            "duplicate name {}",
            metric.name()
        );
    }
    assert!(serde_json::from_str::<Metric>("\"auc_roc\"").is_err());
}

#[test]
fn metric_directions() {
    assert_eq!(Metric::RocAuc.direction(), Direction::HigherIsBetter);
    assert_eq!(Metric::R2.direction(), Direction::HigherIsBetter);
    assert_eq!(Metric::LogLoss.direction(), Direction::LowerIsBetter);
    assert_eq!(Metric::Rmse.direction(), Direction::LowerIsBetter);
    assert!(Metric::Mae.is_better(0.1, 0.2));
    assert!(Metric::Accuracy.is_better(0.9, 0.8));
}

#[test]
fn metric_dispatch_checks_the_prediction_kind_and_uses_argmax_for_labels() {
    let err = Metric::Rmse
        .compute(&[1.0], Prediction::Labels(&[1.0]), None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::WrongPrediction {
                metric: "rmse",
                got: "labels",
                ..
            }
        ),
        "{err}"
    );
    let err = Metric::Accuracy
        .compute(&[1.0], Prediction::Scores(&[0.9]), None)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`accuracy` needs labels or probabilities"),
        "{err}"
    );
    let proba = [0.9, 0.1, 0.3, 0.7, 0.6, 0.4];
    let probabilities = Prediction::Probabilities {
        values: &proba,
        n_classes: 2,
    };
    let acc = Metric::Accuracy
        .compute(&[0.0, 1.0, 1.0], probabilities, None)
        .unwrap();
    assert_eq!(acc, 2.0 / 3.0);
    // With two columns, ROC-AUC from probabilities equals ROC-AUC of column 1.
    let auc = Metric::RocAuc
        .compute(&[0.0, 1.0, 1.0], probabilities, None)
        .unwrap();
    assert_eq!(
        auc,
        roc_auc(&[0.0, 1.0, 1.0], &[0.1, 0.7, 0.4], None).unwrap()
    );
}

#[test]
fn report_text_has_one_line_per_class_and_average() {
    let r = classification_report(&[0.0, 1.0, 1.0, 2.0], &[0.0, 1.0, 2.0, 2.0], None).unwrap();
    let text = r.to_string();
    assert_eq!(text.lines().count(), 2 + 3 + 1 + 3, "{text}");
    assert!(text.contains("weighted avg"), "{text}");
    assert_eq!(
        serde_json::from_str::<kiln_eval::ClassificationReport>(
            &serde_json::to_string(&r).unwrap()
        )
        .unwrap(),
        r
    );
}
