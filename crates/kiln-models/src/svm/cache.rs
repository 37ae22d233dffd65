//! A bounded LRU cache of kernel columns (libsvm's `Cache`), so the solver's memory is set by
//! `cache_size_mb`, never by `n²`.
//!
//! Column `i` holds a prefix of `Q[i][0..len]` in `f32` (libsvm's `Qfloat`: half the memory and
//! bandwidth of f64, and the same precision libsvm trains with). A request for a longer prefix
//! extends the column, evicting least recently used columns until the new entries fit the
//! budget. Shrinking permutes the solver's indices; `swap_index` follows it in every cached column
//! and drops columns that would have a hole. The budget counts allocated bytes of column data and
//! is never exceeded: it is raised to two full columns when smaller, since a solver step needs two
//! columns at once.

use rayon::prelude::*;

/// Marks a column outside the LRU list (the list's sentinel is index `l`: `prev[l]` is the most,
/// `next[l]` the least recently used column).
const NIL: usize = usize::MAX;

/// Cached columns from which `swap_index` visits them in parallel.
const PARALLEL_SWAP_COLUMNS: usize = 1024;

pub(crate) struct ColumnCache {
    columns: Vec<Vec<f32>>,
    prev: Vec<usize>,
    next: Vec<usize>,
    /// Budget and use in f32 entries (allocated capacity).
    budget: usize,
    used: usize,
    peak: usize,
}

impl ColumnCache {
    /// A cache for `l` columns of up to `l` entries within `budget_bytes`.
    pub fn new(l: usize, budget_bytes: usize) -> Self {
        let entries = (budget_bytes / std::mem::size_of::<f32>()).max(2 * l);
        ColumnCache {
            columns: (0..l).map(|_| Vec::new()).collect(),
            // index l is the sentinel of the circular list
            prev: vec![l; l + 1],
            next: vec![l; l + 1],
            budget: entries,
            used: 0,
            peak: 0,
        }
    }

    /// Effective budget in bytes (the requested one, or two full columns if that is larger).
    #[cfg(test)]
    pub fn budget_bytes(&self) -> usize {
        self.budget * std::mem::size_of::<f32>()
    }

    /// Largest number of bytes of column data held at any time.
    pub fn peak_bytes(&self) -> usize {
        self.peak * std::mem::size_of::<f32>()
    }

    fn sentinel(&self) -> usize {
        self.columns.len()
    }

    fn lru_delete(&mut self, h: usize) {
        let (p, n) = (self.prev[h], self.next[h]);
        self.next[p] = n;
        self.prev[n] = p;
        self.prev[h] = NIL;
        self.next[h] = NIL;
    }

    fn lru_insert(&mut self, h: usize) {
        let s = self.sentinel();
        let last = self.prev[s];
        self.next[h] = s;
        self.prev[h] = last;
        self.next[last] = h;
        self.prev[s] = h;
    }

    fn free(&mut self, h: usize) {
        self.used -= self.columns[h].capacity();
        self.columns[h] = Vec::new();
    }

    /// Makes column `index` at least `len` long and most recently used, never evicting `pin`.
    /// Returns the length that was already valid: entries `start..len` must be filled by the
    /// caller through [`ColumnCache::column_mut`].
    pub fn get(&mut self, index: usize, len: usize, pin: Option<usize>) -> usize {
        let have = self.columns[index].len();
        if have > 0 {
            self.lru_delete(index);
        }
        if len > have {
            let more = len.saturating_sub(self.columns[index].capacity());
            let s = self.sentinel();
            let mut victim = self.next[s];
            while self.used + more > self.budget && victim != s {
                let after = self.next[victim];
                if Some(victim) != pin {
                    self.lru_delete(victim);
                    self.free(victim);
                }
                victim = after;
            }
            let column = &mut self.columns[index];
            let before = column.capacity();
            column.reserve_exact(len - column.len());
            column.resize(len, 0.0);
            self.used += column.capacity() - before;
            self.peak = self.peak.max(self.used);
        }
        self.lru_insert(index);
        have
    }

    /// Column `index` (its valid prefix).
    pub fn column(&self, index: usize) -> &[f32] {
        &self.columns[index]
    }

    /// Column `index` for filling the entries `get` reported missing.
    pub fn column_mut(&mut self, index: usize) -> &mut [f32] {
        &mut self.columns[index]
    }

    /// Follows the solver swapping indices `i` and `j` (libsvm's `Cache::swap_index`).
    pub fn swap_index(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        let (li, lj) = (!self.columns[i].is_empty(), !self.columns[j].is_empty());
        if li {
            self.lru_delete(i);
        }
        if lj {
            self.lru_delete(j);
        }
        self.columns.swap(i, j);
        if !self.columns[i].is_empty() {
            self.lru_insert(i);
        }
        if !self.columns[j].is_empty() {
            self.lru_insert(j);
        }
        let (lo, hi) = (i.min(j), i.max(j));
        // Every cached column long enough swaps its two entries; one that covers `lo` but not
        // `hi` would have a hole after the swap and is dropped. Each column is independent, so
        // with many cached columns the pass (two cache misses per column, the main cost of
        // shrinking) is split across threads; the outcome does not depend on how.
        let covers = |h: usize, column: &mut Vec<f32>| {
            let len = column.len();
            if len > hi {
                column.swap(lo, hi);
                None
            } else if len > lo {
                Some(h)
            } else {
                None
            }
        };
        let s = self.sentinel();
        let mut cached = Vec::new();
        let mut h = self.next[s];
        while h != s {
            cached.push(h);
            h = self.next[h];
        }
        let holes: Vec<usize> = if cached.len() >= PARALLEL_SWAP_COLUMNS {
            // Move the column headers out (no data is copied) so threads own disjoint columns.
            let mut taken: Vec<(usize, Vec<f32>)> = cached
                .iter()
                .map(|&h| (h, std::mem::take(&mut self.columns[h])))
                .collect();
            let holes = taken
                .par_iter_mut()
                .with_min_len(PARALLEL_SWAP_COLUMNS / 4)
                .filter_map(|(h, column)| covers(*h, column))
                .collect();
            for (h, column) in taken {
                self.columns[h] = column;
            }
            holes
        } else {
            cached
                .into_iter()
                .filter_map(|h| covers(h, &mut self.columns[h]))
                .collect()
        };
        for h in holes {
            self.lru_delete(h);
            self.free(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(cache: &mut ColumnCache, i: usize, len: usize, pin: Option<usize>) {
        let start = cache.get(i, len, pin);
        for (j, v) in cache.column_mut(i)[start..len].iter_mut().enumerate() {
            *v = (i * 1000 + start + j) as f32;
        }
    }

    #[test]
    fn evicts_least_recently_used_and_respects_the_budget() {
        // 10 columns of 10 entries, room for 3 full columns.
        let mut cache = ColumnCache::new(10, 3 * 10 * 4);
        for i in 0..10 {
            fill(&mut cache, i, 10, None);
            assert!(cache.peak_bytes() <= cache.budget_bytes());
        }
        assert!(cache.column(9).len() == 10 && cache.column(8).len() == 10);
        assert!(cache.column(0).is_empty(), "oldest column evicted");
        // Touch 7, then add 0: 8 is now the least recently used and goes.
        cache.get(7, 10, None);
        fill(&mut cache, 0, 10, None);
        assert!(cache.column(8).is_empty() && cache.column(7).len() == 10);
        assert_eq!(cache.column(0)[3], 3.0);
    }

    #[test]
    fn a_pinned_column_survives_eviction() {
        let mut cache = ColumnCache::new(4, 0); // raised to two full columns
        assert_eq!(cache.budget_bytes(), 2 * 4 * 4);
        fill(&mut cache, 0, 4, None);
        fill(&mut cache, 1, 4, None);
        fill(&mut cache, 2, 4, Some(0));
        assert_eq!(cache.column(0).len(), 4);
        assert!(cache.column(1).is_empty());
        assert!(cache.peak_bytes() <= cache.budget_bytes());
    }

    #[test]
    fn swap_index_permutes_entries_and_drops_columns_with_holes() {
        let mut cache = ColumnCache::new(6, 1 << 20);
        fill(&mut cache, 0, 6, None);
        fill(&mut cache, 1, 3, None);
        cache.swap_index(2, 5);
        assert_eq!(cache.column(0)[2], 5.0);
        assert_eq!(cache.column(0)[5], 2.0);
        assert!(cache.column(1).is_empty(), "length 3 covers 2 but not 5");
        // Swapping a cached column's own index moves the column.
        cache.swap_index(0, 4);
        assert!(cache.column(0).is_empty());
        assert_eq!(cache.column(4)[4], 0.0);
        assert_eq!(cache.column(4)[0], 4.0);
    }

    #[test]
    fn swap_index_with_many_cached_columns_takes_the_parallel_pass_to_the_same_result() {
        let l = PARALLEL_SWAP_COLUMNS + 10;
        let mut cache = ColumnCache::new(l, 1 << 24);
        // Every column cached: most with 40 entries, column 0 full, column 1 with 100.
        for i in 2..l {
            fill(&mut cache, i, 40, None);
        }
        fill(&mut cache, 0, l, None);
        fill(&mut cache, 1, 100, None);
        cache.swap_index(50, l - 1);
        assert_eq!(cache.column(0)[50], (l - 1) as f32);
        assert_eq!(cache.column(0)[l - 1], 50.0);
        assert!(cache.column(1).is_empty(), "covers 50 but not l - 1");
        // Columns 50 and l - 1 (40 entries each) trade places; 40 entries cover neither index.
        assert_eq!(cache.column(50)[0], ((l - 1) * 1000) as f32);
        assert_eq!(cache.column(l - 1)[0], 50_000.0);
        assert_eq!(cache.column(7)[3], 7003.0, "untouched");
    }
}
