//! ε-support vector regression (`SvrSpec` → `FittedSvr`), scikit-learn's `SVR`: libsvm's
//! doubled dual problem (`α` and `α*` per row) solved by the same SMO solver.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kernel::{KernelParams, TrainKernel};
use super::qmatrix::SvrQ;
use super::solver::{Problem, solve};
use super::svc::{SolverSettings, gather_rows};
use super::{DEFAULT_CACHE_MB, Gamma, Kernel, KernelSpecRef, check_kernel_params};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit, check_predict};

/// Hyper-parameters of ε-SVR; names and defaults follow scikit-learn's `SVR`.
///
/// ```
/// use kiln_models::{Kernel, SvrSpec};
/// use ndarray::{array, Array2};
///
/// let x = Array2::from_shape_fn((30, 1), |(i, _)| i as f64 / 10.0);
/// let y = x.column(0).mapv(|v| 2.0 * v + 1.0);
/// let svr = SvrSpec { kernel: Kernel::Linear, c: 100.0, epsilon: 0.01, ..SvrSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert!((svr.predict(array![[1.5]].view())?[0] - 4.0).abs() < 0.05);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SvrSpec {
    /// Penalty `C` of errors beyond the tube (> 0).
    pub c: f64,
    /// Half-width of the tube in which errors cost nothing (>= 0).
    pub epsilon: f64,
    /// Kernel.
    pub kernel: Kernel,
    /// Kernel coefficient of the RBF, polynomial and sigmoid kernels.
    pub gamma: Gamma,
    /// Degree of the polynomial kernel.
    pub degree: u32,
    /// Independent term of the polynomial and sigmoid kernels.
    pub coef0: f64,
    /// Stopping tolerance of the solver.
    pub tol: f64,
    /// Shrinking heuristic.
    pub shrinking: bool,
    /// Kernel-column cache budget in MiB.
    pub cache_size_mb: f64,
    /// Bound on solver iterations; None is libsvm's `max(10⁷, 200 n)`.
    pub max_iter: Option<usize>,
}

impl Default for SvrSpec {
    fn default() -> Self {
        SvrSpec {
            c: 1.0,
            epsilon: 0.1,
            kernel: Kernel::Rbf,
            gamma: Gamma::Scale,
            degree: 3,
            coef0: 0.0,
            tol: 1e-3,
            shrinking: true,
            cache_size_mb: DEFAULT_CACHE_MB,
            max_iter: None,
        }
    }
}

impl SvrSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_kernel_params(
            self.c,
            &KernelSpecRef {
                kernel: self.kernel,
                gamma: &self.gamma,
                degree: self.degree,
                coef0: self.coef0,
            },
            self.tol,
            self.cache_size_mb,
            self.max_iter,
        )?;
        if !(self.epsilon.is_finite() && self.epsilon >= 0.0) {
            return Err(ModelError::param(
                "epsilon",
                "a finite number >= 0",
                self.epsilon,
            ));
        }
        Ok(())
    }

    /// Fits on `x` (finite values) and `y`; `sample_weight` scales `C` per row.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedSvr> {
        self.check()?;
        let weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let d = x.ncols();
        let gamma = self.gamma.resolve(x);
        let settings = SolverSettings {
            kernel: KernelParams {
                kernel: self.kernel,
                gamma,
                degree: self.degree,
                coef0: self.coef0,
            },
            tol: self.tol,
            shrinking: self.shrinking,
            cache_bytes: SolverSettings::cache_bytes(self.cache_size_mb),
            max_iter: self.max_iter,
        };
        // Zero-weight rows cannot be support vectors (libsvm drops them, as scikit-learn does).
        let rows: Vec<usize> = (0..x.nrows()).filter(|&i| weights[i] > 0.0).collect();
        let l = rows.len();
        let sub_x = gather_rows(x, &rows);
        let mut p = Vec::with_capacity(2 * l);
        p.extend(rows.iter().map(|&r| self.epsilon - y[r]));
        p.extend(rows.iter().map(|&r| self.epsilon + y[r]));
        let signs: Vec<f64> = (0..2 * l).map(|k| if k < l { 1.0 } else { -1.0 }).collect();
        let c: Vec<f64> = rows
            .iter()
            .chain(&rows)
            .map(|&r| self.c * weights[r])
            .collect();
        let mut q = SvrQ::new(
            TrainKernel::new(&sub_x, d, settings.kernel),
            settings.cache_bytes,
        );
        let solution = solve(
            &mut q,
            &Problem {
                p: &p,
                y: &signs,
                c: &c,
            },
            settings.tol,
            settings.shrinking,
            settings.max_iter,
        );
        let mut support = Vec::new();
        let mut coef = Vec::new();
        for (t, &r) in rows.iter().enumerate() {
            let beta = solution.alpha[t] - solution.alpha[t + l];
            if beta != 0.0 {
                support.push(r);
                coef.push(beta);
            }
        }
        Ok(FittedSvr {
            support_vectors: gather_rows(x, &support),
            support,
            coef,
            intercept: -solution.rho,
            kernel: settings.kernel,
            n_features: d,
            n_iter: solution.n_iter,
            converged: solution.converged,
            kernel_cache_peak_bytes: solution.cache_peak_bytes,
        })
    }
}

/// A fitted ε-SVR: `f(x) = Σ coef_s K(sv_s, x) + intercept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSvr {
    /// Support vectors, row-major.
    pub support_vectors: Vec<f64>,
    /// Training-row index of each support vector.
    pub support: Vec<usize>,
    /// Dual coefficients `α_s - α*_s`.
    pub coef: Vec<f64>,
    /// Intercept (`-rho`).
    pub intercept: f64,
    /// The kernel with `gamma` resolved.
    pub kernel: KernelParams,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Solver iterations.
    pub n_iter: usize,
    /// Whether the stopping tolerance was met within `max_iter`.
    pub converged: bool,
    /// Most bytes the kernel-column cache held (at most `cache_size_mb`, or two kernel
    /// columns when that is more).
    pub kernel_cache_peak_bytes: usize,
}

impl FittedSvr {
    /// Predicted values, rows in parallel.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let d = self.n_features;
        let rows = x.as_standard_layout();
        let rows = rows
            .as_slice()
            .expect("as_standard_layout gives a contiguous row-major array");
        let out: Vec<f64> = rows
            .par_chunks(d)
            .map(|row| {
                let mut f = 0.0;
                for (sv, &c) in self.support_vectors.chunks_exact(d).zip(&self.coef) {
                    f += c * self.kernel.eval(sv, row);
                }
                f + self.intercept
            })
            .collect();
        Ok(Array1::from(out))
    }

    /// Regressors have no class probabilities: always an error.
    pub fn predict_proba(&self, _x: ArrayView2<f64>) -> Result<Array2<f64>> {
        Err(ModelError::param(
            "kind",
            "a classifier for predict_proba",
            "svr (a regressor)",
        ))
    }

    /// The resolved kernel coefficient.
    pub fn gamma(&self) -> f64 {
        self.kernel.gamma
    }
}
