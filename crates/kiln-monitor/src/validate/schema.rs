//! The data schema: what a reference file looked like, per column, written as TOML.
//!
//! ```toml
//! version = 1
//! reference_rows = 150
//! slack = 0.0
//!
//! [[columns]]
//! name = "sepal_length"
//! type = "numeric"
//! role = "feature"
//! nullable = false
//! max_missing_fraction = 0.0
//! min = 4.3
//! max = 7.9
//!
//! [[columns]]
//! name = "species"
//! type = "categorical"
//! role = "target"
//! nullable = false
//! max_missing_fraction = 0.0
//! domain = ["setosa", "versicolor", "virginica"]
//! ```
//!
//! As in TensorFlow Data Validation, the schema is inferred once and then owned by people: edit
//! the ranges, domains and nullability to say what is acceptable, and every later file is
//! checked against that.

use std::path::Path;

use kiln_data::{ColumnType, Frame, Role};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::drift::{ColumnSummary, ReferenceProfile};
use crate::error::{MonitorError, Result};

/// The schema format version this crate writes and reads.
pub const SCHEMA_FORMAT_VERSION: u32 = 1;

/// Expected shape of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSchema {
    /// Format version, [`SCHEMA_FORMAT_VERSION`].
    pub version: u32,
    /// Rows of the file the schema was inferred from (informational).
    #[serde(default)]
    pub reference_rows: u64,
    /// The slack fraction the ranges were widened by (informational).
    #[serde(default)]
    pub slack: f64,
    /// Columns in order.
    pub columns: Vec<ColumnSchema>,
}

/// Expectations for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSchema {
    /// Column name.
    pub name: String,
    /// Expected type (integer data is accepted where numeric is expected, and categorical and
    /// text accept each other).
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Role.
    pub role: Role,
    /// Whether missing values are allowed at all.
    pub nullable: bool,
    /// Highest acceptable share of missing cells (0–1).
    pub max_missing_fraction: f64,
    /// Smallest acceptable value (numeric and integer columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest acceptable value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Acceptable values (categorical columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<Vec<String>>,
    /// Whether ±∞ is acceptable in a numeric column (inferred: the reference had some). NaN is
    /// not a value but a missing cell, as models read it, so the null rules cover it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_infinite: bool,
}

impl DataSchema {
    /// Parses a TOML schema; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self> {
        let schema: DataSchema = toml::from_str(text).map_err(|e| MonitorError::Schema {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        if schema.version != SCHEMA_FORMAT_VERSION {
            return Err(MonitorError::Schema {
                path: origin.to_string(),
                message: format!(
                    "format version {} is not supported; expected version = {SCHEMA_FORMAT_VERSION}",
                    schema.version
                ),
            });
        }
        for c in &schema.columns {
            if let (Some(lo), Some(hi)) = (c.min, c.max)
                && lo > hi
            {
                return Err(MonitorError::Schema {
                    path: origin.to_string(),
                    message: format!("column '{}': min {lo} is above max {hi}", c.name),
                });
            }
            if !(0.0..=1.0).contains(&c.max_missing_fraction) {
                return Err(MonitorError::Schema {
                    path: origin.to_string(),
                    message: format!(
                        "column '{}': max_missing_fraction {} is not between 0 and 1",
                        c.name, c.max_missing_fraction
                    ),
                });
            }
        }
        Ok(schema)
    }

    /// Reads a TOML schema file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| MonitorError::Schema {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// The schema as TOML text.
    pub fn to_toml(&self) -> Result<String> {
        let body = toml::to_string(self).map_err(|e| MonitorError::Schema {
            path: "(in memory)".into(),
            message: e.to_string(),
        })?;
        Ok(format!(
            "# kiln data schema: edit ranges, domains and nullability to state what is acceptable.\n{body}"
        ))
    }

    /// Writes the schema as TOML.
    pub fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_toml()?).map_err(|e| MonitorError::Schema {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// What a trained model accepts: its input columns (`inputs`, the schema stored in the
    /// model artifact) with their types and roles, and, from the profile of its training rows
    /// when there is one, the categories it saw and the missing share of each column.
    ///
    /// Missing cells are allowed where the training rows had some (or the input schema declares
    /// the column nullable); categorical columns accept the training categories only; ±∞ is
    /// never accepted. Numeric ranges are left open: a value beyond the training range is a
    /// matter for drift tests, not invalid input.
    ///
    /// ```
    /// use kiln_monitor::drift::{ReferenceOptions, ReferenceProfile};
    /// use kiln_monitor::validate::{validate, DataSchema, ViolationKind};
    /// let train = kiln_data::datasets::load("penguins")?;
    /// let profile = ReferenceProfile::from_frame(&train, &ReferenceOptions::default())?;
    /// let inputs = train.schema().clone();
    /// let schema = DataSchema::from_model_inputs(&inputs, Some(&profile));
    /// assert_eq!(schema.column("island").unwrap().domain.as_ref().unwrap().len(), 3);
    /// assert!(validate(&train, &schema)?.passed);
    /// # Ok::<(), kiln_monitor::MonitorError>(())
    /// ```
    pub fn from_model_inputs(
        inputs: &kiln_data::Schema,
        training: Option<&ReferenceProfile>,
    ) -> DataSchema {
        let columns = inputs
            .fields
            .iter()
            .map(|f| {
                let seen = training.and_then(|t| t.column(&f.name));
                let rows = training.map_or(0, |t| t.rows);
                let missing = seen.map_or(0, |c| c.missing);
                let nullable = f.nullable || missing > 0;
                let max_missing_fraction = match (seen, rows) {
                    (Some(_), r) if r > 0 => missing as f64 / r as f64,
                    _ if nullable => 1.0,
                    _ => 0.0,
                };
                let domain = match (f.column_type, seen.map(|c| &c.summary)) {
                    (ColumnType::Categorical, Some(ColumnSummary::Categories(c))) => {
                        Some(c.counts.iter().map(|(v, _)| v.clone()).collect())
                    }
                    _ => None,
                };
                ColumnSchema {
                    name: f.name.clone(),
                    column_type: f.column_type,
                    role: f.role,
                    nullable,
                    max_missing_fraction,
                    min: None,
                    max: None,
                    domain,
                    allow_infinite: false,
                }
            })
            .collect();
        DataSchema {
            version: SCHEMA_FORMAT_VERSION,
            reference_rows: training.map_or(0, |t| t.rows),
            slack: 0.0,
            columns,
        }
    }
}

/// Infers a schema from a reference frame. Numeric ranges are the observed [min, max] widened by
/// `slack` × (max − min) on each side; categorical domains are the observed categories; a column
/// is nullable if it had missing cells.
///
/// ```
/// let frame = kiln_data::datasets::load("iris")?;
/// let s = kiln_monitor::validate::infer_schema(&frame, 0.1)?;
/// let c = s.column("sepal_length").unwrap();
/// assert!((c.min.unwrap() - (4.3 - 0.36)).abs() < 1e-12);
/// assert_eq!(s.column("species").unwrap().domain.as_ref().unwrap().len(), 3);
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
pub fn infer_schema(frame: &Frame, slack: f64) -> Result<DataSchema> {
    if !(slack.is_finite() && slack >= 0.0) {
        return Err(MonitorError::InvalidParameter {
            name: "slack",
            value: slack.to_string(),
            expected: "a fraction ≥ 0, e.g. 0.1 to widen ranges by 10% of their width",
        });
    }
    let rows = frame.n_rows();
    let columns = (0..frame.n_cols())
        .into_par_iter()
        .map(|i| -> Result<ColumnSchema> {
            let (field, array) = frame.column_at(i);
            let numbers = if matches!(field.column_type, ColumnType::Numeric | ColumnType::Integer)
            {
                Some(frame.numeric(&field.name)?)
            } else {
                None
            };
            // NaN is a missing cell to a model, so it counts with the nulls.
            let missing = match &numbers {
                Some(v) => v.iter().filter(|x| x.is_nan()).count(),
                None => array.null_count(),
            };
            let mut c = ColumnSchema {
                name: field.name.clone(),
                column_type: field.column_type,
                role: field.role,
                nullable: missing > 0,
                max_missing_fraction: if rows == 0 {
                    0.0
                } else {
                    missing as f64 / rows as f64
                },
                min: None,
                max: None,
                domain: None,
                allow_infinite: false,
            };
            match (field.column_type, &numbers) {
                (_, Some(v)) => {
                    c.allow_infinite = v.iter().any(|x| x.is_infinite());
                    let (lo, hi) = v
                        .iter()
                        .filter(|x| x.is_finite())
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                            (a.min(x), b.max(x))
                        });
                    if lo <= hi {
                        let pad = slack * (hi - lo);
                        c.min = Some(lo - pad);
                        c.max = Some(hi + pad);
                    }
                }
                (ColumnType::Categorical, _) => {
                    let (codes, names) = frame.categorical(&field.name)?;
                    let mut seen = vec![false; names.len()];
                    for &code in codes.iter().filter(|&&c| c >= 0) {
                        seen[code as usize] = true;
                    }
                    c.domain = Some(
                        names
                            .into_iter()
                            .zip(seen)
                            .filter(|(_, s)| *s)
                            .map(|(n, _)| n)
                            .collect(),
                    );
                }
                _ => {}
            }
            Ok(c)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DataSchema {
        version: SCHEMA_FORMAT_VERSION,
        reference_rows: rows as u64,
        slack,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trips_and_bad_files_are_named_errors() {
        let frame = kiln_data::datasets::load("auto_mpg").unwrap();
        let s = infer_schema(&frame, 0.0).unwrap();
        let text = s.to_toml().unwrap();
        assert_eq!(DataSchema::from_toml(&text, "s.toml").unwrap(), s);
        let hp = s.column("horsepower").unwrap();
        assert!(hp.nullable && hp.max_missing_fraction > 0.0);
        assert_eq!((hp.min, hp.max), (Some(46.0), Some(230.0)));
        let e = DataSchema::from_toml("version = 2\ncolumns = []\n", "x.toml").unwrap_err();
        assert!(e.to_string().contains("format version 2"), "{e}");
        let e = infer_schema(&frame, -1.0).unwrap_err();
        assert!(e.to_string().starts_with("slack = -1"), "{e}");
    }
}
