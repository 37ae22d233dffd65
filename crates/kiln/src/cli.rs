//! Command-line grammar: `kiln <noun> <verb>`, every command with `--help` examples and `--json`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// kiln — production machine learning on tabular data.
#[derive(Debug, Parser)]
#[command(
    name = "kiln",
    version,
    about = "Production machine learning on tabular data: explore, prepare, train, evaluate, register, serve, monitor.",
    after_help = "Examples:\n  kiln quickstart\n  kiln datasets list\n  kiln data info data.csv\n  kiln data synth --kind classification --rows 1000000 --features 28 --seed 7 -o higgs_like.parquet\n\nExit codes: 0 ok, 1 failure, 2 usage error."
)]
pub struct Cli {
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The project folder whose `.kiln/` holds runs, models and artifacts.
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level nouns.
// Parsed once per process; boxing the larger variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect, convert, generate and drift data files.
    #[command(subcommand)]
    Data(Box<DataCommand>),
    /// List and export the bundled real datasets.
    #[command(subcommand)]
    Datasets(DatasetsCommand),
    /// Drift of current data against a reference, and streaming drift detectors.
    #[command(subcommand)]
    Monitor(crate::commands::monitor::MonitorCommand),
    /// Run the main job on a bundled dataset with missing values and categoricals.
    #[command(after_help = "Example:\n  kiln quickstart\n  kiln quickstart --json")]
    Quickstart,
    /// Train: split once, cross-validate candidates, test the best once, gate, register.
    #[command(
        after_help = "Examples:\n  kiln train                                   # reads ./kiln.toml\n  kiln train --config churn/kiln.toml\n  kiln train train.csv --target churned --model gbdt --model random_forest\n  kiln train train.csv --target churned --model '{\"kind\": \"gbdt\", \"num_leaves\": 63}' --name churn\n\nThe new version is always registered; the alias (default production) moves only when the\ngate passes. Exit code 1 when the gate fails, with the reason."
    )]
    Train(TrainArgs),
    /// Score a registered model on a labelled file and write a report.
    #[command(
        after_help = "Examples:\n  kiln evaluate churn@production holdout.csv\n  kiln evaluate churn/3 holdout.parquet --json"
    )]
    Evaluate(EvaluateArgs),
    /// Search hyper-parameters ([tune] in kiln.toml) by cross-validation on the training rows.
    #[command(
        after_help = "Example kiln.toml section:\n  [tune]\n  strategy = \"random\"\n  n_iter = 20\n  params = { learning_rate = { log_uniform = [0.01, 0.3] }, num_leaves = { int = [8, 128] } }\n\nExamples:\n  kiln tune\n  kiln tune --config churn/kiln.toml --json"
    )]
    Tune(TuneArgs),
    /// Predict a file with a registered model (CSV/Parquet in and out, chunked).
    #[command(
        after_help = "Examples:\n  kiln predict churn@production new.csv -o scored.csv --id customer_id\n  kiln predict churn/3 new.parquet -o scored.parquet"
    )]
    Predict(PredictArgs),
    /// List, show, promote, roll back and delete registered models.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// List, show and compare training and evaluation runs.
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Serve registered models over HTTP (native, MLflow-compatible, health, metrics routes).
    #[command(
        after_help = "Examples:\n  kiln serve churn@production\n  kiln serve churn@production fraud/3 --default-model churn --addr 0.0.0.0:8080\n  KILN_ADMIN_TOKEN=... kiln serve churn@production --poll 10\n\nRoutes: POST /v1/models/{name}/predict, POST /invocations, POST /v1/models/{name}/feedback,\nGET /v1/models, /healthz, /readyz, /metrics, /ping; POST /v1/admin/reload when\nKILN_ADMIN_TOKEN is set (at least 16 characters). Stops cleanly on Ctrl-C or SIGTERM."
    )]
    Serve(crate::commands::serve::ServeArgs),
}

/// `kiln train` and `kiln tune`: where the project configuration comes from.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Training data; overrides [data] path (without kiln.toml, --target is needed too).
    pub file: Option<PathBuf>,
    /// The project configuration (default: ./kiln.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Candidate model: a kind (gbdt, random_forest, decision_tree, ...) or a JSON spec
    /// (repeatable; replaces [[model]]).
    #[arg(long = "model", value_name = "KIND|JSON")]
    pub models: Vec<String>,
    /// The column to predict (overrides [data] target).
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    /// Set a column's role, e.g. --role customer_id=id (repeatable).
    #[arg(long = "role", value_name = "COL=ROLE")]
    pub roles: Vec<String>,
    /// Force a column's type, e.g. --type zip=categorical (repeatable).
    #[arg(long = "type", value_name = "COL=TYPE")]
    pub types: Vec<String>,
    /// Selection metric (roc_auc, log_loss, accuracy, f1, rmse, mae, r2, ...).
    #[arg(long, value_name = "METRIC")]
    pub metric: Option<String>,
    /// Cross-validation folds on the training rows (0 skips cross-validation).
    #[arg(long, value_name = "N")]
    pub folds: Option<usize>,
    /// Seed for the split, the folds and the models.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Share of rows held out for the one final test.
    #[arg(long, value_name = "SHARE")]
    pub test_size: Option<f64>,
}

/// `kiln train`
#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Registry name (default: [register] name, or the data file's name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Alias to move when the gate passes (default: [register] alias, or production).
    #[arg(long, value_name = "ALIAS")]
    pub alias: Option<String>,
    /// Largest allowed drop of the gate metric vs the current version (default: [gate] or 0).
    #[arg(long, value_name = "DROP")]
    pub max_drop: Option<f64>,
    /// Where to write the HTML report (default: .kiln/reports/run-ID.html).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// `kiln tune`
#[derive(Debug, Args)]
pub struct TuneArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `kiln evaluate`
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Model reference: name (latest), name/3 or name@alias.
    pub model: String,
    /// A labelled file with the model's input columns and its target column.
    pub file: PathBuf,
    /// Where to write the HTML report (default: .kiln/reports/run-ID.html).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// `kiln predict`
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Model reference: name (latest), name/3 or name@alias.
    pub model: String,
    /// Rows to score (.csv, .tsv, .parquet, .ndjson).
    pub input: PathBuf,
    /// Output file; the extension picks the format.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Input column copied to the output as a row id (repeatable).
    #[arg(long = "id", value_name = "COL")]
    pub ids: Vec<String>,
    /// Bytes of CSV read per chunk.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20)]
    pub chunk_bytes: usize,
}

/// `kiln models …`
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Registered models with their latest version and aliases.
    #[command(after_help = "Example:\n  kiln models list\n  kiln models list --json")]
    List,
    /// One model's versions, or one version's manifest (metrics, schema, spec, lineage).
    #[command(
        after_help = "Examples:\n  kiln models show churn\n  kiln models show churn@production\n  kiln models show churn/3 --json"
    )]
    Show {
        /// A name (all versions), name/3 or name@alias.
        reference: String,
    },
    /// Point an alias at a version (no gate: a deliberate, recorded decision).
    #[command(
        after_help = "Examples:\n  kiln models promote churn/4\n  kiln models promote churn/4 --alias staging --reason \"shadow test\""
    )]
    Promote {
        /// name/VERSION (or name@alias to copy another alias).
        reference: String,
        /// The alias to move.
        #[arg(long, default_value = "production")]
        alias: String,
        /// Why, for the alias history.
        #[arg(long, default_value = "promoted by hand")]
        reason: String,
    },
    /// Move an alias back to the version it pointed at before its last move.
    #[command(
        after_help = "Example:\n  kiln models rollback churn\n  kiln models rollback churn --alias staging"
    )]
    Rollback {
        /// The model name.
        name: String,
        /// The alias to move back.
        #[arg(long, default_value = "production")]
        alias: String,
    },
    /// Delete a version (refused while an alias points at it).
    #[command(after_help = "Example:\n  kiln models delete churn/2")]
    Delete {
        /// name/VERSION.
        reference: String,
    },
}

/// `kiln runs …`
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Recent runs, newest first.
    #[command(after_help = "Example:\n  kiln runs list --limit 20\n  kiln runs list --json")]
    List {
        /// How many runs to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// One run: config, data, metrics per fold, timings, environment, artifact, report.
    #[command(after_help = "Example:\n  kiln runs show 7\n  kiln runs show 7 --open")]
    Show {
        /// Run id.
        id: i64,
        /// Print only the path of the run's HTML report (to open it).
        #[arg(long)]
        open: bool,
    },
    /// Metrics of several runs side by side.
    #[command(after_help = "Example:\n  kiln runs compare 6 7")]
    Compare {
        /// Run ids.
        #[arg(required = true, num_args = 2..)]
        ids: Vec<i64>,
    },
}

/// `kiln data …`
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Rows, columns, inferred types and roles, missing share, distinct counts, memory.
    #[command(
        after_help = "Examples:\n  kiln data info train.csv\n  kiln data info train.parquet --json\n  kiln data info raw.csv --type zip=categorical --role customer_id=id --target churned"
    )]
    Info(InfoArgs),
    /// Convert between CSV, Parquet and NDJSON (by file extension).
    #[command(
        after_help = "Examples:\n  kiln data convert train.csv train.parquet\n  kiln data convert train.csv train.parquet --sort-low-cardinality"
    )]
    Convert(ConvertArgs),
    /// Generate a seeded synthetic dataset.
    #[command(
        after_help = "Examples:\n  kiln data synth --kind classification --rows 1000000 --features 28 --seed 7 -o higgs_like.parquet\n  kiln data synth --kind classification --weights 0.95,0.05 --missing-rate 0.1 --categorical 3 -o imbalanced.csv\n  kiln data synth --kind regression --rows 10000 --features 10 --noise 5 -o reg.csv"
    )]
    Synth(SynthArgs),
    /// Write a drifted copy of a dataset (mean shift, scale, category mix) for monitoring tests.
    #[command(
        after_help = "Example:\n  kiln data drift train.parquet -o drifted.parquet --shift f00=0.5 --scale f01=2 --mix f27=0.3"
    )]
    Drift(DriftArgs),
    /// Profile a file: per-column statistics and flags, correlations, target balance (terminal,
    /// --json, --html).
    #[command(
        after_help = "Examples:\n  kiln data profile train.csv --target churned\n  kiln data profile train.csv --target churned --html profile.html\n  kiln data profile big.csv --json > reference_profile.json\n\nCSV files are streamed in chunks, so files larger than memory can be profiled. Quantiles,\nhistograms and outlier counts are exact up to --sample-rows rows and come from a uniform\nreservoir sample beyond that."
    )]
    Profile(ProfileArgs),
    /// Infer a schema (types, roles, nullability, domains, ranges, missing rates) as TOML.
    #[command(
        after_help = "Examples:\n  kiln data schema train.csv -o schema.toml\n  kiln data schema train.csv -o schema.toml --slack 0.1 --target churned"
    )]
    Schema(SchemaArgs),
    /// Check a file against a schema; exit code 1 on any violation of severity error.
    #[command(
        after_help = "Examples:\n  kiln data validate new.csv --schema schema.toml\n  kiln data validate new.parquet --schema schema.toml --json\n\nExample rows are 1-based data rows: row 1 is the first line after the header."
    )]
    Validate(ValidateArgs),
}

/// How to read an input file.
#[derive(Debug, Args, Clone)]
pub struct ReadArgs {
    /// Field delimiter for CSV (default: comma; tab for .tsv).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// The CSV has no header line; columns are named column_1, column_2, ….
    #[arg(long)]
    pub no_header: bool,
    /// Extra cell text to read as missing (repeatable); added to the defaults.
    #[arg(long = "na", value_name = "TOKEN")]
    pub na: Vec<String>,
    /// TOML file forcing types and roles ([columns.NAME] type = "…", role = "…").
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Force a column's type, e.g. --type zip=categorical (repeatable).
    #[arg(long = "type", value_name = "COL=TYPE")]
    pub types: Vec<String>,
    /// Set a column's role, e.g. --role customer_id=id (repeatable).
    #[arg(long = "role", value_name = "COL=ROLE")]
    pub roles: Vec<String>,
    /// The target column (same as --role COL=target).
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
}

/// `kiln data info`
impl ReadArgs {
    /// Reading with inferred types and default missing-value tokens, only the delimiter set
    /// (commands that check a file against a schema must not force types while reading).
    pub fn inferred(delimiter: Option<char>) -> Self {
        ReadArgs {
            delimiter,
            no_header: false,
            na: Vec::new(),
            schema: None,
            types: Vec::new(),
            roles: Vec::new(),
            target: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The file to describe (.csv, .tsv, .parquet, .ndjson).
    pub file: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `kiln data convert`
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input file.
    pub input: PathBuf,
    /// Output file; the extension picks the format.
    pub output: PathBuf,
    /// Sort rows by low-cardinality columns first (smaller Parquet files); reports the gain.
    #[arg(long)]
    pub sort_low_cardinality: bool,
    /// zstd compression level for Parquet (1–22).
    #[arg(long, default_value_t = 3)]
    pub zstd_level: i32,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Kinds of synthetic data.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SynthKind {
    /// Classes from Gaussian clusters (like scikit-learn's make_classification).
    Classification,
    /// A linear target with Gaussian noise (like make_regression).
    Regression,
}

/// `kiln data synth`
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// What to generate.
    #[arg(long, value_enum, default_value_t = SynthKind::Classification)]
    pub kind: SynthKind,
    /// Rows.
    #[arg(long, default_value_t = 1000)]
    pub rows: usize,
    /// Feature columns.
    #[arg(long, default_value_t = 20)]
    pub features: usize,
    /// Informative features (default: classification 2, regression 5 or fewer).
    #[arg(long)]
    pub informative: Option<usize>,
    /// Redundant features (classification).
    #[arg(long, default_value_t = 2)]
    pub redundant: usize,
    /// Classes (classification).
    #[arg(long, default_value_t = 2)]
    pub classes: usize,
    /// Clusters per class (classification).
    #[arg(long, default_value_t = 2)]
    pub clusters_per_class: usize,
    /// Class separation (classification).
    #[arg(long, default_value_t = 1.0)]
    pub class_sep: f64,
    /// Class proportions, comma-separated, e.g. 0.95,0.05 (classification).
    #[arg(long, value_delimiter = ',')]
    pub weights: Vec<f64>,
    /// Fraction of labels flipped at random (classification).
    #[arg(long, default_value_t = 0.01)]
    pub flip_y: f64,
    /// Noise standard deviation (regression).
    #[arg(long, default_value_t = 1.0)]
    pub noise: f64,
    /// Fraction of feature cells set missing.
    #[arg(long, default_value_t = 0.0)]
    pub missing_rate: f64,
    /// Number of (last) feature columns made categorical.
    #[arg(long, default_value_t = 0)]
    pub categorical: usize,
    /// Levels per categorical column.
    #[arg(long, default_value_t = 8)]
    pub categories: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file (.csv, .parquet, .ndjson).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// `kiln data drift`
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Input file.
    pub input: PathBuf,
    /// Output file.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Shift a numeric column's mean by K standard deviations: COL=K (repeatable).
    #[arg(long = "shift", value_name = "COL=K")]
    pub shifts: Vec<String>,
    /// Scale a numeric column's spread by K: COL=K (repeatable).
    #[arg(long = "scale", value_name = "COL=K")]
    pub scales: Vec<String>,
    /// Move a fraction P of a categorical column's rows to its rarest category: COL=P (repeatable).
    #[arg(long = "mix", value_name = "COL=P")]
    pub mixes: Vec<String>,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `kiln data profile`
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The file to profile (.csv, .tsv, .parquet, .ndjson).
    pub file: PathBuf,
    /// Also write the report as one self-contained HTML file (inline SVG, no scripts or links).
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Rows kept in the uniform sample behind quantiles, histograms and outliers.
    #[arg(long, default_value_t = 1_000_000)]
    pub sample_rows: usize,
    /// Rows used for correlations, VIF and target associations (a subsample when fewer).
    #[arg(long, default_value_t = 1_000_000)]
    pub correlation_rows: usize,
    /// Seed of the samples.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `kiln data schema`
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The reference file.
    pub file: PathBuf,
    /// Where to write the schema (TOML).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Widen numeric ranges by this fraction of their width on each side (e.g. 0.1).
    #[arg(long, default_value_t = 0.0)]
    pub slack: f64,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `kiln data validate`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The file to check.
    pub file: PathBuf,
    /// The schema written by `kiln data schema`.
    #[arg(long, value_name = "schema.toml")]
    pub schema: PathBuf,
    /// Field delimiter for CSV (default: comma; tab for .tsv).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
}

/// `kiln datasets …`
#[derive(Debug, Subcommand)]
pub enum DatasetsCommand {
    /// List the bundled datasets with task, target, size, source and licence.
    #[command(after_help = "Example:\n  kiln datasets list\n  kiln datasets list --json")]
    List,
    /// Write a bundled dataset to a file (.csv keeps the original bytes; .parquet/.ndjson convert).
    #[command(after_help = "Example:\n  kiln datasets export auto_mpg -o auto_mpg.csv")]
    Export {
        /// Dataset name (see `kiln datasets list`).
        name: String,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
    },
}
