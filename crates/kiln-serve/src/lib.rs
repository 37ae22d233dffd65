//! kiln-serve: the HTTP prediction server.
//!
//! One process serves one or more model versions over HTTP (axum + tokio):
//!
//! - `POST /v1/models/{name}/predict` — records (`[{"col": v}]` or one object) or a columnar
//!   table (`{"columns": [...], "data": [[...]]}`); replies with predictions, probabilities and
//!   classes. Rows are typed by the model's input schema and scored by
//!   [`kiln_eval::FittedModelPipeline::predict`], the same call training and batch scoring
//!   make, so serving cannot compute features differently.
//! - `POST /invocations`, `GET /ping` — MLflow's scoring protocol (`dataframe_split`,
//!   `dataframe_records`, `instances`, `inputs`).
//! - `GET /healthz`, `GET /readyz`, `GET /metrics` (Prometheus text), `GET /v1/models`.
//! - `POST /v1/models/{name}/feedback` — labels for earlier predictions, joined to the
//!   prediction log by request id ([`join_feedback`]).
//! - `POST /v1/admin/reload` — only when an admin token is configured.
//!
//! Models come from a [`ModelSource`] (the registry, or [`InMemorySource`]); references like
//! `churn@production` are re-resolved on a poll interval and a moved alias is loaded and
//! swapped in while in-flight requests finish on the old version. Every bad request gets a 4xx
//! with a JSON error naming the field and row; the server never panics on input.
//!
//! ```
//! use std::sync::Arc;
//! use kiln_serve::{InMemorySource, RunningServer, ServeConfig};
//!
//! // Fit a small pipeline (in practice it comes from the registry).
//! let mut csv = String::from("x,colour,label\n");
//! for i in 0..40 {
//!     let label = if i < 20 { "low" } else { "high" };
//!     csv.push_str(&format!("{i}.5,{},{label}\n", ["red", "blue"][i % 2]));
//! }
//! let train = kiln_data::csv::read_csv_bytes(csv.as_bytes(), "train", &Default::default())?;
//! let prep = kiln_prep::PipelineSpec::from_toml(
//!     "target = \"label\"\nremainder = \"passthrough\"\n\
//!      [[blocks]]\nname = \"colour\"\ncolumns = { names = [\"colour\"] }\n\
//!      steps = [{ kind = \"one_hot_encoder\", handle_unknown = \"ignore\" }]\n",
//!     "prep",
//! )?;
//! let model = serde_json::from_str(r#"{"kind": "decision_tree", "max_depth": 2}"#)?;
//! let pipeline = kiln_eval::ModelPipelineSpec { prep, model }.fit(&train)?;
//!
//! let source = InMemorySource::new();
//! let v = source.add_version("churn", pipeline, serde_json::json!({"accuracy": 1.0}))?;
//! source.set_alias("churn", "production", v)?;
//! let mut config = ServeConfig::new(vec!["churn@production".into()]);
//! config.addr = "127.0.0.1:0".parse()?;
//! let server = RunningServer::start(config, Arc::new(source))?;
//! // POST http://{addr}/v1/models/churn/predict with [{"x": 3.5, "colour": "red"}]
//! server.stop()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod client;
mod config;
mod error;
mod input;
mod log;
mod metrics;
mod mlflow;
mod routes;
mod scoring;
mod server;
mod source;
mod state;

pub use config::{MIN_ADMIN_TOKEN_LEN, ServeConfig};
pub use error::{ApiError, Result, ServeError};
pub use input::{Rows, frame_from_rows, native_rows};
pub use log::{FeedbackRecord, LogConfig, PredictionLog, ScoredBatch, join_feedback, read_log};
pub use metrics::Metrics;
pub use mlflow::mlflow_rows;
pub use server::{RunningServer, Server, router, serve_blocking, shutdown_signal};
pub use source::{InMemorySource, LoadedModel, ModelRef, ModelSource, RegistrySource, VersionKey};
pub use state::{AppState, ModelSet, ReloadOutcome, ServedModel, Slot, reload};
