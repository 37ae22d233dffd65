//! Linear support vector classification (`LinearSvcSpec` → `FittedLinearSvc`), scikit-learn's
//! `LinearSVC(dual=True)`: liblinear's dual coordinate descent (Hsieh et al. 2008) for the hinge
//! and squared hinge losses, with shrinking and a random visiting order per pass.
//!
//! The intercept is liblinear's bias feature: a constant column `intercept_scaling` appended to
//! every row, so it is regularised like the weights. Multiclass is one-vs-rest, one problem per
//! class fitted in parallel; each problem shuffles with its own ChaCha stream of `seed`, so the
//! model does not depend on the thread count. liblinear shuffles with its own generator, so the
//! two follow different paths to the same optimum: coefficients agree to the solver tolerance.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kernel::dot;
use crate::error::{ModelError, Result};
use crate::input::{
    ClassWeight, NanPolicy, apply_class_weight, check_fit, check_predict, class_codes,
};

/// Loss of the linear SVM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LinearSvcLoss {
    /// `max(0, 1 - y f(x))` (L1-loss SVM).
    Hinge,
    /// `max(0, 1 - y f(x))²` (L2-loss SVM), scikit-learn's default.
    #[default]
    SquaredHinge,
}

/// Hyper-parameters of a linear SVM classifier; names and defaults follow scikit-learn's
/// `LinearSVC` with `dual=True`.
///
/// ```
/// use kiln_models::LinearSvcSpec;
/// use ndarray::array;
///
/// let x = array![[0.0, 1.0], [1.0, 0.0], [3.0, 4.0], [4.0, 3.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let svm = LinearSvcSpec::default().fit(x.view(), y.view(), None)?;
/// assert_eq!(svm.predict(array![[0.5, 0.5], [3.5, 3.5]].view())?.to_vec(), vec![0.0, 1.0]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearSvcSpec {
    /// Penalty `C` (> 0).
    pub c: f64,
    /// Hinge or squared hinge.
    pub loss: LinearSvcLoss,
    /// Learn an intercept through a constant bias feature.
    pub fit_intercept: bool,
    /// Value of the bias feature (> 0); larger values regularise the intercept less.
    pub intercept_scaling: f64,
    /// Stopping tolerance on the projected-gradient range.
    pub tol: f64,
    /// Maximum passes over the data per problem.
    pub max_iter: usize,
    /// Per-class weights, multiplying `C` for that class.
    pub class_weight: ClassWeight,
    /// Seed of the visiting order.
    pub seed: u64,
}

impl Default for LinearSvcSpec {
    fn default() -> Self {
        LinearSvcSpec {
            c: 1.0,
            loss: LinearSvcLoss::SquaredHinge,
            fit_intercept: true,
            intercept_scaling: 1.0,
            tol: 1e-4,
            max_iter: 1000,
            class_weight: ClassWeight::None,
            seed: 0,
        }
    }
}

/// Rows (row-major, bias column included) of one dual coordinate descent problem.
struct DualProblem<'a> {
    x: &'a [f64],
    width: usize,
    y: Vec<f64>,
    /// Per-row `C_i`.
    c: &'a [f64],
}

impl LinearSvcSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(ModelError::param("c", "a finite number > 0", self.c));
        }
        if !(self.intercept_scaling.is_finite() && self.intercept_scaling > 0.0) {
            return Err(ModelError::param(
                "intercept_scaling",
                "a finite number > 0",
                self.intercept_scaling,
            ));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ModelError::param("tol", "a finite number > 0", self.tol));
        }
        if self.max_iter == 0 {
            return Err(ModelError::param("max_iter", "at least 1", 0));
        }
        Ok(())
    }

    /// Fits on `x` (finite values) and class codes `y`; `sample_weight` scales `C` per row.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedLinearSvc> {
        self.check()?;
        let mut weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let (codes, k) = class_codes(y)?;
        apply_class_weight(&mut weights, &codes, k, &self.class_weight)?;
        // Zero-weight rows have C_i = 0 and cannot move the solution; leave them out.
        let rows: Vec<usize> = (0..x.nrows()).filter(|&i| weights[i] > 0.0).collect();
        let mut present = vec![false; k];
        for &r in &rows {
            present[codes[r]] = true;
        }
        let classes: Vec<usize> = (0..k).filter(|&c| present[c]).collect();
        if classes.len() < 2 {
            return Err(ModelError::SingleClass {
                class: classes.first().copied().unwrap_or(codes[0]),
            });
        }
        let d = x.ncols();
        let width = d + usize::from(self.fit_intercept);
        let mut data = Vec::with_capacity(rows.len() * width);
        for &r in &rows {
            data.extend(x.row(r).iter());
            if self.fit_intercept {
                data.push(self.intercept_scaling);
            }
        }
        let c: Vec<f64> = rows.iter().map(|&r| self.c * weights[r]).collect();
        // Two classes: one problem, positive for the second class. More: one per class.
        let targets: Vec<usize> = if classes.len() == 2 {
            vec![classes[1]]
        } else {
            classes.clone()
        };
        let solved: Vec<(Vec<f64>, usize)> = targets
            .par_iter()
            .enumerate()
            .map(|(t, &target)| {
                let problem = DualProblem {
                    x: &data,
                    width,
                    y: rows
                        .iter()
                        .map(|&r| if codes[r] == target { 1.0 } else { -1.0 })
                        .collect(),
                    c: &c,
                };
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(t as u64);
                self.dual_cd(&problem, &mut rng)
            })
            .collect();
        let mut coef = Array2::zeros((targets.len(), d));
        let mut intercept = vec![0.0; targets.len()];
        let mut n_iter = 0;
        for (t, (w, iters)) in solved.iter().enumerate() {
            coef.row_mut(t).assign(&ArrayView1::from(&w[..d]));
            if self.fit_intercept {
                intercept[t] = w[d] * self.intercept_scaling;
            }
            n_iter = n_iter.max(*iters);
        }
        Ok(FittedLinearSvc {
            coef,
            intercept,
            classes,
            n_features: d,
            n_classes: k,
            n_iter,
            converged: n_iter < self.max_iter,
        })
    }

    /// liblinear's `solve_l2r_l1l2_svc`; returns `w` and the passes made.
    fn dual_cd(&self, prob: &DualProblem<'_>, rng: &mut ChaCha8Rng) -> (Vec<f64>, usize) {
        let l = prob.y.len();
        let width = prob.width;
        let row = |i: usize| &prob.x[i * width..(i + 1) * width];
        // Hinge: box [0, C_i], no diagonal term. Squared hinge: unbounded, diagonal 1 / (2 C_i).
        let (diag, upper): (Vec<f64>, Vec<f64>) = match self.loss {
            LinearSvcLoss::Hinge => (vec![0.0; l], prob.c.to_vec()),
            LinearSvcLoss::SquaredHinge => (
                prob.c.iter().map(|&c| 0.5 / c).collect(),
                vec![f64::INFINITY; l],
            ),
        };
        let qd: Vec<f64> = (0..l).map(|i| diag[i] + dot(row(i), row(i))).collect();
        let mut w = vec![0.0; width];
        let mut alpha = vec![0.0; l];
        let mut index: Vec<usize> = (0..l).collect();
        let mut active = l;
        let (mut pg_max_old, mut pg_min_old) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut iter = 0;
        while iter < self.max_iter {
            let (mut pg_max_new, mut pg_min_new) = (f64::NEG_INFINITY, f64::INFINITY);
            for i in 0..active {
                let j = i + rng.random_range(0..active - i);
                index.swap(i, j);
            }
            let mut s = 0;
            while s < active {
                let i = index[s];
                let yi = prob.y[i];
                let xi = row(i);
                let g = yi * dot(&w, xi) - 1.0 + alpha[i] * diag[i];
                let c = upper[i];
                let mut pg = 0.0;
                if alpha[i] == 0.0 {
                    if g > pg_max_old {
                        active -= 1;
                        index.swap(s, active);
                        continue;
                    } else if g < 0.0 {
                        pg = g;
                    }
                } else if alpha[i] == c {
                    if g < pg_min_old {
                        active -= 1;
                        index.swap(s, active);
                        continue;
                    } else if g > 0.0 {
                        pg = g;
                    }
                } else {
                    pg = g;
                }
                pg_max_new = pg_max_new.max(pg);
                pg_min_new = pg_min_new.min(pg);
                if pg.abs() > 1e-12 {
                    let old = alpha[i];
                    alpha[i] = (alpha[i] - g / qd[i]).max(0.0).min(c);
                    let step = (alpha[i] - old) * yi;
                    for (wk, &xk) in w.iter_mut().zip(xi) {
                        *wk += step * xk;
                    }
                }
                s += 1;
            }
            iter += 1;
            if pg_max_new - pg_min_new <= self.tol {
                if active == l {
                    break;
                }
                // Converged on the active set: check every variable again.
                active = l;
                pg_max_old = f64::INFINITY;
                pg_min_old = f64::NEG_INFINITY;
                continue;
            }
            pg_max_old = if pg_max_new <= 0.0 {
                f64::INFINITY
            } else {
                pg_max_new
            };
            pg_min_old = if pg_min_new >= 0.0 {
                f64::NEG_INFINITY
            } else {
                pg_min_new
            };
        }
        (w, iter)
    }
}

/// A fitted linear SVM: one weight row per problem (one for two classes, one per class beyond).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLinearSvc {
    /// Weights (problems × features), scikit-learn's `coef_`.
    pub coef: Array2<f64>,
    /// Intercepts per problem, scikit-learn's `intercept_`.
    pub intercept: Vec<f64>,
    /// Class codes present in training, ascending.
    pub classes: Vec<usize>,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Number of class codes (`max code + 1`).
    pub n_classes: usize,
    /// Largest number of passes any problem made.
    pub n_iter: usize,
    /// Whether every problem met `tol` within `max_iter` passes.
    pub converged: bool,
}

impl FittedLinearSvc {
    /// Decision values (rows × problems): `x·w + b`; with two classes one column, positive for
    /// the second class.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let mut out = x.dot(&self.coef.t());
        for mut row in out.rows_mut() {
            for (v, &b) in row.iter_mut().zip(&self.intercept) {
                *v += b;
            }
        }
        Ok(out)
    }

    /// Class codes: the sign for two classes, else the largest decision value (first on ties).
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let dec = self.decision_function(x)?;
        Ok(dec
            .rows()
            .into_iter()
            .map(|r| {
                let slot = if self.intercept.len() == 1 {
                    usize::from(r[0] > 0.0)
                } else {
                    crate::tree::argmax(&r.to_vec())
                };
                self.classes[slot] as f64
            })
            .collect())
    }

    /// A linear SVM has no probabilities (as in scikit-learn): always an error.
    pub fn predict_proba(&self, _x: ArrayView2<f64>) -> Result<Array2<f64>> {
        Err(ModelError::param(
            "kind",
            "a probabilistic classifier for predict_proba (svc with probability = true, \
             or calibrate the decision function)",
            "linear_svc",
        ))
    }
}
