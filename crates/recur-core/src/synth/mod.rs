//! A seeded, deterministic generator of realistic incidents with planted recurring patterns,
//! for the bundled sample, tests and benchmarks.
//!
//! [`generate`] plants ten root-cause families ([`PATTERNS`]), each written in several
//! paraphrases and spread over its own likely services and teams, plus about 10% one-off
//! noise. One family grows over the period ([`RISING_PATTERN`]) and one appears only in its last
//! two months ([`NEW_PATTERN`]). The cross-cutting "flaky tests" contributing factor is planted
//! in about 15% of incidents across families and teams. Recurrences (the same family on the same
//! service while an earlier follow-up is still open) are planted, and [`Truth::recurs`] is
//! computed from the planted families by the exact definition in [`planted_recurrences`].
//!
//! The incidents are canonical: what a source would say, already normalized. The raw
//! spellings (`severity_raw`, `status_raw`) and follow-up tracker URLs are left out: they belong
//! to a source, and [`export_sample`] writes them when it turns the incidents into the messy
//! files of the bundled sample (`data/sample/`): a CSV, a follow-up CSV, a JSONL export of
//! another tool, and Markdown postmortems, plus the truth file. Leaving them out also keeps a
//! million incidents within memory.
//!
//! Incidents are built in fixed-size chunks, in parallel, each chunk with its own generator
//! seeded from (seed, chunk index): the output does not depend on the number of threads.
//!
//! ```
//! use recur_core::synth::{SynthParams, generate};
//!
//! let synthetic = generate(&SynthParams { n_incidents: 50, ..SynthParams::default() });
//! assert_eq!(synthetic.incidents.len(), 50);
//! assert_eq!(synthetic.truth[0].incident_id, synthetic.incidents[0].id);
//! ```

mod build;
pub mod export;
mod narrative;
mod vocab;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{FollowUpStatus, Incident};

pub use export::{SampleFiles, export_sample};
pub use narrative::NARRATIVE_FACTORS;
pub use vocab::NOISE_PREFIX;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthParams {
    /// Number of incidents. Default 400.
    pub n_incidents: usize,
    /// Seed of the random generator. Default 7.
    pub seed: u64,
    /// First day of the period. Default 2024-11-01.
    pub start: NaiveDate,
    /// Length of the period in months. Default 24. A period shorter than a day is taken as one
    /// day.
    pub months: u32,
    /// How contributing factors are told. Default [`FactorStyle::Listed`] (the bundled sample).
    #[serde(default)]
    pub factor_style: FactorStyle,
}

/// How the generator tells contributing factors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactorStyle {
    /// Listed in `contributing_factors`, as short phrases (the bundled sample).
    #[default]
    Listed,
    /// Only told in the narrative `body`, as sentences among neutral ones; nothing listed.
    /// Flaky tests keep their planting; [`NARRATIVE_FACTORS`] are planted besides, and
    /// [`Truth::narrative_factors`] names what was planted.
    Narrative,
}

impl Default for SynthParams {
    fn default() -> Self {
        Self {
            n_incidents: 400,
            seed: 7,
            start: NaiveDate::from_ymd_opt(2024, 11, 1).unwrap_or_default(),
            months: 24,
            factor_style: FactorStyle::Listed,
        }
    }
}

/// Generated incidents and the truth that was planted in them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Synthetic {
    /// The incidents, canonical.
    pub incidents: Vec<Incident>,
    /// One entry per incident, in the same order.
    pub truth: Vec<Truth>,
}

/// What was planted in one incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// The incident's id.
    pub incident_id: String,
    /// The planted root-cause family (`cert-expiry`, `conn-pool`, …), or for a noise report (an
    /// unrelated cause, one of a fixed few written the same way each time) its own class,
    /// [`NOISE_PREFIX`] and its title as a slug. `None` only in truth read from elsewhere.
    pub pattern: Option<String>,
    /// The id of the earlier incident this one recurs, by the recurrence definition.
    pub recurs: Option<String>,
    /// Whether the cross-cutting "flaky tests" factor was planted.
    pub flaky_tests: bool,
    /// With [`FactorStyle::Narrative`]: the factor concepts told in the body (catalogue ids such
    /// as `flaky-tests`, `alert-fatigue`), in planting order. Empty in the listed style.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narrative_factors: Vec<String>,
}

/// The planted root-cause families, by the key [`Truth::pattern`] uses.
pub const PATTERNS: [&str; 10] = [
    "cert-expiry",
    "conn-pool",
    "feature-flag",
    "disk-full",
    "dns",
    "memory-leak",
    "config-push",
    "queue-lag",
    "rate-limit",
    "cache-stampede",
];

/// The family whose share grows over the period.
pub const RISING_PATTERN: &str = "queue-lag";

/// The family that appears only in the last two months of the period.
pub const NEW_PATTERN: &str = "rate-limit";

/// The canonical key of the cross-cutting contributing factor planted across families and teams.
pub const FLAKY_TESTS_FACTOR: &str = "flaky-tests";

/// The paraphrases the generator writes for the flaky-tests factor.
pub const FLAKY_TESTS_PHRASES: [&str; 5] = [
    "flaky tests",
    "tests were flaky",
    "test flakiness",
    "flaky test suite ignored",
    "CI failures were ignored as flaky",
];

/// The recurrence window of [`Truth::recurs`], in days.
pub const RECURRENCE_WINDOW_DAYS: i64 = 180;

/// Generate incidents. Same params, same output, byte for byte.
///
/// Incidents are in time order, with ids `INC-1000`, `INC-1001`, …; follow-up ids (`OPS-…`)
/// are unique. The period ends at `start` + `months`, which is also the "as of" instant: no
/// timestamp reaches it, and follow-ups not closed by then are open.
pub fn generate(params: &SynthParams) -> Synthetic {
    let period = build::Period::new(params.start, params.months);
    let n_incidents = params.n_incidents;
    let mut incidents = vec![Incident::default(); n_incidents];
    let mut truth = vec![Truth::default(); n_incidents];
    incidents
        .par_chunks_mut(build::CHUNK)
        .zip(truth.par_chunks_mut(build::CHUNK))
        .enumerate()
        .for_each(|(chunk_index, (incidents, truth))| {
            build::fill_chunk(
                &period,
                n_incidents,
                params.seed,
                chunk_index,
                incidents,
                truth,
            );
        });
    let recurs = {
        let patterns: Vec<Option<&str>> =
            truth.iter().map(|truth| truth.pattern.as_deref()).collect();
        recurrences(&incidents, &patterns, RECURRENCE_WINDOW_DAYS)
    };
    for (truth, recurs) in truth.iter_mut().zip(recurs) {
        truth.recurs = recurs;
    }
    if params.factor_style == FactorStyle::Narrative {
        incidents
            .par_iter_mut()
            .zip(truth.par_iter_mut())
            .enumerate()
            .for_each(|(index, (incident, truth))| {
                narrative::retell(params.seed, index, incident, truth);
            });
    }
    Synthetic { incidents, truth }
}

/// The recurrences among `incidents` by the exact definition, given each incident's planted
/// pattern (`patterns[i]` belongs to `incidents[i]`; missing entries count as `None`).
///
/// Incident B recurs incident A when A started before B, B started at most `window_days` days
/// after A, both have the same pattern (not `None`), they share at least one service, and A had
/// at least one follow-up open when B started ([`FollowUp::open_at`](crate::FollowUp::open_at):
/// created at or before B's start, and still open or closed after it). The result holds, for
/// each incident, the id of the most recent such A (ties in start time go to the later one in
/// `incidents`), or `None`. Incidents without a start time never recur and are never recurred.
pub fn planted_recurrences(
    incidents: &[Incident],
    patterns: &[Option<String>],
    window_days: i64,
) -> Vec<Option<String>> {
    recurrences(incidents, patterns, window_days)
}

fn recurrences<P: AsRef<str> + Sync>(
    incidents: &[Incident],
    patterns: &[Option<P>],
    window_days: i64,
) -> Vec<Option<String>> {
    let window = Duration::days(window_days);
    let mut groups: BTreeMap<(&str, &str), Vec<Entry>> = BTreeMap::new();
    for (index, (incident, pattern)) in incidents.iter().zip(patterns).enumerate() {
        let (Some(pattern), Some(started)) = (pattern.as_ref(), incident.started_at) else {
            continue;
        };
        let entry = Entry::new(incident, started, index);
        for (position, service) in incident.services.iter().enumerate() {
            // Each incident once per service, however often the source lists it.
            if !incident.services[..position].contains(service) {
                groups
                    .entry((pattern.as_ref(), service.as_str()))
                    .or_default()
                    .push(entry);
            }
        }
    }
    let groups: Vec<Vec<Entry>> = groups.into_values().collect();
    let pairs: Vec<(usize, DateTime<Utc>, usize)> = groups
        .into_par_iter()
        .flat_map_iter(|mut group| {
            group.sort_unstable_by_key(|entry| (entry.started, entry.index));
            let mut pairs = Vec::new();
            for (position, later) in group.iter().enumerate() {
                let started = later.started;
                let limit = started
                    .checked_sub_signed(window)
                    .unwrap_or(DateTime::<Utc>::MIN_UTC);
                let earlier = group[..position]
                    .iter()
                    .rev()
                    .skip_while(|earlier| earlier.started >= started)
                    .take_while(|earlier| earlier.started >= limit)
                    .find(|earlier| {
                        earlier.may_be_open_at(started)
                            && open_at(&incidents[earlier.index], started)
                    });
                if let Some(earlier) = earlier {
                    pairs.push((later.index, earlier.started, earlier.index));
                }
            }
            pairs
        })
        .collect();
    let mut best: Vec<Option<(DateTime<Utc>, usize)>> = vec![None; incidents.len()];
    for (later, at, earlier) in pairs {
        if best[later].is_none_or(|current| (at, earlier) > current) {
            best[later] = Some((at, earlier));
        }
    }
    best.into_iter()
        .map(|found| found.map(|(_, earlier)| incidents[earlier].id.clone()))
        .collect()
}

/// Whether any follow-up of `incident` was open at `at`.
fn open_at(incident: &Incident, at: DateTime<Utc>) -> bool {
    incident
        .follow_ups
        .iter()
        .any(|follow_up| follow_up.open_at(at))
}

/// One incident in a (pattern, service) group, with the span in which any of its follow-ups
/// can be open, so most candidates are ruled out without reading the incident again.
#[derive(Debug, Clone, Copy)]
struct Entry {
    started: DateTime<Utc>,
    index: usize,
    /// No follow-up is open before this instant.
    open_from: DateTime<Utc>,
    /// Nor from this instant on.
    open_until: DateTime<Utc>,
}

impl Entry {
    fn new(incident: &Incident, started: DateTime<Utc>, index: usize) -> Self {
        let mut open_from = DateTime::<Utc>::MAX_UTC;
        let mut open_until = DateTime::<Utc>::MIN_UTC;
        for follow_up in &incident.follow_ups {
            // The span of `FollowUp::open_at`: from creation (or always) until closing (or
            // forever while open); a done or dropped one without a close date is never open.
            let until = match (follow_up.closed_at, follow_up.status) {
                (Some(closed), _) => closed,
                (None, FollowUpStatus::Open) => DateTime::<Utc>::MAX_UTC,
                (None, _) => continue,
            };
            open_from = open_from.min(follow_up.created_at.unwrap_or(DateTime::<Utc>::MIN_UTC));
            open_until = open_until.max(until);
        }
        Self {
            started,
            index,
            open_from,
            open_until,
        }
    }

    /// False when no follow-up can be open at `at`; true means "check". (`MAX_UTC` stands
    /// for "never closed", later than any real instant.)
    fn may_be_open_at(&self, at: DateTime<Utc>) -> bool {
        self.open_from <= at && at < self.open_until
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::TimeZone;

    use super::*;
    use crate::model::{FollowUp, IncidentStatus};

    fn sample() -> Synthetic {
        generate(&SynthParams::default())
    }

    fn day(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).single().unwrap() + Duration::days(day)
    }

    /// An incident started on `start` (days from 2025-01-01) on `services`, with one follow-up
    /// created on `created` and closed on `closed` (open when `None`).
    fn incident(
        id: &str,
        start: i64,
        services: &[&str],
        created: i64,
        closed: Option<i64>,
    ) -> Incident {
        Incident {
            id: id.to_owned(),
            started_at: Some(day(start)),
            services: services
                .iter()
                .map(|service| (*service).to_owned())
                .collect(),
            follow_ups: vec![FollowUp {
                incident_id: id.to_owned(),
                status: if closed.is_some() {
                    FollowUpStatus::Done
                } else {
                    FollowUpStatus::Open
                },
                created_at: Some(day(created)),
                closed_at: closed.map(day),
                ..FollowUp::default()
            }],
            ..Incident::default()
        }
    }

    fn check(incidents: &[Incident], patterns: &[Option<&str>], expected: &[Option<&str>]) {
        let patterns: Vec<Option<String>> = patterns
            .iter()
            .map(|pattern| pattern.map(str::to_owned))
            .collect();
        let found = planted_recurrences(incidents, &patterns, 180);
        let found: Vec<Option<&str>> = found.iter().map(Option::as_deref).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn recurrence_needs_every_clause_of_the_definition() {
        let p = Some("dns");
        let a = incident("A", 0, &["api"], 1, None);
        // The base case: same pattern, shared service, within the window, follow-up open.
        check(
            &[a.clone(), incident("B", 30, &["api", "web"], 31, None)],
            &[p, p],
            &[None, Some("A")],
        );
        // Exactly at the window's edge still counts; one day more does not.
        check(
            &[a.clone(), incident("B", 180, &["api"], 181, None)],
            &[p, p],
            &[None, Some("A")],
        );
        check(
            &[a.clone(), incident("B", 181, &["api"], 182, None)],
            &[p, p],
            &[None, None],
        );
        // Different pattern, or no pattern.
        check(
            &[a.clone(), incident("B", 30, &["api"], 31, None)],
            &[p, Some("disk-full")],
            &[None, None],
        );
        check(
            &[a.clone(), incident("B", 30, &["api"], 31, None)],
            &[None, None],
            &[None, None],
        );
        // No shared service.
        check(
            &[a.clone(), incident("B", 30, &["web"], 31, None)],
            &[p, p],
            &[None, None],
        );
        // The follow-up was closed before B started; closed after B started still counts.
        let closed_early = incident("A", 0, &["api"], 1, Some(20));
        check(
            &[closed_early, incident("B", 30, &["api"], 31, None)],
            &[p, p],
            &[None, None],
        );
        let closed_late = incident("A", 0, &["api"], 1, Some(40));
        check(
            &[closed_late, incident("B", 30, &["api"], 31, None)],
            &[p, p],
            &[None, Some("A")],
        );
        // The follow-up was created after B started.
        let created_late = incident("A", 0, &["api"], 31, None);
        check(
            &[created_late, incident("B", 30, &["api"], 32, None)],
            &[p, p],
            &[None, None],
        );
        // Same start: not before.
        check(
            &[a.clone(), incident("B", 0, &["api"], 1, None)],
            &[p, p],
            &[None, None],
        );
    }

    /// The definition, read literally: every earlier incident against every later one.
    fn naive_recurrences(
        incidents: &[Incident],
        patterns: &[Option<String>],
    ) -> Vec<Option<String>> {
        let mut found = Vec::new();
        for (later, later_pattern) in incidents.iter().zip(patterns) {
            let started = later.started_at.unwrap();
            let mut best: Option<&Incident> = None;
            for (earlier, pattern) in incidents.iter().zip(patterns) {
                let qualifies = pattern.is_some()
                    && pattern == later_pattern
                    && earlier.started_at.unwrap() < started
                    && started - earlier.started_at.unwrap() <= Duration::days(180)
                    && earlier
                        .services
                        .iter()
                        .any(|service| later.services.contains(service))
                    && earlier
                        .follow_ups
                        .iter()
                        .any(|follow_up| follow_up.open_at(started));
                if qualifies && best.is_none_or(|best| best.started_at <= earlier.started_at) {
                    best = Some(earlier);
                }
            }
            found.push(best.map(|best| best.id.clone()));
        }
        found
    }

    #[test]
    fn recurrence_agrees_with_the_literal_definition() {
        for seed in [7, 3] {
            let synthetic = generate(&SynthParams {
                seed,
                n_incidents: 600,
                ..SynthParams::default()
            });
            let patterns: Vec<Option<String>> = synthetic
                .truth
                .iter()
                .map(|truth| truth.pattern.clone())
                .collect();
            let fast = planted_recurrences(&synthetic.incidents, &patterns, RECURRENCE_WINDOW_DAYS);
            assert_eq!(
                fast,
                naive_recurrences(&synthetic.incidents, &patterns),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn recurrence_reports_the_most_recent_qualifying_incident() {
        let p = Some("dns");
        let incidents = [
            incident("A", 0, &["api"], 1, None),
            incident("A2", 10, &["web"], 11, None),
            incident("C", 20, &["api"], 21, Some(22)),
            incident("B", 30, &["api", "web"], 31, None),
        ];
        // C is more recent but its follow-up closed before B; A2 shares `web` and is open.
        check(
            &incidents,
            &[p, p, p, p],
            &[None, None, Some("A"), Some("A2")],
        );
    }

    #[test]
    fn generate_is_deterministic_and_seed_dependent() {
        let first = sample();
        assert_eq!(first, sample());
        assert_eq!(export_sample(&first), export_sample(&sample()));
        let other = generate(&SynthParams {
            seed: 8,
            ..SynthParams::default()
        });
        assert_ne!(first.incidents, other.incidents);
        assert_ne!(
            export_sample(&first).incidents_csv,
            export_sample(&other).incidents_csv
        );
    }

    #[test]
    fn output_does_not_depend_on_thread_count() {
        let params = SynthParams {
            n_incidents: 2 * build::CHUNK + 100,
            ..SynthParams::default()
        };
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let serial = one_thread.install(|| generate(&params));
        let parallel = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap()
            .install(|| generate(&params));
        assert_eq!(serial, parallel);
        let ids: BTreeSet<&str> = serial
            .incidents
            .iter()
            .map(|incident| incident.id.as_str())
            .collect();
        assert_eq!(ids.len(), params.n_incidents);
        let follow_up_ids: Vec<&str> = serial
            .incidents
            .iter()
            .flat_map(|incident| &incident.follow_ups)
            .filter_map(|f| f.id.as_deref())
            .collect();
        let unique: BTreeSet<&str> = follow_up_ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            follow_up_ids.len(),
            "follow-up ids are unique across chunks"
        );
    }

    #[test]
    fn counts_ids_and_truth_line_up() {
        let synthetic = sample();
        assert_eq!(synthetic.incidents.len(), 400);
        assert_eq!(synthetic.truth.len(), 400);
        let ids: BTreeSet<&str> = synthetic
            .incidents
            .iter()
            .map(|incident| incident.id.as_str())
            .collect();
        assert_eq!(ids.len(), 400);
        assert_eq!(synthetic.incidents[0].id, "INC-1000");
        for (incident, truth) in synthetic.incidents.iter().zip(&synthetic.truth) {
            assert_eq!(incident.id, truth.incident_id);
            let pattern = truth.pattern.as_deref().unwrap_or_default();
            assert!(
                PATTERNS.contains(&pattern) || pattern.starts_with(NOISE_PREFIX),
                "{pattern}"
            );
            let has_flaky = incident
                .contributing_factors
                .iter()
                .any(|factor| FLAKY_TESTS_PHRASES.contains(&factor.as_str()));
            assert_eq!(has_flaky, truth.flaky_tests, "{}", incident.id);
            assert!(
                (1..=3).contains(&incident.contributing_factors.len()),
                "{}",
                incident.id
            );
            assert!(incident.follow_ups.len() <= 4);
            assert!(
                incident
                    .follow_ups
                    .iter()
                    .all(|follow_up| follow_up.incident_id == incident.id)
            );
        }
        let (noise, patterns): (Vec<&str>, Vec<&str>) = synthetic
            .truth
            .iter()
            .filter_map(|truth| truth.pattern.as_deref())
            .partition(|pattern| pattern.starts_with(NOISE_PREFIX));
        assert!(
            (20..=60).contains(&noise.len()),
            "about 10% noise, got {}",
            noise.len()
        );
        // The noise reports are a fixed few, drawn again and again.
        let noise_classes: BTreeSet<&str> = noise.into_iter().collect();
        assert!(
            (10..=18).contains(&noise_classes.len()),
            "{noise_classes:?}"
        );
        assert!(noise_classes.contains("noise-wrong-tax-rate-applied-to-invoices"));
        let patterns: BTreeSet<&str> = patterns.into_iter().collect();
        assert_eq!(patterns.len(), 10);
        assert_eq!(
            generate(&SynthParams {
                n_incidents: 0,
                ..SynthParams::default()
            }),
            Synthetic::default()
        );
    }

    #[test]
    fn timestamps_are_in_order_and_inside_the_period() {
        let synthetic = sample();
        let end = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().unwrap();
        let mut previous_start = None;
        for incident in &synthetic.incidents {
            let stamps = [
                incident.started_at,
                incident.detected_at,
                incident.acknowledged_at,
                incident.mitigated_at,
                incident.resolved_at,
            ];
            let present: Vec<DateTime<Utc>> = stamps.into_iter().flatten().collect();
            assert!(
                present.windows(2).all(|pair| pair[0] <= pair[1]),
                "{}: {present:?}",
                incident.id
            );
            assert!(present.iter().all(|at| *at < end), "{}", incident.id);
            assert!(incident.started_at >= previous_start, "ids follow time");
            previous_start = incident.started_at;
            let resolved = matches!(
                incident.status,
                Some(IncidentStatus::Resolved | IncidentStatus::Closed)
            );
            assert_eq!(resolved, incident.resolved_at.is_some(), "{}", incident.id);
            for follow_up in &incident.follow_ups {
                let created = follow_up.created_at.unwrap();
                assert!(created > incident.started_at.unwrap() && created < end);
                let due_days = (follow_up.due_at.unwrap() - created).num_days();
                assert!((14..=56).contains(&due_days));
                assert_eq!(
                    follow_up.closed_at.is_some(),
                    follow_up.status != FollowUpStatus::Open
                );
                assert!(
                    follow_up
                        .closed_at
                        .is_none_or(|closed| closed > created && closed < end)
                );
            }
        }
    }

    #[test]
    fn distributions_look_like_real_incidents() {
        let synthetic = sample();
        let incidents = &synthetic.incidents;
        let sev1 = incidents
            .iter()
            .filter(|incident| incident.severity == Some(1))
            .count();
        assert!((4..=40).contains(&sev1), "few SEV1: {sev1}");
        let mut hours: Vec<f64> = incidents
            .iter()
            .filter_map(|incident| incident.time_to_resolve())
            .map(|span| span.num_minutes() as f64 / 60.0)
            .collect();
        hours.sort_by(f64::total_cmp);
        let median = hours[hours.len() / 2];
        assert!(
            (1.0..4.0).contains(&median),
            "median time to resolve {median} h"
        );
        assert!(
            hours.last().copied().unwrap_or_default() > 24.0,
            "a long tail to days"
        );
        let serious: Vec<&Incident> = incidents
            .iter()
            .filter(|incident| incident.severity <= Some(2))
            .collect();
        let with_follow_up = serious
            .iter()
            .filter(|incident| !incident.follow_ups.is_empty())
            .count();
        assert!(
            with_follow_up * 100 >= serious.len() * 90,
            "SEV1/2 almost always have a follow-up"
        );
        let end = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().unwrap();
        let follow_ups: Vec<&FollowUp> = incidents
            .iter()
            .flat_map(|incident| &incident.follow_ups)
            .collect();
        let open = follow_ups
            .iter()
            .filter(|follow_up| follow_up.status == FollowUpStatus::Open)
            .count();
        let overdue = follow_ups
            .iter()
            .filter(|follow_up| follow_up.overdue_at(end))
            .count();
        assert!(
            open * 100 >= follow_ups.len() * 8,
            "a good share still open: {open}/{}",
            follow_ups.len()
        );
        assert!(
            overdue * 2 >= open,
            "most open ones overdue: {overdue}/{open}"
        );
        let cross_team = incidents
            .iter()
            .flat_map(|incident| incident.follow_ups.iter().map(move |f| (incident, f)))
            .filter(|(incident, follow_up)| follow_up.team.as_ref() != incident.teams.first())
            .count();
        assert!(cross_team > 0);
    }

    #[test]
    fn rising_and_new_patterns_are_planted() {
        let synthetic = sample();
        let new_from = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).single().unwrap();
        let halfway = Utc.with_ymd_and_hms(2025, 11, 1, 0, 0, 0).single().unwrap();
        let mut new_count = 0;
        let (mut rising_early, mut rising_late) = (0, 0);
        for (incident, truth) in synthetic.incidents.iter().zip(&synthetic.truth) {
            let started = incident.started_at.unwrap();
            match truth.pattern.as_deref() {
                Some(NEW_PATTERN) => {
                    assert!(
                        started >= new_from,
                        "{} before the last two months",
                        incident.id
                    );
                    new_count += 1;
                }
                Some(RISING_PATTERN) if started < halfway => rising_early += 1,
                Some(RISING_PATTERN) => rising_late += 1,
                _ => {}
            }
        }
        assert!(new_count >= 5, "new pattern: {new_count}");
        assert!(
            rising_late >= 2 * rising_early,
            "rising: {rising_early} then {rising_late}"
        );
    }

    #[test]
    fn flaky_tests_factor_cuts_across_patterns_and_teams() {
        let synthetic = sample();
        let flaky: Vec<(&Incident, &Truth)> = synthetic
            .incidents
            .iter()
            .zip(&synthetic.truth)
            .filter(|(_, truth)| truth.flaky_tests)
            .collect();
        let share = flaky.len() as f64 / synthetic.incidents.len() as f64;
        assert!((0.10..=0.20).contains(&share), "about 15%: {share}");
        let patterns: BTreeSet<&str> = flaky
            .iter()
            .filter_map(|(_, truth)| truth.pattern.as_deref())
            .filter(|pattern| !pattern.starts_with(NOISE_PREFIX))
            .collect();
        let teams: BTreeSet<&str> = flaky
            .iter()
            .filter_map(|(incident, _)| incident.teams.first())
            .map(String::as_str)
            .collect();
        assert!(patterns.len() >= 4, "{patterns:?}");
        assert!(teams.len() >= 5, "{teams:?}");
        let phrasings: BTreeSet<&str> = flaky
            .iter()
            .flat_map(|(incident, _)| &incident.contributing_factors)
            .map(String::as_str)
            .filter(|factor| FLAKY_TESTS_PHRASES.contains(factor))
            .collect();
        assert!(
            phrasings.len() >= 4,
            "the factor is paraphrased: {phrasings:?}"
        );
    }

    #[test]
    fn the_sample_has_a_few_dozen_recurrences_by_the_definition() {
        let synthetic = sample();
        let recurring = synthetic
            .truth
            .iter()
            .filter(|truth| truth.recurs.is_some())
            .count();
        assert!((24..=160).contains(&recurring), "recurrences: {recurring}");
        // The truth is exactly the definition applied to the planted patterns.
        let patterns: Vec<Option<String>> = synthetic
            .truth
            .iter()
            .map(|truth| truth.pattern.clone())
            .collect();
        let expected = planted_recurrences(&synthetic.incidents, &patterns, RECURRENCE_WINDOW_DAYS);
        let actual: Vec<Option<String>> = synthetic
            .truth
            .iter()
            .map(|truth| truth.recurs.clone())
            .collect();
        assert_eq!(actual, expected);
        let index: BTreeMap<&str, (&Incident, &Truth)> = synthetic
            .incidents
            .iter()
            .zip(&synthetic.truth)
            .map(|(incident, truth)| (incident.id.as_str(), (incident, truth)))
            .collect();
        for (incident, truth) in synthetic.incidents.iter().zip(&synthetic.truth) {
            if let Some(earlier) = &truth.recurs {
                let (earlier, earlier_truth) = index[earlier.as_str()];
                assert_eq!(earlier_truth.pattern, truth.pattern);
                assert!(
                    earlier
                        .services
                        .iter()
                        .any(|service| incident.services.contains(service))
                );
            }
        }
    }

    /// Scale: a million incidents. Slow in a debug build; run it in release:
    /// `cargo test -p recur-core --release --lib synth::tests::a_million_incidents -- --ignored`.
    #[test]
    #[ignore = "a million incidents; run in release"]
    fn a_million_incidents() {
        let synthetic = generate(&SynthParams {
            n_incidents: 1_000_000,
            ..SynthParams::default()
        });
        assert_eq!(synthetic.incidents.len(), 1_000_000);
        assert_eq!(synthetic.incidents[999_999].id, "INC-1000999");
        let recurring = synthetic
            .truth
            .iter()
            .filter(|truth| truth.recurs.is_some())
            .count();
        assert!(recurring > 100_000, "{recurring}");
    }
}
