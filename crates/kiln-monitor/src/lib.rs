//! kiln-monitor: watching data and models after training.
//!
//! - [`validate`]: data validation in the spirit of TensorFlow Data Validation. Infer a
//!   [`validate::DataSchema`] (types, roles, nullability, categorical domains, numeric ranges,
//!   missing rates) from a reference file, keep it as TOML next to the model, and check every new
//!   file against it, naming each violation with its severity, count and example rows.
//! - [`drift`]: per-column drift of current data against a [`drift::ReferenceProfile`] of the
//!   training data, with Evidently's default tests and thresholds, multiple-testing corrections
//!   and a dataset verdict.
//! - [`stream`]: streaming drift detectors (DDM, EDDM, ADWIN, Page–Hinkley, CUSUM, KSWIN) with
//!   river's defaults and update rules, for online signals such as a model's error stream.
//! - [`logs`]: the served model over time, from the prediction log joined with its feedback:
//!   rows per time window, prediction drift against the model's test-set predictions, and the
//!   metric per window once labels come back, with an alert threshold.

pub mod drift;
pub mod error;
pub mod logs;
pub mod stream;
pub mod validate;

pub use error::{MonitorError, Result};
