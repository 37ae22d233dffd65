//! Bracketed root finding (Brent's method) for quantile functions and power/sample-size solving.
//!
//! Every caller in this crate has a monotone function and a known bracket, so Brent's method —
//! bisection's guarantee with secant/inverse-quadratic speed — is all that is needed.

use crate::error::{Result, StatsError};

/// Finds `x` in `[lo, hi]` with `f(x) = 0`, to absolute tolerance `xtol` plus a few ulps.
/// `f(lo)` and `f(hi)` must have opposite signs (or one of them be zero).
pub(crate) fn brent(
    what: &'static str,
    mut f: impl FnMut(f64) -> f64,
    lo: f64,
    hi: f64,
    xtol: f64,
) -> Result<f64> {
    let (mut a, mut b) = (lo, hi);
    let (mut fa, mut fb) = (f(a), f(b));
    if fa == 0.0 {
        return Ok(a);
    }
    if fb == 0.0 {
        return Ok(b);
    }
    if fa.is_nan() || fb.is_nan() || fa.signum() == fb.signum() {
        return Err(StatsError::NoConvergence {
            what,
            detail: format!("no sign change on [{lo}, {hi}] (f = {fa}, {fb})"),
        });
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..500 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Ok(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
    }
    Err(StatsError::NoConvergence {
        what,
        detail: format!("500 iterations on [{lo}, {hi}]"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cube_root_of_two() {
        // Tolerance 1e-14 absolute, the requested xtol.
        let r = brent("test", |x| x * x * x - 2.0, 0.0, 2.0, 1e-15).unwrap();
        assert!((r - 2f64.cbrt()).abs() < 1e-14);
    }

    #[test]
    fn reports_missing_bracket() {
        let err = brent("test", |x| x * x + 1.0, -1.0, 1.0, 1e-12).unwrap_err();
        assert!(err.to_string().contains("no sign change"));
    }
}
