//! `FittedGbdt`: the trained ensemble, batch and single-row prediction, and feature importance.
//!
//! Batch prediction splits rows into blocks processed in parallel; inside a block trees are the
//! outer loop so each tree's nodes stay in cache while it scores the block, several rows walking
//! a tree together. Single-row prediction allocates nothing and walks several trees together.
//! Both walk the packed copy of the trees (`layout`), built on first use, and add tree outputs in
//! the same order, so a row scores the same either way.

use std::sync::OnceLock;

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::layout::{LANES, Layout};
use super::metric::Metric;
use super::objective::{Objective, to_probabilities};
use super::tree::Tree;
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_predict, check_row};

/// Rows per parallel prediction block.
const BLOCK_ROWS: usize = 256;

/// A trained gradient-boosted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGbdt {
    /// The loss it was trained with.
    pub objective: Objective,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes for classifiers.
    pub n_classes: Option<usize>,
    /// Trees per boosting iteration (classes for multiclass, else 1).
    pub trees_per_iteration: usize,
    /// Starting raw score per class.
    pub init_score: Vec<f64>,
    /// Trees, iteration-major: tree `it * trees_per_iteration + class`. Predictions walk a packed
    /// copy made on first use, so edit trees (if at all) before predicting.
    pub trees: Vec<Tree>,
    /// Best validation iteration (0-based) when early stopping was used.
    pub best_iteration: Option<usize>,
    /// Metric tracked on the validation set.
    pub metric: Metric,
    /// Validation metric after each iteration (empty without a validation set).
    pub validation_history: Vec<f64>,
    /// The trees packed for prediction.
    #[serde(skip)]
    pub(super) layout: LayoutCache,
}

/// The packed prediction layout of a model's trees, made on first prediction. It is derived from
/// the trees, so it is neither stored nor compared.
#[derive(Clone, Default)]
pub(super) struct LayoutCache(OnceLock<Option<Layout>>);

impl PartialEq for LayoutCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for LayoutCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LayoutCache")
    }
}

/// Which feature importance to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportanceKind {
    /// Times a feature is used in a split.
    Split,
    /// Total gain of the splits on a feature.
    Gain,
}

impl FittedGbdt {
    /// Boosting iterations kept.
    pub fn n_iterations(&self) -> usize {
        self.trees.len() / self.trees_per_iteration
    }

    /// Raw scores (log-odds / class scores / regression values), one column per tree slot.
    pub fn predict_raw(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Allow)?;
        let (n, k) = (x.nrows(), self.trees_per_iteration);
        let mut out = vec![0.0; n * k];
        out.par_chunks_mut(BLOCK_ROWS * k)
            .enumerate()
            .for_each(|(b, chunk)| {
                let start = b * BLOCK_ROWS;
                let rows = chunk.len() / k;
                // Copy the block's rows into one contiguous buffer: one allocation per block.
                let mut block = Vec::with_capacity(rows * self.n_features);
                for i in start..start + rows {
                    block.extend(x.row(i).iter().copied());
                }
                for r in 0..rows {
                    chunk[r * k..(r + 1) * k].copy_from_slice(&self.init_score);
                }
                let row = |r: usize| &block[r * self.n_features..(r + 1) * self.n_features];
                let layout = self.layout();
                for (t, tree) in self.trees.iter().enumerate() {
                    let class = t % k;
                    match layout {
                        Some(layout) if layout.is_numerical(t) => {
                            // LANES rows walk the tree together; the rest one at a time.
                            let (root, depth) = (layout.root(t), layout.depth(t));
                            let full = rows - rows % LANES;
                            for r0 in (0..full).step_by(LANES) {
                                let lanes = std::array::from_fn(|l| row(r0 + l));
                                let at = layout.walk([root; LANES], lanes, depth);
                                for (l, a) in at.into_iter().enumerate() {
                                    chunk[(r0 + l) * k + class] += layout.output(a);
                                }
                            }
                            for r in full..rows {
                                let [a] = layout.walk([root], [row(r)], depth);
                                chunk[r * k + class] += layout.output(a);
                            }
                        }
                        Some(layout) => {
                            for r in 0..rows {
                                chunk[r * k + class] += layout.tree_output(t, tree, row(r));
                            }
                        }
                        None => {
                            for r in 0..rows {
                                chunk[r * k + class] += tree.predict_row(row(r));
                            }
                        }
                    }
                }
            });
        Array2::from_shape_vec((n, k), out).map_err(|e| ModelError::param("x", "a valid shape", e))
    }

    /// Regression values, or class codes (as f64) for classifiers.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let raw = self.predict_raw(x)?;
        Ok(raw
            .rows()
            .into_iter()
            .map(|r| self.decide(r.as_slice().expect("rows of a standard array")))
            .collect())
    }

    /// Class probabilities (rows × classes); an error for regression objectives.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let k = self.classes()?;
        let raw = self.predict_raw(x)?;
        let mut out = Array2::zeros((x.nrows(), k));
        for (r, mut o) in raw.rows().into_iter().zip(out.rows_mut()) {
            let o = o.as_slice_mut().expect("rows of a standard array");
            to_probabilities(
                self.objective,
                r.as_slice().expect("rows of a standard array"),
                o,
            );
        }
        Ok(out)
    }

    fn classes(&self) -> Result<usize> {
        self.n_classes.ok_or_else(|| {
            ModelError::param(
                "objective",
                "a classification objective for predict_proba",
                format!("{:?}", self.objective),
            )
        })
    }

    fn decide(&self, raw: &[f64]) -> f64 {
        match self.objective {
            Objective::Binary => f64::from(u8::from(raw[0] > 0.0)),
            Objective::Multiclass => argmax(raw.iter().copied()) as f64,
            _ => raw[0],
        }
    }

    /// The packed trees, made on first use; None only for models beyond the packed format's
    /// limits, which walk the trees directly.
    fn layout(&self) -> Option<&Layout> {
        self.layout
            .0
            .get_or_init(|| Layout::new(&self.trees))
            .as_ref()
    }

    /// Raw score of slot `class` for one row (no allocation), summed in batch order.
    fn raw_row(&self, row: &[f64], class: usize) -> f64 {
        let k = self.trees_per_iteration;
        let trees = self.trees.iter().enumerate().skip(class).step_by(k);
        let init = self.init_score[class];
        match self.layout() {
            Some(layout) => layout.sum_trees(trees, row, init),
            None => trees.fold(init, |acc, (_, tree)| acc + tree.predict_row(row)),
        }
    }

    /// Prediction for one row without heap allocation (regression value or class code).
    pub fn predict_row(&self, row: &[f64]) -> Result<f64> {
        check_row(row, self.n_features, NanPolicy::Allow)?;
        Ok(match self.objective {
            Objective::Binary => f64::from(u8::from(self.raw_row(row, 0) > 0.0)),
            Objective::Multiclass => {
                argmax((0..self.trees_per_iteration).map(|c| self.raw_row(row, c))) as f64
            }
            _ => self.raw_row(row, 0),
        })
    }

    /// Class probabilities for one row written to `out` (length `n_classes`), no allocation.
    pub fn predict_proba_row(&self, row: &[f64], out: &mut [f64]) -> Result<()> {
        check_row(row, self.n_features, NanPolicy::Allow)?;
        let k = self.classes()?;
        if out.len() != k {
            return Err(ModelError::LengthMismatch {
                what: "probability output",
                expected: k,
                found: out.len(),
            });
        }
        if self.objective == Objective::Binary {
            let raw = [self.raw_row(row, 0)];
            to_probabilities(self.objective, &raw, out);
        } else {
            for (c, o) in out.iter_mut().enumerate() {
                *o = self.raw_row(row, c);
            }
            let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for o in out.iter_mut() {
                *o = (*o - max).exp();
                sum += *o;
            }
            out.iter_mut().for_each(|o| *o /= sum);
        }
        Ok(())
    }

    /// Importance per feature: split counts or summed gains over all trees.
    pub fn feature_importance(&self, kind: ImportanceKind) -> Vec<f64> {
        let mut out = vec![0.0; self.n_features];
        for tree in &self.trees {
            for (&f, &g) in tree.split_feature.iter().zip(&tree.split_gain) {
                out[f as usize] += match kind {
                    ImportanceKind::Split => 1.0,
                    ImportanceKind::Gain => g,
                };
            }
        }
        out
    }
}

fn argmax(values: impl Iterator<Item = f64>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}
