//! Value normalization: the pure parsers that turn one source value into its canonical form.
//!
//! Each parser takes the raw text of one cell and either returns the canonical value or a
//! [`ValueError`] that says, in words a user can act on, why it could not. None of them reads
//! files, the environment or the clock: the caller supplies the date order and time zone.
//!
//! - [`time`]: timestamps, and the per-column day-first / month-first decision.
//! - [`severity`]: `SEV1`, `P2`, `3 - Moderate`, `Critical`, … onto 1 (most severe) to 5.
//! - [`status`]: incident and follow-up statuses.
//! - [`list`]: list-valued cells (`a; b`, `["a","b"]`, bulleted lines).
//! - [`text`]: HTML and Markdown reduced to plain text; mojibake repair.

pub mod list;
pub mod severity;
pub mod status;
pub mod text;
pub mod time;

/// Why a value could not be normalized. Display = the reason shown to users (lowercase, names
/// the value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The text is not a timestamp in any accepted format.
    #[error("unrecognized timestamp `{0}`")]
    UnrecognizedTimestamp(String),
    /// A calendar date before the year 1000 or from 3000 on (placeholders such as `0001-01-01`
    /// or `9999-12-31`), or an epoch number outside 1970-01-01 to 2100-01-01.
    #[error(
        "timestamp `{0}` is out of range: a placeholder rather than a date (calendar dates must fall in the years 1000 to 2999, epoch numbers in 1970 to 2099)"
    )]
    TimestampOutOfRange(String),
    /// A timestamp whose date does not exist (`31/02/2025`, or month 13 in the column's date
    /// order).
    #[error("invalid date `{0}`")]
    InvalidDate(String),
    /// A timestamp whose time of day does not exist (`25:00`, `13:00 PM`).
    #[error("invalid time of day in `{0}`")]
    InvalidTime(String),
    /// The text is not a severity or priority in any known scale.
    #[error("unrecognized severity `{0}`")]
    UnrecognizedSeverity(String),
    /// A numeric severity above 5.
    #[error("severity `{0}` is outside 1 to 5")]
    SeverityOutOfRange(String),
    /// The text is not a known incident status.
    #[error("unrecognized incident status `{0}`")]
    UnrecognizedStatus(String),
    /// The text is not a known follow-up status.
    #[error("unrecognized follow-up status `{0}`")]
    UnrecognizedFollowUpStatus(String),
}
