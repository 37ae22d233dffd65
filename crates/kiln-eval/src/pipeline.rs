//! The model pipeline: the one path from a raw row to a prediction.
//!
//! A [`ModelPipelineSpec`] is a `[prep]` section plus a `[model]`; fitting it on training rows
//! gives a [`FittedModelPipeline`] — the fitted preparation, the fitted model and the input
//! schema they were trained on. Cross-validation, search, batch scoring (`kiln predict`), the
//! HTTP server and monitoring all call [`FittedModelPipeline::predict`] on a raw `Frame`, so
//! features are never computed one way in training and another way in serving.

use kiln_data::{Field, Frame, Schema};
use kiln_models::{FittedModel, ModelSpec};
use kiln_prep::{FittedPipeline, PipelineSpec, Task};
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::metric::{Metric, Prediction};

/// Anything that can fail while fitting or applying a model pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Preparing the data failed (unknown column, wrong type, unseen class, ...).
    #[error(transparent)]
    Prep(#[from] kiln_prep::PrepError),
    /// The model refused its input or parameters.
    #[error(transparent)]
    Model(#[from] kiln_models::ModelError),
    /// Reading or reshaping the data failed.
    #[error(transparent)]
    Data(#[from] kiln_data::DataError),
    /// A metric could not be computed.
    #[error(transparent)]
    Eval(#[from] crate::EvalError),
    /// A statistic (normality test, residual diagnostic) could not be computed.
    #[error(transparent)]
    Stats(#[from] kiln_stats::StatsError),
    /// The pipeline and the model disagree, or the data cannot be used as asked.
    #[error("{0}")]
    Invalid(String),
    /// Something failed inside one cross-validation fold; says which (both 1-based).
    #[error("repeat {repeat}, fold {fold}: {source}")]
    Fold {
        /// The repeat (1-based).
        repeat: usize,
        /// The fold within the repeat (1-based).
        fold: usize,
        /// What went wrong there.
        source: Box<PipelineError>,
    },
    /// A search candidate failed; names its parameters.
    #[error("candidate {params}: {source}")]
    Candidate {
        /// The candidate's parameters as JSON.
        params: String,
        /// What went wrong.
        source: Box<PipelineError>,
    },
}

/// Shorthand for results of pipeline operations.
pub type PipelineResult<T> = std::result::Result<T, PipelineError>;

/// What to fit: how to prepare the data and which model to train on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPipelineSpec {
    /// The preparation (the `[prep]` section).
    pub prep: PipelineSpec,
    /// The model (a `[model]` entry).
    pub model: ModelSpec,
}

/// A trained pipeline: plain data, serialisable, and the only way kiln turns rows into
/// predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedModelPipeline {
    /// The columns (name, type, role) the pipeline reads, as seen in training.
    pub input_schema: Schema,
    /// The fitted preparation.
    pub prep: FittedPipeline,
    /// The fitted model.
    pub model: FittedModel,
}

/// Predictions for a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// Regression values, or class codes (`0..k`) for classification.
    pub values: Vec<f64>,
    /// Class labels (`classes[code]`) for classification.
    pub labels: Option<Vec<String>>,
    /// Row-major `rows × classes` probabilities for classification.
    pub probabilities: Option<Array2<f64>>,
}

impl Predictions {
    /// The prediction in the form a metric of kind `metric` needs: probabilities for ranking
    /// and probabilistic metrics (the class-1 column for binary tasks), labels or values
    /// otherwise.
    pub fn for_metric(&self, metric: Metric) -> (Vec<f64>, PredictionKind) {
        match (&self.probabilities, metric.needs_scores()) {
            (Some(p), true) if p.ncols() == 2 => (p.column(1).to_vec(), PredictionKind::Scores),
            (Some(p), true) => (
                p.iter().copied().collect(),
                PredictionKind::Probabilities(p.ncols()),
            ),
            (Some(_), false) => (self.values.clone(), PredictionKind::Labels),
            (None, _) => (self.values.clone(), PredictionKind::Values),
        }
    }

    /// Scores these predictions against encoded targets.
    pub fn score(
        &self,
        metric: Metric,
        y_true: &[f64],
        sample_weight: Option<&[f64]>,
    ) -> PipelineResult<f64> {
        let (values, kind) = self.for_metric(metric);
        let prediction = match kind {
            PredictionKind::Scores => Prediction::Scores(&values),
            PredictionKind::Probabilities(n_classes) => Prediction::Probabilities {
                values: &values,
                n_classes,
            },
            PredictionKind::Labels => Prediction::Labels(&values),
            PredictionKind::Values => Prediction::Values(&values),
        };
        Ok(metric.compute(y_true, prediction, sample_weight)?)
    }
}

/// Which shape [`Predictions::for_metric`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredictionKind {
    /// Binary class-1 probability per row.
    Scores,
    /// Row-major probabilities with this many classes.
    Probabilities(usize),
    /// Class codes.
    Labels,
    /// Regression values.
    Values,
}

impl ModelPipelineSpec {
    /// Validates both halves.
    pub fn check(&self) -> PipelineResult<()> {
        self.prep.check()?;
        self.model.check()?;
        Ok(())
    }

    /// Fits preparation and model on `train` (training rows only; nothing else is seen).
    pub fn fit(&self, train: &Frame) -> PipelineResult<FittedModelPipeline> {
        self.check()?;
        let (prep, prepared) = self.prep.fit_transform(train)?;
        let y = prepared.y.ok_or_else(|| {
            PipelineError::Invalid(
                "no target column: set `target` in [prep] (or --target) to train a model".into(),
            )
        })?;
        let weights = prepared.weights.as_deref().map(ArrayView1::from);
        let model = self
            .model
            .fit(prepared.x.view(), ArrayView1::from(&y), weights)?;
        let classification = prep.target.as_ref().is_some_and(|t| t.classes.is_some());
        if classification != model.n_classes().is_some() {
            return Err(PipelineError::Invalid(format!(
                "the target is a {} target but the model is a {}; set task in [prep] or choose another model",
                if classification {
                    "classification"
                } else {
                    "regression"
                },
                if classification {
                    "regressor"
                } else {
                    "classifier"
                },
            )));
        }
        let input_schema = input_schema(train.schema(), &prep)?;
        Ok(FittedModelPipeline {
            input_schema,
            prep,
            model,
        })
    }
}

/// The training schema restricted to the columns the fitted preparation reads.
fn input_schema(schema: &Schema, prep: &FittedPipeline) -> PipelineResult<Schema> {
    let fields: Vec<Field> = prep
        .input_columns()
        .into_iter()
        .map(|name| schema.field(name).cloned())
        .collect::<Result<_, _>>()?;
    Ok(Schema::new(fields)?)
}

impl FittedModelPipeline {
    /// Classification or regression.
    pub fn task(&self) -> Task {
        if self.classes().is_some() {
            Task::Classification
        } else {
            Task::Regression
        }
    }

    /// Class labels in code order, for classifiers.
    pub fn classes(&self) -> Option<&[String]> {
        self.prep.target.as_ref()?.classes.as_deref()
    }

    /// The target column the pipeline was trained to predict.
    pub fn target_column(&self) -> Option<&str> {
        self.prep.target.as_ref().map(|t| t.column.as_str())
    }

    /// Predicts raw rows: the same code path for one row or a million.
    pub fn predict(&self, frame: &Frame) -> PipelineResult<Predictions> {
        let x = self.prep.transform(frame)?;
        let values = self.model.predict(x.view())?.to_vec();
        let Some(classes) = self.classes() else {
            return Ok(Predictions {
                values,
                labels: None,
                probabilities: None,
            });
        };
        let probabilities = self.model.predict_proba(x.view())?;
        let labels = values
            .iter()
            .map(|&code| {
                classes.get(code as usize).cloned().ok_or_else(|| {
                    PipelineError::Invalid(format!(
                        "the model predicted class code {code}, but the pipeline knows {} classes",
                        classes.len()
                    ))
                })
            })
            .collect::<PipelineResult<Vec<_>>>()?;
        Ok(Predictions {
            values,
            labels: Some(labels),
            probabilities: Some(probabilities),
        })
    }

    /// The encoded target of `frame` (class codes or values), for scoring.
    pub fn encode_target(&self, frame: &Frame) -> PipelineResult<Vec<f64>> {
        Ok(self.prep.encode_target(frame)?)
    }

    /// Predicts `frame` and scores the predictions against its target column.
    pub fn score(&self, frame: &Frame, metric: Metric) -> PipelineResult<f64> {
        let y = self.encode_target(frame)?;
        self.predict(frame)?.score(metric, &y, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_data::csv::read_csv_bytes;

    fn spec(model: &str) -> ModelPipelineSpec {
        let prep = PipelineSpec::from_toml(
            r#"
            target = "label"
            [[blocks]]
            name = "numbers"
            columns = { types = ["numeric", "integer"] }
            steps = [{ kind = "simple_imputer", strategy = "median" }]
            [[blocks]]
            name = "colour"
            columns = { names = ["colour"] }
            steps = [{ kind = "one_hot_encoder", handle_unknown = "ignore" }]
            "#,
            "test",
        )
        .expect("valid prep");
        let model: ModelSpec = serde_json::from_str(model).expect("valid model");
        ModelPipelineSpec { prep, model }
    }

    fn train_frame() -> Frame {
        let mut csv = String::from("x,colour,label\n");
        for i in 0..60 {
            let colour = if i % 3 == 0 { "red" } else { "blue" };
            let label = if i < 30 { "low" } else { "high" };
            // Halves: a unique integer column would be inferred as a row id, not a feature.
            csv.push_str(&format!("{i}.5,{colour},{label}\n"));
        }
        read_csv_bytes(csv.as_bytes(), "train", &Default::default()).expect("valid csv")
    }

    #[test]
    fn predicts_labels_and_probabilities_from_raw_rows() {
        let fitted = spec(r#"{"kind": "decision_tree", "max_depth": 2}"#)
            .fit(&train_frame())
            .expect("fits");
        assert_eq!(
            fitted.classes(),
            Some(&["high".to_string(), "low".into()][..])
        );
        assert_eq!(fitted.input_schema.len(), 2);
        let rows = read_csv_bytes(b"x,colour\n3,green\n50,\n", "request", &Default::default())
            .expect("valid csv");
        let p = fitted.predict(&rows).expect("predicts");
        assert_eq!(p.labels, Some(vec!["low".to_string(), "high".into()]));
        let proba = p.probabilities.expect("classifier");
        assert_eq!(proba.row(0).to_vec(), vec![0.0, 1.0]);
        // A pipeline survives JSON bit for bit and predicts the same.
        let json = serde_json::to_string(&fitted).expect("serialises");
        let back: FittedModelPipeline = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, fitted);
    }

    #[test]
    fn scores_with_any_metric() {
        let frame = train_frame();
        let fitted = spec(r#"{"kind": "decision_tree", "max_depth": 3}"#)
            .fit(&frame)
            .expect("fits");
        // Exact: the tree separates the training rows perfectly.
        assert_eq!(fitted.score(&frame, Metric::Accuracy).expect("scores"), 1.0);
        assert_eq!(fitted.score(&frame, Metric::RocAuc).expect("scores"), 1.0);
    }

    #[test]
    fn refuses_a_classifier_on_a_regression_target_and_missing_target() {
        let mut s = spec(r#"{"kind": "decision_tree", "max_depth": 2}"#);
        s.prep.task = Some(Task::Regression);
        let frame = read_csv_bytes(
            b"x,colour,label\n1,red,1.5\n2,blue,2.5\n",
            "t",
            &Default::default(),
        )
        .expect("valid csv");
        // A decision tree follows its criterion: gini on a regression target is refused.
        let err = s.fit(&frame);
        assert!(err.is_err(), "{err:?}");
        let mut s = spec(r#"{"kind": "decision_tree"}"#);
        s.prep.target = None;
        let err = s.fit(&train_frame().select(&["x", "colour"]).expect("cols"));
        let msg = err.expect_err("no target").to_string();
        assert!(msg.contains("no target column"), "{msg}");
    }
}
