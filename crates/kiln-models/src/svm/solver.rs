//! libsvm's SMO solver (Fan, Chen and Lin 2005): second-order working-set selection (WSS3),
//! shrinking with gradient reconstruction, and libsvm's stopping rule `m(α) - M(α) < eps`.
//!
//! It solves `min ½ αᵀQα + pᵀα` subject to `yᵀα = 0`, `0 ≤ α_i ≤ C_i`, for classification
//! (`p = -1`) and ε-regression (the doubled problem). The step order, tie rules and tolerances
//! follow libsvm line by line so kiln and scikit-learn reach the same solution.

use super::qmatrix::QMatrix;

/// libsvm's `TAU`: the curvature used when a pair's `Q` block is not positive definite.
const TAU: f64 = 1e-12;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Lower,
    Upper,
    Free,
}

/// The solution of one problem, in the caller's original index order.
pub(crate) struct Solution {
    pub alpha: Vec<f64>,
    pub rho: f64,
    pub n_iter: usize,
    /// Whether the stopping rule was met before the iteration bound.
    pub converged: bool,
    /// Largest number of bytes the kernel cache held.
    pub cache_peak_bytes: usize,
}

/// Problem data: linear term, labels ±1 and per-instance upper bounds, all of length `l`.
pub(crate) struct Problem<'a> {
    pub p: &'a [f64],
    pub y: &'a [f64],
    pub c: &'a [f64],
}

struct Solver<'q, Q: QMatrix> {
    q: &'q mut Q,
    /// `Q[i][i]` in the solver's order (a copy, so it can be read while a column is borrowed).
    qd: Vec<f64>,
    l: usize,
    active_size: usize,
    y: Vec<f64>,
    g: Vec<f64>,
    g_bar: Vec<f64>,
    alpha: Vec<f64>,
    status: Vec<Status>,
    p: Vec<f64>,
    c: Vec<f64>,
    active_set: Vec<usize>,
    eps: f64,
    unshrink: bool,
}

/// Solves the problem from `α = 0`.
pub(crate) fn solve<Q: QMatrix>(
    q: &mut Q,
    problem: &Problem<'_>,
    eps: f64,
    shrinking: bool,
    max_iter: Option<usize>,
) -> Solution {
    let l = problem.p.len();
    let qd = q.qd().to_vec();
    let mut s = Solver {
        q,
        qd,
        l,
        active_size: l,
        y: problem.y.to_vec(),
        g: problem.p.to_vec(),
        g_bar: vec![0.0; l],
        alpha: vec![0.0; l],
        status: vec![Status::Lower; l],
        p: problem.p.to_vec(),
        c: problem.c.to_vec(),
        active_set: (0..l).collect(),
        eps,
        unshrink: false,
    };
    for i in 0..l {
        s.update_status(i);
    }
    // With α = 0 the gradient is p and G_bar is 0, so libsvm's initialisation loop is a no-op.

    // libsvm: max(10^7, 100 l) iterations unless the caller bounds them.
    let bound = max_iter.unwrap_or_else(|| 10_000_000usize.max(l.saturating_mul(100)));
    let mut iter = 0;
    let mut counter = l.min(1000) + 1;
    let mut converged = false;
    while iter < bound {
        counter -= 1;
        if counter == 0 {
            counter = l.min(1000);
            if shrinking {
                s.do_shrinking();
            }
        }
        let (i, j) = match s.select_working_set() {
            Some(pair) => pair,
            None => {
                // Optimal on the active set: check the whole problem before stopping.
                s.reconstruct_gradient();
                s.active_size = l;
                match s.select_working_set() {
                    Some(pair) => {
                        counter = 1; // shrink again at the next iteration
                        pair
                    }
                    None => {
                        converged = true;
                        break;
                    }
                }
            }
        };
        iter += 1;
        s.take_step(i, j);
    }
    if !converged && s.active_size < l {
        s.reconstruct_gradient();
        s.active_size = l;
    }
    let rho = s.calculate_rho();
    let mut alpha = vec![0.0; l];
    for (k, &orig) in s.active_set.iter().enumerate() {
        alpha[orig] = s.alpha[k];
    }
    Solution {
        alpha,
        rho,
        n_iter: iter,
        converged,
        cache_peak_bytes: s.q.cache_peak_bytes(),
    }
}

impl<Q: QMatrix> Solver<'_, Q> {
    fn update_status(&mut self, i: usize) {
        self.status[i] = if self.alpha[i] >= self.c[i] {
            Status::Upper
        } else if self.alpha[i] <= 0.0 {
            Status::Lower
        } else {
            Status::Free
        };
    }

    fn is_upper(&self, i: usize) -> bool {
        self.status[i] == Status::Upper
    }

    fn is_lower(&self, i: usize) -> bool {
        self.status[i] == Status::Lower
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.q.swap_index(i, j);
        self.qd.swap(i, j);
        self.y.swap(i, j);
        self.g.swap(i, j);
        self.status.swap(i, j);
        self.alpha.swap(i, j);
        self.p.swap(i, j);
        self.c.swap(i, j);
        self.active_set.swap(i, j);
        self.g_bar.swap(i, j);
    }

    /// One SMO step on the pair `(i, j)` (libsvm's update of α, G and G_bar).
    fn take_step(&mut self, i: usize, j: usize) {
        let active = self.active_size;
        let (qd_i, qd_j) = (self.qd[i], self.qd[j]);
        let (ci, cj) = (self.c[i], self.c[j]);
        let (old_i, old_j) = (self.alpha[i], self.alpha[j]);
        let (q_i, q_j) = self.q.get_q_pair(i, j, active);
        let qij = f64::from(q_i[j]);
        let alpha = &mut self.alpha;
        let g = &mut self.g;
        if self.y[i] != self.y[j] {
            let mut quad = qd_i + qd_j + 2.0 * qij;
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (-g[i] - g[j]) / quad;
            let diff = alpha[i] - alpha[j];
            alpha[i] += delta;
            alpha[j] += delta;
            if diff > 0.0 {
                if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = diff;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = -diff;
            }
            if diff > ci - cj {
                if alpha[i] > ci {
                    alpha[i] = ci;
                    alpha[j] = ci - diff;
                }
            } else if alpha[j] > cj {
                alpha[j] = cj;
                alpha[i] = cj + diff;
            }
        } else {
            let mut quad = qd_i + qd_j - 2.0 * qij;
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (g[i] - g[j]) / quad;
            let sum = alpha[i] + alpha[j];
            alpha[i] -= delta;
            alpha[j] += delta;
            if sum > ci {
                if alpha[i] > ci {
                    alpha[i] = ci;
                    alpha[j] = sum - ci;
                }
            } else if alpha[j] < 0.0 {
                alpha[j] = 0.0;
                alpha[i] = sum;
            }
            if sum > cj {
                if alpha[j] > cj {
                    alpha[j] = cj;
                    alpha[i] = sum - cj;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = sum;
            }
        }
        let (d_i, d_j) = (alpha[i] - old_i, alpha[j] - old_j);
        for ((g, &a), &b) in g[..active].iter_mut().zip(q_i).zip(q_j) {
            *g += f64::from(a) * d_i + f64::from(b) * d_j;
        }
        let (was_upper_i, was_upper_j) = (self.is_upper(i), self.is_upper(j));
        self.update_status(i);
        self.update_status(j);
        for (k, was_upper, ck) in [(i, was_upper_i, ci), (j, was_upper_j, cj)] {
            if was_upper != self.is_upper(k) {
                let l = self.l;
                let q_k = self.q.get_q(k, l);
                let sign = if was_upper { -ck } else { ck };
                for (gb, &v) in self.g_bar.iter_mut().zip(q_k) {
                    *gb += sign * f64::from(v);
                }
            }
        }
    }

    /// WSS3: `i` maximises the violation, `j` the second-order decrease of the objective.
    fn select_working_set(&mut self) -> Option<(usize, usize)> {
        let active = self.active_size;
        let mut gmax = f64::NEG_INFINITY;
        let mut gmax2 = f64::NEG_INFINITY;
        let mut gmax_idx = None;
        let mut gmin_idx = None;
        let mut obj_diff_min = f64::INFINITY;
        for t in 0..active {
            if self.y[t] > 0.0 {
                if !self.is_upper(t) && -self.g[t] >= gmax {
                    gmax = -self.g[t];
                    gmax_idx = Some(t);
                }
            } else if !self.is_lower(t) && self.g[t] >= gmax {
                gmax = self.g[t];
                gmax_idx = Some(t);
            }
        }
        if let Some(i) = gmax_idx {
            let qd_i = self.qd[i];
            let y_i = self.y[i];
            let q_i = self.q.get_q(i, active);
            let qd = &self.qd;
            for j in 0..active {
                let (grad_diff, quad_sign) = if self.y[j] > 0.0 {
                    if self.status[j] == Status::Lower {
                        continue;
                    }
                    if self.g[j] >= gmax2 {
                        gmax2 = self.g[j];
                    }
                    (gmax + self.g[j], -1.0)
                } else {
                    if self.status[j] == Status::Upper {
                        continue;
                    }
                    if -self.g[j] >= gmax2 {
                        gmax2 = -self.g[j];
                    }
                    (gmax - self.g[j], 1.0)
                };
                if grad_diff > 0.0 {
                    let quad = qd_i + qd[j] + quad_sign * 2.0 * y_i * f64::from(q_i[j]);
                    let obj_diff = if quad > 0.0 {
                        -(grad_diff * grad_diff) / quad
                    } else {
                        -(grad_diff * grad_diff) / TAU
                    };
                    if obj_diff <= obj_diff_min {
                        gmin_idx = Some(j);
                        obj_diff_min = obj_diff;
                    }
                }
            }
        } else {
            // No i: every α in I_up is at its bound; libsvm still scans for Gmax2 and stops.
            return None;
        }
        match (gmax_idx, gmin_idx) {
            (Some(i), Some(j)) if gmax + gmax2 >= self.eps => Some((i, j)),
            _ => None,
        }
    }

    fn be_shrunk(&self, i: usize, gmax1: f64, gmax2: f64) -> bool {
        if self.is_upper(i) {
            if self.y[i] > 0.0 {
                -self.g[i] > gmax1
            } else {
                -self.g[i] > gmax2
            }
        } else if self.is_lower(i) {
            if self.y[i] > 0.0 {
                self.g[i] > gmax2
            } else {
                self.g[i] > gmax1
            }
        } else {
            false
        }
    }

    fn do_shrinking(&mut self) {
        let mut gmax1 = f64::NEG_INFINITY; // max { -y_i G_i | i in I_up }
        let mut gmax2 = f64::NEG_INFINITY; // max { y_i G_i | i in I_low }
        for i in 0..self.active_size {
            if self.y[i] > 0.0 {
                if !self.is_upper(i) && -self.g[i] >= gmax1 {
                    gmax1 = -self.g[i];
                }
                if !self.is_lower(i) && self.g[i] >= gmax2 {
                    gmax2 = self.g[i];
                }
            } else {
                if !self.is_upper(i) && -self.g[i] >= gmax2 {
                    gmax2 = -self.g[i];
                }
                if !self.is_lower(i) && self.g[i] >= gmax1 {
                    gmax1 = self.g[i];
                }
            }
        }
        if !self.unshrink && gmax1 + gmax2 <= self.eps * 10.0 {
            self.unshrink = true;
            self.reconstruct_gradient();
            self.active_size = self.l;
        }
        let mut i = 0;
        while i < self.active_size {
            if self.be_shrunk(i, gmax1, gmax2) {
                self.active_size -= 1;
                while self.active_size > i {
                    if !self.be_shrunk(self.active_size, gmax1, gmax2) {
                        self.swap_index(i, self.active_size);
                        break;
                    }
                    self.active_size -= 1;
                }
            }
            i += 1;
        }
    }

    /// Recomputes the gradient of the shrunk variables from G_bar and the free α.
    fn reconstruct_gradient(&mut self) {
        let (active, l) = (self.active_size, self.l);
        if active == l {
            return;
        }
        for j in active..l {
            self.g[j] = self.g_bar[j] + self.p[j];
        }
        let nr_free = (0..active)
            .filter(|&j| self.status[j] == Status::Free)
            .count();
        if nr_free * l > 2 * active * (l - active) {
            for i in active..l {
                let q_i = self.q.get_q(i, active);
                let g_i = &mut self.g[i];
                for ((&v, &status), &alpha) in q_i.iter().zip(&self.status).zip(&self.alpha) {
                    if status == Status::Free {
                        *g_i += alpha * f64::from(v);
                    }
                }
            }
        } else {
            for i in 0..active {
                if self.status[i] == Status::Free {
                    let alpha_i = self.alpha[i];
                    let q_i = self.q.get_q(i, l);
                    for (g, &v) in self.g[active..l].iter_mut().zip(&q_i[active..l]) {
                        *g += alpha_i * f64::from(v);
                    }
                }
            }
        }
    }

    fn calculate_rho(&self) -> f64 {
        let mut nr_free = 0usize;
        let (mut ub, mut lb, mut sum_free) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
        for i in 0..self.active_size {
            let yg = self.y[i] * self.g[i];
            if self.is_upper(i) {
                if self.y[i] < 0.0 {
                    ub = ub.min(yg);
                } else {
                    lb = lb.max(yg);
                }
            } else if self.is_lower(i) {
                if self.y[i] > 0.0 {
                    ub = ub.min(yg);
                } else {
                    lb = lb.max(yg);
                }
            } else {
                nr_free += 1;
                sum_free += yg;
            }
        }
        if nr_free > 0 {
            sum_free / nr_free as f64
        } else {
            (ub + lb) / 2.0
        }
    }
}
