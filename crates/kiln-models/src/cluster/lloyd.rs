//! Lloyd's k-means iteration, and the centre update both k-means algorithms share.
//!
//! One pass assigns every row to its nearest centre and accumulates per-centre sums. The
//! nearest centre minimises `‖c‖² − 2 x·c` (the row's own norm does not change the argmin); the
//! dot products come from a matrix product per block of 256 rows against all centres, as
//! scikit-learn's `_update_chunk_dense` computes them with BLAS, here with faer's kernels (which
//! pick the CPU's widest vector instructions at run time, where plain Rust code is compiled for
//! the baseline). Rows are processed in fixed chunks whose sums are added in chunk order, so a fit is identical
//! for any thread count. The loop structure
//! (strict convergence when no label changes, else stop when the squared centre shift falls to
//! `tol`; a final assignment pass when stopped by `tol`) follows scikit-learn's
//! `_kmeans_single_lloyd` so both stop after the same iteration.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

use super::rows::{CHUNK_ROWS, Rows, sq_dist};

/// The result of one k-means run.
pub(crate) struct Run {
    pub centres: Vec<f64>,
    pub labels: Vec<u32>,
    pub inertia: f64,
    pub n_iter: usize,
}

/// Per-centre sums of the rows assigned to it (`k × d`) and their counts.
pub(crate) struct Sums {
    pub sums: Vec<f64>,
    pub counts: Vec<f64>,
}

impl Sums {
    pub fn zeros(k: usize, d: usize) -> Self {
        Sums {
            sums: vec![0.0; k * d],
            counts: vec![0.0; k],
        }
    }

    pub fn add_row(&mut self, c: usize, row: &[f64]) {
        let d = row.len();
        self.counts[c] += 1.0;
        self.sums[c * d..(c + 1) * d]
            .iter_mut()
            .zip(row)
            .for_each(|(s, v)| *s += v);
    }

    /// Adds partial sums in the order given.
    pub fn combine(parts: Vec<Sums>, k: usize, d: usize) -> Sums {
        let mut total = Sums::zeros(k, d);
        for p in parts {
            total
                .sums
                .iter_mut()
                .zip(&p.sums)
                .for_each(|(a, b)| *a += b);
            total
                .counts
                .iter_mut()
                .zip(&p.counts)
                .for_each(|(a, b)| *a += b);
        }
        total
    }
}

/// Rows per distance product: a `256 × k` tile of products stays in L1/L2, as in
/// scikit-learn's chunked Lloyd.
const PRODUCT_ROWS: usize = 256;

/// Centres ready for the nearest-centre search: row-major `k × d` and their squared norms.
pub(crate) struct CentreTable<'a> {
    centres: MatRef<'a, f64>,
    norms: Vec<f64>,
}

impl<'a> CentreTable<'a> {
    pub fn new(centres: &'a [f64], k: usize, d: usize) -> Self {
        let norms = centres
            .chunks_exact(d)
            .map(|c| c.iter().map(|v| v * v).sum())
            .collect();
        CentreTable {
            centres: MatRef::from_row_major_slice(centres, k, d),
            norms,
        }
    }

    /// Nearest centre of every row of `block` (row-major, `d` columns) into `out`, using
    /// `products` (at least `PRODUCT_ROWS × k`) as scratch. The nearest centre minimises
    /// `‖c‖² − 2 x·c`; the products come from one matrix product per [`PRODUCT_ROWS`] rows
    /// (faer's SIMD kernels, one thread: the caller parallelises over blocks). Each entry
    /// depends only on its row and centre, never on how rows are split into blocks. Ties go
    /// to the lower index.
    pub fn nearest_block(&self, block: &[f64], out: &mut [u32], products: &mut [f64]) {
        let (k, d) = (self.centres.nrows(), self.centres.ncols());
        for (rows, labels) in block
            .chunks(PRODUCT_ROWS * d)
            .zip(out.chunks_mut(PRODUCT_ROWS))
        {
            let m = labels.len();
            let tile = &mut products[..m * k];
            for row in tile.chunks_exact_mut(k) {
                row.copy_from_slice(&self.norms);
            }
            matmul(
                MatMut::from_row_major_slice_mut(tile, m, k),
                Accum::Add,
                MatRef::from_row_major_slice(rows, m, d),
                self.centres.transpose(),
                -2.0,
                Par::Seq,
            );
            for (l, dist) in labels.iter_mut().zip(tile.chunks_exact(k)) {
                let mut best = 0;
                let mut best_value = dist[0];
                for (c, &v) in dist.iter().enumerate().skip(1) {
                    if v < best_value {
                        best_value = v;
                        best = c;
                    }
                }
                *l = best as u32;
            }
        }
    }
}

/// Assigns every row to its nearest centre; with `update`, also returns the per-centre sums.
pub(crate) fn assign(
    x: &Rows,
    centres: &[f64],
    k: usize,
    labels: &mut [u32],
    update: bool,
) -> Sums {
    let d = x.d;
    let table = CentreTable::new(centres, k, d);
    let parts: Vec<Sums> = x
        .data
        .par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks_mut(CHUNK_ROWS))
        .map(|(block, lab)| {
            let mut products = vec![0.0; PRODUCT_ROWS * k];
            table.nearest_block(block, lab, &mut products);
            if !update {
                return Sums::zeros(0, 0);
            }
            let mut sums = Sums::zeros(k, d);
            for (row, &c) in block.chunks_exact(d).zip(lab.iter()) {
                sums.add_row(c as usize, row);
            }
            sums
        })
        .collect();
    if update {
        Sums::combine(parts, k, d)
    } else {
        Sums::zeros(0, 0)
    }
}

/// New centres from the sums, and each centre's shift from `old`.
///
/// A centre left without rows takes the row farthest from its own (old) centre, the next empty
/// one the next farthest, as scikit-learn's `_relocate_empty_clusters` does; the rows keep their
/// labels until the next pass.
pub(crate) fn update_centres(
    x: &Rows,
    old: &[f64],
    labels: &[u32],
    mut s: Sums,
    k: usize,
) -> (Vec<f64>, Vec<f64>) {
    let d = x.d;
    let empty: Vec<usize> = (0..k).filter(|&c| s.counts[c] == 0.0).collect();
    if !empty.is_empty() {
        let mut far: Vec<(f64, usize)> = (0..x.n)
            .into_par_iter()
            .map(|i| {
                let c = labels[i] as usize;
                (sq_dist(x.row(i), &old[c * d..(c + 1) * d]), i)
            })
            .collect();
        // Farthest first; equal distances keep the lower row first.
        far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (&c, &(_, i)) in empty.iter().zip(&far) {
            let from = labels[i] as usize;
            let row = x.row(i);
            for (j, &v) in row.iter().enumerate() {
                s.sums[from * d + j] -= v;
                s.sums[c * d + j] = v;
            }
            s.counts[from] -= 1.0;
            s.counts[c] = 1.0;
        }
    }
    let mut centres = s.sums;
    for c in 0..k {
        let count = s.counts[c];
        if count > 0.0 {
            centres[c * d..(c + 1) * d]
                .iter_mut()
                .for_each(|v| *v /= count);
        } else {
            // Only reachable when there are fewer rows than empty centres to refill, which
            // k ≤ n rules out; keep the old centre rather than divide by zero.
            centres[c * d..(c + 1) * d].copy_from_slice(&old[c * d..(c + 1) * d]);
        }
    }
    let shift = (0..k)
        .map(|c| sq_dist(&centres[c * d..(c + 1) * d], &old[c * d..(c + 1) * d]).sqrt())
        .collect();
    (centres, shift)
}

/// Exact `Σ ‖x_i − c_{label_i}‖²`.
pub(crate) fn inertia(x: &Rows, centres: &[f64], labels: &[u32]) -> f64 {
    let d = x.d;
    let parts: Vec<f64> = x
        .data
        .par_chunks(CHUNK_ROWS * d)
        .zip(labels.par_chunks(CHUNK_ROWS))
        .map(|(block, lab)| {
            block
                .chunks_exact(d)
                .zip(lab)
                .map(|(row, &c)| {
                    let c = c as usize;
                    sq_dist(row, &centres[c * d..(c + 1) * d])
                })
                .sum::<f64>()
        })
        .collect();
    parts.iter().sum()
}

/// Lloyd's algorithm from `centres` until convergence or `max_iter` passes.
pub(crate) fn lloyd(x: &Rows, mut centres: Vec<f64>, k: usize, max_iter: usize, tol: f64) -> Run {
    let mut labels = vec![0u32; x.n];
    let mut previous = vec![u32::MAX; x.n];
    let mut strict = false;
    let mut n_iter = 0;
    for it in 0..max_iter {
        n_iter = it + 1;
        let sums = assign(x, &centres, k, &mut labels, true);
        let (next, shift) = update_centres(x, &centres, &labels, sums, k);
        centres = next;
        if labels == previous {
            strict = true;
            break;
        }
        if shift.iter().map(|s| s * s).sum::<f64>() <= tol {
            break;
        }
        previous.copy_from_slice(&labels);
    }
    if !strict {
        // The centres moved after the last assignment: assign once more so labels match them.
        assign(x, &centres, k, &mut labels, false);
    }
    let inertia = inertia(x, &centres, &labels);
    Run {
        centres,
        labels,
        inertia,
        n_iter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn block_product_search_finds_the_nearest_centre_of_every_row() {
        // 700 rows (not a multiple of the 256-row product block), 5 features, 11 centres.
        let x = Array2::from_shape_fn((700, 5), |(i, j)| {
            ((i * 7919 + j * 104_729) % 1000) as f64 / 37.0 - 13.0
        });
        let rows = Rows::new(x.view());
        let centres: Vec<f64> = (0..11 * 5)
            .map(|t| ((t * 613) % 97) as f64 / 4.0 - 12.0)
            .collect();
        let mut labels = vec![0u32; rows.n];
        let sums = assign(&rows, &centres, 11, &mut labels, true);
        for (i, &l) in labels.iter().enumerate() {
            let dist = |c: usize| sq_dist(rows.row(i), &centres[c * 5..(c + 1) * 5]);
            let best = (0..11).map(dist).fold(f64::INFINITY, f64::min);
            // The expanded form may pick a different centre only within rounding of the best.
            assert!(dist(l as usize) <= best * (1.0 + 1e-12) + 1e-12, "row {i}");
        }
        assert_eq!(sums.counts.iter().sum::<f64>(), 700.0);
    }

    #[test]
    fn equal_centres_go_to_the_lower_index() {
        let x = Array2::from_shape_fn((3, 2), |(i, _)| i as f64);
        let rows = Rows::new(x.view());
        // Centres 1 and 2 are the same point.
        let centres = [10.0, 10.0, 1.0, 1.0, 1.0, 1.0];
        let mut labels = vec![9u32; 3];
        assign(&rows, &centres, 3, &mut labels, false);
        assert_eq!(labels, vec![1, 1, 1]);
    }
}
