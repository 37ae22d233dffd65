//! CART trees against scikit-learn 1.9: node-for-node equality of structure, features,
//! thresholds (relative 1e-6: scikit-learn splits on float32 copies of X), impurities, sample
//! counts and values (1e-9). scikit-learn breaks ties between equally good splits with its RNG,
//! so the fixture lists every distinct tree it grew across 40 seeds; ours must equal one of them.

mod common;

use common::*;
use kiln_models::{
    ClassWeight, Criterion, DecisionTreeSpec, FittedDecisionTree, MaxFeatures, ModelError,
};
use serde_json::Value;

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-12)
}

fn mismatch(ours: &FittedDecisionTree, theirs: &Value) -> Option<String> {
    let n = &ours.nodes;
    let ints = |k: &str| -> Vec<i64> { serde_json::from_value(theirs[k].clone()).expect("ints") };
    let floats =
        |k: &str| -> Vec<f64> { serde_json::from_value(theirs[k].clone()).expect("floats") };
    let (left, right, feature) = (
        ints("children_left"),
        ints("children_right"),
        ints("feature"),
    );
    let (threshold, impurity, weighted) = (
        floats("threshold"),
        floats("impurity"),
        floats("weighted_n_node_samples"),
    );
    let samples = ints("n_node_samples");
    let value: Vec<Vec<f64>> = serde_json::from_value(theirs["value"].clone()).expect("values");
    if left.len() != n.len() {
        return Some(format!("{} nodes vs {}", n.len(), left.len()));
    }
    for i in 0..n.len() {
        if n.left[i] as i64 != left[i] || n.right[i] as i64 != right[i] {
            return Some(format!("node {i}: children differ"));
        }
        if left[i] >= 0
            && (n.feature[i] as i64 != feature[i] || !close(n.threshold[i], threshold[i], 1e-6))
        {
            return Some(format!(
                "node {i}: split x{} <= {} vs x{} <= {}",
                n.feature[i], n.threshold[i], feature[i], threshold[i]
            ));
        }
        if !close(n.impurity[i], impurity[i], 1e-9) || n.n_samples[i] as i64 != samples[i] {
            return Some(format!(
                "node {i}: impurity {} vs {}",
                n.impurity[i], impurity[i]
            ));
        }
        if !close(n.weighted_n_samples[i], weighted[i], 1e-12) {
            return Some(format!("node {i}: weight differs"));
        }
        for (a, b) in n.value_of(i).iter().zip(&value[i]) {
            if !close(*a, *b, 1e-9) {
                return Some(format!("node {i}: value {a} vs {b}"));
            }
        }
    }
    None
}

fn check_case(name: &str) {
    let all = load_json("cart_sklearn.json");
    let c = all["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .expect("case")
        .clone();
    let criterion: Criterion = serde_json::from_value(c["criterion"].clone()).expect("criterion");
    let spec = DecisionTreeSpec {
        criterion,
        max_depth: Some(c["max_depth"].as_u64().expect("depth") as usize),
        min_samples_leaf: c["min_samples_leaf"].as_u64().expect("leaf") as usize,
        ..DecisionTreeSpec::default()
    };
    let tree = spec
        .fit(matrix(&c["x"]).view(), vector(&c["y"]).view(), None)
        .expect("fit");
    let trees = c["trees"].as_array().expect("trees");
    let reasons: Vec<String> = trees.iter().filter_map(|t| mismatch(&tree, t)).collect();
    assert!(
        reasons.len() < trees.len(),
        "{name}: matches none of scikit-learn's trees: {reasons:?}\n{}",
        tree.export_text(None)
    );
}

#[test]
fn iris_gini_depth3_matches_scikit_learn() {
    check_case("iris_gini_depth3");
}

#[test]
fn iris_entropy_depth3_matches_scikit_learn() {
    check_case("iris_entropy_depth3");
}

#[test]
fn diabetes_squared_error_depth4_matches_scikit_learn() {
    check_case("diabetes_squared_error_depth4");
}

fn iris() -> (ndarray::Array2<f64>, ndarray::Array1<f64>) {
    let all = load_json("cart_sklearn.json");
    let c = &all["cases"][0];
    (matrix(&c["x"]), vector(&c["y"]))
}

#[test]
fn export_text_and_importance() {
    let (x, y) = iris();
    let tree = DecisionTreeSpec {
        max_depth: Some(2),
        ..DecisionTreeSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let names: Vec<String> = ["sepal length", "sepal width", "petal length", "petal width"]
        .map(String::from)
        .to_vec();
    let text = tree.export_text(Some(&names));
    assert!(text.starts_with("|--- petal"), "{text}");
    assert!(
        text.contains("|   |--- class: 1") && text.contains(">  "),
        "{text}"
    );
    assert_eq!(text.lines().count(), 7, "{text}");
    let imp = tree.feature_importance();
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert_eq!(
        imp[0] + imp[1],
        0.0,
        "sepal features unused at depth 2: {imp:?}"
    );
    assert_eq!(tree.depth(), 2);
}

#[test]
fn pruning_absolute_error_and_weights() {
    let all = load_json("cart_sklearn.json");
    let c = &all["cases"][2];
    let (x, y) = (matrix(&c["x"]), vector(&c["y"]));
    let full = DecisionTreeSpec {
        criterion: Criterion::SquaredError,
        ..DecisionTreeSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let mut previous = full.n_leaves();
    for alpha in [1.0, 10.0, 100.0] {
        let pruned = DecisionTreeSpec {
            criterion: Criterion::SquaredError,
            ccp_alpha: alpha,
            ..DecisionTreeSpec::default()
        }
        .fit(x.view(), y.view(), None)
        .expect("fit");
        assert!(
            pruned.n_leaves() < previous,
            "alpha {alpha}: {} leaves",
            pruned.n_leaves()
        );
        previous = pruned.n_leaves();
    }
    let huge = DecisionTreeSpec {
        criterion: Criterion::SquaredError,
        ccp_alpha: 1e9,
        ..DecisionTreeSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    assert_eq!(huge.n_leaves(), 1);

    let mae = DecisionTreeSpec {
        criterion: Criterion::AbsoluteError,
        max_depth: Some(3),
        ..DecisionTreeSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let root = mae.nodes.value_of(0)[0];
    let mut sorted = y.to_vec();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(
        root,
        (sorted[220] + sorted[221]) / 2.0,
        "root predicts the median"
    );
    let mse = DecisionTreeSpec {
        criterion: Criterion::SquaredError,
        max_depth: Some(3),
        ..DecisionTreeSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let mae_err = (&mae.predict(x.view()).expect("p") - &y)
        .mapv(f64::abs)
        .mean()
        .expect("rows");
    let mse_err = (&mse.predict(x.view()).expect("p") - &y)
        .mapv(f64::abs)
        .mean()
        .expect("rows");
    assert!(
        mae_err <= mse_err * 1.02,
        "absolute-error tree should fit MAE well: {mae_err} vs {mse_err}"
    );

    // Doubling every weight changes nothing; class weights move predictions.
    let (x, y) = iris();
    let spec = DecisionTreeSpec {
        max_depth: Some(3),
        ..DecisionTreeSpec::default()
    };
    let a = spec.fit(x.view(), y.view(), None).expect("fit");
    let twos = ndarray::Array1::from_elem(y.len(), 2.0);
    let b = spec
        .fit(x.view(), y.view(), Some(twos.view()))
        .expect("fit");
    assert_eq!(
        a.predict(x.view()).expect("p"),
        b.predict(x.view()).expect("p")
    );
    let weighted = DecisionTreeSpec {
        class_weight: ClassWeight::Explicit(vec![1.0, 1.0, 20.0]),
        ..spec.clone()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let count2 = |t: &FittedDecisionTree| {
        t.predict(x.view())
            .expect("p")
            .iter()
            .filter(|&&c| c == 2.0)
            .count()
    };
    assert!(count2(&weighted) > count2(&a));
    let sqrt = DecisionTreeSpec {
        max_features: MaxFeatures::Sqrt,
        seed: 4,
        ..DecisionTreeSpec::default()
    };
    assert!(sqrt.fit(x.view(), y.view(), None).is_ok());
}

#[test]
fn tree_bad_input() {
    let (x, y) = iris();
    let bad = DecisionTreeSpec {
        min_samples_split: 1,
        ..DecisionTreeSpec::default()
    };
    assert!(
        bad.fit(x.view(), y.view(), None)
            .expect_err("param")
            .to_string()
            .contains("min_samples_split")
    );
    let bad = DecisionTreeSpec {
        max_features: MaxFeatures::Fraction(0.0),
        ..DecisionTreeSpec::default()
    };
    assert!(
        bad.fit(x.view(), y.view(), None)
            .expect_err("param")
            .to_string()
            .contains("max_features")
    );
    let bad = DecisionTreeSpec {
        ccp_alpha: -1.0,
        ..DecisionTreeSpec::default()
    };
    assert!(
        bad.fit(x.view(), y.view(), None)
            .expect_err("param")
            .to_string()
            .contains("ccp_alpha")
    );
    let mut xn = x.clone();
    xn[[4, 2]] = f64::NAN;
    let err = DecisionTreeSpec::default()
        .fit(xn.view(), y.view(), None)
        .expect_err("NaN");
    assert!(
        matches!(
            err,
            ModelError::InvalidFeatureValue {
                column: 2,
                row: 4,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("impute"), "{err}");
}
