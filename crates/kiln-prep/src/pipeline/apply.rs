//! Applying a fitted pipeline: reading a block's inputs from a `Frame` (numbers and categories,
//! tolerant of a category sent as a number), encoding the target with the stored classes, and
//! `FittedPipeline::transform`, the one function training, scoring and serving all call.

use kiln_data::{ColumnType, Frame};
use ndarray::Array2;

use super::{FittedPipeline, InputColumn, TargetEncoding, Task};
use crate::error::{PrepError, Result};
use crate::table::{Column, Table};

/// Reads a block's input columns, accepting numbers where categories are expected (they are
/// read as their text, so a serving request that sends a code as a number still works).
pub(crate) fn read_inputs(frame: &Frame, cols: &[InputColumn]) -> Result<Table> {
    let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
    let mut table = Table::from_frame(frame, &names)?;
    for (j, c) in cols.iter().enumerate() {
        match (&table.columns[j], c.categorical) {
            (Column::Numeric(_), true) => {
                let col = frame.schema().index_of(&c.name)?;
                let values: Vec<Option<String>> = (0..frame.n_rows())
                    .map(|r| frame.cell_text(r, col))
                    .collect();
                table.columns[j] = Column::categorical_from(&values);
            }
            (Column::Categorical { .. }, false) => {
                return Err(PrepError::column(
                    &c.name,
                    format!(
                        "was numeric in training but is {} now",
                        frame.schema().field(&c.name)?.column_type
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(table)
}

/// Learns the target encoding and returns the training target.
pub(crate) fn encode_target_fit(
    frame: &Frame,
    name: &str,
    task: Option<Task>,
) -> Result<(TargetEncoding, Vec<f64>)> {
    let t = frame.schema().field(name)?.column_type;
    let task = task.unwrap_or(match t {
        ColumnType::Categorical | ColumnType::Text | ColumnType::Boolean => Task::Classification,
        _ => Task::Regression,
    });
    let col = frame.schema().index_of(name)?;
    let missing = |r: usize| {
        PrepError::column(
            name,
            format!("is the target but row {r} is missing; drop unlabelled rows before fitting"),
        )
    };
    match task {
        Task::Regression => {
            let y = frame.numeric(name)?;
            if let Some(r) = y.iter().position(|v| !v.is_finite()) {
                return Err(missing(r));
            }
            Ok((
                TargetEncoding {
                    column: name.into(),
                    classes: None,
                },
                y,
            ))
        }
        Task::Classification => {
            let labels: Vec<String> = (0..frame.n_rows())
                .map(|r| frame.cell_text(r, col).ok_or_else(|| missing(r)))
                .collect::<Result<_>>()?;
            let mut classes = labels.clone();
            if t.is_numeric() {
                classes.sort_by(|a, b| {
                    a.parse::<f64>()
                        .unwrap_or(f64::NAN)
                        .total_cmp(&b.parse::<f64>().unwrap_or(f64::NAN))
                });
            } else {
                classes.sort();
            }
            classes.dedup();
            if classes.len() < 2 {
                return Err(PrepError::column(
                    name,
                    format!(
                        "has a single class ({}); classification needs at least 2",
                        classes.join(", ")
                    ),
                ));
            }
            let enc = TargetEncoding {
                column: name.into(),
                classes: Some(classes),
            };
            let y = enc.codes(&labels)?;
            Ok((enc, y))
        }
    }
}

impl TargetEncoding {
    fn codes(&self, labels: &[String]) -> Result<Vec<f64>> {
        let classes = self.classes.as_deref().unwrap_or_default();
        labels
            .iter()
            .map(|l| {
                classes
                    .iter()
                    .position(|c| c == l)
                    .map(|p| p as f64)
                    .ok_or_else(|| {
                        PrepError::column(
                            &self.column,
                            format!(
                                "class '{l}' was not seen in training (classes: {})",
                                classes.join(", ")
                            ),
                        )
                    })
            })
            .collect()
    }
}

impl FittedPipeline {
    /// Turns raw rows into the model matrix (column-major). Never reads the target.
    pub fn transform(&self, frame: &Frame) -> Result<Array2<f64>> {
        let mut parts = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let mut table = read_inputs(frame, &block.inputs)?;
            for step in &block.steps {
                table = step.transform(table)?;
            }
            parts.push(table);
        }
        let mut table = Table::hstack(parts, frame.n_rows());
        for step in &self.after {
            table = step.transform(table)?;
        }
        table.to_matrix()
    }

    /// The encoded target of `frame` (class codes as f64, or values).
    pub fn encode_target(&self, frame: &Frame) -> Result<Vec<f64>> {
        let enc = self.target.as_ref().ok_or_else(|| {
            PrepError::input("encode_target", "the pipeline was fitted without a target")
        })?;
        match &enc.classes {
            None => frame.numeric(&enc.column).map_err(PrepError::from),
            Some(_) => {
                let col = frame.schema().index_of(&enc.column)?;
                let labels: Vec<String> = (0..frame.n_rows())
                    .map(|r| {
                        frame.cell_text(r, col).ok_or_else(|| {
                            PrepError::column(&enc.column, format!("row {r} is missing"))
                        })
                    })
                    .collect::<Result<_>>()?;
                enc.codes(&labels)
            }
        }
    }

    /// The names of the input columns the pipeline reads.
    pub fn input_columns(&self) -> Vec<&str> {
        self.blocks
            .iter()
            .flat_map(|b| b.inputs.iter().map(|c| c.name.as_str()))
            .collect()
    }

    /// Serialises to JSON (floats round-trip exactly).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| PrepError::Format {
            origin: "fitted pipeline".into(),
            message: e.to_string(),
        })
    }

    /// Reads a pipeline written by `to_json`.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| PrepError::Format {
            origin: "fitted pipeline".into(),
            message: e.to_string(),
        })
    }
}
