//! `recur-core` holds the canonical incident record and the normalizer that turns the exports
//! teams actually have (CSV, JSON, JSONL, folders of Markdown postmortems; tracker exports;
//! follow-ups nested or in a separate file) into it, without losing or silently mangling a
//! record: every record read is accepted, rejected with a reason, or merged, and the
//! [`Accounting`] says so.
#![warn(missing_docs)]

pub mod check;
#[cfg(feature = "polars")]
pub mod frame;
pub mod model;
pub mod normalize;
pub mod outcome;
pub mod output;
pub mod synth;
pub mod template;

pub use model::{FollowUp, FollowUpStatus, Incident, IncidentStatus, Source};
pub use outcome::{Accounting, InputError, Normalized, RecordKind, Rejected, Warning};
