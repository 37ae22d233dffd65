//! Lloyd's k-means iteration, and the centre update both k-means algorithms share.
//!
//! One pass assigns every row to its nearest centre and accumulates per-centre sums. The
//! nearest centre minimises `‖c‖² − 2 x·c` (the row's own norm does not change the argmin), and
//! the dot products are computed for blocks of eight centres stored feature-major, so the inner
//! loop runs over centres with unit stride into an accumulator that stays in vector registers.
//! Rows are processed in fixed chunks whose sums are added in chunk order, so a fit is identical
//! for any thread count. The loop structure
//! (strict convergence when no label changes, else stop when the squared centre shift falls to
//! `tol`; a final assignment pass when stopped by `tol`) follows scikit-learn's
//! `_kmeans_single_lloyd` so both stop after the same iteration.

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

/// Centres per block of the nearest-centre search: one block's dot products stay in registers.
const LANES: usize = 8;

/// Centres laid out for fast nearest-centre search: blocks of [`LANES`] centres stored
/// feature-major within the block (padding centres are zero with an infinite norm, so they are
/// never nearest), and the squared norms.
pub(crate) struct CentreTable {
    k: usize,
    d: usize,
    blocks: Vec<[f64; LANES]>,
    norms: Vec<[f64; LANES]>,
}

impl CentreTable {
    pub fn new(centres: &[f64], k: usize, d: usize) -> Self {
        let n_blocks = k.div_ceil(LANES);
        let mut blocks = vec![[0.0; LANES]; n_blocks * d];
        let mut norms = vec![[f64::INFINITY; LANES]; n_blocks];
        for c in 0..k {
            let (b, lane) = (c / LANES, c % LANES);
            let centre = &centres[c * d..(c + 1) * d];
            for (j, &v) in centre.iter().enumerate() {
                blocks[b * d + j][lane] = v;
            }
            norms[b][lane] = centre.iter().map(|v| v * v).sum();
        }
        CentreTable {
            k,
            d,
            blocks,
            norms,
        }
    }

    /// Index of the nearest centre to `row`. Ties go to the lower index.
    #[inline]
    pub fn nearest(&self, row: &[f64]) -> usize {
        let mut best = 0;
        let mut best_value = f64::INFINITY;
        for (b, (block, norms)) in self
            .blocks
            .chunks_exact(self.d)
            .zip(&self.norms)
            .enumerate()
        {
            // A fixed-size accumulator the compiler keeps in vector registers.
            let mut dot = [0.0; LANES];
            for (&xj, col) in row.iter().zip(block) {
                for (a, &c) in dot.iter_mut().zip(col) {
                    *a += xj * c;
                }
            }
            for (lane, (&dt, &norm)) in dot.iter().zip(norms).enumerate() {
                let v = norm - 2.0 * dt;
                if v < best_value {
                    best_value = v;
                    best = b * LANES + lane;
                }
            }
        }
        debug_assert!(best < self.k);
        best
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
            let mut sums = if update {
                Sums::zeros(k, d)
            } else {
                Sums::zeros(0, 0)
            };
            for (row, l) in block.chunks_exact(d).zip(lab.iter_mut()) {
                let c = table.nearest(row);
                *l = c as u32;
                if update {
                    sums.add_row(c, row);
                }
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
