//! One module per noun; each exposes `run`.

pub mod data;
pub mod datasets;
pub mod monitor;
pub mod profile;
pub mod quickstart;
pub mod read;
pub mod validate;
