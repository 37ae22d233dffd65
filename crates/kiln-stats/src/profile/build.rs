//! Building a profile: [`ProfileBuilder`] takes chunks of rows, then [`ProfileBuilder::finish`]
//! turns each column's accumulator into its statistics and flags and hands the shared sample to
//! the multivariate part.

use std::collections::HashMap;

use kiln_data::{ColumnType, Frame, Role, Schema};
use rayon::prelude::*;

use super::accumulate::{CategoricalAcc, ColumnAcc, DatetimeAcc, NumericAcc, RowReservoir};
use super::multivariate::{correlations, target_profile};
use super::{
    CategoricalStats, CategoryCount, ColumnProfile, DISTINCT_CAP, DatetimeStats, Flag, Histogram,
    MAX_HISTOGRAM_BINS, NumericStats, Outliers, Profile, ProfileOptions, QUANTILE_BIN_LEVELS,
    SCHEMA_VERSION, SampleInfo, TOP_VALUES, ValueCount, thresholds,
};
use crate::error::{Result, StatsError};
use crate::quantile::{median_sorted, quantile_sorted};

/// Accumulates a profile chunk by chunk, in one pass.
///
/// ```
/// use kiln_stats::profile::{ProfileBuilder, ProfileOptions};
/// let frame = kiln_data::csv::read_csv_bytes(b"x,c\n1,a\n2,b\n3,a\n,a\n", "t", &Default::default())?;
/// let mut builder = ProfileBuilder::new(ProfileOptions::default())?;
/// builder.push(&frame.slice(0, 2))?;
/// builder.push(&frame.slice(2, 2))?;
/// let profile = builder.finish()?;
/// assert_eq!(profile.rows, 4);
/// assert_eq!(profile.columns[0].numeric.as_ref().unwrap().mean, Some(2.0));
/// assert_eq!(profile.columns[1].categorical.as_ref().unwrap().frequencies[0].count, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ProfileBuilder {
    options: ProfileOptions,
    schema: Option<Schema>,
    accs: Vec<ColumnAcc>,
    reservoir: RowReservoir,
}

impl ProfileBuilder {
    /// A builder; the sample sizes must be at least 1.
    pub fn new(options: ProfileOptions) -> Result<Self> {
        for (name, v) in [
            ("sample_rows", options.sample_rows),
            ("correlation_rows", options.correlation_rows),
        ] {
            if v == 0 {
                return Err(StatsError::InvalidParameter {
                    name,
                    value: "0".into(),
                    expected: "at least 1 row",
                });
            }
        }
        let reservoir = RowReservoir::new(options.sample_rows, options.seed);
        Ok(ProfileBuilder {
            options,
            schema: None,
            accs: Vec::new(),
            reservoir,
        })
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> u64 {
        self.reservoir.seen()
    }

    /// Adds a chunk. Every chunk must have the column names and types of the first.
    pub fn push(&mut self, frame: &Frame) -> Result<()> {
        match &self.schema {
            None => {
                self.accs = frame
                    .schema()
                    .fields
                    .iter()
                    .map(|f| ColumnAcc::for_type(f.column_type))
                    .collect();
                self.schema = Some(frame.schema().clone());
            }
            Some(s) => {
                let same = s.fields.len() == frame.n_cols()
                    && s.fields
                        .iter()
                        .zip(&frame.schema().fields)
                        .all(|(a, b)| a.name == b.name && a.column_type == b.column_type);
                if !same {
                    return Err(StatsError::InvalidInput {
                        arg: "frame",
                        message: "this chunk's columns or types differ from the first chunk's"
                            .into(),
                    });
                }
            }
        }
        let plan = self.reservoir.plan(frame.n_rows());
        self.accs
            .par_iter_mut()
            .enumerate()
            .try_for_each(|(i, acc)| {
                let (field, array) = frame.column_at(i);
                acc.push(field, array, &plan)
            })
    }

    /// The profile of every row pushed. The target is the column with role `target`, if any.
    pub fn finish(self) -> Result<Profile> {
        let Some(schema) = self.schema else {
            return Err(StatsError::Empty { arg: "frame" });
        };
        let rows = self.reservoir.seen();
        let columns: Vec<ColumnProfile> = schema
            .fields
            .par_iter()
            .zip(&self.accs)
            .map(|(field, acc)| {
                let mut p = match acc {
                    ColumnAcc::Numeric(a) => numeric_profile(field.column_type, a, rows),
                    ColumnAcc::Categorical(a) => categorical_profile(a, rows),
                    ColumnAcc::Datetime(a) => datetime_profile(a, rows),
                };
                p.name = field.name.clone();
                p.column_type = field.column_type;
                p.role = field.role;
                p
            })
            .collect();
        let sample_len = rows.min(self.options.sample_rows as u64) as usize;
        let sub = super::multivariate::subsample(
            sample_len,
            self.options.correlation_rows,
            self.options.seed,
        );
        let corr = correlations(&columns, &self.accs, &sub);
        let target = match schema.names_with_role(Role::Target).first() {
            Some(name) => {
                let t = schema
                    .index_of(name)
                    .map_err(|e| StatsError::InvalidInput {
                        arg: "target",
                        message: e.to_string(),
                    })?;
                Some(target_profile(&columns, &self.accs, t, &sub))
            }
            None => None,
        };
        Ok(Profile {
            schema_version: SCHEMA_VERSION,
            rows,
            n_columns: columns.len(),
            sample: SampleInfo {
                rows: sample_len as u64,
                exact: sample_len as u64 == rows,
                correlation_rows: sub.as_ref().map_or(sample_len, Vec::len) as u64,
                seed: self.options.seed,
            },
            columns,
            correlations: corr,
            target,
        })
    }
}

/// Profiles a whole in-memory frame (one chunk).
///
/// ```
/// let frame = kiln_data::datasets::load("iris")?;
/// let p = kiln_stats::profile::profile_frame(&frame, &Default::default())?;
/// assert_eq!(p.rows, 150);
/// assert_eq!(p.target.as_ref().unwrap().classes.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn profile_frame(frame: &Frame, options: &ProfileOptions) -> Result<Profile> {
    let mut b = ProfileBuilder::new(options.clone())?;
    b.push(frame)?;
    b.finish()
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn empty_profile(count: u64, missing: u64, rows: u64, distinct: u64, exact: bool) -> ColumnProfile {
    ColumnProfile {
        name: String::new(),
        column_type: ColumnType::Numeric,
        role: Role::Feature,
        count,
        missing,
        missing_pct: pct(missing, rows),
        distinct,
        distinct_exact: exact,
        numeric: None,
        categorical: None,
        datetime: None,
        flags: Vec::new(),
    }
}

/// Flags shared by every kind: missingness, constancy, caret's near-zero variance.
fn common_flags(p: &mut ColumnProfile, sorted_counts: &[u64]) {
    if p.count == 0 {
        if p.missing > 0 {
            p.flags.push(Flag::AllMissing);
        }
        return;
    }
    if p.missing_pct > thresholds::HIGH_MISSING_PCT {
        p.flags.push(Flag::HighMissing { pct: p.missing_pct });
    }
    if p.distinct == 1 && p.distinct_exact {
        p.flags.push(Flag::Constant);
    } else if p.distinct_exact && sorted_counts.len() >= 2 {
        let freq_ratio = sorted_counts[0] as f64 / sorted_counts[1] as f64;
        let unique_pct = pct(p.distinct, p.count);
        if freq_ratio > thresholds::NEAR_CONSTANT_FREQ_RATIO
            && unique_pct < thresholds::NEAR_CONSTANT_UNIQUE_PCT
        {
            p.flags.push(Flag::NearConstant {
                freq_ratio,
                unique_pct,
            });
        }
    }
}

fn numeric_profile(column_type: ColumnType, a: &NumericAcc, rows: u64) -> ColumnProfile {
    let m = &a.moments;
    let count = m.count();
    let (distinct, exact) = match &a.counts {
        Some(c) => (c.len() as u64, true),
        None => (DISTINCT_CAP as u64 + 1, false),
    };
    let mut p = empty_profile(count, m.missing() - a.infinite, rows, distinct, exact);
    let mut top: Vec<ValueCount> = a
        .counts
        .iter()
        .flatten()
        .map(|(&k, &count)| ValueCount {
            value: f64::from_bits(k),
            count,
        })
        .collect();
    top.sort_unstable_by(|x, y| y.count.cmp(&x.count).then(x.value.total_cmp(&y.value)));
    let sorted_counts: Vec<u64> = top.iter().take(2).map(|v| v.count).collect();
    top.truncate(TOP_VALUES);
    common_flags(&mut p, &sorted_counts);
    if count == 0 {
        return p;
    }
    let mut s: Vec<f64> = a.sample.iter().copied().filter(|v| !v.is_nan()).collect();
    s.sort_unstable_by(f64::total_cmp);
    let mean = m.mean().ok();
    let std = m.variance(1).ok().map(f64::sqrt);
    let mut stats = NumericStats {
        mean,
        std,
        min: m.min().ok(),
        max: m.max().ok(),
        skew: m.skewness(false).ok(),
        kurtosis: m.kurtosis(false).ok(),
        q25: None,
        median: None,
        q75: None,
        mad: None,
        iqr: None,
        top_values: top,
        histogram: None,
        quantile_bins: None,
        outliers: None,
    };
    if !s.is_empty() {
        let (q25, med, q75) = (
            quantile_sorted(&s, 0.25),
            median_sorted(&s),
            quantile_sorted(&s, 0.75),
        );
        let mut dev: Vec<f64> = s.iter().map(|v| (v - med).abs()).collect();
        stats.q25 = Some(q25);
        stats.median = Some(med);
        stats.q75 = Some(q75);
        stats.iqr = Some(q75 - q25);
        stats.mad = Some(median_unsorted(&mut dev));
        stats.histogram = Some(equal_width_histogram(&s));
        stats.quantile_bins = Some(quantile_bins(&s));
        let iqr = q75 - q25;
        let (low, high) = (
            q25 - thresholds::OUTLIER_IQR_K * iqr,
            q75 + thresholds::OUTLIER_IQR_K * iqr,
        );
        let iqr_count = s.iter().filter(|&&v| v < low || v > high).count() as u64;
        let z_count = match (mean, std) {
            (Some(mu), Some(sd)) if sd > 0.0 => s
                .iter()
                .filter(|&&v| ((v - mu) / sd).abs() > thresholds::OUTLIER_Z)
                .count() as u64,
            _ => 0,
        };
        let n = s.len() as u64;
        stats.outliers = Some(Outliers {
            z_count,
            z_pct: pct(z_count, n),
            iqr_low: low,
            iqr_high: high,
            iqr_count,
            iqr_pct: pct(iqr_count, n),
        });
    }
    if column_type == ColumnType::Integer && exact && distinct == count && count > 1 {
        p.flags.push(Flag::Unique);
    }
    if column_type != ColumnType::Boolean {
        if let (Some(skew), Some(min)) = (stats.skew, stats.min)
            && skew.abs() > thresholds::HEAVY_SKEW
        {
            let suggestion = if min > 0.0 {
                "log"
            } else if min >= 0.0 {
                "log1p"
            } else {
                "yeo_johnson"
            };
            p.flags.push(Flag::HeavySkew {
                skew,
                suggestion: suggestion.into(),
            });
        }
        if let Some(o) = &stats.outliers {
            if o.z_count > 0 {
                p.flags.push(Flag::OutliersZ {
                    count: o.z_count,
                    pct: o.z_pct,
                });
            }
            if o.iqr_count > 0 {
                p.flags.push(Flag::OutliersIqr {
                    count: o.iqr_count,
                    pct: o.iqr_pct,
                });
            }
        }
    }
    p.numeric = Some(stats);
    p
}

/// The median of a non-empty slice by selection (linear time), the same number as sorting first.
fn median_unsorted(v: &mut [f64]) -> f64 {
    let n = v.len();
    let (left, mid, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let mid = *mid;
    if n % 2 == 1 {
        mid
    } else {
        // The largest of the lower half is the other middle value.
        let lower = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + mid) / 2.0
    }
}

/// `numpy.histogram(s, bins=k)` with k from Freedman–Diaconis (as `numpy.histogram_bin_edges(s,
/// "fd")`), capped at [`MAX_HISTOGRAM_BINS`]; `s` sorted, non-empty.
pub(crate) fn equal_width_histogram(s: &[f64]) -> Histogram {
    let (mut first, mut last) = (s[0], s[s.len() - 1]);
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let n = s.len() as f64;
    let width = 2.0 * (quantile_sorted(s, 0.75) - quantile_sorted(s, 0.25)) * n.powf(-1.0 / 3.0);
    let k = if width > 0.0 {
        ((last - first) / width).ceil() as usize
    } else {
        1
    }
    .clamp(1, MAX_HISTOGRAM_BINS);
    // numpy.linspace: start + i·step, with the last edge set to stop exactly.
    let step = (last - first) / k as f64;
    let mut edges: Vec<f64> = (0..=k).map(|i| first + i as f64 * step).collect();
    edges[k] = last;
    // numpy's index computation with its correction against the edges.
    let mut counts = vec![0u64; k];
    let denom = last - first;
    for &v in s {
        let mut i = (((v - first) / denom * k as f64) as usize).min(k);
        if i == k {
            i -= 1;
        }
        if v < edges[i] && i > 0 {
            i -= 1;
        } else if v >= edges[i + 1] && i != k - 1 {
            i += 1;
        }
        counts[i] += 1;
    }
    Histogram { edges, counts }
}

/// Decile bins: distinct sample quantiles as edges, counts as `numpy.histogram(s, bins=edges)`.
/// A constant column gets the single bin [v − 0.5, v + 0.5].
pub(crate) fn quantile_bins(s: &[f64]) -> Histogram {
    let mut edges: Vec<f64> = QUANTILE_BIN_LEVELS
        .iter()
        .map(|&q| quantile_sorted(s, q))
        .collect();
    edges.dedup();
    if edges.len() < 2 {
        let v = s[0];
        return Histogram {
            edges: vec![v - 0.5, v + 0.5],
            counts: vec![s.len() as u64],
        };
    }
    // numpy: searchsorted 'left' for every edge but the last, 'right' for the last.
    let k = edges.len() - 1;
    let cum: Vec<usize> = edges
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            if i == k {
                s.partition_point(|&v| v <= e)
            } else {
                s.partition_point(|&v| v < e)
            }
        })
        .collect();
    let counts = cum.windows(2).map(|w| (w[1] - w[0]) as u64).collect();
    Histogram { edges, counts }
}

fn categorical_profile(a: &CategoricalAcc, rows: u64) -> ColumnProfile {
    let count = a.count();
    let exact = a.other == 0;
    let distinct = a.counts.iter().filter(|&&c| c > 0).count() as u64 + u64::from(!exact);
    let mut p = empty_profile(count, a.missing, rows, distinct, exact);
    let mut freq: Vec<CategoryCount> = a
        .names
        .iter()
        .zip(&a.counts)
        .filter(|(_, c)| **c > 0)
        .map(|(name, &count)| CategoryCount {
            value: name.clone(),
            count,
        })
        .collect();
    freq.sort_unstable_by(|x, y| y.count.cmp(&x.count).then_with(|| x.value.cmp(&y.value)));
    let sorted_counts: Vec<u64> = freq.iter().take(2).map(|c| c.count).collect();
    common_flags(&mut p, &sorted_counts);
    if count > 0 {
        if distinct > thresholds::HIGH_CARDINALITY {
            p.flags.push(Flag::HighCardinality { distinct });
        }
        if exact && distinct == count && count > 1 {
            p.flags.push(Flag::Unique);
        }
    }
    p.categorical = Some(CategoricalStats {
        frequencies: freq,
        other_count: a.other,
    });
    p
}

fn datetime_profile(a: &DatetimeAcc, rows: u64) -> ColumnProfile {
    let (distinct, exact) = match &a.distinct {
        Some(s) => (s.len() as u64, true),
        None => (DISTINCT_CAP as u64 + 1, false),
    };
    let mut p = empty_profile(a.count, a.missing, rows, distinct, exact);
    common_flags(&mut p, &[]);
    p.datetime = Some(DatetimeStats {
        min: a.min.map(kiln_data::datetime::format_micros),
        max: a.max.map(kiln_data::datetime::format_micros),
    });
    p
}

/// Category labels of a numeric column used as class labels (`true`/`false`, or integers).
pub(crate) fn numeric_class_labels(
    column_type: ColumnType,
    counts: &HashMap<u64, u64>,
) -> Vec<(f64, String, u64)> {
    let mut out: Vec<(f64, String, u64)> = counts
        .iter()
        .map(|(&k, &c)| {
            let v = f64::from_bits(k);
            let label = match column_type {
                ColumnType::Boolean => (v != 0.0).to_string(),
                _ => kiln_data::frame::format_f64(v),
            };
            (v, label, c)
        })
        .collect();
    out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_matches_numpy_on_a_small_case() {
        // numpy.histogram([1, 2, 2, 3, 10], bins=8) gives [3, 1, 0, 0, 0, 0, 0, 1]; 8 is "fd": IQR = 1,
        // width = 2 · 5^(-1/3) = 1.1696, ceil(9 / 1.1696) = 8 bins.
        let h = equal_width_histogram(&[1.0, 2.0, 2.0, 3.0, 10.0]);
        assert_eq!(h.counts, vec![3, 1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(h.edges.len(), 9);
        assert_eq!((h.edges[0], h.edges[8]), (1.0, 10.0));
        let c = equal_width_histogram(&[4.0, 4.0]);
        assert_eq!(
            (c.edges.clone(), c.counts.clone()),
            (vec![3.5, 4.5], vec![2])
        );
    }

    #[test]
    fn median_by_selection_equals_median_of_sorted() {
        for v in [
            vec![3.0, 1.0, 2.0],
            vec![4.0, 1.0, 3.0, 2.0],
            vec![5.0],
            vec![2.0, 2.0, 1.0, 9.0],
        ] {
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            assert_eq!(median_unsorted(&mut v.clone()), median_sorted(&sorted));
        }
    }

    #[test]
    fn quantile_bins_count_like_numpy_with_explicit_edges() {
        let s: Vec<f64> = (1..=10).map(f64::from).collect();
        let h = quantile_bins(&s);
        assert_eq!(h.edges.len(), 11);
        assert_eq!(h.counts.iter().sum::<u64>(), 10);
        // Edges 1, 1.9, 2.8, …, 10: the first bin [1, 1.9) holds 1 and the last [9.1, 10] holds 10.
        assert_eq!(h.counts, vec![1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        let c = quantile_bins(&[2.0, 2.0, 2.0]);
        assert_eq!(c.counts, vec![3]);
    }
}
