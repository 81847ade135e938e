//! The history of the patterns across months: the point-in-time review of each month, in order,
//! with one pattern catalogue carried from each month to the next, so a pattern has the same id
//! in every month. The view of a quarterly or yearly review.
//!
//! Each month's review is as of the first instant of the next month (what was known when that
//! month closed), for that month. The table has one row per month and pattern found that month.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use polars::prelude::{Column, DataFrame, PolarsError};
use recur_core::Normalized;
use recur_core::as_of::as_of_view;
use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::review::{Period, Review, ReviewError, ReviewOptions, run_review};

/// One pattern in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The pattern's stable id.
    pub pattern_id: String,
    /// Its name in the catalogue after the last month (one name per id in the whole table).
    pub name: String,
    /// Its incidents that month.
    pub incidents: usize,
    /// Follow-ups of its incidents (of any month) open at the end of the month.
    pub open_follow_ups: usize,
    /// Its incidents that month that recurred an earlier one while a follow-up was open.
    pub recurrences: usize,
}

/// The reviews of several months.
#[derive(Debug, Clone)]
pub struct History {
    /// The months, oldest first, `YYYY-MM`.
    pub months: Vec<String>,
    /// One row per month and pattern found that month: by month, then most incidents first,
    /// then id.
    pub rows: Vec<HistoryRow>,
    /// The review of the last month (with the catalogue after it).
    pub last: Option<Review>,
}

/// Why the history could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// One month's review failed.
    #[error("the review of {month}: {source}")]
    Review {
        /// The month.
        month: String,
        /// Why.
        source: ReviewError,
    },
    /// A month whose end is outside the calendar.
    #[error("the month {month} is outside the supported calendar")]
    MonthOutOfRange {
        /// The month.
        month: NaiveDate,
    },
}

/// Run the review of each month (any day of it) in order, with `options` (its `as_of` and
/// `period` are set per month) and its catalogue carried from month to month.
pub fn run_history(
    normalized: &Normalized,
    months: &[NaiveDate],
    options: &ReviewOptions,
) -> Result<History, HistoryError> {
    let mut catalogue: Catalogue = options.catalogue.clone();
    let mut per_month: Vec<(String, Vec<HistoryRow>)> = Vec::new();
    let mut last = None;
    for &month in months {
        let period = Period::month_of(month);
        let as_of = Utc
            .with_ymd_and_hms(
                period.until.year(),
                period.until.month(),
                period.until.day(),
                0,
                0,
                0,
            )
            .single()
            .ok_or(HistoryError::MonthOutOfRange { month })?;
        let label = period.since.format("%Y-%m").to_string();
        let month_options = ReviewOptions {
            period: Some(period),
            as_of,
            catalogue,
            ..options.clone()
        };
        let review =
            run_review(normalized, &month_options).map_err(|source| HistoryError::Review {
                month: label.clone(),
                source,
            })?;
        per_month.push((label, month_rows(normalized, &review, as_of)));
        catalogue = review.updated_catalogue.clone();
        last = Some(review);
    }
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (month, mut month_rows) in per_month {
        for row in &mut month_rows {
            if let Some(entry) = catalogue.entry(catalogue.reported_id(&row.pattern_id)) {
                row.name = entry.name.clone();
            }
        }
        rows.extend(month_rows);
        labels.push(month);
    }
    Ok(History {
        months: labels,
        rows,
        last,
    })
}

fn month_rows(
    normalized: &Normalized,
    review: &Review,
    as_of: chrono::DateTime<Utc>,
) -> Vec<HistoryRow> {
    let view = as_of_view(&normalized.incidents, as_of);
    let mut open = vec![0usize; review.pattern_ids.len()];
    for (incident, pattern) in view.incidents.iter().zip(&review.pattern_of) {
        if let Some(slot) = pattern.and_then(|p| open.get_mut(p)) {
            *slot += incident
                .follow_ups
                .iter()
                .filter(|f| f.open_at(as_of))
                .count();
        }
    }
    let mut recurrences: BTreeMap<&str, usize> = BTreeMap::new();
    for recurrence in review.recurrences.iter().filter(|r| r.in_period) {
        *recurrences.entry(&*recurrence.pattern_id).or_default() += 1;
    }
    let this_month: BTreeMap<usize, usize> = review
        .trends
        .patterns
        .iter()
        .map(|t| (t.index, t.this_month))
        .collect();
    let mut rows: Vec<HistoryRow> = review
        .pattern_ids
        .iter()
        .enumerate()
        .map(|(index, id)| HistoryRow {
            month: review.run.month.clone(),
            pattern_id: id.clone(),
            name: review
                .pattern_labels
                .get(index)
                .cloned()
                .unwrap_or_default(),
            incidents: this_month.get(&index).copied().unwrap_or(0),
            open_follow_ups: open.get(index).copied().unwrap_or(0),
            recurrences: recurrences.get(id.as_str()).copied().unwrap_or(0),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then_with(|| a.pattern_id.cmp(&b.pattern_id))
    });
    rows
}

/// The history table as CSV (`month,pattern_id,name,incidents,open_follow_ups,recurrences`).
pub fn write_history_csv<W: Write>(writer: W, rows: &[HistoryRow]) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    for row in rows {
        csv.serialize(row)?;
    }
    if rows.is_empty() {
        csv.write_record([
            "month",
            "pattern_id",
            "name",
            "incidents",
            "open_follow_ups",
            "recurrences",
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// The history table as a polars frame (the columns of [`write_history_csv`]; counts `u64`).
pub fn history_frame(rows: &[HistoryRow]) -> Result<DataFrame, PolarsError> {
    let text = |pick: fn(&HistoryRow) -> &str| -> Vec<String> {
        rows.iter().map(|row| pick(row).to_owned()).collect()
    };
    let count = |pick: fn(&HistoryRow) -> usize| -> Vec<u64> {
        rows.iter().map(|row| pick(row) as u64).collect()
    };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new("month".into(), text(|r| &r.month)),
            Column::new("pattern_id".into(), text(|r| &r.pattern_id)),
            Column::new("name".into(), text(|r| &r.name)),
            Column::new("incidents".into(), count(|r| r.incidents)),
            Column::new("open_follow_ups".into(), count(|r| r.open_follow_ups)),
            Column::new("recurrences".into(), count(|r| r.recurrences)),
        ],
    )
}

/// The history table as Parquet.
pub fn write_history_parquet<W: Write>(writer: W, rows: &[HistoryRow]) -> Result<(), PolarsError> {
    let mut frame = history_frame(rows)?;
    recur_core::frame::write_parquet(writer, &mut frame)
}
