//! The prediction layout: every tree of an ensemble packed into one array of 16-byte nodes,
//! walked without data-dependent branches.
//!
//! [`Tree`] keeps LightGBM's struct-of-arrays form, which is what gets stored and what growth
//! builds, but walking it reads five arrays per level. Here a node is one 16-byte record (a
//! threshold, the feature with flag bits, and the right child) in pre-order, so the left child is
//! the next record: one walk step reads one record and one feature value.
//!
//! Which way a row goes at a node is close to a coin flip, so a branching walk pays a
//! misprediction every other level. Instead a leaf is a record that sends every row to itself
//! (its threshold is NaN, which no comparison passes, and its right child is itself), so a tree
//! is walked for a fixed number of steps — its depth — choosing the child with arithmetic, and
//! several walks (several trees for one row, or one tree for several rows) run interleaved: their
//! steps are independent, so the CPU overlaps them. Trees with categorical splits keep a
//! branching walk (a bitset lookup per categorical node).

use super::tree::Tree;

/// Flag bits in the top of [`Node::feature`].
const LEAF: u32 = 1 << 31;
const DEFAULT_LEFT: u32 = 1 << 30;
const CATEGORICAL: u32 = 1 << 29;
/// Feature indices must stay below this to leave room for the flags.
const FEATURE_MASK: u32 = CATEGORICAL - 1;

/// Walks run interleaved by the fixed-step walk.
pub const LANES: usize = 8;

/// One node: internal nodes go to the next record when the row goes left, else to `right`.
/// A leaf's `right` is itself and its threshold NaN, so a walk that reached it stays.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Threshold (numerical), categorical node index (categorical) or NaN (leaf).
    value: f64,
    /// Feature index and flags.
    feature: u32,
    /// Index of the right child's record (a leaf's own index).
    right: u32,
}

/// All trees of an ensemble in walk order.
#[derive(Debug, Clone)]
pub struct Layout {
    nodes: Vec<Node>,
    /// Output of each leaf record, by record index (0 for internal records).
    outputs: Vec<f64>,
    /// Record of each tree's root.
    roots: Vec<u32>,
    /// Steps from each tree's root to its deepest leaf.
    depths: Vec<u32>,
    /// Whether each tree has a categorical split (walked with branches).
    categorical: Vec<bool>,
}

impl Layout {
    /// Packs `trees`; None when a feature index or the node count does not fit the record (far
    /// beyond any real model; callers then walk the trees directly).
    pub fn new(trees: &[Tree]) -> Option<Layout> {
        let mut nodes = Vec::new();
        let mut outputs = Vec::new();
        let mut roots = Vec::with_capacity(trees.len());
        let mut depths = Vec::with_capacity(trees.len());
        let mut categorical = Vec::with_capacity(trees.len());
        // Pending children: (tree reference, record whose `right` must point here, depth).
        let mut stack: Vec<(i32, Option<usize>, u32)> = Vec::new();
        for tree in trees {
            roots.push(u32::try_from(nodes.len()).ok()?);
            let mut depth = 0;
            let mut has_categorical = false;
            let root = if tree.split_feature.is_empty() { !0 } else { 0 };
            stack.push((root, None, 0));
            while let Some((child, parent, level)) = stack.pop() {
                let at = nodes.len();
                let at32 = u32::try_from(at).ok()?;
                if let Some(p) = parent {
                    nodes[p] = Node {
                        right: at32,
                        ..nodes[p]
                    };
                }
                if child < 0 {
                    depth = depth.max(level);
                    nodes.push(Node {
                        value: f64::NAN,
                        feature: LEAF,
                        right: at32,
                    });
                    outputs.push(tree.leaf_value[!child as usize]);
                    continue;
                }
                let n = child as usize;
                let feature = tree.split_feature[n];
                if feature > FEATURE_MASK {
                    return None;
                }
                let flags = tree.decision[n];
                let mut bits = feature;
                if flags & super::tree::DEFAULT_LEFT != 0 {
                    bits |= DEFAULT_LEFT;
                }
                if flags & super::tree::CATEGORICAL != 0 {
                    bits |= CATEGORICAL;
                    has_categorical = true;
                }
                nodes.push(Node {
                    value: tree.threshold[n],
                    feature: bits,
                    right: 0,
                });
                outputs.push(0.0);
                // Left subtree first (popped first), so it follows its parent directly.
                stack.push((tree.right_child[n], Some(at), level + 1));
                stack.push((tree.left_child[n], None, level + 1));
            }
            depths.push(depth);
            categorical.push(has_categorical);
        }
        Some(Layout {
            nodes,
            outputs,
            roots,
            depths,
            categorical,
        })
    }

    /// Whether tree `t` can take the fixed-step walk (it has no categorical split).
    #[inline]
    pub fn is_numerical(&self, t: usize) -> bool {
        !self.categorical[t]
    }

    /// Record index of tree `t`'s root.
    #[inline]
    pub fn root(&self, t: usize) -> usize {
        self.roots[t] as usize
    }

    /// Steps that take every row of tree `t` to a leaf.
    #[inline]
    pub fn depth(&self, t: usize) -> u32 {
        self.depths[t]
    }

    /// Output of the leaf record `at` (where a fixed-step walk ended).
    #[inline]
    pub fn output(&self, at: usize) -> f64 {
        self.outputs[at]
    }

    /// One step of a numerical walk from record `at` for `row`, without a branch. Also returns
    /// the record's feature bits, whose [`LEAF`] flag says the walk had already ended.
    #[inline(always)]
    fn step(&self, at: usize, row: &[f64]) -> (usize, u32) {
        let node = self.nodes[at];
        let v = row[(node.feature & FEATURE_MASK) as usize];
        // NaN fails the comparison and follows the default direction; a leaf's NaN threshold
        // fails every comparison and it has no default direction, so a leaf keeps the walk.
        let left = (v <= node.value) | (v.is_nan() & (node.feature & DEFAULT_LEFT != 0));
        let right = node.right as usize;
        // Arithmetic choice of the child: all ones when left.
        let mask = usize::from(left).wrapping_neg();
        (right ^ ((right ^ (at + 1)) & mask), node.feature)
    }

    /// Walks `L` numerical walks — lane `l` from record `at[l]` with row `rows[l]` — interleaved,
    /// at most `steps` steps each, and returns the records reached. `steps` (a tree's depth)
    /// always suffices; the walk stops earlier once every lane stands on a leaf, as most rows
    /// end well above a tree's deepest leaf.
    #[inline(always)]
    pub fn walk<const L: usize>(
        &self,
        mut at: [usize; L],
        rows: [&[f64]; L],
        steps: u32,
    ) -> [usize; L] {
        for _ in 0..steps {
            let mut all_leaves = LEAF;
            for l in 0..L {
                let (next, feature) = self.step(at[l], rows[l]);
                at[l] = next;
                all_leaves &= feature;
            }
            if all_leaves != 0 {
                break;
            }
        }
        at
    }

    /// Output of tree `t` (which is `tree`) for `row`, by a branching walk; handles categorical
    /// splits.
    #[inline]
    pub fn tree_output(&self, t: usize, tree: &Tree, row: &[f64]) -> f64 {
        let mut i = self.roots[t] as usize;
        loop {
            let node = self.nodes[i];
            if node.feature & LEAF != 0 {
                return self.outputs[i];
            }
            let v = row[(node.feature & FEATURE_MASK) as usize];
            let left = if node.feature & CATEGORICAL != 0 {
                tree.category_goes_left(node.value as usize, v)
            } else {
                (v <= node.value) | (v.is_nan() & (node.feature & DEFAULT_LEFT != 0))
            };
            i = if left { i + 1 } else { node.right as usize };
        }
    }

    /// Sum of `init` and the outputs of trees `trees` (ascending) for one row, added in tree
    /// order; numerical trees are walked [`LANES`] at a time.
    pub fn sum_trees<'a>(
        &self,
        trees: impl Iterator<Item = (usize, &'a Tree)>,
        row: &[f64],
        init: f64,
    ) -> f64 {
        let mut acc = init;
        let mut pending = [0usize; LANES];
        let mut n_pending = 0;
        // Walks up to LANES trees together (missing lanes repeat the first tree and are
        // ignored) and adds their outputs to `acc` in tree order.
        let flush = |acc: f64, pending: &[usize; LANES], n: usize| {
            if n == 0 {
                return acc;
            }
            let steps = pending[..n]
                .iter()
                .map(|&t| self.depths[t])
                .max()
                .unwrap_or(0);
            let starts = std::array::from_fn(|l| self.root(pending[if l < n { l } else { 0 }]));
            let at = self.walk(starts, [row; LANES], steps);
            at[..n].iter().fold(acc, |acc, &a| acc + self.outputs[a])
        };
        for (t, tree) in trees {
            if self.categorical[t] {
                acc = flush(acc, &pending, n_pending);
                n_pending = 0;
                acc += self.tree_output(t, tree, row);
            } else {
                pending[n_pending] = t;
                n_pending += 1;
                if n_pending == LANES {
                    acc = flush(acc, &pending, n_pending);
                    n_pending = 0;
                }
            }
        }
        flush(acc, &pending, n_pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_walk_matches_the_tree_walk() {
        let mut t = Tree::constant(0.0, 10);
        t.split_numerical(0, 0, 1.5, false, 1.0, (-1.0, 1.0), (5, 5));
        t.split_categorical(1, 1, &[3, 40], 0.5, (2.0, 3.0), (2, 3));
        t.split_numerical(0, 1, -0.5, true, 0.2, (4.0, 5.0), (2, 3));
        let trees = vec![Tree::constant(7.0, 10), t];
        let layout = Layout::new(&trees).expect("small trees fit");
        let rows = [
            [1.0, 0.0],
            [1.0, -1.0],
            [f64::NAN, 3.0],
            [f64::NAN, f64::NAN],
            [2.0, 40.0],
            [2.0, 4.0],
            [2.0, -1.0],
            [2.0, f64::NAN],
        ];
        for row in rows {
            for (i, tree) in trees.iter().enumerate() {
                assert_eq!(
                    layout.tree_output(i, tree, &row).to_bits(),
                    tree.predict_row(&row).to_bits(),
                    "{row:?}"
                );
            }
        }
    }

    /// Trees of every shape from a fixed LCG stream: splits of random leaves on 3 features,
    /// random NaN directions; every `cat_every`-th tree also gets a categorical split.
    fn random_trees(n: usize, cat_every: usize) -> Vec<Tree> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        (0..n)
            .map(|t| {
                let mut tree = Tree::constant(t as f64, 100);
                for _ in 0..t % 12 {
                    let leaf = next() % tree.n_leaves();
                    let threshold = (next() % 200) as f64 / 100.0 - 1.0;
                    let outputs = ((next() % 97) as f64 * 0.1, -((next() % 89) as f64) * 0.1);
                    let default_left = next() % 2 == 0;
                    tree.split_numerical(
                        leaf,
                        next() % 3,
                        threshold,
                        default_left,
                        1.0,
                        outputs,
                        (5, 5),
                    );
                }
                if cat_every > 0 && t % cat_every == cat_every - 1 {
                    let leaf = next() % tree.n_leaves();
                    tree.split_categorical(leaf, 3, &[1, 3], 0.5, (9.0, -9.0), (2, 3));
                }
                tree
            })
            .collect()
    }

    fn rows() -> Vec<[f64; 4]> {
        let values = [
            -2.0,
            -1.0,
            -0.35,
            0.0,
            0.2,
            0.99,
            1.0,
            5.0,
            f64::NAN,
            f64::INFINITY,
        ];
        let mut rows = Vec::new();
        for (i, &a) in values.iter().enumerate() {
            for (j, &b) in values.iter().enumerate() {
                let c = values[(i * 3 + j) % values.len()];
                rows.push([a, b, c, ((i + j) % 5) as f64]);
            }
        }
        rows
    }

    #[test]
    fn fixed_step_walks_reach_the_tree_walks_leaf() {
        let trees = random_trees(40, 0);
        let layout = Layout::new(&trees).expect("small trees fit");
        let rows = rows();
        for (t, tree) in trees.iter().enumerate() {
            assert!(layout.is_numerical(t));
            // Eight rows through one tree together, as batch prediction walks them.
            for group in rows.chunks_exact(LANES) {
                let lanes: [&[f64]; LANES] = std::array::from_fn(|l| &group[l][..]);
                let at = layout.walk([layout.root(t); LANES], lanes, layout.depth(t));
                for (a, row) in at.iter().zip(group) {
                    assert_eq!(
                        layout.output(*a).to_bits(),
                        tree.predict_row(row).to_bits(),
                        "tree {t} {row:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn summed_trees_equal_the_ordered_sum_of_tree_walks() {
        // Lengths that leave every tail size, with categorical trees interrupting the groups;
        // the sum must be the same bits as adding tree by tree.
        for cat_every in [0, 5] {
            let trees = random_trees(37, cat_every);
            let layout = Layout::new(&trees).expect("small trees fit");
            for row in rows() {
                for n in [0, 1, 7, 8, 9, 16, 23, 37] {
                    let expected = trees[..n]
                        .iter()
                        .fold(0.5, |acc, tree| acc + tree.predict_row(&row));
                    let got = layout.sum_trees(trees[..n].iter().enumerate(), &row, 0.5);
                    assert_eq!(got.to_bits(), expected.to_bits(), "{n} trees, {row:?}");
                }
            }
        }
    }
}
