//! One module per noun; each exposes `run`.

pub mod data;
pub mod datasets;
pub mod models;
pub mod monitor;
pub mod monitor_logs;
pub mod predict;
pub mod profile;
pub mod project;
pub mod quickstart;
pub mod read;
pub mod runs;
pub mod serve;
pub mod train;
pub mod validate;
