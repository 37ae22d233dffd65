//! kiln-monitor: watching data and models after training.
//!
//! This first part is data validation in the spirit of TensorFlow Data Validation: infer a
//! [`validate::DataSchema`] (types, roles, nullability, categorical domains, numeric ranges,
//! missing rates) from a reference file, keep it as TOML next to the model, and check every new
//! file against it ([`validate::validate`]), naming each violation with its severity, count and
//! example rows. Drift tests and streaming detectors join this crate later.

pub mod error;
pub mod validate;

pub use error::{MonitorError, Result};
