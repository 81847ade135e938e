//! Sparse TF-IDF of incidents: weighted fields, significant phrases, sublinear term frequency,
//! document-frequency bounds and L2-normalized rows.
//!
//! The weight of term `t` in incident `d` is `ln(1 + Σ_f w_f · count_f(t, d)) · idf(t)`, where
//! `f` runs over the text fields with the weights of [`FieldWeights`], and
//! `idf(t) = ln((1 + N) / (1 + df(t))) + 1` (the smoothed form of scikit-learn). Rows are
//! L2-normalized, so a dot product of two rows is their cosine similarity.
//!
//! Phrases: a pair or triple of adjacent tokens (see [`crate::text::Token::adjacent`]) becomes a
//! term of its own, besides its words, when it occurs in at least `min_count` incidents and its
//! normalized pointwise mutual information is at least `min_npmi` ("connection pool", "feature
//! flag"; not "database restart" if those words mostly appear apart). Phrases are counted on an
//! evenly spaced sample of at most 20 000 incidents, so `min_count` applies to that sample.

use rustc_hash::{FxHashMap, FxHashSet};

use rayon::prelude::*;
use recur_core::Incident;
use serde::{Deserialize, Serialize};

use crate::text::{SurfaceForms, TextPipeline, WordCache};

/// TF-IDF vectors of a set of incidents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TfIdf {
    /// The display form of each column: words as people wrote them ("connection pool").
    pub terms: Vec<String>,
    /// The matching key of each column: stems, space-separated for phrases. Sorted ascending.
    pub keys: Vec<String>,
    /// One row per incident: (column, weight), sorted by column, L2-normalized. An incident
    /// without any kept term has an empty row.
    pub rows: Vec<Vec<(u32, f32)>>,
    /// Inverse document frequency of each column.
    pub idf: Vec<f32>,
    /// Number of incidents each column occurs in.
    pub df: Vec<u32>,
    /// Whether each column is written like a name (a company, product or place), so that its
    /// weights are scaled by [`TfIdfParams::proper_noun_weight`]. Empty means none is.
    #[serde(default)]
    pub name_like: Vec<bool>,
}

impl TfIdf {
    /// Number of columns (terms).
    pub fn n_terms(&self) -> usize {
        self.terms.len()
    }

    /// Cosine similarity of two rows (both are L2-normalized).
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        match (self.rows.get(a), self.rows.get(b)) {
            (Some(a), Some(b)) => sparse_dot(a, b),
            _ => 0.0,
        }
    }
}

/// Dot product of two sparse rows sorted by column (`f32` rows, or `f64` sums of rows).
pub fn sparse_dot<T>(a: &[(u32, T)], b: &[(u32, T)]) -> T
where
    T: Copy + Default + std::ops::Mul<Output = T> + std::ops::AddAssign,
{
    let (mut i, mut j, mut sum) = (0, 0, T::default());
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// How much each text field counts. Defaults: root cause and trigger 3; title and summary 2;
/// tags 1.5; remediation, recovery and prevention 1; body 0.5 (long narrative, mostly how the
/// response went); each contributing factor 0.5 (factors are shared across causes by nature:
/// weighed like the root cause, "alert threshold set loosely" made patterns of its own across
/// three causes of the held-out planted data).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldWeights {
    /// Weight of `root_cause`. Default 3.
    pub root_cause: f32,
    /// Weight of `trigger`. Default 3.
    pub trigger: f32,
    /// Weight of each of `contributing_factors`. Default 0.5.
    pub contributing_factors: f32,
    /// Weight of `title`. Default 2.
    pub title: f32,
    /// Weight of `summary`. Default 2.
    pub summary: f32,
    /// Weight of `tags`. Default 1.5.
    pub tags: f32,
    /// Weight of `remediation`, `recovery` and `prevention`. Default 1.
    pub remediation: f32,
    /// Weight of `body`. Default 0.5.
    pub body: f32,
}

impl Default for FieldWeights {
    fn default() -> Self {
        Self {
            root_cause: 3.0,
            trigger: 3.0,
            contributing_factors: 0.5,
            title: 2.0,
            summary: 2.0,
            tags: 1.5,
            remediation: 1.0,
            body: 0.5,
        }
    }
}

/// Parameters of the vectorizer. Validated by [`crate::patterns::PatternParams::check`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TfIdfParams {
    /// Keep terms in at least this many incidents. Default 2.
    pub min_df: usize,
    /// Keep terms in at most this fraction of incidents. Default 0.5.
    pub max_df: f64,
    /// A phrase must occur in at least this many incidents. Default 3.
    pub phrase_min_count: usize,
    /// A phrase's normalized PMI (in -1..=1) must be at least this. Default 0.35.
    pub phrase_min_npmi: f64,
    /// Factor on the weight of terms written like names (capitalized mid-sentence in most of
    /// their uses: companies, products, places), which say where rather than why. Default 0.3.
    pub proper_noun_weight: f32,
    /// Field weights.
    pub field_weights: FieldWeights,
}

impl Default for TfIdfParams {
    fn default() -> Self {
        Self {
            min_df: 2,
            max_df: 0.5,
            phrase_min_count: 3,
            phrase_min_npmi: 0.35,
            proper_noun_weight: 0.3,
            field_weights: FieldWeights::default(),
        }
    }
}

/// The weighted texts of an incident, in a fixed order.
pub fn weighted_fields<'a>(incident: &'a Incident, weights: &FieldWeights) -> Vec<(&'a str, f32)> {
    fields_with_kind(incident, weights)
        .into_iter()
        .map(|(text, weight, _)| (text, weight))
        .collect()
}

/// The weighted texts, each with whether it is a heading (title, tag), where capitals say
/// nothing about names.
fn fields_with_kind<'a>(
    incident: &'a Incident,
    weights: &FieldWeights,
) -> Vec<(&'a str, f32, bool)> {
    let mut fields = Vec::new();
    let mut push = |text: Option<&'a String>, weight: f32, heading: bool| {
        if let Some(text) = text.filter(|text| !text.trim().is_empty())
            && weight > 0.0
        {
            fields.push((text.as_str(), weight, heading));
        }
    };
    push(incident.root_cause.as_ref(), weights.root_cause, false);
    push(incident.trigger.as_ref(), weights.trigger, false);
    for factor in &incident.contributing_factors {
        push(Some(factor), weights.contributing_factors, false);
    }
    push(incident.title.as_ref(), weights.title, true);
    push(incident.summary.as_ref(), weights.summary, false);
    for tag in &incident.tags {
        push(Some(tag), weights.tags, true);
    }
    push(incident.remediation.as_ref(), weights.remediation, false);
    push(incident.recovery.as_ref(), weights.remediation, false);
    push(incident.prevention.as_ref(), weights.remediation, false);
    push(incident.body.as_ref(), weights.body, false);
    fields
}

/// Token ids of one incident, field after field, with the adjacency flag in the top bit; one
/// allocation per incident rather than one per field.
#[derive(Default)]
struct DocTokens {
    ids: Vec<u32>,
    /// Each field's weight and the end of its ids.
    fields: Vec<(f32, u32)>,
}

impl DocTokens {
    /// Each field's weight and token ids.
    fn fields(&self) -> impl Iterator<Item = (f32, &[u32])> {
        let mut start = 0;
        self.fields.iter().map(move |&(weight, end)| {
            let ids = &self.ids[start..end as usize];
            start = end as usize;
            (weight, ids)
        })
    }
}

const ADJACENT: u32 = 1 << 31;

/// One chunk's interned tokens.
struct Chunk {
    stems: Vec<String>,
    names: Vec<(u32, u32)>,
    surfaces: SurfaceForms,
    docs: Vec<DocTokens>,
}

const CHUNK: usize = 8192;

/// Vectorize incidents. Deterministic: same input and params, same output.
pub fn vectorize(incidents: &[Incident], pipeline: &TextPipeline, params: &TfIdfParams) -> TfIdf {
    let n_docs = incidents.len();
    let Tokenized {
        stems,
        surfaces,
        proper,
        docs,
    } = tokenize_all(incidents, pipeline, &params.field_weights);
    let n_unigrams = stems.len();

    let phrases = find_phrases(&docs, n_unigrams, params);
    let phrase_index: FxHashMap<Gram, u32> = phrases
        .iter()
        .enumerate()
        .map(|(i, phrase)| (*phrase, (n_unigrams + i) as u32))
        .collect();

    // Raw weighted term frequencies per document, ids over unigrams then phrases.
    let raw: Vec<Vec<(u32, f32)>> = docs
        .par_iter()
        .map(|doc| {
            let mut terms: Vec<(u32, f32)> = Vec::with_capacity(doc.ids.len());
            for (weight, ids) in doc.fields() {
                terms.extend(ids.iter().map(|id| (id & !ADJACENT, weight)));
                if !phrase_index.is_empty() {
                    grams(ids, |gram| {
                        if let Some(&phrase) = phrase_index.get(&gram) {
                            terms.push((phrase, weight));
                        }
                    });
                }
            }
            merge_sorted(terms)
        })
        .collect();

    let n_all = n_unigrams + phrases.len();
    let is_name = |id: usize| -> bool {
        if id < n_unigrams {
            proper[id]
        } else {
            parts(&phrases[id - n_unigrams])
                .iter()
                .all(|&part| proper[part as usize])
        }
    };
    let name_factor = |id: usize| -> f32 {
        if is_name(id) {
            params.proper_noun_weight
        } else {
            1.0
        }
    };
    let df = raw
        .par_iter()
        .with_min_len(4096)
        .fold(
            || vec![0u32; n_all],
            |mut df, row| {
                for &(id, _) in row {
                    df[id as usize] += 1;
                }
                df
            },
        )
        .reduce(|| vec![0u32; n_all], add_counts);

    let max_df = (params.max_df * n_docs as f64).floor().max(1.0) as u32;
    let min_df = params.min_df.max(1) as u32;
    let key_of = |id: usize| -> String {
        if id < n_unigrams {
            stems[id].clone()
        } else {
            parts(&phrases[id - n_unigrams])
                .iter()
                .map(|&part| stems[part as usize].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let display_of = |id: usize| -> String {
        if id < n_unigrams {
            surfaces.display(&stems[id])
        } else {
            parts(&phrases[id - n_unigrams])
                .iter()
                .map(|&part| surfaces.display(&stems[part as usize]))
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let mut kept: Vec<(String, usize)> = (0..n_all)
        .filter(|&id| df[id] >= min_df && df[id] <= max_df)
        .map(|id| (key_of(id), id))
        .collect();
    kept.sort();
    let mut column_of = vec![u32::MAX; n_all];
    for (column, (_, id)) in kept.iter().enumerate() {
        column_of[*id] = column as u32;
    }
    let idf: Vec<f32> = kept
        .iter()
        .map(|(_, id)| (((1 + n_docs) as f64 / (1 + df[*id]) as f64).ln() + 1.0) as f32)
        .collect();

    let scale: Vec<f32> = kept
        .iter()
        .zip(&idf)
        .map(|((_, id), idf)| idf * name_factor(*id))
        .collect();
    let rows = raw
        .into_par_iter()
        .map(|row| {
            let mut out: Vec<(u32, f32)> = row
                .into_iter()
                .filter_map(|(id, tf)| {
                    let column = column_of[id as usize];
                    (column != u32::MAX).then(|| (column, (1.0 + tf).ln() * scale[column as usize]))
                })
                .collect();
            out.sort_unstable_by_key(|&(column, _)| column);
            let norm = out.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                out.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            out
        })
        .collect();

    TfIdf {
        terms: kept.iter().map(|(_, id)| display_of(*id)).collect(),
        df: kept.iter().map(|(_, id)| df[*id]).collect(),
        name_like: kept.iter().map(|(_, id)| is_name(*id)).collect(),
        keys: kept.into_iter().map(|(key, _)| key).collect(),
        rows,
        idf,
    }
}

fn add_counts(mut a: Vec<u32>, b: Vec<u32>) -> Vec<u32> {
    a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
    a
}

fn merge_sorted(mut terms: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
    terms.sort_unstable_by_key(|&(id, _)| id);
    let mut merged: Vec<(u32, f32)> = Vec::with_capacity(terms.len());
    for (id, weight) in terms {
        match merged.last_mut() {
            Some(last) if last.0 == id => last.1 += weight,
            _ => merged.push((id, weight)),
        }
    }
    merged
}

/// Columns outside the canonical fields whose values name a company, vendor or customer, as
/// the services and teams columns name systems and teams (compared ignoring case).
pub const NAME_COLUMNS: [&str; 6] = [
    "company",
    "vendor",
    "provider",
    "organization",
    "organisation",
    "customer",
];

/// Which columns of `vectors` spell in full a name the records themselves give: one of their
/// services or teams, or a value of [`NAME_COLUMNS`] ("Travis CI", "EBS", "payments-api").
/// So is a word of a longer such name that is mostly written as part of it (at least 4 of 5
/// reports with the word have the name). Such a term says where, not why: the pattern labels
/// and a recurrence's shared terms weigh it less ([`crate::patterns::Patterns::evidence_weights`]),
/// and the name stays in the pattern's services. A name of one plain lowercase word
/// ("database", "worker", "sre") is left out: it is as often the cause as the place. (In the
/// clustering the names keep their weight: weighing them less there moved the held-out planted
/// 10k from NMI 0.996 to 0.981.)
pub fn record_name_columns(
    incidents: &[Incident],
    pipeline: &TextPipeline,
    vectors: &TfIdf,
) -> Vec<bool> {
    let distinct = incidents
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut names: FxHashSet<&str> = FxHashSet::default();
            for incident in chunk {
                let columns = incident.extra.iter().filter(|(key, _)| {
                    NAME_COLUMNS
                        .iter()
                        .any(|column| key.eq_ignore_ascii_case(column))
                });
                let values = incident
                    .services
                    .iter()
                    .chain(&incident.teams)
                    .chain(columns.map(|(_, value)| value));
                names.extend(values.map(|value| value.trim()).filter(|value| {
                    let inner = value.trim_matches(|c: char| !c.is_alphanumeric());
                    value.chars().any(|c| c.is_uppercase() || c.is_numeric())
                        || inner.contains(|c: char| !c.is_alphanumeric())
                }));
            }
            names
        })
        .reduce(FxHashSet::default, |mut a, b| {
            a.extend(b);
            a
        });
    let mut columns = vec![false; vectors.n_terms()];
    let mut cache = WordCache::default();
    for name in distinct {
        let mut stems: Vec<String> = Vec::new();
        pipeline.visit(name, &mut cache, |stem, _, _| stems.push(stem.to_owned()));
        let Ok(column) = vectors.keys.binary_search(&stems.join(" ")) else {
            continue;
        };
        columns[column] = true;
        // A word of a longer name that is mostly written as part of it ("travis" of
        // "Travis CI"), not one also used on its own ("dns" of "internal-dns").
        if stems.len() > 1 {
            for part in &stems {
                if let Ok(part) = vectors.keys.binary_search(part)
                    && vectors.df[part] * 4 <= vectors.df[column] * 5
                {
                    columns[part] = true;
                }
            }
        }
    }
    columns
}

/// Tokenize every incident into interned stem ids (global ids in sorted stem order).
fn tokenize_all(
    incidents: &[Incident],
    pipeline: &TextPipeline,
    weights: &FieldWeights,
) -> Tokenized {
    let chunks: Vec<Chunk> = incidents
        .par_chunks(CHUNK)
        .map(|chunk| {
            // Stem ids are the cache's, local to the chunk.
            let mut cache = WordCache::default();
            // Per stem: (times written like a name, times seen), outside headings.
            let mut names: Vec<(u32, u32)> = Vec::new();
            let docs = chunk
                .iter()
                .map(|incident| {
                    let mut doc = DocTokens::default();
                    for (text, weight, heading) in fields_with_kind(incident, weights) {
                        let ids = &mut doc.ids;
                        pipeline.visit_ids(text, &mut cache, |stem, adjacent, name_like| {
                            if !heading {
                                if names.len() <= stem as usize {
                                    names.resize(stem as usize + 1, (0, 0));
                                }
                                let counts = &mut names[stem as usize];
                                counts.0 += u32::from(name_like);
                                counts.1 += 1;
                            }
                            ids.push(if adjacent { stem | ADJACENT } else { stem });
                        });
                        doc.fields.push((weight, doc.ids.len() as u32));
                    }
                    doc.ids.shrink_to_fit();
                    doc
                })
                .collect();
            names.resize(cache.stems().len(), (0, 0));
            Chunk {
                surfaces: cache.surface_forms(pipeline),
                stems: cache.stems().to_vec(),
                names,
                docs,
            }
        })
        .collect();

    let mut all: Vec<String> = chunks
        .iter()
        .flat_map(|chunk| chunk.stems.iter().cloned())
        .collect();
    all.sort_unstable();
    all.dedup();
    let global: FxHashMap<&str, u32> = all
        .iter()
        .enumerate()
        .map(|(i, stem)| (stem.as_str(), i as u32))
        .collect();
    let mut surfaces = SurfaceForms::default();
    let mut names = vec![(0u32, 0u32); all.len()];
    let mut docs = Vec::with_capacity(incidents.len());
    for chunk in chunks {
        let remap: Vec<u32> = chunk
            .stems
            .iter()
            .map(|stem| global.get(stem.as_str()).copied().unwrap_or(0))
            .collect();
        for mut doc in chunk.docs {
            for id in &mut doc.ids {
                *id = remap[(*id & !ADJACENT) as usize] | (*id & ADJACENT);
            }
            docs.push(doc);
        }
        for (local, counts) in chunk.names.iter().enumerate() {
            let global = &mut names[remap[local] as usize];
            global.0 += counts.0;
            global.1 += counts.1;
        }
        surfaces.merge(chunk.surfaces);
    }
    // A stem written like a name in most of its (at least three) uses in running text.
    let proper = names
        .iter()
        .map(|&(named, seen)| seen >= 3 && named * 10 >= seen * 6)
        .collect();
    Tokenized {
        stems: all,
        surfaces,
        proper,
        docs,
    }
}

/// Every incident's tokens as global stem ids.
struct Tokenized {
    /// Stems, sorted; a stem's id is its position.
    stems: Vec<String>,
    surfaces: SurfaceForms,
    /// Whether each stem is mostly written like a name.
    proper: Vec<bool>,
    docs: Vec<DocTokens>,
}

/// Phrases are counted on at most this many incidents, evenly spaced.
const PHRASE_SAMPLE: usize = 20_000;

/// A bigram or trigram of stem ids; a bigram ends with `NO_TOKEN`.
type Gram = [u32; 3];

const NO_TOKEN: u32 = u32::MAX;

/// The ids of a gram.
fn parts(gram: &Gram) -> &[u32] {
    if gram[2] == NO_TOKEN {
        &gram[..2]
    } else {
        &gram[..]
    }
}

/// Call `f` with every bigram and trigram of adjacent tokens of a field.
fn grams(ids: &[u32], mut f: impl FnMut(Gram)) {
    for at in 1..ids.len() {
        if ids[at] & ADJACENT == 0 {
            continue;
        }
        let second = ids[at] & !ADJACENT;
        f([ids[at - 1] & !ADJACENT, second, NO_TOKEN]);
        if at >= 2 && ids[at - 1] & ADJACENT != 0 {
            f([ids[at - 2] & !ADJACENT, ids[at - 1] & !ADJACENT, second]);
        }
    }
}

/// Significant phrases (bigrams and trigrams of stem ids), sorted.
fn find_phrases(docs: &[DocTokens], n_unigrams: usize, params: &TfIdfParams) -> Vec<Gram> {
    type Counts = (Vec<u64>, FxHashMap<Gram, (u64, u32)>);
    // Unigram token counts, and n-gram (token count, document count).
    // Phrases are frequent by definition: an evenly spaced sample finds them at any scale.
    let step = docs.len().div_ceil(PHRASE_SAMPLE).max(1);
    let (unigrams, ngrams): Counts = docs
        .par_iter()
        .step_by(step)
        .with_min_len(1024)
        .fold(
            || (vec![0u64; n_unigrams], FxHashMap::default()),
            |(mut unigrams, mut ngrams): Counts, doc| {
                let mut seen: Vec<Gram> = Vec::new();
                for (_, ids) in doc.fields() {
                    for &id in ids {
                        unigrams[(id & !ADJACENT) as usize] += 1;
                    }
                    grams(ids, |gram| seen.push(gram));
                }
                seen.sort_unstable();
                let mut previous: Option<Gram> = None;
                for gram in seen {
                    let entry = ngrams.entry(gram).or_insert((0, 0));
                    entry.0 += 1;
                    if previous != Some(gram) {
                        entry.1 += 1;
                    }
                    previous = Some(gram);
                }
                (unigrams, ngrams)
            },
        )
        .reduce(
            || (vec![0u64; n_unigrams], FxHashMap::default()),
            |(mut unigrams, mut ngrams), (other_unigrams, other_ngrams)| {
                unigrams
                    .iter_mut()
                    .zip(other_unigrams)
                    .for_each(|(a, b)| *a += b);
                for (key, (count, docs)) in other_ngrams {
                    let entry = ngrams.entry(key).or_insert((0, 0));
                    entry.0 += count;
                    entry.1 += docs;
                }
                (unigrams, ngrams)
            },
        );
    let total: f64 = unigrams.iter().sum::<u64>() as f64;
    if total == 0.0 {
        return Vec::new();
    }
    let npmi = |key: &[u32], count: u64| -> f64 {
        let p_joint = count as f64 / total;
        let p_parts: f64 = key
            .iter()
            .map(|&id| unigrams[id as usize] as f64 / total)
            .product();
        let pmi = (p_joint / p_parts).ln();
        let denominator = -(p_joint.ln()) * (key.len() - 1) as f64;
        if denominator <= 0.0 {
            1.0
        } else {
            pmi / denominator
        }
    };
    let mut phrases: Vec<Gram> = ngrams
        .iter()
        .filter(|(gram, (count, docs))| {
            *docs as usize >= params.phrase_min_count
                && gram[0] != gram[1]
                && npmi(parts(gram), *count) >= params.phrase_min_npmi
        })
        .map(|(gram, _)| *gram)
        .collect();
    phrases.sort_unstable();
    // A trigram is kept only when both of its bigrams are phrases too.
    let bigrams: FxHashSet<Gram> = phrases
        .iter()
        .filter(|gram| gram[2] == NO_TOKEN)
        .copied()
        .collect();
    phrases.retain(|gram| {
        gram[2] == NO_TOKEN
            || (bigrams.contains(&[gram[0], gram[1], NO_TOKEN])
                && bigrams.contains(&[gram[1], gram[2], NO_TOKEN]))
    });
    phrases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextConfig;

    fn incident(root_cause: &str, body: &str) -> Incident {
        Incident {
            root_cause: (!root_cause.is_empty()).then(|| root_cause.to_owned()),
            body: (!body.is_empty()).then(|| body.to_owned()),
            ..Incident::default()
        }
    }

    fn fixture() -> Vec<Incident> {
        vec![
            incident("The connection pool was exhausted by slow queries", ""),
            incident("Connection pool exhausted after a traffic spike", ""),
            incident("", "We saw the connection pool exhausted again on the API"),
            incident("TLS cert expired on the edge proxy", ""),
            incident("Certificate expired, nobody renewed it", ""),
            incident("The certificates expired on the gateway", ""),
            incident("Feature flag flipped for everyone", ""),
            incident("", ""),
        ]
    }

    fn vectors() -> TfIdf {
        let params = TfIdfParams {
            max_df: 0.9,
            phrase_min_count: 2,
            ..TfIdfParams::default()
        };
        vectorize(
            &fixture(),
            &TextPipeline::new(&TextConfig::default()),
            &params,
        )
    }

    #[test]
    fn record_names_are_found_among_the_columns() {
        let mut incidents = Vec::new();
        for n in 0..4 {
            let mut ci = incident(
                "Travis CI builds queued behind a stuck database worker",
                "The database worker stalled.",
            );
            ci.services = vec!["Travis CI".into(), "database".into()];
            ci.extra.insert("Company".into(), "Amazon".into());
            incidents.push(ci);
            let mut dns = incident(
                "DNS lookups failed on internal-dns after a zone push",
                "dns resolver overloaded; Amazon EBS volumes stuck",
            );
            dns.services = vec!["internal-dns".into(), "EBS".into()];
            incidents.push(dns);
            let mut plain = incident("dns cache expired and every dns lookup timed out", "");
            plain.services = vec![["edge", "core", "cdn", "mesh"][n].into()];
            incidents.push(plain);
        }
        let pipeline = TextPipeline::new(&TextConfig::default());
        let params = TfIdfParams {
            max_df: 1.0,
            phrase_min_count: 2,
            ..TfIdfParams::default()
        };
        let vectors = vectorize(&incidents, &pipeline, &params);
        let names = record_name_columns(&incidents, &pipeline, &vectors);
        let named: Vec<&str> = vectors
            .terms
            .iter()
            .zip(&names)
            .filter(|(_, named)| **named)
            .map(|(term, _)| term.as_str())
            .collect();
        for name in ["travis ci", "travis", "ci", "ebs", "amazon", "internal dns"] {
            assert!(named.contains(&name), "{name} in {named:?}");
        }
        // A plain lowercase service is a word like any other; a word of a name that is also
        // used on its own is not the name.
        for word in ["database", "worker", "dns", "zone"] {
            assert!(
                vectors.terms.iter().any(|term| term == word),
                "{word} is a column"
            );
            assert!(!named.contains(&word), "{word} in {named:?}");
        }
    }

    #[test]
    fn phrases_become_terms_with_readable_names() {
        let vectors = vectors();
        assert!(
            vectors.terms.contains(&"connection pool".to_owned()),
            "{:?}",
            vectors.terms
        );
        assert!(
            vectors
                .terms
                .contains(&"connection pool exhausted".to_owned()),
            "{:?}",
            vectors.terms
        );
        assert!(vectors.terms.contains(&"certificate".to_owned()));
        assert!(
            !vectors.terms.iter().any(|term| term.contains("certif ")),
            "stems never shown"
        );
        let mut sorted = vectors.keys.clone();
        sorted.sort();
        assert_eq!(sorted, vectors.keys, "columns in key order");
    }

    #[test]
    fn rows_are_normalized_sorted_and_empty_without_text() {
        let vectors = vectors();
        assert_eq!(vectors.rows.len(), 8);
        for row in &vectors.rows[..6] {
            let norm: f32 = row.iter().map(|(_, w)| w * w).sum();
            assert!((norm - 1.0).abs() < 1e-5);
            assert!(row.windows(2).all(|pair| pair[0].0 < pair[1].0));
        }
        assert!(
            vectors.rows[6].is_empty(),
            "feature flag occurs once: below min_df"
        );
        assert!(vectors.rows[7].is_empty());
    }

    #[test]
    fn same_cause_in_different_fields_and_words_is_similar() {
        let vectors = vectors();
        assert!(
            vectors.cosine(0, 2) > 0.5,
            "root cause vs body: {}",
            vectors.cosine(0, 2)
        );
        assert!(
            vectors.cosine(3, 5) > 0.5,
            "cert vs certificates: {}",
            vectors.cosine(3, 5)
        );
        assert!(vectors.cosine(0, 3) < 0.05);
    }

    #[test]
    fn names_weigh_less_than_causes() {
        let text = |company: &str| {
            incident(
                &format!("At {company} the disk filled up. Logs at {company} grew"),
                "",
            )
        };
        let incidents = vec![
            text("Acme"),
            text("Acme"),
            text("Acme"),
            text("Initech"),
            text("Initech"),
            text("Initech"),
        ];
        let pipeline = TextPipeline::new(&TextConfig::default());
        let params = TfIdfParams {
            max_df: 1.0,
            ..TfIdfParams::default()
        };
        let vectors = vectorize(&incidents, &pipeline, &params);
        let weight = |term: &str| {
            let column = vectors
                .terms
                .iter()
                .position(|t| t == term)
                .expect("term kept") as u32;
            vectors.rows[0]
                .iter()
                .find(|(c, _)| *c == column)
                .map(|(_, w)| *w)
                .expect("in row 0")
        };
        assert!(
            weight("acme") < weight("disk"),
            "{} vs {}",
            weight("acme"),
            weight("disk")
        );
        let unweighted = vectorize(
            &incidents,
            &pipeline,
            &TfIdfParams {
                proper_noun_weight: 1.0,
                ..params
            },
        );
        assert!(
            unweighted.rows[0]
                .iter()
                .map(|(_, w)| *w)
                .fold(0.0, f32::max)
                > weight("acme")
        );
    }

    #[test]
    fn min_and_max_df_bound_the_vocabulary() {
        let params = TfIdfParams {
            min_df: 3,
            max_df: 0.9,
            ..TfIdfParams::default()
        };
        let vectors = vectorize(
            &fixture(),
            &TextPipeline::new(&TextConfig::default()),
            &params,
        );
        assert!(vectors.df.iter().all(|&df| df >= 3));
        assert!(
            vectors.terms.contains(&"expired".to_owned())
                || vectors.terms.contains(&"exhausted".to_owned())
        );
        let params = TfIdfParams {
            min_df: 1,
            max_df: 0.3,
            ..TfIdfParams::default()
        };
        let vectors = vectorize(
            &fixture(),
            &TextPipeline::new(&TextConfig::default()),
            &params,
        );
        assert!(vectors.df.iter().all(|&df| df <= 2), "{:?}", vectors.df);
    }
}
