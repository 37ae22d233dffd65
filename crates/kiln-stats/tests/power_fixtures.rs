//! Power and sample size against statsmodels' `TTestIndPower` and `NormalIndPower`.

mod common;

use common::{Worst, f, load};
use kiln_stats::hypothesis::Alternative::{Greater, Less, TwoSided};
use kiln_stats::power::{
    cohens_h, normal_ind_power, normal_ind_sample_size, ttest_ind_power, ttest_ind_sample_size,
};

#[test]
fn power_and_sample_size_match_statsmodels() {
    let doc = load("power");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("power");
    for (i, c) in cases.iter().enumerate() {
        let (es, n, alpha, ratio) = (
            f(&c["effect_size"]),
            f(&c["nobs1"]),
            f(&c["alpha"]),
            f(&c["ratio"]),
        );
        for (alt, key) in [
            (TwoSided, "two-sided"),
            (Less, "less"),
            (Greater, "greater"),
        ] {
            let e = if alt == Less { -es } else { es };
            // Noncentral t and normal tails (special functions): 1e-6 relative.
            let t = ttest_ind_power(e, n, alpha, ratio, alt).unwrap();
            w.check(
                t,
                f(&c[format!("ttest_power_{key}")]),
                1e-6,
                &format!("case {i} t power {key}"),
            );
            let z = normal_ind_power(e, n, alpha, ratio, alt).unwrap();
            w.check(
                z,
                f(&c[format!("normal_power_{key}")]),
                1e-6,
                &format!("case {i} normal power {key}"),
            );
        }
        for target in ["0.8", "0.9"] {
            let p: f64 = target.parse().unwrap();
            // Root finding on the power curve: 1e-6 relative.
            let nt = ttest_ind_sample_size(es, alpha, p, ratio, TwoSided).unwrap();
            w.check(
                nt,
                f(&c[format!("ttest_nobs_{target}")]),
                1e-6,
                &format!("case {i} t n for {target}"),
            );
            let nz = normal_ind_sample_size(es, alpha, p, ratio, TwoSided).unwrap();
            w.check(
                nz,
                f(&c[format!("normal_nobs_{target}")]),
                1e-6,
                &format!("case {i} normal n for {target}"),
            );
        }
    }
    for c in doc["proportions"].as_array().unwrap() {
        let h = cohens_h(f(&c["p1"]), f(&c["p2"])).unwrap();
        w.check(h, f(&c["h"]), 1e-12, "cohen's h");
        let n = normal_ind_sample_size(h, 0.05, 0.8, 1.0, TwoSided).unwrap();
        w.check(n, f(&c["nobs_0.8"]), 1e-6, "proportion sample size");
    }
}

#[test]
fn power_edge_cases_are_errors() {
    assert_eq!(
        ttest_ind_power(0.5, 1.0, 0.05, 1.0, TwoSided)
            .unwrap_err()
            .to_string(),
        "`nobs1` = 1; expected a size with nobs1 · (1 + ratio) > 2 (the t test needs degrees of freedom)"
    );
    assert_eq!(
        normal_ind_power(0.5, 10.0, 1.5, 1.0, TwoSided)
            .unwrap_err()
            .to_string(),
        "`alpha` = 1.5; expected a number strictly between 0 and 1"
    );
    assert!(
        ttest_ind_sample_size(0.0, 0.05, 0.8, 1.0, TwoSided)
            .unwrap_err()
            .to_string()
            .contains("did not converge")
    );
    assert_eq!(
        cohens_h(1.2, 0.5).unwrap_err().to_string(),
        "`p1` = 1.2; expected a proportion between 0 and 1"
    );
}
