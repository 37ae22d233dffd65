//! The HTML run report: sample classification and regression reports rendered to files and
//! checked to be well-formed (balanced tags), self-contained (no URLs, no scripts) and escaped.
//! The files are left in `<temp dir>/kiln-report-samples/` for a visual check.

use std::path::PathBuf;

use kiln_data::Frame;
use kiln_eval::{
    CvSpec, DatasetSummary, GateCheck, GateDecision, Metric, ModelPipelineSpec, ReportHeader,
    RunReport, cross_validate, iteration_curve, learning_curve, permutation_importance,
    validation_curve,
};

/// Element names that have no closing tag in HTML5.
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];

/// Checks that every opened element is closed in order; returns the number of elements.
fn balanced(html: &str) -> usize {
    let mut stack: Vec<String> = Vec::new();
    let mut count = 0;
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("every tag is closed by '>'") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(!name.is_empty(), "empty tag name in <{tag}>");
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{closing}> closes nothing"));
            assert_eq!(open, name, "<{open}> closed by </{name}>");
        } else if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
            count += 1;
        } else {
            count += 1;
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    count
}

fn check_page(html: &str, file: &str) -> PathBuf {
    assert!(html.starts_with("<!DOCTYPE html>"));
    let elements = balanced(html);
    assert!(elements > 100, "{elements} elements");
    assert!(!html.contains("http"), "no URLs");
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("NaN"), "no NaN drawn");
    let dir = std::env::temp_dir().join("kiln-report-samples");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(file);
    std::fs::write(&path, html).expect("write report");
    println!("wrote {}", path.display());
    path
}

fn split(frame: &Frame) -> (Frame, Frame) {
    let n = frame.n_rows();
    let train: Vec<usize> = (0..n).filter(|i| i % 4 != 0).collect();
    let test: Vec<usize> = (0..n).step_by(4).collect();
    (
        frame.take(&train).expect("rows"),
        frame.take(&test).expect("rows"),
    )
}

#[test]
fn classification_report_renders_every_section() {
    let frame = kiln_data::datasets::load("breast_cancer").expect("dataset");
    let (train, test) = split(&frame);
    let spec: ModelPipelineSpec = toml::from_str(
        r#"
        prep = { target = "diagnosis", remainder = "passthrough" }
        model = { kind = "gbdt", objective = "binary", n_estimators = 40, num_leaves = 7 }
        "#,
    )
    .expect("spec");
    let metrics = [Metric::RocAuc, Metric::Accuracy, Metric::LogLoss];
    let cv_spec = CvSpec {
        shuffle: true,
        seed: 1,
        ..CvSpec::default()
    };
    let cv = cross_validate(&spec, &train, &cv_spec, &metrics, &|_, _| {}).expect("cv");
    let fitted = spec.fit(&train).expect("fits");
    let header = ReportHeader {
        // User text with markup in it must come out escaped.
        title: "Breast cancer <b>&</b> \"quotes\"".into(),
        run_id: "run-0001".into(),
        model_name: "cancer<script>".into(),
        model_version: Some("3".into()),
    };
    let profile = kiln_stats::profile::profile_frame(&train, &Default::default()).expect("profile");
    let dataset = DatasetSummary::from_frame("breast_cancer.csv", &train).with_profile(&profile);
    let mut report =
        RunReport::from_evaluation(header, dataset, &fitted, &test, Some(&cv), &metrics)
            .expect("report");
    let lc = learning_curve(
        &spec,
        &train,
        &cv_spec,
        Metric::RocAuc,
        &[0.3, 0.65, 1.0],
        &|_, _| {},
    )
    .expect("learning curve");
    report.add_learning_curve(&lc);
    let values = [
        serde_json::json!(3),
        serde_json::json!(7),
        serde_json::json!(15),
    ];
    let vc = validation_curve(
        &spec,
        &train,
        &cv_spec,
        Metric::RocAuc,
        "num_leaves",
        &values,
        &|_, _| {},
    )
    .expect("validation curve");
    report.add_validation_curve(&vc);
    report.add_iteration_curve(
        &iteration_curve(&fitted, &train, &test, Metric::LogLoss, 40).expect("iterations"),
    );
    report.add_permutation_importance(
        &permutation_importance(&fitted, &test, Metric::RocAuc, 3, 0, None).expect("importance"),
    );
    report.gate = Some(GateDecision {
        passed: true,
        summary: "roc_auc is within 0.01 of production".into(),
        checks: vec![GateCheck {
            name: "roc_auc ≥ production − 0.01".into(),
            value: 0.99,
            threshold: 0.98,
            passed: true,
        }],
    });
    assert!(report.readout.is_some());
    assert_eq!(report.metrics.len(), 3);
    assert!(report.confusion.is_some());
    // ROC, PR, calibration, learning, validation and iteration curves.
    assert_eq!(report.curves.len(), 6);
    assert_eq!(report.importances.len(), 2, "model gain and permutation");
    // The report is plain data: it survives JSON unchanged.
    let json = serde_json::to_string(&report).expect("json");
    let back: RunReport = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, report);
    let html = report.to_html();
    assert!(html.contains("Breast cancer &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot;"));
    assert!(html.contains("cancer&lt;script&gt;"));
    for section in [
        "Metrics",
        "Confusion matrix",
        "Curves",
        "Permutation importance",
        "Gate: passed",
        "Fit:",
        "Profile",
        "Timings",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    check_page(&html, "classification.html");
}

#[test]
fn regression_report_has_residual_diagnostics() {
    let frame = kiln_data::datasets::load("diabetes").expect("dataset");
    let (train, test) = split(&frame);
    let spec: ModelPipelineSpec = toml::from_str(
        r#"
        prep = { target = "progression", task = "regression", remainder = "passthrough" }
        model = { kind = "gbdt", n_estimators = 60, num_leaves = 7, learning_rate = 0.05 }
        "#,
    )
    .expect("spec");
    let metrics = [Metric::Rmse, Metric::R2, Metric::Mae];
    let cv = cross_validate(&spec, &train, &CvSpec::default(), &metrics, &|_, _| {}).expect("cv");
    let fitted = spec.fit(&train).expect("fits");
    let header = ReportHeader {
        title: "Diabetes progression".into(),
        run_id: "run-0002".into(),
        model_name: "diabetes".into(),
        model_version: None,
    };
    let mut report = RunReport::from_evaluation(
        header,
        DatasetSummary::from_frame("diabetes.csv", &train),
        &fitted,
        &test,
        Some(&cv),
        &metrics,
    )
    .expect("report");
    report.add_permutation_importance(
        &permutation_importance(&fitted, &test, Metric::Rmse, 3, 0, None).expect("importance"),
    );
    let d = report.residuals.as_ref().expect("regression diagnostics");
    assert_eq!(d.residuals.len(), test.n_rows());
    assert!(report.confusion.is_none());
    let html = report.to_html();
    for section in [
        "Residuals (test)",
        "Durbin–Watson",
        "Shapiro–Wilk",
        "Normal Q–Q",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    check_page(&html, "regression.html");
}

#[test]
fn report_of_a_model_without_cross_validation_still_renders() {
    let frame = kiln_data::datasets::load("iris").expect("dataset");
    let (train, test) = split(&frame);
    let spec: ModelPipelineSpec = toml::from_str(
        r#"
        prep = { target = "species", remainder = "passthrough" }
        model = { kind = "decision_tree", max_depth = 3 }
        "#,
    )
    .expect("spec");
    let fitted = spec.fit(&train).expect("fits");
    let report = RunReport::from_evaluation(
        ReportHeader::default(),
        DatasetSummary::default(),
        &fitted,
        &test,
        None,
        &[Metric::Accuracy, Metric::LogLoss],
    )
    .expect("report");
    assert!(report.readout.is_none());
    assert_eq!(report.curves.len(), 1, "one-vs-rest ROC for three classes");
    let html = report.to_html();
    balanced(&html);
    assert!(!html.contains("http"));
    // The test split needs its target.
    let no_target = test
        .select(&["sepal_length", "sepal_width", "petal_length", "petal_width"])
        .expect("cols");
    let e = RunReport::from_evaluation(
        ReportHeader::default(),
        DatasetSummary::default(),
        &fitted,
        &no_target,
        None,
        &[Metric::Accuracy],
    )
    .unwrap_err();
    assert!(e.to_string().contains("species"), "{e}");
}
