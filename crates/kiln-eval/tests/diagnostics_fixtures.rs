//! Regression diagnostics against SciPy and statsmodels (tools/reference/evalx_fixtures.py):
//! `scipy.stats.probplot` of the standardised residuals, `scipy.stats.shapiro` of the residuals
//! and statsmodels' `durbin_watson`.

mod common;

use common::{Worst, load, num, nums};
use kiln_eval::regression_diagnostics;

#[test]
fn diagnostics_match_scipy_and_statsmodels() {
    let cases = load("diagnostics.json");
    assert!(cases.len() >= 6);
    // Q–Q (the brief's bound): 1e-9 absolute on quantiles and standardised residuals of O(1).
    let mut qq = Worst::new(1e-9);
    // Durbin–Watson: two sums and a division, 1e-12 relative.
    let mut dw = Worst::new(1e-12);
    // Shapiro–Wilk: Royston's approximations through normal quantiles; SciPy's Fortran uses a
    // lower-precision quantile routine, so 1e-6 as in kiln-stats' own Shapiro fixture test.
    let mut sw = Worst::new(1e-6);
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let d = regression_diagnostics(&nums(&case["y_true"]), &nums(&case["y_pred"]))
            .expect("diagnostics");
        assert_eq!(
            d.residuals,
            nums(&case["residuals"]),
            "{name}: y_true − y_pred is exact"
        );
        qq.check_all(name, "osm", &d.qq.theoretical, &nums(&case["osm"]));
        qq.check_all(name, "osr", &d.qq.ordered, &nums(&case["osr"]));
        qq.check(name, "slope", d.qq.slope, num(&case["slope"]));
        qq.check(name, "intercept", d.qq.intercept, num(&case["intercept"]));
        qq.check(name, "r", d.qq.r, num(&case["r"]));
        dw.check(
            name,
            "durbin_watson",
            d.durbin_watson,
            num(&case["durbin_watson"]),
        );
        sw.check(
            name,
            "shapiro W",
            d.shapiro_w.expect("W"),
            num(&case["shapiro_w"]),
        );
        sw.check(
            name,
            "shapiro p",
            d.shapiro_p.expect("p"),
            num(&case["shapiro_p"]),
        );
    }
    assert!(qq.report("Q–Q vs scipy.stats.probplot") > 1000);
    dw.report("Durbin–Watson vs statsmodels");
    sw.report("Shapiro–Wilk vs scipy.stats.shapiro");
}
