//! Elkan's k-means: Lloyd's iterations with triangle-inequality bounds that skip most distances.
//!
//! Each row keeps an upper bound on the distance to its centre and a lower bound on the distance
//! to every other centre; a centre `j` is examined only when the upper bound exceeds both the
//! lower bound for `j` and half the distance between the row's centre and `j`. The assignments
//! are exactly Lloyd's, so the result is the same; only the work differs (worth it for small
//! k·n memory, `n × k` lower bounds). Structure and bound updates follow scikit-learn's
//! `_k_means_elkan.pyx`, including its stopping rule.

use rayon::prelude::*;

use super::lloyd::{Run, Sums, assign, inertia, update_centres};
use super::rows::{CHUNK_ROWS, Rows, sq_dist};

/// Half the distance between every pair of centres (`k × k`) and, per centre, half the distance
/// to its nearest other centre.
fn half_distances(centres: &[f64], k: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut half = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..a {
            let v =
                sq_dist(&centres[a * d..(a + 1) * d], &centres[b * d..(b + 1) * d]).sqrt() / 2.0;
            half[a * k + b] = v;
            half[b * k + a] = v;
        }
    }
    let next = (0..k)
        .map(|a| {
            (0..k)
                .filter(|&b| b != a)
                .map(|b| half[a * k + b])
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    (half, next)
}

/// Elkan's algorithm from `centres` until convergence or `max_iter` passes.
pub(crate) fn elkan(x: &Rows, mut centres: Vec<f64>, k: usize, max_iter: usize, tol: f64) -> Run {
    let (n, d) = (x.n, x.d);
    let dist =
        |row: &[f64], centres: &[f64], c: usize| sq_dist(row, &centres[c * d..(c + 1) * d]).sqrt();
    let mut labels = vec![0u32; n];
    let mut upper = vec![0.0; n];
    let mut lower = vec![0.0; n * k];
    let (mut half, mut next) = half_distances(&centres, k, d);

    // Initial bounds: every needed distance is computed once.
    {
        let c0 = &centres;
        let half = &half;
        labels
            .par_chunks_mut(CHUNK_ROWS)
            .zip(upper.par_chunks_mut(CHUNK_ROWS))
            .zip(lower.par_chunks_mut(CHUNK_ROWS * k))
            .zip(x.data.par_chunks(CHUNK_ROWS * d))
            .for_each(|(((lab, up), low), block)| {
                for (((l, u), lo), row) in lab
                    .iter_mut()
                    .zip(up.iter_mut())
                    .zip(low.chunks_exact_mut(k))
                    .zip(block.chunks_exact(d))
                {
                    let mut best = 0;
                    let mut best_d = dist(row, c0, 0);
                    lo[0] = best_d;
                    for j in 1..k {
                        if best_d > half[best * k + j] {
                            let dj = dist(row, c0, j);
                            lo[j] = dj;
                            if dj < best_d {
                                best = j;
                                best_d = dj;
                            }
                        }
                    }
                    *l = best as u32;
                    *u = best_d;
                }
            });
    }

    let mut previous = vec![u32::MAX; n];
    let mut strict = false;
    let mut n_iter = 0;
    for it in 0..max_iter {
        n_iter = it + 1;
        let parts: Vec<Sums> = {
            let (c0, half, next) = (&centres, &half, &next);
            labels
                .par_chunks_mut(CHUNK_ROWS)
                .zip(upper.par_chunks_mut(CHUNK_ROWS))
                .zip(lower.par_chunks_mut(CHUNK_ROWS * k))
                .zip(x.data.par_chunks(CHUNK_ROWS * d))
                .map(|(((lab, up), low), block)| {
                    let mut sums = Sums::zeros(k, d);
                    for (((l, u), lo), row) in lab
                        .iter_mut()
                        .zip(up.iter_mut())
                        .zip(low.chunks_exact_mut(k))
                        .zip(block.chunks_exact(d))
                    {
                        let mut label = *l as usize;
                        let mut ub = *u;
                        if next[label] < ub {
                            let mut tight = false;
                            for j in 0..k {
                                if j != label && ub > lo[j] && ub > half[label * k + j] {
                                    if !tight {
                                        ub = dist(row, c0, label);
                                        lo[label] = ub;
                                        tight = true;
                                    }
                                    if ub > lo[j] && ub > half[label * k + j] {
                                        let dj = dist(row, c0, j);
                                        lo[j] = dj;
                                        if dj < ub {
                                            label = j;
                                            ub = dj;
                                        }
                                    }
                                }
                            }
                        }
                        *l = label as u32;
                        *u = ub;
                        sums.add_row(label, row);
                    }
                    sums
                })
                .collect()
        };
        let sums = Sums::combine(parts, k, d);
        let (new_centres, shift) = update_centres(x, &centres, &labels, sums, k);
        // Move the bounds by how far each centre moved.
        {
            let shift = &shift;
            upper
                .par_chunks_mut(CHUNK_ROWS)
                .zip(lower.par_chunks_mut(CHUNK_ROWS * k))
                .zip(labels.par_chunks(CHUNK_ROWS))
                .for_each(|((up, low), lab)| {
                    for ((u, lo), &l) in up.iter_mut().zip(low.chunks_exact_mut(k)).zip(lab) {
                        *u += shift[l as usize];
                        lo.iter_mut()
                            .zip(shift)
                            .for_each(|(b, s)| *b = (*b - s).max(0.0));
                    }
                });
        }
        centres = new_centres;
        (half, next) = half_distances(&centres, k, d);
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
