//! Gradient histograms: per feature and bin, the sums of gradients and hessians.
//!
//! Like LightGBM, bins carry no row count: split finding estimates counts from hessians, which
//! keeps a bin at 16 bytes and the inner loop at two additions.
//!
//! Every feature gets a fixed block of 256 bins (u8 codes index it without bounds checks), so a
//! leaf's histogram is one flat buffer. Features are filled in parallel by groups, each feature by
//! one thread, which keeps the sums independent of the thread count. Rows are visited through the
//! leaf's row list with gradients already gathered in that order ("ordered gradients"). Only the smaller child of a split is built; the larger
//! one is the parent minus it (histogram subtraction).

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

    /// A zeroed histogram.
    pub fn take(&mut self) -> Histogram {
        match self.free.pop() {
            Some(mut h) => {
                h.fill(BinStat::default());
                h
            }
            None => vec![BinStat::default(); self.size],
        }
    }

    /// Returns a histogram for reuse.
    pub fn give(&mut self, h: Histogram) {
        self.free.push(h);
    }
}

/// Which rows a histogram covers.
pub enum Rows<'a> {
    /// All rows `0..n` in order; gradients indexed by row.
    All,
    /// These rows, with gradients gathered in the same order.
    Subset(&'a [u32]),
}

/// Fills `hist` (zeroed) for the `features` listed, from gradient/hessian pairs `gh`.
///
/// Rows are read from the row-major copy of the bin codes: one cache line per row serves every
/// feature, where a column-major walk over a leaf's scattered rows would miss once per feature.
/// Features are split into one group per thread; within a group each feature's bins are summed
/// in row order, so the result does not depend on the number of threads.
pub fn build(
    hist: &mut [BinStat],
    data: &BinnedData,
    features: &[usize],
    rows: Rows<'_>,
    gh: &[[f64; 2]],
) {
    let mut blocks: Vec<(usize, &mut [BinStat; BLOCK])> = Vec::with_capacity(features.len());
    let mut rest: &mut [BinStat] = hist;
    let mut consumed = 0;
    for &f in features {
        let (_, tail) = rest.split_at_mut((f - consumed) * BLOCK);
        let (block, tail) = tail.split_at_mut(BLOCK);
        blocks.push((f, block.try_into().expect("blocks are BLOCK long")));
        rest = tail;
        consumed = f + 1;
    }
    if blocks.is_empty() {
        return;
    }
    let width = data.mappers.len();
    let n_rows = match rows {
        Rows::All => data.n_rows,
        Rows::Subset(idx) => idx.len(),
    };
    // Small leaves are cheaper on one thread than split into tasks.
    let threads = if n_rows * blocks.len() < PARALLEL_WORK {
        1
    } else {
        rayon::current_num_threads().max(1)
    };
    let group = blocks.len().div_ceil(threads);
    let fill = |group: &mut [(usize, &mut [BinStat; BLOCK])]| match rows {
        Rows::All => {
            for (row, g) in data.rows.chunks_exact(width).zip(gh) {
                accumulate(group, row, g);
            }
        }
        Rows::Subset(idx) => {
            for (k, (&i, g)) in idx.iter().zip(gh).enumerate() {
                if let Some(&ahead) = idx.get(k + PREFETCH_DISTANCE) {
                    prefetch(&data.rows, ahead as usize * width);
                }
                let start = i as usize * width;
                accumulate(group, &data.rows[start..start + width], g);
            }
        }
    };
    if threads == 1 {
        fill(&mut blocks);
    } else {
        blocks.par_chunks_mut(group).for_each(fill);
    }
}

/// Row × feature updates below which a histogram is built on the calling thread.
const PARALLEL_WORK: usize = 1 << 16;

/// Rows ahead whose codes are prefetched: a leaf's rows are scattered, so without a hint every
/// row is a cache miss the loop waits for (LightGBM prefetches the same way).
const PREFETCH_DISTANCE: usize = 16;

/// Hints the CPU to load `data[at]` into cache.
#[inline(always)]
fn prefetch(data: &[u8], at: usize) {
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

#[inline]
fn accumulate(group: &mut [(usize, &mut [BinStat; BLOCK])], row: &[u8], g: &[f64; 2]) {
    for (f, block) in group.iter_mut() {
        let s = &mut block[row[*f] as usize];
        s.grad += g[0];
        s.hess += g[1];
    }
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

    #[test]
    fn subset_histogram_plus_complement_equals_full() {
        let n = 100;
        let codes: Vec<u8> = (0..2 * n).map(|i| (i * 7 % 5) as u8).collect();
        let mapper = BinMapper::Numerical {
            upper_bounds: vec![0.0; 5],
            has_missing: false,
        };
        let rows: Vec<u8> = (0..n).flat_map(|i| [codes[i], codes[n + i]]).collect();
        let data = BinnedData {
            codes,
            rows,
            n_rows: n,
            mappers: vec![mapper.clone(), mapper],
        };
        let gh: Vec<[f64; 2]> = (0..n)
            .map(|i| [i as f64 * 0.5 - 3.0, 1.0 + i as f64 * 0.01])
            .collect();
        let features = [0, 1];
        let mut full = vec![BinStat::default(); 2 * BLOCK];
        build(&mut full, &data, &features, Rows::All, &gh);
        let idx: Vec<u32> = (0..n as u32).filter(|i| i % 3 == 0).collect();
        let ordered: Vec<[f64; 2]> = idx.iter().map(|&i| gh[i as usize]).collect();
        let mut part = vec![BinStat::default(); 2 * BLOCK];
        build(&mut part, &data, &features, Rows::Subset(&idx), &ordered);
        subtract(&mut full, &part, &features);
        let rest: Vec<u32> = (0..n as u32).filter(|i| i % 3 != 0).collect();
        let ordered: Vec<[f64; 2]> = rest.iter().map(|&i| gh[i as usize]).collect();
        let mut other = vec![BinStat::default(); 2 * BLOCK];
        build(&mut other, &data, &features, Rows::Subset(&rest), &ordered);
        for (a, b) in full.iter().zip(&other) {
            assert!((a.grad - b.grad).abs() < 1e-9 && (a.hess - b.hess).abs() < 1e-9);
        }
    }
}
