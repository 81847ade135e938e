//! The factor catalogue: the contributing factors incident reviews keep meeting, each a
//! *concept* with the many ways people write it, and a matcher that finds them sentence by
//! sentence in any text.
//!
//! # The catalogue file
//!
//! The shipped catalogue is `data/factors/default.toml`, embedded in the library
//! ([`Catalogue::shipped`]), so it works without files. A team extends or overrides it with its
//! own file of the same format ([`Catalogue::merge`]): a concept with a new id is added, one
//! with a shipped id replaces the shipped concept, and `disabled = true` removes it.
//!
//! ```toml
//! [[concept]]
//! id = "no-canary"                       # stable id: report.json and tests use it
//! name = "No canary or staged rollout"   # what the review shows
//! description = "A change reached all of production at once."
//! root_cause = true                      # default true; false for "human error"
//! phrases = ["big bang rollout", "all instances at once"]   # count where written
//! absent = ["canary", "staged rollout"]  # count only when negated ("no canary stage")
//! exclude = ["canary caught"]            # a sentence with one of these is not this concept
//! examples = ["The rollout skipped the canary."]            # must match (tested)
//! counter_examples = ["The canary caught it."]              # must not match (tested)
//! ```
//!
//! A *pattern* is words separated by spaces. Each word is compared by its Snowball stem
//! ("flakiness", "flaky" → `flaki`); a word ending in `*` is a prefix of the written word
//! (`expir*` matches "expired", "expiry", "expiration"); a word starting with `=` is taken exactly
//! as written, unstemmed (`=ups` is the power supply, not "up"). All words of a pattern must appear in one
//! sentence, in any order, within a few words of each other (the pattern's length plus
//! [`SLACK`]). A pattern with a function word or a negation cue in it ("fail* to follow",
//! "no test") keeps its written word order; one of content words only ("flaky test") matches in
//! any order ("tests were flaky"). A pattern with `&` in it is sentence-wide: its words may be
//! anywhere in the sentence, in any order (`runbook & out of date`).
//!
//! # Negation
//!
//! Negation cues ([`NEGATION_CUES`]: "no", "not", "without", "missing", "lack", "skipped",
//! "disabled", any "…n't", …) are looked for up to [`NEGATION_REACH`] words before the first
//! matched word or after the last one.
//!
//! - An `absent` pattern counts **only** with a cue: "no canary stage", "the canary was
//!   skipped", "without a canary" are `no-canary`; "the canary caught it" is not.
//! - A `phrases` pattern counts **unless** a cue stands just before it (two words): "there were
//!   no flaky tests" is not `flaky-tests`. A pattern that itself contains a cue ("did not roll
//!   back") is taken as written.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// The shipped catalogue, as TOML.
pub const SHIPPED_TOML: &str = include_str!("../../../data/factors/default.toml");

/// Extra words of distance allowed between the words of one pattern.
pub const SLACK: usize = 3;

/// How far (in words) a negation cue reaches.
pub const NEGATION_REACH: usize = 4;

/// Words that negate or mark something as absent.
pub const NEGATION_CUES: &[&str] = &[
    "no",
    "not",
    "never",
    "none",
    "nobody",
    "nothing",
    "neither",
    "nor",
    "without",
    "missing",
    "lack",
    "lacks",
    "lacked",
    "lacking",
    "absent",
    "absence",
    "skip",
    "skips",
    "skipped",
    "skipping",
    "bypass",
    "bypassed",
    "bypassing",
    "disabled",
    "gap",
    "gaps",
    "cannot",
    "unable",
    "instead",
];

/// A catalogue of factor concepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The concepts, in file order.
    #[serde(default, rename = "concept")]
    pub concepts: Vec<Concept>,
}

/// One contributing-factor concept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    /// Stable id, lowercase with dashes (`flaky-tests`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Whether it may be reported as a cause. False for `human-error`: blameless reviews ask
    /// what made the error easy, so it is never cross-cutting.
    #[serde(default = "yes")]
    pub root_cause: bool,
    /// In a team's file: remove the concept of this id.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// Patterns that count where written (unless negated just before).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Patterns that count only when negated.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Patterns that veto the concept in a sentence.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Sentences that must match (tested).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Sentences that must not match (tested).
    #[serde(default)]
    pub counter_examples: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A catalogue file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// Not valid TOML or not the catalogue's shape.
    #[error("{origin}: not a valid factor catalogue: {message}")]
    Syntax {
        /// The file (or "shipped catalogue").
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A concept without an id, or with characters other than `a-z`, `0-9`, `-`.
    #[error(
        "{origin}: concept #{position} has id {id:?}; ids are lowercase letters, digits and dashes"
    )]
    BadId {
        /// The file.
        origin: String,
        /// 1-based position of the concept in the file.
        position: usize,
        /// The id.
        id: String,
    },
    /// Two concepts of one file share an id.
    #[error("{origin}: concept id {id:?} appears twice")]
    DuplicateId {
        /// The file.
        origin: String,
        /// The id.
        id: String,
    },
    /// A concept (not disabled) with no `phrases` and no `absent` pattern.
    #[error("{origin}: concept {id:?} has no phrases and no absent patterns")]
    NoPatterns {
        /// The file.
        origin: String,
        /// The id.
        id: String,
    },
    /// A pattern with no word in it.
    #[error("{origin}: concept {id:?}: pattern {pattern:?} has no word")]
    EmptyPattern {
        /// The file.
        origin: String,
        /// The id.
        id: String,
        /// The pattern.
        pattern: String,
    },
}

impl Catalogue {
    /// The shipped catalogue (`data/factors/default.toml`, embedded). A test keeps it valid;
    /// were it not, this would be empty rather than panic.
    pub fn shipped() -> Self {
        Self::from_toml(SHIPPED_TOML, "shipped catalogue").unwrap_or_default()
    }

    /// Parse and check a catalogue file; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, CatalogueError> {
        let catalogue: Catalogue =
            toml::from_str(text).map_err(|error| CatalogueError::Syntax {
                origin: origin.to_owned(),
                message: error.to_string().trim().to_owned(),
            })?;
        catalogue.check(origin)?;
        Ok(catalogue)
    }

    fn check(&self, origin: &str) -> Result<(), CatalogueError> {
        let mut seen = std::collections::BTreeSet::new();
        for (position, concept) in self.concepts.iter().enumerate() {
            let id = &concept.id;
            let well_formed = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !well_formed {
                return Err(CatalogueError::BadId {
                    origin: origin.to_owned(),
                    position: position + 1,
                    id: id.clone(),
                });
            }
            if !seen.insert(id.as_str()) {
                return Err(CatalogueError::DuplicateId {
                    origin: origin.to_owned(),
                    id: id.clone(),
                });
            }
            if concept.disabled {
                continue;
            }
            if concept.phrases.is_empty() && concept.absent.is_empty() {
                return Err(CatalogueError::NoPatterns {
                    origin: origin.to_owned(),
                    id: id.clone(),
                });
            }
            let patterns = concept
                .phrases
                .iter()
                .chain(&concept.absent)
                .chain(&concept.exclude);
            if let Some(pattern) = patterns.into_iter().find(|p| words(p).next().is_none()) {
                return Err(CatalogueError::EmptyPattern {
                    origin: origin.to_owned(),
                    id: id.clone(),
                    pattern: pattern.clone(),
                });
            }
        }
        Ok(())
    }

    /// This catalogue with a team's: new ids are added at the end, a known id is replaced in
    /// place, and a `disabled` concept removes the one of its id.
    pub fn merge(&self, team: &Catalogue) -> Catalogue {
        let mut concepts = self.concepts.clone();
        for concept in &team.concepts {
            match concepts.iter().position(|c| c.id == concept.id) {
                Some(at) => concepts[at] = concept.clone(),
                None => concepts.push(concept.clone()),
            }
        }
        concepts.retain(|concept| !concept.disabled);
        Catalogue { concepts }
    }

    /// Compile into a [`Matcher`].
    pub fn compile(&self) -> Matcher {
        Matcher::new(self)
    }
}

/// What a pattern does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Phrase,
    Absent,
    Exclude,
}

/// One word of a pattern: its stem and the word as written, or a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Stem(String, String),
    Prefix(String),
    /// `=ups`: the written word exactly, not stemmed ("ups" is not "up").
    Exact(String),
}

#[derive(Debug, Clone)]
struct Pattern {
    concept: usize,
    role: Role,
    n_words: usize,
    /// Words may be anywhere in the sentence (`&` in the pattern).
    sentence_wide: bool,
    /// The pattern has a negation cue of its own: taken as written.
    has_cue: bool,
    /// The pattern has a function word or a negation cue ("fail* to follow", "simultan* to
    /// all", "no test"): its words must come in the written order.
    ordered: bool,
}

/// The catalogue compiled for matching: an index from stems (and 3-letter prefixes) to the
/// pattern words they can be, so a sentence costs one hash look-up per word.
#[derive(Debug, Clone)]
pub struct Matcher {
    concepts: Vec<Concept>,
    patterns: Vec<Pattern>,
    /// Stem → (pattern, word index).
    by_stem: FxHashMap<String, Vec<(u32, u8)>>,
    /// First three letters → (prefix, pattern, word index).
    by_prefix: FxHashMap<String, Vec<(String, u32, u8)>>,
    /// Exact written word (`=ups`) → (pattern, word index).
    by_exact: FxHashMap<String, Vec<(u32, u8)>>,
    stemmer: Stemmer,
}

/// The Snowball English stemmer, clonable.
struct Stemmer(rust_stemmers::Stemmer);

impl Clone for Stemmer {
    fn clone(&self) -> Self {
        Stemmer(rust_stemmers::Stemmer::create(
            rust_stemmers::Algorithm::English,
        ))
    }
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stemmer(English)")
    }
}

/// Where a concept matched in a text: the sentence's byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConceptMatch {
    /// Index of the concept in [`Matcher::concepts`].
    pub concept: usize,
    /// Byte range of the sentence in the text.
    pub start: usize,
    /// End of the sentence (exclusive).
    pub end: usize,
}

/// What one matching thread remembers: stems of written words, and the concepts of whole
/// sentences (a sentence's concepts depend on its text alone, and sentences repeat across
/// incidents: boilerplate, factor phrases, follow-up titles). Sentences longer than
/// [`CACHED_SENTENCE_BYTES`] are not remembered, and the sentence memory is emptied when it
/// holds [`CACHED_SENTENCES`], so it stays bounded whatever the input.
#[derive(Debug, Default)]
pub struct StemCache {
    stems: FxHashMap<String, String>,
    sentences: FxHashMap<String, Vec<usize>>,
}

/// The longest sentence whose concepts a [`StemCache`] remembers, in bytes.
pub const CACHED_SENTENCE_BYTES: usize = 400;
/// Sentences a [`StemCache`] remembers at most before it starts again.
pub const CACHED_SENTENCES: usize = 100_000;

impl Matcher {
    fn new(catalogue: &Catalogue) -> Self {
        let stemmer = Stemmer(rust_stemmers::Stemmer::create(
            rust_stemmers::Algorithm::English,
        ));
        let concepts: Vec<Concept> = catalogue
            .concepts
            .iter()
            .filter(|c| !c.disabled)
            .cloned()
            .collect();
        let mut patterns = Vec::new();
        let mut by_stem: FxHashMap<String, Vec<(u32, u8)>> = FxHashMap::default();
        let mut by_prefix: FxHashMap<String, Vec<(String, u32, u8)>> = FxHashMap::default();
        let mut by_exact: FxHashMap<String, Vec<(u32, u8)>> = FxHashMap::default();
        for (index, concept) in concepts.iter().enumerate() {
            let roles = [
                (Role::Phrase, &concept.phrases),
                (Role::Absent, &concept.absent),
                (Role::Exclude, &concept.exclude),
            ];
            for (role, texts) in roles {
                for text in texts {
                    let pattern_words: Vec<Word> = words(text)
                        .take(usize::from(u8::MAX))
                        .map(|word| {
                            if let Some(exact) = word.strip_prefix('=') {
                                Word::Exact(exact.to_owned())
                            } else if let Some(prefix) = word.strip_suffix('*') {
                                Word::Prefix(prefix.to_owned())
                            } else {
                                Word::Stem(stemmer.0.stem(&word).into_owned(), word)
                            }
                        })
                        .collect();
                    if pattern_words.is_empty() {
                        continue;
                    }
                    let id = patterns.len() as u32;
                    patterns.push(Pattern {
                        concept: index,
                        role,
                        n_words: pattern_words.len(),
                        sentence_wide: text.contains('&'),
                        has_cue: words(text).any(|w| is_cue(w.trim_end_matches('*'))),
                        ordered: !text.contains('&')
                            && words(text).any(|w| {
                                let w = w.trim_end_matches('*');
                                is_cue(w) || FUNCTION_WORDS.contains(&w)
                            }),
                    });
                    for (at, word) in pattern_words.into_iter().enumerate() {
                        match word {
                            Word::Stem(stem, written) => {
                                // A word written as a stem ("onli", "flaki") is matched as
                                // such too: stemming a stem can shorten it further.
                                if written != stem {
                                    by_stem.entry(written).or_default().push((id, at as u8));
                                }
                                by_stem.entry(stem).or_default().push((id, at as u8));
                            }
                            Word::Exact(exact) => {
                                by_exact.entry(exact).or_default().push((id, at as u8));
                            }
                            Word::Prefix(prefix) => {
                                let key: String = prefix.chars().take(3).collect();
                                by_prefix
                                    .entry(key)
                                    .or_default()
                                    .push((prefix, id, at as u8));
                            }
                        }
                    }
                }
            }
        }
        Self {
            concepts,
            patterns,
            by_stem,
            by_prefix,
            by_exact,
            stemmer,
        }
    }

    /// The concepts, by the index [`ConceptMatch::concept`] uses.
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// The index of a concept id.
    pub fn concept_index(&self, id: &str) -> Option<usize> {
        self.concepts.iter().position(|c| c.id == id)
    }

    /// The concepts found in `text`, sentence by sentence: each concept once per sentence,
    /// sentences in text order, concepts by index within a sentence.
    pub fn find(&self, text: &str, cache: &mut StemCache) -> Vec<ConceptMatch> {
        let mut found = Vec::new();
        for (start, end) in sentences(text) {
            let sentence = &text[start..end];
            let concepts = match cache.sentences.get(sentence) {
                Some(concepts) => concepts.clone(),
                None => {
                    let concepts = self.find_in_sentence(sentence, cache);
                    if sentence.len() <= CACHED_SENTENCE_BYTES {
                        if cache.sentences.len() >= CACHED_SENTENCES {
                            cache.sentences.clear();
                        }
                        cache
                            .sentences
                            .insert(sentence.to_owned(), concepts.clone());
                    }
                    concepts
                }
            };
            for concept in concepts {
                found.push(ConceptMatch {
                    concept,
                    start,
                    end,
                });
            }
        }
        found
    }

    /// The concept ids found anywhere in `text`, sorted, distinct.
    pub fn concept_ids(&self, text: &str) -> Vec<&str> {
        let mut cache = StemCache::default();
        let mut ids: Vec<&str> = self
            .find(text, &mut cache)
            .iter()
            .map(|m| self.concepts[m.concept].id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn find_in_sentence(&self, sentence: &str, cache: &mut StemCache) -> Vec<usize> {
        let tokens: Vec<String> = sentence
            .unicode_words()
            .map(|word| {
                let word = word.to_lowercase();
                if word.contains('\u{2019}') {
                    word.replace('\u{2019}', "'")
                } else {
                    word
                }
            })
            .collect();
        // (pattern, word index, position) of every word that can belong to a pattern.
        let mut hits: Vec<(u32, u8, u32)> = Vec::new();
        for (position, token) in tokens.iter().enumerate() {
            let stem = cache.stem(&self.stemmer, token);
            if let Some(entries) = self.by_stem.get(stem) {
                hits.extend(entries.iter().map(|&(p, w)| (p, w, position as u32)));
            }
            if let Some(entries) = self.by_exact.get(token) {
                hits.extend(entries.iter().map(|&(p, w)| (p, w, position as u32)));
            }
            let key = token
                .char_indices()
                .nth(3)
                .map_or(token.as_str(), |(end, _)| &token[..end]);
            if let Some(entries) = self.by_prefix.get(key) {
                for (prefix, p, w) in entries {
                    // A prefix of the word or of its stem ("polici*" for "policy").
                    if token.starts_with(prefix.as_str()) || stem.starts_with(prefix.as_str()) {
                        hits.push((*p, *w, position as u32));
                    }
                }
            }
        }
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_unstable();
        let mut matched: Vec<usize> = Vec::new();
        let mut vetoed: Vec<usize> = Vec::new();
        for group in hits.chunk_by(|a, b| a.0 == b.0) {
            let pattern = &self.patterns[group[0].0 as usize];
            let limit = if pattern.sentence_wide {
                u32::MAX
            } else {
                (pattern.n_words + SLACK) as u32
            };
            let found = if pattern.ordered {
                ordered_span(group, pattern.n_words, limit)
            } else {
                span(group, pattern.n_words, limit)
            };
            let Some((first, last)) = found else {
                continue;
            };
            let counts = match pattern.role {
                // "the migration was not tested" does not match the exclusion "migration was
                // tested": a negated exclusion does not veto.
                Role::Exclude => {
                    if pattern.has_cue
                        || !(cue_before(&tokens, first, 2) || cue_within(&tokens, first, last))
                    {
                        vetoed.push(pattern.concept);
                    }
                    continue;
                }
                Role::Phrase => pattern.has_cue || !cue_before(&tokens, first, 2),
                Role::Absent => {
                    pattern.has_cue
                        || cue_before(&tokens, first, NEGATION_REACH)
                        || cue_after(&tokens, last, NEGATION_REACH)
                }
            };
            if counts {
                matched.push(pattern.concept);
            }
        }
        matched.sort_unstable();
        matched.dedup();
        matched.retain(|concept| !vetoed.contains(concept));
        matched
    }
}

impl StemCache {
    fn stem(&mut self, stemmer: &Stemmer, word: &str) -> &str {
        if !self.stems.contains_key(word) {
            let stem = stemmer.0.stem(word).into_owned();
            self.stems.insert(word.to_owned(), stem);
        }
        self.stems.get(word).map_or("", String::as_str)
    }
}

/// The smallest span (first, last position) holding every word of a pattern of `n_words`
/// words, when it is shorter than `limit`, each written word standing for one pattern word
/// ("failover" is not both `failov*` and `fail*`); `hits` are one pattern's (pattern, word,
/// position), sorted.
fn span(hits: &[(u32, u8, u32)], n_words: usize, limit: u32) -> Option<(usize, usize)> {
    let mut by_position: Vec<(u32, u8)> = hits.iter().map(|&(_, w, p)| (p, w)).collect();
    by_position.sort_unstable();
    let mut best: Option<(u32, u32)> = None;
    for start in 0..by_position.len() {
        let mut seen = vec![false; n_words];
        let mut missing = n_words;
        let mut used: Option<u32> = None;
        for &(position, word) in &by_position[start..] {
            if position - by_position[start].0 >= limit {
                break;
            }
            let word = usize::from(word);
            if word < n_words && !seen[word] && used != Some(position) {
                seen[word] = true;
                used = Some(position);
                missing -= 1;
                if missing == 0 {
                    let candidate = (by_position[start].0, position);
                    if best.is_none_or(|b| candidate.1 - candidate.0 < b.1 - b.0) {
                        best = Some(candidate);
                    }
                    break;
                }
            }
        }
    }
    best.map(|(first, last)| (first as usize, last as usize))
}

/// The smallest span (first, last position) holding the words of a pattern of `n_words` words
/// in their written order, when it is shorter than `limit`; `hits` as for [`span`].
fn ordered_span(hits: &[(u32, u8, u32)], n_words: usize, limit: u32) -> Option<(usize, usize)> {
    let mut by_position: Vec<(u32, u8)> = hits.iter().map(|&(_, w, p)| (p, w)).collect();
    by_position.sort_unstable();
    let mut best: Option<(u32, u32)> = None;
    for (start, &(first, word)) in by_position.iter().enumerate() {
        if word != 0 {
            continue;
        }
        // Each next word at the earliest position after the previous one.
        let mut next = 1usize;
        let mut last = first;
        for &(position, word) in &by_position[start + 1..] {
            if next == n_words || position - first >= limit {
                break;
            }
            if usize::from(word) == next && position > last {
                next += 1;
                last = position;
            }
        }
        if next == n_words && last - first < limit && best.is_none_or(|b| last - first < b.1 - b.0)
        {
            best = Some((first, last));
        }
    }
    best.map(|(first, last)| (first as usize, last as usize))
}

/// Words that make a pattern's word order matter: "fail* to follow" is not "followed ... to
/// fail over".
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "to", "of", "on", "in", "at", "for", "by", "from", "into", "with", "as",
    "than", "that", "this", "it", "its", "was", "were", "is", "are", "be", "been", "had", "has",
    "have", "and", "or", "all", "until", "out", "up", "over",
];

fn is_cue(word: &str) -> bool {
    let word = word.replace('\u{2019}', "'");
    NEGATION_CUES.contains(&word.as_str()) || word.ends_with("n't")
}

/// Whether the token at `at` negates: a cue, but not "not only" / "not just" ("alert on growth,
/// not only on the limit" says nothing is missing).
fn cue_at(tokens: &[String], at: usize) -> bool {
    is_cue(&tokens[at])
        && !(tokens[at] == "not"
            && tokens
                .get(at + 1)
                .is_some_and(|next| matches!(next.as_str(), "only" | "just" | "merely")))
}

fn cue_before(tokens: &[String], first: usize, reach: usize) -> bool {
    (first.saturating_sub(reach)..first).any(|at| cue_at(tokens, at))
}

fn cue_within(tokens: &[String], first: usize, last: usize) -> bool {
    (first..=last).any(|at| cue_at(tokens, at))
}

fn cue_after(tokens: &[String], last: usize, reach: usize) -> bool {
    let end = (last + 1 + reach).min(tokens.len());
    ((last + 1).min(end)..end).any(|at| cue_at(tokens, at))
}

/// The words of a pattern, lowercased; `*` stays on a prefix word.
fn words(pattern: &str) -> impl Iterator<Item = String> + '_ {
    pattern
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '&'))
        .map(|word| {
            let exact = word.starts_with('=');
            let word = word
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '*' && c != '\'')
                .to_lowercase();
            match exact && !word.is_empty() {
                true => format!("={word}"),
                false => word,
            }
        })
        .filter(|word| !word.is_empty() && word != "*" && word != "=")
}

/// Byte ranges of the sentences of a text: split after `.`, `!`, `?` followed by a space or the
/// end, at `;` and at line breaks; Markdown bullets and headings are trimmed; empty ones dropped.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let boundary = match c {
            '\n' | ';' => Some(at),
            '.' | '!' | '?' => (next.is_none_or(char::is_whitespace)).then_some(at + c.len_utf8()),
            _ => None,
        };
        if let Some(end) = boundary {
            push_sentence(text, start, end, &mut out);
            start = end;
        }
    }
    push_sentence(text, start, text.len(), &mut out);
    out
}

fn push_sentence(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let trimmed_start = piece.len()
        - piece
            .trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '-' | '*' | '#' | '>' | '•' | ';')
            })
            .len();
    let trimmed_end = piece.trim_end().len();
    if trimmed_start < trimmed_end {
        out.push((start + trimmed_start, start + trimmed_end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue(toml: &str) -> Catalogue {
        Catalogue::from_toml(toml, "test.toml").expect("valid catalogue")
    }

    const CANARY: &str = r#"
        [[concept]]
        id = "no-canary"
        name = "No canary"
        phrases = ["all instances at once", "big bang rollout"]
        absent = ["canary", "staged rollout"]
        exclude = ["canary caught"]

        [[concept]]
        id = "flaky-tests"
        name = "Flaky tests"
        phrases = ["flaky test", "flakiness", "intermittent* test"]
    "#;

    fn check(text: &str, expected: &[&str]) {
        let matcher = catalogue(CANARY).compile();
        assert_eq!(matcher.concept_ids(text), expected, "{text}");
    }

    #[test]
    fn absent_patterns_need_a_negation_and_phrases_must_not_be_negated() {
        check("No canary stage.", &["no-canary"]);
        check("The rollout skipped the canary.", &["no-canary"]);
        check("It went out without a canary.", &["no-canary"]);
        check("The canary wasn't used for config pushes.", &["no-canary"]);
        check("The canary looked healthy.", &[]);
        check("The canary caught it, no harm done.", &[]);
        check("Deployed to all instances at once.", &["no-canary"]);
        check("Tests were flaky.", &["flaky-tests"]);
        check("Test flakiness hid it.", &["flaky-tests"]);
        check("An intermittently failing test.", &["flaky-tests"]);
        check("There were no flaky tests involved.", &[]);
        check("Tests were added. The canary was skipped.", &["no-canary"]);
    }

    #[test]
    fn pattern_words_must_be_close() {
        check(
            "All instances were fine at the start of what became, once again, a long day.",
            &[],
        );
        check("All instances were restarted at once.", &["no-canary"]);
    }

    #[test]
    fn matches_name_the_sentence() {
        let matcher = catalogue(CANARY).compile();
        let text = "All good here. Then: tests were flaky!\n- no canary";
        let found = matcher.find(text, &mut StemCache::default());
        let sentences: Vec<(&str, &str)> = found
            .iter()
            .map(|m| {
                (
                    matcher.concepts()[m.concept].id.as_str(),
                    &text[m.start..m.end],
                )
            })
            .collect();
        assert_eq!(
            sentences,
            [
                ("flaky-tests", "Then: tests were flaky!"),
                ("no-canary", "no canary")
            ]
        );
    }

    #[test]
    fn a_team_file_adds_replaces_and_disables() {
        let shipped = catalogue(CANARY);
        let team = catalogue(
            r#"
            [[concept]]
            id = "flaky-tests"
            disabled = true

            [[concept]]
            id = "no-canary"
            name = "Unstaged rollout"
            phrases = ["straight to production"]

            [[concept]]
            id = "pager-load"
            name = "Pager load"
            phrases = ["too many pages"]
            "#,
        );
        let merged = shipped.merge(&team);
        let ids: Vec<&str> = merged.concepts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["no-canary", "pager-load"]);
        let matcher = merged.compile();
        assert_eq!(
            matcher.concept_ids("It went straight to production."),
            ["no-canary"]
        );
        assert!(
            matcher.concept_ids("No canary.").is_empty(),
            "replaced, not extended"
        );
        assert!(matcher.concept_ids("Flaky tests.").is_empty(), "disabled");
    }

    #[test]
    fn each_bad_catalogue_has_its_error() {
        let error = |toml: &str| Catalogue::from_toml(toml, "team.toml").err();
        assert!(matches!(
            error("[[concept]\nid = 1"),
            Some(CatalogueError::Syntax { origin, .. }) if origin == "team.toml"
        ));
        assert!(matches!(
            error("[[concept]]\nid = 'x'\nphrases = ['a']\ncolour = 'red'"),
            Some(CatalogueError::Syntax { .. })
        ));
        assert_eq!(
            error("[[concept]]\nid = 'Flaky Tests'\nphrases = ['a']"),
            Some(CatalogueError::BadId {
                origin: "team.toml".into(),
                position: 1,
                id: "Flaky Tests".into()
            })
        );
        assert_eq!(
            error("[[concept]]\nid = 'a'\nphrases = ['x']\n[[concept]]\nid = 'a'\nphrases = ['y']"),
            Some(CatalogueError::DuplicateId {
                origin: "team.toml".into(),
                id: "a".into()
            })
        );
        assert_eq!(
            error("[[concept]]\nid = 'a'"),
            Some(CatalogueError::NoPatterns {
                origin: "team.toml".into(),
                id: "a".into()
            })
        );
        assert_eq!(
            error("[[concept]]\nid = 'a'\nphrases = ['x', ' - ']"),
            Some(CatalogueError::EmptyPattern {
                origin: "team.toml".into(),
                id: "a".into(),
                pattern: " - ".into()
            })
        );
    }

    #[test]
    fn sentences_split_on_ends_of_sentences_and_lines_only() {
        let text = "Version 1.2 broke. Why? e.g. this; and\n* a bullet";
        let parts: Vec<&str> = sentences(text).iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(
            parts,
            [
                "Version 1.2 broke.",
                "Why?",
                "e.g.",
                "this",
                "and",
                "a bullet"
            ]
        );
    }

    #[test]
    fn words_with_function_words_keep_their_order_and_exact_words_are_not_stemmed() {
        let matcher = catalogue(
            r#"
            [[concept]]
            id = "no-canary"
            phrases = ["simultaneous* to all"]

            [[concept]]
            id = "hardware-power"
            phrases = ["=ups fail*"]
            "#,
        )
        .compile();
        let ids = |text: &str| matcher.concept_ids(text);
        assert_eq!(
            ids("The change went simultaneously to all hosts."),
            ["no-canary"]
        );
        assert!(ids("All replicas were told to simultaneously reconnect.").is_empty());
        assert_eq!(ids("The UPS failed during the storm."), ["hardware-power"]);
        assert!(ids("The job ended up failing.").is_empty());
    }

    /// Sentences that were matched wrongly once, each against the shipped catalogue: the
    /// concept it is, and the ones it is not.
    #[test]
    fn shipped_catalogue_regressions() {
        let matcher = Catalogue::shipped().compile();
        for (text, is, is_not) in [
            (
                "A network blip made all cache replicas simultaneously reconnect to the primary.",
                &[][..],
                &["no-canary"][..],
            ),
            (
                "The responder followed the documented procedure to fail over.",
                &[],
                &["human-error"],
            ),
            (
                "The job ended up failing after the write-up was published.",
                &[],
                &["hardware-power"],
            ),
            (
                "A parser bug returned memory that held customer data.",
                &["software-bug"],
                &["time-clock"],
            ),
            (
                "Each retry opened a new connection without releasing the old one, exhausting the pool.",
                &["resource-leak"],
                &["capacity"],
            ),
            (
                "A memory leak grew the heap until the pods were OOM-killed.",
                &["resource-leak"],
                &["capacity"],
            ),
            (
                "The upstream DNS provider throttled the query rate, so lookups failed.",
                &["rate-limited"],
                &["capacity"],
            ),
            (
                "A cooling failure throttled CPUs on the hosts.",
                &["hardware-power"],
                &["rate-limited", "capacity"],
            ),
            (
                "The new-checkout flag was enabled for all users.",
                &["feature-flag"],
                &["config-change"],
            ),
            (
                "Upgrade of a client library in the checkout service.",
                &[],
                &["config-change"],
            ),
            (
                "Verbose request logging filled the disk within hours.",
                &["logging-misconfiguration"],
                &["capacity"],
            ),
            (
                "The team moved the database to new, upgraded hardware.",
                &[],
                &["hardware-power"],
            ),
            (
                "Alert on memory growth rate, not only on the limit.",
                &[],
                &["missing-alert"],
            ),
            (
                "The graphics content upgrade deleted a system file.",
                &[],
                &["capacity"],
            ),
            (
                "Users experiencing errors from 11:02 onwards.",
                &[],
                &["human-error"],
            ),
            (
                "A node failover in the cache cluster left a cold cache.",
                &[],
                &["failover-failure"],
            ),
            (
                "Flag dark-mode enabled for all users caused errors in user-profile.",
                &[],
                &["human-error"],
            ),
            (
                "Unbounded growth of an in-process map exhausted the heap.",
                &["resource-leak"],
                &["missing-rate-limit", "capacity"],
            ),
            (
                "A cache stampede: thousands of concurrent requests recomputed the hot key.",
                &[],
                &["race-condition"],
            ),
            (
                "The email worker could not reach notifications.",
                &[],
                &["communication-gap"],
            ),
            (
                "A traffic spike exhausted the connection pool.",
                &["capacity"],
                &["resource-leak"],
            ),
        ] {
            let found = matcher.concept_ids(text);
            for id in is {
                assert!(found.contains(id), "{text}: {id} not in {found:?}");
            }
            for id in is_not {
                assert!(!found.contains(id), "{text}: {id} in {found:?}");
            }
        }
    }

    /// The shipped catalogue is valid, has the concepts reports and tests name, and every
    /// concept matches its examples and none of its counter-examples.
    #[test]
    fn the_shipped_catalogue_is_valid_and_matches_its_own_examples() {
        let catalogue = Catalogue::from_toml(SHIPPED_TOML, "data/factors/default.toml")
            .expect("the shipped catalogue is valid");
        assert!(
            catalogue.concepts.len() >= 30,
            "{}",
            catalogue.concepts.len()
        );
        for id in [
            "flaky-tests",
            "missing-tests",
            "alert-fatigue",
            "missing-alert",
            "missed-page",
            "missing-runbook",
            "no-canary",
            "config-change",
            "config-validation",
            "capacity",
            "retry-storm",
            "expired-certificate",
            "untested-migration",
            "dependency-failure",
            "hardware-power",
            "time-clock",
            "race-condition",
            "manual-toil",
            "unclear-ownership",
            "slow-rollback",
            "human-error",
        ] {
            assert!(
                catalogue.concepts.iter().any(|c| c.id == id),
                "missing {id}"
            );
        }
        let human = catalogue.concepts.iter().find(|c| c.id == "human-error");
        assert_eq!(human.map(|c| c.root_cause), Some(false));
        let matcher = catalogue.compile();
        let mut failures = Vec::new();
        for concept in &catalogue.concepts {
            assert!(
                !concept.name.is_empty() && !concept.description.is_empty(),
                "{}",
                concept.id
            );
            assert!(concept.examples.len() >= 2, "{} needs examples", concept.id);
            assert!(
                !concept.counter_examples.is_empty(),
                "{} needs counter-examples",
                concept.id
            );
            for example in &concept.examples {
                if !matcher.concept_ids(example).contains(&concept.id.as_str()) {
                    failures.push(format!("{}: misses {example:?}", concept.id));
                }
            }
            for counter in &concept.counter_examples {
                if matcher.concept_ids(counter).contains(&concept.id.as_str()) {
                    failures.push(format!("{}: matches {counter:?}", concept.id));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
