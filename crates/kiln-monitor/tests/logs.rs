//! Prediction drift and performance over time windows, on synthetic joined prediction logs
//! with the columns kiln serve writes: window boundaries and empty windows, a shifted
//! prediction distribution flagged only where it shifted, alerts exactly where the metric drops,
//! the min-labels rule, metric values against kiln-eval and hand computation, and bad input.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray};
use kiln_data::{ColumnType, Field, Frame, Schema};
use kiln_eval::{Average, Metric, Predictions};
use kiln_monitor::logs::{
    Alert, LogFilter, ModelKind, PerformanceOptions, PerformanceStatus, PredictionDriftOptions,
    ReferenceChoice, WindowDriftStatus, WindowSpec, performance, prediction_drift,
    prediction_reference,
};

const HOUR: i64 = 3_600_000_000;
/// 2024-10-04T00:00:00 UTC.
const DAY0: i64 = 20_000 * 24 * HOUR;

/// One logged row.
#[derive(Clone)]
struct Row {
    t: i64,
    model: &'static str,
    version: i64,
    prediction: f64,
    label: Option<String>,
    probabilities: Option<Vec<f64>>,
    feedback: Option<String>,
}

/// The joined log frame of `rows`, leaving out the columns named in `drop`.
fn log_of(rows: &[Row], drop: &[&str]) -> Frame {
    let text = |v: Vec<Option<String>>| Arc::new(StringArray::from(v)) as ArrayRef;
    let columns: Vec<(Field, ArrayRef)> = vec![
        (
            Field::new("request_id", ColumnType::Text),
            text((0..rows.len()).map(|i| Some(format!("r{i}"))).collect()),
        ),
        (
            Field::new("row", ColumnType::Integer),
            Arc::new(Int64Array::from(vec![0; rows.len()])),
        ),
        (
            Field::new("timestamp", ColumnType::Datetime),
            Arc::new(TimestampMicrosecondArray::from(
                rows.iter().map(|r| r.t).collect::<Vec<_>>(),
            )),
        ),
        (
            Field::new("model", ColumnType::Text),
            text(rows.iter().map(|r| Some(r.model.to_string())).collect()),
        ),
        (
            Field::new("version", ColumnType::Integer),
            Arc::new(Int64Array::from(
                rows.iter().map(|r| r.version).collect::<Vec<_>>(),
            )),
        ),
        (
            Field::new("inputs", ColumnType::Text),
            text(vec![Some("{}".to_string()); rows.len()]),
        ),
        (
            Field::new("prediction", ColumnType::Numeric),
            Arc::new(Float64Array::from(
                rows.iter().map(|r| r.prediction).collect::<Vec<_>>(),
            )),
        ),
        (
            Field::new("label", ColumnType::Text),
            text(rows.iter().map(|r| r.label.clone()).collect()),
        ),
        (
            Field::new("probabilities", ColumnType::Text),
            text(
                rows.iter()
                    .map(|r| {
                        r.probabilities
                            .as_ref()
                            .map(|p| serde_json::to_string(p).unwrap())
                    })
                    .collect(),
            ),
        ),
        (
            Field::new("feedback_label", ColumnType::Text),
            text(rows.iter().map(|r| r.feedback.clone()).collect()),
        ),
        (
            Field::new("feedback_at", ColumnType::Datetime),
            Arc::new(TimestampMicrosecondArray::from(
                rows.iter()
                    .map(|r| r.feedback.as_ref().map(|_| r.t + HOUR))
                    .collect::<Vec<_>>(),
            )),
        ),
    ];
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns
        .into_iter()
        .filter(|(f, _)| !drop.contains(&f.name.as_str()))
        .unzip();
    Frame::new(Schema::new(fields).unwrap(), arrays).unwrap()
}

fn binary() -> ModelKind {
    ModelKind::Classification {
        classes: vec!["no".into(), "yes".into()],
    }
}

/// A low-discrepancy sequence in [0, 1): evenly spread, deterministic.
fn spread(j: usize) -> f64 {
    (j as f64 * 0.618_033_988_749_895).fract()
}

/// Row `j` of a binary classifier whose answer is "yes" on `yes_every`-th rows out of 10.
fn class_row(t: i64, j: usize, yes_per_10: usize) -> Row {
    let yes = j % 10 < yes_per_10;
    let p_yes = if yes {
        0.6 + 0.35 * spread(j)
    } else {
        0.05 + 0.35 * spread(j)
    };
    Row {
        t,
        model: "churn",
        version: 1,
        prediction: if yes { 1.0 } else { 0.0 },
        label: Some(if yes { "yes" } else { "no" }.into()),
        probabilities: Some(vec![1.0 - p_yes, p_yes]),
        feedback: None,
    }
}

/// `per_window` rows in each hour from DAY0, the answer shifted to `shifted` yes-per-10 in
/// the windows listed.
fn shifted_log(windows: usize, per_window: usize, shifted_windows: &[usize]) -> Vec<Row> {
    let mut rows = Vec::new();
    for w in 0..windows {
        let yes = if shifted_windows.contains(&w) { 6 } else { 2 };
        for j in 0..per_window {
            let t = DAY0 + w as i64 * HOUR + (j as i64 * HOUR) / per_window as i64;
            rows.push(class_row(t, j, yes));
        }
    }
    rows
}

/// The stored reference: 500 test-set predictions with 2 "yes" in 10.
fn stored_reference() -> kiln_monitor::drift::ReferenceProfile {
    let rows: Vec<Row> = (0..500).map(|j| class_row(0, j, 2)).collect();
    let p = Predictions {
        values: rows.iter().map(|r| r.prediction).collect(),
        labels: Some(rows.iter().map(|r| r.label.clone().unwrap()).collect()),
        probabilities: Some(
            ndarray::Array2::from_shape_vec(
                (rows.len(), 2),
                rows.iter()
                    .flat_map(|r| r.probabilities.clone().unwrap())
                    .collect(),
            )
            .unwrap(),
        ),
    };
    prediction_reference(&binary(), &p).unwrap()
}

fn filter() -> LogFilter {
    LogFilter {
        model: "churn".into(),
        version: None,
    }
}

#[test]
fn a_shifted_prediction_distribution_is_flagged_only_in_the_shifted_windows() {
    let log = log_of(&shifted_log(6, 200, &[3, 4]), &[]);
    let mut options =
        PredictionDriftOptions::new(filter(), binary(), WindowSpec::parse("1h").unwrap());
    options.reference = ReferenceChoice::Stored(Box::new(stored_reference()));
    options.probabilities = true;
    let report = prediction_drift(&log, &options).unwrap();
    assert_eq!(report.columns, vec!["prediction", "proba_yes"]);
    assert_eq!(report.reference_rows, 500);
    assert!(
        report.reference.contains("500 test rows"),
        "{}",
        report.reference
    );
    let statuses: Vec<WindowDriftStatus> = report.windows.iter().map(|w| w.status).collect();
    use WindowDriftStatus::*;
    assert_eq!(
        statuses,
        vec![NoDrift, NoDrift, NoDrift, Drift, Drift, NoDrift]
    );
    assert_eq!((report.tested_windows, report.drifted_windows), (6, 2));
    for w in &report.windows {
        let p = w.prediction.as_ref().unwrap();
        // 500 reference rows (≤ 1000) and two values: Evidently's two-proportion z test.
        assert_eq!(p.method.name(), "z");
        // Identical shares (exactly 2 in 10 on both sides) give z = 0 and p = 1; 6 in 10
        // against 2 in 10 over 200 rows is far beyond any noise. Tolerance 1e-12 on p = 1.
        if w.status == NoDrift {
            assert!((p.p_value.unwrap() - 1.0).abs() < 1e-12, "{p:?}");
        } else {
            assert!(p.p_value.unwrap() < 1e-20, "{p:?}");
        }
        assert_eq!(w.probabilities.len(), 1);
        assert_eq!(w.probabilities[0].method.name(), "ks");
        assert_eq!(w.probabilities[0].drifted, w.status == Drift);
        assert_eq!(w.window.rows, 200);
    }
    assert_eq!(report.windows[3].window.start, "2024-10-04T03:00:00");
    assert_eq!(report.windows[3].window.end, "2024-10-04T04:00:00");
}

#[test]
fn without_a_stored_reference_the_first_full_window_is_the_reference_and_says_so() {
    // Window 0 has 10 rows (below min_rows), so window 1 becomes the reference; window 2 is
    // empty; window 4 shifted.
    let mut rows: Vec<Row> = shifted_log(5, 100, &[4])
        .into_iter()
        .filter(|r| r.t < DAY0 + 2 * HOUR || r.t >= DAY0 + 3 * HOUR)
        .collect();
    rows.retain(|r| r.t >= DAY0 + HOUR || r.t < DAY0 + HOUR / 10);
    let log = log_of(&rows, &[]);
    let options = PredictionDriftOptions::new(filter(), binary(), WindowSpec::parse("1h").unwrap());
    let report = prediction_drift(&log, &options).unwrap();
    let summary: Vec<(usize, WindowDriftStatus)> = report
        .windows
        .iter()
        .map(|w| (w.window.rows, w.status))
        .collect();
    use WindowDriftStatus::*;
    assert_eq!(
        summary,
        vec![
            (10, TooFewRows),
            (100, Reference),
            (0, TooFewRows),
            (100, NoDrift),
            (100, Drift),
        ]
    );
    assert_eq!(
        report.reference_window.as_deref(),
        Some("2024-10-04T01:00:00")
    );
    assert!(
        report.reference.contains("no stored test-set predictions"),
        "{}",
        report.reference
    );
    // A reference window the caller names.
    let mut named = options.clone();
    named.reference = ReferenceChoice::WindowAt(DAY0 + 4 * HOUR + 5);
    let report = prediction_drift(&log, &named).unwrap();
    assert_eq!(report.windows[4].status, Reference);
    assert_eq!(report.windows[3].status, Drift);
    assert_eq!(report.windows[1].status, Drift);
    // Outside the log, or too small.
    named.reference = ReferenceChoice::WindowAt(DAY0 + 30 * HOUR);
    let e = prediction_drift(&log, &named).unwrap_err().to_string();
    assert!(e.contains("outside the logged windows"), "{e}");
    named.reference = ReferenceChoice::WindowAt(DAY0 + 5);
    let e = prediction_drift(&log, &named).unwrap_err().to_string();
    assert!(e.contains("has 10 rows; expected at least 30"), "{e}");
}

#[test]
fn regression_values_drift_with_a_numeric_test_and_versions_are_listed() {
    let mut rows = Vec::new();
    for w in 0..4 {
        for j in 0..150 {
            let shift = if w == 2 { 3.0 } else { 0.0 };
            rows.push(Row {
                t: DAY0 + w * 24 * HOUR + j as i64 * 1000,
                model: "price",
                version: if w < 2 { 1 } else { 2 },
                prediction: 100.0 + 10.0 * spread(j) + shift,
                label: None,
                probabilities: None,
                feedback: None,
            });
        }
    }
    let log = log_of(&rows, &[]);
    let filter = LogFilter {
        model: "price".into(),
        version: None,
    };
    let options = PredictionDriftOptions::new(
        filter.clone(),
        ModelKind::Regression,
        WindowSpec::parse("1d").unwrap(),
    );
    let report = prediction_drift(&log, &options).unwrap();
    let got: Vec<(WindowDriftStatus, Vec<u32>)> = report
        .windows
        .iter()
        .map(|w| (w.status, w.window.versions.clone()))
        .collect();
    use WindowDriftStatus::*;
    assert_eq!(
        got,
        vec![
            (Reference, vec![1]),
            (NoDrift, vec![1]),
            (Drift, vec![2]),
            (NoDrift, vec![2]),
        ]
    );
    assert_eq!(
        report.windows[2].prediction.as_ref().unwrap().method.name(),
        "ks"
    );
    // One version only.
    let mut v2 = options.clone();
    v2.filter.version = Some(2);
    v2.window.since = Some(DAY0 + 2 * 24 * HOUR);
    let report = prediction_drift(&log, &v2).unwrap();
    assert_eq!(report.rows, 300);
    assert_eq!(report.windows.len(), 2);
    // Probabilities of a regressor are refused.
    let mut p = options.clone();
    p.probabilities = true;
    let e = prediction_drift(&log, &p).unwrap_err().to_string();
    assert!(
        e.contains("regression model has no class probabilities"),
        "{e}"
    );
}

/// A day of `n` labelled rows of which `correct` are answered right (truth alternates).
fn labelled_day(day: i64, n: usize, correct: usize, unlabelled: usize) -> Vec<Row> {
    (0..n + unlabelled)
        .map(|j| {
            let truth_yes = j % 2 == 0;
            let right = j < correct;
            let predicted_yes = truth_yes == right;
            let p_yes = if predicted_yes {
                0.55 + 0.4 * spread(j)
            } else {
                0.05 + 0.4 * spread(j)
            };
            Row {
                t: DAY0 + day * 24 * HOUR + j as i64 * 1_000_000,
                model: "churn",
                version: 1,
                prediction: if predicted_yes { 1.0 } else { 0.0 },
                label: Some(if predicted_yes { "yes" } else { "no" }.into()),
                probabilities: Some(vec![1.0 - p_yes, p_yes]),
                feedback: (j < n).then(|| if truth_yes { "yes" } else { "no" }.into()),
            }
        })
        .collect()
}

#[test]
fn performance_alerts_exactly_where_the_metric_drops_and_respects_min_labels() {
    let mut rows = Vec::new();
    rows.extend(labelled_day(0, 50, 45, 20)); // 0.90
    rows.extend(labelled_day(1, 50, 46, 0)); // 0.92
    rows.extend(labelled_day(2, 50, 30, 5)); // 0.60: alert
    rows.extend(labelled_day(3, 10, 2, 0)); // 0.20 but only 10 labels
    rows.extend(labelled_day(4, 0, 0, 40)); // no labels
    rows.extend(labelled_day(6, 40, 28, 0)); // 0.70: alert, after an empty day 5
    let log = log_of(&rows, &[]);
    let mut options = PerformanceOptions::new(filter(), binary(), WindowSpec::parse("1d").unwrap());
    options.alert = Some(Alert::Below(0.8));
    let report = performance(&log, &options).unwrap();
    use PerformanceStatus as S;
    let got: Vec<(usize, usize, PerformanceStatus, Option<f64>)> = report
        .windows
        .iter()
        .map(|w| (w.window.rows, w.labelled, w.status, w.value))
        .collect();
    // Accuracy is a ratio of small integers: exact in f64 up to one rounding (tolerance 1e-15).
    let expect = [
        (70, 50, S::Ok, Some(0.9)),
        (50, 50, S::Ok, Some(0.92)),
        (55, 50, S::Alert, Some(0.6)),
        (10, 10, S::TooFewLabels, Some(0.2)),
        (40, 0, S::NoLabels, None),
        (0, 0, S::NoLabels, None),
        (40, 40, S::Alert, Some(0.7)),
    ];
    assert_eq!(got.len(), expect.len());
    for (g, e) in got.iter().zip(expect) {
        assert_eq!((g.0, g.1, g.2), (e.0, e.1, e.2), "{g:?}");
        match (g.3, e.3) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-15, "{a} vs {b}"),
            (a, b) => assert_eq!(a, b),
        }
    }
    assert_eq!(report.alerts, 2);
    assert_eq!(report.labelled_rows, 200);
    assert_eq!(report.min_labels, 30);

    // Day 0 by hand: truth alternates yes/no over 50 rows; rows 0..45 right, 45..50 wrong.
    // Wrong rows 45..50: truth yes at 46, 48 (predicted no), no at 45, 47, 49 (predicted yes).
    // yes: TP 23, FN 2, FP 3 → P 23/26, R 23/25; no: TP 22, FN 3, FP 2 → P 22/24, R 22/25.
    let f1 = |p: f64, r: f64| 2.0 * p * r / (p + r);
    let by_hand = (f1(23.0 / 26.0, 23.0 / 25.0) + f1(22.0 / 24.0, 22.0 / 25.0)) / 2.0;
    let day0 = &report.windows[0];
    // Hand computation and kiln-eval agree to rounding (tolerance 1e-12).
    assert!((day0.metrics["f1_macro"] - by_hand).abs() < 1e-12);
    // ROC-AUC against kiln-eval on the same labelled rows (the same function: exact).
    let day0_rows = labelled_day(0, 50, 45, 0);
    let y: Vec<f64> = day0_rows
        .iter()
        .map(|r| (r.feedback.as_deref() == Some("yes")) as u8 as f64)
        .collect();
    let s: Vec<f64> = day0_rows
        .iter()
        .map(|r| r.probabilities.as_ref().unwrap()[1])
        .collect();
    assert_eq!(
        day0.metrics["roc_auc"],
        kiln_eval::roc_auc(&y, &s, None).unwrap()
    );
    let pred: Vec<f64> = day0_rows.iter().map(|r| r.prediction).collect();
    assert_eq!(
        day0.metrics["f1_macro"],
        kiln_eval::f1(&y, &pred, Average::Macro, None).unwrap()
    );

    // min_labels 10 judges day 3 too.
    options.min_labels = 10;
    let report = performance(&log, &options).unwrap();
    assert_eq!(report.windows[3].status, S::Alert);
    assert_eq!(report.alerts, 3);

    // A probability metric: ROC-AUC with an alert; a day whose labels are all one class has no
    // ROC-AUC and says why.
    let mut one_class = labelled_day(0, 40, 40, 0);
    for r in &mut one_class {
        r.feedback = Some("yes".into());
    }
    let log = log_of(&one_class, &[]);
    options.metric = Metric::RocAuc;
    let report = performance(&log, &options).unwrap();
    assert_eq!(report.windows[0].status, S::Undefined);
    assert!(
        report.windows[0]
            .note
            .as_deref()
            .unwrap_or("")
            .contains("ROC"),
        "{:?}",
        report.windows[0].note
    );
}

#[test]
fn unknown_classification_labels_count_as_wrong_and_bad_regression_labels_are_left_out() {
    let mut rows = labelled_day(0, 40, 40, 0);
    rows[0].feedback = Some("maybe".into());
    rows[1].feedback = Some("maybe".into());
    let log = log_of(&rows, &[]);
    let options = PerformanceOptions::new(filter(), binary(), WindowSpec::parse("1d").unwrap());
    let w = &performance(&log, &options).unwrap().windows[0];
    assert_eq!((w.labelled, w.unknown_labels), (40, 2));
    // 38 of 40 right (the two unknown labels cannot be); exact ratio, tolerance 1e-15.
    assert!((w.value.unwrap() - 0.95).abs() < 1e-15);
    assert!(!w.metrics.contains_key("roc_auc"));

    // Regression: errors of ±1 on day 0 and ±3 on day 1; one label is not a number.
    let mut rows = Vec::new();
    for day in 0..2 {
        let err = if day == 0 { 1.0 } else { 3.0 };
        for j in 0..40 {
            let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
            rows.push(Row {
                t: DAY0 + day * 24 * HOUR + j as i64,
                model: "price",
                version: 1,
                prediction: 50.0 + sign * err,
                label: None,
                probabilities: None,
                feedback: Some(if day == 1 && j == 0 {
                    "n/a".into()
                } else {
                    "50".into()
                }),
            });
        }
    }
    let log = log_of(&rows, &[]);
    let mut options = PerformanceOptions::new(
        LogFilter {
            model: "price".into(),
            version: None,
        },
        ModelKind::Regression,
        WindowSpec::parse("1d").unwrap(),
    );
    options.alert = Some(Alert::Above(2.0));
    let report = performance(&log, &options).unwrap();
    let (a, b) = (&report.windows[0], &report.windows[1]);
    // |error| is 1 or 3 on every row, so RMSE = MAE = 1 or 3 (tolerance 1e-12).
    assert!((a.metrics["rmse"] - 1.0).abs() < 1e-12 && (a.metrics["mae"] - 1.0).abs() < 1e-12);
    assert!((b.metrics["rmse"] - 3.0).abs() < 1e-12 && (b.metrics["mae"] - 3.0).abs() < 1e-12);
    assert_eq!(
        (a.status, b.status),
        (PerformanceStatus::Ok, PerformanceStatus::Alert)
    );
    assert_eq!((b.labelled, b.invalid_labels), (39, 1));
}

#[test]
fn bad_input_gets_clear_errors() {
    let rows = shifted_log(2, 50, &[]);
    let log = log_of(&rows, &[]);
    let window = WindowSpec::parse("1h").unwrap();
    let drift = |log: &Frame, options: &PredictionDriftOptions| {
        prediction_drift(log, options).unwrap_err().to_string()
    };
    let base = PredictionDriftOptions::new(filter(), binary(), window);

    // No rows at all.
    let e = drift(&log_of(&[], &[]), &base);
    assert!(e.starts_with("prediction log: has no rows"), "{e}");
    // Unknown model, unknown version.
    let mut o = base.clone();
    o.filter.model = "nope".into();
    let e = drift(&log, &o);
    assert_eq!(
        e,
        "prediction log: has no rows of model 'nope'; it has rows of: churn"
    );
    let mut o = base.clone();
    o.filter.version = Some(4);
    let e = drift(&log, &o);
    assert!(
        e.contains("no rows of churn version 4; it has versions 1"),
        "{e}"
    );
    // A range holding no row.
    let mut o = base.clone();
    o.window.since = Some(DAY0 + 10 * HOUR);
    let e = drift(&log, &o);
    assert!(
        e.contains(
            "has no rows of churn from 2024-10-04T10:00:00 to the end; its rows run from 2024-10-04"
        ),
        "{e}"
    );
    let mut o = base.clone();
    o.window.since = Some(DAY0 + HOUR);
    o.window.until = Some(DAY0);
    assert!(drift(&log, &o).contains("is not before until"));
    // Bad window text.
    let e = WindowSpec::parse("an hour").unwrap_err().to_string();
    assert!(
        e.starts_with("window = an hour; expected a positive whole number"),
        "{e}"
    );
    // Missing and mistyped columns.
    for missing in ["timestamp", "model", "prediction", "label"] {
        let e = drift(&log_of(&rows, &[missing]), &base);
        assert!(
            e.starts_with(&format!(
                "column '{missing}': is missing from the prediction log"
            )),
            "{e}"
        );
    }
    let e = performance(
        &log_of(&rows, &["feedback_label"]),
        &PerformanceOptions::new(filter(), binary(), window),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("'feedback_label': is missing"), "{e}");
    // Too few rows everywhere for a window reference.
    let mut o = base.clone();
    o.min_rows = 51;
    assert!(drift(&log, &o).contains("no window of 1h has 51 rows or more"));
    o.min_rows = 0;
    assert!(drift(&log, &o).starts_with("min_rows = 0"));
    // Metric for the wrong task, zero min_labels, non-finite alert.
    let mut p = PerformanceOptions::new(filter(), binary(), window);
    p.metric = Metric::Rmse;
    let e = performance(&log, &p).unwrap_err().to_string();
    assert!(
        e.starts_with("metric: rmse is a regression metric but churn is a classifier; expected one of: accuracy"),
        "{e}"
    );
    let mut p = PerformanceOptions::new(filter(), binary(), window);
    p.min_labels = 0;
    assert!(
        performance(&log, &p)
            .unwrap_err()
            .to_string()
            .starts_with("min_labels = 0")
    );
    p.min_labels = 5;
    p.alert = Some(Alert::Below(f64::NAN));
    assert!(
        performance(&log, &p)
            .unwrap_err()
            .to_string()
            .starts_with("alert_below = NaN")
    );
    // An empty prediction reference.
    let e = prediction_reference(
        &binary(),
        &Predictions {
            values: vec![],
            labels: None,
            probabilities: None,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("has no predictions"), "{e}");
}
