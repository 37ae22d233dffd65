//! Logistic regression (`LogisticRegressionSpec` → `FittedLogisticRegression`), binary and
//! multinomial, with scikit-learn's objective
//!
//! ```text
//! (1/Σw) Σᵢ wᵢ ℓᵢ + 1/(C Σw) · (l1_ratio ‖W‖₁ + ½ (1 − l1_ratio) ‖W‖²)
//! ```
//!
//! (intercepts unpenalised; `ℓ` the binary or softmax log-loss). A two-class target has one
//! coefficient vector, as in scikit-learn; more classes get one per class (the symmetric
//! multinomial parametrisation). No penalty and L2 are minimised by the shared L-BFGS
//! (`loss` computes the objective in one parallel pass over X); L1 and elastic net by proximal
//! Newton (`prox_newton`). Both stop on `tol` and record `converged` / `n_iter` on the fitted
//! model instead of printing a warning; perfectly separable data without a penalty has no
//! minimiser, and stops at `max_iter` with `converged = false`.

mod loss;
mod prox_newton;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use self::loss::{Problem, dot, sigmoid};
use super::lbfgs::{LbfgsOptions, minimize};
use super::{check_max_iter, check_tol};
use crate::error::{ModelError, Result};
use crate::input::{
    ClassWeight, NanPolicy, apply_class_weight, check_fit, check_predict, class_codes,
    require_every_class,
};

/// The penalty of a logistic regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LogisticPenalty {
    /// No penalty (scikit-learn's `C=np.inf`).
    None,
    /// Squared L2 norm (scikit-learn's default, `l1_ratio=0`).
    #[default]
    L2,
    /// L1 norm (`l1_ratio=1`): sparse coefficients.
    L1,
    /// `l1_ratio` L1 plus `1 − l1_ratio` L2.
    ElasticNet,
}

/// Hyper-parameters of logistic regression; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::{LogisticPenalty, LogisticRegressionSpec};
/// use ndarray::{array, Array2};
///
/// let x = Array2::from_shape_fn((100, 2), |(i, j)| ((i * (j + 3)) as f64 * 0.17).sin());
/// let y = x.column(0).mapv(|v| if v > 0.1 { 1.0 } else { 0.0 });
/// let model = LogisticRegressionSpec { c: 10.0, ..LogisticRegressionSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert!(model.converged);
/// let p = model.predict_proba(array![[0.9, 0.0], [-0.9, 0.0]].view())?;
/// assert!(p[[0, 1]] > 0.9 && p[[1, 0]] > 0.9);
///
/// let sparse = LogisticRegressionSpec { penalty: LogisticPenalty::L1, c: 0.05, ..LogisticRegressionSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert_eq!(sparse.coef[0][1], 0.0);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticRegressionSpec {
    /// Which penalty.
    pub penalty: LogisticPenalty,
    /// Inverse penalty strength (scikit-learn's `C`, also accepted under that name): finite
    /// and `> 0`.
    #[serde(alias = "C")]
    pub c: f64,
    /// L1 share of an `elastic_net` penalty, in `[0, 1]`.
    pub l1_ratio: f64,
    /// Fit unpenalised intercepts.
    pub fit_intercept: bool,
    /// Per-class weights.
    pub class_weight: ClassWeight,
    /// Iterations allowed (L-BFGS iterations, or outer Newton iterations for L1/elastic net).
    pub max_iter: usize,
    /// Stop when the largest (sub)gradient entry of the objective is at most `tol`.
    pub tol: f64,
}

impl Default for LogisticRegressionSpec {
    fn default() -> Self {
        LogisticRegressionSpec {
            penalty: LogisticPenalty::L2,
            c: 1.0,
            l1_ratio: 0.5,
            fit_intercept: true,
            class_weight: ClassWeight::None,
            max_iter: 100,
            tol: 1e-4,
        }
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLogisticRegression {
    /// Coefficients, one row per score column: a single row for two classes (the score of
    /// class 1), one row per class otherwise.
    pub coef: Vec<Vec<f64>>,
    /// Intercepts, one per score column (zeros without `fit_intercept`).
    pub intercept: Vec<f64>,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes.
    pub n_classes: usize,
    /// Iterations run.
    pub n_iter: usize,
    /// Whether the tolerance was met within `max_iter`; false is scikit-learn's
    /// `ConvergenceWarning`.
    pub converged: bool,
}

impl LogisticRegressionSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if self.penalty != LogisticPenalty::None && !(self.c.is_finite() && self.c > 0.0) {
            return Err(ModelError::param(
                "C",
                "a finite number > 0 (use penalty \"none\" for no penalty)",
                self.c,
            ));
        }
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

    /// Fits the model; `y` holds class codes `0..k-1`, each present at least once.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedLogisticRegression> {
        self.check()?;
        let mut weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let (codes, k) = class_codes(y)?;
        require_every_class(&codes, k)?;
        apply_class_weight(&mut weights, &codes, k, &self.class_weight)?;
        let w_sum: f64 = weights.iter().sum();
        if w_sum <= 0.0 {
            return Err(ModelError::InvalidWeight {
                reason: "sample_weight × class_weight is zero for every row".into(),
            });
        }
        let prob = Problem {
            x: x.view(),
            y: &codes,
            w: &weights,
            m: if k == 2 { 1 } else { k },
            fit_intercept: self.fit_intercept,
            w_sum,
        };
        let strength = match self.penalty {
            LogisticPenalty::None => 0.0,
            _ => 1.0 / (self.c * w_sum),
        };
        let l1_share = match self.penalty {
            LogisticPenalty::None | LogisticPenalty::L2 => 0.0,
            LogisticPenalty::L1 => 1.0,
            LogisticPenalty::ElasticNet => self.l1_ratio,
        };
        let (params, n_iter, converged) = if l1_share == 0.0 {
            let p = x.ncols();
            let stride = prob.stride();
            let r = minimize(
                |params, grad| {
                    let mut f = prob.loss_grad(params, grad);
                    if strength > 0.0 {
                        for (k, (&v, g)) in params.iter().zip(grad.iter_mut()).enumerate() {
                            if k % stride < p {
                                f += 0.5 * strength * v * v;
                                *g += strength * v;
                            }
                        }
                    }
                    f
                },
                vec![0.0; prob.m * stride],
                LbfgsOptions {
                    gtol: self.tol,
                    max_iter: self.max_iter,
                    ..LbfgsOptions::default()
                },
            );
            let converged = r.converged();
            (r.x, r.n_iter, converged)
        } else {
            let pen = prox_newton::Penalty {
                l1: strength * l1_share,
                l2: strength * (1.0 - l1_share),
            };
            let s = prox_newton::solve(&prob, &pen, self.tol, self.max_iter);
            (s.params, s.n_iter, s.converged)
        };
        let (p, stride) = (x.ncols(), prob.stride());
        let coef = (0..prob.m)
            .map(|c| params[c * stride..c * stride + p].to_vec())
            .collect();
        let intercept = (0..prob.m)
            .map(|c| {
                if self.fit_intercept {
                    params[c * stride + p]
                } else {
                    0.0
                }
            })
            .collect();
        Ok(FittedLogisticRegression {
            coef,
            intercept,
            n_features: p,
            n_classes: k,
            n_iter,
            converged,
        })
    }
}

impl FittedLogisticRegression {
    /// Scores `x · coefᵀ + intercept`: one column for two classes (the log-odds of class 1),
    /// one per class otherwise.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let m = self.coef.len();
        let mut out = Array2::zeros((x.nrows(), m));
        let mut row_buf = vec![0.0; self.n_features];
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            row_buf.iter_mut().zip(row).for_each(|(b, v)| *b = *v);
            for c in 0..m {
                o[c] = dot(&row_buf, &self.coef[c]) + self.intercept[c];
            }
        }
        Ok(out)
    }

    /// Class probabilities (rows × classes).
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let scores = self.decision_function(x)?;
        Ok(self.to_proba(scores))
    }

    /// Natural logs of the class probabilities, computed without underflow.
    pub fn predict_log_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let scores = self.decision_function(x)?;
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        for (s, mut o) in scores.rows().into_iter().zip(out.rows_mut()) {
            if self.coef.len() == 1 {
                o[1] = -loss::log1p_exp(-s[0]);
                o[0] = -loss::log1p_exp(s[0]);
            } else {
                let max = s.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let lse = max + s.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                o.iter_mut().zip(s).for_each(|(o, v)| *o = v - lse);
            }
        }
        Ok(out)
    }

    /// Class codes: the most probable class (ties to the lower code).
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let scores = self.decision_function(x)?;
        Ok(scores
            .rows()
            .into_iter()
            .map(|s| {
                if s.len() == 1 {
                    f64::from(u8::from(s[0] > 0.0))
                } else {
                    let mut best = 0;
                    for c in 1..s.len() {
                        if s[c] > s[best] {
                            best = c;
                        }
                    }
                    best as f64
                }
            })
            .collect())
    }

    fn to_proba(&self, scores: Array2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros((scores.nrows(), self.n_classes));
        for (s, mut o) in scores.rows().into_iter().zip(out.rows_mut()) {
            if self.coef.len() == 1 {
                let p1 = sigmoid(s[0]);
                o[0] = 1.0 - p1;
                o[1] = p1;
            } else {
                let max = s.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let mut sum = 0.0;
                for (o, v) in o.iter_mut().zip(s) {
                    *o = (v - max).exp();
                    sum += *o;
                }
                o.iter_mut().for_each(|v| *v /= sum);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn separable() -> (Array2<f64>, Array1<f64>) {
        let x = Array2::from_shape_fn((40, 2), |(i, j)| (i as f64 - 19.5) * (1.0 + j as f64 * 0.1));
        let y = x.column(0).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
        (x, y)
    }

    #[test]
    fn separable_data_without_penalty_stops_unconverged() {
        let (x, y) = separable();
        let spec = LogisticRegressionSpec {
            penalty: LogisticPenalty::None,
            max_iter: 30,
            tol: 1e-12,
            ..LogisticRegressionSpec::default()
        };
        let m = spec.fit(x.view(), y.view(), None).expect("fits");
        assert!(!m.converged, "no finite optimum exists");
        assert!(m.n_iter <= 30);
        // It still separates the data.
        assert_eq!(m.predict(x.view()).expect("predict"), y);
    }

    #[test]
    fn bad_parameters_are_named() {
        for (spec, name) in [
            (
                LogisticRegressionSpec {
                    c: 0.0,
                    ..LogisticRegressionSpec::default()
                },
                "C",
            ),
            (
                LogisticRegressionSpec {
                    c: -2.0,
                    ..LogisticRegressionSpec::default()
                },
                "C",
            ),
            (
                LogisticRegressionSpec {
                    l1_ratio: -0.1,
                    ..LogisticRegressionSpec::default()
                },
                "l1_ratio",
            ),
            (
                LogisticRegressionSpec {
                    tol: -1.0,
                    ..LogisticRegressionSpec::default()
                },
                "tol",
            ),
        ] {
            assert!(
                matches!(spec.check(), Err(ModelError::InvalidParameter { param, .. }) if param == name),
                "{name}"
            );
        }
    }

    #[test]
    fn single_class_and_missing_class_are_errors() {
        let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
        let one = Array1::from_elem(6, 1.0);
        assert!(matches!(
            LogisticRegressionSpec::default().fit(x.view(), one.view(), None),
            Err(ModelError::SingleClass { class: 1 })
        ));
        let gap = Array1::from(vec![0.0, 2.0, 0.0, 2.0, 0.0, 2.0]);
        let err = LogisticRegressionSpec::default()
            .fit(x.view(), gap.view(), None)
            .expect_err("class 1 missing");
        assert!(err.to_string().contains("class code 1"), "{err}");
    }

    #[test]
    fn c_is_accepted_under_scikit_learns_name() {
        let spec: LogisticRegressionSpec =
            serde_json::from_str(r#"{"C": 0.5, "penalty": "l1"}"#).expect("valid spec");
        assert_eq!((spec.c, spec.penalty), (0.5, LogisticPenalty::L1));
    }

    #[test]
    fn log_proba_is_the_log_of_proba() {
        let (x, _) = separable();
        let y = Array1::from_shape_fn(40, |i| (i % 3) as f64);
        let m = LogisticRegressionSpec::default()
            .fit(x.view(), y.view(), None)
            .expect("fits");
        let p = m.predict_proba(x.view()).expect("proba");
        let lp = m.predict_log_proba(x.view()).expect("log proba");
        // Two roundings apart: 1e-12 absolute.
        for (a, b) in p.iter().zip(&lp) {
            assert!((a.ln() - b).abs() < 1e-12);
        }
    }
}
