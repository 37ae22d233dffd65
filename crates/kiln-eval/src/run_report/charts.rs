//! Turns evaluation results into chart data ([`XyChart`]) for the run report: ROC,
//! precision–recall and calibration curves, learning, validation and iteration curves, and the
//! residual and Q–Q plots. Long series are thinned to at most [`MAX_POINTS`] points so the page
//! stays small; thinning keeps the first and last points.

use kiln_stats::chart::{Reference, Series, SeriesStyle, XyChart};

use crate::curves::{CurveScores, IterationCurve, LearningCurve, ValidationCurve};
use crate::cv::OutOfFold;
use crate::diagnostics::RegressionDiagnostics;
use crate::error::Result;
use crate::pipeline::Predictions;
use crate::probabilistic::{BinStrategy, calibration_curve};
use crate::ranking::{precision_recall_curve, roc_curve};

/// Most points drawn per series.
pub const MAX_POINTS: usize = 1500;

/// Every `k`-th point so at most `max` remain, always keeping the last one.
pub(crate) fn thin(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 2 {
        return points;
    }
    let step = points.len().div_ceil(max - 1);
    let last = points[points.len() - 1];
    let mut out: Vec<(f64, f64)> = points.into_iter().step_by(step).collect();
    if out.last() != Some(&last) {
        out.push(last);
    }
    out
}

fn line(name: &str, points: Vec<(f64, f64)>) -> Series {
    Series {
        name: name.to_string(),
        points: thin(points, MAX_POINTS),
        band: None,
        style: SeriesStyle::Line,
    }
}

fn unit_chart(title: &str, x: &str, y: &str, series: Vec<Series>, diagonal: bool) -> XyChart {
    XyChart {
        title: title.into(),
        x_label: x.into(),
        y_label: y.into(),
        series,
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        reference: diagonal.then_some(Reference {
            slope: 1.0,
            intercept: 0.0,
        }),
        ..XyChart::default()
    }
}

/// Class-`c` probabilities of row-major `rows × k` probabilities.
fn column(proba: &[f64], k: usize, c: usize) -> Vec<f64> {
    proba.chunks(k).map(|row| row[c]).collect()
}

/// ROC, precision–recall and calibration charts of a classifier on the test rows and, when
/// given, its cross-validated out-of-fold predictions. Binary: one line per source. Multiclass:
/// one-vs-rest ROC per class on the test rows.
pub(crate) fn classification_charts(
    classes: &[String],
    y: &[f64],
    test: &Predictions,
    oof: Option<&OutOfFold>,
) -> Result<Vec<XyChart>> {
    let Some(proba) = &test.probabilities else {
        return Ok(Vec::new());
    };
    let k = proba.ncols();
    let test_proba: Vec<f64> = proba.iter().copied().collect();
    if k != 2 {
        let mut series = Vec::new();
        for (c, name) in classes.iter().enumerate().take(k) {
            let truth: Vec<f64> = y.iter().map(|&v| f64::from(v as usize == c)).collect();
            // A class absent from the test rows has no ROC curve; it is left out of the chart.
            if let Ok(roc) = roc_curve(&truth, &column(&test_proba, k, c), None, true) {
                let points = roc.fpr.into_iter().zip(roc.tpr).collect();
                series.push(line(&format!("{name} vs rest"), points));
            }
        }
        return Ok(vec![unit_chart(
            "ROC (one-vs-rest, test)",
            "false positive rate",
            "true positive rate",
            series,
            true,
        )]);
    }
    let mut sources = vec![("test", y.to_vec(), column(&test_proba, 2, 1))];
    if let Some(o) = oof
        && let Some(p) = &o.probabilities
    {
        sources.push(("cross-validated", o.y_true.clone(), column(p, 2, 1)));
    }
    let (mut roc, mut pr, mut cal) = (Vec::new(), Vec::new(), Vec::new());
    for (name, truth, score) in &sources {
        let r = roc_curve(truth, score, None, true)?;
        roc.push(line(name, r.fpr.into_iter().zip(r.tpr).collect()));
        let p = precision_recall_curve(truth, score, None, true)?;
        pr.push(line(name, p.recall.into_iter().zip(p.precision).collect()));
        let c = calibration_curve(truth, score, 10, BinStrategy::Uniform)?;
        cal.push(Series {
            style: SeriesStyle::LineWithMarkers,
            ..line(name, c.prob_pred.into_iter().zip(c.prob_true).collect())
        });
    }
    Ok(vec![
        unit_chart(
            "ROC",
            "false positive rate",
            "true positive rate",
            roc,
            true,
        ),
        unit_chart("Precision–recall", "recall", "precision", pr, false),
        unit_chart(
            "Calibration (10 uniform bins)",
            "mean predicted probability",
            "fraction of positives",
            cal,
            true,
        ),
    ])
}

/// Train and validation series with ± std bands over `x`.
fn band_series(x: &[f64], s: &CurveScores) -> Vec<Series> {
    let side = |name: &str, mean: &[f64], std: &[f64]| Series {
        name: name.to_string(),
        points: x.iter().copied().zip(mean.iter().copied()).collect(),
        band: Some(mean.iter().zip(std).map(|(m, d)| (m - d, m + d)).collect()),
        style: SeriesStyle::LineWithMarkers,
    };
    vec![
        side("train", &s.train_mean, &s.train_std),
        side("validation", &s.valid_mean, &s.valid_std),
    ]
}

/// Learning curve: score against training rows, mean ± std over folds.
pub(crate) fn learning_chart(c: &LearningCurve) -> XyChart {
    let x: Vec<f64> = c.train_sizes.iter().map(|&n| n as f64).collect();
    XyChart {
        title: format!("Learning curve ({})", c.metric.name()),
        x_label: "training rows".into(),
        y_label: c.metric.name().into(),
        series: band_series(&x, &c.scores),
        ..XyChart::default()
    }
}

/// Validation curve: score against a parameter's values (their positions when not numeric).
pub(crate) fn validation_chart(c: &ValidationCurve) -> XyChart {
    let numeric: Option<Vec<f64>> = c.values.iter().map(serde_json::Value::as_f64).collect();
    let (x, x_label) = match numeric {
        Some(x) => (x, c.param.clone()),
        None => (
            (0..c.values.len()).map(|i| i as f64).collect(),
            format!(
                "{} (position in: {})",
                c.param,
                c.values
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    };
    XyChart {
        title: format!("Validation curve: {}", c.param),
        x_label,
        y_label: c.metric.name().into(),
        series: band_series(&x, &c.scores),
        ..XyChart::default()
    }
}

/// Per-iteration curve of a boosted model.
pub(crate) fn iteration_chart(c: &IterationCurve) -> XyChart {
    let x = c.iterations.iter().map(|&i| i as f64);
    XyChart {
        title: format!("{} by boosting iteration", c.metric.name()),
        x_label: "iteration".into(),
        y_label: c.metric.name().into(),
        series: vec![
            line("train", x.clone().zip(c.train.iter().copied()).collect()),
            line("validation", x.zip(c.valid.iter().copied()).collect()),
        ],
        ..XyChart::default()
    }
}

/// Residuals against fitted values, with the zero line.
pub(crate) fn residual_chart(d: &RegressionDiagnostics) -> XyChart {
    let points = d
        .fitted
        .iter()
        .copied()
        .zip(d.residuals.iter().copied())
        .collect();
    XyChart {
        title: "Residuals vs fitted (test)".into(),
        x_label: "fitted value".into(),
        y_label: "residual (true − predicted)".into(),
        series: vec![Series {
            style: SeriesStyle::Points,
            ..line("residual", points)
        }],
        reference: Some(Reference {
            slope: 0.0,
            intercept: 0.0,
        }),
        ..XyChart::default()
    }
}

/// Normal Q–Q plot of standardised residuals with its least-squares line.
pub(crate) fn qq_chart(d: &RegressionDiagnostics) -> XyChart {
    let points =
        d.qq.theoretical
            .iter()
            .copied()
            .zip(d.qq.ordered.iter().copied())
            .collect();
    XyChart {
        title: "Normal Q–Q of standardised residuals (test)".into(),
        x_label: "theoretical normal quantile".into(),
        y_label: "ordered standardised residual".into(),
        series: vec![Series {
            style: SeriesStyle::Points,
            ..line("residual", points)
        }],
        reference: Some(Reference {
            slope: d.qq.slope,
            intercept: d.qq.intercept,
        }),
        ..XyChart::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_ends_and_bounds_the_count() {
        let pts: Vec<(f64, f64)> = (0..10_001).map(|i| (i as f64, 0.0)).collect();
        let t = thin(pts, 100);
        assert!(t.len() <= 101, "{}", t.len());
        assert_eq!(t[0], (0.0, 0.0));
        assert_eq!(t[t.len() - 1], (10_000.0, 0.0));
        let short = thin(vec![(1.0, 2.0)], 100);
        assert_eq!(short, vec![(1.0, 2.0)]);
    }
}
