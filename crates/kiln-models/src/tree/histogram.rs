//! The histogram splitter of forests: every feature is binned once per fit into at most 255
//! quantile bins (the GBDT binning, `gbdt::binning`), and a large node finds its split by
//! accumulating per-bin target statistics over its samples and scanning the bin boundaries,
//! instead of reading presorted lists or sorting.
//!
//! A split between bins keeps LightGBM's threshold, the upper bound of the last bin that goes
//! left. Bin `b` holds exactly the values `v` with `upper[b - 1] < v <= upper[b]`, so on raw f64
//! values `x <= threshold` sends a sample the same way as its bin does, at fit and at predict
//! time. Only the thresholds are coarser than the exact splitter's; everything else (feature
//! sampling, leaf tests, the impurity proxy, ties to the first candidate) is the builder's.
//!
//! All candidate features of a node are binned from one pass over the node's samples, reading
//! each sample's codes from one row-major record (padded so it never straddles a cache line); the
//! column-major codes serve the partition, which reads one feature. Nodes too small for
//! histograms copy their rows out of the row-major raw values (see `builder::grow_local`).

use ndarray::ArrayView2;

use super::builder::{class_proxy_from, squared_proxy};
use super::criterion::{Criterion, TreeTarget};
use super::presort::Columns;
use crate::error::Result;
use crate::gbdt::binning::{BinMapper, BinningConfig, MAX_VALUE_BINS, RowCodes, bin_dataset};

/// Rows sampled to place the bin bounds, and the fewest rows a bin is merged to; LightGBM's
/// defaults (`bin_construct_sample_cnt`, `min_data_in_bin`), as `GbdtSpec` uses them.
const BIN_SAMPLE_ROWS: usize = 200_000;
const MIN_DATA_IN_BIN: usize = 3;

/// The training matrix as u8 bin codes (both layouts), each feature's bin upper bounds, and
/// the raw values row-major.
#[derive(Debug, Clone)]
pub struct BinnedColumns {
    /// Row `i`'s codes are `rows.row(i)`.
    rows: RowCodes,
    /// Feature `f`, row `i` is `codes[f * n_rows + i]`.
    codes: Vec<u8>,
    /// Raw values, row-major like `rows`.
    raw: Vec<f64>,
    n_rows: usize,
    n_features: usize,
    /// Per feature, increasing bin upper bounds; the last is +inf.
    upper_bounds: Vec<Vec<f64>>,
}

impl BinnedColumns {
    /// Bins `x` (finite values; the forest rejects NaN before this) with the bounds placed on
    /// a seeded row sample.
    pub fn new(x: ArrayView2<f64>, seed: u64) -> Result<Self> {
        let n_features = x.ncols();
        let config = BinningConfig {
            max_bin: MAX_VALUE_BINS,
            sample_rows: BIN_SAMPLE_ROWS,
            min_data_in_bin: MIN_DATA_IN_BIN,
            seed,
        };
        let binned = bin_dataset(x, &vec![false; n_features], &config)?;
        let upper_bounds = binned
            .mappers
            .into_iter()
            .map(|m| match m {
                BinMapper::Numerical { upper_bounds, .. } => upper_bounds,
                // Every feature was binned as numerical above.
                BinMapper::Categorical { .. } => vec![f64::INFINITY],
            })
            .collect();
        Ok(BinnedColumns {
            rows: binned.rows,
            codes: binned.codes,
            raw: x.rows().into_iter().flatten().copied().collect(),
            n_rows: x.nrows(),
            n_features,
            upper_bounds,
        })
    }

    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Bin codes of feature `f`, one per row.
    pub fn codes(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n_rows..(f + 1) * self.n_rows]
    }

    /// The bin whose upper bound is `threshold` (a threshold `binned_splits` returned), so
    /// `x <= threshold` is `code <= bin`.
    pub fn bin_of_bound(&self, f: usize, threshold: f64) -> u8 {
        // Bounds increase and there are at most 255, so the index fits a u8.
        self.upper_bounds[f].partition_point(|&u| u < threshold) as u8
    }

    /// Exact values of `rows` (in that order) as columns of their own.
    pub fn gather_rows(&self, rows: &[u32]) -> Columns {
        let nf = self.n_features;
        let m = rows.len();
        let mut data = vec![0.0; m * nf];
        for (i, &s) in rows.iter().enumerate() {
            let row = &self.raw[s as usize * nf..(s as usize + 1) * nf];
            for (f, &v) in row.iter().enumerate() {
                data[f * m + i] = v;
            }
        }
        Columns::from_column_major(data, m)
    }
}

/// Histogram buffers reused by every node of a tree.
#[derive(Default)]
pub struct HistogramScratch {
    /// Per candidate feature, `MAX_VALUE_BINS * stride` sums: per bin the class weights, or
    /// the weight and the weighted target.
    sums: Vec<f64>,
    /// Per candidate feature, samples per bin (for `min_samples_leaf`).
    counts: Vec<u32>,
}

/// Best split of each feature in `features` over the node's samples, in the form the builder
/// reads per feature: `None` when the node's samples sit in one bin (a constant feature, which
/// does not count towards `max_features`), `Some(None)` when no boundary leaves both sides
/// `min_samples_leaf` samples, else `Some(Some((threshold, proxy)))`.
#[allow(clippy::too_many_arguments)]
pub fn binned_splits(
    bins: &BinnedColumns,
    features: &[usize],
    node: &[u32],
    target: TreeTarget<'_>,
    w: &[f64],
    criterion: Criterion,
    min_samples_leaf: usize,
    scratch: &mut HistogramScratch,
    out: &mut Vec<Option<Option<(f64, f64)>>>,
) {
    let stride = match target {
        TreeTarget::Classes { n_classes, .. } => n_classes,
        TreeTarget::Values(_) => 2,
    };
    let k = features.len();
    let per_feature = MAX_VALUE_BINS * stride;
    scratch.sums.clear();
    scratch.sums.resize(k * per_feature, 0.0);
    scratch.counts.clear();
    scratch.counts.resize(k * MAX_VALUE_BINS, 0);
    let (sums, counts) = (&mut scratch.sums[..], &mut scratch.counts[..]);
    match target {
        TreeTarget::Classes { codes, .. } => {
            for &s in node {
                let s = s as usize;
                let (class, weight) = (codes[s], w[s]);
                let row = bins.rows.row(s);
                for (j, &f) in features.iter().enumerate() {
                    let b = row[f] as usize;
                    sums[j * per_feature + b * stride + class] += weight;
                    counts[j * MAX_VALUE_BINS + b] += 1;
                }
            }
        }
        TreeTarget::Values(y) => {
            for &s in node {
                let s = s as usize;
                let (weight, wy) = (w[s], w[s] * y[s]);
                let row = bins.rows.row(s);
                for (j, &f) in features.iter().enumerate() {
                    let b = row[f] as usize;
                    sums[j * per_feature + b * 2] += weight;
                    sums[j * per_feature + b * 2 + 1] += wy;
                    counts[j * MAX_VALUE_BINS + b] += 1;
                }
            }
        }
    }
    out.clear();
    for (j, &f) in features.iter().enumerate() {
        let upper = &bins.upper_bounds[f];
        let hist = &sums[j * per_feature..j * per_feature + upper.len() * stride];
        let count = &counts[j * MAX_VALUE_BINS..j * MAX_VALUE_BINS + upper.len()];
        out.push(scan(
            hist,
            count,
            upper,
            stride,
            node.len(),
            criterion,
            min_samples_leaf,
        ));
    }
}

/// Scans one feature's bin boundaries left to right; ties keep the first (lowest) threshold,
/// as the exact splitter does.
fn scan(
    hist: &[f64],
    count: &[u32],
    upper: &[f64],
    stride: usize,
    n: usize,
    criterion: Criterion,
    min_samples_leaf: usize,
) -> Option<Option<(f64, f64)>> {
    let occupied = count.iter().filter(|&&c| c > 0).count();
    if occupied < 2 {
        return None;
    }
    let mut total = [0.0f64; 2];
    let mut total_classes = vec![0.0; stride];
    for bin in hist.chunks_exact(stride) {
        total_classes.iter_mut().zip(bin).for_each(|(t, v)| *t += v);
    }
    if criterion == Criterion::SquaredError {
        total = [total_classes[0], total_classes[1]];
    }
    let mut left = vec![0.0; stride];
    let mut right = vec![0.0; stride];
    let mut n_left = 0usize;
    let mut best: Option<(f64, f64)> = None;
    let mut prev: Option<usize> = None;
    for (b, &c) in count.iter().enumerate() {
        if c == 0 {
            continue;
        }
        // A boundary after the previous occupied bin: everything up to it goes left.
        if let Some(p) = prev
            && n_left >= min_samples_leaf
            && n - n_left >= min_samples_leaf
        {
            let score = if criterion == Criterion::SquaredError {
                let (wl, wyl) = (left[0], left[1]);
                squared_proxy(wl, wyl, total[0] - wl, total[1] - wyl)
            } else {
                right
                    .iter_mut()
                    .zip(&total_classes)
                    .zip(&left)
                    .for_each(|((r, t), l)| *r = t - l);
                class_proxy_from(criterion, &left, &right)
            };
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((upper[p], score));
            }
        }
        left.iter_mut()
            .zip(&hist[b * stride..(b + 1) * stride])
            .for_each(|(l, v)| *l += v);
        n_left += c as usize;
        prev = Some(b);
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a feature with fewer distinct values than bins every boundary is a candidate, so the
    /// histogram finds the exact splitter's partition; the threshold is the bin's upper bound
    /// (a midpoint of neighbouring values, as LightGBM places it).
    #[test]
    fn few_distinct_values_split_where_the_exact_splitter_does() {
        let n = 40;
        let x = ndarray::Array2::from_shape_fn(
            (n, 2),
            |(i, j)| {
                if j == 0 { (i / 4) as f64 } else { 7.0 }
            },
        );
        let codes: Vec<usize> = (0..n).map(|i| usize::from(i >= 24)).collect();
        let w = vec![1.0; n];
        let bins = BinnedColumns::new(x.view(), 0).expect("bins");
        let node: Vec<u32> = (0..n as u32).collect();
        let mut out = Vec::new();
        binned_splits(
            &bins,
            &[0, 1],
            &node,
            TreeTarget::Classes {
                codes: &codes,
                n_classes: 2,
            },
            &w,
            Criterion::Gini,
            1,
            &mut HistogramScratch::default(),
            &mut out,
        );
        let (threshold, proxy) = out[0].expect("not constant").expect("a split");
        assert_eq!(threshold, 5.5);
        assert_eq!(proxy, 0.0, "both sides pure");
        assert_eq!(out[1], None, "a constant feature has no candidate");
        // With 30 samples per leaf required no boundary qualifies.
        binned_splits(
            &bins,
            &[0],
            &node,
            TreeTarget::Classes {
                codes: &codes,
                n_classes: 2,
            },
            &w,
            Criterion::Gini,
            30,
            &mut HistogramScratch::default(),
            &mut out,
        );
        assert_eq!(out[0], Some(None));
    }

    #[test]
    fn squared_error_split_separates_the_two_levels() {
        let n = 30;
        let x = ndarray::Array2::from_shape_fn((n, 1), |(i, _)| i as f64);
        let y: Vec<f64> = (0..n).map(|i| if i < 10 { 1.0 } else { 5.0 }).collect();
        let bins = BinnedColumns::new(x.view(), 0).expect("bins");
        let node: Vec<u32> = (0..n as u32).collect();
        let mut out = Vec::new();
        binned_splits(
            &bins,
            &[0],
            &node,
            TreeTarget::Values(&y),
            &vec![1.0; n],
            Criterion::SquaredError,
            1,
            &mut HistogramScratch::default(),
            &mut out,
        );
        let (threshold, _) = out[0].expect("not constant").expect("a split");
        assert_eq!(threshold, 9.5);
    }
}
