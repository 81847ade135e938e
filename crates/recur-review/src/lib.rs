//! `recur-review` turns normalized incidents and mined patterns into the monthly pattern review:
//! trends (polars group-bys), charts (plotters, PNG and SVG), the agenda and audience, follow-up
//! accountability, and the report in Markdown, HTML and JSON. It returns data and rendered
//! bytes; it writes no files.
//!
//! Embedding the whole review: normalize, review, render.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use recur_core::normalize::{NormalizeOptions, normalize_str};
//! use recur_review::report::{render_json, render_markdown};
//! use recur_review::review::{ReviewOptions, run_review};
//!
//! let csv = "id,title,severity,started_at,resolved_at,services,root_cause\n\
//!     A-1,Checkout 500s,SEV2,2025-03-02T10:00:00Z,2025-03-02T12:00:00Z,checkout,database connection pool exhausted\n\
//!     A-2,Checkout slow,SEV3,2025-03-09T10:00:00Z,2025-03-09T11:00:00Z,checkout,connection pool exhausted by retries\n\
//!     A-3,Login down,SEV1,2025-03-12T08:00:00Z,2025-03-12T08:30:00Z,auth,expired TLS certificate\n\
//!     A-4,Login errors,SEV2,2025-03-20T08:00:00Z,2025-03-20T09:00:00Z,auth,certificate expired after failed renewal\n";
//! let normalized = normalize_str("export.csv", csv, None, &NormalizeOptions::default());
//! let as_of = Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap();
//! let review = run_review(&normalized, &ReviewOptions::new(as_of))?;
//! assert_eq!(review.input.incidents, 4);
//! assert_eq!(review.run.month, "2025-03");
//! assert!(render_markdown(&review, &[]).starts_with("# Incident pattern review: 2025-03"));
//! assert!(render_json(&review)?.contains("\"records_read\": 4"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod accountability;
pub mod agenda;
pub mod catalogue;
pub mod charts;
pub mod digest;
pub mod history;
pub mod report;
pub mod review;
pub mod tables;
pub mod trends;
