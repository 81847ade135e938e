//! Contributing factors across incidents: paraphrases canonicalized into one factor each, where
//! each factor appears (incidents, patterns, teams, services, first and last seen), which factors
//! are cross-cutting, and which appear together.
//!
//! # Canonicalization
//!
//! Each contributing-factor phrase gets a *key*: its polarity and its set of content stems.
//!
//! - The phrase goes through the text pipeline ([`crate::text`]): lowercasing, synonyms ("CI
//!   failures" → "test failures", "out of date" → "outdated"), stop words, Snowball stems, so
//!   that "flaky", "flakiness" and "flaki" are one stem and word order does not matter. A folded
//!   multi-word synonym counts as its words.
//! - Words that say how a factor showed rather than what it was ([`FACTOR_FILLER_WORDS`]:
//!   "ignored", "failures", "issue", …) are dropped.
//! - Words of absence ([`ABSENCE_WORDS`]: "no", "not", "missing", "without", "lack", "gap",
//!   "skipped", …) do not count as content; they make the key *negative*. "no tests" and "flaky
//!   tests" therefore never merge, nor "missing alert" and "alert was too noisy".
//!
//! Keys are then merged greedily. They are taken shortest first (fewest stems), then most
//! frequent (incidents), then in key order. A key joins **the most frequent factor of the same
//! polarity whose core stem set it contains**, provided the core makes up at least half of the
//! key's stems (so that a one-word core such as {change} does not swallow "config change reviewed
//! by one person"); when there is none, it starts a new factor whose core is the key's own stem
//! set. "flaky tests" ({flaky, test}) starts a factor; "tests were
//! flaky", "test flakiness" (same stems), "flaky test suite ignored" ({flaky, test, suite}) and
//! "CI failures were ignored as flaky" ({test, flaky} after the synonym and the filler) contain
//! its core and join it. "missing alert", "no alert fired" and "alerting gap" are all negative
//! and contain {alert}; "alert was too noisy" is positive and does not join them. A phrase left
//! with no content stem ("none", "n/a") is not a factor.
//!
//! A factor is shown by its most frequent variant (the phrase lowercased, spaces collapsed; ties
//! to the alphabetically first), e.g. "flaky tests".
//!
//! A factor is *cross-cutting* when it spans at least `cross_cutting_min_teams` teams and at least
//! `cross_cutting_min_patterns` patterns: an org-wide problem rather than one team's.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use recur_core::Incident;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::text::{TextConfig, TextPipeline};

/// Parameters of [`analyze_factors`].
#[derive(Debug, Clone, PartialEq)]
pub struct FactorParams {
    /// A factor is reported when it appears in at least this many incidents. Default 2.
    pub min_incidents: usize,
    /// Cross-cutting needs at least this many distinct teams. Default 3.
    pub cross_cutting_min_teams: usize,
    /// Cross-cutting needs at least this many distinct patterns. Default 2.
    pub cross_cutting_min_patterns: usize,
    /// Text pipeline configuration (stop words, synonyms) used to stem factor phrases.
    pub text: TextConfig,
}

impl Default for FactorParams {
    fn default() -> Self {
        Self {
            min_incidents: 2,
            cross_cutting_min_teams: 3,
            cross_cutting_min_patterns: 2,
            text: TextConfig::default(),
        }
    }
}

/// [`FactorParams`] that passed [`FactorParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidFactorParams(FactorParams);

impl ValidFactorParams {
    /// The checked parameters.
    pub fn get(&self) -> &FactorParams {
        &self.0
    }
}

impl FactorParams {
    /// Validate every value once.
    pub fn check(&self) -> Result<ValidFactorParams, FactorError> {
        if self.min_incidents == 0 {
            return Err(FactorError::ZeroMinIncidents);
        }
        if self.cross_cutting_min_teams == 0 {
            return Err(FactorError::ZeroCrossCuttingTeams);
        }
        if self.cross_cutting_min_patterns == 0 {
            return Err(FactorError::ZeroCrossCuttingPatterns);
        }
        Ok(ValidFactorParams(self.clone()))
    }
}

/// A bad factor parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FactorError {
    /// `min_incidents` of 0.
    #[error("min_incidents must be at least 1")]
    ZeroMinIncidents,
    /// `cross_cutting_min_teams` of 0.
    #[error("cross_cutting_min_teams must be at least 1")]
    ZeroCrossCuttingTeams,
    /// `cross_cutting_min_patterns` of 0.
    #[error("cross_cutting_min_patterns must be at least 1")]
    ZeroCrossCuttingPatterns,
}

/// One canonical contributing factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The canonical key: the stems of the phrase that started the factor, sorted, prefixed with
    /// `no ` when the factor is negative ("flaki test", "no alert"). Unique among factors.
    pub key: String,
    /// The most frequent variant, as people read it ("flaky tests").
    pub display: String,
    /// Every variant seen (lowercased, spaces collapsed), most frequent first.
    pub variants: Vec<String>,
    /// Indices of the incidents it appears in, ascending.
    pub incidents: Vec<usize>,
    /// Ids of those incidents, in the same order.
    pub incident_ids: Vec<String>,
    /// Patterns of those incidents, ascending (incidents without a pattern add none).
    pub patterns: Vec<usize>,
    /// Teams of those incidents, sorted, distinct.
    pub teams: Vec<String>,
    /// Services of those incidents, sorted, distinct.
    pub services: Vec<String>,
    /// Earliest `occurred_at` of those incidents.
    pub first_seen: Option<DateTime<Utc>>,
    /// Latest `occurred_at` of those incidents.
    pub last_seen: Option<DateTime<Utc>>,
    /// Whether it spans enough teams and patterns to be an org-wide problem.
    pub cross_cutting: bool,
}

/// Two factors that appear in the same incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoOccurrence {
    /// Index of the first factor in [`FactorAnalysis::factors`] (`a < b`).
    pub a: usize,
    /// Index of the second factor.
    pub b: usize,
    /// Number of incidents with both.
    pub incidents: usize,
}

/// The result of [`analyze_factors`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FactorAnalysis {
    /// The factors with at least `min_incidents` incidents, most incidents first, ties by key.
    pub factors: Vec<Factor>,
    /// Pairs of factors appearing together in at least `min_incidents` incidents, most incidents
    /// first, then by `(a, b)`.
    pub co_occurrence: Vec<CoOccurrence>,
    /// Per input incident: the indices into `factors` of its factors, ascending.
    pub factor_of: Vec<Vec<usize>>,
}

/// Words that make a factor phrase negative (something absent) instead of being content.
pub const ABSENCE_WORDS: &[&str] = &[
    "no",
    "not",
    "never",
    "none",
    "nobody",
    "without",
    "missing",
    "lack",
    "lacks",
    "lacking",
    "lacked",
    "absent",
    "absence",
    "gap",
    "gaps",
    "skipped",
    "skip",
    "skipping",
    "didn't",
    "doesn't",
    "don't",
    "wasn't",
    "weren't",
    "isn't",
    "aren't",
    "hasn't",
    "haven't",
    "hadn't",
    "cannot",
    "can't",
    "couldn't",
    "won't",
    "wouldn't",
    "unmonitored",
];

/// Words of factor phrases that say how a factor showed rather than what it was.
pub const FACTOR_FILLER_WORDS: &[&str] = &[
    "ignored",
    "ignore",
    "ignoring",
    "ignores",
    "failure",
    "failures",
    "issue",
    "issues",
    "problem",
    "problems",
    "concern",
    "concerns",
    "factor",
    "factors",
    "contributing",
];

/// Canonicalize the contributing factors of incidents and describe each factor.
///
/// `pattern_of[i]` is the pattern of incident `i` (from [`crate::patterns::Patterns::assignment`]);
/// a shorter slice counts as `None` for the rest. Bad parameters are not rejected here: zero
/// thresholds count as 1. Use [`FactorParams::check`] and [`analyze_factors_checked`] to reject
/// them instead.
pub fn analyze_factors(
    incidents: &[Incident],
    pattern_of: &[Option<usize>],
    params: &FactorParams,
) -> FactorAnalysis {
    let params = FactorParams {
        min_incidents: params.min_incidents.max(1),
        cross_cutting_min_teams: params.cross_cutting_min_teams.max(1),
        cross_cutting_min_patterns: params.cross_cutting_min_patterns.max(1),
        text: params.text.clone(),
    };
    analyze(incidents, pattern_of, &params)
}

/// [`analyze_factors`] with parameters checked already.
pub fn analyze_factors_checked(
    incidents: &[Incident],
    pattern_of: &[Option<usize>],
    params: &ValidFactorParams,
) -> FactorAnalysis {
    analyze(incidents, pattern_of, params.get())
}

/// The key of one factor phrase: whether it is negative, and its content stems.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct PhraseKey {
    negative: bool,
    stems: BTreeSet<String>,
}

impl PhraseKey {
    fn render(&self) -> String {
        let stems = self.stems.iter().cloned().collect::<Vec<_>>().join(" ");
        if self.negative {
            format!("no {stems}")
        } else {
            stems
        }
    }
}

/// Compute the key of a factor phrase.
fn phrase_key(phrase: &str, pipeline: &TextPipeline) -> Option<PhraseKey> {
    let is_absence = |word: &str| {
        let word = word.replace('\u{2019}', "'");
        ABSENCE_WORDS.contains(&word.as_str())
    };
    let negative = phrase
        .unicode_words()
        .any(|word| is_absence(&word.to_lowercase()));
    let filler: BTreeSet<String> = FACTOR_FILLER_WORDS
        .iter()
        .map(|word| pipeline.stem(word))
        .collect();
    let mut stems = BTreeSet::new();
    for token in pipeline.tokens(phrase) {
        if is_absence(&token.surface) {
            continue;
        }
        for stem in token.stem.split(' ') {
            if !stem.is_empty() && !filler.contains(stem) {
                stems.insert(stem.to_owned());
            }
        }
    }
    (!stems.is_empty()).then_some(PhraseKey { negative, stems })
}

/// A phrase lowercased with runs of whitespace collapsed.
fn variant_of(phrase: &str) -> String {
    phrase
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A factor being built by the greedy merge.
struct Draft {
    seed: PhraseKey,
    /// Incidents whose phrases joined it so far, counted per phrase key (for "most frequent").
    weight: usize,
}

fn analyze(
    incidents: &[Incident],
    pattern_of: &[Option<usize>],
    params: &FactorParams,
) -> FactorAnalysis {
    let pipeline = TextPipeline::new(&params.text);

    // Distinct raw phrases, borrowed: phrases repeat a lot, so each is analysed once.
    let mut raw_ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut raw_phrases: Vec<&str> = Vec::new();
    let incident_raw: Vec<Vec<u32>> = incidents
        .iter()
        .map(|incident| {
            incident
                .contributing_factors
                .iter()
                .map(|phrase| {
                    let phrase = phrase.as_str();
                    *raw_ids.entry(phrase).or_insert_with(|| {
                        raw_phrases.push(phrase);
                        (raw_phrases.len() - 1) as u32
                    })
                })
                .collect()
        })
        .collect();

    // Variant and key of each distinct raw phrase.
    let analysed: Vec<(String, Option<PhraseKey>)> = raw_phrases
        .par_iter()
        .map(|phrase| (variant_of(phrase), phrase_key(phrase, &pipeline)))
        .collect();
    let mut key_ids: BTreeMap<&PhraseKey, usize> = BTreeMap::new();
    for key in analysed.iter().filter_map(|(_, key)| key.as_ref()) {
        key_ids.insert(key, 0);
    }
    let keys: Vec<&PhraseKey> = key_ids.keys().copied().collect();
    for (id, key) in keys.iter().enumerate() {
        key_ids.insert(key, id);
    }
    let key_of_raw: Vec<Option<usize>> = analysed
        .iter()
        .map(|(_, key)| key.as_ref().map(|key| key_ids[key]))
        .collect();

    // Incidents per key (an incident counts once per key).
    let mut key_incidents = vec![0usize; keys.len()];
    let mut scratch: Vec<usize> = Vec::new();
    for raw in &incident_raw {
        scratch.clear();
        scratch.extend(raw.iter().filter_map(|&r| key_of_raw[r as usize]));
        scratch.sort_unstable();
        scratch.dedup();
        for &key in &scratch {
            key_incidents[key] += 1;
        }
    }

    let (draft_of_key, draft_key) = merge_keys(&keys, &key_incidents);
    let n_drafts = draft_key.len();

    // Per incident: its drafts.
    let incident_drafts: Vec<Vec<usize>> = incident_raw
        .iter()
        .map(|raw| {
            let mut drafts: Vec<usize> = raw
                .iter()
                .filter_map(|&r| key_of_raw[r as usize].map(|key| draft_of_key[key]))
                .collect();
            drafts.sort_unstable();
            drafts.dedup();
            drafts
        })
        .collect();
    let mut draft_incidents = vec![0usize; n_drafts];
    for drafts in &incident_drafts {
        for &draft in drafts {
            draft_incidents[draft] += 1;
        }
    }

    // Kept factors, most incidents first, ties by key.
    let mut kept: Vec<usize> = (0..n_drafts)
        .filter(|&draft| draft_incidents[draft] >= params.min_incidents)
        .collect();
    kept.sort_by(|&a, &b| {
        draft_incidents[b]
            .cmp(&draft_incidents[a])
            .then_with(|| draft_key[a].cmp(&draft_key[b]))
    });
    let mut factor_of_draft = vec![None; n_drafts];
    for (factor, &draft) in kept.iter().enumerate() {
        factor_of_draft[draft] = Some(factor);
    }
    let factor_of: Vec<Vec<usize>> = incident_drafts
        .iter()
        .map(|drafts| {
            let mut factors: Vec<usize> = drafts
                .iter()
                .filter_map(|&draft| factor_of_draft[draft])
                .collect();
            factors.sort_unstable();
            factors
        })
        .collect();

    // Variant counts per factor (an incident counts once per variant).
    let mut variants: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new(); kept.len()];
    for raw in &incident_raw {
        let mut seen: Vec<(usize, &str)> = raw
            .iter()
            .filter_map(|&r| {
                let key = key_of_raw[r as usize]?;
                let factor = factor_of_draft[draft_of_key[key]]?;
                Some((factor, analysed[r as usize].0.as_str()))
            })
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for (factor, variant) in seen {
            *variants[factor].entry(variant).or_default() += 1;
        }
    }

    let mut factors: Vec<Factor> = kept
        .iter()
        .zip(variants)
        .map(|(&draft, variants)| {
            let mut variants: Vec<(&str, usize)> = variants.into_iter().collect();
            variants.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let variants: Vec<String> = variants.into_iter().map(|(v, _)| v.to_owned()).collect();
            Factor {
                key: draft_key[draft].clone(),
                display: variants.first().cloned().unwrap_or_default(),
                variants,
                incidents: Vec::new(),
                incident_ids: Vec::new(),
                patterns: Vec::new(),
                teams: Vec::new(),
                services: Vec::new(),
                first_seen: None,
                last_seen: None,
                cross_cutting: false,
            }
        })
        .collect();
    describe(&mut factors, incidents, pattern_of, &factor_of, params);
    let co_occurrence = co_occurrence(&factor_of, params.min_incidents);
    FactorAnalysis {
        factors,
        co_occurrence,
        factor_of,
    }
}

/// The greedy merge of the module docs: the draft factor of each key, and the rendered seed key
/// of each draft (which names it).
fn merge_keys(keys: &[&PhraseKey], key_incidents: &[usize]) -> (Vec<usize>, Vec<String>) {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a]
            .stems
            .len()
            .cmp(&keys[b].stems.len())
            .then_with(|| key_incidents[b].cmp(&key_incidents[a]))
            .then_with(|| keys[a].cmp(keys[b]))
    });
    let mut drafts: Vec<Draft> = Vec::new();
    let mut draft_of_key = vec![0usize; keys.len()];
    for key in order {
        let phrase = keys[key];
        let joined = drafts
            .iter()
            .enumerate()
            .filter(|(_, draft)| {
                draft.seed.negative == phrase.negative
                    && draft.seed.stems.is_subset(&phrase.stems)
                    && 2 * draft.seed.stems.len() >= phrase.stems.len()
            })
            // Most frequent; ties to the earlier draft.
            .fold(
                None,
                |best: Option<(usize, usize)>, (index, draft)| match best {
                    Some((_, weight)) if weight >= draft.weight => best,
                    _ => Some((index, draft.weight)),
                },
            )
            .map(|(index, _)| index);
        let draft = match joined {
            Some(index) => index,
            None => {
                drafts.push(Draft {
                    seed: phrase.clone(),
                    weight: 0,
                });
                drafts.len() - 1
            }
        };
        drafts[draft].weight += key_incidents[key];
        draft_of_key[key] = draft;
    }
    let seeds = drafts.iter().map(|draft| draft.seed.render()).collect();
    (draft_of_key, seeds)
}

/// Fill incidents, ids, patterns, teams, services, first and last seen, cross-cutting.
fn describe(
    factors: &mut [Factor],
    incidents: &[Incident],
    pattern_of: &[Option<usize>],
    factor_of: &[Vec<usize>],
    params: &FactorParams,
) {
    let mut patterns: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); factors.len()];
    let mut teams: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); factors.len()];
    let mut services: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); factors.len()];
    for (index, (incident, of)) in incidents.iter().zip(factor_of).enumerate() {
        let pattern = pattern_of.get(index).copied().flatten();
        let occurred = incident.occurred_at();
        for &factor in of {
            let target = &mut factors[factor];
            target.incidents.push(index);
            target.incident_ids.push(incident.id.clone());
            if let Some(pattern) = pattern {
                patterns[factor].insert(pattern);
            }
            teams[factor].extend(nonblank(&incident.teams));
            services[factor].extend(nonblank(&incident.services));
            if let Some(at) = occurred {
                target.first_seen = Some(target.first_seen.map_or(at, |seen| seen.min(at)));
                target.last_seen = Some(target.last_seen.map_or(at, |seen| seen.max(at)));
            }
        }
    }
    for (((factor, patterns), teams), services) in
        factors.iter_mut().zip(patterns).zip(teams).zip(services)
    {
        factor.patterns = patterns.into_iter().collect();
        factor.teams = teams.into_iter().map(str::to_owned).collect();
        factor.services = services.into_iter().map(str::to_owned).collect();
        factor.cross_cutting = factor.teams.len() >= params.cross_cutting_min_teams
            && factor.patterns.len() >= params.cross_cutting_min_patterns;
    }
}

fn nonblank(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

/// Pairs of factors sharing at least `min_incidents` incidents.
fn co_occurrence(factor_of: &[Vec<usize>], min_incidents: usize) -> Vec<CoOccurrence> {
    let mut counts: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    for factors in factor_of {
        for (at, &a) in factors.iter().enumerate() {
            for &b in &factors[at + 1..] {
                *counts.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<CoOccurrence> = counts
        .into_iter()
        .filter(|&(_, incidents)| incidents >= min_incidents)
        .map(|((a, b), incidents)| CoOccurrence { a, b, incidents })
        .collect();
    pairs.sort_by(|x, y| {
        y.incidents
            .cmp(&x.incidents)
            .then_with(|| (x.a, x.b).cmp(&(y.a, y.b)))
    });
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn incident(id: &str, day: u32, team: &str, service: &str, factors: &[&str]) -> Incident {
        Incident {
            id: id.to_owned(),
            started_at: Some(at(day)),
            teams: vec![team.to_owned()],
            services: vec![service.to_owned()],
            contributing_factors: factors.iter().map(|f| (*f).to_owned()).collect(),
            ..Incident::default()
        }
    }

    /// The factor index of each incident's phrases, by display name.
    fn displays(analysis: &FactorAnalysis) -> Vec<Vec<&str>> {
        analysis
            .factor_of
            .iter()
            .map(|of| {
                of.iter()
                    .map(|&f| analysis.factors[f].display.as_str())
                    .collect()
            })
            .collect()
    }

    fn one_each(phrases: &[&str]) -> Vec<Incident> {
        phrases
            .iter()
            .enumerate()
            .map(|(i, phrase)| incident(&format!("INC-{i}"), 1 + i as u32, "a", "svc", &[phrase]))
            .collect()
    }

    fn params(min_incidents: usize) -> FactorParams {
        FactorParams {
            min_incidents,
            ..FactorParams::default()
        }
    }

    #[test]
    fn paraphrases_of_flaky_tests_are_one_factor() {
        let incidents = one_each(&[
            "flaky tests",
            "flaky tests",
            "tests were flaky",
            "test flakiness",
            "Flaky test suite ignored",
            "CI failures were ignored as flaky",
            "no tests",
            "No tests",
        ]);
        let analysis = analyze_factors(&incidents, &[], &params(1));
        assert_eq!(analysis.factors.len(), 2, "{:?}", analysis.factors);
        let flaky = &analysis.factors[0];
        assert_eq!(flaky.display, "flaky tests");
        assert_eq!(flaky.key, "flaki test");
        assert_eq!(flaky.incidents, [0, 1, 2, 3, 4, 5]);
        assert_eq!(
            flaky.variants,
            [
                "flaky tests",
                "ci failures were ignored as flaky",
                "flaky test suite ignored",
                "test flakiness",
                "tests were flaky"
            ]
        );
        let none = &analysis.factors[1];
        assert_eq!(none.display, "no tests");
        assert_eq!(none.key, "no test");
        assert_eq!(none.incidents, [6, 7]);
    }

    #[test]
    fn missing_alerts_merge_but_not_with_noisy_alerts() {
        let incidents = one_each(&[
            "missing alert",
            "missing alert",
            "no alert fired",
            "alerting gap",
            "alert was too noisy",
            "Alerts were too noisy",
        ]);
        let analysis = analyze_factors(&incidents, &[], &params(1));
        assert_eq!(
            displays(&analysis),
            [
                ["missing alert"],
                ["missing alert"],
                ["missing alert"],
                ["missing alert"],
                ["alert was too noisy"],
                ["alert was too noisy"],
            ]
        );
        assert_eq!(analysis.factors[0].key, "no alert");
    }

    #[test]
    fn a_short_core_does_not_swallow_a_longer_phrase() {
        let incidents = one_each(&[
            "change went to 100% at once",
            "change went out at once",
            "config change reviewed by one person",
        ]);
        let analysis = analyze_factors(&incidents, &[], &params(1));
        let keys: Vec<&str> = analysis.factors.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["chang", "chang configur person review"]);
    }

    #[test]
    fn phrases_without_content_are_not_factors() {
        let incidents = one_each(&["none", "N/A", "  ", "the"]);
        let analysis = analyze_factors(&incidents, &[], &params(1));
        assert!(analysis.factors.is_empty());
        assert_eq!(analysis.factor_of, vec![Vec::<usize>::new(); 4]);
    }

    #[test]
    fn factors_describe_where_they_appear_and_cross_cutting_needs_teams_and_patterns() {
        let incidents = vec![
            incident("A", 3, "payments", "api", &["flaky tests", "no canary"]),
            incident("B", 1, "search", "indexer", &["tests were flaky"]),
            incident(
                "C",
                9,
                "core",
                "api",
                &["test flakiness", "No canary stage"],
            ),
            incident("D", 5, "core", "db", &["no canary", "flaky tests"]),
            incident("E", 7, "core", "db", &["single resolver"]),
        ];
        let pattern_of = [Some(0), Some(1), Some(1), Some(0)];
        let analysis = analyze_factors(&incidents, &pattern_of, &FactorParams::default());
        assert_eq!(analysis.factors.len(), 2, "single resolver occurs once");
        let flaky = &analysis.factors[0];
        assert_eq!(flaky.display, "flaky tests");
        assert_eq!(flaky.incidents, [0, 1, 2, 3]);
        assert_eq!(flaky.incident_ids, ["A", "B", "C", "D"]);
        assert_eq!(flaky.patterns, [0, 1]);
        assert_eq!(flaky.teams, ["core", "payments", "search"]);
        assert_eq!(flaky.services, ["api", "db", "indexer"]);
        assert_eq!(flaky.first_seen, Some(at(1)));
        assert_eq!(flaky.last_seen, Some(at(9)));
        assert!(flaky.cross_cutting, "3 teams, 2 patterns");
        let canary = &analysis.factors[1];
        assert_eq!(canary.display, "no canary");
        assert_eq!(canary.teams, ["core", "payments"]);
        assert!(!canary.cross_cutting, "only 2 teams");
        assert_eq!(
            analysis.factor_of,
            [vec![0, 1], vec![0], vec![0, 1], vec![0, 1], vec![]]
        );
        assert_eq!(
            analysis.co_occurrence,
            [CoOccurrence {
                a: 0,
                b: 1,
                incidents: 3
            }]
        );
        let strict = FactorParams {
            cross_cutting_min_patterns: 3,
            ..FactorParams::default()
        };
        let analysis = analyze_factors(&incidents, &pattern_of, &strict);
        assert!(!analysis.factors[0].cross_cutting, "only 2 patterns");
    }

    #[test]
    fn an_incident_counts_once_per_factor_and_order_ties_by_key() {
        let incidents = vec![
            incident("A", 1, "t", "s", &["flaky tests", "test flakiness"]),
            incident("B", 2, "t", "s", &["flaky tests", "outdated runbook"]),
            incident("C", 3, "t", "s", &["runbook was out of date"]),
        ];
        let analysis = analyze_factors(&incidents, &[], &FactorParams::default());
        let keys: Vec<&str> = analysis.factors.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            ["flaki test", "outdat runbook"],
            "2 incidents each: by key"
        );
        assert_eq!(analysis.factors[0].incidents, [0, 1]);
        assert_eq!(analysis.factors[1].incidents, [1, 2]);
        assert!(analysis.co_occurrence.is_empty(), "together only once");
    }

    #[test]
    fn each_bad_parameter_has_its_error() {
        let base = FactorParams::default;
        assert_eq!(
            FactorParams {
                min_incidents: 0,
                ..base()
            }
            .check(),
            Err(FactorError::ZeroMinIncidents)
        );
        assert_eq!(
            FactorParams {
                cross_cutting_min_teams: 0,
                ..base()
            }
            .check(),
            Err(FactorError::ZeroCrossCuttingTeams)
        );
        assert_eq!(
            FactorParams {
                cross_cutting_min_patterns: 0,
                ..base()
            }
            .check(),
            Err(FactorError::ZeroCrossCuttingPatterns)
        );
        assert!(base().check().is_ok());
    }
}
