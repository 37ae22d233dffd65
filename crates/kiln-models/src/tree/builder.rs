//! Depth-first CART growth, node for node as scikit-learn's `DepthFirstTreeBuilder` with the
//! `best` splitter (every threshold between sorted distinct values) or the `random` splitter
//! (one uniform threshold per feature, for extra-trees).
//!
//! Nodes are numbered in pre-order, left child first, so a tree can be compared with
//! scikit-learn's `tree_` arrays index by index. Features are visited in index order when all are
//! candidates (ties go to the lower index) or in a seeded random order when `max_features` limits
//! them; constant features do not count towards `max_features`, as in scikit-learn.
//!
//! Large nodes read their samples in value order from the presorted lists of `presort`; small
//! ones sort per candidate feature. Both find the same split; only the summation order inside
//! runs of equal values differs.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::criterion::{Criterion, TreeTarget, class_impurity, median_and_mad, variance};
use super::histogram::{BinnedColumns, HistogramScratch, binned_splits};
use super::presort::{Columns, SortedLists};

/// Values closer than this are the same value (scikit-learn's `FEATURE_THRESHOLD`).
const FEATURE_THRESHOLD: f64 = 1e-7;

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
    /// With binned columns, nodes with fewer samples split exactly (`HISTOGRAM_MIN_SAMPLES`
    /// unless a test lowers it to reach the histogram path on small data).
    pub histogram_min_samples: usize,
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

/// A node waiting to be built: sample range, depth, (parent, is left child), and its
/// statistics, computed when the parent checked the split's improvement.
type Pending = (usize, usize, usize, Option<(usize, bool)>, NodeStats);

struct Split {
    feature: usize,
    threshold: f64,
    proxy: f64,
}

/// Whether a node of `n` samples finds its split on the presorted lists rather than by sorting.
/// Keeping the lists costs `n_features` linear passes per split; sorting costs about
/// `max_features * log2(n)` passes, each dearer than a partition pass. On the forest bench
/// (28 features, 5 per split) lists for every node beat sorting (about 0.67x the CPU time), and
/// switching to sorting below 256 or 4096 samples was slower than lists throughout, so the
/// weight below keeps lists down to the smallest nodes there and hands nodes to sorting only
/// when features far outnumber `max_features`.
fn presorted_node(n: usize, n_features: usize, max_features: usize) -> bool {
    const SORT_PASS_COST: f64 = 2.0;
    n >= 2 && SORT_PASS_COST * max_features as f64 * (n as f64).log2() >= n_features as f64
}

/// Buffers reused by every node of a tree.
struct Scratch {
    /// Feature visiting order.
    order: Vec<usize>,
    /// The node's `(value, sample)` pairs of one feature, sorted, for nodes without lists.
    sorted: Vec<(f64, u32)>,
    /// The same split into values and sample ids, the form the threshold search reads.
    values: Vec<f64>,
    ids: Vec<u32>,
    /// Candidate features drawn for one pass of the histogram splitter.
    batch: Vec<usize>,
    /// Their results, in `batch` order.
    found: Vec<Option<Option<(f64, f64)>>>,
    histograms: HistogramScratch,
}

impl Scratch {
    fn with_capacity(n_features: usize, n_samples: usize) -> Self {
        Scratch {
            order: Vec::with_capacity(n_features),
            sorted: Vec::with_capacity(n_samples),
            values: Vec::with_capacity(n_samples),
            ids: Vec::with_capacity(n_samples),
            batch: Vec::with_capacity(n_features),
            found: Vec::with_capacity(n_features),
            histograms: HistogramScratch::default(),
        }
    }
}

/// Nodes with at least this many samples find their split on histograms when the tree has
/// binned columns. A smaller node hands its whole subtree to the exact splitter on a local
/// copy of its rows: sorting a few hundred values costs about what zeroing and scanning 255
/// bins per candidate does and finds the exact split, and the copy (one contiguous row read
/// per sample) replaces scattered reads of five columns per sample per level, which were a
/// third of the profile. On the forest bench 64 to 256 cost the same within the noise of a
/// shared machine (1024 and up was slower); 256 keeps more of the small splits exact.
pub const HISTOGRAM_MIN_SAMPLES: usize = 256;

/// Where a tree reads its features.
#[derive(Clone, Copy)]
pub enum TreeInput<'a> {
    /// Exact values, presorted once (scikit-learn's thresholds).
    Exact(&'a Columns),
    /// Bin codes for large nodes; small nodes split exactly on a local copy of their rows.
    Binned(&'a BinnedColumns),
}

/// State shared by every node of one tree.
struct Grower<'a> {
    nodes: Nodes,
    params: &'a TreeParams,
    /// Weight of the whole training sample, the scale of `min_impurity_decrease`.
    total_weight: f64,
    scratch: Scratch,
    rng: &'a mut ChaCha8Rng,
}

/// Grows a tree on the samples with positive weight.
pub fn build(
    input: TreeInput<'_>,
    target: TreeTarget<'_>,
    weights: &[f64],
    params: &TreeParams,
    rng: &mut ChaCha8Rng,
) -> Nodes {
    let n_values = match target {
        TreeTarget::Classes { n_classes, .. } => n_classes,
        TreeTarget::Values(_) => 1,
    };
    let nodes = Nodes {
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
    let n_features = match input {
        TreeInput::Exact(data) => data.n_features(),
        TreeInput::Binned(bins) => bins.n_features(),
    };
    // Random thresholds never sort, and absolute error sorts targets rather than features.
    let mut lists = match input {
        TreeInput::Exact(data)
            if !params.random_thresholds
                && params.criterion != Criterion::AbsoluteError
                && presorted_node(samples.len(), n_features, params.max_features) =>
        {
            Some(SortedLists::new(data, weights, samples.len()))
        }
        _ => None,
    };
    let total_weight: f64 = samples.iter().map(|&s| weights[s as usize]).sum();
    let root = node_stats(&samples, target, weights, params.criterion);
    let mut grower = Grower {
        nodes,
        params,
        total_weight,
        scratch: Scratch::with_capacity(n_features, samples.len()),
        rng,
    };
    let len = samples.len();
    grow(
        &mut grower,
        input,
        target,
        weights,
        lists.as_mut(),
        &mut samples,
        (0, len, 0, None, root),
    );
    grower.nodes
}

/// Grows the subtree of `first` depth-first (pre-order, left child first) over `samples`.
#[allow(clippy::too_many_arguments)]
fn grow(
    g: &mut Grower<'_>,
    input: TreeInput<'_>,
    target: TreeTarget<'_>,
    weights: &[f64],
    mut lists: Option<&mut SortedLists>,
    samples: &mut [u32],
    first: Pending,
) {
    let params = g.params;
    let mut stack: Vec<Pending> = vec![first];
    while let Some((start, end, depth, parent, stats)) = stack.pop() {
        let n = end - start;
        let is_leaf = params.max_depth.is_some_and(|d| depth >= d)
            || n < params.min_samples_split
            || n < 2 * params.min_samples_leaf
            || stats.impurity <= f64::EPSILON;
        if let TreeInput::Binned(bins) = input
            && !is_leaf
            && n < params.histogram_min_samples
        {
            // Same node, same order of samples, same random stream: only the reads move.
            grow_local(
                g,
                bins,
                target,
                weights,
                &samples[start..end],
                (depth, parent, stats),
            );
            continue;
        }
        let nodes = &mut g.nodes;
        let id = nodes.len();
        if let Some((p, is_left)) = parent {
            if is_left {
                nodes.left[p] = id as i32;
            } else {
                nodes.right[p] = id as i32;
            }
        }
        nodes.left.push(-1);
        nodes.right.push(-1);
        nodes.feature.push(0);
        nodes.threshold.push(-2.0);
        nodes.impurity.push(stats.impurity);
        nodes.n_samples.push(n as u32);
        nodes.weighted_n_samples.push(stats.weight);
        nodes.value.extend_from_slice(&stats.value);
        if is_leaf {
            continue;
        }
        let node = &samples[start..end];
        let Some(split) = (match input {
            TreeInput::Exact(data) => {
                let n_features = data.n_features();
                // A node's lists are valid while every ancestor partitioned them, i.e. while
                // every ancestor was large enough; `presorted_node` falls with `n`, so that is
                // this node's test.
                let presorted = lists
                    .as_deref()
                    .filter(|_| presorted_node(n, n_features, params.max_features))
                    .map(|l| (l, start, end));
                find_split(
                    FeatureSource::Exact(data, presorted),
                    n_features,
                    node,
                    target,
                    weights,
                    params,
                    g.rng,
                    &mut g.scratch,
                )
            }
            TreeInput::Binned(bins) => find_split(
                FeatureSource::Binned(bins),
                bins.n_features(),
                node,
                target,
                weights,
                params,
                g.rng,
                &mut g.scratch,
            ),
        }) else {
            continue;
        };
        let seg = &mut samples[start..end];
        let lo = match input {
            TreeInput::Exact(data) => {
                partition(seg, data.col(split.feature), |v| v <= split.threshold)
            }
            TreeInput::Binned(bins) => {
                // The threshold is a bin bound, so comparing codes sends every sample the way
                // its raw value goes, and the u8 column is far smaller to read.
                let bin = bins.bin_of_bound(split.feature, split.threshold);
                partition(seg, bins.codes(split.feature), |c| c <= bin)
            }
        };
        let mid = start + lo;
        let left = node_stats(&samples[start..mid], target, weights, params.criterion);
        let right = node_stats(&samples[mid..end], target, weights, params.criterion);
        let improvement = (stats.weight / g.total_weight)
            * (stats.impurity
                - right.weight / stats.weight * right.impurity
                - left.weight / stats.weight * left.impurity);
        if improvement + f64::EPSILON < params.min_impurity_decrease {
            continue;
        }
        debug_assert!(split.proxy.is_finite());
        // The children need sorted lists only if the larger one will use them.
        if let (Some(l), TreeInput::Exact(data)) = (lists.as_deref_mut(), input)
            && presorted_node(n, data.n_features(), params.max_features)
            && presorted_node(
                (mid - start).max(end - mid),
                data.n_features(),
                params.max_features,
            )
        {
            let lists_mid = l.partition(data, split.feature, split.threshold, start, end);
            debug_assert_eq!(lists_mid, mid);
        }
        g.nodes.feature[id] = split.feature as u32;
        g.nodes.threshold[id] = split.threshold;
        // Right first so the left subtree is numbered next (pre-order).
        stack.push((mid, end, depth + 1, Some((id, false)), right));
        stack.push((start, mid, depth + 1, Some((id, true)), left));
    }
}

/// Grows a small node's subtree with exact splits on a local copy of its samples' rows,
/// targets and weights; the samples keep their order, so sums and sorts see the same
/// sequences as on the full data.
fn grow_local(
    g: &mut Grower<'_>,
    bins: &BinnedColumns,
    target: TreeTarget<'_>,
    weights: &[f64],
    samples: &[u32],
    (depth, parent, stats): (usize, Option<(usize, bool)>, NodeStats),
) {
    let data = bins.gather_rows(samples);
    let local_weights: Vec<f64> = samples.iter().map(|&s| weights[s as usize]).collect();
    let (codes, values): (Vec<usize>, Vec<f64>) = match target {
        TreeTarget::Classes { codes, .. } => (
            samples.iter().map(|&s| codes[s as usize]).collect(),
            Vec::new(),
        ),
        TreeTarget::Values(y) => (Vec::new(), samples.iter().map(|&s| y[s as usize]).collect()),
    };
    let local_target = match target {
        TreeTarget::Classes { n_classes, .. } => TreeTarget::Classes {
            codes: &codes,
            n_classes,
        },
        TreeTarget::Values(_) => TreeTarget::Values(&values),
    };
    let mut local: Vec<u32> = (0..samples.len() as u32).collect();
    grow(
        g,
        TreeInput::Exact(&data),
        local_target,
        &local_weights,
        None,
        &mut local,
        (0, samples.len(), depth, parent, stats),
    );
}

/// Moves the samples whose value satisfies `goes_left` to the front (unstable, in place) and
/// returns how many there are.
fn partition<T: Copy>(seg: &mut [u32], col: &[T], goes_left: impl Fn(T) -> bool) -> usize {
    let (mut lo, mut hi) = (0, seg.len());
    while lo < hi {
        if goes_left(col[seg[lo] as usize]) {
            lo += 1;
        } else {
            hi -= 1;
            seg.swap(lo, hi);
        }
    }
    lo
}

/// Where `find_split` reads candidate features.
#[derive(Clone, Copy)]
enum FeatureSource<'a> {
    /// Exact values, from the node's range of the presorted lists when it has one.
    Exact(&'a Columns, Presorted<'a>),
    /// Histograms of bin codes.
    Binned(&'a BinnedColumns),
}

/// The node's samples in value order per feature, when the tree keeps sorted lists and the
/// node is large enough to use them: the lists and the node's range in them.
type Presorted<'a> = Option<(&'a SortedLists, usize, usize)>;

/// Best split of a node over `max_features` non-constant candidate features.
///
/// Features are drawn in batches of as many as are still missing: every feature of a batch
/// would be drawn one by one too (at most one candidate is found per feature), so the random
/// stream and the result are the same as drawing and evaluating one at a time, while the
/// histogram splitter bins a whole batch in one pass over the node's samples.
#[allow(clippy::too_many_arguments)]
fn find_split(
    source: FeatureSource<'_>,
    n_features: usize,
    node: &[u32],
    target: TreeTarget<'_>,
    w: &[f64],
    params: &TreeParams,
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
) -> Option<Split> {
    let mut order = std::mem::take(&mut scratch.order);
    let mut batch = std::mem::take(&mut scratch.batch);
    let mut found = std::mem::take(&mut scratch.found);
    order.clear();
    order.extend(0..n_features);
    let sample_features = params.max_features < n_features;
    let mut best: Option<Split> = None;
    let mut visited = 0;
    let mut next = 0;
    while visited < params.max_features && next < n_features {
        // Exact splits draw one feature at a time: extra-trees draw each threshold right after
        // its feature, and that interleaving of the stream is kept.
        let wanted = match source {
            FeatureSource::Binned(_) => params.max_features - visited,
            FeatureSource::Exact(..) => 1,
        };
        batch.clear();
        while batch.len() < wanted && next < n_features {
            if sample_features {
                let j = rng.random_range(next..n_features);
                order.swap(next, j);
            }
            batch.push(order[next]);
            next += 1;
        }
        match source {
            FeatureSource::Binned(bins) => binned_splits(
                bins,
                &batch,
                node,
                target,
                w,
                params.criterion,
                params.min_samples_leaf,
                &mut scratch.histograms,
                &mut found,
            ),
            FeatureSource::Exact(data, presorted) => {
                found.clear();
                for &f in &batch {
                    let candidate =
                        feature_split(data, f, node, presorted, target, w, params, rng, scratch);
                    found.push(candidate);
                }
            }
        }
        for (&f, candidate) in batch.iter().zip(&found) {
            let Some(result) = candidate else { continue };
            visited += 1;
            if let Some((threshold, proxy)) = *result
                && best.as_ref().is_none_or(|b| proxy > b.proxy)
            {
                best = Some(Split {
                    feature: f,
                    threshold,
                    proxy,
                });
            }
        }
    }
    scratch.order = order;
    scratch.batch = batch;
    scratch.found = found;
    best
}

/// Best threshold of feature `f` on exact values: `None` for a constant feature, `Some(None)`
/// when no threshold leaves both sides `min_samples_leaf` samples.
#[allow(clippy::too_many_arguments)]
fn feature_split(
    data: &Columns,
    f: usize,
    node: &[u32],
    presorted: Presorted<'_>,
    target: TreeTarget<'_>,
    w: &[f64],
    params: &TreeParams,
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
) -> Option<Option<(f64, f64)>> {
    let col = data.col(f);
    if params.random_thresholds {
        return random_split(col, node, target, w, params, rng);
    }
    let (values, ids) = match presorted {
        Some((lists, start, end)) => lists.segment(f, start, end),
        None => {
            let sorted = &mut scratch.sorted;
            sorted.clear();
            sorted.extend(node.iter().map(|&s| (col[s as usize], s)));
            sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            scratch.values.clear();
            scratch.values.extend(sorted.iter().map(|p| p.0));
            scratch.ids.clear();
            scratch.ids.extend(sorted.iter().map(|p| p.1));
            (&scratch.values[..], &scratch.ids[..])
        }
    };
    if values[values.len() - 1] <= values[0] + FEATURE_THRESHOLD {
        None
    } else {
        Some(best_threshold(values, ids, target, w, params))
    }
}

/// scikit-learn's proxy for impurity improvement (larger is better).
fn proxy(wl: f64, il: f64, wr: f64, ir: f64) -> f64 {
    -wr * ir - wl * il
}

/// The proxy of a classification split from both sides' class weights.
pub(super) fn class_proxy_from(criterion: Criterion, left: &[f64], right: &[f64]) -> f64 {
    let (wl, wr) = (left.iter().sum(), right.iter().sum());
    proxy(
        wl,
        class_impurity(criterion, left, wl),
        wr,
        class_impurity(criterion, right, wr),
    )
}

/// scikit-learn's squared-error proxy from both sides' weights and weighted target sums:
/// `sum_left^2 / w_left + sum_right^2 / w_right`.
pub(super) fn squared_proxy(wl: f64, wyl: f64, wr: f64, wyr: f64) -> f64 {
    wyl * wyl / wl + wyr * wyr / wr
}

fn midpoint(a: f64, b: f64) -> f64 {
    let t = a / 2.0 + b / 2.0;
    if t == b || t.is_infinite() { a } else { t }
}

/// Best threshold over samples sorted by feature value (`values[i]` of sample `ids[i]`):
/// `Some((threshold, proxy))`, or `None` inside when no position satisfies `min_samples_leaf`.
fn best_threshold(
    values: &[f64],
    ids: &[u32],
    target: TreeTarget<'_>,
    w: &[f64],
    p: &TreeParams,
) -> Option<(f64, f64)> {
    let n = values.len();
    let valid = |pos: usize| {
        values[pos] > values[pos - 1] + FEATURE_THRESHOLD
            && pos >= p.min_samples_leaf
            && n - pos >= p.min_samples_leaf
    };
    let mut best: Option<(f64, f64)> = None;
    let mut consider = |pos: usize, score: f64| {
        if best.is_none_or(|b| score > b.1) {
            best = Some((midpoint(values[pos - 1], values[pos]), score));
        }
    };
    match target {
        TreeTarget::Classes { codes, n_classes } => {
            let mut total = vec![0.0; n_classes];
            for &s in ids {
                total[codes[s as usize]] += w[s as usize];
            }
            let wt: f64 = total.iter().sum();
            let mut left = vec![0.0; n_classes];
            let mut right = vec![0.0; n_classes];
            let mut wl = 0.0;
            for pos in 1..n {
                let s = ids[pos - 1] as usize;
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
            for &s in ids {
                tw += w[s as usize];
                twy += w[s as usize] * y[s as usize];
            }
            let (mut wl, mut wyl) = (0.0, 0.0);
            for pos in 1..n {
                let s = ids[pos - 1] as usize;
                wl += w[s];
                wyl += w[s] * y[s];
                if !valid(pos) {
                    continue;
                }
                consider(pos, squared_proxy(wl, wyl, tw - wl, twy - wyl));
            }
        }
        TreeTarget::Values(y) => {
            // Absolute error: medians of both sides at every position (quadratic in node size).
            let mut left: Vec<(f64, f64)> = Vec::with_capacity(n);
            let mut right: Vec<(f64, f64)> = ids
                .iter()
                .map(|&s| (y[s as usize], w[s as usize]))
                .collect();
            right.sort_by(|a, b| a.0.total_cmp(&b.0));
            for pos in 1..n {
                let s = ids[pos - 1] as usize;
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Splits found on the presorted lists equal those found by sorting, at the root and at
    /// both children after the lists are partitioned, with ties and zero weights present.
    #[test]
    fn presorted_lists_find_the_same_splits_as_sorting() {
        let (n, n_features) = (300, 6);
        let x = ndarray::Array2::from_shape_fn((n, n_features), |(i, j)| {
            ((i * 37 + j * 11) % 23) as f64 + j as f64 * 0.5
        });
        let codes: Vec<usize> = (0..n).map(|i| (i * 7 % 5 + i % 3) % 3).collect();
        let weights: Vec<f64> = (0..n).map(|i| (i % 4) as f64).collect();
        let data = Columns::new(x.view());
        let target = TreeTarget::Classes {
            codes: &codes,
            n_classes: 3,
        };
        let params = TreeParams {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: n_features,
            min_impurity_decrease: 0.0,
            random_thresholds: false,
            histogram_min_samples: HISTOGRAM_MIN_SAMPLES,
        };
        let mut samples: Vec<u32> = (0..n as u32)
            .filter(|&s| weights[s as usize] > 0.0)
            .collect();
        let m = samples.len();
        let mut lists = SortedLists::new(&data, &weights, m);
        let mut scratch = Scratch::with_capacity(n_features, m);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut split_both = |lists: &SortedLists, samples: &[u32], start: usize, end: usize| {
            let a = find_split(
                FeatureSource::Exact(&data, None),
                n_features,
                &samples[start..end],
                target,
                &weights,
                &params,
                &mut rng,
                &mut scratch,
            )
            .expect("a split by sorting");
            let b = find_split(
                FeatureSource::Exact(&data, Some((lists, start, end))),
                n_features,
                &samples[start..end],
                target,
                &weights,
                &params,
                &mut rng,
                &mut scratch,
            )
            .expect("a split on the lists");
            assert_eq!((a.feature, a.threshold), (b.feature, b.threshold));
            assert!((a.proxy - b.proxy).abs() <= 1e-9 * a.proxy.abs().max(1.0));
            a
        };
        let root = split_both(&lists, &samples, 0, m);
        let col = data.col(root.feature);
        samples.sort_by_key(|&s| col[s as usize] > root.threshold);
        let mid = lists.partition(&data, root.feature, root.threshold, 0, m);
        assert_eq!(
            mid,
            samples
                .iter()
                .filter(|&&s| col[s as usize] <= root.threshold)
                .count()
        );
        for f in 0..n_features {
            let (values, ids) = lists.segment(f, 0, m);
            for range in [0..mid, mid..m] {
                assert!(
                    values[range.clone()].windows(2).all(|p| p[0] <= p[1]),
                    "feature {f} unsorted"
                );
                let mut got = ids[range.clone()].to_vec();
                let mut want = samples[range].to_vec();
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want, "feature {f} holds other samples");
            }
        }
        split_both(&lists, &samples, 0, mid);
        split_both(&lists, &samples, mid, m);
    }
}
