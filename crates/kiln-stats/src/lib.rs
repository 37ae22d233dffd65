//! kiln-stats: the statistics engine of kiln.
//!
//! Everything here works on plain `&[f64]` slices so that profiling, drift monitoring and model
//! evaluation share one implementation. Results are checked against SciPy, pandas and statsmodels
//! through committed fixtures (`tools/reference/stats_fixtures.py`).
//!
//! NaN policy, stated once and repeated on each function: descriptive statistics skip NaN and
//! report how many were missing; tests, correlations and distances reject NaN with
//! [`StatsError::Nan`]; the one pairwise variant, [`correlation::correlation_matrix`], uses
//! pairwise-complete rows as pandas does.

pub mod association;
pub mod bootstrap;
pub mod chart;
pub mod correlation;
pub mod descriptive;
pub mod distance;
pub mod distributions;
pub mod error;
pub mod hypothesis;
pub mod moments;
pub mod multiple_testing;
pub mod power;
pub mod profile;
pub mod quantile;
mod rank;
pub mod residual;
mod roots;
mod special;
pub mod vif;

pub use error::{Result, StatsError};
