//! t, z, chi-square, Kolmogorov–Smirnov and Mann–Whitney tests against SciPy / statsmodels on
//! the fixture sample pairs (tiny, unbalanced, tied, skewed, near-constant, extreme tails, large).

mod common;

use common::{Worst, f, load, mat, num, vec};
use kiln_stats::hypothesis::Alternative::{self, Greater, Less, TwoSided};
use kiln_stats::hypothesis::TestResult;
use kiln_stats::hypothesis::chi2::{chi_square_goodness_of_fit, chi_square_independence};
use kiln_stats::hypothesis::ks::ks_two_sample;
use kiln_stats::hypothesis::mann_whitney::{MwuMethod, mann_whitney_u};
use kiln_stats::hypothesis::proportion::{one_proportion_z, two_proportion_z};
use kiln_stats::hypothesis::ttest::{one_sample_t, paired_t, two_sample_t};
use serde_json::Value;

/// Statistics are closed forms: 1e-9 relative. p-values go through special functions: 1e-6
/// relative (SciPy's own p-values below 1e-300 underflow and are compared as "below 1e-290").
const CLOSED: f64 = 1e-9;
const SPECIAL: f64 = 1e-6;

const ALTERNATIVES: [(Alternative, &str); 3] = [
    (TwoSided, "two-sided"),
    (Less, "less"),
    (Greater, "greater"),
];

fn check_p(w: &mut Worst, got: f64, expected: f64, what: &str) {
    if expected < 1e-300 {
        assert!(got < 1e-290, "{what}: got {got:e}, expected {expected:e}");
    } else {
        w.check(got, expected, SPECIAL, what);
    }
}

fn check_result(w: &mut Worst, got: TestResult, expected: &Value, what: &str) {
    w.check(
        got.statistic,
        f(&expected[0]),
        CLOSED,
        &format!("{what} statistic"),
    );
    check_p(w, got.p_value, f(&expected[1]), &format!("{what} p"));
    if let Some(df) = num(&expected[2]) {
        w.check(got.df.unwrap(), df, CLOSED, &format!("{what} df"));
    }
}

#[test]
fn t_tests_match_scipy() {
    let cases = load("ttest");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("t tests");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (a, b) = (vec(&c["a"]), vec(&c["b"]));
        for (alt, key) in ALTERNATIVES {
            let one = one_sample_t(&a, 0.3, alt).unwrap();
            check_result(
                &mut w,
                one,
                &c[format!("one_sample_{key}")],
                &format!("{name} one-sample {key}"),
            );
            let student = two_sample_t(&a, &b, true, alt).unwrap();
            check_result(
                &mut w,
                student,
                &c[format!("student_{key}")],
                &format!("{name} student {key}"),
            );
            let welch = two_sample_t(&a, &b, false, alt).unwrap();
            check_result(
                &mut w,
                welch,
                &c[format!("welch_{key}")],
                &format!("{name} welch {key}"),
            );
            if a.len() == b.len() {
                let p = paired_t(&a, &b, alt).unwrap();
                check_result(
                    &mut w,
                    p,
                    &c[format!("paired_{key}")],
                    &format!("{name} paired {key}"),
                );
            }
        }
    }
}

#[test]
fn proportion_z_tests_match_statsmodels() {
    let cases = load("proportions");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("proportion z tests");
    for (i, c) in cases.iter().enumerate() {
        let counts: Vec<u64> = vec(&c["count"]).iter().map(|&v| v as u64).collect();
        let nobs: Vec<u64> = vec(&c["nobs"]).iter().map(|&v| v as u64).collect();
        for (alt, key) in ALTERNATIVES {
            let got = if c["kind"] == "one" {
                one_proportion_z(counts[0], nobs[0], f(&c["value"]), alt)
            } else {
                two_proportion_z((counts[0], counts[1]), (nobs[0], nobs[1]), alt)
            };
            let what = format!("case {i} {key}");
            match num(&c[key][0]) {
                // statsmodels divides by a zero standard error (all successes or all failures).
                None => assert!(
                    got.unwrap_err().to_string().contains("zero variance"),
                    "{what}"
                ),
                Some(z) => {
                    let got = got.unwrap();
                    w.check(got.statistic, z, CLOSED, &format!("{what} z"));
                    check_p(&mut w, got.p_value, f(&c[key][1]), &format!("{what} p"));
                }
            }
        }
    }
}

#[test]
fn chi_square_tests_match_scipy() {
    let cases = load("chi2");
    let mut w = Worst::new("chi-square tests");
    let gof = cases["goodness_of_fit"].as_array().unwrap();
    assert!(gof.len() >= 20);
    for (i, c) in gof.iter().enumerate() {
        let obs = vec(&c["observed"]);
        let exp = c["expected"].is_array().then(|| vec(&c["expected"]));
        let r = chi_square_goodness_of_fit(&obs, exp.as_deref()).unwrap();
        w.check(
            r.statistic,
            f(&c["statistic"]),
            CLOSED,
            &format!("gof {i} statistic"),
        );
        check_p(&mut w, r.p_value, f(&c["pvalue"]), &format!("gof {i} p"));
        assert_eq!(r.df, Some(f(&c["df"])));
    }
    let indep = cases["independence"].as_array().unwrap();
    assert!(indep.len() >= 20);
    for (i, c) in indep.iter().enumerate() {
        let table = mat(&c["table"]);
        let r = chi_square_independence(&table, true).unwrap();
        w.check(
            r.statistic,
            f(&c["statistic"]),
            CLOSED,
            &format!("independence {i} statistic"),
        );
        check_p(
            &mut w,
            r.p_value,
            f(&c["pvalue"]),
            &format!("independence {i} p"),
        );
        assert_eq!(r.df, Some(f(&c["df"])));
        let r = chi_square_independence(&table, false).unwrap();
        w.check(
            r.statistic,
            f(&c["statistic_uncorrected"]),
            CLOSED,
            &format!("independence {i} uncorrected"),
        );
        check_p(
            &mut w,
            r.p_value,
            f(&c["pvalue_uncorrected"]),
            &format!("independence {i} uncorrected p"),
        );
    }
}

#[test]
fn ks_and_mann_whitney_match_scipy() {
    let cases = load("ks_mwu");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut ks = Worst::new("Kolmogorov-Smirnov");
    let mut mw = Worst::new("Mann-Whitney U");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (a, b) = (vec(&c["a"]), vec(&c["b"]));
        for (alt, key) in ALTERNATIVES {
            let r = ks_two_sample(&a, &b, alt).unwrap();
            ks.check(
                r.statistic,
                f(&c[format!("ks_{key}")][0]),
                CLOSED,
                &format!("{name} {key} D"),
            );
            check_p(
                &mut ks,
                r.p_value,
                f(&c[format!("ks_{key}")][1]),
                &format!("{name} {key} p"),
            );
            for (method, label) in [
                (MwuMethod::Auto, "mwu"),
                (MwuMethod::Asymptotic { continuity: true }, "mwu_asymptotic"),
                (MwuMethod::Asymptotic { continuity: false }, "mwu_nocc"),
            ] {
                let r = mann_whitney_u(&a, &b, alt, method).unwrap();
                let e = &c[format!("{label}_{key}")];
                mw.check(
                    r.statistic,
                    f(&e[0]),
                    CLOSED,
                    &format!("{name} {label} {key} U"),
                );
                check_p(
                    &mut mw,
                    r.p_value,
                    f(&e[1]),
                    &format!("{name} {label} {key} p"),
                );
            }
        }
    }
}

#[test]
fn edge_cases_are_clear_errors() {
    assert_eq!(
        one_sample_t(&[1.0], 0.0, TwoSided).unwrap_err().to_string(),
        "`x` has 1 values; a one-sample t test needs at least 2"
    );
    assert_eq!(
        one_sample_t(&[2.0, 2.0, 2.0], 0.0, TwoSided)
            .unwrap_err()
            .to_string(),
        "`x` has zero variance; a t test needs values that vary"
    );
    assert_eq!(
        paired_t(&[1.0, 2.0], &[1.0], TwoSided)
            .unwrap_err()
            .to_string(),
        "`a` has 2 values but `b` has 1; expected equal lengths"
    );
    assert_eq!(
        two_sample_t(&[1.0, f64::NAN], &[1.0, 2.0], true, TwoSided)
            .unwrap_err()
            .to_string(),
        "`a` contains NaN at index 1; expected no missing values (drop them first)"
    );
    assert_eq!(
        two_sample_t(&[1.0, 1.0], &[3.0, 3.0], false, TwoSided)
            .unwrap_err()
            .to_string(),
        "`a and b` has zero variance; a two-sample t test needs values that vary"
    );
    assert_eq!(
        ks_two_sample(&[], &[1.0], TwoSided)
            .unwrap_err()
            .to_string(),
        "`a` is empty; expected at least one value"
    );
    assert_eq!(
        mann_whitney_u(&[1.0], &[], TwoSided, MwuMethod::Auto)
            .unwrap_err()
            .to_string(),
        "`b` is empty; expected at least one value"
    );
    assert_eq!(
        one_proportion_z(11, 10, 0.5, TwoSided)
            .unwrap_err()
            .to_string(),
        "`count`: 11 successes out of 10 observations; expected count ≤ nobs"
    );
    assert_eq!(
        chi_square_goodness_of_fit(&[1.0, 2.0], Some(&[1.0, 1.0]))
            .unwrap_err()
            .to_string(),
        "`expected`: sums to 2 but `observed` sums to 3; expected equal totals"
    );
    assert_eq!(
        chi_square_independence(&[vec![1.0, 2.0], vec![3.0]], true)
            .unwrap_err()
            .to_string(),
        "`table`: row 1 has 1 cells but row 0 has 2; expected a rectangular table"
    );
}
