//! The load generator's one error type: bad options and unusable rows files are the user's to
//! fix and say which option or file is wrong; failures of the target server are counted in the
//! summary, not raised.

/// Everything that stops a load run before or while it starts.
#[derive(Debug, thiserror::Error)]
pub enum LoadgenError {
    /// An option is missing, unknown or out of range.
    #[error("{option}: {message}")]
    Option {
        /// The option involved (`--rate`, `--rows-file`, …).
        option: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The rows file cannot be used.
    #[error("rows file {path}: {message}")]
    RowsFile {
        /// The file as given.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// Reading data or fitting the synthetic model failed.
    #[error(transparent)]
    Data(#[from] kiln_data::DataError),
    /// Preparing or fitting the synthetic pipeline failed.
    #[error("synthetic model: {0}")]
    Model(String),
    /// Starting or probing the in-process server failed.
    #[error("server: {0}")]
    Server(String),
    /// A worker thread panicked (a bug in the generator, never the server's doing).
    #[error("a load worker panicked")]
    Worker,
}

impl LoadgenError {
    /// A bad option.
    pub fn option(option: &str, message: impl Into<String>) -> Self {
        LoadgenError::Option {
            option: option.to_string(),
            message: message.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, LoadgenError>;
