//! kiln-project: a kiln project — its `kiln.toml` and the training workflow it describes.
//!
//! The CLI is a thin layer over this crate: `kiln train` reads a [`ProjectConfig`] (or builds
//! one from flags), and the workflow here splits the data once, cross-validates every candidate
//! on the training rows only, refits the best, touches the test rows once, applies the gate
//! against the current production version and registers the result.

pub mod auto_prep;
pub mod config;
pub mod data;
pub mod error;
pub mod scoring;
pub mod workflow;

pub use config::{
    DataSection, GateSection, ProjectConfig, RegisterSection, SplitSection, TrainSection,
    check_model_name,
};
pub use error::{ProjectError, Result};
