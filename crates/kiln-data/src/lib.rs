//! kiln-data: the data layer of kiln.
//!
//! A [`Frame`] is a set of named columns backed by Apache Arrow arrays, described by a [`Schema`]
//! (each column's type and role). This crate reads and writes frames (CSV, Parquet, NDJSON),
//! infers types, fingerprints datasets for lineage, ships small real datasets and generates
//! seeded synthetic ones. Everything above it in the workflow starts from a `Frame`.
//!
//! ```
//! use kiln_data::{csv, ColumnType};
//! let frame = csv::read_csv_bytes(b"x,colour\n1.5,red\n2,blue\n,red\n7,red\n", "inline", &Default::default())?;
//! assert_eq!(frame.n_rows(), 4);
//! assert_eq!(frame.schema().field("x")?.column_type, ColumnType::Numeric);
//! assert_eq!(frame.schema().field("colour")?.column_type, ColumnType::Categorical);
//! # Ok::<(), kiln_data::DataError>(())
//! ```

pub mod csv;
pub mod datasets;
pub mod datetime;
pub mod error;
pub mod fingerprint;
pub mod frame;
pub mod infer;
pub mod io;
pub mod ndjson;
pub mod parquet_io;
pub mod schema;
pub mod summary;
pub mod synth;

pub use error::{DataError, Result};
pub use fingerprint::{Fingerprint, fingerprint};
pub use frame::Frame;
pub use schema::{ColumnOverride, ColumnType, Field, Role, Schema, SchemaOverrides};
