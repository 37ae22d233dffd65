//! Correlations and association measures against SciPy / pandas on the fixture pairs
//! (tiny n, ties, perfect and near-perfect correlation, skewed, large n).

mod common;

use common::{Worst, f, load, mat, vec};
use kiln_stats::association::{correlation_ratio, cramers_v, crosstab};
use kiln_stats::correlation::{
    CorrelationMethod, correlation_matrix, kendall_tau, pearson, spearman,
};
use kiln_stats::hypothesis::Alternative::{Greater, Less, TwoSided};

/// Coefficients are closed forms: 1e-9 relative. p-values go through special functions: 1e-6.
const CLOSED: f64 = 1e-9;
const SPECIAL: f64 = 1e-6;

fn p_check(w: &mut Worst, got: f64, expected: f64, what: &str) {
    // For a perfect correlation the p-value is decided by the last bit of r (SciPy may round r to
    // 1 − 2⁻⁵², giving 1e-61 instead of 0), so below 1e-30 only the absolute value is compared.
    if expected < 1e-30 {
        w.check_abs(got, expected, 1e-30, what);
    } else {
        w.check(got, expected, SPECIAL, what);
    }
}

#[test]
fn pairwise_correlations_match_scipy() {
    let cases = load("correlation");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("correlation");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (x, y) = (vec(&c["x"]), vec(&c["y"]));
        let pe = pearson(&x, &y, TwoSided).unwrap();
        w.check(
            pe.coefficient,
            f(&c["pearson"][0]),
            CLOSED,
            &format!("{name} pearson r"),
        );
        p_check(
            &mut w,
            pe.p_value,
            f(&c["pearson"][1]),
            &format!("{name} pearson p"),
        );
        p_check(
            &mut w,
            pearson(&x, &y, Less).unwrap().p_value,
            f(&c["pearson_less"]),
            &format!("{name} pearson less"),
        );
        p_check(
            &mut w,
            pearson(&x, &y, Greater).unwrap().p_value,
            f(&c["pearson_greater"]),
            &format!("{name} pearson greater"),
        );
        let sp = spearman(&x, &y, TwoSided).unwrap();
        w.check(
            sp.coefficient,
            f(&c["spearman"][0]),
            CLOSED,
            &format!("{name} spearman rho"),
        );
        p_check(
            &mut w,
            sp.p_value,
            f(&c["spearman"][1]),
            &format!("{name} spearman p"),
        );
        p_check(
            &mut w,
            spearman(&x, &y, Greater).unwrap().p_value,
            f(&c["spearman_greater"]),
            &format!("{name} spearman greater"),
        );
        let kt = kendall_tau(&x, &y, TwoSided).unwrap();
        w.check(
            kt.coefficient,
            f(&c["kendall"][0]),
            CLOSED,
            &format!("{name} kendall tau"),
        );
        p_check(
            &mut w,
            kt.p_value,
            f(&c["kendall"][1]),
            &format!("{name} kendall p"),
        );
        p_check(
            &mut w,
            kendall_tau(&x, &y, Less).unwrap().p_value,
            f(&c["kendall_less"]),
            &format!("{name} kendall less"),
        );
        p_check(
            &mut w,
            kendall_tau(&x, &y, Greater).unwrap().p_value,
            f(&c["kendall_greater"]),
            &format!("{name} kendall greater"),
        );
    }
}

#[test]
fn correlation_matrices_match_pandas() {
    let cases = load("correlation_matrix");
    let c = &cases[0];
    let cols = mat(&c["columns"]);
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let mut w = Worst::new("correlation matrix");
    for (method, key) in [
        (CorrelationMethod::Pearson, "pearson"),
        (CorrelationMethod::Spearman, "spearman"),
    ] {
        let got = correlation_matrix(&refs, method).unwrap();
        for (i, row) in mat(&c[key]).iter().enumerate() {
            for (j, e) in row.iter().enumerate() {
                w.check(got[i][j], *e, CLOSED, &format!("{key} [{i}][{j}]"));
            }
        }
    }
}

#[test]
fn association_measures_match_scipy() {
    let cases = load("association");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("association");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let a: Vec<u32> = vec(&c["a"]).iter().map(|&v| v as u32).collect();
        let b: Vec<u32> = vec(&c["b"]).iter().map(|&v| v as u32).collect();
        let table = crosstab(&a, &b).unwrap();
        w.check(
            cramers_v(&table, false).unwrap(),
            f(&c["cramers_v"]),
            CLOSED,
            &format!("{name} V"),
        );
        let expected = f(&c["cramers_v_corrected"]);
        let got = cramers_v(&table, true).unwrap();
        if expected == 0.0 {
            w.check_abs(got, expected, 0.0, &format!("{name} V corrected"));
        } else {
            w.check(got, expected, CLOSED, &format!("{name} V corrected"));
        }
        w.check(
            correlation_ratio(&vec(&c["y"]), &a).unwrap(),
            f(&c["eta"]),
            CLOSED,
            &format!("{name} eta"),
        );
    }
}
