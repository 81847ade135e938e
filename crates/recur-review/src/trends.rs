//! Monthly trends of the review: incidents per month and per pattern, time to resolve, severity
//! mix, the follow-up backlog and contributing factors, over a trailing window that ends with
//! the month under review.
//!
//! The aggregations over incidents (month × pattern counts, time-to-resolve quantiles, severity
//! mix, first and last month of each pattern) are polars group-bys on a frame built from the
//! incidents in one pass. The frame stays inside this module: the result, [`Trends`], is plain
//! serializable data, with every monthly series aligned with [`Trends::months`] and zero-filled.
//!
//! Time to resolve is summarized by its median and 90th percentile (linear interpolation), never
//! by a mean: durations are heavily skewed by the few incidents that stay open for days.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use polars::prelude::{
    BooleanChunked, ChunkCompareIneq, ChunkQuantile, Column, DataFrame, DataType, NewChunkedArray,
    PolarsError, QuantileMethod,
};
use recur_core::{FollowUp, Incident};
use serde::{Deserialize, Serialize};

/// The trailing window compared with the month under review, in months. Default of
/// [`TrendParams::trailing_months`].
pub const DEFAULT_TRAILING_MONTHS: u32 = 12;

/// What the trends are computed from: incidents and the results of pattern mining, as plain
/// slices aligned with `incidents`.
#[derive(Debug, Clone, Copy)]
pub struct TrendInput<'a> {
    /// The normalized incidents (with their follow-ups).
    pub incidents: &'a [Incident],
    /// The pattern id of each incident (an index into `pattern_labels`), `None` when the
    /// incident belongs to no pattern. Same length as `incidents`, or empty when no patterns
    /// were mined.
    pub pattern_of: &'a [Option<usize>],
    /// The label of each pattern, by pattern id.
    pub pattern_labels: &'a [String],
    /// The stable (catalogue) id of each pattern, by pattern id, for the report; empty to
    /// number them `#0`, `#1`, ….
    pub pattern_ids: &'a [String],
    /// The contributing factors of each incident, as indices into `factor_names`. Same length as
    /// `incidents`, or empty when no factors were extracted.
    pub factor_of: &'a [Vec<usize>],
    /// The canonical name of each factor, by factor index.
    pub factor_names: &'a [String],
}

/// Which period the trends cover and what "now" is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendParams {
    /// The month under review, as any day of it (conventionally the first).
    pub month: NaiveDate,
    /// How many months before the month under review it is compared with. Default 12
    /// ([`DEFAULT_TRAILING_MONTHS`]): the window then spans 13 months, so the same month of the
    /// previous year is in view.
    pub trailing_months: u32,
    /// "Now" for follow-ups: which are open and overdue. A parameter, never the wall clock, so a
    /// run is reproducible.
    pub as_of: DateTime<Utc>,
}

impl TrendParams {
    /// Parameters for `month` with the default trailing window of 12 months.
    pub fn new(month: NaiveDate, as_of: DateTime<Utc>) -> Self {
        Self {
            month,
            trailing_months: DEFAULT_TRAILING_MONTHS,
            as_of,
        }
    }
}

/// Why trends could not be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrendError {
    /// A per-incident slice does not have one entry per incident.
    #[error("{what} has {len} entries for {incidents} incidents")]
    LengthMismatch {
        /// Which slice (`pattern_of`, `factor_of`).
        what: &'static str,
        /// Its length.
        len: usize,
        /// The number of incidents.
        incidents: usize,
    },
    /// An incident names a pattern id with no label.
    #[error(
        "incident {incident_id} has pattern {pattern}, but there are only {n_patterns} pattern labels"
    )]
    PatternOutOfRange {
        /// The incident's id.
        incident_id: String,
        /// The pattern id it names.
        pattern: usize,
        /// The number of pattern labels.
        n_patterns: usize,
    },
    /// An incident names a factor index with no name.
    #[error(
        "incident {incident_id} has factor {factor}, but there are only {n_factors} factor names"
    )]
    FactorOutOfRange {
        /// The incident's id.
        incident_id: String,
        /// The factor index it names.
        factor: usize,
        /// The number of factor names.
        n_factors: usize,
    },
    /// The trailing window reaches outside the calendar chrono can represent.
    #[error(
        "the month {month} with {trailing_months} trailing months is outside the supported calendar"
    )]
    MonthOutOfRange {
        /// The month under review.
        month: NaiveDate,
        /// The trailing months asked for.
        trailing_months: u32,
    },
    /// A polars operation failed (a bug, not an input problem).
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
}

/// The trends of one review, plain data. Every `Vec` described as "per month" is aligned with
/// `months`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trends {
    /// The month under review, `YYYY-MM`.
    pub month: String,
    /// "Now" for follow-ups.
    pub as_of: DateTime<Utc>,
    /// The window, oldest first, as `YYYY-MM`; the last is the month under review.
    pub months: Vec<String>,
    /// Headline numbers for the month under review and for the whole window.
    pub headline: Headlines,
    /// Follow-ups of all incidents (in the window or not) open and overdue at `as_of`.
    pub follow_ups_at_as_of: FollowUpState,
    /// Incidents per month.
    pub incidents_per_month: Vec<usize>,
    /// Incidents per month that belong to no pattern.
    pub unassigned_per_month: Vec<usize>,
    /// Incidents with no timestamp at all, which no month can hold.
    pub undated_incidents: usize,
    /// One entry per pattern label, by pattern id.
    pub patterns: Vec<PatternTrend>,
    /// Time to resolve per month, of the incidents that started that month.
    pub time_to_resolve: Vec<ResolveMonth>,
    /// Incidents per month by severity, one series per severity seen in the window (`SEV1`, …,
    /// then `unknown`).
    pub severity_mix: Vec<SeveritySeries>,
    /// The follow-up backlog per month.
    pub follow_up_backlog: Vec<BacklogMonth>,
    /// Incidents per month by contributing factor, for factors seen in the window, the most
    /// frequent first (ties by name).
    pub factors: Vec<FactorSeries>,
}

/// Headline numbers for the month under review and for the months before it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Headlines {
    /// The month under review.
    pub this_month: Headline,
    /// The trailing months before the month under review (the month under review excluded),
    /// what the month is compared with.
    pub trailing: Headline,
}

/// The headline numbers of one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Incidents that occurred in the period.
    pub incidents: usize,
    /// Those incidents by severity label (`SEV1`, …, `unknown`); severities with no incident are
    /// left out.
    pub by_severity: BTreeMap<String, usize>,
    /// Incidents with a known time to resolve (both start and resolution known, in order).
    pub resolved: usize,
    /// Median time to resolve, hours; `None` when no incident has one.
    pub median_ttr_hours: Option<f64>,
    /// 90th percentile of time to resolve, hours (linear interpolation).
    pub p90_ttr_hours: Option<f64>,
    /// Follow-ups of the period's incidents.
    pub follow_ups: usize,
    /// Of those, open at `as_of`.
    pub follow_ups_open: usize,
    /// Of those, open and past their due date at `as_of`.
    pub follow_ups_overdue: usize,
}

/// How many follow-ups are open, and open past their due date, at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpState {
    /// Open at the instant ([`FollowUp::open_at`]).
    pub open: usize,
    /// Open at the instant and due before it.
    pub overdue: usize,
}

/// How a pattern's count in the month under review compares with its trailing months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternStatus {
    /// Its first incident ever is in the month under review.
    New,
    /// At least 2 incidents this month and at least twice its trailing monthly median.
    Rising,
    /// Neither new, rising nor falling.
    Steady,
    /// A trailing monthly median of at least 1 and this month at most half of it.
    Falling,
}

impl PatternStatus {
    /// The lower-case name (`new`, `rising`, `steady`, `falling`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Rising => "rising",
            Self::Steady => "steady",
            Self::Falling => "falling",
        }
    }

    /// The status from a pattern's counts. The rules, in order:
    /// - `New` when the pattern's first incident ever falls in the month under review;
    /// - `Rising` when `this_month >= 2` and `this_month >= 2 × trailing_median` (so a pattern
    ///   that was quiet, median 0, rises with its second incident of the month);
    /// - `Falling` when `trailing_median >= 1` and `this_month <= trailing_median / 2`;
    /// - `Steady` otherwise (including a pattern absent both this month and before).
    pub fn classify(first_seen_this_month: bool, this_month: usize, trailing_median: f64) -> Self {
        let this_month = this_month as f64;
        if first_seen_this_month {
            Self::New
        } else if this_month >= 2.0 && this_month >= 2.0 * trailing_median {
            Self::Rising
        } else if trailing_median >= 1.0 && this_month <= trailing_median / 2.0 {
            Self::Falling
        } else {
            Self::Steady
        }
    }
}

impl std::fmt::Display for PatternStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The trend of one pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternTrend {
    /// The pattern's position in [`TrendInput::pattern_labels`].
    #[serde(skip)]
    pub index: usize,
    /// Its stable id ([`TrendInput::pattern_ids`]).
    pub id: String,
    /// Its label.
    pub label: String,
    /// Incidents per month.
    pub monthly_counts: Vec<usize>,
    /// Incidents in the month under review.
    pub this_month: usize,
    /// Incidents in the whole window (the month under review and the trailing months).
    pub window_total: usize,
    /// Median of the monthly counts over the trailing months (zero months included).
    pub trailing_median: f64,
    /// Month of its first incident in the whole input, `YYYY-MM`.
    pub first_seen: Option<String>,
    /// Month of its last incident in the whole input, `YYYY-MM`.
    pub last_seen: Option<String>,
    /// New, rising, steady or falling ([`PatternStatus::classify`]).
    pub status: PatternStatus,
}

/// Time to resolve of the incidents of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolveMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Incidents with a known time to resolve.
    pub n: usize,
    /// Median, hours.
    pub median_hours: Option<f64>,
    /// 90th percentile, hours (linear interpolation).
    pub p90_hours: Option<f64>,
}

/// Incidents per month of one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeveritySeries {
    /// `SEV1`, `SEV2`, … or `unknown`.
    pub severity: String,
    /// Incidents per month.
    pub monthly_counts: Vec<usize>,
}

/// The follow-up backlog in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacklogMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Follow-ups created in the month.
    pub opened: usize,
    /// Follow-ups closed (done or won't do) in the month, by their close date.
    pub closed: usize,
    /// Follow-ups open at the end of the month, or at `as_of` if that comes first.
    pub open_at_end: usize,
    /// Of those, due before that instant.
    pub overdue_at_end: usize,
}

/// Incidents per month citing one contributing factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorSeries {
    /// The factor index.
    pub index: usize,
    /// Its canonical name.
    pub factor: String,
    /// Incidents per month.
    pub monthly_counts: Vec<usize>,
    /// Incidents in the window.
    pub total: usize,
}

/// The severity label used throughout the review: `SEV1`, `SEV2`, …, or `unknown`.
pub fn severity_label(severity: Option<u8>) -> String {
    match severity {
        Some(level) => format!("SEV{level}"),
        None => "no severity".to_string(),
    }
}

/// The `YYYY-MM` label of the month holding `at`.
pub fn month_label_of(at: DateTime<Utc>) -> String {
    month_label(month_key(at.date_naive()))
}

/// Compute the trends of the month under review against its trailing window.
pub fn compute_trends(input: &TrendInput, params: &TrendParams) -> Result<Trends, TrendError> {
    validate(input)?;
    let window = Window::new(params)?;
    let placed = place_incidents(input, &window)?;

    let incidents_per_month = placed.window_counts(&window);
    let patterns = pattern_trends(input, &placed, &window)?;
    let unassigned_per_month = unassigned_counts(input, &placed, &window);
    let (time_to_resolve, trailing_ttr) = resolve_trends(&placed, &window)?;
    let severity_mix = severity_mix(&placed, &window)?;
    let follow_up_backlog = backlog(input.incidents, &window, params.as_of);
    let factors = factor_series(input, &placed, &window);

    let this_month_index = window.len() - 1;
    let this_month = Headline {
        incidents: incidents_per_month[this_month_index],
        by_severity: severity_totals(&severity_mix, this_month_index..this_month_index + 1),
        resolved: time_to_resolve[this_month_index].n,
        median_ttr_hours: time_to_resolve[this_month_index].median_hours,
        p90_ttr_hours: time_to_resolve[this_month_index].p90_hours,
        ..Headline::default()
    };
    let trailing = Headline {
        incidents: incidents_per_month[..this_month_index].iter().sum(),
        by_severity: severity_totals(&severity_mix, 0..this_month_index),
        resolved: trailing_ttr.n,
        median_ttr_hours: trailing_ttr.median_hours,
        p90_ttr_hours: trailing_ttr.p90_hours,
        ..Headline::default()
    };
    let mut headline = Headlines {
        this_month,
        trailing,
    };
    let mut follow_ups_at_as_of = FollowUpState::default();
    for (incident, slot) in input.incidents.iter().zip(&placed.slot) {
        let in_month = *slot == Some(this_month_index);
        let in_trailing = slot.is_some() && !in_month;
        for follow_up in &incident.follow_ups {
            let open = follow_up.open_at(params.as_of);
            let overdue = is_overdue_at(follow_up, params.as_of);
            follow_ups_at_as_of.open += usize::from(open);
            follow_ups_at_as_of.overdue += usize::from(overdue);
            for (period, counted) in [
                (&mut headline.trailing, in_trailing),
                (&mut headline.this_month, in_month),
            ] {
                if counted {
                    period.follow_ups += 1;
                    period.follow_ups_open += usize::from(open);
                    period.follow_ups_overdue += usize::from(overdue);
                }
            }
        }
    }

    Ok(Trends {
        month: month_label(window.last),
        as_of: params.as_of,
        months: window.labels(),
        headline,
        follow_ups_at_as_of,
        incidents_per_month,
        unassigned_per_month,
        undated_incidents: placed.undated,
        patterns,
        time_to_resolve,
        severity_mix,
        follow_up_backlog,
        factors,
    })
}

/// Whether a follow-up was overdue at `at`: open then ([`FollowUp::open_at`]) and due before.
/// [`FollowUp::overdue_at`] reads the current status, which is right for "now" but not for the
/// end of a past month, when a follow-up done since may still have been open and late.
fn is_overdue_at(follow_up: &FollowUp, at: DateTime<Utc>) -> bool {
    follow_up.open_at(at) && follow_up.due_at.is_some_and(|due| due < at)
}

fn validate(input: &TrendInput) -> Result<(), TrendError> {
    let incidents = input.incidents.len();
    for (what, len) in [
        ("pattern_of", input.pattern_of.len()),
        ("factor_of", input.factor_of.len()),
    ] {
        if len != 0 && len != incidents {
            return Err(TrendError::LengthMismatch {
                what,
                len,
                incidents,
            });
        }
    }
    for (incident, pattern) in input.incidents.iter().zip(input.pattern_of) {
        if let Some(pattern) = *pattern
            && pattern >= input.pattern_labels.len()
        {
            return Err(TrendError::PatternOutOfRange {
                incident_id: incident.id.clone(),
                pattern,
                n_patterns: input.pattern_labels.len(),
            });
        }
    }
    for (incident, factors) in input.incidents.iter().zip(input.factor_of) {
        if let Some(&factor) = factors
            .iter()
            .find(|&&factor| factor >= input.factor_names.len())
        {
            return Err(TrendError::FactorOutOfRange {
                incident_id: incident.id.clone(),
                factor,
                n_factors: input.factor_names.len(),
            });
        }
    }
    Ok(())
}

/// A month as a single integer, `year × 12 + month0`, so months subtract and compare.
type MonthKey = i32;

fn month_key(date: NaiveDate) -> MonthKey {
    date.year() * 12 + date.month0() as i32
}

fn month_label(key: MonthKey) -> String {
    format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
}

fn month_start(key: MonthKey) -> Option<DateTime<Utc>> {
    let month = u32::try_from(key.rem_euclid(12) + 1).ok()?;
    NaiveDate::from_ymd_opt(key.div_euclid(12), month, 1)?
        .and_hms_opt(0, 0, 0)
        .map(|at| at.and_utc())
}

/// The months of the window, with their boundaries.
struct Window {
    first: MonthKey,
    last: MonthKey,
    /// `starts[i]` is the first instant of month `i`; one more entry for the end of the window.
    starts: Vec<DateTime<Utc>>,
}

impl Window {
    fn new(params: &TrendParams) -> Result<Self, TrendError> {
        let out_of_range = || TrendError::MonthOutOfRange {
            month: params.month,
            trailing_months: params.trailing_months,
        };
        let last = month_key(params.month);
        let trailing = i32::try_from(params.trailing_months).map_err(|_| out_of_range())?;
        let first = last.checked_sub(trailing).ok_or_else(out_of_range)?;
        let starts = (first..=last + 1)
            .map(month_start)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(out_of_range)?;
        Ok(Self {
            first,
            last,
            starts,
        })
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn slot(&self, key: MonthKey) -> Option<usize> {
        (self.first..=self.last)
            .contains(&key)
            .then(|| (key - self.first) as usize)
    }

    fn labels(&self) -> Vec<String> {
        (self.first..=self.last).map(month_label).collect()
    }

    /// The instant at which month `slot` counts as ended: its last nanosecond, or `as_of` when
    /// that comes first (a review run before the month is over).
    fn end_of(&self, slot: usize, as_of: DateTime<Utc>) -> DateTime<Utc> {
        (self.starts[slot + 1] - Duration::nanoseconds(1)).min(as_of)
    }

    fn slot_of_instant(&self, at: DateTime<Utc>) -> Option<usize> {
        self.slot(month_key(at.date_naive()))
    }
}

/// The incidents as a polars frame (dated incidents only), built in one pass, plus where each
/// incident falls in the window.
struct Placed {
    /// Columns `month` (i32 month key), `pattern` (u32, null for none), `severity` (i32, null
    /// when unknown), `ttr_hours` (f64, null when unknown); one row per dated incident.
    frame: DataFrame,
    /// Which rows of `frame` fall in the window.
    in_window: BooleanChunked,
    /// Per incident, its month's index in the window.
    slot: Vec<Option<usize>>,
    undated: usize,
}

impl Placed {
    fn window_frame(&self) -> Result<DataFrame, TrendError> {
        Ok(self.frame.filter(&self.in_window)?)
    }

    fn window_counts(&self, window: &Window) -> Vec<usize> {
        let mut counts = vec![0; window.len()];
        for slot in self.slot.iter().flatten() {
            counts[*slot] += 1;
        }
        counts
    }
}

fn place_incidents(input: &TrendInput, window: &Window) -> Result<Placed, TrendError> {
    let n = input.incidents.len();
    let mut months = Vec::with_capacity(n);
    let mut patterns = Vec::with_capacity(n);
    let mut severities = Vec::with_capacity(n);
    let mut ttr_hours = Vec::with_capacity(n);
    let mut in_window = Vec::with_capacity(n);
    let mut slot = Vec::with_capacity(n);
    let mut undated = 0;
    for (index, incident) in input.incidents.iter().enumerate() {
        let Some(at) = incident.occurred_at() else {
            undated += 1;
            slot.push(None);
            continue;
        };
        let key = month_key(at.date_naive());
        let incident_slot = window.slot(key);
        months.push(key);
        // Pattern ids were checked against the labels, which fit in memory, so they fit in u32
        // for any realistic input; one that does not is treated as no pattern.
        patterns.push(
            input
                .pattern_of
                .get(index)
                .copied()
                .flatten()
                .and_then(|pattern| u32::try_from(pattern).ok()),
        );
        severities.push(incident.severity.map(i32::from));
        ttr_hours.push(incident.time_to_resolve().map(hours));
        in_window.push(incident_slot.is_some());
        slot.push(incident_slot);
    }
    let height = months.len();
    let frame = DataFrame::new(
        height,
        vec![
            Column::new("month".into(), months),
            Column::new("pattern".into(), patterns),
            Column::new("severity".into(), severities),
            Column::new("ttr_hours".into(), ttr_hours),
        ],
    )?;
    Ok(Placed {
        frame,
        in_window: BooleanChunked::from_slice("in_window".into(), &in_window),
        slot,
        undated,
    })
}

fn hours(duration: Duration) -> f64 {
    duration.num_milliseconds() as f64 / 3_600_000.0
}

/// Group sizes of a frame grouped by `keys` (the `_count` column of an eager group-by count).
#[allow(deprecated)] // eager group-by aggregations; the lazy API is not enabled in this workspace
fn group_sizes(frame: &DataFrame, keys: [&str; 2]) -> Result<DataFrame, TrendError> {
    Ok(frame.group_by(keys)?.select(["month"]).count()?)
}

fn pattern_trends(
    input: &TrendInput,
    placed: &Placed,
    window: &Window,
) -> Result<Vec<PatternTrend>, TrendError> {
    let n_patterns = input.pattern_labels.len();
    let mut monthly = vec![vec![0usize; window.len()]; n_patterns];
    let mut first_seen = vec![None; n_patterns];
    let mut last_seen = vec![None; n_patterns];
    if placed.frame.height() > 0 && n_patterns > 0 {
        let counts = group_sizes(&placed.window_frame()?, ["month", "pattern"])?;
        let months = counts.column("month")?.i32()?;
        let patterns = counts.column("pattern")?.u32()?;
        let sizes = counts.column("month_count")?.idx()?;
        for ((month, pattern), size) in months.iter().zip(patterns.iter()).zip(sizes.iter()) {
            if let (Some(month), Some(pattern), Some(size)) = (month, pattern, size)
                && let (Some(slot), Some(row)) =
                    (window.slot(month), monthly.get_mut(pattern as usize))
            {
                row[slot] = size as usize;
            }
        }
        #[allow(deprecated)] // eager group-by aggregations
        let by_pattern = placed.frame.group_by(["pattern"])?.select(["month"]);
        #[allow(deprecated)]
        let (firsts, lasts) = (by_pattern.min()?, by_pattern.max()?);
        for (extremes, target) in [(firsts, &mut first_seen), (lasts, &mut last_seen)] {
            let patterns = extremes.column("pattern")?.u32()?;
            let months = extremes.columns()[1].i32()?;
            for (pattern, month) in patterns.iter().zip(months.iter()) {
                if let (Some(pattern), Some(month)) = (pattern, month)
                    && let Some(cell) = target.get_mut(pattern as usize)
                {
                    *cell = Some(month);
                }
            }
        }
    }
    let this_month_index = window.len() - 1;
    Ok(input
        .pattern_labels
        .iter()
        .enumerate()
        .map(|(id, label)| {
            let monthly_counts = std::mem::take(&mut monthly[id]);
            let stable_id = input
                .pattern_ids
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("#{id}"));
            let this_month = monthly_counts[this_month_index];
            let trailing_median = median_count(&monthly_counts[..this_month_index]);
            let status = PatternStatus::classify(
                first_seen[id] == Some(window.last),
                this_month,
                trailing_median,
            );
            PatternTrend {
                index: id,
                id: stable_id,
                label: label.clone(),
                window_total: monthly_counts.iter().sum(),
                this_month,
                trailing_median,
                first_seen: first_seen[id].map(month_label),
                last_seen: last_seen[id].map(month_label),
                status,
                monthly_counts,
            }
        })
        .collect())
}

/// The median of monthly counts (mean of the two middle values for an even number of months);
/// 0 for no months.
fn median_count(counts: &[usize]) -> f64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => 0.0,
        len if len % 2 == 1 => sorted[mid] as f64,
        _ => (sorted[mid - 1] + sorted[mid]) as f64 / 2.0,
    }
}

fn unassigned_counts(input: &TrendInput, placed: &Placed, window: &Window) -> Vec<usize> {
    let mut counts = vec![0; window.len()];
    for (index, slot) in placed.slot.iter().enumerate() {
        if let Some(slot) = slot
            && input.pattern_of.get(index).copied().flatten().is_none()
        {
            counts[*slot] += 1;
        }
    }
    counts
}

/// The aggregate (second) column of a frame grouped by `month`, as f64, aligned with the window.
fn per_slot(grouped: &DataFrame, window: &Window) -> Result<Vec<Option<f64>>, TrendError> {
    let keys = grouped.column("month")?.i32()?;
    let values = grouped.columns()[1].cast(&DataType::Float64)?;
    let mut aligned = vec![None; window.len()];
    for (key, value) in keys.iter().zip(values.f64()?.iter()) {
        if let Some(slot) = key.and_then(|key| window.slot(key)) {
            aligned[slot] = value;
        }
    }
    Ok(aligned)
}

/// Time to resolve per month, and over the trailing months (the month under review excluded).
#[allow(deprecated)] // eager group-by aggregations; the lazy API is not enabled in this workspace
fn resolve_trends(
    placed: &Placed,
    window: &Window,
) -> Result<(Vec<ResolveMonth>, ResolveMonth), TrendError> {
    let labels = window.labels();
    let mut months: Vec<ResolveMonth> = labels
        .iter()
        .map(|month| ResolveMonth {
            month: month.clone(),
            n: 0,
            median_hours: None,
            p90_hours: None,
        })
        .collect();
    let mut whole = ResolveMonth {
        month: String::new(),
        n: 0,
        median_hours: None,
        p90_hours: None,
    };
    if placed.frame.height() == 0 {
        return Ok((months, whole));
    }
    let in_window = placed.window_frame()?;
    let resolved_mask = in_window.column("ttr_hours")?.is_not_null();
    let resolved = in_window.filter(&resolved_mask)?;
    if resolved.height() == 0 {
        return Ok((months, whole));
    }
    let by_month = resolved.group_by(["month"])?.select(["ttr_hours"]);
    let sizes = per_slot(&by_month.count()?, window)?;
    let medians = per_slot(&by_month.quantile(0.5, QuantileMethod::Linear)?, window)?;
    let p90s = per_slot(&by_month.quantile(0.9, QuantileMethod::Linear)?, window)?;
    for (slot, month) in months.iter_mut().enumerate() {
        month.n = sizes[slot].map_or(0, |size| size as usize);
        month.median_hours = medians[slot];
        month.p90_hours = p90s[slot];
    }
    let last_month = window.last;
    let trailing_mask = resolved.column("month")?.i32()?.lt(last_month);
    let trailing = resolved.filter(&trailing_mask)?;
    let durations = trailing.column("ttr_hours")?.f64()?;
    whole.n = trailing.height();
    whole.median_hours = durations.quantile(0.5, QuantileMethod::Linear)?;
    whole.p90_hours = durations.quantile(0.9, QuantileMethod::Linear)?;
    Ok((months, whole))
}

fn severity_mix(placed: &Placed, window: &Window) -> Result<Vec<SeveritySeries>, TrendError> {
    if placed.frame.height() == 0 {
        return Ok(Vec::new());
    }
    let counts = group_sizes(&placed.window_frame()?, ["month", "severity"])?;
    let months = counts.column("month")?.i32()?;
    let severities = counts.column("severity")?.i32()?;
    let sizes = counts.column("month_count")?.idx()?;
    // Keyed by (unknown last, level), so SEV1 comes first and unknown last.
    let mut series: BTreeMap<(bool, i32), Vec<usize>> = BTreeMap::new();
    for ((month, severity), size) in months.iter().zip(severities.iter()).zip(sizes.iter()) {
        let (Some(slot), Some(size)) = (month.and_then(|month| window.slot(month)), size) else {
            continue;
        };
        let key = (severity.is_none(), severity.unwrap_or(0));
        series.entry(key).or_insert_with(|| vec![0; window.len()])[slot] = size as usize;
    }
    Ok(series
        .into_iter()
        .map(|((unknown, level), monthly_counts)| SeveritySeries {
            severity: if unknown {
                severity_label(None)
            } else {
                format!("SEV{level}")
            },
            monthly_counts,
        })
        .collect())
}

fn severity_totals(
    mix: &[SeveritySeries],
    months: std::ops::Range<usize>,
) -> BTreeMap<String, usize> {
    mix.iter()
        .map(|series| {
            (
                series.severity.clone(),
                series.monthly_counts[months.clone()].iter().sum(),
            )
        })
        .filter(|(_, total)| *total > 0)
        .collect()
}

fn backlog(incidents: &[Incident], window: &Window, as_of: DateTime<Utc>) -> Vec<BacklogMonth> {
    let mut months: Vec<BacklogMonth> = window
        .labels()
        .into_iter()
        .map(|month| BacklogMonth {
            month,
            opened: 0,
            closed: 0,
            open_at_end: 0,
            overdue_at_end: 0,
        })
        .collect();
    let ends: Vec<DateTime<Utc>> = (0..window.len())
        .map(|slot| window.end_of(slot, as_of))
        .collect();
    for follow_up in incidents.iter().flat_map(|incident| &incident.follow_ups) {
        if let Some(slot) = follow_up
            .created_at
            .and_then(|at| window.slot_of_instant(at))
        {
            months[slot].opened += 1;
        }
        if let Some(slot) = follow_up
            .closed_at
            .and_then(|at| window.slot_of_instant(at))
        {
            months[slot].closed += 1;
        }
        for (month, end) in months.iter_mut().zip(&ends) {
            if follow_up.open_at(*end) {
                month.open_at_end += 1;
                month.overdue_at_end += usize::from(is_overdue_at(follow_up, *end));
            }
        }
    }
    months
}

fn factor_series(input: &TrendInput, placed: &Placed, window: &Window) -> Vec<FactorSeries> {
    let mut monthly: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut seen = Vec::new();
    for (factors, slot) in input.factor_of.iter().zip(&placed.slot) {
        let Some(slot) = *slot else { continue };
        // An incident counts once per factor, however often it lists it.
        seen.clear();
        seen.extend_from_slice(factors);
        seen.sort_unstable();
        seen.dedup();
        for &factor in &seen {
            monthly
                .entry(factor)
                .or_insert_with(|| vec![0; window.len()])[slot] += 1;
        }
    }
    let mut series: Vec<FactorSeries> = monthly
        .into_iter()
        .map(|(index, monthly_counts)| FactorSeries {
            index,
            factor: input.factor_names.get(index).cloned().unwrap_or_default(),
            total: monthly_counts.iter().sum(),
            monthly_counts,
        })
        .collect();
    series.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then_with(|| a.factor.cmp(&b.factor))
            .then(a.index.cmp(&b.index))
    });
    series
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;
    use recur_core::FollowUpStatus;

    use super::*;

    fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, 12, 0, 0)
            .single()
            .unwrap()
    }

    fn incident(
        id: &str,
        started: DateTime<Utc>,
        resolve_hours: Option<f64>,
        severity: Option<u8>,
    ) -> Incident {
        Incident {
            id: id.to_string(),
            severity,
            started_at: Some(started),
            resolved_at: resolve_hours
                .map(|hours| started + Duration::seconds((hours * 3600.0) as i64)),
            ..Incident::default()
        }
    }

    fn march(trailing_months: u32, as_of: DateTime<Utc>) -> TrendParams {
        TrendParams {
            month: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            trailing_months,
            as_of,
        }
    }

    fn trends_of(
        incidents: &[Incident],
        pattern_of: &[Option<usize>],
        labels: &[&str],
        params: &TrendParams,
    ) -> Trends {
        let pattern_labels: Vec<String> = labels.iter().map(|label| label.to_string()).collect();
        let input = TrendInput {
            incidents,
            pattern_of,
            pattern_labels: &pattern_labels,
            pattern_ids: &[],
            factor_of: &[],
            factor_names: &[],
        };
        compute_trends(&input, params).unwrap()
    }

    #[test]
    fn counts_incidents_per_month_zero_filled() {
        let incidents = [
            incident("old", at(2025, 12, 30), None, None),
            incident("a", at(2026, 1, 3), None, None),
            incident("b", at(2026, 1, 31), None, None),
            incident("c", at(2026, 3, 1), None, None),
            incident("d", at(2026, 3, 15), None, None),
            incident("e", at(2026, 3, 31), None, None),
            incident("later", at(2026, 4, 1), None, None),
            Incident {
                id: "undated".to_string(),
                ..Incident::default()
            },
        ];
        let trends = trends_of(&incidents, &[], &[], &march(2, at(2026, 4, 2)));
        assert_eq!(trends.month, "2026-03");
        assert_eq!(trends.months, ["2026-01", "2026-02", "2026-03"]);
        assert_eq!(trends.incidents_per_month, [2, 0, 3]);
        assert_eq!(trends.unassigned_per_month, [2, 0, 3]);
        assert_eq!(trends.undated_incidents, 1);
        assert_eq!(trends.headline.this_month.incidents, 3);
        assert_eq!(
            trends.headline.trailing.incidents, 2,
            "the months before, the month under review excluded"
        );

        let default_window = trends_of(
            &incidents,
            &[],
            &[],
            &TrendParams::new(march(0, at(2026, 4, 2)).month, at(2026, 4, 2)),
        );
        assert_eq!(default_window.months.len(), 13);
        assert_eq!(default_window.months[0], "2025-03");
        assert_eq!(
            default_window.incidents_per_month,
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 3]
        );
    }

    #[test]
    fn time_to_resolve_is_median_and_p90() {
        let mut incidents: Vec<Incident> = [1.0, 2.0, 3.0, 4.0, 10.0]
            .iter()
            .enumerate()
            .map(|(i, hours)| {
                incident(
                    &format!("m{i}"),
                    at(2026, 3, 2 + i as u32),
                    Some(*hours),
                    Some(2),
                )
            })
            .collect();
        incidents.push(incident("open", at(2026, 3, 20), None, Some(2)));
        incidents.push(incident("jan", at(2026, 1, 5), Some(6.0), Some(2)));
        let trends = trends_of(&incidents, &[], &[], &march(2, at(2026, 4, 1)));
        let this_month = &trends.time_to_resolve[2];
        assert_eq!((this_month.month.as_str(), this_month.n), ("2026-03", 5));
        assert_eq!(this_month.median_hours, Some(3.0));
        assert!(
            (this_month.p90_hours.unwrap() - 7.6).abs() < 1e-9,
            "linear p90 of 1,2,3,4,10 is 7.6"
        );
        assert_eq!(
            trends.time_to_resolve[1],
            ResolveMonth {
                month: "2026-02".to_string(),
                n: 0,
                median_hours: None,
                p90_hours: None
            }
        );
        assert_eq!(trends.time_to_resolve[0].median_hours, Some(6.0));
        assert_eq!(trends.headline.this_month.median_ttr_hours, Some(3.0));
        assert_eq!(trends.headline.this_month.resolved, 5);
        // The trailing months hold only January's 6 hours: March is not compared with itself.
        assert_eq!(trends.headline.trailing.resolved, 1);
        assert_eq!(trends.headline.trailing.median_ttr_hours, Some(6.0));
        assert_eq!(trends.headline.trailing.p90_ttr_hours, Some(6.0));
    }

    #[test]
    fn pattern_status_rules() {
        let mut incidents = Vec::new();
        let mut pattern_of = Vec::new();
        let mut add = |pattern: usize, months: &[(i32, u32)]| {
            for (i, (year, month)) in months.iter().enumerate() {
                incidents.push(incident(
                    &format!("p{pattern}-{i}"),
                    at(*year, *month, 1 + i as u32),
                    None,
                    None,
                ));
                pattern_of.push(Some(pattern));
            }
        };
        add(0, &[(2026, 1), (2026, 2), (2026, 3)]); // steady: 1 a month
        add(1, &[(2026, 2), (2026, 3), (2026, 3), (2026, 3)]); // rising: 3 against a median of 0.5
        add(2, &[(2026, 3)]); // new
        add(3, &[(2026, 1), (2026, 1), (2026, 2), (2026, 2)]); // falling: 0 against a median of 2
        add(4, &[(2025, 11), (2026, 3)]); // seen before the window: not new
        add(5, &[(2026, 1), (2026, 3)]); // median 0.5, only 1 this month: steady
        let labels = ["steady", "rising", "new", "falling", "old", "single"];
        let trends = trends_of(&incidents, &pattern_of, &labels, &march(2, at(2026, 4, 1)));
        let statuses: Vec<PatternStatus> = trends
            .patterns
            .iter()
            .map(|pattern| pattern.status)
            .collect();
        use PatternStatus::*;
        assert_eq!(statuses, [Steady, Rising, New, Falling, Steady, Steady]);
        let rising = &trends.patterns[1];
        assert_eq!(rising.monthly_counts, [0, 1, 3]);
        assert_eq!(
            (
                rising.this_month,
                rising.window_total,
                rising.trailing_median
            ),
            (3, 4, 0.5)
        );
        assert_eq!(rising.first_seen.as_deref(), Some("2026-02"));
        assert_eq!(trends.patterns[4].first_seen.as_deref(), Some("2025-11"));
        assert_eq!(trends.patterns[4].last_seen.as_deref(), Some("2026-03"));
        assert_eq!(trends.patterns[3].monthly_counts, [2, 2, 0]);
        assert_eq!(trends.patterns[2].label, "new");
        assert_eq!(trends.unassigned_per_month, [0, 0, 0]);
    }

    #[test]
    fn classify_thresholds() {
        assert_eq!(
            PatternStatus::classify(false, 2, 0.0),
            PatternStatus::Rising
        );
        assert_eq!(
            PatternStatus::classify(false, 1, 0.0),
            PatternStatus::Steady,
            "one incident is not a rise"
        );
        assert_eq!(
            PatternStatus::classify(false, 4, 2.0),
            PatternStatus::Rising
        );
        assert_eq!(
            PatternStatus::classify(false, 3, 2.0),
            PatternStatus::Steady
        );
        assert_eq!(
            PatternStatus::classify(false, 1, 2.0),
            PatternStatus::Falling
        );
        assert_eq!(
            PatternStatus::classify(false, 0, 0.5),
            PatternStatus::Steady,
            "a median below 1 cannot fall"
        );
        assert_eq!(PatternStatus::classify(true, 1, 0.0), PatternStatus::New);
        assert_eq!(PatternStatus::Rising.to_string(), "rising");
    }

    fn follow_up(
        created: DateTime<Utc>,
        due: DateTime<Utc>,
        closed: Option<DateTime<Utc>>,
    ) -> FollowUp {
        FollowUp {
            created_at: Some(created),
            due_at: Some(due),
            closed_at: closed,
            status: if closed.is_some() {
                FollowUpStatus::Done
            } else {
                FollowUpStatus::Open
            },
            ..FollowUp::default()
        }
    }

    fn backlog_incidents() -> Vec<Incident> {
        let mut january = incident("jan", at(2026, 1, 9), None, Some(1));
        january.follow_ups = vec![
            // Late at the end of January, done in February.
            follow_up(at(2026, 1, 10), at(2026, 1, 20), Some(at(2026, 2, 5))),
            // Opened in February, due in April, still open.
            follow_up(at(2026, 2, 1), at(2026, 4, 1), None),
        ];
        let mut march = incident("mar", at(2026, 3, 1), None, Some(3));
        march.follow_ups = vec![follow_up(at(2026, 3, 2), at(2026, 3, 10), None)];
        vec![january, march]
    }

    #[test]
    fn follow_up_backlog_at_month_ends() {
        let trends = trends_of(&backlog_incidents(), &[], &[], &march(2, at(2026, 4, 15)));
        let rows: Vec<(usize, usize, usize, usize)> = trends
            .follow_up_backlog
            .iter()
            .map(|month| {
                (
                    month.opened,
                    month.closed,
                    month.open_at_end,
                    month.overdue_at_end,
                )
            })
            .collect();
        assert_eq!(rows, [(1, 0, 1, 1), (1, 1, 1, 0), (1, 0, 2, 1)]);
        assert_eq!(
            trends.follow_ups_at_as_of,
            FollowUpState {
                open: 2,
                overdue: 2
            }
        );
        let this_month = &trends.headline.this_month;
        assert_eq!(
            (
                this_month.follow_ups,
                this_month.follow_ups_open,
                this_month.follow_ups_overdue
            ),
            (1, 1, 1)
        );
        let trailing = &trends.headline.trailing;
        assert_eq!(
            (
                trailing.follow_ups,
                trailing.follow_ups_open,
                trailing.follow_ups_overdue
            ),
            (2, 1, 1)
        );
    }

    #[test]
    fn month_end_is_as_of_when_that_comes_first() {
        let trends = trends_of(&backlog_incidents(), &[], &[], &march(2, at(2026, 3, 5)));
        let this_month = &trends.follow_up_backlog[2];
        assert_eq!(
            (this_month.open_at_end, this_month.overdue_at_end),
            (2, 0),
            "due 10 March, not late on the 5th"
        );
        assert_eq!(
            trends.follow_ups_at_as_of,
            FollowUpState {
                open: 2,
                overdue: 0
            }
        );
    }

    #[test]
    fn severity_mix_orders_levels_then_unknown() {
        let incidents = [
            incident("a", at(2026, 3, 1), None, None),
            incident("b", at(2026, 3, 2), None, Some(2)),
            incident("c", at(2026, 2, 2), None, Some(1)),
            incident("d", at(2026, 3, 3), None, Some(2)),
        ];
        let trends = trends_of(&incidents, &[], &[], &march(2, at(2026, 4, 1)));
        let mix: Vec<(&str, &[usize])> = trends
            .severity_mix
            .iter()
            .map(|series| (series.severity.as_str(), &series.monthly_counts[..]))
            .collect();
        assert_eq!(
            mix,
            [
                ("SEV1", &[0, 1, 0][..]),
                ("SEV2", &[0, 0, 2][..]),
                ("no severity", &[0, 0, 1][..])
            ]
        );
        let by_severity: Vec<(&str, usize)> = trends
            .headline
            .this_month
            .by_severity
            .iter()
            .map(|(label, count)| (label.as_str(), *count))
            .collect();
        assert_eq!(by_severity, [("SEV2", 2), ("no severity", 1)]);
        assert_eq!(trends.headline.trailing.by_severity["SEV1"], 1);
    }

    #[test]
    fn factors_count_incidents_once_per_factor() {
        let incidents = [
            incident("a", at(2026, 3, 1), None, None),
            incident("b", at(2026, 2, 2), None, None),
            incident("c", at(2026, 3, 3), None, None),
            incident("outside", at(2025, 3, 3), None, None),
        ];
        let factor_of = vec![vec![1, 1, 0], vec![1], vec![2], vec![0]];
        let factor_names: Vec<String> = ["alert gap", "flaky tests", "config drift"]
            .map(String::from)
            .to_vec();
        let input = TrendInput {
            incidents: &incidents,
            pattern_of: &[],
            pattern_labels: &[],
            pattern_ids: &[],
            factor_of: &factor_of,
            factor_names: &factor_names,
        };
        let trends = compute_trends(&input, &march(2, at(2026, 4, 1))).unwrap();
        let factors: Vec<(&str, &[usize], usize)> = trends
            .factors
            .iter()
            .map(|series| {
                (
                    series.factor.as_str(),
                    &series.monthly_counts[..],
                    series.total,
                )
            })
            .collect();
        assert_eq!(
            factors,
            [
                ("flaky tests", &[0, 1, 1][..], 2),
                ("alert gap", &[0, 0, 1][..], 1),
                ("config drift", &[0, 0, 1][..], 1)
            ]
        );
    }

    #[test]
    fn empty_input_gives_empty_but_valid_trends() {
        let trends = trends_of(&[], &[], &["unused"], &march(12, at(2026, 4, 1)));
        assert_eq!(trends.months.len(), 13);
        assert_eq!(trends.incidents_per_month, vec![0; 13]);
        assert_eq!(trends.time_to_resolve.len(), 13);
        assert!(
            trends
                .time_to_resolve
                .iter()
                .all(|month| month.n == 0 && month.median_hours.is_none())
        );
        assert_eq!(trends.follow_up_backlog.len(), 13);
        assert!(trends.severity_mix.is_empty() && trends.factors.is_empty());
        assert_eq!(trends.patterns.len(), 1);
        assert_eq!(
            (
                trends.patterns[0].status,
                trends.patterns[0].first_seen.as_deref()
            ),
            (PatternStatus::Steady, None)
        );
        assert_eq!(trends.headline.trailing, Headline::default());
        let json = serde_json::to_value(&trends).unwrap();
        assert_eq!(json["months"][12], "2026-03");
        assert_eq!(json["patterns"][0]["status"], "steady");
    }

    #[test]
    fn inconsistent_inputs_are_errors() {
        let incidents = [incident("a", at(2026, 3, 1), None, None)];
        let params = march(2, at(2026, 4, 1));
        let labels = vec!["only".to_string()];
        let input = TrendInput {
            incidents: &incidents,
            pattern_of: &[None, None],
            pattern_labels: &labels,
            pattern_ids: &[],
            factor_of: &[],
            factor_names: &[],
        };
        assert!(matches!(
            compute_trends(&input, &params),
            Err(TrendError::LengthMismatch {
                what: "pattern_of",
                len: 2,
                incidents: 1
            })
        ));
        let input = TrendInput {
            pattern_of: &[Some(1)],
            ..input
        };
        let error = compute_trends(&input, &params).unwrap_err();
        assert_eq!(
            error.to_string(),
            "incident a has pattern 1, but there are only 1 pattern labels"
        );
        let factor_of = vec![vec![3]];
        let input = TrendInput {
            pattern_of: &[Some(0)],
            factor_of: &factor_of,
            ..input
        };
        assert!(matches!(
            compute_trends(&input, &params),
            Err(TrendError::FactorOutOfRange { factor: 3, .. })
        ));
    }
}
