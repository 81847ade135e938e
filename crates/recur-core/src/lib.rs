//! `recur-core` holds the canonical incident record and the normalizer that turns the exports
//! teams actually have (CSV, JSON, JSONL, folders of Markdown postmortems; tracker exports;
//! follow-ups nested or in a separate file) into it, without losing or silently mangling a
//! record: every record read is accepted, rejected with a reason, or merged, and the
//! [`Accounting`] says so.
//!
//! ```
//! use recur_core::normalize::{NormalizeOptions, normalize_str};
//!
//! let jsonl = concat!(
//!     r#"{"key": "PD-7", "priority": "P1", "timeline": {"begin": "2025-05-02T03:14:00Z"}, "#,
//!     r#""action_items": [{"key": "OPS-1", "summary": "add a pool alert", "status": "To Do"}]}"#,
//!     "\n",
//!     r#"{"key": "PD-8", "priority": "catastrophic-ish"}"#,
//! );
//! let out = normalize_str("export.jsonl", jsonl, None, &NormalizeOptions::default());
//! assert_eq!(out.incidents[0].severity, Some(1));
//! assert_eq!(out.incidents[0].follow_ups[0].id.as_deref(), Some("OPS-1"));
//! assert_eq!(out.rejected[0].field.as_deref(), Some("severity"));
//! assert_eq!(out.accounting.to_string(), "2 records read: 1 accepted, 1 rejected, 0 merged; 1 follow-ups read: 1 attached, 0 rejected, 0 merged");
//! ```
#![warn(missing_docs)]

pub mod as_of;
pub mod check;
#[cfg(feature = "polars")]
pub mod frame;
pub mod model;
pub mod normalize;
pub mod outcome;
pub mod output;
pub mod synth;
pub mod template;

pub use model::{Extra, FollowUp, FollowUpStatus, Incident, IncidentStatus, Source};
pub use outcome::{Accounting, InputError, Merge, Normalized, RecordKind, Rejected, Warning};
