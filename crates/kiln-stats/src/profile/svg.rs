//! The profile's charts now live in [`crate::chart`], shared with the run and drift reports;
//! these names stay for code that imported them from here.

pub use crate::chart::{bar_chart, escape, heatmap, histogram, short_number};
