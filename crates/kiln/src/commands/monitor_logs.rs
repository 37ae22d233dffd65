//! `kiln monitor predictions | performance`: a served model over time, from the prediction and
//! feedback logs `kiln serve` writes under `<project>/.kiln/logs`. kiln-serve reads and joins the
//! log files, kiln-monitor's `logs` module does the work; this file resolves the model, parses
//! the flags, prints, and sets the exit code (0 fine, 1 drift or alert found, 2 usage or input
//! error; `kiln monitor`'s dispatch turns every error into exit code 2).

use std::path::PathBuf;

use clap::Args;
use kiln_eval::Metric;
use kiln_monitor::drift::ReferenceProfile;
use kiln_monitor::logs::window::parse_width;
use kiln_monitor::logs::{
    Alert, DEFAULT_MIN_LABELS, DEFAULT_MIN_ROWS, LogFilter, ModelKind, PerformanceOptions,
    PerformanceReport, PerformanceStatus, PredictionDriftOptions, PredictionDriftReport,
    ReferenceChoice, WindowDriftStatus, WindowSpec, performance, prediction_drift,
};
use kiln_registry::{Manifest, ModelRef, ModelVersion};
use serde::Serialize;

use super::monitor::{exit_drift, number};
use super::predict::open_existing;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, spinner, table};

pub const PREDICTIONS_HELP: &str = "Examples:
  kiln monitor predictions churn@production
  kiln monitor predictions churn/3 --window 1d --since 2026-01-01 --json
  kiln monitor predictions churn --window 6h --since 7d --probabilities
  kiln monitor predictions churn --reference-window 2026-01-05T10:00

Reads the prediction log of kiln serve (<project>/.kiln/logs, or --logs DIR) and splits the
rows of the model into windows of --window (s, m, h, d or w), aligned to the epoch in UTC: 1d
windows are calendar days, 1h windows start on the hour. Per window: rows scored, model
versions seen, and a drift test of the predicted label (classifiers: chi-square or z test with
up to 1000 reference rows, Jensen-Shannon above) or value (regressors: KS, or Wasserstein
above 1000), as `kiln monitor drift` chooses; --probabilities tests the class probabilities too.

The reference is the model's own predictions on its held-out test rows, stored at training.
Models trained before kiln stored them fall back to the first window with at least --min-rows
rows (the output says so); --reference-window T uses the window holding T instead.

`name` reads rows of every version of the model; `name/3` and `name@alias` only that version's.
--since/--until take an ISO date or date-time (UTC), or a width meaning that long ago (7d).

Exit codes: 0 no window drifted, 1 some window drifted, 2 usage or input error.";

pub const PERFORMANCE_HELP: &str = "Examples:
  kiln monitor performance churn@production --alert-below 0.8
  kiln monitor performance churn --window 1w --metric f1_macro --alert-below 0.7 --json
  kiln monitor performance price --metric mae --alert-above 12.5 --min-labels 50

Joins the prediction log with the feedback labels posted to /v1/models/NAME/feedback and, per
window of the time the row was scored, reports the labelled rows and the metric: accuracy and
f1_macro (and roc_auc when probabilities and both classes are there) for classifiers, rmse and
mae for regressors, plus --metric (default accuracy / rmse; any kiln metric of the task). A
window alerts when --metric is below --alert-below or above --alert-above; a window with fewer
than --min-labels labels shows its value but never alerts. The model's test-set score from
training is printed alongside for comparison.

Exit codes: 0 no alert, 1 some window alerted, 2 usage or input error.";

/// Flags both commands share.
#[derive(Debug, Args)]
pub struct LogWindowArgs {
    /// The model: name, name/VERSION or name@ALIAS.
    pub model: String,
    /// Rows scored at or after T (ISO date/date-time, UTC; or a width such as 7d = 7 days ago).
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Rows scored before T (same forms as --since).
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// The logs folder (default <project>/.kiln/logs).
    #[arg(long, value_name = "DIR")]
    pub logs: Option<PathBuf>,
}

/// `kiln monitor predictions`
#[derive(Debug, Args)]
pub struct PredictionsArgs {
    #[command(flatten)]
    pub common: LogWindowArgs,
    /// Window width: a whole number and s, m, h, d or w.
    #[arg(long, default_value = "1h")]
    pub window: String,
    /// Test the class probabilities as well as the predicted label (classifiers).
    #[arg(long)]
    pub probabilities: bool,
    /// Windows with fewer rows are listed but not tested.
    #[arg(long, default_value_t = DEFAULT_MIN_ROWS)]
    pub min_rows: usize,
    /// Use the window holding T as the reference instead of the stored test-set predictions.
    #[arg(long, value_name = "T")]
    pub reference_window: Option<String>,
}

/// `kiln monitor performance`
#[derive(Debug, Args)]
pub struct PerformanceArgs {
    #[command(flatten)]
    pub common: LogWindowArgs,
    /// Window width: a whole number and s, m, h, d or w.
    #[arg(long, default_value = "1d")]
    pub window: String,
    /// The metric to judge (default accuracy for classifiers, rmse for regressors).
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// Alert when the metric is below X (for metrics where higher is better).
    #[arg(long, value_name = "X", conflicts_with = "alert_above")]
    pub alert_below: Option<f64>,
    /// Alert when the metric is above X (for errors and losses).
    #[arg(long, value_name = "X")]
    pub alert_above: Option<f64>,
    /// Windows with fewer labels show their value but never alert.
    #[arg(long, default_value_t = DEFAULT_MIN_LABELS)]
    pub min_labels: usize,
}

/// Parses --since/--until/--reference-window: an ISO date or date-time, or a width back from now.
fn parse_time(flag: &str, text: &str) -> CliResult<i64> {
    if let Some(t) = kiln_data::datetime::parse_micros(text.trim().as_bytes()) {
        return Ok(t);
    }
    if let Ok(width) = parse_width(text) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        return Ok(now - width);
    }
    Err(CliError::Usage(format!(
        "--{flag} {text}: expected an ISO date or date-time in UTC such as 2026-01-31 or 2026-01-31T12:00, or a width back from now such as 24h or 7d"
    )))
}

/// The resolved model, its manifest, what it predicts and which rows of the log are its.
struct Target {
    version: ModelVersion,
    manifest: Manifest,
    kind: ModelKind,
    filter: LogFilter,
    logs: PathBuf,
}

fn target(common: &LogWindowArgs, project_dir: &std::path::Path) -> CliResult<Target> {
    let registry = open_existing(project_dir)?;
    let reference = ModelRef::parse(&common.model)?;
    let version = registry.resolve(&reference)?;
    let manifest = registry.manifest(&version)?;
    let kind = match &manifest.classes {
        Some(classes) => ModelKind::Classification {
            classes: classes.clone(),
        },
        None => ModelKind::Regression,
    };
    // A plain name follows the model across versions; a version or an alias pins one.
    let filter = LogFilter {
        model: version.name.clone(),
        version: match reference {
            ModelRef::Latest { .. } => None,
            ModelRef::Version { .. } | ModelRef::Alias { .. } => Some(version.version),
        },
    };
    let logs = common
        .logs
        .clone()
        .unwrap_or_else(|| project_dir.join(kiln_registry::KILN_DIR).join("logs"));
    Ok(Target {
        version,
        manifest,
        kind,
        filter,
        logs,
    })
}

fn window_spec(width: &str, common: &LogWindowArgs) -> CliResult<WindowSpec> {
    let mut spec = WindowSpec::parse(width)?;
    spec.since = common
        .since
        .as_deref()
        .map(|t| parse_time("since", t))
        .transpose()?;
    spec.until = common
        .until
        .as_deref()
        .map(|t| parse_time("until", t))
        .transpose()?;
    spec.check()?;
    Ok(spec)
}

fn read_log(target: &Target, quiet: bool) -> CliResult<kiln_data::Frame> {
    let pb = spinner(format!("reading {}", target.logs.display()), quiet);
    let log = kiln_serve::join_feedback(&target.logs);
    pb.finish_and_clear();
    log.map_err(|e| {
        CliError::Usage(format!(
            "reading the logs in {}: {e} (kiln serve writes them; pass --logs DIR for another folder)",
            target.logs.display()
        ))
    })
}

#[derive(Serialize)]
struct PredictionsOutput<'a> {
    model_ref: &'a str,
    resolved_version: u32,
    logs: String,
    #[serde(flatten)]
    report: &'a PredictionDriftReport,
}

/// Runs `kiln monitor predictions`.
pub fn predictions(
    args: PredictionsArgs,
    project_dir: &std::path::Path,
    json: bool,
) -> CliResult<()> {
    let target = target(&args.common, project_dir)?;
    let window = window_spec(&args.window, &args.common)?;
    let mut options =
        PredictionDriftOptions::new(target.filter.clone(), target.kind.clone(), window);
    options.probabilities = args.probabilities;
    options.min_rows = args.min_rows;
    options.reference = match (
        &args.reference_window,
        &target.manifest.prediction_reference,
    ) {
        (Some(t), _) => ReferenceChoice::WindowAt(parse_time("reference-window", t)?),
        (None, Some(stored)) => {
            let profile = ReferenceProfile::from_json(&stored.to_string(), "prediction_reference")?;
            ReferenceChoice::Stored(Box::new(profile))
        }
        (None, None) => ReferenceChoice::FirstWindow,
    };
    let log = read_log(&target, json)?;
    let pb = spinner("testing windows", json);
    let report = prediction_drift(&log, &options);
    pb.finish_and_clear();
    let report = report?;
    if json {
        print_json(&PredictionsOutput {
            model_ref: &args.common.model,
            resolved_version: target.version.version,
            logs: target.logs.display().to_string(),
            report: &report,
        })?;
    } else {
        print_predictions(&report);
    }
    if report.drifted_windows > 0 {
        exit_drift(
            json,
            format!(
                "prediction drift in {} of {} tested windows",
                report.drifted_windows, report.tested_windows
            ),
        )
    } else {
        Ok(())
    }
}

fn versions_text(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

fn print_predictions(report: &PredictionDriftReport) {
    outln!(
        "prediction drift of {}{} in {} windows ({} rows)",
        report.model,
        report.version.map_or_else(String::new, |v| format!("/{v}")),
        report.window,
        report.rows
    );
    outln!("reference: {}", report.reference);
    let mut rows = vec![
        [
            "window start",
            "rows",
            "versions",
            "method",
            "p-value/distance",
            "threshold",
            "status",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for w in &report.windows {
        let (method, score, threshold) = match &w.prediction {
            Some(c) => (
                c.method.name().to_string(),
                match c.p_value {
                    Some(p) => format!("p={}", number(p)),
                    None => format!("d={}", number(c.statistic)),
                },
                number(c.threshold),
            ),
            None => Default::default(),
        };
        let mut status = match w.status {
            WindowDriftStatus::Drift => "DRIFT".to_string(),
            WindowDriftStatus::NoDrift => "no".to_string(),
            WindowDriftStatus::Reference => "reference".to_string(),
            WindowDriftStatus::TooFewRows if w.window.rows == 0 => "empty".to_string(),
            WindowDriftStatus::TooFewRows => format!("< {} rows", report.min_rows),
        };
        let drifted: Vec<&str> = w
            .probabilities
            .iter()
            .filter(|c| c.drifted)
            .map(|c| c.column.as_str())
            .collect();
        if !drifted.is_empty() {
            status.push_str(&format!(" ({})", drifted.join(", ")));
        }
        rows.push(vec![
            w.window.start.clone(),
            w.window.rows.to_string(),
            versions_text(&w.window.versions),
            method,
            score,
            threshold,
            status,
        ]);
    }
    outln!();
    out!("{}", table(&rows));
    outln!(
        "\n{} of {} tested windows drifted (columns tested: {})",
        report.drifted_windows,
        report.tested_windows,
        report.columns.join(", ")
    );
}

#[derive(Serialize)]
struct PerformanceOutput<'a> {
    model_ref: &'a str,
    resolved_version: u32,
    logs: String,
    /// The chosen metric on the test rows at training (`test_<metric>` of the manifest).
    training_value: Option<f64>,
    #[serde(flatten)]
    report: &'a PerformanceReport,
}

fn parse_metric(name: &str) -> CliResult<Metric> {
    serde_json::from_value(serde_json::Value::String(name.trim().to_ascii_lowercase())).map_err(
        |_| {
            CliError::Usage(format!(
                "--metric {name}: unknown metric; expected one of: {}",
                Metric::ALL.map(|m| m.name()).join(", ")
            ))
        },
    )
}

/// Runs `kiln monitor performance`.
pub fn performance_command(
    args: PerformanceArgs,
    project_dir: &std::path::Path,
    json: bool,
) -> CliResult<()> {
    let target = target(&args.common, project_dir)?;
    let window = window_spec(&args.window, &args.common)?;
    let mut options = PerformanceOptions::new(target.filter.clone(), target.kind.clone(), window);
    if let Some(m) = &args.metric {
        options.metric = parse_metric(m)?;
    }
    options.min_labels = args.min_labels;
    options.alert = match (args.alert_below, args.alert_above) {
        (Some(x), _) => Some(Alert::Below(x)),
        (None, Some(x)) => Some(Alert::Above(x)),
        (None, None) => None,
    };
    let log = read_log(&target, json)?;
    let report = performance(&log, &options)?;
    let training_value = target
        .manifest
        .metrics
        .get(&format!("test_{}", options.metric.name()))
        .copied();
    if json {
        print_json(&PerformanceOutput {
            model_ref: &args.common.model,
            resolved_version: target.version.version,
            logs: target.logs.display().to_string(),
            training_value,
            report: &report,
        })?;
    } else {
        print_performance(&report, training_value);
    }
    if report.alerts > 0 {
        exit_drift(
            json,
            format!(
                "{} alert in {} of {} windows",
                report.metric.name(),
                report.alerts,
                report.windows.len()
            ),
        )
    } else {
        Ok(())
    }
}

fn print_performance(report: &PerformanceReport, training_value: Option<f64>) {
    let metric = report.metric.name();
    outln!(
        "{metric} of {}{} per {} window ({} rows, {} with feedback labels)",
        report.model,
        report.version.map_or_else(String::new, |v| format!("/{v}")),
        report.window,
        report.rows,
        report.labelled_rows
    );
    if let Some(v) = training_value {
        outln!("on its test rows at training: {}", number(v));
    }
    match report.alert {
        Some(Alert::Below(x)) => outln!("alert below {}", number(x)),
        Some(Alert::Above(x)) => outln!("alert above {}", number(x)),
        None => outln!("no alert threshold (--alert-below / --alert-above)"),
    }
    let mut rows = vec![
        [
            "window start",
            "rows",
            "versions",
            "labelled",
            metric,
            "status",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for w in &report.windows {
        let status = match w.status {
            PerformanceStatus::Ok => "ok".to_string(),
            PerformanceStatus::Alert => "ALERT".to_string(),
            PerformanceStatus::TooFewLabels => format!("< {} labels", report.min_labels),
            PerformanceStatus::NoLabels => "no labels".to_string(),
            PerformanceStatus::Undefined => {
                format!("undefined: {}", w.note.as_deref().unwrap_or_default())
            }
        };
        rows.push(vec![
            w.window.start.clone(),
            w.window.rows.to_string(),
            versions_text(&w.window.versions),
            w.labelled.to_string(),
            w.value.map_or_else(String::new, number),
            status,
        ]);
    }
    outln!();
    out!("{}", table(&rows));
    let unknown: usize = report.windows.iter().map(|w| w.unknown_labels).sum();
    let invalid: usize = report.windows.iter().map(|w| w.invalid_labels).sum();
    if unknown > 0 {
        outln!("\n{unknown} feedback labels are not classes of the model (counted as wrong)");
    }
    if invalid > 0 {
        outln!("\n{invalid} feedback labels are not numbers (left out)");
    }
    outln!(
        "\n{} of {} windows alerted",
        report.alerts,
        report.windows.len()
    );
}
