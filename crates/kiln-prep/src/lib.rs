//! kiln-prep: everything between a raw `Frame` and the dense model matrix.
//!
//! Transformers are specs (serde data with `check()`) that fit into fitted types, gathered in the
//! `StepSpec` / `FittedStep` enums. A `PipelineSpec` routes columns to steps, is fitted on
//! training rows only and yields a `FittedPipeline` that turns any `Frame` — one row or many,
//! with missing cells and unseen categories — into the same `Array2<f64>` in training, CV,
//! batch scoring and serving. Splits and folds, and imbalance resampling that runs on training
//! rows only, live here too.

pub mod error;
pub mod pipeline;
pub mod resample;
pub mod split;
pub mod stats;
pub mod steps;
pub mod table;

pub use error::{PrepError, Result};
pub use pipeline::{
    BlockSpec, ColumnSelector, FittedPipeline, PipelineSpec, Prepared, PreparedFold, Remainder,
    TargetEncoding, Task,
};
pub use resample::{ResampleSpec, Resampled};
pub use split::Fold;
pub use steps::{FitContext, FittedStep, StepSpec};
pub use table::{Column, Table};
