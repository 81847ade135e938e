//! Similar incidents: cosine similarity on the LSA embedding, explained by the terms two
//! incidents share in their TF-IDF rows.
//!
//! Small inputs (at most `exact_limit` incidents with text, default 5000) are searched exactly.
//! Larger ones use an inverted-file index: incidents are split into lists of about `list_size`
//! (default 256) by a two-level spherical k-means (coarse cells, then lists within each cell,
//! seeded), and an incident's neighbours are searched among the members of the `n_probe`
//! lists (default 4) whose centres are nearest its own list's centre. Each list is searched as one
//! dense block product, so all neighbours of a million incidents cost about
//! `N · n_probe · list_size · d` multiply-adds instead of `N² · d`. The search is approximate:
//! a true neighbour in a list not probed is missed. A list k-means cannot split (many copies of
//! the same text) is cut into pieces of `list_size`, so no search grows quadratically.

use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::patterns::Patterns;
use crate::tfidf::TfIdf;

/// A similar incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbor {
    /// Index of the incident in the input.
    pub index: usize,
    /// Cosine similarity in the embedding, in [-1, 1].
    pub score: f32,
    /// The terms with the highest weight in both incidents' TF-IDF rows, strongest first.
    pub shared_terms: Vec<String>,
}

/// Parameters of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimilarityParams {
    /// Up to this many incidents with text, search is exact. Default 5000.
    pub exact_limit: usize,
    /// Target size of an inverted list. Default 256.
    pub list_size: usize,
    /// Lists searched per incident (its own and the nearest others). Default 4.
    pub n_probe: usize,
    /// Shared terms reported per neighbour. Default 5.
    pub shared_terms: usize,
    /// Seed of the index's k-means. Default 42.
    pub seed: u64,
}

impl Default for SimilarityParams {
    fn default() -> Self {
        Self {
            exact_limit: 5000,
            list_size: 256,
            n_probe: 4,
            shared_terms: 5,
            seed: 42,
        }
    }
}

/// An index for similar-incident queries over an embedding and its TF-IDF rows.
#[derive(Debug, Clone)]
pub struct SimilarityIndex<'a> {
    embedding: ArrayView2<'a, f32>,
    vectors: &'a TfIdf,
    /// How much each term counts in the shared terms (empty: all fully).
    evidence_weights: &'a [f32],
    lists: Vec<Vec<usize>>,
    list_of: Vec<Option<u32>>,
    probes: Vec<Vec<u32>>,
    shared_terms: usize,
}

impl<'a> SimilarityIndex<'a> {
    /// The index of the incidents of [`Patterns`], with default parameters; the shared terms
    /// weigh names as the patterns' labels do ([`Patterns::evidence_weights`]).
    pub fn from_patterns(patterns: &'a Patterns) -> Self {
        Self {
            evidence_weights: &patterns.evidence_weights,
            ..Self::new(
                &patterns.embedding,
                &patterns.vectors,
                &SimilarityParams::default(),
            )
        }
    }

    /// Build the index. Rows of `embedding` are unit vectors (zero for incidents without
    /// text, which have no neighbours and are no one's neighbour).
    pub fn new(embedding: &'a Array2<f32>, vectors: &'a TfIdf, params: &SimilarityParams) -> Self {
        let embedding = embedding.view();
        let n = embedding.nrows();
        let points: Vec<usize> = (0..n)
            .filter(|&i| embedding.row(i).iter().any(|&x| x != 0.0))
            .collect();
        let list_size = params.list_size.max(2);
        let (lists, probes) = if points.len() <= params.exact_limit.max(1) {
            (vec![points], vec![vec![0]])
        } else {
            build_lists(
                embedding,
                &points,
                list_size,
                params.n_probe.max(1),
                params.seed,
            )
        };
        let mut list_of = vec![None; n];
        for (list, members) in lists.iter().enumerate() {
            for &member in members {
                list_of[member] = Some(list as u32);
            }
        }
        Self {
            embedding,
            vectors,
            evidence_weights: &[],
            lists,
            list_of,
            probes,
            shared_terms: params.shared_terms,
        }
    }

    /// Cosine similarity of two incidents (0 when either has no text or is out of range).
    pub fn similarity(&self, a: usize, b: usize) -> f32 {
        if a >= self.embedding.nrows() || b >= self.embedding.nrows() {
            return 0.0;
        }
        self.embedding.row(a).dot(&self.embedding.row(b))
    }

    /// The `top` incidents most similar to incident `index`, best first (ties: lower index).
    pub fn most_similar(&self, index: usize, top: usize) -> Vec<Neighbor> {
        let Some(Some(list)) = self.list_of.get(index) else {
            return Vec::new();
        };
        let candidates = self.candidates(*list as usize);
        let row = self.embedding.row(index);
        let scored: Vec<(f32, usize)> = candidates
            .iter()
            .filter(|&&c| c != index)
            .map(|&c| (row.dot(&self.embedding.row(c)), c))
            .collect();
        self.explain(index, best(scored, top))
    }

    /// The `top` most similar incidents of every incident (empty for incidents without text).
    pub fn all_neighbors(&self, top: usize) -> Vec<Vec<Neighbor>> {
        let per_list: Vec<Vec<(usize, Vec<Neighbor>)>> = (0..self.lists.len())
            .into_par_iter()
            .map(|list| {
                let members = &self.lists[list];
                let candidates = self.candidates(list);
                let queries = self.embedding.select(Axis(0), members);
                let targets = self.embedding.select(Axis(0), &candidates);
                members
                    .par_chunks(512)
                    .zip(queries.axis_chunks_iter(Axis(0), 512).into_par_iter())
                    .flat_map_iter(|(members, queries)| {
                        let scores = queries.dot(&targets.t());
                        members
                            .iter()
                            .zip(scores.outer_iter())
                            .map(|(&member, row)| {
                                let scored: Vec<(f32, usize)> = row
                                    .iter()
                                    .zip(&candidates)
                                    .filter(|&(_, &c)| c != member)
                                    .map(|(&score, &c)| (score, c))
                                    .collect();
                                (member, self.explain(member, best(scored, top)))
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect()
            })
            .collect();
        let mut out = vec![Vec::new(); self.embedding.nrows()];
        for (member, neighbors) in per_list.into_iter().flatten() {
            out[member] = neighbors;
        }
        out
    }

    /// The terms two incidents share, strongest (product of weights, times their evidence
    /// weights) first.
    pub fn shared_terms(&self, a: usize, b: usize) -> Vec<String> {
        let (Some(row_a), Some(row_b)) = (self.vectors.rows.get(a), self.vectors.rows.get(b))
        else {
            return Vec::new();
        };
        shared_row_terms(
            row_a,
            row_b,
            &self.vectors.terms,
            self.shared_terms,
            self.evidence_weights,
        )
    }

    fn candidates(&self, list: usize) -> Vec<usize> {
        let mut candidates: Vec<usize> = self.probes[list]
            .iter()
            .flat_map(|&probe| self.lists[probe as usize].iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    fn explain(&self, index: usize, scored: Vec<(f32, usize)>) -> Vec<Neighbor> {
        scored
            .into_iter()
            .map(|(score, other)| Neighbor {
                index: other,
                score,
                shared_terms: self.shared_terms(index, other),
            })
            .collect()
    }
}

/// The `top` terms with the highest weight in both sparse rows (sorted by column), the product
/// of their two weights times the column's weight in `weights` (missing: 1), strongest first;
/// ties to the earlier column. `terms` names the columns.
pub fn shared_row_terms(
    row_a: &[(u32, f32)],
    row_b: &[(u32, f32)],
    terms: &[String],
    top: usize,
    weights: &[f32],
) -> Vec<String> {
    shared_row_columns(row_a, row_b, top, weights)
        .into_iter()
        .filter_map(|column| terms.get(column as usize).cloned())
        .collect()
}

/// The columns of [`shared_row_terms`], strongest first; `weights` such as
/// [`crate::patterns::Patterns::evidence_weights`].
pub fn shared_row_columns(
    row_a: &[(u32, f32)],
    row_b: &[(u32, f32)],
    top: usize,
    weights: &[f32],
) -> Vec<u32> {
    let weight = |column: u32| weights.get(column as usize).copied().unwrap_or(1.0);
    let mut shared = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < row_a.len() && j < row_b.len() {
        match row_a[i].0.cmp(&row_b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared.push((row_a[i].1 * row_b[j].1 * weight(row_a[i].0), row_a[i].0));
                i += 1;
                j += 1;
            }
        }
    }
    shared.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    shared
        .into_iter()
        .take(top)
        .map(|(_, column)| column)
        .collect()
}

/// The `top` best (score, index) pairs, best first, ties to the lower index.
pub(crate) fn best(mut scored: Vec<(f32, usize)>, top: usize) -> Vec<(f32, usize)> {
    let order = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if top == 0 {
        return Vec::new();
    }
    if scored.len() > top {
        scored.select_nth_unstable_by(top - 1, order);
        scored.truncate(top);
    }
    scored.sort_by(order);
    scored
}

/// Inverted lists by two-level spherical k-means, and each list's probe lists.
fn build_lists(
    embedding: ArrayView2<'_, f32>,
    points: &[usize],
    list_size: usize,
    n_probe: usize,
    seed: u64,
) -> (Vec<Vec<usize>>, Vec<Vec<u32>>) {
    let n_lists = points.len().div_ceil(list_size);
    let n_cells = (n_lists as f64).sqrt().ceil() as usize;
    let cells = split(embedding, points, n_cells, seed);
    let mut lists: Vec<Vec<usize>> = cells
        .par_iter()
        .enumerate()
        .flat_map_iter(|(cell, members)| {
            let parts = members.len().div_ceil(list_size);
            if parts <= 1 {
                vec![members.clone()]
            } else {
                split(
                    embedding,
                    members,
                    parts,
                    seed.wrapping_add(cell as u64 + 1),
                )
            }
        })
        .filter(|list| !list.is_empty())
        // k-means cannot split identical points (the same text written many times): a list
        // still far above the target size is cut into pieces, so that no search is quadratic.
        .flat_map_iter(|list: Vec<usize>| {
            if list.len() > 2 * list_size {
                list.chunks(list_size).map(<[usize]>::to_vec).collect()
            } else {
                vec![list]
            }
        })
        .collect();
    lists.sort_by_key(|list| list[0]);
    let centres = Array2::from_shape_fn((lists.len(), embedding.ncols()), |(list, column)| {
        lists[list]
            .iter()
            .map(|&member| embedding[[member, column]])
            .sum::<f32>()
    });
    let centres = normalize_rows(centres);
    let probes: Vec<Vec<u32>> = centres
        .axis_chunks_iter(Axis(0), 256)
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(chunk, block)| {
            let scores = block.dot(&centres.t());
            scores
                .outer_iter()
                .enumerate()
                .map(|(offset, row)| {
                    let own = chunk * 256 + offset;
                    let scored: Vec<(f32, usize)> = row
                        .iter()
                        .enumerate()
                        .map(|(list, &s)| (if list == own { f32::INFINITY } else { s }, list))
                        .collect();
                    best(scored, n_probe)
                        .into_iter()
                        .map(|(_, list)| list as u32)
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    (lists, probes)
}

fn normalize_rows(mut matrix: Array2<f32>) -> Array2<f32> {
    for mut row in matrix.outer_iter_mut() {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row /= norm;
        }
    }
    matrix
}

/// Split `members` into `k` groups by spherical k-means (seeded, trained on a sample).
fn split(
    embedding: ArrayView2<'_, f32>,
    members: &[usize],
    k: usize,
    seed: u64,
) -> Vec<Vec<usize>> {
    let k = k.clamp(1, members.len().max(1));
    if k == 1 {
        return vec![members.to_vec()];
    }
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    let training: Vec<usize> = if members.len() > 40 * k {
        let mut chosen: Vec<usize> = sample(&mut rng, members.len(), 40 * k)
            .into_iter()
            .map(|i| members[i])
            .collect();
        chosen.sort_unstable();
        chosen
    } else {
        members.to_vec()
    };
    let data = embedding.select(Axis(0), &training);
    let mut initial: Vec<usize> = sample(&mut rng, training.len(), k).into_vec();
    initial.sort_unstable();
    let mut centres = data.select(Axis(0), &initial);
    for _ in 0..8 {
        let labels = assign(data.view(), &centres);
        let mut sums = Array2::<f32>::zeros(centres.dim());
        for (row, &label) in data.outer_iter().zip(&labels) {
            let mut target = sums.row_mut(label);
            target += &row;
        }
        for (mut centre, sum) in centres.outer_iter_mut().zip(sums.outer_iter()) {
            let norm = sum.dot(&sum).sqrt();
            if norm > 0.0 {
                centre.assign(&(&sum / norm));
            }
        }
    }
    let data = embedding.select(Axis(0), members);
    let labels = assign(data.view(), &centres);
    let mut groups = vec![Vec::new(); k];
    for (&member, &label) in members.iter().zip(&labels) {
        groups[label].push(member);
    }
    groups.retain(|group| !group.is_empty());
    groups
}

/// The centre of highest cosine of each row (ties to the lower centre).
fn assign(data: ArrayView2<'_, f32>, centres: &Array2<f32>) -> Vec<usize> {
    data.axis_chunks_iter(Axis(0), 1024)
        .into_par_iter()
        .flat_map_iter(|block| {
            let scores = block.dot(&centres.t());
            scores
                .outer_iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .fold((0, f32::NEG_INFINITY), |best, (c, &s)| {
                            if s > best.1 { (c, s) } else { best }
                        })
                        .0
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(values: &[f32]) -> Vec<f32> {
        let norm = values.iter().map(|x| x * x).sum::<f32>().sqrt();
        values
            .iter()
            .map(|x| if norm > 0.0 { x / norm } else { 0.0 })
            .collect()
    }

    fn fixture() -> (Array2<f32>, TfIdf) {
        let rows = [
            [1.0, 0.0, 0.0],
            [0.9, 0.1, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.9, 0.2],
            [0.0, 0.0, 0.0],
        ];
        let flat: Vec<f32> = rows.iter().flat_map(|row| unit(row)).collect();
        let embedding = Array2::from_shape_vec((5, 3), flat).expect("5 × 3");
        let vectors = TfIdf {
            terms: vec![
                "certificate".into(),
                "expired".into(),
                "connection pool".into(),
            ],
            keys: vec!["certif".into(), "expir".into(), "connect pool".into()],
            rows: vec![
                vec![(0, 0.8), (1, 0.6)],
                vec![(0, 0.6), (1, 0.8)],
                vec![(2, 1.0)],
                vec![(1, 0.3), (2, 0.95)],
                vec![],
            ],
            idf: vec![1.0; 3],
            df: vec![2, 3, 2],
            name_like: Vec::new(),
        };
        (embedding, vectors)
    }

    #[test]
    fn most_similar_ranks_by_cosine_and_explains() {
        let (embedding, vectors) = fixture();
        let index = SimilarityIndex::new(&embedding, &vectors, &SimilarityParams::default());
        let neighbors = index.most_similar(0, 2);
        assert_eq!(
            neighbors.iter().map(|n| n.index).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(neighbors[0].shared_terms, ["certificate", "expired"]);
        assert!((neighbors[0].score - index.similarity(0, 1)).abs() < 1e-6);
        assert!(
            index.most_similar(4, 3).is_empty(),
            "no text, no neighbours"
        );
        assert!(index.most_similar(99, 3).is_empty());
    }

    #[test]
    fn all_neighbors_agree_with_single_queries() {
        let (embedding, vectors) = fixture();
        let index = SimilarityIndex::new(&embedding, &vectors, &SimilarityParams::default());
        let all = index.all_neighbors(2);
        for (i, neighbors) in all.iter().enumerate() {
            assert_eq!(neighbors, &index.most_similar(i, 2), "incident {i}");
        }
    }

    #[test]
    fn identical_points_do_not_make_a_giant_list() {
        let mut flat = Vec::new();
        for i in 0..2000 {
            flat.extend(if i < 1500 {
                unit(&[1.0, 0.0])
            } else {
                unit(&[0.0, 1.0])
            });
        }
        let embedding = Array2::from_shape_vec((2000, 2), flat).expect("2000 × 2");
        let vectors = TfIdf {
            rows: vec![Vec::new(); 2000],
            ..TfIdf::default()
        };
        let params = SimilarityParams {
            exact_limit: 10,
            list_size: 32,
            ..SimilarityParams::default()
        };
        let index = SimilarityIndex::new(&embedding, &vectors, &params);
        assert!(index.lists.iter().all(|list| list.len() <= 64));
        let all = index.all_neighbors(3);
        assert!(
            all.iter()
                .all(|n| n.len() == 3 && n.iter().all(|m| m.score > 0.999))
        );
    }

    #[test]
    fn inverted_lists_find_the_true_neighbours_of_clustered_points() {
        // 40 tight groups of 25 points in 8 dimensions; force the index with a low exact limit.
        let mut rng = Xoshiro256Plus::seed_from_u64(3);
        let mut flat = Vec::new();
        for group in 0..40 {
            let centre: Vec<f32> = (0..8)
                .map(|d| ((group * 7 + d * 3) % 11) as f32 - 5.0)
                .collect();
            for _ in 0..25 {
                let point: Vec<f32> = centre
                    .iter()
                    .map(|c| c + rand::Rng::gen_range(&mut rng, -0.05..0.05))
                    .collect();
                flat.extend(unit(&point));
            }
        }
        let embedding = Array2::from_shape_vec((1000, 8), flat).expect("1000 × 8");
        let vectors = TfIdf {
            rows: vec![Vec::new(); 1000],
            ..TfIdf::default()
        };
        let params = SimilarityParams {
            exact_limit: 10,
            list_size: 32,
            ..SimilarityParams::default()
        };
        let approximate = SimilarityIndex::new(&embedding, &vectors, &params).all_neighbors(5);
        let exact = SimilarityIndex::new(&embedding, &vectors, &SimilarityParams::default())
            .all_neighbors(5);
        let found: usize = approximate
            .iter()
            .zip(&exact)
            .map(|(a, e)| {
                e.iter()
                    .filter(|n| a.iter().any(|m| m.index == n.index))
                    .count()
            })
            .sum();
        let recall = found as f64 / 5000.0;
        assert!(recall > 0.9, "recall {recall}");
    }
}
