//! Imbalance handling on training rows only: random over- and under-sampling, SMOTE,
//! Borderline-SMOTE, ADASYN, Tomek links, NearMiss-1 and balanced class weights, following
//! imbalanced-learn's algorithms with its default `sampling_strategy="auto"`.
//!
//! A resampler runs inside `PipelineSpec::fit_transform` after the model matrix is built, so it
//! sees encoded, scaled features of the training rows (of one fold, under cross-validation) and
//! never runs at transform time. Over-samplers append new rows after the originals. Random
//! choices use kiln's seeded ChaCha8 generator: class counts match imbalanced-learn, the drawn
//! rows do not. Tomek links and NearMiss have no randomness and select the same rows.

use ndarray::{Array2, ShapeBuilder};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};

fn five() -> usize {
    5
}

fn ten() -> usize {
    10
}

fn three() -> usize {
    3
}

/// A resampling method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ResampleSpec {
    /// Duplicate random rows of every class up to the majority count.
    RandomOverSampler,
    /// Drop random rows of every class down to the minority count.
    RandomUnderSampler,
    /// SMOTE: interpolate between a row and one of its `k_neighbors` same-class neighbours.
    Smote {
        /// Neighbours per row (default 5).
        #[serde(default = "five")]
        k_neighbors: usize,
    },
    /// Borderline-SMOTE-1: SMOTE seeded only from minority rows in danger (at least half, but
    /// not all, of their `m_neighbors` nearest rows are from other classes).
    BorderlineSmote {
        /// Same-class neighbours for interpolation (default 5).
        #[serde(default = "five")]
        k_neighbors: usize,
        /// Neighbours that decide danger (default 10).
        #[serde(default = "ten")]
        m_neighbors: usize,
    },
    /// SMOTE-NC: SMOTE for mixed data. `categorical` names model-matrix columns holding
    /// category codes (e.g. from `ordinal_encoder`); a mismatch in one of them adds the squared
    /// median within-class standard deviation of the continuous columns to the distance, and a
    /// synthetic row takes each category's most frequent value among the base row's
    /// `k_neighbors` (ties: the smallest code; imbalanced-learn breaks them at random).
    SmoteNc {
        /// Matrix columns holding category codes.
        categorical: Vec<String>,
        /// Neighbours per row (default 5).
        #[serde(default = "five")]
        k_neighbors: usize,
    },
    /// ADASYN: SMOTE with more synthetic rows where other classes crowd a row.
    Adasyn {
        /// Neighbours (default 5).
        #[serde(default = "five")]
        n_neighbors: usize,
    },
    /// Remove majority rows that form Tomek links (mutual nearest neighbours of different class).
    TomekLinks,
    /// NearMiss-1: keep the majority rows whose `n_neighbors` nearest minority rows are closest.
    NearMiss {
        /// Minority neighbours (default 3).
        #[serde(default = "three")]
        n_neighbors: usize,
    },
    /// No resampling; per-row weights `n / (k * count(class))`.
    BalancedWeights,
}

/// Resampled training data.
#[derive(Debug, Clone)]
pub struct Resampled {
    /// Rows (column-major).
    pub x: Array2<f64>,
    /// Class codes.
    pub y: Vec<f64>,
    /// Per-row weights (only for `balanced_weights`).
    pub weights: Option<Vec<f64>>,
    /// For each output row, the input row it is or was drawn from (the base row for synthetic
    /// rows).
    pub source: Vec<usize>,
}

/// Balanced class weights `n / (k * count(c))` per class code (scikit-learn's
/// `compute_class_weight("balanced")`).
pub fn balanced_class_weights(y: &[usize]) -> Vec<f64> {
    let k = y.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; k];
    y.iter().for_each(|&c| counts[c] += 1);
    let present = counts.iter().filter(|&&c| c > 0).count() as f64;
    counts
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                y.len() as f64 / (present * c as f64)
            }
        })
        .collect()
}

/// Indices of the `k` nearest rows of `reference` to `query` by Euclidean distance, nearest
/// first (ties by row order), skipping `exclude`.
fn nearest(
    x: &Array2<f64>,
    query: usize,
    reference: &[usize],
    k: usize,
    exclude: Option<usize>,
) -> Vec<(f64, usize)> {
    let q = x.row(query);
    let mut d: Vec<(f64, usize)> = reference
        .iter()
        .filter(|&&r| Some(r) != exclude)
        .map(|&r| {
            let dist: f64 = x
                .row(r)
                .iter()
                .zip(q.iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            (dist, r)
        })
        .collect();
    let k = k.min(d.len());
    if k < d.len() {
        d.select_nth_unstable_by(k, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        d.truncate(k);
    }
    d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    d
}

fn rows_of(y: &[usize], c: usize) -> Vec<usize> {
    (0..y.len()).filter(|&i| y[i] == c).collect()
}

impl ResampleSpec {
    fn name(&self) -> &'static str {
        match self {
            ResampleSpec::RandomOverSampler => "random_over_sampler",
            ResampleSpec::RandomUnderSampler => "random_under_sampler",
            ResampleSpec::Smote { .. } => "smote",
            ResampleSpec::BorderlineSmote { .. } => "borderline_smote",
            ResampleSpec::SmoteNc { .. } => "smote_nc",
            ResampleSpec::Adasyn { .. } => "adasyn",
            ResampleSpec::TomekLinks => "tomek_links",
            ResampleSpec::NearMiss { .. } => "near_miss",
            ResampleSpec::BalancedWeights => "balanced_weights",
        }
    }

    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        let bad = |p: &str| Err(PrepError::param(self.name(), p, "must be at least 1"));
        match *self {
            ResampleSpec::Smote { k_neighbors: 0 }
            | ResampleSpec::SmoteNc { k_neighbors: 0, .. }
            | ResampleSpec::BorderlineSmote { k_neighbors: 0, .. } => bad("k_neighbors"),
            ResampleSpec::SmoteNc {
                ref categorical, ..
            } if categorical.is_empty() => Err(PrepError::param(
                self.name(),
                "categorical",
                "lists no column; use smote for all-continuous data",
            )),
            ResampleSpec::BorderlineSmote { m_neighbors: 0, .. } => bad("m_neighbors"),
            ResampleSpec::Adasyn { n_neighbors: 0 } | ResampleSpec::NearMiss { n_neighbors: 0 } => {
                bad("n_neighbors")
            }
            _ => Ok(()),
        }
    }

    /// Resamples training rows `x` with class codes `y` (as f64, `0..k`).
    pub fn resample(&self, x: &Array2<f64>, y: &[f64], seed: u64) -> Result<Resampled> {
        self.resample_named(x, &[], y, seed)
    }

    /// As `resample`, with the matrix column names (which `smote_nc` needs to find its
    /// categorical columns).
    pub fn resample_named(
        &self,
        x: &Array2<f64>,
        names: &[String],
        y: &[f64],
        seed: u64,
    ) -> Result<Resampled> {
        self.check()?;
        let owner = self.name();
        if x.nrows() != y.len() {
            return Err(PrepError::input(
                owner,
                format!("{} rows but {} targets", x.nrows(), y.len()),
            ));
        }
        if let Some(r) = y
            .iter()
            .position(|v| !(v.is_finite() && *v >= 0.0 && v.fract() == 0.0))
        {
            return Err(PrepError::input(
                owner,
                format!(
                    "row {r}: resampling needs class codes (a classification target), got {}",
                    y[r]
                ),
            ));
        }
        if let Some((r, c)) = x
            .indexed_iter()
            .find(|(_, v)| !v.is_finite())
            .map(|(i, _)| i)
        {
            return Err(PrepError::input(
                owner,
                format!("row {r}, column {c} is missing or infinite; impute before resampling"),
            ));
        }
        let labels: Vec<usize> = y.iter().map(|&v| v as usize).collect();
        let k = labels.iter().max().map_or(0, |m| m + 1);
        let mut counts = vec![0usize; k];
        labels.iter().for_each(|&c| counts[c] += 1);
        let present: Vec<usize> = (0..k).filter(|&c| counts[c] > 0).collect();
        if present.len() < 2 {
            return Err(PrepError::input(
                owner,
                "needs at least two classes in the training rows",
            ));
        }
        let majority = *present
            .iter()
            .max_by_key(|&&c| (counts[c], std::cmp::Reverse(c)))
            .unwrap_or(&0);
        let minority = *present
            .iter()
            .min_by_key(|&&c| (counts[c], c))
            .unwrap_or(&0);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let all: Vec<usize> = (0..labels.len()).collect();
        let mut source: Vec<usize> = all.clone();
        let mut synthetic: Vec<Vec<f64>> = Vec::new();
        let mut synthetic_y: Vec<usize> = Vec::new();
        let mut weights = None;
        let row = |i: usize| x.row(i).to_vec();
        match *self {
            ResampleSpec::BalancedWeights => {
                let w = balanced_class_weights(&labels);
                weights = Some(labels.iter().map(|&c| w[c]).collect());
            }
            ResampleSpec::RandomOverSampler => {
                for &c in &present {
                    let rows = rows_of(&labels, c);
                    for _ in counts[c]..counts[majority] {
                        source.push(rows[rng.random_range(0..rows.len())]);
                    }
                }
            }
            ResampleSpec::RandomUnderSampler => {
                source.clear();
                for &c in &present {
                    let mut rows = rows_of(&labels, c);
                    rows.shuffle(&mut rng);
                    rows.truncate(counts[minority]);
                    source.extend(rows);
                }
                source.sort_unstable();
            }
            ResampleSpec::Smote { k_neighbors }
            | ResampleSpec::BorderlineSmote { k_neighbors, .. } => {
                for &c in present.iter().filter(|&&c| c != majority) {
                    let rows = rows_of(&labels, c);
                    if rows.len() < k_neighbors + 1 {
                        return Err(PrepError::input(
                            owner,
                            format!(
                                "class code {c} has {} training rows; k_neighbors = {k_neighbors} needs at least {}",
                                rows.len(),
                                k_neighbors + 1
                            ),
                        ));
                    }
                    let seeds: Vec<usize> = match *self {
                        ResampleSpec::BorderlineSmote { m_neighbors, .. } => rows
                            .iter()
                            .copied()
                            .filter(|&i| {
                                let others = nearest(x, i, &all, m_neighbors, Some(i))
                                    .iter()
                                    .filter(|(_, j)| labels[*j] != c)
                                    .count();
                                2 * others >= m_neighbors && others < m_neighbors
                            })
                            .collect(),
                        _ => rows.clone(),
                    };
                    if seeds.is_empty() {
                        continue;
                    }
                    let nns: Vec<Vec<usize>> = seeds
                        .iter()
                        .map(|&i| {
                            nearest(x, i, &rows, k_neighbors, Some(i))
                                .into_iter()
                                .map(|(_, j)| j)
                                .collect()
                        })
                        .collect();
                    for _ in counts[c]..counts[majority] {
                        let s = rng.random_range(0..seeds.len());
                        let nb = nns[s][rng.random_range(0..nns[s].len())];
                        let gap: f64 = rng.random();
                        let (a, b) = (row(seeds[s]), row(nb));
                        synthetic.push(a.iter().zip(&b).map(|(p, q)| p + gap * (q - p)).collect());
                        synthetic_y.push(c);
                        source.push(seeds[s]);
                    }
                }
            }
            ResampleSpec::SmoteNc {
                ref categorical,
                k_neighbors,
            } => {
                let cat: Vec<usize> = categorical
                    .iter()
                    .map(|n| {
                        names.iter().position(|m| m == n).ok_or_else(|| {
                            PrepError::param(
                                owner,
                                "categorical",
                                format!(
                                    "'{n}' is not a column of the model matrix (columns: {})",
                                    names.join(", ")
                                ),
                            )
                        })
                    })
                    .collect::<Result<_>>()?;
                let cont: Vec<usize> = (0..x.ncols()).filter(|j| !cat.contains(j)).collect();
                if cont.is_empty() {
                    return Err(PrepError::param(
                        owner,
                        "categorical",
                        "lists every column; SMOTE-NC needs at least one continuous column",
                    ));
                }
                for &c in present.iter().filter(|&&c| c != majority) {
                    let rows = rows_of(&labels, c);
                    if rows.len() < k_neighbors + 1 {
                        return Err(PrepError::input(
                            owner,
                            format!(
                                "class code {c} has {} training rows; k_neighbors = {k_neighbors} needs at least {}",
                                rows.len(),
                                k_neighbors + 1
                            ),
                        ));
                    }
                    let mut stds: Vec<f64> = cont
                        .iter()
                        .map(|&j| {
                            let v: Vec<f64> = rows.iter().map(|&i| x[[i, j]]).collect();
                            crate::stats::mean_var(&v).2.sqrt()
                        })
                        .collect();
                    stds.sort_by(f64::total_cmp);
                    let penalty = crate::stats::median_sorted(&stds).powi(2);
                    let dist = |a: usize, b: usize| -> f64 {
                        let d: f64 = cont.iter().map(|&j| (x[[a, j]] - x[[b, j]]).powi(2)).sum();
                        d + cat.iter().filter(|&&j| x[[a, j]] != x[[b, j]]).count() as f64 * penalty
                    };
                    let nns: Vec<Vec<usize>> = rows
                        .iter()
                        .map(|&i| {
                            let mut d: Vec<(f64, usize)> = rows
                                .iter()
                                .filter(|&&r| r != i)
                                .map(|&r| (dist(i, r), r))
                                .collect();
                            d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                            d.into_iter().take(k_neighbors).map(|p| p.1).collect()
                        })
                        .collect();
                    for _ in counts[c]..counts[majority] {
                        let s = rng.random_range(0..rows.len());
                        let nb = nns[s][rng.random_range(0..nns[s].len())];
                        let gap: f64 = rng.random();
                        let mut new: Vec<f64> = (0..x.ncols())
                            .map(|j| x[[rows[s], j]] + gap * (x[[nb, j]] - x[[rows[s], j]]))
                            .collect();
                        for &j in &cat {
                            let mut values: Vec<f64> = nns[s].iter().map(|&r| x[[r, j]]).collect();
                            values.sort_by(f64::total_cmp);
                            let mut best = (values[0], 0usize);
                            let mut i = 0;
                            while i < values.len() {
                                let run =
                                    values[i..].iter().take_while(|&&v| v == values[i]).count();
                                if run > best.1 {
                                    best = (values[i], run);
                                }
                                i += run;
                            }
                            new[j] = best.0;
                        }
                        synthetic.push(new);
                        synthetic_y.push(c);
                        source.push(rows[s]);
                    }
                }
            }
            ResampleSpec::Adasyn { n_neighbors } => {
                for &c in present.iter().filter(|&&c| c != majority) {
                    let rows = rows_of(&labels, c);
                    if rows.len() < n_neighbors + 1 {
                        return Err(PrepError::input(
                            owner,
                            format!(
                                "class code {c} has {} training rows; n_neighbors = {n_neighbors} needs at least {}",
                                rows.len(),
                                n_neighbors + 1
                            ),
                        ));
                    }
                    let ratio: Vec<f64> = rows
                        .iter()
                        .map(|&i| {
                            nearest(x, i, &all, n_neighbors, Some(i))
                                .iter()
                                .filter(|(_, j)| labels[*j] != c)
                                .count() as f64
                                / n_neighbors as f64
                        })
                        .collect();
                    let total: f64 = ratio.iter().sum();
                    if total == 0.0 {
                        return Err(PrepError::input(
                            owner,
                            format!(
                                "no neighbour of class code {c} belongs to another class; ADASYN has nothing to adapt to (use smote)"
                            ),
                        ));
                    }
                    let wanted = (counts[majority] - counts[c]) as f64;
                    let per_row: Vec<usize> = ratio
                        .iter()
                        .map(|r| (r / total * wanted).round_ties_even() as usize)
                        .collect();
                    for (pos, &i) in rows.iter().enumerate() {
                        if per_row[pos] == 0 {
                            continue;
                        }
                        let nns: Vec<usize> = nearest(x, i, &rows, n_neighbors, Some(i))
                            .into_iter()
                            .map(|(_, j)| j)
                            .collect();
                        for _ in 0..per_row[pos] {
                            let nb = nns[rng.random_range(0..nns.len())];
                            let gap: f64 = rng.random();
                            let (a, b) = (row(i), row(nb));
                            synthetic
                                .push(a.iter().zip(&b).map(|(p, q)| p + gap * (q - p)).collect());
                            synthetic_y.push(c);
                            source.push(i);
                        }
                    }
                }
            }
            ResampleSpec::TomekLinks => {
                let nn: Vec<usize> = all
                    .iter()
                    .map(|&i| nearest(x, i, &all, 1, Some(i)).first().map_or(i, |p| p.1))
                    .collect();
                source = all
                    .iter()
                    .copied()
                    .filter(|&i| {
                        labels[i] == minority || labels[nn[i]] == labels[i] || nn[nn[i]] != i
                    })
                    .collect();
            }
            ResampleSpec::NearMiss { n_neighbors } => {
                let minority_rows = rows_of(&labels, minority);
                if minority_rows.len() < n_neighbors {
                    return Err(PrepError::input(
                        owner,
                        format!(
                            "the minority class has {} rows; n_neighbors = {n_neighbors} needs at least that many",
                            minority_rows.len()
                        ),
                    ));
                }
                source.clear();
                for &c in &present {
                    let rows = rows_of(&labels, c);
                    if c == minority {
                        source.extend(rows);
                        continue;
                    }
                    let score: Vec<f64> = rows
                        .iter()
                        .map(|&i| {
                            nearest(x, i, &minority_rows, n_neighbors, None)
                                .iter()
                                .map(|(d, _)| d.sqrt())
                                .sum()
                        })
                        .collect();
                    let mut order: Vec<usize> = (0..rows.len()).collect();
                    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
                    source.extend(order[..counts[minority]].iter().map(|&p| rows[p]));
                }
                source.sort_unstable();
            }
        }
        let n_original = source.len() - synthetic.len();
        let n_out = source.len();
        let p = x.ncols();
        let mut data = Vec::with_capacity(n_out * p);
        for j in 0..p {
            data.extend(source[..n_original].iter().map(|&i| x[[i, j]]));
            data.extend(synthetic.iter().map(|s| s[j]));
        }
        let out_x = Array2::from_shape_vec((n_out, p).f(), data)
            .map_err(|e| PrepError::input(owner, e.to_string()))?;
        let mut out_y: Vec<f64> = source[..n_original].iter().map(|&i| y[i]).collect();
        out_y.extend(synthetic_y.iter().map(|&c| c as f64));
        Ok(Resampled {
            x: out_x,
            y: out_y,
            weights,
            source,
        })
    }
}
