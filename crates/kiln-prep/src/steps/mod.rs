//! Every preparation step as data: `StepSpec` (what the user writes in `[prep]`) and
//! `FittedStep` (what fitting learned), both serde-tagged enums with `kind = "..."`.
//!
//! A step receives the `Table` of its block and returns a new one. Fitting goes through
//! `StepSpec::fit_transform`, which lets the steps whose training output must differ from their
//! serving output do so: target encoding cross-fits, Gaussian noise is added to training rows
//! only. Every other step is plain fit-then-transform. Adding a step means one file, one line in
//! each enum and one arm in each `match` below.

pub mod decompose;
pub mod encode;
pub mod impute;
pub mod iterative_impute;
pub mod knn_impute;
pub mod lda;
pub mod scale;
pub mod select;
pub mod target_encode;
pub mod transform;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::table::Table;

pub use decompose::{FittedProjection, NComponents, Pca, TruncatedSvd};
pub use encode::{
    DropPolicy, FittedOneHotEncoder, FittedOrdinalEncoder, HandleUnknown, MinFrequency,
    OneHotEncoder, OrdinalEncoder,
};
pub use impute::{FillValue, FittedSimpleImputer, ImputeStrategy, SimpleImputer};
pub use iterative_impute::{FittedIterativeImputer, IterativeImputer};
pub use knn_impute::{FittedKnnImputer, KnnImputer};
pub use lda::Lda;
pub use scale::{FittedAffine, MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler};
pub use select::{
    DropCorrelated, FittedSelection, SelectKBest, SelectScore, VarianceThreshold, VifElimination,
};
pub use target_encode::{FittedTargetEncoder, Smooth, TargetEncoder};
pub use transform::{
    Clip, ClipBounds, FittedClip, FittedGaussianNoise, FittedLog1p, FittedYeoJohnson,
    GaussianNoise, Log1p, YeoJohnson,
};

/// What fitting may know besides the block's columns: the training target and a seed.
#[derive(Debug, Clone, Copy, Default)]
pub struct FitContext<'a> {
    /// Training target, aligned with the table rows: class codes `0..k` for classification,
    /// values for regression.
    pub y: Option<&'a [f64]>,
    /// Number of classes for classification, `None` for regression.
    pub n_classes: Option<usize>,
    /// Seed for steps with randomness.
    pub seed: u64,
}

/// A step's hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepSpec {
    /// Fill missing cells.
    SimpleImputer(SimpleImputer),
    /// Fill missing cells from the nearest training rows.
    KnnImputer(KnnImputer),
    /// Fill missing cells by round-robin regression.
    IterativeImputer(IterativeImputer),
    /// `(x - mean) / std`.
    StandardScaler(StandardScaler),
    /// Onto a fixed range.
    MinMaxScaler(MinMaxScaler),
    /// `(x - median) / IQR`.
    RobustScaler(RobustScaler),
    /// `x / max|x|`.
    MaxAbsScaler(MaxAbsScaler),
    /// Indicator columns per category.
    OneHotEncoder(OneHotEncoder),
    /// Category index.
    OrdinalEncoder(OrdinalEncoder),
    /// Cross-fitted target means per category.
    TargetEncoder(TargetEncoder),
    /// `ln(1 + x)`.
    Log1p(Log1p),
    /// Yeo–Johnson power transform.
    YeoJohnson(YeoJohnson),
    /// Clip at learned quantiles or IQR fences.
    Clip(Clip),
    /// Noise on training rows only.
    GaussianNoise(GaussianNoise),
    /// Principal components.
    Pca(Pca),
    /// Uncentred SVD projection.
    TruncatedSvd(TruncatedSvd),
    /// Linear discriminant projection.
    Lda(Lda),
    /// Drop low-variance columns.
    VarianceThreshold(VarianceThreshold),
    /// Keep the k best columns by a univariate score.
    SelectKBest(SelectKBest),
    /// Drop columns highly correlated with an earlier one.
    DropCorrelated(DropCorrelated),
    /// Drop the column with the largest variance inflation factor until all are below a bound.
    VifElimination(VifElimination),
}

/// A fitted step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedStep {
    /// Fitted imputer.
    SimpleImputer(FittedSimpleImputer),
    /// Fitted KNN imputer.
    KnnImputer(FittedKnnImputer),
    /// Fitted iterative imputer.
    IterativeImputer(FittedIterativeImputer),
    /// Any fitted scaler.
    Scaler(FittedAffine),
    /// Fitted one-hot encoder.
    OneHotEncoder(FittedOneHotEncoder),
    /// Fitted ordinal encoder.
    OrdinalEncoder(FittedOrdinalEncoder),
    /// Fitted target encoder.
    TargetEncoder(FittedTargetEncoder),
    /// `log1p`.
    Log1p(FittedLog1p),
    /// Fitted Yeo–Johnson.
    YeoJohnson(FittedYeoJohnson),
    /// Fitted clip bounds.
    Clip(FittedClip),
    /// Gaussian noise (identity at transform time).
    GaussianNoise(FittedGaussianNoise),
    /// PCA or truncated SVD.
    Projection(FittedProjection),
    /// Any column selection.
    Selection(FittedSelection),
}

impl StepSpec {
    /// The `kind` name as written in a spec.
    pub fn kind(&self) -> &'static str {
        match self {
            StepSpec::SimpleImputer(_) => "simple_imputer",
            StepSpec::KnnImputer(_) => "knn_imputer",
            StepSpec::IterativeImputer(_) => "iterative_imputer",
            StepSpec::StandardScaler(_) => "standard_scaler",
            StepSpec::MinMaxScaler(_) => "min_max_scaler",
            StepSpec::RobustScaler(_) => "robust_scaler",
            StepSpec::MaxAbsScaler(_) => "max_abs_scaler",
            StepSpec::OneHotEncoder(_) => "one_hot_encoder",
            StepSpec::OrdinalEncoder(_) => "ordinal_encoder",
            StepSpec::TargetEncoder(_) => "target_encoder",
            StepSpec::Log1p(_) => "log1p",
            StepSpec::YeoJohnson(_) => "yeo_johnson",
            StepSpec::Clip(_) => "clip",
            StepSpec::GaussianNoise(_) => "gaussian_noise",
            StepSpec::Pca(_) => "pca",
            StepSpec::TruncatedSvd(_) => "truncated_svd",
            StepSpec::VarianceThreshold(_) => "variance_threshold",
            StepSpec::SelectKBest(_) => "select_k_best",
            StepSpec::DropCorrelated(_) => "drop_correlated",
            StepSpec::Lda(_) => "lda",
            StepSpec::VifElimination(_) => "vif_elimination",
        }
    }

    /// Validates the hyper-parameters without data.
    pub fn check(&self) -> Result<()> {
        match self {
            StepSpec::SimpleImputer(s) => s.check(),
            StepSpec::StandardScaler(s) => s.check(),
            StepSpec::MinMaxScaler(s) => s.check(),
            StepSpec::RobustScaler(s) => s.check(),
            StepSpec::MaxAbsScaler(s) => s.check(),
            StepSpec::OneHotEncoder(s) => s.check(),
            StepSpec::OrdinalEncoder(s) => s.check(),
            StepSpec::TargetEncoder(s) => s.check(),
            StepSpec::Log1p(s) => s.check(),
            StepSpec::YeoJohnson(s) => s.check(),
            StepSpec::Clip(s) => s.check(),
            StepSpec::GaussianNoise(s) => s.check(),
            StepSpec::Pca(s) => s.check(),
            StepSpec::TruncatedSvd(s) => s.check(),
            StepSpec::VarianceThreshold(s) => s.check(),
            StepSpec::SelectKBest(s) => s.check(),
            StepSpec::DropCorrelated(s) => s.check(),
            StepSpec::KnnImputer(s) => s.check(),
            StepSpec::IterativeImputer(s) => s.check(),
            StepSpec::Lda(s) => s.check(),
            StepSpec::VifElimination(s) => s.check(),
        }
    }

    /// Fits on the training table and returns the fitted step with the table's training-time
    /// output (which differs from `transform` only for target encoding and noise).
    pub fn fit_transform(&self, table: Table, ctx: &FitContext) -> Result<(FittedStep, Table)> {
        let fitted = match self {
            StepSpec::TargetEncoder(s) => {
                let (f, out) = s.fit_transform(table, ctx)?;
                return Ok((FittedStep::TargetEncoder(f), out));
            }
            StepSpec::IterativeImputer(s) => {
                let (f, out) = s.fit_transform(table)?;
                return Ok((FittedStep::IterativeImputer(f), out));
            }
            StepSpec::GaussianNoise(s) => {
                let (f, out) = s.fit_transform(table, ctx.seed)?;
                return Ok((FittedStep::GaussianNoise(f), out));
            }
            StepSpec::SimpleImputer(s) => FittedStep::SimpleImputer(s.fit(&table)?),
            StepSpec::StandardScaler(s) => FittedStep::Scaler(s.fit(&table)?),
            StepSpec::MinMaxScaler(s) => FittedStep::Scaler(s.fit(&table)?),
            StepSpec::RobustScaler(s) => FittedStep::Scaler(s.fit(&table)?),
            StepSpec::MaxAbsScaler(s) => FittedStep::Scaler(s.fit(&table)?),
            StepSpec::OneHotEncoder(s) => FittedStep::OneHotEncoder(s.fit(&table)?),
            StepSpec::OrdinalEncoder(s) => FittedStep::OrdinalEncoder(s.fit(&table)?),
            StepSpec::Log1p(s) => FittedStep::Log1p(s.fit(&table)?),
            StepSpec::YeoJohnson(s) => FittedStep::YeoJohnson(s.fit(&table)?),
            StepSpec::Clip(s) => FittedStep::Clip(s.fit(&table)?),
            StepSpec::Pca(s) => FittedStep::Projection(s.fit(&table)?),
            StepSpec::TruncatedSvd(s) => FittedStep::Projection(s.fit(&table)?),
            StepSpec::VarianceThreshold(s) => FittedStep::Selection(s.fit(&table)?),
            StepSpec::SelectKBest(s) => FittedStep::Selection(s.fit(&table, ctx)?),
            StepSpec::DropCorrelated(s) => FittedStep::Selection(s.fit(&table)?),
            StepSpec::KnnImputer(s) => FittedStep::KnnImputer(s.fit(&table)?),
            StepSpec::Lda(s) => FittedStep::Projection(s.fit(&table, ctx)?),
            StepSpec::VifElimination(s) => FittedStep::Selection(s.fit(&table)?),
        };
        let out = fitted.transform(table)?;
        Ok((fitted, out))
    }
}

impl FittedStep {
    /// Applies the fitted step to new rows (serving path; never uses a target).
    pub fn transform(&self, table: Table) -> Result<Table> {
        match self {
            FittedStep::SimpleImputer(f) => f.transform(table),
            FittedStep::KnnImputer(f) => f.transform(table),
            FittedStep::IterativeImputer(f) => f.transform(table),
            FittedStep::Scaler(f) => f.transform(table),
            FittedStep::OneHotEncoder(f) => f.transform(table),
            FittedStep::OrdinalEncoder(f) => f.transform(table),
            FittedStep::TargetEncoder(f) => f.transform(table),
            FittedStep::Log1p(f) => f.transform(table),
            FittedStep::YeoJohnson(f) => f.transform(table),
            FittedStep::Clip(f) => f.transform(table),
            FittedStep::GaussianNoise(f) => f.transform(table),
            FittedStep::Projection(f) => f.transform(table),
            FittedStep::Selection(f) => f.transform(table),
        }
    }
}
