//! `recur` finds recurring patterns in incident reports.
//!
//! This facade re-exports the workspace crates so that a tool embedding recur needs one
//! dependency: [`core`] (the canonical record and the normalizer), [`cluster`] (pattern mining)
//! and [`review`] (trends, charts and the monthly review report).
#![warn(missing_docs)]

pub use recur_cluster as cluster;
pub use recur_core as core;
#[cfg(feature = "review")]
pub use recur_review as review;
