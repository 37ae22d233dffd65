//! Missing-value imputation: `SimpleImputer` (mean, median, most frequent, constant) with
//! optional missing-indicator columns, as scikit-learn's `SimpleImputer(add_indicator=True)`.
//!
//! Numbers and categories are both handled: mean and median need numbers, most-frequent and
//! constant work on either. A column with no observed value in the training rows is an error for
//! the statistical strategies (scikit-learn silently drops such a column; a pipeline that loses
//! a column without saying so is worse than one that stops and names it).

use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::stats;
use crate::table::{Column, Table};

/// How missing cells are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImputeStrategy {
    /// The mean of the observed training values (numeric columns only).
    #[default]
    Mean,
    /// The median of the observed training values (numeric columns only).
    Median,
    /// The most frequent training value; ties go to the smallest value (as scikit-learn).
    MostFrequent,
    /// `fill_value`.
    Constant,
}

/// A constant fill: a number for numeric columns, text for categorical ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FillValue {
    /// For numeric columns.
    Number(f64),
    /// For categorical columns.
    Text(String),
}

/// Spec of the simple imputer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SimpleImputer {
    /// Fill strategy (default `mean`).
    #[serde(default)]
    pub strategy: ImputeStrategy,
    /// The constant for `strategy = "constant"`; default 0 for numbers and `missing_value` for
    /// categories (scikit-learn's defaults).
    #[serde(default)]
    pub fill_value: Option<FillValue>,
    /// Append one 0/1 column `<name>_is_missing` per column that had missing training cells.
    #[serde(default)]
    pub add_indicator: bool,
}

/// What a fitted imputer writes into a missing cell of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fill {
    /// A number.
    Number(f64),
    /// A category level.
    Level(String),
}

/// A fitted simple imputer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSimpleImputer {
    /// Input columns, in order.
    pub columns: Vec<String>,
    /// Fill per column.
    pub fills: Vec<Fill>,
    /// Positions of the columns that get an indicator (those with missing training cells).
    pub indicators: Vec<usize>,
}

impl SimpleImputer {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if self.fill_value.is_some() && self.strategy != ImputeStrategy::Constant {
            return Err(PrepError::param(
                "simple_imputer",
                "fill_value",
                "is only used with strategy = \"constant\"",
            ));
        }
        if let Some(FillValue::Number(v)) = self.fill_value
            && !v.is_finite()
        {
            return Err(PrepError::param(
                "simple_imputer",
                "fill_value",
                format!("must be finite, got {v}"),
            ));
        }
        Ok(())
    }

    /// Learns one fill per column from the training rows.
    pub fn fit(&self, table: &Table) -> Result<FittedSimpleImputer> {
        self.check()?;
        let mut fills = Vec::with_capacity(table.n_cols());
        let mut indicators = Vec::new();
        for (j, (name, col)) in table.names.iter().zip(&table.columns).enumerate() {
            let has_missing = match col {
                Column::Numeric(v) => v.iter().any(|x| x.is_nan()),
                Column::Categorical { codes, .. } => codes.iter().any(|&c| c < 0),
            };
            if has_missing {
                indicators.push(j);
            }
            fills.push(self.fill_for(name, col)?);
        }
        Ok(FittedSimpleImputer {
            columns: table.names.clone(),
            fills,
            indicators: if self.add_indicator {
                indicators
            } else {
                Vec::new()
            },
        })
    }

    fn fill_for(&self, name: &str, col: &Column) -> Result<Fill> {
        let empty = || {
            PrepError::column(
                name,
                format!(
                    "has no observed value in the training rows, so strategy '{}' has nothing to compute; use strategy = \"constant\" or drop the column",
                    strategy_name(self.strategy)
                ),
            )
        };
        match (self.strategy, col) {
            (ImputeStrategy::Constant, Column::Numeric(_)) => match &self.fill_value {
                None => Ok(Fill::Number(0.0)),
                Some(FillValue::Number(v)) => Ok(Fill::Number(*v)),
                Some(FillValue::Text(t)) => Err(PrepError::column(
                    name,
                    format!("is numeric but fill_value is the text '{t}'; give a number"),
                )),
            },
            (ImputeStrategy::Constant, Column::Categorical { .. }) => match &self.fill_value {
                None => Ok(Fill::Level("missing_value".into())),
                Some(FillValue::Text(t)) => Ok(Fill::Level(t.clone())),
                Some(FillValue::Number(v)) => Ok(Fill::Level(kiln_data::frame::format_f64(*v))),
            },
            (ImputeStrategy::Mean, Column::Numeric(v)) => {
                let (n, mean, _) = stats::mean_var(v);
                if n == 0 {
                    return Err(empty());
                }
                Ok(Fill::Number(mean))
            }
            (ImputeStrategy::Median, Column::Numeric(v)) => {
                let s = stats::sorted_present(v);
                if s.is_empty() {
                    return Err(empty());
                }
                Ok(Fill::Number(stats::median_sorted(&s)))
            }
            (ImputeStrategy::MostFrequent, Column::Numeric(v)) => {
                let s = stats::sorted_present(v);
                // Runs in sorted order; a strictly larger count is needed to win, so ties keep
                // the smallest value.
                let mut best: Option<(f64, usize)> = None;
                let mut i = 0;
                while i < s.len() {
                    let mut k = i;
                    while k < s.len() && s[k] == s[i] {
                        k += 1;
                    }
                    if best.is_none_or(|(_, c)| k - i > c) {
                        best = Some((s[i], k - i));
                    }
                    i = k;
                }
                best.map(|(v, _)| Fill::Number(v)).ok_or_else(empty)
            }
            (ImputeStrategy::MostFrequent, Column::Categorical { codes, levels }) => {
                let mut counts = vec![0usize; levels.len()];
                for &c in codes.iter().filter(|&&c| c >= 0) {
                    counts[c as usize] += 1;
                }
                let mut order: Vec<usize> = (0..levels.len()).filter(|&l| counts[l] > 0).collect();
                order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(levels[a].cmp(&levels[b])));
                order
                    .first()
                    .map(|&l| Fill::Level(levels[l].clone()))
                    .ok_or_else(empty)
            }
            (strategy, Column::Categorical { .. }) => Err(PrepError::column(
                name,
                format!(
                    "is categorical; strategy '{}' needs numbers (use most_frequent or constant)",
                    strategy_name(strategy)
                ),
            )),
        }
    }
}

fn strategy_name(s: ImputeStrategy) -> &'static str {
    match s {
        ImputeStrategy::Mean => "mean",
        ImputeStrategy::Median => "median",
        ImputeStrategy::MostFrequent => "most_frequent",
        ImputeStrategy::Constant => "constant",
    }
}

impl FittedSimpleImputer {
    /// Output column names: the inputs, then one indicator per column that had missing cells.
    pub fn output_names(&self) -> Vec<String> {
        let mut names = self.columns.clone();
        names.extend(
            self.indicators
                .iter()
                .map(|&j| format!("{}_is_missing", self.columns[j])),
        );
        names
    }

    /// Fills missing cells and appends the indicator columns.
    pub fn transform(&self, table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "simple_imputer")?;
        let n = table.n_rows;
        let mut indicator_cols = Vec::with_capacity(self.indicators.len());
        for &j in &self.indicators {
            let flags = match &table.columns[j] {
                Column::Numeric(v) => v.iter().map(|x| f64::from(u8::from(x.is_nan()))).collect(),
                Column::Categorical { codes, .. } => {
                    codes.iter().map(|&c| f64::from(u8::from(c < 0))).collect()
                }
            };
            indicator_cols.push(Column::Numeric(flags));
        }
        let mut out = Table::with_rows(n);
        for ((name, col), fill) in table.names.into_iter().zip(table.columns).zip(&self.fills) {
            let filled = match (col, fill) {
                (Column::Numeric(mut v), Fill::Number(f)) => {
                    v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = *f);
                    Column::Numeric(v)
                }
                (
                    Column::Categorical {
                        mut codes,
                        mut levels,
                    },
                    Fill::Level(l),
                ) => {
                    if codes.iter().any(|&c| c < 0) {
                        let code = match levels.iter().position(|x| x == l) {
                            Some(p) => p as i32,
                            None => {
                                levels.push(l.clone());
                                levels.len() as i32 - 1
                            }
                        };
                        codes.iter_mut().filter(|c| **c < 0).for_each(|c| *c = code);
                    }
                    Column::Categorical { codes, levels }
                }
                _ => {
                    return Err(PrepError::column(
                        &name,
                        "changed between numeric and categorical since the imputer was fitted",
                    ));
                }
            };
            out.push(name, filled);
        }
        for (name, col) in self
            .output_names()
            .into_iter()
            .skip(out.n_cols())
            .zip(indicator_cols)
        {
            out.push(name, col);
        }
        Ok(out)
    }
}
