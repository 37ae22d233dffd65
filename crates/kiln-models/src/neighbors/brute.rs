//! Brute-force neighbour search in blocks of queries × training rows.
//!
//! Euclidean and cosine distances come from one matrix product per block: `‖a‖² + ‖b‖² - 2a·b`
//! ranks rows by `‖b‖² - 2a·b` (the query's own norm is the same for every candidate) and cosine
//! by `-â·b̂` on unit rows. The product (faer's kernels) runs on cache-sized tiles, query blocks
//! in parallel. The
//! k rows kept get their distance recomputed directly, which avoids the cancellation the
//! expanded form suffers for near points. Other metrics are computed pair by pair.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{Array2, ArrayView2, s};
use rayon::prelude::*;

use super::{Metric, TopK};

/// Queries per block: each parallel task owns one block.
const QUERY_BLOCK: usize = 128;
/// Training rows per tile: a 128 × 2048 tile of f64 is 2 MiB, about one core's L2.
const TRAIN_BLOCK: usize = 2048;

/// The k nearest training rows of every query (reduced distances, see [`Metric::reduced`]).
pub(crate) fn kneighbors(
    data: ArrayView2<f64>,
    metric: Metric,
    queries: ArrayView2<f64>,
    k: usize,
) -> Vec<TopK> {
    match metric {
        Metric::Euclidean => by_product(data, queries, k, metric, false),
        Metric::Cosine => by_product(data, queries, k, metric, true),
        Metric::Manhattan | Metric::Minkowski(_) => pairwise(data, queries, k, metric),
    }
}

fn pairwise(
    data: ArrayView2<f64>,
    queries: ArrayView2<f64>,
    k: usize,
    metric: Metric,
) -> Vec<TopK> {
    let rows: Vec<_> = queries.outer_iter().collect();
    rows.par_iter()
        .map(|q| {
            let mut top = TopK::new(k);
            for (i, b) in data.outer_iter().enumerate() {
                let mut r = 0.0;
                let worst = top.worst();
                for (x, y) in q.iter().zip(b.iter()) {
                    r += metric.reduced_gap((x - y).abs());
                    if r > worst {
                        // Partial sums only grow: this row cannot enter the list.
                        break;
                    }
                }
                top.push(r, i);
            }
            top
        })
        .collect()
}

/// Unit rows (zero rows stay zero, as scikit-learn's `normalize` leaves them).
fn unit_rows(x: ArrayView2<f64>) -> Array2<f64> {
    let mut out = x.to_owned();
    for mut row in out.rows_mut() {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|v| v / norm);
        }
    }
    out
}

fn by_product(
    data: ArrayView2<f64>,
    queries: ArrayView2<f64>,
    k: usize,
    metric: Metric,
    cosine: bool,
) -> Vec<TopK> {
    let (train, query) = if cosine {
        (unit_rows(data), unit_rows(queries))
    } else {
        (data.to_owned(), queries.to_owned())
    };
    // Euclidean ranks by ‖b‖² - 2a·b; cosine by -a·b (norms are 1 or 0).
    let norms: Vec<f64> = if cosine {
        vec![0.0; train.nrows()]
    } else {
        train.rows().into_iter().map(|r| r.dot(&r)).collect()
    };
    let n = train.nrows();
    let d = train.ncols();
    let train_rows = train
        .as_slice()
        .expect("an owned array built by to_owned is in standard layout");
    let query_rows = query
        .as_slice()
        .expect("an owned array built by to_owned is in standard layout");
    let blocks: Vec<usize> = (0..query.nrows()).step_by(QUERY_BLOCK).collect();
    let per_block: Vec<Vec<TopK>> = blocks
        .par_iter()
        .map(|&q0| {
            let q1 = (q0 + QUERY_BLOCK).min(query.nrows());
            let qb = query.slice(s![q0..q1, ..]);
            let lhs = MatRef::from_row_major_slice(&query_rows[q0 * d..q1 * d], q1 - q0, d);
            let mut tops = vec![TopK::new(k); q1 - q0];
            let mut tile = vec![0.0; (q1 - q0) * TRAIN_BLOCK.min(n)];
            for t0 in (0..n).step_by(TRAIN_BLOCK) {
                let t1 = (t0 + TRAIN_BLOCK).min(n);
                let width = t1 - t0;
                let rhs = MatRef::from_row_major_slice(&train_rows[t0 * d..t1 * d], width, d);
                let products = &mut tile[..(q1 - q0) * width];
                // One thread per query block already: the product itself runs sequentially.
                matmul(
                    MatMut::from_row_major_slice_mut(products, q1 - q0, width),
                    Accum::Replace,
                    lhs,
                    rhs.transpose(),
                    1.0,
                    Par::Seq,
                );
                let block_norms = &norms[t0..t1];
                for (top, row) in tops.iter_mut().zip(products.chunks_exact(width)) {
                    scan(top, row, block_norms, t0);
                }
            }
            // The exact (reduced) distance of the rows kept, re-sorted by (distance, index).
            // Cosine distance ignores scale, so the unit query row serves as well.
            tops.into_iter()
                .zip(qb.outer_iter())
                .map(|(top, q)| {
                    let (_, idx) = top.into_parts();
                    let q = q.to_vec();
                    let mut exact = TopK::new(k);
                    for i in idx {
                        let b = data.row(i);
                        let d = match b.as_slice() {
                            Some(b) => metric.reduced(&q, b),
                            None => metric.reduced(&q, &b.to_vec()),
                        };
                        exact.push(d, i);
                    }
                    exact
                })
                .collect()
        })
        .collect();
    per_block.into_iter().flatten().collect()
}

/// Offers candidates `t0 + j` with surrogate `norm_j - 2 product_j` to `top`. Most candidates
/// lose once the list is full, so a lane-wise test of eight at a time (vectorised by the
/// compiler) skips whole groups before any one is looked at.
#[inline]
fn scan(top: &mut TopK, products: &[f64], norms: &[f64], t0: usize) {
    const LANES: usize = 8;
    let mut worst = top.worst();
    let groups = products.len() / LANES;
    for g in 0..groups {
        let (p, n) = (
            &products[g * LANES..(g + 1) * LANES],
            &norms[g * LANES..(g + 1) * LANES],
        );
        let mut any = false;
        for t in 0..LANES {
            any |= n[t] - 2.0 * p[t] <= worst;
        }
        if any {
            for t in 0..LANES {
                let surrogate = n[t] - 2.0 * p[t];
                if surrogate <= worst {
                    top.push(surrogate, t0 + g * LANES + t);
                    worst = top.worst();
                }
            }
        }
    }
    for j in groups * LANES..products.len() {
        let surrogate = norms[j] - 2.0 * products[j];
        if surrogate <= worst {
            top.push(surrogate, t0 + j);
            worst = top.worst();
        }
    }
}
