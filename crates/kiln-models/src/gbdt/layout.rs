//! The prediction layout: every tree of an ensemble packed into one array of 16-byte nodes.
//!
//! [`Tree`] keeps LightGBM's struct-of-arrays form, which is what gets stored and what growth
//! builds, but walking it reads five arrays per level. Here a node is one 16-byte record (a
//! threshold or leaf value, the feature with flag bits, and the right child) in pre-order, so the
//! left child is the next record: one walk step reads one record and one feature value. Leaves are
//! records too, so a walk ends on a flag instead of a sign test and a second array.

use super::tree::Tree;

/// Flag bits in the top of [`Node::feature`].
const LEAF: u32 = 1 << 31;
const DEFAULT_LEFT: u32 = 1 << 30;
const CATEGORICAL: u32 = 1 << 29;
/// Feature indices must stay below this to leave room for the flags.
const FEATURE_MASK: u32 = CATEGORICAL - 1;

/// One node: internal nodes go to the next record when the row goes left, else to `right`.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Threshold (numerical), categorical node index (categorical) or output (leaf).
    value: f64,
    /// Feature index and flags.
    feature: u32,
    /// Index of the right child's record.
    right: u32,
}

/// All trees of an ensemble in walk order.
#[derive(Debug, Clone)]
pub struct Layout {
    nodes: Vec<Node>,
    /// Record of each tree's root.
    roots: Vec<u32>,
}

impl Layout {
    /// Packs `trees`; None when a feature index or the node count does not fit the record (far
    /// beyond any real model; callers then walk the trees directly).
    pub fn new(trees: &[Tree]) -> Option<Layout> {
        let mut nodes = Vec::new();
        let mut roots = Vec::with_capacity(trees.len());
        // Pending children: (tree reference, record whose `right` must point here).
        let mut stack: Vec<(i32, Option<usize>)> = Vec::new();
        for tree in trees {
            roots.push(u32::try_from(nodes.len()).ok()?);
            let root = if tree.split_feature.is_empty() { !0 } else { 0 };
            stack.push((root, None));
            while let Some((child, parent)) = stack.pop() {
                let at = nodes.len();
                if let Some(p) = parent {
                    nodes[p] = Node {
                        right: u32::try_from(at).ok()?,
                        ..nodes[p]
                    };
                }
                if child < 0 {
                    let leaf = !child as usize;
                    nodes.push(Node {
                        value: tree.leaf_value[leaf],
                        feature: LEAF,
                        right: 0,
                    });
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
                }
                nodes.push(Node {
                    value: tree.threshold[n],
                    feature: bits,
                    right: 0,
                });
                // Left subtree first (popped first), so it follows its parent directly.
                stack.push((tree.right_child[n], Some(at)));
                stack.push((tree.left_child[n], None));
            }
        }
        Some(Layout { nodes, roots })
    }

    /// Output of tree `t` (which is `tree`) for `row`.
    #[inline]
    pub fn tree_output(&self, t: usize, tree: &Tree, row: &[f64]) -> f64 {
        let mut i = self.roots[t] as usize;
        loop {
            let node = self.nodes[i];
            if node.feature & LEAF != 0 {
                return node.value;
            }
            let v = row[(node.feature & FEATURE_MASK) as usize];
            let left = if node.feature & CATEGORICAL != 0 {
                tree.category_goes_left(node.value as usize, v)
            } else {
                // NaN fails the comparison and follows the default direction.
                (v <= node.value) | (v.is_nan() & (node.feature & DEFAULT_LEFT != 0))
            };
            // Which way a row goes is close to a coin flip: ask for a conditional move, not a
            // jump (LLVM still chooses; on x86-64 today it keeps a jump here).
            i = std::hint::select_unpredictable(left, i + 1, node.right as usize);
        }
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
}
