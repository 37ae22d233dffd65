//! A training run from start to registry: record the run, train, build the artifact, apply the
//! gate against the current version, register, move the alias when the gate passes, and record
//! the outcome — or record the failure, so every attempt leaves a trace.
//!
//! The new version is registered even when the gate fails (it is evidence, and it can be
//! promoted by hand); only the alias waits for the gate.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use kiln_data::Frame;
use kiln_registry::{
    Artifact, ModelVersion, Registry, RunConfig, RunId, RunKind, RunOutcome, TrainingSummary,
};

use crate::config::ProjectConfig;
use crate::data::{ProjectData, prepare};
use crate::error::Result;
use crate::gate::{GateDecision, decide};
use crate::workflow::{Progress, TrainOutcome, train};

/// Everything a finished `kiln train` knows.
#[derive(Debug, Clone)]
pub struct TrainedRun {
    /// The run id in the metadata store.
    pub run_id: RunId,
    /// The project data (split, task, dropped rows).
    pub data: ProjectData,
    /// Candidates, choice, test scores.
    pub outcome: TrainOutcome,
    /// The registered version.
    pub version: ModelVersion,
    /// The gate's decision; the alias moved iff `gate.passed`.
    pub gate: GateDecision,
    /// Content fingerprint of the training data.
    pub data_fingerprint: String,
    /// The metrics stored with the version.
    pub metrics: BTreeMap<String, f64>,
    /// Wall-clock seconds per phase.
    pub timings: BTreeMap<String, f64>,
    /// The HTML report, or why it could not be written.
    pub report: std::result::Result<PathBuf, String>,
}

/// Builds a reference from test-set predictions and the class labels (kiln-monitor's profile,
/// passed in by the caller so this crate does not depend on the monitor).
pub type PredictionReferenceBuilder =
    fn(&kiln_eval::Predictions, Option<&[String]>) -> Option<serde_json::Value>;

/// What a caller adds to a run beyond the configuration.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    /// The data file (for the run record), if read from a file.
    pub data_path: Option<String>,
    /// Seconds spent reading the data.
    pub read_seconds: f64,
    /// Builds the drift reference stored in the artifact from the training rows.
    pub reference_profile: Option<fn(&Frame) -> Option<serde_json::Value>>,
    /// Builds the prediction-drift reference stored in the artifact from the model's
    /// predictions on the test rows and its classes (none for a regressor).
    pub prediction_reference: Option<PredictionReferenceBuilder>,
    /// Where the HTML report goes (default `.kiln/reports/run-<id>.html` of the project).
    pub report_path: Option<PathBuf>,
    /// The project folder (for the default report path).
    pub project_dir: PathBuf,
}

/// The metrics stored with a version: `cv_<metric>_mean`/`_std` of the chosen candidate and
/// `test_<metric>`.
pub fn version_metrics(outcome: &TrainOutcome) -> BTreeMap<String, f64> {
    let mut metrics = BTreeMap::new();
    if let Some(cv) = &outcome.chosen().cv {
        for s in &cv.summary {
            metrics.insert(format!("cv_{}_mean", s.metric.name()), s.valid_mean);
            metrics.insert(format!("cv_{}_std", s.metric.name()), s.valid_std);
        }
    }
    for (m, v) in outcome.metrics.iter().zip(&outcome.test.scores) {
        metrics.insert(format!("test_{}", m.name()), *v);
    }
    metrics.retain(|_, v| v.is_finite());
    metrics
}

/// Runs `kiln train` against `registry`: the run is recorded as failed if anything fails.
pub fn train_and_register(
    registry: &Registry,
    config: &ProjectConfig,
    frame: Frame,
    context: &RunContext,
    progress: &dyn Progress,
) -> Result<TrainedRun> {
    let run_config = RunConfig {
        config: serde_json::to_value(config).unwrap_or(serde_json::Value::Null),
        seed: Some(config.split.seed),
        data_path: context.data_path.clone(),
    };
    let run_id = registry.start_run(RunKind::Train, &run_config)?;
    match run(registry, config, frame, context, progress, run_id) {
        Ok(done) => Ok(done),
        Err(e) => {
            // The run's failure is recorded best-effort: the training error is the one to show.
            let _ = registry.fail_run(run_id, &e.to_string());
            Err(e)
        }
    }
}

fn run(
    registry: &Registry,
    config: &ProjectConfig,
    frame: Frame,
    context: &RunContext,
    progress: &dyn Progress,
    run_id: RunId,
) -> Result<TrainedRun> {
    let name = config.model_name()?;
    let mut timings = BTreeMap::new();
    timings.insert("read".to_string(), context.read_seconds);
    let start = Instant::now();
    let data = prepare(frame, config)?;
    let data_fingerprint = kiln_data::fingerprint(&data.frame).digest;
    let train_start = Instant::now();
    let outcome = train(config, &data, progress)?;
    timings.insert("train".to_string(), train_start.elapsed().as_secs_f64());
    timings.insert("final_fit".to_string(), outcome.fit_seconds);
    let metrics = version_metrics(&outcome);
    progress.stage("registering", None);
    let reference_profile = match context.reference_profile {
        Some(build) => build(&data.train()?),
        None => None,
    };
    // The test rows are touched once, by the evaluation above; this reuses its predictions.
    let prediction_reference = match context.prediction_reference {
        Some(build) => build(&outcome.test.predictions, outcome.pipeline.classes()),
        None => None,
    };
    let artifact = Artifact::new(
        &name,
        outcome.chosen().spec.clone(),
        outcome.pipeline.clone(),
        TrainingSummary {
            metrics: metrics.clone(),
            data_fingerprint: data_fingerprint.clone(),
            training_rows: outcome.train_rows as u64,
            reference_profile,
            prediction_reference,
        },
    )?;
    let gate_section = config.gate.clone().unwrap_or(crate::config::GateSection {
        metric: None,
        max_drop: 0.0,
    });
    let gate_metric = gate_section.metric.unwrap_or(outcome.metric);
    let test = data.test()?;
    let candidate_score = match outcome.test_score(gate_metric) {
        Some(s) => s,
        None => {
            let p = &outcome.test.predictions;
            p.score(gate_metric, &outcome.test.y_true, None)?
        }
    };
    let alias = &config.register.alias;
    let gate = decide(
        registry,
        &name,
        alias,
        gate_metric,
        candidate_score,
        gate_section.max_drop,
        &test,
    )?;
    let version = registry.register(&name, &artifact, Some(run_id))?;
    if gate.passed {
        registry.set_alias(&name, alias, version.version, &gate.reason)?;
    }
    let report_path = context
        .report_path
        .clone()
        .unwrap_or_else(|| default_report_path(&context.project_dir, run_id));
    progress.stage("writing the report", None);
    let report_start = Instant::now();
    let train_frame = data.train()?;
    let cv = crate::workflow::cv_spec(config);
    // A report that cannot be drawn must not lose a trained, registered model: it is noted.
    let report = crate::report::train_report(&crate::report::TrainReportInput {
        run_id: run_id.0,
        model_name: &name,
        version: version.version,
        data_label: context.data_path.as_deref().unwrap_or("data"),
        train: &train_frame,
        test: &test,
        fingerprint: &data_fingerprint,
        outcome: &outcome,
        gate: &gate,
        cv: &cv,
        timings: &timings,
    })
    .and_then(|r| crate::report::write_report(&r, &report_path))
    .map(|()| report_path)
    .map_err(|e| e.to_string());
    timings.insert("report".to_string(), report_start.elapsed().as_secs_f64());
    timings.insert(
        "total".to_string(),
        start.elapsed().as_secs_f64() + context.read_seconds,
    );
    let fold_metrics = fold_metrics(&outcome);
    registry.finish_run(
        run_id,
        &RunOutcome {
            data_fingerprint: Some(data_fingerprint.clone()),
            params: serde_json::to_value(&outcome.chosen().spec).unwrap_or_default(),
            metrics: metrics.clone(),
            fold_metrics,
            timings: timings.clone(),
            artifact_digest: Some(version.artifact_digest.clone()),
            report_path: report.as_ref().ok().map(|p| p.display().to_string()),
        },
    )?;
    Ok(TrainedRun {
        report,
        run_id,
        data,
        outcome,
        version,
        gate,
        data_fingerprint,
        metrics,
        timings,
    })
}

/// Per-fold validation scores of the chosen candidate, one map per fold.
fn fold_metrics(outcome: &TrainOutcome) -> Vec<BTreeMap<String, f64>> {
    let Some(cv) = &outcome.chosen().cv else {
        return Vec::new();
    };
    cv.folds
        .iter()
        .map(|f| {
            cv.metrics
                .iter()
                .zip(&f.valid)
                .filter(|(_, v)| v.is_finite())
                .map(|(m, v)| (m.name().to_string(), *v))
                .collect()
        })
        .collect()
}

/// Where a run's HTML report goes by default: `.kiln/reports/run-<id>.html`.
pub fn default_report_path(project_dir: &std::path::Path, run_id: RunId) -> PathBuf {
    // Absolute, so `kiln runs show --open` prints a path that works from any folder.
    std::path::absolute(project_dir)
        .unwrap_or_else(|_| project_dir.to_path_buf())
        .join(kiln_registry::KILN_DIR)
        .join("reports")
        .join(format!("run-{}.html", run_id.0))
}
