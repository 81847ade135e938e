//! The saved similarity index: what `recur similar --review DIR` needs to answer "which past
//! incidents are like this one, and what did we do?" without the exports and without mining.
//! `recur review` writes it into its output folder as [`FILE_NAME`] (`similarity-index.bin`).
//! Bytes in, bytes (or any `io::Write`) out: this module knows nothing of files.
//!
//! It holds, for the incidents of one review (its point-in-time view): each incident's id,
//! title, start, stable pattern id and label, services, teams and follow-ups (id, title, owner,
//! status, due date, tracker); the LSA embedding rows (`f32`); the TF-IDF vocabulary (each
//! term's matching key, its surface form, idf, whether it is written like a name and its weight
//! as evidence, [`Patterns::evidence_weights`]), the text
//! settings the vocabulary was made with (stop words, synonyms, field weights, the name
//! weight), every incident's sparse TF-IDF row (for the shared terms), and the SVD basis (the
//! right singular vectors, V × d) that embeds a new text in the same space.
//!
//! Layout, format version [`FORMAT_VERSION`] (integers little-endian):
//!
//! | offset | bytes | what |
//! |---|---|---|
//! | 0 | 8 | magic [`MAGIC`], `RECURSIM` |
//! | 8 | 4 | format version, `u32` |
//! | 12 | 8 | payload length, `u64` |
//! | 20 | 4 | CRC-32 (IEEE) of the payload |
//! | 24 | … | the payload: postcard (its stable 1.x wire format) |
//!
//! The embedding, the basis and the TF-IDF entries are written as byte strings of at most
//! 64 KiB holding the numbers' little-endian bytes: read back with one exact allocation each
//! (where a sequence of numbers grows its vector by doubling, and page faults on fresh memory
//! are most of the time of loading), and written streaming, never whole in memory
//! ([`SimilarityFile::write_to`] serializes twice: once for the header's length and checksum,
//! once into the writer).
//!
//! [`SimilarityFile::decode`] checks the magic, then the version (an error names the version
//! found and the one expected), the length (a truncated file is an error), the checksum, the
//! decoding (postcard reads lengths against the bytes left, so a damaged length cannot make it
//! allocate gigabytes) and finally that the parts agree (row counts, columns within the
//! vocabulary, patterns within the list), so no query can index out of bounds. Nothing in it
//! panics on bad bytes.
//!
//! Queries. An incident of the index ([`SimilarityFile::most_similar`]): the cosine of LSA
//! rows, searched exactly over every incident with text (a dot product of `d` values each:
//! milliseconds at 100 000 incidents), with the same ties as
//! [`crate::similar::SimilarityIndex`] (best first, then the lower index); that index is
//! exact up to 5000 incidents with text and approximate above, so on larger inputs this one
//! can only find more. A new text ([`SimilarityFile::embed_text`],
//! [`SimilarityFile::embed_incident`]): tokenized by the saved text settings; each token's stem
//! and each run of two or three adjacent stems looked up among the saved terms (a phrase is a
//! term only when the review kept it); weights `ln(1 + Σ field weight) · idf`, times the name
//! weight for terms written like names, L2-normalized: the row [`crate::tfidf::vectorize`]
//! gives the same text among the review's incidents. That row is projected on the saved basis
//! ([`crate::svd::project`]), so a new text is scored in the very space of `--id`, where a
//! paraphrase sharing few words with a past report still meets it; the shared terms come from
//! the TF-IDF rows, as for `--id`. A free text counts as a summary (weight 2 by default).

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

use chrono::{DateTime, Utc};
use ndarray::ArrayView2;
use recur_core::{FollowUpStatus, Incident};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::patterns::{PatternParams, Patterns};
use crate::similar::{Neighbor, best, shared_row_terms};
use crate::svd::project;
use crate::text::{TextConfig, TextPipeline, WordCache};
use crate::tfidf::{FieldWeights, weighted_fields};

/// The file name `recur review` gives the index in its output folder.
pub const FILE_NAME: &str = "similarity-index.bin";

/// The first eight bytes of every index.
pub const MAGIC: [u8; 8] = *b"RECURSIM";

/// The format version this code writes and reads.
pub const FORMAT_VERSION: u32 = 2;

/// Shared terms listed per similar incident (as [`crate::similar::SimilarityParams`]).
pub const SHARED_TERMS: usize = 5;

/// Bytes before the payload: magic, version, payload length, checksum.
const HEADER_LEN: usize = 24;

/// Why an index could not be built, encoded or decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexFileError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a recur similarity index: it does not start with \"RECURSIM\"")]
    NotAnIndex,
    /// Another format version than [`FORMAT_VERSION`].
    #[error(
        "similarity index format version {found}, but this recur reads version {expected}: \
         run `recur review` again to write it anew"
    )]
    UnsupportedVersion {
        /// The version in the bytes.
        found: u32,
        /// The version this code reads.
        expected: u32,
    },
    /// Fewer bytes than the header says.
    #[error("similarity index truncated: {found} bytes, expected {expected}")]
    Truncated {
        /// The bytes the header (or the header itself) needs.
        expected: u64,
        /// The bytes there are.
        found: u64,
    },
    /// The bytes are damaged: checksum, decoding, or parts that disagree.
    #[error("similarity index corrupt: {reason}")]
    Corrupt {
        /// What is wrong.
        reason: String,
    },
    /// The parts given to [`SimilarityFile::build`] do not belong together.
    #[error("cannot build the similarity index: {what} has {found} entries, expected {expected}")]
    Mismatch {
        /// The part.
        what: &'static str,
        /// How many entries it should have.
        expected: usize,
        /// How many it has.
        found: usize,
    },
    /// The encoder failed.
    #[error("cannot encode the similarity index: {0}")]
    Encode(String),
}

/// What an index is built from besides the patterns: the incidents they were mined on, the
/// patterns' names and the mining's parameters.
#[derive(Debug, Clone, Copy)]
pub struct IndexSource<'a> {
    /// The incidents, in the order of the patterns' rows.
    pub incidents: &'a [Incident],
    /// The stable id of each pattern of `patterns.patterns` (`P-0007`), by position.
    pub pattern_ids: &'a [String],
    /// The name of each pattern, by position.
    pub pattern_labels: &'a [String],
    /// The parameters the patterns were mined with: the text settings and field weights a new
    /// text is vectorized with.
    pub params: &'a PatternParams,
    /// The review's "now", kept for display.
    pub as_of: Option<DateTime<Utc>>,
}

/// One incident of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedIncident {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// When it started (or its earliest known time, `Incident::occurred_at`).
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// Its pattern: a position in [`SimilarityFile::patterns`]; `None` for a one-off.
    pub pattern: Option<u32>,
    /// Affected services.
    pub services: Vec<String>,
    /// Teams involved.
    pub teams: Vec<String>,
    /// Its follow-ups as of the review.
    pub follow_ups: Vec<IndexedFollowUp>,
}

/// One follow-up of an indexed incident: what was done, or is to be done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedFollowUp {
    /// Its own id (a tracker key), when it has one.
    pub id: Option<String>,
    /// What is to be done.
    pub title: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// Open, done or won't do, as of the review.
    #[serde(with = "status_code")]
    pub status: FollowUpStatus,
    /// When it is due.
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub due_at: Option<DateTime<Utc>>,
    /// Tracker reference or URL.
    pub tracker: Option<String>,
}

/// A pattern of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedPattern {
    /// Its stable id (`P-0007`).
    pub id: String,
    /// Its name.
    pub label: String,
}

/// A text embedded with an index's vocabulary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmbeddedText {
    /// Its TF-IDF row over the index's terms: (column, weight), by column, L2-normalized. Empty
    /// when no word of the text is a term of the index.
    pub row: Vec<(u32, f32)>,
    /// Its LSA embedding (unit length; zero when `row` is empty).
    pub embedding: Vec<f32>,
}

impl EmbeddedText {
    /// Whether the text has no term of the index (nothing to compare).
    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }
}

/// A similarity index: built from a review's patterns (borrowing their large parts, or taking
/// them), or decoded from bytes. See the module docs for what it holds and how it answers. The
/// default is the index of no incident.
#[derive(Clone, Default, PartialEq)]
pub struct SimilarityFile<'a> {
    payload: Payload<'a>,
}

impl fmt::Debug for SimilarityFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimilarityFile")
            .field("incidents", &self.payload.incidents.len())
            .field("patterns", &self.payload.patterns.len())
            .field("terms", &self.payload.keys.len())
            .field("dims", &self.payload.dims)
            .finish_non_exhaustive()
    }
}

/// The encoded part. Field order is the wire order: changing it is a new format version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Payload<'a> {
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    as_of: Option<DateTime<Utc>>,
    text: TextSettings,
    patterns: Vec<IndexedPattern>,
    incidents: Vec<IndexedIncident>,
    /// Matching key of each term (stems, space-separated for phrases), sorted.
    keys: Cow<'a, [String]>,
    /// Surface form of each term, for display.
    terms: Cow<'a, [String]>,
    idf: Cow<'a, [f32]>,
    name_like: Cow<'a, [bool]>,
    /// How much each term counts as evidence in the shared terms
    /// ([`Patterns::evidence_weights`]): names the records give weigh less.
    evidence: Cow<'a, [f32]>,
    /// One sparse TF-IDF row per incident.
    rows: Rows<'a>,
    dims: u32,
    /// N × dims, row-major.
    #[serde(with = "blob")]
    embedding: Cow<'a, [f32]>,
    /// V × dims, row-major.
    #[serde(with = "blob")]
    basis: Cow<'a, [f32]>,
}

/// The TF-IDF rows: the mining's own (`TfIdf::rows`, borrowed or taken), or flat as decoded
/// (one allocation, not one per incident). On the wire: each row's length (a sequence of
/// `u32`), then every entry, row after row, as a [`blob`] of (column `u32`, weight `f32`).
#[derive(Debug, Clone)]
enum Rows<'a> {
    Nested(Cow<'a, [Vec<(u32, f32)>]>),
    Flat {
        /// Where each row ends in `entries`.
        ends: Vec<usize>,
        entries: Vec<(u32, f32)>,
    },
}

impl Default for Rows<'_> {
    fn default() -> Self {
        Self::Nested(Cow::Owned(Vec::new()))
    }
}

impl PartialEq for Rows<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && (0..self.len()).all(|i| self.row(i) == other.row(i))
    }
}

impl Rows<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Nested(rows) => rows.len(),
            Self::Flat { ends, .. } => ends.len(),
        }
    }

    /// Row `index` (empty when out of range).
    fn row(&self, index: usize) -> &[(u32, f32)] {
        match self {
            Self::Nested(rows) => rows.get(index).map_or(&[], Vec::as_slice),
            Self::Flat { ends, entries } => {
                let start = match index {
                    0 => 0,
                    _ => ends.get(index - 1).copied().unwrap_or(0),
                };
                let end = ends.get(index).copied().unwrap_or(start);
                entries.get(start..end).unwrap_or(&[])
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = &[(u32, f32)]> + Clone {
        (0..self.len()).map(|index| self.row(index))
    }
}

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple as _;
        let lengths: Vec<u32> = self
            .iter()
            .map(|row| u32::try_from(row.len()).unwrap_or(u32::MAX))
            .collect();
        let mut tuple = serializer.serialize_tuple(2)?;
        tuple.serialize_element(&lengths)?;
        tuple.serialize_element(&blob::Chunks(self.iter().flatten().copied()))?;
        tuple.end()
    }
}

impl<'de> Deserialize<'de> for Rows<'_> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let (lengths, entries): (Vec<u32>, blob::Values<(u32, f32)>) =
            Deserialize::deserialize(deserializer)?;
        let mut ends = Vec::with_capacity(lengths.len());
        let mut end = 0usize;
        for length in lengths {
            end = end.saturating_add(length as usize);
            ends.push(end);
        }
        if end != entries.0.len() {
            return Err(D::Error::custom(format!(
                "the TF-IDF rows hold {end} entries by their lengths, {} in fact",
                entries.0.len()
            )));
        }
        Ok(Self::Flat {
            ends,
            entries: entries.0,
        })
    }
}

/// The text pipeline and TF-IDF settings of the mining, field by field so that the wire format
/// does not follow the library's structs silently.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct TextSettings {
    stop_words: Vec<String>,
    synonyms: Vec<(String, String)>,
    min_token_chars: u32,
    /// root cause, trigger, contributing factors, title, summary, tags, remediation, body.
    field_weights: [f32; 8],
    proper_noun_weight: f32,
}

impl TextSettings {
    fn of(params: &PatternParams) -> Self {
        let w = params.tfidf.field_weights;
        Self {
            stop_words: params.text.stop_words.iter().cloned().collect(),
            synonyms: params
                .text
                .synonyms
                .iter()
                .map(|(from, to)| (from.clone(), to.clone()))
                .collect(),
            min_token_chars: u32::try_from(params.text.min_token_chars).unwrap_or(u32::MAX),
            field_weights: [
                w.root_cause,
                w.trigger,
                w.contributing_factors,
                w.title,
                w.summary,
                w.tags,
                w.remediation,
                w.body,
            ],
            proper_noun_weight: params.tfidf.proper_noun_weight,
        }
    }

    fn text_config(&self) -> TextConfig {
        TextConfig {
            stop_words: self.stop_words.iter().cloned().collect(),
            synonyms: self.synonyms.iter().cloned().collect(),
            min_token_chars: self.min_token_chars as usize,
        }
    }

    fn field_weights(&self) -> FieldWeights {
        let [
            root_cause,
            trigger,
            contributing_factors,
            title,
            summary,
            tags,
            remediation,
            body,
        ] = self.field_weights;
        FieldWeights {
            root_cause,
            trigger,
            contributing_factors,
            title,
            summary,
            tags,
            remediation,
            body,
        }
    }
}

impl<'a> SimilarityFile<'a> {
    /// Build the index of the incidents `patterns` were mined on, borrowing the TF-IDF
    /// vocabulary and rows, the embedding and the basis from `patterns` (nothing large is
    /// copied).
    pub fn build(source: &IndexSource<'_>, patterns: &'a Patterns) -> Result<Self, IndexFileError> {
        let vectors = &patterns.vectors;
        let meta = Metadata::of(source, patterns)?;
        let name_like = if vectors.name_like.is_empty() {
            Cow::Owned(vec![false; vectors.keys.len()])
        } else {
            Cow::Borrowed(vectors.name_like.as_slice())
        };
        let evidence = if patterns.evidence_weights.is_empty() {
            Cow::Owned(vec![1.0; vectors.keys.len()])
        } else {
            Cow::Borrowed(patterns.evidence_weights.as_slice())
        };
        meta.with_parts(Parts {
            keys: Cow::Borrowed(&vectors.keys),
            terms: Cow::Borrowed(&vectors.terms),
            idf: Cow::Borrowed(&vectors.idf),
            name_like,
            evidence,
            rows: Rows::Nested(Cow::Borrowed(&vectors.rows)),
            embedding: contiguous(patterns.embedding.view()),
            basis: contiguous(patterns.basis.view()),
        })
    }

    /// Write the index (see the module docs for the layout) to `writer`, streaming: the
    /// payload is serialized twice, once for its length and checksum in the header and once
    /// into the writer, so no copy of it is ever held in memory.
    pub fn write_to<W: Write + ?Sized>(&self, writer: &mut W) -> io::Result<()> {
        let (payload_len, checksum) = serialize_into(&self.payload, &mut Discard)?;
        writer.write_all(&MAGIC)?;
        writer.write_all(&FORMAT_VERSION.to_le_bytes())?;
        writer.write_all(&payload_len.to_le_bytes())?;
        writer.write_all(&checksum.to_le_bytes())?;
        let mut sink = Stream { writer };
        let written = serialize_into(&self.payload, &mut sink)?;
        if written != (payload_len, checksum) {
            return Err(io::Error::other(
                "the similarity index payload changed between its two serializations",
            ));
        }
        Ok(())
    }

    /// The bytes of the index, as [`SimilarityFile::write_to`] writes them.
    pub fn encode(&self) -> Result<Vec<u8>, IndexFileError> {
        let encode_error = |error: io::Error| IndexFileError::Encode(error.to_string());
        let (size, _) = serialize_into(&self.payload, &mut Discard).map_err(encode_error)?;
        let mut bytes = Vec::with_capacity(HEADER_LEN + size as usize);
        self.write_to(&mut bytes).map_err(encode_error)?;
        Ok(bytes)
    }

    /// The incidents, in the review's order.
    pub fn incidents(&self) -> &[IndexedIncident] {
        &self.payload.incidents
    }

    /// The patterns the incidents' `pattern` points into.
    pub fn patterns(&self) -> &[IndexedPattern] {
        &self.payload.patterns
    }

    /// The pattern of incident `index`, if it has one.
    pub fn pattern_of(&self, index: usize) -> Option<&IndexedPattern> {
        let pattern = self.payload.incidents.get(index)?.pattern?;
        self.payload.patterns.get(pattern as usize)
    }

    /// The review's "now".
    pub fn as_of(&self) -> Option<DateTime<Utc>> {
        self.payload.as_of
    }

    /// The number of terms of the vocabulary.
    pub fn n_terms(&self) -> usize {
        self.payload.keys.len()
    }

    /// The dimensions of the embedding.
    pub fn dims(&self) -> usize {
        self.payload.dims as usize
    }

    /// The position of the incident with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.payload
            .incidents
            .iter()
            .position(|incident| incident.id == id)
    }

    /// The `top` incidents most similar to incident `index` (cosine of LSA rows), best first,
    /// ties to the lower index, each with the terms both share; empty for an incident without
    /// text or out of range.
    pub fn most_similar(&self, index: usize, top: usize) -> Vec<Neighbor> {
        let Some(embedding) = self.embedding() else {
            return Vec::new();
        };
        if index >= embedding.nrows() {
            return Vec::new();
        }
        let row = embedding.row(index);
        if row.iter().all(|&x| x == 0.0) {
            return Vec::new();
        }
        let scored = (0..embedding.nrows())
            .filter(|&other| other != index)
            .filter_map(|other| {
                let candidate = embedding.row(other);
                candidate
                    .iter()
                    .any(|&x| x != 0.0)
                    .then(|| (row.dot(&candidate), other))
            })
            .collect();
        let own = self.payload.rows.row(index);
        self.explain(own, best(scored, top))
    }

    /// A free text (what an incident commander types) embedded with the index's vocabulary,
    /// weighed as a summary.
    pub fn embed_text(&self, text: &str) -> EmbeddedText {
        self.embed_fields(&[(text, self.payload.text.field_weights().summary)])
    }

    /// A new incident embedded the way the review embedded its incidents: its text fields with
    /// the review's field weights ([`weighted_fields`]).
    pub fn embed_incident(&self, incident: &Incident) -> EmbeddedText {
        let weights = self.payload.text.field_weights();
        self.embed_fields(&weighted_fields(incident, &weights))
    }

    /// Texts with their field weights, embedded with the index's vocabulary (see the module
    /// docs): the TF-IDF row the review would have given them, and its LSA embedding.
    pub fn embed_fields(&self, fields: &[(&str, f32)]) -> EmbeddedText {
        let payload = &self.payload;
        let mut columns: FxHashMap<&str, u32> = FxHashMap::default();
        for (column, key) in payload.keys.iter().enumerate() {
            columns.entry(key.as_str()).or_insert(column as u32);
        }
        let pipeline = TextPipeline::new(&payload.text.text_config());
        let mut cache = WordCache::default();
        let mut counts: Vec<(u32, f32)> = Vec::new();
        let mut tokens: Vec<(String, bool)> = Vec::new();
        for &(text, weight) in fields {
            if text.trim().is_empty() || weight <= 0.0 {
                continue;
            }
            tokens.clear();
            pipeline.visit(text, &mut cache, |stem, _, adjacent| {
                tokens.push((stem.to_owned(), adjacent));
            });
            let mut count = |key: &str| {
                if let Some(&column) = columns.get(key) {
                    counts.push((column, weight));
                }
            };
            for at in 0..tokens.len() {
                count(&tokens[at].0);
                // Phrases are adjacent tokens within one field, as the vectorizer forms them.
                if at >= 1 && tokens[at].1 {
                    count(&format!("{} {}", tokens[at - 1].0, tokens[at].0));
                    if at >= 2 && tokens[at - 1].1 {
                        count(&format!(
                            "{} {} {}",
                            tokens[at - 2].0,
                            tokens[at - 1].0,
                            tokens[at].0
                        ));
                    }
                }
            }
        }
        counts.sort_by_key(|&(column, _)| column);
        let mut row: Vec<(u32, f32)> = Vec::with_capacity(counts.len());
        for (column, weight) in counts {
            match row.last_mut() {
                Some(last) if last.0 == column => last.1 += weight,
                _ => row.push((column, weight)),
            }
        }
        let name_weight = payload.text.proper_noun_weight;
        for (column, tf) in &mut row {
            let column = *column as usize;
            let name_factor = if payload.name_like[column] {
                name_weight
            } else {
                1.0
            };
            *tf = (1.0 + *tf).ln() * (payload.idf[column] * name_factor);
        }
        let norm = row.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        let embedding = project(&row, &payload.basis, self.dims());
        EmbeddedText { row, embedding }
    }

    /// The `top` terms of an embedded text, strongest first (what the index recognised in it).
    pub fn terms_of(&self, text: &EmbeddedText, top: usize) -> Vec<String> {
        let mut row = text.row.clone();
        row.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        row.iter()
            .take(top)
            .filter_map(|&(column, _)| self.payload.terms.get(column as usize).cloned())
            .collect()
    }

    /// The `top` incidents most like an embedded text (cosine of LSA rows), best first, ties
    /// to the lower index, each with the terms both share; `exclude` leaves one incident out
    /// (the same report, when it is in the index already).
    pub fn most_similar_to(
        &self,
        text: &EmbeddedText,
        top: usize,
        exclude: Option<usize>,
    ) -> Vec<Neighbor> {
        let Some(embedding) = self.embedding() else {
            return Vec::new();
        };
        if text.is_empty() || text.embedding.len() != embedding.ncols() {
            return Vec::new();
        }
        let query = ndarray::ArrayView1::from(&text.embedding[..]);
        if query.iter().all(|&x| x == 0.0) {
            return Vec::new();
        }
        let scored = (0..embedding.nrows())
            .filter(|&other| Some(other) != exclude)
            .filter_map(|other| {
                let candidate = embedding.row(other);
                candidate
                    .iter()
                    .any(|&x| x != 0.0)
                    .then(|| (query.dot(&candidate), other))
            })
            .collect();
        self.explain(&text.row, best(scored, top))
    }

    fn embedding(&self) -> Option<ArrayView2<'_, f32>> {
        let rows = self.payload.incidents.len();
        ArrayView2::from_shape((rows, self.dims()), &self.payload.embedding[..]).ok()
    }

    fn explain(&self, row: &[(u32, f32)], scored: Vec<(f32, usize)>) -> Vec<Neighbor> {
        scored
            .into_iter()
            .map(|(score, index)| Neighbor {
                index,
                score,
                shared_terms: shared_row_terms(
                    row,
                    self.payload.rows.row(index),
                    &self.payload.terms,
                    SHARED_TERMS,
                    &self.payload.evidence,
                ),
            })
            .collect()
    }
}

impl SimilarityFile<'static> {
    /// [`SimilarityFile::build`] that takes the TF-IDF vectors, the embedding and the basis
    /// out of `patterns` (leaving them empty) instead of borrowing them: a review done with its
    /// patterns keeps the index without copying them. On an error `patterns` is left as it was.
    pub fn build_owned(
        source: &IndexSource<'_>,
        patterns: &mut Patterns,
    ) -> Result<Self, IndexFileError> {
        let meta = Metadata::of(source, patterns)?;
        let vectors = std::mem::take(&mut patterns.vectors);
        let n_terms = vectors.keys.len();
        let name_like = if vectors.name_like.is_empty() {
            vec![false; n_terms]
        } else {
            vectors.name_like
        };
        let evidence = match std::mem::take(&mut patterns.evidence_weights) {
            weights if weights.is_empty() => vec![1.0; n_terms],
            weights => weights,
        };
        meta.with_parts(Parts {
            keys: Cow::Owned(vectors.keys),
            terms: Cow::Owned(vectors.terms),
            idf: Cow::Owned(vectors.idf),
            name_like: Cow::Owned(name_like),
            evidence: Cow::Owned(evidence),
            rows: Rows::Nested(Cow::Owned(vectors.rows)),
            embedding: Cow::Owned(into_row_major(std::mem::take(&mut patterns.embedding))),
            basis: Cow::Owned(into_row_major(std::mem::take(&mut patterns.basis))),
        })
    }

    /// Read an index from its bytes: magic, version, length, checksum, payload, and the parts
    /// agreeing with each other, each checked in that order (see [`IndexFileError`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, IndexFileError> {
        let truncated = |expected: u64| IndexFileError::Truncated {
            expected,
            found: bytes.len() as u64,
        };
        let Some(magic) = bytes.get(..MAGIC.len()) else {
            return Err(if MAGIC.starts_with(bytes) {
                truncated(HEADER_LEN as u64)
            } else {
                IndexFileError::NotAnIndex
            });
        };
        if magic != MAGIC {
            return Err(IndexFileError::NotAnIndex);
        }
        let version = le_u32(bytes, 8).ok_or_else(|| truncated(HEADER_LEN as u64))?;
        if version != FORMAT_VERSION {
            return Err(IndexFileError::UnsupportedVersion {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let (Some(payload_len), Some(checksum)) = (le_u64(bytes, 12), le_u32(bytes, 20)) else {
            return Err(truncated(HEADER_LEN as u64));
        };
        let body = &bytes[HEADER_LEN..];
        let expected = (HEADER_LEN as u64).saturating_add(payload_len);
        if (body.len() as u64) < payload_len {
            return Err(truncated(expected));
        }
        if (body.len() as u64) > payload_len {
            return Err(corrupt(format!(
                "{} bytes after the payload of {payload_len} bytes",
                body.len() as u64 - payload_len
            )));
        }
        if crc32fast::hash(body) != checksum {
            return Err(corrupt("the checksum does not match: the file is damaged"));
        }
        let (payload, rest): (Payload<'static>, &[u8]) = postcard::take_from_bytes(body)
            .map_err(|error| corrupt(format!("cannot decode the payload: {error}")))?;
        if !rest.is_empty() {
            return Err(corrupt(format!("{} bytes left after decoding", rest.len())));
        }
        payload.check()?;
        Ok(Self { payload })
    }
}

impl Payload<'_> {
    /// That the parts agree, so that no query indexes out of bounds.
    fn check(&self) -> Result<(), IndexFileError> {
        let n = self.incidents.len();
        let n_terms = self.keys.len();
        let dims = self.dims as usize;
        let same = |what: &str, expected: Option<usize>, found: usize| {
            if expected == Some(found) {
                Ok(())
            } else {
                Err(corrupt(format!(
                    "{what} has {found} entries, expected {}",
                    expected
                        .map_or_else(|| "more than fit in memory".to_owned(), |e| e.to_string())
                )))
            }
        };
        same("the TF-IDF rows", Some(n), self.rows.len())?;
        same("the term names", Some(n_terms), self.terms.len())?;
        same("the idf", Some(n_terms), self.idf.len())?;
        same("the name flags", Some(n_terms), self.name_like.len())?;
        same("the evidence weights", Some(n_terms), self.evidence.len())?;
        same("the embedding", n.checked_mul(dims), self.embedding.len())?;
        same("the basis", n_terms.checked_mul(dims), self.basis.len())?;
        if let Some((index, _)) = self
            .rows
            .iter()
            .enumerate()
            .find(|(_, row)| row.iter().any(|&(column, _)| column as usize >= n_terms))
        {
            return Err(corrupt(format!(
                "the TF-IDF row of incident {index} names a term beyond the {n_terms} terms"
            )));
        }
        if let Some(incident) = self.incidents.iter().find(|incident| {
            incident
                .pattern
                .is_some_and(|p| p as usize >= self.patterns.len())
        }) {
            return Err(corrupt(format!(
                "incident {:?} names a pattern beyond the {} patterns",
                incident.id,
                self.patterns.len()
            )));
        }
        Ok(())
    }
}

/// The small parts of an index, copied from the incidents and the patterns, with the sizes of
/// the large parts checked.
struct Metadata {
    as_of: Option<DateTime<Utc>>,
    text: TextSettings,
    patterns: Vec<IndexedPattern>,
    incidents: Vec<IndexedIncident>,
    dims: u32,
}

/// The large parts of an index, borrowed or owned.
struct Parts<'a> {
    keys: Cow<'a, [String]>,
    terms: Cow<'a, [String]>,
    idf: Cow<'a, [f32]>,
    name_like: Cow<'a, [bool]>,
    evidence: Cow<'a, [f32]>,
    rows: Rows<'a>,
    embedding: Cow<'a, [f32]>,
    basis: Cow<'a, [f32]>,
}

impl Metadata {
    fn of(source: &IndexSource<'_>, patterns: &Patterns) -> Result<Self, IndexFileError> {
        let vectors = &patterns.vectors;
        let n = source.incidents.len();
        let n_terms = vectors.keys.len();
        let dims = patterns.embedding.ncols();
        let expect = |what: &'static str, expected: usize, found: usize| {
            if expected == found {
                Ok(())
            } else {
                Err(IndexFileError::Mismatch {
                    what,
                    expected,
                    found,
                })
            }
        };
        expect("the TF-IDF rows", n, vectors.rows.len())?;
        expect("the embedding", n, patterns.embedding.nrows())?;
        expect("the pattern assignment", n, patterns.assignment.len())?;
        expect("the term names", n_terms, vectors.terms.len())?;
        expect("the idf", n_terms, vectors.idf.len())?;
        if !vectors.name_like.is_empty() {
            expect("the name flags", n_terms, vectors.name_like.len())?;
        }
        if !patterns.evidence_weights.is_empty() {
            expect(
                "the evidence weights",
                n_terms,
                patterns.evidence_weights.len(),
            )?;
        }
        expect("the basis", n_terms, patterns.basis.nrows())?;
        expect("the basis dimensions", dims, patterns.basis.ncols())?;
        let n_patterns = patterns.patterns.len();
        expect("the pattern ids", n_patterns, source.pattern_ids.len())?;
        expect(
            "the pattern labels",
            n_patterns,
            source.pattern_labels.len(),
        )?;
        let incidents = source
            .incidents
            .iter()
            .zip(&patterns.assignment)
            .map(|(incident, pattern)| IndexedIncident {
                id: incident.id.clone(),
                title: incident.title.clone(),
                occurred_at: incident.occurred_at(),
                pattern: pattern
                    .filter(|&p| p < n_patterns)
                    .and_then(|p| u32::try_from(p).ok()),
                services: incident.services.clone(),
                teams: incident.teams.clone(),
                follow_ups: incident
                    .follow_ups
                    .iter()
                    .map(|follow_up| IndexedFollowUp {
                        id: follow_up.id.clone(),
                        title: follow_up.title.clone(),
                        owner: follow_up.owner.clone(),
                        status: follow_up.status,
                        due_at: follow_up.due_at,
                        tracker: follow_up.tracker.clone(),
                    })
                    .collect(),
            })
            .collect();
        Ok(Self {
            as_of: source.as_of,
            text: TextSettings::of(source.params),
            patterns: source
                .pattern_ids
                .iter()
                .zip(source.pattern_labels)
                .map(|(id, label)| IndexedPattern {
                    id: id.clone(),
                    label: label.clone(),
                })
                .collect(),
            incidents,
            dims: u32::try_from(dims).map_err(|_| IndexFileError::Mismatch {
                what: "the embedding dimensions",
                expected: u32::MAX as usize,
                found: dims,
            })?,
        })
    }

    fn with_parts(self, parts: Parts<'_>) -> Result<SimilarityFile<'_>, IndexFileError> {
        let payload = Payload {
            as_of: self.as_of,
            text: self.text,
            patterns: self.patterns,
            incidents: self.incidents,
            keys: parts.keys,
            terms: parts.terms,
            idf: parts.idf,
            name_like: parts.name_like,
            evidence: parts.evidence,
            rows: parts.rows,
            dims: self.dims,
            embedding: parts.embedding,
            basis: parts.basis,
        };
        payload.check()?;
        Ok(SimilarityFile { payload })
    }
}

/// Where [`serialize_into`] puts the payload's bytes.
trait Sink {
    fn take(&mut self, bytes: &[u8]) -> io::Result<()>;
}

/// Drops the bytes: for their length and checksum only.
struct Discard;

impl Sink for Discard {
    fn take(&mut self, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
}

/// Passes the bytes on to a writer.
struct Stream<'w, W: Write + ?Sized> {
    writer: &'w mut W,
}

impl<W: Write + ?Sized> Sink for Stream<'_, W> {
    fn take(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)
    }
}

/// The payload serialized into `sink` through a 64 KiB buffer: its length and CRC-32.
fn serialize_into<S: Sink>(payload: &Payload<'_>, sink: &mut S) -> io::Result<(u64, u32)> {
    let mut failure = None;
    let flavor = Buffered {
        sink,
        buffer: Vec::with_capacity(BUFFER),
        hasher: crc32fast::Hasher::new(),
        written: 0,
        failure: &mut failure,
    };
    match postcard::serialize_with_flavor(payload, flavor) {
        Ok(done) => Ok(done),
        Err(error) => Err(failure.take().unwrap_or_else(|| {
            io::Error::other(format!("cannot encode the similarity index: {error}"))
        })),
    }
}

const BUFFER: usize = 1 << 16;

/// A postcard flavor handing full buffers to a sink, counting and checksumming them.
struct Buffered<'s, S> {
    sink: &'s mut S,
    buffer: Vec<u8>,
    hasher: crc32fast::Hasher,
    written: u64,
    /// The sink's error, which postcard's own error type cannot carry.
    failure: &'s mut Option<io::Error>,
}

impl<S: Sink> Buffered<'_, S> {
    fn flush(&mut self) -> postcard::Result<()> {
        self.hasher.update(&self.buffer);
        self.written += self.buffer.len() as u64;
        let taken = self.sink.take(&self.buffer);
        self.buffer.clear();
        taken.map_err(|error| {
            *self.failure = Some(error);
            postcard::Error::SerializeBufferFull
        })
    }
}

impl<S: Sink> postcard::ser_flavors::Flavor for Buffered<'_, S> {
    type Output = (u64, u32);

    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.buffer.push(byte);
        if self.buffer.len() >= BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        if self.buffer.len() + bytes.len() > BUFFER {
            self.flush()?;
        }
        if bytes.len() >= BUFFER {
            self.hasher.update(bytes);
            self.written += bytes.len() as u64;
            return self.sink.take(bytes).map_err(|error| {
                *self.failure = Some(error);
                postcard::Error::SerializeBufferFull
            });
        }
        self.buffer.extend_from_slice(bytes);
        Ok(())
    }

    fn finalize(mut self) -> postcard::Result<(u64, u32)> {
        self.flush()?;
        Ok((self.written, self.hasher.finalize()))
    }
}

fn corrupt(reason: impl Into<String>) -> IndexFileError {
    IndexFileError::Corrupt {
        reason: reason.into(),
    }
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// A matrix's values row-major, without a copy when it is laid out so already.
fn into_row_major(matrix: ndarray::Array2<f32>) -> Vec<f32> {
    if matrix.is_standard_layout() {
        let len = matrix.len();
        let (values, offset) = matrix.into_raw_vec_and_offset();
        match offset.unwrap_or(0) {
            0 if values.len() == len => values,
            offset => values
                .get(offset..offset + len)
                .map(<[f32]>::to_vec)
                .unwrap_or_default(),
        }
    } else {
        matrix.iter().copied().collect()
    }
}

/// A matrix's values row-major, borrowed when it is laid out so already.
fn contiguous(matrix: ArrayView2<'_, f32>) -> Cow<'_, [f32]> {
    match matrix.to_slice() {
        Some(values) => Cow::Borrowed(values),
        None => Cow::Owned(matrix.iter().copied().collect()),
    }
}

/// Numbers as their little-endian bytes, in byte strings of at most 64 KiB each: read back
/// with one exact allocation and a copy per chunk, where a sequence of numbers would be decoded
/// one by one into a growing vector, and written without a copy of the whole.
mod blob {
    use std::borrow::Cow;
    use std::marker::PhantomData;

    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::ser::SerializeSeq as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Bytes per chunk at most.
    const CHUNK: usize = 1 << 16;
    /// Values reserved ahead at most, whatever the chunk count says.
    const MAX_RESERVED: usize = 1 << 28;

    /// A number of fixed width.
    pub trait Value: Copy {
        const SIZE: usize;
        fn put(self, out: &mut Vec<u8>);
        fn get(bytes: &[u8]) -> Self;
    }

    impl Value for f32 {
        const SIZE: usize = 4;
        fn put(self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.to_le_bytes());
        }
        fn get(bytes: &[u8]) -> Self {
            let mut le = [0; 4];
            le.copy_from_slice(&bytes[..4]);
            f32::from_le_bytes(le)
        }
    }

    impl Value for (u32, f32) {
        const SIZE: usize = 8;
        fn put(self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.0.to_le_bytes());
            out.extend_from_slice(&self.1.to_le_bytes());
        }
        fn get(bytes: &[u8]) -> Self {
            let (mut column, mut weight) = ([0; 4], [0; 4]);
            column.copy_from_slice(&bytes[..4]);
            weight.copy_from_slice(&bytes[4..8]);
            (u32::from_le_bytes(column), f32::from_le_bytes(weight))
        }
    }

    /// The values of an iterator, serialized as chunks (the iterator is cloned to be read).
    pub struct Chunks<I>(pub I);

    impl<T: Value, I: Iterator<Item = T> + Clone> Serialize for Chunks<I> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let per_chunk = CHUNK / T::SIZE;
            let count = self.0.clone().count();
            let mut seq = serializer.serialize_seq(Some(count.div_ceil(per_chunk)))?;
            let mut values = self.0.clone().peekable();
            let mut buffer = Vec::with_capacity(CHUNK);
            while values.peek().is_some() {
                buffer.clear();
                values
                    .by_ref()
                    .take(per_chunk)
                    .for_each(|value| value.put(&mut buffer));
                seq.serialize_element(&Bytes(&buffer))?;
            }
            seq.end()
        }
    }

    struct Bytes<'b>(&'b [u8]);

    impl Serialize for Bytes<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(self.0)
        }
    }

    /// The values read back from their chunks.
    pub struct Values<T>(pub Vec<T>);

    impl<'de, T: Value> Deserialize<'de> for Values<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_seq(ChunksVisitor(PhantomData))
        }
    }

    struct ChunksVisitor<T>(PhantomData<T>);

    impl<'de, T: Value> Visitor<'de> for ChunksVisitor<T> {
        type Value = Values<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("chunks of little-endian numbers")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Values<T>, A::Error> {
            let per_chunk = CHUNK / T::SIZE;
            let hint = seq.size_hint().unwrap_or(0).saturating_mul(per_chunk);
            let mut values = Vec::with_capacity(hint.min(MAX_RESERVED));
            while let Some(chunk) = seq.next_element::<Chunk<'de>>()? {
                let bytes = chunk.0.as_ref();
                if bytes.len() % T::SIZE != 0 || bytes.len() > CHUNK {
                    return Err(A::Error::custom(format!(
                        "a chunk of {} bytes, not a whole number of {}-byte values",
                        bytes.len(),
                        T::SIZE
                    )));
                }
                values.extend(bytes.chunks_exact(T::SIZE).map(T::get));
            }
            Ok(Values(values))
        }
    }

    /// One chunk: borrowed from the input when the decoder can.
    struct Chunk<'de>(Cow<'de, [u8]>);

    impl<'de> Deserialize<'de> for Chunk<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct BytesVisitor;
            impl<'de> Visitor<'de> for BytesVisitor {
                type Value = Chunk<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_borrowed_bytes<E>(self, bytes: &'de [u8]) -> Result<Chunk<'de>, E> {
                    Ok(Chunk(Cow::Borrowed(bytes)))
                }
                fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Chunk<'de>, E> {
                    Ok(Chunk(Cow::Owned(bytes.to_vec())))
                }
            }
            deserializer.deserialize_bytes(BytesVisitor)
        }
    }

    /// `#[serde(with = "blob")]` on a `Cow<[f32]>`.
    #[allow(
        clippy::ptr_arg,
        reason = "serde's `with` hands over the field by reference"
    )]
    pub fn serialize<S: Serializer>(values: &Cow<'_, [f32]>, s: S) -> Result<S::Ok, S::Error> {
        Chunks(values.iter().copied()).serialize(s)
    }

    /// `#[serde(with = "blob")]` on a `Cow<[f32]>`: always owned.
    pub fn deserialize<'de, 'a, D: Deserializer<'de>>(d: D) -> Result<Cow<'a, [f32]>, D::Error> {
        Ok(Cow::Owned(Values::<f32>::deserialize(d)?.0))
    }
}

/// A follow-up status as one byte (0 open, 1 done, 2 won't do), not as the enum's variant
/// index, so that reordering the enum cannot change what an index file means.
mod status_code {
    use recur_core::FollowUpStatus;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(status: &FollowUpStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(match status {
            FollowUpStatus::Open => 0,
            FollowUpStatus::Done => 1,
            FollowUpStatus::WontDo => 2,
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FollowUpStatus, D::Error> {
        match u8::deserialize(d)? {
            0 => Ok(FollowUpStatus::Open),
            1 => Ok(FollowUpStatus::Done),
            2 => Ok(FollowUpStatus::WontDo),
            other => Err(D::Error::custom(format!(
                "follow-up status {other} (expected 0, 1 or 2)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use recur_core::FollowUp;

    use super::*;
    use crate::patterns::find_patterns;
    use crate::similar::SimilarityIndex;

    /// Three causes, each written three ways.
    const CAUSES: [[&str; 3]; 3] = [
        [
            "The TLS certificate on the edge proxy expired overnight",
            "An expired certificate on the gateway broke every TLS handshake",
            "Nobody renewed the proxy certificate, so it expired and handshakes failed",
        ],
        [
            "The database connection pool was exhausted by slow queries",
            "Slow queries held every connection of the pool until the database refused more",
            "Connection pool exhausted after a burst of slow database queries",
        ],
        [
            "The disk of the storage node filled up with logs",
            "Log rotation stopped and the disk ran out of space",
            "Logs filled the storage disk until writes failed",
        ],
    ];

    struct Fixture {
        incidents: Vec<Incident>,
        patterns: Patterns,
        ids: Vec<String>,
        labels: Vec<String>,
        params: PatternParams,
    }

    impl Fixture {
        fn new() -> Self {
            let incidents: Vec<Incident> = (0..27)
                .map(|i| Incident {
                    id: format!("INC-{i}"),
                    root_cause: Some(CAUSES[i % 3][(i / 3) % 3].to_owned()),
                    // A name written mid-sentence in every disk report: weighed as a name.
                    body: (i % 3 == 2).then(|| "The team at Acme saw it first.".to_owned()),
                    started_at: Utc
                        .timestamp_opt(1_700_000_000 + i as i64 * 86_400, 0)
                        .single(),
                    // The disk reports' service is a name they also write in their text.
                    services: vec![match i % 3 {
                        2 => "Storage Node".to_owned(),
                        n => format!("service-{n}"),
                    }],
                    teams: vec!["platform".to_owned()],
                    follow_ups: vec![FollowUp {
                        id: Some(format!("OPS-{i}")),
                        incident_id: format!("INC-{i}"),
                        title: Some(format!("Fix cause {}", i % 3)),
                        owner: Some("Mei".to_owned()),
                        status: if i % 2 == 0 {
                            FollowUpStatus::Done
                        } else {
                            FollowUpStatus::Open
                        },
                        due_at: Utc.timestamp_opt(1_800_000_000, 0).single(),
                        ..FollowUp::default()
                    }],
                    ..Incident::default()
                })
                .collect();
            let params = PatternParams {
                k_max: 6,
                ..PatternParams::default()
            };
            let patterns = find_patterns(&incidents, &params).expect("valid parameters");
            let ids = (0..patterns.patterns.len())
                .map(|p| format!("P-{:04}", p + 1))
                .collect();
            let labels = patterns.patterns.iter().map(|p| p.label.clone()).collect();
            Self {
                incidents,
                patterns,
                ids,
                labels,
                params,
            }
        }

        fn source(&self) -> IndexSource<'_> {
            IndexSource {
                incidents: &self.incidents,
                pattern_ids: &self.ids,
                pattern_labels: &self.labels,
                params: &self.params,
                as_of: Utc.timestamp_opt(1_750_000_000, 0).single(),
            }
        }

        fn file(&self) -> SimilarityFile<'_> {
            SimilarityFile::build(&self.source(), &self.patterns).expect("parts belong together")
        }
    }

    fn decode_error(bytes: &[u8]) -> IndexFileError {
        match SimilarityFile::decode(bytes) {
            Ok(_) => panic!("{} bytes decoded", bytes.len()),
            Err(error) => error,
        }
    }

    /// The bytes with their checksum made right again for the payload as it now is.
    fn with_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
        let checksum = crc32fast::hash(&bytes[HEADER_LEN..]);
        bytes[20..24].copy_from_slice(&checksum.to_le_bytes());
        bytes
    }

    #[test]
    fn round_trip_gives_the_same_answers_as_the_index_in_memory() {
        let fixture = Fixture::new();
        let file = fixture.file();
        let bytes = file.encode().expect("encodes");
        assert_eq!(&bytes[..8], b"RECURSIM");
        assert_eq!(bytes, file.encode().expect("encodes"), "deterministic");
        let decoded = SimilarityFile::decode(&bytes).expect("decodes");
        assert_eq!(decoded, file);
        assert_eq!(decoded.encode().expect("encodes"), bytes);
        let in_memory = SimilarityIndex::from_patterns(&fixture.patterns);
        for index in 0..fixture.incidents.len() {
            let expected = in_memory.most_similar(index, 5);
            assert_eq!(file.most_similar(index, 5), expected, "incident {index}");
            assert_eq!(decoded.most_similar(index, 5), expected, "incident {index}");
        }
        let text = "the certificate expired";
        assert_eq!(
            decoded.most_similar_to(&decoded.embed_text(text), 5, None),
            file.most_similar_to(&file.embed_text(text), 5, None)
        );
        assert_eq!(decoded.position("INC-4"), Some(4));
        assert_eq!(
            decoded.incidents()[4].follow_ups[0].status,
            FollowUpStatus::Done
        );
        assert_eq!(
            decoded.incidents()[5].follow_ups[0].status,
            FollowUpStatus::Open
        );
        assert_eq!(
            decoded.incidents()[4].occurred_at,
            fixture.incidents[4].started_at
        );
        let pattern = fixture.patterns.assignment[4].expect("in a pattern");
        assert_eq!(
            decoded.pattern_of(4).map(|p| p.id.as_str()),
            Some(fixture.ids[pattern].as_str())
        );
        assert_eq!(decoded.as_of(), fixture.source().as_of);
    }

    #[test]
    fn shared_terms_weigh_names_as_the_labels_do() {
        let fixture = Fixture::new();
        let vectors = &fixture.patterns.vectors;
        let column = |name: &str| {
            vectors
                .terms
                .iter()
                .position(|term| term.eq_ignore_ascii_case(name))
                .unwrap_or_else(|| panic!("{name} is a term"))
        };
        let weights = &fixture.patterns.evidence_weights;
        assert!(weights[column("storage node")] < 1.0);
        assert_eq!(weights[column("disk")], 1.0);
        let decoded =
            SimilarityFile::decode(&fixture.file().encode().expect("encodes")).expect("decodes");
        // Two disk reports written alike: both name their service.
        let (a, b) = (2, 11);
        let unweighted =
            shared_row_terms(&vectors.rows[a], &vectors.rows[b], &vectors.terms, 99, &[]);
        let weighted = shared_row_terms(
            &vectors.rows[a],
            &vectors.rows[b],
            &vectors.terms,
            99,
            &fixture.patterns.evidence_weights,
        );
        let place = |terms: &[String]| terms.iter().position(|t| t == "storage node");
        assert!(
            place(&weighted) > place(&unweighted),
            "{unweighted:?} vs {weighted:?}"
        );
        let neighbor = decoded
            .most_similar(a, 30)
            .into_iter()
            .find(|n| n.index == b)
            .expect("b is among a's neighbours");
        assert_eq!(
            neighbor.shared_terms,
            weighted[..SHARED_TERMS.min(weighted.len())]
        );
    }

    #[test]
    fn an_index_taking_the_parts_writes_the_same_bytes_and_streams_them() {
        let fixture = Fixture::new();
        let bytes = fixture.file().encode().expect("encodes");
        let mut patterns = fixture.patterns.clone();
        let owned = SimilarityFile::build_owned(&fixture.source(), &mut patterns).expect("builds");
        assert!(patterns.vectors.rows.is_empty() && patterns.embedding.is_empty());
        assert_eq!(owned, fixture.file());
        let mut streamed = Vec::new();
        owned.write_to(&mut streamed).expect("writes");
        assert_eq!(streamed, bytes);
        // A writer that fails half-way: its error, not a panic or a short file taken as done.
        let mut short = [0u8; 100];
        let error = owned
            .write_to(&mut &mut short[..])
            .expect_err("100 bytes do not hold it");
        assert_eq!(error.kind(), std::io::ErrorKind::WriteZero);
        // On a mismatch the patterns are left whole.
        let mut patterns = fixture.patterns.clone();
        let fewer = IndexSource {
            incidents: &fixture.incidents[1..],
            ..fixture.source()
        };
        assert!(SimilarityFile::build_owned(&fewer, &mut patterns).is_err());
        assert_eq!(patterns, fixture.patterns);
        assert_eq!(
            SimilarityFile::decode(&SimilarityFile::default().encode().expect("encodes"))
                .expect("decodes")
                .most_similar(0, 3),
            Vec::new()
        );
    }

    #[test]
    fn an_incident_of_the_index_embeds_as_its_own_row() {
        let fixture = Fixture::new();
        let file = fixture.file();
        assert!(
            fixture.patterns.vectors.name_like.iter().any(|&name| name),
            "Acme is weighed as a name"
        );
        let embedding = &fixture.patterns.embedding;
        for (index, incident) in fixture.incidents.iter().enumerate() {
            let embedded = file.embed_incident(incident);
            let row = &fixture.patterns.vectors.rows[index];
            let columns = |row: &[(u32, f32)]| row.iter().map(|&(c, _)| c).collect::<Vec<_>>();
            assert_eq!(columns(&embedded.row), columns(row), "incident {index}");
            for (&(_, a), &(_, b)) in embedded.row.iter().zip(row) {
                assert!((a - b).abs() < 1e-5, "incident {index}: {a} vs {b}");
            }
            let cosine: f32 = embedded
                .embedding
                .iter()
                .zip(embedding.row(index))
                .map(|(a, b)| a * b)
                .sum();
            assert!(cosine > 0.9999, "incident {index}: {cosine}");
        }
    }

    #[test]
    fn a_new_text_like_one_cause_finds_that_cause_first() {
        let fixture = Fixture::new();
        let file = fixture.file();
        for (cause, text) in [
            (
                0,
                "Clients fail the TLS handshake: the proxy certificate has expired",
            ),
            (
                1,
                "Slow queries are exhausting the database connection pool",
            ),
            (2, "The storage disk is full of logs again"),
        ] {
            let embedded = file.embed_text(text);
            assert!(!embedded.is_empty(), "{text}");
            let found = file.most_similar_to(&embedded, 5, None);
            assert_eq!(found.len(), 5);
            assert!(
                found.iter().all(|n| n.index % 3 == cause),
                "{text}: {:?}",
                found.iter().map(|n| n.index).collect::<Vec<_>>()
            );
            assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
            assert!(found.iter().all(|n| !n.shared_terms.is_empty()));
        }
        let certificate = file.most_similar_to(&file.embed_text("certificate expired"), 1, None);
        assert!(
            certificate[0]
                .shared_terms
                .iter()
                .any(|t| t.contains("certificate")),
            "{certificate:?}"
        );
        let unknown = file.embed_text("zebra quokka");
        assert!(unknown.is_empty());
        assert!(file.most_similar_to(&unknown, 5, None).is_empty());
        let excluded =
            file.most_similar_to(&file.embed_incident(&fixture.incidents[0]), 3, Some(0));
        assert!(excluded.iter().all(|n| n.index != 0));
        assert_eq!(excluded[0].index % 3, 0);
    }

    #[test]
    fn wrong_magic_version_or_length_are_told_apart() {
        let fixture = Fixture::new();
        let bytes = fixture.file().encode().expect("encodes");
        let len = bytes.len() as u64;
        assert_eq!(
            decode_error(&[]),
            IndexFileError::Truncated {
                expected: 24,
                found: 0
            }
        );
        assert_eq!(
            decode_error(&bytes[..10]),
            IndexFileError::Truncated {
                expected: 24,
                found: 10
            }
        );
        assert_eq!(
            decode_error(b"incident_id,title\n"),
            IndexFileError::NotAnIndex
        );
        let mut wrong_magic = bytes.clone();
        wrong_magic[0] = b'X';
        assert_eq!(decode_error(&wrong_magic), IndexFileError::NotAnIndex);
        // A newer version, and version 1 (before the evidence weights), are both refused.
        for found in [FORMAT_VERSION + 1, 1] {
            let mut other = bytes.clone();
            other[8..12].copy_from_slice(&found.to_le_bytes());
            let error = decode_error(&other);
            assert_eq!(
                error,
                IndexFileError::UnsupportedVersion {
                    found,
                    expected: FORMAT_VERSION
                }
            );
            assert!(
                error.to_string().contains(&format!("version {found}")),
                "{error}"
            );
        }
        assert_eq!(
            decode_error(&bytes[..bytes.len() - 1]),
            IndexFileError::Truncated {
                expected: len,
                found: len - 1
            }
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            decode_error(&longer),
            IndexFileError::Corrupt { .. }
        ));
    }

    #[test]
    fn damaged_bytes_are_errors_never_panics() {
        let fixture = Fixture::new();
        let bytes = fixture.file().encode().expect("encodes");
        let mut flipped = bytes.clone();
        let middle = bytes.len() / 2;
        flipped[middle] ^= 0x55;
        let error = decode_error(&flipped);
        assert!(error.to_string().contains("checksum"), "{error}");
        // Garbage with a right checksum: the decoder, then the consistency checks, refuse it.
        let mut garbage = bytes[..HEADER_LEN].to_vec();
        garbage.extend((0..400u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let length = (garbage.len() - HEADER_LEN) as u64;
        garbage[12..20].copy_from_slice(&length.to_le_bytes());
        let error = decode_error(&with_checksum(garbage));
        assert!(matches!(error, IndexFileError::Corrupt { .. }), "{error}");
        // Every cut is an error, and every byte changed (checksum fixed) decodes or is refused.
        for cut in (0..bytes.len()).step_by(97) {
            assert!(
                SimilarityFile::decode(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        for at in (HEADER_LEN..bytes.len()).step_by(53) {
            let mut changed = bytes.clone();
            changed[at] = changed[at].wrapping_add(0x80);
            if let Ok(file) = SimilarityFile::decode(&with_checksum(changed)) {
                // What decodes is consistent: queries stay in bounds.
                for index in 0..file.incidents().len() {
                    file.most_similar(index, 3);
                }
                file.most_similar_to(&file.embed_text("certificate pool disk"), 3, None);
            }
        }
    }

    #[test]
    fn numbers_of_many_chunks_round_trip() {
        let values: Vec<f32> = (0..40_000).map(|i| i as f32 * 0.5 - 7.0).collect();
        let bytes = postcard::to_allocvec(&blob::Chunks(values.iter().copied())).expect("encodes");
        assert_eq!(
            bytes[0], 3,
            "160 000 bytes make three chunks of at most 64 KiB"
        );
        let decoded: blob::Values<f32> = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(decoded.0, values);
        let entries: Vec<(u32, f32)> = (0..10_000).map(|i| (i * 3, 1.0 / (i + 1) as f32)).collect();
        let bytes = postcard::to_allocvec(&blob::Chunks(entries.iter().copied())).expect("encodes");
        let decoded: blob::Values<(u32, f32)> = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(decoded.0, entries);
        // A chunk that is not a whole number of values is refused.
        // One chunk of three bytes: not a whole number of values.
        let ragged = [1, 3, 1, 2, 3];
        assert!(postcard::from_bytes::<blob::Values<f32>>(&ragged).is_err());
        let whole = [1, 4, 0, 0, 128, 63];
        let one: blob::Values<f32> = postcard::from_bytes(&whole).expect("decodes");
        assert_eq!(one.0, [1.0]);
    }

    #[test]
    fn parts_that_disagree_are_refused() {
        let fixture = Fixture::new();
        let mut file = fixture.file();
        let mut rows = fixture.patterns.vectors.rows.clone();
        rows.pop();
        file.payload.rows = Rows::Nested(Cow::Owned(rows));
        let bytes = file.encode().expect("encodes");
        let error = decode_error(&bytes);
        assert!(error.to_string().contains("TF-IDF rows"), "{error}");
        let mut file = fixture.file();
        let mut evidence = fixture.patterns.evidence_weights.clone();
        evidence.pop();
        file.payload.evidence = Cow::Owned(evidence);
        let error = decode_error(&file.encode().expect("encodes"));
        assert!(error.to_string().contains("evidence weights"), "{error}");
        let fewer = IndexSource {
            incidents: &fixture.incidents[1..],
            ..fixture.source()
        };
        assert_eq!(
            SimilarityFile::build(&fewer, &fixture.patterns).err(),
            Some(IndexFileError::Mismatch {
                what: "the TF-IDF rows",
                expected: 26,
                found: 27
            })
        );
    }
}
