//! `kiln monitor drift | validate | stream | reference | predictions | performance`: drift of
//! current data against a reference (a data file, a saved profile or a registered model's stored
//! training profile), new data checked against a model's input schema, and streaming detectors
//! over one column; `predictions` and `performance` read the server's logs (`monitor_logs.rs`).
//! kiln-monitor does the work; this file parses the flags, prints and sets the exit code (0 no
//! drift or no error, 1 drift, alert or errors found, 2 usage or input error).
//!
//! The arguments live here rather than in `cli.rs` so that the monitoring commands are one file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand};
use kiln_monitor::drift::html::{DriftHtmlContext, render as render_html};
use kiln_monitor::drift::plot::DEFAULT_MAX_CHARTS;
use kiln_monitor::drift::{
    ColumnDrift, CorrectionSpec, DriftMethod, DriftPlotData, DriftReport, DriftSpec, PsiBinning,
    ReferenceOptions, ReferenceProfile, detect_drift,
};
use kiln_monitor::stream::{DetectorSpec, StreamReport, run_stream};
use kiln_monitor::validate::{DataSchema, validate as check_schema};
use kiln_registry::{ModelRef, ModelVersion};
use serde::Serialize;

use super::predict::open_existing;
use super::read::{csv_options, read_frame, split_pair};
use crate::cli::ReadArgs;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, spinner, table};

/// `kiln monitor …`
#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Per-column drift of current data against a reference; exit code 1 on dataset drift.
    #[command(after_help = DRIFT_HELP)]
    Drift(DriftArgs),
    /// Check a file against a registered model's input schema; exit code 1 on errors.
    #[command(after_help = VALIDATE_HELP)]
    Validate(ValidateModelArgs),
    /// Run a streaming drift detector over one column; exit code 1 when it detects drift.
    #[command(after_help = STREAM_HELP)]
    Stream(StreamArgs),
    /// Save the reference profile of a file (what drift tests need of the training data).
    #[command(
        after_help = "Examples:\n  kiln monitor reference train.parquet -o train.reference.json\n  kiln monitor reference train.csv -o train.reference.json --sample-size 20000 --target churned\n\nThe file name must end in .reference.json; `kiln monitor drift --reference` reads it back."
    )]
    Reference(ReferenceArgs),
    /// Prediction drift of a served model per time window, from the prediction log; exit code 1
    /// when a window drifted.
    #[command(after_help = super::monitor_logs::PREDICTIONS_HELP)]
    Predictions(super::monitor_logs::PredictionsArgs),
    /// A served model's metric per time window from the feedback labels, with an alert
    /// threshold; exit code 1 when a window alerted.
    #[command(after_help = super::monitor_logs::PERFORMANCE_HELP)]
    Performance(super::monitor_logs::PerformanceArgs),
}

const DRIFT_HELP: &str = "Examples:
  kiln monitor drift --reference churn@production --current today.parquet --html drift.html
  kiln monitor drift --reference churn/3 --current today.csv --json
  kiln monitor drift --reference train.parquet --current today.parquet
  kiln monitor drift --reference train.reference.json --current today.csv --json
  kiln monitor drift --reference train.csv --current new.csv --target churned \\
      --method age=psi --threshold age=0.2 --threshold ks=0.01 --correction holm

Methods (Evidently's names): ks, chisquare, z, wasserstein, jensenshannon, psi, anderson, mannw.
By default each column gets Evidently's automatic choice: with at most 1000 reference values,
KS for numeric columns with more than 5 distinct values, chi-square for other columns with more
than 2 values, a two-proportion z test for binary ones (drift when p < 0.05); with more,
Wasserstein distance / reference std for numeric columns and Jensen-Shannon distance otherwise
(drift when the distance >= 0.1). --threshold takes COL=VALUE or METHOD=VALUE.

The reference is a data file, a saved .reference.json, or a registered model (name, name/3,
name@alias, looked up in the --project registry when no such file exists): the profile of the
model's training rows stored in its artifact, so the training data need not be kept.

The dataset drifts when drifted columns / tested columns >= --drift-share (0.5). Feature and
target columns are tested; id, weight, time and ignored columns are not. A target column the
current data lacks (unlabelled data) is skipped unless --columns names it.

--html OUT writes one self-contained page: the verdict, every column sorted by drift, and
reference-vs-current charts for the --max-charts (50) most drifted columns.

Exit codes: 0 no dataset drift, 1 dataset drift, 2 usage or input error.";

const VALIDATE_HELP: &str = "Examples:
  kiln monitor validate churn@production today.csv
  kiln monitor validate churn/3 batch.parquet --json

The model's input columns, types and roles come from its artifact; from the profile of its
training rows, the categories it saw and which columns had missing values. Errors: a missing
input column, values of the wrong type, unseen categories, missing values (empty or NaN) where
training had none, infinite numbers. Warnings: columns the model does not read, a higher
missing share than in training. Values beyond the training range are not errors (see
`kiln monitor drift`).

Exit codes: 0 no error, 1 errors found, 2 usage or input error.";

const STREAM_HELP: &str = "Examples:
  kiln monitor stream latency.csv --column p99_ms --detector adwin
  kiln monitor stream predictions.parquet --column error --detector ddm --json
  kiln monitor stream scores.csv --column score --detector page_hinkley --set threshold=25

Detectors: ddm, eddm (error streams of 0/1), adwin, page_hinkley, cusum, kswin, each with
river's defaults (CUSUM: k = 0.5, h = 5 standard deviations, target and std estimated from the
first 30 values). --set NAME=VALUE changes a setting. Positions are 0-based: position 0 is the
first data row. Missing cells are skipped and keep their position.

Exit codes: 0 no drift detected, 1 drift detected, 2 usage or input error.";

/// `kiln monitor drift`
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference: a data file (.csv, .parquet, .ndjson), a saved FILE.reference.json, or a
    /// registered model (name, name/3, name@alias) whose stored training profile is used.
    #[arg(long, value_name = "FILE|MODEL")]
    pub reference: String,
    /// The current data file.
    #[arg(long, value_name = "FILE")]
    pub current: PathBuf,
    /// Also write the report as one self-contained HTML page with charts.
    #[arg(long, value_name = "OUT")]
    pub html: Option<PathBuf>,
    /// Columns charted in the HTML page, most drifted first (the table lists every column).
    #[arg(long, default_value_t = DEFAULT_MAX_CHARTS, value_name = "N")]
    pub max_charts: usize,
    /// Use this method for a column, e.g. --method age=psi (repeatable).
    #[arg(long = "method", value_name = "COL=METHOD")]
    pub methods: Vec<String>,
    /// Threshold for a column or a method, e.g. --threshold age=0.2 --threshold ks=0.01.
    #[arg(long = "threshold", value_name = "KEY=VALUE")]
    pub thresholds: Vec<String>,
    /// Test only these columns (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub columns: Vec<String>,
    /// Multiple-testing correction over the p-value methods: bonferroni, holm or bh.
    #[arg(long, value_name = "NAME")]
    pub correction: Option<String>,
    /// Share of drifted columns at which the dataset counts as drifted.
    #[arg(long, default_value_t = kiln_monitor::drift::spec::DEFAULT_DRIFT_SHARE)]
    pub drift_share: f64,
    /// PSI bins for numeric columns: sturges (Evidently's) or quantiles (reference deciles).
    #[arg(long, default_value = "sturges", value_name = "BINNING")]
    pub psi_binning: String,
    #[command(flatten)]
    pub profile: ProfileFlags,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How a reference profile is built from a data file.
#[derive(Debug, Args, Clone)]
pub struct ProfileFlags {
    /// Values sampled per numeric reference column (exact statistics up to this many).
    #[arg(long, default_value_t = kiln_monitor::drift::reference::DEFAULT_SAMPLE_SIZE)]
    pub sample_size: usize,
    /// Seed of the reference sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Reference-quantile bins for PSI.
    #[arg(long, default_value_t = kiln_monitor::drift::reference::DEFAULT_PSI_BINS)]
    pub psi_bins: usize,
}

impl ProfileFlags {
    fn options(&self) -> ReferenceOptions {
        ReferenceOptions {
            sample_size: self.sample_size,
            seed: self.seed,
            psi_bins: self.psi_bins,
        }
    }
}

/// `kiln monitor validate`
#[derive(Debug, Args)]
pub struct ValidateModelArgs {
    /// The model: name, name/3 or name@alias.
    pub model: String,
    /// The file to check.
    pub file: PathBuf,
    /// Field delimiter for CSV (default: comma; tab for .tsv).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
}

/// `kiln monitor stream`
#[derive(Debug, Args)]
pub struct StreamArgs {
    /// The data file.
    pub file: PathBuf,
    /// The column to watch.
    #[arg(long, value_name = "COL")]
    pub column: String,
    /// ddm, eddm, adwin, page_hinkley, cusum or kswin.
    #[arg(long, value_name = "NAME")]
    pub detector: String,
    /// Change a detector setting, e.g. --set delta=0.01 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `kiln monitor reference`
#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// The reference data file.
    pub file: PathBuf,
    /// Where to write the profile (must end in .reference.json).
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub profile: ProfileFlags,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Runs one `kiln monitor` command. Every error here is about the input or the flags (exit 2);
/// exit code 1 is kept for "drift found", "alert raised" and "validation errors found".
pub fn run(command: MonitorCommand, project_dir: &Path, json: bool) -> CliResult<()> {
    let result = match command {
        MonitorCommand::Drift(args) => drift(args, project_dir, json),
        MonitorCommand::Validate(args) => validate_model(args, project_dir, json),
        MonitorCommand::Stream(args) => stream(args, json),
        MonitorCommand::Reference(args) => reference(args, project_dir, json),
        MonitorCommand::Predictions(args) => {
            super::monitor_logs::predictions(args, project_dir, json)
        }
        MonitorCommand::Performance(args) => {
            super::monitor_logs::performance_command(args, project_dir, json)
        }
    };
    result.map_err(|e| match e {
        CliError::Usage(m) => CliError::Usage(m),
        // Validation errors found in the data (exit 1), after the report was printed.
        CliError::Reported(m) => CliError::Reported(m),
        other => CliError::Usage(other.to_string()),
    })
}

/// The suffix of a saved reference profile.
const PROFILE_SUFFIX: &str = ".reference.json";

/// A registered model a drift reference or a validation came from.
#[derive(Serialize)]
struct ModelSource {
    name: String,
    version: u32,
    /// The reference as given (e.g. `churn@production`).
    reference: String,
}

impl ModelSource {
    fn new(version: &ModelVersion, reference: &ModelRef) -> Self {
        ModelSource {
            name: version.name.clone(),
            version: version.version,
            reference: reference.to_string(),
        }
    }

    /// `churn/3 (churn@production)`, or `churn/3` when asked for by version.
    fn label(&self) -> String {
        let exact = format!("{}/{}", self.name, self.version);
        if self.reference == exact {
            format!("model {exact}")
        } else {
            format!("model {exact} ({})", self.reference)
        }
    }
}

/// The model `text` names in the project's registry and its artifact manifest (the payload is
/// not read). `flag` names the argument in errors.
fn model_manifest(
    text: &str,
    flag: &str,
    project_dir: &Path,
) -> CliResult<(ModelSource, kiln_registry::Manifest)> {
    let reference = ModelRef::parse(text)
        .map_err(|e| CliError::Usage(format!("{flag} {text}: no such file, and {e}")))?;
    let registry = open_existing(project_dir)
        .map_err(|e| CliError::Usage(format!("{flag} {text}: no such file, and {e}")))?;
    let version = registry
        .resolve(&reference)
        .map_err(|e| CliError::Usage(format!("{flag} {text}: no such file, and {e}")))?;
    let manifest = registry.manifest(&version)?;
    Ok((ModelSource::new(&version, &reference), manifest))
}

/// The training profile stored in a model's artifact.
fn stored_profile(
    source: &ModelSource,
    manifest: kiln_registry::Manifest,
) -> CliResult<ReferenceProfile> {
    let origin = format!("{}/{}", source.name, source.version);
    match manifest.reference_profile {
        Some(value) => Ok(ReferenceProfile::from_value(value, &origin)?),
        None => Err(CliError::Usage(format!(
            "model {origin} has no stored training profile (its artifact was written by kiln {} before models kept one); retrain it, or pass its training data file or a .reference.json as --reference",
            manifest.kiln_version
        ))),
    }
}

/// True when `source` names a data or profile file rather than a model: an existing file, or
/// a name with a data-file or profile extension (so a mistyped file is reported as a missing
/// file, not as an unknown model).
fn names_a_file(source: &str) -> bool {
    let path = Path::new(source);
    path.is_file() || source.ends_with(PROFILE_SUFFIX) || kiln_data::io::Format::of(path).is_ok()
}

/// The reference side of a drift report, from wherever it lives: a saved profile
/// (FILE.reference.json), a data file profiled now, or a registered model's stored profile.
/// Returns the profile and the model it came from, if any.
fn load_reference(
    source: &str,
    read: &ReadArgs,
    options: &ReferenceOptions,
    project_dir: &Path,
    quiet: bool,
) -> CliResult<(ReferenceProfile, Option<ModelSource>)> {
    let path = Path::new(source);
    if !names_a_file(source) {
        let (model, manifest) = model_manifest(source, "--reference", project_dir)?;
        let profile = stored_profile(&model, manifest)?;
        return Ok((profile, Some(model)));
    }
    if source.ends_with(PROFILE_SUFFIX) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Usage(format!("--reference {source}: {e}")))?;
        return Ok((ReferenceProfile::from_json(&text, source)?, None));
    }
    let (frame, _) = read_frame(path, read, quiet)?;
    let pb = spinner("profiling the reference", quiet);
    let profile = ReferenceProfile::from_frame(&frame, options)?;
    pb.finish_and_clear();
    Ok((profile, None))
}

/// The drift spec the flags describe; column names in `--threshold` win over method names.
fn drift_spec(args: &DriftArgs, reference: &ReferenceProfile) -> CliResult<DriftSpec> {
    let mut spec = DriftSpec {
        drift_share: args.drift_share,
        psi_binning: match args.psi_binning.to_ascii_lowercase().as_str() {
            "sturges" => PsiBinning::Sturges,
            "quantiles" | "quantile" => PsiBinning::Quantiles,
            other => {
                return Err(CliError::Usage(format!(
                    "--psi-binning: unknown binning '{other}'; expected sturges or quantiles"
                )));
            }
        },
        ..Default::default()
    };
    if !args.columns.is_empty() {
        spec.columns = Some(args.columns.clone());
    }
    if let Some(c) = &args.correction {
        spec.correction = Some(c.parse::<CorrectionSpec>()?);
    }
    for m in &args.methods {
        let (col, method) = split_pair("method", m)?;
        spec.methods
            .insert(col.to_string(), method.parse::<DriftMethod>()?);
    }
    for t in &args.thresholds {
        let (key, value) = split_pair("threshold", t)?;
        let v: f64 = value.parse().map_err(|_| {
            CliError::Usage(format!(
                "--threshold {t}: '{value}' is not a number; expected KEY=VALUE such as age=0.2"
            ))
        })?;
        if reference.column(key).is_some() {
            spec.thresholds.insert(key.to_string(), v);
        } else if let Ok(method) = key.parse::<DriftMethod>() {
            spec.method_thresholds.insert(method, v);
        } else {
            return Err(CliError::Usage(format!(
                "--threshold {t}: '{key}' is neither a reference column nor a method (ks, chisquare, z, wasserstein, jensenshannon, psi, anderson, mannw)"
            )));
        }
    }
    spec.check()?;
    Ok(spec)
}

#[derive(Serialize)]
struct DriftOutput<'a> {
    reference: &'a str,
    /// The registered model whose stored training profile was the reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_model: Option<&'a ModelSource>,
    current: String,
    /// Seconds spent profiling the reference and running the tests (reading excluded).
    drift_seconds: f64,
    /// The HTML report written, if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    #[serde(flatten)]
    report: &'a DriftReport,
}

fn drift(args: DriftArgs, project_dir: &Path, json: bool) -> CliResult<()> {
    let (current, _) = read_frame(&args.current, &args.read, json)?;
    let start = Instant::now();
    let (reference, model) = load_reference(
        &args.reference,
        &args.read,
        &args.profile.options(),
        project_dir,
        json,
    )?;
    let spec = drift_spec(&args, &reference)?;
    let pb = spinner("testing columns", json);
    let report = detect_drift(&reference, &current, &spec)?;
    pb.finish_and_clear();
    let drift_seconds = start.elapsed().as_secs_f64();
    let reference_label = model
        .as_ref()
        .map_or_else(|| args.reference.clone(), ModelSource::label);
    if let Some(out) = &args.html {
        let pb = spinner("drawing the HTML report", json);
        let plots = DriftPlotData::build(&reference, &current, &report, args.max_charts)?;
        let context = DriftHtmlContext {
            reference: reference_label.clone(),
            current: args.current.display().to_string(),
        };
        let page = render_html(&report, &plots, &context);
        pb.finish_and_clear();
        std::fs::write(out, page)
            .map_err(|e| CliError::Failed(format!("--html {}: {e}", out.display())))?;
    }
    if json {
        print_json(&DriftOutput {
            reference: &args.reference,
            reference_model: model.as_ref(),
            current: args.current.display().to_string(),
            drift_seconds,
            html: args.html.as_ref().map(|p| p.display().to_string()),
            report: &report,
        })?;
    } else {
        print_drift(&args, &reference_label, &report);
        if let Some(out) = &args.html {
            outln!("wrote {}", out.display());
        }
    }
    if report.dataset_drift {
        exit_drift(
            json,
            format!(
                "dataset drift: {} of {} columns drifted",
                report.drifted_columns, report.tested_columns
            ),
        )
    } else {
        Ok(())
    }
}

/// Exits with code 1 after a report that found drift (the report on stdout is the answer, so no
/// second JSON document follows it).
pub(super) fn exit_drift(json: bool, message: String) -> CliResult<()> {
    if json {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        eprintln!("{message}");
        std::process::exit(1);
    }
    outln!("{message}");
    std::process::exit(1);
}

pub(super) fn number(v: f64) -> String {
    if v.is_infinite() {
        return "inf".into();
    }
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

fn row(c: &ColumnDrift, adjusted: bool) -> Vec<String> {
    let mut r = vec![
        c.column.clone(),
        c.column_type.to_string(),
        c.method.name().to_string(),
        number(c.statistic),
        match c.p_value {
            Some(p) => format!("p={}", number(p)),
            None => format!("d={}", number(c.statistic)),
        },
    ];
    if adjusted {
        r.push(c.adjusted_p_value.map_or_else(String::new, number));
    }
    r.push(number(c.threshold));
    r.push(if c.drifted {
        "DRIFT".into()
    } else {
        "no".into()
    });
    r.push(c.effect_size.map_or_else(String::new, |e| {
        let name = match e.kind {
            kiln_monitor::drift::EffectSizeKind::StandardizedMeanDifference => "smd",
            kiln_monitor::drift::EffectSizeKind::CramersV => "V",
        };
        format!("{name}={}", number(e.value))
    }));
    r
}

fn print_drift(args: &DriftArgs, reference: &str, report: &DriftReport) {
    outln!(
        "drift of {} ({} rows) against {reference} ({} rows)",
        args.current.display(),
        report.current_rows,
        report.reference_rows
    );
    let adjusted = report.correction.is_some();
    let mut header: Vec<String> = ["column", "type", "method", "statistic", "p-value/distance"]
        .map(String::from)
        .to_vec();
    if adjusted {
        header.push("adjusted p".into());
    }
    header.extend(["threshold", "drifted", "effect size"].map(String::from));
    let mut rows = vec![header];
    rows.extend(report.columns.iter().map(|c| row(c, adjusted)));
    outln!();
    out!("{}", table(&rows));
    if !report.skipped.is_empty() {
        let names: Vec<String> = report
            .skipped
            .iter()
            .map(|s| format!("{} ({})", s.column, s.reason))
            .collect();
        outln!("\nnot tested: {}", names.join("; "));
    }
    let sampled: Vec<&str> = report
        .columns
        .iter()
        .filter(|c| c.reference_sampled)
        .map(|c| c.column.as_str())
        .collect();
    if !sampled.is_empty() {
        outln!(
            "\nread a uniform sample of the reference values: {}",
            sampled.join(", ")
        );
    }
    outln!(
        "\n{} of {} columns drifted ({:.1}%; the dataset drifts at {:.1}%): {}",
        report.drifted_columns,
        report.tested_columns,
        100.0 * report.share_drifted,
        100.0 * report.drift_share,
        if report.dataset_drift {
            "DATASET DRIFT"
        } else {
            "no dataset drift"
        }
    );
}

/// A detector spec from its name and `--set NAME=VALUE` pairs (values read as JSON when they
/// parse, else as text), checked by building it.
fn detector_spec(name: &str, settings: &[String]) -> CliResult<DetectorSpec> {
    let base = DetectorSpec::default_for(name)?;
    if settings.is_empty() {
        return Ok(base);
    }
    let mut value = serde_json::to_value(&base).map_err(|e| CliError::Failed(e.to_string()))?;
    for s in settings {
        let (key, raw) = split_pair("set", s)?;
        let v = serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.into()));
        value[key] = v;
    }
    let spec: DetectorSpec = serde_json::from_value(value)
        .map_err(|e| CliError::Usage(format!("--set for {}: {e}", base.name())))?;
    spec.build()?;
    Ok(spec)
}

#[derive(Serialize)]
struct StreamOutput<'a> {
    file: String,
    column: &'a str,
    /// Positions are 0-based: position 0 is the first data row.
    positions: &'static str,
    #[serde(flatten)]
    report: &'a StreamReport,
}

fn stream(args: StreamArgs, json: bool) -> CliResult<()> {
    let spec = detector_spec(&args.detector, &args.settings)?;
    let (frame, _) = read_frame(&args.file, &args.read, json)?;
    let values = frame.numeric(&args.column)?;
    let pb = spinner(format!("running {}", spec.name()), json);
    let report = run_stream(&spec, &values)?;
    pb.finish_and_clear();
    if json {
        print_json(&StreamOutput {
            file: args.file.display().to_string(),
            column: &args.column,
            positions: "0-based; position 0 is the first data row",
            report: &report,
        })?;
    } else {
        let list = |v: &[usize]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        outln!(
            "{} on {}:{} ({} values, {} missing skipped)",
            spec.name(),
            args.file.display(),
            args.column,
            report.values,
            report.skipped_missing
        );
        outln!("drift detected at positions: {}", list(&report.detections));
        if spec.is_binary() {
            outln!("warning zone at {} positions", report.warnings.len());
        }
        outln!("(positions are 0-based: position 0 is the first data row)");
    }
    if report.detections.is_empty() {
        Ok(())
    } else {
        exit_drift(
            json,
            format!("drift detected {} time(s)", report.detections.len()),
        )
    }
}

#[derive(Serialize)]
struct ReferenceOutput {
    file: String,
    output: String,
    rows: u64,
    columns: usize,
    bytes: usize,
}

fn reference(args: ReferenceArgs, project_dir: &Path, json: bool) -> CliResult<()> {
    let out = args.output.display().to_string();
    if !out.ends_with(PROFILE_SUFFIX) {
        return Err(CliError::Usage(format!(
            "-o {out}: a reference profile file name must end in {PROFILE_SUFFIX}"
        )));
    }
    let source = args.file.display().to_string();
    let (profile, _) = load_reference(
        &source,
        &args.read,
        &args.profile.options(),
        project_dir,
        json,
    )?;
    let text = profile.to_json()?;
    std::fs::write(&args.output, &text).map_err(|e| CliError::Failed(format!("{out}: {e}")))?;
    if json {
        return print_json(&ReferenceOutput {
            file: source,
            output: out,
            rows: profile.rows,
            columns: profile.columns.len(),
            bytes: text.len(),
        });
    }
    outln!(
        "wrote {out} ({} columns, {} rows of {source}, {} bytes)",
        profile.columns.len(),
        profile.rows,
        text.len()
    );
    Ok(())
}

/// Runs `kiln monitor validate`: the file against the schema derived from the model's artifact.
fn validate_model(args: ValidateModelArgs, project_dir: &Path, json: bool) -> CliResult<()> {
    let (model, manifest) = model_manifest(&args.model, "model", project_dir)?;
    let training = match manifest.reference_profile.clone() {
        Some(value) => Some(ReferenceProfile::from_value(
            value,
            &format!("{}/{}", model.name, model.version),
        )?),
        None => None,
    };
    let schema = DataSchema::from_model_inputs(&manifest.input_schema, training.as_ref());
    // Categorical and text inputs are read as the model's types (any cell is a category, so
    // this cannot fail and a zip code stays a category); other columns are inferred, so a cell
    // that is no longer a number is reported with its rows as a type mismatch.
    let mut options = csv_options(&ReadArgs::inferred(args.delimiter))?;
    for c in &schema.columns {
        if matches!(
            c.column_type,
            kiln_data::ColumnType::Categorical | kiln_data::ColumnType::Text
        ) {
            options.overrides.set_type(&c.name, c.column_type);
        }
    }
    let pb = spinner(format!("reading {}", args.file.display()), json);
    let frame = kiln_data::io::read_any(&args.file, &options);
    pb.finish_and_clear();
    let frame = frame?;
    let pb = spinner("validating", json);
    let report = check_schema(&frame, &schema)?;
    pb.finish_and_clear();
    super::validate::print_report(
        &args.file,
        super::validate::Against::Model(&model.label()),
        &report,
        json,
    )
}
