//! Text rendering of a fitted CART tree in the format of scikit-learn's `export_text`.

use std::fmt::Write;

use super::builder::Nodes;

enum Item {
    /// Render node `.0` at depth `.1`.
    Node(usize, usize),
    /// Write the `>` header of node `.0`'s right branch, then render the right child.
    Right(usize, usize),
}

/// Renders `nodes`; classifiers show the majority class, regressors the value.
pub fn export_text(
    nodes: &Nodes,
    feature_names: Option<&[String]>,
    classifier: bool,
    decimals: usize,
) -> String {
    let name = |f: usize| match feature_names.and_then(|names| names.get(f)) {
        Some(n) => n.clone(),
        None => format!("feature_{f}"),
    };
    let mut out = String::new();
    let mut stack = vec![Item::Node(0, 0)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Node(node, depth) => {
                let indent = "|   ".repeat(depth);
                if nodes.left[node] < 0 {
                    let value = nodes.value_of(node);
                    if classifier {
                        let mut class = 0;
                        for (i, &v) in value.iter().enumerate() {
                            if v > value[class] {
                                class = i;
                            }
                        }
                        let _ = writeln!(out, "{indent}|--- class: {class}");
                    } else {
                        let _ = writeln!(out, "{indent}|--- value: [{:.*}]", decimals, value[0]);
                    }
                    continue;
                }
                let f = name(nodes.feature[node] as usize);
                let _ = writeln!(
                    out,
                    "{indent}|--- {f} <= {:.*}",
                    decimals, nodes.threshold[node]
                );
                stack.push(Item::Right(node, depth));
                stack.push(Item::Node(nodes.left[node] as usize, depth + 1));
            }
            Item::Right(node, depth) => {
                let indent = "|   ".repeat(depth);
                let f = name(nodes.feature[node] as usize);
                let _ = writeln!(
                    out,
                    "{indent}|--- {f} >  {:.*}",
                    decimals, nodes.threshold[node]
                );
                stack.push(Item::Node(nodes.right[node] as usize, depth + 1));
            }
        }
    }
    out
}
