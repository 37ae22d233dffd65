//! Kernel support vector classification (`SvcSpec` → `FittedSvc`), scikit-learn's `SVC`.
//!
//! Multiclass is one-vs-one as in libsvm: one two-class problem per pair of classes (rows of the
//! lower class first, labelled +1, in training order), each solved by `solver`; prediction
//! counts one vote per pair and the class with most votes wins, the lowest class on a tie.
//! `probability = true` adds libsvm's Platt scaling per pair (5-fold cross-validated decision
//! values) and couples the pairwise probabilities. The one difference from libsvm: its folds come
//! from its own random generator, kiln's from a ChaCha stream of `seed`, so probabilities agree
//! with scikit-learn's in distribution (within a few hundredths), not to the digit; predictions
//! and decision values do not depend on it.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kernel::{KernelParams, TrainKernel};
use super::platt::{couple, sigmoid_predict, sigmoid_train};
use super::qmatrix::SvcQ;
use super::solver::{Problem, Solution, solve};
use super::{DEFAULT_CACHE_MB, Gamma, Kernel, KernelSpecRef, check_kernel_params};
use crate::error::{ModelError, Result};
use crate::input::{
    ClassWeight, NanPolicy, apply_class_weight, check_fit, check_predict, class_codes,
};

/// Hyper-parameters of a kernel SVM classifier; names and defaults follow scikit-learn's `SVC`.
///
/// ```
/// use kiln_models::{Kernel, SvcSpec};
/// use ndarray::array;
///
/// let x = array![[0.0, 0.0], [0.2, 0.1], [1.0, 1.0], [0.9, 1.2]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let svc = SvcSpec { kernel: Kernel::Rbf, c: 10.0, ..SvcSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert_eq!(svc.predict(array![[0.1, 0.0], [1.0, 0.9]].view())?.to_vec(), vec![0.0, 1.0]);
/// assert!(svc.decision_function(array![[1.0, 0.9]].view())?[[0, 0]] > 0.0);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SvcSpec {
    /// Penalty `C` of misclassified points (> 0).
    pub c: f64,
    /// Kernel.
    pub kernel: Kernel,
    /// Kernel coefficient of the RBF, polynomial and sigmoid kernels.
    pub gamma: Gamma,
    /// Degree of the polynomial kernel.
    pub degree: u32,
    /// Independent term of the polynomial and sigmoid kernels.
    pub coef0: f64,
    /// Stopping tolerance of the solver (libsvm's `eps`).
    pub tol: f64,
    /// Shrinking heuristic: drops bounded variables from the working set while solving.
    pub shrinking: bool,
    /// Kernel-column cache budget in MiB (at least two columns are kept whatever the budget).
    pub cache_size_mb: f64,
    /// Per-class weights, multiplying `C` for that class.
    pub class_weight: ClassWeight,
    /// Fit Platt-scaled probabilities (five extra fits per pair of classes).
    pub probability: bool,
    /// Bound on solver iterations per problem; None is libsvm's `max(10⁷, 100 n)`.
    pub max_iter: Option<usize>,
    /// Seed of the cross-validation folds behind `probability`.
    pub seed: u64,
}

impl Default for SvcSpec {
    fn default() -> Self {
        SvcSpec {
            c: 1.0,
            kernel: Kernel::Rbf,
            gamma: Gamma::Scale,
            degree: 3,
            coef0: 0.0,
            tol: 1e-3,
            shrinking: true,
            cache_size_mb: DEFAULT_CACHE_MB,
            class_weight: ClassWeight::None,
            probability: false,
            max_iter: None,
            seed: 0,
        }
    }
}

/// One one-vs-one classifier: `f(x) = Σ coef_s K(sv_s, x) - rho`, positive for `class_a`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OvoPair {
    /// The class voted for by a positive decision value.
    pub class_a: usize,
    /// The class voted for otherwise.
    pub class_b: usize,
    /// Indices into the model's support vectors.
    pub sv: Vec<u32>,
    /// Dual coefficients `α_s y_s` of those support vectors.
    pub coef: Vec<f64>,
    /// Offset (`-intercept`).
    pub rho: f64,
    /// Platt sigmoid `(A, B)` when probabilities were fitted.
    pub sigmoid: Option<(f64, f64)>,
}

/// Shared pieces of the kernel SVM problems: the kernel and solver settings.
pub(crate) struct SolverSettings {
    pub kernel: KernelParams,
    pub tol: f64,
    pub shrinking: bool,
    pub cache_bytes: usize,
    pub max_iter: Option<usize>,
}

impl SolverSettings {
    pub fn cache_bytes(cache_size_mb: f64) -> usize {
        (cache_size_mb * (1u64 << 20) as f64) as usize
    }
}

/// Solves one two-class problem on row-major `x` with labels ±1 and per-row bounds `c`.
pub(crate) fn solve_two_class(
    x: &[f64],
    d: usize,
    y: &[f64],
    c: &[f64],
    settings: &SolverSettings,
) -> Solution {
    let mut q = SvcQ::new(
        TrainKernel::new(x, d, settings.kernel),
        y,
        settings.cache_bytes,
    );
    let p = vec![-1.0; y.len()];
    solve(
        &mut q,
        &Problem { p: &p, y, c },
        settings.tol,
        settings.shrinking,
        settings.max_iter,
    )
}

/// Copies the rows `rows` of `x` into one row-major buffer.
pub(crate) fn gather_rows(x: ArrayView2<f64>, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * x.ncols());
    for &r in rows {
        out.extend(x.row(r).iter());
    }
    out
}

impl SvcSpec {
    fn kernel_ref(&self) -> KernelSpecRef<'_> {
        KernelSpecRef {
            kernel: self.kernel,
            gamma: &self.gamma,
            degree: self.degree,
            coef0: self.coef0,
        }
    }

    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_kernel_params(
            self.c,
            &self.kernel_ref(),
            self.tol,
            self.cache_size_mb,
            self.max_iter,
        )
    }

    /// Fits on `x` (finite values) and class codes `y`; `sample_weight` scales `C` per row.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedSvc> {
        self.check()?;
        let mut weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let (codes, k) = class_codes(y)?;
        apply_class_weight(&mut weights, &codes, k, &self.class_weight)?;
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

        // Rows with zero weight cannot be support vectors; libsvm (as scikit-learn builds it)
        // drops them before solving.
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, (&c, &w)) in codes.iter().zip(&weights).enumerate() {
            if w > 0.0 {
                by_class[c].push(i);
            }
        }
        let classes: Vec<usize> = (0..k).filter(|&c| !by_class[c].is_empty()).collect();
        if classes.len() < 2 {
            return Err(ModelError::SingleClass {
                class: classes.first().copied().unwrap_or(codes[0]),
            });
        }

        let mut raw_pairs = Vec::new();
        let mut n_iter = Vec::new();
        let mut converged = true;
        let mut cache_peak = 0;
        let mut is_sv = vec![false; x.nrows()];
        for (ai, &a) in classes.iter().enumerate() {
            for &b in &classes[ai + 1..] {
                let rows: Vec<usize> = by_class[a].iter().chain(&by_class[b]).copied().collect();
                let sub_x = gather_rows(x, &rows);
                let sub_y: Vec<f64> = rows
                    .iter()
                    .map(|&r| if codes[r] == a { 1.0 } else { -1.0 })
                    .collect();
                let sub_c: Vec<f64> = rows.iter().map(|&r| self.c * weights[r]).collect();
                let solution = solve_two_class(&sub_x, d, &sub_y, &sub_c, &settings);
                n_iter.push(solution.n_iter);
                converged &= solution.converged;
                cache_peak = cache_peak.max(solution.cache_peak_bytes);
                let sigmoid = if self.probability {
                    let stream = raw_pairs.len() as u64;
                    let (sigmoid, peak) =
                        cv_sigmoid(&sub_x, d, &sub_y, &sub_c, &settings, self.seed, stream);
                    cache_peak = cache_peak.max(peak);
                    Some(sigmoid)
                } else {
                    None
                };
                let mut coef = Vec::new();
                for (t, &alpha) in solution.alpha.iter().enumerate() {
                    if alpha > 0.0 {
                        is_sv[rows[t]] = true;
                        coef.push((rows[t], alpha * sub_y[t]));
                    }
                }
                raw_pairs.push((a, b, coef, solution.rho, sigmoid));
            }
        }

        // Support vectors grouped by class, in training order within a class (libsvm's layout).
        let mut support = Vec::new();
        for &c in &classes {
            support.extend(by_class[c].iter().copied().filter(|&r| is_sv[r]));
        }
        let mut position = vec![u32::MAX; x.nrows()];
        for (s, &r) in support.iter().enumerate() {
            position[r] = s as u32;
        }
        let pairs = raw_pairs
            .into_iter()
            .map(|(class_a, class_b, coef, rho, sigmoid)| OvoPair {
                class_a,
                class_b,
                sv: coef.iter().map(|&(r, _)| position[r]).collect(),
                coef: coef.iter().map(|&(_, c)| c).collect(),
                rho,
                sigmoid,
            })
            .collect();
        Ok(FittedSvc {
            support_vectors: gather_rows(x, &support),
            support,
            pairs,
            classes,
            kernel: settings.kernel,
            n_features: d,
            n_classes: k,
            n_iter,
            converged,
            kernel_cache_peak_bytes: cache_peak,
        })
    }
}

/// libsvm's `svm_binary_svc_probability`: decision values from 5-fold cross-validation, then
/// the sigmoid fitted on them. Also returns the kernel cache's peak bytes over the folds.
fn cv_sigmoid(
    x: &[f64],
    d: usize,
    y: &[f64],
    c: &[f64],
    settings: &SolverSettings,
    seed: u64,
    stream: u64,
) -> ((f64, f64), usize) {
    const FOLDS: usize = 5;
    let mut cache_peak = 0;
    let l = y.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let mut perm: Vec<usize> = (0..l).collect();
    for i in 0..l {
        let j = i + rng.random_range(0..l - i);
        perm.swap(i, j);
    }
    let mut dec = vec![0.0; l];
    for fold in 0..FOLDS {
        let (begin, end) = (fold * l / FOLDS, (fold + 1) * l / FOLDS);
        let train: Vec<usize> = perm[..begin].iter().chain(&perm[end..]).copied().collect();
        let positives = train.iter().filter(|&&i| y[i] > 0.0).count();
        let negatives = train.len() - positives;
        let constant = match (positives, negatives) {
            (0, 0) => Some(0.0),
            (_, 0) => Some(1.0),
            (0, _) => Some(-1.0),
            _ => None,
        };
        if let Some(v) = constant {
            for &i in &perm[begin..end] {
                dec[i] = v;
            }
            continue;
        }
        let sub_x: Vec<f64> = train
            .iter()
            .flat_map(|&i| x[i * d..(i + 1) * d].iter().copied())
            .collect();
        let sub_y: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        let sub_c: Vec<f64> = train.iter().map(|&i| c[i]).collect();
        let solution = solve_two_class(&sub_x, d, &sub_y, &sub_c, settings);
        cache_peak = cache_peak.max(solution.cache_peak_bytes);
        for &i in &perm[begin..end] {
            let row = &x[i * d..(i + 1) * d];
            let mut f = -solution.rho;
            for (t, &alpha) in solution.alpha.iter().enumerate() {
                if alpha > 0.0 {
                    f += alpha * sub_y[t] * settings.kernel.eval(&sub_x[t * d..(t + 1) * d], row);
                }
            }
            dec[i] = f;
        }
    }
    (sigmoid_train(&dec, y), cache_peak)
}

/// A fitted kernel SVM classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSvc {
    /// Support vectors, row-major (`support.len() × n_features`).
    pub support_vectors: Vec<f64>,
    /// Training-row index of each support vector (scikit-learn's `support_`).
    pub support: Vec<usize>,
    /// One classifier per pair of classes, in the order (0,1), (0,2), ..., (1,2), ...
    pub pairs: Vec<OvoPair>,
    /// Class codes present in training (with positive weight), ascending.
    pub classes: Vec<usize>,
    /// The kernel with `gamma` resolved.
    pub kernel: KernelParams,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Number of class codes (`max code + 1`).
    pub n_classes: usize,
    /// Solver iterations per pair.
    pub n_iter: Vec<usize>,
    /// Whether every pair met the stopping tolerance within `max_iter`.
    pub converged: bool,
    /// Most bytes the kernel-column cache held during any solve (at most `cache_size_mb`, or
    /// two kernel columns when that is more).
    pub kernel_cache_peak_bytes: usize,
}

impl FittedSvc {
    /// Raw one-vs-one decision values of one row (positive votes for `class_a`).
    fn pair_values(&self, row: &[f64], kvalues: &mut [f64], out: &mut [f64]) {
        let d = self.n_features;
        for (kv, sv) in kvalues.iter_mut().zip(self.support_vectors.chunks_exact(d)) {
            *kv = self.kernel.eval(sv, row);
        }
        for (o, pair) in out.iter_mut().zip(&self.pairs) {
            let mut f = 0.0;
            for (&s, &c) in pair.sv.iter().zip(&pair.coef) {
                f += c * kvalues[s as usize];
            }
            *o = f - pair.rho;
        }
    }

    /// One-vs-one decision values for every row (rows × pairs), computed in parallel.
    fn all_pair_values(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let m = self.pairs.len();
        let mut out = Array2::zeros((x.nrows(), m));
        if x.nrows() == 0 {
            return Ok(out);
        }
        let rows = x.as_standard_layout();
        let rows = rows
            .as_slice()
            .expect("as_standard_layout gives a contiguous row-major array");
        let n_sv = self.support.len();
        out.as_slice_mut()
            .expect("a fresh standard-layout array is contiguous")
            .par_chunks_mut(m.max(1))
            .zip(rows.par_chunks(self.n_features))
            .for_each_init(
                || vec![0.0; n_sv],
                |kv, (o, row)| self.pair_values(row, kv, o),
            );
        Ok(out)
    }

    fn vote(&self, values: ArrayView1<f64>) -> usize {
        let mut votes = vec![0usize; self.n_classes];
        for (pair, &v) in self.pairs.iter().zip(values) {
            if v > 0.0 {
                votes[pair.class_a] += 1;
            } else {
                votes[pair.class_b] += 1;
            }
        }
        // libsvm's tie rule: the first class (in class order) with the most votes.
        let mut best = self.classes[0];
        for &c in &self.classes[1..] {
            if votes[c] > votes[best] {
                best = c;
            }
        }
        best
    }

    /// Class codes by one-vs-one voting.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let values = self.all_pair_values(x)?;
        Ok(values
            .rows()
            .into_iter()
            .map(|r| self.vote(r) as f64)
            .collect())
    }

    /// Decision values as scikit-learn's `decision_function` with `decision_function_shape =
    /// "ovo"`: two classes give one column, positive for the second class; more give one
    /// column per pair `(a, b)` in [`FittedSvc::pairs`] order, positive for `a`.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut values = self.all_pair_values(x)?;
        if self.pairs.len() == 1 {
            values.mapv_inplace(|v| -v);
        }
        Ok(values)
    }

    /// scikit-learn's default `"ovr"` shape (rows × present classes): votes plus the summed
    /// pair confidences squashed into (-1/3, 1/3); two classes give the single binary column.
    pub fn decision_function_ovr(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if self.pairs.len() == 1 {
            return self.decision_function(x);
        }
        let values = self.all_pair_values(x)?;
        let m = self.classes.len();
        let mut slot = vec![0usize; self.n_classes];
        for (s, &c) in self.classes.iter().enumerate() {
            slot[c] = s;
        }
        let mut out = Array2::zeros((x.nrows(), m));
        for (vals, mut o) in values.rows().into_iter().zip(out.rows_mut()) {
            let mut votes = vec![0.0; m];
            let mut conf = vec![0.0; m];
            for (pair, &v) in self.pairs.iter().zip(vals) {
                let (a, b) = (slot[pair.class_a], slot[pair.class_b]);
                conf[a] += v;
                conf[b] -= v;
                if v < 0.0 {
                    votes[b] += 1.0;
                } else {
                    votes[a] += 1.0;
                }
            }
            for s in 0..m {
                o[s] = votes[s] + conf[s] / (3.0 * (conf[s].abs() + 1.0));
            }
        }
        Ok(out)
    }

    /// Platt-scaled class probabilities (rows × `n_classes`); needs `probability = true`.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if self.pairs.iter().any(|p| p.sigmoid.is_none()) {
            return Err(ModelError::param(
                "probability",
                "true at fit time for predict_proba",
                false,
            ));
        }
        let values = self.all_pair_values(x)?;
        let m = self.classes.len();
        let mut slot = vec![0usize; self.n_classes];
        for (s, &c) in self.classes.iter().enumerate() {
            slot[c] = s;
        }
        // libsvm clips pairwise probabilities to [1e-7, 1 - 1e-7] before coupling.
        const MIN_PROB: f64 = 1e-7;
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        let mut r = vec![vec![0.0; m]; m];
        let mut p = vec![0.0; m];
        for (vals, mut o) in values.rows().into_iter().zip(out.rows_mut()) {
            for (pair, &v) in self.pairs.iter().zip(vals) {
                let (a, b) = (slot[pair.class_a], slot[pair.class_b]);
                // Checked above: every pair has a sigmoid.
                let (sa, sb) = pair.sigmoid.unwrap_or((0.0, 0.0));
                let q = sigmoid_predict(v, sa, sb).clamp(MIN_PROB, 1.0 - MIN_PROB);
                r[a][b] = q;
                r[b][a] = 1.0 - q;
            }
            if m == 2 {
                p[0] = r[0][1];
                p[1] = r[1][0];
            } else {
                couple(&r, &mut p);
            }
            for (s, &c) in self.classes.iter().enumerate() {
                o[c] = p[s];
            }
        }
        Ok(out)
    }

    /// The resolved kernel coefficient.
    pub fn gamma(&self) -> f64 {
        self.kernel.gamma
    }
}
