//! Split finding on one leaf's histogram, LightGBM's way.
//!
//! Numerical features scan thresholds between value bins; when the feature had missing values in
//! training both directions for the missing bin are tried (missing left in the right-to-left scan,
//! missing right in the left-to-right scan) and the better one becomes the split's default
//! direction. Categorical features with few categories try one category against the rest; with more
//! they sort categories by `sum_grad / (sum_hess + cat_smooth)` and scan prefixes from both ends
//! (at most `max_cat_threshold` categories on the left, `cat_l2` extra regularisation, groups of at
//! least `min_data_per_group` rows). Gains use L1/L2-regularised leaf scores.

use rayon::prelude::*;

use super::binning::BinMapper;
use super::histogram::{BLOCK, BinStat};

/// The regularisation and constraints split finding needs.
#[derive(Debug, Clone, Copy)]
pub struct SplitParams {
    /// L1 regularisation on leaf values.
    pub lambda_l1: f64,
    /// L2 regularisation on leaf values.
    pub lambda_l2: f64,
    /// Minimum rows per child.
    pub min_data_in_leaf: u32,
    /// Minimum hessian sum per child.
    pub min_sum_hessian_in_leaf: f64,
    /// Minimum gain for a split to count.
    pub min_gain_to_split: f64,
    /// Most categories on the left of a categorical split.
    pub max_cat_threshold: usize,
    /// Smoothing of per-category gradient ratios; categories with fewer rows are not split off.
    pub cat_smooth: f64,
    /// Extra L2 regularisation for categorical splits.
    pub cat_l2: f64,
    /// Up to this many categories, try one-vs-rest splits instead of sorting.
    pub max_cat_to_onehot: usize,
    /// Minimum rows per side of a categorical split group.
    pub min_data_per_group: u32,
}

/// Gradient sums of a leaf or a candidate child.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    /// Sum of gradients.
    pub grad: f64,
    /// Sum of hessians.
    pub hess: f64,
    /// Rows.
    pub count: u32,
}

/// LightGBM's row-count estimate for a bin: its hessian times the leaf's rows per unit hessian.
#[inline]
fn estimated_count(b: &BinStat, cnt_factor: f64) -> u32 {
    (b.hess * cnt_factor + 0.5) as u32
}

impl Sums {
    fn from_bin(b: &BinStat, cnt_factor: f64) -> Sums {
        Sums {
            grad: b.grad,
            hess: b.hess,
            count: estimated_count(b, cnt_factor),
        }
    }
    fn add(&mut self, b: &BinStat, cnt_factor: f64) {
        self.grad += b.grad;
        self.hess += b.hess;
        self.count += estimated_count(b, cnt_factor);
    }
    fn minus(&self, o: &Sums) -> Sums {
        Sums {
            grad: self.grad - o.grad,
            hess: self.hess - o.hess,
            count: self.count.saturating_sub(o.count),
        }
    }
}

/// How a chosen split sends bins left.
#[derive(Debug, Clone, PartialEq)]
pub enum SplitRule {
    /// Value bins `<= threshold_bin` go left; the missing bin follows `default_left`.
    Numerical {
        /// Last bin on the left.
        threshold_bin: u8,
        /// Where missing values go.
        default_left: bool,
    },
    /// The listed bins go left, all others right.
    Categorical {
        /// Bins on the left.
        left_bins: Vec<u8>,
    },
}

/// The best split found for a leaf.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitCandidate {
    /// Feature index.
    pub feature: usize,
    /// Gain over not splitting.
    pub gain: f64,
    /// Which bins go left.
    pub rule: SplitRule,
    /// Left child sums.
    pub left: Sums,
    /// Right child sums.
    pub right: Sums,
    /// Left leaf value (before shrinkage).
    pub left_output: f64,
    /// Right leaf value (before shrinkage).
    pub right_output: f64,
}

impl SplitCandidate {
    /// A lookup table: does bin `b` go left?
    pub fn left_mask(&self, mapper: &BinMapper) -> [bool; BLOCK] {
        let mut mask = [false; BLOCK];
        match &self.rule {
            SplitRule::Numerical {
                threshold_bin,
                default_left,
            } => {
                for m in mask.iter_mut().take(*threshold_bin as usize + 1) {
                    *m = true;
                }
                mask[mapper.missing_bin()] = *default_left;
            }
            SplitRule::Categorical { left_bins } => {
                for &b in left_bins {
                    mask[b as usize] = true;
                }
            }
        }
        mask
    }
}

#[inline]
fn threshold_l1(s: f64, l1: f64) -> f64 {
    let reg = (s.abs() - l1).max(0.0);
    reg.copysign(s)
}

/// Optimal leaf value for gradient sums: `-T_l1(G) / (H + l2)`.
#[inline]
pub fn leaf_output(grad: f64, hess: f64, l1: f64, l2: f64) -> f64 {
    let denominator = hess + l2;
    // Only zero-weight rows with no hessian floor and no L2 reach zero: such a leaf moves nothing.
    if denominator > 0.0 {
        -threshold_l1(grad, l1) / denominator
    } else {
        0.0
    }
}

#[inline]
fn leaf_gain(grad: f64, hess: f64, l1: f64, l2: f64) -> f64 {
    let g = threshold_l1(grad, l1);
    let denominator = hess + l2;
    if denominator > 0.0 {
        g * g / denominator
    } else {
        0.0
    }
}

/// Features per parallel task of a split search: a feature's scan is a few hundred bins, so a
/// task needs several to outweigh its scheduling.
const FEATURES_PER_TASK: usize = 4;

/// Finds the best split over `features` of a leaf with sums `parent`; None when nothing beats
/// `min_gain_to_split` under the constraints. Ties go to the lower feature index.
///
/// `features` keeps only the features that had at least one valid split, as LightGBM's
/// `is_splittable`: the leaf's children search (and build histograms for) only those, which is
/// both LightGBM's behaviour and a saving. `results` is scratch space reused between calls.
pub fn best_split(
    hist: &[BinStat],
    mappers: &[BinMapper],
    features: &mut Vec<usize>,
    parent: Sums,
    params: &SplitParams,
    results: &mut Vec<Option<SplitCandidate>>,
) -> Option<SplitCandidate> {
    let scan = |&f: &usize| {
        let block = &hist[f * BLOCK..(f + 1) * BLOCK];
        match &mappers[f] {
            BinMapper::Numerical {
                upper_bounds,
                has_missing,
            } => numerical(f, block, upper_bounds.len(), *has_missing, parent, params),
            BinMapper::Categorical { categories } => {
                categorical(f, block, categories.len(), parent, params)
            }
        }
    };
    if features.len() >= 2 * FEATURES_PER_TASK {
        features
            .par_iter()
            .with_min_len(FEATURES_PER_TASK)
            .map(scan)
            .collect_into_vec(results);
    } else {
        results.clear();
        results.extend(features.iter().map(scan));
    }
    let mut out: Option<SplitCandidate> = None;
    let mut kept = 0;
    for k in 0..features.len() {
        let Some(c) = results[k].take() else { continue };
        features[kept] = features[k];
        kept += 1;
        if out.as_ref().is_none_or(|b| c.gain > b.gain) {
            out = Some(c);
        }
    }
    features.truncate(kept);
    out
}

/// A bin no row fell in. Adding it leaves the running sums as they are, so the threshold after
/// it has the same sides and gain as the one before, which the scan has already judged (a tie
/// never replaces the best): skipping it changes nothing but the work. Small leaves leave most
/// of their 255 bins empty. Bins of a subtracted histogram may hold rounding residue instead of
/// exact zeros; those are scanned as usual.
#[inline(always)]
fn is_empty(b: &BinStat) -> bool {
    b.hess == 0.0 && b.grad == 0.0
}

fn feasible(s: &Sums, p: &SplitParams) -> bool {
    s.count >= p.min_data_in_leaf && s.hess >= p.min_sum_hessian_in_leaf
}

fn candidate(
    feature: usize,
    gain: f64,
    rule: SplitRule,
    left: Sums,
    right: Sums,
    l1: f64,
    l2: f64,
) -> SplitCandidate {
    SplitCandidate {
        feature,
        gain,
        rule,
        left,
        right,
        left_output: leaf_output(left.grad, left.hess, l1, l2),
        right_output: leaf_output(right.grad, right.hess, l1, l2),
    }
}

fn numerical(
    feature: usize,
    block: &[BinStat],
    value_bins: usize,
    has_missing: bool,
    parent: Sums,
    p: &SplitParams,
) -> Option<SplitCandidate> {
    if value_bins < 2 {
        return None;
    }
    let (l1, l2) = (p.lambda_l1, p.lambda_l2);
    let cnt_factor = parent.count as f64 / parent.hess;
    let gain_shift = leaf_gain(parent.grad, parent.hess, l1, l2);
    let min_gain_shift = gain_shift + p.min_gain_to_split;
    let mut best: Option<(f64, usize, bool, Sums, Sums)> = None;
    // Right to left: missing values stay with the left remainder.
    let mut right = Sums::default();
    for t in (1..value_bins).rev() {
        if is_empty(&block[t]) {
            continue;
        }
        right.add(&block[t], cnt_factor);
        if !feasible(&right, p) {
            continue;
        }
        let left = parent.minus(&right);
        if !feasible(&left, p) {
            break;
        }
        let gain =
            leaf_gain(left.grad, left.hess, l1, l2) + leaf_gain(right.grad, right.hess, l1, l2);
        if gain > min_gain_shift && best.as_ref().is_none_or(|b| gain > b.0) {
            best = Some((gain, t - 1, true, left, right));
        }
    }
    if has_missing {
        // Left to right: missing values go with the right remainder.
        let mut left = Sums::default();
        for (t, bin) in block.iter().enumerate().take(value_bins - 1) {
            if is_empty(bin) {
                continue;
            }
            left.add(bin, cnt_factor);
            if !feasible(&left, p) {
                continue;
            }
            let right = parent.minus(&left);
            if !feasible(&right, p) {
                break;
            }
            let gain =
                leaf_gain(left.grad, left.hess, l1, l2) + leaf_gain(right.grad, right.hess, l1, l2);
            if gain > min_gain_shift && best.as_ref().is_none_or(|b| gain > b.0) {
                best = Some((gain, t, false, left, right));
            }
        }
    }
    let (gain, t, mut default_left, left, right) = best?;
    if !has_missing {
        // No missing values seen: send future ones where most training rows went.
        default_left = left.count >= right.count;
    }
    let rule = SplitRule::Numerical {
        threshold_bin: t as u8,
        default_left,
    };
    Some(candidate(
        feature,
        gain - gain_shift,
        rule,
        left,
        right,
        l1,
        l2,
    ))
}

fn categorical(
    feature: usize,
    block: &[BinStat],
    n_cats: usize,
    parent: Sums,
    p: &SplitParams,
) -> Option<SplitCandidate> {
    if n_cats == 0 {
        return None;
    }
    let l1 = p.lambda_l1;
    let cnt_factor = parent.count as f64 / parent.hess;
    let gain_shift = leaf_gain(parent.grad, parent.hess, l1, p.lambda_l2);
    let min_gain_shift = gain_shift + p.min_gain_to_split;
    let mut best: Option<(f64, Vec<u8>, Sums, Sums, f64)> = None;
    // `n_cats + 1` bins with the other bin, as LightGBM counts them.
    if n_cats < p.max_cat_to_onehot {
        let l2 = p.lambda_l2;
        for (t, bin) in block.iter().enumerate().take(n_cats) {
            let left = Sums::from_bin(bin, cnt_factor);
            if !feasible(&left, p) {
                continue;
            }
            let right = parent.minus(&left);
            if !feasible(&right, p) {
                continue;
            }
            let gain =
                leaf_gain(left.grad, left.hess, l1, l2) + leaf_gain(right.grad, right.hess, l1, l2);
            if gain > min_gain_shift && best.as_ref().is_none_or(|b| gain > b.0) {
                best = Some((gain, vec![t as u8], left, right, l2));
            }
        }
    } else {
        let l2 = p.lambda_l2 + p.cat_l2;
        let mut sorted: Vec<usize> = (0..n_cats)
            .filter(|&t| estimated_count(&block[t], cnt_factor) as f64 >= p.cat_smooth)
            .collect();
        let ctr = |t: usize| block[t].grad / (block[t].hess + p.cat_smooth);
        sorted.sort_by(|&a, &b| ctr(a).total_cmp(&ctr(b)));
        let used = sorted.len();
        let max_num_cat = p.max_cat_threshold.min(used.div_ceil(2));
        for reverse in [false, true] {
            let mut left = Sums::default();
            let mut group = 0u32;
            for i in 0..used.min(max_num_cat) {
                let t = if reverse {
                    sorted[used - 1 - i]
                } else {
                    sorted[i]
                };
                left.add(&block[t], cnt_factor);
                group += estimated_count(&block[t], cnt_factor);
                if !feasible(&left, p) {
                    continue;
                }
                let right = parent.minus(&left);
                if right.count < p.min_data_in_leaf
                    || right.count < p.min_data_per_group
                    || right.hess < p.min_sum_hessian_in_leaf
                {
                    break;
                }
                if group < p.min_data_per_group {
                    continue;
                }
                group = 0;
                let gain = leaf_gain(left.grad, left.hess, l1, l2)
                    + leaf_gain(right.grad, right.hess, l1, l2);
                if gain > min_gain_shift && best.as_ref().is_none_or(|b| gain > b.0) {
                    let bins: Vec<u8> = (0..=i)
                        .map(|j| if reverse { sorted[used - 1 - j] } else { sorted[j] } as u8)
                        .collect();
                    best = Some((gain, bins, left, right, l2));
                }
            }
        }
    }
    let (gain, mut bins, left, right, l2) = best?;
    bins.sort_unstable();
    Some(candidate(
        feature,
        gain - gain_shift,
        SplitRule::Categorical { left_bins: bins },
        left,
        right,
        l1,
        l2,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SplitParams {
        SplitParams {
            lambda_l1: 0.0,
            lambda_l2: 0.0,
            min_data_in_leaf: 1,
            min_sum_hessian_in_leaf: 0.0,
            min_gain_to_split: 0.0,
            max_cat_threshold: 32,
            cat_smooth: 0.0,
            cat_l2: 0.0,
            max_cat_to_onehot: 4,
            min_data_per_group: 1,
        }
    }

    /// Bins from (grad, hess, rows); hessians equal row counts here.
    fn block(stats: &[(f64, f64, u32)]) -> Vec<BinStat> {
        let mut b = vec![BinStat::default(); BLOCK];
        for (i, &(grad, hess, _)) in stats.iter().enumerate() {
            b[i] = BinStat { grad, hess };
        }
        b
    }

    fn total(b: &[BinStat]) -> Sums {
        let mut s = Sums::default();
        b.iter().for_each(|x| s.add(x, 1.0));
        s
    }

    #[test]
    fn numerical_split_separates_gradient_signs() {
        let b = block(&[
            (-4.0, 4.0, 4),
            (-4.0, 4.0, 4),
            (4.0, 4.0, 4),
            (4.0, 4.0, 4),
            (0.0, 0.0, 0),
        ]);
        let mapper = vec![BinMapper::Numerical {
            upper_bounds: vec![1.0, 2.0, 3.0, f64::INFINITY],
            has_missing: false,
        }];
        let c = best_split(
            &b,
            &mapper,
            &mut vec![0],
            total(&b),
            &params(),
            &mut Vec::new(),
        )
        .expect("a split exists");
        assert_eq!(
            c.rule,
            SplitRule::Numerical {
                threshold_bin: 1,
                default_left: true
            }
        );
        // gain = 8^2/8 + 8^2/8 - 0 = 16; outputs -G/H = +1 / -1
        assert!((c.gain - 16.0).abs() < 1e-12);
        assert_eq!((c.left_output, c.right_output), (1.0, -1.0));
    }

    #[test]
    fn empty_bins_keep_the_first_threshold_of_equal_gain() {
        // Bins 1, 2 and 4 are empty: thresholds 0, 1 and 2 split the rows alike. The right-to-left
        // scan meets threshold 2 first and keeps it, whether or not the empty bins are scanned.
        let b = block(&[
            (-4.0, 4.0, 4),
            (0.0, 0.0, 0),
            (0.0, 0.0, 0),
            (4.0, 4.0, 4),
            (0.0, 0.0, 0),
            (0.0, 0.0, 0),
        ]);
        let mapper = vec![BinMapper::Numerical {
            upper_bounds: vec![1.0, 2.0, 3.0, 4.0, f64::INFINITY],
            has_missing: true,
        }];
        let c = best_split(
            &b,
            &mapper,
            &mut vec![0],
            total(&b),
            &params(),
            &mut Vec::new(),
        )
        .expect("a split exists");
        assert_eq!(
            c.rule,
            SplitRule::Numerical {
                threshold_bin: 2,
                default_left: true
            }
        );
        // gain = 4^2/4 + 4^2/4 - 0 = 8; exact in binary floating point.
        assert_eq!(c.gain, 8.0);
        assert_eq!((c.left.count, c.right.count), (4, 4));
    }

    #[test]
    fn missing_bin_goes_to_the_side_that_helps() {
        // Bins: 0 negative gradients, 1 positive, missing bin (2) positive: missing should go right.
        let b = block(&[(-5.0, 5.0, 5), (5.0, 5.0, 5), (5.0, 5.0, 5)]);
        let mapper = vec![BinMapper::Numerical {
            upper_bounds: vec![1.0, f64::INFINITY],
            has_missing: true,
        }];
        let c = best_split(
            &b,
            &mapper,
            &mut vec![0],
            total(&b),
            &params(),
            &mut Vec::new(),
        )
        .expect("a split exists");
        assert_eq!(
            c.rule,
            SplitRule::Numerical {
                threshold_bin: 0,
                default_left: false
            }
        );
        assert_eq!(c.right.count, 10);
    }

    #[test]
    fn categorical_split_groups_categories_by_gradient() {
        // Six categories alternating in sign: the sorted scan puts the negatives together.
        let stats: Vec<(f64, f64, u32)> = (0..6)
            .map(|i| {
                if i % 2 == 0 {
                    (-3.0, 3.0, 3)
                } else {
                    (3.0, 3.0, 3)
                }
            })
            .collect();
        let b = block(&stats);
        let mapper = vec![BinMapper::Categorical {
            categories: (0..6).collect(),
        }];
        let c = best_split(
            &b,
            &mapper,
            &mut vec![0],
            total(&b),
            &params(),
            &mut Vec::new(),
        )
        .expect("a split exists");
        let SplitRule::Categorical { left_bins } = &c.rule else {
            panic!("categorical rule")
        };
        let evens = left_bins.iter().all(|b| b % 2 == 0);
        let odds = left_bins.iter().all(|b| b % 2 == 1);
        assert!(left_bins.len() == 3 && (evens || odds), "{left_bins:?}");
    }
}
