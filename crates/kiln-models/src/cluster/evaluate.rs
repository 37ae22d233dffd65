//! Choosing and judging a clustering: the elbow curve (inertia over k) and the silhouette.
//!
//! Both are helpers over a fitted or fittable clustering rather than models, so they take the
//! data and labels (or a spec) and return numbers. The silhouette is exact (`O(n²)` distances,
//! parallel over rows); `sample_size` scores a seeded random subset instead, as scikit-learn's
//! `silhouette_score(sample_size=…)` does for large data.

use ndarray::{ArrayView1, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::kmeans::KMeansSpec;
use super::rows::{Rows, sq_dist};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features};

/// Inertia of k-means fitted with each `k` in `ks` (the rest of `spec` unchanged), for an elbow
/// plot: inertia falls with k, and the k after which it falls slowly is a natural choice.
///
/// ```
/// use kiln_models::{KMeansSpec, inertia_curve};
/// use ndarray::Array2;
///
/// let x = Array2::from_shape_fn((90, 2), |(i, j)| (i % 3) as f64 * 10.0 + ((i * 5 + j) % 7) as f64 * 0.1);
/// let curve = inertia_curve(x.view(), &[1, 2, 3, 4], &KMeansSpec::default())?;
/// assert!(curve[0] > curve[2] && curve[2] >= curve[3]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
pub fn inertia_curve(x: ArrayView2<f64>, ks: &[usize], spec: &KMeansSpec) -> Result<Vec<f64>> {
    if ks.is_empty() {
        return Err(ModelError::param(
            "ks",
            "at least one cluster count",
            "none",
        ));
    }
    ks.iter()
        .map(|&k| {
            let s = KMeansSpec {
                n_clusters: k,
                ..spec.clone()
            };
            s.fit(x).map(|m| m.inertia)
        })
        .collect()
}

/// The silhouette of every row: `(b − a) / max(a, b)` with `a` the mean Euclidean distance to
/// the other rows of its cluster and `b` the smallest mean distance to another cluster's rows;
/// 0 for a row alone in its cluster (as `sklearn.metrics.silhouette_samples`). Labels are any
/// integers; −1 (noise) counts as a cluster, as in scikit-learn.
pub fn silhouette_samples(x: ArrayView2<f64>, labels: ArrayView1<i64>) -> Result<Vec<f64>> {
    check_features(x, "x", NanPolicy::Reject)?;
    if labels.len() != x.nrows() {
        return Err(ModelError::LengthMismatch {
            what: "labels",
            expected: x.nrows(),
            found: labels.len(),
        });
    }
    let mut distinct: Vec<i64> = labels.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let n = x.nrows();
    if distinct.len() < 2 || distinct.len() > n - 1 {
        return Err(ModelError::param(
            "labels",
            format!(
                "between 2 and n_samples - 1 ({}) distinct labels",
                n.saturating_sub(1)
            ),
            distinct.len(),
        ));
    }
    let code: Vec<usize> = labels
        .iter()
        .map(|l| distinct.binary_search(l).unwrap_or(0))
        .collect();
    let k = distinct.len();
    let mut sizes = vec![0usize; k];
    code.iter().for_each(|&c| sizes[c] += 1);
    let rows = Rows::new(x);
    Ok((0..n)
        .into_par_iter()
        .map(|i| {
            let own = code[i];
            if sizes[own] == 1 {
                return 0.0;
            }
            let mut sums = vec![0.0; k];
            let xi = rows.row(i);
            for (j, &c) in code.iter().enumerate() {
                sums[c] += sq_dist(xi, rows.row(j)).sqrt();
            }
            let a = sums[own] / (sizes[own] - 1) as f64;
            let b = (0..k)
                .filter(|&c| c != own)
                .map(|c| sums[c] / sizes[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let m = a.max(b);
            if m > 0.0 { (b - a) / m } else { 0.0 }
        })
        .collect())
}

/// Mean silhouette of the rows (`sklearn.metrics.silhouette_score`), in [−1, 1]; higher means
/// tighter, better separated clusters. With `sample_size`, the mean over that many rows drawn
/// without replacement with `seed`.
///
/// ```
/// use kiln_models::silhouette_score;
/// use ndarray::array;
///
/// let x = array![[0.0], [1.0], [10.0], [11.0]];
/// let s = silhouette_score(x.view(), array![0, 0, 1, 1].view(), None, 0)?;
/// // Row 0: a = 1, b = (10 + 11) / 2; row 1: a = 1, b = (9 + 10) / 2; rows 2 and 3 mirror them.
/// assert!((s - (9.5 / 10.5 + 8.5 / 9.5) / 2.0).abs() < 1e-12);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
pub fn silhouette_score(
    x: ArrayView2<f64>,
    labels: ArrayView1<i64>,
    sample_size: Option<usize>,
    seed: u64,
) -> Result<f64> {
    let values = match sample_size {
        None => silhouette_samples(x, labels)?,
        Some(m) => {
            let n = x.nrows();
            if labels.len() != n {
                return Err(ModelError::LengthMismatch {
                    what: "labels",
                    expected: n,
                    found: labels.len(),
                });
            }
            if m == 0 || m > n {
                return Err(ModelError::param(
                    "sample_size",
                    format!("between 1 and the number of rows ({n})"),
                    m,
                ));
            }
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut idx = rand::seq::index::sample(&mut rng, n, m).into_vec();
            idx.sort_unstable();
            let xs = x.select(ndarray::Axis(0), &idx);
            let ls = labels.select(ndarray::Axis(0), &idx);
            silhouette_samples(xs.view(), ls.view())?
        }
    };
    Ok(values.iter().sum::<f64>() / values.len() as f64)
}
