//! The shared estimator layer: `ModelSpec` and `FittedModel`, serde-tagged enums over every model.
//!
//! Adding a model is one module plus one line in each enum and each `match` below; the
//! conformance test in `tests/conformance.rs` then checks it like every other model.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ensemble::{
    AdaBoostSpec, FittedAdaBoost, FittedStacking, FittedVoting, StackingSpec, VotingSpec,
};
use crate::error::Result;
use crate::forest::{FittedForest, RandomForestSpec};
use crate::gbdt::{FittedGbdt, GbdtSpec};
use crate::linear::{
    ElasticNetSpec, FittedElasticNet, FittedHuber, FittedLinearRegression,
    FittedLogisticRegression, FittedRidge, HuberSpec, LassoSpec, LinearRegressionSpec,
    LogisticRegressionSpec, RidgeSpec,
};
use crate::naive_bayes::{
    BernoulliNbSpec, CategoricalNbSpec, FittedBernoulliNb, FittedCategoricalNb, FittedGaussianNb,
    FittedMultinomialNb, GaussianNbSpec, MultinomialNbSpec,
};
use crate::neighbors::{
    FittedKnnClassifier, FittedKnnRegressor, KnnClassifierSpec, KnnRegressorSpec,
};
use crate::svm::{FittedLinearSvc, FittedSvc, FittedSvr, LinearSvcSpec, SvcSpec, SvrSpec};
use crate::tree::{DecisionTreeSpec, FittedDecisionTree};

/// Hyper-parameters of any kiln model, tagged by `kind` (`{"kind": "gbdt", ...}`).
///
/// ```
/// use kiln_models::ModelSpec;
/// use ndarray::{array, Array2};
///
/// let spec: ModelSpec = serde_json::from_str(r#"{"kind": "decision_tree", "criterion": "squared_error", "max_depth": 2}"#)
///     .expect("valid spec");
/// spec.check()?;
/// let x = Array2::from_shape_fn((40, 1), |(i, _)| i as f64);
/// let y = x.column(0).mapv(|v| if v < 20.0 { 1.0 } else { 5.0 });
/// let model = spec.fit(x.view(), y.view(), None)?;
/// assert_eq!(model.predict(array![[3.0], [30.0]].view())?.to_vec(), vec![1.0, 5.0]);
/// assert_eq!(model.n_features(), 1);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelSpec {
    /// Histogram gradient-boosted trees.
    Gbdt(GbdtSpec),
    /// A CART decision tree.
    DecisionTree(DecisionTreeSpec),
    /// A random forest or extra-trees ensemble.
    RandomForest(RandomForestSpec),
    /// SAMME AdaBoost over shallow trees (classification).
    AdaBoost(AdaBoostSpec),
    /// A vote over other models.
    Voting(VotingSpec),
    /// A final model over other models' out-of-fold outputs.
    Stacking(StackingSpec),
    /// Ordinary least squares.
    LinearRegression(LinearRegressionSpec),
    /// Ridge regression.
    Ridge(RidgeSpec),
    /// The lasso.
    Lasso(LassoSpec),
    /// The elastic net.
    ElasticNet(ElasticNetSpec),
    /// The Huber regressor.
    Huber(HuberSpec),
    /// Logistic regression.
    LogisticRegression(LogisticRegressionSpec),
    /// Gaussian naive Bayes.
    GaussianNb(GaussianNbSpec),
    /// Multinomial naive Bayes.
    MultinomialNb(MultinomialNbSpec),
    /// Bernoulli naive Bayes.
    BernoulliNb(BernoulliNbSpec),
    /// Categorical naive Bayes.
    CategoricalNb(CategoricalNbSpec),
    /// Kernel support vector classification (libsvm's SMO).
    Svc(SvcSpec),
    /// Kernel ε-support vector regression.
    Svr(SvrSpec),
    /// Linear support vector classification (liblinear's dual coordinate descent).
    LinearSvc(LinearSvcSpec),
    /// k-nearest-neighbour classification.
    KnnClassifier(KnnClassifierSpec),
    /// k-nearest-neighbour regression.
    KnnRegressor(KnnRegressorSpec),
}

/// Any fitted kiln model, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedModel {
    /// Histogram gradient-boosted trees.
    Gbdt(FittedGbdt),
    /// A CART decision tree.
    DecisionTree(FittedDecisionTree),
    /// A random forest or extra-trees ensemble.
    RandomForest(FittedForest),
    /// SAMME AdaBoost over shallow trees (classification).
    AdaBoost(FittedAdaBoost),
    /// A vote over other models.
    Voting(FittedVoting),
    /// A final model over other models' out-of-fold outputs.
    Stacking(FittedStacking),
    /// Ordinary least squares.
    LinearRegression(FittedLinearRegression),
    /// Ridge regression.
    Ridge(FittedRidge),
    /// The lasso.
    Lasso(FittedElasticNet),
    /// The elastic net.
    ElasticNet(FittedElasticNet),
    /// The Huber regressor.
    Huber(FittedHuber),
    /// Logistic regression.
    LogisticRegression(FittedLogisticRegression),
    /// Gaussian naive Bayes.
    GaussianNb(FittedGaussianNb),
    /// Multinomial naive Bayes.
    MultinomialNb(FittedMultinomialNb),
    /// Bernoulli naive Bayes.
    BernoulliNb(FittedBernoulliNb),
    /// Categorical naive Bayes.
    CategoricalNb(FittedCategoricalNb),
    /// Kernel support vector classification.
    Svc(FittedSvc),
    /// Kernel ε-support vector regression.
    Svr(FittedSvr),
    /// Linear support vector classification.
    LinearSvc(FittedLinearSvc),
    /// k-nearest-neighbour classification.
    KnnClassifier(FittedKnnClassifier),
    /// k-nearest-neighbour regression.
    KnnRegressor(FittedKnnRegressor),
}

impl ModelSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        match self {
            ModelSpec::Gbdt(s) => s.check(),
            ModelSpec::DecisionTree(s) => s.check(),
            ModelSpec::RandomForest(s) => s.check(),
            ModelSpec::AdaBoost(s) => s.check(),
            ModelSpec::Voting(s) => s.check(),
            ModelSpec::Stacking(s) => s.check(),
            ModelSpec::LinearRegression(s) => s.check(),
            ModelSpec::Ridge(s) => s.check(),
            ModelSpec::Lasso(s) => s.check(),
            ModelSpec::ElasticNet(s) => s.check(),
            ModelSpec::Huber(s) => s.check(),
            ModelSpec::LogisticRegression(s) => s.check(),
            ModelSpec::GaussianNb(s) => s.check(),
            ModelSpec::MultinomialNb(s) => s.check(),
            ModelSpec::BernoulliNb(s) => s.check(),
            ModelSpec::CategoricalNb(s) => s.check(),
            ModelSpec::Svc(s) => s.check(),
            ModelSpec::Svr(s) => s.check(),
            ModelSpec::LinearSvc(s) => s.check(),
            ModelSpec::KnnClassifier(s) => s.check(),
            ModelSpec::KnnRegressor(s) => s.check(),
        }
    }

    /// Fits the model.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedModel> {
        Ok(match self {
            ModelSpec::Gbdt(s) => FittedModel::Gbdt(s.fit(x, y, sample_weight)?),
            ModelSpec::DecisionTree(s) => FittedModel::DecisionTree(s.fit(x, y, sample_weight)?),
            ModelSpec::RandomForest(s) => FittedModel::RandomForest(s.fit(x, y, sample_weight)?),
            ModelSpec::AdaBoost(s) => FittedModel::AdaBoost(s.fit(x, y, sample_weight)?),
            ModelSpec::Voting(s) => FittedModel::Voting(s.fit(x, y, sample_weight)?),
            ModelSpec::Stacking(s) => FittedModel::Stacking(s.fit(x, y, sample_weight)?),
            ModelSpec::LinearRegression(s) => {
                FittedModel::LinearRegression(s.fit(x, y, sample_weight)?)
            }
            ModelSpec::Ridge(s) => FittedModel::Ridge(s.fit(x, y, sample_weight)?),
            ModelSpec::Lasso(s) => FittedModel::Lasso(s.fit(x, y, sample_weight)?),
            ModelSpec::ElasticNet(s) => FittedModel::ElasticNet(s.fit(x, y, sample_weight)?),
            ModelSpec::Huber(s) => FittedModel::Huber(s.fit(x, y, sample_weight)?),
            ModelSpec::LogisticRegression(s) => {
                FittedModel::LogisticRegression(s.fit(x, y, sample_weight)?)
            }
            ModelSpec::GaussianNb(s) => FittedModel::GaussianNb(s.fit(x, y, sample_weight)?),
            ModelSpec::MultinomialNb(s) => {
                FittedModel::MultinomialNb(s.fit(x, y, sample_weight)?)
            }
            ModelSpec::BernoulliNb(s) => FittedModel::BernoulliNb(s.fit(x, y, sample_weight)?),
            ModelSpec::CategoricalNb(s) => {
                FittedModel::CategoricalNb(s.fit(x, y, sample_weight)?)
            }
            ModelSpec::Svc(s) => FittedModel::Svc(s.fit(x, y, sample_weight)?),
            ModelSpec::Svr(s) => FittedModel::Svr(s.fit(x, y, sample_weight)?),
            ModelSpec::LinearSvc(s) => FittedModel::LinearSvc(s.fit(x, y, sample_weight)?),
            ModelSpec::KnnClassifier(s) => {
                FittedModel::KnnClassifier(s.fit(x, y, sample_weight)?)
            }
            ModelSpec::KnnRegressor(s) => FittedModel::KnnRegressor(s.fit(x, y, sample_weight)?),
        })
    }

    /// Whether the model accepts NaN features as missing values.
    pub fn handles_missing(&self) -> bool {
        match self {
            ModelSpec::Gbdt(_) => true,
            ModelSpec::DecisionTree(_)
            | ModelSpec::RandomForest(_)
            | ModelSpec::AdaBoost(_)
            | ModelSpec::Svc(_)
            | ModelSpec::Svr(_)
            | ModelSpec::LinearSvc(_)
            | ModelSpec::KnnClassifier(_)
            | ModelSpec::KnnRegressor(_) => false,
            ModelSpec::Voting(s) => s.estimators.iter().all(ModelSpec::handles_missing),
            ModelSpec::Stacking(s) => {
                s.estimators.iter().all(ModelSpec::handles_missing)
                    && s.final_estimator.handles_missing()
            }
            ModelSpec::LinearRegression(_)
            | ModelSpec::Ridge(_)
            | ModelSpec::Lasso(_)
            | ModelSpec::ElasticNet(_)
            | ModelSpec::Huber(_)
            | ModelSpec::LogisticRegression(_)
            | ModelSpec::GaussianNb(_)
            | ModelSpec::MultinomialNb(_)
            | ModelSpec::BernoulliNb(_)
            | ModelSpec::CategoricalNb(_) => false,
        }
    }
}

impl FittedModel {
    /// Regression values or class codes.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        match self {
            FittedModel::Gbdt(m) => m.predict(x),
            FittedModel::DecisionTree(m) => m.predict(x),
            FittedModel::RandomForest(m) => m.predict(x),
            FittedModel::AdaBoost(m) => m.predict(x),
            FittedModel::Voting(m) => m.predict(x),
            FittedModel::Stacking(m) => m.predict(x),
            FittedModel::LinearRegression(m) => m.predict(x),
            FittedModel::Ridge(m) => m.predict(x),
            FittedModel::Lasso(m) => m.predict(x),
            FittedModel::ElasticNet(m) => m.predict(x),
            FittedModel::Huber(m) => m.predict(x),
            FittedModel::LogisticRegression(m) => m.predict(x),
            FittedModel::GaussianNb(m) => m.predict(x),
            FittedModel::MultinomialNb(m) => m.predict(x),
            FittedModel::BernoulliNb(m) => m.predict(x),
            FittedModel::CategoricalNb(m) => m.predict(x),
            FittedModel::Svc(m) => m.predict(x),
            FittedModel::Svr(m) => m.predict(x),
            FittedModel::LinearSvc(m) => m.predict(x),
            FittedModel::KnnClassifier(m) => m.predict(x),
            FittedModel::KnnRegressor(m) => m.predict(x),
        }
    }

    /// Class probabilities (rows × classes); an error for regressors.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        match self {
            FittedModel::Gbdt(m) => m.predict_proba(x),
            FittedModel::DecisionTree(m) => m.predict_proba(x),
            FittedModel::RandomForest(m) => m.predict_proba(x),
            FittedModel::AdaBoost(m) => m.predict_proba(x),
            FittedModel::Voting(m) => m.predict_proba(x),
            FittedModel::Stacking(m) => m.predict_proba(x),
            FittedModel::LinearRegression(m) => m.predict_proba(x),
            FittedModel::Ridge(m) => m.predict_proba(x),
            FittedModel::Lasso(m) => m.predict_proba(x),
            FittedModel::ElasticNet(m) => m.predict_proba(x),
            FittedModel::Huber(m) => m.predict_proba(x),
            FittedModel::LogisticRegression(m) => m.predict_proba(x),
            FittedModel::GaussianNb(m) => m.predict_proba(x),
            FittedModel::MultinomialNb(m) => m.predict_proba(x),
            FittedModel::BernoulliNb(m) => m.predict_proba(x),
            FittedModel::CategoricalNb(m) => m.predict_proba(x),
            FittedModel::Svc(m) => m.predict_proba(x),
            FittedModel::Svr(m) => m.predict_proba(x),
            FittedModel::LinearSvc(m) => m.predict_proba(x),
            FittedModel::KnnClassifier(m) => m.predict_proba(x),
            FittedModel::KnnRegressor(m) => m.predict_proba(x),
        }
    }

    /// Features expected at predict time.
    pub fn n_features(&self) -> usize {
        match self {
            FittedModel::Gbdt(m) => m.n_features,
            FittedModel::DecisionTree(m) => m.n_features,
            FittedModel::RandomForest(m) => m.n_features,
            FittedModel::AdaBoost(m) => m.n_features,
            FittedModel::Voting(m) => m.n_features,
            FittedModel::Stacking(m) => m.n_features,
            FittedModel::LinearRegression(m) => m.n_features,
            FittedModel::Ridge(m) => m.n_features,
            FittedModel::Lasso(m) => m.n_features,
            FittedModel::ElasticNet(m) => m.n_features,
            FittedModel::Huber(m) => m.n_features,
            FittedModel::LogisticRegression(m) => m.n_features,
            FittedModel::GaussianNb(m) => m.n_features,
            FittedModel::MultinomialNb(m) => m.n_features,
            FittedModel::BernoulliNb(m) => m.n_features,
            FittedModel::CategoricalNb(m) => m.n_features,
            FittedModel::Svc(m) => m.n_features,
            FittedModel::Svr(m) => m.n_features,
            FittedModel::LinearSvc(m) => m.n_features,
            FittedModel::KnnClassifier(m) => m.n_features,
            FittedModel::KnnRegressor(m) => m.n_features,
        }
    }

    /// Classes for classifiers, None for regressors.
    pub fn n_classes(&self) -> Option<usize> {
        match self {
            FittedModel::Gbdt(m) => m.n_classes,
            FittedModel::DecisionTree(m) => m.n_classes,
            FittedModel::RandomForest(m) => m.n_classes,
            FittedModel::AdaBoost(m) => Some(m.n_classes),
            FittedModel::Voting(m) => m.n_classes,
            FittedModel::Stacking(m) => m.n_classes,
            FittedModel::LinearRegression(_)
            | FittedModel::Ridge(_)
            | FittedModel::Lasso(_)
            | FittedModel::ElasticNet(_)
            | FittedModel::Huber(_) => None,
            FittedModel::LogisticRegression(m) => Some(m.n_classes),
            FittedModel::GaussianNb(m) => Some(m.n_classes),
            FittedModel::MultinomialNb(m) => Some(m.n_classes),
            FittedModel::BernoulliNb(m) => Some(m.n_classes),
            FittedModel::CategoricalNb(m) => Some(m.n_classes),
            FittedModel::Svc(m) => Some(m.n_classes),
            FittedModel::Svr(_) => None,
            FittedModel::LinearSvc(m) => Some(m.n_classes),
            FittedModel::KnnClassifier(m) => Some(m.n_classes),
            FittedModel::KnnRegressor(_) => None,
        }
    }
}
