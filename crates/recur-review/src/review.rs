//! The whole monthly review from normalized incidents: patterns, factors, recurrences, trends,
//! follow-ups, the agenda and the audience, as one serializable [`Review`] (the shape of
//! `report.json`, documented in `docs/report-json.md`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use recur_cluster::factors::{Coverage, Evidence, FactorAnalysis, FactorParams, analyze_factors};
use recur_cluster::patterns::{PatternError, PatternParams, Patterns, find_patterns};
use recur_cluster::recurrence::{RecurrenceParams, find_recurrences};
use recur_core::{FollowUpStatus, Incident, InputError, Normalized};
use serde::Serialize;

use crate::accountability::{Accountability, Roster, accountability, responsible_team};
use crate::agenda::{AgendaItem, AgendaRules, Audience, agenda, audience};
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
}

/// How to run the review. Every field has a documented default.
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// The period under review. Default: the month of the latest incident at or before `as_of`.
    pub period: Option<Period>,
    /// "Now", for overdue follow-ups and the default period. Required: never the wall clock.
    pub as_of: DateTime<Utc>,
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
            patterns: PatternParams::default(),
            factors: FactorParams::default(),
            recurrence: RecurrenceParams::default(),
            trailing_months: crate::trends::DEFAULT_TRAILING_MONTHS,
            top_patterns: 10,
            agenda: AgendaRules::default(),
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
}

/// The review, as data. Serializes to `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// What was read.
    pub input: InputSummary,
    /// The period under review, "now", and the parameters that make the run reproducible.
    pub run: RunInfo,
    /// Recurring patterns, most incidents first (at most `top_patterns`).
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
    /// Patterns new or rising in the month under review.
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
    /// The pattern of each incident (by position in the normalized incidents), for the
    /// annotated incident table.
    #[serde(skip)]
    pub pattern_of: Vec<Option<usize>>,
    /// The label of each pattern id.
    #[serde(skip)]
    pub pattern_labels: Vec<String>,
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
    /// Pattern id.
    pub id: usize,
    /// Label from the most distinctive terms.
    pub label: String,
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
    /// Number of incidents.
    pub incidents: usize,
    /// Patterns it appears in (ids).
    pub patterns: Vec<usize>,
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
    /// The terms weighing most in both reports, strongest first: the evidence.
    pub shared_terms: Vec<String>,
    /// The earlier incident's follow-ups open when the later one started.
    pub open_follow_up_ids: Vec<String>,
    /// Their shared pattern.
    pub pattern_id: usize,
    /// Its label.
    pub pattern_label: String,
    /// Services both touched.
    pub shared_services: Vec<String>,
    /// Days between the two starts.
    pub days_between: f64,
    /// Whether the later incident falls in the period under review.
    pub in_period: bool,
    /// The later incident (for the Markdown; `report.json` names it by id only, as a million
    /// incidents can have hundreds of thousands of recurrences).
    #[serde(skip)]
    pub incident: IncidentRef,
    /// The earlier incident (not in `report.json`, as above).
    #[serde(skip)]
    pub earlier: IncidentRef,
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

/// Run the review.
pub fn run_review(normalized: &Normalized, options: &ReviewOptions) -> Result<Review, ReviewError> {
    let incidents = &normalized.incidents;
    let patterns = find_patterns(incidents, &options.patterns)?;
    let factors = analyze_factors(incidents, &patterns.assignment, &options.factors);
    let period = options
        .period
        .unwrap_or_else(|| default_period(incidents, options.as_of));
    let pattern_labels: Vec<String> = patterns.patterns.iter().map(|p| p.label.clone()).collect();
    let factor_names: Vec<String> = factors.factors.iter().map(|f| f.display.clone()).collect();
    // Trends and the heatmap follow the catalogue's concepts; unclassified phrases stay in the
    // factor list only.
    let concept_factor_of: Vec<Vec<usize>> = factors
        .factor_of
        .iter()
        .map(|of| {
            of.iter()
                .copied()
                .filter(|&f| factors.factors[f].concept.is_some())
                .collect()
        })
        .collect();
    let trends = compute_trends(
        &TrendInput {
            incidents,
            pattern_of: &patterns.assignment,
            pattern_labels: &pattern_labels,
            factor_of: &concept_factor_of,
            factor_names: &factor_names,
        },
        &TrendParams {
            month: period.trend_month(),
            trailing_months: options.trailing_months,
            as_of: options.as_of,
        },
    )?;
    let all_patterns = pattern_reports(incidents, &patterns, &trends);
    let recurrences = recurrence_reports(incidents, &patterns, &pattern_labels, options, period);
    let follow_ups = follow_up_report(
        incidents,
        &patterns.assignment,
        options.as_of,
        options.roster.as_ref(),
    );
    let new_or_rising: Vec<PatternReport> = all_patterns
        .iter()
        .filter(|p| matches!(p.status, PatternStatus::New | PatternStatus::Rising))
        .cloned()
        .collect();
    let agenda_items = agenda(
        incidents,
        &patterns.assignment,
        &pattern_labels,
        &new_or_rising.iter().map(|p| p.id).collect::<BTreeSet<_>>(),
        &recurrences,
        period,
        &options.agenda,
    );
    let agenda_candidates = agenda_items.len();
    let mut agenda_items = agenda_items;
    agenda_items.truncate(options.agenda.max_items);
    add_agenda_factors(&mut agenda_items, incidents, &factors);
    let audience = audience(incidents, &agenda_items, options.roster.as_ref());
    let accountability = accountability(
        incidents,
        options.roster.as_ref(),
        options.as_of,
        &trends.months,
    );
    let accounting = &normalized.accounting;
    Ok(Review {
        input: InputSummary {
            records_read: accounting.records_read,
            incidents: incidents.len(),
            rejected: accounting.rejected,
            merged: accounting.merged,
            merged_conflicting: accounting.merged_conflicting,
            skipped: accounting.skipped,
            follow_ups: accounting.follow_ups_attached,
            follow_ups_rejected: accounting.follow_ups_rejected,
            warnings: normalized.warnings.len(),
            unreadable_files: normalized.errors.len(),
            unreadable: normalized.errors.clone(),
        },
        run: RunInfo {
            period,
            month: trends.month.clone(),
            as_of: options.as_of,
            seed: options.patterns.seed,
            k: patterns.chosen_k,
            k_automatic: options.patterns.n_clusters.is_none(),
            recurrence_min_similarity: options.recurrence.min_similarity,
        },
        patterns: all_patterns
            .into_iter()
            .take(options.top_patterns)
            .collect(),
        factors: factor_reports(&factors),
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
        pattern_of: patterns.assignment.clone(),
        pattern_labels,
    })
}

/// The month of the latest incident at or before `as_of` (the month of `as_of` when none).
pub fn default_period(incidents: &[Incident], as_of: DateTime<Utc>) -> Period {
    let latest = incidents
        .iter()
        .filter_map(Incident::occurred_at)
        .filter(|at| *at <= as_of)
        .max()
        .unwrap_or(as_of);
    Period::month_of(latest.date_naive())
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
    trends: &Trends,
) -> Vec<PatternReport> {
    let trend_of: BTreeMap<usize, _> = trends.patterns.iter().map(|t| (t.id, t)).collect();
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
            PatternReport {
                id: pattern.id,
                label: pattern.label.clone(),
                terms: pattern.terms.clone(),
                size: pattern.size,
                incident_ids: members.iter().map(|i| i.id.clone()).collect(),
                teams: ranked(members.iter().flat_map(|i| i.teams.iter())),
                services: ranked(members.iter().flat_map(|i| i.services.iter())),
                first_seen: dates.iter().min().copied(),
                last_seen: dates.iter().max().copied(),
                monthly_counts: trend.map(|t| t.monthly_counts.clone()).unwrap_or_default(),
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

fn factor_reports(factors: &FactorAnalysis) -> Vec<FactorReport> {
    factors
        .factors
        .iter()
        .map(|factor| FactorReport {
            factor: factor.display.clone(),
            concept: factor.concept.clone(),
            description: factor.description.clone(),
            root_cause: factor.root_cause,
            evidence: factor.evidence.clone(),
            incidents: factor.incidents.len(),
            patterns: factor.patterns.clone(),
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
    labels: &[String],
    options: &ReviewOptions,
    period: Period,
) -> Vec<RecurrenceReport> {
    find_recurrences(incidents, patterns, &options.recurrence)
        .into_iter()
        .map(|r| {
            let later = &incidents[r.incident];
            RecurrenceReport {
                similarity: (r.similarity * 1000.0).round() / 1000.0,
                shared_terms: r.shared_terms,
                in_period: later.occurred_at().is_some_and(|at| period.contains(at)),
                incident: IncidentRef::of(later),
                earlier: IncidentRef::of(&incidents[r.earlier]),
                pattern_label: labels.get(r.pattern).cloned().unwrap_or_default(),
                incident_id: r.incident_id,
                earlier_incident_id: r.earlier_incident_id,
                open_follow_up_ids: r.open_follow_up_ids,
                pattern_id: r.pattern,
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
                    starts_by_pattern.get(&pattern).is_some_and(|starts| {
                        starts.iter().any(|&at| {
                            opened.is_some_and(|opened| at > opened)
                                && Some(at) != incident.occurred_at()
                                && at <= as_of
                        })
                    })
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
            review.patterns.windows(2).all(|w| w[0].size >= w[1].size),
            "largest first"
        );
        for pattern in &review.patterns {
            assert_eq!(pattern.incident_ids.len(), pattern.size);
            assert_eq!(pattern.monthly_counts.len(), review.trends.months.len());
        }
        for recurrence in &review.recurrences {
            assert_eq!(
                recurrence.pattern_label,
                review.pattern_labels[recurrence.pattern_id]
            );
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
    fn default_period_is_the_month_of_the_latest_incident_before_as_of() {
        let at = |m: u32, d: u32| Utc.with_ymd_and_hms(2025, m, d, 0, 0, 0).single();
        let incidents = vec![
            Incident {
                started_at: at(2, 10),
                ..Incident::default()
            },
            Incident {
                started_at: at(9, 1),
                ..Incident::default()
            },
        ];
        let period = default_period(&incidents, at(6, 1).unwrap());
        assert_eq!(
            (period.since.to_string(), period.until.to_string()),
            ("2025-02-01".into(), "2025-03-01".into())
        );
        assert_eq!(period.trend_month().to_string(), "2025-02-01");
        assert!(period.contains(at(2, 28).unwrap()) && !period.contains(at(3, 1).unwrap()));
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
