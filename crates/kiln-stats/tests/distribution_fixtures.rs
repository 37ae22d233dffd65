//! Distribution functions against SciPy, deep into the tails (p-values far below 1e-12).

mod common;

use common::{Worst, f, load, num, vec};
use kiln_stats::distributions::{ChiSquared, FisherF, NoncentralT, Normal, StudentT};

#[test]
fn distributions_match_scipy_in_the_tails() {
    let cases = load("distributions");
    let mut w = Worst::new("distributions");
    for c in cases.as_array().unwrap() {
        let dist = c["dist"].as_str().unwrap();
        let p = vec(&c["params"]);
        let x = f(&c["x"]);
        let what = format!("{dist}{p:?} at {x}");
        if dist.ends_with("_ppf") {
            let got = match dist {
                "normal_ppf" => Normal::standard().ppf(x).unwrap(),
                _ => StudentT::new(p[0]).unwrap().ppf(x).unwrap(),
            };
            // Quantiles are solved iteratively: 1e-9 relative.
            w.check(got, f(&c["ppf"]), 1e-9, &what);
            continue;
        }
        let (cdf, sf) = match dist {
            "normal" => (Normal::standard().cdf(x), Normal::standard().sf(x)),
            "t" => {
                let d = StudentT::new(p[0]).unwrap();
                (d.cdf(x), d.sf(x))
            }
            "chi2" => {
                let d = ChiSquared::new(p[0]).unwrap();
                (d.cdf(x), d.sf(x))
            }
            "f" => {
                let d = FisherF::new(p[0], p[1]).unwrap();
                (d.cdf(x), d.sf(x))
            }
            "nct" => {
                let d = NoncentralT::new(p[0], p[1]).unwrap();
                (d.cdf(x), d.sf(x))
            }
            other => panic!("unknown distribution {other}"),
        };
        // Special functions: 1e-6 relative wherever SciPy's value is at least 1e-300 (the
        // acceptance bar for p-values down to 1e-12 and beyond); the noncentral t is used only for
        // power, where absolute accuracy matters, so its tiny tails are checked to 1e-12 absolute.
        for (got, key) in [(cdf, "cdf"), (sf, "sf")] {
            let expected = num(&c[key]).unwrap_or(0.0);
            if dist == "nct" && expected < 1e-6 {
                w.check_abs(got, expected, 1e-12, &format!("{what} {key}"));
            } else if expected < 1e-300 {
                assert!(
                    got < 1e-290,
                    "{what} {key}: got {got:e}, expected {expected:e}"
                );
            } else {
                w.check(got, expected, 1e-6, &format!("{what} {key}"));
            }
        }
    }
}

#[test]
fn invalid_parameters_are_errors() {
    assert_eq!(
        StudentT::new(0.0).unwrap_err().to_string(),
        "`df` = 0; expected a finite number greater than 0"
    );
    assert_eq!(
        Normal::standard().ppf(1.5).unwrap_err().to_string(),
        "`p` = 1.5; expected a probability between 0 and 1"
    );
    assert!(FisherF::new(1.0, -2.0).is_err());
    assert!(NoncentralT::new(3.0, f64::NAN).is_err());
    assert!(ChiSquared::new(f64::INFINITY).is_err());
}
