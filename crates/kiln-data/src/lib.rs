//! kiln-data: the data layer of kiln.
//!
//! A [`Frame`] is a set of named columns backed by Apache Arrow arrays, described by a [`Schema`]
//! (each column's type and role). This crate reads and writes frames (CSV, Parquet, NDJSON),
//! infers types, fingerprints datasets for lineage, ships small real datasets and generates
//! seeded synthetic ones. Everything above it in the workflow starts from a `Frame`.

pub mod error;
pub mod schema;

pub use error::{DataError, Result};
pub use schema::{ColumnOverride, ColumnType, Field, Role, Schema, SchemaOverrides};
