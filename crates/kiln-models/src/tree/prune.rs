//! Minimal cost-complexity pruning (`ccp_alpha`), as in scikit-learn.
//!
//! The cost of a node is its impurity times its share of the training weight. Repeatedly the
//! internal node whose subtree buys the least cost reduction per extra leaf (the weakest link,
//! `(R(t) - R(T_t)) / (|leaves(T_t)| - 1)`) is collapsed into a leaf, while that ratio is at most
//! `ccp_alpha`. The surviving nodes are renumbered in pre-order.

use super::builder::Nodes;

/// Prunes `nodes` with complexity parameter `ccp_alpha` (> 0).
pub fn prune(nodes: &Nodes, ccp_alpha: f64) -> Nodes {
    let n = nodes.len();
    let total = nodes.weighted_n_samples[0];
    let cost: Vec<f64> = (0..n)
        .map(|i| nodes.impurity[i] * nodes.weighted_n_samples[i] / total)
        .collect();
    let mut leaf: Vec<bool> = nodes.left.iter().map(|&l| l < 0).collect();
    loop {
        // Children have larger indices than parents (pre-order), so one backward pass sums subtrees.
        let mut leaves = vec![0usize; n];
        let mut branch_cost = vec![0.0; n];
        for i in (0..n).rev() {
            if leaf[i] {
                leaves[i] = 1;
                branch_cost[i] = cost[i];
            } else {
                let (l, r) = (nodes.left[i] as usize, nodes.right[i] as usize);
                leaves[i] = leaves[l] + leaves[r];
                branch_cost[i] = branch_cost[l] + branch_cost[r];
            }
        }
        let mut weakest: Option<(usize, f64)> = None;
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            if leaf[i] {
                continue;
            }
            let alpha = (cost[i] - branch_cost[i]) / (leaves[i] - 1) as f64;
            if weakest.is_none_or(|(_, a)| alpha < a) {
                weakest = Some((i, alpha));
            }
            stack.push(nodes.right[i] as usize);
            stack.push(nodes.left[i] as usize);
        }
        match weakest {
            Some((i, alpha)) if alpha <= ccp_alpha => leaf[i] = true,
            _ => break,
        }
    }
    renumber(nodes, &leaf)
}

fn renumber(nodes: &Nodes, leaf: &[bool]) -> Nodes {
    let mut out = Nodes {
        left: Vec::new(),
        right: Vec::new(),
        feature: Vec::new(),
        threshold: Vec::new(),
        impurity: Vec::new(),
        n_samples: Vec::new(),
        weighted_n_samples: Vec::new(),
        value: Vec::new(),
        n_values: nodes.n_values,
    };
    let mut stack: Vec<(usize, Option<(usize, bool)>)> = vec![(0, None)];
    while let Some((old, parent)) = stack.pop() {
        let id = out.left.len();
        if let Some((p, is_left)) = parent {
            if is_left {
                out.left[p] = id as i32;
            } else {
                out.right[p] = id as i32;
            }
        }
        out.left.push(-1);
        out.right.push(-1);
        out.impurity.push(nodes.impurity[old]);
        out.n_samples.push(nodes.n_samples[old]);
        out.weighted_n_samples.push(nodes.weighted_n_samples[old]);
        out.value.extend_from_slice(nodes.value_of(old));
        if leaf[old] {
            out.feature.push(0);
            out.threshold.push(-2.0);
        } else {
            out.feature.push(nodes.feature[old]);
            out.threshold.push(nodes.threshold[old]);
            stack.push((nodes.right[old] as usize, Some((id, false))));
            stack.push((nodes.left[old] as usize, Some((id, true))));
        }
    }
    out
}
