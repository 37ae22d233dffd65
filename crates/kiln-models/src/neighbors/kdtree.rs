//! A KD-tree for neighbour queries in few dimensions (scikit-learn's `KDTree` idea): each node
//! splits its rows at the median of the dimension where they spread most, and keeps their
//! bounding box, so a query skips every node whose box is farther than its current k-th
//! neighbour. Leaves hold at most `leaf_size` rows.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::{Metric, TopK};

/// The tree, stored as flat arrays (struct of arrays, serde-friendly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KdTree {
    /// Training-row indices, permuted so that every node's rows are contiguous.
    pub idx: Vec<u32>,
    /// First position in `idx` of each node's rows.
    pub start: Vec<u32>,
    /// One past the last position in `idx` of each node's rows.
    pub end: Vec<u32>,
    /// Left child, or -1 for a leaf.
    pub left: Vec<i32>,
    /// Right child, or -1 for a leaf.
    pub right: Vec<i32>,
    /// Lower corner of each node's bounding box (nodes × features, flattened).
    pub lower: Vec<f64>,
    /// Upper corner of each node's bounding box.
    pub upper: Vec<f64>,
    /// Features per row.
    pub n_features: usize,
}

impl KdTree {
    /// Builds the tree over the rows of `data`.
    pub(crate) fn build(data: ArrayView2<f64>, leaf_size: usize) -> KdTree {
        let mut tree = KdTree {
            idx: (0..data.nrows() as u32).collect(),
            start: Vec::new(),
            end: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            lower: Vec::new(),
            upper: Vec::new(),
            n_features: data.ncols(),
        };
        tree.grow(data, 0, data.nrows(), leaf_size.max(1));
        tree
    }

    fn grow(&mut self, data: ArrayView2<f64>, start: usize, end: usize, leaf_size: usize) -> i32 {
        let node = self.start.len();
        let d = self.n_features;
        let mut lo = vec![f64::INFINITY; d];
        let mut hi = vec![f64::NEG_INFINITY; d];
        for &i in &self.idx[start..end] {
            for (j, &v) in data.row(i as usize).iter().enumerate() {
                lo[j] = lo[j].min(v);
                hi[j] = hi[j].max(v);
            }
        }
        let (mut dim, mut spread) = (0, 0.0);
        for j in 0..d {
            if hi[j] - lo[j] > spread {
                spread = hi[j] - lo[j];
                dim = j;
            }
        }
        self.start.push(start as u32);
        self.end.push(end as u32);
        self.left.push(-1);
        self.right.push(-1);
        self.lower.extend(&lo);
        self.upper.extend(&hi);
        // A node of identical rows cannot be split; it stays a leaf whatever its size.
        if end - start <= leaf_size || spread == 0.0 {
            return node as i32;
        }
        let mid = start + (end - start) / 2;
        self.idx[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            data[[a as usize, dim]]
                .total_cmp(&data[[b as usize, dim]])
                .then(a.cmp(&b))
        });
        let l = self.grow(data, start, mid, leaf_size);
        let r = self.grow(data, mid, end, leaf_size);
        self.left[node] = l;
        self.right[node] = r;
        node as i32
    }

    /// Smallest reduced distance from `q` to node `node`'s bounding box.
    fn min_reduced(&self, node: usize, metric: Metric, q: &[f64]) -> f64 {
        let d = self.n_features;
        let (lo, hi) = (
            &self.lower[node * d..(node + 1) * d],
            &self.upper[node * d..(node + 1) * d],
        );
        let mut r = 0.0;
        for ((&v, &l), &h) in q.iter().zip(lo).zip(hi) {
            let gap = (l - v).max(v - h).max(0.0);
            r += metric.reduced_gap(gap);
        }
        r
    }

    /// The `k` nearest rows of `q` (reduced distances).
    pub(crate) fn query(&self, data: ArrayView2<f64>, metric: Metric, q: &[f64], k: usize) -> TopK {
        let mut top = TopK::new(k);
        let bound = self.min_reduced(0, metric, q);
        self.visit(0, bound, data, metric, q, &mut top);
        top
    }

    fn visit(
        &self,
        node: usize,
        bound: f64,
        data: ArrayView2<f64>,
        metric: Metric,
        q: &[f64],
        top: &mut TopK,
    ) {
        // A box exactly at the k-th distance may still hold a row with a smaller index.
        if bound > top.worst() {
            return;
        }
        if self.left[node] < 0 {
            for &i in &self.idx[self.start[node] as usize..self.end[node] as usize] {
                let worst = top.worst();
                let mut r = 0.0;
                for (&a, &b) in q.iter().zip(data.row(i as usize).iter()) {
                    r += metric.reduced_gap((a - b).abs());
                    if r > worst {
                        break;
                    }
                }
                top.push(r, i as usize);
            }
            return;
        }
        let (l, r) = (self.left[node] as usize, self.right[node] as usize);
        let (bl, br) = (
            self.min_reduced(l, metric, q),
            self.min_reduced(r, metric, q),
        );
        if bl <= br {
            self.visit(l, bl, data, metric, q, top);
            self.visit(r, br, data, metric, q, top);
        } else {
            self.visit(r, br, data, metric, q, top);
            self.visit(l, bl, data, metric, q, top);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn tree_queries_match_a_full_scan() {
        let data = Array2::from_shape_fn((500, 3), |(i, j)| ((i * 37 + j * 101) % 97) as f64 / 7.0);
        let tree = KdTree::build(data.view(), 8);
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Minkowski(3.0)] {
            for qi in [0usize, 17, 250, 499] {
                let q = data.row(qi).to_vec();
                let (d, i) = tree.query(data.view(), metric, &q, 7).into_parts();
                let mut all: Vec<(f64, usize)> = data
                    .outer_iter()
                    .enumerate()
                    .map(|(j, r)| (metric.reduced(&q, r.as_slice().expect("contiguous")), j))
                    .collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                assert_eq!(
                    i,
                    all[..7].iter().map(|p| p.1).collect::<Vec<_>>(),
                    "{metric:?}"
                );
                assert_eq!(d, all[..7].iter().map(|p| p.0).collect::<Vec<_>>());
            }
        }
    }
}
