//! Descriptive statistics, quantiles and streaming moments against NumPy / SciPy / pandas on the
//! fixture samples (small n, ties, skewed, near-constant, large n, heavy tails, NaN).

mod common;

use common::{Worst, f, load, num, vec};
use kiln_stats::descriptive as d;
use kiln_stats::moments::Moments;
use kiln_stats::quantile::{self as q, BinRule};

/// Closed forms: 1e-9 relative.
const CLOSED: f64 = 1e-9;

#[test]
fn descriptive_matches_numpy_scipy_pandas() {
    let cases = load("descriptive");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("descriptive");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let x = vec(&c["x"]);
        assert_eq!(d::count(&x), f(&c["count"]) as usize, "{name}");
        assert_eq!(d::missing(&x), f(&c["missing"]) as usize, "{name}");
        w.check(
            d::mean(&x).unwrap(),
            f(&c["mean"]),
            CLOSED,
            &format!("{name} mean"),
        );
        w.check(
            d::variance(&x, 0).unwrap(),
            f(&c["var0"]),
            CLOSED,
            &format!("{name} var0"),
        );
        w.check(
            d::variance(&x, 1).unwrap(),
            f(&c["var1"]),
            CLOSED,
            &format!("{name} var1"),
        );
        w.check(
            d::std_dev(&x, 1).unwrap(),
            f(&c["std1"]),
            CLOSED,
            &format!("{name} std1"),
        );
        w.check(
            d::skewness(&x, true).unwrap(),
            f(&c["skew_biased"]),
            CLOSED,
            &format!("{name} skew"),
        );
        w.check(
            d::kurtosis(&x, true).unwrap(),
            f(&c["kurt_biased"]),
            CLOSED,
            &format!("{name} kurt"),
        );
        match num(&c["skew_unbiased"]) {
            Some(e) => {
                let got = d::skewness(&x, false).unwrap();
                w.check(got, e, CLOSED, &format!("{name} skew unbiased"));
                w.check(
                    got,
                    f(&c["pandas_skew"]),
                    CLOSED,
                    &format!("{name} pandas skew"),
                );
            }
            None => assert!(d::skewness(&x, false).is_err(), "{name}"),
        }
        match num(&c["kurt_unbiased"]) {
            Some(e) => {
                let got = d::kurtosis(&x, false).unwrap();
                w.check(got, e, CLOSED, &format!("{name} kurt unbiased"));
                w.check(
                    got,
                    f(&c["pandas_kurt"]),
                    CLOSED,
                    &format!("{name} pandas kurt"),
                );
            }
            None => assert!(d::kurtosis(&x, false).is_err(), "{name}"),
        }
        assert_eq!(d::min(&x).unwrap(), f(&c["min"]), "{name}");
        assert_eq!(d::max(&x).unwrap(), f(&c["max"]), "{name}");
        let levels = vec(&c["qs"]);
        let got = q::quantiles(&x, &levels).unwrap();
        for ((g, e), l) in got.iter().zip(vec(&c["quantiles"])).zip(&levels) {
            w.check(*g, e, CLOSED, &format!("{name} quantile {l}"));
        }
        w.check(
            q::median(&x).unwrap(),
            f(&c["median"]),
            CLOSED,
            &format!("{name} median"),
        );
        assert_eq!(d::modes(&x).unwrap(), vec(&c["modes"]), "{name} modes");
        w.check(
            q::median_abs_deviation(&x).unwrap(),
            f(&c["mad"]),
            CLOSED,
            &format!("{name} mad"),
        );
        w.check(
            q::iqr(&x).unwrap(),
            f(&c["iqr"]),
            CLOSED,
            &format!("{name} iqr"),
        );
        for (rule, key) in [
            (BinRule::FreedmanDiaconis, "edges_fd"),
            (BinRule::Sturges, "edges_sturges"),
        ] {
            let got = q::histogram_bin_edges(&x, rule).unwrap();
            let expected = vec(&c[key]);
            assert_eq!(got.len(), expected.len(), "{name} {key} bin count");
            for (g, e) in got.iter().zip(&expected) {
                if *e == 0.0 {
                    w.check_abs(*g, *e, 1e-12, &format!("{name} {key}"));
                } else {
                    w.check(*g, *e, CLOSED, &format!("{name} {key}"));
                }
            }
        }
        let s = d::describe(&x).unwrap();
        assert_eq!(s.count + s.missing, x.len());
        w.check(
            s.q75,
            f(&c["quantiles"][5]),
            CLOSED,
            &format!("{name} describe q75"),
        );
    }
}

#[test]
fn streaming_moments_match_two_pass_on_every_fixture() {
    let cases = load("descriptive");
    let mut w = Worst::new("streaming moments");
    for c in cases.as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let x = vec(&c["x"]);
        // Three uneven chunks merged, to exercise `merge` as a chunked reader would.
        let cut1 = x.len() / 3;
        let cut2 = (2 * x.len()) / 3 + 1;
        let mut total = Moments::new();
        for chunk in [
            &x[..cut1],
            &x[cut1..cut2.min(x.len())],
            &x[cut2.min(x.len())..],
        ] {
            let mut m = Moments::new();
            m.extend(chunk);
            total.merge(&m);
        }
        assert_eq!(total.missing() as usize, f(&c["missing"]) as usize);
        // Tolerance: 1e-10 relative against the two-pass functions (the streaming contract), and
        // the closed-form 1e-9 against SciPy.
        w.check(
            total.mean().unwrap(),
            d::mean(&x).unwrap(),
            1e-10,
            &format!("{name} mean"),
        );
        w.check(
            total.variance(1).unwrap(),
            d::variance(&x, 1).unwrap(),
            1e-10,
            &format!("{name} var1"),
        );
        w.check(
            total.skewness(true).unwrap(),
            d::skewness(&x, true).unwrap(),
            1e-10,
            &format!("{name} skew"),
        );
        w.check(
            total.kurtosis(true).unwrap(),
            d::kurtosis(&x, true).unwrap(),
            1e-10,
            &format!("{name} kurt"),
        );
        w.check(
            total.skewness(false).unwrap_or(0.0),
            d::skewness(&x, false).unwrap_or(0.0),
            1e-10,
            &format!("{name} G1"),
        );
        w.check(
            total.kurtosis(true).unwrap(),
            f(&c["kurt_biased"]),
            CLOSED,
            &format!("{name} kurt vs scipy"),
        );
    }
}
