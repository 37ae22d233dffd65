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
//! - large leaves are cut into a fixed number of row chunks; each chunk fills its own buffer
//!   (chunks run in parallel) and the buffers are added up in chunk order. Each thread touches
//!   only its own rows, so cache misses are shared out instead of repeated;
//! - mid-sized leaves are split by features: each thread sums its own features over all rows;
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

/// Rows per chunk of a row-chunked build; leaves with fewer than two chunks' worth are built by
/// features. Merging a chunk buffer costs one addition per bin, so a chunk must have many more
/// rows than a feature has bins for the merge to stay cheap.
const CHUNK_ROWS: usize = 8192;

/// Most chunks per build: enough to keep a few more threads than chunks busy and balanced.
const MAX_CHUNKS: usize = 16;

/// Memory the chunk buffers may take together; very wide data gets fewer chunks.
const CHUNK_BUFFER_BYTES: usize = 64 << 20;

/// Row × feature updates below which a histogram is built on the calling thread.
const PARALLEL_WORK: usize = 1 << 16;

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
        let n_chunks = (n_rows / CHUNK_ROWS).min(self.max_chunks);
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

/// Adds the rows of `span` to the blocks of `features`; `blocks[0]` is feature `offset`.
fn fill(
    blocks: &mut [[BinStat; BLOCK]],
    offset: usize,
    features: &[usize],
    data: &BinnedData,
    span: Span<'_>,
    gh: &[[f64; 2]],
) {
    let width = data.mappers.len();
    if offset == 0 && features.len() == width && blocks.len() == width {
        // Every feature of the data: walk a row's codes and the blocks side by side.
        fill_rows(blocks, data, span, gh, |blocks, row, g| {
            for (block, &code) in blocks.iter_mut().zip(row) {
                block[code as usize].add(g);
            }
        });
    } else {
        fill_rows(blocks, data, span, gh, |blocks, row, g| {
            for &f in features {
                blocks[f - offset][row[f] as usize].add(g);
            }
        });
    }
}

/// Calls `add_row` with each row's codes and gradients; one copy per row kernel, so the kernel's
/// loop is compiled without a per-row branch.
#[inline(always)]
fn fill_rows(
    blocks: &mut [[BinStat; BLOCK]],
    data: &BinnedData,
    span: Span<'_>,
    gh: &[[f64; 2]],
    add_row: impl Fn(&mut [[BinStat; BLOCK]], &[u8], &[f64; 2]),
) {
    let width = data.mappers.len();
    match span {
        Span::Range(start, end) => {
            let codes = &data.rows[start * width..end * width];
            for (row, g) in codes.chunks_exact(width).zip(&gh[start..end]) {
                add_row(blocks, row, g);
            }
        }
        Span::Idx(idx) => {
            for (k, &i) in idx.iter().enumerate() {
                if let Some(&ahead) = idx.get(k + PREFETCH_DISTANCE) {
                    prefetch(&data.rows, ahead as usize * width);
                    prefetch(gh, ahead as usize);
                }
                let i = i as usize;
                add_row(blocks, &data.rows[i * width..(i + 1) * width], &gh[i]);
            }
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
    use crate::gbdt::binning::BinMapper;

    fn dataset(n: usize, width: usize) -> (BinnedData, Vec<[f64; 2]>) {
        let codes: Vec<u8> = (0..width * n)
            .map(|i| ((i * 7 + i / n) % 5) as u8)
            .collect();
        let mapper = BinMapper::Numerical {
            upper_bounds: vec![0.0; 5],
            has_missing: false,
        };
        let rows: Vec<u8> = (0..n)
            .flat_map(|i| (0..width).map(move |f| (i, f)))
            .map(|(i, f)| codes[f * n + i])
            .collect();
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
                let code = data.rows[i as usize * width + f] as usize;
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
    fn every_build_path_sums_the_same_bins() {
        // Sizes that take the serial, feature-group and row-chunk paths, on a feature subset
        // and on every feature; stale buffer contents must not leak into the sums.
        let width = 6;
        let mut builder = HistogramBuilder::new(width);
        for n in [500, 12_000, 3 * CHUNK_ROWS + 17] {
            let (data, gh) = dataset(n, width);
            for features in [vec![0, 1, 2, 3, 4, 5], vec![1, 4, 5]] {
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
