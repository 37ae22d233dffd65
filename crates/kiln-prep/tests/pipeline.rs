//! The Pipeline end to end: the README example parses and runs, fit → JSON → transform is
//! bit-identical, one row at a time equals the batch, cross-validation statistics come from each
//! fold's training rows only, and awkward input gets a clear error or documented behaviour.

mod common;

use kiln_data::Frame;
use kiln_data::csv::read_csv_bytes;
use kiln_prep::steps::FittedStep;
use kiln_prep::{FittedPipeline, PipelineSpec, split};
use ndarray::Array2;

fn readme_spec() -> PipelineSpec {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").expect("README has a toml block") + 8;
    let len = readme[start..].find("```").unwrap();
    PipelineSpec::from_toml(&readme[start..start + len], "README.md").unwrap()
}

fn bits(x: &Array2<f64>) -> Vec<u64> {
    x.t().iter().map(|v| v.to_bits()).collect()
}

fn mixed_train_test() -> (Frame, Frame) {
    let frame = common::dataset("mixed");
    let (y, _) = common::class_codes(&frame, "mpg_class");
    let fold = split::stratified_train_test_split(&y, 0.25, 3).unwrap();
    (
        frame.take(&fold.train).unwrap(),
        frame.take(&fold.test).unwrap(),
    )
}

#[test]
fn readme_example_parses_fits_and_round_trips_bit_for_bit() {
    let spec = readme_spec();
    assert_eq!(spec.blocks.len(), 3);
    assert_eq!(spec.target.as_deref(), Some("mpg_class"));
    let (train, test) = mixed_train_test();
    let (fitted, prepared) = spec.fit_transform(&train).unwrap();
    let names = &fitted.feature_names;
    assert!(names.contains(&"colour=red".to_string()), "{names:?}");
    assert!(
        names.contains(&"colour=<infrequent>".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"horsepower_is_missing".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"origin_te_class0".to_string()), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("mpg") || n == "efficient"),
        "excluded columns leaked: {names:?}"
    );
    // SMOTE balanced the three classes of the training rows.
    let y = prepared.y.unwrap();
    let per_class: Vec<usize> = (0..3)
        .map(|c| y.iter().filter(|&&v| v == c as f64).count())
        .collect();
    assert!(
        per_class.iter().all(|&n| n == per_class[0]),
        "{per_class:?}"
    );
    assert_eq!(prepared.x.nrows(), y.len());

    let x = fitted.transform(&test).unwrap();
    assert_eq!(x.ncols(), names.len());
    let restored = FittedPipeline::from_json(&fitted.to_json().unwrap()).unwrap();
    assert_eq!(restored, fitted);
    assert_eq!(
        bits(&restored.transform(&test).unwrap()),
        bits(&x),
        "round trip changed the output"
    );
    for i in 0..test.n_rows() {
        let row = restored.transform(&test.slice(i, 1)).unwrap();
        let want: Vec<u64> = x.row(i).iter().map(|v| v.to_bits()).collect();
        let got: Vec<u64> = row.row(0).iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, want, "row {i} alone differs from the batch");
    }
}

#[test]
fn target_is_label_encoded_with_sorted_classes() {
    let (train, test) = mixed_train_test();
    let spec = PipelineSpec::from_toml(
        "target = \"mpg_class\"\n[[blocks]]\nname = \"n\"\ncolumns = { names = [\"weight\"] }\nsteps = [{ kind = \"simple_imputer\" }]\n",
        "inline",
    )
    .unwrap();
    let (fitted, prepared) = spec.fit_transform(&train).unwrap();
    let enc = fitted.target.as_ref().unwrap();
    assert_eq!(enc.classes.as_deref().unwrap(), ["high", "low", "mid"]);
    let y = fitted.encode_target(&test).unwrap();
    let col = test.schema().index_of("mpg_class").unwrap();
    for (i, code) in y.iter().enumerate() {
        assert_eq!(
            enc.classes.as_ref().unwrap()[*code as usize],
            test.cell_text(i, col).unwrap()
        );
    }
    assert!(
        prepared
            .y
            .unwrap()
            .iter()
            .all(|v| [0.0, 1.0, 2.0].contains(v))
    );
}

/// Each fold's fitted statistics equal statistics computed directly from that fold's training
/// rows, and differ from the statistics of all rows.
#[test]
fn cross_validation_statistics_come_from_each_folds_training_rows_only() {
    let frame = common::dataset("mixed");
    let spec = PipelineSpec::from_toml(
        r#"
target = "efficient"
[[blocks]]
name = "numbers"
columns = { names = ["displacement", "weight"] }
steps = [{ kind = "simple_imputer", strategy = "median" }, { kind = "standard_scaler" }]
[[blocks]]
name = "colour"
columns = { names = ["colour"] }
steps = [{ kind = "one_hot_encoder", handle_unknown = "ignore" }]
[[blocks]]
name = "origin"
columns = { names = ["origin"] }
steps = [{ kind = "target_encoder", smooth = 0.0 }]
"#,
        "inline",
    )
    .unwrap();
    let (y, _) = common::class_codes(&frame, "efficient");
    let folds = split::stratified_k_fold(&y, 5, None).unwrap();
    let prepared = spec.fit_folds(&frame, &folds).unwrap();
    let median = |v: &[f64]| {
        let s = kiln_prep::stats::sorted_present(v);
        kiln_prep::stats::median_sorted(&s)
    };
    let all_median = median(&frame.numeric("displacement").unwrap());
    let mut differs = false;
    for (fold, p) in folds.iter().zip(&prepared) {
        let train = frame.take(&fold.train).unwrap();
        let steps = &p.pipeline.blocks[0].steps;
        let FittedStep::SimpleImputer(imp) = &steps[0] else {
            panic!("imputer expected")
        };
        let disp = train.numeric("displacement").unwrap();
        let want = median(&disp);
        assert_eq!(imp.fills[0], kiln_prep::steps::impute::Fill::Number(want));
        differs |= want != all_median;
        let FittedStep::Scaler(scaler) = &steps[1] else {
            panic!("scaler expected")
        };
        let filled: Vec<f64> = disp
            .iter()
            .map(|v| if v.is_nan() { want } else { *v })
            .collect();
        let mean = filled.iter().sum::<f64>() / filled.len() as f64;
        assert!(
            (scaler.center[0] - mean).abs() < 1e-9,
            "fold scaler mean {} vs {mean}",
            scaler.center[0]
        );

        let FittedStep::OneHotEncoder(ohe) = &p.pipeline.blocks[1].steps[0] else {
            panic!("one-hot expected")
        };
        let (codes, levels) = train.categorical("colour").unwrap();
        let mut seen: Vec<Option<String>> = codes
            .iter()
            .map(|&c| (c >= 0).then(|| levels[c as usize].clone()))
            .collect();
        seen.sort();
        seen.dedup();
        let mut learned = ohe.categories[0].levels.clone();
        learned.sort();
        assert_eq!(
            learned, seen,
            "one-hot categories are exactly the fold's training levels"
        );

        let FittedStep::TargetEncoder(te) = &p.pipeline.blocks[2].steps[0] else {
            panic!("target encoder expected")
        };
        let (ocodes, olevels) = train.categorical("origin").unwrap();
        let ty: Vec<f64> = fold.train.iter().map(|&i| y[i] as f64).collect();
        for (k, cat) in te.categories[0].iter().enumerate() {
            let rows: Vec<usize> = (0..ocodes.len())
                .filter(|&i| Some(&olevels[ocodes[i] as usize]) == cat.as_ref())
                .collect();
            let want = rows.iter().map(|&i| ty[i]).sum::<f64>() / rows.len() as f64;
            assert!(
                (te.encodings[0][0][k] - want).abs() < 1e-12,
                "target mean of {cat:?}"
            );
        }
        assert_eq!(p.x_test.nrows(), fold.test.len());
    }
    assert!(
        differs,
        "some fold's median must differ from the all-rows median, or the test proves nothing"
    );
}

fn small(text: &str) -> Frame {
    read_csv_bytes(text.as_bytes(), "inline", &Default::default()).unwrap()
}

fn one_hot_spec(mode: &str) -> PipelineSpec {
    PipelineSpec::from_toml(
        &format!("[[blocks]]\nname = \"c\"\ncolumns = {{ names = [\"colour\"] }}\nsteps = [{{ kind = \"one_hot_encoder\", handle_unknown = \"{mode}\", min_frequency = 2 }}]\n"),
        "inline",
    )
    .unwrap()
}

#[test]
fn unseen_categories_follow_handle_unknown() {
    let train = small("colour,x\nred,1\nred,2\nblue,3\nblue,4\ngreen,5\n");
    let serve = small("colour,x\npurple,1\nred,2\n");
    let err = one_hot_spec("error")
        .fit(&train)
        .unwrap()
        .transform(&serve)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("column 'colour'") && err.contains("'purple' was not seen"),
        "{err}"
    );
    let ignore = one_hot_spec("ignore").fit(&train).unwrap();
    assert_eq!(
        ignore.feature_names,
        ["colour=blue", "colour=red", "colour=<infrequent>"]
    );
    let x = ignore.transform(&serve).unwrap();
    assert_eq!(x.row(0).to_vec(), [0.0, 0.0, 0.0]);
    assert_eq!(x.row(1).to_vec(), [0.0, 1.0, 0.0]);
    let x = one_hot_spec("infrequent")
        .fit(&train)
        .unwrap()
        .transform(&serve)
        .unwrap();
    assert_eq!(x.row(0).to_vec(), [0.0, 0.0, 1.0]);
    // The infrequent training level itself always lands in the infrequent column.
    let x = one_hot_spec("error")
        .fit(&train)
        .unwrap()
        .transform(&small("colour\ngreen\n"))
        .unwrap();
    assert_eq!(x.row(0).to_vec(), [0.0, 0.0, 1.0]);
}

fn numeric_spec(steps: &str) -> PipelineSpec {
    PipelineSpec::from_toml(&format!("[[blocks]]\nname = \"n\"\ncolumns = {{ types = [\"numeric\", \"integer\"] }}\nsteps = [{steps}]\n"), "inline").unwrap()
}

#[test]
fn all_missing_and_constant_columns() {
    let frame = small("a,b,c\n1,,5\n2,,5\n4,,5\n");
    for strategy in ["mean", "median", "most_frequent"] {
        let err = numeric_spec(&format!(
            "{{ kind = \"simple_imputer\", strategy = \"{strategy}\" }}"
        ))
        .fit(&frame)
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("column 'b'") && err.contains("no observed value"),
            "{strategy}: {err}"
        );
    }
    let x =
        numeric_spec("{ kind = \"simple_imputer\", strategy = \"constant\", fill_value = -1.0 }")
            .fit_transform(&frame)
            .unwrap()
            .1
            .x;
    assert_eq!(x.column(1).to_vec(), [-1.0, -1.0, -1.0]);
    let err = numeric_spec("{ kind = \"standard_scaler\" }")
        .fit(&frame)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("column 'b'") && err.contains("standard_scaler"),
        "{err}"
    );
    // A constant column: scale 1, no division by zero, as scikit-learn.
    let constant = small("c,d\n5,1\n5,2\n5,3\n");
    for kind in [
        "standard_scaler",
        "robust_scaler",
        "min_max_scaler",
        "max_abs_scaler",
    ] {
        let x = numeric_spec(&format!("{{ kind = \"{kind}\" }}"))
            .fit_transform(&constant)
            .unwrap()
            .1
            .x;
        let want = if kind == "max_abs_scaler" { 1.0 } else { 0.0 };
        assert!(
            x.column(0).iter().all(|&v| v == want),
            "{kind}: {:?}",
            x.column(0)
        );
    }
}

#[test]
fn absent_columns_and_non_finite_numbers() {
    let frame = small("a,b\n1,2\n3,4\n");
    let spec = PipelineSpec::from_toml(
        "[[blocks]]\nname = \"n\"\ncolumns = { names = [\"a\", \"zz\"] }\n",
        "inline",
    )
    .unwrap();
    let err = spec.fit(&frame).unwrap_err().to_string();
    assert!(
        err.contains("unknown column 'zz'") && err.contains("a, b"),
        "{err}"
    );
    let fitted = numeric_spec("{ kind = \"standard_scaler\" }")
        .fit(&frame)
        .unwrap();
    let err = fitted.transform(&small("a\n1\n")).unwrap_err().to_string();
    assert!(err.contains("unknown column 'b'"), "{err}");
    let err = fitted
        .transform(&small("a,b\n1,inf\n"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("column 'b'") && err.contains("row 0") && err.contains("finite"),
        "{err}"
    );
    // NaN and empty cells are missing: kept as NaN by a scaler, filled by an imputer.
    let x = fitted.transform(&small("a,b\n1,NaN\n,4\n")).unwrap();
    assert!(x[[0, 1]].is_nan() && x[[1, 0]].is_nan());
    let filled = numeric_spec("{ kind = \"simple_imputer\" }")
        .fit(&frame)
        .unwrap()
        .transform(&small("a,b\n,4\n"))
        .unwrap();
    assert_eq!(filled.row(0).to_vec(), [2.0, 4.0]);
    let err = PipelineSpec::from_toml("[[blocks]]\nname = \"n\"\ncolumns = {}\n", "kiln.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("block 'n'") && err.contains("selects nothing"),
        "{err}"
    );
    let err = PipelineSpec::from_toml("[[blocks]]\nname = \"n\"\ncolumns = { names = [\"a\"] }\nsteps = [{ kind = \"robust_scaler\", quantile_range = [80.0, 20.0] }]\n", "kiln.toml").unwrap_err().to_string();
    assert!(err.contains("quantile_range"), "{err}");
    let err = PipelineSpec::from_toml("[[blocks]]\nname = \"n\"\ncolumns = { names = [\"a\"] }\nsteps = [{ kind = \"scaler\" }]\n", "kiln.toml").unwrap_err().to_string();
    assert!(
        err.starts_with("kiln.toml:") && err.contains("scaler"),
        "{err}"
    );
}

#[test]
fn resampling_needs_a_classification_target_and_never_runs_at_transform() {
    let frame = common::dataset("mixed");
    let spec = |target: &str| {
        PipelineSpec::from_toml(
            &format!(
                "target = \"{target}\"\n[[blocks]]\nname = \"n\"\ncolumns = {{ names = [\"cylinders\", \"model_year\"] }}\n[resample]\nkind = \"random_over_sampler\"\n"
            ),
            "inline",
        )
        .unwrap()
    };
    let err = spec("mpg").fit(&frame).unwrap_err().to_string();
    assert!(err.contains("regression target"), "{err}");
    let (fitted, prepared) = spec("efficient").fit_transform(&frame).unwrap();
    assert!(
        prepared.x.nrows() > frame.n_rows(),
        "training rows were over-sampled"
    );
    assert_eq!(fitted.transform(&frame).unwrap().nrows(), frame.n_rows());
}

#[test]
fn every_fitted_statistic_is_finite_so_json_round_trips() {
    // A selection over a column with no observed value must fail at fit with its name, not
    // produce a fitted pipeline whose NaN score cannot be read back from JSON.
    let frame = small("a,b,c\n1,,5\n2,,6\n4,,8\n");
    let err = numeric_spec("{ kind = \"variance_threshold\" }")
        .fit(&frame)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("column 'b'") && err.contains("variance_threshold"),
        "{err}"
    );
    let fitted = numeric_spec(
        "{ kind = \"simple_imputer\", strategy = \"constant\" }, { kind = \"variance_threshold\" }",
    )
    .fit(&frame)
    .unwrap();
    assert_eq!(fitted.feature_names, ["a", "c"]);
    assert_eq!(
        FittedPipeline::from_json(&fitted.to_json().unwrap()).unwrap(),
        fitted
    );
}

#[test]
fn encode_target_matches_what_fit_encodes_and_names_missing_targets() {
    let spec = readme_spec();
    let (train, _) = mixed_train_test();
    let (encoding, y) = spec.encode_target(&train).unwrap();
    let (fitted, prepared) = spec.fit_transform(&train).unwrap();
    assert_eq!(Some(encoding), fitted.target);
    assert_eq!(y, fitted.encode_target(&train).unwrap());
    // The README spec oversamples; the resampled target starts with the original rows.
    assert_eq!(y[..], prepared.y.unwrap()[..y.len()]);
    let no_target = PipelineSpec {
        target: None,
        ..spec
    };
    let err = no_target.encode_target(&train).unwrap_err().to_string();
    assert!(err.contains("no target column"), "{err}");
}
