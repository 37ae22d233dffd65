//! What the drift report draws: per tested column, the reference and the current distribution
//! on common bins, as shares so that sides of different sizes read against each other.
//!
//! The bins are the ones the tests compare: one bar per value for categories and for numeric
//! columns with few values (the exact counts chi-square, z, Jensen–Shannon and PSI read), and
//! Evidently's Sturges bins over reference and current together for other numeric columns (the
//! bins of Jensen–Shannon and the Sturges PSI), with the reference side read from the profile's
//! sample. A [`DriftPlotData`] is built apart from the [`DriftReport`] because it needs the
//! current values again, and only a report that draws charts pays for that.
//!
//! Wide data: charts are built for at most `max_charts` columns, in [`drift_order`] (drifted
//! columns first, most drifted first), so a 1000-column report stays small; the report's table
//! still lists every column.

use kiln_data::Frame;
use serde::{Deserialize, Serialize};

use super::binning::{labelled_counts, sturges_counts};
use super::reference::{ColumnSummary, ReferenceProfile};
use super::report::{ColumnDrift, DriftReport};
use super::values::{ColumnValues, read_column};
use crate::error::{MonitorError, Result};

/// Columns charted by default; the rest are listed in the table only.
pub const DEFAULT_MAX_CHARTS: usize = 50;

/// Bars drawn per categorical column; rarer values are summed into one "other" bar.
pub const MAX_BARS: usize = 20;

/// The charts of a drift report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftPlotData {
    /// Charted columns, in [`drift_order`].
    pub columns: Vec<ColumnPlot>,
    /// Tested columns left without a chart by the `max_charts` cap.
    pub uncharted: usize,
}

/// One column's chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnPlot {
    /// Column name.
    pub column: String,
    /// True when the reference side comes from the profile's sample, not every value.
    pub reference_sampled: bool,
    /// The distributions.
    pub shape: PlotShape,
}

/// Reference and current shares on common bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlotShape {
    /// Numeric columns with many values: shares per bin of `edges` (one more edge than bins).
    Histogram {
        /// Bin edges.
        edges: Vec<f64>,
        /// Reference share per bin.
        reference: Vec<f64>,
        /// Current share per bin.
        current: Vec<f64>,
    },
    /// Categories and numeric columns with few values: (value, reference share, current share),
    /// largest first, at most [`MAX_BARS`] values plus an "other" row for the rest.
    Values {
        /// The bars.
        values: Vec<(String, f64, f64)>,
        /// Values summed into the last "other" row (0 when every value has its own bar).
        other_values: usize,
    },
}

/// How far past its threshold a column is: above 1 means drifted. For a test it is
/// threshold / p-value (infinite for a p-value of 0), for a distance distance / threshold, so
/// columns of different methods sort on one scale.
pub fn severity(c: &ColumnDrift) -> f64 {
    if c.method.is_test() {
        if c.score > 0.0 {
            c.threshold / c.score
        } else {
            f64::INFINITY
        }
    } else {
        c.score / c.threshold
    }
}

/// Indices of `report.columns`: drifted columns first, then by [`severity`], largest first
/// (ties keep the reference order).
pub fn drift_order(report: &DriftReport) -> Vec<usize> {
    let mut order: Vec<usize> = (0..report.columns.len()).collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (&report.columns[a], &report.columns[b]);
        cb.drifted
            .cmp(&ca.drifted)
            .then_with(|| severity(cb).total_cmp(&severity(ca)))
    });
    order
}

fn shares(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    let total = total.max(1) as f64;
    counts.iter().map(|&k| k as f64 / total).collect()
}

impl DriftPlotData {
    /// Charts for the first `max_charts` columns of `report` in [`drift_order`], comparing
    /// `reference` with the `current` frame the report was computed on.
    ///
    /// ```
    /// use kiln_monitor::drift::{detect_drift, DriftPlotData, DriftSpec, PlotShape, ReferenceOptions, ReferenceProfile};
    /// let train = kiln_data::datasets::load("penguins")?;
    /// let reference = ReferenceProfile::from_frame(&train, &ReferenceOptions::default())?;
    /// let report = detect_drift(&reference, &train, &DriftSpec::default())?;
    /// let plots = DriftPlotData::build(&reference, &train, &report, 3)?;
    /// assert_eq!((plots.columns.len(), plots.uncharted), (3, report.columns.len() - 3));
    /// for p in &plots.columns {
    ///     match &p.shape {
    ///         PlotShape::Histogram { reference, current, .. } => assert_eq!(reference, current),
    ///         PlotShape::Values { values, .. } => assert!(values.iter().all(|v| v.1 == v.2)),
    ///     }
    /// }
    /// # Ok::<(), kiln_monitor::MonitorError>(())
    /// ```
    pub fn build(
        reference: &ReferenceProfile,
        current: &Frame,
        report: &DriftReport,
        max_charts: usize,
    ) -> Result<Self> {
        let order = drift_order(report);
        let columns = order
            .iter()
            .take(max_charts)
            .map(|&i| column_plot(reference, current, &report.columns[i].column))
            .collect::<Result<Vec<_>>>()?;
        Ok(DriftPlotData {
            uncharted: report.columns.len() - columns.len(),
            columns,
        })
    }
}

fn column_plot(reference: &ReferenceProfile, current: &Frame, name: &str) -> Result<ColumnPlot> {
    let r = reference.column(name).ok_or_else(|| {
        MonitorError::column(name, "is in the drift report but not in the reference")
    })?;
    let (values, _) = read_column(current, name)?;
    if let Some(rows) = labelled_counts(&r.summary, &values) {
        let (rc, cc): (Vec<u64>, Vec<u64>) = rows.iter().map(|(_, a, b)| (*a, *b)).unzip();
        let (rs, cs) = (shares(&rc), shares(&cc));
        let mut bars: Vec<(String, f64, f64)> = rows
            .into_iter()
            .zip(rs.into_iter().zip(cs))
            .map(|((label, _, _), (a, b))| (label, a, b))
            .collect();
        bars.sort_by(|a, b| b.1.max(b.2).total_cmp(&a.1.max(a.2)));
        let mut other_values = 0;
        if bars.len() > MAX_BARS {
            let rest = bars.split_off(MAX_BARS - 1);
            other_values = rest.len();
            let (a, b) = rest.iter().fold((0.0, 0.0), |(a, b), r| (a + r.1, b + r.2));
            bars.push((format!("other ({other_values} values)"), a, b));
        }
        return Ok(ColumnPlot {
            column: name.to_string(),
            reference_sampled: false,
            shape: PlotShape::Values {
                values: bars,
                other_values,
            },
        });
    }
    match (&r.summary, &values) {
        (ColumnSummary::Numeric(n), ColumnValues::Numeric(c)) => {
            let (edges, rc, cc) = sturges_counts(n, c)?;
            Ok(ColumnPlot {
                column: name.to_string(),
                reference_sampled: !n.sample_is_complete(),
                shape: PlotShape::Histogram {
                    edges,
                    reference: shares(&rc),
                    current: shares(&cc),
                },
            })
        }
        _ => Err(MonitorError::column(
            name,
            "reference and current values are of different kinds",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::{DriftSpec, ReferenceOptions, detect_drift};
    use kiln_data::synth::{ColumnDrift as Shift, drifted_copy};

    #[test]
    fn drifted_columns_come_first_and_shares_sum_to_one() {
        let train = kiln_data::datasets::load("penguins").unwrap();
        let reference = ReferenceProfile::from_frame(&train, &ReferenceOptions::default()).unwrap();
        let shifted = drifted_copy(
            &train,
            &[Shift {
                column: "bill_length_mm".into(),
                mean_shift: 2.0,
                ..Default::default()
            }],
            0,
        )
        .unwrap();
        let report = detect_drift(&reference, &shifted, &DriftSpec::default()).unwrap();
        let order = drift_order(&report);
        assert_eq!(report.columns[order[0]].column, "bill_length_mm");
        assert!(severity(&report.columns[order[0]]) > 1.0);
        let plots = DriftPlotData::build(&reference, &shifted, &report, 100).unwrap();
        assert_eq!(plots.columns.len(), report.columns.len());
        assert_eq!(plots.uncharted, 0);
        assert_eq!(plots.columns[0].column, "bill_length_mm");
        for p in &plots.columns {
            let (r, c): (f64, f64) = match &p.shape {
                PlotShape::Histogram {
                    edges,
                    reference,
                    current,
                } => {
                    assert_eq!(edges.len(), reference.len() + 1);
                    (reference.iter().sum(), current.iter().sum())
                }
                PlotShape::Values { values, .. } => values
                    .iter()
                    .fold((0.0, 0.0), |(a, b), v| (a + v.1, b + v.2)),
            };
            // Shares of every value present: 1 up to rounding (1e-9 absolute).
            assert!((r - 1.0).abs() < 1e-9 && (c - 1.0).abs() < 1e-9, "{p:?}");
        }
        let PlotShape::Histogram {
            current, reference, ..
        } = &plots.columns[0].shape
        else {
            panic!("bill_length_mm has many values");
        };
        assert_ne!(current, reference);
    }

    #[test]
    fn many_categories_are_capped_with_an_other_bar() {
        let text: String = (0..60).map(|i| format!("c{i}\n")).collect();
        let frame = kiln_data::csv::read_csv_bytes(
            format!("x\n{text}{text}").as_bytes(),
            "t",
            &Default::default(),
        )
        .unwrap();
        let reference = ReferenceProfile::from_frame(&frame, &ReferenceOptions::default()).unwrap();
        let report = detect_drift(&reference, &frame, &DriftSpec::default()).unwrap();
        let plots = DriftPlotData::build(&reference, &frame, &report, 0).unwrap();
        assert_eq!((plots.columns.len(), plots.uncharted), (0, 1));
        let plots = DriftPlotData::build(&reference, &frame, &report, 5).unwrap();
        let PlotShape::Values {
            values,
            other_values,
        } = &plots.columns[0].shape
        else {
            panic!("x is categorical");
        };
        assert_eq!((values.len(), *other_values), (MAX_BARS, 60 - MAX_BARS + 1));
        let last = values.last().unwrap();
        assert_eq!(last.0, format!("other ({} values)", 60 - MAX_BARS + 1));
        // 41 of 60 equally common values: 41/60 of each side (1e-12 absolute).
        assert!((last.1 - 41.0 / 60.0).abs() < 1e-12 && (last.2 - last.1).abs() < 1e-12);
    }
}
