//! Data profiles: what `kiln data profile` reports, and the reference profile drift monitoring
//! compares new data against.
//!
//! The profile lives in kiln-stats (which may depend on kiln-data) rather than in its own crate:
//! it is the statistics engine applied to a `Frame`, and every number in it comes from the
//! functions of this crate, so keeping it here keeps one implementation of each statistic.
//!
//! # How it is computed
//!
//! One pass over the rows, chunk by chunk ([`ProfileBuilder::push`]), so a CSV file larger than
//! memory can be profiled through `kiln_data::csv::CsvChunks`. Per column (in parallel with rayon):
//! streaming mergeable moments ([`crate::moments::Moments`]) for count, mean, std, skewness and
//! kurtosis; exact value counts while a column has at most [`DISTINCT_CAP`] distinct values; and
//! one uniform **row reservoir sample** (Vitter's Algorithm R, seeded) of at most
//! [`ProfileOptions::sample_rows`] rows shared by all columns. Order statistics (quantiles, median,
//! MAD, IQR), histograms, quantile bins and outlier counts come from that sample, so they are
//! **exact when the data has no more rows than the sample size** (1,000,000 by default) and
//! estimates from a uniform sample otherwise ([`SampleInfo::exact`] says which). Correlations, VIF
//! and target associations use the same sample, or a uniform subsample of it of at most
//! [`ProfileOptions::correlation_rows`] rows.
//!
//! # JSON schema (version 1)
//!
//! The serde form of [`Profile`] is a stable, documented format; `crates/kiln-stats/PROFILE.md`
//! describes every field. Additions keep `schema_version`; a removal or a change of meaning
//! increments it. Floats that are undefined (the skewness of a constant column, a correlation
//! with zero variance) are `null`, never NaN.

mod accumulate;
mod build;
pub mod html;
mod multivariate;
pub mod svg;

use kiln_data::{ColumnType, Role};
use serde::{Deserialize, Serialize};

pub use build::{ProfileBuilder, profile_frame};

/// The version of the JSON profile format this crate writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Distinct values counted exactly per column; beyond this the counts stop growing and
/// `distinct_exact` is false.
pub const DISTINCT_CAP: usize = 10_000;

/// Top values shown per column.
pub const TOP_VALUES: usize = 10;

/// Highest bin count of a profile histogram (Freedman–Diaconis, capped).
pub const MAX_HISTOGRAM_BINS: usize = 50;

/// Quantile levels whose values are the edges of the drift reference bins (deciles).
pub const QUANTILE_BIN_LEVELS: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// Thresholds behind the flags and warnings; one place for each number.
pub mod thresholds {
    /// caret's `nearZeroVar`: most common / second most common value above 95/5 …
    pub const NEAR_CONSTANT_FREQ_RATIO: f64 = 95.0 / 5.0;
    /// … and distinct values under 10% of the count.
    pub const NEAR_CONSTANT_UNIQUE_PCT: f64 = 10.0;
    /// Categorical or text columns with more distinct values than this are high-cardinality
    /// (ydata-profiling's default).
    pub const HIGH_CARDINALITY: u64 = 50;
    /// |skewness| above this is heavy skew (Bulmer's "highly skewed").
    pub const HEAVY_SKEW: f64 = 1.0;
    /// |z| above this is a z-score outlier.
    pub const OUTLIER_Z: f64 = 3.0;
    /// Tukey's fences: outside [Q1 − k·IQR, Q3 + k·IQR].
    pub const OUTLIER_IQR_K: f64 = 1.5;
    /// Missing share (%) above which a column is flagged.
    pub const HIGH_MISSING_PCT: f64 = 50.0;
    /// |r| at or above this for a pair of features is multicollinearity.
    pub const HIGH_CORRELATION: f64 = 0.9;
    /// VIF at or above this is multicollinearity.
    pub const HIGH_VIF: f64 = 10.0;
    /// |Spearman| − |Pearson| at or above this marks a monotonic, non-linear relation …
    pub const NONLINEAR_GAP: f64 = 0.1;
    /// … when |Spearman| is at least this.
    pub const NONLINEAR_MIN_SPEARMAN: f64 = 0.3;
    /// Majority / minority class count at or above this is imbalanced …
    pub const IMBALANCE_RATIO: f64 = 4.0;
    /// … and at or above this severely imbalanced.
    pub const SEVERE_IMBALANCE_RATIO: f64 = 20.0;
    /// An integer target with at most this many distinct values is treated as class labels.
    pub const MAX_INTEGER_CLASSES: u64 = 20;
    /// Categorical columns with more distinct values than this get no association with the target.
    pub const MAX_ASSOCIATION_LEVELS: u64 = 1000;
}

/// Options of a profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileOptions {
    /// Rows kept in the uniform reservoir sample (order statistics are exact up to this size).
    pub sample_rows: usize,
    /// Rows used for correlations, VIF and target associations (a uniform subsample of the
    /// reservoir when it holds more).
    pub correlation_rows: usize,
    /// Seed of the reservoir and subsample.
    pub seed: u64,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            sample_rows: 1_000_000,
            correlation_rows: 1_000_000,
            seed: 0,
        }
    }
}

/// The whole profile of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Format version, [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Rows profiled.
    pub rows: u64,
    /// Number of columns.
    pub n_columns: usize,
    /// How the sample behind order statistics and correlations was drawn.
    pub sample: SampleInfo,
    /// Per-column profiles, in column order.
    pub columns: Vec<ColumnProfile>,
    /// Pearson and Spearman matrices and what they say; `None` with fewer than two usable
    /// numeric columns.
    pub correlations: Option<Correlations>,
    /// The target's balance and each feature's association with it; `None` without a target.
    pub target: Option<TargetProfile>,
}

/// The reservoir sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleInfo {
    /// Rows in the reservoir (all rows when `exact`).
    pub rows: u64,
    /// True when the reservoir holds every row, so order statistics are exact.
    pub exact: bool,
    /// Rows behind correlations, VIF and associations.
    pub correlation_rows: u64,
    /// Seed used.
    pub seed: u64,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// Storage type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Role.
    pub role: Role,
    /// Non-missing cells.
    pub count: u64,
    /// Missing cells.
    pub missing: u64,
    /// Missing cells as % of rows (0 for an empty file).
    pub missing_pct: f64,
    /// Distinct non-missing values (a lower bound when `distinct_exact` is false).
    pub distinct: u64,
    /// Whether `distinct` is exact (at most [`DISTINCT_CAP`] distinct values).
    pub distinct_exact: bool,
    /// Numeric, integer and boolean columns.
    pub numeric: Option<NumericStats>,
    /// Categorical and text columns.
    pub categorical: Option<CategoricalStats>,
    /// Datetime columns.
    pub datetime: Option<DatetimeStats>,
    /// What deserves attention.
    pub flags: Vec<Flag>,
}

/// Statistics of a numeric column; each is `null` when undefined for the data (no values, too
/// few values, zero variance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericStats {
    /// Mean.
    pub mean: Option<f64>,
    /// Standard deviation, ddof = 1 (pandas).
    pub std: Option<f64>,
    /// Minimum.
    pub min: Option<f64>,
    /// First quartile (linear interpolation, as pandas).
    pub q25: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// Third quartile.
    pub q75: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
    /// Adjusted Fisher–Pearson skewness (pandas `skew`).
    pub skew: Option<f64>,
    /// Adjusted excess kurtosis (pandas `kurt`).
    pub kurtosis: Option<f64>,
    /// Median absolute deviation, scale 1 (SciPy `median_abs_deviation`).
    pub mad: Option<f64>,
    /// Interquartile range q75 − q25.
    pub iqr: Option<f64>,
    /// Most frequent values, most frequent first (ties by value); empty when not exact.
    pub top_values: Vec<ValueCount>,
    /// Equal-width histogram over [min, max] (bins by Freedman–Diaconis, at most
    /// [`MAX_HISTOGRAM_BINS`]); counts over the sample.
    pub histogram: Option<Histogram>,
    /// Decile bins for drift: edges are the distinct sample quantiles at
    /// [`QUANTILE_BIN_LEVELS`], counts as `numpy.histogram(x, bins=edges)`.
    pub quantile_bins: Option<Histogram>,
    /// Outlier counts over the sample.
    pub outliers: Option<Outliers>,
}

/// One value and how often it occurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueCount {
    /// The value.
    pub value: f64,
    /// Occurrences.
    pub count: u64,
}

/// Bin edges (one more than counts) and counts; bins are half-open `[a, b)` except the last,
/// which is closed, as `numpy.histogram`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Edges, ascending.
    pub edges: Vec<f64>,
    /// Counts per bin.
    pub counts: Vec<u64>,
}

/// Outliers by two rules, counted over the sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outliers {
    /// Values with |x − mean| / std > 3.
    pub z_count: u64,
    /// `z_count` as % of the sampled values.
    pub z_pct: f64,
    /// Lower Tukey fence, Q1 − 1.5·IQR.
    pub iqr_low: f64,
    /// Upper Tukey fence, Q3 + 1.5·IQR.
    pub iqr_high: f64,
    /// Values outside the fences.
    pub iqr_count: u64,
    /// `iqr_count` as % of the sampled values.
    pub iqr_pct: f64,
}

/// Frequencies of a categorical or text column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalStats {
    /// Every tracked category with its count, most frequent first (ties by name).
    pub frequencies: Vec<CategoryCount>,
    /// Non-missing cells whose value was not tracked (after [`DISTINCT_CAP`] distinct values).
    pub other_count: u64,
}

/// One category and its count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// The category.
    pub value: String,
    /// Occurrences.
    pub count: u64,
}

/// Range of a datetime column, as ISO 8601 text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatetimeStats {
    /// Earliest value.
    pub min: Option<String>,
    /// Latest value.
    pub max: Option<String>,
}

/// Something about a column worth a look, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// Every cell is missing.
    AllMissing,
    /// More than [`thresholds::HIGH_MISSING_PCT`] % missing.
    HighMissing {
        /// Missing %.
        pct: f64,
    },
    /// One distinct value.
    Constant,
    /// caret's near-zero variance rule.
    NearConstant {
        /// Most common / second most common count.
        freq_ratio: f64,
        /// Distinct values as % of the count.
        unique_pct: f64,
    },
    /// Many distinct categories.
    HighCardinality {
        /// Distinct values.
        distinct: u64,
    },
    /// Every value distinct (an identifier?).
    Unique,
    /// |skewness| above [`thresholds::HEAVY_SKEW`].
    HeavySkew {
        /// Skewness.
        skew: f64,
        /// `log` (all values > 0), `log1p` (all ≥ 0) or `yeo_johnson` (negatives present).
        suggestion: String,
    },
    /// Values beyond 3 standard deviations.
    OutliersZ {
        /// Count over the sample.
        count: u64,
        /// % of sampled values.
        pct: f64,
    },
    /// Values outside Tukey's fences.
    OutliersIqr {
        /// Count over the sample.
        count: u64,
        /// % of sampled values.
        pct: f64,
    },
}

impl Flag {
    /// A one-line explanation for people.
    pub fn message(&self) -> String {
        match self {
            Flag::AllMissing => "every value is missing".into(),
            Flag::HighMissing { pct } => format!("{pct:.1}% missing"),
            Flag::Constant => "constant: a single distinct value; drop it".into(),
            Flag::NearConstant {
                freq_ratio,
                unique_pct,
            } => format!(
                "near-constant: most common value {freq_ratio:.1}× the next, {unique_pct:.2}% distinct"
            ),
            Flag::HighCardinality { distinct } => {
                format!("high cardinality: {distinct} distinct values")
            }
            Flag::Unique => "every value is distinct (an identifier?)".into(),
            Flag::HeavySkew { skew, suggestion } => {
                let t = match suggestion.as_str() {
                    "log" => "a log transform",
                    "log1p" => "a log1p transform",
                    _ => "a Yeo-Johnson transform",
                };
                format!("heavy skew ({skew:.2}); consider {t}")
            }
            Flag::OutliersZ { count, pct } => {
                format!("{count} outliers by z-score > 3 ({pct:.2}%)")
            }
            Flag::OutliersIqr { count, pct } => {
                format!("{count} outliers outside 1.5×IQR fences ({pct:.2}%)")
            }
        }
    }
}

/// Correlation matrices over the usable numeric columns and their reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correlations {
    /// Columns of the matrices, in order (numeric features and a numeric target with spread).
    pub columns: Vec<String>,
    /// Pearson r, pairwise-complete rows (pandas `corr()`); `null` where undefined.
    pub pearson: Vec<Vec<Option<f64>>>,
    /// Spearman rho, pairwise-complete rows (pandas `corr("spearman")`).
    pub spearman: Vec<Vec<Option<f64>>>,
    /// Pairs where |Spearman| is clearly above |Pearson|: monotonic but not linear.
    pub nonlinear: Vec<CorrelatedPair>,
    /// Feature pairs with |Pearson| ≥ 0.9.
    pub high: Vec<CorrelatedPair>,
    /// VIF of each numeric feature on the complete rows (statsmodels' definition).
    pub vif: Vec<VifEntry>,
    /// Why VIF could not be computed, if it could not.
    pub vif_note: Option<String>,
}

/// Two columns and their coefficients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelatedPair {
    /// First column.
    pub a: String,
    /// Second column.
    pub b: String,
    /// Pearson r.
    pub pearson: f64,
    /// Spearman rho.
    pub spearman: f64,
}

/// One feature's variance inflation factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VifEntry {
    /// Column.
    pub column: String,
    /// VIF (≥ 1).
    pub vif: f64,
    /// VIF ≥ 10.
    pub multicollinear: bool,
}

/// The target column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetProfile {
    /// Column name.
    pub name: String,
    /// `classification` or `regression`.
    pub task: String,
    /// Class counts, most frequent first (classification only).
    pub classes: Vec<CategoryCount>,
    /// Majority / minority class count (classification with ≥ 2 classes).
    pub imbalance_ratio: Option<f64>,
    /// A warning when the classes are imbalanced.
    pub imbalance_warning: Option<String>,
    /// Each feature's association with the target, strongest first.
    pub associations: Vec<Association>,
}

/// A feature's association with the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Association {
    /// Feature column.
    pub column: String,
    /// `pearson` (numeric–numeric), `correlation_ratio` (numeric–categorical, η) or
    /// `cramers_v` (categorical–categorical, without bias correction).
    pub measure: String,
    /// The value; `null` when undefined (no spread, too few rows).
    pub value: Option<f64>,
}
