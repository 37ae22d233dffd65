//! The boosting loop: bin once, then per iteration compute gradients, grow one tree per class on
//! the bagged rows and sampled features, shrink it, and update training and validation scores.

use ndarray::{ArrayView1, ArrayView2};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::GbdtSpec;
use super::binning::{BinningConfig, bin_dataset};
use super::fitted::FittedGbdt;
use super::grower::{GrowerParams, Scratch, grow};
use super::metric::Metric;
use super::objective::{self, Objective, Target};
use super::split::SplitParams;
use super::tree::Tree;
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, apply_class_weight, check_features, check_fit, class_codes};

pub fn train(
    spec: &GbdtSpec,
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    sample_weight: Option<ArrayView1<f64>>,
    valid: Option<(ArrayView2<f64>, ArrayView1<f64>)>,
) -> Result<FittedGbdt> {
    spec.check()?;
    let mut weights = check_fit(x, y, sample_weight, NanPolicy::Allow)?;
    let (n, n_features) = x.dim();
    if n > u32::MAX as usize {
        // Row indices are u32 to halve the partition buffers.
        return Err(ModelError::param("x", "at most 4294967295 rows", n));
    }
    let y_vec: Vec<f64> = y.to_vec();
    let n_classes = if spec.objective.is_classification() {
        let (codes, k) = class_codes(y)?;
        if spec.objective == Objective::Binary && k != 2 {
            return Err(ModelError::param(
                "objective",
                "multiclass for a target with more than two classes",
                "binary",
            ));
        }
        apply_class_weight(&mut weights, &codes, k, &spec.class_weight)?;
        k
    } else {
        1
    };
    let mut categorical = vec![false; n_features];
    for &f in &spec.categorical_features {
        if f >= n_features {
            return Err(ModelError::param(
                "categorical_features",
                format!("feature indices below {n_features}"),
                f,
            ));
        }
        categorical[f] = true;
    }
    let valid = match valid {
        Some((xv, yv)) => {
            check_features(xv, "validation x", NanPolicy::Allow)?;
            if xv.ncols() != n_features {
                return Err(ModelError::FeatureCountMismatch {
                    expected: n_features,
                    found: xv.ncols(),
                });
            }
            if yv.len() != xv.nrows() {
                return Err(ModelError::LengthMismatch {
                    what: "validation y",
                    expected: xv.nrows(),
                    found: yv.len(),
                });
            }
            if spec.objective.is_classification() {
                let (_, kv) = class_codes(yv).or_else(|e| match e {
                    ModelError::SingleClass { class } => Ok((Vec::new(), class + 1)),
                    other => Err(other),
                })?;
                if kv > n_classes {
                    return Err(ModelError::param(
                        "validation y",
                        format!("class codes below {n_classes}"),
                        kv - 1,
                    ));
                }
            } else if let Some((row, &value)) = yv.iter().enumerate().find(|(_, v)| !v.is_finite())
            {
                return Err(ModelError::InvalidTarget {
                    row,
                    value,
                    expected: "a finite number",
                });
            }
            Some((xv, yv.to_vec()))
        }
        None => None,
    };

    let binning = BinningConfig {
        max_bin: spec.max_bin,
        sample_rows: spec.bin_construct_sample_cnt,
        min_data_in_bin: spec.min_data_in_bin,
        seed: spec.seed,
    };
    let data = bin_dataset(x, &categorical, &binning)?;
    let target = Target {
        y: &y_vec,
        weights: &weights,
        n_classes,
        huber_alpha: spec.huber_alpha,
        scale_pos_weight: spec.scale_pos_weight,
    };
    let k = spec.objective.trees_per_iteration(n_classes);
    let init_score = if spec.boost_from_average {
        objective::init_scores(spec.objective, &target)
    } else {
        vec![0.0; k]
    };
    let mut scores = vec![0.0; n * k];
    for (c, &s) in init_score.iter().enumerate() {
        scores[c * n..(c + 1) * n].fill(s);
    }
    let metric = Metric::for_objective(spec.objective);
    let (mut valid_scores, valid_weights) = match &valid {
        Some((xv, _)) => {
            let m = xv.nrows();
            let mut s = vec![0.0; m * k];
            for (c, &v) in init_score.iter().enumerate() {
                s[c * m..(c + 1) * m].fill(v);
            }
            (s, vec![1.0; m])
        }
        None => (Vec::new(), Vec::new()),
    };

    let params = GrowerParams {
        num_leaves: spec.num_leaves,
        max_depth: spec.max_depth,
        split: SplitParams {
            lambda_l1: spec.lambda_l1,
            lambda_l2: spec.lambda_l2,
            min_data_in_leaf: spec.min_data_in_leaf,
            min_sum_hessian_in_leaf: spec.min_sum_hessian_in_leaf,
            min_gain_to_split: spec.min_gain_to_split,
            max_cat_threshold: spec.max_cat_threshold,
            cat_smooth: spec.cat_smooth,
            cat_l2: spec.cat_l2,
            max_cat_to_onehot: spec.max_cat_to_onehot,
            min_data_per_group: spec.min_data_per_group,
        },
    };
    let mut bag_rng = ChaCha8Rng::seed_from_u64(spec.seed);
    bag_rng.set_stream(1);
    let mut feature_rng = ChaCha8Rng::seed_from_u64(spec.seed);
    feature_rng.set_stream(2);
    let bagging = spec.bagging_freq > 0 && spec.bagging_fraction < 1.0;
    let bag_size = ((spec.bagging_fraction * n as f64) as usize).max(1);
    let n_sampled_features =
        ((spec.feature_fraction * n_features as f64 + 0.5) as usize).clamp(1, n_features);
    let all_features: Vec<usize> = (0..n_features).collect();

    let mut bag: Vec<u32> = (0..n as u32).collect();
    let mut rows: Vec<u32> = Vec::with_capacity(n);
    let mut gh = vec![[0.0; 2]; n * k];
    let mut scratch = Scratch::new(n_features);
    let mut trees: Vec<Tree> = Vec::new();
    let mut history: Vec<f64> = Vec::new();
    let mut best: Option<(usize, f64)> = None;

    for iteration in 0..spec.n_estimators {
        if bagging && iteration % spec.bagging_freq == 0 {
            let mut b = sample(&mut bag_rng, n, bag_size).into_vec();
            b.sort_unstable();
            bag = b.into_iter().map(|i| i as u32).collect();
        }
        objective::gradients(spec.objective, &target, &scores, &mut gh);
        let mut any_split = false;
        let mut iteration_trees = Vec::with_capacity(k);
        for c in 0..k {
            let features = if n_sampled_features < n_features {
                let mut f = sample(&mut feature_rng, n_features, n_sampled_features).into_vec();
                f.sort_unstable();
                f
            } else {
                all_features.clone()
            };
            rows.clear();
            rows.extend_from_slice(&bag);
            let class_scores = &mut scores[c * n..(c + 1) * n];
            let grown = grow(
                &data,
                &gh[c * n..(c + 1) * n],
                &mut rows,
                !bagging,
                &features,
                &params,
                &mut scratch,
            );
            let mut tree = grown.tree;
            if tree.n_leaves() > 1 {
                any_split = true;
                for (leaf, &(begin, len)) in grown.leaf_ranges.iter().enumerate() {
                    let leaf_rows = &rows[begin..begin + len];
                    if let Some(v) =
                        objective::renew_leaf(spec.objective, &target, class_scores, leaf_rows)
                    {
                        tree.leaf_value[leaf] = v;
                    }
                }
                tree.scale(spec.learning_rate);
                if bagging {
                    add_tree_scores(&tree, x, class_scores);
                } else {
                    add_leaf_values(&tree, &grown.leaf_ranges, &rows, class_scores);
                }
                if let Some((xv, _)) = &valid {
                    let m = xv.nrows();
                    add_tree_scores(&tree, *xv, &mut valid_scores[c * m..(c + 1) * m]);
                }
            } else {
                // A tree without splits adds nothing; the starting score already holds the mean.
                tree = Tree::constant(0.0, bag.len() as u32);
            }
            iteration_trees.push(tree);
        }
        if !any_split {
            break;
        }
        trees.extend(iteration_trees);
        if let Some((_, yv)) = &valid {
            let value = metric.evaluate(spec.objective, yv, &valid_weights, &valid_scores, k);
            history.push(value);
            if best.is_none_or(|(_, b)| value < b) {
                best = Some((iteration, value));
            }
            if let (Some(rounds), Some((best_it, _))) = (spec.early_stopping_rounds, best)
                && iteration >= best_it + rounds
            {
                break;
            }
        }
    }
    let best_iteration = match (spec.early_stopping_rounds, best) {
        (Some(_), Some((it, _))) => {
            trees.truncate((it + 1) * k);
            Some(it)
        }
        _ => None,
    };
    Ok(FittedGbdt {
        objective: spec.objective,
        n_features,
        n_classes: if spec.objective.is_classification() {
            Some(n_classes)
        } else {
            None
        },
        trees_per_iteration: k,
        init_score,
        trees,
        best_iteration,
        metric,
        validation_history: history,
        layout: Default::default(),
    })
}

/// Rows of `scores` per task when adding leaf values.
const SCORE_CHUNK: usize = 1 << 16;

/// Adds each leaf's value to the scores of its training rows, `rows[begin..begin + len]` for
/// leaf range `(begin, len)`.
///
/// Each leaf's rows are in increasing order (growth partitions stably, starting from sorted
/// rows), so a task that owns the scores of rows `lo..hi` finds its part of every leaf by binary
/// search: tasks write disjoint scores, in parallel, without scattering across threads.
fn add_leaf_values(tree: &Tree, leaf_ranges: &[(usize, usize)], rows: &[u32], scores: &mut [f64]) {
    debug_assert!(leaf_ranges.iter().all(|&(b, l)| rows[b..b + l].is_sorted()));
    scores
        .par_chunks_mut(SCORE_CHUNK)
        .enumerate()
        .for_each(|(c, out)| {
            let lo = (c * SCORE_CHUNK) as u32;
            let hi = lo + out.len() as u32;
            for (&(begin, len), &v) in leaf_ranges.iter().zip(&tree.leaf_value) {
                let leaf = &rows[begin..begin + len];
                let from = leaf.partition_point(|&r| r < lo);
                let to = leaf.partition_point(|&r| r < hi);
                for &r in &leaf[from..to] {
                    out[(r - lo) as usize] += v;
                }
            }
        });
}

/// Adds one tree's output to `scores` for every row of `x` (parallel over rows).
fn add_tree_scores(tree: &Tree, x: ArrayView2<f64>, scores: &mut [f64]) {
    scores.par_iter_mut().enumerate().for_each(|(i, s)| {
        let row = x.row(i);
        *s += tree.leaf_value[tree.leaf_index(|f| row[f])];
    });
}
