//! Contributing factors across incidents: the catalogue's concepts found in every text field,
//! the listed phrases no concept covers merged by their words, where each factor appears
//! (incidents, patterns, teams, services, first and last seen), evidence, which factors are
//! cross-cutting, and which appear together.
//!
//! # Concepts, from the words people write
//!
//! The factor catalogue ([`crate::catalogue`], shipped in `data/factors/default.toml`, extended by
//! a team's file) is looked for in every text field of an incident, sentence by sentence, with
//! negation handled: the listed contributing factors, root cause, trigger, summary, title,
//! narrative body, prevention (lessons) and follow-up titles. A concept counts **once per
//! incident**, however many fields mention it; its first mention in that field order is the
//! incident's evidence. A concept said only once in a long narrative body (at least
//! [`LONG_BODY_SENTENCES`] sentences) and in no other field is a side remark and not counted. Each concept factor carries up to [`FactorParams::max_evidence`]
//! `{incident_id, field, text}` sentences that matched, from distinct incidents.
//!
//! A concept marked `root_cause = false` (`human-error`) is reported but never cross-cutting:
//! blameless reviews ask what made the error easy, not who made it.
//!
//! # Unclassified factors: canonicalization of the rest
//!
//! Listed phrases that no concept covers are merged by their words, as below, into
//! *unclassified* factors (`concept: None`), candidates for a catalogue entry.
//! [`Coverage`] says how much of the listed factor text the catalogue covered.
//!
//! Each such phrase gets a *key*: its polarity and its set of content stems.
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

use crate::catalogue::{Catalogue, Matcher, StemCache, sentences};
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
    /// Text pipeline configuration (stop words, synonyms) used to stem unclassified phrases.
    pub text: TextConfig,
    /// The factor catalogue. Default [`Catalogue::shipped`]; merge a team's file with
    /// [`Catalogue::merge`].
    pub catalogue: Catalogue,
    /// Evidence sentences kept per factor. Default 3.
    pub max_evidence: usize,
}

impl Default for FactorParams {
    fn default() -> Self {
        Self {
            min_incidents: 2,
            cross_cutting_min_teams: 3,
            cross_cutting_min_patterns: 2,
            text: TextConfig::default(),
            catalogue: Catalogue::shipped(),
            max_evidence: 3,
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

/// One contributing factor: a catalogue concept, or an unclassified group of listed phrases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The key, unique among factors: the concept id (`flaky-tests`), or for an unclassified
    /// factor the stems of the phrase that started it, sorted, prefixed with `no ` when the
    /// factor is negative ("flaki test", "no alert").
    pub key: String,
    /// The concept's name, or the most frequent variant ("flaky tests").
    pub display: String,
    /// The catalogue concept id; `None` for an unclassified factor.
    pub concept: Option<String>,
    /// The concept's one-line description (empty when unclassified).
    pub description: String,
    /// False for a concept that is not a cause (`human-error`): never cross-cutting.
    pub root_cause: bool,
    /// Listed phrases it was written as (lowercased, spaces collapsed), most frequent first.
    /// Empty for a concept found only in prose.
    pub variants: Vec<String>,
    /// Up to [`FactorParams::max_evidence`] matched sentences, from distinct incidents.
    pub evidence: Vec<Evidence>,
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

/// A sentence that shows a factor in one incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The incident.
    pub incident_id: String,
    /// The field it is in: `contributing_factors`, `root_cause`, `trigger`, `summary`, `title`,
    /// `body`, `prevention` or `follow_ups`.
    pub field: String,
    /// The sentence, whitespace collapsed, cut at [`MAX_EVIDENCE_CHARS`] characters.
    pub text: String,
}

/// How much of the listed factor text the catalogue covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Listed contributing-factor phrases (one per incident and phrase).
    pub listed_phrases: usize,
    /// Of those, the phrases in which a concept was found.
    pub classified_phrases: usize,
    /// Incidents in which any concept was found, in any field.
    pub incidents_with_concept: usize,
    /// Incidents analysed.
    pub incidents: usize,
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
    /// How much of the listed factor text the catalogue covered.
    pub coverage: Coverage,
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
        ..params.clone()
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

/// The text fields searched for concepts, in the order evidence prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldRef {
    Factor(u16),
    RootCause,
    Trigger,
    Summary,
    Title,
    Body,
    Prevention,
    FollowUp(u16),
}

impl FieldRef {
    fn name(self) -> &'static str {
        match self {
            FieldRef::Factor(_) => "contributing_factors",
            FieldRef::RootCause => "root_cause",
            FieldRef::Trigger => "trigger",
            FieldRef::Summary => "summary",
            FieldRef::Title => "title",
            FieldRef::Body => "body",
            FieldRef::Prevention => "prevention",
            FieldRef::FollowUp(_) => "follow_ups",
        }
    }

    fn text(self, incident: &Incident) -> Option<&str> {
        match self {
            FieldRef::Factor(at) => incident
                .contributing_factors
                .get(usize::from(at))
                .map(String::as_str),
            FieldRef::RootCause => incident.root_cause.as_deref(),
            FieldRef::Trigger => incident.trigger.as_deref(),
            FieldRef::Summary => incident.summary.as_deref(),
            FieldRef::Title => incident.title.as_deref(),
            FieldRef::Body => incident.body.as_deref(),
            FieldRef::Prevention => incident.prevention.as_deref(),
            FieldRef::FollowUp(at) => incident
                .follow_ups
                .get(usize::from(at))
                .and_then(|follow_up| follow_up.title.as_deref()),
        }
    }
}

/// Where one incident first mentions one concept.
#[derive(Debug, Clone, Copy)]
struct Mention {
    concept: u32,
    field: FieldRef,
    start: u32,
    end: u32,
}

/// What the catalogue found in one incident.
#[derive(Debug, Default)]
struct Found {
    /// The first mention of each concept, by concept.
    mentions: Vec<Mention>,
    /// Listed phrases (indices into `contributing_factors`) that no concept covers.
    unclassified: Vec<u16>,
    /// Listed phrases with content.
    listed: u32,
}

/// Find the concepts of one incident in every text field, sentence by sentence; a concept counts
/// once per incident, at its first mention in field order.
fn find_concepts(incident: &Incident, matcher: &Matcher, cache: &mut StemCache) -> Found {
    let mut found = Found::default();
    let n_factors = incident
        .contributing_factors
        .len()
        .min(usize::from(u16::MAX));
    let n_follow_ups = incident.follow_ups.len().min(usize::from(u16::MAX));
    let fields = (0..n_factors as u16)
        .map(FieldRef::Factor)
        .chain([
            FieldRef::RootCause,
            FieldRef::Trigger,
            FieldRef::Summary,
            FieldRef::Title,
            FieldRef::Body,
            FieldRef::Prevention,
        ])
        .chain((0..n_follow_ups as u16).map(FieldRef::FollowUp));
    // Concepts seen outside the body, and how many body sentences each matched.
    let mut outside_body: Vec<u32> = Vec::new();
    let mut in_body: Vec<(u32, usize)> = Vec::new();
    let mut long_body = false;
    for field in fields {
        let Some(text) = field.text(incident) else {
            continue;
        };
        let matches = matcher.find(text, cache);
        if field == FieldRef::Body {
            long_body = sentences(text).len() >= LONG_BODY_SENTENCES;
            for found_match in &matches {
                let concept = found_match.concept as u32;
                match in_body.iter_mut().find(|(c, _)| *c == concept) {
                    Some((_, count)) => *count += 1,
                    None => in_body.push((concept, 1)),
                }
            }
        } else {
            outside_body.extend(matches.iter().map(|m| m.concept as u32));
        }
        if let FieldRef::Factor(at) = field
            && !text.trim().is_empty()
        {
            found.listed += 1;
            if matches.is_empty() {
                found.unclassified.push(at);
            }
        }
        for found_match in matches {
            let concept = found_match.concept as u32;
            if found.mentions.iter().any(|m| m.concept == concept) {
                continue;
            }
            found.mentions.push(Mention {
                concept,
                field,
                start: found_match.start as u32,
                end: found_match.end as u32,
            });
        }
    }
    if long_body {
        // A side remark: one sentence of a long narrative, said nowhere else.
        found.mentions.retain(|mention| {
            outside_body.contains(&mention.concept)
                || in_body
                    .iter()
                    .any(|&(c, count)| c == mention.concept && count >= 2)
        });
    }
    found
}

/// A body of at least this many sentences is a long narrative: a concept found in only one of
/// its sentences, and in no other field, is a side remark and not counted.
pub const LONG_BODY_SENTENCES: usize = 12;

/// The longest evidence text, in characters; longer sentences are cut with "…".
pub const MAX_EVIDENCE_CHARS: usize = 280;

fn evidence_text(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(MAX_EVIDENCE_CHARS) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text,
    }
}

fn analyze(
    incidents: &[Incident],
    pattern_of: &[Option<usize>],
    params: &FactorParams,
) -> FactorAnalysis {
    let matcher = params.catalogue.compile();
    let found: Vec<Found> = incidents
        .par_iter()
        .map_init(StemCache::default, |cache, incident| {
            find_concepts(incident, &matcher, cache)
        })
        .collect();
    let unclassified: Vec<Vec<u16>> = found.iter().map(|f| f.unclassified.clone()).collect();
    let (lexical, lexical_of) = lexical_factors(incidents, &unclassified, params);

    // Concept factors with enough incidents.
    let concepts = matcher.concepts();
    let mut concept_incidents = vec![0usize; concepts.len()];
    for mention in found.iter().flat_map(|f| &f.mentions) {
        concept_incidents[mention.concept as usize] += 1;
    }
    let mut factors: Vec<Factor> = Vec::new();
    let mut factor_of_concept = vec![None; concepts.len()];
    for (index, concept) in concepts.iter().enumerate() {
        if concept_incidents[index] >= params.min_incidents {
            factor_of_concept[index] = Some(factors.len());
            factors.push(Factor {
                key: concept.id.clone(),
                display: concept.name.clone(),
                concept: Some(concept.id.clone()),
                description: concept.description.clone(),
                root_cause: concept.root_cause,
                ..Factor::default()
            });
        }
    }
    let n_concept_factors = factors.len();
    factors.extend(lexical);

    // Per incident: its factors (concepts, then lexical ones), before ordering.
    let factor_of: Vec<Vec<usize>> = found
        .iter()
        .zip(&lexical_of)
        .map(|(found, lexical)| {
            let mut of: Vec<usize> = found
                .mentions
                .iter()
                .filter_map(|m| factor_of_concept[m.concept as usize])
                .chain(lexical.iter().map(|&f| f + n_concept_factors))
                .collect();
            of.sort_unstable();
            of
        })
        .collect();

    // Variants of concept factors: the listed phrases that matched them.
    let mut variants: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); n_concept_factors];
    for (incident, found) in incidents.iter().zip(&found) {
        let mut seen: BTreeSet<(usize, String)> = BTreeSet::new();
        for mention in &found.mentions {
            if let (FieldRef::Factor(at), Some(factor)) =
                (mention.field, factor_of_concept[mention.concept as usize])
                && let Some(phrase) = incident.contributing_factors.get(usize::from(at))
            {
                seen.insert((factor, variant_of(phrase)));
            }
        }
        for (factor, variant) in seen {
            *variants[factor].entry(variant).or_default() += 1;
        }
    }
    for (factor, variants) in factors.iter_mut().zip(variants) {
        let mut variants: Vec<(String, usize)> = variants.into_iter().collect();
        variants.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        factor.variants = variants.into_iter().map(|(v, _)| v).collect();
    }

    describe(&mut factors, incidents, pattern_of, &factor_of, params);
    add_evidence(
        &mut factors,
        incidents,
        &found,
        &factor_of_concept,
        &lexical_of,
        n_concept_factors,
        params.max_evidence,
    );

    // Most incidents first, ties by key; renumber.
    let mut order: Vec<usize> = (0..factors.len()).collect();
    order.sort_by(|&a, &b| {
        factors[b]
            .incidents
            .len()
            .cmp(&factors[a].incidents.len())
            .then_with(|| factors[a].key.cmp(&factors[b].key))
    });
    let mut new_index = vec![0usize; factors.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Factor>> = factors.into_iter().map(Some).collect();
    let factors: Vec<Factor> = order.iter().filter_map(|&old| slots[old].take()).collect();
    let factor_of: Vec<Vec<usize>> = factor_of
        .into_iter()
        .map(|of| {
            let mut of: Vec<usize> = of.into_iter().map(|f| new_index[f]).collect();
            of.sort_unstable();
            of
        })
        .collect();

    let coverage = Coverage {
        listed_phrases: found.iter().map(|f| f.listed as usize).sum(),
        classified_phrases: found
            .iter()
            .map(|f| f.listed as usize - f.unclassified.len())
            .sum(),
        incidents_with_concept: found.iter().filter(|f| !f.mentions.is_empty()).count(),
        incidents: incidents.len(),
    };
    let co_occurrence = co_occurrence(&factor_of, params.min_incidents);
    FactorAnalysis {
        factors,
        co_occurrence,
        factor_of,
        coverage,
    }
}

/// Up to `max` evidence items per factor, from distinct incidents in incident order, with
/// distinct texts.
fn add_evidence(
    factors: &mut [Factor],
    incidents: &[Incident],
    found: &[Found],
    factor_of_concept: &[Option<usize>],
    lexical_of: &[Vec<usize>],
    n_concept_factors: usize,
    max: usize,
) {
    for (index, incident) in incidents.iter().enumerate() {
        for mention in &found[index].mentions {
            let Some(factor) = factor_of_concept[mention.concept as usize] else {
                continue;
            };
            let evidence = &factors[factor].evidence;
            if evidence.len() >= max {
                continue;
            }
            let Some(text) = mention.field.text(incident) else {
                continue;
            };
            let sentence = text
                .get(mention.start as usize..mention.end as usize)
                .unwrap_or(text);
            let text = evidence_text(sentence);
            if evidence.iter().any(|e| e.text == text) {
                continue;
            }
            factors[factor].evidence.push(Evidence {
                incident_id: incident.id.clone(),
                field: mention.field.name().to_owned(),
                text,
            });
        }
        for &lexical in &lexical_of[index] {
            let factor = lexical + n_concept_factors;
            if factors[factor].evidence.len() >= max {
                continue;
            }
            // The incident's first unclassified phrase of this factor.
            let phrase = found[index].unclassified.iter().find_map(|&at| {
                let phrase = incident.contributing_factors.get(usize::from(at))?;
                factors[factor]
                    .variants
                    .contains(&variant_of(phrase))
                    .then_some(phrase)
            });
            if let Some(phrase) = phrase {
                let text = evidence_text(phrase);
                if !factors[factor].evidence.iter().any(|e| e.text == text) {
                    factors[factor].evidence.push(Evidence {
                        incident_id: incident.id.clone(),
                        field: FieldRef::Factor(0).name().to_owned(),
                        text,
                    });
                }
            }
        }
    }
}

/// The lexical merge of the listed phrases no concept covers (`unclassified[i]`: indices into
/// incident `i`'s `contributing_factors`): the kept factors, without their description, and the
/// factors of each incident (indices into them, ascending).
fn lexical_factors(
    incidents: &[Incident],
    unclassified: &[Vec<u16>],
    params: &FactorParams,
) -> (Vec<Factor>, Vec<Vec<usize>>) {
    let pipeline = TextPipeline::new(&params.text);

    // Distinct raw phrases, borrowed: phrases repeat a lot, so each is analysed once.
    let mut raw_ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut raw_phrases: Vec<&str> = Vec::new();
    let incident_raw: Vec<Vec<u32>> = incidents
        .iter()
        .zip(unclassified)
        .map(|(incident, listed)| {
            listed
                .iter()
                .filter_map(|&at| incident.contributing_factors.get(usize::from(at)))
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

    let factors: Vec<Factor> = kept
        .iter()
        .zip(variants)
        .map(|(&draft, variants)| {
            let mut variants: Vec<(&str, usize)> = variants.into_iter().collect();
            variants.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let variants: Vec<String> = variants.into_iter().map(|(v, _)| v.to_owned()).collect();
            Factor {
                key: draft_key[draft].clone(),
                display: variants.first().cloned().unwrap_or_default(),
                concept: None,
                description: String::new(),
                root_cause: true,
                variants,
                evidence: Vec::new(),
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
    (factors, factor_of)
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
        factor.cross_cutting = factor.root_cause
            && factor.teams.len() >= params.cross_cutting_min_teams
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

    /// Parameters with an empty catalogue: the lexical merge alone.
    fn params(min_incidents: usize) -> FactorParams {
        FactorParams {
            min_incidents,
            ..lexical()
        }
    }

    fn lexical() -> FactorParams {
        FactorParams {
            catalogue: Catalogue::default(),
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
        let analysis = analyze_factors(&incidents, &pattern_of, &lexical());
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
            ..lexical()
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
        let analysis = analyze_factors(&incidents, &[], &lexical());
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

    fn in_prose(id: &str, team: &str, factors: &[&str], body: &str) -> Incident {
        Incident {
            body: Some(body.to_owned()),
            ..incident(id, 1, team, "svc", factors)
        }
    }

    #[test]
    fn concepts_are_found_in_every_field_once_per_incident_with_evidence() {
        let mut with_follow_up = in_prose("C", "c", &[], "Recovery was quick.");
        with_follow_up.root_cause = Some("The canary caught it. Tests were flaky.".to_owned());
        with_follow_up.follow_ups = vec![recur_core::FollowUp {
            title: Some("Add a canary stage to the config rollout".to_owned()),
            ..recur_core::FollowUp::default()
        }];
        let incidents = vec![
            in_prose(
                "A",
                "a",
                &["no canary stage"],
                "We shipped it. The rollout skipped the canary, again.",
            ),
            in_prose(
                "B",
                "b",
                &[],
                "It went out to all instances at once; nobody noticed.",
            ),
            with_follow_up,
        ];
        let analysis = analyze_factors(
            &incidents,
            &[],
            &FactorParams {
                min_incidents: 1,
                ..FactorParams::default()
            },
        );
        let canary = analysis
            .factors
            .iter()
            .find(|f| f.concept.as_deref() == Some("no-canary"))
            .expect("no-canary found");
        assert_eq!(
            canary.incident_ids,
            ["A", "B"],
            "A once, though twice mentioned; not C"
        );
        assert_eq!(canary.variants, ["no canary stage"]);
        assert_eq!(canary.display, "No canary or staged rollout");
        assert_eq!(
            canary.evidence,
            [
                Evidence {
                    incident_id: "A".into(),
                    field: "contributing_factors".into(),
                    text: "no canary stage".into()
                },
                Evidence {
                    incident_id: "B".into(),
                    field: "body".into(),
                    text: "It went out to all instances at once".into()
                },
            ]
        );
        let flaky = analysis
            .factors
            .iter()
            .find(|f| f.concept.as_deref() == Some("flaky-tests"))
            .expect("flaky-tests found");
        assert_eq!(flaky.incident_ids, ["C"]);
        assert_eq!(flaky.evidence[0].field, "root_cause");
        assert_eq!(flaky.evidence[0].text, "Tests were flaky.");
        assert!(flaky.variants.is_empty(), "found in prose only");
        assert_eq!(
            analysis.coverage,
            Coverage {
                listed_phrases: 1,
                classified_phrases: 1,
                incidents_with_concept: 3,
                incidents: 3
            }
        );
    }

    #[test]
    fn phrases_no_concept_covers_are_unclassified_factors() {
        let incidents = vec![
            incident("A", 1, "a", "s", &["Coffee machine broke", "flaky tests"]),
            incident("B", 2, "b", "s", &["the coffee machine broke down"]),
            incident("C", 3, "c", "s", &["tests were flaky"]),
        ];
        let analysis = analyze_factors(&incidents, &[], &FactorParams::default());
        let summary: Vec<(Option<&str>, &str, &[String])> = analysis
            .factors
            .iter()
            .map(|f| {
                (
                    f.concept.as_deref(),
                    f.display.as_str(),
                    f.incident_ids.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    None,
                    "coffee machine broke",
                    &["A".to_owned(), "B".to_owned()][..]
                ),
                (
                    Some("flaky-tests"),
                    "Flaky tests",
                    &["A".to_owned(), "C".to_owned()][..]
                ),
            ],
            "2 incidents each: by key"
        );
        assert_eq!(
            analysis.factors[0].evidence[1].text,
            "the coffee machine broke down"
        );
        assert_eq!(analysis.coverage.listed_phrases, 4);
        assert_eq!(analysis.coverage.classified_phrases, 2);
        assert_eq!(analysis.factor_of, [vec![0, 1], vec![0], vec![1]]);
    }

    #[test]
    fn human_error_is_reported_but_never_cross_cutting() {
        let incidents: Vec<Incident> = ["a", "b", "c", "d"]
            .iter()
            .enumerate()
            .map(|(i, team)| {
                in_prose(
                    &format!("I{i}"),
                    team,
                    &["human error"],
                    "Someone forgot to renew it.",
                )
            })
            .collect();
        let pattern_of = [Some(0), Some(1), Some(2), Some(3)];
        let analysis = analyze_factors(&incidents, &pattern_of, &FactorParams::default());
        let human = analysis
            .factors
            .iter()
            .find(|f| f.concept.as_deref() == Some("human-error"))
            .expect("human error reported");
        assert_eq!(human.incidents.len(), 4);
        assert_eq!(human.teams.len(), 4);
        assert!(!human.root_cause);
        assert!(
            !human.cross_cutting,
            "4 teams and 4 patterns, still not cross-cutting"
        );
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
