//! Gradient histograms: per feature and bin, the sums of gradients and hessians.
//!
//! Like LightGBM, bins carry no row count: split finding estimates counts from hessians, which
//! keeps a bin at 16 bytes and the inner loop at two additions.
//!
//! Every feature gets a fixed block of 256 bins (u8 codes index it without bounds checks), so a
//! leaf's histogram is one flat buffer. Rows are read from the row-major copy of the bin codes
//! (one cache line per row serves every feature) and their gradients straight from the
//! row-indexed gradient array, with both prefetched a few rows ahead: a leaf's rows are scattered,
//! and every row is one pass, so gathering gradients into a contiguous buffer first would only
//! add a second pass over the same cache misses.
//!
//! Three ways to fill a histogram, chosen from the leaf's row count alone so that the sums, and
//! so the model, do not depend on the number of threads:
//! - leaves of two chunks' worth of rows or more are cut into row chunks (a power of two that
//!   grows with the square root of the row count); each chunk fills its own buffer (chunks run in
//!   parallel) and the buffers are added up in chunk order. Each thread touches only its own
//!   rows, so cache misses are shared out instead of repeated;
//! - smaller leaves with enough work are split by features: each thread sums its own features
//!   over all rows;
//! - small leaves are filled on the calling thread.
//!
//! Only the smaller child of a split is built; the larger one is the parent minus it
//! (histogram subtraction).

use rayon::prelude::*;

use super::binning::BinnedData;

/// Bins per feature block: every u8 code has a slot.
pub const BLOCK: usize = 256;

/// Sums over the rows that fall in one bin.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BinStat {
    /// Sum of gradients.
    pub grad: f64,
    /// Sum of hessians.
    pub hess: f64,
}

impl BinStat {
    /// `self - other`, for sums known to contain `other`.
    #[inline]
    pub fn minus(&self, other: &BinStat) -> BinStat {
        BinStat {
            grad: self.grad - other.grad,
            hess: self.hess - other.hess,
        }
    }

    #[inline(always)]
    fn add(&mut self, g: &[f64; 2]) {
        self.grad += g[0];
        self.hess += g[1];
    }
}

/// A leaf's histogram: `n_features` blocks of [`BLOCK`] bins.
pub type Histogram = Vec<BinStat>;

/// Reuses histogram buffers across leaves and trees so growth allocates only at the start.
#[derive(Debug, Default)]
pub struct HistogramPool {
    free: Vec<Histogram>,
    size: usize,
}

impl HistogramPool {
    /// A pool for histograms of `n_features` features.
    pub fn new(n_features: usize) -> Self {
        HistogramPool {
            free: Vec::new(),
            size: n_features * BLOCK,
        }
    }

    /// A histogram buffer; its contents are whatever the last user left ([`HistogramBuilder`]
    /// zeroes the blocks it fills).
    pub fn take(&mut self) -> Histogram {
        self.free
            .pop()
            .unwrap_or_else(|| vec![BinStat::default(); self.size])
    }

    /// Returns a histogram for reuse.
    pub fn give(&mut self, h: Histogram) {
        self.free.push(h);
    }
}

/// Which rows a histogram covers.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    /// All rows `0..n` in order.
    All,
    /// These rows.
    Subset(&'a [u32]),
}

impl<'a> Rows<'a> {
    fn len(&self, data: &BinnedData) -> usize {
        match self {
            Rows::All => data.n_rows,
            Rows::Subset(idx) => idx.len(),
        }
    }

    /// Rows `start..end` of this row list.
    fn span(&self, start: usize, end: usize) -> Span<'a> {
        match self {
            Rows::All => Span::Range(start, end),
            Rows::Subset(idx) => Span::Idx(&idx[start..end]),
        }
    }
}

/// A piece of a row list, as one task fills it.
#[derive(Debug, Clone, Copy)]
enum Span<'a> {
    Range(usize, usize),
    Idx(&'a [u32]),
}

/// Rows per chunk of a row-chunked build below which it is not worth it: leaves with fewer than
/// two chunks' worth are built by features. Merging a chunk buffer costs one addition per bin, so
/// a chunk must have many more rows than a feature has bins for the merge to stay cheap.
const CHUNK_ROWS: usize = 2048;

/// Most chunks per build: enough to keep a few more threads than chunks busy and balanced.
const MAX_CHUNKS: usize = 16;

/// Memory the chunk buffers may take together; very wide data gets fewer chunks.
const CHUNK_BUFFER_BYTES: usize = 64 << 20;

/// Row × feature updates below which a histogram is built on the calling thread.
const PARALLEL_WORK: usize = 1 << 14;

/// Rows ahead whose codes and gradients are prefetched: a leaf's rows are scattered, so without
/// a hint every row is a cache miss the loop waits for (LightGBM prefetches the same way).
const PREFETCH_DISTANCE: usize = 16;

/// Builds histograms; owns the per-chunk buffers, which are allocated on first use and reused.
#[derive(Debug)]
pub struct HistogramBuilder {
    buffers: Vec<Histogram>,
    hist_len: usize,
    max_chunks: usize,
}

impl HistogramBuilder {
    /// A builder for data with `n_features` features.
    pub fn new(n_features: usize) -> Self {
        let hist_len = n_features * BLOCK;
        let hist_bytes = (hist_len * std::mem::size_of::<BinStat>()).max(1);
        HistogramBuilder {
            buffers: Vec::new(),
            hist_len,
            max_chunks: (CHUNK_BUFFER_BYTES / hist_bytes).clamp(1, MAX_CHUNKS),
        }
    }

    /// Fills the blocks of the listed `features` (sorted, distinct) of `hist` with the sums of the
    /// gradient/hessian pairs `gh` (indexed by row) over `rows`. Other blocks are left untouched.
    ///
    /// The result depends only on the data and the row list, never on the thread count.
    pub fn build(
        &mut self,
        hist: &mut [BinStat],
        data: &BinnedData,
        features: &[usize],
        rows: Rows<'_>,
        gh: &[[f64; 2]],
    ) {
        if features.is_empty() {
            return;
        }
        let (blocks, _) = hist.as_chunks_mut::<BLOCK>();
        let n_rows = rows.len(data);
        let n_chunks = chunk_count(n_rows).min(self.max_chunks);
        if n_chunks >= 2 {
            while self.buffers.len() < n_chunks - 1 {
                self.buffers.push(vec![BinStat::default(); self.hist_len]);
            }
            let bounds = |c: usize| (c * n_rows / n_chunks, (c + 1) * n_rows / n_chunks);
            let extra = &mut self.buffers[..n_chunks - 1];
            rayon::join(
                || {
                    let (start, end) = bounds(0);
                    zero(blocks, 0, features);
                    fill(blocks, 0, features, data, rows.span(start, end), gh);
                },
                || {
                    extra.par_iter_mut().enumerate().for_each(|(c, buffer)| {
                        let (own, _) = buffer.as_chunks_mut::<BLOCK>();
                        let (start, end) = bounds(c + 1);
                        zero(own, 0, features);
                        fill(own, 0, features, data, rows.span(start, end), gh);
                    })
                },
            );
            // Chunk order, whatever thread filled which chunk: the sums are reproducible.
            for buffer in extra.iter() {
                let (own, _) = buffer.as_chunks::<BLOCK>();
                for &f in features {
                    for (h, b) in blocks[f].iter_mut().zip(&own[f]) {
                        h.grad += b.grad;
                        h.hess += b.hess;
                    }
                }
            }
            return;
        }
        let groups = if n_rows * features.len() < PARALLEL_WORK {
            1
        } else {
            rayon::current_num_threads().clamp(1, features.len())
        };
        by_feature_groups(blocks, 0, features, groups, data, rows.span(0, n_rows), gh);
    }
}

/// Chunks of a row-chunked build of `n_rows` rows (below 2: build by features): the largest power
/// of two at most √(2 · n_rows / `CHUNK_ROWS`), so chunks shrink towards `CHUNK_ROWS` rows in
/// mid-sized leaves (where splitting by features would make every thread read every row) while
/// the merge cost stays a small share in large ones; powers of two share out evenly over 2, 4,
/// 8 or 16 threads.
fn chunk_count(n_rows: usize) -> usize {
    let ratio = n_rows / (CHUNK_ROWS / 2);
    if ratio < 4 {
        return 1;
    }
    let root = ratio.isqrt();
    1 << root.ilog2()
}

/// Zeroes the blocks of `features`; `blocks[0]` is feature `offset`.
fn zero(blocks: &mut [[BinStat; BLOCK]], offset: usize, features: &[usize]) {
    for &f in features {
        blocks[f - offset].fill(BinStat::default());
    }
}

/// Splits `features` into `groups` groups of neighbouring features, each filled by one task over
/// every row. Each feature's sums are taken in row order by one task, whatever the grouping.
fn by_feature_groups(
    blocks: &mut [[BinStat; BLOCK]],
    offset: usize,
    features: &[usize],
    groups: usize,
    data: &BinnedData,
    span: Span<'_>,
    gh: &[[f64; 2]],
) {
    if groups <= 1 || features.len() < 2 {
        zero(blocks, offset, features);
        fill(blocks, offset, features, data, span, gh);
        return;
    }
    let left_groups = groups / 2;
    let mid = (features.len() * left_groups / groups).max(1);
    let (low, high) = blocks.split_at_mut(features[mid] - offset);
    let (low_features, high_features) = features.split_at(mid);
    rayon::join(
        || by_feature_groups(low, offset, low_features, left_groups, data, span, gh),
        || {
            by_feature_groups(
                high,
                high_features[0],
                high_features,
                groups - left_groups,
                data,
                span,
                gh,
            )
        },
    );
}

/// Rows per batch of a fill: a leaf's scattered rows are first gathered (codes and gradients)
/// into a small contiguous buffer.
const BATCH_ROWS: usize = 256;

/// Feature blocks updated per pass over a batch. A whole histogram (4 KB per feature) is far
/// larger than the L1 cache, so updating every feature of a row makes nearly every bin update
/// an L1 miss; eight blocks (32 KB) and the batch (8 KB of 32-byte rows, 4 KB of gradients) stay
/// in a 48 KB L1 cache, so each pass updates bins at L1 speed.
const PASS_FEATURES: usize = 8;

/// Adds the rows of `span` to the blocks of `features`; `blocks[0]` is feature `offset`.
///
/// Each bin's sum is taken in row order, as a plain row-by-row loop would take it.
fn fill(
    blocks: &mut [[BinStat; BLOCK]],
    offset: usize,
    features: &[usize],
    data: &BinnedData,
    span: Span<'_>,
    gh: &[[f64; 2]],
) {
    let stride = data.rows.stride();
    match span {
        Span::Range(start, end) => {
            // Contiguous rows: the batches are the data itself.
            for batch_start in (start..end).step_by(BATCH_ROWS) {
                let batch_end = (batch_start + BATCH_ROWS).min(end);
                let records = data.rows.records(batch_start, batch_end);
                add_batch(
                    blocks,
                    offset,
                    features,
                    records,
                    stride,
                    &gh[batch_start..batch_end],
                );
            }
        }
        Span::Idx(idx) => {
            let all = data.rows.records(0, data.n_rows);
            let mut codes = vec![0u8; BATCH_ROWS * stride];
            let mut grads = [[0.0; 2]; BATCH_ROWS];
            for (b, batch) in idx.chunks(BATCH_ROWS).enumerate() {
                for (k, &i) in batch.iter().enumerate() {
                    if let Some(&ahead) = idx.get(b * BATCH_ROWS + k + PREFETCH_DISTANCE) {
                        prefetch(all, ahead as usize * stride);
                        prefetch(gh, ahead as usize);
                    }
                    let i = i as usize;
                    codes[k * stride..(k + 1) * stride]
                        .copy_from_slice(&all[i * stride..(i + 1) * stride]);
                    grads[k] = gh[i];
                }
                let n = batch.len();
                add_batch(
                    blocks,
                    offset,
                    features,
                    &codes[..n * stride],
                    stride,
                    &grads[..n],
                );
            }
        }
    }
}

/// Adds a batch of row records (`stride` bytes each, codes first) with gradients `gh` to the
/// blocks of `features`, [`PASS_FEATURES`] blocks per pass over the batch.
#[inline(always)]
fn add_batch(
    blocks: &mut [[BinStat; BLOCK]],
    offset: usize,
    features: &[usize],
    records: &[u8],
    stride: usize,
    gh: &[[f64; 2]],
) {
    let (groups, rest) = features.as_chunks::<PASS_FEATURES>();
    for group in groups {
        let mut group_blocks = blocks
            .get_disjoint_mut(group.map(|f| f - offset))
            .expect("the features of a build are distinct and have blocks");
        for (record, g) in records.chunks_exact(stride).zip(gh) {
            for (block, &f) in group_blocks.iter_mut().zip(group) {
                block[record[f] as usize].add(g);
            }
        }
    }
    for &f in rest {
        let block = &mut blocks[f - offset];
        for (record, g) in records.chunks_exact(stride).zip(gh) {
            block[record[f] as usize].add(g);
        }
    }
}

/// Hints the CPU to load `data[at]` into cache.
#[inline(always)]
fn prefetch<T>(data: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if at < data.len() {
        // SAFETY: `_mm_prefetch` only hints the cache; it never dereferences the pointer
        // architecturally and cannot fault, and the pointer is in bounds of `data` anyway.
        #[allow(unsafe_code)]
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                data.as_ptr().add(at).cast::<i8>(),
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, at);
}

/// Turns `parent` into `parent - child` for the listed features (the larger sibling's histogram).
pub fn subtract(parent: &mut [BinStat], child: &[BinStat], features: &[usize]) {
    for &f in features {
        let range = f * BLOCK..(f + 1) * BLOCK;
        for (p, c) in parent[range.clone()].iter_mut().zip(&child[range]) {
            *p = p.minus(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gbdt::binning::{BinMapper, RowCodes};

    fn dataset(n: usize, width: usize) -> (BinnedData, Vec<[f64; 2]>) {
        let codes: Vec<u8> = (0..width * n)
            .map(|i| ((i * 7 + i / n) % 5) as u8)
            .collect();
        let mapper = BinMapper::Numerical {
            upper_bounds: vec![0.0; 5],
            has_missing: false,
        };
        let rows = RowCodes::from_columns(&codes, n, width);
        let data = BinnedData {
            codes,
            rows,
            n_rows: n,
            mappers: vec![mapper; width],
        };
        let gh = (0..n)
            .map(|i| [i as f64 * 0.5 - 3.0, 1.0 + i as f64 * 0.01])
            .collect();
        (data, gh)
    }

    fn assert_close(a: &[BinStat], b: &[BinStat], features: &[usize]) {
        for &f in features {
            for (x, y) in a[f * BLOCK..(f + 1) * BLOCK]
                .iter()
                .zip(&b[f * BLOCK..(f + 1) * BLOCK])
            {
                // Sums of the same numbers in another order: equal up to rounding.
                let tol = 1e-9 * (1.0 + x.grad.abs() + x.hess.abs());
                assert!((x.grad - y.grad).abs() < tol && (x.hess - y.hess).abs() < tol);
            }
        }
    }

    /// Every bin by direct summation, the reference for the three build paths.
    fn naive(data: &BinnedData, features: &[usize], idx: &[u32], gh: &[[f64; 2]]) -> Histogram {
        let width = data.mappers.len();
        let mut h = vec![BinStat::default(); width * BLOCK];
        for &i in idx {
            for &f in features {
                let code = data.rows.row(i as usize)[f] as usize;
                h[f * BLOCK + code].add(&gh[i as usize]);
            }
        }
        h
    }

    #[test]
    fn subset_histogram_plus_complement_equals_full() {
        let n = 100;
        let (data, gh) = dataset(n, 2);
        let features = [0, 1];
        let mut builder = HistogramBuilder::new(2);
        let mut full = vec![BinStat::default(); 2 * BLOCK];
        builder.build(&mut full, &data, &features, Rows::All, &gh);
        let idx: Vec<u32> = (0..n as u32).filter(|i| i % 3 == 0).collect();
        let mut part = vec![BinStat::default(); 2 * BLOCK];
        builder.build(&mut part, &data, &features, Rows::Subset(&idx), &gh);
        subtract(&mut full, &part, &features);
        let rest: Vec<u32> = (0..n as u32).filter(|i| i % 3 != 0).collect();
        let mut other = vec![BinStat::default(); 2 * BLOCK];
        builder.build(&mut other, &data, &features, Rows::Subset(&rest), &gh);
        assert_close(&full, &other, &features);
    }

    #[test]
    fn chunk_counts_are_powers_of_two_from_the_row_count_alone() {
        let counts: Vec<usize> = [2 * CHUNK_ROWS - 1, 2 * CHUNK_ROWS, 8 * CHUNK_ROWS, 1 << 20]
            .map(chunk_count)
            .to_vec();
        assert_eq!(counts, [1, 2, 4, 32]);
    }

    #[test]
    fn every_build_path_sums_the_same_bins() {
        // Sizes that take the serial, feature-group and row-chunk paths, on a feature subset
        // and on every feature; stale buffer contents must not leak into the sums.
        let width = 20;
        let mut builder = HistogramBuilder::new(width);
        // 500 rows: serial; 4000 rows × 20 features: by features (a 3-feature subset: serial);
        // then 2 and 4 row chunks.
        for n in [
            500,
            2 * CHUNK_ROWS - 1,
            2 * CHUNK_ROWS + 17,
            8 * CHUNK_ROWS + 5,
        ] {
            let (data, gh) = dataset(n, width);
            for features in [(0..width).collect(), vec![1, 4, 5]] {
                let idx: Vec<u32> = (0..n as u32).filter(|i| i % 5 != 2).collect();
                let mut h = vec![
                    BinStat {
                        grad: 9.0,
                        hess: 9.0
                    };
                    width * BLOCK
                ];
                builder.build(&mut h, &data, &features, Rows::Subset(&idx), &gh);
                assert_close(&h, &naive(&data, &features, &idx, &gh), &features);
                let all: Vec<u32> = (0..n as u32).collect();
                builder.build(&mut h, &data, &features, Rows::All, &gh);
                assert_close(&h, &naive(&data, &features, &all, &gh), &features);
            }
        }
    }
}
