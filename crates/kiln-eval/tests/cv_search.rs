//! Behaviour of cross-validation, search and the curves: leakage safety (the pipeline refitted
//! per fold), thread-count independence, fold kinds, the halving schedule, parameter paths and
//! a clear error for every bad input.

use kiln_data::Frame;
use kiln_data::csv::read_csv_bytes;
use kiln_eval::{
    CvKind, CvSpec, Metric, ModelPipelineSpec, SearchSpec, Strategy, apply_params, cross_validate,
    iteration_curve, learning_curve, search, validation_curve,
};

fn iris() -> Frame {
    kiln_data::datasets::load("iris").expect("bundled dataset")
}

fn spec(text: &str) -> ModelPipelineSpec {
    toml::from_str(text).expect("valid spec")
}

fn tree(depth: usize) -> ModelPipelineSpec {
    spec(&format!(
        r#"
        prep = {{ target = "species", remainder = "passthrough" }}
        model = {{ kind = "decision_tree", max_depth = {depth} }}
        "#
    ))
}

/// Binary rows sorted by label, with a group and a time column: 40 "no" then 40 "yes".
fn sorted_binary() -> Frame {
    let mut csv = String::from("x,noise,grp,t,label\n");
    for i in 0..80 {
        let label = if i < 40 { "no" } else { "yes" };
        let x = i as f64 + if i % 7 == 0 { 30.0 } else { 0.0 };
        csv += &format!("{x},{},{},{},{label}\n", (i * 37) % 11, i / 8, 80 - i);
    }
    read_csv_bytes(csv.as_bytes(), "sorted", &Default::default()).expect("valid csv")
}

fn binary_spec() -> ModelPipelineSpec {
    spec(
        r#"
        prep = { target = "label", exclude = ["grp", "t"], remainder = "passthrough" }
        model = { kind = "decision_tree", max_depth = 2 }
        "#,
    )
}

fn err_text<T: std::fmt::Debug>(r: Result<T, kiln_eval::PipelineError>) -> String {
    r.expect_err("expected an error").to_string()
}

#[test]
fn every_fold_refits_the_whole_pipeline_on_its_training_rows() {
    // A scaler and an imputer are fitted inside the pipeline: refitting them on each fold's
    // training rows and scoring its validation rows by hand must give the fold's score exactly.
    let s = spec(
        r#"
        [prep]
        target = "species"
        [[prep.blocks]]
        name = "numbers"
        columns = { types = ["numeric"] }
        steps = [{ kind = "simple_imputer", strategy = "median" }, { kind = "standard_scaler" }]
        [model]
        kind = "decision_tree"
        max_depth = 2
        "#,
    );
    let frame = iris();
    let cv = CvSpec {
        n_splits: 4,
        shuffle: true,
        seed: 3,
        ..CvSpec::default()
    };
    let result = cross_validate(&s, &frame, &cv, &[Metric::Accuracy], &|_, _| {}).expect("cv");
    let (_, y) = s.prep.encode_target(&frame).expect("target");
    let folds = cv
        .folds(&frame, &y, kiln_prep::Task::Classification)
        .expect("folds");
    for (fold, scores) in folds[0].iter().zip(&result.folds) {
        let fitted = s
            .fit(&frame.take(&fold.train).expect("rows"))
            .expect("fits");
        let valid = frame.take(&fold.test).expect("rows");
        // Exact: the same fit on the same rows.
        assert_eq!(
            fitted.score(&valid, Metric::Accuracy).expect("scores"),
            scores.valid[0]
        );
        assert_eq!(scores.n_train + scores.n_valid, 150);
    }
    // Out-of-fold predictions cover every row exactly once, in row order.
    assert_eq!(result.out_of_fold[0].rows, (0..150).collect::<Vec<_>>());
    let oof = result.out_of_fold[0].predictions(result.classes.as_deref());
    assert_eq!(oof.probabilities.expect("classifier").ncols(), 3);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // A random forest: seeded bootstrap samples and feature draws inside every fold.
    let s = spec(
        r#"
        prep = { target = "species", remainder = "passthrough" }
        model = { kind = "random_forest", n_estimators = 10, max_depth = 4, seed = 4 }
        "#,
    );
    let frame = iris();
    let cv = CvSpec {
        shuffle: true,
        seed: 9,
        repeats: 2,
        ..CvSpec::default()
    };
    let metrics = [Metric::Accuracy, Metric::LogLoss];
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| cross_validate(&s, &frame, &cv, &metrics, &|_, _| {}).expect("cv"))
    };
    let (one, four) = (run(1), run(4));
    assert_eq!(one.folds.len(), 10);
    for (a, b) in one.folds.iter().zip(&four.folds) {
        assert_eq!(
            (a.repeat, a.fold, &a.train, &a.valid),
            (b.repeat, b.fold, &b.train, &b.valid)
        );
    }
    assert_eq!(one.out_of_fold, four.out_of_fold);
    assert_eq!(one.summary[0].repeat_means.len(), 2);
    assert!(one.summary[1].repeat_std >= 0.0);
}

#[test]
fn progress_counts_every_fold() {
    let done = std::sync::Mutex::new(Vec::new());
    let cv = CvSpec {
        n_splits: 3,
        ..CvSpec::default()
    };
    cross_validate(&tree(2), &iris(), &cv, &[Metric::Accuracy], &|d, t| {
        done.lock().expect("lock").push((d, t));
    })
    .expect("cv");
    let mut seen = done.into_inner().expect("lock");
    seen.sort_unstable();
    assert_eq!(seen, vec![(1, 3), (2, 3), (3, 3)]);
}

#[test]
fn group_and_time_series_folds_respect_their_columns() {
    let frame = sorted_binary();
    let s = binary_spec();
    let (_, y) = s.prep.encode_target(&frame).expect("target");
    let groups = CvSpec {
        kind: CvKind::Group,
        n_splits: 4,
        group_column: Some("grp".into()),
        ..CvSpec::default()
    };
    let folds = groups
        .folds(&frame, &y, kiln_prep::Task::Classification)
        .expect("folds");
    for f in &folds[0] {
        let g = |rows: &[usize]| -> std::collections::BTreeSet<usize> {
            rows.iter().map(|r| r / 8).collect()
        };
        assert!(g(&f.train).is_disjoint(&g(&f.test)), "a group is split");
    }
    // Time runs backwards in row order here (t = 80 − i): every training row must come later
    // in the frame (earlier in time) than every validation row.
    let time = CvSpec {
        kind: CvKind::TimeSeries,
        n_splits: 3,
        time_column: Some("t".into()),
        ..CvSpec::default()
    };
    let folds = time
        .folds(&frame, &y, kiln_prep::Task::Classification)
        .expect("folds");
    for f in &folds[0] {
        assert!(f.train.iter().min() > f.test.iter().max());
    }
}

#[test]
fn bad_cross_validation_input_is_a_clear_error() {
    let frame = sorted_binary();
    let s = binary_spec();
    let acc = [Metric::Accuracy];
    let run = |cv: CvSpec, metrics: &[Metric]| {
        err_text(cross_validate(&s, &frame, &cv, metrics, &|_, _| {}))
    };
    let e = run(
        CvSpec {
            n_splits: 1,
            ..CvSpec::default()
        },
        &acc,
    );
    assert!(e.contains("n_splits") && e.contains("at least 2"), "{e}");
    let e = run(
        CvSpec {
            repeats: 3,
            ..CvSpec::default()
        },
        &acc,
    );
    assert!(e.contains("repeats") && e.contains("shuffle"), "{e}");
    let e = run(
        CvSpec {
            kind: CvKind::Group,
            ..CvSpec::default()
        },
        &acc,
    );
    assert!(e.contains("group_column"), "{e}");
    let e = run(
        CvSpec {
            kind: CvKind::TimeSeries,
            shuffle: true,
            ..CvSpec::default()
        },
        &acc,
    );
    assert!(e.contains("shuffle"), "{e}");
    let e = run(
        CvSpec {
            kind: CvKind::Group,
            group_column: Some("nope".into()),
            ..CvSpec::default()
        },
        &acc,
    );
    assert!(e.contains("nope"), "{e}");
    let e = run(CvSpec::default(), &[]);
    assert!(e.contains("no metrics"), "{e}");
    let e = run(CvSpec::default(), &[Metric::Rmse]);
    assert!(e.contains("rmse") && e.contains("regression metric"), "{e}");
    let e = err_text(cross_validate(
        &s,
        &frame.slice(0, 0),
        &CvSpec::default(),
        &acc,
        &|_, _| {},
    ));
    assert!(e.contains("no rows"), "{e}");
    // Unshuffled k-fold of label-sorted rows: the first fold validates on "no" rows only, so
    // ROC-AUC is undefined there — named by repeat and fold.
    let kfold = CvSpec {
        kind: CvKind::KFold,
        n_splits: 5,
        ..CvSpec::default()
    };
    let e = run(kfold.clone(), &[Metric::RocAuc]);
    assert!(
        e.contains("repeat 1, fold 1") && e.contains("roc_auc"),
        "{e}"
    );
    // Two folds of sorted rows: each fold's training rows hold one class only.
    let e = run(
        CvSpec {
            n_splits: 2,
            ..kfold
        },
        &acc,
    );
    assert!(e.contains("fold 1") && e.contains("single class"), "{e}");
    // Unshuffled 3-fold of iris (sorted by species): fold 1 trains without any setosa.
    let e = err_text(cross_validate(
        &tree(2),
        &iris(),
        &CvSpec {
            kind: CvKind::KFold,
            n_splits: 3,
            ..CvSpec::default()
        },
        &acc,
        &|_, _| {},
    ));
    assert!(
        e.contains("repeat 1, fold 1")
            && e.contains("2 of the 3 classes")
            && e.contains("'setosa' missing"),
        "{e}"
    );
    // A missing group or time value names the column and the row.
    let holes = read_csv_bytes(
        b"x,grp,t,label\n1.5,a,1,no\n2.5,,2,yes\n3.5,b,,no\n4.5,b,4,yes\n",
        "holes",
        &Default::default(),
    )
    .expect("valid csv");
    let s2 = spec(
        r#"
        prep = { target = "label", exclude = ["grp", "t"], remainder = "passthrough" }
        model = { kind = "decision_tree", max_depth = 2 }
        "#,
    );
    let (_, y) = s2.prep.encode_target(&holes).expect("target");
    let task = kiln_prep::Task::Classification;
    let groups = CvSpec {
        kind: CvKind::Group,
        n_splits: 2,
        group_column: Some("grp".into()),
        ..CvSpec::default()
    };
    let e = err_text(groups.folds(&holes, &y, task));
    assert!(e.contains("'grp'") && e.contains("row 1"), "{e}");
    let times = CvSpec {
        kind: CvKind::TimeSeries,
        n_splits: 2,
        time_column: Some("t".into()),
        ..CvSpec::default()
    };
    let e = err_text(times.folds(&holes, &y, task));
    assert!(e.contains("'t'") && e.contains("row 2"), "{e}");
    // Stratified folds of a regression target.
    let reg = spec(
        r#"
        prep = { target = "x", task = "regression", exclude = ["label", "grp", "t"], remainder = "passthrough" }
        model = { kind = "decision_tree", criterion = "squared_error", max_depth = 2 }
        "#,
    );
    let e = err_text(cross_validate(
        &reg,
        &frame,
        &CvSpec {
            kind: CvKind::Stratified,
            ..CvSpec::default()
        },
        &[Metric::Rmse],
        &|_, _| {},
    ));
    assert!(
        e.contains("stratified") && e.contains("classification target"),
        "{e}"
    );
}

#[test]
fn grid_random_and_halving_search() {
    let frame = iris();
    let base = tree(1);
    // Grid: every combination, the last path varying fastest; log-loss ranks lower-is-better.
    let grid: SearchSpec = toml::from_str(
        r#"
        strategy = "grid"
        metric = "log_loss"
        params = { max_depth = { values = [1, 2] }, min_samples_leaf = { int = [1, 3] } }
        cv = { n_splits = 3 }
        "#,
    )
    .expect("valid");
    let r = search(&base, &frame, &grid, &|_, _| {}).expect("search");
    assert_eq!(r.candidates.len(), 6);
    assert_eq!(r.candidates[1].params["min_samples_leaf"], 2);
    let best = r.best_candidate();
    assert!(
        r.candidates.iter().all(|c| c.mean >= best.mean),
        "log-loss: lowest wins"
    );
    assert_eq!(
        apply_params(&base, &r.best_params).expect("applies"),
        r.best_spec
    );
    // Random: reproducible under a seed, continuous draws inside their bounds.
    let random: SearchSpec = toml::from_str(
        r#"
        strategy = "random"
        n_iter = 4
        seed = 5
        params = { max_depth = { int = [1, 4] }, min_impurity_decrease = { log_uniform = [1e-4, 1e-1] } }
        cv = { n_splits = 3 }
        "#,
    )
    .expect("valid");
    let a = search(&base, &frame, &random, &|_, _| {}).expect("search");
    let b = search(&base, &frame, &random, &|_, _| {}).expect("search");
    let params = |r: &kiln_eval::SearchResult| {
        r.candidates
            .iter()
            .map(|c| c.params.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(params(&a), params(&b));
    for c in &a.candidates {
        let v = c.params["min_impurity_decrease"].as_f64().expect("float");
        assert!((1e-4..=1e-1).contains(&v), "{v}");
    }
    // Halving on 150 rows, 3 folds, 3 classes: min_resources = 2·3·3 = 18 rows, 150 / 18 = 8
    // candidates, 1 + ⌊log₃ 8⌋ = 2 rounds: 8 candidates on 18 rows, then ⌈8/3⌉ = 3 on 54.
    let halving: SearchSpec = toml::from_str(
        r#"
        strategy = "halving"
        seed = 1
        params = { max_depth = { int = [1, 6] }, min_samples_leaf = { int = [1, 4] } }
        cv = { n_splits = 3 }
        "#,
    )
    .expect("valid");
    let progress = std::sync::Mutex::new(Vec::new());
    let h = search(&base, &frame, &halving, &|d, t| {
        progress.lock().expect("lock").push((d, t))
    })
    .expect("search");
    let per_round: Vec<(usize, usize)> = (0..2)
        .map(|r| {
            let c: Vec<_> = h.candidates.iter().filter(|c| c.round == r).collect();
            (c.len(), c[0].n_rows)
        })
        .collect();
    assert_eq!(per_round, vec![(8, 18), (3, 54)]);
    assert_eq!(h.candidates[h.best].round, 1);
    assert_eq!(progress.into_inner().expect("lock").last(), Some(&(11, 11)));
}

#[test]
fn parameter_paths_reach_model_and_prep_and_reject_unknown_names() {
    let base = spec(
        r#"
        [prep]
        target = "species"
        [[prep.blocks]]
        name = "numbers"
        columns = { types = ["numeric"] }
        steps = [{ kind = "simple_imputer", strategy = "median" }]
        [model]
        kind = "gbdt"
        "#,
    );
    let p = |pairs: &[(&str, serde_json::Value)]| -> kiln_eval::Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    let tuned = apply_params(
        &base,
        &p(&[
            ("model.num_leaves", serde_json::json!(7)),
            ("prep.seed", serde_json::json!(3)),
            ("prep.blocks.0.steps.0.strategy", serde_json::json!("mean")),
        ]),
    )
    .expect("applies");
    assert_eq!(tuned.prep.seed, 3);
    let json = serde_json::to_value(&tuned).expect("json");
    assert_eq!(json["model"]["num_leaves"], 7);
    assert_eq!(json["prep"]["blocks"][0]["steps"][0]["strategy"], "mean");
    let e = err_text(apply_params(
        &base,
        &p(&[("num_leafs", serde_json::json!(7))]),
    ));
    assert!(e.contains("num_leafs") && e.contains("num_leaves"), "{e}");
    let e = err_text(apply_params(
        &base,
        &p(&[("prep.blocks.3.name", serde_json::json!("x"))]),
    ));
    assert!(e.contains("list index"), "{e}");
    let e = err_text(apply_params(
        &base,
        &p(&[("num_leaves", serde_json::json!("many"))]),
    ));
    assert!(e.contains("num_leaves"), "{e}");
    // A value the model's check refuses.
    let e = err_text(apply_params(
        &base,
        &p(&[("learning_rate", serde_json::json!(-1.0))]),
    ));
    assert!(e.contains("learning_rate"), "{e}");
}

#[test]
fn bad_search_settings_are_clear_errors() {
    let frame = iris();
    let base = tree(2);
    let bad = |text: &str| -> String {
        let tune: SearchSpec = toml::from_str(text).expect("parses");
        err_text(search(&base, &frame, &tune, &|_, _| {}))
    };
    let e = bad("strategy = \"grid\"\nparams = { max_depth = { uniform = [1.0, 3.0] } }");
    assert!(e.contains("finite list"), "{e}");
    let e = bad("strategy = \"random\"\nparams = {}");
    assert!(e.contains("params") && e.contains("empty"), "{e}");
    let e = bad("strategy = \"random\"\nn_iter = 0\nparams = { max_depth = { int = [1, 3] } }");
    assert!(e.contains("n_iter"), "{e}");
    let e = bad("strategy = \"random\"\nparams = { max_depth = { int = [5, 1] } }");
    assert!(e.contains("a <= b"), "{e}");
    let e = bad(
        "strategy = \"random\"\nparams = { min_impurity_decrease = { log_uniform = [0.0, 1.0] } }",
    );
    assert!(e.contains("0 < a"), "{e}");
    let e = bad("strategy = \"halving\"\nfactor = 1.0\nparams = { max_depth = { int = [1, 3] } }");
    assert!(e.contains("factor"), "{e}");
    let e = bad(
        "strategy = \"halving\"\nmin_resources = 1000\nparams = { max_depth = { int = [1, 3] } }",
    );
    assert!(e.contains("min_resources"), "{e}");
    let e =
        bad("strategy = \"random\"\nmetric = \"rmse\"\nparams = { max_depth = { int = [1, 3] } }");
    assert!(e.contains("rmse"), "{e}");
    assert!(
        toml::from_str::<SearchSpec>("strategy = \"grid\"\nparams = { a = { normal = [0, 1] } }")
            .is_err()
    );
    let s: SearchSpec =
        toml::from_str("strategy = \"random\"\nparams = { max_depth = { values = [2] } }")
            .expect("ok");
    assert_eq!(s.strategy, Strategy::Random);
}

#[test]
fn learning_validation_and_iteration_curves() {
    let frame = iris();
    let cv = CvSpec {
        n_splits: 3,
        shuffle: true,
        seed: 2,
        ..CvSpec::default()
    };
    let lc = learning_curve(
        &tree(3),
        &frame,
        &cv,
        Metric::Accuracy,
        &[0.2, 0.6, 1.0],
        &|_, _| {},
    )
    .expect("learning curve");
    assert_eq!(lc.train_sizes, vec![20, 60, 100]);
    assert_eq!(lc.scores.valid_mean.len(), 3);
    assert!(lc.tail().is_some());
    let e = err_text(learning_curve(
        &tree(3),
        &frame,
        &cv,
        Metric::Accuracy,
        &[0.0],
        &|_, _| {},
    ));
    assert!(e.contains("(0, 1]"), "{e}");
    let e = err_text(learning_curve(
        &tree(3),
        &frame,
        &cv,
        Metric::Accuracy,
        &[0.001],
        &|_, _| {},
    ));
    assert!(e.contains("0 rows"), "{e}");
    let values = [
        serde_json::json!(1),
        serde_json::json!(2),
        serde_json::json!(5),
    ];
    let vc = validation_curve(
        &tree(1),
        &frame,
        &cv,
        Metric::Accuracy,
        "max_depth",
        &values,
        &|_, _| {},
    )
    .expect("validation curve");
    assert!(vc.scores.train_mean[2] >= vc.scores.train_mean[0]);
    let e = err_text(validation_curve(
        &tree(1),
        &frame,
        &cv,
        Metric::Accuracy,
        "depth",
        &values,
        &|_, _| {},
    ));
    assert!(e.contains("depth"), "{e}");
    // Iteration curve: the last point is the full model, exactly.
    let gbdt = spec(
        r#"
        prep = { target = "species", remainder = "passthrough" }
        model = { kind = "gbdt", objective = "multiclass", n_estimators = 30, min_data_in_leaf = 5 }
        "#,
    );
    let (train, valid) = (
        frame
            .take(&(0..150).filter(|i| i % 3 != 0).collect::<Vec<_>>())
            .expect("rows"),
        frame
            .take(&(0..150).step_by(3).collect::<Vec<_>>())
            .expect("rows"),
    );
    let fitted = gbdt.fit(&train).expect("fits");
    let ic = iteration_curve(&fitted, &train, &valid, Metric::LogLoss, 10).expect("curve");
    assert_eq!(ic.iterations, vec![3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    assert_eq!(
        ic.valid[9],
        fitted.score(&valid, Metric::LogLoss).expect("scores")
    );
    assert!(ic.train[9] < ic.train[0], "training loss falls");
    let e = err_text(iteration_curve(
        &tree(2).fit(&train).expect("fits"),
        &train,
        &valid,
        Metric::LogLoss,
        10,
    ));
    assert!(e.contains("gbdt"), "{e}");
}
