//! The text pipeline: Unicode word segmentation, lowercasing, synonym and abbreviation folding,
//! English and incident-boilerplate stop words, Snowball stemming, and the readable surface form
//! of each stem.
//!
//! Order of work for one text: split into words (Unicode word boundaries, UAX #29), lowercase,
//! fold synonyms (longest match first, over up to four words, compared by stem so plurals fold
//! too: "certs", "tls cert" and "certificates" all become "certificate"), drop stop words and
//! tokens that carry no meaning (numbers, ids, hashes), then stem what is left. Stems are for
//! matching only; people see [`SurfaceForms::display`], the most frequent original word.
//!
//! ASCII text is split by a direct implementation of the UAX #29 rules for ASCII (tested against
//! the general tables), several times faster; other text goes through `unicode-segmentation`.
//! Synonyms and stop words can be extended from a TOML file with
//! [`TextConfig::with_synonyms_toml`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use linkify::LinkFinder;
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

/// Configuration of the text pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TextConfig {
    /// Words dropped before stemming, lowercase. Default: [`DEFAULT_STOP_WORDS`] (English) plus
    /// [`BOILERPLATE_WORDS`] (words every postmortem uses that say nothing about causes).
    /// A word is also dropped when it is a stop word with a regular inflection ("impacts").
    pub stop_words: BTreeSet<String>,
    /// Synonyms and abbreviations: a lowercase word or phrase and what it folds to. Default:
    /// [`DEFAULT_SYNONYMS`]. A replacement of several words becomes one token ("out of memory").
    pub synonyms: BTreeMap<String, String>,
    /// Shortest token kept, in characters. Default 2.
    pub min_token_chars: usize,
}

impl Default for TextConfig {
    fn default() -> Self {
        Self {
            stop_words: DEFAULT_STOP_WORDS
                .iter()
                .chain(BOILERPLATE_WORDS)
                .map(|word| (*word).to_owned())
                .collect(),
            synonyms: DEFAULT_SYNONYMS
                .iter()
                .map(|(from, to)| ((*from).to_owned(), (*to).to_owned()))
                .collect(),
            min_token_chars: 2,
        }
    }
}

impl TextConfig {
    /// Add synonyms and stop words from a TOML document of this shape (both keys optional):
    ///
    /// ```toml
    /// stop_words = ["acme"]
    /// [synonyms]
    /// pg = "postgres"
    /// "rabbit mq" = "rabbitmq"
    /// ```
    ///
    /// Entries are lowercased and added to (or override) the current ones.
    pub fn with_synonyms_toml(mut self, toml_text: &str) -> Result<Self, TextConfigError> {
        let file: SynonymFile =
            toml::from_str(toml_text).map_err(|error| TextConfigError::Toml(error.to_string()))?;
        for (from, to) in file.synonyms {
            let from = from.trim().to_lowercase();
            let to = to.trim().to_lowercase();
            if from.is_empty() {
                return Err(TextConfigError::EmptySynonym { to });
            }
            if to.is_empty() {
                return Err(TextConfigError::EmptyReplacement { from });
            }
            self.synonyms.insert(from, to);
        }
        for word in file.stop_words {
            let word = word.trim().to_lowercase();
            if !word.is_empty() {
                self.stop_words.insert(word);
            }
        }
        Ok(self)
    }
}

/// A problem in a synonyms file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextConfigError {
    /// The file is not valid TOML of the expected shape.
    #[error("synonyms file: {0}")]
    Toml(String),
    /// A synonym with an empty key.
    #[error("synonyms file: empty synonym for replacement {to:?}")]
    EmptySynonym {
        /// The replacement it would fold to.
        to: String,
    },
    /// A synonym whose replacement is empty.
    #[error("synonyms file: synonym {from:?} has an empty replacement")]
    EmptyReplacement {
        /// The synonym.
        from: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymFile {
    #[serde(default)]
    synonyms: BTreeMap<String, String>,
    #[serde(default)]
    stop_words: Vec<String>,
}

/// One token of a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    /// The stem: what terms are matched on. A folded phrase synonym has one stem with spaces
    /// ("out of memori").
    pub stem: String,
    /// The lowercase word as written (after synonym folding), for display.
    pub surface: String,
    /// Whether it directly follows the previous token: no dropped stop word and no sentence or
    /// clause punctuation in between. Phrases are only formed from adjacent tokens.
    pub adjacent: bool,
}

/// The text pipeline built from a [`TextConfig`]. Cheap to share between threads.
pub struct TextPipeline {
    stemmer: Stemmer,
    stop_surfaces: FxHashSet<String>,
    /// Every synonym replacement; the maps below point into it.
    replacements: Vec<Replacement>,
    /// Synonyms of one word, by stem.
    single_synonyms: FxHashMap<String, u32>,
    /// Synonyms of several words, by their stems joined with spaces.
    phrase_synonyms: FxHashMap<String, u32>,
    /// First stems of the phrase synonyms, to skip the lookup for most words.
    phrase_synonym_starts: FxHashSet<String>,
    longest_synonym: usize,
    min_token_chars: usize,
}

#[derive(Debug, Clone)]
struct Replacement {
    stem: String,
    surface: String,
}

impl std::fmt::Debug for TextPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextPipeline")
            .field("stop_words", &self.stop_surfaces.len())
            .field(
                "synonyms",
                &(self.single_synonyms.len() + self.phrase_synonyms.len()),
            )
            .finish()
    }
}

/// A memo of what the pipeline decided for each lowercase word (its stem, whether it is kept,
/// its synonym), so that repeated words cost one hash lookup, plus the stems seen, numbered in
/// order of first appearance ([`TextPipeline::visit_ids`] reports these numbers), and how often
/// each surface form was emitted ([`WordCache::surface_forms`]). Keep one per thread; it only
/// grows.
#[derive(Debug, Clone, Default)]
pub struct WordCache {
    ids: FxHashMap<String, u32>,
    words: Vec<WordInfo>,
    stem_ids: FxHashMap<String, u32>,
    stems: Vec<String>,
    /// Per replacement of the pipeline: its stem id (`NO_ID` until first used) and count.
    replacements: Vec<(u32, u32)>,
    /// Reused buffer of the words of the current text.
    scratch: Vec<TextWord>,
}

#[derive(Debug, Clone)]
struct WordInfo {
    text: String,
    stem: u32,
    keep: bool,
    /// The one-word synonym this word folds to.
    synonym: Option<u32>,
    /// Whether a phrase synonym may start with this word.
    phrase_start: bool,
    /// Times emitted as a token.
    count: u32,
}

/// One word of a text being visited.
#[derive(Debug, Clone, Copy)]
struct TextWord {
    id: u32,
    break_before: bool,
    name_like: bool,
}

/// Where an emitted token's surface form comes from.
#[derive(Debug, Clone, Copy)]
enum Surface {
    Word(u32),
    Replacement(u32),
}

const NO_ID: u32 = u32::MAX;

impl WordCache {
    /// The stem with the id [`TextPipeline::visit_ids`] reported.
    pub fn stem(&self, id: u32) -> &str {
        self.stems.get(id as usize).map_or("", String::as_str)
    }

    /// Every stem seen so far; a stem's id is its position.
    pub fn stems(&self) -> &[String] {
        &self.stems
    }

    /// The surface forms of the tokens emitted so far, counted.
    pub fn surface_forms(&self, pipeline: &TextPipeline) -> SurfaceForms {
        let mut forms = SurfaceForms::default();
        for word in self.words.iter().filter(|word| word.count > 0) {
            forms.add_form(self.stem(word.stem), &word.text, word.count);
        }
        for (index, &(stem, count)) in self.replacements.iter().enumerate() {
            if count > 0
                && let Some(replacement) = pipeline.replacements.get(index)
            {
                forms.add_form(self.stem(stem), &replacement.surface, count);
            }
        }
        forms
    }

    fn intern_stem(&mut self, stem: &str) -> u32 {
        if let Some(&id) = self.stem_ids.get(stem) {
            return id;
        }
        let id = self.stems.len() as u32;
        self.stems.push(stem.to_owned());
        self.stem_ids.insert(stem.to_owned(), id);
        id
    }
}

/// The longest synonym key, in words.
const MAX_SYNONYM_WORDS: usize = 4;

impl TextPipeline {
    /// Build the pipeline.
    pub fn new(config: &TextConfig) -> Self {
        let stemmer = Stemmer::create(Algorithm::English);
        let stop_surfaces = config.stop_words.iter().cloned().collect();
        let mut pipeline = Self {
            stemmer,
            stop_surfaces,
            replacements: Vec::new(),
            single_synonyms: FxHashMap::default(),
            phrase_synonyms: FxHashMap::default(),
            phrase_synonym_starts: FxHashSet::default(),
            longest_synonym: 1,
            min_token_chars: config.min_token_chars.max(1),
        };
        // Multi-word replacements are also keys of themselves, so that "out of memory" written
        // out becomes the same single token as "oom".
        let mut entries: Vec<(&str, &str)> = config
            .synonyms
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        entries.extend(
            config
                .synonyms
                .values()
                .filter(|to| to.contains(' '))
                .map(|to| (to.as_str(), to.as_str())),
        );
        for (from, to) in entries {
            let key: Vec<String> = lowercase_words(from)
                .iter()
                .map(|word| pipeline.stem(word))
                .collect();
            if key.is_empty() || key.len() > MAX_SYNONYM_WORDS {
                continue;
            }
            let to_words = lowercase_words(to);
            if to_words.is_empty() {
                continue;
            }
            let stem = to_words
                .iter()
                .map(|word| pipeline.stem(word))
                .collect::<Vec<_>>()
                .join(" ");
            let index = pipeline.replacements.len() as u32;
            pipeline.replacements.push(Replacement {
                stem,
                surface: to_words.join(" "),
            });
            pipeline.longest_synonym = pipeline.longest_synonym.max(key.len());
            if key.len() == 1 {
                pipeline.single_synonyms.insert(key.join(" "), index);
            } else {
                pipeline.phrase_synonym_starts.insert(key[0].clone());
                pipeline.phrase_synonyms.insert(key.join(" "), index);
            }
        }
        pipeline
    }

    /// The tokens of a text, in order.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        self.tokens_cached(text, &mut WordCache::default())
    }

    /// The tokens of a text, remembering word decisions in `cache` for the next texts.
    pub fn tokens_cached(&self, text: &str, cache: &mut WordCache) -> Vec<Token> {
        let mut tokens = Vec::new();
        self.visit(text, cache, |stem, surface, adjacent| {
            tokens.push(Token {
                stem: stem.to_owned(),
                surface: surface.to_owned(),
                adjacent,
            });
        });
        tokens
    }

    /// Call `visit(stem, surface, adjacent)` for each token of a text, in order, without
    /// allocating tokens.
    pub fn visit(
        &self,
        text: &str,
        cache: &mut WordCache,
        mut visit: impl FnMut(&str, &str, bool),
    ) {
        self.visit_cased(text, cache, |stem, surface, adjacent, _| {
            visit(stem, surface, adjacent)
        });
    }

    /// [`TextPipeline::visit`] that also tells whether the token was written like a name:
    /// capitalized ("Cloudflare", not "DNS" or "MySQL") where a sentence does not start. Names
    /// of companies and products say where, not why; the vectorizer uses this to weigh them less.
    pub fn visit_cased(
        &self,
        text: &str,
        cache: &mut WordCache,
        mut visit: impl FnMut(&str, &str, bool, bool),
    ) {
        self.scan(text, cache, |cache, stem, surface, adjacent, name_like| {
            let surface = match surface {
                Surface::Word(word) => cache.words[word as usize].text.as_str(),
                Surface::Replacement(index) => self.replacements[index as usize].surface.as_str(),
            };
            visit(cache.stem(stem), surface, adjacent, name_like);
        });
    }

    /// The fast path for vectorizing many texts: call `visit(stem_id, adjacent, name_like)` for
    /// each token, where `stem_id` numbers the stems of `cache` ([`WordCache::stem`]). Surface
    /// forms are counted in the cache ([`WordCache::surface_forms`]).
    pub fn visit_ids(
        &self,
        text: &str,
        cache: &mut WordCache,
        mut visit: impl FnMut(u32, bool, bool),
    ) {
        self.scan(text, cache, |_, stem, _, adjacent, name_like| {
            visit(stem, adjacent, name_like);
        });
    }

    /// The Snowball English stem of one lowercase word.
    pub fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }

    /// Whether a lowercase word is a stop word: listed, or a listed word with a regular
    /// inflection ("-s", "-es", "-d", "-ed", "-ing"): "impacts", "mins". Matching whole stems
    /// instead would also drop words that only share a stem with a stop word ("resolver" with
    /// "resolved", "engine" with "engineer", "unit" with "united", "timing" with "time").
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop_surfaces.contains(word)
            || ["s", "es", "d", "ed", "ing"].iter().any(|suffix| {
                word.len() > suffix.len() + 1
                    && word
                        .strip_suffix(suffix)
                        .is_some_and(|base| self.stop_surfaces.contains(base))
            })
    }

    /// Fold synonyms over the words of a text and emit the kept tokens, counting surfaces.
    fn scan(
        &self,
        text: &str,
        cache: &mut WordCache,
        mut emit: impl FnMut(&WordCache, u32, Surface, bool, bool),
    ) {
        let mut words = std::mem::take(&mut cache.scratch);
        words.clear();
        for_each_word(text, |word, break_before, name_like| {
            let id = self.word_id(word, cache);
            words.push(TextWord {
                id,
                break_before,
                name_like,
            });
        });
        let mut adjacent = false;
        let mut at = 0;
        while at < words.len() {
            if let Some((length, index)) = self.synonym_at(&words, cache, at) {
                let stem = self.replacement_stem(index, cache);
                emit(
                    cache,
                    stem,
                    Surface::Replacement(index),
                    adjacent && !words[at].break_before,
                    false,
                );
                adjacent = true;
                at += length;
                continue;
            }
            let word = words[at];
            let info = &mut cache.words[word.id as usize];
            if info.keep {
                info.count += 1;
                let stem = info.stem;
                emit(
                    cache,
                    stem,
                    Surface::Word(word.id),
                    adjacent && !word.break_before,
                    word.name_like,
                );
                adjacent = true;
            } else {
                adjacent = false;
            }
            at += 1;
        }
        cache.scratch = words;
    }

    /// The stem id of a replacement, counting one use.
    fn replacement_stem(&self, index: u32, cache: &mut WordCache) -> u32 {
        if cache.replacements.len() < self.replacements.len() {
            cache
                .replacements
                .resize(self.replacements.len(), (NO_ID, 0));
        }
        let index = index as usize;
        if cache.replacements[index].0 == NO_ID {
            cache.replacements[index].0 = cache.intern_stem(&self.replacements[index].stem);
        }
        cache.replacements[index].1 += 1;
        cache.replacements[index].0
    }

    fn word_id(&self, word: &str, cache: &mut WordCache) -> u32 {
        if let Some(&id) = cache.ids.get(word) {
            return id;
        }
        let stem = self.stem(word);
        let info = WordInfo {
            text: word.to_owned(),
            keep: self.keeps(word),
            synonym: self.single_synonyms.get(&stem).copied(),
            phrase_start: self.phrase_synonym_starts.contains(&stem),
            stem: cache.intern_stem(&stem),
            count: 0,
        };
        let id = cache.words.len() as u32;
        cache.words.push(info);
        cache.ids.insert(word.to_owned(), id);
        id
    }

    /// The synonym starting at word `at`: its length in words and its replacement.
    fn synonym_at(&self, words: &[TextWord], cache: &WordCache, at: usize) -> Option<(usize, u32)> {
        let info = |i: usize| &cache.words[words[i].id as usize];
        if info(at).phrase_start {
            let longest = self.longest_synonym.min(words.len() - at);
            for length in (2..=longest).rev() {
                // A synonym never spans a clause break.
                if words[at + 1..at + length]
                    .iter()
                    .any(|word| word.break_before)
                {
                    continue;
                }
                let key = (at..at + length)
                    .map(|i| cache.stem(info(i).stem))
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(&index) = self.phrase_synonyms.get(&key) {
                    return Some((length, index));
                }
            }
        }
        info(at).synonym.map(|index| (1, index))
    }

    fn keeps(&self, word: &str) -> bool {
        let chars = word.chars().count();
        if chars < self.min_token_chars || chars > 40 || !word.chars().any(char::is_alphabetic) {
            return false;
        }
        // Ids, hashes and hostnames with numbers say nothing about causes.
        let digits = word.chars().filter(char::is_ascii_digit).count();
        if digits > 0 && (chars > 6 || digits * 2 > chars) {
            return false;
        }
        if digits > 0
            && ["st", "nd", "rd", "th"]
                .iter()
                .any(|suffix| word.ends_with(suffix))
        {
            return false; // ordinals: dates
        }
        !self.is_stop_word(word)
    }
}

/// The lowercase words of a text.
fn lowercase_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_word(text, |word, _, _| words.push(word.to_owned()));
    words
}

/// Call `visit(word, break_before, name_like)` for each word of a text (Unicode word boundaries,
/// UAX #29), lowercased and trimmed, with whether a clause break precedes it and whether it is
/// capitalized like a name.
fn for_each_word(text: &str, mut visit: impl FnMut(&str, bool, bool)) {
    let text = &*without_links(text);
    let mut pending_break = false;
    let mut sentence_start = true;
    let mut lower = String::new();
    let mut segment = |segment: &str, is_word: bool| {
        if is_word {
            let mut chars = segment.chars();
            let capitalized = chars.next().is_some_and(char::is_uppercase);
            let name_like = capitalized && !sentence_start && !chars.any(char::is_uppercase);
            let word = if segment.is_ascii() {
                if segment.bytes().any(|b| b.is_ascii_uppercase()) {
                    lower.clear();
                    lower.extend(segment.chars().map(|c| c.to_ascii_lowercase()));
                    lower.as_str()
                } else {
                    segment
                }
            } else if segment.chars().any(char::is_uppercase) {
                lower = segment.to_lowercase();
                lower.as_str()
            } else {
                segment
            };
            let word = trim_word(word);
            if !word.is_empty() {
                visit(word, pending_break, name_like);
                pending_break = false;
                sentence_start = false;
            }
        } else {
            if segment.chars().any(is_clause_break) {
                pending_break = true;
            }
            if segment
                .chars()
                .any(|c| matches!(c, '.' | '!' | '?' | '\n' | ':' | '#' | '*' | '-' | '|'))
            {
                sentence_start = true;
            }
        }
    };
    if text.is_ascii() {
        split_ascii_words(text, &mut segment);
    } else {
        for part in text.split_word_bounds() {
            segment(part, part.chars().any(char::is_alphanumeric));
        }
    }
}

/// The text with its links blanked: URLs with a scheme and e-mail addresses (found by
/// `linkify`). Postmortems cite their sources ("https://en.wikipedia.org/wiki/Leap_second"),
/// and the words of an address are a place, not what happened.
fn without_links(text: &str) -> Cow<'_, str> {
    if !text.contains("://") && !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut last = 0;
    for link in LinkFinder::new().links(text) {
        out.push_str(&text[last..link.start()]);
        out.push(' ');
        last = link.end();
    }
    if last == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// The word segmentation of UAX #29 for ASCII text, much faster than the general tables: call
/// `visit(segment, true)` for each segment holding a letter or digit and `visit(gap, false)`
/// for the text between them. For ASCII, the rules reduce to: letters, digits and `_` join;
/// `:` joins two letters (MidLetter), `.` and `'` join two letters or two digits (MidNumLet,
/// Single_Quote), `,` and `;` join two digits (MidNum); everything else breaks.
fn split_ascii_words<'t>(text: &'t str, mut visit: impl FnMut(&'t str, bool)) {
    let bytes = text.as_bytes();
    let is_word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut gap_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        if !is_word_byte(bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        at += 1;
        while at < bytes.len() {
            let (previous, current) = (bytes[at - 1], bytes[at]);
            if is_word_byte(current) {
                at += 1;
                continue;
            }
            let Some(&next) = bytes.get(at + 1) else {
                break;
            };
            let letters = previous.is_ascii_alphabetic() && next.is_ascii_alphabetic();
            let digits = previous.is_ascii_digit() && next.is_ascii_digit();
            let joins = match current {
                b':' => letters,
                b'.' | b'\'' => letters || digits,
                b',' | b';' => digits,
                _ => false,
            };
            if !joins {
                break;
            }
            at += 2;
        }
        if bytes[start..at].iter().any(u8::is_ascii_alphanumeric) {
            if gap_start < start {
                visit(&text[gap_start..start], false);
            }
            visit(&text[start..at], true);
            gap_start = at;
        }
    }
    if gap_start < bytes.len() {
        visit(&text[gap_start..], false);
    }
}

/// Strip a possessive "'s" and non-alphanumeric ends.
fn trim_word(word: &str) -> &str {
    let mut end = word.len();
    for suffix in ["'s", "\u{2019}s"] {
        if end > suffix.len() && word[..end].ends_with(suffix) {
            end -= suffix.len();
        }
    }
    word[..end].trim_matches(|c: char| !c.is_alphanumeric())
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '"'
            | '\n'
            | '|'
            | '*'
            | '#'
            | '='
            | '<'
            | '>'
    ) || c == '\u{2014}'
        || c == '\u{2013}'
}

/// Counts of the surface forms seen for each stem, so that a stem is shown as the word people
/// wrote most often ("certificate expiry", never "certif expiri").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurfaceForms {
    counts: FxHashMap<String, FxHashMap<String, u32>>,
}

impl SurfaceForms {
    /// Count one token's surface form.
    pub fn add(&mut self, token: &Token) {
        self.add_form(&token.stem, &token.surface, 1);
    }

    /// Count `count` occurrences of `surface` for `stem`.
    pub fn add_form(&mut self, stem: &str, surface: &str, count: u32) {
        let forms = match self.counts.get_mut(stem) {
            Some(forms) => forms,
            None => self.counts.entry(stem.to_owned()).or_default(),
        };
        match forms.get_mut(surface) {
            Some(existing) => *existing += count,
            None => {
                forms.insert(surface.to_owned(), count);
            }
        }
    }

    /// Add all counts of another counter (for merging per-thread counters).
    pub fn merge(&mut self, other: SurfaceForms) {
        for (stem, forms) in other.counts {
            for (surface, count) in forms {
                self.add_form(&stem, &surface, count);
            }
        }
    }

    /// The most frequent surface form of a stem (ties: the alphabetically first); the stem
    /// itself when it was never seen.
    pub fn display(&self, stem: &str) -> String {
        self.counts
            .get(stem)
            .and_then(|forms| {
                forms
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(surface, _)| surface.clone())
            })
            .unwrap_or_else(|| stem.to_owned())
    }

    /// Number of distinct stems seen.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no stem was seen.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// English stop words (function words, pronouns, auxiliaries, vague adverbs).
pub const DEFAULT_STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "almost",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "anyone",
    "anything",
    "are",
    "around",
    "as",
    "at",
    "be",
    "became",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "either",
    "else",
    "enough",
    "etc",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "least",
    "less",
    "let",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "neither",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "others",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "perhaps",
    "please",
    "quite",
    "rather",
    "really",
    "same",
    "several",
    "shall",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "two",
    "three",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "using",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "don't",
    "didn't",
    "doesn't",
    "wasn't",
    "weren't",
    "isn't",
    "aren't",
    "won't",
    "wouldn't",
    "couldn't",
    "shouldn't",
    "can't",
    "it's",
    "we're",
    "they're",
    "i'm",
    "e.g",
    "i.e",
    "eg",
    "ie",
    "vs",
];

/// Words every postmortem uses that say nothing about causes: who was affected, how long it took,
/// the process words of incident handling, time words.
pub const BOILERPLATE_WORDS: &[&str] = &[
    "incident",
    "incidents",
    "issue",
    "issues",
    "outage",
    "outages",
    "impact",
    "impacted",
    "impacting",
    "affected",
    "affecting",
    "customer",
    "customers",
    "user",
    "users",
    "engineer",
    "engineers",
    "team",
    "teams",
    "minute",
    "minutes",
    "min",
    "mins",
    "hour",
    "hours",
    "hr",
    "hrs",
    "second",
    "seconds",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "today",
    "yesterday",
    "am",
    "pm",
    "utc",
    "pst",
    "pdt",
    "est",
    "gmt",
    "resolved",
    "resolve",
    "resolution",
    "mitigated",
    "mitigate",
    "mitigation",
    "occurred",
    "occur",
    "happened",
    "happen",
    "began",
    "begin",
    "started",
    "start",
    "caused",
    "cause",
    "causes",
    "causing",
    "due",
    "result",
    "resulted",
    "resulting",
    "led",
    "lead",
    "leading",
    "root",
    "summary",
    "postmortem",
    "postmortems",
    "approximately",
    "approx",
    "around",
    "roughly",
    "identified",
    "identify",
    "investigated",
    "investigation",
    "investigate",
    "noticed",
    "observed",
    "saw",
    "seen",
    "time",
    "times",
    "some",
    "period",
    "also",
    "additionally",
    "which",
    "following",
    "follow",
    "went",
    "go",
    "going",
    "able",
    "unable",
    "include",
    "included",
    "including",
    "took",
    "take",
    "taken",
    "new",
    "number",
    "experienced",
    "experiencing",
    "experience",
    "percent",
    "etc",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "pacific",
    "eastern",
    "pt",
    "et",
    "cet",
    "cest",
    "bst",
    "ist",
    "morning",
    "afternoon",
    "evening",
    "night",
    "year",
    "years",
    "later",
    "earlier",
    "preliminary",
    "notable",
    "somehow",
    "people",
    "showed",
    "show",
    "shows",
    "turned",
    "caught",
    "massive",
    "story",
    "significant",
    "significantly",
    "various",
    "multiple",
    "large",
    "small",
    "total",
    "partial",
    "partially",
    "fully",
    "completely",
    "entire",
    "entirely",
    "united",
    "really",
    "actually",
    "basically",
    "eventually",
    "quickly",
    "immediately",
    "subsequently",
    "initially",
    "finally",
    "currently",
    "recently",
    // What every postmortem says about the response and the follow-ups, whatever the cause.
    "improve",
    "improved",
    "improving",
    "improvement",
    "improvements",
    "implement",
    "implemented",
    "implementing",
    "enhance",
    "enhanced",
    "enhancing",
    "initial",
    "restore",
    "restored",
    "restoring",
    "recover",
    "recovered",
    "recovering",
    "recovery",
    "fix",
    "fixed",
    "fixes",
    "fixing",
    "involved",
    "involving",
    "plans",
    "remediation",
    "remediate",
    "remediated",
    "specific",
    "specifically",
    "critical",
    "across",
    "attempt",
    "attempts",
    "attempted",
    "allowed",
    "future",
    "required",
    "efforts",
    "effort",
    "similar",
    "action",
    "actions",
    "correctly",
    "properly",
    "ensure",
    "ensuring",
    "response",
    "responded",
    "responders",
    "problem",
    "problems",
    "disruption",
    "disruptions",
    "degraded",
    "degradation",
    "unavailable",
    "unavailability",
    "downtime",
    "stemmed",
    "lasting",
    "lasted",
    "widespread",
    "continued",
    "immediate",
    "developed",
    "reported",
    "complete",
    "completed",
    "broke",
    "million",
    "millions",
    "billion",
    "thousands",
    "hundreds",
];

/// Default synonyms and abbreviations (lowercase; keys match by stem, so plurals fold too).
pub const DEFAULT_SYNONYMS: &[(&str, &str)] = &[
    ("cert", "certificate"),
    ("certs", "certificate"),
    ("tls cert", "certificate"),
    ("ssl cert", "certificate"),
    ("tls certificate", "certificate"),
    ("ssl certificate", "certificate"),
    ("x509", "certificate"),
    ("db", "database"),
    ("dbs", "database"),
    ("config", "configuration"),
    ("configs", "configuration"),
    ("cfg", "configuration"),
    ("conf", "configuration"),
    ("k8s", "kubernetes"),
    ("kube", "kubernetes"),
    ("oom", "out of memory"),
    ("oomkilled", "out of memory"),
    ("oom killed", "out of memory"),
    ("oom killer", "out of memory"),
    ("out-of-memory", "out of memory"),
    ("lb", "load balancer"),
    ("elb", "load balancer"),
    ("alb", "load balancer"),
    ("deps", "dependency"),
    ("dep", "dependency"),
    ("env", "environment"),
    ("envs", "environment"),
    ("prod", "production"),
    ("repo", "repository"),
    ("auth", "authentication"),
    ("authn", "authentication"),
    ("authz", "authorization"),
    ("perms", "permissions"),
    ("infra", "infrastructure"),
    ("svc", "service"),
    ("msg", "message"),
    ("msgs", "message"),
    ("mem", "memory"),
    ("cpus", "cpu"),
    ("latencies", "latency"),
    ("timed out", "timeout"),
    ("time out", "timeout"),
    ("time-out", "timeout"),
    ("timeouts", "timeout"),
    ("deploy", "deployment"),
    ("deploys", "deployment"),
    ("deployed", "deployment"),
    ("rollout", "deployment"),
    ("roll out", "deployment"),
    ("rolled out", "deployment"),
    ("postgresql", "postgres"),
    ("pg", "postgres"),
    ("conn", "connection"),
    ("conns", "connection"),
    ("ratelimit", "rate limit"),
    ("rate-limit", "rate limit"),
    ("rate limiting", "rate limit"),
    ("rate limiter", "rate limit"),
    ("dns", "dns"),
    ("ci failure", "test failure"),
    ("ci failures", "test failures"),
    ("out of date", "outdated"),
    ("out-of-date", "outdated"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        TextPipeline::new(&TextConfig::default())
            .tokens(text)
            .into_iter()
            .map(|token| token.stem)
            .collect()
    }

    fn check(text: &str, expected: &[&str]) {
        assert_eq!(stems(text), expected, "tokens of {text:?}");
    }

    #[test]
    fn stop_words_and_boilerplate_are_dropped() {
        check("The customers were impacted for 45 minutes", &[]);
        check(
            "Engineers resolved the issue by restarting the database",
            &["restart", "databas"],
        );
    }

    #[test]
    fn links_are_not_words() {
        check(
            "Kernel panic, see https://en.wikipedia.org/wiki/Leap_second (ops@example.com)",
            &["kernel", "panic", "see"],
        );
        check(
            "See [the kernel bug](https://bugzilla.example.org/show_bug.cgi?id=42)",
            &["see", "kernel", "bug"],
        );
        check("Disk full on db-7", &["disk", "full", "databas"]);
    }

    /// Words and gaps as the general UAX #29 segmentation gives them, gaps merged.
    fn unicode_segments(text: &str) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for part in text.split_word_bounds() {
            let is_word = part.chars().any(char::is_alphanumeric);
            match out.last_mut() {
                Some((gap, false)) if !is_word => gap.push_str(part),
                _ => out.push((part.to_owned(), is_word)),
            }
        }
        out
    }

    #[test]
    fn ascii_segmentation_matches_the_unicode_rules() {
        let alphabet = b"aZk9_0.',:;- \n!?()/#*=%&";
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for length in (0..4000).map(|i| i % 24) {
            let text: String = (0..length)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize] as char
                })
                .collect();
            let mut fast: Vec<(String, bool)> = Vec::new();
            split_ascii_words(&text, |part, is_word| fast.push((part.to_owned(), is_word)));
            assert_eq!(fast, unicode_segments(&text), "segments of {text:?}");
        }
        let text = "e.g. v1.2.3 isn't 10:42, 3,5 a:b foo_bar _x_ end.";
        let mut fast = Vec::new();
        split_ascii_words(text, |part, is_word| fast.push((part.to_owned(), is_word)));
        assert_eq!(fast, unicode_segments(text));
    }

    #[test]
    fn words_sharing_only_a_stem_with_a_stop_word_stay() {
        check(
            "DNS resolver, unit tests, engine timing",
            &["dns", "resolv", "unit", "test", "engin", "time"],
        );
        check("impacts for 3 mins", &[]);
    }

    #[test]
    fn synonyms_fold_before_stemming_and_by_stem() {
        check("expired TLS cert", &["expir", "certif"]);
        check("certs expired", &["certif", "expir"]);
        check("k8s node OOM", &["kubernet", "node", "out of memori"]);
        check("ran out of memory", &["ran", "out of memori"]);
        check("the db config", &["databas", "configur"]);
    }

    #[test]
    fn numbers_ids_and_hashes_are_dropped_but_short_alphanumerics_stay() {
        check(
            "build 4f3a9c2e1b failed on ipv6 at 10:42",
            &["build", "fail", "ipv6"],
        );
    }

    #[test]
    fn unicode_words_are_lowercased_and_possessives_stripped() {
        check("Zürich's DNS-Server", &["zürich", "dns", "server"]);
    }

    #[test]
    fn adjacency_breaks_at_stop_words_and_punctuation() {
        let tokens = TextPipeline::new(&TextConfig::default())
            .tokens("connection pool exhausted. Pool of workers");
        let adjacent: Vec<bool> = tokens.iter().map(|token| token.adjacent).collect();
        assert_eq!(adjacent, [false, true, true, false, false]);
    }

    #[test]
    fn names_are_capitalized_words_not_starting_a_sentence() {
        let pipeline = TextPipeline::new(&TextConfig::default());
        let mut seen = Vec::new();
        pipeline.visit_cased(
            "Cloudflare saw DNS errors at Cloudflare and MySQL. Routers failed",
            &mut WordCache::default(),
            |_, surface, _, name_like| seen.push((surface.to_owned(), name_like)),
        );
        let expected = [
            ("cloudflare", false),
            ("dns", false),
            ("errors", false),
            ("cloudflare", true),
            ("mysql", false),
            ("routers", false),
            ("failed", false),
        ];
        assert_eq!(seen, expected.map(|(word, name)| (word.to_owned(), name)));
    }

    #[test]
    fn surface_forms_pick_the_most_frequent_word() {
        let pipeline = TextPipeline::new(&TextConfig::default());
        let mut forms = SurfaceForms::default();
        for token in pipeline
            .tokens("certificate expiry, expired certificates, certificate expiries, certificate")
        {
            forms.add(&token);
        }
        assert_eq!(forms.display("certif"), "certificate");
        assert_eq!(
            forms.display("expiri"),
            "expiries",
            "tie between expiry and expiries: alphabetical"
        );
        assert_eq!(forms.display("unseen"), "unseen");
    }

    #[test]
    fn synonyms_toml_extends_and_rejects_bad_entries() {
        let config = TextConfig::default()
            .with_synonyms_toml("stop_words = [\"acme\"]\n[synonyms]\npg = \"postgres\"\n\"rabbit mq\" = \"rabbitmq\"\n")
            .expect("valid toml");
        let tokens: Vec<String> = TextPipeline::new(&config)
            .tokens("Acme rabbit MQ and PG")
            .into_iter()
            .map(|token| token.surface)
            .collect();
        assert_eq!(tokens, ["rabbitmq", "postgres"]);
        let empty = TextConfig::default().with_synonyms_toml("[synonyms]\npg = \"\"\n");
        assert_eq!(
            empty,
            Err(TextConfigError::EmptyReplacement { from: "pg".into() })
        );
        let bad = TextConfig::default().with_synonyms_toml("synonym = 3");
        assert!(matches!(bad, Err(TextConfigError::Toml(message)) if message.contains("synonym")));
    }
}
