//! `kiln train` and `kiln tune`: thin wrappers over kiln-project's workflow that print what
//! happened (candidates with their cross-validation spread, the choice, the one test score, the
//! gate and the registered version) and the next commands.

use std::path::Path;

use kiln_eval::Metric;
use kiln_project::data::prepare;
use kiln_project::lifecycle::{RunContext, TrainedRun, train_and_register};
use kiln_project::workflow::candidate_specs;
use kiln_registry::{Registry, RunConfig, RunKind, RunOutcome};

use super::project::{load_config, read_data};
use crate::cli::{TrainArgs, TuneArgs};
use crate::error::{CliError, CliResult};
use crate::output::{StageProgress, print_json, table};

/// Runs `kiln train`.
pub fn run(args: TrainArgs, project_dir: &Path, json: bool) -> CliResult<()> {
    let mut config = load_config(&args.project)?;
    if let Some(name) = &args.name {
        config.register.name = Some(name.clone());
    }
    if let Some(alias) = &args.alias {
        config.register.alias = alias.clone();
    }
    if let Some(drop) = args.max_drop {
        config.gate.get_or_insert(kiln_project::GateSection {
            metric: None,
            max_drop: 0.0,
        });
        if let Some(g) = config.gate.as_mut() {
            g.max_drop = drop;
        }
    }
    config.check("command line")?;
    let (frame, read_seconds) = read_data(&config, json)?;
    let registry = Registry::open(project_dir)?;
    let progress = StageProgress::new(json);
    let context = RunContext {
        data_path: Some(config.data.path.display().to_string()),
        read_seconds,
        reference_profile: Some(drift_reference),
        prediction_reference: Some(prediction_reference),
        report_path: args.report.clone(),
        project_dir: project_dir.to_path_buf(),
    };
    let trained = train_and_register(&registry, &config, frame, &context, &progress);
    progress.finish();
    let trained = trained?;
    print_trained(&trained, &config.register.alias, json)?;
    gate_result(&trained)
}

/// The drift reference stored in the artifact (kiln-monitor's profile of the training rows), so
/// `kiln monitor drift` can compare new data with a model's training data without keeping it.
pub fn drift_reference(train: &kiln_data::Frame) -> Option<serde_json::Value> {
    let options = kiln_monitor::drift::ReferenceOptions::default();
    kiln_monitor::drift::ReferenceProfile::from_frame(train, &options)
        .ok()
        .and_then(|p| serde_json::to_value(p).ok())
}

/// The prediction-drift reference stored in the artifact: kiln-monitor's profile of the model's
/// predictions on its test rows, so `kiln monitor predictions` compares served predictions with
/// how the model answered on held-out data rather than with an arbitrary window of the log.
pub fn prediction_reference(
    test: &kiln_eval::Predictions,
    classes: Option<&[String]>,
) -> Option<serde_json::Value> {
    let kind = match classes {
        Some(c) => kiln_monitor::logs::ModelKind::Classification {
            classes: c.to_vec(),
        },
        None => kiln_monitor::logs::ModelKind::Regression,
    };
    kiln_monitor::logs::prediction_reference(&kind, test)
        .ok()
        .and_then(|p| serde_json::to_value(p).ok())
}

/// Exit code 1 when the gate kept the alias where it was.
pub fn gate_result(trained: &TrainedRun) -> CliResult<()> {
    if trained.gate.passed {
        Ok(())
    } else {
        Err(CliError::Reported(format!(
            "{} version {} was registered but not promoted: {}",
            trained.version.name, trained.version.version, trained.gate.reason
        )))
    }
}

/// The summary of a training run, as text or JSON.
pub fn print_trained(t: &TrainedRun, alias: &str, json: bool) -> CliResult<()> {
    let o = &t.outcome;
    if json {
        let candidates: Vec<_> = o
            .candidates
            .iter()
            .map(|c| {
                serde_json::json!({
                    "label": c.label,
                    "model": c.spec.model,
                    "skipped_columns": c.skipped,
                    "cv": c.cv.as_ref().map(|cv| &cv.summary),
                })
            })
            .collect();
        let test: serde_json::Map<String, serde_json::Value> = o
            .metrics
            .iter()
            .zip(&o.test.scores)
            .map(|(m, v)| (m.name().to_string(), serde_json::json!(v)))
            .collect();
        return print_json(&serde_json::json!({
            "run_id": t.run_id.0,
            "model": t.version.name,
            "version": t.version.version,
            "alias": alias,
            "promoted": t.gate.passed,
            "gate": t.gate,
            "task": if o.pipeline.classes().is_some() { "classification" } else { "regression" },
            "metric": o.metric,
            "chosen": o.chosen().label,
            "candidates": candidates,
            "tuned": o.tuned.as_ref().map(|s| serde_json::json!({"best_params": s.best_params, "metric": s.metric, "candidates": s.candidates.len()})),
            "test": test,
            "rows": { "train": t.data.split.train.len(), "test": t.data.split.test.len(), "dropped_missing_target": t.data.dropped_missing_target },
            "data_fingerprint": t.data_fingerprint,
            "artifact_digest": t.version.artifact_digest,
            "timings": t.timings,
            "report": t.report.as_ref().ok(),
        }));
    }
    outln!(
        "Data: {} training rows, {} held-out test rows{}.",
        t.data.split.train.len(),
        t.data.split.test.len(),
        if t.data.dropped_missing_target > 0 {
            format!(
                " ({} rows without a target left out)",
                t.data.dropped_missing_target
            )
        } else {
            String::new()
        }
    );
    if let Some(s) = &o.tuned {
        outln!(
            "Tuned {} over {} candidates: best {} = {}",
            o.candidates[0].label,
            s.candidates.len(),
            s.metric.name(),
            serde_json::to_string(&s.best_params).unwrap_or_default()
        );
    }
    let m = o.metric;
    let mut rows = vec![vec![
        "candidate".to_string(),
        format!("cv {} (mean ± std)", m.name()),
        "train".into(),
        String::new(),
    ]];
    for (i, c) in o.candidates.iter().enumerate() {
        let (valid, train) = match c.cv.as_ref().and_then(|cv| cv.summary_of(m)) {
            Some(s) => (
                format!("{:.4} ± {:.4}", s.valid_mean, s.valid_std),
                format!("{:.4}", s.train_mean),
            ),
            None => ("(no cross-validation)".into(), String::new()),
        };
        let chosen = if i == o.best { "← chosen" } else { "" };
        rows.push(vec![c.label.clone(), valid, train, chosen.into()]);
    }
    out!("\n{}", table(&rows));
    if !o.chosen().skipped.is_empty() {
        outln!(
            "Columns left out by the automatic preparation (text/datetime): {}",
            o.chosen().skipped.join(", ")
        );
    }
    let test: Vec<String> = o
        .metrics
        .iter()
        .zip(&o.test.scores)
        .map(|(m, v)| format!("{} {v:.4}", m.name()))
        .collect();
    outln!("\nTest (held-out rows, scored once): {}", test.join(" · "));
    outln!(
        "\nRegistered {}/{} (run {}).",
        t.version.name,
        t.version.version,
        t.run_id
    );
    match &t.report {
        Ok(path) => outln!("Report: {}", path.display()),
        Err(e) => outln!("Report not written: {e}"),
    }
    if t.gate.passed {
        outln!(
            "Gate passed: {}. {}@{alias} → {}.",
            t.gate.reason,
            t.version.name,
            t.version.version
        );
    } else {
        outln!(
            "Gate failed: {}. {}@{alias} unchanged.",
            t.gate.reason,
            t.version.name
        );
    }
    Ok(())
}

/// Runs `kiln tune`: the search of `[tune]` on the training rows, recorded as a run.
pub fn tune(args: TuneArgs, project_dir: &Path, json: bool) -> CliResult<()> {
    let config = load_config(&args.project)?;
    let Some(tune) = config.tune.clone() else {
        return Err(CliError::Usage(
            "kiln.toml has no [tune] section; see `kiln tune --help` for an example".into(),
        ));
    };
    let (frame, _) = read_data(&config, json)?;
    let registry = Registry::open(project_dir)?;
    let run_id = registry.start_run(
        RunKind::Tune,
        &RunConfig {
            config: serde_json::to_value(&config).unwrap_or_default(),
            seed: Some(tune.seed),
            data_path: Some(config.data.path.display().to_string()),
        },
    )?;
    let progress = StageProgress::new(json);
    let result = (|| -> CliResult<_> {
        let data = prepare(frame, &config)?;
        let train = data.train()?;
        let n_classes = kiln_project::data::n_classes(&train, &config.data.target, data.task)?;
        let specs = candidate_specs(&config, &data.frame, data.task, n_classes)?;
        let Some((label, spec, _)) = specs.first() else {
            return Err(CliError::Usage("no candidate model to tune".into()));
        };
        use kiln_project::workflow::Progress;
        progress.stage(&format!("tuning {label}"), None);
        let mut tune = tune.clone();
        if tune.metric.is_none() {
            tune.metric = config.train.metric;
        }
        let result = kiln_eval::search(spec, &train, &tune, &|done, _| progress.advance(done))
            .map_err(kiln_project::ProjectError::from)?;
        Ok((label.clone(), result))
    })();
    progress.finish();
    let (label, result) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = registry.fail_run(run_id, &e.to_string());
            return Err(e);
        }
    };
    let best = &result.candidates[result.best];
    let mut metrics = std::collections::BTreeMap::new();
    if best.mean.is_finite() {
        metrics.insert(format!("cv_{}_mean", result.metric.name()), best.mean);
        metrics.insert(format!("cv_{}_std", result.metric.name()), best.std);
    }
    registry.finish_run(
        run_id,
        &RunOutcome {
            params: serde_json::to_value(&result.best_params).unwrap_or_default(),
            metrics,
            timings: [("search".to_string(), result.total_seconds)].into(),
            ..RunOutcome::default()
        },
    )?;
    if json {
        return print_json(&serde_json::json!({
            "run_id": run_id.0,
            "candidate": label,
            "metric": result.metric,
            "best_params": result.best_params,
            "best": best,
            "candidates": result.candidates,
            "seconds": result.total_seconds,
        }));
    }
    print_search(&label, &result);
    outln!(
        "\nRun {run_id} recorded. Put the best parameters into [[model]] of kiln.toml and run `kiln train`."
    );
    Ok(())
}

fn print_search(label: &str, result: &kiln_eval::SearchResult) {
    let m: Metric = result.metric;
    let mut order: Vec<usize> = (0..result.candidates.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (result.candidates[a].mean, result.candidates[b].mean);
        if m.is_better(x, y) {
            std::cmp::Ordering::Less
        } else if m.is_better(y, x) {
            std::cmp::Ordering::Greater
        } else {
            a.cmp(&b)
        }
    });
    let mut rows = vec![vec![
        "rank".to_string(),
        format!("cv {} (mean ± std)", m.name()),
        "rows".into(),
        "params".into(),
    ]];
    for (rank, &i) in order.iter().enumerate().take(15) {
        let c = &result.candidates[i];
        rows.push(vec![
            (rank + 1).to_string(),
            format!("{:.4} ± {:.4}", c.mean, c.std),
            c.n_rows.to_string(),
            serde_json::to_string(&c.params).unwrap_or_default(),
        ]);
    }
    outln!(
        "Search over {label}: {} candidates in {:.1} s\n",
        result.candidates.len(),
        result.total_seconds
    );
    out!("{}", table(&rows));
}
