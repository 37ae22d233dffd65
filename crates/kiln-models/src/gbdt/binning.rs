//! Feature binning: raw f64 columns become u8 bin codes, once per dataset.
//!
//! Numerical features get at most 255 value bins found on a row sample (LightGBM's
//! `bin_construct_sample_cnt`) with LightGBM's greedy algorithm: every distinct value its own bin
//! when few enough (merging values seen fewer than `min_data_in_bin` times), otherwise bins of
//! roughly equal count with heavy values kept alone, and zero always in a bin of its own. Missing
//! values (NaN) take one extra bin after the value bins, so a split can learn where they go.
//!
//! Categorical features map each category code seen in the sample to a bin (most frequent first);
//! unseen, rare, negative and missing codes share the last bin, which never goes left.

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use ndarray::ArrayView2;

use crate::error::{ModelError, Result};

/// Values with magnitude at most this are zero, as in LightGBM (`kZeroThreshold`).
const ZERO_THRESHOLD: f64 = 1e-35;
/// At most this many value bins per feature; the missing bin comes after them, so codes fit a u8.
pub const MAX_VALUE_BINS: usize = 255;

/// How one feature's values map to bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BinMapper {
    /// Value bin `b` holds values `<= upper_bounds[b]` (and above the previous bound).
    Numerical {
        /// Increasing upper bounds; the last is +inf.
        upper_bounds: Vec<f64>,
        /// Whether the training data had NaN in this feature.
        has_missing: bool,
    },
    /// Bin `b` holds category `categories[b]`; everything else goes to bin `categories.len()`.
    Categorical {
        /// Category codes, most frequent first.
        categories: Vec<u32>,
    },
}

impl BinMapper {
    /// Number of value bins (bins other than the missing/other bin).
    pub fn value_bins(&self) -> usize {
        match self {
            BinMapper::Numerical { upper_bounds, .. } => upper_bounds.len(),
            BinMapper::Categorical { categories } => categories.len(),
        }
    }

    /// Index of the missing (numerical) or other (categorical) bin.
    pub fn missing_bin(&self) -> usize {
        self.value_bins()
    }

    /// Bin code of one raw value.
    pub fn bin(&self, value: f64) -> u8 {
        match self {
            BinMapper::Numerical { upper_bounds, .. } => {
                if value.is_nan() {
                    return upper_bounds.len() as u8;
                }
                // First bound >= value; the last bound is +inf so the index is in range.
                upper_bounds.partition_point(|&b| b < value) as u8
            }
            BinMapper::Categorical { categories } => match category_code(value) {
                Some(code) => categories
                    .iter()
                    .position(|&c| c == code)
                    .unwrap_or(categories.len()) as u8,
                None => categories.len() as u8,
            },
        }
    }
}

/// A non-negative integer category code, or None for missing/negative/non-integer values.
pub fn category_code(value: f64) -> Option<u32> {
    if value >= 0.0 && value.fract() == 0.0 && value <= u32::MAX as f64 {
        Some(value as u32)
    } else {
        None
    }
}

/// Bin codes of a whole dataset, column-major: feature `f`, row `i` is `codes[f * n_rows + i]`.
#[derive(Debug, Clone)]
pub struct BinnedData {
    /// Column-major u8 codes (partitioning reads one feature over a leaf's rows).
    pub codes: Vec<u8>,
    /// The same codes row by row (histograms read whole rows).
    pub rows: RowCodes,
    /// Rows.
    pub n_rows: usize,
    /// One mapper per feature.
    pub mappers: Vec<BinMapper>,
}

impl BinnedData {
    /// Codes of feature `f`.
    pub fn column(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n_rows..(f + 1) * self.n_rows]
    }
}

/// Cache line size the row records are laid out for.
const CACHE_LINE: usize = 64;

/// Row-major bin codes with every row in a record of `stride` bytes that never straddles a
/// cache line when it can fit in one: histograms of a leaf read its scattered rows, and a
/// 28-byte row packed back to back crosses a line boundary three times in eight, costing a
/// second line fetch. Records are the row width rounded up to a power of two (up to a line) or
/// to whole lines, starting at a line boundary.
#[derive(Debug, Clone)]
pub struct RowCodes {
    bytes: Vec<u8>,
    /// Where record 0 starts in `bytes` (the first line boundary).
    start: usize,
    stride: usize,
    width: usize,
}

impl RowCodes {
    /// Zeroed codes for `n_rows` rows of `width` features.
    pub fn zeroed(n_rows: usize, width: usize) -> RowCodes {
        let stride = if width <= CACHE_LINE {
            width.max(1).next_power_of_two()
        } else {
            width.next_multiple_of(CACHE_LINE)
        };
        let bytes = vec![0u8; n_rows * stride + CACHE_LINE - 1];
        let start = bytes.as_ptr().align_offset(CACHE_LINE).min(CACHE_LINE - 1);
        RowCodes {
            bytes,
            start,
            stride,
            width,
        }
    }

    /// The row-major copy of column-major `codes` (feature `f`, row `i` at `f * n_rows + i`).
    pub fn from_columns(codes: &[u8], n_rows: usize, width: usize) -> RowCodes {
        let mut rows = RowCodes::zeroed(n_rows, width);
        let stride = rows.stride;
        rows.records_mut()
            .par_chunks_mut(stride * BIN_BLOCK_ROWS)
            .enumerate()
            .for_each(|(c, out)| {
                let start = c * BIN_BLOCK_ROWS;
                for (r, record) in out.chunks_exact_mut(stride).enumerate() {
                    for (f, o) in record[..width].iter_mut().enumerate() {
                        *o = codes[f * n_rows + start + r];
                    }
                }
            });
        rows
    }

    /// Bytes from one record to the next.
    #[inline]
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Codes of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[u8] {
        let at = self.start + i * self.stride;
        &self.bytes[at..at + self.width]
    }

    /// The records of rows `start..end`, back to back (each `stride` bytes, codes first).
    #[inline]
    pub fn records(&self, start: usize, end: usize) -> &[u8] {
        &self.bytes[self.start + start * self.stride..self.start + end * self.stride]
    }

    /// Every record, mutable (each `stride` bytes, codes first), for filling.
    fn records_mut(&mut self) -> &mut [u8] {
        let n = (self.bytes.len() - (CACHE_LINE - 1)) / self.stride;
        &mut self.bytes[self.start..self.start + n * self.stride]
    }
}

/// Rows per parallel task when binning the data.
const BIN_BLOCK_ROWS: usize = 4096;

/// Settings for bin finding.
#[derive(Debug, Clone, Copy)]
pub struct BinningConfig {
    /// Maximum value bins per numerical feature.
    pub max_bin: usize,
    /// Rows sampled to find bin bounds.
    pub sample_rows: usize,
    /// Minimum rows per bin when merging rare values.
    pub min_data_in_bin: usize,
    /// Seed for the row sample.
    pub seed: u64,
}

/// Finds bin mappers on a sample of rows and bins every row, column by column in parallel.
pub fn bin_dataset(
    x: ArrayView2<f64>,
    categorical: &[bool],
    config: &BinningConfig,
) -> Result<BinnedData> {
    let (n_rows, n_features) = x.dim();
    let sample_rows: Vec<usize> = if n_rows > config.sample_rows {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut s = sample(&mut rng, n_rows, config.sample_rows).into_vec();
        s.sort_unstable();
        s
    } else {
        (0..n_rows).collect()
    };
    // The sampled rows, column by column: read row by row once (a row of a row-major matrix is
    // contiguous) instead of one strided pass per feature.
    let m = sample_rows.len();
    let mut sample = vec![0.0; m * n_features];
    for (j, &i) in sample_rows.iter().enumerate() {
        for (f, &v) in x.row(i).iter().enumerate() {
            sample[f * m + j] = v;
        }
    }
    let mappers: Vec<BinMapper> = sample
        .par_chunks(m.max(1))
        .enumerate()
        .map(|(f, values)| {
            if categorical[f] {
                categorical_mapper(f, values)
            } else {
                Ok(numerical_mapper(
                    values,
                    config.max_bin,
                    config.min_data_in_bin,
                ))
            }
        })
        .collect::<Result<_>>()?;
    drop(sample);
    // Every row's code must be valid too, not only the sampled ones.
    for (f, is_cat) in categorical.iter().enumerate() {
        if *is_cat {
            check_category_column(f, x)?;
        }
    }
    let mut codes = vec![0u8; n_rows * n_features];
    let mut rows = RowCodes::zeroed(n_rows, n_features);
    let (stride, width) = (rows.stride, n_features);
    if n_features > 0 && x.strides()[1] == 1 {
        // Row-major input: bin blocks of rows, reading each row once, and write both layouts.
        // Each block owns its rows of the row-major copy and its piece of every column.
        let mut column_pieces: Vec<Vec<&mut [u8]>> = Vec::new();
        for column in codes.chunks_mut(n_rows.max(1)) {
            for (b, piece) in column.chunks_mut(BIN_BLOCK_ROWS).enumerate() {
                if b == column_pieces.len() {
                    column_pieces.push(Vec::with_capacity(n_features));
                }
                column_pieces[b].push(piece);
            }
        }
        column_pieces
            .into_par_iter()
            .zip(rows.records_mut().par_chunks_mut(BIN_BLOCK_ROWS * stride))
            .enumerate()
            .for_each(|(b, (mut columns, out))| {
                let start = b * BIN_BLOCK_ROWS;
                for (r, record) in out.chunks_exact_mut(stride).enumerate() {
                    let row = x.row(start + r);
                    for (f, ((o, &v), mapper)) in record[..width]
                        .iter_mut()
                        .zip(row)
                        .zip(&mappers)
                        .enumerate()
                    {
                        let code = mapper.bin(v);
                        *o = code;
                        columns[f][r] = code;
                    }
                }
            });
    } else {
        codes
            .par_chunks_mut(n_rows.max(1))
            .enumerate()
            .for_each(|(f, out)| {
                let column = x.column(f);
                let mapper = &mappers[f];
                for (o, &v) in out.iter_mut().zip(column.iter()) {
                    *o = mapper.bin(v);
                }
            });
        rows = RowCodes::from_columns(&codes, n_rows, n_features);
    }
    Ok(BinnedData {
        codes,
        rows,
        n_rows,
        mappers,
    })
}

fn check_category_column(f: usize, x: ArrayView2<f64>) -> Result<()> {
    for (row, &value) in x.column(f).iter().enumerate() {
        if !value.is_nan() && category_code(value).is_none() {
            return Err(ModelError::InvalidFeatureValue {
                column: f,
                row,
                value,
                expected: "a categorical feature holds non-negative integer category codes (or NaN)",
            });
        }
    }
    Ok(())
}

fn categorical_mapper(f: usize, values: &[f64]) -> Result<BinMapper> {
    let mut codes: Vec<u32> = Vec::with_capacity(values.len());
    for (row, &v) in values.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        match category_code(v) {
            Some(c) => codes.push(c),
            None => {
                return Err(ModelError::InvalidFeatureValue {
                    column: f,
                    row,
                    value: v,
                    expected: "a categorical feature holds non-negative integer category codes (or NaN)",
                });
            }
        }
    }
    codes.sort_unstable();
    let mut counts: Vec<(u32, usize)> = Vec::new();
    for c in codes {
        match counts.last_mut() {
            Some((last, n)) if *last == c => *n += 1,
            _ => counts.push((c, 1)),
        }
    }
    // Most frequent first, ties by code; keep as many as fit beside the "other" bin.
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts.truncate(MAX_VALUE_BINS);
    Ok(BinMapper::Categorical {
        categories: counts.into_iter().map(|(c, _)| c).collect(),
    })
}

fn numerical_mapper(values: &[f64], max_bin: usize, min_data_in_bin: usize) -> BinMapper {
    let has_missing = values.iter().any(|v| v.is_nan());
    let mut finite: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    finite.sort_unstable_by(f64::total_cmp);
    let mut distinct: Vec<f64> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    for v in finite {
        // Values within the zero threshold count as one zero value.
        let v = if v.abs() <= ZERO_THRESHOLD { 0.0 } else { v };
        match distinct.last() {
            Some(&last) if last == v => *counts.last_mut().expect("pushed with distinct") += 1,
            _ => {
                distinct.push(v);
                counts.push(1);
            }
        }
    }
    let upper_bounds = if distinct.is_empty() {
        vec![f64::INFINITY]
    } else {
        find_bins_zero_as_one_bin(
            &distinct,
            &counts,
            max_bin.min(MAX_VALUE_BINS),
            min_data_in_bin,
        )
    };
    BinMapper::Numerical {
        upper_bounds,
        has_missing,
    }
}

/// LightGBM's `FindBinWithZeroAsOneBin`: negatives and positives are binned separately, so zero
/// always sits alone in `(-1e-35, 1e-35]`.
fn find_bins_zero_as_one_bin(
    distinct: &[f64],
    counts: &[usize],
    max_bin: usize,
    min_data_in_bin: usize,
) -> Vec<f64> {
    let total: usize = counts.iter().sum();
    let mut left_total = 0;
    let mut zero_total = 0;
    for (&v, &c) in distinct.iter().zip(counts) {
        if v <= -ZERO_THRESHOLD {
            left_total += c;
        } else if v <= ZERO_THRESHOLD {
            zero_total += c;
        }
    }
    let left_cnt = distinct
        .iter()
        .position(|&v| v > -ZERO_THRESHOLD)
        .unwrap_or(distinct.len());
    let mut bounds = Vec::new();
    if left_cnt > 0 && max_bin > 1 {
        let share = left_total as f64 / (total - zero_total) as f64;
        let left_max_bin = ((share * (max_bin - 1) as f64) as usize).max(1);
        bounds = greedy_find_bin(
            &distinct[..left_cnt],
            &counts[..left_cnt],
            left_max_bin,
            left_total,
            min_data_in_bin,
        );
        if let Some(last) = bounds.last_mut() {
            *last = -ZERO_THRESHOLD;
        }
    }
    let right_start = distinct[left_cnt..]
        .iter()
        .position(|&v| v > ZERO_THRESHOLD)
        .map(|p| p + left_cnt);
    let right_max_bin = (max_bin as isize) - 1 - bounds.len() as isize;
    match right_start {
        Some(start) if right_max_bin > 0 => {
            let right_total = total - left_total - zero_total;
            let right = greedy_find_bin(
                &distinct[start..],
                &counts[start..],
                right_max_bin as usize,
                right_total,
                min_data_in_bin,
            );
            bounds.push(ZERO_THRESHOLD);
            bounds.extend(right);
        }
        _ => bounds.push(f64::INFINITY),
    }
    bounds
}

/// LightGBM's `GreedyFindBin` over sorted distinct values and their counts.
fn greedy_find_bin(
    distinct: &[f64],
    counts: &[usize],
    max_bin: usize,
    total: usize,
    min_data_in_bin: usize,
) -> Vec<f64> {
    let n = distinct.len();
    let mut bounds: Vec<f64> = Vec::new();
    let push = |bounds: &mut Vec<f64>, v: f64| {
        if bounds.last().is_none_or(|&last| last != v) {
            bounds.push(v);
        }
    };
    if n <= max_bin {
        let mut in_bin = 0;
        for i in 0..n - 1 {
            in_bin += counts[i];
            if in_bin >= min_data_in_bin {
                push(&mut bounds, (distinct[i] + distinct[i + 1]) / 2.0);
                in_bin = 0;
            }
        }
        bounds.push(f64::INFINITY);
        return bounds;
    }
    let mut max_bin = max_bin;
    if let Some(cap) = total.checked_div(min_data_in_bin) {
        max_bin = max_bin.min(cap).max(1);
    }
    let mut mean_bin_size = total as f64 / max_bin as f64;
    let mut rest_bin_cnt = max_bin as isize;
    let mut rest_sample_cnt = total as isize;
    let big: Vec<bool> = counts.iter().map(|&c| c as f64 >= mean_bin_size).collect();
    for (i, &b) in big.iter().enumerate() {
        if b {
            rest_bin_cnt -= 1;
            rest_sample_cnt -= counts[i] as isize;
        }
    }
    mean_bin_size = rest_sample_cnt as f64 / rest_bin_cnt.max(1) as f64;
    let mut upper = vec![f64::INFINITY; max_bin];
    let mut lower = vec![f64::INFINITY; max_bin];
    let mut bin_cnt = 0;
    lower[0] = distinct[0];
    let mut in_bin = 0;
    for i in 0..n - 1 {
        if !big[i] {
            rest_sample_cnt -= counts[i] as isize;
        }
        in_bin += counts[i];
        let half = (mean_bin_size * 0.5).max(1.0);
        if big[i] || in_bin as f64 >= mean_bin_size || (big[i + 1] && in_bin as f64 >= half) {
            upper[bin_cnt] = distinct[i];
            bin_cnt += 1;
            lower[bin_cnt] = distinct[i + 1];
            if bin_cnt + 1 >= max_bin {
                break;
            }
            in_bin = 0;
            if !big[i] {
                rest_bin_cnt -= 1;
                mean_bin_size = rest_sample_cnt as f64 / rest_bin_cnt.max(1) as f64;
            }
        }
    }
    bin_cnt += 1;
    for i in 0..bin_cnt - 1 {
        push(&mut bounds, (upper[i] + lower[i + 1]) / 2.0);
    }
    bounds.push(f64::INFINITY);
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_and_zero_is_alone() {
        let values: Vec<f64> = [-2.0, -1.0, 0.0, 1.0, 2.0]
            .iter()
            .flat_map(|&v| [v; 5])
            .collect();
        let m = numerical_mapper(&values, 255, 3);
        let BinMapper::Numerical {
            upper_bounds,
            has_missing,
        } = &m
        else {
            panic!("numerical")
        };
        assert!(!has_missing);
        assert_eq!(
            upper_bounds,
            &vec![-1.5, -ZERO_THRESHOLD, ZERO_THRESHOLD, 1.5, f64::INFINITY]
        );
        let bins: Vec<u8> = [-2.0, -1.0, 0.0, 1.0, 2.0, f64::NAN]
            .iter()
            .map(|&v| m.bin(v))
            .collect();
        assert_eq!(bins, vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn many_distinct_values_are_capped_and_balanced() {
        let values: Vec<f64> = (0..10_000).map(|i| 1.0 + i as f64).collect();
        let m = numerical_mapper(&values, 255, 3);
        assert!(m.value_bins() <= 255);
        let mut counts = vec![0usize; m.value_bins() + 1];
        for &v in &values {
            counts[m.bin(v) as usize] += 1;
        }
        let used: Vec<usize> = counts.into_iter().filter(|&c| c > 0).collect();
        assert!(used.len() > 200, "{} bins used", used.len());
        assert!(
            used.iter().all(|&c| c <= 80),
            "bins should be balanced: {used:?}"
        );
    }

    #[test]
    fn categories_sorted_by_frequency_and_unseen_go_to_other() {
        let values = [3.0, 3.0, 3.0, 7.0, 7.0, 1.0, f64::NAN];
        let m = categorical_mapper(0, &values).expect("valid codes");
        assert_eq!(
            m,
            BinMapper::Categorical {
                categories: vec![3, 7, 1]
            }
        );
        assert_eq!(m.bin(7.0), 1);
        assert_eq!(m.bin(42.0), 3);
        assert_eq!(m.bin(-1.0), 3);
        assert!(categorical_mapper(0, &[1.5]).is_err());
    }
}
