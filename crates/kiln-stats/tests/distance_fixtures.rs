//! Distances (PSI, Wasserstein, Jensen–Shannon, Hellinger, smoothed KL) and multiple-testing
//! corrections against SciPy / NumPy / statsmodels fixtures.

mod common;

use common::{Worst, f, load, vec};
use kiln_stats::distance::{hellinger, jensen_shannon, kl_divergence, psi, wasserstein};
use kiln_stats::multiple_testing::{Correction, adjust_p_values};

/// All of these are closed forms: 1e-9 relative.
const CLOSED: f64 = 1e-9;

#[test]
fn distances_match_scipy() {
    let cases = load("distance");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("distances");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (a, b) = (vec(&c["a"]), vec(&c["b"]));
        w.check(
            psi(&a, &b, 10, 1e-4).unwrap(),
            f(&c["psi_10"]),
            CLOSED,
            &format!("{name} psi 10"),
        );
        w.check(
            psi(&a, &b, 5, 1e-6).unwrap(),
            f(&c["psi_5"]),
            CLOSED,
            &format!("{name} psi 5"),
        );
        w.check(
            wasserstein(&a, &b, None, None).unwrap(),
            f(&c["wasserstein"]),
            CLOSED,
            &format!("{name} w1"),
        );
        let (wa, wb) = (vec(&c["wa"]), vec(&c["wb"]));
        w.check(
            wasserstein(&a, &b, Some(&wa), Some(&wb)).unwrap(),
            f(&c["wasserstein_weighted"]),
            CLOSED,
            &format!("{name} w1 weighted"),
        );
        let (p, q) = (vec(&c["p"]), vec(&c["q"]));
        w.check(
            jensen_shannon(&p, &q, None).unwrap(),
            f(&c["js_e"]),
            CLOSED,
            &format!("{name} js e"),
        );
        w.check(
            jensen_shannon(&p, &q, Some(2.0)).unwrap(),
            f(&c["js_2"]),
            CLOSED,
            &format!("{name} js 2"),
        );
        w.check(
            hellinger(&p, &q).unwrap(),
            f(&c["hellinger"]),
            CLOSED,
            &format!("{name} hellinger"),
        );
        let (cp, cq) = (vec(&c["counts_p"]), vec(&c["counts_q"]));
        w.check(
            kl_divergence(&cp, &cq, f(&c["alpha"])).unwrap(),
            f(&c["kl"]),
            CLOSED,
            &format!("{name} kl"),
        );
    }
}

#[test]
fn multiple_testing_matches_statsmodels() {
    let cases = load("multiple_testing");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("multiple testing");
    for (i, c) in cases.iter().enumerate() {
        let p = vec(&c["p"]);
        for (corr, key) in [
            (Correction::Bonferroni, "bonferroni"),
            (Correction::Holm, "holm"),
            (Correction::BenjaminiHochberg, "fdr_bh"),
        ] {
            let got = adjust_p_values(&p, corr).unwrap();
            for (k, (g, e)) in got.iter().zip(vec(&c[key])).enumerate() {
                w.check(*g, e, CLOSED, &format!("case {i} {key} [{k}]"));
            }
        }
    }
}

#[test]
fn distance_edge_cases_are_errors() {
    assert_eq!(
        psi(&[1.0, 2.0], &[1.0], 1, 1e-4).unwrap_err().to_string(),
        "`bins` = 1; expected at least 2 bins"
    );
    assert_eq!(
        psi(&[], &[1.0], 10, 1e-4).unwrap_err().to_string(),
        "`reference` is empty; expected at least one value"
    );
    assert_eq!(
        jensen_shannon(&[1.0, 2.0], &[1.0], None)
            .unwrap_err()
            .to_string(),
        "`p` has 2 values but `q` has 1; expected equal lengths"
    );
    assert_eq!(
        hellinger(&[0.0, 0.0], &[1.0, 1.0]).unwrap_err().to_string(),
        "`p`: sums to zero; expected some positive weight"
    );
    assert_eq!(
        kl_divergence(&[1.0, 1.0], &[2.0, 0.0], 0.0)
            .unwrap_err()
            .to_string(),
        "`q_counts`: bin 1 is empty where `p_counts` is not; expected alpha > 0 to smooth it"
    );
    assert!(
        wasserstein(&[1.0, f64::NAN], &[1.0], None, None)
            .unwrap_err()
            .to_string()
            .contains("NaN at index 1")
    );
}
