//! Leaf-wise (best-first) growth of one tree, as in LightGBM.
//!
//! The rows of every leaf sit in one contiguous range of a shared index buffer; splitting a leaf
//! partitions its range stably in place (in parallel blocks for large leaves). At each step the
//! leaf whose best split gains most is split, until `num_leaves` is reached or no leaf can be
//! split. After a split only the smaller child's histogram is built; the larger child's is the
//! parent's minus it, computed in the parent's buffer. The two children are searched for their
//! best splits at the same time.
//!
//! As in LightGBM, a feature on which a leaf had no valid split is dropped for all of the leaf's
//! descendants: their histograms skip it and their split searches never see it.

use rayon::prelude::*;

use super::binning::{BinMapper, BinnedData};
use super::histogram::{self, BLOCK, Histogram, HistogramBuilder, HistogramPool, Rows};
use super::split::{SplitCandidate, SplitParams, SplitRule, Sums, best_split};
use super::tree::Tree;

/// Settings of one tree's growth.
#[derive(Debug, Clone, Copy)]
pub struct GrowerParams {
    /// Maximum leaves.
    pub num_leaves: usize,
    /// Maximum depth (root is depth 0); None for unlimited.
    pub max_depth: Option<usize>,
    /// Split finding settings.
    pub split: SplitParams,
}

/// Buffers reused from tree to tree, so growing a tree allocates only while they first grow.
#[derive(Debug)]
pub struct Scratch {
    pool: HistogramPool,
    builder: HistogramBuilder,
    partition: PartitionScratch,
    /// Features each leaf may still split on, by leaf index.
    leaf_features: Vec<Vec<usize>>,
    /// Per-feature split search results, one buffer per child searched at the same time.
    results: [Vec<Option<SplitCandidate>>; 2],
}

impl Scratch {
    /// Buffers for data with `n_features` features.
    pub fn new(n_features: usize) -> Self {
        Scratch {
            pool: HistogramPool::new(n_features),
            builder: HistogramBuilder::new(n_features),
            partition: PartitionScratch::default(),
            leaf_features: Vec::new(),
            results: [Vec::new(), Vec::new()],
        }
    }
}

/// A grown tree (leaf values before shrinkage) and where each leaf's rows are in the row buffer.
#[derive(Debug)]
pub struct Grown {
    /// The tree.
    pub tree: Tree,
    /// Leaf `l` holds `rows[begin..begin + len]` as `leaf_ranges[l] = (begin, len)`.
    pub leaf_ranges: Vec<(usize, usize)>,
}

struct Leaf {
    begin: usize,
    len: usize,
    sums: Sums,
    depth: usize,
    hist: Option<Histogram>,
    best: Option<SplitCandidate>,
}

/// Rows per task when summing the root's gradients; fixed, so the sum does not depend on the
/// thread count.
const SUM_CHUNK: usize = 1 << 16;

/// Gradient and hessian sums over `rows`, in fixed chunks added up in order.
fn row_sums(rows: &[u32], gh: &[[f64; 2]]) -> Sums {
    let partials: Vec<[f64; 2]> = rows
        .par_chunks(SUM_CHUNK)
        .map(|chunk| {
            chunk.iter().fold([0.0, 0.0], |acc, &r| {
                let g = gh[r as usize];
                [acc[0] + g[0], acc[1] + g[1]]
            })
        })
        .collect();
    let total = partials
        .iter()
        .fold([0.0, 0.0], |acc, p| [acc[0] + p[0], acc[1] + p[1]]);
    Sums {
        grad: total[0],
        hess: total[1],
        count: rows.len() as u32,
    }
}

/// Grows one tree on the rows in `rows` (reordered so each leaf's rows are contiguous; each
/// leaf's rows keep their relative order).
///
/// `gh` is indexed by row. `all_rows` says `rows` is `0..n` in order, which lets the root
/// histogram read the data sequentially.
#[allow(clippy::too_many_arguments)]
pub fn grow(
    data: &BinnedData,
    gh: &[[f64; 2]],
    rows: &mut [u32],
    all_rows: bool,
    features: &[usize],
    params: &GrowerParams,
    scratch: &mut Scratch,
) -> Grown {
    let n = rows.len();
    let root_sums = row_sums(rows, gh);
    let mut tree = Tree::constant(0.0, n as u32);
    let mut leaves = vec![Leaf {
        begin: 0,
        len: n,
        sums: root_sums,
        depth: 0,
        hist: None,
        best: None,
    }];
    if params.num_leaves < 2 || !splittable(&leaves[0], params) {
        return Grown {
            tree,
            leaf_ranges: vec![(0, n)],
        };
    }
    if scratch.leaf_features.len() < params.num_leaves {
        scratch
            .leaf_features
            .resize_with(params.num_leaves, Vec::new);
    }
    scratch.leaf_features[0].clear();
    scratch.leaf_features[0].extend_from_slice(features);
    let mut root_hist = scratch.pool.take();
    let root_rows = if all_rows {
        Rows::All
    } else {
        Rows::Subset(rows)
    };
    scratch
        .builder
        .build(&mut root_hist, data, features, root_rows, gh);
    leaves[0].best = best_split(
        &root_hist,
        &data.mappers,
        &mut scratch.leaf_features[0],
        root_sums,
        &params.split,
        &mut scratch.results[0],
    );
    leaves[0].hist = Some(root_hist);

    while tree.n_leaves() < params.num_leaves {
        // First leaf with the largest gain, like LightGBM's ArgMax.
        let mut chosen: Option<(usize, f64)> = None;
        for (i, leaf) in leaves.iter().enumerate() {
            if let Some(b) = &leaf.best
                && chosen.is_none_or(|(_, g)| b.gain > g)
            {
                chosen = Some((i, b.gain));
            }
        }
        let Some((index, _)) = chosen else { break };
        let split = leaves[index].best.take().expect("chosen leaf has a split");
        let mut parent_hist = leaves[index]
            .hist
            .take()
            .expect("splittable leaf keeps its histogram");
        let (begin, len, depth) = (leaves[index].begin, leaves[index].len, leaves[index].depth);

        let mapper = &data.mappers[split.feature];
        let mask = split.left_mask(mapper);
        let left_len = partition(
            &mut rows[begin..begin + len],
            data.column(split.feature),
            &mask,
            &mut scratch.partition,
        );
        record_split(
            &mut tree,
            index,
            mapper,
            &split,
            (left_len as u32, (len - left_len) as u32),
        );

        // Candidate counts are hessian-based estimates; the partition gives the true ones.
        let left_sums = Sums {
            count: left_len as u32,
            ..split.left
        };
        let right_sums = Sums {
            count: (len - left_len) as u32,
            ..split.right
        };
        let mut left = Leaf {
            begin,
            len: left_len,
            sums: left_sums,
            depth: depth + 1,
            hist: None,
            best: None,
        };
        let mut right = Leaf {
            begin: begin + left_len,
            len: len - left_len,
            sums: right_sums,
            depth: depth + 1,
            hist: None,
            best: None,
        };
        // The left child keeps the parent's index, the right child takes the next one.
        let right_index = leaves.len();
        let room = tree.n_leaves() < params.num_leaves;
        let (left_ok, right_ok) = (
            room && splittable(&left, params),
            room && splittable(&right, params),
        );
        if left_ok || right_ok {
            let (low, high) = scratch.leaf_features.split_at_mut(right_index);
            let (left_features, right_features) = (&mut low[index], &mut high[0]);
            right_features.clone_from(left_features);
            let parent_features = &left_features[..];
            let (small, large) = if left.len <= right.len {
                (&mut left, &mut right)
            } else {
                (&mut right, &mut left)
            };
            let idx = &rows[small.begin..small.begin + small.len];
            let mut small_hist = scratch.pool.take();
            scratch.builder.build(
                &mut small_hist,
                data,
                parent_features,
                Rows::Subset(idx),
                gh,
            );
            histogram::subtract(&mut parent_hist, &small_hist, parent_features);
            small.hist = Some(small_hist);
            large.hist = Some(parent_hist);
            let [left_results, right_results] = &mut scratch.results;
            rayon::join(
                || search(&mut left, left_features, left_results, data, params),
                || search(&mut right, right_features, right_results, data, params),
            );
            for leaf in [&mut left, &mut right] {
                if leaf.best.is_none()
                    && let Some(h) = leaf.hist.take()
                {
                    scratch.pool.give(h);
                }
            }
        } else {
            scratch.pool.give(parent_hist);
        }
        leaves[index] = left;
        leaves.push(right);
    }
    for leaf in &mut leaves {
        if let Some(h) = leaf.hist.take() {
            scratch.pool.give(h);
        }
    }
    let leaf_ranges = leaves.iter().map(|l| (l.begin, l.len)).collect();
    Grown { tree, leaf_ranges }
}

/// Finds `leaf`'s best split over `features` (which keeps only the features with a valid split).
fn search(
    leaf: &mut Leaf,
    features: &mut Vec<usize>,
    results: &mut Vec<Option<SplitCandidate>>,
    data: &BinnedData,
    params: &GrowerParams,
) {
    if !splittable(leaf, params) {
        return;
    }
    let hist = leaf.hist.as_ref().expect("both children have a histogram");
    leaf.best = best_split(
        hist,
        &data.mappers,
        features,
        leaf.sums,
        &params.split,
        results,
    );
}

fn splittable(leaf: &Leaf, params: &GrowerParams) -> bool {
    let s = &params.split;
    leaf.len >= 2 * s.min_data_in_leaf.max(1) as usize
        && leaf.sums.hess >= 2.0 * s.min_sum_hessian_in_leaf
        && params.max_depth.is_none_or(|d| leaf.depth < d)
}

/// Rows per block of a parallel partition; smaller leaves are partitioned on the calling thread.
const PARTITION_BLOCK: usize = 1 << 13;

/// Buffers of the partition: each block's left and right rows, and the blocks' left counts.
#[derive(Debug, Default)]
struct PartitionScratch {
    left: Vec<u32>,
    right: Vec<u32>,
    counts: Vec<usize>,
}

/// Stable in-place partition of `rows`: left-going rows first. Returns the left count.
///
/// Large ranges are cut into fixed blocks partitioned in parallel into scratch buffers, then
/// copied back (all blocks' left rows in block order, then all right rows), which gives exactly
/// the serial stable result.
fn partition(
    rows: &mut [u32],
    column: &[u8],
    mask: &[bool; BLOCK],
    scratch: &mut PartitionScratch,
) -> usize {
    let n = rows.len();
    if scratch.right.len() < n {
        scratch.left.resize(n, 0);
        scratch.right.resize(n, 0);
    }
    if n < 2 * PARTITION_BLOCK {
        // Left rows are written behind the read position, right rows to scratch.
        let right = &mut scratch.right[..n];
        let (mut n_left, mut n_right) = (0, 0);
        for i in 0..n {
            let r = rows[i];
            let goes_left = mask[column[r as usize] as usize];
            rows[n_left] = r;
            right[n_right] = r;
            n_left += usize::from(goes_left);
            n_right += usize::from(!goes_left);
        }
        rows[n_left..].copy_from_slice(&right[..n_right]);
        return n_left;
    }
    rows.par_chunks(PARTITION_BLOCK)
        .zip(scratch.left[..n].par_chunks_mut(PARTITION_BLOCK))
        .zip(scratch.right[..n].par_chunks_mut(PARTITION_BLOCK))
        .map(|((src, left), right)| split_block(src, column, mask, left, right))
        .collect_into_vec(&mut scratch.counts);
    let total_left: usize = scratch.counts.iter().sum();
    let (left_src, right_src) = (&scratch.left, &scratch.right);
    rayon::scope(|s| {
        let (mut left_dst, mut right_dst) = rows.split_at_mut(total_left);
        for (b, &n_left) in scratch.counts.iter().enumerate() {
            let start = b * PARTITION_BLOCK;
            let n_right = PARTITION_BLOCK.min(n - start) - n_left;
            let (l, rest) = std::mem::take(&mut left_dst).split_at_mut(n_left);
            left_dst = rest;
            let (r, rest) = std::mem::take(&mut right_dst).split_at_mut(n_right);
            right_dst = rest;
            let (from_l, from_r) = (
                &left_src[start..start + n_left],
                &right_src[start..start + n_right],
            );
            s.spawn(move |_| {
                l.copy_from_slice(from_l);
                r.copy_from_slice(from_r);
            });
        }
    });
    total_left
}

/// Writes `src`'s left-going rows to the front of `left` and the others to the front of
/// `right`, without a data-dependent branch. Returns the left count.
#[inline]
fn split_block(
    src: &[u32],
    column: &[u8],
    mask: &[bool; BLOCK],
    left: &mut [u32],
    right: &mut [u32],
) -> usize {
    let (mut n_left, mut n_right) = (0, 0);
    for &r in src {
        let goes_left = mask[column[r as usize] as usize];
        left[n_left] = r;
        right[n_right] = r;
        n_left += usize::from(goes_left);
        n_right += usize::from(!goes_left);
    }
    n_left
}

fn record_split(
    tree: &mut Tree,
    leaf: usize,
    mapper: &BinMapper,
    split: &SplitCandidate,
    counts: (u32, u32),
) {
    let outputs = (split.left_output, split.right_output);
    match (&split.rule, mapper) {
        (
            SplitRule::Numerical {
                threshold_bin,
                default_left,
            },
            BinMapper::Numerical { upper_bounds, .. },
        ) => {
            let threshold = upper_bounds[*threshold_bin as usize];
            tree.split_numerical(
                leaf,
                split.feature,
                threshold,
                *default_left,
                split.gain,
                outputs,
                counts,
            );
        }
        (SplitRule::Categorical { left_bins }, BinMapper::Categorical { categories }) => {
            let codes: Vec<u32> = left_bins.iter().map(|&b| categories[b as usize]).collect();
            tree.split_categorical(leaf, split.feature, &codes, split.gain, outputs, counts);
        }
        _ => unreachable!("split rules are produced from the feature's own mapper kind"),
    }
}
