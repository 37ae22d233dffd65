//! Data validation against a schema, in the spirit of TensorFlow Data Validation.
//!
//! [`infer_schema`] reads what a reference file looks like (types, roles, nullability, categorical
//! domains, numeric ranges with optional slack, missing rates) into a [`DataSchema`] kept as TOML;
//! [`validate`] checks a new frame against it and returns every [`Violation`] with its severity,
//! count and up to five example rows (1-based data rows, header excluded).
//!
//! Severities: a missing column, a type mismatch, missing values in a non-nullable column, ±∞
//! where the schema does not allow it, values out of range and categories out of domain are
//! errors (validation fails); an extra column and a missing rate above the schema's
//! `max_missing_fraction` in a nullable column are warnings. In numeric columns NaN counts as a
//! missing value, as kiln's models read it.
//!
//! [`DataSchema::from_model_inputs`] derives the schema a trained model accepts from the input
//! schema and training profile stored in its artifact, so new data can be checked against a
//! model without a hand-kept schema file.
//!
//! The new file is read with ordinary type inference (not forced to the schema's types), so a
//! column whose values no longer parse shows up as a type mismatch naming the offending rows,
//! rather than as a read error on the first bad cell.

mod check;
mod schema;

pub use check::{MAX_EXAMPLES, Severity, ValidationReport, Violation, ViolationKind, validate};
pub use schema::{ColumnSchema, DataSchema, SCHEMA_FORMAT_VERSION, infer_schema};
