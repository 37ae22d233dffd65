//! Drift between reference data and current data, column by column, as Evidently's data drift
//! preset measures it.
//!
//! A [`ReferenceProfile`] summarizes the reference (training) data compactly enough to be stored
//! in a model artifact; [`detect_drift`] compares a current frame with it under a [`DriftSpec`]
//! and returns a [`DriftReport`]: per column the method, statistic, p-value or distance,
//! threshold, verdict and effect size; an optional multiple-testing correction over the p-value
//! methods; and the dataset verdict (share of drifted columns ≥ `drift_share`, 0.5 by default).
//!
//! The automatic choice of method and every default threshold are Evidently's; see [`spec`] for
//! the table. Missing values (null, NaN, ±∞) are dropped on both sides before any test, as
//! Evidently drops them; a column with no value left on either side is an error, not a silent
//! pass.

mod binning;
mod column;
pub mod html;
pub mod plot;
pub mod reference;
mod report;
pub mod spec;
mod values;

pub use column::{EffectSize, EffectSizeKind};
pub use plot::{ColumnPlot, DriftPlotData, PlotShape};
pub use reference::{
    CategoryReference, ColumnReference, ColumnSummary, NumericReference, ReferenceOptions,
    ReferenceProfile,
};
pub use report::{ColumnDrift, DriftReport, SkippedColumn, detect_drift};
pub use spec::{CorrectionSpec, DriftMethod, DriftSpec, PsiBinning};
