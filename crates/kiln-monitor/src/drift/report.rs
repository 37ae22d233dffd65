//! The drift report: every tested column's method, statistic, p-value or distance, threshold,
//! verdict and effect size, the multiple-testing correction across the p-value methods, and the
//! dataset verdict (drifted columns / tested columns ≥ `drift_share`, as Evidently's
//! `DatasetDriftMetric`).

use std::collections::BTreeSet;

use kiln_data::{ColumnType, Frame, Role};
use kiln_stats::multiple_testing::adjust_p_values;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::column::{EffectSize, automatic_method, effect_size, reference_count, run_method};
use super::reference::{ColumnReference, ColumnSummary, ReferenceProfile};
use super::spec::{CorrectionSpec, DriftMethod, DriftSpec};
use super::values::{compatible, read_column};
use crate::error::{MonitorError, Result};

/// One tested column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// Type in the reference.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Role in the reference.
    pub role: Role,
    /// The method that ran.
    pub method: DriftMethod,
    /// True when the method was the automatic choice, false when the spec named it.
    pub automatic: bool,
    /// The test statistic, or the distance for distance methods (infinite for a chi-square
    /// against a value the reference never had; JSON shows that as null).
    pub statistic: f64,
    /// The p-value of a test, before correction.
    pub p_value: Option<f64>,
    /// The corrected p-value, when a correction was asked for.
    pub adjusted_p_value: Option<f64>,
    /// What the threshold is compared with: the (adjusted) p-value, or the distance.
    pub score: f64,
    /// The threshold.
    pub threshold: f64,
    /// The verdict: score < threshold for tests, score ≥ threshold for distances.
    pub drifted: bool,
    /// Non-missing reference values.
    pub reference_count: u64,
    /// Non-missing current values.
    pub current_count: u64,
    /// Missing current values (null, NaN, ±∞).
    pub current_missing: u64,
    /// True when the statistic read the reference sample instead of every reference value.
    pub reference_sampled: bool,
    /// Effect size, where defined.
    pub effect_size: Option<EffectSize>,
}

/// A reference column that was not tested, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedColumn {
    /// Column name.
    pub column: String,
    /// Why it was not tested.
    pub reason: String,
}

/// The outcome of [`detect_drift`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// Rows of the reference data.
    pub reference_rows: u64,
    /// Rows of the current data.
    pub current_rows: u64,
    /// Tested columns, in reference order.
    pub columns: Vec<ColumnDrift>,
    /// Reference columns not tested.
    pub skipped: Vec<SkippedColumn>,
    /// Current columns the reference does not have (not tested).
    pub unmatched_current_columns: Vec<String>,
    /// The correction applied across the p-value methods.
    pub correction: Option<CorrectionSpec>,
    /// Columns tested.
    pub tested_columns: usize,
    /// Columns that drifted.
    pub drifted_columns: usize,
    /// drifted / tested.
    pub share_drifted: f64,
    /// The share at which the dataset counts as drifted.
    pub drift_share: f64,
    /// The dataset verdict: share_drifted ≥ drift_share.
    pub dataset_drift: bool,
}

impl DriftReport {
    /// The result for column `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnDrift> {
        self.columns.iter().find(|c| c.column == name)
    }
}

/// Compares `current` with `reference` column by column.
///
/// ```
/// use kiln_data::synth::{drifted_copy, ColumnDrift as Shift};
/// use kiln_monitor::drift::{detect_drift, DriftSpec, ReferenceOptions, ReferenceProfile};
/// let train = kiln_data::datasets::load("iris")?;
/// let reference = ReferenceProfile::from_frame(&train, &ReferenceOptions::default())?;
/// let shifted = drifted_copy(&train, &[Shift { column: "petal_length".into(), mean_shift: 1.0, ..Default::default() }], 0)?;
/// let report = detect_drift(&reference, &shifted, &DriftSpec::default())?;
/// assert!(report.column("petal_length").unwrap().drifted);
/// assert!(!report.column("sepal_width").unwrap().drifted);
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
pub fn detect_drift(
    reference: &ReferenceProfile,
    current: &Frame,
    spec: &DriftSpec,
) -> Result<DriftReport> {
    spec.check()?;
    if current.n_rows() == 0 {
        return Err(MonitorError::spec(
            "current data",
            "has no rows; expected at least one row to compare with the reference",
        ));
    }
    let known = |field: &str, name: &str| -> Result<()> {
        if reference.column(name).is_some() {
            return Ok(());
        }
        let mut names: Vec<&str> = reference
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .take(12)
            .collect();
        if reference.columns.len() > names.len() {
            names.push("…");
        }
        Err(MonitorError::column(
            name,
            format!(
                "named in {field} is not a reference column; the reference has: {}",
                names.join(", ")
            ),
        ))
    };
    for name in spec.columns.iter().flatten() {
        known("columns", name)?;
    }
    for name in spec.methods.keys() {
        known("methods", name)?;
    }
    for name in spec.thresholds.keys() {
        known("thresholds", name)?;
    }

    let (mut tested, mut skipped) = plan_columns(reference, spec)?;
    // Production data rarely carries labels yet: a target the current data lacks is skipped
    // (and said so) unless the spec names it, where its absence stays an error.
    let named = |name: &str| {
        spec.columns.iter().flatten().any(|c| c == name)
            || spec.methods.contains_key(name)
            || spec.thresholds.contains_key(name)
    };
    tested.retain(|c| {
        let unlabelled =
            c.role == Role::Target && current.schema().field(&c.name).is_err() && !named(&c.name);
        if unlabelled {
            skipped.push(SkippedColumn {
                column: c.name.clone(),
                reason: "target column not in the current data (unlabelled)".into(),
            });
        }
        !unlabelled
    });
    if tested.is_empty() {
        return Err(MonitorError::spec(
            "columns",
            "no reference column can be tested; expected at least one numeric, integer, boolean, categorical or text feature",
        ));
    }
    if let Some(columns) = &spec.columns
        && let Some(name) = spec.methods.keys().find(|m| !columns.contains(m))
    {
        return Err(MonitorError::column(
            name,
            "has a method but is not in the requested columns; add it to columns",
        ));
    }
    for name in spec.thresholds.keys() {
        if !tested.iter().any(|c| &c.name == name) {
            return Err(MonitorError::column(
                name,
                "has a threshold but is not tested (its role or type is skipped); name it in columns or methods to test it",
            ));
        }
    }
    let mut columns = tested
        .par_iter()
        .map(|r| test_column(r, current, spec))
        .collect::<Result<Vec<_>>>()?;

    if let Some(correction) = spec.correction {
        let at: Vec<usize> = (0..columns.len())
            .filter(|&i| columns[i].p_value.is_some())
            .collect();
        if !at.is_empty() {
            let raw: Vec<f64> = at.iter().filter_map(|&i| columns[i].p_value).collect();
            let adjusted = adjust_p_values(&raw, correction.correction())?;
            for (&i, p) in at.iter().zip(adjusted) {
                let c = &mut columns[i];
                c.adjusted_p_value = Some(p);
                c.score = p;
                c.drifted = p < c.threshold;
            }
        }
    }
    let tested_columns = columns.len();
    let drifted_columns = columns.iter().filter(|c| c.drifted).count();
    let share_drifted = drifted_columns as f64 / tested_columns as f64;
    let reference_names: BTreeSet<&str> =
        reference.columns.iter().map(|c| c.name.as_str()).collect();
    let unmatched_current_columns = current
        .names()
        .filter(|n| !reference_names.contains(n))
        .map(str::to_string)
        .collect();
    Ok(DriftReport {
        reference_rows: reference.rows,
        current_rows: current.n_rows() as u64,
        columns,
        skipped,
        unmatched_current_columns,
        correction: spec.correction,
        tested_columns,
        drifted_columns,
        share_drifted,
        drift_share: spec.drift_share,
        dataset_drift: share_drifted >= spec.drift_share,
    })
}

/// Splits the reference columns into tested and skipped.
fn plan_columns<'a>(
    reference: &'a ReferenceProfile,
    spec: &DriftSpec,
) -> Result<(Vec<&'a ColumnReference>, Vec<SkippedColumn>)> {
    let mut tested = Vec::new();
    let mut skipped = Vec::new();
    for c in &reference.columns {
        let asked = spec.columns.as_ref().map(|cols| cols.contains(&c.name));
        let named = spec.methods.contains_key(&c.name);
        let monitored = !matches!(c.summary, ColumnSummary::Unmonitored);
        let by_role = matches!(c.role, Role::Feature | Role::Target);
        match (asked, monitored) {
            (Some(true), false) => {
                return Err(MonitorError::column(
                    &c.name,
                    format!(
                        "is {}; drift tests cover numeric, integer, boolean, categorical and text columns",
                        c.column_type
                    ),
                ));
            }
            (Some(true), true) => tested.push(c),
            (Some(false), _) => skipped.push(SkippedColumn {
                column: c.name.clone(),
                reason: "not in the requested columns".into(),
            }),
            (None, false) => skipped.push(SkippedColumn {
                column: c.name.clone(),
                reason: format!("{} columns are not tested", c.column_type),
            }),
            (None, true) if by_role || named => tested.push(c),
            (None, true) => skipped.push(SkippedColumn {
                column: c.name.clone(),
                reason: format!(
                    "role {} is not tested (only feature and target columns are)",
                    c.role
                ),
            }),
        }
    }
    if tested.is_empty() {
        return Err(MonitorError::spec(
            "columns",
            "no reference column can be tested; expected at least one numeric, integer, boolean, categorical or text feature",
        ));
    }
    Ok((tested, skipped))
}

fn test_column(r: &ColumnReference, current: &Frame, spec: &DriftSpec) -> Result<ColumnDrift> {
    let name = r.name.as_str();
    let field = current.schema().field(name).map_err(|_| {
        MonitorError::column(
            name,
            "is in the reference but missing from the current data",
        )
    })?;
    if !compatible(r.column_type, field.column_type) {
        return Err(MonitorError::column(
            name,
            format!(
                "is {} in the reference but {} in the current data; force the type when reading (--type {name}={})",
                r.column_type, field.column_type, r.column_type
            ),
        ));
    }
    let reference_count = reference_count(&r.summary);
    if reference_count == 0 {
        return Err(MonitorError::column(
            name,
            "has no non-missing value in the reference; leave it out of the tested columns",
        ));
    }
    let (values, current_missing) = read_column(current, name)?;
    if values.count() == 0 {
        return Err(MonitorError::column(
            name,
            format!(
                "all {} values are missing in the current data; expected at least one to compare",
                current.n_rows()
            ),
        ));
    }
    let (method, automatic) = match spec.methods.get(name) {
        Some(&m) => (m, false),
        None => (automatic_method(r, &values), true),
    };
    let threshold = spec.threshold_for(name, method);
    method.check_threshold(&format!("threshold {name}"), threshold)?;
    let outcome = run_method(r, &values, method, spec.psi_binning)?;
    let score = outcome.p_value.unwrap_or(outcome.statistic);
    let drifted = if method.is_test() {
        score < threshold
    } else {
        score >= threshold
    };
    Ok(ColumnDrift {
        column: r.name.clone(),
        column_type: r.column_type,
        role: r.role,
        method,
        automatic,
        statistic: outcome.statistic,
        p_value: outcome.p_value,
        adjusted_p_value: None,
        score,
        threshold,
        drifted,
        reference_count,
        current_count: values.count(),
        current_missing,
        reference_sampled: outcome.reference_sampled,
        effect_size: effect_size(r, &values),
    })
}
