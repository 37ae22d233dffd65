//! The HTML report of a training or evaluation run, built from what the workflow measured:
//! metric table with CV spread and the test score, confusion matrix and curves or residual
//! diagnostics, importances, the learning curve and fit read-out, the gate decision, timings.
//!
//! The learning curve costs extra cross-validation fits and the per-iteration curve re-predicts
//! every row per iteration, so both are drawn only when the training set is small enough for
//! that to take seconds ([`LEARNING_CURVE_MAX_ROWS`]); the report says when they were left out.

use std::path::Path;

use kiln_data::Frame;
use kiln_eval::{
    CvSpec, DEFAULT_TRAIN_FRACTIONS, DatasetSummary, FittedModelPipeline, GateCheck, ReportHeader,
    RunReport, Timing, iteration_curve, learning_curve, permutation_importance,
};

use kiln_stats::profile::{ProfileOptions, profile_frame};

use crate::error::{ProjectError, Result};
use crate::gate::GateDecision;
use crate::workflow::TrainOutcome;

/// Training sets up to this size get a learning curve in the report.
pub const LEARNING_CURVE_MAX_ROWS: usize = 50_000;

/// Most rows used for permutation importance (an evenly spaced sample beyond this).
pub const IMPORTANCE_MAX_ROWS: usize = 20_000;

/// Fewest rows permutation importance samples when wide data would otherwise shrink it.
pub const IMPORTANCE_MIN_ROWS: usize = 2_000;

/// Row predictions permutation importance may spend (rows × columns × repeats): it predicts
/// the sample once per column and repeat, which for 255-leaf boosted trees on 28 columns and
/// 20k rows took half a minute; 1M keeps it to seconds while the estimate stays stable.
pub const IMPORTANCE_PREDICTION_BUDGET: usize = 1_000_000;

/// Shuffles per column in the report's permutation importance (scikit-learn's default).
const IMPORTANCE_REPEATS: usize = 5;

/// Rows of a permutation-importance sample for `columns` input columns.
fn importance_rows(columns: usize) -> usize {
    (IMPORTANCE_PREDICTION_BUDGET / (columns.max(1) * IMPORTANCE_REPEATS))
        .clamp(IMPORTANCE_MIN_ROWS, IMPORTANCE_MAX_ROWS)
}

/// What a train report is built from.
pub struct TrainReportInput<'a> {
    /// Run id, for the title.
    pub run_id: i64,
    /// Registry name and version.
    pub model_name: &'a str,
    /// Registered version.
    pub version: u32,
    /// Where the data came from.
    pub data_label: &'a str,
    /// Training rows.
    pub train: &'a Frame,
    /// Held-out rows.
    pub test: &'a Frame,
    /// Fingerprint of all usable rows.
    pub fingerprint: &'a str,
    /// The workflow's outcome.
    pub outcome: &'a TrainOutcome,
    /// The gate decision.
    pub gate: &'a GateDecision,
    /// The cross-validation settings used.
    pub cv: &'a CvSpec,
    /// Phase timings.
    pub timings: &'a std::collections::BTreeMap<String, f64>,
}

/// Builds the report of a training run.
pub fn train_report(input: &TrainReportInput<'_>) -> Result<RunReport> {
    let o = input.outcome;
    let header = ReportHeader {
        title: format!("kiln train — {}", input.model_name),
        run_id: input.run_id.to_string(),
        model_name: input.model_name.to_string(),
        model_version: Some(input.version.to_string()),
    };
    let mut dataset = DatasetSummary::from_frame(input.data_label, input.train);
    dataset.fingerprint = input.fingerprint.to_string();
    // The profile summary reads a sample, so it stays quick on large data.
    let options = ProfileOptions {
        sample_rows: 100_000,
        correlation_rows: 20_000,
        seed: 0,
    };
    if let Ok(profile) = profile_frame(input.train, &options) {
        dataset = dataset.with_profile(&profile);
    }
    let chosen = o.chosen();
    let mut report = RunReport::from_predictions(
        header,
        dataset,
        &o.pipeline,
        &o.test.y_true,
        &o.test.predictions,
        chosen.cv.as_ref(),
        &o.metrics,
    )?;
    if input.train.n_rows() <= LEARNING_CURVE_MAX_ROWS && input.cv.n_splits >= 2 {
        let cv = CvSpec {
            repeats: 1,
            ..input.cv.clone()
        };
        match learning_curve(
            &chosen.spec,
            input.train,
            &cv,
            o.metric,
            &DEFAULT_TRAIN_FRACTIONS,
            &|_, _| {},
        ) {
            Ok(curve) => report.add_learning_curve(&curve),
            Err(e) => report.notes.push(format!("No learning curve: {e}")),
        }
    } else {
        report.notes.push(format!(
            "No learning or per-iteration curve: the training set has more than {LEARNING_CURVE_MAX_ROWS} rows (they would refit or re-predict the pipeline many times)."
        ));
    }
    // The per-iteration curve re-predicts the rows once per plotted iteration, so like the
    // learning curve it is drawn only for training sets where that takes seconds.
    if input.train.n_rows() <= LEARNING_CURVE_MAX_ROWS
        && let Ok(curve) = iteration_curve(&o.pipeline, input.train, input.test, o.metric, 200)
    {
        report.add_iteration_curve(&curve);
    }
    add_permutation_importance(&mut report, &o.pipeline, input.test, o.metric);
    for c in &o.candidates {
        if let Some(s) = c.cv.as_ref().and_then(|cv| cv.summary_of(o.metric)) {
            report.notes.push(format!(
                "Candidate {}: cross-validated {} {:.4} ± {:.4}{}.",
                c.label,
                o.metric.name(),
                s.valid_mean,
                s.valid_std,
                if c.label == chosen.label {
                    " (chosen)"
                } else {
                    ""
                }
            ));
        }
    }
    report.gate = Some(gate_section(input.gate));
    report
        .timings
        .extend(input.timings.iter().map(|(step, seconds)| Timing {
            step: step.clone(),
            seconds: *seconds,
        }));
    Ok(report)
}

/// The report of `kiln evaluate`: a registered model on a labelled file.
pub fn evaluation_report(
    pipeline: &FittedModelPipeline,
    frame: &Frame,
    model: &str,
    run_id: i64,
    data_label: &str,
) -> Result<RunReport> {
    let header = ReportHeader {
        title: format!("kiln evaluate — {model} on {data_label}"),
        run_id: run_id.to_string(),
        model_name: model.to_string(),
        model_version: None,
    };
    let n_classes = pipeline.classes().map_or(0, <[String]>::len);
    let metrics = crate::workflow::report_metrics(
        pipeline.task(),
        n_classes,
        crate::workflow::default_metric(pipeline.task(), n_classes),
    );
    let dataset = DatasetSummary::from_frame(data_label, frame);
    let mut report = RunReport::from_evaluation(header, dataset, pipeline, frame, None, &metrics)?;
    add_permutation_importance(&mut report, pipeline, frame, metrics[0]);
    Ok(report)
}

/// Permutation importance of raw input columns on (a sample of) `frame`; a failure becomes a
/// note rather than failing the run.
pub fn add_permutation_importance(
    report: &mut RunReport,
    pipeline: &FittedModelPipeline,
    frame: &Frame,
    metric: kiln_eval::Metric,
) {
    let sample;
    let max_rows = importance_rows(pipeline.input_schema.len());
    let rows = if frame.n_rows() > max_rows {
        let step = frame.n_rows().div_ceil(max_rows);
        let idx: Vec<usize> = (0..frame.n_rows()).step_by(step).collect();
        match frame.take(&idx) {
            Ok(f) => {
                sample = f;
                &sample
            }
            Err(_) => frame,
        }
    } else {
        frame
    };
    match permutation_importance(pipeline, rows, metric, IMPORTANCE_REPEATS, 0, None) {
        Ok(imp) => report.add_permutation_importance(&imp),
        Err(e) => report.notes.push(format!("No permutation importance: {e}")),
    }
}

/// The gate decision in the report's terms.
pub fn gate_section(gate: &GateDecision) -> kiln_eval::GateDecision {
    let mut checks = Vec::new();
    if let (Some(inc), Some(drop)) = (&gate.incumbent, gate.drop) {
        checks.push(GateCheck {
            name: format!(
                "drop in {} vs version {} ({})",
                gate.metric.name(),
                inc.version,
                inc.score.map_or("-".into(), |s| format!("{s:.6}"))
            ),
            value: drop,
            threshold: gate.max_drop,
            passed: gate.passed,
        });
    }
    kiln_eval::GateDecision {
        passed: gate.passed,
        summary: format!(
            "{} @{}: {}",
            if gate.passed {
                "Promoted to"
            } else {
                "Not promoted to"
            },
            gate.alias,
            gate.reason
        ),
        checks,
    }
}

/// Writes `report` to `path` (creating folders; write to a temporary name, then rename).
pub fn write_report(report: &RunReport, path: &Path) -> Result<()> {
    let io = |e: std::io::Error| {
        ProjectError::Invalid(format!("cannot write the report {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("html.tmp");
    std::fs::write(&tmp, report.to_html()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
