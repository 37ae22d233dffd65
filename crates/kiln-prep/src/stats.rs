//! The handful of column statistics the steps share, written to match NumPy bit for bit where
//! it matters: `quantile` is NumPy's default ("linear") method including its interpolation
//! formula, and `mean_var` is scikit-learn's two-pass mean/variance with its correction term.
//! All of them skip NaN, which is how missing cells look inside a pipeline.

/// The non-missing values of a column, sorted ascending.
pub fn sorted_present(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// NumPy's linear quantile of sorted data (`q` in [0, 1]); NaN for empty input.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor();
    let i = lo as usize;
    if i + 1 >= n {
        return sorted[n - 1];
    }
    let (a, b) = (sorted[i], sorted[i + 1]);
    let t = h - lo;
    // NumPy's _lerp: interpolate from the nearer end, which keeps the result monotone in t.
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// NumPy's median of sorted data: the middle value, or the mean of the two middle values.
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Count, mean and population variance of the non-missing values, computed as scikit-learn's
/// `_incremental_mean_and_var` does for one batch (two passes plus the rounding correction).
pub fn mean_var(values: &[f64]) -> (usize, f64, f64) {
    let mut n = 0usize;
    let mut sum = 0.0;
    for &x in values {
        if !x.is_nan() {
            n += 1;
            sum += x;
        }
    }
    if n == 0 {
        return (0, f64::NAN, f64::NAN);
    }
    let mean = sum / n as f64;
    let mut correction = 0.0;
    let mut sq = 0.0;
    for &x in values {
        if !x.is_nan() {
            let d = x - mean;
            correction += d;
            sq += d * d;
        }
    }
    let var = (sq - correction * correction / n as f64) / n as f64;
    (n, mean, var)
}

/// scikit-learn's test for a feature indistinguishable from a constant, given the error bound of
/// the two-pass variance (Chan, Golub and LeVeque).
pub fn is_constant_feature(var: f64, mean: f64, n: usize) -> bool {
    let n = n as f64;
    let eps = f64::EPSILON;
    var <= n * eps * var + (n * mean * eps).powi(2)
}

/// scikit-learn's guard against dividing by (near) zero: scales below 10 machine epsilons
/// become 1.
pub fn safe_scale(scale: f64) -> f64 {
    if scale < 10.0 * f64::EPSILON {
        1.0
    } else {
        scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        let s = sorted_present(&[4.0, f64::NAN, 1.0, 3.0, 2.0]);
        assert_eq!(s, vec![1.0, 2.0, 3.0, 4.0]);
        // np.percentile([1,2,3,4], [25, 50, 90]) = [1.75, 2.5, 3.7]
        assert_eq!(quantile_sorted(&s, 0.25), 1.75);
        assert_eq!(median_sorted(&s), 2.5);
        assert!((quantile_sorted(&s, 0.9) - 3.7).abs() < 1e-15);
        assert_eq!(quantile_sorted(&s, 1.0), 4.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn mean_var_skips_nan_and_flags_constants() {
        let (n, m, v) = mean_var(&[1.0, f64::NAN, 3.0]);
        assert_eq!((n, m, v), (2, 2.0, 1.0));
        let (n, m, v) = mean_var(&[0.1; 7]);
        assert!(is_constant_feature(v, m, n));
        assert!(!is_constant_feature(1.0, 2.0, 2));
    }
}
