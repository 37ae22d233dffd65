//! Data validation against a schema, in the spirit of TensorFlow Data Validation.
//!
//! [`infer_schema`] reads what a reference file looks like (types, roles, nullability, categorical
//! domains, numeric ranges with optional slack, missing rates) into a [`DataSchema`] kept as TOML;
//! [`validate`] checks a new frame against it and returns every [`Violation`] with its severity,
//! count and up to five example rows (1-based data rows, header excluded).
//!
//! Severities: a missing column, a type mismatch, missing values in a non-nullable column, values
//! out of range and categories out of domain are errors (validation fails); an extra column and a
//! missing rate above the schema's `max_missing_fraction` in a nullable column are warnings.
//!
//! The new file is read with ordinary type inference (not forced to the schema's types), so a
//! column whose values no longer parse shows up as a type mismatch naming the offending rows,
//! rather than as a read error on the first bad cell.

mod check;
mod schema;

pub use check::{MAX_EXAMPLES, Severity, ValidationReport, Violation, ViolationKind, validate};
pub use schema::{ColumnSchema, DataSchema, SCHEMA_FORMAT_VERSION, infer_schema};
