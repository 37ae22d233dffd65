//! A small limited-memory BFGS minimiser with a strong-Wolfe line search.
//!
//! It is shared by every smooth objective in kiln-models (L2 logistic regression, the Huber
//! regressor) so the optimiser's stopping rules live in one place. The rules follow SciPy's
//! L-BFGS-B as scikit-learn calls it: stop when the largest gradient component is at most
//! `gtol`, or when the relative decrease of the objective falls to `ftol`; give up after
//! `max_iter` iterations, reporting `converged = false` rather than printing anything.
//!
//! The line search is Nocedal & Wright's algorithm 3.5/3.6 (bracket, then zoom with cubic
//! interpolation). An objective may return `+inf` (or NaN) for a point outside its domain, which
//! the search treats as "too far" and backs off from, so a constrained scale parameter (Huber's
//! sigma) needs no bounds machinery.

/// Options of one minimisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbfgsOptions {
    /// Stop when `max |gradient| <= gtol`.
    pub gtol: f64,
    /// Stop when `(f_prev - f) / max(|f_prev|, |f|, 1) <= ftol`.
    pub ftol: f64,
    /// Iterations (accepted steps) allowed.
    pub max_iter: usize,
    /// Correction pairs kept (SciPy's default is 10).
    pub memory: usize,
    /// Objective evaluations allowed per line search.
    pub max_line_search: usize,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        LbfgsOptions {
            gtol: 1e-5,
            ftol: 64.0 * f64::EPSILON,
            max_iter: 100,
            memory: 10,
            max_line_search: 50,
        }
    }
}

/// Why the minimiser stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbfgsStop {
    /// The gradient criterion was met.
    Gradient,
    /// The relative objective decrease fell below `ftol`.
    Objective,
    /// `max_iter` iterations ran out.
    MaxIter,
    /// No step along the search direction satisfied the Wolfe conditions (usually: the
    /// objective is flat to machine precision, or diverging as on separable data).
    LineSearch,
}

/// The result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct LbfgsResult {
    /// The final point.
    pub x: Vec<f64>,
    /// The objective there.
    pub f: f64,
    /// `max |gradient|` there.
    pub grad_max: f64,
    /// Iterations run.
    pub n_iter: usize,
    /// Objective evaluations made.
    pub n_eval: usize,
    /// Why it stopped.
    pub stop: LbfgsStop,
}

impl LbfgsResult {
    /// Whether a convergence criterion (gradient or objective decrease) was met.
    pub fn converged(&self) -> bool {
        matches!(self.stop, LbfgsStop::Gradient | LbfgsStop::Objective)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Minimises `f`, which returns the objective at `x` and writes its gradient into the second
/// argument, starting from `x0`.
///
/// ```
/// use kiln_models::linear::lbfgs::{LbfgsOptions, minimize};
///
/// // The Rosenbrock function, minimum at (1, 1).
/// let r = minimize(
///     |x, g| {
///         g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
///         g[1] = 200.0 * (x[1] - x[0] * x[0]);
///         (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
///     },
///     vec![-1.2, 1.0],
///     LbfgsOptions { gtol: 1e-10, max_iter: 500, ..LbfgsOptions::default() },
/// );
/// assert!(r.converged());
/// assert!((r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6);
/// ```
pub fn minimize<F>(mut f: F, x0: Vec<f64>, opts: LbfgsOptions) -> LbfgsResult
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut n_eval = 1;
    let memory = opts.memory.max(1);
    // Correction pairs, oldest first.
    let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(memory);
    let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(memory);
    let mut rho_hist: Vec<f64> = Vec::with_capacity(memory);
    let mut d = vec![0.0; n];
    let mut alpha = vec![0.0; memory];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];

    let result = |x: Vec<f64>, fx: f64, g: &[f64], n_iter, n_eval, stop| LbfgsResult {
        x,
        f: fx,
        grad_max: max_abs(g),
        n_iter,
        n_eval,
        stop,
    };
    if !fx.is_finite() {
        return result(x, fx, &g, 0, n_eval, LbfgsStop::LineSearch);
    }
    if max_abs(&g) <= opts.gtol {
        return result(x, fx, &g, 0, n_eval, LbfgsStop::Gradient);
    }
    for iter in 0..opts.max_iter {
        // Two-loop recursion: d = -H g.
        d.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
        let m = s_hist.len();
        for i in (0..m).rev() {
            alpha[i] = rho_hist[i] * dot(&s_hist[i], &d);
            d.iter_mut()
                .zip(&y_hist[i])
                .for_each(|(d, y)| *d -= alpha[i] * y);
        }
        if m > 0 {
            let gamma = dot(&s_hist[m - 1], &y_hist[m - 1]) / dot(&y_hist[m - 1], &y_hist[m - 1]);
            d.iter_mut().for_each(|d| *d *= gamma);
        }
        for i in 0..m {
            let beta = rho_hist[i] * dot(&y_hist[i], &d);
            d.iter_mut()
                .zip(&s_hist[i])
                .for_each(|(d, s)| *d += (alpha[i] - beta) * s);
        }
        let mut dg = dot(&d, &g);
        if dg >= 0.0 || !dg.is_finite() {
            // Not a descent direction (curvature information went stale): restart from the
            // steepest descent direction.
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            d.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
            dg = dot(&d, &g);
        }
        // First step: scale steepest descent to unit length, as SciPy does.
        let step0 = if s_hist.is_empty() {
            (1.0 / max_abs(&d).max(f64::MIN_POSITIVE)).min(1.0)
        } else {
            1.0
        };
        let search = line_search(
            &mut f,
            &x,
            fx,
            dg,
            &d,
            step0,
            opts.max_line_search,
            &mut x_new,
            &mut g_new,
        );
        n_eval += search.evals;
        let Some((step, f_new)) = search.accepted else {
            return result(x, fx, &g, iter, n_eval, LbfgsStop::LineSearch);
        };
        // Correction pair from the accepted step.
        let s: Vec<f64> = d.iter().map(|d| step * d).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        let f_prev = fx;
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = f_new;
        if sy > f64::EPSILON * dot(&y, &y) {
            if s_hist.len() == memory {
                s_hist.remove(0);
                y_hist.remove(0);
                rho_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
            rho_hist.push(1.0 / sy);
        }
        if max_abs(&g) <= opts.gtol {
            return result(x, fx, &g, iter + 1, n_eval, LbfgsStop::Gradient);
        }
        if opts.ftol > 0.0 && (f_prev - fx) <= opts.ftol * f_prev.abs().max(fx.abs()).max(1.0) {
            return result(x, fx, &g, iter + 1, n_eval, LbfgsStop::Objective);
        }
    }
    result(x, fx, &g, opts.max_iter, n_eval, LbfgsStop::MaxIter)
}

struct Search {
    accepted: Option<(f64, f64)>,
    evals: usize,
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;

/// Strong-Wolfe line search along `d` from `x` (objective `f0`, slope `dg0 < 0`). On success
/// `x_new`/`g_new` hold the accepted point and its gradient.
#[allow(clippy::too_many_arguments)]
fn line_search<F>(
    f: &mut F,
    x: &[f64],
    f0: f64,
    dg0: f64,
    d: &[f64],
    step0: f64,
    max_evals: usize,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Search
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let mut evals = 0;
    let mut eval = |step: f64, x_new: &mut [f64], g_new: &mut [f64], evals: &mut usize| {
        for ((xn, xi), di) in x_new.iter_mut().zip(x).zip(d) {
            *xn = xi + step * di;
        }
        *evals += 1;
        let fv = f(x_new, g_new);
        let slope = dot(g_new, d);
        if fv.is_finite() && slope.is_finite() {
            (fv, slope)
        } else {
            (f64::INFINITY, f64::NAN)
        }
    };
    // Close to a minimum the decrease a step can make falls below the rounding of f itself;
    // a few ulps of slack in the sufficient-decrease test let the curvature condition (which
    // the gradient, still accurate there, decides) pick the step.
    let slack = 16.0 * f64::EPSILON * f0.abs();
    // Bracketing phase: (lo, f_lo, slope_lo) is the best point meeting the sufficient decrease.
    let (mut lo, mut f_lo, mut dg_lo) = (0.0, f0, dg0);
    let mut step = step0;
    let mut hi: Option<(f64, f64, f64)> = None;
    while evals < max_evals {
        let (fv, dg) = eval(step, x_new, g_new, &mut evals);
        if fv > f0 + C1 * step * dg0 + slack || fv > f_lo + slack || !fv.is_finite() {
            hi = Some((step, fv, dg));
            break;
        }
        if dg.abs() <= -C2 * dg0 {
            return Search {
                accepted: Some((step, fv)),
                evals,
            };
        }
        if dg >= 0.0 {
            hi = Some((lo, f_lo, dg_lo));
            (lo, f_lo, dg_lo) = (step, fv, dg);
            break;
        }
        (lo, f_lo, dg_lo) = (step, fv, dg);
        step *= 2.0;
        if !step.is_finite() {
            break;
        }
    }
    let Some((mut h, mut f_h, mut dg_h)) = hi else {
        return Search {
            accepted: None,
            evals,
        };
    };
    // Zoom phase between lo (sufficient decrease holds) and h.
    while evals < max_evals {
        let width = (h - lo).abs();
        if width <= f64::EPSILON * lo.abs().max(h.abs()) {
            break;
        }
        let mut trial = cubic_min(lo, f_lo, dg_lo, h, f_h, dg_h);
        // Keep the trial well inside the interval so the bracket always shrinks.
        let (a, b) = (lo.min(h), lo.max(h));
        let margin = 0.1 * (b - a);
        if !trial.is_finite() || trial < a + margin || trial > b - margin {
            trial = 0.5 * (lo + h);
        }
        let (fv, dg) = eval(trial, x_new, g_new, &mut evals);
        if fv > f0 + C1 * trial * dg0 + slack || fv > f_lo + slack || !fv.is_finite() {
            (h, f_h, dg_h) = (trial, fv, dg);
        } else {
            if dg.abs() <= -C2 * dg0 {
                return Search {
                    accepted: Some((trial, fv)),
                    evals,
                };
            }
            if dg * (h - lo) >= 0.0 {
                (h, f_h, dg_h) = (lo, f_lo, dg_lo);
            }
            (lo, f_lo, dg_lo) = (trial, fv, dg);
        }
    }
    // Out of evaluations: a point with sufficient decrease is still progress; take it.
    if lo > 0.0 && f_lo < f0 {
        let (fv, _) = eval(lo, x_new, g_new, &mut evals);
        return Search {
            accepted: Some((lo, fv)),
            evals,
        };
    }
    Search {
        accepted: None,
        evals,
    }
}

/// Minimiser of the cubic through two points with values and slopes (NaN if it has none).
fn cubic_min(a: f64, fa: f64, ga: f64, b: f64, fb: f64, gb: f64) -> f64 {
    if !fb.is_finite() || !gb.is_finite() {
        return f64::NAN;
    }
    let d1 = ga + gb - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - ga * gb;
    if disc < 0.0 {
        return f64::NAN;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    b - (b - a) * (gb + d2 - d1) / (gb - ga + 2.0 * d2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_quadratic_exactly() {
        // f = 0.5 x'Ax - b'x with A = diag(1, 10, 100): minimum at b / diag.
        let diag = [1.0, 10.0, 100.0];
        let b = [1.0, -2.0, 3.0];
        let r = minimize(
            |x, g| {
                let mut f = 0.0;
                for i in 0..3 {
                    g[i] = diag[i] * x[i] - b[i];
                    f += 0.5 * diag[i] * x[i] * x[i] - b[i] * x[i];
                }
                f
            },
            vec![0.0; 3],
            LbfgsOptions {
                gtol: 1e-12,
                // Only the gradient rule: f stops changing in its last bits long before 1e-12.
                ftol: 0.0,
                ..LbfgsOptions::default()
            },
        );
        assert_eq!(r.stop, LbfgsStop::Gradient);
        // Gradient <= 1e-12 with curvature >= 1: within 1e-11 of the minimiser.
        for i in 0..3 {
            assert!((r.x[i] - b[i] / diag[i]).abs() < 1e-11);
        }
    }

    #[test]
    fn stops_at_max_iter_without_claiming_convergence() {
        let r = minimize(
            |x, g| {
                g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
                g[1] = 200.0 * (x[1] - x[0] * x[0]);
                (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
            },
            vec![-1.2, 1.0],
            LbfgsOptions {
                gtol: 1e-12,
                max_iter: 3,
                ..LbfgsOptions::default()
            },
        );
        assert_eq!((r.stop, r.n_iter), (LbfgsStop::MaxIter, 3));
        assert!(!r.converged());
    }

    #[test]
    fn backs_off_from_points_outside_the_domain() {
        // f = x - ln x on x > 0 (infinite elsewhere), minimum at 1; the first step overshoots.
        let r = minimize(
            |x, g| {
                if x[0] <= 0.0 {
                    g[0] = f64::NAN;
                    return f64::INFINITY;
                }
                g[0] = 1.0 - 1.0 / x[0];
                x[0] - x[0].ln()
            },
            vec![0.05],
            LbfgsOptions {
                gtol: 1e-10,
                ..LbfgsOptions::default()
            },
        );
        assert!(r.converged(), "{r:?}");
        // Gradient <= 1e-10 near curvature 1: 1e-8 absolute.
        assert!((r.x[0] - 1.0).abs() < 1e-8);
    }
}
