//! The pattern catalogue: the patterns of past reviews, kept between runs in a TOML file that
//! people commit next to their exports and edit, so a pattern keeps its id, its name and what
//! people decided about it from one month to the next.
//!
//! Each run's patterns are matched to the catalogue's entries:
//!
//! - **Score** of an entry against a pattern of this run: `0.5 × overlap + 0.5 × cosine`, where
//!   `overlap` is the share of the entry's remembered members (a sample of at most
//!   [`MEMBER_SAMPLE`] incident ids, chosen by a stable hash) that are in the pattern, among
//!   those still in the input, and `cosine` is the cosine of the two term vectors: the mean
//!   TF-IDF vector of the members keyed by term stems, which (unlike the LSA space, re-fitted
//!   on every run) means the same from one run to the next. When none of the remembered members
//!   is in the input any more, the score is the cosine alone.
//! - **Matching**: greedy one-to-one, best score first (ties: the lower entry id, then the
//!   larger pattern), among pairs scoring at least [`MIN_MATCH_SCORE`].
//! - A matched pattern keeps the entry's id, and its name unless the name is still the
//!   automatic label, which is then refreshed; an unmatched pattern gets a new id (ids are never
//!   reused: `next_id` only grows); an entry matched by no pattern stays in the file, dormant.
//! - A person can mark an entry `merged_into` another: its patterns are then reported under the
//!   other id and name.
//!
//! A name is the person's when it differs from `auto_name`, the automatic label the catalogue
//! last wrote: editing `name` is all it takes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;
use recur_cluster::patterns::Patterns;
use recur_core::Incident;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// At most this many member ids are remembered per pattern, for matching by member overlap.
pub const MEMBER_SAMPLE: usize = 200;
/// At most this many weighted terms are remembered per pattern, for matching by term cosine.
pub const CENTROID_TERMS: usize = 30;
/// Minimum score for a pattern to keep a catalogue id.
pub const MIN_MATCH_SCORE: f64 = 0.35;

/// The catalogue file: the next id to give, then one entry per pattern ever seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The number of the next new id (`P-0001` is 1). Only grows, so an id is never reused,
    /// even when a person deletes an entry.
    #[serde(default = "first_id")]
    pub next_id: u32,
    /// The entries, ordered by id.
    #[serde(default, rename = "pattern")]
    pub patterns: Vec<CatalogueEntry>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self {
            next_id: first_id(),
            patterns: Vec::new(),
        }
    }
}

fn first_id() -> u32 {
    1
}

/// What people decided about a pattern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternDecision {
    /// Being watched (the default).
    #[default]
    Active,
    /// Addressed on `addressed_on`: an incident of it after that date is flagged on the agenda.
    Addressed,
    /// Known and accepted: it never shows as new or rising.
    Ignored,
}

impl PatternDecision {
    /// The lower-case name (`active`, `addressed`, `ignored`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Addressed => "addressed",
            Self::Ignored => "ignored",
        }
    }
}

/// One pattern of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// Stable id, `P-` and four or more digits.
    pub id: String,
    /// The name every review shows: the automatic label until a person edits it.
    pub name: String,
    /// The automatic label the catalogue last gave it; a `name` that differs is a person's.
    #[serde(default)]
    pub auto_name: String,
    /// `active` (default), `addressed` (with `addressed_on`) or `ignored`.
    #[serde(default)]
    pub status: PatternDecision,
    /// When it was addressed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "toml_date")]
    pub addressed_on: Option<NaiveDate>,
    /// The workstream that deals with it (free text or a URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstream: Option<String>,
    /// The team that owns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_team: Option<String>,
    /// The id it was merged into by a person: its incidents are reported under that id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// Its first incident (date).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "toml_date")]
    pub first_seen: Option<NaiveDate>,
    /// Its latest incident (date).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "toml_date")]
    pub last_seen: Option<NaiveDate>,
    /// The month of the last review that found it (`YYYY-MM`); earlier than the latest review's
    /// month when it is dormant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_review: Option<String>,
    /// Its incidents at the last review that found it.
    #[serde(default)]
    pub size: usize,
    /// Its most distinctive terms at that review, as words.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Remembered member ids (at most [`MEMBER_SAMPLE`], chosen by a stable hash), sorted.
    #[serde(default)]
    pub members: Vec<String>,
    /// Its term vector: term stems and weights (unit length), at most [`CENTROID_TERMS`].
    #[serde(default)]
    pub centroid: BTreeMap<String, f64>,
}

/// Why a catalogue cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// Not valid TOML, or a field of the wrong type or an unknown field (the message says which,
    /// with its line).
    #[error("{0}")]
    Toml(String),
    /// An id that is not `P-` and digits.
    #[error("pattern id {id:?} is not of the form P-0001")]
    BadId {
        /// The id.
        id: String,
    },
    /// Two entries with the same id.
    #[error("pattern id {id} appears twice")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// `merged_into` names no entry.
    #[error("pattern {id}: merged_into = {target:?} names no pattern of the catalogue")]
    UnknownMergeTarget {
        /// The entry.
        id: String,
        /// What it names.
        target: String,
    },
    /// `merged_into` entries form a loop.
    #[error("pattern {id}: merged_into leads back to {id}")]
    MergeCycle {
        /// An entry on the loop.
        id: String,
    },
    /// The catalogue could not be written as TOML (a bug, not an input problem).
    #[error("cannot write the catalogue as TOML: {0}")]
    Write(String),
    /// `status = "addressed"` without `addressed_on`.
    #[error("pattern {id}: status = \"addressed\" needs addressed_on = YYYY-MM-DD")]
    AddressedWithoutDate {
        /// The entry.
        id: String,
    },
}

impl Catalogue {
    /// Read a catalogue from TOML text and check it.
    pub fn from_toml(text: &str) -> Result<Self, CatalogueError> {
        let mut catalogue: Self =
            toml::from_str(text).map_err(|error| CatalogueError::Toml(error.to_string()))?;
        catalogue.check()?;
        catalogue.patterns.sort_by_key(|entry| id_number(&entry.id));
        let highest = catalogue
            .patterns
            .iter()
            .filter_map(|entry| id_number(&entry.id))
            .max()
            .unwrap_or(0);
        catalogue.next_id = catalogue.next_id.max(highest.saturating_add(1));
        Ok(catalogue)
    }

    /// The catalogue as TOML, with a header saying what people may edit.
    pub fn to_toml(&self) -> Result<String, CatalogueError> {
        let body =
            toml::to_string(self).map_err(|error| CatalogueError::Write(error.to_string()))?;
        Ok(format!("{HEADER}\n{body}"))
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&CatalogueEntry> {
        self.patterns.iter().find(|entry| entry.id == id)
    }

    /// The id a pattern is reported under: its own, or the end of its `merged_into` chain.
    pub fn reported_id<'a>(&'a self, id: &'a str) -> &'a str {
        let mut current = id;
        // `check` rejects loops; the bound keeps a hand-built catalogue from looping forever.
        for _ in 0..=self.patterns.len() {
            match self.entry(current).and_then(|e| e.merged_into.as_deref()) {
                Some(target) => current = target,
                None => break,
            }
        }
        current
    }

    fn check(&self) -> Result<(), CatalogueError> {
        let mut seen = BTreeSet::new();
        for entry in &self.patterns {
            if id_number(&entry.id).is_none() {
                return Err(CatalogueError::BadId {
                    id: entry.id.clone(),
                });
            }
            if !seen.insert(entry.id.as_str()) {
                return Err(CatalogueError::DuplicateId {
                    id: entry.id.clone(),
                });
            }
            if entry.status == PatternDecision::Addressed && entry.addressed_on.is_none() {
                return Err(CatalogueError::AddressedWithoutDate {
                    id: entry.id.clone(),
                });
            }
        }
        for entry in &self.patterns {
            let Some(target) = &entry.merged_into else {
                continue;
            };
            if !seen.contains(target.as_str()) {
                return Err(CatalogueError::UnknownMergeTarget {
                    id: entry.id.clone(),
                    target: target.clone(),
                });
            }
            let mut current = target.as_str();
            for _ in 0..self.patterns.len() {
                if current == entry.id {
                    return Err(CatalogueError::MergeCycle {
                        id: entry.id.clone(),
                    });
                }
                match self.entry(current).and_then(|e| e.merged_into.as_deref()) {
                    Some(next) => current = next,
                    None => break,
                }
            }
        }
        Ok(())
    }

    fn new_id(&mut self) -> String {
        let id = format_id(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        id
    }
}

/// What one run's patterns look like to the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct MinedPattern {
    /// The automatic label.
    pub label: String,
    /// The distinctive terms, as words.
    pub terms: Vec<String>,
    /// Member incident ids.
    pub member_ids: Vec<String>,
    /// The term vector (stems → weight, unit length, at most [`CENTROID_TERMS`] terms).
    pub centroid: BTreeMap<String, f64>,
    /// First and latest member incident.
    pub first_seen: Option<NaiveDate>,
    /// Latest member incident.
    pub last_seen: Option<NaiveDate>,
}

/// The result of matching one run's patterns to the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    /// The catalogue id of each mined pattern (by position), before `merged_into`.
    pub ids: Vec<String>,
    /// The catalogue after the run: matched entries refreshed, new ones added, the rest kept.
    pub catalogue: Catalogue,
    /// Counts for the report.
    pub summary: CatalogueSummary,
}

/// How a run's patterns met the catalogue (`catalogue` of `report.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogueSummary {
    /// Patterns of this run that kept a catalogue id.
    pub matched: usize,
    /// Ids given to patterns seen for the first time.
    pub new_ids: Vec<String>,
    /// Catalogue entries no pattern of this run matched (kept, dormant).
    pub dormant: usize,
    /// Entries in the catalogue after the run.
    pub entries: usize,
}

/// The catalogue's view of a run's patterns: labels, terms, member ids and term vectors.
pub fn mined_patterns(incidents: &[Incident], patterns: &Patterns) -> Vec<MinedPattern> {
    let vectors = &patterns.vectors;
    patterns
        .patterns
        .iter()
        .map(|pattern| {
            let mut sums: BTreeMap<u32, f64> = BTreeMap::new();
            for &member in &pattern.members {
                for &(column, weight) in vectors.rows.get(member).map_or(&[][..], Vec::as_slice) {
                    *sums.entry(column).or_default() += f64::from(weight);
                }
            }
            let centroid = top_terms(sums.into_iter().filter_map(|(column, weight)| {
                vectors
                    .keys
                    .get(column as usize)
                    .map(|key| (key.clone(), weight))
            }));
            let dates: Vec<NaiveDate> = pattern
                .members
                .iter()
                .filter_map(|&i| incidents.get(i)?.occurred_at().map(|at| at.date_naive()))
                .collect();
            MinedPattern {
                label: pattern.label.clone(),
                terms: pattern.terms.clone(),
                member_ids: pattern
                    .members
                    .iter()
                    .filter_map(|&i| incidents.get(i).map(|incident| incident.id.clone()))
                    .collect(),
                centroid,
                first_seen: dates.iter().min().copied(),
                last_seen: dates.iter().max().copied(),
            }
        })
        .collect()
}

/// Match a run's patterns to the catalogue (the criterion is in the module documentation).
/// `all_ids` are the ids of every incident of the run, to tell a remembered member that left
/// the pattern from one that is no longer in the input; `month` is the reviewed month
/// (`YYYY-MM`), recorded as `last_review` of the entries found.
pub fn match_patterns(
    catalogue: &Catalogue,
    mined: &[MinedPattern],
    all_ids: &[&str],
    month: &str,
) -> Matching {
    let present: HashSet<&str> = all_ids.iter().copied().collect();
    let mut pattern_of_id: HashMap<&str, usize> = HashMap::new();
    for (index, pattern) in mined.iter().enumerate() {
        for id in &pattern.member_ids {
            pattern_of_id.insert(id.as_str(), index);
        }
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (entry_index, entry) in catalogue.patterns.iter().enumerate() {
        let mut in_pattern = vec![0usize; mined.len()];
        let mut still_present = 0usize;
        for id in &entry.members {
            if present.contains(id.as_str()) {
                still_present += 1;
                if let Some(&pattern) = pattern_of_id.get(id.as_str()) {
                    in_pattern[pattern] += 1;
                }
            }
        }
        for (pattern_index, pattern) in mined.iter().enumerate() {
            let cosine = sparse_cosine(&entry.centroid, &pattern.centroid);
            let score = if still_present > 0 {
                let overlap = in_pattern[pattern_index] as f64 / still_present as f64;
                0.5 * overlap + 0.5 * cosine
            } else {
                cosine
            };
            if score >= MIN_MATCH_SCORE {
                pairs.push((score, entry_index, pattern_index));
            }
        }
    }
    // Best first; ties by entry (lower id first: entries are sorted), then the larger pattern.
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(
                mined[b.2]
                    .member_ids
                    .len()
                    .cmp(&mined[a.2].member_ids.len()),
            )
            .then(a.2.cmp(&b.2))
    });
    let mut entry_of: Vec<Option<usize>> = vec![None; mined.len()];
    let mut taken = vec![false; catalogue.patterns.len()];
    for (_, entry_index, pattern_index) in pairs {
        if entry_of[pattern_index].is_none() && !taken[entry_index] {
            entry_of[pattern_index] = Some(entry_index);
            taken[entry_index] = true;
        }
    }
    let mut updated = catalogue.clone();
    let mut summary = CatalogueSummary {
        matched: entry_of.iter().flatten().count(),
        dormant: taken.iter().filter(|t| !**t).count(),
        ..CatalogueSummary::default()
    };
    let mut ids = Vec::with_capacity(mined.len());
    for (pattern, entry_index) in mined.iter().zip(&entry_of) {
        let entry = match entry_index {
            Some(index) => &mut updated.patterns[*index],
            None => {
                let id = updated.new_id();
                summary.new_ids.push(id.clone());
                updated.patterns.push(CatalogueEntry {
                    id,
                    name: pattern.label.clone(),
                    auto_name: pattern.label.clone(),
                    status: PatternDecision::Active,
                    addressed_on: None,
                    workstream: None,
                    owner_team: None,
                    merged_into: None,
                    first_seen: None,
                    last_seen: None,
                    last_review: None,
                    size: 0,
                    terms: Vec::new(),
                    members: Vec::new(),
                    centroid: BTreeMap::new(),
                });
                let last = updated.patterns.len() - 1;
                &mut updated.patterns[last]
            }
        };
        refresh(entry, pattern, month);
        ids.push(entry.id.clone());
    }
    updated.patterns.sort_by_key(|entry| id_number(&entry.id));
    summary.entries = updated.patterns.len();
    Matching {
        ids,
        catalogue: updated,
        summary,
    }
}

/// A matched or new entry takes this run's view of its pattern; a person's name stays.
fn refresh(entry: &mut CatalogueEntry, pattern: &MinedPattern, month: &str) {
    if entry.name == entry.auto_name || entry.name.trim().is_empty() {
        entry.name = pattern.label.clone();
    }
    entry.auto_name = pattern.label.clone();
    entry.first_seen = match (entry.first_seen, pattern.first_seen) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    entry.last_seen = pattern.last_seen.or(entry.last_seen);
    entry.last_review = Some(month.to_owned());
    entry.size = pattern.member_ids.len();
    entry.terms = pattern.terms.clone();
    entry.members = member_sample(&pattern.member_ids);
    entry.centroid = pattern.centroid.clone();
}

/// At most [`MEMBER_SAMPLE`] ids: those with the smallest stable hash (a bottom-k sketch, so the
/// same ids are chosen whatever the order), sorted.
fn member_sample(ids: &[String]) -> Vec<String> {
    let mut hashed: Vec<(u64, &String)> = ids.iter().map(|id| (fnv1a(id), id)).collect();
    hashed.sort();
    hashed.dedup();
    let mut sample: Vec<String> = hashed
        .into_iter()
        .take(MEMBER_SAMPLE)
        .map(|(_, id)| id.clone())
        .collect();
    sample.sort();
    sample
}

/// FNV-1a: a hash that is the same on every machine and every run.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The [`CENTROID_TERMS`] heaviest terms (ties by term), scaled to unit length and rounded to
/// four decimals so the file stays readable and stable.
fn top_terms(weights: impl Iterator<Item = (String, f64)>) -> BTreeMap<String, f64> {
    let mut ranked: Vec<(String, f64)> = weights.filter(|(_, w)| *w > 0.0).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(CENTROID_TERMS);
    let norm = ranked.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm <= 0.0 {
        return BTreeMap::new();
    }
    ranked
        .into_iter()
        .map(|(term, weight)| (term, (weight / norm * 10_000.0).round() / 10_000.0))
        .collect()
}

fn sparse_cosine(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> f64 {
    let norm = |v: &BTreeMap<String, f64>| v.values().map(|w| w * w).sum::<f64>().sqrt();
    let (norm_a, norm_b) = (norm(a), norm(b));
    if norm_a <= 0.0 || norm_b <= 0.0 {
        return 0.0;
    }
    let dot: f64 = a
        .iter()
        .filter_map(|(term, weight)| b.get(term).map(|other| weight * other))
        .sum();
    dot / (norm_a * norm_b)
}

/// `P-0007` → 7.
fn id_number(id: &str) -> Option<u32> {
    let digits = id.strip_prefix("P-")?;
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn format_id(number: u32) -> String {
    format!("P-{number:04}")
}

const HEADER: &str = "\
# recur pattern catalogue: the patterns of past reviews, so each keeps its id and name from one
# review to the next. `recur review --catalogue FILE` reads this file and writes it back.
#
# You may edit, per [[pattern]]:
#   name         the label every review shows (yours once it differs from auto_name)
#   status       \"active\" (default), \"addressed\" (with addressed_on = YYYY-MM-DD: an incident
#                after that date is flagged on the agenda) or \"ignored\" (never new or rising)
#   workstream   the workstream dealing with it (text or URL), shown in the review
#   owner_team   the team that owns it
#   merged_into  another id: this pattern's incidents are then reported under that id
# The other fields are the catalogue's memory for matching (terms, members, centroid); leave
# them be. Ids are never reused (next_id only grows); a pattern no review finds stays, dormant.
";

impl fmt::Display for PatternDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Dates as TOML local dates (`2026-05-01`, unquoted), reading quoted ones too.
mod toml_date {
    use super::{Deserialize, Deserializer, NaiveDate, Serialize, Serializer};
    use toml::value::{Date, Datetime};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        use chrono::Datelike as _;
        match value {
            None => serializer.serialize_none(),
            Some(date) => Datetime {
                date: Some(Date {
                    year: u16::try_from(date.year()).unwrap_or(0),
                    month: date.month() as u8,
                    day: date.day() as u8,
                }),
                time: None,
                offset: None,
            }
            .serialize(serializer),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        use serde::de::Error as _;
        let text = match toml::Value::deserialize(deserializer)? {
            toml::Value::Datetime(datetime) => datetime.to_string(),
            toml::Value::String(text) => text,
            other => {
                return Err(D::Error::custom(format!(
                    "expected a date YYYY-MM-DD, found {other}"
                )));
            }
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a date YYYY-MM-DD, found {text:?}")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn mined(label: &str, ids: &[&str], terms: &[(&str, f64)]) -> MinedPattern {
        MinedPattern {
            label: label.to_owned(),
            terms: vec![label.to_owned()],
            member_ids: ids.iter().map(|id| id.to_string()).collect(),
            centroid: top_terms(terms.iter().map(|(t, w)| (t.to_string(), *w))),
            first_seen: NaiveDate::from_ymd_opt(2026, 1, 1),
            last_seen: NaiveDate::from_ymd_opt(2026, 2, 1),
        }
    }

    fn ids(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("INC-{i}")).collect()
    }

    fn as_refs(ids: &[String]) -> Vec<&str> {
        ids.iter().map(String::as_str).collect()
    }

    #[test]
    fn first_run_numbers_patterns_and_later_runs_keep_ids_and_names() {
        let all = ids(0..30);
        let first = [
            mined("cert expiry", &as_refs(&all[0..10]), &[("cert", 1.0)]),
            mined("disk full", &as_refs(&all[10..20]), &[("disk", 1.0)]),
        ];
        let run = match_patterns(&Catalogue::default(), &first, &as_refs(&all), "2026-01");
        assert_eq!(run.ids, ["P-0001", "P-0002"]);
        assert_eq!(run.summary.new_ids, ["P-0001", "P-0002"]);
        let mut catalogue = run.catalogue;
        catalogue.patterns[1].name = "Disks fill up".into();
        // Next month: the patterns come out in the other order, with new members and labels.
        let second = [
            mined(
                "disk full / logs",
                &as_refs(&all[10..22]),
                &[("disk", 1.0), ("log", 0.5)],
            ),
            mined(
                "certificate expired",
                &as_refs(&all[0..11]),
                &[("cert", 1.0)],
            ),
            mined("dns", &as_refs(&all[25..30]), &[("dns", 1.0)]),
        ];
        let run = match_patterns(&catalogue, &second, &as_refs(&all), "2026-02");
        assert_eq!(run.ids, ["P-0002", "P-0001", "P-0003"]);
        let by_id = |id: &str| run.catalogue.entry(id).unwrap().clone();
        assert_eq!(
            by_id("P-0002").name,
            "Disks fill up",
            "a person's name stays"
        );
        assert_eq!(by_id("P-0002").auto_name, "disk full / logs");
        assert_eq!(
            by_id("P-0001").name,
            "certificate expired",
            "an automatic one follows"
        );
        assert_eq!(by_id("P-0001").last_review.as_deref(), Some("2026-02"));
        assert_eq!(run.summary.matched, 2);
        assert_eq!(run.catalogue.next_id, 4);
    }

    #[test]
    fn an_unmatched_entry_stays_dormant_and_ids_are_never_reused() {
        let all = ids(0..20);
        let run = match_patterns(
            &Catalogue::default(),
            &[mined("a", &as_refs(&all[0..10]), &[("a", 1.0)])],
            &as_refs(&all),
            "2026-01",
        );
        let mut catalogue = run.catalogue;
        // A person deletes the entry: its id is still not given again.
        catalogue.patterns.clear();
        let run = match_patterns(
            &catalogue,
            &[mined("b", &as_refs(&all[10..20]), &[("b", 1.0)])],
            &as_refs(&all),
            "2026-02",
        );
        assert_eq!(run.ids, ["P-0002"]);
        let run = match_patterns(&run.catalogue, &[], &as_refs(&all), "2026-03");
        assert_eq!(run.summary.dormant, 1);
        assert_eq!(run.catalogue.patterns.len(), 1, "dormant entries stay");
    }

    #[test]
    fn a_pattern_with_other_members_and_other_terms_is_new() {
        let all = ids(0..20);
        let run = match_patterns(
            &Catalogue::default(),
            &[mined("a", &as_refs(&all[0..10]), &[("a", 1.0)])],
            &as_refs(&all),
            "2026-01",
        );
        let run = match_patterns(
            &run.catalogue,
            &[mined(
                "b",
                &as_refs(&all[10..20]),
                &[("b", 1.0), ("a", 0.2)],
            )],
            &as_refs(&all),
            "2026-02",
        );
        assert_eq!(run.ids, ["P-0002"]);
        assert_eq!(run.summary.dormant, 1);
    }

    #[test]
    fn toml_round_trips_and_reads_what_people_write() {
        let all = ids(0..10);
        let run = match_patterns(
            &Catalogue::default(),
            &[mined("a / b", &as_refs(&all), &[("a", 2.0), ("b c", 1.0)])],
            &as_refs(&all),
            "2026-01",
        );
        let text = run.catalogue.to_toml().unwrap();
        assert!(text.starts_with("# recur pattern catalogue"));
        assert!(text.contains("id = \"P-0001\"") && text.contains("first_seen = 2026-01-01"));
        assert_eq!(Catalogue::from_toml(&text).unwrap(), run.catalogue);
        let edited = text.replace(
            "status = \"active\"",
            "status = \"addressed\"\naddressed_on = \"2026-03-01\"\nworkstream = \"https://x/1\"",
        );
        let catalogue = Catalogue::from_toml(&edited).unwrap();
        let entry = &catalogue.patterns[0];
        assert_eq!(entry.status, PatternDecision::Addressed);
        assert_eq!(entry.addressed_on, NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(entry.workstream.as_deref(), Some("https://x/1"));
        let minimal = "[[pattern]]\nid = \"P-0009\"\nname = \"flaky CI\"\n";
        let catalogue = Catalogue::from_toml(minimal).unwrap();
        assert_eq!(catalogue.next_id, 10, "next_id follows the highest id");
    }

    #[test]
    fn bad_catalogues_are_errors_naming_the_pattern_and_field() {
        let check = |text: &str, expected: &str| {
            let error = Catalogue::from_toml(text).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{error:?} should contain {expected:?}"
            );
        };
        let entry =
            |id: &str, rest: &str| format!("[[pattern]]\nid = \"{id}\"\nname = \"n\"\n{rest}\n");
        check(
            &entry("7", ""),
            "pattern id \"7\" is not of the form P-0001",
        );
        check(
            &(entry("P-0001", "") + &entry("P-0001", "")),
            "pattern id P-0001 appears twice",
        );
        check(
            &entry("P-0001", "merged_into = \"P-0002\""),
            "pattern P-0001: merged_into = \"P-0002\" names no pattern",
        );
        check(
            &(entry("P-0001", "merged_into = \"P-0002\"")
                + &entry("P-0002", "merged_into = \"P-0001\"")),
            "merged_into leads back to",
        );
        check(
            &entry("P-0001", "status = \"addressed\""),
            "pattern P-0001: status = \"addressed\" needs addressed_on",
        );
        check(&entry("P-0001", "status = \"fixed\""), "fixed");
        check(
            &entry("P-0001", "addressed_on = \"May 1\""),
            "expected a date YYYY-MM-DD",
        );
        check(&entry("P-0001", "colour = \"red\""), "colour");
        check("[[pattern]\n", "line 1");
    }

    #[test]
    fn merged_patterns_are_reported_under_the_target() {
        let text = "[[pattern]]\nid = \"P-0001\"\nname = \"a\"\nmerged_into = \"P-0002\"\n\
                    [[pattern]]\nid = \"P-0002\"\nname = \"b\"\nmerged_into = \"P-0003\"\n\
                    [[pattern]]\nid = \"P-0003\"\nname = \"c\"\n";
        let catalogue = Catalogue::from_toml(text).unwrap();
        assert_eq!(catalogue.reported_id("P-0001"), "P-0003");
        assert_eq!(catalogue.reported_id("P-0003"), "P-0003");
        assert_eq!(catalogue.reported_id("P-0404"), "P-0404");
    }

    #[test]
    fn member_samples_are_bounded_and_order_free() {
        let many = ids(0..1000);
        let mut reversed = many.clone();
        reversed.reverse();
        let sample = member_sample(&many);
        assert_eq!(sample.len(), MEMBER_SAMPLE);
        assert_eq!(sample, member_sample(&reversed));
        assert!(sample.windows(2).all(|w| w[0] < w[1]));
    }
}
