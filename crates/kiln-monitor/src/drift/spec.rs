//! What a drift report runs: the methods, their default thresholds, the automatic choice of a
//! method per column, and [`DriftSpec`], the serde options of a report.
//!
//! The automatic choice and every default threshold are Evidently's (its "data drift algorithm"):
//!
//! | reference values of the column | column | method | drift when |
//! |---|---|---|---|
//! | ≤ 1000 | numeric with > 5 distinct values (reference + current) | two-sample KS | p < 0.05 |
//! | ≤ 1000 | categorical, or numeric with ≤ 5 values; > 2 values | chi-square | p < 0.05 |
//! | ≤ 1000 | same, ≤ 2 values | two-proportion z | p < 0.05 |
//! | > 1000 | numeric with > 5 distinct values | normalized Wasserstein | distance ≥ 0.1 |
//! | > 1000 | categorical, or numeric with ≤ 5 values | Jensen–Shannon distance | distance ≥ 0.1 |
//!
//! Opt-in methods and their defaults: PSI (≥ 0.1), Anderson–Darling k-sample (p < 0.1, its
//! p-value capped to [0.001, 0.25] as SciPy reports it), Mann–Whitney U (p < 0.05, two-sided;
//! Evidently runs it one-sided with `alternative="less"`, which only sees the current data move
//! up). A p-value method flags drift when p < threshold, a distance when distance ≥ threshold.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use kiln_stats::multiple_testing::Correction;
use serde::{Deserialize, Serialize};

use crate::error::{MonitorError, Result};

/// Reference size at or below which the p-value tests are the default (Evidently's rule).
pub const SMALL_REFERENCE_ROWS: u64 = 1000;

/// Distinct values at or below which a numeric column is compared as categories.
pub const FEW_VALUES: usize = 5;

/// Default share of drifted columns that makes the whole dataset drifted.
pub const DEFAULT_DRIFT_SHARE: f64 = 0.5;

/// A per-column drift method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftMethod {
    /// Two-sample Kolmogorov–Smirnov test (numeric).
    Ks,
    /// Chi-square goodness of fit of current counts against reference shares (categories).
    #[serde(rename = "chisquare")]
    ChiSquare,
    /// Two-proportion z test (at most two values).
    Z,
    /// Wasserstein-1 distance divided by the reference standard deviation (numeric).
    Wasserstein,
    /// Jensen–Shannon distance, natural log (any column; numeric binned as Evidently does).
    #[serde(rename = "jensenshannon")]
    JensenShannon,
    /// Population stability index (any column).
    Psi,
    /// Anderson–Darling k-sample test (numeric).
    Anderson,
    /// Mann–Whitney U test, two-sided (numeric).
    #[serde(rename = "mannw")]
    MannWhitney,
}

impl DriftMethod {
    /// Every method, in the order help texts list them.
    pub const ALL: [DriftMethod; 8] = [
        DriftMethod::Ks,
        DriftMethod::ChiSquare,
        DriftMethod::Z,
        DriftMethod::Wasserstein,
        DriftMethod::JensenShannon,
        DriftMethod::Psi,
        DriftMethod::Anderson,
        DriftMethod::MannWhitney,
    ];

    /// The name used in specs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DriftMethod::Ks => "ks",
            DriftMethod::ChiSquare => "chisquare",
            DriftMethod::Z => "z",
            DriftMethod::Wasserstein => "wasserstein",
            DriftMethod::JensenShannon => "jensenshannon",
            DriftMethod::Psi => "psi",
            DriftMethod::Anderson => "anderson",
            DriftMethod::MannWhitney => "mannw",
        }
    }

    /// True for tests that give a p-value (drift when p < threshold); false for distances
    /// (drift when distance ≥ threshold).
    pub fn is_test(self) -> bool {
        matches!(
            self,
            DriftMethod::Ks
                | DriftMethod::ChiSquare
                | DriftMethod::Z
                | DriftMethod::Anderson
                | DriftMethod::MannWhitney
        )
    }

    /// Evidently's default threshold: a significance level for tests, a distance otherwise.
    pub fn default_threshold(self) -> f64 {
        match self {
            DriftMethod::Ks
            | DriftMethod::ChiSquare
            | DriftMethod::Z
            | DriftMethod::MannWhitney => 0.05,
            DriftMethod::Anderson => 0.1,
            DriftMethod::Wasserstein | DriftMethod::JensenShannon | DriftMethod::Psi => 0.1,
        }
    }

    /// True when the method needs numbers (not categories).
    pub fn needs_numeric(self) -> bool {
        matches!(
            self,
            DriftMethod::Ks
                | DriftMethod::Wasserstein
                | DriftMethod::Anderson
                | DriftMethod::MannWhitney
        )
    }

    /// Checks a threshold for this method; `field` names it in the error.
    pub fn check_threshold(self, field: &str, value: f64) -> Result<()> {
        let ok = if self.is_test() {
            value > 0.0 && value < 1.0
        } else {
            value.is_finite() && value > 0.0
        };
        if ok {
            return Ok(());
        }
        let expected = if self.is_test() {
            format!(
                "a significance level strictly between 0 and 1 for {} (default {})",
                self,
                self.default_threshold()
            )
        } else {
            format!(
                "a positive finite distance for {} (default {})",
                self,
                self.default_threshold()
            )
        };
        Err(MonitorError::spec(
            field,
            format!("{value} is not {expected}"),
        ))
    }
}

impl fmt::Display for DriftMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DriftMethod {
    type Err = MonitorError;

    /// Parses a method name; a few common spellings (`chi2`, `js`, `mann_whitney`, `ad`) are
    /// accepted too.
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        let alias = match key.as_str() {
            "chi2" | "chisq" | "chisquared" => Some(DriftMethod::ChiSquare),
            "js" | "jensen" => Some(DriftMethod::JensenShannon),
            "mannwhitney" | "mwu" | "mannwhitneyu" => Some(DriftMethod::MannWhitney),
            "ad" | "andersondarling" => Some(DriftMethod::Anderson),
            "ztest" => Some(DriftMethod::Z),
            "kolmogorovsmirnov" => Some(DriftMethod::Ks),
            "wd" | "emd" => Some(DriftMethod::Wasserstein),
            _ => None,
        };
        alias
            .or_else(|| DriftMethod::ALL.into_iter().find(|m| m.name() == key))
            .ok_or_else(|| {
                MonitorError::spec(
                    "method",
                    format!(
                        "unknown method '{s}'; expected one of: {}",
                        DriftMethod::ALL.map(|m| m.name()).join(", ")
                    ),
                )
            })
    }
}

/// How numeric columns are binned for PSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PsiBinning {
    /// Evidently's: Sturges equal-width bins over reference + current when the reference has
    /// more than 20 distinct values, otherwise one bin per value; empty bins filled with a small
    /// share.
    #[default]
    Sturges,
    /// The classic credit-scoring PSI: bins at the reference quantiles (the profile's
    /// `psi_bins`), with exact reference shares from the profile.
    Quantiles,
}

/// A multiple-testing correction over the p-value methods of a report (serde form of
/// [`kiln_stats::multiple_testing::Correction`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionSpec {
    /// Bonferroni: p · m.
    Bonferroni,
    /// Holm's step-down.
    Holm,
    /// Benjamini–Hochberg false discovery rate.
    #[serde(rename = "bh")]
    BenjaminiHochberg,
}

impl CorrectionSpec {
    /// The kiln-stats correction.
    pub fn correction(self) -> Correction {
        match self {
            CorrectionSpec::Bonferroni => Correction::Bonferroni,
            CorrectionSpec::Holm => Correction::Holm,
            CorrectionSpec::BenjaminiHochberg => Correction::BenjaminiHochberg,
        }
    }
}

impl FromStr for CorrectionSpec {
    type Err = MonitorError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bonferroni" => Ok(CorrectionSpec::Bonferroni),
            "holm" => Ok(CorrectionSpec::Holm),
            "bh" | "fdr_bh" | "benjamini-hochberg" | "benjamini_hochberg" => {
                Ok(CorrectionSpec::BenjaminiHochberg)
            }
            _ => Err(MonitorError::spec(
                "correction",
                format!("unknown correction '{s}'; expected bonferroni, holm or bh"),
            )),
        }
    }
}

/// Options of a drift report. The default runs Evidently's automatic choice on every feature and
/// target column of the reference, with no correction and a dataset verdict at 50 % of columns.
///
/// ```
/// use kiln_monitor::drift::{DriftMethod, DriftSpec};
/// let spec: DriftSpec = serde_json::from_str(
///     r#"{"methods": {"age": "psi"}, "thresholds": {"age": 0.2}, "correction": "holm"}"#,
/// ).unwrap();
/// spec.check().unwrap();
/// assert_eq!(spec.methods["age"], DriftMethod::Psi);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DriftSpec {
    /// Columns to test; `None` tests every feature and target column the reference has.
    pub columns: Option<Vec<String>>,
    /// Method per column, replacing the automatic choice.
    pub methods: BTreeMap<String, DriftMethod>,
    /// Threshold per column.
    pub thresholds: BTreeMap<String, f64>,
    /// Threshold per method, for every column that uses it (a per-column threshold wins).
    pub method_thresholds: BTreeMap<DriftMethod, f64>,
    /// Correction applied across the columns tested with a p-value method.
    pub correction: Option<CorrectionSpec>,
    /// The dataset drifts when drifted columns / tested columns ≥ this share (0 < share ≤ 1).
    pub drift_share: f64,
    /// PSI binning of numeric columns.
    pub psi_binning: PsiBinning,
}

impl Default for DriftSpec {
    fn default() -> Self {
        DriftSpec {
            columns: None,
            methods: BTreeMap::new(),
            thresholds: BTreeMap::new(),
            method_thresholds: BTreeMap::new(),
            correction: None,
            drift_share: DEFAULT_DRIFT_SHARE,
            psi_binning: PsiBinning::default(),
        }
    }
}

impl DriftSpec {
    /// Checks the values that do not depend on the data (column names are checked against the
    /// reference when the report runs).
    pub fn check(&self) -> Result<()> {
        if !(self.drift_share > 0.0 && self.drift_share <= 1.0) {
            return Err(MonitorError::spec(
                "drift_share",
                format!(
                    "{} is not a share in (0, 1]; expected e.g. 0.5 for half of the columns",
                    self.drift_share
                ),
            ));
        }
        for (method, &t) in &self.method_thresholds {
            method.check_threshold(&format!("threshold {method}"), t)?;
        }
        for (column, &t) in &self.thresholds {
            // With a method fixed for the column the threshold must suit it; otherwise it must
            // suit at least one kind (a p-value level or a distance).
            match self.methods.get(column) {
                Some(m) => m.check_threshold(&format!("threshold {column}"), t)?,
                None if !(t.is_finite() && t > 0.0) => {
                    return Err(MonitorError::spec(
                        format!("threshold {column}"),
                        format!("{t} is not a positive finite threshold"),
                    ));
                }
                None => {}
            }
        }
        if let Some(columns) = &self.columns
            && columns.is_empty()
        {
            return Err(MonitorError::spec(
                "columns",
                "the list is empty; expected at least one column (or none to test them all)",
            ));
        }
        Ok(())
    }

    /// The threshold for `column` tested with `method`: per column, else per method, else the
    /// method's default.
    pub fn threshold_for(&self, column: &str, method: DriftMethod) -> f64 {
        self.thresholds
            .get(column)
            .or_else(|| self.method_thresholds.get(&method))
            .copied()
            .unwrap_or_else(|| method.default_threshold())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_bad_values_are_named() {
        for m in DriftMethod::ALL {
            assert_eq!(m.name().parse::<DriftMethod>().unwrap(), m);
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
        }
        assert_eq!(
            "Chi2".parse::<DriftMethod>().unwrap(),
            DriftMethod::ChiSquare
        );
        let e = "kss".parse::<DriftMethod>().unwrap_err().to_string();
        assert!(
            e.contains("unknown method 'kss'") && e.contains("wasserstein"),
            "{e}"
        );
        let e = DriftMethod::Ks
            .check_threshold("threshold x", 1.5)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("threshold x: 1.5 is not a significance level"),
            "{e}"
        );
        let e = DriftMethod::Psi
            .check_threshold("threshold", -0.1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("positive finite distance for psi"), "{e}");
        let spec = DriftSpec {
            drift_share: 0.0,
            ..Default::default()
        };
        assert!(
            spec.check()
                .unwrap_err()
                .to_string()
                .starts_with("drift_share: 0 is not")
        );
        let mut spec = DriftSpec::default();
        spec.methods.insert("a".into(), DriftMethod::Z);
        spec.thresholds.insert("a".into(), 2.0);
        assert!(
            spec.check()
                .unwrap_err()
                .to_string()
                .starts_with("threshold a: 2 is not")
        );
        assert!("fdr".parse::<CorrectionSpec>().is_err());
        assert_eq!(
            "BH".parse::<CorrectionSpec>().unwrap(),
            CorrectionSpec::BenjaminiHochberg
        );
    }

    #[test]
    fn thresholds_resolve_column_then_method_then_default() {
        let mut spec = DriftSpec::default();
        spec.method_thresholds.insert(DriftMethod::Ks, 0.01);
        spec.thresholds.insert("a".into(), 0.2);
        assert_eq!(spec.threshold_for("a", DriftMethod::Ks), 0.2);
        assert_eq!(spec.threshold_for("b", DriftMethod::Ks), 0.01);
        assert_eq!(spec.threshold_for("b", DriftMethod::Psi), 0.1);
    }
}
