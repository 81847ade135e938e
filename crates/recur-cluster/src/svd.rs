//! Randomized truncated SVD of the sparse TF-IDF matrix (Halko, Martinsson and Tropp 2011), as
//! latent semantic analysis uses it: incidents embedded in `d` dimensions, rows L2-normalized.
//!
//! With `X` the N × V TF-IDF matrix and `l = d + oversampling`: `Y = X Ω` for a seeded Gaussian
//! V × l matrix `Ω`; a few power iterations `Y ← X (Xᵀ Q)` with re-orthonormalization; then the
//! small l × l matrix `(XᵀQ)ᵀ(XᵀQ) = B Bᵀ` (with `B = Qᵀ X`) is diagonalized, `B Bᵀ = U Σ² Uᵀ`,
//! and the embedding is `Q U Σ` truncated to `d` columns, which equals `X V_d` of the SVD.
//! `X` is only ever multiplied as a sparse matrix: no N × V dense matrix exists. Dense blocks
//! are N × l and V × l. Orthonormalization goes through the l × l Gram matrix (eigenvalue form
//! of Cholesky QR), applied twice at the end for accuracy.
//!
//! `Xᵀ D` is computed term by term from a column-compressed copy of the sampled rows, and block
//! sums are added in order, so that every floating-point sum has a fixed order: the embedding is
//! bit-for-bit the same whatever the number of threads.
//!
//! On large inputs the basis (the right singular vectors `V_d`) is fitted on an evenly spaced
//! sample of at most `fit_sample` rows, and every row is projected, `X V_d`: the cost of the
//! fit stays bounded and the rest grows linearly with N.

use linfa_linalg::eigh::Eigh;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;

use crate::tfidf::TfIdf;

/// Rows per parallel block of a dense matrix.
const BLOCK: usize = 4096;

/// Parameters of the embedding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SvdParams {
    /// Dimensions kept (fewer when the vocabulary or the number of incidents is smaller).
    pub dims: usize,
    /// Extra random directions sampled beyond `dims`. Default 10.
    pub oversampling: usize,
    /// Power iterations. Default 2.
    pub power_iterations: usize,
    /// Seed of the Gaussian test matrix.
    pub seed: u64,
    /// The basis is fitted on at most this many rows, evenly spaced; all rows are then
    /// projected on it. Default 100 000.
    pub fit_sample: usize,
}

impl Default for SvdParams {
    fn default() -> Self {
        Self {
            dims: 100,
            oversampling: 10,
            power_iterations: 2,
            seed: 42,
            fit_sample: 100_000,
        }
    }
}

/// The LSA embedding of TF-IDF rows: N × d (`f32`), each non-empty row of unit length; rows of
/// incidents without terms are zero. `d` is `min(dims, V, N)`; 0 when there are no terms.
pub fn lsa_embedding(vectors: &TfIdf, params: &SvdParams) -> Array2<f32> {
    lsa(vectors, params).embedding
}

/// The embedding of [`lsa`] and the basis it was projected on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lsa {
    /// The embedding of [`lsa_embedding`]: N × d, unit rows, zero rows without terms.
    pub embedding: Array2<f32>,
    /// The term-space basis, V × d: the right singular vectors `V_d`, so that `X V_d` with
    /// each row normalized is the embedding. A TF-IDF row of the same vocabulary embeds as
    /// [`project`] of it: new text lands in the same space. V × 0 when `d` is 0.
    pub basis: Array2<f32>,
}

/// [`lsa_embedding`], keeping the basis (V × d) so that new rows can be projected later. The
/// embedding is the same, bit for bit.
pub fn lsa(vectors: &TfIdf, params: &SvdParams) -> Lsa {
    let n = vectors.rows.len();
    let v = vectors.n_terms();
    // The term-space basis is fitted on an evenly spaced sample; every row is then projected.
    let step = n.div_ceil(params.fit_sample.max(1)).max(1);
    let rows: Vec<&[(u32, f32)]> = vectors
        .rows
        .iter()
        .step_by(step)
        .map(Vec::as_slice)
        .collect();
    let l = (params.dims + params.oversampling).min(v).min(rows.len());
    let d = params.dims.min(l);
    let nothing = || Lsa {
        embedding: Array2::zeros((n, 0)),
        basis: Array2::zeros((v, 0)),
    };
    if d == 0 {
        return nothing();
    }
    let omega = gaussian(v, l, params.seed);
    let columns = Columns::new(&rows, v);
    let mut y = sparse_times_dense(&rows, &omega, l);
    orthonormalize(&mut y, l);
    for _ in 0..params.power_iterations {
        let mut z = columns.transpose_times_dense(&y, l);
        orthonormalize(&mut z, l);
        y = sparse_times_dense(&rows, &z, l);
        orthonormalize(&mut y, l);
    }
    orthonormalize(&mut y, l);
    // Z = Xᵀ Q = Bᵀ; B Bᵀ = Zᵀ Z = U Σ² Uᵀ; the right singular vectors are Z U Σ⁻¹.
    let z = columns.transpose_times_dense(&y, l);
    let Ok((values, left)) = gram(&z, l).eigh() else {
        return nothing();
    };
    let mut order: Vec<usize> = (0..l).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let largest = values[order[0]].max(0.0).sqrt();
    let mut to_basis = Array2::<f64>::zeros((l, d));
    for (column, &index) in order.iter().take(d).enumerate() {
        let sigma = values[index].max(0.0).sqrt();
        if sigma <= largest * 1e-9 {
            continue;
        }
        // Fix the sign of each singular vector so the output does not depend on the solver's.
        let sign = sign_of_largest(left.column(index).iter().copied());
        for row in 0..l {
            to_basis[[row, column]] = left[[row, index]] * sign / sigma;
        }
    }
    let basis: Vec<f32> = view(&z, v, l)
        .dot(&to_basis)
        .iter()
        .map(|&x| x as f32)
        .collect();
    let mut embedding = Array2::<f32>::zeros((n, d));
    let out = embedding.as_slice_mut().expect("a new array is contiguous");
    out.par_chunks_mut(d)
        .zip(vectors.rows.par_iter())
        .with_min_len(1024)
        .for_each(|(target, row)| project_into(row, &basis, target));
    let basis = Array2::from_shape_vec((v, d), basis).unwrap_or_else(|_| Array2::zeros((v, 0)));
    Lsa { embedding, basis }
}

/// The embedding of one TF-IDF row on a basis of [`lsa`] (V × d, row-major as
/// `basis.as_slice()`): the row times the basis, L2-normalized; zero when the row has no
/// weight there or names a column the basis does not have. The same arithmetic, in the same
/// order, as the rows of [`lsa_embedding`].
pub fn project(row: &[(u32, f32)], basis: &[f32], dims: usize) -> Vec<f32> {
    let mut target = vec![0.0; dims];
    if dims > 0
        && row
            .iter()
            .all(|&(column, _)| (column as usize + 1) * dims <= basis.len())
    {
        project_into(row, basis, &mut target);
    }
    target
}

/// `target = normalize(row · basis)`; every column of `row` is within `basis`.
fn project_into(row: &[(u32, f32)], basis: &[f32], target: &mut [f32]) {
    let d = target.len();
    for &(column, weight) in row {
        let source = &basis[column as usize * d..(column as usize + 1) * d];
        for (t, s) in target.iter_mut().zip(source) {
            *t += weight * s;
        }
    }
    let norm = target.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 1e-12 {
        target.iter_mut().for_each(|x| *x /= norm);
    } else {
        target.iter_mut().for_each(|x| *x = 0.0);
    }
}

fn sign_of_largest(values: impl Iterator<Item = f64>) -> f64 {
    let largest = values.fold(
        0.0f64,
        |best, x| if x.abs() > best.abs() { x } else { best },
    );
    if largest < 0.0 { -1.0 } else { 1.0 }
}

fn view(data: &[f64], rows: usize, columns: usize) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((rows, columns), &data[..rows * columns])
        .expect("a block holds rows × columns values")
}

/// A seeded V × l matrix of standard normal entries (Box-Muller), row-major.
fn gaussian(rows: usize, columns: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    (0..rows * columns)
        .map(|_| {
            let u1: f64 = rng.r#gen::<f64>().max(f64::MIN_POSITIVE);
            let u2: f64 = rng.r#gen::<f64>();
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        })
        .collect()
}

/// `X D` for sparse rows `X` (N × V) and dense row-major `D` (V × l): N × l row-major.
fn sparse_times_dense(rows: &[&[(u32, f32)]], dense: &[f64], l: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows.len() * l];
    out.par_chunks_mut(l)
        .zip(rows.par_iter())
        .for_each(|(target, row)| {
            for &(column, weight) in row.iter() {
                let source = &dense[column as usize * l..(column as usize + 1) * l];
                let weight = f64::from(weight);
                for (t, s) in target.iter_mut().zip(source) {
                    *t += weight * s;
                }
            }
        });
    out
}

/// The sampled rows stored by column (the transpose of `X`, compressed): for term `t`, the
/// entries `starts[t]..starts[t + 1]` of `rows` and `weights`. Built once so that `Xᵀ D` is
/// computed term by term, in parallel, with every sum in a fixed order.
struct Columns {
    starts: Vec<usize>,
    rows: Vec<u32>,
    weights: Vec<f64>,
}

impl Columns {
    fn new(rows: &[&[(u32, f32)]], v: usize) -> Self {
        let mut starts = vec![0usize; v + 1];
        for row in rows {
            for &(column, _) in row.iter() {
                starts[column as usize + 1] += 1;
            }
        }
        for t in 0..v {
            starts[t + 1] += starts[t];
        }
        let nnz = starts[v];
        let mut next = starts.clone();
        let mut row_of = vec![0u32; nnz];
        let mut weights = vec![0f64; nnz];
        for (r, row) in rows.iter().enumerate() {
            for &(column, weight) in row.iter() {
                let at = next[column as usize];
                row_of[at] = r as u32;
                weights[at] = f64::from(weight);
                next[column as usize] += 1;
            }
        }
        Self {
            starts,
            rows: row_of,
            weights,
        }
    }

    /// `Xᵀ D` for dense row-major `D` (N × l): V × l row-major.
    fn transpose_times_dense(&self, dense: &[f64], l: usize) -> Vec<f64> {
        let v = self.starts.len() - 1;
        let mut out = vec![0.0; v * l];
        out.par_chunks_mut(l)
            .enumerate()
            .with_min_len(64)
            .for_each(|(term, target)| {
                let range = self.starts[term]..self.starts[term + 1];
                for (&row, &weight) in self.rows[range.clone()].iter().zip(&self.weights[range]) {
                    let source = &dense[row as usize * l..(row as usize + 1) * l];
                    for (t, s) in target.iter_mut().zip(source) {
                        *t += weight * s;
                    }
                }
            });
        out
    }
}

/// `Mᵀ M` of a row-major dense matrix with `l` columns. Blocks are summed in order, so the
/// result does not depend on thread scheduling.
fn gram(matrix: &[f64], l: usize) -> Array2<f64> {
    let blocks: Vec<Array2<f64>> = matrix
        .par_chunks(BLOCK * l)
        .map(|block| {
            let block = view(block, block.len() / l, l);
            block.t().dot(&block)
        })
        .collect();
    blocks
        .into_iter()
        .fold(Array2::zeros((l, l)), |sum, block| sum + block)
}

/// Make the columns of a row-major dense matrix orthonormal in place: with `MᵀM = W Λ Wᵀ`,
/// `M ← M W Λ^{-1/2}`; directions with a negligible eigenvalue are zeroed.
fn orthonormalize(matrix: &mut [f64], l: usize) {
    let gram = gram(matrix, l);
    let Ok((values, vectors)) = gram.eigh() else {
        return;
    };
    let largest = values.iter().copied().fold(0.0f64, f64::max);
    let mut transform = Array2::<f64>::zeros((l, l));
    for (k, &value) in values.iter().enumerate() {
        if value > largest * 1e-12 && value > 0.0 {
            let scale = value.sqrt().recip();
            for row in 0..l {
                transform[[row, k]] = vectors[[row, k]] * scale;
            }
        }
    }
    matrix.par_chunks_mut(BLOCK * l).for_each(|block| {
        let rows = block.len() / l;
        let result = view(block, rows, l).dot(&transform);
        if let Ok(mut target) = ArrayViewMut2::from_shape((rows, l), block) {
            target.assign(&result);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors(rows: Vec<Vec<(u32, f32)>>, n_terms: usize) -> TfIdf {
        let rows = rows
            .into_iter()
            .map(|row| {
                let norm = row.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
                row.into_iter().map(|(c, w)| (c, w / norm)).collect()
            })
            .collect();
        TfIdf {
            terms: vec![String::new(); n_terms],
            keys: vec![String::new(); n_terms],
            rows,
            idf: vec![1.0; n_terms],
            df: vec![1; n_terms],
            name_like: Vec::new(),
        }
    }

    #[test]
    fn orthonormalize_gives_orthonormal_columns() {
        let mut matrix = gaussian(50, 4, 1);
        orthonormalize(&mut matrix, 4);
        let gram = gram(&matrix, 4);
        for a in 0..4 {
            for b in 0..4 {
                let expected = if a == b { 1.0 } else { 0.0 };
                assert!(
                    (gram[[a, b]] - expected).abs() < 1e-9,
                    "{a},{b}: {}",
                    gram[[a, b]]
                );
            }
        }
    }

    #[test]
    fn embedding_preserves_cosines_of_a_low_rank_matrix() {
        // Two topics over disjoint terms: rank 2, so 2 dimensions reproduce all cosines.
        let rows = vec![
            vec![(0, 1.0), (1, 1.0)],
            vec![(0, 2.0), (1, 1.0)],
            vec![(2, 1.0), (3, 1.0)],
            vec![(2, 1.0), (3, 3.0)],
            vec![(0, 1.0), (1, 1.0)],
        ];
        let vectors = vectors(rows, 4);
        let embedding = lsa_embedding(
            &vectors,
            &SvdParams {
                dims: 2,
                oversampling: 2,
                ..SvdParams::default()
            },
        );
        assert_eq!(embedding.dim(), (5, 2));
        let cosine = |a: usize, b: usize| embedding.row(a).dot(&embedding.row(b));
        assert!((cosine(0, 4) - 1.0).abs() < 1e-5);
        assert!(cosine(0, 2).abs() < 1e-5);
        assert!(cosine(0, 1) > 0.9);
        for row in embedding.outer_iter() {
            assert!((row.dot(&row) - 1.0).abs() < 1e-5);
        }
        let again = lsa_embedding(
            &vectors,
            &SvdParams {
                dims: 2,
                oversampling: 2,
                ..SvdParams::default()
            },
        );
        assert_eq!(embedding, again, "deterministic");
    }

    #[test]
    fn empty_rows_stay_zero_and_no_terms_gives_no_dimensions() {
        let vectors_with_empty = vectors(vec![vec![(0, 1.0)], vec![], vec![(1, 1.0)]], 2);
        let embedding = lsa_embedding(&vectors_with_empty, &SvdParams::default());
        assert_eq!(embedding.dim(), (3, 2));
        assert_eq!(embedding.row(1).sum(), 0.0);
        let no_terms = lsa_embedding(
            &TfIdf {
                rows: vec![vec![]; 3],
                ..TfIdf::default()
            },
            &SvdParams::default(),
        );
        assert_eq!(no_terms.dim(), (3, 0));
    }
}
