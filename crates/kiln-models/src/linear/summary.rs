//! Inference for ordinary least squares, as statsmodels' `OLS(...).fit().summary()` reports it:
//! coefficient standard errors, t statistics, two-sided p-values and 95% intervals, R², adjusted
//! R², the overall F test and the Gaussian log-likelihood with AIC/BIC, plus a text rendering in
//! statsmodels' layout.
//!
//! Without an intercept the sums of squares are uncentred, as in statsmodels for a model without
//! a constant; with sample weights the numbers are those of statsmodels' `WLS`.

use faer::MatRef;
use kiln_stats::distributions::{FisherF, StudentT};
use serde::{Deserialize, Serialize};

use super::Design;

/// Estimate and test of one coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefficientStats {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// `estimate / std_error`.
    pub t: f64,
    /// Two-sided p-value of `t` on the residual degrees of freedom.
    pub p_value: f64,
    /// Lower end of the 95% confidence interval.
    pub ci_low: f64,
    /// Upper end of the 95% confidence interval.
    pub ci_high: f64,
}

/// statsmodels-style inference for a full-rank least-squares fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OlsSummary {
    /// Rows used.
    pub n_obs: usize,
    /// Model degrees of freedom (features).
    pub df_model: f64,
    /// Residual degrees of freedom (`rows - features - intercept`).
    pub df_resid: f64,
    /// The intercept's statistics (None without `fit_intercept`).
    pub intercept: Option<CoefficientStats>,
    /// One entry per feature.
    pub coefficients: Vec<CoefficientStats>,
    /// Coefficient of determination (uncentred without an intercept).
    pub r_squared: f64,
    /// R² adjusted for the degrees of freedom.
    pub adj_r_squared: f64,
    /// F statistic of the test that every feature coefficient is zero.
    pub f_statistic: f64,
    /// Its p-value.
    pub f_p_value: f64,
    /// Residual variance estimate (`RSS / df_resid`).
    pub sigma2: f64,
    /// Residual sum of squares (weighted).
    pub rss: f64,
    /// Gaussian log-likelihood.
    pub log_likelihood: f64,
    /// Akaike information criterion.
    pub aic: f64,
    /// Bayesian information criterion.
    pub bic: f64,
}

/// Builds the summary from the centred design and `R⁻¹` of its QR; None when there are no
/// residual degrees of freedom.
pub(crate) fn ols_summary(
    design: &Design,
    coef: &[f64],
    intercept: f64,
    r_inv: MatRef<f64>,
    weights: &[f64],
    fit_intercept: bool,
) -> Option<OlsSummary> {
    let (n, p) = (design.x.nrows(), design.x.ncols());
    let k_const = usize::from(fit_intercept);
    if n <= p + k_const {
        return None;
    }
    let df_model = p as f64;
    let df_resid = (n - p - k_const) as f64;
    let rss: f64 = (0..n)
        .map(|i| {
            let fit: f64 = (0..p).map(|j| design.x[(i, j)] * coef[j]).sum();
            (design.y[i] - fit).powi(2)
        })
        .sum();
    // y in the design is already centred (with an intercept) and weight-scaled, so its squared
    // norm is the weighted total sum of squares, centred or not as statsmodels defines it.
    let tss: f64 = design.y.iter().map(|v| v * v).sum();
    let sigma2 = rss / df_resid;
    // (XᵀWX)⁻¹ of the centred design = R⁻¹ R⁻ᵀ.
    let cov =
        |a: usize, b: usize| -> f64 { (a.max(b)..p).map(|k| r_inv[(a, k)] * r_inv[(b, k)]).sum() };
    let t_dist = StudentT::new(df_resid).ok()?;
    let t_crit = t_dist.ppf(0.975).ok()?;
    let stats = |estimate: f64, variance: f64| {
        let std_error = variance.sqrt();
        let t = estimate / std_error;
        CoefficientStats {
            estimate,
            std_error,
            t,
            p_value: 2.0 * t_dist.sf(t.abs()),
            ci_low: estimate - t_crit * std_error,
            ci_high: estimate + t_crit * std_error,
        }
    };
    let coefficients = (0..p).map(|j| stats(coef[j], sigma2 * cov(j, j))).collect();
    let intercept = fit_intercept.then(|| {
        // Var(b0) = σ² (1/Σw + x̄ᵀ (XcᵀWXc)⁻¹ x̄).
        let total_w: f64 = weights.iter().sum();
        let m = &design.x_offset;
        let mut quad = 0.0;
        for a in 0..p {
            for b in 0..p {
                quad += m[a] * cov(a, b) * m[b];
            }
        }
        stats(intercept, sigma2 * (1.0 / total_w + quad))
    });
    let r_squared = 1.0 - rss / tss;
    let adj_r_squared = 1.0 - (n - k_const) as f64 / df_resid * (1.0 - r_squared);
    let f_statistic = ((tss - rss) / df_model) / sigma2;
    let f_p_value = FisherF::new(df_model, df_resid).ok()?.sf(f_statistic);
    let nobs = n as f64;
    // statsmodels' WLS log-likelihood adds ½ Σ ln w (zero for unit weights).
    let log_w: f64 = weights.iter().map(|w| w.ln()).sum();
    let log_likelihood =
        -0.5 * nobs * ((2.0 * std::f64::consts::PI).ln() + (rss / nobs).ln() + 1.0) + 0.5 * log_w;
    let k = df_model + k_const as f64;
    Some(OlsSummary {
        n_obs: n,
        df_model,
        df_resid,
        intercept,
        coefficients,
        r_squared,
        adj_r_squared,
        f_statistic,
        f_p_value,
        sigma2,
        rss,
        log_likelihood,
        aic: -2.0 * log_likelihood + 2.0 * k,
        bic: -2.0 * log_likelihood + nobs.ln() * k,
    })
}

impl OlsSummary {
    /// A text table in statsmodels' layout. `names` labels the features (default `x1`, `x2`, …,
    /// as statsmodels names unnamed columns); the intercept is `const`.
    ///
    /// ```
    /// use kiln_models::LinearRegressionSpec;
    /// use ndarray::Array2;
    ///
    /// let x = Array2::from_shape_fn((30, 1), |(i, _)| i as f64);
    /// let y = x.column(0).mapv(|v| 3.0 + 2.0 * v + (v * 1.7).sin());
    /// let fit = LinearRegressionSpec::default().fit(x.view(), y.view(), None)?;
    /// let text = fit.summary()?.render(Some(&["dose"]));
    /// assert!(text.contains("R-squared:") && text.contains("dose") && text.contains("const"));
    /// # Ok::<(), kiln_models::ModelError>(())
    /// ```
    pub fn render(&self, names: Option<&[&str]>) -> String {
        let rule = "=".repeat(78);
        let thin = "-".repeat(78);
        let mut out = String::new();
        out.push_str(&format!("{:^78}\n{rule}\n", "OLS Regression Results"));
        let rows = [
            (
                "Model:",
                "OLS".to_string(),
                "R-squared:",
                format!("{:.3}", self.r_squared),
            ),
            (
                "Method:",
                "Least Squares".to_string(),
                "Adj. R-squared:",
                format!("{:.3}", self.adj_r_squared),
            ),
            (
                "No. Observations:",
                self.n_obs.to_string(),
                "F-statistic:",
                format!("{:.4}", self.f_statistic),
            ),
            (
                "Df Residuals:",
                format!("{}", self.df_resid),
                "Prob (F-statistic):",
                format!("{:.3e}", self.f_p_value),
            ),
            (
                "Df Model:",
                format!("{}", self.df_model),
                "Log-Likelihood:",
                format!("{:.2}", self.log_likelihood),
            ),
            (
                "Covariance Type:",
                "nonrobust".to_string(),
                "AIC:",
                format!("{:.1}", self.aic),
            ),
            ("", String::new(), "BIC:", format!("{:.1}", self.bic)),
        ];
        for (l1, v1, l2, v2) in rows {
            out.push_str(&format!("{l1:<20}{v1:>18}   {l2:<20}{v2:>17}\n"));
        }
        out.push_str(&format!("{rule}\n"));
        out.push_str(&format!(
            "{:<14}{:>10}{:>11}{:>10}{:>10}{:>11}{:>11}\n{thin}\n",
            "", "coef", "std err", "t", "P>|t|", "[0.025", "0.975]"
        ));
        let mut line = |name: &str, c: &CoefficientStats| {
            out.push_str(&format!(
                "{:<14}{:>10.4}{:>11.3}{:>10.3}{:>10.3}{:>11.3}{:>11.3}\n",
                truncate(name, 13),
                c.estimate,
                c.std_error,
                c.t,
                c.p_value,
                c.ci_low,
                c.ci_high
            ));
        };
        if let Some(c) = &self.intercept {
            line("const", c);
        }
        for (j, c) in self.coefficients.iter().enumerate() {
            let default = format!("x{}", j + 1);
            let name = names.and_then(|n| n.get(j).copied()).unwrap_or(&default);
            line(name, c);
        }
        out.push_str(&rule);
        out.push('\n');
        out
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
