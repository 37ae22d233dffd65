//! The error type of the project layer: configuration mistakes and failures of the crates below,
//! each with a message that names the file, key, column or model involved.

/// Everything that can go wrong while reading a project or running its workflow.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// `kiln.toml` (or an argument standing in for it) is invalid.
    #[error("{origin}: {message}")]
    Config {
        /// The file or argument.
        origin: String,
        /// What is wrong, naming the key.
        message: String,
    },
    /// Reading the data failed.
    #[error(transparent)]
    Data(#[from] kiln_data::DataError),
    /// Preparing the data failed.
    #[error(transparent)]
    Prep(#[from] kiln_prep::PrepError),
    /// A model refused its input or parameters.
    #[error(transparent)]
    Model(#[from] kiln_models::ModelError),
    /// Fitting, predicting or scoring a pipeline failed.
    #[error(transparent)]
    Pipeline(#[from] kiln_eval::PipelineError),
    /// A metric could not be computed.
    #[error(transparent)]
    Eval(#[from] kiln_eval::EvalError),
    /// The data cannot be used as the configuration asks.
    #[error("{0}")]
    Invalid(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, ProjectError>;
