//! Presorted sample lists for CART growth (the classic presorted CART).
//!
//! `Columns` sorts every feature once (per fit, shared by every tree of a forest); each tree
//! filters those orders to its own rows (`SortedLists`) and stable-partitions them at every
//! split, so a node's samples are already in value order for every feature and large nodes
//! never sort. That costs one linear pass per feature per split, which beats sorting while a
//! node is large compared with `n_features / max_features` (see `builder::presorted_node`).

use rayon::prelude::*;

/// A column-major copy of the training matrix with each feature's rows in ascending value
/// order, shared by every tree of a forest.
#[derive(Debug, Clone)]
pub struct Columns {
    data: Vec<f64>,
    n_rows: usize,
    /// Per feature, the row indices sorted by value (ties by row index), `n_rows` per feature.
    order: Vec<u32>,
}

impl Columns {
    /// Copies an ndarray view column by column and sorts each column once (in parallel).
    pub fn new(x: ndarray::ArrayView2<f64>) -> Self {
        let mut columns = Self::unsorted(x);
        let n_rows = columns.n_rows;
        let mut order: Vec<u32> = Vec::with_capacity(x.len());
        for _ in 0..x.ncols() {
            order.extend(0..n_rows as u32);
        }
        if n_rows > 0 {
            order
                .par_chunks_mut(n_rows)
                .zip(columns.data.par_chunks(n_rows))
                .for_each(|(rows, col)| {
                    // Stable, so equal values keep row order and the result is reproducible.
                    rows.sort_by(|&a, &b| col[a as usize].total_cmp(&col[b as usize]));
                });
        }
        columns.order = order;
        columns
    }

    /// The column-major copy without the sorted orders, for trees that never keep sorted
    /// lists (histogram splits): the sort is the dearest part of `new`.
    fn unsorted(x: ndarray::ArrayView2<f64>) -> Self {
        let mut data = Vec::with_capacity(x.len());
        for col in x.columns() {
            data.extend(col.iter().copied());
        }
        Self::from_column_major(data, x.nrows())
    }

    /// Columns of `n_rows` values each, laid end to end, without sorted orders: for trees
    /// that never keep sorted lists (the small subtrees of histogram forests).
    pub fn from_column_major(data: Vec<f64>, n_rows: usize) -> Self {
        Columns {
            data,
            n_rows,
            order: Vec::new(),
        }
    }

    pub fn col(&self, f: usize) -> &[f64] {
        &self.data[f * self.n_rows..(f + 1) * self.n_rows]
    }

    pub fn sorted_rows(&self, f: usize) -> &[u32] {
        &self.order[f * self.n_rows..(f + 1) * self.n_rows]
    }

    pub fn n_features(&self) -> usize {
        self.data.len() / self.n_rows.max(1)
    }
}

/// One tree's samples (rows with positive weight) in value order per feature: block `f` holds
/// `len` sample ids and their values, and a node owns the same range `start..end` in every
/// block. The values travel with the ids so a node reads them in order instead of gathering
/// them from the column, which was the dearest load of the split search.
pub struct SortedLists {
    ids: Vec<u32>,
    values: Vec<f64>,
    len: usize,
    /// Per row, whether it goes left at the split being applied.
    goes_left: Vec<bool>,
    /// Right-hand samples and values while a segment is partitioned.
    spill_ids: Vec<u32>,
    spill_values: Vec<f64>,
}

impl SortedLists {
    pub fn new(data: &Columns, weights: &[f64], len: usize) -> Self {
        let n_features = data.n_features();
        let mut ids = Vec::with_capacity(n_features * len);
        let mut values = Vec::with_capacity(n_features * len);
        for f in 0..n_features {
            let col = data.col(f);
            for &s in data.sorted_rows(f) {
                if weights[s as usize] > 0.0 {
                    ids.push(s);
                    values.push(col[s as usize]);
                }
            }
        }
        SortedLists {
            ids,
            values,
            len,
            goes_left: vec![false; data.n_rows],
            spill_ids: vec![0; len],
            spill_values: vec![0.0; len],
        }
    }

    /// Values and sample ids of feature `f` in the node `start..end`, ascending.
    pub fn segment(&self, f: usize, start: usize, end: usize) -> (&[f64], &[u32]) {
        let range = f * self.len + start..f * self.len + end;
        (&self.values[range.clone()], &self.ids[range])
    }

    /// Stable-partitions every feature's `start..end` into the samples with `x_f <= threshold`
    /// then the rest, so both children stay sorted; returns the first right-hand position.
    pub fn partition(
        &mut self,
        data: &Columns,
        feature: usize,
        threshold: f64,
        start: usize,
        end: usize,
    ) -> usize {
        let base = feature * self.len;
        // The split feature's own segment is already ordered: left is a prefix.
        let mut n_left = 0;
        for (&s, &v) in self.ids[base + start..base + end]
            .iter()
            .zip(&self.values[base + start..base + end])
        {
            let left = v <= threshold;
            self.goes_left[s as usize] = left;
            n_left += usize::from(left);
        }
        for f in 0..data.n_features() {
            if f == feature {
                continue;
            }
            let range = f * self.len + start..f * self.len + end;
            let ids = &mut self.ids[range.clone()];
            let values = &mut self.values[range];
            let spill_ids = &mut self.spill_ids[..ids.len()];
            let spill_values = &mut self.spill_values[..ids.len()];
            let (mut l, mut r) = (0, 0);
            // Branch-free: each sample is written to both places and only one cursor moves,
            // since the side is a coin flip the branch predictor cannot learn. `l <= i` holds,
            // so the write never overtakes the read.
            for i in 0..ids.len() {
                let (s, v) = (ids[i], values[i]);
                let left = self.goes_left[s as usize];
                ids[l] = s;
                values[l] = v;
                spill_ids[r] = s;
                spill_values[r] = v;
                l += usize::from(left);
                r += usize::from(!left);
            }
            ids[l..].copy_from_slice(&spill_ids[..r]);
            values[l..].copy_from_slice(&spill_values[..r]);
        }
        start + n_left
    }
}
