//! Depth-first CART growth, node for node as scikit-learn's `DepthFirstTreeBuilder` with the
//! `best` splitter (every threshold between sorted distinct values) or the `random` splitter
//! (one uniform threshold per feature, for extra-trees).
//!
//! Nodes are numbered in pre-order, left child first, so a tree can be compared with
//! scikit-learn's `tree_` arrays index by index. Features are visited in index order when all are
//! candidates (ties go to the lower index) or in a seeded random order when `max_features` limits
//! them; constant features do not count towards `max_features`, as in scikit-learn.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::criterion::{Criterion, TreeTarget, class_impurity, median_and_mad, variance};

/// Values closer than this are the same value (scikit-learn's `FEATURE_THRESHOLD`).
const FEATURE_THRESHOLD: f64 = 1e-7;

/// A column-major copy of the training matrix, shared by every tree of a forest.
#[derive(Debug, Clone)]
pub struct Columns {
    data: Vec<f64>,
    n_rows: usize,
}

impl Columns {
    /// Copies an ndarray view column by column.
    pub fn new(x: ndarray::ArrayView2<f64>) -> Self {
        let n_rows = x.nrows();
        let mut data = Vec::with_capacity(x.len());
        for col in x.columns() {
            data.extend(col.iter().copied());
        }
        Columns { data, n_rows }
    }

    fn col(&self, f: usize) -> &[f64] {
        &self.data[f * self.n_rows..(f + 1) * self.n_rows]
    }

    fn n_features(&self) -> usize {
        self.data.len() / self.n_rows.max(1)
    }
}

/// Growth settings, resolved from a spec.
#[derive(Debug, Clone, Copy)]
pub struct TreeParams {
    /// Impurity measure.
    pub criterion: Criterion,
    /// Maximum depth (root is 0).
    pub max_depth: Option<usize>,
    /// Minimum samples to split a node.
    pub min_samples_split: usize,
    /// Minimum samples per leaf.
    pub min_samples_leaf: usize,
    /// Non-constant features to evaluate per node.
    pub max_features: usize,
    /// Minimum weighted impurity decrease for a split.
    pub min_impurity_decrease: f64,
    /// Draw one random threshold per feature instead of scanning all.
    pub random_thresholds: bool,
}

/// Tree nodes in scikit-learn's array layout; children are `-1` at leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nodes {
    /// Left child index or -1.
    pub left: Vec<i32>,
    /// Right child index or -1.
    pub right: Vec<i32>,
    /// Split feature (0 at leaves).
    pub feature: Vec<u32>,
    /// Split threshold: `x <= threshold` goes left.
    pub threshold: Vec<f64>,
    /// Node impurity.
    pub impurity: Vec<f64>,
    /// Training samples reaching the node.
    pub n_samples: Vec<u32>,
    /// Their total weight.
    pub weighted_n_samples: Vec<f64>,
    /// Per node `n_values` numbers: class fractions, or the regression value.
    pub value: Vec<f64>,
    /// Values per node (classes, or 1).
    pub n_values: usize,
}

impl Nodes {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.left.len()
    }

    /// Whether there are no nodes (never true for a fitted tree).
    pub fn is_empty(&self) -> bool {
        self.left.is_empty()
    }

    /// Values of node `n`.
    pub fn value_of(&self, n: usize) -> &[f64] {
        &self.value[n * self.n_values..(n + 1) * self.n_values]
    }

    /// Leaf index reached by a row.
    #[inline]
    pub fn leaf_of(&self, value: impl Fn(usize) -> f64) -> usize {
        let mut n = 0usize;
        while self.left[n] >= 0 {
            n = if value(self.feature[n] as usize) <= self.threshold[n] {
                self.left[n] as usize
            } else {
                self.right[n] as usize
            };
        }
        n
    }
}

/// Statistics of a set of samples.
struct NodeStats {
    weight: f64,
    impurity: f64,
    value: Vec<f64>,
}

fn node_stats(
    samples: &[u32],
    target: TreeTarget<'_>,
    w: &[f64],
    criterion: Criterion,
) -> NodeStats {
    match target {
        TreeTarget::Classes { codes, n_classes } => {
            let mut counts = vec![0.0; n_classes];
            for &s in samples {
                counts[codes[s as usize]] += w[s as usize];
            }
            let weight: f64 = counts.iter().sum();
            let impurity = class_impurity(criterion, &counts, weight);
            let value = counts.iter().map(|c| c / weight).collect();
            NodeStats {
                weight,
                impurity,
                value,
            }
        }
        TreeTarget::Values(y) => {
            if criterion == Criterion::AbsoluteError {
                let mut pairs: Vec<(f64, f64)> = samples
                    .iter()
                    .map(|&s| (y[s as usize], w[s as usize]))
                    .collect();
                let weight = pairs.iter().map(|p| p.1).sum();
                let (median, mad) = median_and_mad(&mut pairs);
                NodeStats {
                    weight,
                    impurity: mad,
                    value: vec![median],
                }
            } else {
                let (mut sw, mut swy, mut swyy) = (0.0, 0.0, 0.0);
                for &s in samples {
                    let (yi, wi) = (y[s as usize], w[s as usize]);
                    sw += wi;
                    swy += wi * yi;
                    swyy += wi * yi * yi;
                }
                NodeStats {
                    weight: sw,
                    impurity: variance(sw, swy, swyy),
                    value: vec![swy / sw],
                }
            }
        }
    }
}

/// A node waiting to be built: sample range, depth, and (parent, is left child).
type Pending = (usize, usize, usize, Option<(usize, bool)>);

struct Split {
    feature: usize,
    threshold: f64,
    proxy: f64,
}

/// Grows a tree on the samples with positive weight.
pub fn build(
    data: &Columns,
    target: TreeTarget<'_>,
    weights: &[f64],
    params: &TreeParams,
    rng: &mut ChaCha8Rng,
) -> Nodes {
    let n_values = match target {
        TreeTarget::Classes { n_classes, .. } => n_classes,
        TreeTarget::Values(_) => 1,
    };
    let mut nodes = Nodes {
        left: Vec::new(),
        right: Vec::new(),
        feature: Vec::new(),
        threshold: Vec::new(),
        impurity: Vec::new(),
        n_samples: Vec::new(),
        weighted_n_samples: Vec::new(),
        value: Vec::new(),
        n_values,
    };
    let mut samples: Vec<u32> = (0..weights.len() as u32)
        .filter(|&i| weights[i as usize] > 0.0)
        .collect();
    let total_weight: f64 = samples.iter().map(|&s| weights[s as usize]).sum();
    let mut stack: Vec<Pending> = vec![(0, samples.len(), 0, None)];
    while let Some((start, end, depth, parent)) = stack.pop() {
        let id = nodes.len();
        if let Some((p, is_left)) = parent {
            if is_left {
                nodes.left[p] = id as i32;
            } else {
                nodes.right[p] = id as i32;
            }
        }
        let node = &samples[start..end];
        let stats = node_stats(node, target, weights, params.criterion);
        let n = end - start;
        nodes.left.push(-1);
        nodes.right.push(-1);
        nodes.feature.push(0);
        nodes.threshold.push(-2.0);
        nodes.impurity.push(stats.impurity);
        nodes.n_samples.push(n as u32);
        nodes.weighted_n_samples.push(stats.weight);
        nodes.value.extend_from_slice(&stats.value);

        let is_leaf = params.max_depth.is_some_and(|d| depth >= d)
            || n < params.min_samples_split
            || n < 2 * params.min_samples_leaf
            || stats.impurity <= f64::EPSILON;
        if is_leaf {
            continue;
        }
        let Some(split) = find_split(data, node, target, weights, params, rng) else {
            continue;
        };
        let col = data.col(split.feature);
        let seg = &mut samples[start..end];
        let (mut lo, mut hi) = (0, seg.len());
        while lo < hi {
            if col[seg[lo] as usize] <= split.threshold {
                lo += 1;
            } else {
                hi -= 1;
                seg.swap(lo, hi);
            }
        }
        let mid = start + lo;
        let left = node_stats(&samples[start..mid], target, weights, params.criterion);
        let right = node_stats(&samples[mid..end], target, weights, params.criterion);
        let improvement = (stats.weight / total_weight)
            * (stats.impurity
                - right.weight / stats.weight * right.impurity
                - left.weight / stats.weight * left.impurity);
        if improvement + f64::EPSILON < params.min_impurity_decrease {
            continue;
        }
        debug_assert!(split.proxy.is_finite());
        nodes.feature[id] = split.feature as u32;
        nodes.threshold[id] = split.threshold;
        // Right first so the left subtree is numbered next (pre-order).
        stack.push((mid, end, depth + 1, Some((id, false))));
        stack.push((start, mid, depth + 1, Some((id, true))));
    }
    nodes
}

fn find_split(
    data: &Columns,
    node: &[u32],
    target: TreeTarget<'_>,
    w: &[f64],
    params: &TreeParams,
    rng: &mut ChaCha8Rng,
) -> Option<Split> {
    let n_features = data.n_features();
    let mut order: Vec<usize> = (0..n_features).collect();
    let sample_features = params.max_features < n_features;
    let mut best: Option<Split> = None;
    let mut visited = 0;
    let mut sorted: Vec<(f64, u32)> = Vec::with_capacity(node.len());
    for i in 0..n_features {
        if visited >= params.max_features {
            break;
        }
        if sample_features {
            let j = rng.random_range(i..n_features);
            order.swap(i, j);
        }
        let f = order[i];
        let col = data.col(f);
        let candidate = if params.random_thresholds {
            random_split(col, node, target, w, params, rng)
        } else {
            sorted.clear();
            sorted.extend(node.iter().map(|&s| (col[s as usize], s)));
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            if sorted[sorted.len() - 1].0 <= sorted[0].0 + FEATURE_THRESHOLD {
                None
            } else {
                Some(best_threshold(&sorted, target, w, params))
            }
        };
        let Some(found) = candidate else { continue };
        visited += 1;
        if let Some((threshold, proxy)) = found
            && best.as_ref().is_none_or(|b| proxy > b.proxy)
        {
            best = Some(Split {
                feature: f,
                threshold,
                proxy,
            });
        }
    }
    best
}

/// scikit-learn's proxy for impurity improvement (larger is better).
fn proxy(wl: f64, il: f64, wr: f64, ir: f64) -> f64 {
    -wr * ir - wl * il
}

fn midpoint(a: f64, b: f64) -> f64 {
    let t = a / 2.0 + b / 2.0;
    if t == b || t.is_infinite() { a } else { t }
}

/// Best threshold over samples sorted by feature value: `Some((threshold, proxy))`, or `None`
/// inside when no position satisfies `min_samples_leaf`.
fn best_threshold(
    sorted: &[(f64, u32)],
    target: TreeTarget<'_>,
    w: &[f64],
    p: &TreeParams,
) -> Option<(f64, f64)> {
    let n = sorted.len();
    let valid = |pos: usize| {
        sorted[pos].0 > sorted[pos - 1].0 + FEATURE_THRESHOLD
            && pos >= p.min_samples_leaf
            && n - pos >= p.min_samples_leaf
    };
    let mut best: Option<(f64, f64)> = None;
    let mut consider = |pos: usize, score: f64| {
        if best.is_none_or(|b| score > b.1) {
            best = Some((midpoint(sorted[pos - 1].0, sorted[pos].0), score));
        }
    };
    match target {
        TreeTarget::Classes { codes, n_classes } => {
            let mut total = vec![0.0; n_classes];
            for &(_, s) in sorted {
                total[codes[s as usize]] += w[s as usize];
            }
            let wt: f64 = total.iter().sum();
            let mut left = vec![0.0; n_classes];
            let mut right = vec![0.0; n_classes];
            let mut wl = 0.0;
            for pos in 1..n {
                let s = sorted[pos - 1].1 as usize;
                left[codes[s]] += w[s];
                wl += w[s];
                if !valid(pos) {
                    continue;
                }
                for k in 0..n_classes {
                    right[k] = total[k] - left[k];
                }
                let wr = wt - wl;
                let il = class_impurity(p.criterion, &left, wl);
                let ir = class_impurity(p.criterion, &right, wr);
                consider(pos, proxy(wl, il, wr, ir));
            }
        }
        TreeTarget::Values(y) if p.criterion == Criterion::SquaredError => {
            let (mut tw, mut twy) = (0.0, 0.0);
            for &(_, s) in sorted {
                tw += w[s as usize];
                twy += w[s as usize] * y[s as usize];
            }
            let (mut wl, mut wyl) = (0.0, 0.0);
            for pos in 1..n {
                let s = sorted[pos - 1].1 as usize;
                wl += w[s];
                wyl += w[s] * y[s];
                if !valid(pos) {
                    continue;
                }
                let (wr, wyr) = (tw - wl, twy - wyl);
                // scikit-learn's MSE proxy: sum_left^2 / w_left + sum_right^2 / w_right.
                consider(pos, wyl * wyl / wl + wyr * wyr / wr);
            }
        }
        TreeTarget::Values(y) => {
            // Absolute error: medians of both sides at every position (quadratic in node size).
            let mut left: Vec<(f64, f64)> = Vec::with_capacity(n);
            let mut right: Vec<(f64, f64)> = sorted
                .iter()
                .map(|&(_, s)| (y[s as usize], w[s as usize]))
                .collect();
            right.sort_by(|a, b| a.0.total_cmp(&b.0));
            for pos in 1..n {
                let s = sorted[pos - 1].1 as usize;
                let item = (y[s], w[s]);
                let at = left.partition_point(|q| q.0 < item.0);
                left.insert(at, item);
                let gone = right.partition_point(|q| q.0 < item.0);
                let gone = (gone..right.len())
                    .find(|&i| right[i] == item)
                    .unwrap_or(gone);
                right.remove(gone);
                if !valid(pos) {
                    continue;
                }
                let (wl, il) = sorted_mad(&left);
                let (wr, ir) = sorted_mad(&right);
                consider(pos, proxy(wl, il, wr, ir));
            }
        }
    }
    best
}

fn sorted_mad(pairs: &[(f64, f64)]) -> (f64, f64) {
    let median = super::criterion::sorted_weighted_median(pairs);
    let w: f64 = pairs.iter().map(|p| p.1).sum();
    let dev: f64 = pairs.iter().map(|p| p.1 * (p.0 - median).abs()).sum();
    (w, if w > 0.0 { dev / w } else { 0.0 })
}

/// Extra-trees split on one feature: a uniform threshold between the node's min and max.
/// `None` for a constant feature; `Some(None)` when the threshold leaves a side too small.
fn random_split(
    col: &[f64],
    node: &[u32],
    target: TreeTarget<'_>,
    w: &[f64],
    p: &TreeParams,
    rng: &mut ChaCha8Rng,
) -> Option<Option<(f64, f64)>> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &s in node {
        let v = col[s as usize];
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi <= lo + FEATURE_THRESHOLD {
        return None;
    }
    let mut t = rng.random_range(lo..hi);
    if t == hi {
        t = lo;
    }
    let (left, right): (Vec<u32>, Vec<u32>) = node.iter().partition(|&&s| col[s as usize] <= t);
    if left.len() < p.min_samples_leaf || right.len() < p.min_samples_leaf {
        return Some(None);
    }
    let l = node_stats(&left, target, w, p.criterion);
    let r = node_stats(&right, target, w, p.criterion);
    let score = match p.criterion {
        Criterion::SquaredError => {
            let (sl, sr) = (l.value[0] * l.weight, r.value[0] * r.weight);
            sl * sl / l.weight + sr * sr / r.weight
        }
        _ => proxy(l.weight, l.impurity, r.weight, r.impurity),
    };
    Some(Some((t, score)))
}
