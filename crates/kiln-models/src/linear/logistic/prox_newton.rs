//! The L1 / elastic-net logistic solver: proximal Newton with coordinate descent, the method of
//! glmnet and newGLMNET.
//!
//! Each outer iteration builds the exact second-order model of the smooth part (log-loss plus
//! the L2 share of the penalty) at the current point, minimises it plus the L1 term by cyclic
//! coordinate descent (a soft-threshold per coordinate; intercepts are unpenalised), then takes
//! the longest step along that direction (1, ½, ¼, …) that decreases the full objective enough
//! (Armijo on the composite objective). It stops when the minimum-norm subgradient is at most
//! `tol` on scikit-learn's scale, or after `max_iter` outer iterations.
//!
//! The multinomial Hessian couples classes: the model's gradient for coordinate (class c,
//! feature j) is `gⱼ꜀ + (1/Σw) Σᵢ wᵢ xᵢⱼ pᵢ꜀ (Δzᵢ꜀ − Σₖ pᵢₖ Δzᵢₖ)`, kept cheap by maintaining
//! `Δz = X·d` and `Σₖ pᵢₖ Δzᵢₖ` per row. With a single score column (binary) the same formula
//! is `pᵢ(1 − pᵢ) Δzᵢ`, so one code path serves both.

use super::loss::{Problem, row_loss_and_residual};

/// Outcome of the solver.
pub(crate) struct Solution {
    pub params: Vec<f64>,
    pub n_iter: usize,
    pub converged: bool,
}

/// Penalty weights on scikit-learn's scale: `λ1 ‖w‖₁ + ½ λ2 ‖w‖²`.
pub(crate) struct Penalty {
    pub l1: f64,
    pub l2: f64,
}

const ARMIJO: f64 = 0.01;
const MAX_HALVINGS: usize = 40;
const MAX_SWEEPS: usize = 500;

pub(crate) fn solve(prob: &Problem, pen: &Penalty, tol: f64, max_iter: usize) -> Solution {
    let (n, p, m, stride) = (prob.x.nrows(), prob.x.ncols(), prob.m, prob.stride());
    let inv = 1.0 / prob.w_sum;
    // Column-major copy: coordinate descent walks columns.
    let cols: Vec<Vec<f64>> = prob.x.columns().into_iter().map(|c| c.to_vec()).collect();
    let ones = vec![1.0; n];
    let col = |j: usize| -> &[f64] { if j < p { &cols[j] } else { &ones } };
    let is_weight = |j: usize| j < p;

    let mut params = vec![0.0; m * stride];
    let mut probs = vec![0.0; n * m];
    let mut grad = vec![0.0; m * stride];
    let mut d = vec![0.0; m * stride];
    let mut dz = vec![0.0; n * m];
    let mut u = vec![0.0; n];
    let mut candidate = vec![0.0; m * stride];

    let mut f = smooth_state(prob, &cols, &params, pen, Some((&mut probs, &mut grad)));
    let mut n_iter = 0;
    let mut converged = false;
    while n_iter < max_iter {
        let kkt = subgradient_norm(&params, &grad, pen.l1, stride, p);
        if kkt <= tol {
            converged = true;
            break;
        }
        n_iter += 1;
        // Diagonal of the Hessian per coordinate.
        let mut hdiag = vec![0.0; m * stride];
        for c in 0..m {
            for j in 0..stride {
                let x = col(j);
                let h: f64 = (0..n)
                    .map(|i| {
                        let q = probs[i * m + c];
                        prob.w[i] * x[i] * x[i] * q * (1.0 - q)
                    })
                    .sum::<f64>()
                    * inv;
                hdiag[c * stride + j] = h + if is_weight(j) { pen.l2 } else { 0.0 };
            }
        }
        // Coordinate descent on the quadratic model.
        d.iter_mut().for_each(|v| *v = 0.0);
        dz.iter_mut().for_each(|v| *v = 0.0);
        u.iter_mut().for_each(|v| *v = 0.0);
        for _ in 0..MAX_SWEEPS {
            let mut biggest = 0.0f64;
            for c in 0..m {
                for j in 0..stride {
                    let k = c * stride + j;
                    let a = hdiag[k];
                    if a <= 0.0 {
                        continue;
                    }
                    let x = col(j);
                    let coupling: f64 = (0..n)
                        .map(|i| prob.w[i] * x[i] * probs[i * m + c] * (dz[i * m + c] - u[i]))
                        .sum::<f64>()
                        * inv;
                    let l2 = if is_weight(j) { pen.l2 * d[k] } else { 0.0 };
                    let gq = grad[k] + coupling + l2;
                    let v0 = params[k] + d[k];
                    let target = v0 - gq / a;
                    let v = if is_weight(j) {
                        soft_threshold(target, pen.l1 / a)
                    } else {
                        target
                    };
                    let delta = v - v0;
                    if delta == 0.0 {
                        continue;
                    }
                    d[k] += delta;
                    for i in 0..n {
                        let step = delta * x[i];
                        dz[i * m + c] += step;
                        u[i] += probs[i * m + c] * step;
                    }
                    biggest = biggest.max(delta.abs() * a);
                }
            }
            // The model is minimised well enough once no coordinate moves the model gradient
            // by more than a tenth of the current optimality gap.
            if biggest <= 0.1 * kkt.max(tol) {
                break;
            }
        }
        // Armijo backtracking on the composite objective.
        let l1_now = l1_norm(&params, stride, p);
        let mut l1_full = 0.0;
        let mut slope = 0.0;
        for k in 0..m * stride {
            slope += grad[k] * d[k];
            if is_weight(k % stride) {
                l1_full += (params[k] + d[k]).abs();
            }
        }
        let decrease = slope + pen.l1 * (l1_full - l1_now);
        let total = f + pen.l1 * l1_now;
        // Near the optimum the predicted decrease falls below the rounding of the objective
        // itself; a few ulps of slack let the (then excellent) Newton step through, so the
        // subgradient keeps shrinking instead of stalling at the precision of the objective.
        let slack = 16.0 * f64::EPSILON * total.abs();
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            for k in 0..m * stride {
                candidate[k] = params[k] + t * d[k];
            }
            let fc = smooth_state(prob, &cols, &candidate, pen, None);
            let tc = fc + pen.l1 * l1_norm(&candidate, stride, p);
            if tc <= total + ARMIJO * t * decrease + slack {
                accepted = Some(t);
                break;
            }
            t *= 0.5;
        }
        if accepted.is_none() {
            // No decrease along the Newton direction: the objective is flat to rounding.
            break;
        }
        std::mem::swap(&mut params, &mut candidate);
        f = smooth_state(prob, &cols, &params, pen, Some((&mut probs, &mut grad)));
    }
    if !converged {
        converged = subgradient_norm(&params, &grad, pen.l1, stride, p) <= tol;
    }
    Solution {
        params,
        n_iter,
        converged,
    }
}

/// The smooth objective (mean log-loss + ½ λ2 ‖w‖²); with `out`, also the probabilities per row
/// and score column, and the smooth gradient.
fn smooth_state(
    prob: &Problem,
    cols: &[Vec<f64>],
    params: &[f64],
    pen: &Penalty,
    out: Option<(&mut Vec<f64>, &mut Vec<f64>)>,
) -> f64 {
    let (n, p, m, stride) = (prob.x.nrows(), prob.x.ncols(), prob.m, prob.stride());
    let mut z = vec![0.0; n * m];
    for c in 0..m {
        let b = if prob.fit_intercept {
            params[c * stride + p]
        } else {
            0.0
        };
        for i in 0..n {
            z[i * m + c] = b;
        }
        for (j, x) in cols.iter().enumerate() {
            let w = params[c * stride + j];
            if w != 0.0 {
                for i in 0..n {
                    z[i * m + c] += w * x[i];
                }
            }
        }
    }
    let mut loss = 0.0;
    let mut probs = out.as_ref().map(|_| vec![0.0; n * m]);
    for i in 0..n {
        let zr = &mut z[i * m..(i + 1) * m];
        loss += prob.w[i] * row_loss_and_residual(zr, prob.y[i]);
        if let Some(pr) = probs.as_mut() {
            // The residual is p − onehot: add the one back to recover p.
            for c in 0..m {
                let target = if m == 1 {
                    f64::from(u8::from(prob.y[i] == 1))
                } else {
                    f64::from(u8::from(prob.y[i] == c))
                };
                pr[i * m + c] = zr[c] + target;
            }
        }
    }
    let inv = 1.0 / prob.w_sum;
    let mut l2 = 0.0;
    for c in 0..m {
        for j in 0..p {
            l2 += params[c * stride + j].powi(2);
        }
    }
    let f = loss * inv + 0.5 * pen.l2 * l2;
    if let (Some((probs_out, grad)), Some(pr)) = (out, probs) {
        grad.iter_mut().for_each(|g| *g = 0.0);
        for c in 0..m {
            for (j, x) in cols.iter().enumerate() {
                let g: f64 = (0..n).map(|i| prob.w[i] * z[i * m + c] * x[i]).sum();
                grad[c * stride + j] = g * inv + pen.l2 * params[c * stride + j];
            }
            if prob.fit_intercept {
                let g: f64 = (0..n).map(|i| prob.w[i] * z[i * m + c]).sum();
                grad[c * stride + p] = g * inv;
            }
        }
        *probs_out = pr;
    }
    f
}

fn soft_threshold(v: f64, t: f64) -> f64 {
    v.signum() * (v.abs() - t).max(0.0)
}

fn l1_norm(params: &[f64], stride: usize, p: usize) -> f64 {
    params
        .iter()
        .enumerate()
        .filter(|(k, _)| k % stride < p)
        .map(|(_, v)| v.abs())
        .sum()
}

/// Largest entry of the minimum-norm subgradient of the composite objective.
fn subgradient_norm(params: &[f64], grad: &[f64], l1: f64, stride: usize, p: usize) -> f64 {
    params
        .iter()
        .zip(grad)
        .enumerate()
        .map(|(k, (&w, &g))| {
            if k % stride >= p {
                g.abs()
            } else if w != 0.0 {
                (g + l1 * w.signum()).abs()
            } else {
                (g.abs() - l1).max(0.0)
            }
        })
        .fold(0.0, f64::max)
}
