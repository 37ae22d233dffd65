//! Feature importance: how much does the model rely on each input?
//!
//! [`permutation_importance`] follows scikit-learn's `permutation_importance`: score the fitted
//! pipeline on some rows, then, for each *raw* input column in turn, shuffle that column's
//! values across rows (`n_repeats` times) and score again; the importance is the mean drop in
//! score (a rise, for losses: the drop is always "how much worse"), with its standard deviation
//! (ddof 0) over repeats. Because the raw column is permuted and the whole pipeline predicts, a
//! column that the preparation expands into many one-hot features counts once, and a column
//! feeding two features counts both — the question answered is "what if this input were noise?".
//! Use held-out rows: on training rows, importance measures what the model memorised.
//!
//! [`model_importances`] returns a model's own importances where it has them — total split gain
//! for gradient-boosted trees, normalised impurity decrease for trees and forests — named by the
//! pipeline's model-matrix features.

use kiln_data::Frame;
use kiln_models::{FittedModel, ImportanceKind};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cv::mean_std;
use crate::metric::{Direction, Metric};
use crate::pipeline::{FittedModelPipeline, PipelineError, PipelineResult};

/// The importance of one raw input column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnImportance {
    /// The input column.
    pub column: String,
    /// Mean score drop over repeats.
    pub mean: f64,
    /// Standard deviation (ddof 0) of the drops.
    pub std: f64,
    /// The drop of each repeat.
    pub drops: Vec<f64>,
}

/// Permutation importances of every input column, sorted from most to least important.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationImportance {
    /// The metric scored.
    pub metric: Metric,
    /// The score with no column permuted.
    pub baseline: f64,
    /// Repeats per column.
    pub n_repeats: usize,
    /// Rows scored (the frame given).
    pub n_rows: usize,
    /// The seed of the permutations.
    pub seed: u64,
    /// One entry per column, by decreasing mean drop (ties keep input order).
    pub columns: Vec<ColumnImportance>,
}

/// Where a model's own importances come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelImportanceKind {
    /// Total split gain (gradient-boosted trees, as LightGBM's `importance_type="gain"`).
    Gain,
    /// Weighted impurity decrease normalised to sum to 1 (scikit-learn's
    /// `feature_importances_` for trees and forests).
    Impurity,
}

/// A model's own importances by model-matrix feature, sorted from most to least important.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelImportance {
    /// What the numbers are.
    pub kind: ModelImportanceKind,
    /// `(feature name, importance)`.
    pub features: Vec<(String, f64)>,
}

/// Permutation importance of the raw input columns of `fitted` on `frame` (which must hold the
/// target). `columns` defaults to every column the pipeline reads. Column `j` (0-based, in the
/// order scored) repeat `r` is shuffled by ChaCha8 seeded with `seed + j`, so the result does
/// not depend on the thread count.
///
/// ```
/// use kiln_eval::{permutation_importance, Metric, ModelPipelineSpec};
/// let frame = kiln_data::datasets::load("iris")?;
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "species", remainder = "passthrough" }
///     model = { kind = "decision_tree", max_depth = 3 }
/// "#)?;
/// let fitted = spec.fit(&frame)?;
/// let imp = permutation_importance(&fitted, &frame, Metric::Accuracy, 5, 0, None)?;
/// assert!(imp.columns[0].column.starts_with("petal"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn permutation_importance(
    fitted: &FittedModelPipeline,
    frame: &Frame,
    metric: Metric,
    n_repeats: usize,
    seed: u64,
    columns: Option<&[String]>,
) -> PipelineResult<PermutationImportance> {
    if n_repeats == 0 {
        return Err(PipelineError::Invalid(
            "n_repeats of permutation importance must be at least 1".into(),
        ));
    }
    if frame.n_rows() < 2 {
        return Err(PipelineError::Invalid(format!(
            "permutation importance needs at least 2 rows to shuffle, got {}",
            frame.n_rows()
        )));
    }
    let names: Vec<String> = match columns {
        Some([]) => {
            return Err(PipelineError::Invalid(
                "no columns to permute; give at least one or leave the list out".into(),
            ));
        }
        Some(c) => c.to_vec(),
        None => fitted.input_schema.names().map(str::to_string).collect(),
    };
    for name in &names {
        frame.schema().index_of(name)?;
    }
    let y = fitted.encode_target(frame)?;
    let baseline = fitted.predict(frame)?.score(metric, &y, None)?;
    let importances: Vec<ColumnImportance> = names
        .par_iter()
        .enumerate()
        .map(|(j, name)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(j as u64));
            let drops = (0..n_repeats)
                .map(|_| {
                    let mut perm: Vec<usize> = (0..frame.n_rows()).collect();
                    perm.shuffle(&mut rng);
                    let score = permuted_score(fitted, frame, name, &perm, metric, &y)?;
                    Ok(drop_of(metric, baseline, score))
                })
                .collect::<PipelineResult<Vec<f64>>>()?;
            let (mean, std) = mean_std(&drops);
            Ok(ColumnImportance {
                column: name.clone(),
                mean,
                std,
                drops,
            })
        })
        .collect::<PipelineResult<_>>()?;
    let mut sorted = importances;
    sorted.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    Ok(PermutationImportance {
        metric,
        baseline,
        n_repeats,
        n_rows: frame.n_rows(),
        seed,
        columns: sorted,
    })
}

/// How much worse `score` is than `baseline`: `baseline − score` when higher is better,
/// `score − baseline` for losses (scikit-learn's `neg_*` scorers give the same numbers).
fn drop_of(metric: Metric, baseline: f64, score: f64) -> f64 {
    match metric.direction() {
        Direction::HigherIsBetter => baseline - score,
        Direction::LowerIsBetter => score - baseline,
    }
}

/// The score of `fitted` on `frame` with column `name`'s values reordered so row `i` gets the
/// value of row `perm[i]`.
fn permuted_score(
    fitted: &FittedModelPipeline,
    frame: &Frame,
    name: &str,
    perm: &[usize],
    metric: Metric,
    y: &[f64],
) -> PipelineResult<f64> {
    let j = frame.schema().index_of(name)?;
    let shuffled = frame.select(&[name])?.take(perm)?;
    let mut columns = frame.columns().to_vec();
    columns[j] = shuffled.columns()[0].clone();
    let permuted = Frame::new(frame.schema().clone(), columns)?;
    fitted.predict(&permuted)?.score(metric, y, None)
}

/// The model's own importances named by the pipeline's features, or `None` for models that
/// have none (ensembles of mixed models).
///
/// ```
/// use kiln_eval::{model_importances, ModelImportanceKind, ModelPipelineSpec};
/// let frame = kiln_data::datasets::load("iris")?;
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "species", remainder = "passthrough" }
///     model = { kind = "decision_tree", max_depth = 2 }
/// "#)?;
/// let imp = model_importances(&spec.fit(&frame)?).expect("trees have importances");
/// assert_eq!(imp.kind, ModelImportanceKind::Impurity);
/// assert!((imp.features.iter().map(|f| f.1).sum::<f64>() - 1.0).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn model_importances(fitted: &FittedModelPipeline) -> Option<ModelImportance> {
    let (kind, values) = match &fitted.model {
        FittedModel::Gbdt(m) => (
            ModelImportanceKind::Gain,
            m.feature_importance(ImportanceKind::Gain),
        ),
        FittedModel::DecisionTree(m) => (ModelImportanceKind::Impurity, m.feature_importance()),
        FittedModel::RandomForest(m) => (ModelImportanceKind::Impurity, m.feature_importance()),
        _ => return None,
    };
    let names = &fitted.prep.feature_names;
    if names.len() != values.len() {
        return None;
    }
    let mut features: Vec<(String, f64)> = names.iter().cloned().zip(values).collect();
    features.sort_by(|a, b| b.1.total_cmp(&a.1));
    Some(ModelImportance { kind, features })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::ModelPipelineSpec;
    use kiln_data::csv::read_csv_bytes;

    /// y = x exactly (four rows, x = 1.5 … 4.5), a fully grown regression tree, and a noise column the tree never uses.
    fn identity() -> (FittedModelPipeline, Frame) {
        let frame = read_csv_bytes(
            b"x,noise,y\n1.5,5.5,1.5\n2.5,7.5,2.5\n3.5,5.5,3.5\n4.5,7.5,4.5\n",
            "t",
            &Default::default(),
        )
        .expect("valid csv");
        let spec: ModelPipelineSpec = toml::from_str(
            r#"
            prep = { target = "y", task = "regression", remainder = "passthrough", exclude = ["noise"] }
            model = { kind = "decision_tree", criterion = "squared_error", min_samples_split = 2 }
            "#,
        )
        .expect("valid spec");
        (spec.fit(&frame).expect("fits"), frame)
    }

    #[test]
    fn drop_is_the_score_change_of_a_hand_checked_permutation() {
        let (fitted, frame) = identity();
        let y = [1.5, 2.5, 3.5, 4.5];
        // The tree reproduces y on its training rows: MAE 0.
        assert_eq!(fitted.score(&frame, Metric::Mae).expect("scores"), 0.0);
        // Swapping pairs predicts [2.5, 1.5, 4.5, 3.5]: every error is 1, so MAE 1 and the drop is 1.
        let s = permuted_score(&fitted, &frame, "x", &[1, 0, 3, 2], Metric::Mae, &y).expect("ok");
        assert_eq!(drop_of(Metric::Mae, 0.0, s), 1.0);
        // Reversing predicts [4.5, 3.5, 2.5, 1.5]: errors 3, 1, 1, 3, MAE 2.
        let s = permuted_score(&fitted, &frame, "x", &[3, 2, 1, 0], Metric::Mae, &y).expect("ok");
        assert_eq!(s, 2.0);
        // R² (higher is better): baseline 1, reversed predictions give 1 − 20/5 = −3, drop 4.
        let s = permuted_score(&fitted, &frame, "x", &[3, 2, 1, 0], Metric::R2, &y).expect("ok");
        assert_eq!(drop_of(Metric::R2, 1.0, s), 4.0);
    }

    #[test]
    fn drops_are_recomputable_and_unused_inputs_score_zero() {
        let (fitted, frame) = identity();
        let imp =
            permutation_importance(&fitted, &frame, Metric::Mae, 4, 11, None).expect("importance");
        assert_eq!(imp.baseline, 0.0);
        assert_eq!(imp.columns.len(), 1, "only x is read by the pipeline");
        // Re-draw the same permutations (column 0 seeded with seed + 0) and recompute each drop.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let y = [1.5, 2.5, 3.5, 4.5];
        for &d in &imp.columns[0].drops {
            let mut perm: Vec<usize> = (0..4).collect();
            perm.shuffle(&mut rng);
            let s = permuted_score(&fitted, &frame, "x", &perm, Metric::Mae, &y).expect("ok");
            assert_eq!(d, s);
        }
        let (mean, std) = mean_std(&imp.columns[0].drops);
        assert_eq!((imp.columns[0].mean, imp.columns[0].std), (mean, std));
        // Asked explicitly, a column the pipeline never reads has exactly zero importance.
        let noise = permutation_importance(
            &fitted,
            &frame,
            Metric::Mae,
            3,
            0,
            Some(&["noise".to_string()]),
        )
        .expect("importance");
        assert_eq!(noise.columns[0].drops, vec![0.0; 3]);
    }

    #[test]
    fn rejects_bad_arguments() {
        let (fitted, frame) = identity();
        let e = permutation_importance(&fitted, &frame, Metric::Mae, 0, 0, None).unwrap_err();
        assert!(e.to_string().contains("n_repeats"), "{e}");
        let e = permutation_importance(&fitted, &frame, Metric::Mae, 2, 0, Some(&[])).unwrap_err();
        assert!(e.to_string().contains("no columns"), "{e}");
        let e = permutation_importance(
            &fitted,
            &frame,
            Metric::Mae,
            2,
            0,
            Some(&["nope".to_string()]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let one = frame.slice(0, 1);
        let e = permutation_importance(&fitted, &one, Metric::Mae, 2, 0, None).unwrap_err();
        assert!(e.to_string().contains("at least 2 rows"), "{e}");
    }
}
