//! The project's data: read it as `[data]` says, drop rows the target cannot learn from, decide
//! the task, and split off the test rows once.
//!
//! The split is made before anything is fitted or tuned and the test rows are touched once, at
//! the end (DESIGN.md, "leakage-safe by default"). Stratified for classification unless the
//! configuration says otherwise; by group or by time when `[split]` names such a column.

use kiln_data::csv::CsvOptions;
use kiln_data::io::read_any;
use kiln_data::{ColumnType, Frame};
use kiln_prep::Task;
use kiln_prep::split::{
    Fold, group_train_test_split, stratified_train_test_split, time_ordered_split, train_test_split,
};

use crate::config::{ProjectConfig, SplitSection};
use crate::error::{ProjectError, Result};

/// Integer targets with at most this many distinct values are read as classes (0/1 flags,
/// ratings), larger ones as quantities — scikit-learn's `type_of_target` treats every integer
/// target as classes, which turns counts into hundreds of classes.
pub const MAX_INTEGER_CLASSES: usize = 10;

/// Training data as the workflow uses it.
#[derive(Debug, Clone)]
pub struct ProjectData {
    /// Every usable row (rows with a missing target removed).
    pub frame: Frame,
    /// Rows removed because their target was missing.
    pub dropped_missing_target: usize,
    /// Classification or regression.
    pub task: Task,
    /// The train/test rows of `frame`.
    pub split: Fold,
}

impl ProjectData {
    /// The training rows.
    pub fn train(&self) -> Result<Frame> {
        Ok(self.frame.take(&self.split.train)?)
    }

    /// The held-out test rows.
    pub fn test(&self) -> Result<Frame> {
        Ok(self.frame.take(&self.split.test)?)
    }
}

/// Reads the `[data]` file with the configured types and roles.
pub fn read_project_frame(config: &ProjectConfig) -> Result<Frame> {
    let options = CsvOptions {
        overrides: config.overrides()?,
        ..CsvOptions::default()
    };
    Ok(read_any(&config.data.path, &options)?)
}

/// Drops missing-target rows, decides the task and splits.
pub fn prepare(frame: Frame, config: &ProjectConfig) -> Result<ProjectData> {
    let target = &config.data.target;
    let (frame, dropped) = drop_missing_target(frame, target)?;
    if frame.n_rows() < 10 {
        return Err(ProjectError::Invalid(format!(
            "only {} rows have a value in the target column '{target}'; at least 10 are needed to split off a test set",
            frame.n_rows()
        )));
    }
    let task = match config.prep.as_ref().and_then(|p| p.task) {
        Some(t) => t,
        None => decide_task(&frame, target)?,
    };
    let split = split_rows(&frame, target, task, &config.split)?;
    Ok(ProjectData {
        frame,
        dropped_missing_target: dropped,
        task,
        split,
    })
}

/// Removes rows whose target is missing; errors when the column does not exist.
pub fn drop_missing_target(frame: Frame, target: &str) -> Result<(Frame, usize)> {
    let col = frame.schema().index_of(target).map_err(|_| {
        ProjectError::Invalid(format!(
            "target column '{target}' is not in the data (columns: {})",
            frame.names().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let keep: Vec<usize> = (0..frame.n_rows())
        .filter(|&r| frame.cell_text(r, col).is_some_and(|t| !is_nan_text(&t)))
        .collect();
    let dropped = frame.n_rows() - keep.len();
    if dropped == 0 {
        return Ok((frame, 0));
    }
    Ok((frame.take(&keep)?, dropped))
}

fn is_nan_text(t: &str) -> bool {
    t.eq_ignore_ascii_case("nan")
}

/// Classification for categorical, text and boolean targets and for integer targets with at
/// most [`MAX_INTEGER_CLASSES`] distinct values; regression otherwise.
pub fn decide_task(frame: &Frame, target: &str) -> Result<Task> {
    let field = frame.schema().field(target)?;
    Ok(match field.column_type {
        ColumnType::Categorical | ColumnType::Text | ColumnType::Boolean => Task::Classification,
        ColumnType::Integer => {
            let mut values = frame.numeric(target)?;
            values.sort_by(f64::total_cmp);
            values.dedup();
            if values.len() <= MAX_INTEGER_CLASSES {
                Task::Classification
            } else {
                Task::Regression
            }
        }
        ColumnType::Numeric => Task::Regression,
        ColumnType::Datetime => {
            return Err(ProjectError::Invalid(format!(
                "target column '{target}' is a datetime; kiln predicts classes or numbers"
            )));
        }
    })
}

/// The train/test split `[split]` asks for.
pub fn split_rows(frame: &Frame, target: &str, task: Task, s: &SplitSection) -> Result<Fold> {
    if let Some(time) = &s.time {
        let times = frame.time_values(time)?;
        return Ok(time_ordered_split(&times, s.test_size)?);
    }
    if let Some(group) = &s.group {
        let col = frame.schema().index_of(group)?;
        let groups: Vec<String> = (0..frame.n_rows())
            .map(|r| frame.cell_text(r, col).unwrap_or_default())
            .collect();
        return Ok(group_train_test_split(&groups, s.test_size, s.seed)?);
    }
    let stratify = s.stratify.unwrap_or(task == Task::Classification);
    if stratify && task == Task::Classification {
        let codes = class_codes(frame, target)?;
        return Ok(stratified_train_test_split(&codes, s.test_size, s.seed)?);
    }
    if stratify {
        return Err(ProjectError::Config {
            origin: "kiln.toml".into(),
            message: "split.stratify: a regression target cannot be stratified; remove it or set task = \"classification\"".into(),
        });
    }
    Ok(train_test_split(frame.n_rows(), s.test_size, Some(s.seed))?)
}

/// Number of distinct classes of `target` in `frame` for classification, 0 for regression.
pub fn n_classes(frame: &Frame, target: &str, task: Task) -> Result<usize> {
    Ok(match task {
        Task::Classification => class_codes(frame, target)?
            .into_iter()
            .max()
            .map_or(0, |m| m + 1),
        Task::Regression => 0,
    })
}

/// Class index per row (classes in first-seen order; only equality matters for stratifying).
pub fn class_codes(frame: &Frame, target: &str) -> Result<Vec<usize>> {
    let col = frame.schema().index_of(target)?;
    let mut classes: Vec<String> = Vec::new();
    (0..frame.n_rows())
        .map(|r| {
            let label = frame.cell_text(r, col).ok_or_else(|| {
                ProjectError::Invalid(format!("target column '{target}' is missing in row {r}"))
            })?;
            Ok(match classes.iter().position(|c| *c == label) {
                Some(p) => p,
                None => {
                    classes.push(label);
                    classes.len() - 1
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_data::datasets;

    fn config(target: &str) -> ProjectConfig {
        ProjectConfig::from_toml(
            &format!("[data]\npath = \"x.csv\"\ntarget = \"{target}\"\n"),
            "kiln.toml",
        )
        .expect("valid")
    }

    #[test]
    fn auto_mpg_drops_missing_targets_and_is_regression() {
        let data =
            prepare(datasets::load("auto_mpg").expect("bundled"), &config("mpg")).expect("ok");
        assert_eq!(data.dropped_missing_target, 8);
        assert_eq!(data.task, Task::Regression);
        // 398 rows, test = ceil(0.2 × 398) = 80 as scikit-learn.
        assert_eq!((data.split.train.len(), data.split.test.len()), (318, 80));
    }

    #[test]
    fn penguins_split_is_stratified() {
        let frame = datasets::load("penguins").expect("bundled");
        let data = prepare(frame, &config("species")).expect("ok");
        assert_eq!(data.task, Task::Classification);
        let test = data.test().expect("rows");
        let codes = class_codes(&test, "species").expect("codes");
        let adelie = codes.iter().filter(|&&c| c == codes[0]).count();
        // 152 of 344 penguins are Adelie: 0.2 × 344 = 69 test rows → 30 or 31 Adelie.
        assert!((30..=31).contains(&adelie), "{adelie}");
    }

    #[test]
    fn absent_target_is_a_clear_error() {
        let e = prepare(datasets::load("iris").expect("bundled"), &config("colour"))
            .expect_err("absent");
        assert!(e.to_string().contains("'colour' is not in the data"), "{e}");
    }
}
