//! One conformance suite for every `StepSpec` variant: spec and fitted serde round trips,
//! determinism, transform after a JSON round trip bit-identical, one row at a time equal to the
//! batch, and a clear error on a categorical column where numbers are needed. A new step gets
//! all of this by adding one line to `all_steps`.

mod common;

use kiln_prep::steps::*;
use kiln_prep::{FitContext, FittedStep, StepSpec, Table};

/// Every step kind with the input columns of `mixed.csv` it is exercised on.
fn all_steps() -> Vec<(StepSpec, Vec<&'static str>)> {
    let num = vec!["cylinders", "horsepower", "weight", "model_year"];
    let cat = vec!["colour", "origin"];
    let complete = vec!["cylinders", "model_year", "const"];
    vec![
        (
            StepSpec::SimpleImputer(SimpleImputer {
                add_indicator: true,
                ..Default::default()
            }),
            num.clone(),
        ),
        (
            StepSpec::SimpleImputer(SimpleImputer {
                strategy: ImputeStrategy::MostFrequent,
                ..Default::default()
            }),
            cat.clone(),
        ),
        (
            StepSpec::StandardScaler(StandardScaler::default()),
            num.clone(),
        ),
        (
            StepSpec::MinMaxScaler(MinMaxScaler {
                clip: true,
                ..Default::default()
            }),
            num.clone(),
        ),
        (StepSpec::RobustScaler(RobustScaler::default()), num.clone()),
        (StepSpec::MaxAbsScaler(MaxAbsScaler::default()), num.clone()),
        (
            StepSpec::OneHotEncoder(OneHotEncoder {
                handle_unknown: HandleUnknown::Ignore,
                min_frequency: Some(MinFrequency::Count(10)),
                drop: None,
            }),
            cat.clone(),
        ),
        (
            StepSpec::OneHotEncoder(OneHotEncoder {
                handle_unknown: HandleUnknown::Ignore,
                min_frequency: None,
                drop: Some(DropPolicy::First),
            }),
            vec!["colour", "origin", "efficient"],
        ),
        (
            StepSpec::OrdinalEncoder(OrdinalEncoder {
                unknown_value: Some(-1.0),
            }),
            cat.clone(),
        ),
        (
            StepSpec::TargetEncoder(TargetEncoder::default()),
            cat.clone(),
        ),
        (StepSpec::Log1p(Log1p::default()), num.clone()),
        (StepSpec::YeoJohnson(YeoJohnson::default()), num.clone()),
        (
            StepSpec::Clip(Clip {
                bounds: ClipBounds::Iqr { factor: 1.5 },
            }),
            num.clone(),
        ),
        (
            StepSpec::GaussianNoise(GaussianNoise { std: 0.1 }),
            num.clone(),
        ),
        (
            StepSpec::Pca(Pca {
                n_components: NComponents::Count(2),
                whiten: true,
            }),
            complete.clone(),
        ),
        (
            StepSpec::TruncatedSvd(TruncatedSvd { n_components: 2 }),
            complete.clone(),
        ),
        (
            StepSpec::VarianceThreshold(VarianceThreshold::default()),
            complete.clone(),
        ),
        (
            StepSpec::SelectKBest(SelectKBest {
                k: 1,
                score: SelectScore::FClassif,
            }),
            complete.clone(),
        ),
        (
            StepSpec::DropCorrelated(DropCorrelated { threshold: 0.9 }),
            complete.clone(),
        ),
        (
            StepSpec::KnnImputer(KnnImputer { n_neighbors: 3 }),
            num.clone(),
        ),
        (
            StepSpec::IterativeImputer(IterativeImputer::default()),
            num.clone(),
        ),
        (StepSpec::Lda(Lda { n_components: None }), complete.clone()),
        (
            StepSpec::VifElimination(VifElimination { threshold: 5.0 }),
            vec!["cylinders", "model_year", "mpg"],
        ),
    ]
}

fn bits(t: &Table) -> Vec<Vec<u64>> {
    t.numeric_columns("test")
        .unwrap()
        .iter()
        .map(|c| c.iter().map(|v| v.to_bits()).collect())
        .collect()
}

/// Categorical outputs (imputers on categories) are compared by level text.
fn cells(t: &Table) -> Vec<Vec<String>> {
    t.columns
        .iter()
        .map(|c| match c {
            kiln_prep::Column::Numeric(v) => v.iter().map(|x| x.to_bits().to_string()).collect(),
            col => (0..col.len())
                .map(|i| col.level(i).unwrap_or("").to_string())
                .collect(),
        })
        .collect()
}

#[test]
fn every_step_round_trips_is_deterministic_and_row_wise_equals_batch() {
    let frame = common::dataset("mixed");
    let (codes, k) = common::class_codes(&frame, "mpg_class");
    let y: Vec<f64> = codes.iter().map(|&c| c as f64).collect();
    let train_rows: Vec<usize> = (0..frame.n_rows()).filter(|i| i % 4 != 0).collect();
    let y_train: Vec<f64> = train_rows.iter().map(|&i| y[i]).collect();
    let ctx = FitContext {
        y: Some(&y_train),
        n_classes: Some(k),
        seed: 9,
    };
    let steps = all_steps();
    assert_eq!(
        steps
            .iter()
            .map(|(s, _)| s.kind())
            .collect::<std::collections::HashSet<_>>()
            .len(),
        21,
        "one case per kind"
    );
    for (spec, columns) in steps {
        let kind = spec.kind();
        let spec_json = serde_json::to_string(&spec).unwrap();
        assert!(
            spec_json.contains(&format!("\"kind\":\"{kind}\"")),
            "{spec_json}"
        );
        assert_eq!(
            serde_json::from_str::<StepSpec>(&spec_json).unwrap(),
            spec,
            "{kind}: spec round trip"
        );
        spec.check().unwrap();

        let names: Vec<String> = columns.iter().map(|s| s.to_string()).collect();
        let full = Table::from_frame(&frame, &names).unwrap();
        let train = full.take(&train_rows);
        let (fitted, train_out) = spec
            .fit_transform(train.clone(), &ctx)
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (again, train_again) = spec.fit_transform(train, &ctx).unwrap();
        assert_eq!(fitted, again, "{kind}: fitting is deterministic");
        assert_eq!(
            cells(&train_out),
            cells(&train_again),
            "{kind}: training output is deterministic"
        );

        let batch = fitted
            .transform(full.clone())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let restored: FittedStep =
            serde_json::from_str(&serde_json::to_string(&fitted).unwrap()).unwrap();
        assert_eq!(restored, fitted, "{kind}: fitted round trip");
        assert_eq!(
            cells(&restored.transform(full.clone()).unwrap()),
            cells(&batch),
            "{kind}: output after round trip"
        );
        let batch_cells = cells(&batch);
        for i in (0..full.n_rows).step_by(7) {
            let one = restored.transform(full.take(&[i])).unwrap();
            let got: Vec<String> = cells(&one).into_iter().map(|c| c[0].clone()).collect();
            let want: Vec<String> = batch_cells.iter().map(|c| c[i].clone()).collect();
            assert_eq!(got, want, "{kind}: row {i} alone differs from the batch");
        }
        if batch
            .columns
            .iter()
            .all(|c| matches!(c, kiln_prep::Column::Numeric(_)))
        {
            assert_eq!(bits(&batch).len(), batch.n_cols());
        }
    }
}

#[test]
fn numeric_steps_reject_categorical_columns_by_name() {
    let frame = common::dataset("mixed");
    let table = Table::from_frame(&frame, &["weight".to_string(), "origin".to_string()]).unwrap();
    for (spec, columns) in all_steps() {
        if columns.contains(&"colour") || matches!(spec, StepSpec::SimpleImputer(_)) {
            continue;
        }
        let ctx = FitContext::default();
        let err = spec
            .fit_transform(table.clone(), &ctx)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("column 'origin'") || err.contains("column 'weight'"),
            "{}: {err}",
            spec.kind()
        );
    }
}
