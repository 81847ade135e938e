//! `recur` finds recurring patterns in incident reports.
//!
//! This facade re-exports the workspace crates so that a tool embedding recur needs one
//! dependency: [`core`] (the canonical record and the normalizer), [`cluster`] (pattern mining)
//! and [`review`] (trends, charts and the monthly review report), and [`chrono`], whose
//! `DateTime<Utc>` the API takes for "now" (`ReviewOptions::new(as_of)`), so an embedder need
//! not match recur's chrono version by hand.
#![warn(missing_docs)]

pub use chrono;
pub use recur_cluster as cluster;
pub use recur_core as core;
#[cfg(feature = "review")]
pub use recur_review as review;

/// The README's Rust snippets, compiled as doc tests so that the README cannot drift from the
/// API.
#[cfg(all(doctest, feature = "review"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
