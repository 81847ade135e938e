//! `recur-cluster` mines patterns from canonical incidents: a text pipeline (tokenizing,
//! stop words, synonyms, Snowball stemming, phrases), sparse TF-IDF, a randomized truncated SVD,
//! clustering with linfa-clustering, pattern labels, contributing factors, similar incidents and
//! recurrences. It knows nothing of polars or files: it takes records and returns plain data,
//! and the same input and seed give the same output.
//!
//! ```
//! use recur_cluster::factors::{FactorParams, analyze_factors};
//! use recur_cluster::patterns::{PatternParams, find_patterns};
//! use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
//! use recur_cluster::similar::SimilarityIndex;
//! use recur_core::Incident;
//!
//! let causes = [
//!     "TLS certificate expired on the edge proxy",
//!     "Database connection pool exhausted by slow queries",
//! ];
//! let incidents: Vec<Incident> = (0..12)
//!     .map(|i| Incident {
//!         id: format!("INC-{i}"),
//!         root_cause: Some(causes[i % 2].to_owned()),
//!         contributing_factors: vec![if i % 3 == 0 { "flaky tests" } else { "test flakiness" }.to_owned()],
//!         ..Incident::default()
//!     })
//!     .collect();
//!
//! let patterns = find_patterns(&incidents, &PatternParams { k_max: 4, ..PatternParams::default() })?;
//! assert_eq!(patterns.patterns.len(), 2);
//! assert_eq!(patterns.assignment[0], patterns.assignment[2]);
//! assert_ne!(patterns.assignment[0], patterns.assignment[1]);
//!
//! let factors = analyze_factors(&incidents, &patterns.assignment, &FactorParams::default());
//! // Both phrasings are the catalogue's `flaky-tests` concept; the root causes name concepts too.
//! let flaky = factors.factors.iter().find(|f| f.concept.as_deref() == Some("flaky-tests"));
//! assert_eq!(flaky.map(|f| f.incidents.len()), Some(12));
//! assert!(factors.factors.iter().any(|f| f.concept.as_deref() == Some("expired-certificate")));
//!
//! let similar = SimilarityIndex::from_patterns(&patterns).most_similar(0, 1);
//! assert_eq!(similar[0].index % 2, 0, "another certificate incident");
//!
//! // No timestamps or follow-ups here, so nothing recurs.
//! assert!(find_recurrences(&incidents, &patterns, &RecurrenceParams::default()).is_empty());
//! # Ok::<(), recur_cluster::patterns::PatternError>(())
//! ```
#![warn(missing_docs)]

pub mod catalogue;
pub mod evaluate;
pub mod factors;
pub mod index_file;
pub mod patterns;
pub mod recurrence;
pub mod similar;
pub mod svd;
pub mod text;
pub mod tfidf;
