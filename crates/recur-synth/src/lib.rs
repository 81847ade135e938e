//! `recur-synth` is test tooling: a seeded generator of planted incidents written independently
//! of the mining and of `recur_core::synth`, to measure the mining on wording it was never tuned
//! on.
//!
//! [`generate`] plants root causes each written several genuinely different ways, with service,
//! team, vendor and region names mixed into the text, noise sentences and varied lengths, plus a
//! declared share of true one-offs ([`PlantParams::one_off_share`]: reports told in made-up
//! words no other report shares, among the noise sentences every cause uses, so that a one-off
//! at a million incidents is as alone as one at a thousand). The causes come from one
//! of two vocabularies ([`PlantParams::vocabulary`]): [`Vocabulary::Main`], thirteen causes (the
//! `key`s listed by [`cause_keys`]) that the mining's quality is measured on, and
//! [`Vocabulary::Holdout`], twelve other causes with their own phrasings, names, noise and
//! sounds for one-offs' words, uneven frequencies and pairs of causes that share much
//! vocabulary, written without looking at the mining: a mining tuned on one vocabulary is
//! validated on the other.
//! With [`PlantParams::narrative_factors`], four cross-cutting contributing factors
//! ([`NARRATIVE_FACTORS`]) are told only in the narrative `body`, in this crate's own sentences,
//! and named in [`PlantedTruth::narrative_factors`] (the JSONL export does not carry the body).
//! Follow-ups are open, done or won't-do, closed at varied times.
//! [`PlantedTruth::recurrence_of`] is computed from the planted causes by the recurrence
//! definition (same cause, a shared service, within the window, a follow-up of the earlier
//! incident open when the later one started; the most recent such earlier incident, ties to
//! the smaller id). [`PlantedTruth::near_miss_of`] names, for an incident that recurs nothing,
//! an earlier incident that satisfies every condition but the cause: a recurrence claim a
//! mining that mixes causes would wrongly make.
//!
//! [`write_jsonl`] writes the incidents as another tool's JSONL export (field names `ticket`,
//! `headline`, `sev`, `began`, `components`, `owning team`, `What happened`, `Cause`,
//! `action items` with `task`/`state`/`opened`/`closed`; times with varied UTC offsets);
//! [`write_truth_csv`] writes the truth as `id,label,recurrence_of` (what `recur evaluate
//! --truth-file` reads). Both write to any `io::Write`; this crate writes no files.
//!
//! Incidents are built in fixed-size chunks in parallel, each chunk with its own generator
//! seeded from (seed, chunk index): the output does not depend on the number of threads.
//!
//! ```
//! use recur_synth::{PlantParams, generate};
//!
//! let planted = generate(&PlantParams { n_incidents: 100, ..PlantParams::default() });
//! assert_eq!(planted.incidents.len(), 100);
//! assert_eq!(planted.truth[7].id, planted.incidents[7].id);
//! let again = generate(&PlantParams { n_incidents: 100, ..PlantParams::default() });
//! assert_eq!(planted, again);
//!
//! use recur_synth::Vocabulary;
//! let held_out = generate(&PlantParams {
//!     n_incidents: 100,
//!     vocabulary: Vocabulary::Holdout,
//!     ..PlantParams::default()
//! });
//! let keys = Vocabulary::Holdout.cause_keys();
//! assert!(held_out.truth.iter().flat_map(|t| &t.cause).all(|c| keys.contains(&c.as_str())));
//! ```
#![warn(missing_docs)]

mod narrative;
mod vocab;
mod vocab_holdout;

use std::collections::BTreeMap;
use std::io;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, SecondsFormat, Utc};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use recur_core::{FollowUp, FollowUpStatus, Incident, IncidentStatus};
use serde::{Deserialize, Serialize};

pub use narrative::NARRATIVE_FACTORS;
use vocab::{Cause, Coinage, Lexicon};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantParams {
    /// Number of incidents. Default 2,000.
    pub n_incidents: usize,
    /// Seed of the random generator. Default 2026.
    pub seed: u64,
    /// First day of the period. Default 2025-01-01.
    pub start: NaiveDate,
    /// Length of the period in days. Default 730; at least 1.
    pub days: u32,
    /// Share of incidents that are true one-offs (no planted cause), 0 to 1. Default 0.04.
    pub one_off_share: f64,
    /// The recurrence window of the truth, in days. Default 180 (the mining's default).
    pub window_days: u32,
    /// Which planted vocabulary the incidents are written in. Default [`Vocabulary::Main`];
    /// may be left out of a serialized configuration.
    #[serde(default)]
    pub vocabulary: Vocabulary,
    /// Tell contributing factors only in the narrative `body` (the [`NARRATIVE_FACTORS`], in
    /// sentences among neutral ones), with nothing listed; [`PlantedTruth::narrative_factors`]
    /// names what was planted. Default false; the rest of the output is the same either way.
    #[serde(default)]
    pub narrative_factors: bool,
}

/// The planted vocabularies: causes, their phrasings, names, noise and one-offs' sounds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Vocabulary {
    /// Thirteen causes (`expired-certificate`, `db-pool-exhausted`, ...), the vocabulary the
    /// mining's quality is tuned and measured on.
    #[default]
    Main,
    /// Twelve other causes (`secret-rotation`, `dst-schedule`, ...) in other words, with other
    /// names and noise, uneven frequencies and pairs of causes that share much vocabulary:
    /// written without looking at the mining, to validate it on wording never tuned on.
    Holdout,
}

impl Vocabulary {
    /// The keys of this vocabulary's planted causes, in a fixed order.
    pub fn cause_keys(self) -> Vec<&'static str> {
        self.lexicon()
            .causes
            .iter()
            .map(|cause| cause.key)
            .collect()
    }

    fn lexicon(self) -> &'static Lexicon {
        match self {
            Vocabulary::Main => &vocab::MAIN,
            Vocabulary::Holdout => &vocab_holdout::HOLDOUT,
        }
    }
}

impl Default for PlantParams {
    fn default() -> Self {
        Self {
            n_incidents: 2_000,
            seed: 2026,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            days: 730,
            one_off_share: 0.04,
            window_days: 180,
            vocabulary: Vocabulary::Main,
            narrative_factors: false,
        }
    }
}

/// Generated incidents and what was planted in them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Planted {
    /// The incidents, canonical (what the JSONL export normalizes back to).
    pub incidents: Vec<Incident>,
    /// One entry per incident, in the same order.
    pub truth: Vec<PlantedTruth>,
}

impl Planted {
    /// The planted recurrences as (later id, earlier id) pairs, in incident order.
    pub fn known_recurrences(&self) -> Vec<(String, String)> {
        self.truth
            .iter()
            .filter_map(|truth| Some((truth.id.clone(), truth.recurrence_of.clone()?)))
            .collect()
    }
}

/// What was planted in one incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantedTruth {
    /// The incident's id.
    pub id: String,
    /// The planted cause's key; `None` for a true one-off.
    pub cause: Option<String>,
    /// The earlier incident this one recurs, by the definition (see the crate docs).
    pub recurrence_of: Option<String>,
    /// An earlier incident that meets every recurrence condition but the cause, when this one
    /// recurs nothing: a claim that must not be made.
    pub near_miss_of: Option<String>,
    /// With [`PlantParams::narrative_factors`]: the factor concepts told in the body (catalogue
    /// ids such as `flaky-tests`); empty otherwise.
    #[serde(default)]
    pub narrative_factors: Vec<String>,
}

/// The keys of the main vocabulary's planted causes, in a fixed order (see
/// [`Vocabulary::cause_keys`]).
pub fn cause_keys() -> Vec<&'static str> {
    Vocabulary::Main.cause_keys()
}

/// Generate `params.n_incidents` incidents with their truth.
pub fn generate(params: &PlantParams) -> Planted {
    const CHUNK: usize = 4_096;
    let n_chunks = params.n_incidents.div_ceil(CHUNK);
    let built: Vec<(Incident, Option<&'static str>)> = (0..n_chunks)
        .into_par_iter()
        .flat_map_iter(|chunk| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                params.seed ^ (chunk as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            let first = chunk * CHUNK;
            let last = (first + CHUNK).min(params.n_incidents);
            (first..last)
                .map(|index| build_incident(index, params, &mut rng))
                .collect::<Vec<_>>()
        })
        .collect();
    let (mut incidents, causes): (Vec<Incident>, Vec<Option<&'static str>>) =
        built.into_iter().unzip();
    let mut narrative_factors: Vec<Vec<String>> = vec![Vec::new(); incidents.len()];
    if params.narrative_factors {
        incidents
            .par_iter_mut()
            .zip(narrative_factors.par_iter_mut())
            .enumerate()
            .for_each(|(index, (incident, planted))| {
                *planted = narrative::retell(params.seed, index, incident);
            });
    }
    let window = Duration::days(i64::from(params.window_days));
    let recurrence_of = definition_pairs(&incidents, &causes, window, Grouping::SameCause);
    let near_miss_of = definition_pairs(&incidents, &causes, window, Grouping::OtherCause);
    let truth = incidents
        .iter()
        .enumerate()
        .map(|(index, incident)| {
            let recurs = recurrence_of[index].map(|a| incidents[a].id.clone());
            PlantedTruth {
                id: incident.id.clone(),
                cause: causes[index].map(str::to_owned),
                near_miss_of: if recurs.is_none() {
                    near_miss_of[index].map(|a| incidents[a].id.clone())
                } else {
                    None
                },
                recurrence_of: recurs,
                narrative_factors: std::mem::take(&mut narrative_factors[index]),
            }
        })
        .collect();
    Planted { incidents, truth }
}

/// Write the incidents as a JSONL export with field names of another tool (see the crate docs).
pub fn write_jsonl<W: io::Write>(planted: &Planted, mut out: W) -> io::Result<()> {
    for (index, incident) in planted.incidents.iter().enumerate() {
        let line = export_record(index, incident);
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Write the truth as CSV: `id,label,recurrence_of` (empty label for a one-off).
pub fn write_truth_csv<W: io::Write>(planted: &Planted, out: W) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["id", "label", "recurrence_of"])?;
    for truth in &planted.truth {
        writer.write_record([
            truth.id.as_str(),
            truth.cause.as_deref().unwrap_or(""),
            truth.recurrence_of.as_deref().unwrap_or(""),
        ])?;
    }
    writer.flush()
}

fn build_incident(
    index: usize,
    params: &PlantParams,
    rng: &mut Xoshiro256PlusPlus,
) -> (Incident, Option<&'static str>) {
    let lexicon = params.vocabulary.lexicon();
    let id = format!("OPS-{:07}", index + 1);
    let period_seconds = i64::from(params.days.max(1)) * 86_400;
    let start_of_period = params
        .start
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let started = start_of_period + Duration::seconds(rng.gen_range(0..period_seconds));
    let detected = started + Duration::minutes(rng.gen_range(1..45));
    let resolved = detected + Duration::minutes(rng.gen_range(15..900));
    let one_off = rng.gen_bool(params.one_off_share.clamp(0.0, 1.0));
    let cause = (!one_off).then(|| pick_cause(lexicon.causes, rng));

    let services = match cause {
        Some(cause) => cause_services(lexicon, cause, rng),
        None => vec![pick(lexicon.services, rng).to_owned()],
    };
    let teams = teams_of(lexicon, &services);
    let names = Names {
        service: &services[0],
        vendor: pick(lexicon.vendors, rng),
        region: pick(lexicon.regions, rng),
        team: &teams[0],
        number: rng.gen_range(8..200),
    };
    let (title, root_cause, summary) = match cause {
        Some(cause) => cause_text(lexicon, cause, &names, rng),
        None => one_off_text(lexicon, &names, rng),
    };
    let follow_ups = follow_ups(lexicon, &id, cause, &teams[0], resolved, rng);
    let incident = Incident {
        title: Some(title),
        severity: Some(rng.gen_range(1..=4)),
        status: Some(IncidentStatus::Resolved),
        started_at: Some(started),
        detected_at: Some(detected),
        resolved_at: Some(resolved),
        services,
        teams,
        summary: Some(summary),
        root_cause,
        contributing_factors: factors(lexicon, rng),
        follow_ups,
        id,
        ..Incident::default()
    };
    (incident, cause.map(|cause| cause.key))
}

/// The names a phrasing's placeholders take.
struct Names<'a> {
    service: &'a str,
    vendor: &'a str,
    region: &'a str,
    team: &'a str,
    number: u32,
}

fn fill(template: &str, names: &Names<'_>) -> String {
    template
        .replace("{svc}", names.service)
        .replace("{vendor}", names.vendor)
        .replace("{region}", names.region)
        .replace("{team}", names.team)
        .replace("{n}", &names.number.to_string())
}

fn pick<'a, R: Rng>(items: &[&'a str], rng: &mut R) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn pick_cause<R: Rng>(causes: &'static [Cause], rng: &mut R) -> &'static Cause {
    let total: u32 = causes.iter().map(|cause| cause.weight).sum();
    let mut at = rng.gen_range(0..total);
    for cause in causes {
        if at < cause.weight {
            return cause;
        }
        at -= cause.weight;
    }
    &causes[0]
}

/// One or two services: mostly the cause's usual ones (the first most often), sometimes any
/// service at all, so that causes share services and near-misses happen.
fn cause_services<R: Rng>(lexicon: &Lexicon, cause: &Cause, rng: &mut R) -> Vec<String> {
    const RANK_WEIGHTS: [u32; 5] = [6, 4, 3, 2, 1];
    let total: u32 = RANK_WEIGHTS.iter().take(cause.services.len()).sum();
    let mut at = rng.gen_range(0..total.max(1));
    let mut first = cause.services[0];
    for (rank, &service) in cause.services.iter().enumerate() {
        let weight = RANK_WEIGHTS.get(rank).copied().unwrap_or(1);
        if at < weight {
            first = service;
            break;
        }
        at -= weight;
    }
    let mut services = vec![lexicon.services[first].to_owned()];
    if rng.gen_bool(0.25) {
        let other = pick(lexicon.services, rng);
        if other != services[0] {
            services.push(other.to_owned());
        }
    }
    services
}

fn teams_of(lexicon: &Lexicon, services: &[String]) -> Vec<String> {
    let mut teams: Vec<String> = services
        .iter()
        .map(|service| {
            let index = lexicon
                .services
                .iter()
                .position(|known| known == service)
                .unwrap_or(0);
            lexicon.teams[index % lexicon.teams.len()].to_owned()
        })
        .collect();
    teams.dedup();
    teams
}

/// Headline, cause and "what happened" of a planted cause. The cause field is missing in about
/// one incident in ten: then only the headline and the narrative say what went wrong.
fn cause_text<R: Rng>(
    lexicon: &Lexicon,
    cause: &Cause,
    names: &Names<'_>,
    rng: &mut R,
) -> (String, Option<String>, String) {
    let title = fill(pick(cause.headlines, rng), names);
    let root_cause = (!rng.gen_bool(0.1)).then(|| fill(pick(cause.causes, rng), names));
    let mut sentences = vec![fill(pick(cause.happenings, rng), names)];
    if rng.gen_bool(0.4) {
        let second = fill(pick(cause.happenings, rng), names);
        if second != sentences[0] {
            sentences.push(second);
        }
    }
    for _ in 0..rng.gen_range(0..=3) {
        sentences.push(fill(pick(lexicon.noise, rng), names));
    }
    shuffle(&mut sentences, rng);
    (title, root_cause, sentences.join(" "))
}

/// A true one-off: its title and cause in made-up words of the lexicon's sounds, which no other
/// report shares at any size, among the noise sentences every cause uses too. (Fixed lists of
/// subjects, events and objects in one sentence template repeat: at 1M each subject came back
/// some 2,000 times, and copies of one story recur like any cause.)
fn one_off_text<R: Rng>(
    lexicon: &Lexicon,
    names: &Names<'_>,
    rng: &mut R,
) -> (String, Option<String>, String) {
    let coinage = &lexicon.coinage;
    let title = coined_sentence(coinage, 3, rng);
    let cause_words = rng.gen_range(4..=6);
    let root_cause = format!("{}.", coined_sentence(coinage, cause_words, rng));
    let mut sentences = vec![format!("{}.", coined_sentence(coinage, 5, rng))];
    for _ in 0..rng.gen_range(0..=2) {
        sentences.push(fill(pick(lexicon.noise, rng), names));
    }
    shuffle(&mut sentences, rng);
    (title, Some(root_cause), sentences.join(" "))
}

/// A made-up word of three syllables (onset, nucleus, coda).
fn coined_word<R: Rng>(coinage: &Coinage, rng: &mut R) -> String {
    (0..3)
        .map(|_| {
            [
                pick(coinage.onsets, rng),
                pick(coinage.nuclei, rng),
                pick(coinage.codas, rng),
            ]
            .concat()
        })
        .collect()
}

/// `n` made-up words, the first capitalized.
fn coined_sentence<R: Rng>(coinage: &Coinage, n: usize, rng: &mut R) -> String {
    let mut sentence = (0..n)
        .map(|_| coined_word(coinage, rng))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(first) = sentence.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    sentence
}

fn factors<R: Rng>(lexicon: &Lexicon, rng: &mut R) -> Vec<String> {
    (0..rng.gen_range(0..=2))
        .map(|_| pick(lexicon.factors, rng).to_owned())
        .collect()
}

/// Zero to three follow-ups: done after a few days to months, won't-do, or open for good.
fn follow_ups<R: Rng>(
    lexicon: &Lexicon,
    incident_id: &str,
    cause: Option<&Cause>,
    team: &str,
    resolved: DateTime<Utc>,
    rng: &mut R,
) -> Vec<FollowUp> {
    let count = match rng.gen_range(0..100) {
        0..15 => 0,
        15..60 => 1,
        60..90 => 2,
        _ => 3,
    };
    (0..count)
        .map(|n| {
            let created = resolved + Duration::hours(rng.gen_range(0..72));
            let (status, closed_at) = match rng.gen_range(0..100) {
                0..55 => (
                    FollowUpStatus::Done,
                    Some(created + Duration::days(rng.gen_range(2..60))),
                ),
                55..65 => (
                    FollowUpStatus::WontDo,
                    Some(created + Duration::days(rng.gen_range(1..30))),
                ),
                65..85 => (
                    FollowUpStatus::Done,
                    Some(created + Duration::days(rng.gen_range(60..300))),
                ),
                _ => (FollowUpStatus::Open, None),
            };
            let title = match cause {
                Some(cause) => pick(cause.tasks, rng).to_owned(),
                None => lexicon.one_off_task.to_owned(),
            };
            FollowUp {
                id: Some(format!("{incident_id}-A{}", n + 1)),
                incident_id: incident_id.to_owned(),
                title: Some(title),
                owner: Some(format!("engineer{}", rng.gen_range(1..60))),
                team: Some(team.to_owned()),
                status,
                created_at: Some(created),
                due_at: Some(created + Duration::days(30)),
                closed_at,
                ..FollowUp::default()
            }
        })
        .collect()
}

fn shuffle<T, R: Rng>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.gen_range(0..=i));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Grouping {
    /// Same cause: the recurrences of the definition.
    SameCause,
    /// Another cause (both planted or not): the near-misses.
    OtherCause,
}

/// For each incident B, the most recent earlier incident A (ties to the smaller id) within the
/// window that shares a service and had a follow-up open when B started, and whose cause is the
/// same as B's (recurrences; one-offs never recur) or differs (near-misses). The near-miss
/// search looks back at most 256 incidents per service, which bounds it at a million.
fn definition_pairs(
    incidents: &[Incident],
    causes: &[Option<&'static str>],
    window: Duration,
    grouping: Grouping,
) -> Vec<Option<usize>> {
    const NEAR_MISS_LOOKBACK: usize = 256;
    let mut groups: BTreeMap<(Option<&str>, &str), Vec<usize>> = BTreeMap::new();
    for (index, incident) in incidents.iter().enumerate() {
        let cause = match grouping {
            Grouping::SameCause if causes[index].is_none() => continue,
            Grouping::SameCause => causes[index],
            Grouping::OtherCause => None,
        };
        for service in &incident.services {
            groups
                .entry((cause, service.as_str()))
                .or_default()
                .push(index);
        }
    }
    let key = |index: usize| (incidents[index].started_at, incidents[index].id.as_str());
    let groups: Vec<Vec<usize>> = groups.into_values().collect();
    let candidates: Vec<(usize, usize)> = groups
        .into_par_iter()
        .flat_map_iter(|mut members| {
            members.sort_by_key(|&index| key(index));
            let mut pairs = Vec::new();
            for (at, &later) in members.iter().enumerate() {
                let Some(b_start) = incidents[later].started_at else {
                    continue;
                };
                let lookback = match grouping {
                    Grouping::SameCause => at,
                    Grouping::OtherCause => NEAR_MISS_LOOKBACK.min(at),
                };
                let found = members[at - lookback..at]
                    .iter()
                    .rev()
                    .copied()
                    .filter_map(|a| incidents[a].started_at.map(|start| (a, start)))
                    .skip_while(|&(_, a_start)| a_start >= b_start)
                    .take_while(|&(_, a_start)| b_start - a_start <= window)
                    .find(|&(a, _)| {
                        let cause_matches = match grouping {
                            Grouping::SameCause => true,
                            Grouping::OtherCause => causes[a] != causes[later],
                        };
                        cause_matches
                            && incidents[a]
                                .follow_ups
                                .iter()
                                .any(|follow_up| follow_up.open_at(b_start))
                    });
                if let Some((a, _)) = found {
                    pairs.push((later, a));
                }
            }
            pairs
        })
        .collect();
    let mut best: Vec<Option<usize>> = vec![None; incidents.len()];
    for (later, earlier) in candidates {
        // The most recent earlier incident over all shared services; ties to the smaller id.
        let better = best[later].is_none_or(|current| {
            let (new_start, new_id) = key(earlier);
            let (old_start, old_id) = key(current);
            new_start > old_start || (new_start == old_start && new_id < old_id)
        });
        if better {
            best[later] = Some(earlier);
        }
    }
    best
}

/// One incident as a line of the JSONL export.
fn export_record(index: usize, incident: &Incident) -> serde_json::Value {
    // Offsets vary by record, as exports from tools used in several offices do.
    let offset_hours = [0, 1, -5, 9][index % 4];
    let time = |at: Option<DateTime<Utc>>| at.map(|at| with_offset(at, offset_hours));
    let mut record = serde_json::Map::new();
    record.insert("ticket".into(), incident.id.clone().into());
    record.insert("headline".into(), incident.title.clone().into());
    let severity = incident.severity.map(|severity| match index % 3 {
        0 => format!("SEV{severity}"),
        1 => format!("sev-{severity}"),
        _ => format!("P{severity}"),
    });
    record.insert("sev".into(), severity.into());
    let state = ["Resolved", "resolved", "RESOLVED"][index % 3];
    record.insert("state".into(), state.into());
    record.insert("began".into(), time(incident.started_at).into());
    record.insert("detected".into(), time(incident.detected_at).into());
    record.insert("ended".into(), time(incident.resolved_at).into());
    record.insert("components".into(), incident.services.join(", ").into());
    record.insert("owning team".into(), incident.teams.join("; ").into());
    record.insert("What happened".into(), incident.summary.clone().into());
    if let Some(cause) = &incident.root_cause {
        record.insert("Cause".into(), cause.clone().into());
    }
    if !incident.contributing_factors.is_empty() {
        record.insert(
            "Contributing factors".into(),
            incident.contributing_factors.clone().into(),
        );
    }
    let items: Vec<serde_json::Value> = incident
        .follow_ups
        .iter()
        .map(|follow_up| {
            let state = match follow_up.status {
                FollowUpStatus::Open => "In progress",
                FollowUpStatus::Done => "Done",
                FollowUpStatus::WontDo => "Won't do",
            };
            serde_json::json!({
                "key": follow_up.id,
                "task": follow_up.title,
                "owner": follow_up.owner,
                "team": follow_up.team,
                "state": state,
                "opened": time(follow_up.created_at),
                "due": time(follow_up.due_at),
                "closed": time(follow_up.closed_at),
            })
        })
        .collect();
    record.insert("action items".into(), items.into());
    serde_json::Value::Object(record)
}

fn with_offset(at: DateTime<Utc>, hours: i32) -> String {
    match FixedOffset::east_opt(hours * 3_600) {
        Some(offset) => at
            .with_timezone(&offset)
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        None => at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn small(n: usize, one_off_share: f64) -> Planted {
        planted_in(Vocabulary::Main, n, one_off_share)
    }

    fn planted_in(vocabulary: Vocabulary, n: usize, one_off_share: f64) -> Planted {
        generate(&PlantParams {
            n_incidents: n,
            one_off_share,
            vocabulary,
            ..PlantParams::default()
        })
    }

    /// Every cause of the vocabulary planted within 20% of its declared share of `n`.
    fn assert_declared_weights(vocabulary: Vocabulary, n: usize) {
        let planted = planted_in(vocabulary, n, 0.0);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for truth in &planted.truth {
            *counts
                .entry(truth.cause.as_deref().expect("no one-offs asked"))
                .or_default() += 1;
        }
        let causes = vocabulary.lexicon().causes;
        assert_eq!(counts.len(), causes.len());
        let total: u32 = causes.iter().map(|c| c.weight).sum();
        for cause in causes {
            let expected = n as f64 * f64::from(cause.weight) / f64::from(total);
            let got = counts[cause.key] as f64;
            assert!(
                (got - expected).abs() < 0.2 * expected,
                "{}: {got} for {expected:.0}",
                cause.key
            );
        }
    }

    #[test]
    fn every_cause_is_planted_with_its_declared_weight() {
        assert_declared_weights(Vocabulary::Main, 5_000);
    }

    #[test]
    fn every_holdout_cause_is_planted_with_its_declared_weight() {
        // 20,000 so that the rarest cause (2%) is expected 400 times: 20% is four deviations.
        assert_declared_weights(Vocabulary::Holdout, 20_000);
    }

    #[test]
    fn a_one_off_tells_its_story_in_words_no_other_report_uses() {
        for vocabulary in [Vocabulary::Main, Vocabulary::Holdout] {
            let planted = planted_in(vocabulary, 4000, 0.1);
            let words_of = |incident: &Incident| -> BTreeSet<String> {
                [&incident.title, &incident.root_cause]
                    .into_iter()
                    .flatten()
                    .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
                    .filter(|word| !word.is_empty())
                    .map(str::to_lowercase)
                    .collect()
            };
            let mut reports_of: BTreeMap<String, usize> = BTreeMap::new();
            for incident in &planted.incidents {
                for word in words_of(incident) {
                    *reports_of.entry(word).or_default() += 1;
                }
            }
            let one_offs: Vec<&Incident> = planted
                .incidents
                .iter()
                .zip(&planted.truth)
                .filter(|(_, truth)| truth.cause.is_none())
                .map(|(incident, _)| incident)
                .collect();
            assert!(one_offs.len() > 300, "{}", one_offs.len());
            for incident in one_offs {
                let words = words_of(incident);
                assert!(words.len() >= 7, "{}: {words:?}", incident.id);
                let shared: Vec<&String> = words.iter().filter(|w| reports_of[*w] > 1).collect();
                assert!(shared.is_empty(), "{}: {shared:?}", incident.id);
            }
        }
    }

    #[test]
    fn one_offs_are_declared_and_never_recur() {
        let planted = small(4_000, 0.05);
        let one_offs: Vec<&PlantedTruth> =
            planted.truth.iter().filter(|t| t.cause.is_none()).collect();
        assert!((150..250).contains(&one_offs.len()), "{}", one_offs.len());
        assert!(one_offs.iter().all(|t| t.recurrence_of.is_none()));
    }

    /// Checks every planted recurrence and near-miss against the definition; returns how many
    /// of each there are.
    fn checked_recurrences(planted: &Planted) -> (usize, usize) {
        let by_id: BTreeMap<&str, usize> = planted
            .incidents
            .iter()
            .enumerate()
            .map(|(i, incident)| (incident.id.as_str(), i))
            .collect();
        let mut recurrences = 0;
        let mut near_misses = 0;
        for (later, truth) in planted.truth.iter().enumerate() {
            let b = &planted.incidents[later];
            let b_start = b.started_at.expect("start");
            if let Some(earlier) = &truth.recurrence_of {
                recurrences += 1;
                let a_index = by_id[earlier.as_str()];
                let a = &planted.incidents[a_index];
                let a_start = a.started_at.expect("start");
                assert_eq!(planted.truth[a_index].cause, truth.cause);
                assert!(a_start < b_start && b_start - a_start <= Duration::days(180));
                assert!(a.services.iter().any(|s| b.services.contains(s)));
                assert!(a.follow_ups.iter().any(|f| f.open_at(b_start)));
            }
            if let Some(earlier) = &truth.near_miss_of {
                near_misses += 1;
                assert!(truth.recurrence_of.is_none());
                assert_ne!(planted.truth[by_id[earlier.as_str()]].cause, truth.cause);
            }
        }
        (recurrences, near_misses)
    }

    #[test]
    fn recurrences_follow_the_definition() {
        let (recurrences, near_misses) = checked_recurrences(&small(3_000, 0.04));
        assert!(recurrences > 300, "{recurrences} recurrences");
        assert!(near_misses > 100, "{near_misses} near-misses");
    }

    #[test]
    fn holdout_recurrences_and_near_misses_follow_the_definition() {
        let planted = planted_in(Vocabulary::Holdout, 3_000, 0.04);
        let (recurrences, near_misses) = checked_recurrences(&planted);
        assert!(recurrences > 200, "{recurrences} recurrences");
        assert!(near_misses > 100, "{near_misses} near-misses");
        // Rare causes recur too, not only the frequent ones.
        let recurring: BTreeSet<&str> = planted
            .truth
            .iter()
            .filter(|truth| truth.recurrence_of.is_some())
            .filter_map(|truth| truth.cause.as_deref())
            .collect();
        assert_eq!(recurring.len(), 12, "{recurring:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_incidents_and_another_seed_does_not() {
        let params = PlantParams {
            n_incidents: 5_000,
            ..PlantParams::default()
        };
        assert_eq!(generate(&params), generate(&params));
        let other = generate(&PlantParams { seed: 1, ..params });
        assert_ne!(generate(&params).incidents, other.incidents);
    }

    #[test]
    fn each_cause_is_written_more_than_one_way() {
        for cause in vocab::CAUSES {
            assert!(cause.causes.len() >= 4, "{}", cause.key);
            assert!(cause.headlines.len() >= 3, "{}", cause.key);
            assert!(cause.services.iter().all(|&s| s < vocab::SERVICES.len()));
        }
    }

    #[test]
    fn the_export_and_truth_have_a_line_per_incident() {
        let planted = small(50, 0.1);
        let mut jsonl = Vec::new();
        write_jsonl(&planted, &mut jsonl).expect("in memory");
        let text = String::from_utf8(jsonl).expect("utf-8");
        assert_eq!(text.lines().count(), 50);
        let first: serde_json::Value =
            serde_json::from_str(text.lines().next().expect("a line")).expect("json");
        assert_eq!(first["ticket"], "OPS-0000001");
        assert!(first["began"].as_str().expect("time").ends_with('Z'));
        let mut truth = Vec::new();
        write_truth_csv(&planted, &mut truth).expect("in memory");
        let truth = String::from_utf8(truth).expect("utf-8");
        assert_eq!(truth.lines().next(), Some("id,label,recurrence_of"));
        assert_eq!(truth.lines().count(), 51);
    }

    #[test]
    fn the_holdout_is_deterministic_and_written_in_its_own_words() {
        let params = PlantParams {
            n_incidents: 5_000,
            vocabulary: Vocabulary::Holdout,
            ..PlantParams::default()
        };
        let planted = generate(&params);
        assert_eq!(planted, generate(&params));
        assert_ne!(
            planted.incidents,
            generate(&PlantParams {
                seed: 1,
                ..params.clone()
            })
            .incidents
        );
        let main = generate(&PlantParams {
            vocabulary: Vocabulary::Main,
            ..params
        });
        // Headlines and services of each incident, as one set per generation.
        let words = |planted: &Planted, of: fn(&Incident) -> Vec<String>| -> BTreeSet<String> {
            planted.incidents.iter().flat_map(of).collect()
        };
        let titles = |incident: &Incident| incident.title.iter().cloned().collect();
        let services = |incident: &Incident| incident.services.clone();
        assert!(words(&planted, titles).is_disjoint(&words(&main, titles)));
        assert!(words(&planted, services).is_disjoint(&words(&main, services)));
        assert!(words(&planted, services).len() > words(&main, services).len());
    }

    #[test]
    fn no_holdout_cause_is_a_cause_of_the_other_vocabularies() {
        let holdout = Vocabulary::Holdout.cause_keys();
        assert_eq!(holdout.len(), 12);
        assert_eq!(holdout.iter().collect::<BTreeSet<_>>().len(), 12);
        for key in &holdout {
            assert!(
                !cause_keys().contains(key),
                "{key} is in the main vocabulary"
            );
            assert!(
                !recur_core::synth::PATTERNS.contains(key),
                "{key} is in recur_core::synth"
            );
        }
        assert_eq!(cause_keys(), Vocabulary::Main.cause_keys());
        assert_eq!(cause_keys().len(), 13);
    }

    #[test]
    fn holdout_causes_are_written_many_ways_with_uneven_weights() {
        let lexicon = Vocabulary::Holdout.lexicon();
        for cause in lexicon.causes {
            assert!(cause.headlines.len() >= 4, "{}", cause.key);
            assert!(cause.causes.len() >= 6, "{}", cause.key);
            assert!(cause.happenings.len() >= 4, "{}", cause.key);
            assert!(cause.tasks.len() >= 3, "{}", cause.key);
            assert!(!cause.services.is_empty(), "{}", cause.key);
            assert!(cause.services.iter().all(|&s| s < lexicon.services.len()));
            let distinct: BTreeSet<&str> = cause.causes.iter().copied().collect();
            assert_eq!(distinct.len(), cause.causes.len(), "{}", cause.key);
        }
        let total: u32 = lexicon.causes.iter().map(|c| c.weight).sum();
        let shares: Vec<f64> = lexicon
            .causes
            .iter()
            .map(|c| f64::from(c.weight) / f64::from(total))
            .collect();
        assert!(shares.iter().any(|&share| share >= 0.15), "{shares:?}");
        let rare = shares
            .iter()
            .filter(|&&share| (0.015..=0.035).contains(&share))
            .count();
        assert_eq!(rare, 2, "{shares:?}");
    }

    #[test]
    fn holdout_names_differ_from_the_main_ones_and_are_more() {
        let (holdout, main) = (Vocabulary::Holdout.lexicon(), Vocabulary::Main.lexicon());
        let lists = [
            (holdout.services, main.services),
            (holdout.teams, main.teams),
            (holdout.vendors, main.vendors),
            (holdout.regions, main.regions),
            (holdout.noise, main.noise),
            (holdout.factors, main.factors),
            (holdout.coinage.onsets, main.coinage.onsets),
        ];
        for (ours, theirs) in lists {
            assert!(ours.len() >= theirs.len(), "{ours:?}");
            assert!(ours.iter().all(|name| !theirs.contains(name)), "{ours:?}");
        }
        let distinct = |names: &[&str]| names.iter().collect::<BTreeSet<_>>().len();
        assert!(distinct(holdout.services) > distinct(main.services));
        assert!(distinct(holdout.teams) > distinct(main.teams));
        assert!(distinct(holdout.vendors) > distinct(main.vendors));
        assert!(distinct(holdout.regions) > distinct(main.regions));
        assert_eq!(holdout.teams.len(), holdout.services.len());
    }

    /// No text of `planted` keeps a `{placeholder}` (or a stray brace).
    fn assert_filled(planted: &Planted) {
        for incident in &planted.incidents {
            let texts = [&incident.title, &incident.root_cause, &incident.summary]
                .into_iter()
                .flatten()
                .chain(&incident.contributing_factors)
                .chain(incident.follow_ups.iter().filter_map(|f| f.title.as_ref()));
            for text in texts {
                assert!(
                    !text.contains('{') && !text.contains('}'),
                    "{}: {text}",
                    incident.id
                );
            }
        }
    }

    #[test]
    fn texts_contain_no_unfilled_placeholder() {
        assert_filled(&planted_in(Vocabulary::Holdout, 20_000, 0.1));
        assert_filled(&planted_in(Vocabulary::Main, 5_000, 0.1));
        // Every phrasing, whether or not the generator happened to pick it.
        let names = Names {
            service: "svc",
            vendor: "vendor",
            region: "region",
            team: "team",
            number: 9,
        };
        for vocabulary in [Vocabulary::Main, Vocabulary::Holdout] {
            let lexicon = vocabulary.lexicon();
            let phrasings = lexicon
                .causes
                .iter()
                .flat_map(|c| c.headlines.iter().chain(c.causes).chain(c.happenings))
                .chain(lexicon.noise);
            for phrasing in phrasings {
                let filled = fill(phrasing, &names);
                assert!(!filled.contains('{') && !filled.contains('}'), "{phrasing}");
            }
        }
    }

    #[test]
    fn the_vocabulary_is_optional_in_a_configuration() {
        let mut json = serde_json::to_value(PlantParams::default()).expect("serializes");
        assert_eq!(json["vocabulary"], "main");
        json.as_object_mut().expect("object").remove("vocabulary");
        let params: PlantParams = serde_json::from_value(json.clone()).expect("without it");
        assert_eq!(params.vocabulary, Vocabulary::Main);
        json["vocabulary"] = "holdout".into();
        let params: PlantParams = serde_json::from_value(json.clone()).expect("holdout");
        assert_eq!(params.vocabulary, Vocabulary::Holdout);
        json["vocabulary"] = "other".into();
        let error = serde_json::from_value::<PlantParams>(json).expect_err("unknown vocabulary");
        assert!(error.to_string().contains("other"), "{error}");
    }
}
