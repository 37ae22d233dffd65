//! Leaf-wise (best-first) growth of one tree, as in LightGBM.
//!
//! The rows of every leaf sit in one contiguous range of a shared index buffer; splitting a leaf
//! partitions its range stably in place. At each step the leaf whose best split gains most is
//! split, until `num_leaves` is reached or no leaf can be split. After a split only the smaller
//! child's histogram is built (from gradients gathered in row order); the larger child's is the
//! parent's minus it, computed in the parent's buffer.

use super::binning::{BinMapper, BinnedData};
use super::histogram::{self, Histogram, HistogramPool, Rows};
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

/// Buffers reused from tree to tree.
#[derive(Debug)]
pub struct Scratch {
    pool: HistogramPool,
    ordered: Vec<[f64; 2]>,
    right: Vec<u32>,
}

impl Scratch {
    /// Buffers for data with `n_features` features.
    pub fn new(n_features: usize) -> Self {
        Scratch {
            pool: HistogramPool::new(n_features),
            ordered: Vec::new(),
            right: Vec::new(),
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

/// Grows one tree on the rows in `rows` (reordered so each leaf's rows are contiguous).
///
/// `all_rows` says `rows` is `0..n` in order, which lets the root histogram skip the gather.
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
    let mut root_sums = Sums::default();
    for &r in rows.iter() {
        let g = gh[r as usize];
        root_sums.grad += g[0];
        root_sums.hess += g[1];
    }
    root_sums.count = n as u32;
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
    let mut root_hist = scratch.pool.take();
    if all_rows {
        histogram::build(&mut root_hist, data, features, Rows::All, gh);
    } else {
        gather(&mut scratch.ordered, rows, gh);
        histogram::build(
            &mut root_hist,
            data,
            features,
            Rows::Subset(rows),
            &scratch.ordered,
        );
    }
    leaves[0].best = best_split(
        &root_hist,
        &data.mappers,
        features,
        root_sums,
        &params.split,
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
            &mut scratch.right,
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
        let room = tree.n_leaves() < params.num_leaves;
        let (left_ok, right_ok) = (
            room && splittable(&left, params),
            room && splittable(&right, params),
        );
        if left_ok || right_ok {
            let (small, large) = if left.len <= right.len {
                (&mut left, &mut right)
            } else {
                (&mut right, &mut left)
            };
            let idx = &rows[small.begin..small.begin + small.len];
            gather(&mut scratch.ordered, idx, gh);
            let mut small_hist = scratch.pool.take();
            histogram::build(
                &mut small_hist,
                data,
                features,
                Rows::Subset(idx),
                &scratch.ordered,
            );
            histogram::subtract(&mut parent_hist, &small_hist, features);
            small.hist = Some(small_hist);
            large.hist = Some(parent_hist);
            for leaf in [&mut left, &mut right] {
                if splittable(leaf, params) {
                    let hist = leaf.hist.as_ref().expect("built above");
                    leaf.best = best_split(hist, &data.mappers, features, leaf.sums, &params.split);
                }
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

fn splittable(leaf: &Leaf, params: &GrowerParams) -> bool {
    let s = &params.split;
    leaf.len >= 2 * s.min_data_in_leaf.max(1) as usize
        && leaf.sums.hess >= 2.0 * s.min_sum_hessian_in_leaf
        && params.max_depth.is_none_or(|d| leaf.depth < d)
}

fn gather(ordered: &mut Vec<[f64; 2]>, idx: &[u32], gh: &[[f64; 2]]) {
    ordered.clear();
    ordered.extend(idx.iter().map(|&i| gh[i as usize]));
}

/// Stable in-place partition of `rows`: left-going rows first. Returns the left count.
fn partition(rows: &mut [u32], column: &[u8], mask: &[bool; 256], right: &mut Vec<u32>) -> usize {
    right.clear();
    let mut write = 0;
    for i in 0..rows.len() {
        let r = rows[i];
        if mask[column[r as usize] as usize] {
            rows[write] = r;
            write += 1;
        } else {
            right.push(r);
        }
    }
    rows[write..].copy_from_slice(right);
    write
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
