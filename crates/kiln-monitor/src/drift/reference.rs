//! The reference side of drift tests: a compact summary of the training data, small enough to
//! live inside a model artifact and complete enough to run every drift method later without the
//! training data.
//!
//! Per numeric column it keeps the exact count, mean, standard deviation, minimum and maximum,
//! exact counts per value when the column has at most [`SMALL_DOMAIN`] distinct values, the
//! reference-quantile bin edges of PSI with the exact reference count in each bin, and a seeded
//! uniform sample of at most `sample_size` values (all of them when the column has no more).
//! Per categorical, text or boolean column it keeps the exact count of every value.
//!
//! **The sample.** For each numeric column, `sample_size` positions are drawn uniformly without
//! replacement from the column's finite values (`rand::seq::index::sample`, a ChaCha8 generator
//! seeded with `seed` on stream = the column's position), and kept in row order. Statistics that
//! need the reference values themselves (KS, Anderson–Darling, Mann–Whitney, Wasserstein and the
//! Sturges-binned PSI / Jensen–Shannon) read this sample; they are exact when the column has at
//! most `sample_size` values, which covers Evidently's small-data rule (≤ 1000 rows) with the
//! default 5 000. Everything else (counts, moments, ranges, quantile bins) is computed on every
//! row.

use kiln_data::{ColumnType, Frame, Role};
use kiln_stats::distance::{open_bin_counts, psi_quantile_edges};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::values::{ColumnValues, kind_of, read_column};
use crate::error::{MonitorError, Result};

/// The reference format version this crate writes and reads.
pub const REFERENCE_FORMAT_VERSION: u32 = 1;

/// Default number of sampled values per numeric column.
pub const DEFAULT_SAMPLE_SIZE: usize = 5_000;

/// Default number of reference-quantile bins for PSI (deciles).
pub const DEFAULT_PSI_BINS: usize = 10;

/// Numeric columns with at most this many distinct values keep exact counts per value. It is
/// also Evidently's cut between value-by-value and Sturges binning for PSI and Jensen–Shannon.
pub const SMALL_DOMAIN: usize = 20;

/// How a [`ReferenceProfile`] is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReferenceOptions {
    /// Sampled values kept per numeric column (at least 1).
    pub sample_size: usize,
    /// Seed of the sample.
    pub seed: u64,
    /// Reference-quantile bins for PSI (at least 2).
    pub psi_bins: usize,
}

impl Default for ReferenceOptions {
    fn default() -> Self {
        ReferenceOptions {
            sample_size: DEFAULT_SAMPLE_SIZE,
            seed: 0,
            psi_bins: DEFAULT_PSI_BINS,
        }
    }
}

impl ReferenceOptions {
    /// Checks the options.
    pub fn check(&self) -> Result<()> {
        if self.sample_size == 0 {
            return Err(MonitorError::InvalidParameter {
                name: "sample_size",
                value: "0".into(),
                expected: "at least 1 sampled value per column (default 5000)",
            });
        }
        if self.psi_bins < 2 {
            return Err(MonitorError::InvalidParameter {
                name: "psi_bins",
                value: self.psi_bins.to_string(),
                expected: "at least 2 bins (default 10)",
            });
        }
        Ok(())
    }
}

/// What the reference data looked like, column by column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceProfile {
    /// Format version, [`REFERENCE_FORMAT_VERSION`].
    pub version: u32,
    /// Rows of the reference data.
    pub rows: u64,
    /// The options it was built with.
    pub options: ReferenceOptions,
    /// Columns in the reference data's order.
    pub columns: Vec<ColumnReference>,
}

/// One reference column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnReference {
    /// Column name.
    pub name: String,
    /// Stored type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Role (feature, target, id, …).
    pub role: Role,
    /// Rows without a usable value (null, NaN, ±∞).
    pub missing: u64,
    /// The summary drift tests read.
    pub summary: ColumnSummary,
}

/// The per-kind summary of a reference column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnSummary {
    /// Numeric and integer columns.
    Numeric(NumericReference),
    /// Categorical, text and boolean columns.
    Categories(CategoryReference),
    /// Types drift tests do not cover (datetime): kept by name so the report can say so.
    Unmonitored,
}

/// Summary of a numeric reference column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericReference {
    /// Finite values.
    pub count: u64,
    /// Mean of every finite value (0 when there is none).
    pub mean: f64,
    /// Population standard deviation (ddof 0, as `numpy.std`) of every finite value.
    pub std: f64,
    /// Smallest finite value (0 when there is none).
    pub min: f64,
    /// Largest finite value.
    pub max: f64,
    /// Exact (value, count) pairs in ascending value order when the column has at most
    /// [`SMALL_DOMAIN`] distinct values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_counts: Option<Vec<(f64, u64)>>,
    /// Interior PSI bin edges: reference quantiles at k/`psi_bins`, repeats removed.
    pub quantile_edges: Vec<f64>,
    /// Exact reference count in each of the `quantile_edges.len() + 1` bins.
    pub quantile_counts: Vec<u64>,
    /// Uniform sample of at most `sample_size` finite values, in row order.
    pub sample: Vec<f64>,
}

impl NumericReference {
    /// True when the sample holds every finite value, so sample-based statistics are exact.
    pub fn sample_is_complete(&self) -> bool {
        self.sample.len() as u64 == self.count
    }
}

/// Summary of a categorical, text or boolean reference column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryReference {
    /// Non-missing values.
    pub count: u64,
    /// Exact (value, count) pairs sorted by value.
    pub counts: Vec<(String, u64)>,
}

impl ReferenceProfile {
    /// Builds the profile of a reference frame (every column, in parallel).
    ///
    /// ```
    /// use kiln_monitor::drift::{ColumnSummary, ReferenceOptions, ReferenceProfile};
    /// let frame = kiln_data::datasets::load("iris")?;
    /// let r = ReferenceProfile::from_frame(&frame, &ReferenceOptions::default())?;
    /// assert_eq!(r.rows, 150);
    /// match &r.column("sepal_length").unwrap().summary {
    ///     ColumnSummary::Numeric(n) => assert!(n.sample_is_complete() && (n.mean - 5.843333333333334).abs() < 1e-12),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), kiln_monitor::MonitorError>(())
    /// ```
    pub fn from_frame(frame: &Frame, options: &ReferenceOptions) -> Result<Self> {
        options.check()?;
        let columns = (0..frame.n_cols())
            .into_par_iter()
            .map(|i| {
                let field = &frame.schema().fields[i];
                let (summary, missing) = match kind_of(field.column_type) {
                    None => (ColumnSummary::Unmonitored, 0),
                    Some(_) => {
                        let (values, missing) = read_column(frame, &field.name)?;
                        (summarize(values, i as u64, options)?, missing)
                    }
                };
                Ok(ColumnReference {
                    name: field.name.clone(),
                    column_type: field.column_type,
                    role: field.role,
                    missing,
                    summary,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ReferenceProfile {
            version: REFERENCE_FORMAT_VERSION,
            rows: frame.n_rows() as u64,
            options: options.clone(),
            columns,
        })
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnReference> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The profile as JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| MonitorError::spec("reference", e.to_string()))
    }

    /// Parses a profile written by [`ReferenceProfile::to_json`]; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Self> {
        let profile: ReferenceProfile = serde_json::from_str(text)
            .map_err(|e| MonitorError::spec(format!("reference {origin}"), e.to_string()))?;
        profile.checked(origin)
    }

    /// The profile held as a JSON value, as a model artifact's manifest stores it; `origin`
    /// names it in errors (e.g. the model version).
    pub fn from_value(value: serde_json::Value, origin: &str) -> Result<Self> {
        let profile: ReferenceProfile = serde_json::from_value(value)
            .map_err(|e| MonitorError::spec(format!("reference {origin}"), e.to_string()))?;
        profile.checked(origin)
    }

    fn checked(self, origin: &str) -> Result<Self> {
        if self.version != REFERENCE_FORMAT_VERSION {
            return Err(MonitorError::spec(
                format!("reference {origin}"),
                format!(
                    "format version {} is not supported; expected version {REFERENCE_FORMAT_VERSION}",
                    self.version
                ),
            ));
        }
        self.options.check()?;
        Ok(self)
    }
}

/// The key that makes -0.0 and 0.0 one value.
fn float_key(v: f64) -> u64 {
    if v == 0.0 { 0 } else { v.to_bits() }
}

/// Exact counts per value when there are at most [`SMALL_DOMAIN`] distinct values.
fn small_domain_counts(values: &[f64]) -> Option<Vec<(f64, u64)>> {
    let mut counts: FxHashMap<u64, (f64, u64)> = FxHashMap::default();
    for &v in values {
        let e = counts.entry(float_key(v)).or_insert((v, 0));
        e.1 += 1;
        if counts.len() > SMALL_DOMAIN {
            return None;
        }
    }
    let mut out: Vec<(f64, u64)> = counts.into_values().collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(out)
}

fn summarize(
    values: ColumnValues,
    stream: u64,
    options: &ReferenceOptions,
) -> Result<ColumnSummary> {
    Ok(match values {
        ColumnValues::Numeric(v) => ColumnSummary::Numeric(summarize_numeric(v, stream, options)?),
        ColumnValues::Categories(counts) => {
            let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
            counts.sort_unstable();
            ColumnSummary::Categories(CategoryReference {
                count: counts.iter().map(|c| c.1).sum(),
                counts,
            })
        }
    })
}

fn summarize_numeric(
    v: Vec<f64>,
    stream: u64,
    options: &ReferenceOptions,
) -> Result<NumericReference> {
    let count = v.len() as u64;
    if v.is_empty() {
        // Kept so the report can name the column; any test on it is an error.
        return Ok(NumericReference {
            count: 0,
            mean: 0.0,
            std: 0.0,
            min: 0.0,
            max: 0.0,
            value_counts: Some(Vec::new()),
            quantile_edges: Vec::new(),
            quantile_counts: vec![0],
            sample: Vec::new(),
        });
    }
    let mean = kiln_stats::descriptive::mean(&v)?;
    let std = kiln_stats::descriptive::std_dev(&v, 0)?;
    let (min, max) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let quantile_edges = psi_quantile_edges(&v, options.psi_bins)?;
    let quantile_counts = open_bin_counts(&v, &quantile_edges);
    let value_counts = small_domain_counts(&v);
    let sample = if v.len() <= options.sample_size {
        v
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        rng.set_stream(stream);
        let mut picked =
            rand::seq::index::sample(&mut rng, v.len(), options.sample_size).into_vec();
        picked.sort_unstable();
        picked.into_iter().map(|i| v[i]).collect()
    };
    Ok(NumericReference {
        count,
        mean,
        std,
        min,
        max,
        value_counts,
        quantile_edges,
        quantile_counts,
        sample,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_columns_are_sampled_reproducibly_and_summaries_stay_exact() {
        let spec = kiln_data::synth::ClassificationSpec {
            rows: 12_000,
            features: 4,
            informative: 2,
            redundant: 0,
            categorical: 1,
            seed: 3,
            ..Default::default()
        };
        let frame = spec.generate().unwrap();
        let options = ReferenceOptions {
            sample_size: 1000,
            ..Default::default()
        };
        let a = ReferenceProfile::from_frame(&frame, &options).unwrap();
        let b = ReferenceProfile::from_frame(&frame, &options).unwrap();
        // Plain asserts: a failing assert_eq would print thousands of sampled values.
        assert!(a == b, "the same seed gave two samples");
        let ColumnSummary::Numeric(n) = &a.column("f0").unwrap().summary else {
            panic!("f0 is numeric")
        };
        assert_eq!((n.count, n.sample.len()), (12_000, 1000));
        assert!(!n.sample_is_complete());
        let full = frame.numeric("f0").unwrap();
        assert!((n.mean - kiln_stats::descriptive::mean(&full).unwrap()).abs() < 1e-12);
        assert_eq!(n.quantile_counts.iter().sum::<u64>(), 12_000);
        assert!(
            n.quantile_counts.iter().all(|&k| k == 1200),
            "{:?}",
            n.quantile_counts
        );
        assert!(n.value_counts.is_none());
        let other_seed = ReferenceProfile::from_frame(
            &frame,
            &ReferenceOptions {
                seed: 9,
                ..options.clone()
            },
        )
        .unwrap();
        assert!(other_seed != a, "another seed gave the same sample");
        let text = a.to_json().unwrap();
        assert!(
            ReferenceProfile::from_json(&text, "r.json").unwrap() == a,
            "JSON round trip changed the profile"
        );
    }

    #[test]
    fn bad_options_and_versions_are_named() {
        let frame = kiln_data::datasets::load("iris").unwrap();
        let e = ReferenceProfile::from_frame(
            &frame,
            &ReferenceOptions {
                sample_size: 0,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("sample_size = 0"), "{e}");
        let e = ReferenceOptions {
            psi_bins: 1,
            ..Default::default()
        }
        .check()
        .unwrap_err();
        assert!(e.to_string().starts_with("psi_bins = 1"), "{e}");
        let r = ReferenceProfile::from_frame(&frame, &ReferenceOptions::default()).unwrap();
        let text = r
            .to_json()
            .unwrap()
            .replacen("\"version\":1", "\"version\":7", 1);
        let e = ReferenceProfile::from_json(&text, "old.json").unwrap_err();
        assert!(e.to_string().contains("format version 7"), "{e}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let e = ReferenceProfile::from_value(value, "churn/2").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("reference churn/2: format version 7"),
            "{e}"
        );
        let value = serde_json::to_value(&r).unwrap();
        assert!(ReferenceProfile::from_value(value, "churn/2").unwrap() == r);
    }
}
