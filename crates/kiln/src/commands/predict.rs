//! `kiln predict` and `kiln evaluate`: a registered model on a file, through the same
//! `FittedModelPipeline` the server uses.

use std::path::Path;

use kiln_project::scoring::{ScoreOptions, evaluate, read_for_model, score_file};
use kiln_registry::{ModelRef, Registry, RunConfig, RunKind, RunOutcome};

use crate::cli::{EvaluateArgs, PredictArgs};
use crate::error::{CliError, CliResult};
use crate::output::{print_json, spinner, table};

/// Opens the registry of an existing project; read-only commands never create `.kiln/`.
pub fn open_existing(project_dir: &Path) -> CliResult<Registry> {
    let dir = project_dir.join(kiln_registry::KILN_DIR);
    if !dir.is_dir() {
        return Err(CliError::Failed(format!(
            "no kiln project in {} (no {} folder); train a model there first (kiln train / kiln quickstart) or pass --project DIR",
            project_dir.display(),
            dir.display()
        )));
    }
    Ok(Registry::open(project_dir)?)
}

/// Runs `kiln predict`.
pub fn run(args: PredictArgs, project_dir: &Path, json: bool) -> CliResult<()> {
    let registry = open_existing(project_dir)?;
    let (version, artifact) = registry.load(&ModelRef::parse(&args.model)?)?;
    let pb = spinner(
        format!(
            "scoring {} with {}/{}",
            args.input.display(),
            version.name,
            version.version
        ),
        json,
    );
    let options = ScoreOptions {
        id_columns: args.ids.clone(),
        chunk_bytes: args.chunk_bytes,
    };
    let summary = score_file(
        &artifact.pipeline,
        &args.input,
        &args.output,
        &options,
        &|rows| pb.set_message(format!("scored {rows} rows")),
    );
    pb.finish_and_clear();
    let summary = summary?;
    if !summary.ignored_columns.is_empty() {
        eprintln!(
            "warning: ignored column{} the model does not use: {}",
            if summary.ignored_columns.len() == 1 {
                ""
            } else {
                "s"
            },
            summary.ignored_columns.join(", ")
        );
    }
    if json {
        return print_json(&serde_json::json!({
            "model": version.name,
            "version": version.version,
            "input": args.input,
            "output": args.output,
            "rows": summary.rows,
            "chunks": summary.chunks,
            "ignored_columns": summary.ignored_columns,
        }));
    }
    outln!(
        "Scored {} rows with {}/{} → {}",
        summary.rows,
        version.name,
        version.version,
        args.output.display()
    );
    Ok(())
}

/// Runs `kiln evaluate`: metrics on a labelled file, recorded as an evaluate run.
pub fn evaluate_command(args: EvaluateArgs, project_dir: &Path, json: bool) -> CliResult<()> {
    let registry = open_existing(project_dir)?;
    let reference = ModelRef::parse(&args.model)?;
    let (version, artifact) = registry.load(&reference)?;
    let run_id = registry.start_run(
        RunKind::Evaluate,
        &RunConfig {
            config: serde_json::json!({ "model": reference.to_string(), "version": version.version, "file": args.file }),
            seed: None,
            data_path: Some(args.file.display().to_string()),
        },
    )?;
    let pb = spinner(format!("evaluating {}", args.file.display()), json);
    let result = read_for_model(&artifact.pipeline, &args.file).and_then(|frame| {
        let fingerprint = kiln_data::fingerprint(&frame).digest;
        Ok((evaluate(&artifact.pipeline, &frame)?, fingerprint, frame))
    });
    pb.finish_and_clear();
    let (evaluation, fingerprint, frame) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = registry.fail_run(run_id, &e.to_string());
            return Err(e.into());
        }
    };
    let report_path = args
        .report
        .clone()
        .unwrap_or_else(|| kiln_project::lifecycle::default_report_path(project_dir, run_id));
    let report = kiln_project::report::evaluation_report(
        &artifact.pipeline,
        &frame,
        &format!("{}/{}", version.name, version.version),
        run_id.0,
        &args.file.display().to_string(),
    )
    .and_then(|r| kiln_project::report::write_report(&r, &report_path))
    .map(|()| report_path);
    let metrics: std::collections::BTreeMap<String, f64> = evaluation
        .scores
        .iter()
        .filter(|(_, v)| v.is_finite())
        .map(|(m, v)| (m.name().to_string(), *v))
        .collect();
    registry.finish_run(
        run_id,
        &RunOutcome {
            data_fingerprint: Some(fingerprint.clone()),
            metrics: metrics.clone(),
            artifact_digest: Some(version.artifact_digest.clone()),
            report_path: report.as_ref().ok().map(|p| p.display().to_string()),
            ..RunOutcome::default()
        },
    )?;
    if json {
        return print_json(&serde_json::json!({
            "run_id": run_id.0,
            "model": version.name,
            "version": version.version,
            "file": args.file,
            "rows": frame.n_rows(),
            "report": report.as_ref().ok(),
            "data_fingerprint": fingerprint,
            "metrics": metrics,
        }));
    }
    outln!(
        "{}/{} on {} ({} rows), run {run_id}:\n",
        version.name,
        version.version,
        args.file.display(),
        frame.n_rows()
    );
    let mut table_rows = vec![vec![
        "metric".to_string(),
        "value".into(),
        "at training (test)".into(),
    ]];
    for (m, v) in &evaluation.scores {
        let trained = version
            .metrics
            .get(&format!("test_{}", m.name()))
            .map_or(String::new(), |t| format!("{t:.4}"));
        table_rows.push(vec![m.name().to_string(), format!("{v:.4}"), trained]);
    }
    out!("{}", table(&table_rows));
    match &report {
        Ok(path) => outln!("\nReport: {}", path.display()),
        Err(e) => outln!("\nReport not written: {e}"),
    }
    Ok(())
}
