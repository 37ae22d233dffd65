//! Initial centres for k-means: scikit-learn's greedy k-means++ and uniform random rows.
//!
//! Greedy k-means++ (Arthur & Vassilvitskii with scikit-learn's local trials) picks the first
//! centre uniformly, then for every further centre draws `2 + ⌊ln k⌋` candidates with
//! probability proportional to the squared distance to the nearest centre so far and keeps the
//! candidate that lowers the total potential most. All candidates of one step are scored in a
//! single pass over the rows (scikit-learn computes their distances as one block too). Distance
//! passes run in parallel over fixed row chunks and their sums are combined in chunk order, so
//! the result depends on the seed only.

use rand::Rng;
use rayon::prelude::*;

use super::rows::{CHUNK_ROWS, Rows, sq_dist};

/// Greedy k-means++ centres (`k × d`, row-major) for the rows of `x`.
pub(crate) fn kmeans_plus_plus(x: &Rows, k: usize, rng: &mut impl Rng) -> Vec<f64> {
    let (n, d) = (x.n, x.d);
    let trials = 2 + (k as f64).ln() as usize;
    let mut centres = Vec::with_capacity(k * d);
    let first = rng.random_range(0..n);
    centres.extend_from_slice(x.row(first));
    let mut closest: Vec<f64> = distances_to(x, x.row(first));
    let mut potential = chunked_sum(&closest);
    let mut cumulative = vec![0.0; n];
    for _ in 1..k {
        // Running sum in row order, as numpy's cumsum; candidates by binary search on it.
        let mut s = 0.0;
        for (c, &v) in cumulative.iter_mut().zip(&closest) {
            s += v;
            *c = s;
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let target = rng.random::<f64>() * potential;
                cumulative.partition_point(|&c| c < target).min(n - 1)
            })
            .collect();
        let pots = candidate_potentials(x, &candidates, &closest);
        // The first candidate with the lowest potential, as numpy's argmin.
        let mut best = 0;
        for (t, &p) in pots.iter().enumerate() {
            if p < pots[best] {
                best = t;
            }
        }
        let cand = candidates[best];
        potential = pots[best];
        lower_to(x, x.row(cand), &mut closest);
        centres.extend_from_slice(x.row(cand));
    }
    centres
}

/// `k` distinct rows drawn uniformly (scikit-learn's `init="random"`).
pub(crate) fn random_rows(x: &Rows, k: usize, rng: &mut impl Rng) -> Vec<f64> {
    let chosen = rand::seq::index::sample(rng, x.n, k);
    let mut centres = Vec::with_capacity(k * x.d);
    for i in chosen.iter() {
        centres.extend_from_slice(x.row(i));
    }
    centres
}

/// Squared distances of every row to `c`.
fn distances_to(x: &Rows, c: &[f64]) -> Vec<f64> {
    let d = x.d;
    let mut out = vec![0.0; x.n];
    out.par_chunks_mut(CHUNK_ROWS)
        .zip(x.data.par_chunks(CHUNK_ROWS * d))
        .for_each(|(o, block)| {
            for (v, row) in o.iter_mut().zip(block.chunks_exact(d)) {
                *v = sq_dist(row, c);
            }
        });
    out
}

/// `closest[i] = min(closest[i], ‖x_i − c‖²)`: the chosen candidate joins the centres.
fn lower_to(x: &Rows, c: &[f64], closest: &mut [f64]) {
    let d = x.d;
    closest
        .par_chunks_mut(CHUNK_ROWS)
        .zip(x.data.par_chunks(CHUNK_ROWS * d))
        .for_each(|(o, block)| {
            for (v, row) in o.iter_mut().zip(block.chunks_exact(d)) {
                *v = v.min(sq_dist(row, c));
            }
        });
}

/// For every candidate, the potential `Σ_i min(closest_i, ‖x_i − candidate‖²)` it would leave.
///
/// One pass over the rows serves all candidates (each row is read once, not once per candidate,
/// and no distance vector is stored), and each candidate's sum runs in row order within fixed
/// chunks combined in chunk order: the same bits as [`chunked_sum`] of the distances, for any
/// thread count.
fn candidate_potentials(x: &Rows, candidates: &[usize], closest: &[f64]) -> Vec<f64> {
    let d = x.d;
    let rows: Vec<&[f64]> = candidates.iter().map(|&c| x.row(c)).collect();
    let parts: Vec<Vec<f64>> = x
        .data
        .par_chunks(CHUNK_ROWS * d)
        .zip(closest.par_chunks(CHUNK_ROWS))
        .map(|(block, near)| {
            let mut sums = vec![0.0; rows.len()];
            for (row, &n) in block.chunks_exact(d).zip(near) {
                for (s, c) in sums.iter_mut().zip(&rows) {
                    *s += sq_dist(row, c).min(n);
                }
            }
            sums
        })
        .collect();
    let mut total = vec![0.0; rows.len()];
    for p in parts {
        total.iter_mut().zip(&p).for_each(|(t, v)| *t += v);
    }
    total
}

/// Sum of `v` in fixed chunks combined in order: the same bits for any thread count.
pub(crate) fn chunked_sum(v: &[f64]) -> f64 {
    let parts: Vec<f64> = v.par_chunks(CHUNK_ROWS).map(|c| c.iter().sum()).collect();
    parts.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn plus_plus_spreads_centres_over_separated_groups() {
        // Three tight groups far apart: every seed must put one centre in each group.
        let x = Array2::from_shape_fn((30, 2), |(i, j)| {
            (i / 10) as f64 * 100.0 + (i % 10) as f64 * 0.01 + j as f64
        });
        let rows = Rows::new(x.view());
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let c = kmeans_plus_plus(&rows, 3, &mut rng);
            let mut groups: Vec<i64> = c.chunks(2).map(|p| (p[0] / 100.0).round() as i64).collect();
            groups.sort();
            assert_eq!(groups, vec![0, 1, 2], "seed {seed}");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let r = random_rows(&rows, 5, &mut rng);
        assert_eq!(r.len(), 10);
    }

    #[test]
    fn one_pass_candidate_potentials_equal_per_candidate_sums() {
        // More rows than one chunk, so the chunked order matters.
        let x = Array2::from_shape_fn((2 * CHUNK_ROWS + 77, 3), |(i, j)| {
            ((i * 48_271 + j * 16_807) % 1009) as f64 / 10.0
        });
        let rows = Rows::new(x.view());
        let closest = distances_to(&rows, rows.row(5));
        let candidates = [17, 4000, 17, 901];
        let pots = candidate_potentials(&rows, &candidates, &closest);
        for (&c, &p) in candidates.iter().zip(&pots) {
            let mut dist = distances_to(&rows, rows.row(c));
            dist.iter_mut()
                .zip(&closest)
                .for_each(|(a, &b)| *a = a.min(b));
            // Same summation order: the same bits.
            assert_eq!(p, chunked_sum(&dist));
        }
        let mut lowered = closest.clone();
        lower_to(&rows, rows.row(901), &mut lowered);
        assert_eq!(chunked_sum(&lowered), pots[3]);
    }
}
