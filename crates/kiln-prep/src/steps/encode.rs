//! Categorical encoders: one-hot (with an infrequent bucket) and ordinal, as scikit-learn's
//! `OneHotEncoder` and `OrdinalEncoder`.
//!
//! Categories are learned from the training rows and sorted. For one-hot a missing cell is its
//! own category (output `name=<missing>`, ordered last, as scikit-learn treats NaN); for ordinal
//! it stays missing (NaN). What happens to a category never seen in training is the user's
//! choice (`handle_unknown`), and the default is to stop with an error naming column and value.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::table::{Column, Table};

/// What one-hot encoding does with a category that was not seen in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HandleUnknown {
    /// Return an error naming the column and the value (default).
    #[default]
    Error,
    /// Encode as all zeros.
    Ignore,
    /// Encode into the infrequent column when the column has one, else all zeros
    /// (scikit-learn's `infrequent_if_exist`).
    Infrequent,
}

/// A minimum category frequency: an absolute count (integer) or a share of training rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MinFrequency {
    /// Categories seen fewer than this many times are infrequent.
    Count(u64),
    /// Categories seen in fewer than this share of training rows are infrequent.
    Fraction(f64),
}

/// Spec of the one-hot encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OneHotEncoder {
    /// Unknown categories at transform time (default `error`).
    #[serde(default)]
    pub handle_unknown: HandleUnknown,
    /// Categories rarer than this share one `name=<infrequent>` column.
    #[serde(default)]
    pub min_frequency: Option<MinFrequency>,
    /// Drop one indicator per column to avoid collinearity (default: keep all).
    #[serde(default)]
    pub drop: Option<DropPolicy>,
}

/// Which indicator `one_hot_encoder` leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropPolicy {
    /// The first (smallest) category of every column.
    First,
    /// The first category of columns with exactly two categories.
    IfBinary,
}

/// The output name of a missing category.
pub const MISSING_LEVEL: &str = "<missing>";
/// The output name of the infrequent bucket.
pub const INFREQUENT_LEVEL: &str = "<infrequent>";

/// One column's learned categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneHotColumn {
    /// Frequent categories, in output order (sorted; `None` = missing, last).
    pub levels: Vec<Option<String>>,
    /// Infrequent categories (sorted; `None` = missing), all sharing one output column.
    pub infrequent: Vec<Option<String>>,
    /// The first level has no indicator (it is encoded as all zeros).
    #[serde(default)]
    pub drop_first: bool,
}

/// A fitted one-hot encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOneHotEncoder {
    /// Input columns.
    pub columns: Vec<String>,
    /// Learned categories per column.
    pub categories: Vec<OneHotColumn>,
    /// Unknown-category policy.
    pub handle_unknown: HandleUnknown,
}

/// Per-column category counts with missing as `None`, sorted like scikit-learn (missing last).
fn level_counts(name: &str, col: &Column, step: &str) -> Result<Vec<(Option<String>, usize)>> {
    let Column::Categorical { codes, levels } = col else {
        return Err(PrepError::column(
            name,
            format!("is numeric; {step} encodes categorical or text columns"),
        ));
    };
    let mut counts = vec![0usize; levels.len()];
    let mut missing = 0usize;
    for &c in codes {
        if c < 0 {
            missing += 1;
        } else {
            counts[c as usize] += 1;
        }
    }
    let mut out: Vec<(Option<String>, usize)> = levels
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| (Some(l.clone()), n))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    if missing > 0 {
        out.push((None, missing));
    }
    Ok(out)
}

impl OneHotEncoder {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        match self.min_frequency {
            Some(MinFrequency::Fraction(f)) if !(f > 0.0 && f < 1.0) => Err(PrepError::param(
                "one_hot_encoder",
                "min_frequency",
                format!("a share must be in (0, 1), got {f}; use an integer for a count"),
            )),
            _ if self.drop.is_some() && self.min_frequency.is_some() => Err(PrepError::param(
                "one_hot_encoder",
                "drop",
                "cannot be combined with min_frequency (which level to drop would depend on the infrequent grouping)",
            )),
            _ => Ok(()),
        }
    }

    /// Learns the categories (and which are infrequent) of each column.
    pub fn fit(&self, table: &Table) -> Result<FittedOneHotEncoder> {
        self.check()?;
        let n = table.n_rows as f64;
        let mut categories = Vec::with_capacity(table.n_cols());
        for (name, col) in table.names.iter().zip(&table.columns) {
            let counts = level_counts(name, col, "one_hot_encoder")?;
            let threshold = match self.min_frequency {
                None => 0.0,
                Some(MinFrequency::Count(c)) => c as f64,
                Some(MinFrequency::Fraction(f)) => f * n,
            };
            let (mut levels, mut infrequent) = (Vec::new(), Vec::new());
            for (level, count) in counts {
                if (count as f64) < threshold {
                    infrequent.push(level);
                } else {
                    levels.push(level);
                }
            }
            let drop_first = match self.drop {
                None => false,
                Some(DropPolicy::First) => !levels.is_empty(),
                Some(DropPolicy::IfBinary) => levels.len() == 2 && infrequent.is_empty(),
            };
            categories.push(OneHotColumn {
                levels,
                infrequent,
                drop_first,
            });
        }
        Ok(FittedOneHotEncoder {
            columns: table.names.clone(),
            categories,
            handle_unknown: self.handle_unknown,
        })
    }
}

fn level_name(level: &Option<String>) -> &str {
    level.as_deref().unwrap_or(MISSING_LEVEL)
}

impl FittedOneHotEncoder {
    /// Output names: `column=level` per frequent level, then `column=<infrequent>` if any.
    pub fn output_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, cats) in self.columns.iter().zip(&self.categories) {
            for l in cats.levels.iter().skip(usize::from(cats.drop_first)) {
                out.push(format!("{name}={}", level_name(l)));
            }
            if !cats.infrequent.is_empty() {
                out.push(format!("{name}={INFREQUENT_LEVEL}"));
            }
        }
        out
    }

    /// Replaces each column by its indicator columns.
    pub fn transform(&self, table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "one_hot_encoder")?;
        let n = table.n_rows;
        let names = self.output_names();
        let mut names = names.into_iter();
        let mut out = Table::with_rows(n);
        for ((name, col), cats) in table.names.iter().zip(&table.columns).zip(&self.categories) {
            let Column::Categorical { codes, levels } = col else {
                return Err(PrepError::column(
                    name,
                    "is numeric; one_hot_encoder encodes categories",
                ));
            };
            let width = cats.levels.len() + usize::from(!cats.infrequent.is_empty());
            // Output position per input level (and for missing); computed once per level.
            let position = |level: Option<&String>| -> Result<Option<usize>> {
                let key = level.cloned();
                if let Some(p) = cats.levels.iter().position(|l| *l == key) {
                    return Ok(Some(p));
                }
                if cats.infrequent.contains(&key) {
                    return Ok(Some(cats.levels.len()));
                }
                match self.handle_unknown {
                    HandleUnknown::Error => Err(PrepError::column(
                        name,
                        format!(
                            "category '{}' was not seen in training (known: {}); set handle_unknown = \"ignore\" or \"infrequent\" to accept it",
                            level.map_or(MISSING_LEVEL, |s| s.as_str()),
                            cats.levels
                                .iter()
                                .chain(&cats.infrequent)
                                .map(level_name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                    HandleUnknown::Ignore => Ok(None),
                    HandleUnknown::Infrequent => {
                        Ok((!cats.infrequent.is_empty()).then_some(cats.levels.len()))
                    }
                }
            };
            let mut map: HashMap<i32, Option<usize>> = HashMap::new();
            let mut blocks = vec![vec![0.0; n]; width];
            for (i, &c) in codes.iter().enumerate() {
                let p = match map.get(&c) {
                    Some(p) => *p,
                    None => {
                        let p = position(if c < 0 {
                            None
                        } else {
                            Some(&levels[c as usize])
                        })?;
                        map.insert(c, p);
                        p
                    }
                };
                if let Some(p) = p {
                    blocks[p][i] = 1.0;
                }
            }
            // A dropped first level is encoded as all zeros: its block is left out.
            for b in blocks.into_iter().skip(usize::from(cats.drop_first)) {
                // `names` yields one name per kept block (see `output_names`).
                out.push(names.next().unwrap_or_default(), Column::Numeric(b));
            }
        }
        Ok(out)
    }
}

/// Spec of the ordinal encoder: each category becomes its index among the sorted training
/// categories; missing stays NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OrdinalEncoder {
    /// The code for unseen categories; without it an unseen category is an error
    /// (scikit-learn's `handle_unknown="use_encoded_value"` with `unknown_value`).
    #[serde(default)]
    pub unknown_value: Option<f64>,
}

/// A fitted ordinal encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOrdinalEncoder {
    /// Input columns.
    pub columns: Vec<String>,
    /// Sorted categories per column.
    pub categories: Vec<Vec<String>>,
    /// Code for unseen categories, if allowed.
    pub unknown_value: Option<f64>,
}

impl OrdinalEncoder {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        // NaN is not accepted: it would not survive a JSON round trip of the fitted encoder.
        if let Some(v) = self.unknown_value
            && !(v.is_finite() && v.fract() == 0.0 && v < 0.0)
        {
            return Err(PrepError::param(
                "ordinal_encoder",
                "unknown_value",
                format!("must be a negative integer so it cannot clash with a real code, got {v}"),
            ));
        }
        Ok(())
    }

    /// Learns the sorted categories of each column.
    pub fn fit(&self, table: &Table) -> Result<FittedOrdinalEncoder> {
        self.check()?;
        let mut categories = Vec::new();
        for (name, col) in table.names.iter().zip(&table.columns) {
            let counts = level_counts(name, col, "ordinal_encoder")?;
            categories.push(counts.into_iter().filter_map(|(l, _)| l).collect());
        }
        Ok(FittedOrdinalEncoder {
            columns: table.names.clone(),
            categories,
            unknown_value: self.unknown_value,
        })
    }
}

impl FittedOrdinalEncoder {
    /// Replaces each category by its code.
    pub fn transform(&self, table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "ordinal_encoder")?;
        let mut out = Table::with_rows(table.n_rows);
        for ((name, col), cats) in table
            .names
            .into_iter()
            .zip(table.columns)
            .zip(&self.categories)
        {
            let Column::Categorical { codes, levels } = col else {
                return Err(PrepError::column(
                    &name,
                    "is numeric; ordinal_encoder encodes categories",
                ));
            };
            let mut map = Vec::with_capacity(levels.len());
            for level in &levels {
                map.push(match cats.binary_search(level) {
                    Ok(p) => Some(p as f64),
                    Err(_) => self.unknown_value,
                });
            }
            let mut values = Vec::with_capacity(codes.len());
            for &c in &codes {
                if c < 0 {
                    values.push(f64::NAN);
                } else if let Some(v) = map[c as usize] {
                    values.push(v);
                } else {
                    return Err(PrepError::column(
                        &name,
                        format!(
                            "category '{}' was not seen in training; set unknown_value (e.g. -1) to accept it",
                            levels[c as usize]
                        ),
                    ));
                }
            }
            out.push(name, Column::Numeric(values));
        }
        Ok(out)
    }
}
