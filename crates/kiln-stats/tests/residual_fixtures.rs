//! Durbin–Watson against statsmodels' `durbin_watson` and normal probability-plot data against
//! `scipy.stats.probplot(dist="norm", fit=True)`, on every sample of the stats fixtures.

mod common;

use common::{Worst, f, load, vec};
use kiln_stats::residual::{durbin_watson, probplot};

#[test]
fn durbin_watson_matches_statsmodels() {
    let cases = load("residual");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut w = Worst::new("Durbin-Watson");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        // Two sums and a division: 1e-12 relative (the brief's bound), met with room to spare.
        let got = durbin_watson(&vec(&c["x"])).unwrap();
        w.check(got, f(&c["durbin_watson"]), 1e-12, name);
    }
}

#[test]
fn probplot_matches_scipy() {
    let cases = load("residual");
    let cases = cases.as_array().unwrap();
    let mut w = Worst::new("probplot");
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let got = probplot(&vec(&c["x"])).unwrap();
        assert_eq!(
            got.ordered,
            vec(&c["osr"]),
            "{name}: the sorted sample is exact"
        );
        // Theoretical quantiles: kiln's normal quantile (Acklam + two Halley steps) vs Cephes'
        // ndtri, 1e-9 absolute (the quantiles are O(1) and cross zero).
        for (i, (g, e)) in got.theoretical.iter().zip(vec(&c["osm"])).enumerate() {
            w.check_abs(*g, e, 1e-9, &format!("{name} osm[{i}]"));
        }
        // The fit scales with the data (1e6 offsets, 1e-8 scales): relative 1e-9, or absolute
        // against the sample's spread where the reference value is itself ~0.
        let spread = got.ordered[got.ordered.len() - 1] - got.ordered[0];
        for (what, g, e) in [
            ("slope", got.slope, f(&c["slope"])),
            ("intercept", got.intercept, f(&c["intercept"])),
            ("r", got.r, f(&c["r"])),
        ] {
            if e.abs() > 1e-6 * spread.max(1e-300) {
                w.check(g, e, 1e-9, &format!("{name} {what}"));
            } else {
                w.check_abs(g, e, 1e-9 * spread.max(1.0), &format!("{name} {what}"));
            }
        }
    }
}
