//! Shapiro–Wilk, k-sample Anderson–Darling and Levene / Brown–Forsythe against SciPy fixtures.

mod common;

use common::{Worst, f, load, mat, vec};
use kiln_stats::hypothesis::anderson::anderson_ksamp;
use kiln_stats::hypothesis::levene::{LeveneCenter, levene};
use kiln_stats::hypothesis::shapiro::shapiro_wilk;

#[test]
fn shapiro_wilk_matches_scipy() {
    let cases = load("shapiro");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("Shapiro-Wilk");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let r = shapiro_wilk(&vec(&c["x"])).unwrap();
        // Royston's approximations run through normal quantiles (SciPy's Fortran uses a
        // lower-precision quantile routine): 1e-6 relative for W and the p-value.
        w.check(r.statistic, f(&c["statistic"]), 1e-6, &format!("{name} W"));
        w.check(r.p_value, f(&c["pvalue"]), 1e-6, &format!("{name} p"));
    }
}

#[test]
fn anderson_ksamp_matches_scipy() {
    let cases = load("anderson_ksamp");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("Anderson-Darling k-sample");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let samples = mat(&c["samples"]);
        let refs: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
        let r = anderson_ksamp(&refs).unwrap();
        // Closed forms (statistic, critical values): 1e-9; the interpolated level is a
        // least-squares fit, evaluated by a different solver than NumPy's: 1e-9 as well.
        w.check(
            r.statistic,
            f(&c["statistic"]),
            1e-9,
            &format!("{name} statistic"),
        );
        for (g, e) in r.critical_values.iter().zip(vec(&c["critical_values"])) {
            w.check(*g, e, 1e-9, &format!("{name} critical"));
        }
        w.check(
            r.significance_level,
            f(&c["significance_level"]),
            1e-9,
            &format!("{name} level"),
        );
    }
}

#[test]
fn levene_matches_scipy() {
    let cases = load("levene");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("Levene");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let samples = mat(&c["samples"]);
        let refs: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
        for (center, key) in [
            (LeveneCenter::Median, "median"),
            (LeveneCenter::Mean, "mean"),
        ] {
            let r = levene(&refs, center).unwrap();
            // Statistic: closed form, 1e-9. p-value: F distribution, 1e-6.
            w.check(r.statistic, f(&c[key][0]), 1e-9, &format!("{name} {key} W"));
            w.check(r.p_value, f(&c[key][1]), 1e-6, &format!("{name} {key} p"));
        }
    }
}

#[test]
fn shape_test_edge_cases_are_errors() {
    assert_eq!(
        shapiro_wilk(&[1.0, 2.0]).unwrap_err().to_string(),
        "`x` has 2 values; the Shapiro-Wilk test needs at least 3"
    );
    assert_eq!(
        shapiro_wilk(&[3.0, 3.0, 3.0, 3.0]).unwrap_err().to_string(),
        "`x` has zero variance; the Shapiro-Wilk test needs values that vary"
    );
    assert_eq!(
        anderson_ksamp(&[&[1.0, 2.0, 3.0]]).unwrap_err().to_string(),
        "`samples` has 1 values; the k-sample Anderson-Darling test needs at least 2"
    );
    assert_eq!(
        levene(&[&[1.0, 2.0], &[]], LeveneCenter::Median)
            .unwrap_err()
            .to_string(),
        "`groups`: group 1 is empty; expected at least one value"
    );
    assert!(
        levene(&[&[1.0, 3.0], &[2.0, 4.0]], LeveneCenter::Median)
            .unwrap_err()
            .to_string()
            .contains("zero variance")
    );
}
