//! Lasso and elastic net (`LassoSpec`, `ElasticNetSpec` → `FittedElasticNet`) by cyclic
//! coordinate descent, scikit-learn's algorithm and objective
//!
//! ```text
//! 1/(2n) ‖y − Xw‖² + alpha · l1_ratio · ‖w‖₁ + ½ alpha (1 − l1_ratio) ‖w‖²
//! ```
//!
//! with its stopping rule: after a sweep whose largest coefficient change is at most
//! `tol × largest coefficient`, the duality gap is computed and the descent stops once it is at
//! most `tol × ‖y‖²`. Sample weights are rescaled to sum to n, as scikit-learn does. A fit can
//! start from a previous solution (`fit_from`), which [`ElasticNetSpec::path`] uses along a
//! descending grid of alphas, like scikit-learn's `enet_path` / `lasso_path`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{Design, check_alpha, check_max_iter, check_tol, no_proba, predict_linear};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit};

/// Hyper-parameters of the elastic net; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::ElasticNetSpec;
/// use ndarray::Array2;
///
/// let x = Array2::from_shape_fn((60, 4), |(i, j)| ((i * (j + 1)) as f64 * 0.7).sin());
/// let y = x.column(0).mapv(|v| 2.0 * v);
/// let model = ElasticNetSpec { alpha: 0.01, l1_ratio: 0.5, ..ElasticNetSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert!(model.converged && (model.coef[0] - 2.0).abs() < 0.1);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElasticNetSpec {
    /// Overall penalty strength (`>= 0`).
    pub alpha: f64,
    /// Share of the penalty that is L1, in `[0, 1]` (1 is the lasso).
    pub l1_ratio: f64,
    /// Fit an unpenalised intercept (centre X and y first).
    pub fit_intercept: bool,
    /// Coordinate-descent sweeps allowed.
    pub max_iter: usize,
    /// Stopping tolerance on the duality gap, relative to `‖y‖²`.
    pub tol: f64,
}

impl Default for ElasticNetSpec {
    fn default() -> Self {
        ElasticNetSpec {
            alpha: 1.0,
            l1_ratio: 0.5,
            fit_intercept: true,
            max_iter: 1000,
            tol: 1e-4,
        }
    }
}

/// Hyper-parameters of the lasso: the elastic net with `l1_ratio = 1`.
///
/// ```
/// use kiln_models::LassoSpec;
/// use ndarray::Array2;
///
/// let x = Array2::from_shape_fn((60, 5), |(i, j)| ((i * (j + 1)) as f64 * 0.7).sin());
/// let y = x.column(1).mapv(|v| -3.0 * v);
/// let model = LassoSpec { alpha: 0.05, ..LassoSpec::default() }.fit(x.view(), y.view(), None)?;
/// // Irrelevant features are exactly zero.
/// assert!(model.coef[1] < -2.5 && model.coef.iter().filter(|c| **c == 0.0).count() >= 3);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LassoSpec {
    /// Penalty strength (`>= 0`).
    pub alpha: f64,
    /// Fit an unpenalised intercept.
    pub fit_intercept: bool,
    /// Coordinate-descent sweeps allowed.
    pub max_iter: usize,
    /// Stopping tolerance on the duality gap, relative to `‖y‖²`.
    pub tol: f64,
}

impl Default for LassoSpec {
    fn default() -> Self {
        LassoSpec {
            alpha: 1.0,
            fit_intercept: true,
            max_iter: 1000,
            tol: 1e-4,
        }
    }
}

impl LassoSpec {
    /// The equivalent elastic net.
    pub fn as_elastic_net(&self) -> ElasticNetSpec {
        ElasticNetSpec {
            alpha: self.alpha,
            l1_ratio: 1.0,
            fit_intercept: self.fit_intercept,
            max_iter: self.max_iter,
            tol: self.tol,
        }
    }

    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        self.as_elastic_net().check()
    }

    /// Fits the model.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedElasticNet> {
        self.as_elastic_net().fit(x, y, sample_weight)
    }
}

/// A fitted lasso / elastic net.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedElasticNet {
    /// One coefficient per feature.
    pub coef: Vec<f64>,
    /// The intercept (0 without `fit_intercept`).
    pub intercept: f64,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Sweeps run.
    pub n_iter: usize,
    /// Duality gap at the end, on scikit-learn's scale (`dual_gap_`).
    pub dual_gap: f64,
    /// Whether the gap reached the tolerance within `max_iter` sweeps.
    pub converged: bool,
}

/// One point of a regularisation path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    /// The penalty strength.
    pub alpha: f64,
    /// The model fitted at that strength (warm-started from the previous point).
    pub model: FittedElasticNet,
}

impl ElasticNetSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_alpha("alpha", self.alpha)?;
        if !(0.0..=1.0).contains(&self.l1_ratio) {
            return Err(ModelError::param(
                "l1_ratio",
                "a number in [0, 1]",
                self.l1_ratio,
            ));
        }
        check_max_iter(self.max_iter)?;
        check_tol("tol", self.tol)
    }

    /// Fits from zero coefficients.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedElasticNet> {
        self.check()?;
        let design = enet_design(x, y, sample_weight, self.fit_intercept)?;
        let mut coef = vec![0.0; x.ncols()];
        Ok(self.descend(&design, &mut coef, self.alpha))
    }

    /// Fits starting from the coefficients of `start` (a warm start, as scikit-learn's
    /// `warm_start=True`); it must have been fitted on as many features.
    pub fn fit_from(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
        start: &FittedElasticNet,
    ) -> Result<FittedElasticNet> {
        self.check()?;
        let design = enet_design(x, y, sample_weight, self.fit_intercept)?;
        if start.coef.len() != x.ncols() {
            return Err(ModelError::FeatureCountMismatch {
                expected: start.coef.len(),
                found: x.ncols(),
            });
        }
        let mut coef = start.coef.clone();
        Ok(self.descend(&design, &mut coef, self.alpha))
    }

    /// Fits along a descending grid of alphas, each fit warm-started from the previous one, as
    /// scikit-learn's `enet_path`. Without `alphas`, the grid is `n_alphas` values log-spaced from
    /// `alpha_max` (the smallest alpha giving all-zero coefficients) down to `eps × alpha_max`.
    /// `self.alpha` is ignored.
    ///
    /// ```
    /// use kiln_models::LassoSpec;
    /// use ndarray::Array2;
    ///
    /// let x = Array2::from_shape_fn((40, 3), |(i, j)| ((i * (j + 2)) as f64 * 0.4).cos());
    /// let y = x.column(2).mapv(|v| v * 4.0);
    /// let path = LassoSpec::default().as_elastic_net().path(x.view(), y.view(), None, None, 10, 1e-3)?;
    /// assert_eq!(path.len(), 10);
    /// assert!(path[0].model.coef.iter().all(|c| *c == 0.0)); // alpha_max: everything is zero
    /// assert!(path[9].model.coef[2] > 3.5);
    /// # Ok::<(), kiln_models::ModelError>(())
    /// ```
    pub fn path(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
        alphas: Option<&[f64]>,
        n_alphas: usize,
        eps: f64,
    ) -> Result<Vec<PathPoint>> {
        self.check()?;
        let design = enet_design(x, y, sample_weight, self.fit_intercept)?;
        let grid = match alphas {
            Some(a) => {
                if a.is_empty() {
                    return Err(ModelError::param("alphas", "at least one alpha", "none"));
                }
                for &v in a {
                    check_alpha("alphas", v)?;
                }
                let mut a = a.to_vec();
                a.sort_by(|p, q| q.total_cmp(p));
                a
            }
            None => alpha_grid(&design, self.l1_ratio, n_alphas, eps)?,
        };
        let mut coef = vec![0.0; x.ncols()];
        Ok(grid
            .into_iter()
            .map(|alpha| PathPoint {
                alpha,
                model: self.descend(&design, &mut coef, alpha),
            })
            .collect())
    }

    /// Coordinate descent from `coef` (updated in place) at penalty `alpha`.
    fn descend(&self, design: &Design, coef: &mut [f64], alpha: f64) -> FittedElasticNet {
        let x = &design.x;
        let y = &design.y;
        let (n, p) = (x.nrows(), x.ncols());
        let nf = n as f64;
        let l1_reg = alpha * self.l1_ratio * nf;
        let l2_reg = alpha * (1.0 - self.l1_ratio) * nf;
        let norm2: Vec<f64> = (0..p)
            .map(|j| x.col_as_slice(j).iter().map(|v| v * v).sum())
            .collect();
        let mut r: Vec<f64> = y.clone();
        for (j, &w) in coef.iter().enumerate() {
            if w != 0.0 {
                axpy(-w, x.col_as_slice(j), &mut r);
            }
        }
        let y_norm2: f64 = y.iter().map(|v| v * v).sum();
        let tol = self.tol * y_norm2;
        let mut gap = tol + 1.0;
        let mut n_iter = 0;
        let mut converged = false;
        for it in 0..self.max_iter {
            n_iter = it + 1;
            let (mut w_max, mut dw_max) = (0.0f64, 0.0f64);
            for j in 0..p {
                if norm2[j] == 0.0 {
                    continue;
                }
                let col = x.col_as_slice(j);
                let old = coef[j];
                if old != 0.0 {
                    axpy(old, col, &mut r);
                }
                let tmp: f64 = col.iter().zip(&r).map(|(a, b)| a * b).sum();
                let new = tmp.signum() * (tmp.abs() - l1_reg).max(0.0) / (norm2[j] + l2_reg);
                coef[j] = new;
                if new != 0.0 {
                    axpy(-new, col, &mut r);
                }
                dw_max = dw_max.max((new - old).abs());
                w_max = w_max.max(new.abs());
            }
            if w_max == 0.0 || dw_max / w_max <= self.tol || it + 1 == self.max_iter {
                gap = duality_gap(design, coef, &r, l1_reg, l2_reg);
                if gap <= tol {
                    converged = true;
                    break;
                }
            }
        }
        let intercept = design.intercept(coef);
        FittedElasticNet {
            coef: coef.to_vec(),
            intercept,
            n_features: p,
            n_iter,
            dual_gap: gap / nf,
            converged,
        }
    }
}

impl FittedElasticNet {
    /// Predicted values.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        predict_linear(x, &self.coef, self.intercept)
    }

    /// Always an error: a regressor has no class probabilities.
    pub fn predict_proba(&self, _x: ArrayView2<f64>) -> Result<Array2<f64>> {
        no_proba("elastic_net")
    }
}

/// The centred design with weights rescaled to sum to n, as scikit-learn's `ElasticNet.fit`.
fn enet_design(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    sample_weight: Option<ArrayView1<f64>>,
    fit_intercept: bool,
) -> Result<Design> {
    let mut weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
    let total: f64 = weights.iter().sum();
    let scale = x.nrows() as f64 / total;
    weights.iter_mut().for_each(|w| *w *= scale);
    Ok(Design::new(x, y, &weights, fit_intercept))
}

/// scikit-learn's `_alpha_grid`: log-spaced from `alpha_max` down to `eps × alpha_max`.
fn alpha_grid(design: &Design, l1_ratio: f64, n_alphas: usize, eps: f64) -> Result<Vec<f64>> {
    if l1_ratio <= 0.0 {
        return Err(ModelError::param(
            "l1_ratio",
            "> 0 for an automatic alpha grid (give explicit alphas for ridge-like paths)",
            l1_ratio,
        ));
    }
    if n_alphas == 0 {
        return Err(ModelError::param("n_alphas", "at least 1", 0));
    }
    if !(eps > 0.0 && eps < 1.0) {
        return Err(ModelError::param("eps", "a number in (0, 1)", eps));
    }
    let x = &design.x;
    let n = x.nrows() as f64;
    let xy_max = (0..x.ncols())
        .map(|j| {
            x.col_as_slice(j)
                .iter()
                .zip(&design.y)
                .map(|(a, b)| a * b)
                .sum::<f64>()
                .abs()
        })
        .fold(0.0, f64::max);
    let alpha_max = xy_max / (n * l1_ratio);
    if n_alphas == 1 {
        return Ok(vec![alpha_max]);
    }
    // numpy's logspace(log10(alpha_max * eps), log10(alpha_max))[::-1], step for step.
    let (start, stop) = ((alpha_max * eps).log10(), alpha_max.log10());
    let step = (stop - start) / (n_alphas - 1) as f64;
    Ok((0..n_alphas)
        .rev()
        .map(|i| {
            let e = if i == n_alphas - 1 {
                stop
            } else {
                start + i as f64 * step
            };
            10f64.powf(e)
        })
        .collect())
}

/// The duality gap of the (n-scaled) elastic-net problem, as scikit-learn computes it.
fn duality_gap(design: &Design, w: &[f64], r: &[f64], l1_reg: f64, l2_reg: f64) -> f64 {
    let x = &design.x;
    let p = x.ncols();
    let mut dual_norm = 0.0f64;
    for (j, &wj) in w.iter().enumerate().take(p) {
        let xta: f64 = x
            .col_as_slice(j)
            .iter()
            .zip(r)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            - l2_reg * wj;
        dual_norm = dual_norm.max(xta.abs());
    }
    let r_norm2: f64 = r.iter().map(|v| v * v).sum();
    let w_norm2: f64 = w.iter().map(|v| v * v).sum();
    let (constant, mut gap) = if dual_norm > l1_reg {
        let c = l1_reg / dual_norm;
        (c, 0.5 * (r_norm2 + r_norm2 * c * c))
    } else {
        (1.0, r_norm2)
    };
    let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
    let ry: f64 = r.iter().zip(&design.y).map(|(a, b)| a * b).sum();
    gap += l1_reg * l1_norm - constant * ry + 0.5 * l2_reg * (1.0 + constant * constant) * w_norm2;
    gap
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn data() -> (Array2<f64>, Array1<f64>) {
        let x = Array2::from_shape_fn((80, 5), |(i, j)| {
            ((i * (j + 1)) as f64 * 0.37 + j as f64).sin()
        });
        let y = x
            .rows()
            .into_iter()
            .map(|r| 1.5 * r[0] - 2.0 * r[3] + 0.3)
            .collect();
        (x, y)
    }

    #[test]
    fn warm_start_from_the_solution_converges_at_once() {
        let (x, y) = data();
        let spec = ElasticNetSpec {
            alpha: 0.01,
            tol: 1e-10,
            max_iter: 10_000,
            ..ElasticNetSpec::default()
        };
        let cold = spec.fit(x.view(), y.view(), None).expect("fit");
        let warm = spec.fit_from(x.view(), y.view(), None, &cold).expect("fit");
        assert!(cold.converged && warm.converged);
        assert!(
            warm.n_iter < cold.n_iter,
            "{} vs {}",
            warm.n_iter,
            cold.n_iter
        );
        // Both solutions meet a 1e-10 gap: equal to 1e-8 absolute.
        for (a, b) in warm.coef.iter().zip(&cold.coef) {
            assert!((a - b).abs() < 1e-8);
        }
    }

    #[test]
    fn max_iter_exhausted_is_reported() {
        let (x, y) = data();
        let m = ElasticNetSpec {
            alpha: 1e-4,
            tol: 1e-14,
            max_iter: 2,
            ..ElasticNetSpec::default()
        }
        .fit(x.view(), y.view(), None)
        .expect("fit");
        assert!(!m.converged && m.n_iter == 2 && m.dual_gap > 0.0);
    }

    #[test]
    fn bad_parameters_are_named() {
        for (spec, name) in [
            (
                ElasticNetSpec {
                    alpha: -0.1,
                    ..ElasticNetSpec::default()
                },
                "alpha",
            ),
            (
                ElasticNetSpec {
                    l1_ratio: 1.5,
                    ..ElasticNetSpec::default()
                },
                "l1_ratio",
            ),
            (
                ElasticNetSpec {
                    tol: 0.0,
                    ..ElasticNetSpec::default()
                },
                "tol",
            ),
            (
                ElasticNetSpec {
                    max_iter: 0,
                    ..ElasticNetSpec::default()
                },
                "max_iter",
            ),
        ] {
            assert!(
                matches!(spec.check(), Err(ModelError::InvalidParameter { param, .. }) if param == name)
            );
        }
    }
}
