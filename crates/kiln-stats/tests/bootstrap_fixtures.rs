//! Bootstrap intervals: reproducible under a seed, and in agreement with `scipy.stats.bootstrap`
//! (200 000 resamples there and here) within Monte-Carlo error.

mod common;

use common::{Worst, f, load, vec};
use kiln_stats::bootstrap::{BootstrapMethod, bootstrap_ci};

fn mean(s: &[f64]) -> f64 {
    s.iter().sum::<f64>() / s.len() as f64
}

#[test]
fn bootstrap_agrees_with_scipy_within_monte_carlo_error() {
    let cases = load("bootstrap");
    let mut w = Worst::new("bootstrap");
    for c in cases.as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let x = vec(&c["x"]);
        let method = if c["method"] == "BCa" {
            BootstrapMethod::Bca
        } else {
            BootstrapMethod::Percentile
        };
        let ci = bootstrap_ci(&x, mean, 200_000, 0.95, method, 7).unwrap();
        let (low, high) = (f(&c["low"]), f(&c["high"]));
        let width = high - low;
        // Monte-Carlo tolerance: with 200 000 resamples on each side an endpoint's standard error
        // is ~0.2 % of the interval width, so the two estimates must agree within 2 % of the
        // width (about 10 standard errors); the standard error within 1 % relative.
        assert!(
            (ci.low - low).abs() <= 0.02 * width,
            "{name} {:?}: low {} vs {low}",
            c["method"],
            ci.low
        );
        assert!(
            (ci.high - high).abs() <= 0.02 * width,
            "{name} {:?}: high {} vs {high}",
            c["method"],
            ci.high
        );
        w.check(
            ci.standard_error,
            f(&c["standard_error"]),
            0.01,
            &format!("{name} standard error"),
        );
        w.check(
            ci.low,
            low,
            0.02 * width / low.abs(),
            &format!("{name} low"),
        );
        w.check(
            ci.high,
            high,
            0.02 * width / high.abs(),
            &format!("{name} high"),
        );
    }
}

#[test]
fn bootstrap_is_deterministic_under_a_seed() {
    let x: Vec<f64> = (0..50).map(|i| ((i * 37 % 11) as f64).powf(1.3)).collect();
    let median = |s: &[f64]| {
        let mut v = s.to_vec();
        v.sort_unstable_by(f64::total_cmp);
        (v[(v.len() - 1) / 2] + v[v.len() / 2]) / 2.0
    };
    let a = bootstrap_ci(&x, median, 5000, 0.9, BootstrapMethod::Bca, 123).unwrap();
    let b = bootstrap_ci(&x, median, 5000, 0.9, BootstrapMethod::Bca, 123).unwrap();
    assert_eq!(a, b);
    let c = bootstrap_ci(&x, mean, 5000, 0.9, BootstrapMethod::Percentile, 123).unwrap();
    let d = bootstrap_ci(&x, mean, 5000, 0.9, BootstrapMethod::Percentile, 124).unwrap();
    assert_ne!(c, d);
    assert!(c.low < mean(&x) && mean(&x) < c.high);
}

#[test]
fn bootstrap_edge_cases_are_errors() {
    assert_eq!(
        bootstrap_ci(&[1.0], mean, 100, 0.95, BootstrapMethod::Percentile, 1)
            .unwrap_err()
            .to_string(),
        "`x` has 1 values; a bootstrap interval needs at least 2"
    );
    assert_eq!(
        bootstrap_ci(&[1.0, 2.0], mean, 100, 1.0, BootstrapMethod::Percentile, 1)
            .unwrap_err()
            .to_string(),
        "`confidence` = 1; expected a number strictly between 0 and 1"
    );
    assert_eq!(
        bootstrap_ci(&[1.0, 2.0], |_| f64::NAN, 100, 0.9, BootstrapMethod::Bca, 1)
            .unwrap_err()
            .to_string(),
        "`statistic`: returned NaN on the data; expected a finite value"
    );
}
