//! kiln-models: the estimators behind kiln's training step.
//!
//! Every model has a *spec* (hyper-parameters, serde, validated by `check()`) whose `fit` returns
//! a different *fitted* type with `predict` (and `predict_proba` for classifiers). Both are
//! gathered in the serde-tagged enums [`ModelSpec`] and [`FittedModel`], so a pipeline can store
//! and load any model as data. Classification targets arrive as class codes `0..k-1` in f64.
//! Unsupervised models have their own enums of the same kind: [`ClusterSpec`] /
//! [`FittedClusterer`] (module [`cluster`]) and [`OutlierSpec`] / [`FittedOutlierDetector`]
//! (module [`outlier`]).

pub mod cluster;
pub mod ensemble;
pub mod error;
pub mod estimator;
pub mod forest;
pub mod gbdt;
pub mod input;
pub mod linear;
pub mod naive_bayes;
pub mod neighbors;
pub mod outlier;
pub mod svm;
pub mod tree;

pub use cluster::{
    ClusterSpec, DbscanSpec, FittedClusterer, FittedDbscan, FittedKMeans, KMeansAlgorithm,
    KMeansInit, KMeansSpec, MiniBatchKMeansSpec, inertia_curve, silhouette_samples,
    silhouette_score,
};
pub use ensemble::{
    AdaBoostSpec, FittedAdaBoost, FittedStacking, FittedVoting, StackingSpec, Voting, VotingSpec,
};
pub use error::{ModelError, Result};
pub use estimator::{FittedModel, ModelSpec};
pub use forest::{FittedForest, RandomForestSpec, Splitter};
pub use gbdt::{FittedGbdt, GbdtSpec, ImportanceKind, Objective};
pub use input::ClassWeight;
pub use linear::{
    ElasticNetSpec, FittedElasticNet, FittedHuber, FittedLinearRegression,
    FittedLogisticRegression, FittedRidge, HuberSpec, LassoSpec, LinearRegressionSpec,
    LogisticPenalty, LogisticRegressionSpec, OlsSummary, RidgeSpec,
};
pub use naive_bayes::{
    BernoulliNbSpec, CategoricalNbSpec, FittedBernoulliNb, FittedCategoricalNb, FittedGaussianNb,
    FittedMultinomialNb, GaussianNbSpec, MultinomialNbSpec,
};
pub use neighbors::{
    FittedKnnClassifier, FittedKnnRegressor, KnnClassifierSpec, KnnRegressorSpec, Metric, Weights,
};
pub use svm::{
    FittedLinearSvc, FittedSvc, FittedSvr, Gamma, Kernel, LinearSvcLoss, LinearSvcSpec, SvcSpec,
    SvrSpec,
};
// The one-class SVM's kernel width is its own type (RBF only); it stays under `outlier::`.
pub use outlier::{
    EllipticEnvelopeSpec, FittedEllipticEnvelope, FittedIsolationForest, FittedLocalOutlierFactor,
    FittedOneClassSvm, FittedOutlierDetector, FittedRule, IqrRuleSpec, IsolationForestSpec,
    LocalOutlierFactorSpec, MaxSamples, OneClassSvmSpec, OutlierSpec, RuleKind, ZScoreRuleSpec,
};
pub use tree::{Criterion, DecisionTreeSpec, FittedDecisionTree, MaxFeatures};
