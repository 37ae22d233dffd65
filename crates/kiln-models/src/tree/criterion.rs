//! Split criteria of CART trees: Gini and entropy for classification, squared and absolute error
//! for regression, with the same definitions as scikit-learn (entropy in bits, absolute error
//! around the weighted median).

use serde::{Deserialize, Serialize};

/// Impurity measure a tree minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Gini impurity `1 - sum p_k^2` (classification).
    #[default]
    Gini,
    /// Shannon entropy in bits (classification).
    Entropy,
    /// Weighted variance (regression); leaves predict the mean.
    SquaredError,
    /// Weighted mean absolute deviation from the median (regression); leaves predict the median.
    AbsoluteError,
}

impl Criterion {
    /// Whether the criterion is for class targets.
    pub fn is_classification(self) -> bool {
        matches!(self, Criterion::Gini | Criterion::Entropy)
    }
}

/// Target of a tree: class codes or real values, with per-sample weights.
#[derive(Debug, Clone, Copy)]
pub enum TreeTarget<'a> {
    /// Class codes `0..n_classes`.
    Classes {
        /// Code per row.
        codes: &'a [usize],
        /// Number of classes.
        n_classes: usize,
    },
    /// Real values.
    Values(&'a [f64]),
}

/// Impurity of weighted class counts with total weight `w`.
pub fn class_impurity(criterion: Criterion, counts: &[f64], w: f64) -> f64 {
    if w <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Entropy => counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| {
                let p = c / w;
                -p * p.log2()
            })
            .sum(),
        _ => 1.0 - counts.iter().map(|&c| (c / w) * (c / w)).sum::<f64>(),
    }
}

/// Weighted variance from sums of weights, `w y` and `w y^2`.
pub fn variance(w: f64, wy: f64, wyy: f64) -> f64 {
    if w <= 0.0 {
        return 0.0;
    }
    let mean = wy / w;
    (wyy / w - mean * mean).max(0.0)
}

/// Weighted median of `(value, weight)` pairs sorted by value (scikit-learn's rule: the first
/// value where the cumulative weight reaches half, averaged with the next on an exact half).
pub fn sorted_weighted_median(pairs: &[(f64, f64)]) -> f64 {
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let half = total / 2.0;
    let mut acc = 0.0;
    for (i, &(v, w)) in pairs.iter().enumerate() {
        acc += w;
        if acc > half {
            return v;
        }
        if acc == half {
            return pairs.get(i + 1).map_or(v, |n| (v + n.0) / 2.0);
        }
    }
    pairs.last().map_or(0.0, |p| p.0)
}

/// Median and weighted mean absolute deviation around it of unsorted `(value, weight)` pairs.
pub fn median_and_mad(pairs: &mut [(f64, f64)]) -> (f64, f64) {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median = sorted_weighted_median(pairs);
    let w: f64 = pairs.iter().map(|p| p.1).sum();
    let dev: f64 = pairs.iter().map(|p| p.1 * (p.0 - median).abs()).sum();
    (median, if w > 0.0 { dev / w } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impurities_match_textbook_values() {
        let counts = [50.0, 50.0, 50.0];
        assert!((class_impurity(Criterion::Gini, &counts, 150.0) - 2.0 / 3.0).abs() < 1e-12);
        assert!((class_impurity(Criterion::Entropy, &counts, 150.0) - 3f64.log2()).abs() < 1e-12);
        assert_eq!(class_impurity(Criterion::Gini, &[4.0, 0.0], 4.0), 0.0);
        assert!((variance(4.0, 10.0, 30.0) - 1.25).abs() < 1e-12); // y = 1,2,3,4
        let mut pairs = vec![(4.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 1.0)];
        assert_eq!(median_and_mad(&mut pairs), (2.5, 1.0));
    }
}
