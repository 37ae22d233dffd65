//! Seeded synthetic datasets: classification in the manner of scikit-learn's
//! `make_classification`, regression in the manner of `make_regression`, and drifted copies.
//!
//! Rows are generated in blocks of `BLOCK_ROWS`, each block from its own ChaCha stream of the
//! seed, so output is identical for a seed whatever the number of threads.
//!
//! Classification layout (as `make_classification` with `shuffle=False`): columns `f0…` hold
//! the informative features, then the redundant ones (random linear combinations of the
//! informative), then noise; the target `target` is the class (0…k-1). Each class has
//! `clusters_per_class` Gaussian clusters centred on vertices of a hypercube with side
//! `2 × class_sep`, each cluster with its own random covariance.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, StringArray};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
use crate::frame::Frame;
use crate::schema::{ColumnType, Field, Role, Schema};

const BLOCK_ROWS: usize = 1 << 14;

/// Parameters of a synthetic classification set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassificationSpec {
    /// Rows.
    pub rows: usize,
    /// Feature columns (informative + redundant + noise).
    pub features: usize,
    /// Features that carry the signal.
    pub informative: usize,
    /// Linear combinations of the informative features.
    pub redundant: usize,
    /// Number of classes.
    pub classes: usize,
    /// Gaussian clusters per class.
    pub clusters_per_class: usize,
    /// Half the hypercube side: larger separates the classes more.
    pub class_sep: f64,
    /// Class proportions (normalised); empty = balanced. Use e.g. `[0.95, 0.05]` for imbalance.
    pub weights: Vec<f64>,
    /// Fraction of labels replaced by a random class (label noise).
    pub flip_y: f64,
    /// Fraction of feature cells set missing, completely at random.
    pub missing_rate: f64,
    /// How many of the last feature columns become categorical (binned into `categories` levels).
    pub categorical: usize,
    /// Levels of each categorical column.
    pub categories: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for ClassificationSpec {
    fn default() -> Self {
        ClassificationSpec {
            rows: 1000,
            features: 20,
            informative: 2,
            redundant: 2,
            classes: 2,
            clusters_per_class: 2,
            class_sep: 1.0,
            weights: Vec::new(),
            flip_y: 0.01,
            missing_rate: 0.0,
            categorical: 0,
            categories: 8,
            seed: 0,
        }
    }
}

/// Parameters of a synthetic regression set: `y = X·w + bias + noise·ε`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegressionSpec {
    /// Rows.
    pub rows: usize,
    /// Feature columns.
    pub features: usize,
    /// Features with a non-zero weight (the first ones).
    pub informative: usize,
    /// Standard deviation of the Gaussian noise on the target.
    pub noise: f64,
    /// Intercept.
    pub bias: f64,
    /// Fraction of feature cells set missing.
    pub missing_rate: f64,
    /// How many of the last feature columns become categorical.
    pub categorical: usize,
    /// Levels of each categorical column.
    pub categories: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for RegressionSpec {
    fn default() -> Self {
        RegressionSpec {
            rows: 1000,
            features: 10,
            informative: 5,
            noise: 1.0,
            bias: 0.0,
            missing_rate: 0.0,
            categorical: 0,
            categories: 8,
            seed: 0,
        }
    }
}

fn check_common(
    rows: usize,
    features: usize,
    missing: f64,
    categorical: usize,
    categories: usize,
) -> Result<()> {
    if rows == 0 || features == 0 {
        return Err(DataError::invalid(
            "synth",
            "rows and features must be at least 1",
        ));
    }
    if !(0.0..1.0).contains(&missing) {
        return Err(DataError::invalid(
            "missing_rate",
            format!("{missing} is not in [0, 1)"),
        ));
    }
    if categorical > features {
        return Err(DataError::invalid(
            "categorical",
            format!("{categorical} categorical columns asked for, but only {features} features"),
        ));
    }
    if categorical > 0 && !(2..=1000).contains(&categories) {
        return Err(DataError::invalid(
            "categories",
            format!("{categories} is not in 2..=1000"),
        ));
    }
    Ok(())
}

impl ClassificationSpec {
    /// Validates the parameters, naming the first bad one.
    pub fn check(&self) -> Result<()> {
        check_common(
            self.rows,
            self.features,
            self.missing_rate,
            self.categorical,
            self.categories,
        )?;
        if self.informative == 0 || self.informative + self.redundant > self.features {
            return Err(DataError::invalid(
                "informative",
                format!(
                    "need 1 ≤ informative and informative + redundant ≤ features; got {} + {} > {}",
                    self.informative, self.redundant, self.features
                ),
            ));
        }
        if self.classes < 2 {
            return Err(DataError::invalid(
                "classes",
                "at least 2 classes are needed",
            ));
        }
        let clusters = self.classes * self.clusters_per_class;
        if self.informative < 31 && clusters > 1 << self.informative {
            return Err(DataError::invalid(
                "informative",
                format!(
                    "{} classes × {} clusters need at least {} informative features (2^informative ≥ clusters)",
                    self.classes,
                    self.clusters_per_class,
                    (clusters as f64).log2().ceil()
                ),
            ));
        }
        if !self.weights.is_empty()
            && (self.weights.len() != self.classes
                || self.weights.iter().any(|w| !(*w > 0.0 && w.is_finite())))
        {
            return Err(DataError::invalid(
                "weights",
                format!(
                    "need {} positive class weights, got {:?}",
                    self.classes, self.weights
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.flip_y) {
            return Err(DataError::invalid(
                "flip_y",
                format!("{} is not in [0, 1]", self.flip_y),
            ));
        }
        Ok(())
    }

    /// Generates the dataset.
    pub fn generate(&self) -> Result<Frame> {
        self.check()?;
        let k = self.informative;
        let n_clusters = self.classes * self.clusters_per_class;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        // Distinct hypercube vertices as cluster centroids.
        let mut vertices: Vec<u64> = Vec::with_capacity(n_clusters);
        while vertices.len() < n_clusters {
            let v: u64 = if k >= 64 {
                rng.random()
            } else {
                rng.random_range(0..1u64 << k)
            };
            if !vertices.contains(&v) {
                vertices.push(v);
            }
        }
        let centroids: Vec<Vec<f64>> = vertices
            .iter()
            .map(|v| {
                (0..k)
                    .map(|j| {
                        if (v >> (j % 64)) & 1 == 1 {
                            self.class_sep
                        } else {
                            -self.class_sep
                        }
                    })
                    .collect()
            })
            .collect();
        let covariances: Vec<Vec<f64>> = (0..n_clusters)
            .map(|_| {
                (0..k * k)
                    .map(|_| 2.0 * rng.random::<f64>() - 1.0)
                    .collect()
            })
            .collect();
        let redundant: Vec<f64> = (0..k * self.redundant)
            .map(|_| 2.0 * rng.random::<f64>() - 1.0)
            .collect();
        let weights = if self.weights.is_empty() {
            vec![1.0; self.classes]
        } else {
            self.weights.clone()
        };
        let total: f64 = weights.iter().sum();
        let cumulative: Vec<f64> = weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w / total;
                Some(*acc)
            })
            .collect();
        let p = self.features;
        let blocks = generate_blocks(self.rows, self.seed, p, |rng, x, y| {
            let u: f64 = rng.random();
            let class = cumulative
                .iter()
                .position(|&c| u < c)
                .unwrap_or(self.classes - 1);
            let cluster =
                class * self.clusters_per_class + rng.random_range(0..self.clusters_per_class);
            let z: Vec<f64> = (0..k).map(|_| StandardNormal.sample(rng)).collect();
            let a = &covariances[cluster];
            for j in 0..k {
                x[j] = centroids[cluster][j] + (0..k).map(|i| z[i] * a[i * k + j]).sum::<f64>();
            }
            for r in 0..self.redundant {
                x[k + r] = (0..k)
                    .map(|i| x[i] * redundant[i * self.redundant + r])
                    .sum();
            }
            for v in x.iter_mut().skip(k + self.redundant) {
                *v = StandardNormal.sample(rng);
            }
            *y = if rng.random::<f64>() < self.flip_y {
                rng.random_range(0..self.classes) as f64
            } else {
                class as f64
            };
        });
        assemble(
            blocks,
            self.rows,
            p,
            self.missing_rate,
            self.categorical,
            self.categories,
            self.seed,
            true,
        )
    }
}

impl RegressionSpec {
    /// Validates the parameters, naming the first bad one.
    pub fn check(&self) -> Result<()> {
        check_common(
            self.rows,
            self.features,
            self.missing_rate,
            self.categorical,
            self.categories,
        )?;
        if self.informative > self.features {
            return Err(DataError::invalid(
                "informative",
                format!(
                    "{} informative features but only {} features",
                    self.informative, self.features
                ),
            ));
        }
        if !(self.noise >= 0.0 && self.noise.is_finite()) {
            return Err(DataError::invalid(
                "noise",
                format!("{} must be finite and ≥ 0", self.noise),
            ));
        }
        Ok(())
    }

    /// Generates the dataset.
    pub fn generate(&self) -> Result<Frame> {
        self.check()?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let coef: Vec<f64> = (0..self.informative)
            .map(|_| 100.0 * rng.random::<f64>())
            .collect();
        let blocks = generate_blocks(self.rows, self.seed, self.features, |rng, x, y| {
            for v in x.iter_mut() {
                *v = StandardNormal.sample(rng);
            }
            let noise: f64 = StandardNormal.sample(rng);
            *y = self.bias
                + coef.iter().zip(x.iter()).map(|(c, v)| c * v).sum::<f64>()
                + self.noise * noise;
        });
        assemble(
            blocks,
            self.rows,
            self.features,
            self.missing_rate,
            self.categorical,
            self.categories,
            self.seed,
            false,
        )
    }
}

/// Row-major features and targets, generated block by block from independent streams.
type Block = (Vec<f64>, Vec<f64>);

fn generate_blocks<F>(rows: usize, seed: u64, p: usize, row: F) -> Vec<Block>
where
    F: Fn(&mut ChaCha8Rng, &mut [f64], &mut f64) + Sync,
{
    (0..rows.div_ceil(BLOCK_ROWS))
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64 + 1);
            let n = BLOCK_ROWS.min(rows - b * BLOCK_ROWS);
            let mut x = vec![0.0; n * p];
            let mut y = vec![0.0; n];
            for i in 0..n {
                row(&mut rng, &mut x[i * p..(i + 1) * p], &mut y[i]);
            }
            (x, y)
        })
        .collect()
}

/// Builds the frame: numeric features (some turned categorical), missing cells, the target.
#[allow(clippy::too_many_arguments)]
fn assemble(
    blocks: Vec<Block>,
    rows: usize,
    p: usize,
    missing_rate: f64,
    categorical: usize,
    categories: usize,
    seed: u64,
    classification: bool,
) -> Result<Frame> {
    let width = (p.max(2) - 1).to_string().len();
    let columns: Vec<(Field, ArrayRef)> = (0..p)
        .into_par_iter()
        .map(|j| {
            let mut values = Vec::with_capacity(rows);
            for (x, _) in &blocks {
                values.extend(x.chunks_exact(p).map(|r| r[j]));
            }
            // Each column's missing mask has its own stream, so it does not depend on threads.
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
            rng.set_stream(j as u64);
            let valid: Vec<bool> = (0..rows)
                .map(|_| missing_rate == 0.0 || rng.random::<f64>() >= missing_rate)
                .collect();
            let name = format!("f{j:0width$}");
            let nulls = valid
                .iter()
                .any(|v| !v)
                .then(|| arrow_buffer::NullBuffer::from(valid.clone()));
            if j >= p - categorical {
                let codes = bin_codes(&values, categories);
                let keys = Int32Array::new(codes.into(), nulls);
                let names = StringArray::from_iter_values((0..categories).map(level_name));
                let dict = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(names))
                    .map_err(|e| DataError::invalid("synth", e.to_string()))?;
                Ok((
                    Field::new(name, ColumnType::Categorical),
                    Arc::new(dict) as ArrayRef,
                ))
            } else {
                Ok((
                    Field::new(name, ColumnType::Numeric),
                    Arc::new(Float64Array::new(values.into(), nulls)) as ArrayRef,
                ))
            }
        })
        .collect::<Result<_>>()?;
    let mut fields: Vec<Field> = Vec::with_capacity(p + 1);
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(p + 1);
    for (mut f, a) in columns {
        f.nullable = missing_rate > 0.0;
        fields.push(f);
        arrays.push(a);
    }
    let y = blocks.iter().flat_map(|(_, y)| y.iter().copied());
    let (target_type, target): (ColumnType, ArrayRef) = if classification {
        (
            ColumnType::Integer,
            Arc::new(Int64Array::from_iter_values(y.map(|v| v as i64))),
        )
    } else {
        (
            ColumnType::Numeric,
            Arc::new(Float64Array::from_iter_values(y)),
        )
    };
    let mut t = Field::new("target", target_type).with_role(Role::Target);
    t.nullable = false;
    fields.push(t);
    arrays.push(target);
    Frame::new(Schema::new(fields)?, arrays)
}

/// Level names `c000`, `c001`, …: zero-padded so their sorted order is the code order.
fn level_name(i: usize) -> String {
    format!("c{i:03}")
}

/// Equal-frequency binning of a Gaussian-ish column into `k` codes, so the categories carry the
/// column's signal in order.
fn bin_codes(values: &[f64], k: usize) -> Vec<i32> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let cuts: Vec<f64> = (1..k)
        .map(|i| sorted[(i * sorted.len() / k).min(sorted.len() - 1)])
        .collect();
    values
        .iter()
        .map(|v| cuts.partition_point(|c| c <= v) as i32)
        .collect()
}

/// A shift to apply to one column of a drifted copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnDrift {
    /// Column to change.
    pub column: String,
    /// Numeric: added shift in units of the column's standard deviation.
    pub mean_shift: f64,
    /// Numeric: multiplies the deviation from the mean.
    pub scale: f64,
    /// Categorical: fraction of rows moved to the least frequent category.
    pub category_mix: f64,
}

impl Default for ColumnDrift {
    fn default() -> Self {
        ColumnDrift {
            column: String::new(),
            mean_shift: 0.0,
            scale: 1.0,
            category_mix: 0.0,
        }
    }
}

/// A copy of `frame` with the given columns drifted; other columns are untouched.
pub fn drifted_copy(frame: &Frame, drifts: &[ColumnDrift], seed: u64) -> Result<Frame> {
    let mut columns: Vec<ArrayRef> = frame.columns().to_vec();
    for (di, d) in drifts.iter().enumerate() {
        let i = frame.schema().index_of(&d.column)?;
        let field = &frame.schema().fields[i];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(di as u64);
        columns[i] = match field.column_type {
            ColumnType::Numeric => {
                let v = frame.numeric(&d.column)?;
                let present: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
                let n = present.len().max(1) as f64;
                let mean = present.iter().sum::<f64>() / n;
                let std = (present.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
                let out: Float64Array = v
                    .iter()
                    .map(|&x| {
                        (!x.is_nan()).then_some(mean + (x - mean) * d.scale + d.mean_shift * std)
                    })
                    .collect();
                Arc::new(out)
            }
            ColumnType::Categorical => {
                let (codes, names) = frame.categorical(&d.column)?;
                let mut counts = vec![0usize; names.len()];
                for &c in codes.iter().filter(|&&c| c >= 0) {
                    counts[c as usize] += 1;
                }
                let rare = (0..names.len()).min_by_key(|&c| counts[c]).unwrap_or(0) as i32;
                let keys: Int32Array = codes
                    .iter()
                    .map(|&c| {
                        (c >= 0).then(|| {
                            if rng.random::<f64>() < d.category_mix {
                                rare
                            } else {
                                c
                            }
                        })
                    })
                    .collect();
                let values = StringArray::from_iter_values(names.iter());
                Arc::new(
                    DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
                        .map_err(|e| DataError::invalid("drift", e.to_string()))?,
                )
            }
            other => {
                return Err(DataError::column(
                    &d.column,
                    format!("is {other}; only numeric and categorical columns can be drifted"),
                ));
            }
        };
    }
    Frame::new(frame.schema().clone(), columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_is_deterministic_and_shaped() {
        let spec = ClassificationSpec {
            rows: 40_000,
            features: 6,
            informative: 3,
            redundant: 1,
            missing_rate: 0.1,
            categorical: 1,
            weights: vec![0.9, 0.1],
            seed: 7,
            ..Default::default()
        };
        let a = spec.generate().unwrap();
        let b = spec.generate().unwrap();
        assert_eq!(crate::fingerprint(&a), crate::fingerprint(&b));
        assert_eq!((a.n_rows(), a.n_cols()), (40_000, 7));
        let y = a.numeric("target").unwrap();
        let minority = y.iter().filter(|&&v| v == 1.0).count() as f64 / y.len() as f64;
        // 10% weight, plus half of the 1% flipped labels landing on class 1: within ±1.5 points.
        assert!((minority - 0.1).abs() < 0.015, "{minority}");
        let missing = a
            .numeric("f0")
            .unwrap()
            .iter()
            .filter(|v| v.is_nan())
            .count() as f64
            / 40_000.0;
        assert!((missing - 0.1).abs() < 0.01, "{missing}");
        assert_eq!(
            a.schema().field("f5").unwrap().column_type,
            ColumnType::Categorical
        );
        let other = ClassificationSpec { seed: 8, ..spec }.generate().unwrap();
        assert_ne!(crate::fingerprint(&a), crate::fingerprint(&other));
    }

    #[test]
    fn regression_target_follows_the_informative_features() {
        let f = RegressionSpec {
            rows: 2000,
            noise: 0.0,
            ..Default::default()
        }
        .generate()
        .unwrap();
        let y = f.numeric("target").unwrap();
        let noise_col = f.numeric("f9").unwrap();
        let x0 = f.numeric("f0").unwrap();
        let corr = |a: &[f64], b: &[f64]| {
            let n = a.len() as f64;
            let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
            let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
            let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
            let vb: f64 = b.iter().map(|x| (x - mb).powi(2)).sum();
            cov / (va * vb).sqrt()
        };
        assert!(corr(&x0, &y).abs() > 0.05 || corr(&f.numeric("f1").unwrap(), &y).abs() > 0.05);
        assert!(corr(&noise_col, &y).abs() < 0.1);
    }

    #[test]
    fn bad_parameters_are_named() {
        let e = ClassificationSpec {
            classes: 1,
            ..Default::default()
        }
        .check()
        .unwrap_err()
        .to_string();
        assert!(e.contains("classes"), "{e}");
        let e = ClassificationSpec {
            informative: 1,
            classes: 3,
            ..Default::default()
        }
        .check()
        .unwrap_err()
        .to_string();
        assert!(e.contains("informative"), "{e}");
        let e = RegressionSpec {
            missing_rate: 1.5,
            ..Default::default()
        }
        .check()
        .unwrap_err()
        .to_string();
        assert!(e.contains("missing_rate"), "{e}");
    }

    #[test]
    fn drift_moves_only_the_named_columns() {
        let f = ClassificationSpec {
            rows: 5000,
            categorical: 1,
            seed: 3,
            ..Default::default()
        }
        .generate()
        .unwrap();
        let drifted = drifted_copy(
            &f,
            &[
                ColumnDrift {
                    column: "f00".into(),
                    mean_shift: 1.0,
                    ..Default::default()
                },
                ColumnDrift {
                    column: "f19".into(),
                    category_mix: 0.5,
                    ..Default::default()
                },
            ],
            1,
        )
        .unwrap();
        let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
        assert!(mean(drifted.numeric("f00").unwrap()) - mean(f.numeric("f00").unwrap()) > 0.5);
        assert_eq!(drifted.numeric("f01").unwrap(), f.numeric("f01").unwrap());
        let (before, _) = f.categorical("f19").unwrap();
        let (after, _) = drifted.categorical("f19").unwrap();
        let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert!(changed > 1500, "{changed}");
    }
}
