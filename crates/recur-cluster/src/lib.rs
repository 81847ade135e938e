//! `recur-cluster` mines patterns from canonical incidents: a text pipeline (tokenizing,
//! stop words, synonyms, Snowball stemming, phrases), sparse TF-IDF, a randomized truncated SVD,
//! clustering with linfa-clustering, pattern labels, contributing factors, similar incidents and
//! recurrences. It knows nothing of polars or files: it takes records and returns plain data.
#![warn(missing_docs)]

pub mod factors;
pub mod patterns;
pub mod recurrence;
pub mod similar;
pub mod svd;
pub mod text;
pub mod tfidf;
