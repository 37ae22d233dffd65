//! Which rows train and which validate: the `[cv]` settings ([`CvSpec`]) and the folds they
//! give for a frame. The index sets come from `kiln_prep::split`, so unshuffled k-fold,
//! stratified, group and time-series folds are identical to scikit-learn's.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use kiln_data::{ColumnType, Frame};
use kiln_prep::split::{self, TimeSeriesOptions};
use kiln_prep::{Fold, PrepError, Task};
use serde::{Deserialize, Serialize};

use crate::pipeline::{PipelineError, PipelineResult};

/// How rows are assigned to folds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CvKind {
    /// Stratified for a classification target, plain k-fold otherwise (scikit-learn's rule for
    /// `cv=<int>`).
    #[default]
    Auto,
    /// Consecutive blocks of rows (shuffled first with `shuffle = true`).
    #[serde(rename = "kfold", alias = "k_fold")]
    KFold,
    /// Every fold keeps the class proportions of the whole target.
    Stratified,
    /// No value of `group_column` is split across folds.
    Group,
    /// Growing training windows followed by the next block in time (`time_column` order, or
    /// row order without one).
    TimeSeries,
}

/// The `[cv]` settings: which folds to use.
///
/// ```
/// let cv: kiln_eval::CvSpec = toml::from_str("kind = \"stratified\"\nn_splits = 3\nshuffle = true\nseed = 7\nrepeats = 2")?;
/// cv.check()?;
/// assert_eq!(cv.n_splits, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CvSpec {
    /// Fold kind (default `auto`).
    #[serde(default)]
    pub kind: CvKind,
    /// Folds per repeat (default 5).
    #[serde(default = "default_splits")]
    pub n_splits: usize,
    /// Shuffle rows before assigning folds (k-fold and stratified only).
    #[serde(default)]
    pub shuffle: bool,
    /// Seed of the shuffle; repeat `r` (0-based) uses `seed + r`.
    #[serde(default)]
    pub seed: u64,
    /// How many times to repeat the whole k-fold with a new seed (needs `shuffle = true` above 1).
    #[serde(default = "default_repeats")]
    pub repeats: usize,
    /// The column whose values form the groups (`kind = "group"` only).
    #[serde(default)]
    pub group_column: Option<String>,
    /// The column that orders rows in time (`kind = "time_series"` only; numeric, integer or
    /// datetime, no missing values). Without it rows are taken to be in time order already.
    #[serde(default)]
    pub time_column: Option<String>,
}

fn default_splits() -> usize {
    5
}

fn default_repeats() -> usize {
    1
}

impl Default for CvSpec {
    fn default() -> Self {
        CvSpec {
            kind: CvKind::Auto,
            n_splits: default_splits(),
            shuffle: false,
            seed: 0,
            repeats: default_repeats(),
            group_column: None,
            time_column: None,
        }
    }
}

fn cv_param(param: &str, message: impl Into<String>) -> PipelineError {
    PipelineError::Prep(PrepError::param("cv", param, message))
}

impl CvSpec {
    /// Checks that the settings make sense together.
    pub fn check(&self) -> PipelineResult<()> {
        if self.n_splits < 2 {
            return Err(cv_param(
                "n_splits",
                format!("must be at least 2, got {}", self.n_splits),
            ));
        }
        if self.repeats == 0 {
            return Err(cv_param("repeats", "must be at least 1"));
        }
        let ordered = matches!(self.kind, CvKind::Group | CvKind::TimeSeries);
        if ordered && self.shuffle {
            return Err(cv_param(
                "shuffle",
                "group and time-series folds are not shuffled; remove `shuffle`",
            ));
        }
        if self.repeats > 1 && !self.shuffle {
            return Err(cv_param(
                "repeats",
                format!(
                    "{} repeats of unshuffled folds would repeat the same folds; set shuffle = true (or repeats = 1)",
                    self.repeats
                ),
            ));
        }
        match (self.kind, &self.group_column) {
            (CvKind::Group, None) => {
                return Err(cv_param("group_column", "group folds need a group_column"));
            }
            (CvKind::Group, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(cv_param(
                    "group_column",
                    "is only used with kind = \"group\"",
                ));
            }
        }
        if self.time_column.is_some() && self.kind != CvKind::TimeSeries {
            return Err(cv_param(
                "time_column",
                "is only used with kind = \"time_series\"",
            ));
        }
        Ok(())
    }

    /// The folds of each repeat for `frame`, whose encoded target is `y` (class codes for
    /// classification). Indices are rows of `frame`, ascending within each set.
    pub fn folds(&self, frame: &Frame, y: &[f64], task: Task) -> PipelineResult<Vec<Vec<Fold>>> {
        self.check()?;
        let n = frame.n_rows();
        let kind = match (self.kind, task) {
            (CvKind::Auto, Task::Classification) => CvKind::Stratified,
            (CvKind::Auto, Task::Regression) => CvKind::KFold,
            (kind, _) => kind,
        };
        let mut out = Vec::with_capacity(self.repeats);
        for r in 0..self.repeats {
            let seed = self.shuffle.then(|| self.seed.wrapping_add(r as u64));
            let folds = match kind {
                // `Auto` was resolved above; it only reaches here for a regression target,
                // where it means k-fold.
                CvKind::KFold | CvKind::Auto => split::k_fold(n, self.n_splits, seed)?,
                CvKind::Stratified => {
                    if task != Task::Classification {
                        return Err(cv_param(
                            "kind",
                            "stratified folds need a classification target; use kind = \"kfold\"",
                        ));
                    }
                    // Codes come from the target encoding: whole numbers in 0..k.
                    let codes: Vec<usize> = y.iter().map(|&c| c as usize).collect();
                    split::stratified_k_fold(&codes, self.n_splits, seed)?
                }
                CvKind::Group => {
                    // `check` guarantees the column is named for group folds.
                    let column = self.group_column.as_deref().unwrap_or_default();
                    split::group_k_fold(&group_values(frame, column)?, self.n_splits)?
                }
                CvKind::TimeSeries => {
                    let order = match &self.time_column {
                        Some(column) => time_order(frame, column)?,
                        None => (0..n).collect(),
                    };
                    split::time_series_split(n, self.n_splits, TimeSeriesOptions::default())?
                        .into_iter()
                        .map(|f| {
                            let mut train: Vec<usize> = f.train.iter().map(|&i| order[i]).collect();
                            let mut test: Vec<usize> = f.test.iter().map(|&i| order[i]).collect();
                            train.sort_unstable();
                            test.sort_unstable();
                            Fold { train, test }
                        })
                        .collect()
                }
            };
            out.push(folds);
        }
        Ok(out)
    }
}

/// The group of every row as text; a missing group is an error naming the row.
fn group_values(frame: &Frame, column: &str) -> PipelineResult<Vec<String>> {
    let col = frame.schema().index_of(column)?;
    (0..frame.n_rows())
        .map(|r| {
            frame.cell_text(r, col).ok_or_else(|| {
                PipelineError::Invalid(format!(
                    "group column '{column}' is missing at row {r}; every row needs a group"
                ))
            })
        })
        .collect()
}

/// Row indices sorted by the time column (stable, so ties keep row order).
fn time_order(frame: &Frame, column: &str) -> PipelineResult<Vec<usize>> {
    let field = frame.schema().field(column)?;
    let times: Vec<f64> = if field.column_type == ColumnType::Datetime {
        let array = frame
            .column(column)?
            .as_primitive::<TimestampMicrosecondType>();
        (0..array.len())
            .map(|i| {
                if array.is_null(i) {
                    f64::NAN
                } else {
                    array.value(i) as f64
                }
            })
            .collect()
    } else {
        frame.numeric(column)?
    };
    if let Some(r) = times.iter().position(|t| t.is_nan()) {
        return Err(PipelineError::Invalid(format!(
            "time column '{column}' is missing at row {r}; time-series folds need a time for every row"
        )));
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
    Ok(order)
}
