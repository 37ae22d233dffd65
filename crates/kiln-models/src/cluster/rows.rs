//! Row-major feature storage and the distance primitives clustering and outlier detection share.
//!
//! The callers of this module spend nearly all their time comparing rows with rows or with
//! centres, so they copy `x` once into one contiguous row-major buffer (whatever the layout of
//! the caller's view) and work on slices of it. Parallel reductions go through fixed-size row
//! chunks whose partial results are combined in chunk order, which makes every sum the same
//! whatever the number of threads.

use ndarray::ArrayView2;
use rayon::prelude::*;

/// Rows per chunk in parallel passes; fixed so that reductions do not depend on the thread count.
pub(crate) const CHUNK_ROWS: usize = 2048;

/// A dense row-major copy of a feature matrix.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    pub data: Vec<f64>,
    pub n: usize,
    pub d: usize,
}

impl Rows {
    /// Copies `x` row by row (any memory layout of the view).
    pub fn new(x: ArrayView2<f64>) -> Self {
        let (n, d) = x.dim();
        let data = match x.as_slice() {
            Some(s) => s.to_vec(),
            None => x.iter().copied().collect(),
        };
        Rows { data, n, d }
    }

    /// Builds from an owned row-major buffer of `n * d` values.
    pub fn from_vec(data: Vec<f64>, n: usize, d: usize) -> Self {
        debug_assert_eq!(data.len(), n * d);
        Rows { data, n, d }
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.d..(i + 1) * self.d]
    }

    /// The rows at `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> Rows {
        let mut data = Vec::with_capacity(idx.len() * self.d);
        for &i in idx {
            data.extend_from_slice(self.row(i));
        }
        Rows::from_vec(data, idx.len(), self.d)
    }

    /// Per-column means.
    pub fn column_means(&self) -> Vec<f64> {
        let mut m = vec![0.0; self.d];
        for row in self.data.chunks_exact(self.d) {
            m.iter_mut().zip(row).for_each(|(a, v)| *a += v);
        }
        m.iter_mut().for_each(|a| *a /= self.n.max(1) as f64);
        m
    }
}

/// Squared Euclidean distance, summed feature by feature as `((a - b) ** 2).sum()` does.
#[inline]
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// For every row of `queries`, the indices of the rows of `data` within `radius` (inclusive),
/// in increasing index order. Brute force, parallel over queries.
pub(crate) fn radius_neighbors(queries: &Rows, data: &Rows, radius: f64) -> Vec<Vec<usize>> {
    let r2 = radius * radius;
    (0..queries.n)
        .into_par_iter()
        .map(|i| {
            let q = queries.row(i);
            (0..data.n)
                .filter(|&j| sq_dist(q, data.row(j)) <= r2)
                .collect()
        })
        .collect()
}

/// For every row of `queries`, its `k` nearest rows of `data` as (distance, index), nearest
/// first; ties keep the lower index first. With `exclude_self`, query `i` skips data row `i`
/// (the queries are the data), as scikit-learn's `kneighbors()` without arguments does.
pub(crate) fn k_nearest(
    queries: &Rows,
    data: &Rows,
    k: usize,
    exclude_self: bool,
) -> Vec<Vec<(f64, usize)>> {
    (0..queries.n)
        .into_par_iter()
        .map(|i| {
            let q = queries.row(i);
            // A sorted buffer of the best k so far; k is small, so insertion beats a heap.
            let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
            for j in 0..data.n {
                if exclude_self && j == i {
                    continue;
                }
                let d2 = sq_dist(q, data.row(j));
                if best.len() == k && d2 >= best[k - 1].0 {
                    continue;
                }
                let pos = best.partition_point(|&(b, _)| b <= d2);
                best.insert(pos, (d2, j));
                best.truncate(k);
            }
            best.into_iter().map(|(d2, j)| (d2.sqrt(), j)).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn neighbours_by_brute_force() {
        let x = array![[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [5.0, 5.0]];
        let rows = Rows::new(x.view());
        let within = radius_neighbors(&rows, &rows, 1.0);
        assert_eq!(within[0], vec![0, 1]);
        assert_eq!(within[3], vec![3]);
        let knn = k_nearest(&rows, &rows, 2, true);
        assert_eq!(knn[0], vec![(1.0, 1), (2.0, 2)]);
        let column_major = x.t().to_owned();
        assert_eq!(Rows::new(column_major.t()).data, rows.data);
    }
}
