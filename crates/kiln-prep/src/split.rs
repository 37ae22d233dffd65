//! Splits and folds: which rows train and which rows test.
//!
//! Where scikit-learn's algorithm is deterministic (`KFold`, `StratifiedKFold` and `GroupKFold`
//! without shuffling, `TimeSeriesSplit`, `train_test_split(shuffle=False)`) the index sets here
//! are identical to its, and fixture tests hold them to that. With shuffling, kiln uses its own
//! seeded ChaCha8 generator: fold sizes and per-class counts match scikit-learn's, the indices
//! do not (NumPy's generator is not reproduced). Every function returns indices sorted
//! ascending within each set.

use std::collections::HashMap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{PrepError, Result};

/// One train/test split as row indices.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fold {
    /// Training rows, ascending.
    pub train: Vec<usize>,
    /// Test rows, ascending.
    pub test: Vec<usize>,
}

fn check_splits(owner: &str, n_splits: usize, n: usize, what: &str) -> Result<()> {
    if n_splits < 2 {
        return Err(PrepError::param(
            owner,
            "n_splits",
            format!("must be at least 2, got {n_splits}"),
        ));
    }
    if n_splits > n {
        return Err(PrepError::param(
            owner,
            "n_splits",
            format!("{n_splits} is more than the {n} {what} available"),
        ));
    }
    Ok(())
}

/// Folds from a test-fold label per row (`fold_of[i]` = the fold row `i` is tested in).
fn folds_from_labels(fold_of: &[usize], n_splits: usize) -> Vec<Fold> {
    (0..n_splits)
        .map(|k| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                (0..fold_of.len()).partition(|&i| fold_of[i] == k);
            Fold { train, test }
        })
        .collect()
}

/// `KFold`: consecutive blocks, the first `n % k` one row larger. With `shuffle = Some(seed)`,
/// rows are permuted first (kiln's RNG; sizes as scikit-learn).
pub fn k_fold(n: usize, n_splits: usize, shuffle: Option<u64>) -> Result<Vec<Fold>> {
    check_splits("k_fold", n_splits, n, "rows")?;
    let mut order: Vec<usize> = (0..n).collect();
    if let Some(seed) = shuffle {
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    }
    let mut fold_of = vec![0; n];
    let mut start = 0;
    for k in 0..n_splits {
        let size = n / n_splits + usize::from(k < n % n_splits);
        for &i in &order[start..start + size] {
            fold_of[i] = k;
        }
        start += size;
    }
    Ok(folds_from_labels(&fold_of, n_splits))
}

/// `StratifiedKFold`: every fold gets each class in proportion, using scikit-learn's
/// allocation (classes ordered by first appearance, sorted labels dealt round-robin). With
/// `shuffle = Some(seed)` the rows within each class are assigned in a seeded random order.
pub fn stratified_k_fold(y: &[usize], n_splits: usize, shuffle: Option<u64>) -> Result<Vec<Fold>> {
    check_splits("stratified_k_fold", n_splits, y.len(), "rows")?;
    // Encode classes by order of first appearance, as scikit-learn does.
    let mut first: HashMap<usize, usize> = HashMap::new();
    let encoded: Vec<usize> = y
        .iter()
        .map(|&c| {
            let next = first.len();
            *first.entry(c).or_insert(next)
        })
        .collect();
    let n_classes = first.len();
    let mut counts = vec![0usize; n_classes];
    encoded.iter().for_each(|&c| counts[c] += 1);
    if counts.iter().all(|&c| c < n_splits) {
        return Err(PrepError::param(
            "stratified_k_fold",
            "n_splits",
            format!(
                "{n_splits} is more than the number of rows in every class (largest class has {})",
                counts.iter().max().unwrap_or(&0)
            ),
        ));
    }
    // allocation[k][c] = how many rows of class c fold k tests: deal the sorted labels
    // round-robin over the folds.
    let mut sorted = encoded.clone();
    sorted.sort_unstable();
    let mut allocation = vec![vec![0usize; n_classes]; n_splits];
    for (i, &c) in sorted.iter().enumerate() {
        allocation[i % n_splits][c] += 1;
    }
    let mut rng = shuffle.map(ChaCha8Rng::seed_from_u64);
    let mut fold_of = vec![0; y.len()];
    for c in 0..n_classes {
        let mut folds_for_class: Vec<usize> = allocation
            .iter()
            .enumerate()
            .flat_map(|(k, per_class)| std::iter::repeat_n(k, per_class[c]))
            .collect();
        if let Some(rng) = rng.as_mut() {
            folds_for_class.shuffle(rng);
        }
        let rows = (0..y.len()).filter(|&i| encoded[i] == c);
        for (i, k) in rows.zip(folds_for_class) {
            fold_of[i] = k;
        }
    }
    Ok(folds_from_labels(&fold_of, n_splits))
}

/// `RepeatedStratifiedKFold`: `n_repeats` shuffled stratified k-folds, repeat `r` seeded with
/// `seed + r`.
pub fn repeated_stratified_k_fold(
    y: &[usize],
    n_splits: usize,
    n_repeats: usize,
    seed: u64,
) -> Result<Vec<Fold>> {
    if n_repeats == 0 {
        return Err(PrepError::param(
            "repeated_stratified_k_fold",
            "n_repeats",
            "must be at least 1",
        ));
    }
    let mut out = Vec::with_capacity(n_splits * n_repeats);
    for r in 0..n_repeats as u64 {
        out.extend(stratified_k_fold(y, n_splits, Some(seed.wrapping_add(r)))?);
    }
    Ok(out)
}

/// `GroupKFold`: no group is split across folds; groups, largest first, go to the fold with the
/// fewest rows so far (scikit-learn's greedy balancing, ties as its stable sort leaves them).
pub fn group_k_fold<G: Ord>(groups: &[G], n_splits: usize) -> Result<Vec<Fold>> {
    let mut unique: Vec<&G> = groups.iter().collect();
    unique.sort();
    unique.dedup();
    check_splits("group_k_fold", n_splits, unique.len(), "groups")?;
    let group_idx: Vec<usize> = groups
        .iter()
        .map(|g| unique.binary_search(&g).unwrap_or_default())
        .collect();
    let mut sizes = vec![0usize; unique.len()];
    group_idx.iter().for_each(|&g| sizes[g] += 1);
    // Stable ascending sort by size, then reversed: ties end up in descending group order.
    let mut order: Vec<usize> = (0..unique.len()).collect();
    order.sort_by_key(|&g| sizes[g]);
    order.reverse();
    let mut load = vec![0usize; n_splits];
    let mut group_to_fold = vec![0usize; unique.len()];
    for g in order {
        let lightest = (0..n_splits).min_by_key(|&k| (load[k], k)).unwrap_or(0);
        load[lightest] += sizes[g];
        group_to_fold[g] = lightest;
    }
    let fold_of: Vec<usize> = group_idx.iter().map(|&g| group_to_fold[g]).collect();
    Ok(folds_from_labels(&fold_of, n_splits))
}

/// Options of `time_series_split` (scikit-learn's `TimeSeriesSplit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeSeriesOptions {
    /// Rows per test fold (default `n / (n_splits + 1)`).
    pub test_size: Option<usize>,
    /// Rows left out between train and test.
    pub gap: usize,
    /// Keep only the latest this-many training rows.
    pub max_train_size: Option<usize>,
}

/// `TimeSeriesSplit` on rows already in time order: growing training windows, each followed
/// (after `gap` rows) by the next test block.
pub fn time_series_split(
    n: usize,
    n_splits: usize,
    options: TimeSeriesOptions,
) -> Result<Vec<Fold>> {
    let owner = "time_series_split";
    if n_splits < 2 {
        return Err(PrepError::param(
            owner,
            "n_splits",
            format!("must be at least 2, got {n_splits}"),
        ));
    }
    let test_size = options.test_size.unwrap_or(n / (n_splits + 1));
    if test_size == 0 || n_splits * test_size + options.gap >= n {
        return Err(PrepError::param(
            owner,
            "n_splits",
            format!(
                "{n_splits} test folds of {test_size} rows plus a gap of {} leave no training rows out of {n}",
                options.gap
            ),
        ));
    }
    let mut out = Vec::with_capacity(n_splits);
    let first_test = n - n_splits * test_size;
    for k in 0..n_splits {
        let test_start = first_test + k * test_size;
        let train_end = test_start - options.gap;
        let train_start = match options.max_train_size {
            Some(m) if m < train_end => train_end - m,
            _ => 0,
        };
        out.push(Fold {
            train: (train_start..train_end).collect(),
            test: (test_start..test_start + test_size).collect(),
        });
    }
    Ok(out)
}

/// Test and train sizes as scikit-learn computes them: `ceil(test_size * n)` test rows.
fn split_sizes(owner: &str, n: usize, test_size: f64) -> Result<(usize, usize)> {
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(PrepError::param(
            owner,
            "test_size",
            format!("must be in (0, 1), got {test_size}"),
        ));
    }
    let n_test = (test_size * n as f64).ceil() as usize;
    if n_test == 0 || n_test >= n {
        return Err(PrepError::input(
            owner,
            format!("test_size {test_size} of {n} rows leaves an empty train or test set"),
        ));
    }
    Ok((n - n_test, n_test))
}

/// A train/test split: without a seed, the first rows train and the last `ceil(test_size * n)`
/// test (as scikit-learn with `shuffle=False`); with a seed, rows are shuffled first.
pub fn train_test_split(n: usize, test_size: f64, shuffle: Option<u64>) -> Result<Fold> {
    let (n_train, _) = split_sizes("train_test_split", n, test_size)?;
    let mut order: Vec<usize> = (0..n).collect();
    if let Some(seed) = shuffle {
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    }
    let mut train = order[..n_train].to_vec();
    let mut test = order[n_train..].to_vec();
    train.sort_unstable();
    test.sort_unstable();
    Ok(Fold { train, test })
}

/// scikit-learn's `_approximate_mode`: integer counts per class summing to `n_draws`, as close to
/// proportional as possible; remainders are broken towards the larger fractional part, ties by
/// class order (scikit-learn breaks exact ties at random).
fn approximate_mode(class_counts: &[usize], n_draws: usize) -> Vec<usize> {
    let total: usize = class_counts.iter().sum();
    let continuous: Vec<f64> = class_counts
        .iter()
        .map(|&c| c as f64 / total as f64 * n_draws as f64)
        .collect();
    let mut floored: Vec<usize> = continuous.iter().map(|c| c.floor() as usize).collect();
    let mut need = n_draws.saturating_sub(floored.iter().sum());
    let mut order: Vec<usize> = (0..class_counts.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (
            continuous[a] - continuous[a].floor(),
            continuous[b] - continuous[b].floor(),
        );
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for c in order {
        if need == 0 {
            break;
        }
        floored[c] += 1;
        need -= 1;
    }
    floored
}

/// A stratified, shuffled train/test split: per-class train and test counts as scikit-learn's
/// `train_test_split(stratify=y)`; the rows chosen come from kiln's seeded RNG.
pub fn stratified_train_test_split(y: &[usize], test_size: f64, seed: u64) -> Result<Fold> {
    let owner = "stratified_train_test_split";
    let (n_train, n_test) = split_sizes(owner, y.len(), test_size)?;
    let n_classes = y.iter().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let present: Vec<usize> = (0..n_classes)
        .filter(|&c| !by_class[c].is_empty())
        .collect();
    if let Some(&c) = present.iter().find(|&&c| by_class[c].len() < 2) {
        return Err(PrepError::input(
            owner,
            format!("class {c} has a single row; stratifying needs at least 2 per class"),
        ));
    }
    let counts: Vec<usize> = present.iter().map(|&c| by_class[c].len()).collect();
    let train_counts = approximate_mode(&counts, n_train);
    let remaining: Vec<usize> = counts
        .iter()
        .zip(&train_counts)
        .map(|(c, t)| c - t)
        .collect();
    let test_counts = approximate_mode(&remaining, n_test);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (j, &c) in present.iter().enumerate() {
        let mut rows = by_class[c].clone();
        rows.shuffle(&mut rng);
        train.extend_from_slice(&rows[..train_counts[j]]);
        test.extend_from_slice(&rows[train_counts[j]..train_counts[j] + test_counts[j]]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok(Fold { train, test })
}

/// A grouped, shuffled train/test split: whole groups go to test until it holds at least
/// `ceil(test_size * n)` rows.
pub fn group_train_test_split<G: Ord>(groups: &[G], test_size: f64, seed: u64) -> Result<Fold> {
    let owner = "group_train_test_split";
    let (_, n_test) = split_sizes(owner, groups.len(), test_size)?;
    let mut unique: Vec<&G> = groups.iter().collect();
    unique.sort();
    unique.dedup();
    if unique.len() < 2 {
        return Err(PrepError::input(owner, "needs at least 2 groups"));
    }
    let mut order: Vec<usize> = (0..unique.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let group_idx: Vec<usize> = groups
        .iter()
        .map(|g| unique.binary_search(&g).unwrap_or_default())
        .collect();
    let mut sizes = vec![0usize; unique.len()];
    group_idx.iter().for_each(|&g| sizes[g] += 1);
    let mut is_test = vec![false; unique.len()];
    let mut taken = 0;
    for &g in order.iter().take(unique.len() - 1) {
        if taken >= n_test {
            break;
        }
        is_test[g] = true;
        taken += sizes[g];
    }
    let (test, train) = (0..groups.len()).partition(|&i| is_test[group_idx[i]]);
    Ok(Fold { train, test })
}

/// A time-ordered split: the rows with the latest `ceil(test_size * n)` times test, the rest
/// train. Ties in time keep row order; missing times (NaN) are an error.
pub fn time_ordered_split(times: &[f64], test_size: f64) -> Result<Fold> {
    let owner = "time_ordered_split";
    if let Some(row) = times.iter().position(|t| t.is_nan()) {
        return Err(PrepError::input(owner, format!("row {row} has no time")));
    }
    let (n_train, _) = split_sizes(owner, times.len(), test_size)?;
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
    let mut train = order[..n_train].to_vec();
    let mut test = order[n_train..].to_vec();
    train.sort_unstable();
    test.sort_unstable();
    Ok(Fold { train, test })
}

/// Three-way split into train, validation and test by shares (`validation_size + test_size < 1`).
/// Returns `(train, validation, test)`; with `stratify`, class shares are kept in all three.
pub fn train_validation_test_split(
    n: usize,
    validation_size: f64,
    test_size: f64,
    stratify: Option<&[usize]>,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>, Vec<usize>)> {
    let owner = "train_validation_test_split";
    if !(validation_size > 0.0 && test_size > 0.0 && validation_size + test_size < 1.0) {
        return Err(PrepError::param(
            owner,
            "validation_size",
            format!(
                "validation_size ({validation_size}) and test_size ({test_size}) must be > 0 and sum to less than 1"
            ),
        ));
    }
    let outer = match stratify {
        Some(y) => stratified_train_test_split(y, test_size, seed)?,
        None => train_test_split(n, test_size, Some(seed))?,
    };
    let share = validation_size / (1.0 - test_size);
    let inner = match stratify {
        Some(y) => {
            let sub: Vec<usize> = outer.train.iter().map(|&i| y[i]).collect();
            stratified_train_test_split(&sub, share, seed.wrapping_add(1))?
        }
        None => train_test_split(outer.train.len(), share, Some(seed.wrapping_add(1)))?,
    };
    let train = inner.train.iter().map(|&i| outer.train[i]).collect();
    let validation = inner.test.iter().map(|&i| outer.train[i]).collect();
    Ok((train, validation, outer.test))
}
