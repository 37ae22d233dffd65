//! Drift reports end to end on kiln's synthetic data: a drifted copy (`drifted_copy`) is flagged
//! on exactly the shifted columns, with both the large-data defaults (Wasserstein / Jensen–Shannon)
//! and the small-data tests (KS / chi-square); corrections, thresholds and every bad input give
//! the documented result or a clear error.

use kiln_data::synth::{ClassificationSpec, ColumnDrift as Shift, drifted_copy};
use kiln_data::{Frame, Role};
use kiln_monitor::drift::{
    CorrectionSpec, DriftMethod, DriftSpec, PsiBinning, ReferenceOptions, ReferenceProfile,
    detect_drift,
};

/// 2·rows rows of 8 features (the last two categorical) and a target: the first half is the
/// reference, the second half (the same distribution) the base of the current data.
fn halves(rows: usize) -> (Frame, Frame) {
    let frame = ClassificationSpec {
        rows: 2 * rows,
        features: 8,
        informative: 3,
        redundant: 1,
        categorical: 2,
        categories: 5,
        seed: 11,
        ..Default::default()
    }
    .generate()
    .unwrap();
    (frame.slice(0, rows), frame.slice(rows, rows))
}

fn shifts() -> Vec<Shift> {
    vec![
        Shift {
            column: "f0".into(),
            mean_shift: 0.5,
            ..Default::default()
        },
        Shift {
            column: "f2".into(),
            scale: 2.0,
            ..Default::default()
        },
        Shift {
            column: "f7".into(),
            category_mix: 0.3,
            ..Default::default()
        },
    ]
}

fn drifted_names(report: &kiln_monitor::drift::DriftReport) -> Vec<&str> {
    report
        .columns
        .iter()
        .filter(|c| c.drifted)
        .map(|c| c.column.as_str())
        .collect()
}

#[test]
fn drifted_copy_is_flagged_on_the_shifted_columns_only_large_data() {
    let (reference, current) = halves(20_000);
    let profile = ReferenceProfile::from_frame(&reference, &ReferenceOptions::default()).unwrap();
    let drifted = drifted_copy(&current, &shifts(), 5).unwrap();
    let report = detect_drift(&profile, &drifted, &DriftSpec::default()).unwrap();
    assert_eq!(drifted_names(&report), vec!["f0", "f2", "f7"]);
    assert_eq!(
        report.column("f0").unwrap().method,
        DriftMethod::Wasserstein
    );
    assert_eq!(
        report.column("f7").unwrap().method,
        DriftMethod::JensenShannon
    );
    assert_eq!(report.column("target").unwrap().role, Role::Target);
    assert_eq!(
        report.column("target").unwrap().method,
        DriftMethod::JensenShannon
    );
    assert!(report.column("f1").unwrap().reference_sampled);
    // 3 of 9 columns: below the default dataset share of 0.5.
    assert_eq!((report.tested_columns, report.drifted_columns), (9, 3));
    assert!(!report.dataset_drift);
    // A mean shift of 0.5 sd shows as a standardized mean difference near 0.5.
    let smd = report.column("f0").unwrap().effect_size.unwrap().value;
    assert!((smd - 0.5).abs() < 0.05, "{smd}");
    let same = detect_drift(&profile, &current, &DriftSpec::default()).unwrap();
    assert!(
        drifted_names(&same).is_empty(),
        "{:?}",
        drifted_names(&same)
    );
    let lower = DriftSpec {
        drift_share: 0.3,
        ..Default::default()
    };
    assert!(
        detect_drift(&profile, &drifted, &lower)
            .unwrap()
            .dataset_drift
    );
}

#[test]
fn drifted_copy_is_flagged_on_the_shifted_columns_only_small_data() {
    let (reference, current) = halves(800);
    let profile = ReferenceProfile::from_frame(&reference, &ReferenceOptions::default()).unwrap();
    let shifts = vec![
        Shift {
            column: "f0".into(),
            mean_shift: 0.6,
            ..Default::default()
        },
        Shift {
            column: "f7".into(),
            category_mix: 0.5,
            ..Default::default()
        },
    ];
    let drifted = drifted_copy(&current, &shifts, 5).unwrap();
    let report = detect_drift(&profile, &drifted, &DriftSpec::default()).unwrap();
    assert_eq!(drifted_names(&report), vec!["f0", "f7"]);
    assert_eq!(report.column("f0").unwrap().method, DriftMethod::Ks);
    assert_eq!(report.column("f7").unwrap().method, DriftMethod::ChiSquare);
    assert_eq!(report.column("target").unwrap().method, DriftMethod::Z);
    assert!(report.columns.iter().all(|c| !c.reference_sampled));

    // Holm raises every p-value and never lowers one; the verdict follows the adjusted value.
    let holm = DriftSpec {
        correction: Some(CorrectionSpec::Holm),
        ..Default::default()
    };
    let adjusted = detect_drift(&profile, &drifted, &holm).unwrap();
    for c in &adjusted.columns {
        let (p, a) = (c.p_value.unwrap(), c.adjusted_p_value.unwrap());
        assert!(
            a >= p && c.score == a && c.drifted == (a < c.threshold),
            "{}",
            c.column
        );
    }

    // Per-column method and threshold: PSI with quantile bins, flagged at a low bar only.
    let mut spec = DriftSpec {
        psi_binning: PsiBinning::Quantiles,
        ..Default::default()
    };
    spec.methods.insert("f1".into(), DriftMethod::Psi);
    spec.thresholds.insert("f1".into(), 1e-6);
    let r = detect_drift(&profile, &drifted, &spec).unwrap();
    let f1 = r.column("f1").unwrap();
    assert!(f1.drifted && !f1.automatic && f1.threshold == 1e-6 && f1.p_value.is_none());
}

#[test]
fn bad_inputs_are_clear_errors() {
    let (reference, current) = halves(300);
    let profile = ReferenceProfile::from_frame(&reference, &ReferenceOptions::default()).unwrap();
    let err = |spec: &DriftSpec, frame: &Frame| {
        detect_drift(&profile, frame, spec).unwrap_err().to_string()
    };

    let mut spec = DriftSpec::default();
    spec.methods.insert("nope".into(), DriftMethod::Ks);
    let e = err(&spec, &current);
    assert!(
        e.starts_with(
            "column 'nope': named in methods is not a reference column; the reference has: f0"
        ),
        "{e}"
    );

    let mut spec = DriftSpec::default();
    spec.methods.insert("f7".into(), DriftMethod::Ks);
    let e = err(&spec, &current);
    assert_eq!(
        e,
        "column 'f7': method ks needs a numeric column; this one is categorical"
    );

    let mut spec = DriftSpec::default();
    spec.methods.insert("f0".into(), DriftMethod::ChiSquare);
    assert!(err(&spec, &current).contains("more than 20 distinct values; use ks"));

    let mut spec = DriftSpec::default();
    spec.thresholds.insert("f0".into(), 0.5);
    spec.methods.insert("f0".into(), DriftMethod::Ks);
    spec.thresholds.insert("f0".into(), 5.0);
    assert!(err(&spec, &current).starts_with("threshold f0: 5 is not a significance level"));

    // A threshold that suits no method the column gets: 2.0 as a KS significance level.
    let mut spec = DriftSpec::default();
    spec.thresholds.insert("f0".into(), 2.0);
    assert!(err(&spec, &current).starts_with("threshold f0: 2 is not a significance level"));

    let mut spec = DriftSpec {
        columns: Some(vec!["f0".into()]),
        ..Default::default()
    };
    spec.methods.insert("f1".into(), DriftMethod::Psi);
    assert_eq!(
        err(&spec, &current),
        "column 'f1': has a method but is not in the requested columns; add it to columns"
    );

    let e = err(&DriftSpec::default(), &current.slice(0, 0));
    assert_eq!(
        e,
        "current data: has no rows; expected at least one row to compare with the reference"
    );

    let missing = current
        .select(&["f0", "f1", "f2", "f3", "f4", "f5", "f7", "target"])
        .unwrap();
    assert_eq!(
        err(&DriftSpec::default(), &missing),
        "column 'f6': is in the reference but missing from the current data"
    );
    // Unlabelled current data: the target is skipped and said so, unless it is asked for.
    let unlabelled = current
        .select(&["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"])
        .unwrap();
    assert_eq!(profile.column("target").unwrap().role, Role::Target);
    let report = detect_drift(&profile, &unlabelled, &DriftSpec::default()).unwrap();
    assert_eq!(report.tested_columns, 8);
    let skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.column.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        vec![(
            "target",
            "target column not in the current data (unlabelled)"
        )]
    );
    let asked = DriftSpec {
        columns: Some(vec!["f0".into(), "target".into()]),
        ..Default::default()
    };
    assert_eq!(
        err(&asked, &unlabelled),
        "column 'target': is in the reference but missing from the current data"
    );

    let csv = |text: &str| {
        kiln_data::csv::read_csv_bytes(text.as_bytes(), "inline", &Default::default()).unwrap()
    };
    let small_ref = csv("a,b\n1.5,x\n2.5,y\n3.5,x\n4.5,y\n");
    let small = ReferenceProfile::from_frame(&small_ref, &ReferenceOptions::default()).unwrap();
    let e = detect_drift(&small, &csv("a,b\nred,x\nblue,y\n"), &DriftSpec::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "column 'a': is numeric in the reference but text in the current data; force the type"
        ),
        "{e}"
    );
    let e = detect_drift(&small, &csv("a,b\n,x\n,y\n"), &DriftSpec::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("column 'a'") && e.contains("missing in the current data"),
        "{e}"
    );
    let empty_ref =
        ReferenceProfile::from_frame(&csv("a,b\n,x\n,y\n"), &ReferenceOptions::default()).unwrap();
    let e = detect_drift(&empty_ref, &small_ref, &DriftSpec::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("column 'a': has no non-missing value in the reference"),
        "{e}"
    );

    let e = serde_json::from_str::<DriftSpec>(r#"{"methods": {"a": "kolmo"}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown variant `kolmo`"), "{e}");
    let e = serde_json::from_str::<DriftSpec>(r#"{"treshold": 1}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `treshold`"), "{e}");
}
