//! Label metrics against scikit-learn 1.9 on the committed fixtures
//! (`tests/fixtures/eval/classification.json`, written by `tools/reference/eval_fixtures.py`).
//!
//! Tolerance: 1e-12 absolute (all values here are ratios of weighted counts in [-1, 1]).

mod common;

use common::{Worst, load, load_cases, nums, weights};
use kiln_eval::{
    Average, accuracy, balanced_accuracy, classification_report, confusion_matrix,
    matthews_corrcoef, per_class_scores, precision_recall_fscore,
};

const TOL: f64 = 1e-12;

fn average_named(name: &str) -> Average {
    match name {
        "micro" => Average::Micro,
        "macro" => Average::Macro,
        "weighted" => Average::Weighted,
        "binary" => Average::Binary { pos_label: 1 },
        other => panic!("unknown average {other}"),
    }
}

#[test]
fn label_metrics_match_scikit_learn() {
    let cases = load_cases("classification.json");
    let mut worst = Worst::new(TOL);
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (y, p, w) = (nums(&case["y_true"]), nums(&case["y_pred"]), weights(case));
        let w = w.as_deref();
        let e = &case["expected"];
        worst.check(
            name,
            "accuracy",
            accuracy(&y, &p, w).unwrap(),
            common::num(&e["accuracy"]),
        );
        worst.check(
            name,
            "balanced_accuracy",
            balanced_accuracy(&y, &p, w).unwrap(),
            common::num(&e["balanced_accuracy"]),
        );
        worst.check(
            name,
            "mcc",
            matthews_corrcoef(&y, &p, w).unwrap(),
            common::num(&e["mcc"]),
        );

        let cm = confusion_matrix(&y, &p, w).unwrap();
        let labels: Vec<f64> = cm.labels.iter().map(|&l| l as f64).collect();
        assert_eq!(labels, nums(&e["confusion_labels"]), "{name}: labels");
        let expected_counts: Vec<f64> = e["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(nums)
            .collect();
        worst.check_all(name, "confusion_matrix", &cm.counts, &expected_counts);

        for (key, value) in e.as_object().unwrap() {
            let Some((avg, beta)) = key.split_once("_beta") else {
                continue;
            };
            let beta: f64 = beta.parse().unwrap();
            let got = precision_recall_fscore(&y, &p, beta, average_named(avg), w).unwrap();
            worst.check(
                name,
                &format!("precision_{avg}"),
                got.precision,
                common::num(&value["precision"]),
            );
            worst.check(
                name,
                &format!("recall_{avg}"),
                got.recall,
                common::num(&value["recall"]),
            );
            worst.check(
                name,
                &format!("fbeta_{avg}"),
                got.f_score,
                common::num(&value["f_score"]),
            );
        }

        let per = per_class_scores(&y, &p, 1.0, w).unwrap();
        let pc = &e["per_class"];
        worst.check_all(
            name,
            "per_class_precision",
            &per.precision,
            &nums(&pc["precision"]),
        );
        worst.check_all(name, "per_class_recall", &per.recall, &nums(&pc["recall"]));
        worst.check_all(name, "per_class_f1", &per.f_score, &nums(&pc["f_score"]));
        worst.check_all(
            name,
            "per_class_support",
            &per.support,
            &nums(&pc["support"]),
        );
    }
    assert!(worst.report("label metrics") > 0);
}

#[test]
fn classification_report_matches_scikit_learn_dict_and_text() {
    let cases = load("classification.json");
    let mut worst = Worst::new(TOL);
    let mut texts = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (y, p, w) = (nums(&case["y_true"]), nums(&case["y_pred"]), weights(case));
        let report = classification_report(&y, &p, w.as_deref()).unwrap();
        let e = &case["expected"]["report"];
        let row = |v: &serde_json::Value| -> [f64; 4] {
            ["precision", "recall", "f1-score", "support"].map(|k| common::num(&v[k]))
        };
        for class in &report.classes {
            let key = format!("{:.1}", class.label as f64);
            let s = class.scores;
            worst.check_all(
                name,
                "report_class",
                &[s.precision, s.recall, s.f1, s.support],
                &row(&e[&key]),
            );
        }
        for (got, key) in [
            (report.macro_avg, "macro avg"),
            (report.weighted_avg, "weighted avg"),
        ] {
            worst.check_all(
                name,
                "report_avg",
                &[got.precision, got.recall, got.f1, got.support],
                &row(&e[key]),
            );
        }
        worst.check(
            name,
            "report_accuracy",
            report.accuracy,
            common::num(&e["accuracy"]),
        );
        // Weighted supports are printed differently from scikit-learn (documented on `to_text`),
        // so the text is compared on the unweighted cases.
        if w.is_none() {
            // scikit-learn prints an unweighted support as `2.0` instead of `2` in some
            // zero-division cases; there the columns are compared token by token with the
            // trailing `.0` dropped, everywhere else the text must be identical.
            let expected = case["expected"]["report_text"].as_str().unwrap();
            let got = report.to_text(2);
            if expected.contains(".0\n") {
                let tokens = |t: &str| -> Vec<String> {
                    t.split_whitespace()
                        .map(|w| w.strip_suffix(".0").unwrap_or(w).to_string())
                        .collect()
                };
                assert_eq!(tokens(&got), tokens(expected), "{name}: report text");
            } else {
                assert_eq!(got, expected, "{name}: report text");
            }
            texts += 1;
        }
    }
    assert!(worst.report("classification report") > 0);
    println!("report texts compared: {texts}");
    assert!(texts >= 10, "only {texts} report texts compared");
}
