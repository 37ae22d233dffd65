//! Variance inflation factors against statsmodels' `variance_inflation_factor` (constant added).

mod common;

use common::{Worst, load, mat, vec};
use kiln_stats::vif::variance_inflation_factors;

#[test]
fn vif_matches_statsmodels() {
    let cases = load("vif");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("VIF");
    for (i, c) in cases.iter().enumerate() {
        let cols = mat(&c["columns"]);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let got = variance_inflation_factors(&refs).unwrap();
        // A linear solve (statsmodels: pinv-based OLS, here Cholesky of the correlation matrix);
        // near-collinear cases have VIF ~ 1e4, so 1e-8 relative.
        for (j, (g, e)) in got.iter().zip(vec(&c["vif"])).enumerate() {
            w.check(*g, e, 1e-8, &format!("case {i} feature {j}"));
        }
    }
}
