//! The solver's view of the kernel: `Q[i][j] = y_i y_j K(x_i, x_j)` for classification
//! (libsvm's `SVC_Q`) and the doubled `2l × 2l` matrix of ε-regression (`SVR_Q`), served column
//! by column from the bounded cache, with kernel entries computed in parallel for long columns.
//! A column is computed in blocks of rows (one matrix-vector product each, see
//! [`TrainKernel::column_block`]); every entry depends on its two rows only, so the values do not
//! depend on the block bounds or the thread count.

use rayon::prelude::*;

use super::cache::ColumnCache;
use super::kernel::TrainKernel;

/// Kernel entries per column below which one thread computes the column (rayon's hand-off costs
/// more than the work).
const PARALLEL_ENTRIES: usize = 4096;
/// Entries per parallel task.
const CHUNK: usize = 1024;

/// What the SMO solver needs from its matrix.
pub(crate) trait QMatrix {
    /// Diagonal `Q[i][i]`, in the solver's current order.
    fn qd(&self) -> &[f64];
    /// `Q[i][0..len]`.
    fn get_q(&mut self, i: usize, len: usize) -> &[f32];
    /// `Q[i][0..len]` and `Q[j][0..len]`, both valid at once.
    fn get_q_pair(&mut self, i: usize, j: usize, len: usize) -> (&[f32], &[f32]);
    /// Follows the solver swapping indices `i` and `j` (shrinking).
    fn swap_index(&mut self, i: usize, j: usize);
    /// Largest number of bytes the kernel cache held.
    fn cache_peak_bytes(&self) -> usize;
}

/// Fills `out` (the entries `start..` of a column) block by block: `f(from, block)` fills the
/// entries `from..from + block.len()`, given `K` values of the block in `kernel` (scratch).
/// Long runs are split over threads in blocks of [`CHUNK`].
fn fill_entries(out: &mut [f32], start: usize, f: impl Fn(usize, &mut [f32], &mut [f64]) + Sync) {
    if out.len() < PARALLEL_ENTRIES {
        let mut kernel = vec![0.0; out.len().min(CHUNK)];
        for (c, block) in out.chunks_mut(CHUNK).enumerate() {
            f(start + c * CHUNK, block, &mut kernel[..block.len()]);
        }
    } else {
        out.par_chunks_mut(CHUNK).enumerate().for_each_init(
            || vec![0.0; CHUNK],
            |kernel, (c, block)| f(start + c * CHUNK, block, &mut kernel[..block.len()]),
        );
    }
}

/// `y_i y_j K(x_i, x_j)` for a two-class sub-problem. The kernel's rows follow the solver's
/// order (shrinking swaps them along with the solver's indices).
pub(crate) struct SvcQ {
    kernel: TrainKernel,
    y: Vec<f64>,
    qd: Vec<f64>,
    cache: ColumnCache,
}

impl SvcQ {
    pub fn new(kernel: TrainKernel, y: &[f64], cache_bytes: usize) -> Self {
        let l = kernel.n_rows();
        let qd = (0..l).map(|i| kernel.k(i, i)).collect();
        SvcQ {
            kernel,
            y: y.to_vec(),
            qd,
            cache: ColumnCache::new(l, cache_bytes),
        }
    }

    fn fill(&mut self, i: usize, len: usize, pin: Option<usize>) {
        let start = self.cache.get(i, len, pin);
        if start < len {
            let (kernel, y) = (&self.kernel, &self.y);
            let yi = y[i];
            let column = &mut self.cache.column_mut(i)[start..len];
            fill_entries(column, start, |from, block, k| {
                kernel.column_block(i, from, k);
                for ((v, &yj), &kj) in block.iter_mut().zip(&y[from..]).zip(k.iter()) {
                    *v = (yi * yj * kj) as f32;
                }
            });
        }
    }
}

impl QMatrix for SvcQ {
    fn qd(&self) -> &[f64] {
        &self.qd
    }

    fn get_q(&mut self, i: usize, len: usize) -> &[f32] {
        self.fill(i, len, None);
        &self.cache.column(i)[..len]
    }

    fn get_q_pair(&mut self, i: usize, j: usize, len: usize) -> (&[f32], &[f32]) {
        self.fill(i, len, None);
        self.fill(j, len, Some(i));
        (&self.cache.column(i)[..len], &self.cache.column(j)[..len])
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.cache.swap_index(i, j);
        self.kernel.swap_rows(i, j);
        self.y.swap(i, j);
        self.qd.swap(i, j);
    }

    fn cache_peak_bytes(&self) -> usize {
        self.cache.peak_bytes()
    }
}

/// ε-regression's `2l × 2l` matrix: index `k < l` is `α_k` (sign +1), `k + l` is `α*_k`
/// (sign -1); both read the kernel column of row `k`, cached once in the original row order.
pub(crate) struct SvrQ {
    kernel: TrainKernel,
    sign: Vec<f32>,
    index: Vec<usize>,
    qd: Vec<f64>,
    cache: ColumnCache,
    buffers: [Vec<f32>; 2],
    next_buffer: usize,
}

impl SvrQ {
    pub fn new(kernel: TrainKernel, cache_bytes: usize) -> Self {
        let l = kernel.n_rows();
        let diag: Vec<f64> = (0..l).map(|i| kernel.k(i, i)).collect();
        SvrQ {
            sign: (0..2 * l).map(|k| if k < l { 1.0 } else { -1.0 }).collect(),
            index: (0..2 * l).map(|k| k % l).collect(),
            qd: diag.iter().chain(&diag).copied().collect(),
            cache: ColumnCache::new(l, cache_bytes),
            buffers: [vec![0.0; 2 * l], vec![0.0; 2 * l]],
            next_buffer: 0,
            kernel,
        }
    }

    /// Fills buffer `b` with `Q[i][0..len]`.
    fn fill(&mut self, b: usize, i: usize, len: usize) {
        let l = self.kernel.n_rows();
        let real = self.index[i];
        let start = self.cache.get(real, l, None);
        if start < l {
            let kernel = &self.kernel;
            fill_entries(
                &mut self.cache.column_mut(real)[start..],
                start,
                |from, block, k| {
                    kernel.column_block(real, from, k);
                    for (v, &kj) in block.iter_mut().zip(k.iter()) {
                        *v = kj as f32;
                    }
                },
            );
        }
        let data = self.cache.column(real);
        let si = self.sign[i];
        for ((out, &sj), &k) in self.buffers[b][..len]
            .iter_mut()
            .zip(&self.sign)
            .zip(&self.index)
        {
            *out = si * sj * data[k];
        }
    }
}

impl QMatrix for SvrQ {
    fn qd(&self) -> &[f64] {
        &self.qd
    }

    fn get_q(&mut self, i: usize, len: usize) -> &[f32] {
        let b = self.next_buffer;
        self.next_buffer = 1 - b;
        self.fill(b, i, len);
        &self.buffers[b][..len]
    }

    fn get_q_pair(&mut self, i: usize, j: usize, len: usize) -> (&[f32], &[f32]) {
        self.fill(0, i, len);
        self.fill(1, j, len);
        (&self.buffers[0][..len], &self.buffers[1][..len])
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.sign.swap(i, j);
        self.index.swap(i, j);
        self.qd.swap(i, j);
    }

    fn cache_peak_bytes(&self) -> usize {
        self.cache.peak_bytes()
    }
}
