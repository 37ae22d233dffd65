//! The served model over time, from its prediction log.
//!
//! kiln's server appends every scored row to a prediction log and every label sent back to a
//! feedback log (kiln-serve's `log` module); kiln-serve's `join_feedback` stacks the files and
//! attaches each label to its row. This module takes that joined log as a
//! [`Frame`](kiln_data::Frame) — it does
//! not read files itself, so it does not depend on the server — and reports per time window:
//!
//! - [`prediction_drift`]: rows scored, model versions seen, and whether the distribution of
//!   predictions (the label of a classifier, the value of a regressor, optionally the class
//!   probabilities) drifted from a reference, with the same [`crate::drift::detect_drift`]
//!   machinery and Evidently's automatic method choice. The reference is best the model's own
//!   predictions on its held-out test rows ([`prediction_reference`], stored in the artifact
//!   at training time); without it, a window of the log itself.
//! - [`performance`]: where feedback labels came back, the metric per window (kiln-eval's
//!   definitions) and an alert when it crosses a threshold; windows with fewer than
//!   `min_labels` labels are marked as such instead of alerting on noise.
//!
//! Windows are by the time a row was *scored*, not the time its label arrived: a label answers
//! the prediction made then. See [`window`] for how windows are aligned.
//!
//! The joined log has these columns (names in [`columns`]); others are ignored:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `timestamp` | datetime | when the row was scored (UTC) |
//! | `model` | text | the model name |
//! | `version` | integer | the model version |
//! | `prediction` | numeric | class code or regression value |
//! | `label` | text | predicted class label (classification) |
//! | `probabilities` | text | JSON array of class probabilities (classification) |
//! | `feedback_label` | text | the true label or value, missing until feedback arrives |

mod drift;
mod performance;
mod rows;
pub mod window;

pub use drift::{
    DEFAULT_MIN_ROWS, PREDICTION_COLUMN, PredictionDriftOptions, PredictionDriftReport,
    ReferenceChoice, WindowDrift, WindowDriftStatus, prediction_drift, prediction_frame,
    prediction_reference, probability_column,
};
pub use performance::{
    Alert, DEFAULT_MIN_LABELS, PerformanceOptions, PerformanceReport, PerformanceStatus,
    WindowPerformance, performance,
};
pub use rows::{LogFilter, ModelKind};
pub use window::{Window, WindowSpec};

/// Column names of the joined prediction log.
pub mod columns {
    /// When the row was scored.
    pub const TIMESTAMP: &str = "timestamp";
    /// The model name.
    pub const MODEL: &str = "model";
    /// The model version.
    pub const VERSION: &str = "version";
    /// Class code or regression value.
    pub const PREDICTION: &str = "prediction";
    /// Predicted class label.
    pub const LABEL: &str = "label";
    /// JSON array of class probabilities.
    pub const PROBABILITIES: &str = "probabilities";
    /// The label sent back as feedback.
    pub const FEEDBACK_LABEL: &str = "feedback_label";
}
