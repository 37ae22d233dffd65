//! The CLI's error type and its exit codes: 1 for a failure, 2 for a usage mistake.

use kiln_data::DataError;

/// Everything a command can fail with; the message is printed as `error: …`.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Reading, writing or describing data failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A statistic or profile could not be computed.
    #[error(transparent)]
    Stats(#[from] kiln_stats::StatsError),
    /// Schema inference or validation could not run.
    #[error(transparent)]
    Monitor(#[from] kiln_monitor::MonitorError),
    /// The arguments are wrong in a way clap cannot see (e.g. `--type x=wrong`).
    #[error("{0}")]
    Usage(String),
    /// Anything else that went wrong.
    #[error("{0}")]
    Failed(String),
    /// A check failed after the command printed its full result (a gate that kept the alias):
    /// exit code 1, without a second JSON document.
    #[error("{0}")]
    Reported(String),
    /// The project workflow failed.
    #[error(transparent)]
    Project(#[from] kiln_project::ProjectError),
    /// The registry failed.
    #[error(transparent)]
    Registry(#[from] kiln_registry::RegistryError),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// A command's result.
pub type CliResult<T> = Result<T, CliError>;
