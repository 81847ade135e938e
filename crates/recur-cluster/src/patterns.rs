//! Recurring patterns: incidents clustered on their LSA embedding, each cluster labelled by its
//! most distinctive terms.
//!
//! Steps: text pipeline → TF-IDF ([`crate::tfidf`]) → randomized truncated SVD
//! ([`crate::svd`]) → clustering → labels, members and representatives.
//!
//! Clustering is k-means from linfa-clustering (seeded) or DBSCAN. k-means looks for k clusters
//! in the leading `⌈3k / 2⌉` dimensions of the embedding (rows rescaled to unit length), much as
//! spectral clustering uses the leading k eigenvectors: the strongest LSA directions carry what
//! incidents are about, the weaker ones the wording of single reports, which would otherwise
//! split one cause written several ways into several patterns (and make the silhouette prefer
//! ever larger k).
//!
//! With `n_clusters: None` (the default) k is chosen automatically, by this criterion: for each
//! k of `k_min..=k_max`, k-means is fitted on a seeded sample of at most `selection_sample`
//! incidents (default 3000) in that k's dimensions and scored with the mean silhouette on that
//! sample (cosine distance, `1 - cos`, in the same dimensions); the k with the highest silhouette
//! wins, the smallest k on ties. The final k-means is fitted on a seeded sample of at most
//! `fit_sample` incidents and every incident is assigned to its nearest centroid, so the cost
//! grows linearly with N.
//!
//! The silhouette alone lumps causes that share words (two causes in one pattern) and splits a
//! cause written several ways. So the chosen k is refined, by a criterion that does not depend
//! on N:
//!
//! 1. **Over-cluster**: the final k-means has `k' = ⌈over_clustering · k⌉` clusters (default
//!    2k), fitted in the leading `2k'` dimensions: a cause of a few percent that shares words
//!    with a larger one has no direction of its own among the chosen k's `⌈3k / 2⌉`, and
//!    k-means cannot part what its dimensions do not. An incident whose cosine to its fine
//!    cluster's centre in the chosen k's dimensions is below `min_centre_similarity` (default
//!    0.65) is left alone; so is the member of a fine cluster of one. After the merge (step 4)
//!    each of them gets a second look against the merged groups (a fine centre is fitted on a
//!    sample; a cause written several ways spans several fine clusters): it joins the group
//!    whose summed rows in those dimensions are nearest when it shares words with it: its
//!    TF-IDF cosine to the group's summed rows is at least half its median member's, or a
//!    quarter with its cosine in those dimensions passing the same 0.65. It is a one-off
//!    otherwise (see `adopt_loners` for the figures behind the two shares).
//! 2. **Split unions of unrelated groups**: each cluster is bisected (spherical 2-means of its
//!    TF-IDF rows, seeded deterministically); when the two halves are not *close* (below), the
//!    cluster is replaced by its halves, which are tried in turn.
//! 3. **No catch-alls**: a cluster whose TF-IDF coherence (the mean cosine of two of its
//!    members) is below `min_coherence` (default 0.1) is not a cause: its members are one-offs.
//! 4. **Merge**: the two closest coherent groups are joined while they are close (centroid
//!    linkage). Two groups are close when the cosine of their summed TF-IDF rows (the words
//!    their reports share) is at least `merge_similarity` (0.3), or the cosine of their summed
//!    rows in the clustering dimensions (paraphrases that share few words) is at least
//!    `merge_embedding_similarity` (0.9). The LSA space alone is not trusted for this: it keeps
//!    the strongest directions, where small unrelated groups all look alike. So a merge on
//!    meaning alone also needs the members to agree: a sample of the smaller group's reports
//!    must find, in the other group, a TF-IDF neighbour at least a quarter as close as their
//!    nearest in their own (the median ratio, see `neighbours_agree`). Measured: a cause written
//!    two ways 0.36; two causes the leading directions align 0.15 and 0.18.
//! 5. **Words of its own**: a merged group whose distinctiveness (the share of its defining
//!    words' weight that falls inside it, see `distinctive_groups`) is below
//!    `min_distinctiveness_share` (0.5) of the median group's is not a cause either: reports
//!    with nothing else in common fall back on a remark that reports of every cause write ("the
//!    incident commander handed over to the next shift"), and such a group is coherent. Its
//!    members are loners (step 1's second look).
//! 6. **Typical members**: a member whose TF-IDF cosine to its group's summed rows is below
//!    a quarter of the median member's ([`ADOPT_ON_MEANING_AND_WORDS`], the least a loner close
//!    in meaning must share to join) leaves the group: it sits there by where the clustering
//!    dimensions put it, not by what it says (`word_shares`; a recurrence asks both reports for
//!    half, `crate::recurrence`).
//!
//! Measured at 10k (debug and release alike), without refinement → with it: the independent
//! planted data (`recur-synth`) NMI 0.86 → 0.99 (recurrence precision 0.98, recall 0.95); its
//! held-out vocabulary, never tuned on, 0.85 → 0.996 (0.998, 0.96); the sample generator's
//! data 0.93 → 0.978 with its repeated one-off reports as classes. At 100k: 1.000 and 0.999
//! (recurrence precision 0.9998 and 0.9993, recall 0.946 and 0.976). With 4% planted one-offs
//! (each told in made-up words of its own, among the noise sentences of every cause), steps 5
//! and 6 took the independent 10k from 0.956 to 0.996 (one-offs found 1.2% → 3.6%, recurrence
//! precision 0.973 → 0.999): without them the one-offs formed three patterns of a shared noise
//! sentence ("outdated / alert / rotation", distinctiveness 0.09 to 0.17, where the causes' are
//! 0.64 to 0.89); the held-out vocabulary with one-offs reaches 0.987 (precision 0.999, recall
//! 0.979). At 1M with 4% one-offs (`cargo bench --bench mining`): the independent data 0.993
//! (one-offs 3.7%, recurrence precision 1.000, recall 0.972), the held-out vocabulary 0.991
//! (4.1%, 0.997, 0.944); there no noise group forms, with or without step 5. On the icco
//! postmortems every group's distinctiveness is lower (0.27 to 0.46: long reports share much
//! wording), hence a share of the median group's rather than a fixed floor. A k given by the
//! user is kept as given: no refinement.
//!
//! DBSCAN (`Method::Dbscan`) runs on the whole embedding and leaves incidents outside dense
//! groups unassigned. Its neighbourhood queries cost about N² · d: it is meant for up to tens of
//! thousands of incidents, not millions.
//!
//! Labels are class-based TF-IDF (c-TF-IDF, as BERTopic computes it): for pattern `c` and term
//! `t`, `tf(t, c) · ln(1 + A / f(t))`, where `tf(t, c)` is the share of the pattern's TF-IDF mass
//! on `t`, `f(t)` the term's mass over all patterns and `A` the mean mass per pattern. The top
//! terms, each bringing words not shown yet (see [`Pattern::terms`]), are the pattern's terms,
//! shown as people wrote them; the first three joined with " / " are its label. The
//! representative is the member closest (cosine) to the mean of the members' embeddings.

use std::collections::BTreeMap;

use linfa::DatasetBase;
use linfa::prelude::*;
use linfa_clustering::{Dbscan, KMeans};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;
use recur_core::Incident;
use serde::{Deserialize, Serialize};

pub use crate::evaluate::normalized_mutual_information;
use crate::svd::{Lsa, SvdParams, lsa};
use crate::text::{TextConfig, TextPipeline};
use crate::tfidf::{TfIdf, TfIdfParams, record_name_columns, sparse_dot, vectorize};

/// How incidents are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Method {
    /// k-means: every incident with text is in a pattern.
    KMeans,
    /// DBSCAN: only dense groups become patterns; one-off incidents stay unassigned.
    Dbscan {
        /// Neighbourhood radius in the embedding (Euclidean on unit vectors:
        /// `eps² = 2 - 2 cos`, so 0.5 means cosine ≥ 0.875).
        eps: f64,
        /// Minimum neighbours of a core point.
        min_points: usize,
    },
}

/// Parameters of [`find_patterns`].
#[derive(Debug, Clone, PartialEq)]
pub struct PatternParams {
    /// Number of patterns for k-means; `None` (the default) chooses k automatically.
    pub n_clusters: Option<usize>,
    /// Smallest k tried when choosing automatically. Default 2.
    pub k_min: usize,
    /// Largest k tried when choosing automatically (capped at N - 1). Default 30.
    pub k_max: usize,
    /// Clustering method. Default [`Method::KMeans`].
    pub method: Method,
    /// Seed of every random choice. Default 42.
    pub seed: u64,
    /// Dimensions of the LSA embedding. Default 100.
    pub dims: usize,
    /// Power iterations of the randomized SVD. Default 2.
    pub power_iterations: usize,
    /// TF-IDF parameters (document-frequency bounds, phrases, field weights).
    pub tfidf: TfIdfParams,
    /// Text pipeline configuration (stop words, synonyms).
    pub text: TextConfig,
    /// Incidents sampled to choose k. Default 3000.
    pub selection_sample: usize,
    /// k-means puts every incident in some cluster; an incident whose cosine to its cluster's
    /// centre (in the clustering dimensions) is below this is a one-off and is left without a
    /// pattern. -1 keeps every incident. Default 0.65: on the planted sample, 99% of the
    /// incidents of a recurring cause sit above it and most one-offs pulled into a cluster below.
    pub min_centre_similarity: f64,
    /// When choosing k, a k counts only if its silhouette beats the shuffled baseline by at
    /// least this much (see the module docs). Default 0.15.
    pub min_silhouette_margin: f64,
    /// Incidents sampled to fit the final k-means. Default 20 000.
    pub fit_sample: usize,
    /// k-means restarts (best inertia kept). Default 3.
    pub n_runs: usize,
    /// Terms kept per pattern. Default 5.
    pub label_terms: usize,
    /// With k chosen automatically, k-means is fitted with `⌈over_clustering · k⌉` clusters,
    /// which are then merged back (see `merge_similarity`): a cause written several ways gets a
    /// cluster per way and they merge, while two causes the silhouette lumped together get
    /// clusters of their own that do not. 1 turns it off. Default 2.
    pub over_clustering: f64,
    /// Fine clusters whose summed TF-IDF rows have at least this cosine are merged, closest
    /// first; a fine cluster that bisects into halves below it (and below
    /// `merge_embedding_similarity`) is split first. Default 0.3.
    pub merge_similarity: f64,
    /// Fine clusters whose summed rows in the clustering dimensions have at least this cosine
    /// are merged too, even when they share few words (paraphrases). Default 0.9.
    pub merge_embedding_similarity: f64,
    /// A cluster whose TF-IDF coherence (the mean cosine of two members) is below this is a
    /// catch-all, not a cause: its members are one-offs. Default 0.1.
    pub min_coherence: f64,
    /// A cluster's coherence must also be at least this many times the mean cosine of two
    /// incidents of the whole input (long reports on one kind of system share much wording
    /// whatever their cause), capped at halfway between that mean and 1 (an input of two or
    /// three causes has a high mean). Default 3.
    pub min_coherence_lift: f64,
    /// A group whose words are far less its own than the other groups' are is not a cause: its
    /// members are one-offs (offered to the other groups like any loner) when its
    /// distinctiveness (the share of its defining words' use that falls inside it, see
    /// `distinctive_groups`) is below this share of the median group's. Default 0.5.
    pub min_distinctiveness_share: f64,
}

impl Default for PatternParams {
    fn default() -> Self {
        Self {
            n_clusters: None,
            k_min: 2,
            k_max: 30,
            method: Method::KMeans,
            seed: 42,
            dims: 100,
            power_iterations: 2,
            tfidf: TfIdfParams::default(),
            text: TextConfig::default(),
            selection_sample: 3000,
            min_centre_similarity: 0.65,
            min_silhouette_margin: 0.15,
            fit_sample: 20_000,
            n_runs: 3,
            label_terms: 5,
            over_clustering: 2.0,
            merge_similarity: 0.3,
            merge_embedding_similarity: 0.9,
            min_coherence: 0.1,
            min_coherence_lift: 3.0,
            min_distinctiveness_share: 0.5,
        }
    }
}

/// Parameters that passed [`PatternParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPatternParams(PatternParams);

impl ValidPatternParams {
    /// The checked parameters.
    pub fn get(&self) -> &PatternParams {
        &self.0
    }
}

impl PatternParams {
    /// Validate every value once.
    pub fn check(&self) -> Result<ValidPatternParams, PatternError> {
        if let Some(n_clusters) = self.n_clusters
            && n_clusters < 2
        {
            return Err(PatternError::TooFewClusters(n_clusters));
        }
        if self.k_min < 2 {
            return Err(PatternError::KMinBelowTwo(self.k_min));
        }
        if self.k_max < self.k_min {
            return Err(PatternError::EmptyKRange {
                k_min: self.k_min,
                k_max: self.k_max,
            });
        }
        if let Method::Dbscan { eps, min_points } = self.method {
            if !(eps.is_finite() && eps > 0.0) {
                return Err(PatternError::BadEps(eps));
            }
            if min_points == 0 {
                return Err(PatternError::ZeroMinPoints);
            }
        }
        if self.dims == 0 {
            return Err(PatternError::ZeroDims);
        }
        if self.tfidf.min_df == 0 {
            return Err(PatternError::ZeroMinDf);
        }
        if !(self.tfidf.max_df > 0.0 && self.tfidf.max_df <= 1.0) {
            return Err(PatternError::BadMaxDf(self.tfidf.max_df));
        }
        if self.tfidf.phrase_min_count == 0 {
            return Err(PatternError::ZeroPhraseMinCount);
        }
        if !(-1.0..=1.0).contains(&self.tfidf.phrase_min_npmi) {
            return Err(PatternError::BadPhraseNpmi(self.tfidf.phrase_min_npmi));
        }
        let name_weight = self.tfidf.proper_noun_weight;
        if !(name_weight.is_finite() && (0.0..=1.0).contains(&name_weight)) {
            return Err(PatternError::BadProperNounWeight(name_weight));
        }
        let weights = self.tfidf.field_weights;
        for (field, weight) in [
            ("root_cause", weights.root_cause),
            ("trigger", weights.trigger),
            ("contributing_factors", weights.contributing_factors),
            ("title", weights.title),
            ("summary", weights.summary),
            ("tags", weights.tags),
            ("remediation", weights.remediation),
            ("body", weights.body),
        ] {
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(PatternError::BadFieldWeight { field, weight });
            }
        }
        if self.selection_sample < 10 {
            return Err(PatternError::SmallSelectionSample(self.selection_sample));
        }
        let similarity = self.min_centre_similarity;
        if !(similarity.is_finite() && (-1.0..=1.0).contains(&similarity)) {
            return Err(PatternError::BadCentreSimilarity(similarity));
        }
        let margin = self.min_silhouette_margin;
        if !(margin.is_finite() && (0.0..=2.0).contains(&margin)) {
            return Err(PatternError::BadSilhouetteMargin(margin));
        }
        if self.fit_sample < 10 {
            return Err(PatternError::SmallFitSample(self.fit_sample));
        }
        if self.n_runs == 0 {
            return Err(PatternError::ZeroRuns);
        }
        if self.label_terms == 0 {
            return Err(PatternError::ZeroLabelTerms);
        }
        let lift = self.min_coherence_lift;
        if !(lift.is_finite() && lift >= 0.0) {
            return Err(PatternError::BadSimilarity {
                name: "min_coherence_lift",
                value: lift,
            });
        }
        let factor = self.over_clustering;
        if !(factor.is_finite() && (1.0..=10.0).contains(&factor)) {
            return Err(PatternError::BadOverClustering(factor));
        }
        for (name, value, low) in [
            ("merge_similarity", self.merge_similarity, f64::MIN_POSITIVE),
            (
                "merge_embedding_similarity",
                self.merge_embedding_similarity,
                f64::MIN_POSITIVE,
            ),
            ("min_coherence", self.min_coherence, -1.0),
            (
                "min_distinctiveness_share",
                self.min_distinctiveness_share,
                0.0,
            ),
        ] {
            if !(value.is_finite() && (low..=1.0).contains(&value)) {
                return Err(PatternError::BadSimilarity { name, value });
            }
        }
        Ok(ValidPatternParams(self.clone()))
    }
}

/// A bad parameter, or a clustering failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// `n_clusters` below 2.
    #[error("n_clusters must be at least 2, got {0}")]
    TooFewClusters(usize),
    /// `k_min` below 2.
    #[error("k_min must be at least 2, got {0}")]
    KMinBelowTwo(usize),
    /// `k_max` below `k_min`.
    #[error("k range is empty: k_min {k_min} > k_max {k_max}")]
    EmptyKRange {
        /// The smallest k.
        k_min: usize,
        /// The largest k.
        k_max: usize,
    },
    /// DBSCAN `eps` not a positive finite number.
    #[error("dbscan eps must be a positive number, got {0}")]
    BadEps(f64),
    /// DBSCAN `min_points` of 0.
    #[error("dbscan min_points must be at least 1")]
    ZeroMinPoints,
    /// `dims` of 0.
    #[error("dims must be at least 1")]
    ZeroDims,
    /// `min_df` of 0.
    #[error("min_df must be at least 1")]
    ZeroMinDf,
    /// `max_df` outside (0, 1].
    #[error("max_df must be in (0, 1], got {0}")]
    BadMaxDf(f64),
    /// `phrase_min_count` of 0.
    #[error("phrase_min_count must be at least 1")]
    ZeroPhraseMinCount,
    /// `phrase_min_npmi` outside [-1, 1].
    #[error("phrase_min_npmi must be in [-1, 1], got {0}")]
    BadPhraseNpmi(f64),
    /// `proper_noun_weight` outside [0, 1].
    #[error("proper_noun_weight must be in [0, 1], got {0}")]
    BadProperNounWeight(f32),
    /// A negative or non-finite field weight.
    #[error("field weight {field} must be a non-negative number, got {weight}")]
    BadFieldWeight {
        /// The field.
        field: &'static str,
        /// Its weight.
        weight: f32,
    },
    /// `selection_sample` below 10.
    #[error("selection_sample must be at least 10, got {0}")]
    SmallSelectionSample(usize),
    /// `min_centre_similarity` outside [-1, 1].
    #[error("min_centre_similarity must be in [-1, 1], got {0}")]
    BadCentreSimilarity(f64),
    /// `min_silhouette_margin` outside [0, 2].
    #[error("min_silhouette_margin must be in [0, 2], got {0}")]
    BadSilhouetteMargin(f64),
    /// `fit_sample` below 10.
    #[error("fit_sample must be at least 10, got {0}")]
    SmallFitSample(usize),
    /// `n_runs` of 0.
    #[error("n_runs must be at least 1")]
    ZeroRuns,
    /// `label_terms` of 0.
    #[error("label_terms must be at least 1")]
    ZeroLabelTerms,
    /// `over_clustering` outside [1, 10].
    #[error("over_clustering must be in [1, 10], got {0}")]
    BadOverClustering(f64),
    /// A similarity threshold outside its range: (0, 1] for the merge thresholds, [-1, 1] for
    /// `min_coherence`.
    #[error("{name} must be at most 1 (and above 0 for a merge threshold), got {value}")]
    BadSimilarity {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// linfa-clustering failed.
    #[error("clustering failed: {0}")]
    Clustering(String),
}

/// One recurring pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    /// Position in [`Patterns::patterns`]: ordered by size, largest first, then first member.
    pub id: usize,
    /// The label: the top terms joined with " / ".
    pub label: String,
    /// The most distinctive terms (c-TF-IDF), most distinctive first, each bringing words the
    /// earlier ones do not show: a phrase replaces the words it contains, and a term sharing a
    /// word with an earlier one is left out ("configuration push" keeps out "configuration
    /// change").
    pub terms: Vec<String>,
    /// Number of members.
    pub size: usize,
    /// Indices of the member incidents in the input, ascending.
    pub members: Vec<usize>,
    /// The member closest to the pattern's centre.
    pub representative: usize,
}

/// The patterns found in a set of incidents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Patterns {
    /// The patterns, largest first.
    pub patterns: Vec<Pattern>,
    /// The pattern of each input incident; `None` for incidents without text, one-offs far from
    /// every k-means centre, and DBSCAN noise.
    pub assignment: Vec<Option<usize>>,
    /// The TF-IDF vectors the patterns were found on.
    pub vectors: TfIdf,
    /// The LSA embedding (N × d, unit rows; zero rows for incidents without text).
    #[serde(skip)]
    pub embedding: Array2<f32>,
    /// The term-space basis the embedding was projected on (V × d, [`crate::svd::Lsa`]): a new
    /// TF-IDF row of the same vocabulary embeds in the same space
    /// ([`crate::svd::project`]).
    #[serde(skip)]
    pub basis: Array2<f32>,
    /// The number of clusters used (0 when nothing could be clustered).
    pub chosen_k: usize,
    /// The leading embedding dimensions the clusters were found in (0 for all of them, as for
    /// DBSCAN). Similarity "as the patterns see it" is the cosine there
    /// ([`Patterns::pattern_similarity`]).
    #[serde(default)]
    pub clustering_dims: usize,
    /// The scores of each k tried when choosing automatically.
    pub k_scores: Vec<KScore>,
    /// The weight of each TF-IDF column where the patterns explain themselves (their labels,
    /// a recurrence's shared terms): `proper_noun_weight` for a name the records give or a
    /// term written like a name, which say where rather than why; 1 otherwise. Empty means 1
    /// for every column.
    #[serde(default)]
    pub evidence_weights: Vec<f32>,
}

/// How well one k clustered the selection sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    /// The number of clusters.
    pub k: usize,
    /// Mean silhouette of k-means with this k on the sample.
    pub silhouette: f64,
    /// Mean silhouette of k-means with this k on the same sample with each dimension shuffled
    /// on its own: the same spread, no clusters.
    pub baseline: f64,
}

impl Patterns {
    /// The cosine of incidents `a` and `b` in the dimensions the patterns were found in (0 when
    /// either is out of range or has no text there). The full embedding also carries the
    /// wording of single reports; the leading dimensions carry what they are about.
    pub fn pattern_similarity(&self, a: usize, b: usize) -> f32 {
        let rows = self.embedding.nrows();
        if a >= rows || b >= rows {
            return 0.0;
        }
        let dims = match self.clustering_dims {
            0 => self.embedding.ncols(),
            dims => dims.min(self.embedding.ncols()),
        };
        let (row_a, row_b) = (self.embedding.row(a), self.embedding.row(b));
        let (mut dot, mut norm_a, mut norm_b) = (0f32, 0f32, 0f32);
        for (&x, &y) in row_a.iter().zip(row_b.iter()).take(dims) {
            dot += x * y;
            norm_a += x * x;
            norm_b += y * y;
        }
        let norms = norm_a.sqrt() * norm_b.sqrt();
        if norms > 1e-12 { dot / norms } else { 0.0 }
    }
}

impl KScore {
    /// How much better than the baseline the clustering is.
    pub fn margin(&self) -> f64 {
        self.silhouette - self.baseline
    }
}

/// Find recurring patterns in incidents. Deterministic for a given seed.
pub fn find_patterns(
    incidents: &[Incident],
    params: &PatternParams,
) -> Result<Patterns, PatternError> {
    let params = params.check()?;
    find_patterns_checked(incidents, &params)
}

/// [`find_patterns`] with parameters checked already.
pub fn find_patterns_checked(
    incidents: &[Incident],
    params: &ValidPatternParams,
) -> Result<Patterns, PatternError> {
    let params = params.get();
    let pipeline = TextPipeline::new(&params.text);
    let vectors = vectorize(incidents, &pipeline, &params.tfidf);
    let svd = SvdParams {
        dims: params.dims,
        power_iterations: params.power_iterations,
        seed: params.seed,
        ..SvdParams::default()
    };
    let Lsa { embedding, basis } = lsa(&vectors, &svd);
    let points: Vec<usize> = (0..incidents.len())
        .filter(|&i| embedding.ncols() > 0 && embedding.row(i).iter().any(|&x| x != 0.0))
        .collect();

    let mut k_scores = Vec::new();
    let mut used_dims = 0;
    let labels: Vec<Option<usize>> = if points.len() < 3 {
        vec![None; points.len()]
    } else {
        let data = embedding.select(Axis(0), &points);
        match params.method {
            Method::KMeans => {
                let k = match params.n_clusters {
                    Some(k) => k.min(points.len() - 1),
                    None => {
                        k_scores = score_k_range(&data, params)?;
                        best_k(&k_scores, params.min_silhouette_margin)
                            .unwrap_or(params.k_min.min(points.len() - 1))
                    }
                };
                used_dims = clustering_dims(k);
                let full = data;
                let data = leading_dims(&full, used_dims);
                // A chosen k is refined (over-clustered, then merged); a k the user gave is kept.
                let k_fine = match params.n_clusters {
                    Some(_) => k,
                    None => ((k as f64 * params.over_clustering).ceil() as usize)
                        .clamp(k, points.len() - 1),
                };
                let (centroids, nearest) = match params.n_clusters {
                    Some(_) => {
                        let centroids = fit_kmeans(
                            &data,
                            k_fine,
                            params.fit_sample,
                            params.n_runs,
                            100,
                            params,
                        )?;
                        let nearest = nearest_centroids(&data, &centroids);
                        (centroids, nearest)
                    }
                    None => fit_fine(&full, &data, k_fine, params)?,
                };
                let similarity = centre_similarities(&data, &centroids, &nearest);
                // Members of each fine cluster, those far from its centre left out (one-offs).
                let mut fine: Vec<Vec<usize>> = vec![Vec::new(); centroids.nrows()];
                let mut position_of = vec![usize::MAX; incidents.len()];
                let mut far = Vec::new();
                for (position, ((&point, &centre), similarity)) in
                    points.iter().zip(&nearest).zip(&similarity).enumerate()
                {
                    position_of[point] = position;
                    if f64::from(*similarity) >= params.min_centre_similarity {
                        fine[centre].push(point);
                    } else {
                        far.push(point);
                    }
                }
                let affinity = Affinity {
                    vectors: &vectors,
                    data: &data,
                    position_of: &position_of,
                    words: params.merge_similarity,
                    meaning: params.merge_embedding_similarity,
                };
                let fine: Vec<Part> = match params.n_clusters {
                    Some(_) => fine
                        .into_iter()
                        .map(|members| affinity.part(members))
                        .collect(),
                    None => split_unrelated(&affinity, fine),
                };
                // Coherent: members more alike than `min_coherence`, and than
                // `min_coherence_lift` times two incidents picked at random, but never asked
                // for more than halfway from that baseline to identical: in an input of a few
                // causes two random incidents often share one, and its patterns must stand.
                let corpus = tfidf_sum(&vectors, &points);
                let baseline = coherence(&corpus, points.len());
                let min_coherence = params
                    .min_coherence
                    .max((params.min_coherence_lift * baseline).min((1.0 + baseline) / 2.0));
                let coherent: Vec<bool> = fine
                    .iter()
                    .map(|part| coherence(&part.words, part.members.len()) >= min_coherence)
                    .collect();
                let group_of = match params.n_clusters {
                    Some(_) => (0..fine.len()).collect(),
                    None => merge_parts(&affinity, &fine, &coherent),
                };
                // Kept: coherent, in a group whose words are its own.
                let kept = match params.n_clusters {
                    Some(_) => coherent.clone(),
                    None => distinctive_groups(
                        &corpus,
                        &fine,
                        &coherent,
                        &group_of,
                        params.min_distinctiveness_share,
                    ),
                };
                let mut labels = vec![None; points.len()];
                for (c, part) in fine.iter().enumerate() {
                    if kept[c] || params.n_clusters.is_some() {
                        for &member in &part.members {
                            labels[position_of[member]] = Some(group_of[c]);
                        }
                    }
                }
                if params.n_clusters.is_none() {
                    // A fine cluster of one, or the members of a group of words used mostly
                    // elsewhere; an incoherent cluster's members stay one-offs.
                    let loners = fine
                        .iter()
                        .zip(coherent.iter().zip(&kept))
                        .flat_map(|(part, (&coherent, &kept))| match part.members[..] {
                            [member] if !coherent => vec![member],
                            _ if coherent && !kept => part.members.clone(),
                            _ => Vec::new(),
                        })
                        .chain(far);
                    adopt_loners(
                        &affinity,
                        &fine,
                        &kept,
                        &group_of,
                        loners,
                        params,
                        &mut labels,
                    );
                    evict_atypical(&vectors, &points, &mut labels);
                }
                labels
            }
            Method::Dbscan { eps, min_points } => Dbscan::params(min_points)
                .tolerance(eps as f32)
                .check()
                .map_err(|error| PatternError::Clustering(error.to_string()))?
                .transform(&data)
                .to_vec(),
        }
    };

    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (&incident, label) in points.iter().zip(&labels) {
        if let Some(label) = label {
            groups.entry(*label).or_default().push(incident);
        }
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    let mut assignment = vec![None; incidents.len()];
    for (id, members) in groups.iter().enumerate() {
        for &member in members {
            assignment[member] = Some(id);
        }
    }
    // Labels say why, not where: a name the records give, or a term written like a name,
    // weighs less there (on top of its weight in the rows, for a term written like a name).
    let evidence_weights: Vec<f32> = record_name_columns(incidents, &pipeline, &vectors)
        .into_iter()
        .enumerate()
        .map(|(column, named)| {
            if named || vectors.name_like.get(column) == Some(&true) {
                params.tfidf.proper_noun_weight
            } else {
                1.0
            }
        })
        .collect();
    let terms = class_terms(&vectors, &groups, params.label_terms, &evidence_weights);
    let patterns = groups
        .iter()
        .zip(terms)
        .enumerate()
        .map(|(id, (members, terms))| Pattern {
            id,
            label: terms
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" / "),
            terms,
            size: members.len(),
            representative: representative(&embedding, members),
            members: members.clone(),
        })
        .collect();
    let chosen_k = groups.len();
    Ok(Patterns {
        patterns,
        assignment,
        vectors,
        embedding,
        basis,
        chosen_k,
        clustering_dims: used_dims,
        k_scores,
        evidence_weights,
    })
}

/// The k of highest silhouette among those whose silhouette beats the baseline by at least
/// `min_margin`; when none does, the k of largest margin. Ties go to the smaller k.
fn best_k(scores: &[KScore], min_margin: f64) -> Option<usize> {
    let highest = |value: &dyn Fn(&KScore) -> f64, eligible: &dyn Fn(&KScore) -> bool| {
        scores
            .iter()
            .filter(|score| eligible(score))
            .fold(None, |best: Option<(usize, f64)>, score| match best {
                Some((_, best_value)) if best_value >= value(score) => best,
                _ => Some((score.k, value(score))),
            })
            .map(|(k, _)| k)
    };
    highest(&|score| score.silhouette, &|score| {
        score.margin() >= min_margin
    })
    .or_else(|| highest(&|score| score.margin(), &|_| true))
}

fn seeded_sample(n: usize, limit: usize, seed: u64) -> Vec<usize> {
    if n <= limit {
        return (0..n).collect();
    }
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    let mut chosen = sample(&mut rng, n, limit).into_vec();
    chosen.sort_unstable();
    chosen
}

/// Mean silhouette of k-means for each k of the range, on a seeded sample.
fn score_k_range(data: &Array2<f32>, params: &PatternParams) -> Result<Vec<KScore>, PatternError> {
    let chosen = seeded_sample(data.nrows(), params.selection_sample, params.seed);
    let sample = data.select(Axis(0), &chosen);
    let n = sample.nrows();
    let k_max = params.k_max.min(n - 1);
    let null = permuted_columns(&sample, params.seed);
    let score = |data: &Array2<f32>, k: usize, runs: usize| -> Result<f64, PatternError> {
        let data = leading_dims(data, clustering_dims(k));
        let centroids = fit_kmeans(&data, k, n, runs, SELECTION_ITERATIONS, params)?;
        let labels = nearest_centroids(&data, &centroids);
        Ok(cosine_silhouette(&data, &labels, k))
    };
    // Each k is independent and seeded by k: the result does not depend on scheduling.
    (params.k_min..=k_max)
        .into_par_iter()
        .map(|k| {
            Ok(KScore {
                k,
                silhouette: score(&sample, k, params.n_runs)?,
                // The baseline has no clusters to find: one run measures it well enough.
                baseline: score(&null, k, 1)?,
            })
        })
        .collect()
}

/// k-means iterations when scoring a k (the final fit allows more).
const SELECTION_ITERATIONS: u64 = 50;

/// The sample with each column shuffled on its own (seeded): the same spread along each LSA
/// direction, no clusters.
fn permuted_columns(data: &Array2<f32>, seed: u64) -> Array2<f32> {
    use rand::seq::SliceRandom;
    let mut rng = Xoshiro256Plus::seed_from_u64(seed.wrapping_add(7));
    let mut out = data.clone();
    for mut column in out.columns_mut() {
        let mut values: Vec<f32> = column.to_vec();
        values.shuffle(&mut rng);
        column
            .iter_mut()
            .zip(values)
            .for_each(|(target, value)| *target = value);
    }
    out
}

/// Dimensions k clusters are looked for in: the leading `⌈3k / 2⌉`.
fn clustering_dims(k: usize) -> usize {
    (3 * k).div_ceil(2)
}

/// The first `dims` columns of an embedding (its strongest LSA directions), rows rescaled to unit
/// length (rows that are zero there stay zero).
pub fn leading_dims(data: &Array2<f32>, dims: usize) -> Array2<f32> {
    let dims = dims.min(data.ncols());
    let columns: Vec<usize> = (0..dims).collect();
    let mut out = data.select(Axis(1), &columns);
    for mut row in out.outer_iter_mut() {
        let norm = row.dot(&row).sqrt();
        if norm > 1e-12 {
            row /= norm;
        }
    }
    out
}

/// Mean silhouette with cosine distance (`1 - cos`) of rows that are unit vectors or zero;
/// points alone in their cluster score 0 (Rousseeuw's convention).
///
/// The sum of distances from row `i` to the members of cluster `c` is `|c| - x_i · s_c`, with
/// `s_c` the sum of the members: the cost is N · k · d, with no N × N matrix.
pub fn cosine_silhouette(data: &Array2<f32>, labels: &[usize], k: usize) -> f64 {
    let n = labels.len().min(data.nrows());
    let mut sizes = vec![0usize; k];
    let mut sums = Array2::<f64>::zeros((k, data.ncols()));
    for (row, &label) in data.outer_iter().zip(labels) {
        sizes[label] += 1;
        sums.row_mut(label)
            .iter_mut()
            .zip(row)
            .for_each(|(sum, &x)| *sum += f64::from(x));
    }
    let rows: Vec<ArrayView1<'_, f32>> = data.outer_iter().take(n).collect();
    // Collected, then summed in order: a parallel float sum would depend on scheduling.
    let per_point: Vec<f64> = rows
        .par_iter()
        .zip(labels.par_iter())
        .map(|(row, &own)| {
            if sizes[own] <= 1 {
                return 0.0;
            }
            let dot = |c: usize| -> f64 {
                sums.row(c)
                    .iter()
                    .zip(row.iter())
                    .map(|(s, &x)| s * f64::from(x))
                    .sum()
            };
            let self_distance = 1.0
                - row
                    .iter()
                    .map(|&x| f64::from(x) * f64::from(x))
                    .sum::<f64>();
            let a = (sizes[own] as f64 - dot(own) - self_distance) / (sizes[own] - 1) as f64;
            let b = (0..k)
                .filter(|&c| c != own && sizes[c] > 0)
                .map(|c| (sizes[c] as f64 - dot(c)) / sizes[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if !b.is_finite() {
                return 0.0;
            }
            let denominator = a.max(b);
            if denominator > 0.0 {
                (b - a) / denominator
            } else {
                0.0
            }
        })
        .collect();
    per_point.iter().sum::<f64>() / n.max(1) as f64
}

/// Fit k-means on a seeded sample of at most `limit` rows; the centroids.
fn fit_kmeans(
    data: &Array2<f32>,
    k: usize,
    limit: usize,
    runs: usize,
    iterations: u64,
    params: &PatternParams,
) -> Result<Array2<f32>, PatternError> {
    let chosen = seeded_sample(data.nrows(), limit, params.seed.wrapping_add(1));
    let sample = data.select(Axis(0), &chosen);
    let k = k.min(sample.nrows());
    let rng = Xoshiro256Plus::seed_from_u64(params.seed.wrapping_add(k as u64));
    let model = KMeans::params_with_rng(k, rng)
        .n_runs(runs.max(1))
        .max_n_iterations(iterations)
        .tolerance(1e-4)
        .fit(&DatasetBase::from(sample))
        .map_err(|error| PatternError::Clustering(error.to_string()))?;
    Ok(model.centroids().clone())
}

/// The over-clustered k-means of the refinement (step 1 of the module docs), fitted in the
/// leading [`fine_dims`] of `full`: a cause of a few percent that shares words with a larger
/// one has no LSA direction of its own among the chosen k's ⌈3k / 2⌉ (`data`), and k-means
/// cannot part what those dimensions do not. Returns each fine cluster's centre in `data`'s
/// dimensions (the mean of its members' rows there, where the one-off test is made) and the
/// fine cluster of each row.
fn fit_fine(
    full: &Array2<f32>,
    data: &Array2<f32>,
    k_fine: usize,
    params: &PatternParams,
) -> Result<(Array2<f32>, Vec<usize>), PatternError> {
    let fine_data = leading_dims(full, fine_dims(k_fine).min(full.ncols()));
    let fitted = fit_kmeans(
        &fine_data,
        k_fine,
        params.fit_sample,
        params.n_runs,
        100,
        params,
    )?;
    let nearest = nearest_centroids(&fine_data, &fitted);
    let mut centres = Array2::<f32>::zeros((fitted.nrows(), data.ncols()));
    for (row, &centre) in data.outer_iter().zip(&nearest) {
        let mut sum = centres.row_mut(centre);
        sum += &row;
    }
    Ok((centres, nearest))
}

/// Dimensions the over-clustered k-means of `k_fine` clusters is fitted in: `2 · k_fine`.
/// Measured at 10k against `⌈3 k_fine / 2⌉` and `⌈5 k_fine / 2⌉`: the held-out vocabulary's
/// NMI 0.93 (3/2, where `lifecycle-rule-deletion` has no pattern) → 0.96 (2) → 0.95 (5/2); the
/// sample generator's one-offs 0.3% → 3.4% → 6.1%.
fn fine_dims(k_fine: usize) -> usize {
    2 * k_fine
}

/// Index of the nearest centroid (Euclidean) of each row; ties to the lower index.
pub fn nearest_centroids(data: &Array2<f32>, centroids: &Array2<f32>) -> Vec<usize> {
    let norms: Vec<f32> = centroids.outer_iter().map(|c| c.dot(&c)).collect();
    let rows: Vec<ArrayView1<'_, f32>> = data.outer_iter().collect();
    rows.par_iter()
        .map(|row| {
            let mut best = (0, f32::INFINITY);
            for (c, centroid) in centroids.outer_iter().enumerate() {
                let distance = norms[c] - 2.0 * row.dot(&centroid);
                if distance < best.1 {
                    best = (c, distance);
                }
            }
            best.0
        })
        .collect()
}

/// The members' TF-IDF rows summed, sorted by column. Each column adds its weights in member
/// order whichever way it is summed: dense over the vocabulary when the members hold many
/// entries (a large group), by a stable sort of their entries otherwise.
pub(crate) fn tfidf_sum(vectors: &TfIdf, members: &[usize]) -> Vec<(u32, f64)> {
    let entries: usize = members.iter().map(|&m| vectors.rows[m].len()).sum();
    // The widest column the rows use (rows built by hand may run past `terms`).
    let width = members
        .iter()
        .filter_map(|&m| vectors.rows[m].last())
        .map(|&(term, _)| term as usize + 1)
        .max()
        .unwrap_or(0);
    if entries * 4 >= width {
        let mut dense = vec![0.0_f64; width];
        let mut seen = vec![false; width];
        for &member in members {
            for &(term, weight) in &vectors.rows[member] {
                dense[term as usize] += f64::from(weight);
                seen[term as usize] = true;
            }
        }
        return (0..dense.len())
            .filter(|&term| seen[term])
            .map(|term| (term as u32, dense[term]))
            .collect();
    }
    let mut all: Vec<(u32, f64)> = Vec::with_capacity(entries);
    for &member in members {
        all.extend(
            vectors.rows[member]
                .iter()
                .map(|&(term, weight)| (term, f64::from(weight))),
        );
    }
    all.sort_by_key(|&(term, _)| term);
    let mut sum: Vec<(u32, f64)> = Vec::new();
    for (term, weight) in all {
        match sum.last_mut() {
            Some((last, total)) if *last == term => *total += weight,
            _ => sum.push((term, weight)),
        }
    }
    sum
}

/// Each member's share of its group's words: its TF-IDF cosine to the group's summed rows,
/// divided by the median member's (1 for every member when the median is 0). A member far
/// below 1 sits in the group by meaning or by a few shared words, not by what its reports say.
/// `members` are incident indices below `vectors.rows.len()`; the shares are in their order.
pub(crate) fn word_shares(vectors: &TfIdf, members: &[usize]) -> Vec<f64> {
    let sum = tfidf_sum(vectors, members);
    let norm = sparse_dot(&sum, &sum).sqrt();
    // Dense for the lookups: one group at a time per thread, never one per incident.
    let width = sum.last().map_or(0, |&(term, _)| term as usize + 1);
    let mut dense = vec![0.0_f64; width];
    for &(term, weight) in &sum {
        dense[term as usize] = weight;
    }
    let cosines: Vec<f64> = members
        .iter()
        .map(|&member| {
            let dot: f64 = vectors.rows[member]
                .iter()
                .map(|&(term, weight)| {
                    f64::from(weight) * dense.get(term as usize).copied().unwrap_or(0.0)
                })
                .sum();
            if norm > 0.0 { dot / norm } else { 0.0 }
        })
        .collect();
    let mut sorted = cosines.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    cosines
        .into_iter()
        .map(|cosine| if median > 0.0 { cosine / median } else { 1.0 })
        .collect()
}

fn sparse_sum_add(a: &[(u32, f64)], b: &[(u32, f64)]) -> Vec<(u32, f64)> {
    let mut sum: BTreeMap<u32, f64> = a.iter().copied().collect();
    for &(term, weight) in b {
        *sum.entry(term).or_default() += weight;
    }
    sum.into_iter().collect()
}

/// The coherence of a cluster in the TF-IDF space from the sum of its members' unit rows: the
/// mean cosine of two different members, `(|Σ x|² - n) / (n (n - 1))` (0 below two members).
/// Reports that share their words score high; a catch-all of unrelated reports that k-means
/// had to put somewhere scores near 0, whatever the embedding made of them. Unlike the cosine
/// to the centre it does not favour small clusters.
fn coherence(sum: &[(u32, f64)], size: usize) -> f64 {
    if size < 2 {
        return 0.0;
    }
    let n = size as f64;
    (sparse_dot(sum, sum) - n) / (n * (n - 1.0))
}

fn sum_cosine(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let norm = (sparse_dot(a, a) * sparse_dot(b, b)).sqrt();
    if norm > 0.0 {
        sparse_dot(a, b) / norm
    } else {
        0.0
    }
}

/// Spherical 2-means of the members' TF-IDF rows, seeded deterministically (the member least
/// like the cluster's mean, then the member least like that one): the two halves.
fn bisect(vectors: &TfIdf, members: &[usize]) -> [Vec<usize>; 2] {
    let row_sum = |part: &[usize]| tfidf_sum(vectors, part);
    // Centres are dense over the vocabulary (two at a time, never one per incident): a member's
    // dot product is then one indexed read per term of its row.
    let dot = |centre: &[f64], member: usize| -> f64 {
        vectors.rows[member]
            .iter()
            .map(|&(term, weight)| centre[term as usize] * f64::from(weight))
            .sum()
    };
    let least_like = |centre: &[f64]| -> usize {
        let mut best = (members[0], f64::INFINITY);
        for &member in members {
            let score = dot(centre, member);
            if score < best.1 {
                best = (member, score);
            }
        }
        best.0
    };
    let as_centre = |sum: &[(u32, f64)]| -> Vec<f64> {
        let mut centre = vec![0.0; vectors.n_terms()];
        for &(term, weight) in sum {
            centre[term as usize] = weight;
        }
        centre
    };
    let first = least_like(&as_centre(&row_sum(members)));
    let second = least_like(&as_centre(&row_sum(&[first])));
    let mut centres = [
        as_centre(&row_sum(&[first])),
        as_centre(&row_sum(&[second])),
    ];
    let mut side: Vec<bool> = Vec::new();
    for _ in 0..BISECT_ITERATIONS {
        let next: Vec<bool> = members
            .iter()
            .map(|&member| dot(&centres[1], member) > dot(&centres[0], member))
            .collect();
        if next == side {
            break;
        }
        side = next;
        for (half, centre) in centres.iter_mut().enumerate() {
            let part: Vec<usize> = members
                .iter()
                .zip(&side)
                .filter(|(_, second)| **second == (half == 1))
                .map(|(&member, _)| member)
                .collect();
            *centre = as_centre(&row_sum(&part));
        }
    }
    let part = |half: bool| -> Vec<usize> {
        members
            .iter()
            .zip(&side)
            .filter(|(_, second)| **second == half)
            .map(|(&member, _)| member)
            .collect()
    };
    [part(false), part(true)]
}

/// Iterations of [`bisect`] at most.
const BISECT_ITERATIONS: usize = 10;

/// A group of incidents being split or merged: its members (input incident indices), the sum
/// of their TF-IDF rows (the words they share) and of their rows in the clustering dimensions
/// (what the LSA makes of them: paraphrases that share few words still share this).
struct Part {
    members: Vec<usize>,
    words: Vec<(u32, f64)>,
    meaning: Array1<f32>,
}

/// How groups are compared when splitting and merging fine clusters.
struct Affinity<'a> {
    vectors: &'a TfIdf,
    /// Rows in the clustering dimensions, by position in `points`.
    data: &'a Array2<f32>,
    /// Position in `points` of each input incident.
    position_of: &'a [usize],
    words: f64,
    meaning: f64,
}

impl Affinity<'_> {
    fn part(&self, members: Vec<usize>) -> Part {
        let mut meaning = Array1::<f32>::zeros(self.data.ncols());
        for &member in &members {
            meaning += &self.data.row(self.position_of[member]);
        }
        Part {
            words: tfidf_sum(self.vectors, &members),
            members,
            meaning,
        }
    }

    fn join(&self, a: Part, b: Part) -> Part {
        let mut members = a.members;
        members.extend(b.members);
        members.sort_unstable();
        Part {
            words: sparse_sum_add(&a.words, &b.words),
            meaning: a.meaning + &b.meaning,
            members,
        }
    }

    /// How close two groups are, as a multiple of the thresholds: the larger of the cosine of
    /// their summed TF-IDF rows over `words` and the cosine of their summed clustering rows
    /// over `meaning`. At least 1: the same cause.
    fn closeness(&self, a: &Part, b: &Part) -> f64 {
        let norm = f64::from(a.meaning.dot(&a.meaning).sqrt() * b.meaning.dot(&b.meaning).sqrt());
        let meaning = if norm > 0.0 {
            f64::from(a.meaning.dot(&b.meaning)) / norm
        } else {
            0.0
        };
        (sum_cosine(&a.words, &b.words) / self.words).max(meaning / self.meaning)
    }
}

/// Split every cluster that is a union of unrelated groups: bisected ([`bisect`]), a cluster
/// whose halves are not close ([`Affinity::closeness`] below 1) is replaced by its halves,
/// which are tried in turn. Clusters of fewer than four members are not split. The order is
/// deterministic (rounds in cluster order, halves in place).
fn split_unrelated(affinity: &Affinity<'_>, clusters: Vec<Vec<usize>>) -> Vec<Part> {
    let mut done: Vec<Part> = Vec::new();
    let mut pending = clusters;
    while !pending.is_empty() {
        let results: Vec<Result<[Vec<usize>; 2], Part>> = pending
            .into_par_iter()
            .map(|members| {
                if members.len() < 4 {
                    return Err(affinity.part(members));
                }
                let [a, b] = bisect(affinity.vectors, &members);
                if a.is_empty() || b.is_empty() {
                    return Err(affinity.part(members));
                }
                let (a, b) = (affinity.part(a), affinity.part(b));
                if affinity.closeness(&a, &b) >= 1.0 {
                    Err(affinity.join(a, b))
                } else {
                    Ok([a.members, b.members])
                }
            })
            .collect();
        pending = Vec::new();
        for result in results {
            match result {
                Ok([a, b]) => {
                    pending.push(a);
                    pending.push(b);
                }
                Err(part) => done.push(part),
            }
        }
    }
    done
}

/// Reports left alone (step 1's one-off test against their fine cluster's centre, or a fine
/// cluster of one member, which has no coherence to judge) get a second look against the
/// merged groups: a fine centre is fitted on a sample and sits where the sample's reports of a
/// cause are, while a cause written several ways spans several fine clusters. Each loner is
/// compared with the group whose summed rows in the clustering dimensions are nearest it, by
/// the words it shares with the group: its TF-IDF cosine to the group's summed rows, as a share
/// of the median member's. It joins the group when that share is at least
/// [`ADOPT_ON_WORDS`], or at least [`ADOPT_ON_MEANING_AND_WORDS`] with its cosine in the
/// clustering dimensions at least `min_centre_similarity`; otherwise it stays a one-off.
///
/// Measured: at 1M, the reports of a cause that their fine centre missed share 0.5 to 0.9 of
/// it; one-offs 0.05 to 0.12. On the sample, "Annual plans charged twice" shares 0.1 with the
/// throttled-API group it is close to in meaning (0.86): the words keep it a one-off.
/// `loners` are incident indices; `labels` is by position in `points`.
fn adopt_loners(
    affinity: &Affinity<'_>,
    fine: &[Part],
    coherent: &[bool],
    group_of: &[usize],
    loners: impl Iterator<Item = usize>,
    params: &PatternParams,
    labels: &mut [Option<usize>],
) {
    struct Group {
        id: usize,
        /// Summed rows in the clustering dimensions (unit length once complete).
        meaning: Array1<f32>,
        /// Summed TF-IDF rows, dense over the vocabulary (unit length once complete).
        words: Vec<f64>,
        members: Vec<usize>,
        /// The median member's TF-IDF cosine to `words`.
        median: f64,
    }
    let words_cosine = |member: usize, words: &[f64]| -> f64 {
        affinity.vectors.rows[member]
            .iter()
            .map(|&(term, weight)| f64::from(weight) * words[term as usize])
            .sum()
    };
    let mut by_id: BTreeMap<usize, Group> = BTreeMap::new();
    for (c, part) in fine.iter().enumerate().filter(|&(c, _)| coherent[c]) {
        let group = by_id.entry(group_of[c]).or_insert_with(|| Group {
            id: group_of[c],
            meaning: Array1::zeros(part.meaning.len()),
            words: vec![0.0; affinity.vectors.n_terms()],
            members: Vec::new(),
            median: 0.0,
        });
        group.meaning += &part.meaning;
        for &(term, weight) in &part.words {
            group.words[term as usize] += weight;
        }
        group.members.extend(&part.members);
    }
    let groups: Vec<Group> = by_id
        .into_par_iter()
        .map(|(_, mut group)| {
            let norm = group.meaning.dot(&group.meaning).sqrt();
            if norm > 0.0 {
                group.meaning /= norm;
            }
            let norm = group.words.iter().map(|w| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                group.words.iter_mut().for_each(|w| *w /= norm);
            }
            let mut shares: Vec<f64> = group
                .members
                .iter()
                .map(|&m| words_cosine(m, &group.words))
                .collect();
            shares.sort_by(f64::total_cmp);
            group.median = shares.get(shares.len() / 2).copied().unwrap_or(0.0);
            group
        })
        .collect();
    let loners: Vec<usize> = loners.collect();
    let adopted: Vec<Option<usize>> = loners
        .par_iter()
        .map(|&member| {
            let row = affinity.data.row(affinity.position_of[member]);
            let norm = row.dot(&row).sqrt();
            if norm <= 0.0 {
                return None;
            }
            let (group, meaning) = groups
                .iter()
                .map(|group| (group, group.meaning.dot(&row) / norm))
                .fold(
                    None,
                    |best: Option<(&Group, f32)>, (group, value)| match best {
                        Some((_, top)) if top >= value => best,
                        _ => Some((group, value)),
                    },
                )?;
            if group.median <= 0.0 {
                return None;
            }
            let share = words_cosine(member, &group.words) / group.median;
            let close = f64::from(meaning) >= params.min_centre_similarity;
            (share >= ADOPT_ON_WORDS || (close && share >= ADOPT_ON_MEANING_AND_WORDS))
                .then_some(group.id)
        })
        .collect();
    for (member, group) in loners.into_iter().zip(adopted) {
        if group.is_some() {
            labels[affinity.position_of[member]] = group;
        }
    }
}

/// Which fine clusters are kept: coherent ones whose merged group is distinctive, its words its
/// own. A group's distinctiveness is the share of its defining words' use that falls inside
/// it: with `m` its summed TF-IDF rows and `a` those of the whole input,
/// `Σ m_t² · (m_t / a_t) / Σ m_t²`, the share of each term's weight inside the group, averaged
/// with the term's weight in the group's direction. A cause's reports write words that other
/// causes' reports rarely do; a group held together by sentences that reports of every cause
/// write (a handover remark, an alert routed to the wrong rotation, boilerplate), which
/// reports with nothing else in common fall back on, has most of those words' use elsewhere.
/// A group is kept when its distinctiveness is at least `min_share` of the median group's.
/// Measured at 10k (planted, held-out and sample-generator data): cause patterns 0.64 to 0.89,
/// groups of one-offs sharing only such a sentence 0.09 to 0.17; on the icco postmortems,
/// whose long reports share much wording, every group 0.27 to 0.46 (median 0.43).
fn distinctive_groups(
    corpus: &[(u32, f64)],
    fine: &[Part],
    coherent: &[bool],
    group_of: &[usize],
    min_share: f64,
) -> Vec<bool> {
    let width = corpus.last().map_or(0, |&(term, _)| term as usize + 1);
    let mut total = vec![0.0_f64; width];
    for &(term, weight) in corpus {
        total[term as usize] = weight;
    }
    let mut groups: BTreeMap<usize, Vec<(u32, f64)>> = BTreeMap::new();
    for (c, part) in fine.iter().enumerate().filter(|&(c, _)| coherent[c]) {
        let words = groups.entry(group_of[c]).or_default();
        *words = sparse_sum_add(words, &part.words);
    }
    let distinctiveness: BTreeMap<usize, f64> = groups
        .into_iter()
        .map(|(group, words)| {
            let (mut own, mut all) = (0.0, 0.0);
            for (term, weight) in words {
                let square = weight * weight;
                let used = total.get(term as usize).copied().unwrap_or(0.0);
                all += square;
                if used > 0.0 {
                    own += square * (weight / used).min(1.0);
                }
            }
            (group, if all > 0.0 { own / all } else { 1.0 })
        })
        .collect();
    let mut sorted: Vec<f64> = distinctiveness.values().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    (0..fine.len())
        .map(|c| {
            coherent[c]
                && distinctiveness
                    .get(&group_of[c])
                    .is_some_and(|&d| d >= min_share * median)
        })
        .collect()
}

/// Members that share too few of their group's words leave it: a member whose share of the
/// group's words ([`word_shares`]) is below [`ADOPT_ON_MEANING_AND_WORDS`], the least a loner
/// close in meaning must share to join, becomes a one-off. Such a report sits in the group by
/// where the clustering dimensions put it (a service name or a noise sentence it has in
/// common), not by what it says. `labels` is by position in `points`.
fn evict_atypical(vectors: &TfIdf, points: &[usize], labels: &mut [Option<usize>]) {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (position, label) in labels.iter().enumerate() {
        if let Some(label) = label {
            groups.entry(*label).or_default().push(position);
        }
    }
    let groups: Vec<Vec<usize>> = groups.into_values().collect();
    let evicted: Vec<usize> = groups
        .par_iter()
        .flat_map_iter(|positions| {
            let members: Vec<usize> = positions.iter().map(|&p| points[p]).collect();
            let shares = word_shares(vectors, &members);
            positions
                .iter()
                .zip(shares)
                .filter(|&(_, share)| share < ADOPT_ON_MEANING_AND_WORDS)
                .map(|(&position, _)| position)
                .collect::<Vec<_>>()
        })
        .collect();
    for position in evicted {
        labels[position] = None;
    }
}

/// A loner sharing at least this share of the words a group's median member shares with it
/// joins the group (see `adopt_loners`).
pub const ADOPT_ON_WORDS: f64 = 0.5;

/// A loner close to a group in the clustering dimensions joins it sharing at least this share
/// of the words its median member shares (see `adopt_loners`).
pub const ADOPT_ON_MEANING_AND_WORDS: f64 = 0.25;

/// Merge close groups: of the coherent ones, the two of highest [`Affinity::closeness`] are
/// joined while it is at least 1 (centroid linkage: a joined group is compared by its summed
/// rows). Returns the group of each part (the lowest part index in it); incoherent parts stay
/// alone.
fn merge_parts(affinity: &Affinity<'_>, parts: &[Part], coherent: &[bool]) -> Vec<usize> {
    let k = parts.len();
    let mut live: Vec<Option<Part>> = parts
        .iter()
        .zip(coherent)
        .map(|(part, &coherent)| {
            (coherent && !part.members.is_empty()).then(|| Part {
                members: Vec::new(),
                words: part.words.clone(),
                meaning: part.meaning.clone(),
            })
        })
        .collect();
    let mut closeness = vec![vec![f64::NEG_INFINITY; k]; k];
    for a in 0..k {
        for b in a + 1..k {
            if let (Some(x), Some(y)) = (&live[a], &live[b]) {
                closeness[a][b] = affinity.closeness(x, y);
            }
        }
    }
    let mut group: Vec<usize> = (0..k).collect();
    loop {
        let mut best: Option<(usize, usize, f64)> = None;
        for (a, row) in closeness.iter().enumerate() {
            for (b, &value) in row.iter().enumerate().skip(a + 1) {
                if value >= 1.0 && best.is_none_or(|(_, _, best)| value > best) {
                    best = Some((a, b, value));
                }
            }
        }
        let Some((a, b, _)) = best else { break };
        if let (Some(x), Some(y)) = (&live[a], &live[b])
            && sum_cosine(&x.words, &y.words) < affinity.words
        {
            // Close in meaning only: the members must agree (see `neighbours_agree`).
            let members = |g: usize| -> Vec<usize> {
                (0..k)
                    .filter(|&c| group[c] == g)
                    .flat_map(|c| parts[c].members.iter().copied())
                    .collect()
            };
            let agreement = neighbours_agree(affinity.vectors, &members(a), &members(b));
            if agreement < MIN_NEIGHBOUR_AGREEMENT {
                closeness[a][b] = f64::NEG_INFINITY;
                continue;
            }
        }
        if let (Some(x), Some(y)) = (live[a].take(), live[b].take()) {
            live[a] = Some(affinity.join(x, y));
        }
        for other in 0..k {
            closeness[other.min(b)][other.max(b)] = f64::NEG_INFINITY;
        }
        for other in (0..k).filter(|&other| other != a) {
            if let (Some(x), Some(y)) = (&live[a], &live[other]) {
                closeness[other.min(a)][other.max(a)] = affinity.closeness(x, y);
            }
        }
        for g in group.iter_mut().filter(|g| **g == b) {
            *g = a;
        }
    }
    group
}

/// Whether two groups close only in the LSA space are one cause: for members of the smaller
/// group (up to 64, evenly spaced), the TF-IDF cosine of their nearest member of the other
/// group over that of their nearest other member of their own (up to 256 of each, evenly
/// spaced): the median of that ratio. One cause written two ways keeps some words of its
/// headlines, symptoms and tasks, so its reports still find neighbours across (0.36 on the
/// independent planted data at 100k); two causes that the leading directions happen to align
/// share generic words only (0.15 and 0.18 on the held-out vocabulary).
fn neighbours_agree(vectors: &TfIdf, a: &[usize], b: &[usize]) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let spaced = |members: &[usize], limit: usize| -> Vec<usize> {
        let step = members.len().div_ceil(limit.max(1)).max(1);
        members.iter().step_by(step).copied().collect()
    };
    let (probes, own, other) = (spaced(small, 64), spaced(small, 256), spaced(large, 256));
    let nearest = |x: usize, among: &[usize]| -> f32 {
        among
            .iter()
            .filter(|&&y| y != x)
            .map(|&y| vectors.cosine(x, y))
            .fold(0.0, f32::max)
    };
    let mut ratios: Vec<f64> = probes
        .iter()
        .filter_map(|&x| {
            let within = nearest(x, &own);
            (within > 0.0).then(|| f64::from(nearest(x, &other) / within))
        })
        .collect();
    if ratios.is_empty() {
        return 0.0;
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

/// The least [`neighbours_agree`] for a merge on meaning alone.
const MIN_NEIGHBOUR_AGREEMENT: f64 = 0.25;

/// The cosine of each row to its centroid.
fn centre_similarities(data: &Array2<f32>, centroids: &Array2<f32>, nearest: &[usize]) -> Vec<f32> {
    let norms: Vec<f32> = centroids
        .outer_iter()
        .map(|centroid| centroid.dot(&centroid).sqrt())
        .collect();
    data.outer_iter()
        .zip(nearest)
        .map(|(row, &centre)| {
            let norm = norms[centre] * row.dot(&row).sqrt();
            if norm > 0.0 {
                row.dot(&centroids.row(centre)) / norm
            } else {
                0.0
            }
        })
        .collect()
}

/// The member with the highest cosine to the members' mean.
fn representative(embedding: &Array2<f32>, members: &[usize]) -> usize {
    let mut centre = Array1::<f32>::zeros(embedding.ncols());
    for &member in members {
        centre += &embedding.row(member);
    }
    let mut best = (members[0], f32::NEG_INFINITY);
    for &member in members {
        let score = embedding.row(member).dot(&centre);
        if score > best.1 {
            best = (member, score);
        }
    }
    best.0
}

/// c-TF-IDF top terms of each group, phrases preferred over their own words.
/// `weights` scales each column's score ([`Patterns::evidence_weights`]; missing: 1).
fn class_terms(
    vectors: &TfIdf,
    groups: &[Vec<usize>],
    n_terms: usize,
    weights: &[f32],
) -> Vec<Vec<String>> {
    let weight = |column: usize| f64::from(weights.get(column).copied().unwrap_or(1.0));
    let columns = vectors.n_terms();
    let mass: Vec<Vec<f64>> = groups
        .par_iter()
        .map(|members| {
            let mut mass = vec![0f64; columns];
            for &member in members {
                for &(column, weight) in &vectors.rows[member] {
                    mass[column as usize] += f64::from(weight);
                }
            }
            mass
        })
        .collect();
    let mut total = vec![0f64; columns];
    for group in &mass {
        total.iter_mut().zip(group).for_each(|(t, m)| *t += m);
    }
    let average = total.iter().sum::<f64>() / groups.len().max(1) as f64;
    mass.iter()
        .map(|group| {
            let group_total: f64 = group.iter().sum();
            if group_total <= 0.0 {
                return Vec::new();
            }
            let mut scored: Vec<(f64, usize)> = group
                .iter()
                .enumerate()
                .filter(|&(_, &m)| m > 0.0)
                .map(|(column, &m)| {
                    (
                        m / group_total * (1.0 + average / total[column]).ln() * weight(column),
                        column,
                    )
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            pick_terms(vectors, &scored, n_terms)
        })
        .collect()
}

/// The top terms, each bringing words not shown yet: a term whose words are all in a chosen
/// term is skipped, a phrase takes the place of the chosen terms it contains ("connection pool"
/// replaces "pool"), and a term sharing a word with a chosen term it does not contain is skipped
/// ("configuration push" keeps out "configuration change").
fn pick_terms(vectors: &TfIdf, scored: &[(f64, usize)], n_terms: usize) -> Vec<String> {
    let mut chosen: Vec<usize> = Vec::new();
    let words = |column: usize| -> Vec<&str> { vectors.keys[column].split(' ').collect() };
    let contains = |outer: usize, inner: usize| -> bool {
        let outer = words(outer);
        words(inner).iter().all(|word| outer.contains(word))
    };
    let shares = |a: usize, b: usize| -> bool {
        let a = words(a);
        words(b).iter().any(|word| a.contains(word))
    };
    for &(_, column) in scored.iter().take(n_terms * 8) {
        if chosen.len() >= n_terms {
            break;
        }
        if chosen.iter().any(|&existing| contains(existing, column)) {
            continue;
        }
        if chosen
            .iter()
            .any(|&existing| !contains(column, existing) && shares(column, existing))
        {
            continue;
        }
        match chosen
            .iter()
            .position(|&existing| contains(column, existing))
        {
            Some(first) => {
                chosen[first] = column;
                let mut at = first + 1;
                while at < chosen.len() {
                    if contains(column, chosen[at]) {
                        chosen.remove(at);
                    } else {
                        at += 1;
                    }
                }
            }
            None => chosen.push(column),
        }
    }
    chosen
        .into_iter()
        .map(|column| vectors.terms[column].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn incident(root_cause: &str) -> Incident {
        Incident {
            root_cause: Some(root_cause.to_owned()),
            ..Incident::default()
        }
    }

    /// Three planted causes, eight paraphrases each, plus an incident without text.
    fn fixture() -> (Vec<Incident>, Vec<Option<&'static str>>) {
        let causes: [(&str, [&str; 8]); 3] = [
            (
                "cert",
                [
                    "TLS certificate expired on the edge proxy",
                    "The cert for the API gateway expired overnight",
                    "Expired certificate on the load balancer",
                    "certificate expiry was missed, renewal job broken",
                    "Certificates expired because renewal failed silently",
                    "expired ssl cert on payments endpoint",
                    "certificate renewal cron failed and the cert expired",
                    "Edge certificate expired; renewal alert missing",
                ],
            ),
            (
                "pool",
                [
                    "Database connection pool exhausted by slow queries",
                    "connection pool exhaustion in the orders database",
                    "The db connection pool ran dry under load",
                    "Slow queries held connections until the pool was exhausted",
                    "connection pool size too small for traffic spike",
                    "pool of database connections exhausted after deploy",
                    "connection pool exhausted, requests queued and timed out",
                    "Exhausted connection pool on the primary database",
                ],
            ),
            (
                "flag",
                [
                    "Feature flag enabled for all tenants by mistake",
                    "A feature flag flipped globally instead of for beta",
                    "feature flag misconfigured during the experiment",
                    "Wrong feature flag default shipped to production",
                    "The feature flag rollout skipped the canary",
                    "feature flag targeting rule matched everyone",
                    "Flag for new checkout enabled too broadly",
                    "feature flag change without review broke checkout",
                ],
            ),
        ];
        let mut incidents = Vec::new();
        let mut truth = Vec::new();
        for round in 0..8 {
            for (cause, texts) in &causes {
                incidents.push(incident(texts[round]));
                truth.push(Some(*cause));
            }
        }
        incidents.push(Incident::default());
        truth.push(None);
        (incidents, truth)
    }

    fn small_params() -> PatternParams {
        PatternParams {
            k_max: 6,
            dims: 10,
            tfidf: TfIdfParams {
                max_df: 0.6,
                ..TfIdfParams::default()
            },
            ..PatternParams::default()
        }
    }

    #[test]
    fn planted_causes_are_recovered_with_automatic_k() {
        let (incidents, truth) = fixture();
        let patterns = find_patterns(&incidents, &small_params()).expect("valid params");
        assert_eq!(patterns.chosen_k, 3, "scores {:?}", patterns.k_scores);
        assert_eq!(patterns.assignment[24], None, "no text, no pattern");
        let nmi = normalized_mutual_information(&patterns.assignment[..24], &truth[..24]);
        assert!(nmi > 0.9, "nmi {nmi}: {:?}", patterns.assignment);
        let labels: Vec<&str> = patterns.patterns.iter().map(|p| p.label.as_str()).collect();
        assert!(
            labels.iter().any(|l| l.contains("certificate")),
            "{labels:?}"
        );
        assert!(
            labels.iter().any(|l| l.contains("connection pool")),
            "{labels:?}"
        );
        assert!(
            labels.iter().any(|l| l.contains("feature flag")),
            "{labels:?}"
        );
        for pattern in &patterns.patterns {
            assert!(pattern.members.contains(&pattern.representative));
            assert_eq!(pattern.size, pattern.members.len());
        }
        let again = find_patterns(&incidents, &small_params()).expect("valid params");
        assert_eq!(patterns, again, "deterministic");
    }

    #[test]
    fn fixed_k_and_dbscan() {
        let (incidents, _) = fixture();
        let fixed = find_patterns(
            &incidents,
            &PatternParams {
                n_clusters: Some(2),
                ..small_params()
            },
        )
        .expect("valid");
        assert_eq!(fixed.chosen_k, 2);
        assert!(fixed.k_scores.is_empty());
        assert!(
            fixed.patterns[0].size >= fixed.patterns[1].size,
            "largest first"
        );
        let mut with_noise = incidents.clone();
        with_noise.push(incident("Squirrel chewed through the fibre to the office"));
        let dense = find_patterns(
            &with_noise,
            &PatternParams {
                method: Method::Dbscan {
                    eps: 0.8,
                    min_points: 3,
                },
                ..small_params()
            },
        )
        .expect("valid");
        assert_eq!(dense.assignment[25], None, "a one-off is noise");
        assert!(dense.chosen_k >= 2, "{:?}", dense.assignment);
    }

    /// Six planted causes, each written in six root-cause paraphrases and four titles, with
    /// shared boilerplate and services in the summaries; every fifth incident has only a body.
    fn paraphrased_fixture() -> (Vec<Incident>, Vec<usize>) {
        let causes: [([&str; 4], [&str; 6]); 6] = [
            (
                [
                    "Expired certificate on the edge",
                    "TLS handshake failures",
                    "Cert expiry took down the API",
                    "Certificate not renewed",
                ],
                [
                    "The TLS certificate expired because the renewal job had silently failed",
                    "Our cert expired; auto-renewal was broken since the last migration",
                    "Certificate expiry was missed: nobody owned renewing it",
                    "An expired certificate on the load balancer broke TLS handshakes",
                    "Renewal of the certificates failed and they expired overnight",
                    "The x509 cert lapsed after the renewal cron stopped running",
                ],
            ),
            (
                [
                    "Connection pool exhausted",
                    "Database connections ran out",
                    "DB pool saturation",
                    "Requests queued waiting for connections",
                ],
                [
                    "Slow queries held database connections until the pool was exhausted",
                    "The connection pool was too small for the traffic spike",
                    "Connection pool exhaustion: long transactions kept connections busy",
                    "A batch job opened too many connections and starved the pool",
                    "Pool size was never raised after traffic doubled, connections ran out",
                    "Leaked connections exhausted the db connection pool",
                ],
            ),
            (
                [
                    "Feature flag enabled for everyone",
                    "Bad flag rollout",
                    "Flag misconfiguration broke checkout",
                    "Feature toggle flipped globally",
                ],
                [
                    "A feature flag was switched on for all tenants instead of the beta group",
                    "The feature flag targeting rule matched every account",
                    "Someone flipped the flag globally while testing the new checkout",
                    "A flag default changed in code and enabled the unfinished feature",
                    "The feature flag rollout skipped the percentage stages",
                    "Misconfigured feature flag exposed the experimental pricing page",
                ],
            ),
            (
                [
                    "Disk full on log volume",
                    "No space left on device",
                    "Logs filled the disk",
                    "Volume ran out of space",
                ],
                [
                    "Debug logging filled the disk and the service crashed",
                    "Log rotation was misconfigured so the volume filled up",
                    "The disk ran out of space because old logs were never deleted",
                    "A verbose log level wrote gigabytes until the disk was full",
                    "Log files grew without rotation until no space was left",
                    "The data volume filled with logs and writes failed",
                ],
            ),
            (
                [
                    "DNS resolution failures",
                    "Name lookups timing out",
                    "Resolver outage",
                    "DNS errors across the fleet",
                ],
                [
                    "The internal DNS resolver was overloaded and lookups timed out",
                    "A bad DNS zone change made names fail to resolve",
                    "The single DNS resolver crashed and there was no failover",
                    "DNS lookups failed after the resolver configuration was pushed",
                    "Resolver cache expired and upstream DNS could not keep up",
                    "Name resolution failed because the DNS server ran out of sockets",
                ],
            ),
            (
                [
                    "Memory leak in the worker",
                    "Workers killed by OOM",
                    "Heap growth until crash",
                    "Out of memory restarts",
                ],
                [
                    "A memory leak in the image library grew the heap until the OOM killer fired",
                    "Workers leaked memory per request and were OOMKilled every few hours",
                    "Heap usage grew without bound because a cache never evicted entries",
                    "The new parser leaked buffers and the process ran out of memory",
                    "Unbounded heap growth from retained references caused out of memory crashes",
                    "A memory leak in the session store exhausted the container memory limit",
                ],
            ),
        ];
        let services = ["checkout", "payments", "search", "accounts", "orders"];
        let mut incidents = Vec::new();
        let mut truth = Vec::new();
        for i in 0..204 {
            let cause = i % 6;
            let round = i / 6;
            let (titles, roots) = &causes[cause];
            let details = [
                "on the primary cluster",
                "during the evening peak",
                "right after the weekly release",
                "while the on-call was handing over",
                "in the eu region only",
                "for the second time this quarter",
                "shortly after midnight",
            ];
            let root = format!("{} {}", roots[(round + cause) % 6], details[(i * 5) % 7]);
            let root = root.as_str();
            let summary = format!(
                "Customers of {} saw errors for {} minutes. Engineers were paged, investigated \
                 and resolved the incident.",
                services[(i * 7) % 5],
                10 + i % 50
            );
            let incident = if i % 5 == 4 {
                Incident {
                    body: Some(format!("{summary}\n\n## What happened\n\n{root}.")),
                    ..Incident::default()
                }
            } else {
                Incident {
                    title: Some(titles[round % 4].to_owned()),
                    summary: Some(summary),
                    root_cause: Some(root.to_owned()),
                    ..Incident::default()
                }
            };
            incidents.push(incident);
            truth.push(cause);
        }
        (incidents, truth)
    }

    #[test]
    fn automatic_k_recovers_paraphrased_causes_with_readable_labels() {
        let (incidents, truth) = paraphrased_fixture();
        let params = PatternParams {
            k_max: 15,
            ..PatternParams::default()
        };
        let patterns = find_patterns(&incidents, &params).expect("valid params");
        let nmi = normalized_mutual_information(&patterns.assignment, &truth);
        assert!(
            nmi >= 0.9,
            "nmi {nmi}, k {}, scores {:?}, labels {:?}",
            patterns.chosen_k,
            patterns.k_scores,
            patterns
                .patterns
                .iter()
                .map(|p| &p.label)
                .collect::<Vec<_>>()
        );
        // Labels are made of words people wrote (surface forms), never stems or boilerplate.
        let mut written: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for incident in &incidents {
            for text in [
                &incident.title,
                &incident.summary,
                &incident.root_cause,
                &incident.body,
            ]
            .into_iter()
            .flatten()
            {
                written.extend(text.unicode_words().map(str::to_lowercase));
            }
        }
        let synonyms: std::collections::BTreeSet<&str> = crate::text::DEFAULT_SYNONYMS
            .iter()
            .flat_map(|(_, to)| to.split(' '))
            .collect();
        for pattern in &patterns.patterns {
            assert!(!pattern.terms.is_empty());
            for word in pattern.terms.iter().flat_map(|term| term.split(' ')) {
                assert!(
                    written.contains(word) || synonyms.contains(word),
                    "{word:?} in {:?} is not a written word",
                    pattern.label
                );
                for boilerplate in ["customers", "minutes", "engineers", "incident", "resolved"] {
                    assert_ne!(word, boilerplate, "{:?}", pattern.label);
                }
            }
        }
        let labels: Vec<&str> = patterns.patterns.iter().map(|p| p.label.as_str()).collect();
        for expected in ["certificate", "pool", "flag", "disk", "dns", "memory"] {
            assert!(
                labels.iter().any(|label| label.contains(expected)),
                "{expected}: {labels:?}"
            );
        }
    }

    /// Rows of unit TF-IDF vectors, one term each, for the split and merge tests.
    fn one_term_rows(terms: &[u32]) -> TfIdf {
        let n_terms = terms.iter().max().map_or(0, |max| *max as usize + 1);
        TfIdf {
            terms: (0..n_terms).map(|t| format!("t{t}")).collect(),
            keys: (0..n_terms).map(|t| format!("t{t}")).collect(),
            rows: terms.iter().map(|&t| vec![(t, 1.0)]).collect(),
            idf: vec![1.0; n_terms],
            df: vec![1; n_terms],
            name_like: Vec::new(),
        }
    }

    /// An affinity with the default merge thresholds.
    fn default_affinity<'a>(
        vectors: &'a TfIdf,
        data: &'a Array2<f32>,
        position_of: &'a [usize],
    ) -> Affinity<'a> {
        let defaults = PatternParams::default();
        Affinity {
            vectors,
            data,
            position_of,
            words: defaults.merge_similarity,
            meaning: defaults.merge_embedding_similarity,
        }
    }

    #[test]
    fn a_catch_all_is_split_and_a_cause_written_two_ways_is_merged() {
        // Incidents 0-3 say "t0", 4-7 "t1": two unrelated groups k-means put together. 8-11
        // share "t2" with half of their words, the other half "t3" or "t4": one cause.
        let mut vectors = one_term_rows(&[0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
        for (i, other) in [(8, 3), (9, 3), (10, 4), (11, 4)] {
            let w = std::f32::consts::FRAC_1_SQRT_2;
            vectors.rows[i] = vec![(2, w), (other, w)];
        }
        let data = Array2::<f32>::eye(12);
        let position_of: Vec<usize> = (0..12).collect();
        let affinity = default_affinity(&vectors, &data, &position_of);
        let parts = split_unrelated(&affinity, vec![(0..8).collect(), vec![8, 9], vec![10, 11]]);
        let mut members: Vec<Vec<usize>> = parts.iter().map(|p| p.members.clone()).collect();
        members.sort();
        assert_eq!(
            members,
            vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9], vec![10, 11]]
        );
        let coherent: Vec<bool> = parts
            .iter()
            .map(|p| coherence(&p.words, p.members.len()) >= 0.1)
            .collect();
        assert!(coherent.iter().all(|&c| c), "{coherent:?}");
        let groups = merge_parts(&affinity, &parts, &coherent);
        let group_of = |member: usize| {
            let part = parts
                .iter()
                .position(|p| p.members.contains(&member))
                .expect("placed");
            groups[part]
        };
        assert_eq!(group_of(8), group_of(10), "one cause written two ways");
        assert_ne!(group_of(0), group_of(4), "unrelated groups stay apart");
        assert_ne!(group_of(0), group_of(8));
        // Two unrelated reports are no pattern: their coherence is 0.
        let pair = affinity.part(vec![0, 4]);
        assert_eq!(coherence(&pair.words, 2), 0.0);
    }

    #[test]
    fn a_group_held_together_by_words_every_cause_writes_is_no_pattern() {
        // 0-3 say "t0" and 4-7 "t1", each with the boilerplate "t9" beside it; 8-9 say only
        // "t9": coherent (they share all their words) but not a cause.
        let w = std::f32::consts::FRAC_1_SQRT_2;
        let mut vectors = one_term_rows(&[0, 0, 0, 0, 1, 1, 1, 1, 9, 9]);
        for i in 0..8 {
            vectors.rows[i] = vec![(i as u32 / 4, w), (9, w)];
        }
        let data = Array2::<f32>::eye(10);
        let position_of: Vec<usize> = (0..10).collect();
        let affinity = default_affinity(&vectors, &data, &position_of);
        let parts: Vec<Part> = [vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
            .into_iter()
            .map(|members| affinity.part(members))
            .collect();
        let corpus = tfidf_sum(&vectors, &position_of);
        let coherent = [true; 3];
        let group_of = [0, 1, 2];
        // Distinctiveness: the causes (8 + 8 · 2.83 / 7.66) / 16 = 0.68, the boilerplate
        // 2 / 7.66 = 0.26, below half the median's 0.68.
        assert_eq!(
            distinctive_groups(&corpus, &parts, &coherent, &group_of, 0.5),
            [true, true, false]
        );
        assert_eq!(
            distinctive_groups(&corpus, &parts, &coherent, &group_of, 0.0),
            [true, true, true]
        );
        // An incoherent cluster is never kept.
        assert_eq!(
            distinctive_groups(&corpus, &parts, &[true, false, true], &group_of, 0.0),
            [true, false, true]
        );
    }

    #[test]
    fn a_member_sharing_few_of_its_groups_words_leaves_it() {
        // Group 0: six reports of "t0", one that says "t0" only in passing (0.05 of its
        // weight), one that shares half; group 1: three reports of "t1". Positions are incident
        // indices shifted by one (`points` skips incident 0).
        let mut vectors = one_term_rows(&[5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
        let passing = 0.05_f32;
        vectors.rows[7] = vec![(0, passing), (2, (1.0 - passing * passing).sqrt())];
        vectors.rows[8] = vec![(0, 0.5), (3, 0.75_f32.sqrt())];
        let points: Vec<usize> = (1..12).collect();
        let mut labels: Vec<Option<usize>> = (1..12).map(|i| Some(usize::from(i > 8))).collect();
        let shares = word_shares(&vectors, &points[..8]);
        assert!(shares[6] < ADOPT_ON_MEANING_AND_WORDS, "{shares:?}");
        assert!(shares[7] >= ADOPT_ON_MEANING_AND_WORDS, "{shares:?}");
        assert!(shares[..6].iter().all(|&share| (share - 1.0).abs() < 1e-9));
        evict_atypical(&vectors, &points, &mut labels);
        let expected: Vec<Option<usize>> = (1..12)
            .map(|i| (i != 7).then_some(usize::from(i > 8)))
            .collect();
        assert_eq!(labels, expected);
    }

    #[test]
    fn nothing_to_cluster_gives_no_patterns() {
        let patterns = find_patterns(
            &[Incident::default(), incident("the")],
            &PatternParams::default(),
        )
        .expect("valid");
        assert_eq!(patterns.assignment, [None, None]);
        assert!(patterns.patterns.is_empty());
    }

    #[test]
    fn silhouette_matches_the_pairwise_definition() {
        let rows = [
            [1.0f32, 0.0],
            [0.8, 0.6],
            [0.0, 1.0],
            [-0.6, 0.8],
            [0.6, -0.8],
            [0.0, 0.0],
        ];
        let data = Array2::from_shape_fn((6, 2), |(i, j)| rows[i][j]);
        let labels = [0, 0, 1, 1, 0, 2];
        let distance = |i: usize, j: usize| 1.0 - f64::from(data.row(i).dot(&data.row(j)));
        let mut expected = 0.0;
        for i in 0..6 {
            let mean = |c: usize| {
                let others: Vec<usize> = (0..6).filter(|&j| j != i && labels[j] == c).collect();
                others.iter().map(|&j| distance(i, j)).sum::<f64>() / others.len().max(1) as f64
            };
            if labels.iter().filter(|&&l| l == labels[i]).count() > 1 {
                let a = mean(labels[i]);
                let b = (0..3)
                    .filter(|&c| c != labels[i])
                    .map(mean)
                    .fold(f64::INFINITY, f64::min);
                expected += (b - a) / a.max(b);
            }
        }
        expected /= 6.0;
        let found = cosine_silhouette(&data, &labels, 3);
        assert!((found - expected).abs() < 1e-9, "{found} vs {expected}");
    }

    #[test]
    fn nmi_of_known_labelings() {
        assert!(
            (normalized_mutual_information(&[0, 0, 1, 1], &["a", "a", "b", "b"]) - 1.0).abs()
                < 1e-12
        );
        assert!(normalized_mutual_information(&[0, 1, 0, 1], &["a", "a", "b", "b"]).abs() < 1e-12);
        let partial =
            normalized_mutual_information(&[0, 0, 1, 1, 1, 1], &["a", "a", "a", "b", "b", "b"]);
        assert!(partial > 0.3 && partial < 0.7, "{partial}");
    }

    fn check_error(params: PatternParams, expected: PatternError) {
        assert_eq!(params.check(), Err(expected));
    }

    #[test]
    fn each_bad_parameter_has_its_error() {
        let base = PatternParams::default;
        check_error(
            PatternParams {
                n_clusters: Some(1),
                ..base()
            },
            PatternError::TooFewClusters(1),
        );
        check_error(
            PatternParams { k_min: 1, ..base() },
            PatternError::KMinBelowTwo(1),
        );
        check_error(
            PatternParams {
                k_min: 5,
                k_max: 4,
                ..base()
            },
            PatternError::EmptyKRange { k_min: 5, k_max: 4 },
        );
        check_error(
            PatternParams {
                method: Method::Dbscan {
                    eps: 0.0,
                    min_points: 3,
                },
                ..base()
            },
            PatternError::BadEps(0.0),
        );
        check_error(
            PatternParams {
                method: Method::Dbscan {
                    eps: 0.5,
                    min_points: 0,
                },
                ..base()
            },
            PatternError::ZeroMinPoints,
        );
        check_error(PatternParams { dims: 0, ..base() }, PatternError::ZeroDims);
        check_error(
            PatternParams {
                over_clustering: 0.5,
                ..base()
            },
            PatternError::BadOverClustering(0.5),
        );
        check_error(
            PatternParams {
                merge_similarity: 0.0,
                ..base()
            },
            PatternError::BadSimilarity {
                name: "merge_similarity",
                value: 0.0,
            },
        );
        check_error(
            PatternParams {
                min_coherence: 1.5,
                ..base()
            },
            PatternError::BadSimilarity {
                name: "min_coherence",
                value: 1.5,
            },
        );
        check_error(
            PatternParams {
                min_distinctiveness_share: -0.1,
                ..base()
            },
            PatternError::BadSimilarity {
                name: "min_distinctiveness_share",
                value: -0.1,
            },
        );
        check_error(
            PatternParams {
                tfidf: TfIdfParams {
                    min_df: 0,
                    ..TfIdfParams::default()
                },
                ..base()
            },
            PatternError::ZeroMinDf,
        );
        check_error(
            PatternParams {
                tfidf: TfIdfParams {
                    max_df: 1.5,
                    ..TfIdfParams::default()
                },
                ..base()
            },
            PatternError::BadMaxDf(1.5),
        );
        check_error(
            PatternParams {
                tfidf: TfIdfParams {
                    phrase_min_count: 0,
                    ..TfIdfParams::default()
                },
                ..base()
            },
            PatternError::ZeroPhraseMinCount,
        );
        check_error(
            PatternParams {
                tfidf: TfIdfParams {
                    phrase_min_npmi: 2.0,
                    ..TfIdfParams::default()
                },
                ..base()
            },
            PatternError::BadPhraseNpmi(2.0),
        );
        check_error(
            PatternParams {
                tfidf: TfIdfParams {
                    proper_noun_weight: 1.5,
                    ..TfIdfParams::default()
                },
                ..base()
            },
            PatternError::BadProperNounWeight(1.5),
        );
        let weights = crate::tfidf::FieldWeights {
            body: -1.0,
            ..crate::tfidf::FieldWeights::default()
        };
        check_error(
            PatternParams {
                tfidf: TfIdfParams {
                    field_weights: weights,
                    ..TfIdfParams::default()
                },
                ..base()
            },
            PatternError::BadFieldWeight {
                field: "body",
                weight: -1.0,
            },
        );
        check_error(
            PatternParams {
                selection_sample: 5,
                ..base()
            },
            PatternError::SmallSelectionSample(5),
        );
        check_error(
            PatternParams {
                min_centre_similarity: 1.5,
                ..base()
            },
            PatternError::BadCentreSimilarity(1.5),
        );
        check_error(
            PatternParams {
                min_silhouette_margin: -0.1,
                ..base()
            },
            PatternError::BadSilhouetteMargin(-0.1),
        );
        check_error(
            PatternParams {
                fit_sample: 5,
                ..base()
            },
            PatternError::SmallFitSample(5),
        );
        check_error(
            PatternParams {
                n_runs: 0,
                ..base()
            },
            PatternError::ZeroRuns,
        );
        check_error(
            PatternParams {
                label_terms: 0,
                ..base()
            },
            PatternError::ZeroLabelTerms,
        );
        assert!(base().check().is_ok());
    }
}
