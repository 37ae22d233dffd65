//! The fitted regression tree in a flattened struct-of-arrays layout.
//!
//! Internal nodes live in parallel arrays (feature, threshold, children, decision flags); a child
//! index `>= 0` is another internal node and `< 0` is leaf `!child`, as in LightGBM. Walking a
//! row reads a handful of small arrays and allocates nothing. Categorical nodes keep the category
//! codes that go left as a bitset slice.

use serde::{Deserialize, Serialize};

use super::binning::category_code;

pub(super) const DEFAULT_LEFT: u8 = 1;
pub(super) const CATEGORICAL: u8 = 2;

/// One regression tree of a boosted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Feature tested at each internal node.
    pub split_feature: Vec<u32>,
    /// Numerical nodes: go left when `x <= threshold`. Categorical nodes: index into `cat_start`.
    pub threshold: Vec<f64>,
    /// Bit 0: missing values go left. Bit 1: categorical node.
    pub decision: Vec<u8>,
    /// Left child (internal index, or `!leaf`).
    pub left_child: Vec<i32>,
    /// Right child (internal index, or `!leaf`).
    pub right_child: Vec<i32>,
    /// Gain of each split (for importance).
    pub split_gain: Vec<f64>,
    /// Categorical node `c` has its bitset in `cat_bits[cat_start[c]..cat_start[c + 1]]`.
    pub cat_start: Vec<u32>,
    /// Bitset words: bit `code % 32` of word `code / 32` set means category `code` goes left.
    pub cat_bits: Vec<u32>,
    /// Leaf outputs, shrinkage applied.
    pub leaf_value: Vec<f64>,
    /// Training rows per leaf.
    pub leaf_count: Vec<u32>,
}

impl Tree {
    /// A tree with one leaf.
    pub fn constant(value: f64, count: u32) -> Tree {
        Tree {
            split_feature: Vec::new(),
            threshold: Vec::new(),
            decision: Vec::new(),
            left_child: Vec::new(),
            right_child: Vec::new(),
            split_gain: Vec::new(),
            cat_start: vec![0],
            cat_bits: Vec::new(),
            leaf_value: vec![value],
            leaf_count: vec![count],
        }
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.leaf_value.len()
    }

    /// Splits leaf `leaf` on a numerical threshold; the left child keeps index `leaf`, the right
    /// child becomes leaf `n_leaves()`. Returns the new internal node index.
    #[allow(clippy::too_many_arguments)]
    pub fn split_numerical(
        &mut self,
        leaf: usize,
        feature: usize,
        threshold: f64,
        default_left: bool,
        gain: f64,
        outputs: (f64, f64),
        counts: (u32, u32),
    ) -> usize {
        let flags = if default_left { DEFAULT_LEFT } else { 0 };
        self.push_split(leaf, feature, threshold, flags, gain, outputs, counts)
    }

    /// Splits leaf `leaf` sending the listed category codes left.
    pub fn split_categorical(
        &mut self,
        leaf: usize,
        feature: usize,
        left_codes: &[u32],
        gain: f64,
        outputs: (f64, f64),
        counts: (u32, u32),
    ) -> usize {
        let words = left_codes
            .iter()
            .map(|&c| c as usize / 32 + 1)
            .max()
            .unwrap_or(0);
        let start = self.cat_bits.len();
        self.cat_bits.resize(start + words, 0);
        for &c in left_codes {
            self.cat_bits[start + c as usize / 32] |= 1 << (c % 32);
        }
        self.cat_start.push(self.cat_bits.len() as u32);
        let index = (self.cat_start.len() - 2) as f64;
        self.push_split(leaf, feature, index, CATEGORICAL, gain, outputs, counts)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_split(
        &mut self,
        leaf: usize,
        feature: usize,
        threshold: f64,
        flags: u8,
        gain: f64,
        outputs: (f64, f64),
        counts: (u32, u32),
    ) -> usize {
        let node = self.split_feature.len();
        let new_leaf = self.leaf_value.len();
        // Point the parent of `leaf` at the new node.
        let target = !(leaf as i32);
        if let Some(c) = self.left_child.iter_mut().find(|c| **c == target) {
            *c = node as i32;
        } else if let Some(c) = self.right_child.iter_mut().find(|c| **c == target) {
            *c = node as i32;
        }
        self.split_feature.push(feature as u32);
        self.threshold.push(threshold);
        self.decision.push(flags);
        self.left_child.push(!(leaf as i32));
        self.right_child.push(!(new_leaf as i32));
        self.split_gain.push(gain);
        self.leaf_value[leaf] = outputs.0;
        self.leaf_count[leaf] = counts.0;
        self.leaf_value.push(outputs.1);
        self.leaf_count.push(counts.1);
        node
    }

    /// Multiplies every leaf value by `factor` (shrinkage).
    pub fn scale(&mut self, factor: f64) {
        self.leaf_value.iter_mut().for_each(|v| *v *= factor);
    }

    /// Leaf reached by a row whose feature `f` is `value(f)`.
    #[inline]
    pub fn leaf_index(&self, value: impl Fn(usize) -> f64) -> usize {
        if self.split_feature.is_empty() {
            return 0;
        }
        let mut node = 0i32;
        while node >= 0 {
            let n = node as usize;
            let v = value(self.split_feature[n] as usize);
            let flags = self.decision[n];
            let left = if flags & CATEGORICAL != 0 {
                self.category_goes_left(self.threshold[n] as usize, v)
            } else if v.is_nan() {
                flags & DEFAULT_LEFT != 0
            } else {
                v <= self.threshold[n]
            };
            node = if left {
                self.left_child[n]
            } else {
                self.right_child[n]
            };
        }
        !node as usize
    }

    /// Whether value `v` goes left at categorical node `cat_node`.
    #[inline]
    pub(super) fn category_goes_left(&self, cat_node: usize, v: f64) -> bool {
        let Some(code) = category_code(v) else {
            return false;
        };
        let (start, end) = (
            self.cat_start[cat_node] as usize,
            self.cat_start[cat_node + 1] as usize,
        );
        let word = code as usize / 32;
        start + word < end && (self.cat_bits[start + word] >> (code % 32)) & 1 == 1
    }

    /// Output for one row given as a slice.
    #[inline]
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        self.leaf_value[self.leaf_index(|f| row[f])]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerical_and_categorical_routing() {
        let mut t = Tree::constant(0.0, 10);
        t.split_numerical(0, 0, 1.5, false, 1.0, (-1.0, 1.0), (5, 5));
        t.split_categorical(1, 1, &[3, 40], 0.5, (2.0, 3.0), (2, 3));
        assert_eq!(t.n_leaves(), 3);
        assert_eq!(t.predict_row(&[1.0, 0.0]), -1.0);
        assert_eq!(t.predict_row(&[f64::NAN, 3.0]), 2.0);
        assert_eq!(t.predict_row(&[2.0, 40.0]), 2.0);
        assert_eq!(t.predict_row(&[2.0, 4.0]), 3.0);
        assert_eq!(t.predict_row(&[2.0, -1.0]), 3.0);
        assert_eq!(t.predict_row(&[2.0, 1000.0]), 3.0);
    }
}
