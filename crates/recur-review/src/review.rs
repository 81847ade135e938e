//! The whole monthly review from normalized incidents: patterns, factors, recurrences, trends,
//! follow-ups, the agenda and the audience, as one serializable [`Review`] (the shape of
//! `report.json`, documented in `docs/report-json.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use recur_cluster::factors::{Coverage, Evidence, FactorAnalysis, FactorParams, analyze_factors};
use recur_cluster::index_file::{IndexFileError, IndexSource, SimilarityFile};
use recur_cluster::patterns::{Pattern, PatternError, PatternParams, Patterns, find_patterns};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_core::as_of::{AsOfChanges, as_of_view};
use recur_core::{FollowUpStatus, Incident, InputError, Normalized};
use serde::Serialize;

use crate::accountability::{
    Accountability, Roster, accountability, responsible_team, teams_that_should_act,
};
use crate::agenda::{AgendaItem, AgendaPatterns, AgendaRules, Audience, agenda, audience};
use crate::catalogue::{
    Catalogue, CatalogueSummary, PatternDecision, match_patterns, mined_patterns,
};
use crate::trends::{PatternStatus, TrendError, TrendInput, TrendParams, Trends, compute_trends};

/// The period under review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day (inclusive).
    pub since: NaiveDate,
    /// Last day (exclusive).
    pub until: NaiveDate,
}

impl Period {
    /// The calendar month containing `day`.
    pub fn month_of(day: NaiveDate) -> Self {
        let since = day.with_day(1).unwrap_or(day);
        let until = since.checked_add_months(Months::new(1)).unwrap_or(since);
        Self { since, until }
    }

    /// Whether a timestamp falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        let day = at.date_naive();
        self.since <= day && day < self.until
    }

    /// The month whose trends the review shows: the month of the period's last day.
    pub fn trend_month(&self) -> NaiveDate {
        let last = self.until.pred_opt().unwrap_or(self.since);
        last.with_day(1).unwrap_or(last)
    }

    /// The last complete calendar month before `as_of`: the month before the one holding it
    /// (a review run on 2 September, or at midnight on 1 September, reviews August).
    pub fn last_complete_month(as_of: DateTime<Utc>) -> Self {
        let day = as_of.date_naive();
        let this_month = day.with_day(1).unwrap_or(day);
        Self::month_of(
            this_month
                .checked_sub_months(Months::new(1))
                .unwrap_or(this_month),
        )
    }
}

/// How to run the review. Every field has a documented default.
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// The period under review. Default: the last complete calendar month before `as_of`
    /// ([`Period::last_complete_month`]).
    pub period: Option<Period>,
    /// "Now": the review sees the incidents as they stood then (`recur_core::as_of`), and it is
    /// the instant of open and overdue follow-ups. Required: never the wall clock.
    pub as_of: DateTime<Utc>,
    /// The pattern catalogue of earlier reviews, for stable ids and people's names and
    /// decisions. Default: empty (ids are given afresh from `P-0001`, largest pattern first).
    pub catalogue: Catalogue,
    /// Pattern mining (k, seed, …). Default: automatic k, seed 42.
    pub patterns: PatternParams,
    /// Contributing-factor analysis, with the factor catalogue (default: the shipped one).
    pub factors: FactorParams,
    /// The recurrence window (default 180 days).
    pub recurrence: RecurrenceParams,
    /// Months of history the period is compared with. Default 12.
    pub trailing_months: u32,
    /// Patterns listed in the report. Default 10.
    pub top_patterns: usize,
    /// Which incidents merit review.
    pub agenda: AgendaRules,
    /// Teams, managers and members, for the audience and accountability. Default none.
    pub roster: Option<Roster>,
}

impl ReviewOptions {
    /// Defaults, with "now" given.
    pub fn new(as_of: DateTime<Utc>) -> Self {
        Self {
            period: None,
            as_of,
            catalogue: Catalogue::default(),
            patterns: PatternParams::default(),
            factors: FactorParams::default(),
            recurrence: RecurrenceParams::default(),
            trailing_months: crate::trends::DEFAULT_TRAILING_MONTHS,
            top_patterns: 10,
            agenda: AgendaRules {
                pre_read: Some(recur_core::check::PreRead::new(as_of)),
                ..AgendaRules::default()
            },
            roster: None,
        }
    }
}

/// Why the review could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    /// Pattern parameters are invalid.
    #[error("pattern mining: {0}")]
    Patterns(#[from] PatternError),
    /// Trends could not be computed.
    #[error("trends: {0}")]
    Trends(#[from] TrendError),
    /// The similarity index could not be built.
    #[error("similarity index: {0}")]
    SimilarityIndex(#[from] IndexFileError),
    /// The caller that the similarity index was handed to (see [`run_review_handing_index`])
    /// failed with it.
    #[error("similarity index: {0}")]
    IndexHandler(String),
}

/// The review, as data. Serializes to `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// What was read.
    pub input: InputSummary,
    /// The period under review, "now", and the parameters that make the run reproducible.
    pub run: RunInfo,
    /// How this run's patterns met the pattern catalogue.
    pub catalogue: CatalogueSummary,
    /// Recurring patterns with the most incidents in the trend window (`trends.months`), the
    /// window the incidents-by-pattern chart draws; at most `top_patterns`.
    pub patterns: Vec<PatternReport>,
    /// Contributing factors, most incidents first: catalogue concepts (`concept` set) and
    /// unclassified groups of listed phrases (`concept` null); cross-cutting ones are flagged.
    pub factors: Vec<FactorReport>,
    /// How much of the listed factor text the catalogue covered.
    pub factor_coverage: Coverage,
    /// Incidents that recurred while a follow-up of the earlier incident was open.
    pub recurrences: Vec<RecurrenceReport>,
    /// Follow-ups at `as_of`.
    pub follow_ups: FollowUpReport,
    /// Monthly trends over the trailing window.
    pub trends: Trends,
    /// Patterns new or rising in the month under review (patterns the catalogue marks
    /// `ignored` left out).
    pub new_or_rising: Vec<PatternReport>,
    /// The incidents to discuss, grouped by pattern (at most `agenda.max_items`).
    pub agenda: Vec<AgendaItem>,
    /// How many incidents met the agenda rules, before the cap.
    pub agenda_candidates: usize,
    /// Whom to invite.
    pub audience: Audience,
    /// Follow-ups per responsible team.
    pub accountability: Accountability,
    /// Incidents with no usable date: in every count of incidents, but in no month.
    pub undated: UndatedReport,
    /// Set by [`crate::report::summarize_for_json`] on a review of more incidents than
    /// `report.json` lists in full: what its lists keep. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summarized: Option<crate::report::JsonSummary>,
    /// The pattern of each incident of the point-in-time view (by position in
    /// `as_of_view(&normalized.incidents, as_of).incidents`), for the annotated incident table.
    #[serde(skip)]
    pub pattern_of: Vec<Option<usize>>,
    /// The name of each pattern (by index).
    #[serde(skip)]
    pub pattern_labels: Vec<String>,
    /// The stable id of each pattern (by index).
    #[serde(skip)]
    pub pattern_ids: Vec<String>,
    /// The catalogue after this run, to write back.
    #[serde(skip)]
    pub updated_catalogue: Catalogue,
    /// The workstream of each pattern that has one in the catalogue, by stable id.
    #[serde(skip)]
    pub workstreams: BTreeMap<String, String>,
    /// The similarity index of the point-in-time view's incidents, with the stable pattern
    /// ids, for `similarity-index.bin` (`recur_cluster::index_file`). It holds the mining's
    /// TF-IDF vectors, embedding and basis, taken over rather than copied. Empty when the
    /// review handed it to its caller instead ([`run_review_handing_index`]).
    #[serde(skip)]
    pub similarity_index: SimilarityFile<'static>,
}

/// `input` of `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    /// Incident records read.
    pub records_read: usize,
    /// Incidents accepted.
    pub incidents: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Records merged into another with the same id.
    pub merged: usize,
    /// Of the merged, those whose title or start time disagreed (listed in `merges.csv`).
    pub merged_conflicting: usize,
    /// Documents skipped as not incidents (a README, an unfilled template).
    pub skipped: usize,
    /// Follow-ups attached to incidents.
    pub follow_ups: usize,
    /// Follow-up records rejected.
    pub follow_ups_rejected: usize,
    /// Warnings raised while reading.
    pub warnings: usize,
    /// Files that could not be read.
    pub unreadable_files: usize,
    /// The inputs that could not be read (a run with `--keep-going` goes on without them):
    /// file, line when known, and why. Empty for a complete review.
    pub unreadable: Vec<InputError>,
    /// What the point-in-time view at `as_of` left out (incidents and follow-ups after it) or
    /// rolled back (resolved or closed after it).
    pub after_as_of: AsOfChanges,
}

/// `undated` of `report.json`: incidents with no usable start (or any other) time.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UndatedReport {
    /// How many.
    pub count: usize,
    /// Their ids, in input order.
    pub incident_ids: Vec<String>,
    /// The first [`UNDATED_SHOWN`] of them, for the Markdown (where each report is).
    #[serde(skip)]
    pub shown: Vec<(IncidentRef, String)>,
}

/// How many undated incidents the Markdown lists by name.
pub const UNDATED_SHOWN: usize = 20;

/// The incidents with no usable date.
fn undated_report(incidents: &[Incident]) -> UndatedReport {
    let undated: Vec<&Incident> = incidents
        .iter()
        .filter(|incident| incident.occurred_at().is_none())
        .collect();
    UndatedReport {
        count: undated.len(),
        incident_ids: undated.iter().map(|incident| incident.id.clone()).collect(),
        shown: undated
            .iter()
            .take(UNDATED_SHOWN)
            .map(|incident| (IncidentRef::of(incident), incident.source.to_string()))
            .collect(),
    }
}

/// `run` of `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// The period under review.
    pub period: Period,
    /// Why that period: given, or the default.
    pub period_reason: String,
    /// The month whose trends are shown (`YYYY-MM`).
    pub month: String,
    /// "Now".
    pub as_of: DateTime<Utc>,
    /// The seed of pattern mining.
    pub seed: u64,
    /// The number of patterns (chosen automatically unless given).
    pub k: usize,
    /// Whether k was chosen automatically.
    pub k_automatic: bool,
    /// The least similarity of two incidents for a recurrence.
    pub recurrence_min_similarity: f32,
    /// The least share of its pattern's words (relative to the pattern's median member) each of
    /// the two incidents of a recurrence has (`RecurrenceParams::min_word_share`).
    #[serde(default)]
    pub recurrence_min_word_share: f32,
    /// The earliest and latest start of the incidents reviewed (as of `as_of`), so a period
    /// that holds none of them can say where they are.
    pub first_start: Option<DateTime<Utc>>,
    /// See `first_start`.
    pub latest_start: Option<DateTime<Utc>>,
    /// The incidents that started in the period.
    pub incidents_in_period: usize,
}

impl RunInfo {
    /// When no incident of the inputs started in the period: what to say, with the span they
    /// did start in and the month to review instead (the latest incident's, when the period is
    /// after it).
    pub fn empty_period_notice(&self) -> Option<String> {
        let (Some(first), Some(latest)) = (self.first_start, self.latest_start) else {
            return None;
        };
        if self.incidents_in_period > 0 {
            return None;
        }
        let mut notice = format!(
            "No incident of the inputs started from {} to {}: theirs started from {} to {}.",
            self.period.since,
            self.period.until.pred_opt().unwrap_or(self.period.until),
            first.format("%Y-%m-%d"),
            latest.format("%Y-%m-%d"),
        );
        if latest.date_naive() < self.period.since {
            notice.push_str(&format!(
                " To review the latest month, add --month {}.",
                latest.format("%Y-%m")
            ));
        }
        Some(notice)
    }
}

/// An incident named in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentRef {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// When it started (or the earliest known time).
    pub occurred_at: Option<DateTime<Utc>>,
    /// Its severity.
    pub severity: Option<u8>,
    /// Its owner.
    pub owner: Option<String>,
}

impl IncidentRef {
    /// The reference to an incident.
    pub fn of(incident: &Incident) -> Self {
        Self {
            id: incident.id.clone(),
            title: incident.title.clone(),
            occurred_at: incident.occurred_at(),
            severity: incident.severity,
            owner: incident.owner.clone(),
        }
    }
}

/// One recurring pattern.
#[derive(Debug, Clone, Serialize)]
pub struct PatternReport {
    /// Its stable id from the catalogue (`P-0007`).
    pub id: String,
    /// Its name: a person's from the catalogue, else the label from its most distinctive terms.
    pub label: String,
    /// Whether a person named it in the catalogue.
    pub named_by_person: bool,
    /// What people decided in the catalogue: `active`, `addressed` or `ignored`.
    pub decision: PatternDecision,
    /// When it was marked addressed.
    pub addressed_on: Option<NaiveDate>,
    /// The workstream dealing with it (from the catalogue).
    pub workstream: Option<String>,
    /// The team owning it (from the catalogue).
    pub owner_team: Option<String>,
    /// The distinctive terms, as words.
    pub terms: Vec<String>,
    /// Incidents in the pattern (all time).
    pub size: usize,
    /// Their ids, oldest first.
    pub incident_ids: Vec<String>,
    /// Teams involved, most incidents first.
    pub teams: Vec<String>,
    /// Services involved, most incidents first.
    pub services: Vec<String>,
    /// First incident (date).
    pub first_seen: Option<NaiveDate>,
    /// Latest incident (date).
    pub last_seen: Option<NaiveDate>,
    /// Incidents per month of the trend window (`trends.months`).
    pub monthly_counts: Vec<usize>,
    /// Incidents in the trend window (the month under review and the trailing months).
    pub window_total: usize,
    /// Incidents in the month under review.
    pub this_month: usize,
    /// New, rising, steady or falling.
    pub status: PatternStatus,
    /// The incident closest to the pattern's centre.
    pub representative: IncidentRef,
}

/// One contributing factor.
#[derive(Debug, Clone, Serialize)]
pub struct FactorReport {
    /// Readable name: the concept's name, or the most frequent phrase when unclassified.
    pub factor: String,
    /// The catalogue concept id (`flaky-tests`); null for an unclassified factor.
    pub concept: Option<String>,
    /// The concept's one-line description (empty when unclassified).
    pub description: String,
    /// False for a concept that is not a cause (`human-error`): never cross-cutting.
    pub root_cause: bool,
    /// Up to 3 matched sentences, from distinct incidents.
    pub evidence: Vec<Evidence>,
    /// Number of incidents (all time, as of `as_of`).
    pub incidents: usize,
    /// Incidents citing it in the trend window (`trends.months`), the window of the
    /// contributing-factors chart.
    pub window_incidents: usize,
    /// Incidents citing it in the month under review.
    pub this_month: usize,
    /// Patterns it appears in (stable ids).
    pub patterns: Vec<String>,
    /// Teams it appears in.
    pub teams: Vec<String>,
    /// Services it appears in.
    pub services: Vec<String>,
    /// Whether it spans several teams and patterns: an org-wide workstream.
    pub cross_cutting: bool,
    /// The incidents.
    pub incident_ids: Vec<String>,
    /// The phrasings it was written as.
    pub variants: Vec<String>,
    /// First incident.
    pub first_seen: Option<DateTime<Utc>>,
    /// Latest incident.
    pub last_seen: Option<DateTime<Utc>>,
}

/// One recurrence.
#[derive(Debug, Clone, Serialize)]
pub struct RecurrenceReport {
    /// The later incident.
    pub incident_id: String,
    /// The earlier incident it recurs.
    pub earlier_incident_id: String,
    /// Text similarity of the two: cosine in the LSA embedding the patterns were found in (at
    /// least the recurrence threshold, `RecurrenceParams::min_similarity`).
    pub similarity: f32,
    /// Cosine of the two reports' TF-IDF rows: the words they share (at least
    /// `RecurrenceParams::min_text_similarity`).
    pub text_similarity: f32,
    /// The terms weighing most in both reports, strongest first: the evidence. Each name is
    /// shared by every recurrence that shows it.
    pub shared_terms: Vec<Arc<str>>,
    /// The earlier incident's follow-ups open when the later one started.
    pub open_follow_up_ids: Vec<String>,
    /// Their shared pattern (stable id), shared by the pattern's recurrences.
    pub pattern_id: Arc<str>,
    /// Its label, shared likewise.
    pub pattern_label: Arc<str>,
    /// Services both touched.
    pub shared_services: Vec<String>,
    /// Days between the two starts.
    pub days_between: f64,
    /// Whether the later incident falls in the period under review.
    pub in_period: bool,
    /// The later incident (for the Markdown; `report.json` names it by id only, as a million
    /// incidents can have hundreds of thousands of recurrences). Shared by every recurrence
    /// that names the incident: most incidents are the later of one and the earlier of another.
    #[serde(skip)]
    pub incident: Arc<IncidentRef>,
    /// The earlier incident (not in `report.json`, as above).
    #[serde(skip)]
    pub earlier: Arc<IncidentRef>,
}

/// `follow_ups` of `report.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FollowUpReport {
    /// All follow-ups.
    pub total: usize,
    /// Open at `as_of`.
    pub open: usize,
    /// Open and past due at `as_of`.
    pub overdue: usize,
    /// Done.
    pub done: usize,
    /// Closed without doing.
    pub wont_do: usize,
    /// Open follow-ups nobody owns.
    pub unowned: usize,
    /// The overdue ones, most overdue first.
    pub overdue_items: Vec<OverdueItem>,
    /// Overdue counts per owner, most first.
    pub overdue_by_owner: Vec<(String, usize)>,
    /// Overdue counts per team, most first.
    pub overdue_by_team: Vec<(String, usize)>,
}

/// One overdue follow-up.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueItem {
    /// Its id (or `incident#n`).
    pub id: String,
    /// Its incident.
    pub incident_id: String,
    /// What is to be done.
    pub title: Option<String>,
    /// Who owns it (`unowned` when nobody).
    pub owner: String,
    /// The responsible team (roster team of the owner, else its own, else the incident's).
    pub team: String,
    /// When it was due.
    pub due_at: Option<DateTime<Utc>>,
    /// Days past due at `as_of`.
    pub days_overdue: i64,
    /// Tracker link.
    pub tracker: Option<String>,
    /// Whether the incident's pattern has recurred since the follow-up was opened.
    pub pattern_recurred_since: bool,
}

/// The follow-up's id, or `incident#n` (1-based) when it has none.
pub fn follow_up_key(incident: &Incident, index: usize) -> String {
    incident.follow_ups[index]
        .id
        .clone()
        .unwrap_or_else(|| format!("{}#{}", incident.id, index + 1))
}

/// Run the review as of `options.as_of`: on the incidents as they stood then
/// ([`as_of_view`]), with pattern ids from the catalogue.
pub fn run_review(normalized: &Normalized, options: &ReviewOptions) -> Result<Review, ReviewError> {
    run_review_timed(normalized, options, &|_, _| {})
}

/// Told each phase of a review as it ends: its name and wall time. Phases that run in parallel
/// are told from their own thread, so their times overlap.
pub type OnPhase<'a> = &'a (dyn Fn(&'static str, Duration) + Sync);

/// Run `work` as the phase `name`, telling `on_phase` its wall time.
fn timed<T>(on_phase: OnPhase<'_>, name: &'static str, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    on_phase(name, start.elapsed());
    out
}

/// [`run_review`], telling `on_phase` the wall time of each phase (`recur review --timings`).
/// The result does not depend on it.
pub fn run_review_timed(
    normalized: &Normalized,
    options: &ReviewOptions,
    on_phase: OnPhase<'_>,
) -> Result<Review, ReviewError> {
    review_with(normalized, options, on_phase, None)
}

/// Told the similarity index as soon as the patterns have their stable ids; an error it returns
/// ends the review.
pub type OnIndex<'a> = &'a mut dyn FnMut(&SimilarityFile<'_>) -> Result<(), String>;

/// [`run_review_timed`], handing the similarity index to `on_index` as soon as the patterns
/// have their stable ids instead of keeping it in [`Review::similarity_index`] (left empty).
/// The index it is handed borrows the mining's vectors and embedding, and its table of
/// incidents (ids, titles, services, follow-ups: half a gigabyte at a million incidents) is
/// dropped once `on_index` returns, before the factors, recurrences and the rest are built
/// beside the incidents: `recur review` writes `similarity-index.bin` from here. The index and
/// the review are the same as [`run_review_timed`]'s.
pub fn run_review_handing_index(
    normalized: &Normalized,
    options: &ReviewOptions,
    on_phase: OnPhase<'_>,
    on_index: OnIndex<'_>,
) -> Result<Review, ReviewError> {
    review_with(normalized, options, on_phase, Some(on_index))
}

fn review_with(
    normalized: &Normalized,
    options: &ReviewOptions,
    on_phase: OnPhase<'_>,
    mut on_index: Option<OnIndex<'_>>,
) -> Result<Review, ReviewError> {
    let view = timed(on_phase, "as-of view", || {
        as_of_view(&normalized.incidents, options.as_of)
    });
    let incidents: &[Incident] = &view.incidents;
    let (period, period_reason) = match options.period {
        Some(period) => (period, "given".to_owned()),
        None => (
            Period::last_complete_month(options.as_of),
            "the default: the last complete calendar month before the as-of time".to_owned(),
        ),
    };
    let month = period.trend_month().format("%Y-%m").to_string();
    let mined = timed(on_phase, "patterns (TF-IDF, SVD, k-means)", || {
        find_patterns(incidents, &options.patterns)
    })?;
    let all_ids: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    let matching = timed(on_phase, "pattern catalogue match", || {
        match_patterns(
            &options.catalogue,
            &mined_patterns(incidents, &mined),
            &all_ids,
            &month,
        )
    });
    let catalogue = matching.catalogue;
    let (patterns, pattern_ids) = group_by_reported_id(mined, &matching.ids, &catalogue);
    let pattern_labels: Vec<String> = pattern_ids
        .iter()
        .zip(&patterns.patterns)
        .map(|(id, pattern)| {
            catalogue
                .entry(id)
                .map_or_else(|| pattern.label.clone(), |entry| entry.name.clone())
        })
        .collect();
    let index_source = IndexSource {
        incidents,
        pattern_ids: &pattern_ids,
        pattern_labels: &pattern_labels,
        params: &options.patterns,
        as_of: Some(options.as_of),
    };
    if let Some(on_index) = on_index.as_mut() {
        timed(on_phase, "similarity index", || {
            let index = SimilarityFile::build(&index_source, &patterns)?;
            on_index(&index).map_err(ReviewError::IndexHandler)
        })?;
    }
    // Factors and trends, recurrences, and follow-ups depend on the patterns only, not on each
    // other: they run side by side.
    let (factors_and_trends, (recurrences, follow_ups)) = rayon::join(
        || -> Result<_, ReviewError> {
            let factors = timed(on_phase, "factors", || {
                analyze_factors(incidents, &patterns.assignment, &options.factors)
            });
            let trends = timed(on_phase, "trends", || {
                compute_trends(
                    &TrendInput {
                        incidents,
                        pattern_of: &patterns.assignment,
                        pattern_labels: &pattern_labels,
                        pattern_ids: &pattern_ids,
                        factor_of: &concept_factor_of(&factors),
                        factor_names: &factor_names(&factors),
                    },
                    &TrendParams {
                        month: period.trend_month(),
                        trailing_months: options.trailing_months,
                        as_of: options.as_of,
                    },
                )
            })?;
            Ok((factors, trends))
        },
        || {
            rayon::join(
                || {
                    timed(on_phase, "recurrences", || {
                        recurrence_reports(
                            incidents,
                            &patterns,
                            &pattern_ids,
                            &pattern_labels,
                            options,
                            period,
                        )
                    })
                },
                || {
                    timed(on_phase, "follow-ups", || {
                        follow_up_report(
                            incidents,
                            &patterns.assignment,
                            options.as_of,
                            options.roster.as_ref(),
                        )
                    })
                },
            )
        },
    );
    let (factors, trends) = factors_and_trends?;
    let all_patterns = timed(on_phase, "pattern reports", || {
        pattern_reports(incidents, &patterns, &pattern_ids, &catalogue, &trends)
    });
    let new_or_rising: Vec<PatternReport> = all_patterns
        .iter()
        .filter(|p| matches!(p.status, PatternStatus::New | PatternStatus::Rising))
        .filter(|p| p.decision != PatternDecision::Ignored)
        .cloned()
        .collect();
    let index_of: BTreeMap<&str, usize> = pattern_ids
        .iter()
        .enumerate()
        .map(|(index, id)| (id.as_str(), index))
        .collect();
    let rising: BTreeSet<usize> = new_or_rising
        .iter()
        .filter_map(|p| index_of.get(p.id.as_str()).copied())
        .collect();
    let addressed: BTreeMap<usize, NaiveDate> = all_patterns
        .iter()
        .filter(|p| p.decision == PatternDecision::Addressed)
        .filter_map(|p| Some((*index_of.get(p.id.as_str())?, p.addressed_on?)))
        .collect();
    let (agenda_items, agenda_candidates, audience) =
        timed(on_phase, "agenda and audience", || {
            let mut items = agenda(
                incidents,
                &AgendaPatterns {
                    pattern_of: &patterns.assignment,
                    ids: &pattern_ids,
                    labels: &pattern_labels,
                    rising: &rising,
                    addressed: &addressed,
                },
                &recurrences,
                period,
                &options.agenda,
            );
            let candidates = items.len();
            items.truncate(options.agenda.max_items);
            add_agenda_factors(&mut items, incidents, &factors);
            let audience = audience(incidents, &items, options.roster.as_ref());
            (items, candidates, audience)
        });
    let accountability = timed(on_phase, "accountability", || Accountability {
        teams_that_should_act: teams_that_should_act(incidents, &period, options.roster.as_ref()),
        ..accountability(
            incidents,
            options.roster.as_ref(),
            options.as_of,
            &trends.months,
        )
    });
    let accounting = &normalized.accounting;
    let workstreams: BTreeMap<String, String> = all_patterns
        .iter()
        .filter_map(|p| Some((p.id.clone(), p.workstream.clone()?)))
        .collect();
    let mut top_patterns = all_patterns;
    // The same window and order as the incidents-by-pattern chart.
    top_patterns.sort_by(|a, b| {
        b.window_total
            .cmp(&a.window_total)
            .then(b.size.cmp(&a.size))
            .then_with(|| a.id.cmp(&b.id))
    });
    top_patterns.truncate(options.top_patterns);
    // Built last, taking the vectors and the embedding out of the patterns about to be
    // dropped: nothing large is copied.
    let mut patterns = patterns;
    let similarity_index = match on_index {
        Some(_) => SimilarityFile::default(),
        None => timed(on_phase, "similarity index", || {
            SimilarityFile::build_owned(&index_source, &mut patterns)
        })?,
    };
    Ok(Review {
        input: InputSummary {
            records_read: accounting.records_read,
            incidents: normalized.incidents.len(),
            rejected: accounting.rejected,
            merged: accounting.merged,
            merged_conflicting: accounting.merged_conflicting,
            skipped: accounting.skipped,
            follow_ups: accounting.follow_ups_attached,
            follow_ups_rejected: accounting.follow_ups_rejected,
            warnings: normalized.warnings.len(),
            unreadable_files: normalized.errors.len(),
            unreadable: normalized.errors.clone(),
            after_as_of: view.changes,
        },
        run: RunInfo {
            period,
            period_reason,
            month: trends.month.clone(),
            as_of: options.as_of,
            seed: options.patterns.seed,
            k: patterns.chosen_k,
            k_automatic: options.patterns.n_clusters.is_none(),
            recurrence_min_similarity: options.recurrence.min_similarity,
            recurrence_min_word_share: options.recurrence.min_word_share,
            first_start: incidents.iter().filter_map(Incident::occurred_at).min(),
            latest_start: incidents.iter().filter_map(Incident::occurred_at).max(),
            incidents_in_period: incidents
                .iter()
                .filter(|i| i.occurred_at().is_some_and(|at| period.contains(at)))
                .count(),
        },
        catalogue: matching.summary,
        patterns: top_patterns,
        factors: factor_reports(&factors, &pattern_ids, &trends),
        factor_coverage: factors.coverage,
        recurrences,
        follow_ups,
        trends,
        new_or_rising,
        agenda: agenda_items,
        agenda_candidates,
        audience,
        accountability,
        undated: undated_report(incidents),
        summarized: None,
        pattern_of: patterns.assignment.clone(),
        pattern_labels,
        pattern_ids,
        updated_catalogue: catalogue,
        workstreams,
        similarity_index,
    })
}

/// Each incident's factors that are catalogue concepts: trends and the heatmap follow the
/// concepts; unclassified phrases stay in the factor list only.
fn concept_factor_of(factors: &FactorAnalysis) -> Vec<Vec<usize>> {
    factors
        .factor_of
        .iter()
        .map(|of| {
            of.iter()
                .copied()
                .filter(|&f| factors.factors[f].concept.is_some())
                .collect()
        })
        .collect()
}

fn factor_names(factors: &FactorAnalysis) -> Vec<String> {
    factors.factors.iter().map(|f| f.display.clone()).collect()
}

/// The run's patterns with the ones a person merged in the catalogue (`merged_into`) joined
/// under one id, largest first (ties by id), and the stable id of each.
fn group_by_reported_id(
    mined: Patterns,
    ids: &[String],
    catalogue: &Catalogue,
) -> (Patterns, Vec<String>) {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, id) in ids.iter().enumerate() {
        groups
            .entry(catalogue.reported_id(id))
            .or_default()
            .push(index);
    }
    let mut merged: Vec<(String, Pattern)> = groups
        .into_iter()
        .filter_map(|(id, indices)| {
            // The largest of the group gives the terms and the representative.
            let largest = indices
                .iter()
                .copied()
                .max_by_key(|&i| (mined.patterns[i].size, std::cmp::Reverse(i)))?;
            let mut members: Vec<usize> = indices
                .iter()
                .flat_map(|&i| mined.patterns[i].members.iter().copied())
                .collect();
            members.sort_unstable();
            let base = &mined.patterns[largest];
            Some((
                id.to_owned(),
                Pattern {
                    id: 0,
                    size: members.len(),
                    members,
                    ..base.clone()
                },
            ))
        })
        .collect();
    merged.sort_by(|a, b| b.1.size.cmp(&a.1.size).then_with(|| a.0.cmp(&b.0)));
    let mut assignment = vec![None; mined.assignment.len()];
    for (index, (_, pattern)) in merged.iter_mut().enumerate() {
        pattern.id = index;
        for &member in &pattern.members {
            if let Some(slot) = assignment.get_mut(member) {
                *slot = Some(index);
            }
        }
    }
    let (ids, patterns): (Vec<String>, Vec<Pattern>) = merged.into_iter().unzip();
    (
        Patterns {
            patterns,
            assignment,
            ..mined
        },
        ids,
    )
}

/// The default period: [`Period::last_complete_month`] before `as_of`.
pub fn default_period(as_of: DateTime<Utc>) -> Period {
    Period::last_complete_month(as_of)
}

/// Items counted by how many incidents name them, most first, ties by name.
fn ranked<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for item in items {
        *counts.entry(item.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
        .into_iter()
        .map(|(item, _)| item.to_owned())
        .collect()
}

fn pattern_reports(
    incidents: &[Incident],
    patterns: &Patterns,
    ids: &[String],
    catalogue: &Catalogue,
    trends: &Trends,
) -> Vec<PatternReport> {
    let trend_of: BTreeMap<usize, _> = trends.patterns.iter().map(|t| (t.index, t)).collect();
    patterns
        .patterns
        .iter()
        .map(|pattern| {
            let mut members: Vec<&Incident> =
                pattern.members.iter().map(|&i| &incidents[i]).collect();
            members.sort_by_key(|i| (i.occurred_at(), i.id.clone()));
            let dates: Vec<NaiveDate> = members
                .iter()
                .filter_map(|i| i.occurred_at().map(|at| at.date_naive()))
                .collect();
            let trend = trend_of.get(&pattern.id);
            let id = ids.get(pattern.id).cloned().unwrap_or_default();
            let entry = catalogue.entry(&id);
            PatternReport {
                label: entry.map_or_else(|| pattern.label.clone(), |e| e.name.clone()),
                named_by_person: entry.is_some_and(|e| e.name != e.auto_name),
                decision: entry.map_or(PatternDecision::Active, |e| e.status),
                addressed_on: entry.and_then(|e| e.addressed_on),
                workstream: entry.and_then(|e| e.workstream.clone()),
                owner_team: entry.and_then(|e| e.owner_team.clone()),
                id,
                terms: pattern.terms.clone(),
                size: pattern.size,
                incident_ids: members.iter().map(|i| i.id.clone()).collect(),
                teams: ranked(members.iter().flat_map(|i| i.teams.iter())),
                services: ranked(members.iter().flat_map(|i| i.services.iter())),
                first_seen: dates.iter().min().copied(),
                last_seen: dates.iter().max().copied(),
                monthly_counts: trend.map(|t| t.monthly_counts.clone()).unwrap_or_default(),
                window_total: trend.map_or(0, |t| t.window_total),
                this_month: trend.map_or(0, |t| t.this_month),
                status: trend.map_or(PatternStatus::Steady, |t| t.status),
                representative: IncidentRef::of(&incidents[pattern.representative]),
            }
        })
        .collect()
}

/// The catalogue concepts found in each agenda item's incident (names, most incidents first).
fn add_agenda_factors(items: &mut [AgendaItem], incidents: &[Incident], factors: &FactorAnalysis) {
    let index_of: BTreeMap<&str, usize> = incidents
        .iter()
        .enumerate()
        .map(|(index, incident)| (incident.id.as_str(), index))
        .collect();
    for item in items {
        let Some(&index) = index_of.get(item.incident.id.as_str()) else {
            continue;
        };
        item.factors = factors.factor_of[index]
            .iter()
            .map(|&f| &factors.factors[f])
            .filter(|factor| factor.concept.is_some())
            .map(|factor| factor.display.clone())
            .collect();
    }
}

fn factor_reports(factors: &FactorAnalysis, ids: &[String], trends: &Trends) -> Vec<FactorReport> {
    let series: BTreeMap<usize, _> = trends.factors.iter().map(|f| (f.index, f)).collect();
    factors
        .factors
        .iter()
        .enumerate()
        .map(|(index, factor)| FactorReport {
            factor: factor.display.clone(),
            concept: factor.concept.clone(),
            description: factor.description.clone(),
            root_cause: factor.root_cause,
            evidence: factor.evidence.clone(),
            incidents: factor.incidents.len(),
            window_incidents: series.get(&index).map_or(0, |f| f.total),
            this_month: series
                .get(&index)
                .and_then(|f| f.monthly_counts.last().copied())
                .unwrap_or(0),
            patterns: factor
                .patterns
                .iter()
                .filter_map(|&p| ids.get(p).cloned())
                .collect(),
            teams: factor.teams.clone(),
            services: factor.services.clone(),
            cross_cutting: factor.cross_cutting,
            incident_ids: factor.incident_ids.clone(),
            variants: factor.variants.clone(),
            first_seen: factor.first_seen,
            last_seen: factor.last_seen,
        })
        .collect()
}

fn recurrence_reports(
    incidents: &[Incident],
    patterns: &Patterns,
    ids: &[String],
    labels: &[String],
    options: &ReviewOptions,
    period: Period,
) -> Vec<RecurrenceReport> {
    let shared = |names: &[String]| -> Vec<Arc<str>> {
        names.iter().map(|n| Arc::from(n.as_str())).collect()
    };
    let (ids, labels) = (shared(ids), shared(labels));
    let mut refs: Vec<Option<Arc<IncidentRef>>> = vec![None; incidents.len()];
    let mut reference = |index: usize| {
        Arc::clone(refs[index].get_or_insert_with(|| Arc::new(IncidentRef::of(&incidents[index]))))
    };
    find_recurrences(incidents, patterns, &options.recurrence)
        .into_iter()
        .map(|r| {
            let later = &incidents[r.incident];
            RecurrenceReport {
                similarity: (r.similarity * 1000.0).round() / 1000.0,
                text_similarity: (r.text_similarity * 1000.0).round() / 1000.0,
                shared_terms: r.shared_terms,
                in_period: later.occurred_at().is_some_and(|at| period.contains(at)),
                incident: reference(r.incident),
                earlier: reference(r.earlier),
                pattern_label: labels
                    .get(r.pattern)
                    .cloned()
                    .unwrap_or_else(|| Arc::from("")),
                incident_id: r.incident_id,
                earlier_incident_id: r.earlier_incident_id,
                open_follow_up_ids: r.open_follow_up_ids,
                pattern_id: ids.get(r.pattern).cloned().unwrap_or_else(|| Arc::from("")),
                shared_services: r.shared_services,
                days_between: (r.days_between * 10.0).round() / 10.0,
            }
        })
        .collect()
}

/// Follow-ups at `as_of`: counts, and the overdue ones with their owner, responsible team
/// (see [`responsible_team`]) and whether their incident's pattern has recurred since.
pub fn follow_up_report(
    incidents: &[Incident],
    pattern_of: &[Option<usize>],
    as_of: DateTime<Utc>,
    roster: Option<&Roster>,
) -> FollowUpReport {
    // Starts of the incidents of each pattern, to tell whether a pattern recurred since a
    // follow-up was opened.
    let mut starts_by_pattern: BTreeMap<usize, Vec<DateTime<Utc>>> = BTreeMap::new();
    for (incident, pattern) in incidents.iter().zip(pattern_of) {
        if let (Some(pattern), Some(at)) = (pattern, incident.occurred_at()) {
            starts_by_pattern.entry(*pattern).or_default().push(at);
        }
    }
    for starts in starts_by_pattern.values_mut() {
        starts.sort_unstable();
    }
    let mut report = FollowUpReport::default();
    let mut by_owner: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_team: BTreeMap<String, usize> = BTreeMap::new();
    for (position, incident) in incidents.iter().enumerate() {
        for (index, follow_up) in incident.follow_ups.iter().enumerate() {
            report.total += 1;
            match follow_up.status {
                FollowUpStatus::Done => report.done += 1,
                FollowUpStatus::WontDo => report.wont_do += 1,
                FollowUpStatus::Open => {}
            }
            if !follow_up.open_at(as_of) {
                continue;
            }
            report.open += 1;
            if follow_up.owner.is_none() {
                report.unowned += 1;
            }
            if !follow_up.overdue_at(as_of) {
                continue;
            }
            report.overdue += 1;
            let owner = follow_up
                .owner
                .clone()
                .unwrap_or_else(|| "unowned".to_owned());
            let team = responsible_team(follow_up, incident, roster);
            *by_owner.entry(owner.clone()).or_default() += 1;
            *by_team.entry(team.clone()).or_default() += 1;
            let opened = follow_up.created_at.or(incident.occurred_at());
            let recurred = pattern_of
                .get(position)
                .copied()
                .flatten()
                .is_some_and(|pattern| {
                    let (Some(starts), Some(opened)) = (starts_by_pattern.get(&pattern), opened)
                    else {
                        return false;
                    };
                    // Sorted: the starts after `opened`, up to `as_of`, other than its own.
                    let after = starts.partition_point(|&at| at <= opened);
                    starts[after..]
                        .iter()
                        .take_while(|&&at| at <= as_of)
                        .any(|&at| Some(at) != incident.occurred_at())
                });
            report.overdue_items.push(OverdueItem {
                id: follow_up_key(incident, index),
                incident_id: incident.id.clone(),
                title: follow_up.title.clone(),
                owner,
                team,
                due_at: follow_up.due_at,
                days_overdue: follow_up.due_at.map_or(0, |due| (as_of - due).num_days()),
                tracker: follow_up.tracker.clone(),
                pattern_recurred_since: recurred,
            });
        }
    }
    report
        .overdue_items
        .sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.id.cmp(&b.id)));
    let sorted = |counts: BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    report.overdue_by_owner = sorted(by_owner);
    report.overdue_by_team = sorted(by_team);
    report
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use chrono::TimeZone;
    use recur_core::synth::{SynthParams, generate};
    use recur_core::{FollowUp, Normalized};

    use super::*;

    /// A review of 200 generated incidents, with one incident whose title carries markup.
    pub(crate) fn sample_review() -> Review {
        let mut incidents = generate(&SynthParams {
            n_incidents: 200,
            ..SynthParams::default()
        })
        .incidents;
        incidents[0].title = Some("<script>alert(1)</script> | pipes | and *stars*".into());
        let normalized = Normalized {
            incidents,
            ..Normalized::default()
        };
        let as_of = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        run_review(&normalized, &ReviewOptions::new(as_of)).unwrap()
    }

    #[test]
    fn an_index_handed_to_the_caller_is_the_index_the_review_would_keep() {
        let normalized = Normalized {
            incidents: generate(&SynthParams {
                n_incidents: 200,
                ..SynthParams::default()
            })
            .incidents,
            ..Normalized::default()
        };
        let options = ReviewOptions::new(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
        let kept = run_review(&normalized, &options).unwrap();
        let mut handed = Vec::new();
        let review = run_review_handing_index(&normalized, &options, &|_, _| {}, &mut |index| {
            handed = index.encode().map_err(|error| error.to_string())?;
            Ok(())
        })
        .unwrap();
        assert_eq!(kept.similarity_index.incidents().len(), 200);
        assert_eq!(handed, kept.similarity_index.encode().unwrap());
        assert!(review.similarity_index.incidents().is_empty());
        assert_eq!(
            serde_json::to_string(&review).unwrap(),
            serde_json::to_string(&kept).unwrap()
        );
        // A handler that fails ends the review with its error.
        let failed = run_review_handing_index(&normalized, &options, &|_, _| {}, &mut |_| {
            Err("disk full".to_owned())
        });
        assert!(
            matches!(&failed, Err(ReviewError::IndexHandler(why)) if why == "disk full"),
            "{failed:?}"
        );
    }

    #[test]
    fn a_review_of_generated_incidents_is_consistent() {
        let review = sample_review();
        assert_eq!(review.input.incidents, 200);
        assert_eq!(review.run.month, "2026-10");
        assert_eq!(
            review.run.period.since,
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
        assert!(review.run.k >= 2 && review.run.k_automatic);
        assert_eq!(review.pattern_of.len(), 200);
        let sizes: usize = review.patterns.iter().map(|p| p.size).sum();
        assert!(sizes <= 200 && !review.patterns.is_empty());
        assert!(
            review
                .patterns
                .windows(2)
                .all(|w| w[0].window_total >= w[1].window_total),
            "most incidents in the trend window first, as the chart ranks them"
        );
        for pattern in &review.patterns {
            assert_eq!(pattern.incident_ids.len(), pattern.size);
            assert_eq!(pattern.monthly_counts.len(), review.trends.months.len());
        }
        for recurrence in &review.recurrences {
            let index = review
                .pattern_ids
                .iter()
                .position(|id| **id == *recurrence.pattern_id)
                .unwrap();
            assert_eq!(&*recurrence.pattern_label, review.pattern_labels[index]);
            assert_eq!(recurrence.incident.id, recurrence.incident_id);
            assert_eq!(recurrence.earlier.id, recurrence.earlier_incident_id);
            assert!(recurrence.earlier.occurred_at < recurrence.incident.occurred_at);
            assert!(!recurrence.open_follow_up_ids.is_empty());
            assert!((0.0..=180.0).contains(&recurrence.days_between));
        }
        let f = &review.follow_ups;
        assert_eq!(f.overdue, f.overdue_items.len());
        assert!(f.overdue <= f.open && f.done + f.wont_do <= f.total);
        assert!(
            f.overdue_items
                .windows(2)
                .all(|w| w[0].days_overdue >= w[1].days_overdue)
        );
    }

    #[test]
    fn undated_incidents_are_counted_and_listed() {
        let mut incidents = generate(&SynthParams {
            n_incidents: 60,
            ..SynthParams::default()
        })
        .incidents;
        for incident in incidents.iter_mut().take(3) {
            incident.started_at = None;
            incident.detected_at = None;
            incident.acknowledged_at = None;
            incident.mitigated_at = None;
            incident.resolved_at = None;
        }
        let ids: Vec<String> = incidents.iter().take(3).map(|i| i.id.clone()).collect();
        let normalized = Normalized {
            incidents,
            ..Normalized::default()
        };
        let as_of = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let review = run_review(&normalized, &ReviewOptions::new(as_of)).unwrap();
        assert_eq!(review.undated.count, 3);
        assert_eq!(review.undated.incident_ids, ids);
        assert_eq!(review.undated.shown.len(), 3);
        assert_eq!(review.input.incidents, 60);
        let json = serde_json::to_value(&review).unwrap();
        assert_eq!(json["undated"]["count"], 3);
        assert_eq!(json["undated"]["incident_ids"][0], ids[0].as_str());
    }

    #[test]
    fn factors_are_concepts_with_evidence_and_the_agenda_names_them() {
        let review = sample_review();
        let flaky = review
            .factors
            .iter()
            .find(|f| f.concept.as_deref() == Some("flaky-tests"))
            .unwrap();
        assert!(flaky.cross_cutting && flaky.root_cause);
        assert_eq!(flaky.factor, "Flaky tests");
        assert_eq!(flaky.evidence.len(), 3);
        for evidence in &flaky.evidence {
            assert!(flaky.incident_ids.contains(&evidence.incident_id));
        }
        let coverage = review.factor_coverage;
        assert!(coverage.classified_phrases <= coverage.listed_phrases);
        assert!(coverage.classified_phrases > 0 && coverage.incidents == 200);
        let concept_names: BTreeSet<&str> = review
            .factors
            .iter()
            .filter(|f| f.concept.is_some())
            .map(|f| f.factor.as_str())
            .collect();
        assert!(review.agenda.iter().any(|item| !item.factors.is_empty()));
        for item in &review.agenda {
            for factor in &item.factors {
                assert!(concept_names.contains(factor.as_str()), "{factor}");
            }
        }
        let series: BTreeSet<&str> = review
            .trends
            .factors
            .iter()
            .map(|f| f.factor.as_str())
            .collect();
        assert!(
            series.is_subset(&concept_names),
            "the heatmap shows concepts"
        );
    }

    #[test]
    fn default_period_is_the_last_complete_month_before_as_of() {
        let at = |m: u32, d: u32, h: u32| Utc.with_ymd_and_hms(2025, m, d, h, 0, 0).unwrap();
        for (as_of, since, until) in [
            (at(9, 2, 6), "2025-08-01", "2025-09-01"),
            (at(9, 1, 0), "2025-08-01", "2025-09-01"),
            (at(9, 30, 23), "2025-08-01", "2025-09-01"),
            (at(1, 15, 0), "2024-12-01", "2025-01-01"),
        ] {
            let period = default_period(as_of);
            assert_eq!(
                (period.since.to_string(), period.until.to_string()),
                (since.to_owned(), until.to_owned()),
                "as of {as_of}"
            );
        }
        let period = default_period(at(3, 5, 0));
        assert_eq!(period.trend_month().to_string(), "2025-02-01");
        assert!(period.contains(at(2, 28, 0)) && !period.contains(at(3, 1, 0)));
    }

    #[test]
    fn overdue_follow_ups_know_whether_their_pattern_recurred() {
        let at = |m: u32, d: u32| Utc.with_ymd_and_hms(2025, m, d, 0, 0, 0).single();
        let first = Incident {
            id: "A".into(),
            started_at: at(1, 1),
            teams: vec!["data".into()],
            follow_ups: vec![
                FollowUp {
                    incident_id: "A".into(),
                    created_at: at(1, 2),
                    due_at: at(2, 1),
                    ..FollowUp::default()
                },
                FollowUp {
                    id: Some("T-2".into()),
                    incident_id: "A".into(),
                    owner: Some("bo".into()),
                    created_at: at(1, 2),
                    due_at: at(9, 1),
                    ..FollowUp::default()
                },
            ],
            ..Incident::default()
        };
        let later = Incident {
            id: "B".into(),
            started_at: at(3, 1),
            ..Incident::default()
        };
        let report = follow_up_report(
            &[first, later],
            &[Some(0), Some(0)],
            at(4, 1).unwrap(),
            None,
        );
        assert_eq!(
            (report.total, report.open, report.overdue, report.unowned),
            (2, 2, 1, 1)
        );
        let item = &report.overdue_items[0];
        assert_eq!(
            (item.id.as_str(), item.owner.as_str(), item.team.as_str()),
            ("A#1", "unowned", "data")
        );
        assert_eq!(item.days_overdue, 59);
        assert!(item.pattern_recurred_since);
        let report = follow_up_report(&[report_incident()], &[Some(0)], at(4, 1).unwrap(), None);
        assert!(!report.overdue_items[0].pattern_recurred_since);
    }

    fn report_incident() -> Incident {
        let at = |m: u32, d: u32| Utc.with_ymd_and_hms(2025, m, d, 0, 0, 0).single();
        Incident {
            id: "C".into(),
            started_at: at(1, 1),
            follow_ups: vec![FollowUp {
                incident_id: "C".into(),
                created_at: at(1, 2),
                due_at: at(2, 1),
                ..FollowUp::default()
            }],
            ..Incident::default()
        }
    }
}
